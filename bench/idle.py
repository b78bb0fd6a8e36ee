"""The daemon's footprint: resident memory and CPU of ``broadcast run`` as the systemd unit runs
it, at rest, while programs and bulletins air, and at rest again afterwards.

What runs: ``broadcast --home HOME run`` with no option, as deploy/loa-phuong.service starts it
(render ahead on, the sound card as the sink), in a child process with the unit's environment.
The ward is the sample's: its 20 scripts (rendered beforehand with espeak-ng, 1.0–2.6 min each,
so the daemon has nothing to render), four zones on one 4-channel card (street zones at −2 dB),
the chime before each program. The card is the virtual one of ``tests.support.virtual_card``:
an ALSA device in front of a PulseAudio null sink, which plays at the real rate as a USB card
does.

Three phases, measured from /proc (``os.times`` cannot see a child before it exits):

1. idle: the timetable's slots hours away, nothing due, for ``--idle-seconds``;
2. busy: ``schedules.yaml`` is edited (as a technician would) to add a slot time every
   ``SLOT_EVERY_MINUTES`` for ``--busy-minutes`` (a program: chime and one script), and every
   minute two bulletins are sent over the control channel with ``broadcast announce``: an
   emergency on one street zone (it cuts the program there, which then resumes) and a priority
   bulletin on every zone; the phase ends when the last program and bulletin are over;
3. idle again for ``--idle-seconds``.

Reported: resident memory (VmRSS; PSS and USS from /proc/PID/smaps_rollup when the kernel has
it) at rest before, its peak while busy, at rest after and the growth (after − before), and CPU
% of one core at rest. The issue's "an hour of programs and bulletins" is ``--busy-minutes 60``.
Targets: <= 100 MB at rest, no growth (<= 5 MB, a Python heap's noise), <= 1 % CPU at rest.
The exit status is non-zero only for a broken run (the daemon failed, nothing aired), never
for a missed target.

Linux only; needs PulseAudio as bench/timing.py does. Run from the project root:

    .venv/bin/python -m bench.idle [--idle-seconds 60] [--busy-minutes 6] [--keep]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench._proc import Meter, Phase, megabytes
from bench.timing import broadcast, ensure_pulseaudio
from tests.support import virtual_card

REPOSITORY = Path(__file__).resolve().parent.parent
DEVICE = "test_realtime4"  # four channels, like the sample's USB card
TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
TARGET_RSS_MB = 100.0
TARGET_GROWTH_MB = 5.0
TARGET_CPU_PERCENT = 1.0
SLOT_EVERY_MINUTES = 3  # a program is the chime and one script of at most 2.6 min
FIRST_SLOT_AFTER = timedelta(seconds=30)  # the edit is read within a second; audio 20 s ahead
START_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0
BUSY_TAIL_TIMEOUT = 300.0  # after the last slot's minute: its program and bulletins end
UNIT_ENVIRONMENT = {"PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"}  # as the unit sets
ZONES = ("trung-tam", "tdp-1", "tdp-2", "tdp-3")
SCHEDULES = """\
timezone: Asia/Ho_Chi_Minh
zones:
{zones}zone_groups:
  toan-phuong: all
programs:
  - id: ban-tin
    name: Bản tin
    segments:
      - chime
      - scripts: {{max_count: 1, max_minutes: {slot_minutes}}}
slots:
  - id: sang
    name: Bản tin buổi sáng
    times: ["{far}"]
    weekdays: [T2-T7, CN]
    program: ban-tin
    zones: [toan-phuong]
    max_minutes: {slot_minutes}
{busy}tts:
  engines: [espeak]
  chime: none
"""
BUSY_SLOT = """\
  - id: thu
    name: Bản tin thử
    times: [{times}]
    weekdays: [T2-T7, CN]
    program: ban-tin
    zones: [toan-phuong]
    max_minutes: {slot_minutes}
"""
EMERGENCY = "Thông báo khẩn số {n}: nước lên nhanh ở tổ dân phố, bà con chú ý an toàn."
PRIORITY = "Thông báo số {n} của phường: chiều nay có lịch tiêm chủng tại trạm y tế."


def far_away_time(now: datetime) -> str:
    """A slot time twelve hours from ``now``: the ward's own slot, never due while measured."""
    minute = (now.hour * 60 + now.minute + 12 * 60) % (24 * 60)
    return f"{minute // 60:02d}:{minute % 60:02d}"


