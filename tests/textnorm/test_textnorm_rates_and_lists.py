"""Money shorthand, "per" slashes, factors and ratios, a dash that opens a title, list markers
and the civil-service abbreviations: how a listener hears them (issue 15, second slice)."""

import pytest

from broadcast.textnorm import Lexicon, Region, explain, normalize


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("hỗ trợ 2tr5", "hỗ trợ hai triệu rưỡi"),
        ("hỗ trợ 2tr", "hỗ trợ hai triệu"),
        ("hỗ trợ 1tr2", "hỗ trợ một triệu hai trăm nghìn"),
        ("hỗ trợ 2tr05", "hỗ trợ hai triệu không trăm năm mươi nghìn"),
        ("hỗ trợ 5 tr đồng", "hỗ trợ năm triệu đồng"),
        ("hỗ trợ 1,5tr", "hỗ trợ một phẩy năm triệu"),
        ("giá 300k", "giá ba trăm nghìn"),
        ("giá 300K", "giá ba trăm nghìn"),
        # a capital K after one digit is the health ministry's message, a generation "2K7"
        ("thông điệp 5K", "thông điệp năm ca"),
        ("các em 2K7", "các em hai ca bảy"),
        ("có 5 trẻ em", "có năm trẻ em"),
    ],
)
def test_money_shorthand_reads_the_whole_amount(text, spoken):
    assert normalize(text) == spoken


def test_money_shorthand_uses_the_region_s_thousand():
    assert normalize("300k, 1tr2", region=Region.SOUTH) == ("ba trăm ngàn, một triệu hai trăm ngàn")


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        # a price of one item or one unit of a good: "một"
        ("5.000 đồng/bản", "năm nghìn đồng một bản"),
        ("25.000 đồng/kg", "hai mươi lăm nghìn đồng một ki lô gam"),
        ("30.000 đồng/suất", "ba mươi nghìn đồng một suất"),
        # what recurs for each period, turn or recipient: "mỗi"
        ("20.000đ/tháng", "hai mươi nghìn đồng mỗi tháng"),
        ("2 triệu đồng/người/tháng", "hai triệu đồng mỗi người mỗi tháng"),
        ("30.000 đồng/học sinh", "ba mươi nghìn đồng mỗi học sinh"),
        ("10 phút/lượt", "mười phút mỗi lượt"),
        ("15 kg/người", "mười lăm ki lô gam mỗi người"),
        ("3 cây/m2", "ba cây mỗi mét vuông"),
        ("2tr5/hộ", "hai triệu rưỡi mỗi hộ"),
        # two units of measure make one unit: "trên"
        ("40 km/h", "bốn mươi ki lô mét trên giờ"),
        ("60 km/giờ", "sáu mươi ki lô mét trên giờ"),
    ],
)
def test_a_per_slash_is_read_as_an_announcer_says_it(text, spoken):
    assert normalize(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("tăng x2", "tăng gấp hai"),
        ("tăng ×3", "tăng gấp ba"),
        ("tăng x1,5", "tăng gấp một phẩy năm"),
        ("rộng 6 x 8 m", "rộng sáu nhân tám mét"),
        ("ảnh 3x4", "ảnh ba nhân bốn"),
    ],
)
def test_a_factor_is_gap_and_a_product_is_nhan(text, spoken):
    assert normalize(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("tỷ lệ 2:1", "tỷ lệ hai trên một"),
        ("bản đồ 1:500", "bản đồ một trên năm trăm"),
        ("tỷ lệ 1:2.000", "tỷ lệ một trên hai nghìn"),
        ("theo tỷ lệ 1:10", "theo tỷ lệ một trên mười"),
        ("lúc 7:30", "lúc bảy giờ ba mươi"),
        ("lúc 8:05:30", "lúc tám giờ năm phút ba mươi giây"),
        ("tỷ số 2:1", "tỷ số hai: một"),
    ],
)
def test_ratios_are_tren_and_times_and_scores_stay(text, spoken):
    assert normalize(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        (
            "Ngày 20/11 - Ngày Nhà giáo Việt Nam",
            "ngày hai mươi tháng mười một, ngày nhà giáo việt nam",
        ),
        ("02/9 – Quốc khánh", "ngày hai tháng chín, quốc khánh"),
        (
            "từ ngày 20/11 - ngày 25/11",
            "từ ngày hai mươi tháng mười một đến ngày hai mươi lăm tháng mười một",
        ),
        (
            "từ 20/11 - 25/11",
            "từ ngày hai mươi tháng mười một đến ngày hai mươi lăm tháng mười một",
        ),
        (
            "Thứ Hai 20/11 - Thứ Sáu 24/11",
            "thứ hai ngày hai mươi tháng mười một đến thứ sáu ngày hai mươi tư tháng mười một",
        ),
    ],
)
def test_a_dash_after_a_date_opens_a_title_or_ends_a_range(text, spoken):
    assert normalize(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("a) Đối tượng", "a, đối tượng"),
        ("b) Phạm vi", "bê, phạm vi"),
        ("đ) Hồ sơ", "đê, hồ sơ"),
        ("y) Khác", "i dài, khác"),
        ("1) Nộp hồ sơ", "một, nộp hồ sơ"),
        ("- c) Gạch đầu dòng", "xê, gạch đầu dòng"),
        ("gồm: a) tờ khai; b) ảnh", "gồm: a, tờ khai; bê, ảnh"),
        # Roman numbered headings stay numbers
        ("II) Nội dung", "hai, nội dung"),
    ],
)
def test_list_markers_are_the_letter_s_name_then_a_pause(text, spoken):
    assert normalize(text) == spoken


