"""What the scanner cuts a line into: spans of the line, each with its spoken words."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from broadcast.textnorm.lexicon import Lexicon
from broadcast.textnorm.numbers import NumberWords


class Kind(StrEnum):
    WORD = "word"  # ordinary words, abbreviations, spelled letters
    NUMBER = "number"  # a quantity, list, fraction, digit string
    MEASURE = "measure"  # a number with its unit, currency or percent sign
    ORDINAL = "ordinal"  # the number after "thứ", or a weekday
    DATE = "date"
    TIME = "time"
    CODE = "code"  # phone numbers, document codes, web and e-mail addresses
    SPACE = "space"
    PAUSE = "pause"  # spoken text is one of , . ; : ? !
    DASH = "dash"  # resolved by context: đến, âm, a pause or nothing
    SLASH = "slash"  # resolved by context: trên or nothing
    SILENT = "silent"  # quotes, bullets and other symbols that are not read


# Kinds between which a dash means a range ("7h - 9h", "2020-2025", "Thứ 2 - Thứ 6").
NUMERIC_KINDS = frozenset({Kind.NUMBER, Kind.MEASURE, Kind.ORDINAL, Kind.DATE, Kind.TIME})


@dataclass(slots=True)
class Token:
    start: int
    end: int
    kind: Kind
    spoken: str  # lowercase words (pauses inside allowed, e.g. a list); "" when silent
    rule: str | None = None  # None: not a rewrite (an ordinary word, a space, a pause)
    unknown: tuple[str, ...] = field(default=())  # all-caps tokens spelled for want of a reading


@dataclass(frozen=True)
class Env:
    """What every reading rule may consult."""

    lexicon: Lexicon
    numbers: NumberWords
