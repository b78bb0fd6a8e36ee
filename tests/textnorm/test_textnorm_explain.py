from broadcast.textnorm import (
    Rewrite,
    SpokenSegment,
    explain,
    normalize,
    spoken_segments,
)
from tests.textnorm.spelled import unknown_abbreviations


def test_explain_lists_each_rewrite_with_line_column_and_rule():
    text = "Kính thưa bà con!\nHọp lúc 7h30, ngày 5/4 tại UBND."
    rewrites = explain(text)
    assert [(r.line, r.column, r.original, r.spoken, r.rule) for r in rewrites] == [
        (2, 9, "7h30", "bảy giờ ba mươi", "time"),
        (2, 20, "5/4", "năm tháng tư", "date"),
        (2, 28, "UBND", "ủy ban nhân dân", "abbreviation"),
    ]
    assert all(isinstance(r, Rewrite) and r.description for r in rewrites)


def test_explain_describes_rules_in_vietnamese_and_serializes():
    (rewrite,) = explain("XKLĐ")
    assert rewrite.rule == "spelled"
    assert "chưa có trong từ điển" in rewrite.description
    assert rewrite.to_json()["spoken"] == "ích ca e lờ đê"


def test_explain_shows_range_and_per_unit_readings():
    rules = [(r.original, r.rule) for r in explain("7h-9h, 5.000đ/kg")]
    assert ("-", "range") in rules
    assert ("/", "per_unit") in rules


def test_segments_join_to_the_normalized_text():
    text = "Lệ phí 50.000 đồng/người, nộp trước 17h ngày 31/12/2026.\nGọi 0912 345 678!"
    segments = spoken_segments(text)
    assert "".join(s.text for s in segments) == normalize(text)


def test_words_of_one_number_stay_in_one_segment():
    segments = spoken_segments("Thu 46.350.000 đồng vào 31/12/2026 nhé")
    kept = [s.text for s in segments if s.keep_together]
    assert "bốn mươi sáu triệu ba trăm năm mươi nghìn" in kept
    assert "ngày ba mươi mốt tháng mười hai năm hai nghìn không trăm hai mươi sáu" in kept
    assert SpokenSegment(" đồng vào ", False) in segments


def test_unknown_abbreviations_lists_each_once_in_order():
    text = "XKLĐ và UBND, rồi PTTH, lại XKLĐ; văn bản 12/QĐ-ABCD; KẾ HOẠCH"
    assert unknown_abbreviations(text) == ["XKLĐ", "PTTH", "ABCD"]


def test_explain_names_the_rule_of_each_misleading_reading_category():
    text = (
        "Gọi (0228) 3 765 201, mã hồ sơ G12.456-251103-0042, tại P. Đông Vệ,\n"
        "họp 17 giờ 00, xong trong Quý IV/2026, quét mã QR."
    )
    rules = {(r.original, r.rule): r.spoken for r in explain(text)}
    phone = "không hai hai tám, ba, bảy sáu năm, hai không một"
    assert rules[("(0228) 3 765 201", "phone")] == phone
    assert "gạch" in rules[("G12.456-251103-0042", "file_code")]
    assert rules[("P.", "place")] == "phường"
    assert rules[("17 giờ 00", "time")] == "mười bảy giờ"
    assert rules[("/", "quarter")] == "năm"
    assert rules[("QR", "abbreviation")] == "quy a"
    assert all(r.description for r in explain(text))


def test_explain_says_why_a_slash_is_not_a_date():
    text = "Ngõ 52/18, số 5B/9: 9/9 tổ đã họp, ô đất 45/12, đạt ½; họp ngày 27/4."
    rewrites = {r.original: r for r in explain(text)}
    assert (rewrites["52/18"].rule, rewrites["52/18"].spoken) == (
        "address",
        "năm mươi hai xuyệt mười tám",
    )
    assert rewrites["5B/9"].rule == "address"
    assert (rewrites["9/9"].rule, rewrites["9/9"].spoken) == ("tally", "chín trên chín")
    assert rewrites["45/12"].rule == "over"
    assert rewrites["½"].spoken == "một nửa"
    assert rewrites["27/4"].rule == "date"
    assert all("ngày tháng" in rewrites[k].description for k in ("52/18", "9/9", "45/12"))
