"""Rehearsals (``broadcast run --rehearsal``, ``broadcast demo``) never sound in the street
unasked: the demo writes WAV files unless told ``--to-speakers``, and a rehearsal to the
loudspeakers keeps the quiet hours by the wall clock unless told ``--ignore-quiet-hours``.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import wave
from datetime import datetime, time, timedelta

import numpy as np
import pytest

from broadcast.clock import FakeClock
from broadcast.config.model import QuietHours, SegmentKind
from broadcast.daemon.daemon import BroadcastDaemon, DaemonOptions
from broadcast.daemon.rehearsal import Rehearsal
from broadcast.paths import ProjectPaths
from broadcast.playlog import Outcome
from broadcast.schedule import PlanItem, PlannedSegment
from broadcast.sinks.portaudio import SoundDeviceSink
from tests.daemon.daemon_project import WARD, make_project, rows, wait_for, ward_now, zone_yaml
from tests.support.virtual_card import read_capture

SCRIPT = "Thông báo thử\n\nỦy ban nhân dân phường thông báo lịch tiếp dân ngày 15/12/2026.\n"
NIGHT = "21:30", "05:00"  # the sample project's quiet hours


def project(root, slot: datetime, quiet: tuple[str, str]) -> ProjectPaths:
    """One zone on the virtual card's ``test_card4``, one slot, quiet hours ``quiet``."""
    paths = make_project(
        root, [zone_yaml("pho-2", "test_card4", [2])], {"tiep-dan.txt": SCRIPT}, {"sang": slot}
    )
    with paths.schedules_file.open("a", encoding="utf-8") as schedules:
        schedules.write(f'quiet_hours: {{from: "{quiet[0]}", until: "{quiet[1]}"}}\n')
    return paths


def quiet_now(root) -> ProjectPaths:
    """Quiet hours around the real ``now`` and a slot twelve hours away, outside them."""
    now = ward_now()
    quiet = (f"{now - timedelta(minutes=1):%H:%M}", f"{now + timedelta(minutes=30):%H:%M}")
    assert QuietHours(time.fromisoformat(quiet[0]), time.fromisoformat(quiet[1])).contains(
        now.time()
    )
    return project(root, now + timedelta(hours=12), quiet)


def rehearse(paths: ProjectPaths, clock=None, **rehearsal: object) -> BroadcastDaemon:
    daemon = BroadcastDaemon(
        paths,
        SoundDeviceSink(),
        clock=clock,
        options=DaemonOptions(
            console_log=None, rehearsal=Rehearsal(excerpt_seconds=1.0, **rehearsal)
        ),
    )
    daemon.start()
    return daemon


def silent(capture) -> bool:
    return not capture.exists() or not read_capture(capture, 4).any()


def test_a_rehearsal_to_the_sound_card_inside_quiet_hours_airs_nothing_and_says_why(
    tmp_path, captures, caplog
):
    # The night: 00:38 with quiet hours 21:30–05:00, the 06:00 news rehearsed.
    paths = project(tmp_path, datetime(2026, 12, 15, 6, 0, tzinfo=WARD), NIGHT)
    clock = FakeClock(datetime(2026, 12, 15, 0, 38, tzinfo=WARD))
    with caplog.at_level(logging.WARNING, logger="broadcast.daemon"):
        daemon = rehearse(paths, clock)
        try:
            ended = daemon.stop_requested.wait(10)  # nothing left to air: the rehearsal ends
        finally:
            daemon.stop()
    assert ended
    assert rows(paths) == []
    assert silent(captures["test_card4"])
    (held,) = [r for r in caplog.records if r.event == "rehearsal_held_quiet_hours"]
    message = held.getMessage()
    assert "giờ yên tĩnh 21:30–05:00" in message
    assert "Khung sang 06:00 (pho-2)" in message and "--ignore-quiet-hours" in message


def test_ignore_quiet_hours_airs_the_rehearsal_on_the_sound_card(tmp_path, captures):
    paths = quiet_now(tmp_path)
    daemon = rehearse(paths, keep_quiet_hours=False)
    try:
        found = wait_for(paths, lambda r: r and not r[-1].is_open)
        assert daemon.stop_requested.wait(10)
    finally:
        daemon.stop()
    (row,) = found
    assert (row.airing.zone, row.outcome) == ("pho-2", Outcome.PLAYED)
    assert not silent(captures["test_card4"])


def test_a_rehearsal_airs_every_airing_of_a_slot_that_has_several_times():
    segment = PlannedSegment(SegmentKind.SCRIPT, 0.0, 20.0, ("pho-2",), script_id="a")
    day = datetime(2026, 12, 15, tzinfo=WARD)
    items = [
        PlanItem("sang", "Khung sang", "ban-tin", day.replace(hour=hour), ("pho-2",), (segment,))
        for hour in (6, 11, 17)
    ]
    moved = Rehearsal(excerpt_seconds=3.0).moved(items, day.replace(hour=9, second=10))
    assert len({item.id for item in moved}) == 3  # none replaces another in the timetable
    assert [item.start for item in moved] == sorted(item.start for item in moved)
    assert moved[0].start == day.replace(hour=9, second=13)  # the first within seconds


@pytest.mark.slow  # the whole demo as a subprocess: check, render, plan, rehearsal, log
def test_the_demo_writes_wav_files_by_default_and_touches_no_sound_device(
    tmp_path, captures, child_env
):
    paths = quiet_now(tmp_path)  # files are written even in quiet hours: nobody hears them
    done = subprocess.run(
        [sys.executable, "-m", "broadcast", "--home", str(paths.home), "demo"],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "KHÔNG phát ra loa" in done.stdout and "demo_out/wav/" in done.stdout
    written = sorted((paths.home / "demo_out" / "wav").glob("*_pho-2_*.wav"))
    assert written
    with wave.open(str(written[-1])) as script:
        assert np.frombuffer(script.readframes(script.getnframes()), "<i2").any()
    assert silent(captures["test_card4"])


@pytest.mark.slow
def test_a_rehearsal_keeps_its_own_log_and_never_writes_into_the_wards(tmp_path):
    """Its rows carry moved times: in the ward's log they would count in the period report."""
    paths = make_project(tmp_path, [zone_yaml("pho-2", "file", [1])], {"tin.txt": "Tin thử.\n"})
    command = ["run", "--rehearsal", "--offline", "--excerpt", "1", "--sink", f"file:{tmp_path}"]
    done = subprocess.run(
        [sys.executable, "-m", "broadcast", "--home", str(paths.home), *command],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert not (paths.data_dir / "playlog.sqlite3").exists()
    assert not (paths.data_dir / "status.json").exists()  # the real daemon's status untouched
    rehearsed = paths.with_data_dir(paths.data_dir / "rehearsal")
    (row,) = rows(rehearsed)
    assert row.outcome is Outcome.PLAYED and row.to_file
