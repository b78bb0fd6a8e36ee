"""The daemon at rest: resident memory and CPU of ``broadcast run`` over 60 s with the sample
project loaded and nothing due to air. Targets: <= 80 MB RSS, <= 1 % of one core.

Works on a copy of the sample (scripts, timetable, lexicon, rendered audio; rendered first when
the repository has no audio) whose slot times are moved hours away from now, so the window is
truly idle. The daemon runs as a child process writing to a file sink; its RSS (VmRSS) and CPU
time (utime + stime of all its threads) are read from /proc, since ``os.times`` cannot see a
child before it exits. Linux only.

    .venv/bin/python -m bench.idle [--seconds N] [--render-ahead] [--keep]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

REPOSITORY = Path(__file__).resolve().parent.parent
SAMPLE_ITEMS = ("scripts_vi", "schedules.yaml", "lexicon.yaml", "media")
TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # the sample's timezone
TARGET_RSS_MB = 80.0
TARGET_CPU_PERCENT = 1.0
START_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0
SAMPLE_EVERY = 0.5
TIMES_LINE = re.compile(r"^(\s*times:\s*).*$", re.MULTILINE)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def far_away_times(now: datetime, count: int) -> list[str]:
    """``count`` daytime slot times an hour apart (out of quiet hours, never overlapping), as
    far from ``now`` as possible on the 24 h dial."""
    minutes_now = now.hour * 60 + now.minute

    def distance(minute: int) -> int:
        gap = abs(minute - minutes_now)
        return min(gap, 24 * 60 - gap)

    def nearest(first: int) -> int:
        return min(distance(first + 60 * i) for i in range(count))

    best = max(range(6 * 60, 21 * 60 - 60 * (count - 1), 15), key=nearest)
    return [f"{(best + 60 * i) // 60:02d}:{(best + 60 * i) % 60:02d}" for i in range(count)]


def copy_sample(home: Path) -> list[str]:
    """Copy the sample into ``home`` with every slot moved away; returns the new slot times."""
    for name in SAMPLE_ITEMS:
        source = REPOSITORY / name
        if source.is_dir():
            shutil.copytree(source, home / name)
        elif source.is_file():
            shutil.copy2(source, home / name)
    cache = REPOSITORY / "audio_cache"
    if (cache / "manifest.json").is_file():
        shutil.copytree(cache, home / "audio_cache")
    else:
        print("audio_cache/ not rendered in the repository: rendering the copy …", flush=True)
        subprocess.run(
            [sys.executable, "-m", "broadcast", "--home", str(home), "render"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    schedules = home / "schedules.yaml"
    text = schedules.read_text("utf-8")
    slot_times = far_away_times(datetime.now(TIMEZONE), len(TIMES_LINE.findall(text)))
    if not slot_times:
        raise SystemExit("schedules.yaml has no `times:` line to move")
    moved = iter(slot_times)
    text = TIMES_LINE.sub(lambda line: f'{line.group(1)}["{next(moved)}"]', text)
    schedules.write_text(text, encoding="utf-8")
    return slot_times


def wait_until_running(process: subprocess.Popen, status: Path) -> float:
    """Seconds until the daemon's status file says ``running``."""
    started = time.monotonic()
    while time.monotonic() - started < START_TIMEOUT:
        if process.poll() is not None:
            raise RuntimeError(f"the daemon ended during start-up (exit {process.returncode})")
        try:
            if json.loads(status.read_text("utf-8")).get("state") == "running":
                return time.monotonic() - started
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the daemon did not report `running` within {START_TIMEOUT:.0f} s")


