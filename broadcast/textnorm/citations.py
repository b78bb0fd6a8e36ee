"""Legal citations and document numbers, read the way an announcer reads them.

- The type letters after the number repeat the word just said ("Kế hoạch số 45/KH-UBND"), so
  they are not read, and the issuing body follows "của": "kế hoạch số bốn mươi lăm của ủy ban
  nhân dân". A "số" the text left out is said ("Nghị định 30/2020/NĐ-CP" → "nghị định số ba
  mươi năm hai nghìn không trăm hai mươi của chính phủ"): with the letters gone it is what
  tells the listener a document number follows, as in the announcers' "Nghị định số … của
  Chính phủ". The year part is "năm …".
- When the type was not said ("văn bản số 12/QĐ-UBND"), the letters are the only clue to which
  document is meant: they are read after a pause, "số mười hai, quyết định của ủy ban nhân
  dân" (without the pause "số mười hai quyết định" is heard as "twelve decisions").
- When the text names the issuer right after the code ("06/QĐ-TTg của Thủ tướng Chính phủ"),
  the body letters are not read: the words say it, and saying it twice is heard as two bodies.
- Issuing bodies are read by name from the lexicon; in a citation "TTg" is the Prime Minister
  as announcers name him ("Thủ tướng Chính phủ"), elsewhere just "thủ tướng".
- A leading zero of a document number is read ("Đề án 06" → "đề án không sáu", "05-CT/TW" →
  "không năm"): it is part of the number a listener would look the document up by. The digits
  are then read one by one, like every other zero-led digit string. Quantities keep their
  reading ("05 hộ" is "năm hộ").
"""

from __future__ import annotations

import re

from broadcast.textnorm import context
from broadcast.textnorm.datetimes import is_year
from broadcast.textnorm.numbers import NumberWords, read_digits
from broadcast.textnorm.tokens import Env, Kind, Token
from broadcast.textnorm.words import read_abbreviation

# Document types of Decree 30/2020/NĐ-CP, Appendix III, and the party's (KL); their readings
# come from the lexicon, so the board's own entries apply.
DOCUMENT_TYPES = frozenset({
    "NQ", "QĐ", "CT", "QC", "QyĐ", "TC", "TB", "HD", "CTr", "KH", "PA", "ĐA", "DA", "BC", "BB",
    "TTr", "CĐ", "GM", "GGT", "GUQ", "GNP", "GN", "TTh", "PG", "PC", "PB", "CV", "TT", "TTLT",
    "NĐ", "KL", "HĐ", "PL",
})  # fmt: skip
# Joint documents name several issuers, who issue it together: "của bộ tài chính và bộ nội vụ".
_JOINT_TYPES = frozenset({"TTLT"})
# Issuers whose letters mean something else outside a citation (see the lexicon's BTC).
CITATION_BODIES = {"TTg": "thủ tướng chính phủ", "BTC": "bộ tài chính"}

_CODE_PART = re.compile(r"\d+|[^\W\d_]+")
_NUMBER_WORD = re.compile(r"(?i:(?<![^\W\d_])số)?[\s:.]*$")
# The issuer named after the code, maybe after its date: "45/KH-UBND ngày 12/3/2026 của UBND"
_ISSUER_AFTER = re.compile(
    r"(?:\s+(?i:ngày)\s+\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?)?,?\s+(?i:của)(?![^\W\d_])"
)
_SAID_WINDOW = 40  # characters looked back for the document word; longer than any type name
# "Đề án 06", "Chỉ thị số 05", "Kế hoạch 03": a number after a document word is its number.
DOCUMENT_WORD = re.compile(
    r"(?i:\b(?:kế hoạch|quyết định|thông báo|công văn|chỉ thị|nghị quyết|báo cáo|tờ trình|"
    r"hướng dẫn|nghị định|thông tư|kết luận|chương trình|đề án|quy định|quy chế|công điện|"
    r"giấy mời|văn bản|thông tri|luật|pháp lệnh|dự án|phương án))"
    r"(?:\s+số)?[\s:.]*$"
)


def document_number(numbers: NumberWords, digits: str) -> str:
    """A document's number: "45" → "bốn mươi lăm", "06" → "không sáu"."""
    return read_digits(digits) if digits.startswith("0") else numbers.cardinal(digits)


def _said_before(line: str, start: int, kind: str, reading: str) -> tuple[bool, bool]:
    """Whether the document word (or its letters) ends the text before the number, and whether
    "số" does."""
    before = line[max(0, start - _SAID_WINDOW) : start]
    number_word = _NUMBER_WORD.search(before)
    head = (before[: number_word.start()] if number_word else before).rstrip().lower()
    has_number_word = bool(number_word and "số" in number_word.group().lower())
    for said in (reading, kind.lower()):
        if head.endswith(said) and not head[: -len(said)][-1:].isalnum():
            return True, has_number_word
    return False, has_number_word


def citation(line: str, match: re.Match[str], env: Env) -> Token | None:
    """ "45/KH-UBND", "12/2024/QĐ-UBND", "18-NQ/TW", "245/UBND-VP"."""
    start, end = match.span()
    if context.before(context.ORDINAL, line, start):
        return None  # "Thứ 2-CN" is a range of weekdays
    parts = _CODE_PART.findall(match.group())
    numbers = [part for part in parts if part.isdigit()]
    letters = [part for part in parts if not part.isdigit()]
    words = [document_number(env.numbers, numbers[0])]
    words += [
        f"năm {env.numbers.cardinal(part)}" if is_year(part) else env.numbers.cardinal(part)
        for part in numbers[1:]
    ]
    unknown: list[str] = []

    def read(part: str, bodies: dict[str, str]) -> str:
        if part in bodies:
            return bodies[part]
        reading, known = read_abbreviation(part, env.lexicon)
        if not known:
            unknown.append(part)
        return reading

    kind = letters[0] if letters[0] in DOCUMENT_TYPES else None
    bodies = letters[1:] if kind else letters
    if kind is not None:
        reading = read(kind, {})
        said, has_number_word = _said_before(line, start, kind, reading)
        if said and not has_number_word:
            words.insert(0, "số")
        elif not said:
            words[-1] += ","
            words.append(reading)
    if bodies and not context.after(_ISSUER_AFTER, line, end):
        joint = " và " if kind in _JOINT_TYPES else " "
        words += ["của", joint.join(read(body, CITATION_BODIES) for body in bodies)]
    return Token(start, end, Kind.CODE, " ".join(words), "citation", tuple(unknown))


def leading_zero(line: str, match: re.Match[str], env: Env) -> Token | None:
    """ "Đề án 06": a zero-led number after a document word; elsewhere a plain number."""
    if not context.before(DOCUMENT_WORD, line, match.start()):
        return None
    spoken = read_digits(match.group())
    return Token(match.start(), match.end(), Kind.NUMBER, spoken, "document_number")
