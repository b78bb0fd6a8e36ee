"""Notepad scripts (.txt) carry the same fields as .md: a front-matter block or labelled lines
at the top, in every encoding an office saves; neither is ever read aloud."""

import codecs
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broadcast.diagnostics import InputError
from broadcast.scripts import Priority, Script, encode_tcvn3, encode_vni, read_script
from broadcast.scripts.labels import labelled
from broadcast.textnorm import normalize
from tests.scripts.test_ingest_encodings import windows_1258
from tests.scripts.test_ingest_properties import read_or_diagnose

BODY = "Kính thưa bà con nhân dân!\n\nUBND phường tiếp công dân vào sáng thứ Năm hằng tuần."
FRONT_MATTER = (
    "---\n"
    "title: Lịch tiếp công dân tháng 12\n"
    "topic: cai-cach-hanh-chinh\n"
    "valid_until: 31/12/2026\n"
    "zones: [tdp-1, tdp-2]\n"
    "---\n"
)
LABELLED = (
    "Tiêu đề: Lịch tiếp công dân tháng 12\n"
    "Chủ đề: cai-cach-hanh-chinh\n"
    "Hiệu lực đến: 31/12/2026\n"
    "Khu vực: tdp-1, tdp-2\n"
    "\n"
)


def encodings(text: str) -> dict[str, bytes]:
    return {
        "utf-8": text.encode("utf-8"),
        "utf-8-sig": text.encode("utf-8-sig"),
        "utf-16-le": text.replace("\n", "\r\n").encode("utf-16"),  # Notepad's "Unicode"
        "utf-16-be": codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
        "windows-1258": windows_1258(text.replace("\n", "\r\n")),
        "tcvn3": encode_tcvn3(text),
        "vni-windows": encode_vni(text),
    }


def spoken(script) -> str:
    """What the loudspeaker says: the title, then the body, as the normalizer reads them."""
    return normalize(f"{script.title}\n\n{script.body}")


CASES = [
    (form, encoding, data)
    for form, head in (("front-matter", FRONT_MATTER), ("labelled-lines", LABELLED))
    for encoding, data in encodings(head + BODY + "\n").items()
]


