"""An official notice's header (issuing body, motto, number, place and date) is not read; its
title is the type and subject ("Thông báo về …"), the ``V/v`` line or Word's Title style."""

import docx
import pytest

from broadcast.scripts import read_script
from broadcast.textnorm import normalize

HEADER = [
    "UBND PHƯỜNG ĐÔNG VỆ",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 12/TB-UBND",
    "Đông Vệ, ngày 03 tháng 11 năm 2026",
]
BODY = ["Kính thưa bà con nhân dân!", "UBND phường tiếp công dân vào sáng thứ Năm hằng tuần."]


def as_docx(project, paragraphs: list[str], name: str = "tb.docx", styles=None):
    document = docx.Document()
    for number, text in enumerate(paragraphs):
        style = (styles or {}).get(number)
        document.add_paragraph(text, style=style)
    path = project.paths.scripts_dir / name
    document.save(str(path))
    return read_script(path, project.paths)


def as_txt(project, paragraphs: list[str], name: str = "tb.txt"):
    return read_script(project.write(name, "\n".join(paragraphs) + "\n"), project.paths)


def spoken(script) -> str:
    return normalize(f"{script.title}\n\n{script.body}")


@pytest.mark.parametrize("read", [as_docx, as_txt], ids=["docx", "txt"])
def test_notice_title_is_type_and_subject_and_header_is_not_spoken(project, read):
    script = read(project, [*HEADER, "THÔNG BÁO", "Về lịch tiếp công dân tháng 12", *BODY])
    assert script.title == "Thông báo về lịch tiếp công dân tháng 12"
    assert script.body == "\n\n".join(BODY) if read is as_docx else "\n".join(BODY)
    assert dict(script.field_origins) == {"title": "dòng sau tên loại văn bản"}
    heard = spoken(script)
    assert heard.startswith("thông báo về lịch tiếp công dân tháng mười hai")
    for never in ("cộng hòa", "độc lập", "hạnh phúc", "số mười hai", "ngày ba tháng mười một"):
        assert never not in heard


def test_header_typed_as_two_tab_aligned_columns(project):
    lines = [
        "UBND PHƯỜNG ĐÔNG VỆ\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Số: 12/TB-UBND\tĐộc lập - Tự do - Hạnh phúc",
        "\tĐông Vệ, ngày 03 tháng 11 năm 2026",
        "KẾ HOẠCH",
        "TỔ CHỨC NGÀY HỘI ĐẠI ĐOÀN KẾT TOÀN DÂN TỘC",
        "__________",
        *BODY,
    ]
    script = as_docx(project, lines)
    assert script.title == "KẾ HOẠCH TỔ CHỨC NGÀY HỘI ĐẠI ĐOÀN KẾT TOÀN DÂN TỘC"
    assert script.body.startswith("Kính thưa")


def test_official_letter_titled_by_its_vv_line(project):
    lines = [
        "UBND PHƯỜNG ĐÔNG VỆ",
        "Số: 85/UBND-VP",
        "V/v tổ chức tiếp công dân định kỳ",
        "Đông Vệ ngày 03 tháng 11 năm 2026",  # the comma left out
        *BODY,
    ]
    script = as_docx(project, lines)
    assert script.title == "Về việc tổ chức tiếp công dân định kỳ"
    assert script.body.split("\n\n") == BODY
    assert dict(script.field_origins) == {"title": "dòng V/v"}


def test_type_line_without_subject_takes_the_vv_line(project):
    lines = [*HEADER[:4], "V/v tiêm chủng mở rộng", "THÔNG BÁO", *BODY]
    assert as_docx(project, lines).title == "Thông báo về việc tiêm chủng mở rộng"


def test_title_style_after_the_header(project):
    lines = [*HEADER, "Lịch tiếp công dân tháng 12", *BODY]
    script = as_docx(project, lines, styles={5: "Title"})
    assert script.title == "Lịch tiếp công dân tháng 12"
    assert dict(script.field_origins) == {"title": "đoạn kiểu Title của Word"}


def test_header_without_a_title_leaves_the_first_line_after_it(project):
    script = as_txt(project, [*HEADER, "", "Lịch tiếp công dân tháng 12", "", *BODY])
    assert script.title == "Lịch tiếp công dân tháng 12"
    assert script.field_origins == ()


def test_a_notice_starting_with_its_type_line(project):
    script = as_docx(project, ["THÔNG BÁO", "Về việc cắt điện tổ dân phố số 3", *BODY])
    assert script.title == "Thông báo về việc cắt điện tổ dân phố số 3"


def test_type_line_followed_by_the_greeting_keeps_the_greeting_in_the_body(project):
    script = as_docx(project, ["THÔNG BÁO KHẨN", *BODY])
    assert script.title == "THÔNG BÁO KHẨN"
    assert script.body.split("\n\n") == BODY


@pytest.mark.parametrize(
    "lines",
    [
        ["UBND PHƯỜNG ĐÔNG VỆ THÔNG BÁO LỊCH TIẾP CÔNG DÂN", *BODY],  # capitals, unconfirmed
        ["Cộng hòa xã hội chủ nghĩa Việt Nam tròn 81 tuổi", *BODY],
        ["Ban biên tập xin thông báo", "THÔNG BÁO", *BODY],
    ],
    ids=["capital-title", "sentence", "type-later"],
)
def test_an_ordinary_first_line_is_never_cut(project, lines):
    script = as_docx(project, lines)
    assert script.title == lines[0]
    assert script.field_origins == ()
