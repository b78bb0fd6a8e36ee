"""Fields written where the board writes them: Notepad, Word, a sidecar ``.yaml`` (issue 15)."""

from __future__ import annotations

import io

import docx

from broadcast.paths import ProjectPaths
from broadcast.scripts.model import Script
from broadcast.textnorm import normalize
from tests.reliability.catalogue_model import Area, FileCase, Outcome, write

NOTICE = "Lịch cắt điện\n\nĐiện lực cắt điện tổ dân phố 1 từ 8 giờ đến 11 giờ.\n"


def _word(paths: ProjectPaths, relative: str, rows: list[tuple[str, str]], *lines: str) -> None:
    document = docx.Document()
    table = document.add_table(rows=len(rows), cols=2)
    for number, (label, value) in enumerate(rows):
        table.cell(number, 0).text, table.cell(number, 1).text = label, value
    for line in lines:
        document.add_paragraph(line)
    saved = io.BytesIO()
    document.save(saved)
    write(paths, relative, saved.getvalue())


def _header_table(paths: ProjectPaths) -> None:
    rows = [("Chủ đề", "cchc"), ("Khu vực", "to-1"), ("Hiệu lực đến", "31/12/2030")]
    _word(paths, "scripts_vi/cat-dien.docx", rows, *NOTICE.split("\n\n"))


def _official_notice(paths: ProjectPaths) -> None:
    header = [("UBND PHƯỜNG ĐÔNG VỆ\nSố: 12/TB-UBND", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")]
    lines = ["THÔNG BÁO", "Về lịch cắt điện", "Điện lực cắt điện tổ dân phố 1."]
    _word(paths, "scripts_vi/cat-dien.docx", header, *lines)


def _fields_not_spoken(scripts: dict[str, Script]) -> None:
    script = scripts["cat-dien"]
    assert (script.topic, script.zones, script.title) == ("cchc", ("to-1",), "Lịch cắt điện")
    spoken = normalize(f"{script.title}\n\n{script.body}")
    assert "chủ đề" not in spoken and "khu vực" not in spoken and "hiệu lực" not in spoken


def _official_title(scripts: dict[str, Script]) -> None:
    script = scripts["cat-dien"]
    assert script.title == "Thông báo về lịch cắt điện"
    assert script.body == "Điện lực cắt điện tổ dân phố 1."


def _labelled_txt(paths: ProjectPaths) -> None:
    write(paths, "scripts_vi/cat-dien.txt", f"Chủ đề: cchc\nKhu vực: to-1\n\n{NOTICE}")


S = Area.SCRIPTS
CASES = [
    FileCase(
        "script-txt-labelled-lines",
        S,
        "`.txt` opening with `Chủ đề: cchc` and `Khu vực: to-1` lines (issue 15: read aloud, "
        "and the script had no topic and went to every zone)",
        _labelled_txt,
        Outcome.ACCEPTED,
        "",
        accepted=_fields_not_spoken,
    ),
    FileCase(
        "script-txt-labelled-bad-value",
        S,
        "`.txt` opening with `Hiệu lực đến: 31/02/2030`",
        lambda p: write(p, "scripts_vi/cat-dien.txt", f"Hiệu lực đến: 31/02/2030\n\n{NOTICE}"),
        Outcome.REFUSED,
        'scripts_vi/cat-dien.txt:1: dòng "Hiệu lực đến": ngày valid_until "31/02/2030" không '
        "tồn tại; nếu dòng này là nội dung cần đọc chứ không phải thông tin của bản tin, hãy "
        "viết tiêu đề bản tin lên dòng đầu",
    ),
    FileCase(
        "script-docx-header-table",
        S,
        "`.docx` with a field | value table at the top (issue 15: Word scripts had no fields)",
        _header_table,
        Outcome.ACCEPTED,
        "",
        accepted=_fields_not_spoken,
    ),
    FileCase(
        "script-docx-official-header",
        S,
        "official notice: issuing body, motto and number, then `THÔNG BÁO` (issue 15: the title "
        'was "THÔNG BÁO", or the issuing body)',
        _official_notice,
        Outcome.ACCEPTED,
        "",
        accepted=_official_title,
    ),
    FileCase(
        "script-sidecar-bad-date",
        S,
        "sidecar `.yaml` beside a `.txt` with `valid_from: 31/04/2030`",
        lambda p: (
            write(p, "scripts_vi/cat-dien.txt", NOTICE),
            write(p, "scripts_vi/cat-dien.yaml", "topic: cchc\nvalid_from: 31/04/2030\n"),
        ),
        Outcome.REFUSED,
        'scripts_vi/cat-dien.yaml:2: ngày valid_from "31/04/2030" không tồn tại',
    ),
]
