"""Impossible dates and times, and web addresses with a long path: read without inventing
anything, and shown by ``broadcast check`` with the file and line they are on."""

import json

import docx
import pytest

from broadcast.cli import main
from broadcast.paths import ProjectPaths
from broadcast.textnorm import explain, normalize, reading_doubts

SCHEDULES = """\
topics:
  y-te: Y tế
zones:
  - {id: tdp-1, name: Tổ dân phố 1, output: {device: 0, channels: [1]}}
tts:
  engines: [espeak]
"""
READING_CODES = {"impossible_date", "impossible_time", "url_path"}
LONG_URL = "https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html?ma=1"


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        # not read as a day: no listener is sent to a date the board did not write
        ("ngày 31/02", "ngày ba mươi mốt trên hai"),
        ("ngày 31/4", "ngày ba mươi mốt trên bốn"),
        ("hạn 30/2/2027", "hạn ba mươi trên hai trên hai nghìn không trăm hai mươi bảy"),
        ("ngày 29/2/2027", "ngày hai mươi chín trên hai trên hai nghìn không trăm hai mươi bảy"),
        ("ngày 31.04.2026", "ngày ba mươi mốt chấm bốn chấm hai nghìn không trăm hai mươi sáu"),
        # days the calendar has are dates as before
        ("ngày 29/2/2028", "ngày hai mươi chín tháng hai năm hai nghìn không trăm hai mươi tám"),
        ("ngày 30/4", "ngày ba mươi tháng tư"),
        # an impossible time is read as written, not turned into another time
        ("lúc 25h30", "lúc hai mươi lăm giờ ba mươi"),
        ("lúc 14h75", "lúc mười bốn giờ bảy mươi lăm"),
        ("lúc 14 giờ 75", "lúc mười bốn giờ bảy mươi lăm"),
        # a length of time is no time of day
        ("trong 48h", "trong bốn mươi tám giờ"),
    ],
)
def test_impossible_dates_and_times_are_read_as_written(text, spoken):
    assert normalize(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        (f"Xem {LONG_URL} nhé.", "xem dịch vụ công chấm giê o vê chấm vê en nhé."),
        ("thanhhoa.gov.vn/tintuc/thong-bao.html", "thanh hóa chấm giê o vê chấm vê en"),
        # one short word of a path is read; a slash at the end is not
        ("thanhhoa.gov.vn/tintuc", "thanh hóa chấm giê o vê chấm vê en gạch chéo tin tức"),
        ("https://dichvucong.gov.vn/", "dịch vụ công chấm giê o vê chấm vê en"),
        # local part and domain are split into the words they stand for, the same way
        (
            "motcua.phuong@thanhhoa.gov.vn",
            "một cửa chấm phường a còng thanh hóa chấm giê o vê chấm vê en",
        ),
        ("phuong.motcua@gmail.com", "phường chấm một cửa a còng giê meo chấm com"),
    ],
)
def test_web_and_mail_addresses(text, spoken):
    assert normalize(text) == spoken


def test_doubts_name_line_and_written_piece():
    text = f"Tiêu đề\nHọp ngày 31/02 lúc 25h30.\nXem {LONG_URL}\nNgày 30/4 lúc 7h30."
    doubts = reading_doubts(text)
    assert [(d.line, d.written, d.code) for d in doubts] == [
        (2, "31/02", "impossible_date"),
        (2, "25h30", "impossible_time"),
        (3, LONG_URL, "url_path"),
    ]
    assert "không có thật" in doubts[0].message
    assert "chỉ đọc tên miền" in doubts[2].message
    rules = {r.rule: r.description for r in explain(text)}
    assert "broadcast check" in rules["impossible_date"]
    assert "broadcast check" in rules["url_domain"]


@pytest.fixture
def project(tmp_path) -> ProjectPaths:
    paths = ProjectPaths(tmp_path / "phuong")
    paths.scripts_dir.mkdir(parents=True)
    paths.schedules_file.write_text(SCHEDULES, encoding="utf-8")
    return paths


def _check(project: ProjectPaths, capsys) -> list[dict]:
    """The reading warnings of ``check`` (other checks have their own tests)."""
    assert main(["--home", str(project.home), "check", "--json"]) == 0
    diagnostics = json.loads(capsys.readouterr().out)["diagnostics"]
    return [d for d in diagnostics if d["code"] in READING_CODES]


def test_check_warns_with_the_line_of_the_file(project, capsys):
    (project.scripts_dir / "hop.md").write_text(
        "---\ntitle: Lịch họp\ntopic: y-te\n---\nKính thưa bà con.\n\n"
        f"Họp ngày 31/02 lúc  25h30.\nXem {LONG_URL} để biết thêm.\n\n"
        "Họp lại ngày 31/02, lúc 14 giờ 75.\n",
        encoding="utf-8",
    )
    found = [(d["file"], d["line"], d["code"], d["severity"]) for d in _check(project, capsys)]
    assert found == [
        ("scripts_vi/hop.md", 7, "impossible_date", "warning"),
        ("scripts_vi/hop.md", 7, "impossible_time", "warning"),
        ("scripts_vi/hop.md", 8, "url_path", "warning"),
        ("scripts_vi/hop.md", 10, "impossible_date", "warning"),
        ("scripts_vi/hop.md", 10, "impossible_time", "warning"),
    ]


def test_check_counts_paragraphs_of_a_word_file(project, capsys):
    document = docx.Document()
    for paragraph in ["THÔNG BÁO", "", "Lịch tiêm chủng", "Tiêm vào 8h ngày 30/2/2027."]:
        document.add_paragraph(paragraph)
    document.save(str(project.scripts_dir / "tiem.docx"))
    (warning,) = _check(project, capsys)
    assert (warning["file"], warning["line"], warning["code"]) == (
        "scripts_vi/tiem.docx",
        None,  # Word shows no line numbers: the message names the paragraph
        "impossible_date",
    )
    assert warning["message"].startswith("đoạn 4: ") and '"30/2/2027"' in warning["message"]


def test_a_correct_script_has_no_reading_warning(project, capsys):
    (project.scripts_dir / "dung.txt").write_text(
        "Lịch họp\n\nHọp ngày 29/2/2028 lúc 7h30, xem dichvucong.gov.vn.\n", encoding="utf-8"
    )
    assert _check(project, capsys) == []
