"""Issue 12: the play log says what aired — a restart never re-airs a slot or invents a miss.

The real daemon, the real play log (SQLite) and a WAV file sink: what the sink wrote is what
the ward heard, and every row must agree with it.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import numpy as np

from broadcast.control import ControlClient
from broadcast.daemon.alarms import AlarmCode
from broadcast.daemon.attempts import alarm_device_errors, finish_attempts, start_attempts
from broadcast.daemon.daemon import BroadcastDaemon, DaemonOptions
from broadcast.daemon.segment_audio import SegmentAudio
from broadcast.paths import ProjectPaths
from broadcast.playlog import Airing, Outcome, PlayLog
from broadcast.sinks.file import FileSink
from broadcast.sinks.protocol import OutletOutcome, PlayResult, PlayStatus
from broadcast.sinks.spec import FALLBACK_FOLDER, station_sink
from tests.daemon.daemon_project import make_project, rows, wait_for, ward_now, zone_yaml

HOURS_6 = timedelta(hours=6)  # a slot far away: nothing else airs during the test
ONE_ITEM = "      - scripts: {max_count: 1, max_minutes: 10}\n"
FIRST = "Thông báo lịch tiếp công dân tháng 12.\n"
LATE = "---\ntitle: Bài ưu tiên đến sau\npriority: priority\n---\nBài này đến sau giờ phát.\n"


def _project(tmp_path: Path) -> ProjectPaths:
    return make_project(
        tmp_path, [zone_yaml("pho-1", "file", [1])], {"tiep-dan.txt": FIRST}, segments=ONE_ITEM
    )


def _daemon(paths: ProjectPaths, grace: timedelta, **options: object) -> BroadcastDaemon:
    daemon = BroadcastDaemon(
        paths,
        FileSink(paths.home / "heard", realtime=False),
        options=DaemonOptions(console_log=None, watch_interval=0.2, grace=grace, **options),
    )
    daemon.start()
    return daemon


def _heard(paths: ProjectPaths) -> list[str]:
    return sorted(p.name for p in (paths.home / "heard").glob("*.wav"))


def _air_once_then_add_a_priority_script(paths: ProjectPaths) -> None:
    daemon = _daemon(paths, grace=timedelta(minutes=5))
    try:
        wait_for(paths, lambda r: len(r) == 1 and not r[0].is_open)
    finally:
        daemon.stop()
    (paths.scripts_dir / "uu-tien.md").write_text(LATE, encoding="utf-8")


def test_a_restart_within_grace_never_re_airs_a_slot_with_a_script_that_arrived_after_it(
    tmp_path,
):
    paths = _project(tmp_path)
    _air_once_then_add_a_priority_script(paths)
    heard_before = _heard(paths)
    daemon = _daemon(paths, grace=timedelta(minutes=5))  # seconds later: within grace
    try:
        daemon.reload()  # the new script is surely read, as the watcher would
        time.sleep(2.0)  # a re-air would have started by now
    finally:
        daemon.stop()
    found = rows(paths)
    assert [(r.airing.script_id, r.outcome) for r in found] == [("tiep-dan", Outcome.PLAYED)]
    assert _heard(paths) == heard_before  # the sink wrote nothing more: nobody heard a re-air


def test_a_restart_after_grace_logs_no_invented_miss_for_a_script_that_arrived_later(tmp_path):
    paths = _project(tmp_path)
    _air_once_then_add_a_priority_script(paths)
    daemon = _daemon(paths, grace=timedelta(seconds=1))  # past grace: downtime is accounted
    daemon.stop()
    found = rows(paths)
    assert [(r.airing.script_id, r.outcome) for r in found] == [("tiep-dan", Outcome.PLAYED)]
    assert not any(r.outcome is Outcome.MISSED for r in found)


FOUR_ZONES = [zone_yaml(f"to-{n}", "file", [1]) for n in range(1, 5)]


def test_one_emergency_on_four_zones_is_one_broadcast_with_its_zones(tmp_path):
    """Defect 3: its rows had scheduled times a millisecond apart and counted as several."""
    paths = make_project(
        tmp_path, FOUR_ZONES, {"tiep-dan.txt": FIRST}, slots={"chieu": ward_now() + HOURS_6}
    )
    daemon = _daemon(paths, grace=timedelta(minutes=5))
    try:
        ControlClient.from_paths(paths).call(
            "announce",
            text="Khẩn cấp: nước lên nhanh, bà con di chuyển lên chỗ cao.",
            zones=["moi-noi"],
            priority="emergency",
            sender="ky-thuat-vien",
        )
        found = wait_for(paths, lambda r: len(r) == 4 and not any(x.is_open for x in r))
        with PlayLog.open_for_reading(paths) as log:
            (sent,) = log.bulletins()
    finally:
        daemon.stop()
    assert {row.airing.bulletin_id for row in found} == {sent.id}
    assert len({row.airing.scheduled_at for row in found}) == 1  # one broadcast, one moment
    assert sorted(row.airing.zone for row in found) == ["to-1", "to-2", "to-3", "to-4"]
    assert (sent.priority, sent.sender, sent.zones) == (
        "emergency",
        "ky-thuat-vien",
        ("to-1", "to-2", "to-3", "to-4"),
    )
    assert sent.text is not None and sent.text.startswith("Khẩn cấp")


def test_a_zone_written_to_a_wav_file_is_logged_as_such_never_as_heard(tmp_path):
    """Defect 5: audio that went to the WAV fallback was logged "đã phát" with no mark."""
    paths = make_project(
        tmp_path,
        [zone_yaml("pho-1", "card-da-rut", [1], fallback=True)],
        {"tiep-dan.txt": FIRST},
    )
    daemon = BroadcastDaemon(
        paths,
        station_sink(None, paths),  # the sound card, WAV files for a zone whose card is gone
        options=DaemonOptions(console_log=None, watch_interval=0.2),
    )
    daemon.start()
    try:
        (row,) = wait_for(paths, lambda r: len(r) == 1 and not r[0].is_open)
        shown = daemon.status()
    finally:
        daemon.stop()
    (written,) = (paths.data_dir / FALLBACK_FOLDER).glob("*.wav")
    assert row.to_file and not row.heard
    assert row.output == str(written)
    (zone,) = shown.devices
    assert zone.to_file and "card-da-rut" in (zone.problem or "")


def test_an_airing_s_audio_is_ready_before_its_instant_even_the_first_after_a_start(tmp_path):
    """Issue 13, defect 9: the first airing after a start loaded its audio (and levelled its
    chime) at air time, and started late."""
    soon = ward_now() + timedelta(minutes=2)
    paths = make_project(
        tmp_path,
        [zone_yaml("pho-1", "file", [1])],
        {"tiep-dan.txt": FIRST},
        slots={"sap-toi": soon},
        segments="      - chime\n" + ONE_ITEM,
        tts="  engines: [espeak]\n",
    )
    # read ahead 3 minutes before (20 s by default): due "soon" from the start
    daemon = _daemon(paths, grace=timedelta(minutes=5), prepare_ahead=timedelta(minutes=3))
    try:
        deadline = time.monotonic() + 5
        while "tiep-dan" not in daemon.context.audio.ready_scripts():
            assert time.monotonic() < deadline, "the airing's audio was not read ahead"
            time.sleep(0.05)
        assert ward_now() < soon  # well before its instant
    finally:
        daemon.stop()


def test_underruns_a_listener_heard_are_in_the_row_and_raise_the_zone_s_alarm(tmp_path):
    """Issue 13, defect 7: underruns were neither detected nor logged. The sink counts them
    (tests/sinks/test_portaudio_sink.py); here the daemon's record and alarm of that count."""
    paths = _project(tmp_path)
    daemon = _daemon(paths, grace=timedelta(minutes=5))
    try:
        context = daemon.context
        audio = SegmentAudio(np.zeros(48000, dtype=np.int16))
        at = context.clock.now()
        airing = Airing(zone="pho-1", scheduled_at=at, title="Bản tin", script_id="x")
        attempts = start_attempts(context, ["pho-1"], lambda zone: airing, at)
        heard = OutletOutcome("card", ("pho-1",), PlayStatus.COMPLETED, 1.0, underruns=2)
        finish_attempts(context, attempts, PlayResult((heard,)), audio)
        alarm_device_errors(context, [heard])
        alarms = {(a.code, a.zone) for a in daemon.alarms.active()}
    finally:
        daemon.stop()
    row = next(r for r in rows(paths) if r.airing.script_id == "x")
    assert row.outcome is Outcome.PLAYED and row.underruns == 2
    assert (AlarmCode.UNDERRUN, "pho-1") in alarms
