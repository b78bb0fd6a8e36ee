"""A daemon killed with SIGKILL in the middle of writing plays loses nothing it committed."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime

import pytest

from broadcast.playlog import Airing, Outcome, PlayLog, Reason, database_path
from broadcast.playlog.store import WARD_TIMEZONE

WRITER = """
import sys
from datetime import datetime, timedelta
from broadcast.paths import ProjectPaths
from broadcast.playlog import Airing, Outcome, PlayLog
from broadcast.playlog.store import WARD_TIMEZONE

log = PlayLog.open(ProjectPaths.resolve(sys.argv[1]))
at = datetime(2023, 5, 1, 6, 0, tzinfo=WARD_TIMEZONE)
# a long item on the ward-wide zone stays open while street zones keep playing
long_item = Airing(zone="toan-phuong", scheduled_at=at, title="Bản tin dài", script_id="dai")
open_id = log.start_attempt(long_item, at)
log.progress(open_id, 42.5, at + timedelta(seconds=42.5))
print("open", open_id, flush=True)
n = 0
while True:
    moment = at + timedelta(seconds=n)
    item = Airing(zone=f"to-{n % 7}", scheduled_at=moment, title=f"Tin {n}", script_id=f"s{n}")
    attempt_id = log.start_attempt(item, moment)
    log.progress(attempt_id, 0.5, moment)
    log.finish_attempt(attempt_id, Outcome.PLAYED, ended_at=moment, aired_seconds=1.0)
    print("done", attempt_id, flush=True)
    n += 1
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_while_writing_leaves_a_sound_log_that_is_repaired_on_next_start(paths):
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(paths.home)], stdout=subprocess.PIPE, text=True
    )
    try:
        kind, open_id = child.stdout.readline().split()
        assert kind == "open"
        done = []
        deadline = time.monotonic() + 20
        while len(done) < 200 and time.monotonic() < deadline:
            done.append(int(child.stdout.readline().split()[1]))
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL
    assert len(done) == 200

    conn = sqlite3.connect(database_path(paths))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    with PlayLog.open_for_reading(paths) as reader:
        assert reader.verify().ok
        assert any(a.is_open for a in reader.attempts())

    with PlayLog.open(paths) as log:  # the daemon's next start
        rows = {a.id: a for a in log.attempts()}
        assert set(done) <= set(rows)  # every committed play survived
        assert not any(a.is_open for a in rows.values())
        repaired = rows[int(open_id)]
        assert repaired.outcome is Outcome.INTERRUPTED
        assert repaired.reason == Reason.DAEMON_DOWN
        assert repaired.aired_seconds == 42.5
        assert (repaired.ended_at - repaired.started_at).total_seconds() == 42.5
        assert all(rows[i].outcome is Outcome.PLAYED for i in done)
        assert log.verify().ok


def test_a_row_a_crash_left_open_keeps_where_its_sound_was_going(paths):
    """Found by the month simulation: a cut play written to a WAV file was closed with no
    output, and the report then counted its seconds as heard on loudspeakers."""
    at = datetime(2026, 4, 8, 6, 0, tzinfo=WARD_TIMEZONE)
    log = PlayLog.open(paths)
    attempt = log.start_attempt(
        Airing(zone="to-1", scheduled_at=at, title="Bản tin", script_id="a"),
        at,
        output="data/fallback_wav",
        to_file=True,
    )
    log.progress(attempt, 12.0, at)
    log.close()  # as if killed: the row is still open
    with PlayLog.open(paths) as reopened:  # the next start closes it
        (row,) = reopened.attempts()
        assert reopened.verify().ok
    assert row.outcome is Outcome.INTERRUPTED
    assert (row.output, row.to_file, row.heard) == ("data/fallback_wav", True, False)


def test_the_rest_of_an_item_cut_by_a_crash_keeps_where_it_began(paths):
    """Closed on the next start, a resumed row still says where in the item it began; its
    underruns died with the sink and are unknown, not zero."""
    at = datetime(2026, 4, 8, 6, 0, tzinfo=WARD_TIMEZONE)
    log = PlayLog.open(paths)
    rest = Airing("to-1", at, "Bản tin", script_id="a", resumed_from_seconds=53.0)
    log.progress(log.start_attempt(rest, at), 7.5, at)
    log.close()  # as if killed
    with PlayLog.open(paths) as reopened:
        (row,) = reopened.attempts()
        assert reopened.verify().ok
    assert (row.outcome, row.aired_seconds) == (Outcome.INTERRUPTED, 7.5)
    assert (row.airing.resumed_from_seconds, row.underruns) == (53.0, None)
