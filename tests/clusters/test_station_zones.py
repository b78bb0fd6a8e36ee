"""The daemon's own timetable leaves out the zones IP clusters play (``ip_zones``)."""

from datetime import datetime

from broadcast.config.model import SegmentKind
from broadcast.daemon.ip_zones import without_zones
from broadcast.playlog.store import WARD_TIMEZONE
from broadcast.schedule import PlanItem, PlannedSegment

AT = datetime(2026, 12, 5, 6, 0, tzinfo=WARD_TIMEZONE)


def item(slot, zones, *segments):
    return PlanItem(slot, f"Khung {slot}", "ban-tin", AT, zones, tuple(segments))


def segment(kind, offset, zones, script_id=None):
    return PlannedSegment(kind, offset, 30.0, zones, script_id=script_id)


def test_ip_zones_leave_the_daemons_items_and_the_rest_keeps_its_seconds():
    mixed = item(
        "sang",
        ("to-1", "loa-cho"),
        segment(SegmentKind.CHIME, 0.0, ("to-1", "loa-cho")),
        segment(SegmentKind.SCRIPT, 5.0, ("to-1", "loa-cho"), "tin"),
        segment(SegmentKind.SCRIPT, 35.0, ("loa-cho",), "cho"),  # for the market only
        segment(SegmentKind.SCRIPT, 35.0, ("to-1",), "to"),
    )
    only_ip = item("chieu", ("loa-cho",), segment(SegmentKind.SCRIPT, 0.0, ("loa-cho",), "x"))
    wired = item("toi", ("to-1",), segment(SegmentKind.SCRIPT, 0.0, ("to-1",), "y"))
    (kept, same) = without_zones([mixed, only_ip, wired], frozenset({"loa-cho"}))
    assert same is wired
    assert kept.id == mixed.id and kept.zones == ("to-1",)
    assert [(s.script_id, s.offset_seconds, s.zones) for s in kept.segments] == [
        (None, 0.0, ("to-1",)),
        ("tin", 5.0, ("to-1",)),
        ("to", 35.0, ("to-1",)),
    ]
    assert without_zones([mixed], frozenset()) == (mixed,)
