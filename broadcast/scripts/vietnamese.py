"""How Vietnamese a text looks: the judge between candidate decodings of a legacy file.

Only words with letters beyond ASCII tell the candidates apart (ASCII reads the same in every
legacy encoding), so those are the words scored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
# The vowel groups Vietnamese spelling allows (without tone marks).
_NUCLEUS_SPELLINGS = (
    "a ă â e ê i o ô ơ u ư y "
    "ai ao au ay âu ây eo êu ia iê iu oa oă oe oi oo ôi ơi ua uâ uê ui uô uơ uy ưa ưi ươ ưu yê "
    "iêu yêu oai oay oeo uây uôi ươi ươu uya uyê uyu"
)
_NUCLEI = sorted(_NUCLEUS_SPELLINGS.split(), key=len, reverse=True)  # longest first
_SYLLABLE = re.compile(
    r"(ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnpqrstvx])?"
    f"({'|'.join(_NUCLEI)})"
    r"(ch|ng|nh|[cmnpt])?"
)
_WORD = re.compile(r"[^\W\d_]+")


def is_syllable(word: str) -> bool:
    """A well-formed Vietnamese syllable: onset, one to three vowels, coda, at most one tone."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sum(1 for c in decomposed if c in _TONE_MARKS)
    toneless = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    return tones <= 1 and _SYLLABLE.fullmatch(toneless) is not None


@dataclass(frozen=True)
class Likeness:
    syllables: int  # non-ASCII words that are Vietnamese syllables
    others: int  # non-ASCII words that are not
    stray: int  # symbols and controls from the upper half of an 8-bit code page

    @property
    def score(self) -> int:
        return self.syllables - 2 * self.others - self.stray

    @property
    def convincing(self) -> bool:
        """Mostly syllables: the decoding can be trusted without a second look."""
        return self.syllables > 0 and self.others * 4 <= self.syllables


def _is_stray(char: str) -> bool:
    upper_half_symbol = "\x80" <= char <= "\xbf" and not char.isalpha()
    return upper_half_symbol or unicodedata.category(char) == "Cc"


def likeness(text: str) -> Likeness:
    syllables = others = 0
    for word in _WORD.findall(unicodedata.normalize("NFC", text)):
        if word.isascii():
            continue
        if is_syllable(word):
            syllables += 1
        else:
            others += 1
    stray = sum(1 for c in text if _is_stray(c) and c not in "\n\r\t")
    return Likeness(syllables, others, stray)
