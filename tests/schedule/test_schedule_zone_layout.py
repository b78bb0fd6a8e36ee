"""Scripts for some zones in a program for more: no zone waits in silence mid-program, the
shared bulletin is the same and in step on every zone, and silence that must remain is warned
(``broadcast/schedule/layout.py`` gives the rule)."""

import json
import re
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest

from broadcast.cli import main
from broadcast.config.model import SegmentKind
from broadcast.paths import ProjectPaths
from broadcast.schedule import plan_range
from broadcast.scripts import load_folder
from broadcast.scripts.model import Priority

REPOSITORY = Path(__file__).resolve().parents[2]
MONDAY = date(2026, 3, 2)


def heard(item) -> dict[str, list[tuple[float, float, str]]]:
    """Each zone's segments as (start, end, what), in time order: what a listener there hears."""
    zones: dict[str, list[tuple[float, float, str]]] = {}
    for s in sorted(item["segments"], key=lambda s: s["offset_seconds"]):
        for zone in s["zones"]:
            what = s["script_id"] or s["file"] or s["kind"]
            end = s["offset_seconds"] + s["duration_seconds"]
            zones.setdefault(zone, []).append((s["offset_seconds"], end, what))
    return zones


def gaps(item) -> dict[str, float]:
    """The longest wait of each zone between two of its segments, in seconds."""
    return {
        zone: max((b[0] - a[1] for a, b in pairwise(line)), default=0.0)
        for zone, line in heard(item).items()
    }


