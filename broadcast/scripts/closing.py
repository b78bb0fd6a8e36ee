"""The closing block of an official notice: recipients and signature, never read aloud.

A notice laid out as Decree 30/2020/NĐ-CP asks ends with the recipients (``Nơi nhận:``,
``- Như trên;``, ``- Lưu: VT.``) and the signature (``TM. ỦY BAN NHÂN DÂN``, ``KT. CHỦ TỊCH``,
``PHÓ CHỦ TỊCH``, ``(Đã ký)``, the signer's name), in Word often as a two-column table. An
announcer reading it on the loudspeaker ends with the notice's last sentence: the recipients
are the office's mailing record, and "thay mặt", "ký thay" and a name tell a listener nothing
they act on. So none of it is spoken, and nothing is put in its place: some wards end a
bulletin with the issuer ("Ủy ban nhân dân phường Đông Vệ"), but words the board did not write
would then go on air. A ward that wants it writes that line as the body's last line, and it is
spoken, since a line naming the issuer without ``TM.``/``KT.`` is no closing block.

It is cut only at the end of the document and only when it is clearly such a block: a
``Nơi nhận`` line, or ``TM.``/``KT.``/``Q.``/``TL.``/``TUQ.`` followed by a title line
(``CHỦ TỊCH``); every line from there to the end must be part of it. An ordinary last
paragraph, a list at the end of the body, a closing ``Trân trọng!`` are never cut.
``broadcast check`` says what was left out (``Script.left_out``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from broadcast.scripts.model import without_accents

_MAX_LINES = 40  # a closing block is a dozen lines; looked for only among the last ones
_COLUMNS = re.compile(r"\t+| {3,}")  # Word's tab-aligned columns, a Notepad file's spaces
_RECIPIENTS = re.compile(r"noi nhan\s*(?::\s*(.*))?")  # not "Nơi nhận hồ sơ: …"
_ITEM = re.compile(r"[-+•*–]\s*\S.*|luu\b.*|.*;")
# On the line as typed (the letters are ASCII): the rest keeps its accents and capitals.
_MARKER = re.compile(r"(?:TM|T/M|KT|K/T|Q|TL|T/L|TUQ)\s*[./:]?\s+(\S.*)", re.IGNORECASE)
_SIGNED = re.compile(r"[(\[].*\bky\b.*[)\]]|da ky\b.*")  # "(Đã ký)", "(ký, ghi rõ họ tên)"
_TITLES = (
    "chu tich",
    "pho chu tich",
    "bi thu",
    "pho bi thu",
    "truong ban",
    "pho truong ban",
    "to truong",
    "truong thon",
    "truong khu pho",
    "truong cong an",
    "truong tram",
    "giam doc",
    "chanh van phong",
    "thu truong",
)
_BOLD = re.compile(r"\*\*|__")
_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_.]*\.?")


@dataclass(frozen=True)
class Closing:
    start: int  # index in the lines given of its first line
    recipients: bool
    signature: bool

    @property
    def parts(self) -> str:
        """``nơi nhận, chữ ký``: what it holds, for the board."""
        return ", ".join(
            name
            for name, given in (("nơi nhận", self.recipients), ("chữ ký", self.signature))
            if given
        )


def _folded(text: str) -> str:
    return " ".join(without_accents(text).casefold().split())


def _capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _title(text: str) -> bool:
    """``CHỦ TỊCH``, ``PHÓ CHỦ TỊCH``, ``Tổ trưởng``: a signer's title."""
    short = len(text.split()) <= 10
    return short and (_capitals(text) or _folded(text).startswith(_TITLES))


def _recipients(folded: str) -> bool:
    """``Nơi nhận:`` alone, or with a first recipient after it (``Nơi nhận: - Như trên;``);
    ``Nơi nhận: tại nhà văn hóa tổ 3.`` is the body saying where to collect something."""
    match = _RECIPIENTS.fullmatch(folded)
    return match is not None and (not match[1] or bool(_ITEM.fullmatch(match[1])))


def _name(text: str) -> bool:
    """``Nguyễn Văn An``: two to six capitalised words and nothing else."""
    words = text.split()
    return 2 <= len(words) <= 6 and all(
        _NAME_WORD.fullmatch(word) and word[0].isupper() for word in words
    )


@dataclass
class _State:
    recipients: bool = False
    marker: bool = False
    titled: bool = False  # a title line after a marker
    signed: bool = False  # any part of a signature (marker, title, "(Đã ký)", name)

    def takes(self, part: str) -> bool:
        """Whether ``part`` (one column of a line) belongs to the block read so far."""
        folded = _folded(part)
        if _recipients(folded):
            self.recipients = True
            return True
        if (match := _MARKER.fullmatch(" ".join(part.split()))) and _title(match[1]):
            self.marker = self.signed = True
            return True
        if self.recipients and _ITEM.fullmatch(folded):
            return True
        if not (self.recipients or self.marker):
            return False
        if _title(part):
            self.titled = self.titled or self.marker
        elif not (_SIGNED.fullmatch(folded) or _name(part)):
            return False
        self.signed = True
        return True


def _parts(line: str) -> list[str]:
    """A line's columns, without Markdown's bold marks (``**Nơi nhận:**``)."""
    plain = _BOLD.sub("", line).strip()
    return [part.strip() for part in _COLUMNS.split(plain) if part.strip()]


def _block_from(lines: list[str], start: int) -> Closing | None:
    state = _State()
    for line in lines[start:]:
        if not all(state.takes(part) for part in _parts(line)):
            return None
    if not (state.recipients or state.titled):
        return None
    return Closing(start, state.recipients, state.signed)


def _opens(line: str) -> bool:
    first = (_parts(line) or [""])[0]
    return _recipients(_folded(first)) or bool(_MARKER.fullmatch(first))


def closing_block(lines: list[str]) -> Closing | None:
    """The closing block at the end of ``lines`` (the document's non-blank lines, in order),
    or ``None``. Something must come before it: a document that is only a block is left whole."""
    first = max(1, len(lines) - _MAX_LINES)
    for start in range(first, len(lines)):
        if _opens(lines[start]) and (found := _block_from(lines, start)):
            return found
    return None


def closing_table(rows: list[list[str]]) -> Closing | None:
    """A table (the last thing in a Word document) that is such a block: recipients in one
    column, signature in the other. ``start`` is 0."""
    columns = max((len(row) for row in rows), default=0)
    lines = [
        line
        for column in range(columns)
        for row in rows
        if column < len(row) and (column == 0 or row[column] != row[column - 1])
        for line in row[column].split("\n")
        if line.strip()
    ]
    return _block_from(lines, 0) if lines and _opens(lines[0]) else None
