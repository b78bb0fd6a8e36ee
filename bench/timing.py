"""Is every airing heard on time and whole? The daemon measured where a listener is.

What runs: the daemon itself, ``broadcast run --rehearsal`` as a subprocess, on a ward project
of ``AIRINGS`` slots (one short espeak-ng script each, rendered beforehand as in the ward):
the rehearsal moves the day's airings to start a few seconds apart, back to back, through the
same planner, APScheduler jobs, runner and sink as the daily schedule, then ends by itself. The
sound goes to the sound card (the default sink, no WAV file): a virtual ALSA device in front of
a PulseAudio null sink, which plays at the real rate.

Where it is measured: at the null sink's monitor (``parec``), i.e. after the sound server's
buffer, what a loudspeaker on that sink would play. Each frame is timed on the wall clock from
the recorder's chunk arrivals (``tests.support.virtual_card.MonitorRecording``). For every
airing in the rehearsal's play log:

- start error: when the item's first sample was played at the monitor, minus the instant the
  daemon planned for it (the row's ``scheduled_at``); the first airing after the start is
  reported apart (libraries and audio are loaded on first use);
- end loss: how much of the item's rendered audio, counted back from its end, did not reach
  the monitor as rendered (0 when the item is heard bit-exact to its last sample); a sample
  wrong before the end (an underrun's gap or skip) is reported as a damaged item.

``--stress N`` runs N busy processes meanwhile (a busy 2-core PC). Targets: p99 start error
<= 5 ms, 0 ms lost at the end.

Linux only. Needs the Debian packages pulseaudio, pulseaudio-utils and libasound2-plugins
(installed here when run as root). Run from the project root, which makes ``tests.support``
importable:

    .venv/bin/python -m bench.timing [--airings 40] [--stress N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from tests.support import virtual_card

AIRINGS = 40
DEVICE = "test_realtime"
TARGET_P99_MS = 5.0
SEARCH_BEFORE, SEARCH_AFTER = 0.5, 1.0  # seconds around the planned instant to find the start
PACKAGES = "pulseaudio pulseaudio-utils libasound2-plugins"
SCRIPTS = {
    "tiep-dan.txt": "Lịch tiếp dân\n\nChủ tịch phường tiếp dân sáng thứ năm.\n",
    "rac.txt": "Thu gom rác\n\nXe rác đi qua tổ dân phố lúc 17 giờ 30.\n",
    "dien.txt": "Lịch cắt điện\n\nSáng mai cắt điện từ 8 giờ đến 10 giờ.\n",
}
SCHEDULES = """\
timezone: Asia/Ho_Chi_Minh
zones:
  - id: loa
    name: Loa phường
    output: {{device: {device}, channels: [1, 2]}}
programs:
  - id: tin
    name: Tin ngắn
    segments:
      - scripts: {{max_count: 1, max_minutes: 1}}
slots:
{slots}tts:
  engines: [espeak]
  chime: none
"""
SLOT = """\
  - id: s{n:02d}
    name: Khung {n}
    times: ["{time}"]
    weekdays: [T2-T7, CN]
    program: tin
    zones: [loa]
    max_minutes: 1
