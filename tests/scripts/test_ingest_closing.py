"""An official notice's closing block (recipients, signature) is not read aloud, and the
script says what was left out (issue 15); an ordinary ending is never cut."""

import docx
import pytest

from broadcast.scripts import read_script
from broadcast.textnorm import normalize
from tests.scripts.test_ingest_docx import save

BODY = (
    "Kính thưa bà con nhân dân!\n\n"
    "UBND phường tiếp công dân sáng thứ Năm.\nĐề nghị bà con thực hiện./."
)
NOTICE_TXT = (
    "UBND PHƯỜNG ĐÔNG VỆ\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    "Số: 12/TB-UBND\tĐộc lập - Tự do - Hạnh phúc\n"
    "\n"
    "THÔNG BÁO\n"
    "Về lịch tiếp công dân tháng 12\n"
    "\n"
    f"{BODY}\n"
    "\n"
    "Nơi nhận:\t\t\tTM. ỦY BAN NHÂN DÂN\n"  # line 12
    "- Như trên;\t\t\tKT. CHỦ TỊCH\n"
    "- Lưu: VT.\t\t\tPHÓ CHỦ TỊCH\n"
    "\n"
    "\t\t\t(Đã ký)\n"
    "\n"
    "\t\t\tNguyễn Văn An\n"  # line 18
)
NEVER_HEARD = ("như trên", "lưu", "thay mặt", "ký thay", "phó chủ tịch", "đã ký", "nguyễn văn an")


def heard(script) -> str:
    return normalize(f"{script.title}\n\n{script.body}")


def assert_closing_not_spoken(script) -> None:
    assert script.body.endswith("Đề nghị bà con thực hiện./.")
    spoken = heard(script)
    assert not [words for words in NEVER_HEARD if words in spoken]


def test_a_notepad_notice_ends_with_its_last_sentence(project):
    script = read_script(project.write("tb.txt", NOTICE_TXT), project.paths)
    assert script.title == "Thông báo về lịch tiếp công dân tháng 12"
    assert script.body == BODY
    assert_closing_not_spoken(script)
    assert script.left_out == (
        "dòng 12–18: phần cuối văn bản (nơi nhận, chữ ký) không đọc lên loa; bản tin kết thúc "
        'ở "Đề nghị bà con thực hiện./."',
    )


def test_signature_first_then_recipients_typed_one_under_another(project):
    closing = (
        "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n(đã ký và đóng dấu)\nNguyễn Văn An\n\n"
        "Nơi nhận:\n- Các tổ dân phố;\n- Lưu: VP.\n"
    )
    script = read_script(
        project.write("tb.txt", f"Tiếp công dân\n\n{BODY}\n\n{closing}"), project.paths
    )
    assert script.body == BODY
    assert_closing_not_spoken(script)
    assert script.left_out[0].startswith("dòng 8–15: phần cuối văn bản (nơi nhận, chữ ký)")


def test_recipients_then_a_signature_without_a_marker(project):
    closing = "Nơi nhận:\n- Như trên;\n\nCHỦ TỊCH\n(Đã ký)\nNguyễn Văn An\n"
    script = read_script(
        project.write("tb.txt", f"Tiếp công dân\n\n{BODY}\n\n{closing}"), project.paths
    )
    assert script.body == BODY
    assert script.left_out[0].startswith("dòng 8–13: phần cuối văn bản (nơi nhận, chữ ký)")


def test_a_signature_alone_needs_a_marker_and_a_title(project):
    closing = "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nNguyễn Văn An\n"
    script = read_script(
        project.write("tb.txt", f"Tiếp công dân\n\n{BODY}\n\n{closing}"), project.paths
    )
    assert script.body == BODY
    assert script.left_out[0].startswith("dòng 8–11: phần cuối văn bản (chữ ký) không đọc")


