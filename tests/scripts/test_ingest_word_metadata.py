"""Word scripts (.docx) give their fields in a header table, labelled lines or the document's
properties; none of it is read aloud, and where two places disagree a fixed order decides."""

from datetime import date

import docx
import pytest

from broadcast.diagnostics import InputError, Severity
from broadcast.scripts import encode_tcvn3, read_script
from broadcast.textnorm import normalize
from tests.scripts.test_ingest_docx import as_legacy_font_text, save


def with_table(rows: list[tuple[str, str]], *paragraphs: str):
    document = docx.Document()
    table = document.add_table(rows=len(rows), cols=2)
    for number, (label, value) in enumerate(rows):
        table.cell(number, 0).text = label
        table.cell(number, 1).text = value
    for text in paragraphs:
        document.add_paragraph(text)
    return document


def spoken(script) -> str:
    return normalize(f"{script.title}\n\n{script.body}")


def test_header_table_with_vietnamese_labels(project):
    document = with_table(
        [
            ("Thông tin", "Nội dung"),  # a heading row naming the columns
            ("Tiêu đề", "Lịch tiếp công dân tháng 12"),
            ("Chủ đề", "cai-cach-hanh-chinh"),
            ("Hiệu lực từ", "01/12/2026"),
            ("Hiệu lực đến:", "31/12/2026"),
            ("Khu vực", "tdp-1\ntdp-2"),  # one zone per line of the cell
            ("Ưu tiên", "thông thường"),
        ],
        "Kính thưa bà con nhân dân!",
        "UBND phường tiếp công dân vào sáng thứ Năm.",
    )
    script = read_script(save(document, project, "tiep-dan.docx"), project.paths)
    assert script.title == "Lịch tiếp công dân tháng 12"
    assert script.topic == "cai-cach-hanh-chinh"
    assert (script.valid_from, script.valid_until) == (date(2026, 12, 1), date(2026, 12, 31))
    assert script.zones == ("tdp-1", "tdp-2")
    assert (
        script.body == "Kính thưa bà con nhân dân!\n\nUBND phường tiếp công dân vào sáng thứ Năm."
    )
    assert dict(script.field_origins)["topic"] == "bảng đầu văn bản Word"
    assert script.warnings == ()
    heard = spoken(script)
    assert "chủ đề" not in heard and "hiệu lực" not in heard and "cai cach" not in heard


def test_header_table_with_english_keys(project):
    document = with_table([("topic", "y-te"), ("valid_until", "2026-12-05")], "Tin", "Nội dung.")
    script = read_script(save(document, project, "a.docx"), project.paths)
    assert (script.topic, script.valid_until) == ("y-te", date(2026, 12, 5))
    assert (script.title, script.body) == ("Tin", "Nội dung.")


def test_a_row_naming_no_field_is_a_warning_naming_the_row(project):
    document = with_table([("Chủ đề", "y-te"), ("Người ký", "Nguyễn Văn A")], "Tin", "Nội dung.")
    script = read_script(save(document, project, "a.docx"), project.paths)
    (warning,) = script.warnings
    assert warning.severity is Severity.WARNING and warning.code == "unknown_field"
    assert warning.message.startswith('hàng 2 của bảng đầu văn bản: "Người ký" không phải')
    assert "Nguyễn" not in spoken(script)


def test_a_bad_value_in_the_table_is_an_error_naming_the_row(project):
    document = with_table([("Chủ đề", "y-te"), ("Hiệu lực đến", "31/02/2026")], "Tin", "Nội dung.")
    with pytest.raises(InputError) as caught:
        read_script(save(document, project, "a.docx"), project.paths)
    (problem,) = caught.value.diagnostics
    assert str(problem) == (
        'scripts_vi/a.docx: hàng 2 của bảng đầu văn bản, ô "Hiệu lực đến": ngày valid_until '
        '"31/02/2026" không tồn tại'
    )


