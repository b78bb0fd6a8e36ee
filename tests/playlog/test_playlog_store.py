import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from broadcast.playlog import Outcome, PlayLog, Reason, database_path
from broadcast.playlog.schema import LATEST_VERSION, SchemaTooNew
from broadcast.playlog.store import WARD_TIMEZONE as TZ

T0 = datetime(2023, 1, 2, 6, 0, tzinfo=TZ)


def test_a_play_is_stored_with_everything_the_reviewer_needs(log, paths, airing):
    item = airing(
        slot_id="sang",
        program="ban-tin-sang",
        topic="dvc",
        planned_seconds=62.5,
        audio_hash="ab" * 32,
        engine="espeak-ng",
        voice="vi",
    )
    attempt_id = log.start_attempt(item, T0 + timedelta(seconds=2))
    log.finish_attempt(
        attempt_id, Outcome.PLAYED, ended_at=T0 + timedelta(seconds=64), aired_seconds=62.5
    )
    (row,) = log.attempts()
    assert row.airing == item
    assert row.outcome is Outcome.PLAYED
    assert (row.started_at, row.ended_at) == (T0 + timedelta(seconds=2), T0 + timedelta(seconds=64))
    assert row.aired_seconds == 62.5
    raw = sqlite3.connect(database_path(paths)).execute("SELECT started_at FROM attempts")
    assert raw.fetchone()[0] == "2023-01-02T06:00:02.000+07:00"


def test_the_rest_of_an_item_and_the_gaps_listeners_heard_are_stored(log, airing):
    """Where a resumed play began and how often the device ran dry are columns, not prose:
    0 for a play the sink counted none in, unknown (``None``) for a row that never played."""
    first = log.start_attempt(airing(), T0)
    log.finish_attempt(
        first, Outcome.PREEMPTED, ended_at=T0, aired_seconds=41.5, reason="preempted_by:b"
    )
    rest_airing = airing(resumed_from_seconds=38.5)
    rest = log.start_attempt(rest_airing, T0 + timedelta(minutes=2))
    log.finish_attempt(rest, Outcome.RESUMED, ended_at=T0, aired_seconds=21.5, underruns=3)
    clean = log.start_attempt(airing(zone="to-2"), T0)
    log.finish_attempt(clean, Outcome.PLAYED, ended_at=T0, aired_seconds=60, underruns=0)
    log.record_missed(airing(zone="to-3"), Reason.DAEMON_DOWN)
    rows = {row.id: row for row in log.attempts()}
    assert (rows[first].airing.resumed_from_seconds, rows[first].underruns) == (None, None)
    assert rows[rest].airing == rest_airing
    assert (rows[rest].airing.resumed_from_seconds, rows[rest].underruns) == (38.5, 3)
    assert rows[clean].underruns == 0
    assert [row.underruns for row in rows.values() if row.outcome is Outcome.MISSED] == [None]
    assert log.verify().ok


def test_times_from_another_zone_are_stored_in_ward_time(log, airing):
    attempt_id = log.start_attempt(airing(), T0.astimezone(UTC))
    log.finish_attempt(attempt_id, Outcome.PLAYED, ended_at=T0, aired_seconds=1)
    started = log.attempts()[0].started_at
    assert started == T0 and started.utcoffset() == timedelta(hours=7)


def test_naive_times_are_refused(log, airing):
    with pytest.raises(ValueError):
        log.start_attempt(airing(), datetime(2023, 1, 2, 6, 0))


def test_a_finished_row_cannot_be_finished_again(log, airing):
    attempt_id = log.start_attempt(airing(), T0)
    log.finish_attempt(attempt_id, Outcome.PLAYED, ended_at=T0, aired_seconds=1)
    with pytest.raises(ValueError):
        log.finish_attempt(attempt_id, Outcome.PARTIAL, ended_at=T0, aired_seconds=1)
    assert log.attempts()[0].outcome is Outcome.PLAYED
    assert log.verify().ok


def test_missed_and_failed_items_are_recorded_without_a_start(log, airing):
    log.record_missed(airing(zone="to-1"), Reason.DAEMON_DOWN)
    log.record_missed(airing(zone="to-2"), Reason.TTS_FAILED, error="gTTS: 503", outcome="failed")
    missed, failed = log.attempts()
    assert (missed.outcome, missed.reason, missed.started_at) == (
        Outcome.MISSED,
        "daemon_down",
        None,
    )
    assert (failed.outcome, failed.error, failed.aired_seconds) == (Outcome.FAILED, "gTTS: 503", 0)
    with pytest.raises(ValueError):
        log.record_missed(airing(), Reason.OVERRUN, outcome=Outcome.PLAYED)


