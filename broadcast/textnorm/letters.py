"""Letters: Vietnamese letter names for spelling, and what a Vietnamese syllable looks like.

The letter names are the short ones used when reading abbreviations and web addresses aloud
("vn" → "vê en", "gov" → "giê o vê").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from broadcast.textnorm.numbers import DIGIT_NAMES

VIETNAMESE_LOWER = (
    "abcdefghijklmnopqrstuvwxyzàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
)

LETTER_NAMES = {
    "a": "a", "ă": "á", "â": "ớ", "b": "bê", "c": "xê", "d": "dê", "đ": "đê", "e": "e",
    "ê": "ê", "f": "ép", "g": "giê", "h": "hát", "i": "i", "j": "gi", "k": "ca", "l": "e lờ",
    "m": "em", "n": "en", "o": "o", "ô": "ô", "ơ": "ơ", "p": "pê", "q": "quy", "r": "e rờ",
    "s": "ét", "t": "tê", "u": "u", "ư": "ư", "v": "vê", "w": "vê kép", "x": "ích",
    "y": "i dài", "z": "dét",
}  # fmt: skip

_VOWEL_LETTERS = frozenset("aăâeêioôơuưy")
_FOREIGN = re.compile(f"[^{VIETNAMESE_LOWER}{VIETNAMESE_LOWER.upper()}]")
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"

# Onset, a nucleus from the real Vietnamese vowel clusters, coda. Stricter than "one to three
# vowels" so that capitalised non-words such as "XII" or "IIV" are not taken for syllables.
_SYLLABLE = re.compile(
    r"(?:ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdđghklmnprstvx])?"
    r"(?:iêu|yêu|oai|oay|oeo|uây|uôi|ươi|ươu|uya|uyê|"
    r"ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|ôi|ơi|ua|uâ|uê|ui|uô|uơ|ưa|ưi|ưu|ươ|uy|yê|"
    r"[aăâeêioôơuưy])"
    r"(?:ng|nh|ch|[cmnpt])?"
)


def letter_name(char: str) -> str:
    """The spoken name of one letter or digit; other characters have none ("")."""
    lower = char.lower()
    if lower in LETTER_NAMES:
        return LETTER_NAMES[lower]
    if "0" <= char <= "9":
        return DIGIT_NAMES[ord(char) - 48]
    base = unicodedata.normalize("NFD", lower)[:1]
    return LETTER_NAMES.get(base, "")


def spell(text: str) -> str:
    """Letter by letter with Vietnamese names: "CCHC" → "xê xê hát xê"."""
    return " ".join(name for name in map(letter_name, text) if name)


def is_vowel_letter(char: str) -> bool:
    """A letter that is read as itself when it stands alone ("Ở", "Y tế")."""
    return strip_tones(char.lower()) in _VOWEL_LETTERS


@lru_cache(maxsize=4096)
def strip_tones(word: str) -> str:
    """Remove the five tone marks, keep the letter marks (ă â ê ô ơ ư đ)."""
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))


@lru_cache(maxsize=8192)
def is_syllable(word: str) -> bool:
    """A word that reads as one Vietnamese syllable ("HOẠCH" yes, "CCHC" or "XII" no)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(decomposed.count(mark) for mark in _TONE_MARKS) > 1:
        return False
    return _SYLLABLE.fullmatch(strip_tones(word.lower())) is not None


@lru_cache(maxsize=1024)
def _fold_letter(char: str) -> str:
    base = unicodedata.normalize("NFD", char)[:1]
    return base if base.isascii() and base.isalpha() else ""


def fold_foreign(word: str) -> str:
    """Letters outside the Vietnamese alphabet lose their marks ("Müller" → "Muller") or go
    (Greek, Cyrillic, CJK), so every reading is made of letters the engines know."""
    return _FOREIGN.sub(lambda m: _fold_letter(m.group()), word)
