"""The normalizer: each line is cleaned, scanned into tokens, its dashes and slashes
resolved, and its spoken words joined with single spaces and pause punctuation.

Output is lowercase throughout: case carries nothing the engines use, and lowercase output
cannot be mistaken for an abbreviation when it is normalized again (idempotence).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from broadcast.textnorm import joints
from broadcast.textnorm.letters import VIETNAMESE_LOWER, fold_foreign
from broadcast.textnorm.lexicon import Lexicon
from broadcast.textnorm.numbers import REGION_WORDS, Region
from broadcast.textnorm.tokenizer import scan
from broadcast.textnorm.tokens import Env, Kind, Token


@dataclass(frozen=True)
class SpokenSegment:
    """A piece of the spoken text; ``keep_together`` pieces (the words of one number, date,
    code…) must not be split between two phrases by an engine's phrase splitter."""

    text: str
    keep_together: bool


# Only "\n" separates lines (the CLI reads files with universal newlines, so "\r\n" and "\r"
# arrive as "\n"); other separators such as U+2028 are treated as spaces.
_LINE_BREAK = "\n"
# The strongest pause wins when several meet ("…;" or ", ." → one mark).
_PAUSE_STRENGTH = {",": 1, ":": 2, ";": 3, ".": 4, "!": 5, "?": 6}
_ALLOWED = re.compile(rf"[{VIETNAMESE_LOWER}]+(?:[,.;:?!]? [{VIETNAMESE_LOWER}]+)*")
_WORD = re.compile(r"[^\W\d_]+")
# Characters outside ASCII and the Latin letters of Vietnamese text get a closer look.
_UNUSUAL = re.compile(r"[^\x00-\x7f\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u01bf\u1ea0-\u1ef9]")
_ONE_FOR_ONE = {
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2044": "/", "\u2215": "/",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2212": "-",
}  # fmt: skip


@lru_cache(maxsize=4096)
def _compatible(char: str) -> str:
    """Every digit becomes an ASCII digit ("²", "٣", "①"); full-width forms, ligatures and
    "Ⅻ" or "¼" become plain text. Replacements are one for one where possible, so columns in
    explain() still point at the board's own text; symbols that would expand stay as they are
    and are dropped later."""
    if char in _ONE_FOR_ONE:
        return _ONE_FOR_ONE[char]
    if char == "½":  # read "một nửa" by the tokenizer, as a speaker says it
        return char
    if char.isdigit():
        return str(unicodedata.digit(char, 0))
    compatible = unicodedata.normalize("NFKC", char).replace("\u2044", "/")
    if len(compatible) == 1 or any(c.isalnum() for c in compatible):
        return compatible
    return char


def _prepare(line: str) -> str:
    if line.isascii():
        return line
    if not unicodedata.is_normalized("NFC", line):
        line = unicodedata.normalize("NFC", line)
    return _UNUSUAL.sub(lambda m: _compatible(m.group()), line)


def _clean(words: str) -> str:
    """A safety net: readings are built from clean parts, but whatever slips through is
    folded to the output alphabet rather than handed to an engine."""
    if _ALLOWED.fullmatch(words):
        return words
    return " ".join(filter(None, (fold_foreign(w).lower() for w in _WORD.findall(words))))


def line_tokens(line: str, lexicon: Lexicon, region: Region) -> tuple[str, list[Token]]:
    """The prepared line and its resolved tokens."""
    prepared = _prepare(line)
    tokens = scan(prepared, lexicon, Env(lexicon, REGION_WORDS[region]))
    joints.resolve(prepared, tokens)
    return prepared, tokens


def assemble(tokens: list[Token]) -> list[SpokenSegment]:
    """Segments of one line: words joined by single spaces, each pause after its word."""
    segments: list[SpokenSegment] = []
    pause = ""
    started = False
    for token in tokens:
        if token.kind is Kind.PAUSE:
            if _PAUSE_STRENGTH[token.spoken] > _PAUSE_STRENGTH.get(pause, 0):
                pause = token.spoken
            continue
        if not token.spoken or token.kind in (Kind.SPACE, Kind.SILENT):
            continue
        spoken = _clean(token.spoken)
        if not spoken:
            continue
        if started:
            segments.append(SpokenSegment(pause + " ", False))
        pause, started = "", True
        keep = token.rule is not None and " " in spoken
        segments.append(SpokenSegment(spoken, keep))
    if started and pause:
        segments.append(SpokenSegment(pause, False))
    return segments


def _merge(segments: list[SpokenSegment]) -> list[SpokenSegment]:
    merged: list[SpokenSegment] = []
    for segment in segments:
        if merged and not segment.keep_together and not merged[-1].keep_together:
            merged[-1] = SpokenSegment(merged[-1].text + segment.text, False)
        else:
            merged.append(segment)
    return merged


def spoken_segments(
    text: str, lexicon: Lexicon | None = None, region: Region = Region.NORTH
) -> list[SpokenSegment]:
    """The spoken text in pieces; ``"".join(s.text for s in segments) == normalize(text)``."""
    lexicon = lexicon or Lexicon()
    segments: list[SpokenSegment] = []
    for number, line in enumerate(text.split(_LINE_BREAK)):
        if number:
            segments.append(SpokenSegment(_LINE_BREAK, False))
        segments += assemble(line_tokens(line, lexicon, region)[1])
    return _merge(segments)


def normalize(text: str, lexicon: Lexicon | None = None, region: Region = Region.NORTH) -> str:
    """Spoken words only, one output line per input line: Vietnamese letters (NFC,
    lowercase), spaces and the pauses , . ; : ? !"""
    lexicon = lexicon or Lexicon()
    return _LINE_BREAK.join(
        "".join(s.text for s in assemble(line_tokens(line, lexicon, region)[1]))
        for line in text.split(_LINE_BREAK)
    )
