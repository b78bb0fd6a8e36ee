"""Words around a token that decide how it is read ("thứ 2", "tháng 4", "mức độ 3,4").

Each pattern is searched at the end of the text before the token, so the context word is
read as itself and only the token is rewritten.
"""

from __future__ import annotations

import re

_WINDOW = 60  # characters looked back; longer than any context phrase


def _ending(words: str, tail: str = "") -> re.Pattern[str]:
    return re.compile(rf"(?i:\b(?:{words}))(?:\s+số)?[\s:.]*{tail}$")


ORDINAL = re.compile(r"(?i:\bthứ)\s*$")
MONTH = re.compile(r"(?i:\btháng)\s*$")
QUARTER = re.compile(r"(?i:\bquý)\s*$")
DAY = re.compile(r"(?i:\bngày)\s*$")
CODE_NUMBER = re.compile(r"(?i:\bsố)\s*:?\s*$")
# Numbers after these name levels, groups or items, so "3,4" is the list "ba, bốn".
LIST = _ending(
    "mức độ|mức|cấp độ|cấp|loại|nhóm|lớp|khối|tầng|điều|khoản|điểm|chương|mục|phần|quý|tổ|"
    "khu phố|khu|thôn|xóm|ấp|đội|phòng|bước|đợt|tuần|tháng|dãy|lô|phường"
)
# Numbers after these are identifiers read digit by digit (phones, accounts, ID cards).
DIGITS = _ending(
    "điện thoại|đt|sđt|hotline|đường dây nóng|tổng đài|gọi|gọi ngay|gọi đến|gọi tới|liên hệ|"
    "tài khoản|stk|mã số thuế|mst|mã số|mã hồ sơ|mã|cccd|cmnd|căn cước|căn cước công dân|"
    "định danh|biển số|biển kiểm soát|fax|zalo|số hiệu|seri|otp",
    tail=r"(?:\d+[ .-])*",  # later groups of "số tài khoản 105 204 1451"
)
# "chiếm 1/3" and "1/3 số hộ" are fractions; a bare "2/9" in a notice is a date.
FRACTION_BEFORE = _ending("chiếm|khoảng|gần|hơn|bằng|đạt|còn|tới|trên|dưới|được")
FRACTION_AFTER = re.compile(r"\s+(?i:số|diện tích|dân số|tổng|lượng|trong số)\b")
# A slash after these joins a house number to its lane or alley ("ngõ 52/18"), never a date.
ADDRESS = _ending("số nhà|nhà số|ngõ|ngách|hẻm|kiệt|địa chỉ")
# "9/9 tổ", "4/4 cụm loa": a count of a total, unless a date word comes first ("từ 1/7 hộ…").
TALLY_AFTER = re.compile(
    r"\s+(?i:tổ(?!\s+chức)|cụm|khu phố|thôn|xóm|hộ|trường|đơn vị|điểm|"
    r"chỉ tiêu|tiêu chí|nội dung|hồ sơ|loa|thành viên|lượt|cơ quan|trạm)(?![^\W\d_])"
)
DATE_BEFORE = _ending("ngày|từ|đến|tới|trước|sau|vào|hết|hạn|hôm|sáng|trưa|chiều|tối|đêm")
# Roman numerals are numbers only after these words ("khóa XII", "lần thứ IV").
ROMAN = _ending(
    "khóa|khoá|quý|đại hội|chương|phần|mục|lần thứ|thứ|thế kỷ|thế kỉ|kỳ họp|kì họp|kỳ|kì|đợt|"
    "giai đoạn|tập|hạng|phụ lục|nhóm|hội nghị|phiên|quyển|tiểu mục|điều"
)
LINE_START = re.compile(r"^[\s\-–•*]*$")
# A decimal comma, not a list, when a magnitude, unit or money follows ("mức 1,5 triệu").
QUANTITY_AFTER = re.compile(
    r"\s*(?i:nghìn|ngàn|triệu|tỷ|tỉ|đồng|lần|độ|tuổi|giờ|người|hộ|tấn|tạ|lít|"
    r"mét|héc ta|ki lô|phần trăm)(?![^\W\d_])"
)


def before(pattern: re.Pattern[str], line: str, start: int) -> bool:
    """Whether the text just before ``start`` ends with ``pattern``."""
    return pattern.search(line, max(0, start - _WINDOW), start) is not None


def after(pattern: re.Pattern[str], line: str, end: int) -> bool:
    """Whether the text from ``end`` starts with ``pattern``."""
    return pattern.match(line, end) is not None