def schedules_text(busy_times: list[str]) -> str:
    zones = "".join(
        f"  - id: {zone}\n    name: Khu vực {zone}\n"
        f"    output: {{device: {DEVICE}, channels: [{channel}]}}\n"
        f"    volume_db: {0 if channel == 1 else -2}\n"  # as the sample's street zones
        for channel, zone in enumerate(ZONES, start=1)
    )
    busy = ""
    if busy_times:
        busy = BUSY_SLOT.format(
            times=", ".join(f'"{t}"' for t in busy_times), slot_minutes=SLOT_EVERY_MINUTES
        )
    return SCHEDULES.format(
        zones=zones,
        slot_minutes=SLOT_EVERY_MINUTES,
        far=far_away_time(datetime.now(TIMEZONE)),
        busy=busy,
    )


def make_project(home: Path) -> None:
    """The sample's scripts and lexicon, this bench's timetable, audio rendered."""
    shutil.copytree(REPOSITORY / "scripts_vi", home / "scripts_vi")
    shutil.copy2(REPOSITORY / "lexicon.yaml", home / "lexicon.yaml")
    (home / "schedules.yaml").write_text(schedules_text([]), encoding="utf-8")
    rendered = broadcast(home, "render", "--offline")
    if rendered.returncode != 0:
        raise RuntimeError(f"render failed:\n{rendered.stdout}\n{rendered.stderr}")


def busy_slot_times(now: datetime, minutes: float) -> list[datetime]:
    """Slot instants every ``SLOT_EVERY_MINUTES`` from the first whole minute far enough
    ahead, covering ``minutes``."""
    first = (now + FIRST_SLOT_AFTER + timedelta(minutes=1)).replace(second=0, microsecond=0)
    count = max(1, math.ceil(minutes / SLOT_EVERY_MINUTES))
    return [first + timedelta(minutes=SLOT_EVERY_MINUTES * n) for n in range(count)]


def wait_until_running(process: subprocess.Popen, status: Path) -> float:
    """Seconds until the daemon's status file says ``running``."""
    started = time.monotonic()
    while time.monotonic() - started < START_TIMEOUT:
        if process.poll() is not None:
            raise RuntimeError(f"the daemon ended during start-up (exit {process.returncode})")
        with contextlib.suppress(OSError, ValueError):
            if json.loads(status.read_text("utf-8")).get("state") == "running":
                return time.monotonic() - started
        time.sleep(0.1)
    raise RuntimeError(f"the daemon did not report `running` within {START_TIMEOUT:.0f} s")


def nothing_playing(status: Path) -> bool:
    with contextlib.suppress(OSError, ValueError):
        return not json.loads(status.read_text("utf-8")).get("playing")
    return False


@dataclass
class Bulletins:
    """Two bulletins a minute over the control channel from ``start`` (``time.monotonic()``)
    on: an emergency on one street zone at :20, a priority bulletin everywhere at :45."""

    home: Path
    start: float
    minutes: int
    sent: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def plan(self) -> list[tuple[float, tuple[str, ...]]]:
        """When each bulletin is sent, and ``broadcast announce``'s arguments for it."""
        plan = []
        for n in range(self.minutes):
            street = ZONES[1 + n % 3]
            emergency = ("--zones", street, "--priority", "emergency")
            plan.append((self.start + 60 * n + 20, (*emergency, "--text", EMERGENCY.format(n=n))))
            everywhere = ("--zones", "toan-phuong", "--priority", "priority")
            plan.append((self.start + 60 * n + 45, (*everywhere, "--text", PRIORITY.format(n=n))))
        return plan

    def send_due(self) -> None:
        for at, args in self.plan()[len(self.sent) + len(self.refused) :]:
            if time.monotonic() < at:
                return
            answer = broadcast(self.home, "announce", *args)
            target = self.sent if answer.returncode == 0 else self.refused
            target.append(answer.stdout.strip() or answer.stderr.strip())

    @property
    def all_sent(self) -> bool:
        return len(self.sent) + len(self.refused) == 2 * self.minutes


