"""Word tokens: abbreviations from the lexicon, roman numerals in context, all-caps words,
single letters, loanwords and ordinary words.

An all-caps token is read as a word when it is a Vietnamese syllable (headings such as
"KẾ HOẠCH"); otherwise the lexicon reads it, or it is spelled with letter names and reported
as unknown. A lexicon key that is also a syllable ("ĐA" đề án, "CA" công an) is read as the
word when a neighbouring all-caps word shows the text is a capitalised heading ("ĐA DẠNG").
"""

from __future__ import annotations

import re

from broadcast.textnorm import context
from broadcast.textnorm.letters import (
    fold_foreign,
    is_syllable,
    is_vowel_letter,
    letter_name,
    spell,
)
from broadcast.textnorm.lexicon import Lexicon
from broadcast.textnorm.roman import roman_value
from broadcast.textnorm.tokens import Env, Kind, Token

_PREVIOUS_WORD = re.compile(r"([^\W\d_]+)[^\S\n]+$")
_NEXT_WORD = re.compile(r"[^\S\n]+([^\W\d_]+)")
_HEADING_END = re.compile(r"\s*[.):]")


def is_abbreviation_shaped(token: str) -> bool:
    """All capitals, two letters or more, and not a Vietnamese syllable."""
    return len(token) > 1 and token.isupper() and not is_syllable(token)


def read_abbreviation(token: str, lexicon: Lexicon) -> tuple[str, bool]:
    """Reading of a letters-only token inside a code or address; ``False`` when spelled
    for want of a lexicon entry."""
    found = lexicon.lookup(token)
    if found is not None:
        return found, True
    if len(token) == 1:
        return letter_name(token), True
    if is_abbreviation_shaped(token):
        return spell(token), False
    return token.lower(), True


def _caps_heading_neighbour(line: str, start: int, end: int) -> bool:
    for found in (
        _PREVIOUS_WORD.search(line, max(0, start - 30), start),
        _NEXT_WORD.match(line, end),
    ):
        neighbour = found.group(1) if found else ""
        if len(neighbour) > 1 and neighbour.isupper() and is_syllable(neighbour):
            return True
    return False


def _roman_in_context(line: str, start: int, end: int) -> bool:
    if context.before(context.ROMAN, line, start):
        return True
    # "I. MỤC ĐÍCH", "II) Nội dung": a numbered heading at the start of a line
    return context.before(context.LINE_START, line, start) and context.after(
        _HEADING_END, line, end
    )


_PLACES = {"P": "phường", "Q": "quận", "H": "huyện", "TX": "thị xã", "TT": "thị trấn"}
# Before a title "Q." is quyền and "P." phó ("Q. Chủ tịch", "P. Giám đốc"), not a place.
_TITLES = {"P": "phó", "Q": "quyền"}
_TITLE_AFTER = re.compile(r" ?(?:Chủ tịch|Giám đốc|Trưởng|Bí thư|Hiệu trưởng|Chánh)\b")
# "Khu H. Sáng mai…": a letter naming a block or item, and a sentence that ends there.
_LETTER_LABEL = re.compile(r"(?i:\b(?:khu|dãy|lô|tòa|toà|nhà|điểm|mục|phụ lục|tổ|ô|phòng))\s*$")


def place(line: str, match: re.Match[str], env: Env) -> Token | None:
    """ "P. Đông Vệ", "Q.3", "H. Triệu Sơn", "TX.", "TT." before a capitalised name or a
    number; anywhere else the letters are read by the other rules."""
    start, end = match.span()
    letters = match.group("pl")
    following = line[end + 1] if line[end : end + 1] == " " else line[end]
    if not (following.isupper() or following.isdigit()) or context.before(
        _LETTER_LABEL, line, start
    ):
        return None
    if _TITLE_AFTER.match(line, end):
        if letters not in _TITLES:
            return None
        return Token(start, end, Kind.WORD, _TITLES[letters], "abbreviation")
    return Token(start, end, Kind.WORD, _PLACES[letters], "place")


def word(line: str, match: re.Match[str], env: Env) -> Token:
    start, end = match.span()
    token = match.group()
    token = fold_foreign(token)
    if not token:
        return Token(start, end, Kind.SILENT, "")
    value = roman_value(token)
    if value is not None and _roman_in_context(line, start, end):
        digits = str(value)
        ordinal = context.before(context.ORDINAL, line, start)
        spoken = env.numbers.ordinal(digits) if ordinal else env.numbers.cardinal(digits)
        return Token(start, end, Kind.ORDINAL if ordinal else Kind.NUMBER, spoken, "roman")
    found = env.lexicon.lookup(token)
    if found is not None:
        shaped_like_word = token.isupper() and is_syllable(token)
        if not (shaped_like_word and _caps_heading_neighbour(line, start, end)):
            return Token(start, end, Kind.WORD, found, "abbreviation")
    if len(token) == 1 and not is_vowel_letter(token):
        # no Vietnamese word is a lone consonant: "điểm b", "Khu C", "b) …" are letters
        return Token(start, end, Kind.WORD, letter_name(token), "letter")
    if is_abbreviation_shaped(token):
        return Token(start, end, Kind.WORD, spell(token), "spelled", (token,))
    return Token(start, end, Kind.WORD, token.lower())
