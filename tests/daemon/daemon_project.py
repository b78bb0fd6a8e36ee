"""A small ward project for daemon tests: real scripts, a real schedules.yaml, real audio path.

Slots are set to the current minute of the ward's clock: the daemon starts a few seconds after
that instant, inside the grace period, so it plays the slot at once — the restart rule that
lets a test run without waiting for the next minute.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from broadcast.daemon.daemon import BroadcastDaemon, DaemonOptions
from broadcast.paths import ProjectPaths
from broadcast.playlog import Attempt, PlayLog
from broadcast.sinks.file import FileSink
from broadcast.sinks.portaudio import SoundDeviceSink
from tests.support import virtual_card

WARD = ZoneInfo("Asia/Ho_Chi_Minh")

SCHEDULES = """\
timezone: Asia/Ho_Chi_Minh
zones:
{zones}
zone_groups:
  moi-noi: all
programs:
  - id: ban-tin
    name: Bản tin thử
    segments:
{segments}
slots:
{slots}
tts:
{tts}"""

OFFLINE_TTS = "  engines: [espeak]\n  chime: none\n"

SLOT = """\
  - id: {id}
    name: Khung {id}
    times: ["{time}"]
    weekdays: [T2-T7, CN]
    program: ban-tin
    zones: [{zones}]
    max_minutes: 10
"""


def zone_yaml(zone_id: str, device: str, channels: list[int], fallback: bool = False) -> str:
    text = (
        f"  - id: {zone_id}\n    name: Khu vực {zone_id}\n"
        f"    output: {{device: {device}, channels: {channels}}}\n"
    )
    return text + ("    fallback: file\n" if fallback else "")


def ward_now() -> datetime:
    return datetime.now(WARD)


def make_project(
    root: Path,
    zones: list[str],
    scripts: dict[str, str],
    slots: dict[str, datetime] | None = None,
    slot_zones: str = "moi-noi",
    segments: str = "      - scripts: {max_count: 5, max_minutes: 10}\n",
    tts: str = OFFLINE_TTS,
) -> ProjectPaths:
    """``scripts`` maps file names under scripts_vi/ to their text; ``slots`` ids to times;
    ``tts`` is the body of the ``tts:`` section."""
    slots = slots or {"bay-gio": ward_now()}
    paths = ProjectPaths(root)
    for name, text in scripts.items():
        target = paths.scripts_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    slot_text = "".join(
        SLOT.format(id=slot_id, time=f"{moment:%H:%M}", zones=slot_zones)
        for slot_id, moment in slots.items()
    )
    paths.schedules_file.write_text(
        SCHEDULES.format(zones="".join(zones), segments=segments, slots=slot_text, tts=tts),
        encoding="utf-8",
    )
    return paths


def start_daemon(paths: ProjectPaths, **options: object) -> BroadcastDaemon:
    daemon = BroadcastDaemon(
        paths,
        SoundDeviceSink(),
        options=DaemonOptions(console_log=None, watch_interval=0.2, **options),
    )
    daemon.start()
    return daemon


def start_to_files(
    paths: ProjectPaths, realtime: bool = True, console_log: bool | None = False, **options: Any
) -> BroadcastDaemon:
    """The daemon writing each zone's sound to WAV files under ``heard/`` (at the real pace
    by default, so something is on the air when a request comes)."""
    daemon = BroadcastDaemon(
        paths,
        FileSink(paths.home / "heard", realtime=realtime),
        options=DaemonOptions(console_log=console_log, watch_interval=0.2, **options),
    )
    daemon.start()
    return daemon


def idle_ward(root: Path, zones: list[str] | None = None) -> ProjectPaths:
    """A ward on WAV files whose only slot is hours away: whatever airs is what a test sent."""
    return make_project(
        root,
        zones or [zone_yaml("to-1", "file", [1]), zone_yaml("to-2", "file", [1])],
        {"tin.txt": "Thông báo\n\nMời bà con dự họp tổ dân phố.\n"},
        slots={"chieu": ward_now() + timedelta(hours=6)},
    )


def console(paths: ProjectPaths, *args: str) -> subprocess.CompletedProcess:
    """``broadcast ARGS`` as a technician types it in a console beside the running daemon."""
    return subprocess.run(
        [sys.executable, "-m", "broadcast", "--home", str(paths.home), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def rows(paths: ProjectPaths) -> list[Attempt]:
    with PlayLog.open_for_reading(paths, timezone=WARD) as log:
        return log.attempts()


def wait_for(
    paths: ProjectPaths, done: Callable[[list[Attempt]], bool], timeout: float = 30.0
) -> list[Attempt]:
    """Poll the play log (a separate connection, as a reviewer would) until ``done``."""
    deadline = time.monotonic() + timeout
    while True:
        found = rows(paths) if (paths.data_dir / "playlog.sqlite3").exists() else []
        if done(found):
            return found
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out; log has {[(r.airing.zone, r.outcome) for r in found]}"
            )
        time.sleep(0.1)


def minutes_ago(minutes: int) -> datetime:
    return ward_now() - timedelta(minutes=minutes)


def plug_in(card: virtual_card.VirtualCard, server: str) -> None:
    """Start a PulseAudio server of the virtual card again after ``card.kill_pulse(server)``:
    its ALSA device plays again from the next stream it opens, like a USB card put back."""
    card.plug_in(server)