@dataclass
class Busy:
    phase: Phase
    slots: list[datetime]
    instants: list[float]  # the slots on ``time.monotonic()``
    bulletins: Bulletins

    def before_each_program(self) -> list[float]:
        """RSS (MB) just before each program: a leak grows from one to the next."""
        return [
            max((s for s in self.phase.samples if s.at <= at), key=lambda s: s.at).rss
            for at in self.instants
        ]


def busy_phase(meter: Meter, home: Path, minutes: float) -> Busy:
    """Slots added to the timetable, bulletins sent, measured until everything has aired."""
    now, clock = datetime.now(TIMEZONE), time.monotonic()
    slots = busy_slot_times(now, minutes)
    instants = [clock + (slot - now).total_seconds() for slot in slots]
    (home / "schedules.yaml").write_text(
        schedules_text([f"{slot:%H:%M}" for slot in slots]), encoding="utf-8"
    )
    busy = Busy(Phase("busy"), slots, instants, Bulletins(home, instants[0], math.ceil(minutes)))
    last_sent = busy.bulletins.plan()[-1][0]
    status = home / "data" / "status.json"

    def over() -> bool:
        busy.bulletins.send_due()
        return (
            busy.bulletins.all_sent
            and time.monotonic() > max(instants[-1], last_sent) + 5
            and nothing_playing(status)
        )

    meter.measure(busy.phase, max(instants[-1], last_sent) + BUSY_TAIL_TIMEOUT, over)
    return busy


def aired(home: Path) -> Counter[str]:
    """Rows of the play log by kind and outcome: what the busy phase really put on the air."""
    from broadcast.paths import ProjectPaths
    from broadcast.playlog import PlayLog

    counts: Counter[str] = Counter()
    with PlayLog.open_for_reading(ProjectPaths(home)) as log:
        for row in log.attempts():
            kind = "bulletin" if row.airing.bulletin_id else "program item"
            counts[f"{kind} {row.outcome.value if row.outcome else 'open'}"] += 1
    return counts


def stop(process: subprocess.Popen) -> int | None:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return None


@dataclass
class Station:
    """``broadcast --home HOME run`` on the sample ward and the virtual card, as the unit runs
    it (no option, the unit's environment); its console output goes to ``console``."""

    home: Path
    card: virtual_card.VirtualCard
    process: subprocess.Popen
    console: Path
    start_seconds: float  # until its status said ``running``

    def console_tail(self) -> str:
        return console_tail(self.console)


def console_tail(console: Path) -> str:
    return console.read_text("utf-8", errors="replace")[-3000:]


