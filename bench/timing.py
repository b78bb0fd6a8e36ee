"""How late does a scheduled play start? Delay from the scheduled instant to the first
non-silent sample reaching the sound device, over many plays. Target: p99 <= 20 ms.

The device is real-time: an ALSA ``file`` PCM in front of a PulseAudio null sink (started
here), so audio is consumed at the real rate. The ``file`` PCM writes every frame to a capture
file the moment PortAudio hands it to ALSA; a poller records the monotonic time when the first
non-zero byte appears. Plays are started by APScheduler 3 date triggers (memory job store),
through ``SoundDeviceSink``, exactly as the daemon does.

Linux only. Needs the Debian packages pulseaudio and libasound2-plugins (installed here when
run as root). Run from the project root, which makes ``tests.support`` importable:

    .venv/bin/python -m bench.timing
"""

from __future__ import annotations

import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from tests.support import virtual_card

PLAYS = 60
SPACING_SECONDS = 0.5  # between scheduled instants; each play lasts PROGRAM_SECONDS
PROGRAM_SECONDS = 0.15
FIRST_PLAY_AFTER = 1.5
POLL_SECONDS = 0.0002
TARGET_P99_MS = 20.0
PACKAGES = "pulseaudio pulseaudio-utils libasound2-plugins"


def ensure_pulseaudio() -> bool:
    if shutil.which("pulseaudio"):
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"Installing {PACKAGES} …", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES.split()],
            env=env,
            check=False,
            stdout=subprocess.DEVNULL,
        )
        return bool(shutil.which("pulseaudio"))
    print(f"bench/timing.py needs PulseAudio: sudo apt-get install {PACKAGES}", file=sys.stderr)
    return False


def first_sound(path: Path, deadline: float) -> float | None:
    """Monotonic time at which a non-zero byte is first seen in ``path``."""
    while time.monotonic() < deadline:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            data = b""
        seen = time.monotonic()
        if data.strip(b"\0"):
            return seen
        time.sleep(POLL_SECONDS)
    return None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    if not sys.platform.startswith("linux"):
        print("bench/timing.py uses ALSA and PulseAudio: Linux only", file=sys.stderr)
        return 1
    if not ensure_pulseaudio():
        return 1
    work = Path(tempfile.mkdtemp(prefix="loa-phuong-timing-"))
    card = virtual_card.install(work)
    capture_variable = virtual_card.CAPTURE_VARIABLES["test_realtime"]

    from apscheduler.schedulers.background import BackgroundScheduler

    from broadcast.sinks.portaudio import SoundDeviceSink
    from broadcast.sinks.protocol import ZoneSpeakers

    sink = SoundDeviceSink()
    zones = [ZoneSpeakers("ward", "test_realtime", (1, 2))]
    program = virtual_card.sine(PROGRAM_SECONDS)  # loud from its very first sample
    playbacks: queue.Queue = queue.Queue()

    def play() -> None:
        playbacks.put(sink.start(program, virtual_card.SAMPLE_RATE, zones))

    os.environ[capture_variable] = str(work / "warm-up.raw")
    play()  # first use loads PortAudio's device list; the daemon has done that long before
    playbacks.get().wait(5)

    scheduler = BackgroundScheduler(timezone="Asia/Ho_Chi_Minh")
    scheduler.start()
    # Wall-clock instants for APScheduler; the same instants on the monotonic clock to measure.
    wall_start = datetime.now(scheduler.timezone) + timedelta(seconds=FIRST_PLAY_AFTER)
    mono_start = time.monotonic() + (wall_start - datetime.now(scheduler.timezone)).total_seconds()
    instants = []
    for i in range(PLAYS):
        at = wall_start + timedelta(seconds=i * SPACING_SECONDS)
        scheduler.add_job(play, "date", run_date=at, misfire_grace_time=5)
        instants.append(mono_start + i * SPACING_SECONDS)

    delays_ms = []
    missing = 0
    for i, instant in enumerate(instants):
        capture = work / f"play-{i:03d}.raw"
        os.environ[capture_variable] = str(capture)  # read when the job opens its stream
        heard = first_sound(capture, instant + 2.0)
        if heard is None:
            missing += 1
        else:
            delays_ms.append((heard - instant) * 1000)
        playbacks.get(timeout=5).wait(5)
    scheduler.shutdown()
    card.stop()

    print(f"timing: {len(delays_ms)} scheduled plays through a real-time sink (PulseAudio)")
    if missing:
        print(f"  {missing} plays produced no sound")
    if not delays_ms:
        return 1
    p99 = percentile(delays_ms, 0.99)
    print("  delay from scheduled instant to first sound at the device (ms):")
    print(
        f"  min {min(delays_ms):.2f}  p50 {statistics.median(delays_ms):.2f}  "
        f"p99 {p99:.2f}  max {max(delays_ms):.2f}"
    )
    verdict = "met" if p99 <= TARGET_P99_MS else "MISSED"
    print(f"  target p99 <= {TARGET_P99_MS:.0f} ms: {verdict}")
    print(f"  (output latency asked of PortAudio: {sink.latency} s, heard after the device)")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if not missing else 1


if __name__ == "__main__":
    sys.exit(main())
