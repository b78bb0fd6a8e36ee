"""Names tying schedules.yaml to the scripts, checked once both are loaded."""

from broadcast.config.references import check_script_references, scripts_without_zones
from broadcast.diagnostics import Severity
from broadcast.scripts.model import Script, ScriptKind

SCHEDULES = """
topics: {cchc: Cải cách hành chính}
zones:
  - {id: tdp-1, name: Tổ 1, output: {device: 0, channels: [1]}}
zone_groups: {toan-phuong: all}
programs:
  - id: p
    name: Bản tin
    segments:
      - script: 2026-03/tiem-chung
"""


def make(script_id: str, topic: str, zones: tuple[str, ...] | None) -> Script:
    return Script(
        id=script_id,
        source=f"scripts_vi/{script_id}.md",
        kind=ScriptKind.TEXT,
        title="t",
        body="b",
        content_hash="h",
        topic=topic,
        zones=zones,
    )


def test_missing_named_script_and_unknown_names_in_scripts(parse):
    config = parse(SCHEDULES)
    scripts = [
        make("2026-03/tiem-chung-tdp", "cchc", ("toan-phuong",)),
        make("2026-03/dat-dai", "dat-dai", ("tdp-1", "tdp-2")),
    ]
    found = check_script_references(config, scripts)
    assert [(str(d), d.severity) for d in found] == [
        (
            'schedules.yaml:10: chương trình "p": không có bài "2026-03/tiem-chung" trong '
            'scripts_vi/ (có phải "2026-03/tiem-chung-tdp"?)',
            Severity.ERROR,
        ),
        (
            'scripts_vi/2026-03/dat-dai.md: cảnh báo: khu vực "tdp-2" không có trong '
            'schedules.yaml (có phải "tdp-1"?); bài sẽ không phát ở đó',
            Severity.WARNING,
        ),
        (
            'scripts_vi/2026-03/dat-dai.md: cảnh báo: chủ đề "dat-dai" không có trong '
            "schedules.yaml; bài chỉ được chọn ở chương trình không lọc chủ đề. Các chủ đề: "
            "cchc (Cải cách hành chính)",
            Severity.WARNING,
        ),
    ]


def test_a_script_whose_every_zone_is_unknown_is_an_error_listing_the_ids(parse):
    config = parse(SCHEDULES)
    nowhere = make("2026-03/tiem-chung", "cchc", ("tdp1", "to-7"))
    assert check_script_references(config, [nowhere]) == []  # not the timetable's fault
    (error,) = scripts_without_zones(config, [nowhere])
    assert error.severity is Severity.ERROR
    assert str(error) == (
        "scripts_vi/2026-03/tiem-chung.md: không khu vực nào của bài có trong schedules.yaml "
        '("tdp1" (có phải "tdp-1"?), "to-7"): bài sẽ không được phát ở đâu. Khu vực dùng '
        "được: tdp-1; nhóm: toan-phuong"
    )
    partly = make("2026-03/dat-dai", "cchc", ("tdp-1", "to-7"))
    assert scripts_without_zones(config, [partly]) == []
    everywhere = make("2026-03/chung", "cchc", None)
    assert scripts_without_zones(config, [everywhere]) == []


def test_an_unknown_topic_suggests_the_close_one_and_lists_the_topics(parse):
    config = parse(SCHEDULES.replace("{cchc: Cải cách hành chính}", "{cchc: CCHC, y-te: Y tế}"))
    found = check_script_references(config, [make("2026-03/tiem", "yte", None)])
    (warning,) = [d for d in found if d.code == "unknown_topic"]
    assert warning.message.endswith('Có phải ý bạn là "y-te"? Các chủ đề: cchc (CCHC), y-te (Y tế)')
