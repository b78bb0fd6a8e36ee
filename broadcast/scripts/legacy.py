"""Vietnamese encodings from before Unicode, still found in ward offices' files.

TCVN3 ("ABC", the ``.VnTime`` fonts) is an 8-bit font encoding: each byte above 0xA0 draws a
precomposed lowercase letter; capitals with a tone mark have no code at all; the board typed
them in a sibling font ending in ``H`` (``.VnTimeH``) that draws the same codes as capitals.
VNI-Windows draws a letter with two glyphs: the base letter, then a byte for the diacritics.

Both are read as Windows-1252 first (how the bytes sit in a file, and how Word stores the
characters of a ``.VnTime`` run in a ``.docx``), then mapped to Unicode here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# fmt: off
# Windows-1252 character (as the byte looks in a file) -> the letter a .VnTime font draws.
_TCVN3_LETTERS = {
    "¡": "Ă", "¢": "Â", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư", "§": "Đ",
    "¨": "ă", "©": "â", "ª": "ê", "«": "ô", "¬": "ơ", "\xad": "ư", "®": "đ",
    "µ": "à", "¶": "ả", "·": "ã", "¸": "á", "¹": "ạ",
    "»": "ằ", "¼": "ẳ", "½": "ẵ", "¾": "ắ", "Æ": "ặ",
    "Ç": "ầ", "È": "ẩ", "É": "ẫ", "Ê": "ấ", "Ë": "ậ",
    "Ì": "è", "Î": "ẻ", "Ï": "ẽ", "Ð": "é", "Ñ": "ẹ",
    "Ò": "ề", "Ó": "ể", "Ô": "ễ", "Õ": "ế", "Ö": "ệ",
    "×": "ì", "Ø": "ỉ", "Ü": "ĩ", "Ý": "í", "Þ": "ị",
    "ß": "ò", "á": "ỏ", "â": "õ", "ã": "ó", "ä": "ọ",
    "å": "ồ", "æ": "ổ", "ç": "ỗ", "è": "ố", "é": "ộ",
    "ê": "ờ", "ë": "ở", "ì": "ỡ", "í": "ớ", "î": "ợ",
    "ï": "ù", "ñ": "ủ", "ò": "ũ", "ó": "ú", "ô": "ụ",
    "õ": "ừ", "ö": "ử", "÷": "ữ", "ø": "ứ", "ù": "ự",
    "ú": "ỳ", "û": "ỷ", "ü": "ỹ", "ý": "ý", "þ": "ỵ",
}

# VNI-Windows: the glyph byte after a base letter, by tone (none, sắc, huyền, hỏi, ngã, nặng).
_TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
_VNI_PLAIN = ("", "ù", "ø", "û", "õ", "ï")
_VNI_CIRCUMFLEX = ("â", "á", "à", "å", "ã", "ä")
_VNI_BREVE = ("ê", "é", "è", "ú", "ü", "ë")
_VNI_I = ("i", "í", "ì", "æ", "ó", "ò")  # i carries its tone in one glyph
_VNI_HORN = {"o": "ô", "u": "ö"}  # ơ and ư are one glyph; a tone glyph may follow
# fmt: on

_CIRCUMFLEX, _BREVE, _HORN = "\u0302", "\u0306", "\u031b"


def _windows_1252_char(byte: int) -> str:
    # Five bytes are undefined in Windows-1252; keep them as the Latin-1 control they are.
    return bytes([byte]).decode("cp1252", errors="ignore") or chr(byte)


def _as_windows_1252(data: bytes) -> str:
    return "".join(_WINDOWS_1252[b] for b in data)


_WINDOWS_1252 = tuple(_windows_1252_char(b) for b in range(256))
_TCVN3_TABLE = str.maketrans(_TCVN3_LETTERS)
# Letters whose capital has no TCVN3 code.
_TONED_LOWERCASE = frozenset(
    letter for letter in _TCVN3_LETTERS.values() if letter.upper() not in _TCVN3_LETTERS.values()
)


def tcvn3_to_unicode(text: str, capitals: bool = False) -> str:
    """Text whose characters are TCVN3 codes (a ``.VnTime`` run in Word) → Unicode.

    ``capitals`` is for the ``H`` fonts (``.VnTimeH``), which draw every letter as a capital.
    """
    converted = text.translate(_TCVN3_TABLE)
    return converted.upper() if capitals else converted


_WORD = re.compile(r"\w+")


def _restore_capitals(match: re.Match[str]) -> str:
    # In a word typed in capitals, a toned letter came out lowercase only for lack of a code.
    word = match.group()
    first, rest = word[0], [c for c in word[1:] if c.isalpha() and c not in _TONED_LOWERCASE]
    in_capitals = rest and all(c.isupper() for c in rest)
    if in_capitals and (first.isupper() or first in _TONED_LOWERCASE):
        return word.upper()
    return word


def decode_tcvn3(data: bytes) -> str:
    return _WORD.sub(_restore_capitals, tcvn3_to_unicode(_as_windows_1252(data)))


@cache
def _tcvn3_encoding_table() -> dict[str, int]:
    table = {letter: ord(code) for code, letter in _TCVN3_LETTERS.items()}
    for letter, code in list(table.items()):
        # Toned capitals have no code: .VnTime draws them lowercase (the board used .VnTimeH).
        table.setdefault(letter.upper(), code)
    return table


def encode_tcvn3(text: str) -> bytes:
    """Unicode → TCVN3 bytes, as a ``.VnTime`` document saved as plain text.

    Capitals with a tone mark (``Ủ``) have no TCVN3 code and come out lowercase, as they did
    on screen in ``.VnTime``. Raises ``UnicodeEncodeError`` for characters outside TCVN3.
    """
    table = _tcvn3_encoding_table()
    out = bytearray()
    for position, char in enumerate(unicodedata.normalize("NFC", text)):
        if char in table:
            out.append(table[char])
            continue
        try:
            out += char.encode("cp1252")
        except UnicodeEncodeError as exc:
            raise UnicodeEncodeError("tcvn3", text, position, position + 1, exc.reason) from None
    return bytes(out)


def _vni_spelling(letter: str) -> str | None:
    """How VNI-Windows spells one lowercase Vietnamese letter, or None if it needs no glyphs."""
    if letter == "đ":
        return "ñ"
    decomposed = unicodedata.normalize("NFD", letter)
    base, marks = decomposed[0], decomposed[1:]
    tone = next((i for i, t in enumerate(_TONES) if t and t in marks), 0)
    if base == "i":
        return _VNI_I[tone]
    if base == "y" and tone == 5:
        return "î"
    if _CIRCUMFLEX in marks:
        return base + _VNI_CIRCUMFLEX[tone]
    if _BREVE in marks:
        return base + _VNI_BREVE[tone]
    if _HORN in marks:
        return _VNI_HORN[base] + _VNI_PLAIN[tone]
    return base + _VNI_PLAIN[tone]


def _vietnamese_letters() -> list[str]:
    letters = ["đ"]
    for base in ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"):
        letters += [unicodedata.normalize("NFC", base + tone) for tone in _TONES]
    return letters


@cache
def _vni_tables() -> tuple[dict[str, str], dict[str, str], re.Pattern[str]]:
    to_vni: dict[str, str] = {}
    for letter in _vietnamese_letters():
        spelling = _vni_spelling(letter)
        if spelling and spelling != letter:
            to_vni[letter] = spelling
            to_vni[letter.upper()] = spelling.upper()
    from_vni = {spelling: letter for letter, spelling in to_vni.items()}
    # Longest first, so "oá" (ố) wins over a lone "o".
    pattern = re.compile("|".join(map(re.escape, sorted(from_vni, key=len, reverse=True))))
    return to_vni, from_vni, pattern


def vni_to_unicode(text: str) -> str:
    """Text whose characters are VNI-Windows glyph codes (a ``VNI-Times`` run) → Unicode."""
    _, from_vni, pattern = _vni_tables()
    return pattern.sub(lambda match: from_vni[match.group()], text)


def decode_vni(data: bytes) -> str:
    return vni_to_unicode(_as_windows_1252(data))


def encode_vni(text: str) -> bytes:
    """Unicode → VNI-Windows bytes. Raises ``UnicodeEncodeError`` for characters outside it."""
    to_vni, _, _ = _vni_tables()
    spelled = "".join(to_vni.get(c, c) for c in unicodedata.normalize("NFC", text))
    return spelled.encode("cp1252")
