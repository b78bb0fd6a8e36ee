"""What the planner chooses for each airing, checked to the second on explicit dates."""

from collections import Counter
from datetime import date, datetime, timedelta

from broadcast.config.model import SegmentKind
from broadcast.schedule import MemoryHistory, plan_occurrence, plan_range
from broadcast.schedule.calendar import local_midnight
from broadcast.scripts.model import Priority

MONDAY = date(2026, 3, 2)  # an ordinary week: no holiday


def at(config, day: date, hour: int, minute: int = 0) -> datetime:
    return local_midnight(day, config) + timedelta(hours=hour, minutes=minute)


def scripts_of(item) -> list[str]:
    return [s.script_id for s in item.segments if s.kind is SegmentKind.SCRIPT]


def test_priority_then_least_recently_heard_within_the_slot_length(make_config, make_script):
    config = make_config(
        """
programs:
  - {id: p, name: Bản tin, segments: [chime, scripts: {max_count: 3}]}
slots:
  - {id: sang, name: Sáng, times: ["06:00"], program: p, zones: [toan-phuong], max_minutes: 5}
"""
    )
    scripts = [
        make_script("a", 100),
        make_script("b", 100),
        make_script("c", 100),
        make_script("uu-tien", 90, priority=Priority.PRIORITY),
    ]
    plan = plan_range(config, scripts, MONDAY, days=2, durations={"chime": 8})
    monday, tuesday = plan.items
    # 8 s chime + 90 + 100 + 100 = 298 s fits 300 s; a third normal script would not.
    assert scripts_of(monday) == ["uu-tien", "a", "b"]
    assert [s.offset_seconds for s in monday.segments] == [0, 8, 98, 198]
    assert monday.end == at(config, MONDAY, 6, 4) + timedelta(seconds=58)
    assert scripts_of(tuesday) == ["uu-tien", "c", "a"]  # c was never heard; a before b
    assert all(item.duration_seconds <= 300 for item in plan.items)


def test_a_long_script_waits_and_a_priority_one_left_out_is_reported(make_config, make_script):
    config = make_config(
        """
programs:
  - {id: p, name: Bản tin, segments: [chime, scripts: {max_minutes: 3}]}
slots:
  - {id: sang, name: Sáng, times: ["06:00"], program: p, zones: [tdp-1], max_minutes: 10}
"""
    )
    scripts = [
        make_script("dai", 200, priority=Priority.PRIORITY),
        make_script("ngan", 60),
    ]
    plan = plan_range(config, scripts, MONDAY)
    (item,) = plan.items
    assert scripts_of(item) == ["ngan"]
    codes = {(w.code, w.script_id): w.message for w in plan.warnings}
    assert codes[("script_too_long", "dai")] == (
        'bài "dai" dài 3 phút 20 giây, không bao giờ vừa khung giờ "sang" (tối đa 3 phút)'
    )
    assert codes[("script_left_out", "dai")] == (
        '06:00 T2 02/03/2026 (Sáng): bài "dai" không được phát: bài dài 3 phút 20 giây, '
        "khung giờ chỉ còn 3 phút"
    )


def test_fairness_over_many_days_is_a_rotation(make_config, make_script):
    config = make_config(
        """
programs:
  - {id: p, name: Bản tin, segments: [scripts: {max_count: 2}]}
slots:
  - {id: s, times: ["06:00", "17:30"], program: p, zones: [toan-phuong], max_minutes: 10}
"""
    )
    scripts = [make_script(f"bai-{i}", 60) for i in range(5)]
    plan = plan_range(config, scripts, MONDAY, days=30)
    aired = [sid for item in plan.items for sid in scripts_of(item)]
    assert len(aired) == 30 * 2 * 2
    assert set(Counter(aired).values()) == {24}
    # Nothing repeats before every other script has aired once since its last airing.
    for index in range(5, len(aired)):
        assert len(set(aired[index - 4 : index + 1])) == 5


def test_fairness_starts_from_the_play_log(make_config, make_script):
    config = make_config(
        """
programs:
  - {id: p, name: Bản tin, segments: [scripts: {max_count: 1}]}
slots:
  - {id: s, times: ["06:00"], program: p, zones: [tdp-1], max_minutes: 10}
"""
    )
    history = MemoryHistory()
    history.record("a", ["tdp-1"], at(config, MONDAY, 6) - timedelta(days=1))
    history.record("b", ["tdp-2"], at(config, MONDAY, 6) - timedelta(days=1))  # another zone
    plan = plan_range(config, [make_script("a"), make_script("b")], MONDAY, history=history)
    assert scripts_of(plan.items[0]) == ["b"]