@pytest.mark.parametrize(("form", "encoding", "data"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_fields_at_the_top_of_a_txt_in_every_encoding(project, form, encoding, data):
    script = read_script(project.write("2026-12/tiep-dan.txt", data), project.paths)
    assert script.encoding == encoding
    assert script.title == "Lịch tiếp công dân tháng 12"
    assert script.topic == "cai-cach-hanh-chinh"
    assert script.valid_until == date(2026, 12, 31)
    assert script.zones == ("tdp-1", "tdp-2")
    assert script.body == BODY
    heard = spoken(script)
    for never in ("chủ đề", "tiêu đề", "hiệu lực", "khu vực", "topic", "title", "cai cach", "tdp"):
        assert never not in heard
    assert heard.startswith("lịch tiếp công dân tháng mười hai")


def test_english_keys_and_labels_typed_without_accents(project):
    text = "title: Tin mất điện\nChu de: dien-luc\nuu tien: uu tien\nTimes per week: 3\n\nNội dung."
    script = read_script(project.write("a.txt", text), project.paths)
    assert (script.title, script.topic, script.priority) == (
        "Tin mất điện",
        "dien-luc",
        Priority.PRIORITY,
    )
    assert script.times_per_week == 3 and script.body == "Nội dung."


@pytest.mark.parametrize(
    "first_line",
    [
        "Thông báo: Lịch tiếp công dân tháng 12",
        "Kết quả: 9/9 tổ dân phố hoàn thành",
        "Lưu ý: mang theo căn cước",
        "Tiêu đề bản tin hôm nay",  # a known label, but no colon
    ],
)
def test_an_ordinary_first_line_with_a_colon_stays_the_title(project, first_line):
    script = read_script(project.write("a.txt", f"{first_line}\n\nNội dung."), project.paths)
    assert (script.title, script.body, script.topic) == (first_line, "Nội dung.", None)
    assert script.field_origins == ()


def test_the_block_ends_at_the_first_line_that_is_no_label(project):
    text = "Chủ đề: an-ninh\nThông báo: tăng cường tuần tra ban đêm\nTổ dân phố số 3 chú ý.\n"
    script = read_script(project.write("a.txt", text), project.paths)
    assert script.topic == "an-ninh"
    assert script.title == "Thông báo: tăng cường tuần tra ban đêm"
    assert script.body == "Tổ dân phố số 3 chú ý."


def test_a_known_label_with_a_bad_value_is_an_error_on_its_line_never_spoken(project):
    text = "Chủ đề: an-ninh\nƯu tiên: người cao tuổi được phục vụ trước\n\nNội dung."
    with pytest.raises(InputError) as caught:
        read_script(project.write("a.txt", text), project.paths)
    (problem,) = caught.value.diagnostics
    assert str(problem).startswith(
        'scripts_vi/a.txt:2: dòng "Ưu tiên": mức ưu tiên "người cao tuổi được phục vụ trước" '
        "không hợp lệ"
    )
    assert "hãy viết tiêu đề bản tin lên dòng đầu" in problem.message


def test_label_errors_count_lines_from_the_top_of_the_file_in_legacy_encodings(project):
    text = "\n\nChủ đề: an-ninh\n\nHiệu lực từ: 30/02/2026\nTin an ninh\n\nNội dung."
    with pytest.raises(InputError) as caught:
        read_script(project.write("a.txt", encode_tcvn3(text)), project.paths)
    (problem,) = caught.value.diagnostics
    assert (problem.line, problem.code) == (5, "bad_date")
    assert '"Hiệu lực từ"' in problem.message and '"30/02/2026" không tồn tại' in problem.message


def test_the_same_field_twice_is_an_error(project):
    text = "Tiêu đề: Tin một\ntitle: Tin hai\n\nNội dung."
    with pytest.raises(InputError) as caught:
        read_script(project.write("a.txt", text), project.paths)
    (problem,) = caught.value.diagnostics
    assert problem.line == 2 and problem.code == "duplicate_key"


def test_a_colon_or_hash_in_a_labelled_title_is_text_not_yaml(project):
    text = "Tiêu đề: Thông báo: lịch tiêm #2 [đợt cuối]\n\nNội dung."
    script = read_script(project.write("a.txt", text), project.paths)
    assert script.title == "Thông báo: lịch tiêm #2 [đợt cuối]"


def test_validity_across_lines_in_wrong_order(project):
    text = "Hiệu lực từ: 10/12/2026\nHiệu lực đến: 01/12/2026\n\nTin\n\nNội dung."
    with pytest.raises(InputError) as caught:
        read_script(project.write("a.txt", text), project.paths)
    assert [(d.line, d.code) for d in caught.value.diagnostics] == [(2, "bad_validity")]


def test_md_scripts_take_vietnamese_keys_and_labelled_lines_too(project):
    md = "---\nchủ đề: y-te\nKhu vực: [tdp-2]\n---\n# Tiêm chủng\n\nNội dung."
    script = read_script(project.write("a.md", md), project.paths)
    assert (script.topic, script.zones, script.title) == ("y-te", ("tdp-2",), "Tiêm chủng")
    lines = "Chủ đề: y-te\n\n# Tiêm chủng\n\nNội dung."
    script = read_script(project.write("b.md", lines), project.paths)
    assert (script.topic, script.title) == ("y-te", "Tiêm chủng")


LABEL_PIECES = ["Tiêu đề", "Chủ đề", "Hiệu lực đến", "Khu vực", "Ưu tiên", "speed", "Thông báo"]
VALUE_PIECES = ["31/02/2026", "01/12/2026", "tdp-1, tdp-2", "ưu tiên", "khẩn cấp", "[", "#", ""]
ONE_LINE = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\x85"),
    max_size=20,
)


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(
        st.tuples(
            st.sampled_from(LABEL_PIECES), st.one_of(st.sampled_from(VALUE_PIECES), ONE_LINE)
        ),
        max_size=6,
    )
)
def test_arbitrary_labelled_lines_give_a_script_or_placed_diagnostics(lines):
    head = "".join(f"{label}: {value}\n" for label, value in lines)
    result = read_or_diagnose("x.txt", f"{head}\nTin\n\nNội dung.\n".encode())
    if not isinstance(result, Script):
        assert all(d.line is None or 1 <= d.line <= len(lines) for d in result)
    elif all(labelled(f"{label}: x") for label, _ in lines):  # the block is every line
        spoken = [result.title, *result.body.split("\n")]
        assert result.body.endswith("Nội dung.") and not any(map(labelled, spoken))
