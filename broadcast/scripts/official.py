"""The heading of an official notice, as the ward's documents are laid out (Decree 30/2020/NĐ-CP).

Such a document opens with the issuing body (``UBND PHƯỜNG …``), the national motto
(``CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM``, ``Độc lập - Tự do - Hạnh phúc``), the document's
number (``Số: 12/TB-UBND``) and the place and date it was signed; then its type (``THÔNG BÁO``)
and its subject (``Về lịch tiếp công dân``), or a ``V/v …`` line under the number. None of the
header is for a listener: the body, the motto and the signing date are the office's record,
and a number such as "12/TB-UBND" means nothing aloud. What the listener needs is what the
notice is about, so the title becomes the type and the subject ("Thông báo về lịch tiếp công
dân"), or the ``V/v`` line, and the header is not spoken at all.

A header is taken as one only when it is confirmed (a motto, number, place-and-date, ``V/v`` or
type line is among it, or follows it), so a body that merely begins in capitals is never cut.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

ORIGIN_TYPE_LINE = "dòng sau tên loại văn bản"
ORIGIN_TITLE_STYLE = "đoạn kiểu Title của Word"
ORIGIN_VV = "dòng V/v"

_MAX_HEADER_LINES = 12
_OPENERS = (
    "ubnd",
    "ủy ban",
    "uỷ ban",
    "hđnd",
    "hội đồng",
    "đảng bộ",
    "đảng ủy",
    "đảng uỷ",
    "đảng cộng sản",
    "chi bộ",
    "mttq",
    "ban ",
    "công an",
    "tổ dân phố",
    "trạm y tế",
    "cộng hòa",
    "cộng hoà",
)
_DOCUMENT_TYPES = (
    "thông báo",
    "kế hoạch",
    "quyết định",
    "báo cáo",
    "công văn",
    "giấy mời",
    "thư mời",
    "thư ngỏ",
    "lời kêu gọi",
    "chỉ thị",
    "hướng dẫn",
    "tờ trình",
    "thông cáo",
    "bản tin",
)
_MOTTO = re.compile(r"độc lập\s*[-–—]\s*tự do\s*[-–—]\s*hạnh phúc\W*", re.IGNORECASE)
_NUMBER = re.compile(r"số\s*(?::\s*\S*|\S*\d\S*)", re.IGNORECASE)  # "Số:   /TB-UBND" too
_PLACE_DATE = re.compile(  # "Long Anh, ngày 25 tháng 11 năm 2026", the comma often left out
    r"[^,]{1,60}?,?\s*ngày\W*\w*\W*tháng\W*\w*\W*năm\W*\w*\W*", re.IGNORECASE
)
_RULE = re.compile(r"[-_=*.~–—\s]+")
_REPUBLIC = ("cộng hòa xã hội chủ nghĩa việt nam", "cộng hoà xã hội chủ nghĩa việt nam")
_VV = re.compile(r"v/v\b\.?\s*:?\s*(.+)", re.IGNORECASE)
_ABOUT = re.compile(r"về\b", re.IGNORECASE)


@dataclass(frozen=True)
class Line:
    text: str  # one line (a paragraph of a Word document), spaces squeezed
    strong: bool = False  # Word's Title or Heading style, or every run bold


@dataclass(frozen=True)
class Heading:
    title: str | None  # None: a header without a title; the first line after it is the title
    origin: str | None
    skipped: int  # lines at the top that are the header and title, not spoken


def _folded(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def _capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _document_type(line: Line) -> bool:
    """``THÔNG BÁO`` (alone, or followed by a word such as ``KHẨN``) on a line of its own."""
    folded = _folded(line.text)
    return (_capitals(line.text) or line.strong) and any(
        folded == kind or (folded.startswith(f"{kind} ") and len(folded.split()) <= 4)
        for kind in _DOCUMENT_TYPES
    )


def _confirming(text: str) -> bool:
    """A line only an official header has."""
    return bool(
        _MOTTO.fullmatch(text.strip())
        or _NUMBER.fullmatch(text.strip())
        or _PLACE_DATE.fullmatch(text.strip())
        or _folded(text).rstrip(" .") in _REPUBLIC
    )


def _header_part(text: str) -> bool:
    text = text.strip()
    if not text or _RULE.fullmatch(text) or _confirming(text):
        return True
    return _capitals(text) and len(text.split()) <= 12 and not _VV.match(text)


def _header_line(line: Line) -> bool:
    """Every part of it (Word's tab-aligned two columns) is header, and it is no type line."""
    return not _document_type(line) and all(_header_part(p) for p in line.text.split("\t"))


def _sentence(kind: str) -> str:
    return kind[:1].upper() + kind[1:].lower()


def _with_subject(kind: str, subject: str) -> str:
    """``THÔNG BÁO`` + ``Về lịch tiếp công dân`` → ``Thông báo về lịch tiếp công dân``."""
    if vv := _VV.match(subject):
        subject = f"về việc {vv[1]}"
    if _capitals(subject):
        return f"{kind} {subject}"
    if _ABOUT.match(subject):
        subject = subject[:1].lower() + subject[1:]
    return f"{_sentence(kind)} {subject}"


def _subject(line: Line) -> bool:
    """The line after the type names the subject: ``Về …``, ``V/v …``, capitals, or set off by
    Word's style or bold. Anything else (``Kính thưa bà con``) is already the body."""
    text = line.text.strip()
    if text.endswith(("!", ":")):  # "Kính thưa bà con nhân dân!", however it is set off
        return False
    return bool(_ABOUT.match(text) or _VV.match(text) or _capitals(text) or line.strong)


def _titled(lines: list[Line], at: int, vv: str | None) -> Heading | None:
    line = lines[at]
    after = at + 1
    if _document_type(line):
        title = line.text.strip()
        origin = ORIGIN_TYPE_LINE
        if after < len(lines) and _subject(lines[after]):
            title = _with_subject(title, lines[after].text.strip())
            after += 1
        elif vv is not None:
            title, origin = _with_subject(title, f"V/v {vv}"), ORIGIN_VV
        while after < len(lines) and _RULE.fullmatch(lines[after].text.strip() or "-"):
            after += 1
        return Heading(title, origin, after)
    if line.strong and at > 0:
        return Heading(line.text.strip(), ORIGIN_TITLE_STYLE, after)
    return None


def header_like(text: str) -> bool:
    """A line of an official header, or a type alone: never a title by itself."""
    line = Line(text.strip())
    opener = _capitals(line.text) and _folded(line.text).startswith(_OPENERS)
    return opener or _confirming(line.text) or _document_type(line)


def official_heading(lines: list[Line]) -> Heading | None:
    """The heading of an official document at the top of ``lines`` (non-blank lines), or
    ``None`` when the document does not open like one."""
    at, vv, confirmed = 0, None, False
    opens = bool(lines) and _folded(lines[0].text).startswith(_OPENERS)
    while opens and at < min(len(lines), _MAX_HEADER_LINES):
        text = lines[at].text.strip()
        if match := _VV.match(text):
            vv, confirmed = match[1].strip(), True
        elif _header_line(lines[at]):
            confirmed = confirmed or any(_confirming(p) for p in text.split("\t"))
        else:
            break
        at += 1
    if at >= len(lines):
        return None
    titled = _titled(lines, at, vv)
    if titled is not None and (confirmed or at == 0 or _document_type(lines[at])):
        return titled
    if confirmed and vv is not None:
        return Heading(f"Về việc {vv}", ORIGIN_VV, at)
    return Heading(None, None, at) if confirmed else None