def test_filters_select_period_zone_topic_and_outcome(log, airing):
    for day, zone, topic in ((2, "to-1", "dvc"), (3, "to-2", "mot-cua"), (4, "to-1", "mot-cua")):
        at = T0.replace(day=day)
        attempt_id = log.start_attempt(airing(zone=zone, at=at, topic=topic), at)
        log.finish_attempt(attempt_id, Outcome.PLAYED, ended_at=at, aired_seconds=30)
    log.record_missed(airing(at=T0.replace(day=3), topic="dvc"), Reason.QUIET_HOURS)

    def days(**filters):
        return [a.occurred_at.day for a in log.attempts(**filters)]

    assert days(since=T0.replace(day=3), until=T0.replace(day=4)) == [3, 3]
    assert days(zone="to-1") == [2, 3, 4]
    assert days(topic="mot-cua") == [3, 4]
    assert days(outcome=Outcome.MISSED) == [3]


def test_history_counts_completed_broadcasts_once_across_zones_and_resumes(log, airing):
    at = T0
    for zone in ("to-1", "to-2"):
        first = log.start_attempt(airing(zone=zone, at=at), at)
        log.finish_attempt(
            first, Outcome.PREEMPTED, ended_at=at, aired_seconds=5, reason="preempted_by:bao"
        )
        rest = log.start_attempt(airing(zone=zone, at=at), at + timedelta(minutes=2))
        log.finish_attempt(rest, Outcome.RESUMED, ended_at=at, aired_seconds=40)
    later = at + timedelta(days=1)
    log.record_missed(airing(zone="to-1", at=later), Reason.DAEMON_DOWN)
    cut = log.start_attempt(airing(zone="to-1", at=later + timedelta(hours=1)), later)
    log.finish_attempt(cut, Outcome.PARTIAL, ended_at=later, aired_seconds=3)

    week = (at - timedelta(days=1), at + timedelta(days=7))
    assert log.count_aired("2023-01/dvc-4", *week) == 1
    assert log.count_aired("other", *week) == 0
    assert log.last_aired("2023-01/dvc-4") == at + timedelta(minutes=2)
    assert log.last_aired("2023-01/dvc-4", zone="to-3") is None


def test_play_log_satisfies_the_planners_history_protocol(log, airing):
    from broadcast.schedule.history import AiringHistory, MemoryHistory

    history: AiringHistory = log
    layered = MemoryHistory(base=history)
    attempt_id = log.start_attempt(airing(), T0)
    log.finish_attempt(attempt_id, Outcome.PLAYED, ended_at=T0, aired_seconds=60)
    layered.record("2023-01/dvc-4", ["to-1"], T0 + timedelta(days=1))
    assert layered.count_aired("2023-01/dvc-4", T0, T0 + timedelta(days=2)) == 2


def test_database_is_in_wal_mode_with_durable_writes(log, paths):
    conn = sqlite3.connect(database_path(paths))
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert log._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION


def test_a_database_from_a_newer_program_is_refused(paths):
    database_path(paths).parent.mkdir(parents=True)
    conn = sqlite3.connect(database_path(paths))
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaTooNew):
        PlayLog.open(paths)


def test_reopening_keeps_rows_and_continues_the_chain(paths, airing):
    with PlayLog.open(paths) as log:
        log.record_missed(airing(), Reason.DAEMON_DOWN)
    with PlayLog.open(paths) as log:
        log.record_missed(airing(zone="to-2"), Reason.DAEMON_DOWN)
        assert [a.airing.zone for a in log.attempts()] == ["to-1", "to-2"]
        assert log.verify().ok
        assert log.chain_head()[0] == 4


def test_processes_opening_a_new_database_at_once_all_get_it(tmp_path):
    """The daemon and a reviewer's command may create the log at the same moment."""
    import subprocess
    import sys

    path = tmp_path / "moi" / "playlog.sqlite3"
    opener = (
        "import sys; from broadcast.playlog import PlayLog; "
        "PlayLog.open_file(__import__('pathlib').Path(sys.argv[1])).close()"
    )
    children = [
        subprocess.Popen([sys.executable, "-c", opener, str(path)], stderr=subprocess.PIPE)
        for _ in range(6)
    ]
    errors = [child.communicate()[1].decode() for child in children]
    assert [child.returncode for child in children] == [0] * 6, errors
    with PlayLog.open_file(path) as log:
        assert log.verify().ok and log.attempts() == []
