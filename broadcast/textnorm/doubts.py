"""Readings the loudspeaker cannot get right whatever it does, for ``broadcast check`` to show
the board: a date or time the calendar or the clock does not have ("31/02", "25h30"), a web
address whose path cannot be taken down by ear, and words the lexicon lacks (an abbreviation
spelled out, a Latin-letter word, a lone "P." that is no place). The reading rules decide
which tokens these are; this module says what the board should do about them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from broadcast.textnorm.explain import explain
from broadcast.textnorm.letters import is_syllable
from broadcast.textnorm.lexicon import Lexicon
from broadcast.textnorm.numbers import Region
from broadcast.textnorm.pipeline import line_tokens
from broadcast.textnorm.tokens import Token

# Rule of the reading → (stable code, message; {written} and {spoken} are filled in).
_MESSAGES = {
    "impossible_date": (
        "impossible_date",
        'ngày "{written}" không có thật; loa đọc đúng như viết ("{spoken}"), không đọc thành '
        "ngày tháng. Hãy sửa lại ngày",
    ),
    "impossible_time": (
        "impossible_time",
        'giờ "{written}" không có thật (giờ quá 24 hoặc phút quá 59); loa đọc "{spoken}". '
        "Hãy sửa lại giờ",
    ),
    "url_domain": (
        "url_path",
        'đường dẫn trong địa chỉ "{written}" không đọc được trên loa; chỉ đọc tên miền '
        '("{spoken}"). Hãy hướng dẫn bà con vào trang chủ rồi tìm theo tên mục',
    ),
}


@dataclass(frozen=True)
class ReadingDoubt:
    line: int  # 1-based line of the text given
    written: str  # as the board wrote it, to find it in the file
    code: str
    message: str  # Vietnamese, for the board


def reading_doubts(text: str, lexicon: Lexicon | None = None) -> list[ReadingDoubt]:
    """Each doubtful reading of ``text``, in reading order."""
    found = []
    for rewrite in explain(text, lexicon):
        if rewrite.rule in _MESSAGES:
            code, message = _MESSAGES[rewrite.rule]
            filled = message.format(written=rewrite.original, spoken=rewrite.spoken)
            found.append(ReadingDoubt(rewrite.line, rewrite.original, code, filled))
    found += _unknown_words(text, lexicon or Lexicon())
    return sorted(found, key=lambda doubt: doubt.line)


# Words the lexicon lacks, each reported once a script: an abbreviation spelled letter by
# letter, a Latin-letter word read with Vietnamese sounds, a lone "P." that is no place.
_ABBREVIATION = (
    'từ viết tắt "{written}" chưa có trong từ điển: loa sẽ đánh vần từng chữ; thêm vào '
    "lexicon.yaml để đọc đúng"
)
_UNKNOWN_LATIN = (
    'từ "{written}" không phải tiếng Việt và chưa có trong từ điển: loa đọc theo âm tiếng Việt; '
    "nghe thử bằng broadcast say, hoặc thêm cách đọc vào lexicon.yaml"
)
_LONE_LETTERS = {"P": "phường hay phó", "Q": "quận hay quyền", "H": "huyện"}
_UNCLEAR = (
    '"{written}" không rõ là {meaning}: loa chỉ đọc tên chữ cái; hãy viết đầy đủ, hoặc viết '
    "hoa tên riêng đứng sau"
)
_LATIN_WORD = re.compile(r"(?<![^\W_])[A-Za-z]{2,}(?![^\W_])")
_DOT_THEN_WORD = re.compile(r"\. ?([^\W\d_])")


def _unknown_words(text: str, lexicon: Lexicon) -> list[ReadingDoubt]:
    found: list[ReadingDoubt] = []
    seen: set[str] = set()

    def add(line: int, written: str, code: str, message: str) -> None:
        if message not in seen:
            seen.add(message)
            found.append(ReadingDoubt(line, written, code, message))

    for number, line in enumerate(text.split("\n"), start=1):
        prepared, tokens = line_tokens(line, lexicon, Region.NORTH)
        for token in tokens:
            for word in token.unknown:
                add(number, word, "unknown_abbreviation", _ABBREVIATION.format(written=word))
            written = _unclear_letter(prepared, token)
            if written:  # "P. h": found in the file where the letter is unclear, not at "P. Đ"
                letter = written[0]
                message = _UNCLEAR.format(written=f"{letter}.", meaning=_LONE_LETTERS[letter])
                add(number, written, "unclear_abbreviation", message)
        read = [(token.start, token.end) for token in tokens if token.rule is not None]
        for match in _LATIN_WORD.finditer(prepared):
            word, start, end = match[0], match.start(), match.end()
            if word.isupper() or is_syllable(word) or any(a <= start and end <= b for a, b in read):
                continue
            add(number, word, "unknown_word", _UNKNOWN_LATIN.format(written=word))
    return found


def _unclear_letter(prepared: str, token: Token) -> str | None:
    """``P. h`` when ``P``, ``Q`` or ``H`` is read as a letter name before ``.`` and a lowercase
    word: the reading rules found no place or title after it (``P. hành chính``)."""
    letter = prepared[token.start : token.end]
    after = _DOT_THEN_WORD.match(prepared, token.end)
    if token.rule == "letter" and letter in _LONE_LETTERS and after and after[1].islower():
        return prepared[token.start : after.end()]
    return None
