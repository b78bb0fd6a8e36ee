"""Legal citations, issuing bodies and document numbers, read as an announcer reads them."""

import pytest

from broadcast.textnorm import Lexicon, explain, normalize
from tests.textnorm.spelled import unknown_abbreviations


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        # the type letters repeat the word just said: not read again, the body after "của"
        ("Kế hoạch số 45/KH-UBND", "kế hoạch số bốn mươi lăm của ủy ban nhân dân"),
        ("QUYẾT ĐỊNH SỐ 7/QĐ-UBND", "quyết định số bảy của ủy ban nhân dân"),
        # "số" is said when the text left it out, the year part is "năm …"
        (
            "Nghị định 30/2020/NĐ-CP",
            "nghị định số ba mươi năm hai nghìn không trăm hai mươi của chính phủ",
        ),
        (
            "Thông tư 78/2021/TT-BTC",
            "thông tư số bảy mươi tám năm hai nghìn không trăm hai mươi mốt của bộ tài chính",
        ),
        ("Nghị quyết 18-NQ/TW", "nghị quyết số mười tám của trung ương"),
        ("Kết luận số 01-KL/TU", "kết luận số không một của tỉnh ủy"),
        # the type not said: its letters are the only clue, kept after a pause
        ("số 12/QĐ-UBND", "số mười hai, quyết định của ủy ban nhân dân"),
        ("văn bản số 3/TB-UBND", "văn bản số ba, thông báo của ủy ban nhân dân"),
        # the text names the issuer right after: the body letters are not read twice
        (
            "Quyết định số 06/QĐ-TTg của Thủ tướng Chính phủ",
            "quyết định số không sáu của thủ tướng chính phủ",
        ),
        ("Quyết định 06/QĐ-TTg", "quyết định số không sáu của thủ tướng chính phủ"),
        # joint documents are issued by several bodies together
        (
            "Thông tư liên tịch số 5/2015/TTLT-BTC-BNV",
            "thông tư liên tịch số năm năm hai nghìn không trăm mười lăm "
            "của bộ tài chính và bộ nội vụ",
        ),
        # an official letter's code names its body and drafting unit, no type
        (
            "Công văn số 245/UBND-VP",
            "công văn số hai trăm bốn mươi lăm của ủy ban nhân dân văn phòng",
        ),
        ("Thứ 2-CN", "thứ hai đến chủ nhật"),
    ],
)
def test_citations_read_as_an_announcer_does(text, spoken):
    assert normalize(text) == spoken


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("VPCP", "văn phòng chính phủ"),
        ("BCA", "bộ công an"),
        ("BNV", "bộ nội vụ"),
        ("BTTTT", "bộ thông tin và truyền thông"),
        ("BYT", "bộ y tế"),
        ("BGDĐT", "bộ giáo dục và đào tạo"),
        ("TU", "tỉnh ủy"),
        ("HU", "huyện ủy"),
        ("ĐU", "đảng ủy"),
        ("UBND", "ủy ban nhân dân"),
        ("HĐND", "hội đồng nhân dân"),
        ("MTTQ", "mặt trận tổ quốc"),
        ("TW", "trung ương"),
    ],
)
def test_issuing_bodies_are_read_by_name(text, spoken):
    assert normalize(f"theo chỉ đạo của {text}.") == f"theo chỉ đạo của {spoken}."


def test_btc_is_the_ministry_in_a_citation_and_the_organising_committee_alone():
    assert normalize("Thông tư 78/2021/TT-BTC") == (
        "thông tư số bảy mươi tám năm hai nghìn không trăm hai mươi mốt của bộ tài chính"
    )
    assert normalize("BTC giải chạy thông báo") == "ban tổ chức giải chạy thông báo"


def test_a_heading_word_is_still_a_word():
    # "TU" is the province's party committee, but in a capitalised heading it is a syllable
    assert normalize("TU BỔ NHÀ VĂN HÓA") == "tu bổ nhà văn hóa"
    assert normalize("Kế hoạch tu bổ của TU") == "kế hoạch tu bổ của tỉnh ủy"


def test_the_board_can_read_an_issuer_its_own_way():
    lexicon = Lexicon({"TU": "thành ủy"})
    assert normalize("Kết luận 5-KL/TU", lexicon) == "kết luận số năm của thành ủy"


def test_unknown_letters_in_a_citation_are_spelled_and_reported():
    text = "Công văn số 9/XYZW-UBND"
    assert normalize(text) == "công văn số chín của ích i dài dét vê kép ủy ban nhân dân"
    assert unknown_abbreviations(text) == ["XYZW"]


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("Đề án 06", "đề án không sáu"),
        ("Chỉ thị 05-CT/TW", "chỉ thị số không năm của trung ương"),
        ("Theo Quyết định số 01 ngày 2/1", "theo quyết định số không một ngày hai tháng một"),
        ("Kế hoạch: 09", "kế hoạch: không chín"),
        # quantities keep their reading
        ("Có 05 hộ", "có năm hộ"),
        ("tổ 06", "tổ sáu"),
        ("Đề án 6", "đề án sáu"),
    ],
)
def test_leading_zeros_are_read_in_document_numbers_only(text, spoken):
    assert normalize(text) == spoken


def test_explain_names_citation_and_document_number_rules():
    rewrites = explain("Kế hoạch số 45/KH-UBND về Đề án 06")
    found = {(r.original, r.rule) for r in rewrites}
    assert ("45/KH-UBND", "citation") in found
    assert ("06", "document_number") in found
    assert all(r.description for r in rewrites)


def test_an_issuer_named_after_the_date_is_not_said_twice():
    """The body letters were read, then the issuer after the date again ("của ủy ban nhân dân
    ngày … của ủy ban nhân dân phường")."""
    assert normalize("Kế hoạch số 45/KH-UBND ngày 12/3/2026 của UBND phường") == (
        "kế hoạch số bốn mươi lăm ngày mười hai tháng ba năm hai nghìn không trăm hai mươi sáu "
        "của ủy ban nhân dân phường"
    )
