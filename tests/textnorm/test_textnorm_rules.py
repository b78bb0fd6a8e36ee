"""One behaviour per test, as the board would hear it."""

import pytest

from broadcast.textnorm import normalize


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("ngày 25/10/2017", "ngày hai mươi lăm tháng mười năm hai nghìn không trăm mười bảy"),
        ("hạn 5/4/2026", "hạn ngày năm tháng tư năm hai nghìn không trăm hai mươi sáu"),
        ("từ 05/04", "từ ngày năm tháng tư"),
        ("tháng 4/2026", "tháng tư năm hai nghìn không trăm hai mươi sáu"),
        ("đến 4/2026", "đến tháng tư năm hai nghìn không trăm hai mươi sáu"),
        (
            "ngày 31.12.2026",
            "ngày ba mươi mốt tháng mười hai năm hai nghìn không trăm hai mươi sáu",
        ),
    ],
)
def test_dates(text, spoken):
    assert normalize(text) == spoken


def test_impossible_dates_are_not_read_as_dates():
    assert "tháng" not in normalize("tỷ lệ 3/45")
    assert normalize("tỷ lệ 3/45") == "tỷ lệ ba phần bốn mươi lăm"


def test_fraction_words_turn_a_possible_date_into_a_fraction():
    assert normalize("chiếm 1/3 dân số") == "chiếm một phần ba dân số"
    assert normalize("1/4 số hộ") == "một phần tư số hộ"


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("6h30", "sáu giờ ba mươi"),
        ("17h", "mười bảy giờ"),
        ("17h00", "mười bảy giờ"),
        ("17:00", "mười bảy giờ"),
        ("14:30", "mười bốn giờ ba mươi"),
        ("8:05:30", "tám giờ năm phút ba mươi giây"),
    ],
)
def test_times(text, spoken):
    assert normalize(text) == spoken


def test_scores_are_not_times():
    assert normalize("tỷ số 2:1") == "tỷ số hai: một"


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("7h-9h", "bảy giờ đến chín giờ"),
        ("7h30 – 11h", "bảy giờ ba mươi đến mười một giờ"),
        ("2020-2025", "hai nghìn không trăm hai mươi đến hai nghìn không trăm hai mươi lăm"),
        ("5 - 10%", "năm đến mười phần trăm"),
        ("Thứ 2 - Thứ 6", "thứ hai đến thứ sáu"),
        ("Thứ Hai - Thứ Sáu", "thứ hai đến thứ sáu"),
        ("Thứ 2 - CN", "thứ hai đến chủ nhật"),
        ("từ thứ hai - chủ nhật", "từ thứ hai đến chủ nhật"),
    ],
)
def test_ranges_read_den(text, spoken):
    assert normalize(text) == spoken


def test_dash_between_words_is_a_pause_or_nothing():
    assert normalize("kinh tế - xã hội") == "kinh tế, xã hội"
    assert normalize("kinh tế-xã hội") == "kinh tế xã hội"
    assert normalize("- Các tổ dân phố;") == "các tổ dân phố;"


def test_minus_before_a_temperature():
    assert normalize("xuống -3°C") == "xuống âm ba độ xê"


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("50.000đ", "năm mươi nghìn đồng"),
        ("50.000 VNĐ", "năm mươi nghìn đồng"),
        ("50.000 VND", "năm mươi nghìn đồng"),
        ("50.000 đồng", "năm mươi nghìn đồng"),
        ("2 triệu đồng", "hai triệu đồng"),
        ("1,5 tỷ đồng", "một phẩy năm tỷ đồng"),
        ("50.000 đồng/người/tháng", "năm mươi nghìn đồng mỗi người mỗi tháng"),
        ("83%", "tám mươi ba phần trăm"),
        ("2,5 ha", "hai phẩy năm héc ta"),
        ("120m2", "một trăm hai mươi mét vuông"),
        ("30 m²", "ba mươi mét vuông"),
        ("25°C", "hai mươi lăm độ xê"),
        ("60km/h", "sáu mươi ki lô mét trên giờ"),
        ("5 kg", "năm ki lô gam"),
    ],
)
def test_money_percent_and_units(text, spoken):
    assert normalize(text) == spoken