def test_a_campaign_is_spread_over_the_week(make_config, make_script):
    config = make_config(
        """
programs:
  - {id: p, name: Bản tin, segments: [scripts: {max_count: 2}]}
slots:
  - {id: s, times: ["06:00", "17:30"], weekdays: [T2-T7], program: p, zones: [toan-phuong],
     max_minutes: 10}
"""
    )
    fillers = [make_script(f"bai-{i}", 60) for i in range(6)]
    campaign = make_script("chien-dich", 60, times_per_week=3)
    plan = plan_range(config, [*fillers, campaign], MONDAY, days=7)
    airings = [i.start for i in plan.items if "chien-dich" in scripts_of(i)]
    # 12 turns in the week, 3 airings: turns 0, 4 and 8.
    assert airings == [
        at(config, MONDAY, 6),
        at(config, MONDAY + timedelta(days=2), 6),
        at(config, MONDAY + timedelta(days=4), 6),
    ]
    assert [w for w in plan.warnings if w.code == "campaign_unreachable"] == []
    # The next week starts its own count.
    next_week = plan_range(config, [*fillers, campaign], MONDAY, days=14)
    assert sum("chien-dich" in scripts_of(i) for i in next_week.items) == 6


def test_a_campaign_the_slots_cannot_carry_is_reported(make_config, make_script):
    config = make_config(
        """
programs:
  - {id: p, name: Bản tin, segments: [scripts: {topics: [cchc]}]}
slots:
  - {id: s, times: ["06:00"], weekdays: [T2, T4, T6], program: p, zones: [tdp-1],
     max_minutes: 10}
"""
    )
    campaign = make_script("chien-dich", 60, times_per_week=5)
    plan = plan_range(config, [campaign], MONDAY, days=7)
    assert len(plan.items) == 3
    assert [(w.code, w.message) for w in plan.warnings] == [
        (
            "campaign_unreachable",
            'bài "chien-dich" cần phát 5 lần trong tuần 02/03–08/03/2026 nhưng chỉ có 3 lượt '
            "phát phù hợp (khung giờ, khu vực, chủ đề, ngày hiệu lực)",
        )
    ]


def test_emergency_airs_at_the_next_slot_on_each_targeted_zone(make_config, make_script):
    config = make_config(
        """
programs:
  - {id: p, name: Bản tin, segments: [chime, scripts: {topics: [dvc], max_count: 1}]}
slots:
  - {id: sang, times: ["06:00"], program: p, zones: [trung-tam], max_minutes: 10}
  - {id: chieu, times: ["17:30"], program: p, zones: [tdp-1, tdp-2], max_minutes: 10}
"""
    )
    storm = make_script(
        "bao-so-3",
        120,
        topic="thong-bao",
        priority=Priority.EMERGENCY,
        zones=("trung-tam", "tdp-2"),
        valid_from=MONDAY,
    )
    plan = plan_range(config, [storm, make_script("dvc-1", 60, topic="dvc")], MONDAY)
    sang, chieu = plan.items
    for item, zones in ((sang, ("trung-tam",)), (chieu, ("tdp-2",))):
        chime, first, second = item.segments
        assert chime.kind is SegmentKind.CHIME
        assert (first.script_id, first.emergency, first.zones) == ("bao-so-3", True, zones)
        assert second.script_id == "dvc-1"


def test_quiet_hours_air_only_emergencies_and_only_where_aimed(make_config, make_script):
    config = make_config(
        """
programs:
  - {id: p, name: Bản tin, segments: [chime, scripts: {}]}
slots:
  - {id: dem, times: ["22:00"], program: p, zones: [toan-phuong], max_minutes: 10}
quiet_hours: {from: "21:30", until: "05:00"}
"""
    )
    normal = make_script("thuong", 60)
    flood = make_script("lu", 60, priority=Priority.EMERGENCY, zones=("tdp-1",), valid_from=MONDAY)
    quiet_night = plan_range(config, [normal, flood], MONDAY - timedelta(days=1))
    assert quiet_night.items == ()
    assert [s.reason for s in quiet_night.skipped] == ["quiet_hours"]
    (item,) = plan_range(config, [normal, flood], MONDAY).items
    assert item.emergency_only and item.zones == ("tdp-1",)
    assert [(s.kind, s.script_id) for s in item.segments] == [(SegmentKind.SCRIPT, "lu")]