def test_an_official_header_table_is_neither_fields_nor_spoken(project):
    document = with_table(
        [("UBND PHƯỜNG ĐÔNG VỆ\nSố: 12/TB-UBND", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")],
        "Thông báo lịch tiếp công dân",
        "Nội dung.",
    )
    script = read_script(save(document, project, "a.docx"), project.paths)
    assert (script.title, script.body, script.topic) == (
        "Thông báo lịch tiếp công dân",
        "Nội dung.",
        None,
    )
    assert script.warnings == () and "cộng hòa" not in spoken(script)


def test_labelled_lines_at_the_top_of_a_word_document(project):
    document = docx.Document()
    for text in ["", "Chủ đề: an-ninh", "Khu vực: tdp-3", "Tăng cường tuần tra", "Nội dung."]:
        document.add_paragraph(text)
    script = read_script(save(document, project, "a.docx"), project.paths)
    assert (script.topic, script.zones) == ("an-ninh", ("tdp-3",))
    assert (script.title, script.body) == ("Tăng cường tuần tra", "Nội dung.")
    assert dict(script.field_origins)["zones"] == "các dòng thông tin đầu văn bản Word"


def test_labelled_lines_typed_in_a_vntime_font(project):
    document = docx.Document()
    document.styles["Normal"].font.name = ".VnTime"
    for text in ["Chủ đề: an-ninh", "Tuần tra ban đêm", "Nội dung."]:
        document.add_paragraph(as_legacy_font_text(encode_tcvn3(text)))
    script = read_script(save(document, project, "a.docx"), project.paths)
    assert (script.topic, script.title, script.encoding) == ("an-ninh", "Tuần tra ban đêm", "tcvn3")


def test_a_bad_labelled_line_in_word_names_the_label(project):
    document = docx.Document()
    for text in ["Hiệu lực từ: hôm nay", "Tin", "Nội dung."]:
        document.add_paragraph(text)
    with pytest.raises(InputError) as caught:
        read_script(save(document, project, "a.docx"), project.paths)
    (problem,) = caught.value.diagnostics
    assert problem.line is None
    assert problem.message.startswith('dòng thông tin đầu văn bản "Hiệu lực từ": ngày valid_from')


@pytest.mark.parametrize(
    ("properties", "topic", "origin"),
    [
        ({"category": "y-te"}, "y-te", "thuộc tính Category của văn bản Word"),
        ({"keywords": "y-te"}, "y-te", "thuộc tính Keywords (Tags) của văn bản Word"),
        ({"subject": "y-te"}, "y-te", "thuộc tính Subject của văn bản Word"),
    ],
)
def test_document_properties_give_the_topic(project, properties, topic, origin):
    document = docx.Document()
    document.core_properties.title = "Tiêm chủng mở rộng"
    for name, value in properties.items():
        setattr(document.core_properties, name, value)
    document.add_paragraph("Nội dung.")
    script = read_script(save(document, project, "a.docx"), project.paths)
    assert (script.title, script.topic, script.body) == ("Tiêm chủng mở rộng", topic, "Nội dung.")
    assert dict(script.field_origins) == {
        "title": "thuộc tính Title của văn bản Word",
        "topic": origin,
    }
    assert script.warnings == ()


def test_category_wins_over_keywords_and_the_table_over_both(project):
    document = with_table([("Chủ đề", "an-ninh")], "Tin", "Nội dung.")
    document.core_properties.category = "y-te"
    document.core_properties.keywords = "giao-duc"
    script = read_script(save(document, project, "a.docx"), project.paths)
    assert script.topic == "an-ninh"
    messages = [w.message for w in script.warnings]
    assert [w.code for w in script.warnings] == ["metadata_conflict"] * 2
    assert messages[0] == (
        'chủ đề được ghi ở hai nơi khác nhau: bảng đầu văn bản Word ghi "an-ninh", còn thuộc '
        'tính Category của văn bản Word ghi "y-te"; dùng theo bảng đầu văn bản Word'
    )
    assert "Keywords (Tags)" in messages[1]


def test_a_title_property_old_word_filled_with_the_issuing_body_is_ignored(project):
    """Word 2003 set the Title property to the first line, in a notice the issuing body."""
    document = docx.Document()
    document.core_properties.title = "UBND PHƯỜNG ĐÔNG VỆ"
    for text in ["Lịch tiếp công dân", "Nội dung."]:
        document.add_paragraph(text)
    script = read_script(save(document, project, "a.docx"), project.paths)
    assert (script.title, script.field_origins, script.warnings) == ("Lịch tiếp công dân", (), ())


def test_the_fields_table_may_follow_the_official_header_table(project):
    document = with_table([("UBND PHƯỜNG ĐÔNG VỆ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")])
    fields = document.add_table(rows=1, cols=2)
    fields.cell(0, 0).text, fields.cell(0, 1).text = "Chủ đề", "y-te"
    document.add_paragraph("Tiêm chủng")
    document.add_paragraph("Nội dung.")
    script = read_script(save(document, project, "a.docx"), project.paths)
    assert (script.topic, script.title, script.body) == ("y-te", "Tiêm chủng", "Nội dung.")
