"""The ``report:`` section: the ward's identity on its period report, checked line by line."""

import os

from broadcast.config import load_config
from broadcast.config.report import PlanItem, Signer
from broadcast.paths import ProjectPaths

TOPICS = """\
topics:
  cchc: Cải cách hành chính
  dvc: Dịch vụ công trực tuyến
"""
REPORT = """\
report:
  issuing_body: ỦY BAN NHÂN DÂN PHƯỜNG LONG ANH
  ward_name: phường Long Anh
  place: Long Anh
  prepared_by: Công chức Văn phòng - Thống kê
  signer: {authority: [TM. ỦY BAN NHÂN DÂN, CHỦ TỊCH], name: Lê Văn Chiến}
  recipients: [UBND Thành phố (b/c), "Lưu: VP"]
"""


def test_the_sample_file_carries_long_anh_ward_and_the_plan_items():
    config = load_config(ProjectPaths.resolve(os.path.dirname(__file__) + "/../.."))
    report = config.report
    assert report is not None and config.warnings == ()
    assert report.issuing_body == "ỦY BAN NHÂN DÂN PHƯỜNG LONG ANH"
    assert report.signer == Signer(("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), "Lê Văn Chiến")
    assert report.recipients[0] == "UBND Thành phố (b/c)"
    assert report.recipients[-1] == "Lưu: VP"
    assert [item.mark for item in report.plan_items] == ["a", "b", "c", "d", "đ"]
    assert report.plan_item("dvc-truc-tuyen").mark == "c"
    assert report.plan_item("thong-bao") is None  # the ward's notices belong to no item


def test_a_full_section_is_read_in_order(parse):
    config = parse(
        TOPICS
        + REPORT
        + """\
  superior_body: UBND THÀNH PHỐ
  number_pattern: "{number}/BC-VP"
  plan_items:
    a: {title: Tầm quan trọng của CCHC, topics: [cchc]}
    đ: {title: Quyền và nghĩa vụ, topics: [dvc]}
"""
    )
    report = config.report
    assert (report.superior_body, report.number_pattern) == ("UBND THÀNH PHỐ", "{number}/BC-VP")
    assert report.plan_items == (
        PlanItem("a", "Tầm quan trọng của CCHC", ("cchc",)),
        PlanItem("đ", "Quyền và nghĩa vụ", ("dvc",)),
    )
    assert report.recipients == ("UBND Thành phố (b/c)", "Lưu: VP")


def test_without_the_section_there_is_no_identity(parse):
    assert parse(TOPICS).report is None


def test_every_mistake_in_the_section_is_named_with_its_line(problems):
    text = TOPICS + REPORT.replace("  place: Long Anh\n", "")
    # the section's first line: where the missing key belongs
    assert problems(text) == [(5, "missing_key", 'report thiếu khóa "place"')]
    text = TOPICS + REPORT.replace("name: Lê Văn Chiến", "nam: X")
    assert problems(text) == [
        (9, "missing_key", 'report.signer thiếu khóa "name"'),
        (9, "unknown_key", 'khóa "nam" không được biết tới, sẽ bị bỏ qua (có phải "name"?)'),
    ]
    text = (
        TOPICS
        + REPORT
        + """\
  number_pattern: "BC-UBND"
"""
    )
    assert problems(text) == [
        (
            11,
            "bad_number_pattern",
            'report.number_pattern "BC-UBND" thiếu {number} (chỗ điền số văn bản), '
            'ví dụ "{number}/BC-UBND"',
        )
    ]
    text = (
        TOPICS
        + REPORT
        + """\
  plan_items:
    a: {title: Tầm quan trọng, topics: [cchh]}
    b: {title: Kết quả, topics: [cchc]}
    c: {title: Thủ tục, topics: [cchc]}
    d: {topics: [dvc]}
  signed_by: x
"""
    )
    assert problems(text) == [
        (12, "unknown_topic", 'mục a): chủ đề "cchh" không có trong topics (có phải "cchc"?)'),
        (
            14,
            "topic_in_two_items",
            'mục c): chủ đề "cchc" đã thuộc mục b); mỗi chủ đề chỉ thuộc một mục',
        ),
        (15, "missing_key", 'mục d) thiếu khóa "title"'),
        (
            16,
            "unknown_key",
            'khóa "signed_by" không được biết tới, sẽ bị bỏ qua (có phải "signer"?)',
        ),
    ]


def test_a_pattern_with_another_field_is_refused(problems):
    assert problems(TOPICS + REPORT + '  number_pattern: "{so}/BC-UBND"\n') == [
        (
            11,
            "bad_number_pattern",
            'report.number_pattern "{so}/BC-UBND" không hợp lệ; chỉ dùng {number} cho số văn '
            'bản, ví dụ "{number}/BC-UBND"',
        )
    ]