def test_slash_between_plain_words_is_silent():
    assert normalize("Nam/Nữ") == "nam nữ"


def test_unit_letters_need_a_number():
    assert normalize("m") == "em"
    assert normalize("5m") == "năm mét"


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("0237.3852.123", "không hai ba bảy, ba tám năm hai, một hai ba"),
        ("0912 345 678", "không chín một hai, ba bốn năm, sáu bảy tám"),
        ("0912-345-678", "không chín một hai, ba bốn năm, sáu bảy tám"),
        ("0912345678", "không chín một hai ba bốn năm sáu bảy tám"),
        ("1800 1096", "một tám không không, một không chín sáu"),
        ("gọi 115", "gọi một một năm"),
        ("số tài khoản 105 204 1451", "số tài khoản một không năm hai không bốn một bốn năm một"),
    ],
)
def test_phone_and_identifier_digits(text, spoken):
    assert normalize(text) == spoken


def test_a_quantity_with_the_same_digits_is_a_number():
    assert normalize("có 115 hộ") == "có một trăm mười lăm hộ"


def test_long_ungrouped_digit_strings_are_identifiers():
    assert normalize("038095001234") == read("038095001234")


def read(digits):
    names = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
    return " ".join(names[int(d)] for d in digits)


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("khóa XII", "khóa mười hai"),
        ("Quý IV", "quý bốn"),
        ("Đại hội XIII", "đại hội mười ba"),
        ("Chương II", "chương hai"),
        ("lần thứ IV", "lần thứ tư"),
        ("lần thứ I", "lần thứ nhất"),
        ("thế kỷ XXI", "thế kỷ hai mươi mốt"),
    ],
)
def test_roman_numerals_in_context(text, spoken):
    assert normalize(text) == spoken


def test_capitals_without_context_are_not_roman_numerals():
    assert normalize("VI") == "vi"  # a Vietnamese syllable in capitals
    assert normalize("mã XII") == "mã ích i i"
    assert normalize("mục C") == "mục xê"  # a letter, not one hundred
    assert normalize("MIX") == "em i ích"


def test_lists_versus_decimals():
    assert normalize("mức độ 3,4") == "mức độ ba, bốn"
    assert normalize("các tổ 5,6") == "các tổ năm, sáu"
    assert normalize("mức 1,5 triệu") == "mức một phẩy năm triệu"
    assert normalize("tăng 3,4 lần") == "tăng ba phẩy bốn lần"
    assert normalize("1,2,3") == "một, hai, ba"


def test_dots_inside_numbers_versus_sentence_end():
    assert normalize("có 2.500 người.") == "có hai nghìn năm trăm người."
    assert normalize("Mục 2.1.") == "mục hai chấm một."
    assert normalize("năm 2026. Tiếp theo") == "năm hai nghìn không trăm hai mươi sáu. tiếp theo"


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        (
            "Công văn số 245/UBND-VP",
            "công văn số hai trăm bốn mươi lăm của ủy ban nhân dân văn phòng",
        ),
        (
            "Quyết định số 12/2024/QĐ-UBND",
            "quyết định số mười hai năm hai nghìn không trăm hai mươi tư của ủy ban nhân dân",
        ),
        # the type letters are the only clue when the type was not said: kept, after a pause
        ("số 18-NQ/TW", "số mười tám, nghị quyết của trung ương"),
        ("theo QĐ-UBND", "theo quyết định ủy ban nhân dân"),
    ],
)
def test_document_codes(text, spoken):
    assert normalize(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("chinhphu.vn", "chính phủ chấm vê en"),
        ("www.chinhphu.vn", "vê kép vê kép vê kép chấm chính phủ chấm vê en"),
        ("https://dichvucong.gov.vn/", "dịch vụ công chấm giê o vê chấm vê en"),
        ("abc.com", "a bê xê chấm com"),
        ("ubnd@chinhphu.vn", "ủy ban nhân dân a còng chính phủ chấm vê en"),
    ],
)
def test_addresses(text, spoken):
    assert normalize(text) == spoken


