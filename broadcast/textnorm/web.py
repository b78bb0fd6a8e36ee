"""Web and e-mail addresses: "." → chấm, "@" → a còng, "/" → gạch chéo; labels get their
accents back from the lexicon's words ("chinhphu" → chính phủ) and anything else is spelled
with letter names ("gov" → giê o vê, "vn" → vê en). The scheme ("https://") is not read:
nobody says it on air. A path is read only when it is one short word ("…gov.vn/tintuc");
a longer one ("/p/home/dvc-tthc.html?ma=1") cannot be taken down by ear, so the address is
read as its domain, which a listener can type and search from, and ``broadcast check`` warns
(rule "url_domain"). A slash at the end is not read."""

from __future__ import annotations

import re

from broadcast.textnorm.letters import spell
from broadcast.textnorm.numbers import read_digits
from broadcast.textnorm.tokens import Env, Kind, Token

_SCHEME = re.compile(r"(?i:https?://)")
_SHORT_PATH = re.compile(r"[A-Za-z0-9-]{1,20}/?")
_PIECE = re.compile(r"[a-z]+|\d+|[^a-z\d]")
_SYMBOLS = {
    ".": "chấm", "@": "a còng", "/": "gạch chéo", "-": "gạch ngang", "_": "gạch dưới",
    ":": "hai chấm", "?": "chấm hỏi", "=": "bằng", "&": "và", "%": "phần trăm", "#": "thăng",
    "~": "ngã", "+": "cộng",
}  # fmt: skip


# A cover of the label up to some letter: (letters spelled, pieces, where its last piece begins,
# that piece's reading or None when it is spelled).
_Cover = tuple[int, int, int, str | None]


def _label(label: str, known: dict[str, str], longest: int) -> list[str]:
    """Cover the label with known words, spelling as few letters as possible.

    Dynamic programming over split points: a known word costs nothing, a spelled letter one;
    ties go to fewer pieces ("dichvucong" as one word rather than three).
    """
    size = len(label)
    best: list[_Cover] = [(0, 0, 0, None)]  # best[end] covers label[:end]
    best += [(size + 1, 0, 0, None)] * size
    for end in range(1, size + 1):
        spelled = best[end - 1]
        candidate: _Cover = (spelled[0] + 1, spelled[1] + 1, end - 1, None)
        for begin in range(max(0, end - longest), end):
            reading = known.get(label[begin:end])
            if reading is not None:
                previous = best[begin]
                option = (previous[0], previous[1] + 1, begin, reading)
                if option[:2] < candidate[:2]:
                    candidate = option
        best[end] = candidate
    words: list[str] = []
    end = size
    while end > 0:
        _, _, begin, reading = best[end]
        words.append(reading if reading is not None else spell(label[begin:end]))
        end = begin
    return words[::-1]


def read_address(text: str, env: Env) -> str:
    known = env.lexicon.address_words
    longest = max(map(len, known), default=0)
    words: list[str] = []
    for piece in _PIECE.findall(_SCHEME.sub("", text).lower()):
        if piece.isdigit():
            words.append(read_digits(piece))
        elif piece.isalpha():
            words += _label(piece, known, longest)
        elif piece in _SYMBOLS:
            words.append(_SYMBOLS[piece])
    return " ".join(w for w in words if w)


def address(line: str, match: re.Match[str], env: Env) -> Token:
    start, end = match.span()
    text = match.group()
    if "@" in text:
        return Token(start, end, Kind.CODE, read_address(text, env), "email")
    domain, _, path = _SCHEME.sub("", text).partition("/")
    if path and _SHORT_PATH.fullmatch(path):
        return Token(start, end, Kind.CODE, read_address(text, env), "url")
    rule = "url_domain" if path else "url"
    return Token(start, end, Kind.CODE, read_address(domain, env), rule)