def test_a_slot_at_2359_runs_past_midnight(make_config, make_script):
    config = make_config(
        """
programs:
  - {id: p, name: Bản tin, segments: [chime, scripts: {}]}
slots:
  - {id: khuya, times: ["23:59"], weekdays: [T2], program: p, zones: [tdp-1], max_minutes: 30}
"""
    )
    last_day = make_script("het-han-hom-nay", 600, valid_until=MONDAY)
    plan = plan_range(config, [last_day, make_script("b", 600)], MONDAY, days=2)
    (item,) = plan.items
    assert item.start == at(config, MONDAY, 23, 59)
    assert scripts_of(item) == ["b", "het-han-hom-nay"]
    assert item.end == at(config, MONDAY + timedelta(days=1), 0, 19) + timedelta(seconds=5)
    assert item.end.date() == date(2026, 3, 3) and item.end.tzinfo is not None
    assert plan_range(config, [last_day], MONDAY + timedelta(days=1)).items == ()


def test_zone_without_content_and_script_expiring_unplayed(make_config, make_script):
    config = make_config(
        """
programs:
  - {id: p, name: Bản tin, segments: [chime, scripts: {topics: [cchc]}]}
slots:
  - {id: s, name: Sáng, times: ["06:00"], program: p, zones: [toan-phuong], max_minutes: 10}
"""
    )
    scripts = [
        make_script("chi-tdp-1", 60, zones=("tdp-1",)),
        make_script("sai-chu-de", 60, topic="dvc", valid_until=MONDAY + timedelta(days=1)),
    ]
    plan = plan_range(config, scripts, MONDAY, days=2)
    messages = [(w.code, w.message) for w in plan.warnings]
    assert messages == [
        (
            "zone_no_content",
            "06:00 T2 02/03/2026 (Sáng): khu vực Trung tâm, TDP 2 không có bài nào để phát",
        ),
        (
            "zone_no_content",
            "06:00 T3 03/03/2026 (Sáng): khu vực Trung tâm, TDP 2 không có bài nào để phát",
        ),
        (
            "script_expires_unplayed",
            'bài "sai-chu-de" hết hạn ngày 03/03/2026 mà chưa được phát lần nào',
        ),
    ]


def test_fixed_segments_that_overrun_are_left_out(make_config, make_script, tmp_path):
    (tmp_path / "media" / "vov.mp3").write_bytes(b"x")
    config = make_config(
        """
programs:
  - {id: p, name: Bản tin, segments: [chime, audio: vov.mp3, scripts: {}]}
slots:
  - {id: s, name: Sáng, times: ["06:00"], program: p, zones: [tdp-1], max_minutes: 5}
"""
    )
    plan = plan_range(config, [make_script("a", 60)], MONDAY, durations={"media/vov.mp3": 900})
    (item,) = plan.items
    assert [s.kind for s in item.segments] == [SegmentKind.CHIME, SegmentKind.SCRIPT]
    assert [(w.code, w.message) for w in plan.warnings] == [
        (
            "overrun",
            '06:00 T2 02/03/2026 (Sáng): bỏ đoạn "media/vov.mp3" vì vượt thời lượng tối đa '
            "5 phút của khung giờ",
        )
    ]


def test_same_inputs_same_plan(make_config, make_script):
    config = make_config(
        """
programs:
  - {id: p, name: Bản tin, segments: [chime, scripts: {max_count: 3}]}
slots:
  - {id: s, times: ["06:00", "17:30"], program: p, zones: [toan-phuong], max_minutes: 10}
"""
    )
    scripts = [
        make_script(
            f"bai-{i}", 40 + i, zones=(("tdp-1",) if i % 3 else None), times_per_week=i % 4 or None
        )
        for i in range(12)
    ]
    first = plan_range(config, scripts, MONDAY, days=21)
    second = plan_range(config, list(reversed(scripts)), MONDAY, days=21)
    assert first.to_json() == second.to_json()


def test_one_occurrence_planned_after_the_earlier_airings_is_as_previewed(make_config, make_script):
    config = make_config(
        """
programs:
  - {id: p, name: Bản tin, segments: [chime, scripts: {max_count: 2}]}
slots:
  - {id: s, times: ["06:00", "17:30"], program: p, zones: [toan-phuong], max_minutes: 10}
"""
    )
    scripts = [
        make_script(f"bai-{i}", 50 + i, times_per_week=(2 if i == 3 else None)) for i in range(6)
    ]
    preview = plan_range(config, scripts, MONDAY, days=5)
    played = MemoryHistory()  # what a play log would hold if every airing went as planned
    for expected in preview.items:
        actual = plan_occurrence(config, scripts, expected.slot_id, expected.start, played)
        assert actual.items == (expected,)
        for segment in expected.segments:
            if segment.script_id:
                moment = expected.start + timedelta(seconds=segment.offset_seconds)
                played.record(segment.script_id, segment.zones, moment)