def test_sentence_dot_after_an_address_stays_a_pause():
    assert normalize("Xem chinhphu.vn.") == "xem chính phủ chấm vê en."


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("CCHC", "cải cách hành chính"),
        ("HĐND", "hội đồng nhân dân"),
        ("QĐ", "quyết định"),
        ("CTr", "chương trình"),
        ("GUQ", "giấy ủy quyền"),
        ("BHYT", "bảo hiểm y tế"),
        ("VNeID", "vê en e ai đi"),
        ("ATTP", "an toàn thực phẩm"),
        ("V/v", "về việc"),
        ("TP. Thanh Hóa", "thành phố thanh hóa"),
        ("Zalo", "da lô"),
    ],
)
def test_lexicon_abbreviations(text, spoken):
    assert normalize(text) == spoken


def test_unknown_capitals_are_spelled_with_letter_names():
    assert normalize("XKLĐ") == "ích ca e lờ đê"


def test_capitalised_headings_are_read_as_words():
    assert normalize("KẾ HOẠCH PHÁT TRIỂN") == "kế hoạch phát triển"
    # "ĐA" is also the document type đề án, but here it starts the heading word "ĐA DẠNG"
    assert normalize("ĐA DẠNG HÓA") == "đa dạng hóa"
    assert normalize("số 02/ĐA-UBND") == "số không hai, đề án của ủy ban nhân dân"


def test_symbols_are_read_or_dropped():
    assert normalize('"Một cửa" & (liên thông) nhé') == "một cửa và, liên thông, nhé"
    assert normalize("*** ### ***") == ""


def test_pauses_are_kept_and_merged():
    assert normalize("Xin chào,   bà con!!") == "xin chào, bà con!"
    assert normalize("xin ; , chào") == "xin; chào"
    assert normalize("Sân khấu hóa…") == "sân khấu hóa."


def test_lines_are_kept_one_for_one():
    text = "Dòng 1\n\n  \nDòng 4 lúc 7h\n"
    assert normalize(text) == "dòng một\n\n\ndòng bốn lúc bảy giờ\n"


def test_foreign_letters_fold_to_plain_latin():
    assert normalize("Café Müller") == "café muller"
    assert normalize("Москва") == ""


def test_a_number_after_a_phone_is_not_swallowed():
    assert normalize("gọi 0912 345 678 30 lần") == (
        "gọi không chín một hai, ba bốn năm, sáu bảy tám ba mươi lần"
    )


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        # a mobile has exactly ten digits: the "3" after it is a count, not part of the phone
        ("gọi 0912 345 678 3 lần", "gọi không chín một hai, ba bốn năm, sáu bảy tám ba lần"),
        ("Giá 5.000 đồng", "giá năm nghìn đồng"),
        ("số 0228.3.765.201", "số không hai hai tám, ba, bảy sáu năm, hai không một"),
        ("mã G12-45-7", "mã giê một hai gạch bốn năm gạch bảy"),
        ("Covid-19", "covid mười chín"),
        ("bà Lê Thị H. ở tổ 3", "bà lê thị hát. ở tổ ba"),
        ("Họp ở khu H. Sáng mai khai mạc.", "họp ở khu hát. sáng mai khai mạc."),
        ("Q. Chủ tịch", "quyền chủ tịch"),
        ("7 giờ 00 - 9 giờ 00", "bảy giờ đến chín giờ"),
        ("khóa XIV/2021", "khóa mười bốn hai nghìn không trăm hai mươi mốt"),
    ],
)
def test_misleading_reading_categories_keep_their_neighbours(text, spoken):
    assert normalize(text) == spoken