def test_a_markdown_notice_keeps_the_dashes_it_needs_to_see_the_recipients(project):
    text = f"# Tiếp công dân\n\n{BODY}\n\n**Nơi nhận:**\n- Như trên;\n- Lưu: VT.\n"
    script = read_script(project.write("tb.md", text), project.paths)
    assert script.body == BODY
    assert script.left_out[0].startswith("dòng 8–10: phần cuối văn bản (nơi nhận)")


def test_a_word_notice_with_the_closing_as_a_two_column_table(project):
    document = docx.Document()
    for text in ["UBND PHƯỜNG ĐÔNG VỆ", "THÔNG BÁO", "Về lịch tiếp công dân", *BODY.split("\n\n")]:
        document.add_paragraph(text)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Nơi nhận:\n- Như trên;\n- Lưu: VT."
    table.cell(
        0, 1
    ).text = "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n(Đã ký)\nNguyễn Văn An"
    document.add_paragraph("")
    script = read_script(save(document, project, "tb.docx"), project.paths)
    assert (script.title, script.body) == ("Thông báo về lịch tiếp công dân", BODY)
    assert script.left_out == (
        "bảng cuối văn bản (nơi nhận, chữ ký) không đọc lên loa; bản tin kết thúc ở "
        '"Đề nghị bà con thực hiện./."',
    )


def test_a_word_notice_with_the_closing_in_paragraphs_names_them(project):
    document = docx.Document()
    paragraphs = ["Tiếp công dân", *BODY.split("\n\n"), "Nơi nhận:\tTM. ỦY BAN NHÂN DÂN"]
    paragraphs += ["- Như trên;\tCHỦ TỊCH", "\t(Đã ký)", "\tNguyễn Văn An"]
    for text in paragraphs:
        document.add_paragraph(text)
    script = read_script(save(document, project, "tb.docx"), project.paths)
    assert script.body == BODY
    assert_closing_not_spoken(script)
    assert script.left_out[0].startswith("đoạn 4–7: phần cuối văn bản (nơi nhận, chữ ký)")


def test_a_table_of_figures_at_the_end_is_no_closing(project):
    document = docx.Document()
    for text in ["Kết quả tiêm chủng", "Số liệu như sau."]:
        document.add_paragraph(text)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Tổ", "Số người"
    table.cell(1, 0).text, table.cell(1, 1).text = "Tổ 1", "120"
    script = read_script(save(document, project, "kq.docx"), project.paths)
    assert script.left_out == ()


@pytest.mark.parametrize(
    "ending",
    [
        "Hồ sơ gồm:\n- Đơn đề nghị;\n- Bản sao căn cước.",  # a list at the end of the body
        "KT. CHỦ TỊCH",  # a marker without a title line
        "Ủy ban nhân dân phường Đông Vệ",  # the ward's sign-off, written by the board
        "ỦY BAN NHÂN DÂN PHƯỜNG ĐÔNG VỆ",
        "Nơi nhận:\n- Như trên;\nTrân trọng cảm ơn bà con.",  # something spoken after it
        "Liên hệ Q. Ba Đình\nNguyễn Văn An",
        "Trân trọng!",
        "Nơi nhận hồ sơ: Bộ phận một cửa UBND phường",
        "Nơi nhận: tại nhà văn hóa tổ 3.",
    ],
)
def test_an_ordinary_ending_is_never_cut(project, ending):
    text = f"Tiếp công dân\n\nUBND phường tiếp công dân sáng thứ Năm.\n{ending}\n"
    script = read_script(project.write("tb.txt", text), project.paths)
    assert script.body == f"UBND phường tiếp công dân sáng thứ Năm.\n{ending}"
    assert script.left_out == ()


def test_a_closing_block_only_at_the_end(project):
    text = f"Tiếp công dân\n\nNơi nhận:\n- Như trên;\n\n{BODY}\n"
    script = read_script(project.write("tb.txt", text), project.paths)
    assert script.body.startswith("Nơi nhận:\n- Như trên;") and script.left_out == ()
