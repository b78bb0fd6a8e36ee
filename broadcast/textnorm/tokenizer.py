"""Cuts one line into tokens with one compiled regex; each named alternative has a reader.

Alternatives are tried in order at each position, so the more specific shapes (addresses,
codes, phones, dates, times) come before plain numbers and words. A reader may decline
(return ``None``); the position is then read by the plain alternatives alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from broadcast.textnorm import citations, codes, datetimes, markers, quantities, rates, web, words
from broadcast.textnorm.letters import VIETNAMESE_LOWER, is_vowel_letter
from broadcast.textnorm.lexicon import Lexicon
from broadcast.textnorm.tokens import Env, Kind, Token

Reader = Callable[[str, re.Match[str], Env], Token | None]

_LOWER = f"[{VIETNAMESE_LOWER}]"
# A run word has two letters or more, or is a lone vowel ("ở", "y"); a lone consonant is a
# letter name and goes to the word reader.
_RUN_WORD = rf"(?:{_LOWER}{{2,}}|[{''.join(c for c in VIETNAMESE_LOWER if is_vowel_letter(c))}])"
_URL_END = r"(?=[.,;:!?)\]}\"'»”’]*(?:\s|$))"
_CAPS = r"[A-ZĐ][a-zđ]?[A-ZĐ][A-Za-zĐđ]*"  # UBND, QĐ, CTr, TTg

_SPECIFIC = [
    # P. Đông Vệ, Q.3, TX. Nghi Sơn; the reader checks for a capital or a digit after it
    ("place", r"(?<![^\W_])(?P<pl>TX|TT|P|Q|H)\.(?= ?[^\W_])"),
    ("email", r"[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"),
    (
        "url",
        rf"(?i:https?://|www\.)\S+?{_URL_END}"
        r"|(?<![\w@.])(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+"
        r"(?i:vn|com|net|org|gov|edu|info|io|asia|biz)(?![\w])"
        rf"(?:/\S*?{_URL_END})?",
    ),
    # 245/UBND-VP, 12/2024/QĐ-UBND, 18-NQ/TW, 10/KH - UBND; a dash right after the number
    # must be tight, so "Thứ 2 - CN" stays a range
    (
        "code",
        rf"(?<![\d.,/])\d+(?:/\d{{4}})?(?:[-–]|\s?/\s?){_CAPS}(?:\s?[-–/]\s?{_CAPS})*(?![\w])",
    ),
    (
        "separated_date",
        r"(?<![\d.,/])(?P<d1>\d{1,2})(?P<sep>[.-])(?P<m1>\d{1,2})(?P=sep)"
        r"(?P<y1>\d{4})(?![\d]|[.-]\d)"
        r"|(?<![\d.,/])(?P<y2>\d{4})-(?P<m2>\d{1,2})-(?P<d2>\d{1,2})(?![\d]|-\d)",
    ),
    # G12.456-251103-0042: two separators at least, one a dash, a digit and a letter
    (
        "file_code",
        r"(?<![\w.-])(?=[A-Za-z0-9.]*-)(?=[A-Za-z0-9.-]*\d)(?=[A-Za-z0-9.-]*[A-Za-z])"
        r"[A-Za-z0-9]+(?:[.-][A-Za-z0-9]+){2,}(?![\w-]|\.\w)",
    ),
    (
        "phone",
        r"(?<![\d.,/])(?:\+84[ .-]?\d{1,3}|\(0\d{2,3}\)|0\d{1,3}|1[89]00)"
        r"(?:[ .-]?\d{1,4}){1,5}(?!\d)",
    ),
    # a word character (\w): the word reader would drop it; "1½" is "một rưỡi"
    ("half", r"(?<![\d.,])(?P<whole>\d+)?½"),
    # 5B/9, 12/3A: a house number with a letter
    ("house_number", r"(?<![\w.,/])(?:\d+[A-Za-z]/\d+[A-Za-z]?|\d+/\d+[A-Za-z])(?![\w/])"),
    ("slashed", r"(?<![\d.,/])\d+(?:/\d+)+(?![\d])"),
    ("word_time", r"(?<![\d.,/:])(?P<wh>\d{1,2}) giờ (?P<wm>\d{2})(?P<wp> phút)?(?![^\W_])"),
    ("hour_time", r"(?<![\d.,/:])(?P<hh>\d{1,2})(?:[hg](?P<hm>\d{2})|h)'?(?![^\W_])"),
    ("ratio", rates.RATIO),  # "2:1", "tỷ lệ 1:10"; before the times it is not
    ("clock_time", r"(?<![\d.,/:])(?P<ch>\d{1,2}):(?P<cm>\d{2})(?::(?P<cs>\d{2}))?(?![\d]|:\d)"),
    ("weekday", r"(?<![^\W_])T(?P<wd>[2-7])(?![\w])"),
    ("multiply", r"(?<=\d)\s?[x×]\s?(?=\d)"),
    ("factor", rates.FACTOR),  # "tăng x2": gấp hai
    ("list_marker", markers.LIST_MARKER),  # "a)", "đ)", "1)" starting a list item
    ("unit_word", r"(?<![^\W_])(?:km2|cm2|m2|m3|km²|m²|m³)(?![\w])"),
    # "Đề án 06": the reader keeps the zero only after a document word
    ("document_number", r"(?<![\d.,/])0\d(?!\d|[.,/:]\d|[^\W\d_])"),
]
_PLAIN = [
    ("number", r"\$?\d+(?:[.,]\d+)*"),
    ("run", rf"{_RUN_WORD}(?: {_RUN_WORD})*(?![^\W\d_]|[./:@-])"),  # not v.v. b/c https: a@b e-mail
    ("word", r"[^\W\d_]+"),
    ("space", r"\s+"),
    ("symbol", r"."),
]

PAUSES = {
    ",": ",", ";": ";", ":": ":", ".": ".", "!": "!", "?": "?", "…": ".",
    "(": ",", ")": ",", "[": ",", "]": ",", "{": ",", "}": ",", "|": ",",
}  # fmt: skip
SPOKEN_SYMBOLS = {
    "&": "và", "+": "cộng", "=": "bằng", "%": "phần trăm", "‰": "phần nghìn", "@": "a còng",
    "×": "nhân", "≥": "lớn hơn hoặc bằng", "≤": "nhỏ hơn hoặc bằng", ">": "lớn hơn",
    "<": "nhỏ hơn", "±": "cộng trừ", "≈": "xấp xỉ", "~": "khoảng", "°": "độ", "€": "ơ rô",
    "$": "đô la",
}  # fmt: skip
DASHES = frozenset("-–—−‐‑‒")


def _special(line: str, match: re.Match[str], env: Env) -> Token:
    reading = env.lexicon.lookup(match.group()) or ""
    end = match.end()
    if match.group().endswith(".") and not line[end:].strip():
        end -= 1  # "…, v.v." at the end of a line: the dot also ends the sentence
    return Token(match.start(), end, Kind.WORD, reading, "abbreviation")


def _run(line: str, match: re.Match[str], env: Env) -> Token:
    """Lowercase words: read as they are, unless a loanword of the lexicon is among them."""
    start, end = match.span()
    folded = env.lexicon.folded
    if folded:
        for found in _loanword_pattern(tuple(folded)).finditer(line, start, end):
            if found.start() > start:
                return Token(start, found.start(), Kind.WORD, line[start : found.start()].rstrip())
            return Token(start, found.end(), Kind.WORD, folded[found.group()], "abbreviation")
    return Token(start, end, Kind.WORD, match.group())


def _multiply(line: str, match: re.Match[str], env: Env) -> Token:
    return Token(match.start(), match.end(), Kind.WORD, "nhân", "symbol")


def _unit_word(line: str, match: re.Match[str], env: Env) -> Token:
    reading = quantities.units.UNITS[match.group()]
    return Token(match.start(), match.end(), Kind.WORD, reading, "unit")


def _space(line: str, match: re.Match[str], env: Env) -> Token:
    return Token(match.start(), match.end(), Kind.SPACE, " ")


def _symbol(line: str, match: re.Match[str], env: Env) -> Token:
    start, end = match.span()
    char = match.group()
    if char in PAUSES:
        return Token(start, end, Kind.PAUSE, PAUSES[char])
    if char in DASHES:
        return Token(start, end, Kind.DASH, "")
    if char == "/":
        return Token(start, end, Kind.SLASH, "")
    if char in SPOKEN_SYMBOLS:
        return Token(start, end, Kind.WORD, SPOKEN_SYMBOLS[char], "symbol")
    return Token(start, end, Kind.SILENT, "")


_READERS: dict[str, Reader] = {
    "special": _special,
    "place": words.place,
    "email": web.address,
    "url": web.address,
    "code": citations.citation,
    "separated_date": datetimes.separated_date,
    "file_code": codes.file_code,
    "phone": codes.phone,
    "half": quantities.half,
    "house_number": quantities.house_number,
    "slashed": quantities.slashed,
    "word_time": datetimes.word_time,
    "hour_time": datetimes.hour_time,
    "ratio": rates.ratio,
    "clock_time": datetimes.clock_time,
    "weekday": datetimes.weekday_abbreviation,
    "multiply": _multiply,
    "factor": rates.factor,
    "list_marker": markers.list_marker,
    "unit_word": _unit_word,
    "document_number": citations.leading_zero,
    "number": quantities.number,
    "run": _run,
    "word": words.word,
    "space": _space,
    "symbol": _symbol,
}


def _alternation(alternatives: list[tuple[str, str]]) -> str:
    return "|".join(f"(?P<{name}>{pattern})" for name, pattern in alternatives)


@lru_cache(maxsize=16)
def _loanword_pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(keys, key=len, reverse=True)
    return re.compile(rf"(?<![^\W\d_])(?:{'|'.join(map(re.escape, ordered))})(?![^\W\d_])")


@lru_cache(maxsize=16)
def _scanner(special_keys: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = list(_SPECIFIC)
    if special_keys:
        keys = "|".join(
            re.escape(key) + (r"(?![^\W_])" if key[-1].isalnum() else "") for key in special_keys
        )
        alternatives.insert(0, ("special", rf"(?<![^\W_])(?:{keys})"))
    return re.compile(_alternation(alternatives + _PLAIN))


_FALLBACK = re.compile(_alternation(_PLAIN))


def _plain_token(line: str, position: int, env: Env) -> Token:
    """The token of the plain rules at ``position``: they match any character and read it."""
    match = _FALLBACK.match(line, position)
    token = _READERS[match.lastgroup](line, match, env) if match and match.lastgroup else None
    if token is None:
        raise AssertionError(f"the plain rules did not read {line[position:]!r}")
    return token


def scan(line: str, lexicon: Lexicon, env: Env) -> list[Token]:
    """Tokens covering ``line`` from start to end, in order."""
    scanner = _scanner(lexicon.special_keys)
    tokens: list[Token] = []
    append = tokens.append
    position, size = 0, len(line)
    while position < size:
        match = scanner.match(line, position)
        token = _READERS[match.lastgroup](line, match, env) if match and match.lastgroup else None
        if token is None:  # a specific rule matched but declined (e.g. 25:70 is no time)
            token = _plain_token(line, position, env)
        append(token)
        position = token.end
    return tokens
