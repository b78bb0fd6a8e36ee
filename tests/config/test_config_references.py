"""Names tying schedules.yaml to the scripts, checked once both are loaded."""

from broadcast.config.references import check_script_references
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
            "schedules.yaml; bài chỉ được chọn ở chương trình không lọc chủ đề",
            Severity.WARNING,
        ),
    ]
