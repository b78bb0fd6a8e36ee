import pytest

from broadcast.textnorm import Region, normalize
from broadcast.textnorm.numbers import REGION_WORDS, read_digits

NORTH = REGION_WORDS[Region.NORTH]


@pytest.mark.parametrize(
    ("digits", "words"),
    [
        ("0", "không"),
        ("5", "năm"),
        ("10", "mười"),
        ("11", "mười một"),
        ("14", "mười bốn"),
        ("15", "mười lăm"),
        ("20", "hai mươi"),
        ("21", "hai mươi mốt"),
        ("24", "hai mươi tư"),
        ("25", "hai mươi lăm"),
        ("100", "một trăm"),
        ("101", "một trăm linh một"),
        ("105", "một trăm linh năm"),
        ("110", "một trăm mười"),
        ("115", "một trăm mười lăm"),
        ("1000", "một nghìn"),
        ("2023", "hai nghìn không trăm hai mươi ba"),
        ("2024", "hai nghìn không trăm hai mươi tư"),
        ("10500", "mười nghìn năm trăm"),
        ("1005000", "một triệu không trăm linh năm nghìn"),
        ("1000005", "một triệu không trăm linh năm"),
        ("1050000000", "một tỷ không trăm năm mươi triệu"),
        ("1000000000000", "một nghìn tỷ"),
        ("007", "bảy"),
    ],
)
def test_cardinals(digits, words):
    assert NORTH.cardinal(digits) == words


def test_digit_strings_use_plain_names_never_mot_tu_lam():
    assert read_digits("1450") == "một bốn năm không"


@pytest.mark.parametrize(
    ("text", "north", "south"),
    [
        ("5.000 người", "năm nghìn người", "năm ngàn người"),
        ("105 hộ", "một trăm linh năm hộ", "một trăm lẻ năm hộ"),
        (
            "1.005.000 đồng",
            "một triệu không trăm linh năm nghìn đồng",
            "một triệu không trăm lẻ năm ngàn đồng",
        ),
    ],
)
def test_region_changes_only_the_regional_words(text, north, south):
    assert normalize(text) == north
    assert normalize(text, region=Region.SOUTH) == south


def test_decimals_read_phay_with_leading_zeros_kept():
    assert normalize("0,5") == "không phẩy năm"
    assert normalize("0,05") == "không phẩy không năm"
    assert normalize("3,14159") == "ba phẩy một bốn một năm chín"


def test_ordinals_and_months():
    assert normalize("lần thứ 1, thứ 4, thứ 5") == "lần thứ nhất, thứ tư, thứ năm"
    assert normalize("tháng 4 và tháng 1") == "tháng tư và tháng một"