@contextlib.contextmanager
def station(prefix: str, keep: bool) -> Iterator[Station]:
    """A running station in a temporary folder (kept with ``keep``). The caller stops it
    (``stop``) when it wants the exit status; on an error it is stopped here and its console's
    end printed."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    card = virtual_card.install(work / "card")
    home = work / "ward"
    home.mkdir()
    console = work / "daemon-console.log"
    # The virtual card's capture file would grow by 384 KB a second of the run: not needed.
    environment = dict(os.environ, **UNIT_ENVIRONMENT, REALTIME4_CAPTURE_FILE=os.devnull)
    try:
        make_project(home)
        command = [sys.executable, "-m", "broadcast", "--home", str(home), "run"]
        with console.open("wb") as output:
            process = subprocess.Popen(
                command, cwd=REPOSITORY, env=environment, stdout=output, stderr=subprocess.STDOUT
            )
            try:
                start_seconds = wait_until_running(process, home / "data" / "status.json")
                yield Station(home, card, process, console, start_seconds)
            except BaseException:
                stop(process)
                print(console_tail(console), file=sys.stderr)
                raise
            finally:
                if process.poll() is None:
                    stop(process)
    finally:
        card.stop()
        if keep:
            print(f"  project kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def verdict(value: float, target: float) -> str:
    return "met" if value <= target else "MISSED"


def memory_line(label: str, phase: Phase, how: str) -> str:
    pick = phase.peak if how == "peak" else phase.mean
    rss, pss, uss = pick("rss"), pick("pss"), pick("uss")
    shares = f"   PSS {pss:6.1f}   USS {uss:6.1f}" if pss is not None and uss is not None else ""
    return f"  {label:<26} RSS {rss:6.1f} MB{shares}"


def idle_line(phase: Phase) -> str:
    fields = phase.last_status
    return (
        f"    {phase.seconds:.0f} s: CPU {phase.cpu_percent:.2f} % of one core "
        f"({phase.cpu_seconds:.2f} s), wake-ups ~{phase.wakeups / phase.seconds:.1f}/s, "
        f"{fields['Threads']} threads; anonymous {megabytes(fields['RssAnon']):.1f} MB + "
        f"files {megabytes(fields['RssFile']):.1f} MB"
    )


def report(before: Phase, busy: Busy, after: Phase, counts: Counter[str], up: float) -> None:
    print("idle: `broadcast --home HOME run` as the systemd unit starts it, default options")
    print(f"  sink: the sound card ({DEVICE}, a PulseAudio null sink); up after {up:.1f} s")
    bulletins = busy.bulletins
    print(
        f"  busy {busy.phase.seconds / 60:.1f} min: {len(busy.slots)} programs (chime + one"
        f" script) every {SLOT_EVERY_MINUTES} min from {busy.slots[0]:%H:%M}, "
        f"{len(bulletins.sent)} bulletins ({len(bulletins.refused)} refused)"
    )
    print("  play log: " + ", ".join(f"{count} {key}" for key, count in sorted(counts.items())))
    print(memory_line("at rest before (mean)", before, "mean"))
    print(idle_line(before))
    print(memory_line("busy (peak)", busy.phase, "peak"))
    trend = " ".join(f"{rss:.0f}" for rss in busy.before_each_program())
    print(f"    RSS just before each program (MB): {trend}")
    print(memory_line("at rest after (mean)", after, "mean"))
    print(idle_line(after))
    growth = {key: (after.mean(key) or 0) - (before.mean(key) or 0) for key in ("rss", "pss")}
    print(f"  growth (after − before): RSS {growth['rss']:+.1f} MB, PSS {growth['pss']:+.1f} MB")
    hwm = megabytes(after.last_status["VmHWM"])
    print(f"  high-water mark since start (kernel's VmHWM): {hwm:.1f} MB")
    rest = max(before.mean("rss") or 0, after.mean("rss") or 0)
    cpu = max(before.cpu_percent, after.cpu_percent)
    print(
        f"  targets: at rest <= {TARGET_RSS_MB:.0f} MB: {verdict(rest, TARGET_RSS_MB)}; "
        f"growth <= {TARGET_GROWTH_MB:.0f} MB: {verdict(growth['rss'], TARGET_GROWTH_MB)}; "
        f"CPU at rest <= {TARGET_CPU_PERCENT:.0f} %: {verdict(cpu, TARGET_CPU_PERCENT)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle-seconds", type=float, default=60.0, help="each rest phase (60)")
    parser.add_argument(
        "--busy-minutes", type=float, default=6.0, help="programs and bulletins (6; 60: an hour)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary project folder")
    args = parser.parse_args(argv)
    if not sys.platform.startswith("linux"):
        print("bench/idle.py reads /proc: Linux only", file=sys.stderr)
        return 1
    if not ensure_pulseaudio():
        return 1
    with station("loa-phuong-idle-", args.keep) as running:
        meter = Meter(running.process)
        before, after = Phase("before"), Phase("after")
        meter.measure(before, time.monotonic() + args.idle_seconds)
        busy = busy_phase(meter, running.home, args.busy_minutes)
        meter.measure(after, time.monotonic() + args.idle_seconds)
        exit_code = stop(running.process)
        counts = aired(running.home)
        report(before, busy, after, counts, running.start_seconds)
        broken = []
        if exit_code != 0:
            broken.append(f"daemon exit after SIGTERM: {exit_code} (expected 0)")
        if not any(key.endswith(("played", "resumed")) for key in counts):
            broken.append("nothing aired")
        if busy.bulletins.refused:
            broken.append(f"bulletins refused: {busy.bulletins.refused[:2]}")
        if broken:
            print("BROKEN RUN: " + "; ".join(broken), file=sys.stderr)
            print(running.console_tail(), file=sys.stderr)
            return 1
        print("  SIGTERM: daemon stopped cleanly (exit 0)")
        return 0


if __name__ == "__main__":
    sys.exit(main())