def status_fields(task: Path) -> dict[str, str]:
    """``status`` of a /proc process or thread folder (values keep their unit: '61234 kB')."""
    fields = {}
    for line in (task / "status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


def kilobytes_mb(value: str) -> float:
    return int(value.split()[0]) / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the whole process (every thread) so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may contain spaces
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def context_switches(pid: int) -> int:
    """Voluntary switches summed over threads: roughly how often the daemon wakes up."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError, KeyError):  # a thread that ended meanwhile
            total += int(status_fields(task)["voluntary_ctxt_switches"])
    return total


def measure(pid: int, seconds: float) -> dict[str, float]:
    process = Path(f"/proc/{pid}")
    rss: list[float] = []
    cpu_start, wakes_start, wall_start = cpu_seconds(pid), context_switches(pid), time.monotonic()
    deadline = wall_start + seconds
    while (now := time.monotonic()) < deadline:
        rss.append(kilobytes_mb(status_fields(process)["VmRSS"]))
        time.sleep(min(SAMPLE_EVERY, max(0.0, deadline - now)))
    cpu_end, wakes_end, wall = (
        cpu_seconds(pid),
        context_switches(pid),
        time.monotonic() - wall_start,
    )
    rss.append(kilobytes_mb(status_fields(process)["VmRSS"]))
    last = status_fields(process)
    return {
        "seconds": wall,
        "rss_peak": max(rss),
        "rss_mean": statistics.fmean(rss),
        "rss_drift": rss[-1] - rss[0],  # growth over the window: a leak shows here
        "rss_hwm": kilobytes_mb(last["VmHWM"]),  # the kernel's own peak, start-up included
        "rss_anon": kilobytes_mb(last["RssAnon"]),
        "rss_file": kilobytes_mb(last["RssFile"]),
        "threads": int(last["Threads"]),
        "cpu_seconds": cpu_end - cpu_start,
        "cpu_percent": 100 * (cpu_end - cpu_start) / wall,
        "wakeups_per_second": (wakes_end - wakes_start) / wall,
    }


def stop(process: subprocess.Popen) -> int | None:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return None


def verdict(value: float, target: float) -> str:
    return "met" if value <= target else "MISSED"


def report(figures: dict[str, float], start_seconds: float, command: list[str]) -> None:
    print(f"idle: {' '.join(command[command.index('run') :])}  (file sink: no sound card)")
    print(
        f"  up after {start_seconds:.1f} s; measured {figures['seconds']:.1f} s idle, "
        f"{figures['threads']:.0f} threads"
    )
    print(
        f"  RSS peak {figures['rss_peak']:6.1f} MB   mean {figures['rss_mean']:6.1f} MB   "
        f"(target <= {TARGET_RSS_MB:.0f} MB: {verdict(figures['rss_peak'], TARGET_RSS_MB)})"
    )
    print(
        f"      first to last sample {figures['rss_drift']:+.2f} MB; "
        f"anonymous {figures['rss_anon']:.1f} MB + mapped files {figures['rss_file']:.1f} MB;"
        f" high-water mark since start {figures['rss_hwm']:.1f} MB"
    )
    print(
        f"  CPU  {figures['cpu_percent']:6.2f} % of one core "
        f"({figures['cpu_seconds']:.2f} s CPU)   "
        f"(target <= {TARGET_CPU_PERCENT:.0f} %: "
        f"{verdict(figures['cpu_percent'], TARGET_CPU_PERCENT)})"
    )
    print(f"  wake-ups ~{figures['wakeups_per_second']:.1f}/s (voluntary context switches)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="idle window (60)")
    parser.add_argument(
        "--render-ahead",
        action="store_true",
        help="let the daemon check the render cache at start (its default; offline engines)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary project folder")
    args = parser.parse_args()
    if not sys.platform.startswith("linux"):
        print("bench/idle.py reads /proc: Linux only", file=sys.stderr)
        return 1
    home = Path(tempfile.mkdtemp(prefix="loa-phuong-idle-"))
    data = home / "data"
    daemon_output = home / "daemon-console.log"
    try:
        slot_times = copy_sample(home)
        command = [
            sys.executable, "-m", "broadcast", "--home", str(home), "--data", str(data),
            "run", "--offline" if args.render_ahead else "--no-render",
            "--sink", f"file:{home / 'wav'}",
        ]  # fmt: skip
        with daemon_output.open("wb") as console:
            process = subprocess.Popen(
                command, cwd=REPOSITORY, stdout=console, stderr=subprocess.STDOUT
            )
            try:
                start_seconds = wait_until_running(process, data / "status.json")
                figures = measure(process.pid, args.seconds)
            except BaseException:
                stop(process)
                print(daemon_output.read_text("utf-8", errors="replace")[-3000:], file=sys.stderr)
                raise
            exit_code = stop(process)
        print(f"sample copied, every slot moved to {', '.join(slot_times)} (nothing airs)")
        report(figures, start_seconds, command)
        played = list((home / "wav").rglob("*.wav")) if (home / "wav").exists() else []
        if played:
            print(f"  WARNING: {len(played)} WAV files written: something aired during the window")
        if exit_code != 0:
            print(f"  daemon exit after SIGTERM: {exit_code} (expected 0)", file=sys.stderr)
            print(daemon_output.read_text("utf-8", errors="replace")[-3000:], file=sys.stderr)
            return 1
        print("  SIGTERM: daemon stopped cleanly (exit 0)")
        return 0
    finally:
        if args.keep:
            print(f"  project kept in {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