def test_the_sample_plan_leaves_no_zone_silent_mid_program(tmp_path, capsys):
    """The sample's tiêm chủng notice for tổ dân phố 2 came second: three zones waited 1:41."""
    home = ["--home", str(REPOSITORY), "--data", str(tmp_path)]
    # The sample airs only what its board approved (approval: required): approve it all, in
    # this test's own log, as the ward's head of the board would.
    sample = [script.id for script in load_folder(ProjectPaths(REPOSITORY)).scripts]
    assert main([*home, "approve", *sample, "--by", "Lê Văn Chiến"]) == 0
    capsys.readouterr()
    assert main([*home, "plan", "--from", "30/11/2026", "--days", "5", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["items"] and not plan["left_out"]
    assert not [w for w in plan["warnings"] if w["code"] == "zone_silence"]
    notice = "2026-12/tiem-chung-mo-rong-tdp-2"
    for item in plan["items"]:
        assert all(gap < 0.5 for gap in gaps(item).values()), item["id"]
        lines = heard(item)
        # Same bulletin, at the same second, on every street; the notice after it on tdp-2.
        assert all(lines[zone] == lines["trung-tam"] for zone in ("tdp-1", "tdp-3"))
        assert lines["tdp-2"][:-1] == lines["trung-tam"]
        assert lines["tdp-2"][-1][2] == notice
        assert lines["tdp-2"][-1][0] == pytest.approx(
            lines["trung-tam"][-1][1], abs=0.2
        )  # each figure rounded to 0.1 s
        assert item["duration_seconds"] == pytest.approx(
            lines["tdp-2"][-1][1], abs=0.2
        )  # each figure rounded to 0.1 s


def test_scripts_for_different_zones_play_side_by_side_after_the_shared_part(
    make_config, make_script, tmp_path
):
    (tmp_path / "media" / "ket.mp3").write_bytes(b"x")
    config = make_config(
        """
programs:
  - {id: p, name: Bản tin, segments: [chime, scripts: {}, outro: ket.mp3]}
slots:
  - {id: s, name: Sáng, times: ["06:00"], program: p, zones: [toan-phuong], max_minutes: 10}
"""
    )
    scripts = [
        make_script("a", 60),
        make_script("b", 60),
        make_script("chi-tdp-1", 90, priority=Priority.PRIORITY, zones=("tdp-1",)),
        make_script("chi-tdp-2", 30, zones=("tdp-2",)),
    ]
    durations = {"chime": 8, "media/ket.mp3": 5}
    plan = plan_range(config, scripts, MONDAY, durations=durations)
    (item,) = plan.items
    laid = [(s.offset_seconds, s.script_id or s.kind.value, s.zones) for s in item.segments]
    everywhere = ("trung-tam", "tdp-1", "tdp-2")
    assert laid == [
        (0, "chime", everywhere),
        (8, "a", everywhere),  # the priority script for tdp-1 no longer cuts the bulletin
        (68, "b", everywhere),
        (128, "chi-tdp-1", ("tdp-1",)),
        (128, "chi-tdp-2", ("tdp-2",)),
        (128, "outro", ("trung-tam",)),  # each zone's program ends after its own last item
        (158, "outro", ("tdp-2",)),
        (218, "outro", ("tdp-1",)),
    ]
    assert item.duration_seconds == 223
    assert not [w for w in plan.warnings if w.code == "zone_silence"]


def test_emergencies_for_different_zones_in_quiet_hours_air_at_once(make_config, make_script):
    config = make_config(
        """
programs:
  - {id: p, name: Bản tin, segments: [chime, scripts: {}]}
slots:
  - {id: dem, name: Đêm, times: ["22:00"], program: p, zones: [toan-phuong], max_minutes: 10}
quiet_hours: {from: "21:30", until: "05:00"}
"""
    )
    scripts = [
        make_script("lu", 60, priority=Priority.EMERGENCY, zones=("tdp-1",)),
        make_script("chay", 40, priority=Priority.EMERGENCY, zones=("tdp-2",)),
    ]
    (item,) = plan_range(config, scripts, MONDAY).items
    assert [(s.offset_seconds, s.script_id) for s in item.segments] == [(0, "chay"), (0, "lu")]


def test_silence_that_must_remain_is_warned_naming_program_zone_and_seconds(
    make_config, make_script
):
    config = make_config(
        """
programs:
  - {id: p, name: Bản tin, segments: [chime, scripts: {}]}
slots:
  - {id: s, name: Sáng, times: ["06:00"], program: p, zones: [toan-phuong], max_minutes: 10}
"""
    )
    scripts = [
        # Street 1 hears both: they follow one another, and the centre waits for the first.
        make_script("p", 60, zones=("tdp-1", "tdp-2")),
        make_script("q", 40, zones=("trung-tam", "tdp-1")),
        # An emergency for one street keeps its place: the others wait for it.
        make_script("lu", 30, priority=Priority.EMERGENCY, zones=("tdp-2",)),
    ]
    plan = plan_range(config, scripts, MONDAY, durations={"chime": 8})
    (item,) = plan.items
    laid = [(s.offset_seconds, s.script_id or s.kind.value) for s in item.segments]
    assert laid == [(0, "chime"), (8, "lu"), (38, "p"), (98, "q")]
    assert [(w.code, w.message, w.zones) for w in plan.warnings] == [
        (
            "zone_silence",
            "06:00 T2 02/03/2026 (Sáng): khu vực TDP 1 im lặng 30 giây giữa chương trình "
            '"Bản tin" (06:00:08–06:00:38), chờ đoạn phát cho khu vực khác',
            ("tdp-1",),
        ),
        (
            "zone_silence",
            "06:00 T2 02/03/2026 (Sáng): khu vực Trung tâm im lặng 90 giây giữa chương trình "
            '"Bản tin" (06:00:08–06:01:38), chờ đoạn phát cho khu vực khác',
            ("trung-tam",),
        ),
    ]
    assert item.segments[1].kind is SegmentKind.SCRIPT and item.segments[1].emergency


def test_plan_prints_the_silence_warning(tmp_path, capsys):
    (tmp_path / "schedules.yaml").write_text(
        """
timezone: Asia/Ho_Chi_Minh
topics: {cchc: Cải cách hành chính}
zones:
  - {id: trung-tam, name: Trung tâm, output: {device: "USB Audio", channels: [1]}}
  - {id: tdp-1, name: Tổ dân phố 1, output: {device: "USB Audio", channels: [2]}}
  - {id: tdp-2, name: Tổ dân phố 2, output: {device: "USB Audio", channels: [3]}}
programs:
  - {id: sang, name: Bản tin sáng, segments: [chime, scripts: {}]}
slots:
  - {id: sang, name: Sáng, times: ["06:00"], program: sang, zones: [trung-tam, tdp-1, tdp-2],
     max_minutes: 10}
""",
        encoding="utf-8",
    )
    folder = tmp_path / "scripts_vi"
    folder.mkdir()
    for name, zones in (("hai-to", "[tdp-1, tdp-2]"), ("trung-tam", "[trung-tam, tdp-1]")):
        text = f"---\ntitle: {name}\ntopic: cchc\nzones: {zones}\n---\n{'Bà con lưu ý. ' * 40}\n"
        (folder / f"{name}.md").write_text(text, encoding="utf-8")
    argv = ["--home", str(tmp_path), "plan", "--from", "02/03/2026"]
    assert main([*argv, "--json"]) == 0
    (silence,) = [w for w in json.loads(capsys.readouterr().out)["warnings"] if w["zones"]]
    # The centre waits while the two streets hear theirs (its length is the script's estimate).
    assert (silence["code"], silence["zones"]) == ("zone_silence", ["trung-tam"])
    shape = re.fullmatch(
        r"06:00 T2 02/03/2026 \(Sáng\): khu vực Trung tâm im lặng (\d+) giây giữa chương "
        r'trình "Bản tin sáng" \(06:00:02–06:00:(\d\d)\), chờ đoạn phát cho khu vực khác',
        silence["message"],
    )
    assert shape and int(shape[1]) == int(shape[2]) - 2 > 0
    assert main(argv) == 0
    assert f"Cảnh báo: {silence['message']}\n" in capsys.readouterr().out