"""


@dataclass(frozen=True)
class Heard:
    script_id: str
    start_error_ms: float | None  # None: not found at the monitor
    end_lost_ms: float
    damaged: bool  # a sample differed before the end


def ensure_pulseaudio() -> bool:
    if shutil.which("pulseaudio") and shutil.which("parec"):
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
        return bool(shutil.which("pulseaudio") and shutil.which("parec"))
    print(f"bench/timing.py needs PulseAudio: sudo apt-get install {PACKAGES}", file=sys.stderr)
    return False


def make_project(home: Path, airings: int) -> None:
    scripts = home / "scripts_vi"
    scripts.mkdir(parents=True)
    for name, text in SCRIPTS.items():
        (scripts / name).write_text(text, encoding="utf-8")
    # Any times of the day: a rehearsal moves the whole day to now, a few seconds apart.
    slots = "".join(SLOT.format(n=n, time=f"{n // 60:02d}:{n % 60:02d}") for n in range(airings))
    (home / "schedules.yaml").write_text(
        SCHEDULES.format(device=DEVICE, slots=slots), encoding="utf-8"
    )


def broadcast(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "broadcast", "--home", str(home), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def measure(
    recording: virtual_card.MonitorRecording, planned: datetime, rendered: np.ndarray
) -> tuple[float | None, float, bool]:
    """Start error (ms), end loss (ms) and damage of one airing at the monitor."""
    mono = recording.frames[:, 0]
    planned_frame = recording.frame_at_wall(planned.timestamp())
    low = max(0, planned_frame - round(SEARCH_BEFORE * virtual_card.SAMPLE_RATE))
    high = planned_frame + round(SEARCH_AFTER * virtual_card.SAMPLE_RATE)
    audible = np.flatnonzero(mono[low:high])
    if audible.size == 0:
        return None, len(rendered) / virtual_card.SAMPLE_RATE * 1000, True
    lead = int(np.flatnonzero(rendered)[0])  # the rendered item may open with silence
    start = low + int(audible[0]) - lead
    error_ms = (recording.wall_time(start) - planned.timestamp()) * 1000
    heard = mono[start : start + len(rendered)]
    heard = np.pad(heard, (0, len(rendered) - len(heard)))
    wrong = np.flatnonzero(heard != rendered)
    if wrong.size == 0:
        return error_ms, 0.0, False
    first_wrong = int(wrong[0])
    truncated = not heard[first_wrong:].any()  # all silence from there: the end was cut
    lost_ms = (len(rendered) - first_wrong) / virtual_card.SAMPLE_RATE * 1000
    return error_ms, lost_ms if truncated else 0.0, not truncated


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--airings", type=int, default=AIRINGS)
    parser.add_argument("--stress", type=int, default=0, metavar="N", help="busy processes")
    args = parser.parse_args(argv)
    if not sys.platform.startswith("linux"):
        print("bench/timing.py uses ALSA and PulseAudio: Linux only", file=sys.stderr)
        return 1
    if not ensure_pulseaudio():
        return 1
    work = Path(tempfile.mkdtemp(prefix="loa-phuong-timing-"))
    card = virtual_card.install(work / "card")
    home = work / "ward"
    make_project(home, args.airings)
    rendered = broadcast(home, "render", "--offline")
    if rendered.returncode != 0:
        print(rendered.stdout, rendered.stderr, file=sys.stderr)
        return 1
    hogs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.stress)
    ]
    try:
        with card.listen(DEVICE) as recording:
            run = broadcast(home, "run", "--rehearsal", "--offline", "--ignore-quiet-hours")
    finally:
        for hog in hogs:
            hog.kill()
        card.stop()
    if run.returncode != 0:
        print(run.stdout[-3000:], run.stderr[-3000:], file=sys.stderr)
        return 1
    results = heard_airings(home, recording)
    shutil.rmtree(work, ignore_errors=True)
    return report(results, args.stress)


def heard_airings(home: Path, recording: virtual_card.MonitorRecording) -> list[Heard]:
    from broadcast.audio.manifest import AudioManifest
    from broadcast.audio.wavfile import read_wav
    from broadcast.daemon.rehearsal import rehearsal_paths
    from broadcast.daemon.segment_audio import as_pcm16
    from broadcast.paths import ProjectPaths
    from broadcast.playlog import PlayLog

    paths = ProjectPaths(home)
    manifest = AudioManifest.load(paths)
    with PlayLog.open_for_reading(rehearsal_paths(paths)) as log:
        attempts = sorted(log.attempts(), key=lambda row: row.airing.scheduled_at)
    results = []
    for row in attempts:
        script_id = row.airing.script_id or ""
        audio = as_pcm16(read_wav(manifest.entry(script_id).path))
        error_ms, lost_ms, damaged = measure(recording, row.airing.scheduled_at, audio)
        results.append(Heard(script_id, error_ms, lost_ms, damaged))
    return results


def report(results: list[Heard], stress: int) -> int:
    load = f", {stress} busy processes alongside" if stress else ""
    print(f"timing: {len(results)} airings of `broadcast run --rehearsal`{load}")
    print("  measured at the PulseAudio sink's monitor (what the loudspeaker plays)")
    found = [r for r in results if r.start_error_ms is not None]
    if len(found) < len(results):
        print(f"  {len(results) - len(found)} airings not heard at all")
    if not found:
        return 1
    first, rest = found[0], [r.start_error_ms for r in found[1:] if r.start_error_ms is not None]
    print(f"  first airing after the start: {first.start_error_ms:+.1f} ms")
    if rest:
        p99 = percentile(rest, 0.99)
        print(
            f"  start error, the other {len(rest)} (ms): min {min(rest):+.1f}  "
            f"p50 {statistics.median(rest):+.1f}  p99 {p99:+.1f}  max {max(rest):+.1f}"
        )
        verdict = "met" if p99 <= TARGET_P99_MS else "MISSED"
        print(f"  target p99 <= {TARGET_P99_MS:.0f} ms: {verdict}")
    lost = [r.end_lost_ms for r in results]
    cut = [value for value in lost if value > 0]
    print(
        f"  lost at the end: {len(cut)} of {len(results)} items cut; "
        f"max {max(lost):.1f} ms (target 0 ms: {'met' if not cut else 'MISSED'})"
    )
    damaged = sum(r.damaged for r in results)
    print(f"  items with a wrong sample before the end (underrun gap or skip): {damaged}")
    return 0 if len(found) == len(results) and not cut and not damaged else 1


if __name__ == "__main__":
    sys.exit(main())
