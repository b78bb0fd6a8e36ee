"""What never left the station: a segment left out of its clusters' plans (no audio yet) that
no pass sent before its start gets ONE row per cluster of its zone, written by the station —
and none when the cluster had it (it sends its own)."""

import sqlite3
from dataclasses import replace
from datetime import timedelta

import pytest

from broadcast.daemon.ip_unsent import UNSENT_GRACE
from broadcast.playlog import Outcome, PlayLog, Reason
from tests.clusters.station_ward import eventually, ip_ward, start_station

pytestmark = pytest.mark.slow

CLUSTERS = {"cum-cho": "loa-cho", "cum-dinh": "loa-cho", "cum-ben": "loa-ben"}


@pytest.fixture
def ward(tmp_path, mosquitto_broker):
    return ip_ward(tmp_path / "ward", mosquitto_broker, CLUSTERS)


def planned(daemon):
    """The station once each cluster has its first plan of this run."""
    station = daemon.ip_station
    eventually(lambda: all(station._sent(c) for c in CLUSTERS), what="the first plans")
    return station


def cluster_rows(ward):
    """(cluster id, zone, outcome, reason, output) of the rows the station holds for clusters."""
    with sqlite3.connect(ward.paths.data_dir / "playlog.sqlite3") as db:
        return sorted(
            db.execute(
                "SELECT cluster_id, zone, outcome, reason, output, cluster_row, scheduled_at "
                "FROM attempts WHERE cluster_id IS NOT NULL"
            ).fetchall()
        )


def render_now(daemon):
    """The rendering pass the daemon runs after an edit; then the clusters are planned again."""
    station = daemon.ip_station
    passes = station.passes
    daemon._render()
    eventually(lambda: station.passes > passes and not station.unsent.pending(), timeout=60)


def test_a_segment_never_sent_gets_one_row_per_cluster_across_a_restart(ward):
    daemon = start_station(ward, render_ahead=False)  # the script has no audio: left out
    try:
        station = planned(daemon)
        left = station.unsent.pending()
        assert len(left) == 4  # the slot today and tomorrow, in both IP zones
        assert {(x.zone, x.reason) for x in left} == {
            ("loa-cho", Reason.AUDIO_MISSING),
            ("loa-ben", Reason.AUDIO_MISSING),
        }
        start = left[0].start
        assert all(not station.published(c) for c in CLUSTERS)  # nothing to play was sent
        # before its start and grace: a later pass may still send it
        assert station.record_unsent(start + UNSENT_GRACE / 2, wait=True) == 0
        assert cluster_rows(ward) == []
        assert station.record_unsent(start + UNSENT_GRACE, wait=True) == 3
        assert station.record_unsent(start + UNSENT_GRACE * 2, wait=True) == 0  # judged once
        assert len(station.unsent.pending()) == 2  # tomorrow's
    finally:
        daemon.stop()
    rows = cluster_rows(ward)
    assert [(r[0], r[1], r[2], r[3], r[5]) for r in rows] == [
        ("cum-ben", "loa-ben", Outcome.FAILED.value, Reason.AUDIO_MISSING, None),
        ("cum-cho", "loa-cho", Outcome.FAILED.value, Reason.AUDIO_MISSING, None),
        ("cum-dinh", "loa-cho", Outcome.FAILED.value, Reason.AUDIO_MISSING, None),
    ]
    assert rows[1][4] == "cụm loa IP cum-cho: không gửi được (chưa có âm thanh)"
    with PlayLog.open_for_reading(ward.paths) as log:
        assert log.verify().ok
        first = {(r.airing.zone, r.airing.title, r.airing.slot_id) for r in log.attempts()}
        assert first == {("loa-cho", "Thông báo", "sang"), ("loa-ben", "Thông báo", "sang")}
        assert {r.error for r in log.attempts()} != {None}  # the wired zone's own text

    # restarted, still without audio: the log remembers; the segment is not sent either
    daemon = start_station(ward, render_ahead=False)
    try:
        station = planned(daemon)
        assert len(station.unsent.pending()) == 4
        assert station.record_unsent(start + UNSENT_GRACE, wait=True) == 0
        assert cluster_rows(ward) == rows
        render_now(daemon)  # its audio comes after its start: too late for those clusters
        for cluster in CLUSTERS:  # tomorrow's is sent, today's never
            assert [e.start for e in station.published(cluster) if e.airing] == [
                start + timedelta(days=1)
            ]
    finally:
        daemon.stop()
    with PlayLog.open_for_reading(ward.paths) as log:
        assert log.verify().ok


def test_no_row_when_a_later_pass_sent_it(ward):
    daemon = start_station(ward, render_ahead=False)
    try:
        station = planned(daemon)
        start = station.unsent.pending()[0].start
        render_now(daemon)  # audio before its start: the next pass sends it
        entries = eventually(lambda: station.published("cum-dinh"), what="the entry sent")
        assert any(e.start == start and e.airing for e in entries)
        assert station.record_unsent(start + UNSENT_GRACE * 2, wait=True) == 0
    finally:
        daemon.stop()
    assert cluster_rows(ward) == []


def test_a_segment_left_out_for_its_approval_is_logged_as_the_wired_zone_would(ward):
    """``approval: required`` and the text edited or revoked since the plan: the wired zone logs
    ``missed`` with the approval's reason; so does the station for each cluster left without it
    (the pass's own left-out segment, its reason set as ``check_at_air`` would give it)."""
    daemon = start_station(ward, render_ahead=False)
    try:
        station = planned(daemon)
        left = next(x for x in station.unsent.pending() if x.zone == "loa-cho")
        why = "bài đã sửa sau khi duyệt"
        refused = replace(left, reason=Reason.NOT_APPROVED, why=why)
        # As ``record_unsent`` does, under the plan passes' lock: a pass in between (the one
        # the station's connection asks for, say) would put its own view back.
        with station._lock:
            station.unsent.noted(left.zone, [refused], left.start - timedelta(hours=1))
            due = left.start + UNSENT_GRACE
            assert station.unsent.record(due, station.clusters(), station._sent) == 3
    finally:
        daemon.stop()
    rows = {r[0]: r for r in cluster_rows(ward)}
    for cluster in ("cum-cho", "cum-dinh"):
        assert rows[cluster][2:4] == (Outcome.MISSED.value, Reason.NOT_APPROVED)
    assert rows["cum-ben"][2:4] == (Outcome.FAILED.value, Reason.AUDIO_MISSING)  # no audio
    assert rows["cum-cho"][4] == (
        "cụm loa IP cum-cho: không gửi được (chưa được duyệt hoặc đã sửa sau khi duyệt)"
    )
