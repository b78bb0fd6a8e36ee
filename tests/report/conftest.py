"""A first quarter of 2023 written through the play log's API, with figures worked out by hand.

Broadcasts (zones to-1, to-2):
  1. 05/01 06:00 A (dvc)       to-1 played 120 s, to-2 played 120 s
  2. 12/01 06:00 B (mot-cua)   to-1 played 90 s, to-2 partial 30 s (device_error)
  3. 02/02 17:00 A (dvc)       to-1 preempted 40 s then resumed 80 s; to-2 preempted 40 s
  4. 09/02 06:00 C (mot-cua)   to-1 and to-2 missed (daemon_down)
  5. 01/03 06:00 "Nhạc hiệu"   (no script id, no topic) to-1 played 30 s
  6. 15/03 06:00 B (mot-cua)   to-1 failed (tts_failed)
  plus one open row on 20/03, and plays on 31/12/2022 and 01/04/2023 outside the quarter.
All are program rows (slot "sang" at 06:00, "chieu" at 17:00), as the daemon writes them.
"""

from datetime import datetime, timedelta

import pytest

from broadcast.paths import ProjectPaths
from broadcast.playlog import Airing, Outcome, PlayLog, Reason
from broadcast.playlog.store import WARD_TIMEZONE
from tests.report.ward import write_project

TOPICS_YAML = """\
topics:
  dvc: Dịch vụ công trực tuyến
  mot-cua: Cơ chế một cửa
"""


def at(day, month, hour=6, year=2023):
    return datetime(year, month, day, hour, 0, tzinfo=WARD_TIMEZONE)


def item(script, when, zone, topic):
    titles = {"A": "Nộp hồ sơ trực tuyến", "B": "Bộ phận một cửa", "C": "Thủ tục đất đai"}
    return Airing(
        zone=zone,
        scheduled_at=when,
        title=titles.get(script, script),
        script_id=script if script in titles else None,
        topic=topic,
        slot_id="sang" if when.hour == 6 else "chieu",
        planned_seconds=120.0,
    )


def play(log, airing, seconds, outcome=Outcome.PLAYED, reason=None, delay=0):
    start = airing.scheduled_at + timedelta(seconds=delay)
    attempt_id = log.start_attempt(airing, start)
    log.finish_attempt(
        attempt_id,
        outcome,
        ended_at=start + timedelta(seconds=seconds),
        aired_seconds=seconds,
        reason=reason,
    )


def write_quarter(log):
    play(log, item("A", at(31, 12, year=2022), "to-1", "dvc"), 120)
    for zone in ("to-1", "to-2"):
        play(log, item("A", at(5, 1), zone, "dvc"), 120)
    play(log, item("B", at(12, 1), "to-1", "mot-cua"), 90)
    play(log, item("B", at(12, 1), "to-2", "mot-cua"), 30, Outcome.PARTIAL, Reason.DEVICE_ERROR)
    for zone in ("to-1", "to-2"):
        preempted_by = Reason.preempted_by("khan-cap-bao")
        play(log, item("A", at(2, 2, 17), zone, "dvc"), 40, Outcome.PREEMPTED, preempted_by)
    play(log, item("A", at(2, 2, 17), "to-1", "dvc"), 80, Outcome.RESUMED, delay=300)
    for zone in ("to-1", "to-2"):
        log.record_missed(item("C", at(9, 2), zone, "mot-cua"), Reason.DAEMON_DOWN)
    play(log, item("Nhạc hiệu", at(1, 3), "to-1", None), 30)
    log.record_missed(
        item("B", at(15, 3), "to-1", "mot-cua"),
        Reason.TTS_FAILED,
        outcome=Outcome.FAILED,
        error="không kết nối được máy chủ gTTS",
    )
    log.start_attempt(item("A", at(20, 3), "to-1", "dvc"), at(20, 3))
    play(log, item("A", at(1, 4), "to-1", "dvc"), 120)


@pytest.fixture
def quarter_home(tmp_path):
    """A project folder whose play log holds the quarter above (the open row left open)."""
    paths = ProjectPaths(tmp_path)
    with PlayLog.open(paths) as log:
        write_quarter(log)
    return paths


@pytest.fixture
def quarter_log(quarter_home):
    with PlayLog.open_for_reading(quarter_home) as log:
        yield log


@pytest.fixture
def project(tmp_path):
    """The small ward of ``tests.report.ward``, with no play log yet."""
    return write_project(tmp_path)