def test_a_letter_in_brackets_mid_sentence_is_no_list_marker():
    rewrites = explain("xem điểm a) khoản 1; a) Đối tượng")
    markers = [(r.original, r.column) for r in rewrites if r.rule == "list_marker"]
    assert markers == [("a", 22)]  # the second "a", after ";", not the one after "điểm"


def test_civil_service_abbreviations_and_app_names():
    assert normalize("CB, CC, VC và NLĐ") == "cán bộ, công chức, viên chức và người lao động"
    assert normalize("ĐV, HS, SV, CCB") == "đảng viên, học sinh, sinh viên, cựu chiến binh"
    assert normalize("online qua app VNeID, iHanoi, Zalo") == (
        "on lai qua áp vê en e ai đi, ai hà nội, da lô"
    )
    assert normalize("gửi link, livestream") == "gửi lin, lai trim"


def test_a_ward_that_means_chung_cu_overrides_cc():
    assert normalize("khu CC Hoàng Mai", Lexicon({"CC": "chung cư"})) == "khu chung cư hoàng mai"


def test_explain_names_each_rule_of_this_slice_in_vietnamese():
    text = (
        "Hỗ trợ 2tr5/tháng, 300K/suất, tăng x2, tỷ lệ 2:1.\n"
        "Ngày 20/11 - Ngày Nhà giáo Việt Nam\n"
        "a) CB, CC, VC"
    )
    rewrites = {(r.original, r.rule): r for r in explain(text)}
    assert rewrites[("2tr5", "money_shorthand")].spoken == "hai triệu rưỡi"
    assert rewrites[("300K", "money_shorthand")].spoken == "ba trăm nghìn"
    assert [r.spoken for r in explain(text) if r.rule == "per_unit"] == ["mỗi", "một"]
    assert rewrites[("x2", "factor")].spoken == "gấp hai"
    assert rewrites[("2:1", "ratio")].spoken == "hai trên một"
    dash = rewrites[("-", "title_dash")]
    assert (dash.line, dash.spoken) == (2, ",")
    assert "không đọc là đến" in dash.description
    assert rewrites[("a", "list_marker")].line == 3
    assert rewrites[("CC", "abbreviation")].spoken == "công chức"
    assert all(r.description for r in explain(text))


def test_a_factor_after_gap_or_nhan_is_not_said_twice():
    """ "tăng gấp x2" was read "tăng gấp gấp hai"."""
    assert normalize("Thu nhập tăng gấp x2 so với năm trước") == (
        "thu nhập tăng gấp hai so với năm trước"
    )
    assert normalize("nhân ×3") == "nhân ba"
    assert normalize("Sản lượng x2") == "sản lượng gấp hai"
