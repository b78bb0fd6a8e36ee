"""Issue 17: time the daemon was down is accounted for with what was approved then.

A slot missed while the daemon was down is logged ``daemon_down`` for the scripts it would
have aired; a script approved only after that slot could not have aired there, so no miss is
invented for it. The real daemon on a fake clock (down from 08:00 to 12:00, a 09:00 slot),
the real log and the real planner.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from broadcast.approval import ApprovalEvent, EventKind, fingerprint_of
from broadcast.clock import FakeClock
from broadcast.daemon.daemon import BroadcastDaemon, DaemonOptions
from broadcast.paths import ProjectPaths
from broadcast.playlog import Outcome, PlayLog, Reason
from broadcast.scripts import load_folder
from broadcast.sinks.file import FileSink
from tests.daemon.daemon_project import WARD, make_project, rows, zone_yaml

DOWN_AT = datetime(2030, 11, 4, 8, 0, tzinfo=WARD)  # ahead: no real-time job falls due
SLOT = DOWN_AT.replace(hour=9)
BACK_AT = DOWN_AT.replace(hour=12)
SCRIPT = "Lịch tiêm phòng\n\nTrạm y tế phường tiêm phòng dại cho chó mèo sáng thứ bảy.\n"


def run_briefly(paths: ProjectPaths, at: datetime) -> None:
    """The daemon started at ``at`` (a fake clock) and stopped: its start's accounting done."""
    daemon = BroadcastDaemon(
        paths,
        FileSink(paths.home / "heard", realtime=False),
        clock=FakeClock(at),
        options=DaemonOptions(console_log=None, grace=timedelta(minutes=5), render_ahead=False),
    )
    daemon.start()
    daemon.stop()


@pytest.mark.parametrize(
    ("approved_at", "missed"),
    [(SLOT - timedelta(minutes=30), True), (SLOT + timedelta(hours=1), False)],
    ids=["approved-before-the-slot", "approved-while-down-after-the-slot"],
)
def test_a_slot_missed_while_down_counts_only_scripts_approved_before_it(
    tmp_path, approved_at, missed
):
    paths = make_project(
        tmp_path, [zone_yaml("to-1", "file", [1])], {"tin.txt": SCRIPT}, {"s": SLOT}
    )
    with paths.schedules_file.open("a", encoding="utf-8") as schedules:
        schedules.write('approval: required\napprovers: ["Lê Văn Chiến"]\n')
    run_briefly(paths, DOWN_AT)  # its last heartbeat: 08:00; the script seen from then
    (script,) = load_folder(paths).scripts
    with PlayLog.open(paths, timezone=WARD) as log:  # approved while the daemon was down
        log.record_approval_event(
            ApprovalEvent(
                EventKind.APPROVED, "tin", approved_at, "Lê Văn Chiến", fingerprint_of(script)
            )
        )
    run_briefly(paths, BACK_AT)
    found = [(r.airing.script_id, r.outcome, r.reason) for r in rows(paths)]
    assert found == ([("tin", Outcome.MISSED, Reason.DAEMON_DOWN)] if missed else [])
