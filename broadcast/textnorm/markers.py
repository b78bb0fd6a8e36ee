"""What structures a notice rather than being read as content: list markers and a dash that
introduces a title.

List markers "a)", "b)", "đ)", "1)" at the start of a line or after ".", ";" or ":" are read
by the letter's Vietnamese name or the number, then a short pause: "a) Đối tượng" → "a,
đối tượng", "b)" → "bê,". That is how announcers read the points of a decree aloud, and it
keeps the board's own words: a board that writes "điểm a)" or "mục a)" is heard saying so,
where an added "mục" would make that "mục mục a". Every letter gets its name, so "y)" is
"i dài" like "y" in a spelled word, and "e)" or "a)" are the same letter names they always
are. Capital I, V and X stay Roman numbered headings ("II) Nội dung").

A dash after a date is a range only when another date, number or time follows it
("20/11 - 25/11", "20/11 - ngày 25/11"); followed by a title ("Ngày 20/11 - Ngày Nhà giáo
Việt Nam", "02/9 – Quốc khánh") it is a pause, never "đến".
"""

from __future__ import annotations

import re

from broadcast.textnorm import context
from broadcast.textnorm.letters import letter_name
from broadcast.textnorm.tokens import NUMERIC_KINDS, Env, Kind, Token

LIST_MARKER = r"(?<![^\s;:.])(?P<mark>[a-zđA-HJ-UWYZĐ]|\d{1,2})(?=\))"
_CLAUSE_END = re.compile(r"[.;:]\s*$")
# Words that start a range's second end ("đến ngày 25/11") but also a title ("Ngày Nhà giáo").
_TITLE_WORDS = ("ngày", "tháng", "năm")


def list_marker(line: str, match: re.Match[str], env: Env) -> Token | None:
    """ "a)", "đ)", "1)" where a list item begins; elsewhere ("(xem điểm a)") declines."""
    start = match.start()
    if not (
        context.before(context.LINE_START, line, start) or context.before(_CLAUSE_END, line, start)
    ):
        return None
    mark = match.group("mark")
    spoken = env.numbers.cardinal(mark) if mark.isdigit() else letter_name(mark)
    return Token(start, match.end(), Kind.WORD, spoken, "list_marker")


def opens_title(following: Token, after: Token | None) -> bool:
    """Whether a dash written after a date, with ``following`` and then ``after`` behind it,
    introduces a title rather than the end of a range."""
    if following.kind in NUMERIC_KINDS or not following.spoken.startswith(_TITLE_WORDS):
        return False
    return after is None or after.kind not in NUMERIC_KINDS
