"""Rates, factors and ratios: "5.000 đồng/bản", "2 triệu đồng/người/tháng", "x2", "×3", "2:1".

A slash that means "per" is read as an announcer reads it, not "trên":
- "mỗi" where the amount recurs for each period, turn or recipient ("20.000đ/tháng" → "mỗi
  tháng", "đồng/người" → "mỗi người", "10 phút/lượt" → "mỗi lượt", "3 cây/m2" → "mỗi mét
  vuông"): it tells the listener the amount applies again and again;
- "một" where a price is given for one item or one unit of a good ("5.000 đồng/bản" →
  "đồng một bản", "đồng/kg" → "đồng một ki lô gam"), as prices are said aloud at a market
  and on air;
- "trên" only between two units of measure, which together are one unit ("km/h" → "ki lô
  mét trên giờ", "m3/s").
"x2" or "×3" with no number before it is a factor of increase, "gấp hai" ("tăng x2"); between
two numbers the sign is "nhân" (tokenizer). Two numbers joined by ":" that cannot be a time
("2:1", "1:500"), or any after "tỷ lệ", are a ratio, "hai trên một"; after "tỷ số" (a score)
they stay two numbers.
"""

from __future__ import annotations

import re

from broadcast.textnorm import context
from broadcast.textnorm.tokens import Env, Kind, Token

# What recurs: periods, turns, and the people or units an amount is given to or asked of.
_EACH = frozenset(
    {
        "ngày", "đêm", "tuần", "tháng", "quý", "năm", "giờ", "phút", "giây", "buổi", "ca",
        "kỳ", "kì", "đợt", "vụ", "lần", "lượt", "chuyến", "người", "hộ", "khẩu", "em",
        "cháu", "trẻ", "thôn", "xóm", "tổ", "khu", "lớp", "trường", "xã", "phường",
        "nhân khẩu", "gia đình", "học sinh", "sinh viên", "lao động", "hội viên",
        "đảng viên", "đoàn viên", "thành viên", "cán bộ", "công nhân", "đơn vị", "cơ sở",
    }
)  # fmt: skip
_NEXT_WORDS = re.compile(r"([^\W\d_]+)(?: ([^\W\d_]+))?")
# Words an amount of money ends with ("5.000 đồng", "15k", "2 triệu", "10 USD").
_MONEY_ENDS = ("đồng", "nghìn", "ngàn", "triệu", "tỷ", "đô la", "đô la mỹ", "ơ rô", "rưỡi")
_TIME_UNITS = frozenset({"giờ", "phút", "giây"})

# "tỷ số 2:1" is a score, read as the two numbers it has always been.
_SCORE = re.compile(r"(?i:\bt[ỷỉ] số)\s*$")
_TIMES_SAID = re.compile(r"(?i:(?<![^\W\d_])(?:gấp|nhân))\s*$")  # "tăng gấp x2": said already
FACTOR = r"(?<![\w.,])[x×](?P<times>\d+(?:,\d+)?)(?![\w]|[.,]\d)"
# Not a time: the second number is not two digits ("2:1", "1:500", a map's "1:2.000"); right
# after "tỷ lệ" ("tỷ lệ 1:10", "tỷ lệ: 1:10") even a time's shape is a ratio.
RATIO = (
    r"(?<![\d.,/:])(?:(?:(?<=[lL][ệỆ] )|(?<=[lL][ệỆ]: ))(?P<r1>\d+):(?P<r2>\d+)"
    r"|(?P<r3>\d+):(?P<r4>\d{1,3}(?:\.\d{3})+|\d|\d{3,}))(?![\d]|[:.,]\d)"
)


def per_word(line: str, previous: Token, following: Token, following_unit: bool) -> str:
    """How the "/" between ``previous`` and ``following`` is read (see the module's rules);
    ``following_unit``: what follows is written as a unit of measure ("kg", "h", "m2")."""
    words = _NEXT_WORDS.match(line, following.start)
    first, second = (words.group(1).lower(), words.group(2)) if words else ("", None)
    compound = following_unit or first in _TIME_UNITS
    if previous.kind is Kind.MEASURE and previous.rule == "unit" and compound:
        return "trên"
    pair = f"{first} {second.lower()}" if second else ""
    if not following_unit and (first in _EACH or pair in _EACH):
        return "mỗi"
    return "một" if previous.spoken.endswith(_MONEY_ENDS) else "mỗi"


def factor(line: str, match: re.Match[str], env: Env) -> Token:
    """ "x2", "×3" with no number before: a factor of increase, "gấp hai"."""
    whole, _, fraction = match.group("times").partition(",")
    amount = env.numbers.decimal(whole, fraction) if fraction else env.numbers.cardinal(whole)
    said = context.before(_TIMES_SAID, line, match.start())
    spoken = amount if said else f"gấp {amount}"
    return Token(match.start(), match.end(), Kind.NUMBER, spoken, "factor")


def ratio(line: str, match: re.Match[str], env: Env) -> Token | None:
    """ "2:1", "1:500", "tỷ lệ 1:10": a ratio; a score ("tỷ số 2:1") declines."""
    if context.before(_SCORE, line, match.start()):
        return None
    first, second = match.group("r1", "r2") if match.group("r1") else match.group("r3", "r4")
    second = second.replace(".", "")  # "1:2.000": thousands
    spoken = f"{env.numbers.cardinal(first)} trên {env.numbers.cardinal(second)}"
    return Token(match.start(), match.end(), Kind.NUMBER, spoken, "ratio")
