"""Dashes and slashes, read by what stands on either side of them.

Dash: between numbers, dates, times or weekdays it is a range, "đến" ("7h - 9h", "2020-2025",
"Thứ 2 - Thứ 6"); written against a temperature it is a minus, "âm" ("-5°C"); at the start of
a line it is a bullet; between words with no spaces it joins a compound and is silent
("kinh tế-xã hội", "QĐ-UBND"); otherwise it is a pause. Slash: after a number and its unit it
means "per", read "mỗi", "một" or "trên" as ``rates.per_word`` decides ("đồng/người/tháng",
"đồng/bản", "60km/h"); between a quarter and its year it is "năm" ("Quý IV/2026"); otherwise
it is silent ("Nam/Nữ", "NQ/TW").
"""

from __future__ import annotations

from broadcast.textnorm import context, markers, rates
from broadcast.textnorm.datetimes import is_year
from broadcast.textnorm.tokens import NUMERIC_KINDS, Kind, Token
from broadcast.textnorm.units import PER_UNITS, TEMPERATURE

_RANGE_STARTS = ("thứ", "chủ", "ngày", "tháng", "năm", "quý")
_WEEKDAY_NAMES = frozenset({"hai", "ba", "tư", "năm", "sáu", "bảy"})
_PER_UNITS_FOLDED = {key.lower(): reading for key, reading in PER_UNITS.items()}
_PER_UNIT_WORDS = 3  # "3 nghìn đồng/kg": at most this many words between number and slash


def _neighbour(tokens: list[Token], index: int, step: int) -> tuple[Token | None, int]:
    index += step
    while 0 <= index < len(tokens) and tokens[index].kind in (Kind.SPACE, Kind.SILENT):
        index += step
    return (tokens[index], index) if 0 <= index < len(tokens) else (None, index)


def _ends_weekday(tokens: list[Token], index: int) -> bool:
    """A weekday written in words ends at ``index``: "Thứ Hai", "từ thứ hai", "Chủ nhật"."""
    words = tokens[index].spoken.split()
    if words[-2:] == ["chủ", "nhật"] or words == ["nhật"]:
        return True
    if not words or words[-1] not in _WEEKDAY_NAMES:
        return False
    if len(words) > 1:
        return words[-2] == "thứ"
    before, _ = _neighbour(tokens, index, -1)
    return before is not None and before.spoken.split()[-1:] == ["thứ"]


def _dash(tokens: list[Token], index: int) -> None:
    token = tokens[index]
    previous, previous_index = _neighbour(tokens, index, -1)
    following, following_index = _neighbour(tokens, index, 1)
    spaced_before = index > 0 and tokens[index - 1].kind is Kind.SPACE
    spaced_after = index + 1 < len(tokens) and tokens[index + 1].kind is Kind.SPACE
    if (
        following is not None
        and not spaced_after
        and (spaced_before or previous is None)
        and following.kind is Kind.MEASURE
        and following.spoken.endswith(tuple(TEMPERATURE))
    ):
        token.kind, token.spoken, token.rule = Kind.WORD, "âm", "negative"
        return
    if previous is not None and following is not None and following.spoken:
        numeric_before = previous.kind in NUMERIC_KINDS or _ends_weekday(tokens, previous_index)
        range_after = following.kind in NUMERIC_KINDS or following.spoken.startswith(_RANGE_STARTS)
        if numeric_before and range_after:
            after, _ = _neighbour(tokens, following_index, 1)
            if previous.kind is Kind.DATE and markers.opens_title(following, after):
                token.kind, token.spoken, token.rule = Kind.PAUSE, ",", "title_dash"
            else:
                token.kind, token.spoken, token.rule = Kind.WORD, "đến", "range"
            return
    if previous is None or previous.kind is Kind.PAUSE or following is None:
        token.kind = Kind.SILENT  # a bullet, or a dash left hanging
    elif spaced_before or spaced_after:
        token.kind, token.spoken = Kind.PAUSE, ","
    else:
        token.kind = Kind.SILENT


def _counted_before(tokens: list[Token], index: int) -> bool:
    """A number (or a "trên" of the same chain) within a few words before ``index``:
    "5 triệu đồng/hộ", "2 lần/tuần", "đồng/người/tháng"."""
    words = 0
    token: Token | None = tokens[index]
    while token is not None and token.kind is Kind.WORD and token.rule != "per_unit":
        words += len(token.spoken.split())
        if words > _PER_UNIT_WORDS:
            return False
        token, index = _neighbour(tokens, index, -1)
    return token is not None and (
        token.kind in (Kind.NUMBER, Kind.MEASURE) or token.rule == "per_unit"
    )


def _slash(line: str, tokens: list[Token], index: int) -> None:
    token = tokens[index]
    previous, previous_index = _neighbour(tokens, index, -1)
    following, _ = _neighbour(tokens, index, 1)
    token.kind = Kind.SILENT
    if previous is None or following is None:
        return
    if (
        previous.rule == "roman"
        and is_year(line[following.start : following.end])
        and context.before(context.QUARTER, line, previous.start)
    ):
        # "Quý IV/2026", like "quý 4/2026": the quarter of a year
        token.kind, token.spoken, token.rule = Kind.WORD, "năm", "quarter"
        return
    if following.kind is not Kind.WORD:
        return
    per_unit = previous.kind is Kind.MEASURE or (
        previous.kind is Kind.WORD and _counted_before(tokens, previous_index)
    )
    if per_unit:
        unit = _PER_UNITS_FOLDED.get(line[following.start : following.end].lower())
        if unit is not None and following.rule in (None, "letter"):
            following.spoken, following.rule = unit, "unit"
        word = rates.per_word(line, previous, following, unit is not None)
        token.kind, token.spoken, token.rule = Kind.WORD, word, "per_unit"


def resolve(line: str, tokens: list[Token]) -> None:
    """Give every dash and slash of ``line`` its reading, in place."""
    for index, token in enumerate(tokens):
        if token.kind is Kind.DASH:
            _dash(tokens, index)
        elif token.kind is Kind.SLASH:
            _slash(line, tokens, index)
