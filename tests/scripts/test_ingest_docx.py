"""Word documents: paragraphs in order, the title, and text typed in legacy Vietnamese fonts."""

import zipfile

import docx
import pytest

from broadcast.diagnostics import InputError
from broadcast.scripts import encode_tcvn3, encode_vni, read_script


def as_legacy_font_text(data: bytes) -> str:
    """How Word keeps a .VnTime run: each byte of the font's code as one character."""
    return data.decode("cp1252")


def save(document, project, name: str):
    path = project.paths.scripts_dir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def test_paragraphs_in_order_first_paragraph_is_the_title(project):
    document = docx.Document()
    for text in ["Thông báo lịch tiếp công dân", "", "", "Đoạn một.", "", "Đoạn hai, dòng cuối."]:
        document.add_paragraph(text)
    script = read_script(save(document, project, "tb.docx"), project.paths)
    assert script.title == "Thông báo lịch tiếp công dân"
    assert script.body == "Đoạn một.\n\nĐoạn hai, dòng cuối."
    assert script.encoding == "utf-8"


def test_title_property_wins_and_is_not_read_twice(project):
    document = docx.Document()
    document.core_properties.title = "Cấp phép xây dựng nhà ở"
    document.add_paragraph("CẤP PHÉP XÂY DỰNG NHÀ Ở")
    document.add_paragraph("Kính thưa bà con,")
    document.add_paragraph("hồ sơ gồm ba loại giấy tờ.")
    script = read_script(save(document, project, "xd.docx"), project.paths)
    assert script.title == "Cấp phép xây dựng nhà ở"
    assert script.body == "Kính thưa bà con,\n\nhồ sơ gồm ba loại giấy tờ."


def test_runs_typed_in_vntime_fonts_are_converted(project):
    document = docx.Document()
    heading = document.add_paragraph()
    run = heading.add_run(as_legacy_font_text(encode_tcvn3("thông báo khẩn")))
    run.font.name = ".VnTimeH"  # the capitals font draws the same codes as capitals
    paragraph = document.add_paragraph()
    typed = paragraph.add_run(as_legacy_font_text(encode_tcvn3("Bà con tổ dân phố số 3 ")))
    typed.font.name = ".VnTime"
    paragraph.add_run("chú ý VNeID.")  # a later run typed in a Unicode font stays as it is
    script = read_script(save(document, project, "vn.docx"), project.paths)
    assert script.title == "THÔNG BÁO KHẨN"
    assert script.body == "Bà con tổ dân phố số 3 chú ý VNeID."
    assert script.encoding == "tcvn3"


def test_vntime_font_set_on_the_style_is_found(project):
    document = docx.Document()
    document.styles["Normal"].font.name = ".VnTime"
    document.add_paragraph(as_legacy_font_text(encode_tcvn3("Tiêu đề")))
    document.add_paragraph(as_legacy_font_text(encode_tcvn3("Đường Nguyễn Trãi mất điện.")))
    script = read_script(save(document, project, "style.docx"), project.paths)
    assert (script.title, script.body) == ("Tiêu đề", "Đường Nguyễn Trãi mất điện.")


def test_runs_typed_in_vni_fonts_are_converted(project):
    document = docx.Document()
    document.add_paragraph("Tiêu đề")
    run = document.add_paragraph().add_run(as_legacy_font_text(encode_vni("Trường học")))
    run.font.name = "VNI-Times"
    script = read_script(save(document, project, "vni.docx"), project.paths)
    assert script.body == "Trường học" and script.encoding == "vni-windows"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xd0\xcf\x11\xe0 old word", "không phải .docx thật"),
        (None, "không phải văn bản Word"),
    ],
    ids=["not-a-zip", "other-zip"],
)
def test_fake_docx_files_are_refused(project, content, expected):
    path = project.paths.scripts_dir / "gia.docx"
    if content is None:
        with zipfile.ZipFile(path, "w") as package:
            package.writestr("photo.jpg", b"\xff\xd8\xff")
    else:
        path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_script(path, project.paths)
    (problem,) = caught.value.diagnostics
    assert problem.file == "scripts_vi/gia.docx" and expected in problem.message


def test_damaged_docx_is_refused(project):
    path = project.paths.scripts_dir / "hong.docx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("word/document.xml", b"<not xml")
    with pytest.raises(InputError) as caught:
        read_script(path, project.paths)
    assert caught.value.diagnostics[0].code == "bad_docx"


def test_empty_docx_is_refused(project):
    document = docx.Document()
    document.add_paragraph("   ")
    with pytest.raises(InputError) as caught:
        read_script(save(document, project, "rong.docx"), project.paths)
    assert caught.value.diagnostics[0].code == "empty_file"
