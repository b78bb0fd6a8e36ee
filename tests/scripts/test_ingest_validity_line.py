"""Validity typed on one line, ``Hiệu lực: từ 01/12/2026 đến 31/12/2026`` (issue 15): it sets
both ends and is never read aloud; a value that is no validity is an error on its line."""

from datetime import date

import docx
import pytest

from broadcast.diagnostics import InputError
from broadcast.scripts import encode_tcvn3, read_script
from broadcast.textnorm import normalize
from tests.scripts.test_ingest_docx import save
from tests.scripts.test_ingest_word_metadata import with_table

DECEMBER = (date(2026, 12, 1), date(2026, 12, 31))


def spoken(script) -> str:
    return normalize(f"{script.title}\n\n{script.body}")


@pytest.mark.parametrize(
    ("line", "ends"),
    [
        ("Hiệu lực: từ 01/12/2026 đến 31/12/2026", DECEMBER),
        ("Hiệu lực: 01/12/2026 - 31/12/2026", DECEMBER),
        ("Hiệu lực: 01/12/2026–31/12/2026", DECEMBER),
        ("Hiệu lực: từ ngày 01/12/2026 đến hết ngày 31/12/2026.", DECEMBER),
        ("Hieu luc: tu 1/12/2026 den 31/12/2026", DECEMBER),
        ("Thời gian hiệu lực: 01.12.2026 tới 31.12.2026", DECEMBER),
        ("Hiệu lực từ: 01/12/2026 đến 31/12/2026", DECEMBER),
        ("Hiệu lực: từ 01/12/2026", (date(2026, 12, 1), None)),
        ("Hiệu lực: kể từ ngày 01/12/2026 trở đi", (date(2026, 12, 1), None)),
        ("Hiệu lực: đến hết ngày 31/12/2026", (None, date(2026, 12, 31))),
        ("Hiệu lực đến: hết ngày 31/12/2026", (None, date(2026, 12, 31))),
        ("Hiệu lực đến: 31/12/2026", (None, date(2026, 12, 31))),
    ],
)
def test_a_validity_line_sets_its_ends_and_is_not_spoken(project, line, ends):
    text = f"Chủ đề: y-te\n{line}\n\nLịch tiêm chủng\n\nTiêm vắc xin sáng thứ Bảy.\n"
    script = read_script(project.write("2026-12/tiem.txt", text), project.paths)
    assert (script.valid_from, script.valid_until) == ends
    assert (script.title, script.body) == ("Lịch tiêm chủng", "Tiêm vắc xin sáng thứ Bảy.")
    heard = spoken(script)
    assert "hiệu lực" not in heard and "hai nghìn không trăm hai mươi sáu" not in heard


def test_a_validity_line_in_a_tcvn3_notepad_file(project):
    text = "Hiệu lực: từ 01/12/2026 đến 31/12/2026\n\nTin\n\nNội dung.\n"
    script = read_script(project.write("a.txt", encode_tcvn3(text)), project.paths)
    assert (script.valid_from, script.valid_until) == DECEMBER


def test_a_validity_line_and_row_in_word(project):
    document = docx.Document()
    for text in ["Hiệu lực: 01/12/2026 - 31/12/2026", "Tin", "Nội dung."]:
        document.add_paragraph(text)
    script = read_script(save(document, project, "a.docx"), project.paths)
    assert (script.valid_from, script.valid_until) == DECEMBER
    assert (script.title, script.body) == ("Tin", "Nội dung.")
    table = with_table([("Hiệu lực", "từ 01/12/2026 đến 31/12/2026")], "Tin", "Nội dung.")
    script = read_script(save(table, project, "b.docx"), project.paths)
    assert (script.valid_from, script.valid_until) == DECEMBER
    assert script.warnings == ()  # a known row now, not "không phải trường thông tin nào"


@pytest.mark.parametrize("value", ["31/12/2026", "cả tháng 12", "từ 1/12 đến 31/12", "vô thời hạn"])
def test_a_validity_line_that_is_no_validity_is_an_error_on_its_line(project, value):
    text = f"Chủ đề: y-te\nHiệu lực: {value}\n\nTin\n\nNội dung."
    with pytest.raises(InputError) as caught:
        read_script(project.write("a.txt", text), project.paths)
    (problem,) = caught.value.diagnostics
    assert (problem.line, problem.code) == (2, "bad_validity_line")
    assert str(problem).startswith(
        f'scripts_vi/a.txt:2: dòng "Hiệu lực": "{value}" không đọc được thành thời gian hiệu '
        'lực; viết ví dụ "từ 01/12/2026 đến 31/12/2026", "từ 01/12/2026" hoặc "đến 31/12/2026"'
    )


def test_an_impossible_day_or_a_range_backwards_is_an_error_on_the_line(project):
    text = "Hiệu lực: từ 01/12/2026 đến 31/02/2026\n\nTin\n\nNội dung."
    with pytest.raises(InputError) as caught:
        read_script(project.write("a.txt", text), project.paths)
    assert [(d.line, d.code) for d in caught.value.diagnostics] == [(1, "bad_date")]
    assert '"31/02/2026" không tồn tại' in caught.value.diagnostics[0].message
    text = "Hiệu lực: 31/12/2026 - 01/12/2026\n\nTin\n\nNội dung."
    with pytest.raises(InputError) as caught:
        read_script(project.write("b.txt", text), project.paths)
    assert [(d.line, d.code) for d in caught.value.diagnostics] == [(1, "bad_validity")]


def test_an_empty_validity_line_gives_nothing_as_any_empty_field(project):
    script = read_script(project.write("a.txt", "Hiệu lực:\n\nTin\n\nNội dung."), project.paths)
    assert (script.valid_from, script.valid_until, script.title) == (None, None, "Tin")
