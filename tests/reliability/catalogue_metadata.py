"""Fields written where the board writes them: Notepad, Word, a sidecar ``.yaml`` (issue 15)."""

from __future__ import annotations

import io
from datetime import date

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


def _validity_line(paths: ProjectPaths) -> None:
    head = "Chủ đề: cchc\nHiệu lực: từ 01/12/2030 đến 31/12/2030\n\n"
    write(paths, "scripts_vi/cat-dien.txt", head + NOTICE)


def _validity_set(scripts: dict[str, Script]) -> None:
    script = scripts["cat-dien"]
    assert (script.valid_from, script.valid_until) == (date(2030, 12, 1), date(2030, 12, 31))
    spoken = normalize(f"{script.title}\n\n{script.body}")
    assert "hiệu lực" not in spoken and "hai nghìn không trăm ba mươi" not in spoken


def _topic_kept(scripts: dict[str, Script]) -> None:
    script = scripts["cat-dien"]
    assert (script.topic, script.title) == ("cchcc", "Lịch cắt điện")


CLOSING = "Nơi nhận:\t\tTM. ỦY BAN NHÂN DÂN\n- Như trên;\t\tCHỦ TỊCH\n- Lưu: VT.\t\tNguyễn Văn An\n"


def _closing_txt(paths: ProjectPaths) -> None:
    write(paths, "scripts_vi/cat-dien.txt", f"{NOTICE}\n{CLOSING}")


def _closing_docx(paths: ProjectPaths) -> None:
    document = docx.Document()
    for line in NOTICE.strip().split("\n\n"):
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Nơi nhận:\n- Như trên;\n- Lưu: VT."
    table.cell(0, 1).text = "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n(Đã ký)\nNguyễn Văn An"
    saved = io.BytesIO()
    document.save(saved)
    write(paths, "scripts_vi/cat-dien.docx", saved.getvalue())


def _closing_left_out(scripts: dict[str, Script]) -> None:
    script = scripts["cat-dien"]
    assert script.body == "Điện lực cắt điện tổ dân phố 1 từ 8 giờ đến 11 giờ."
    assert script.left_out and "(nơi nhận, chữ ký) không đọc lên loa" in script.left_out[0]
    spoken = normalize(f"{script.title}\n\n{script.body}")
    assert "như trên" not in spoken and "chủ tịch" not in spoken and "nguyễn" not in spoken


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
        "script-txt-validity-line",
        S,
        "`.txt` opening with `Hiệu lực: từ 01/12/2030 đến 31/12/2030` (issue 15: not a label, "
        "so read aloud, and the script was valid forever)",
        _validity_line,
        Outcome.ACCEPTED,
        "",
        accepted=_validity_set,
    ),
    FileCase(
        "script-txt-validity-line-unreadable",
        S,
        "`.txt` opening with `Hiệu lực: cả tháng 12`",
        lambda p: write(p, "scripts_vi/cat-dien.txt", f"Hiệu lực: cả tháng 12\n\n{NOTICE}"),
        Outcome.REFUSED,
        'scripts_vi/cat-dien.txt:1: dòng "Hiệu lực": "cả tháng 12" không đọc được thành thời '
        'gian hiệu lực; viết ví dụ "từ 01/12/2026 đến 31/12/2026", "từ 01/12/2026" hoặc '
        '"đến 31/12/2026" (ngày/tháng/năm); nếu dòng này là nội dung cần đọc chứ không phải '
        "thông tin của bản tin, hãy viết tiêu đề bản tin lên dòng đầu",
    ),
    FileCase(
        "script-txt-closing-block",
        S,
        "`.txt` notice ending with `Nơi nhận:` / `- Như trên;` and `TM. ỦY BAN NHÂN DÂN` / "
        "`CHỦ TỊCH` / the signer (issue 15: all read aloud)",
        _closing_txt,
        Outcome.ACCEPTED,
        "",
        accepted=_closing_left_out,
    ),
    FileCase(
        "script-docx-closing-table",
        S,
        "`.docx` notice ending with a recipients | signature table",
        _closing_docx,
        Outcome.ACCEPTED,
        "",
        accepted=_closing_left_out,
    ),
    FileCase(
        "script-txt-unknown-topic-line",
        S,
        "`.txt` opening with `Chủ đề: cchcc` (issue 15: the warning named no line)",
        lambda p: write(p, "scripts_vi/cat-dien.txt", f"Chủ đề: cchcc\n\n{NOTICE}"),
        Outcome.WARNED,
        'scripts_vi/cat-dien.txt:1: cảnh báo: chủ đề "cchcc" không có trong schedules.yaml; '
        'bài chỉ được chọn ở chương trình không lọc chủ đề. Có phải ý bạn là "cchc"? Các chủ '
        "đề: cchc (Cải cách hành chính)",
        accepted=_topic_kept,
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
