"""A running process's memory and CPU, read from /proc (``os.times`` cannot see a child before
it exits), sampled into phases; for bench/idle.py. Linux only."""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_EVERY = 0.5  # VmRSS; smaps_rollup (the kernel walks every mapping) every fourth sample
SMAPS_EVERY = 4
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Sample:
    at: float  # time.monotonic()
    rss: float  # MB
    pss: float | None = None
    uss: float | None = None


@dataclass
class Phase:
    name: str
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    wakeups: int = 0
    last_status: dict[str, str] = field(default_factory=dict)

    def mean(self, key: str) -> float | None:
        values = [getattr(s, key) for s in self.samples if getattr(s, key) is not None]
        return statistics.fmean(values) if values else None

    def peak(self, key: str) -> float | None:
        values = [getattr(s, key) for s in self.samples if getattr(s, key) is not None]
        return max(values) if values else None

    @property
    def cpu_percent(self) -> float:
        return 100 * self.cpu_seconds / self.seconds if self.seconds else 0.0


def status_fields(task: Path) -> dict[str, str]:
    """``status`` of a /proc process or thread folder (values keep their unit: '61234 kB')."""
    fields = {}
    for line in (task / "status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


def megabytes(value: str) -> float:
    return int(value.split()[0]) / 1024


def proportional_and_unique(pid: int) -> tuple[float, float] | None:
    """PSS (shared pages split among their users) and USS (pages only this process holds),
    MB; ``None`` when the kernel has no smaps_rollup."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return None
    fields = {}
    for line in text.splitlines()[1:]:
        key, _, value = line.partition(":")
        fields[key] = megabytes(value)
    return fields["Pss"], fields["Private_Clean"] + fields["Private_Dirty"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the whole process (every thread) so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may contain spaces
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def context_switches(pid: int) -> dict[int, int]:
    """Voluntary switches of each thread so far: roughly how often the daemon wakes up."""
    counts = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError, KeyError):  # a thread that ended meanwhile
            counts[int(task.name)] = int(status_fields(task)["voluntary_ctxt_switches"])
    return counts


class Meter:
    """Samples one process's memory into phases."""

    def __init__(self, process: subprocess.Popen):
        self.process = process
        self._count = 0

    def sample(self, phase: Phase) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"the daemon ended (exit {self.process.returncode})")
        pid = self.process.pid
        fields = status_fields(Path(f"/proc/{pid}"))
        sample = Sample(time.monotonic(), megabytes(fields["VmRSS"]))
        if self._count % SMAPS_EVERY == 0 and (shares := proportional_and_unique(pid)):
            sample.pss, sample.uss = shares
        self._count += 1
        phase.samples.append(sample)
        phase.last_status = fields

    def measure(self, phase: Phase, until: float, check: Callable[[], bool] | None = None) -> None:
        """Sample into ``phase`` until ``time.monotonic()`` reaches ``until`` or ``check()``
        says the phase is over; CPU and wake-ups are counted over the same window."""
        pid = self.process.pid
        cpu, wakes, started = cpu_seconds(pid), context_switches(pid), time.monotonic()
        self._count = 0
        while (now := time.monotonic()) < until:
            self.sample(phase)
            if check is not None and check():
                break
            time.sleep(min(SAMPLE_EVERY, max(0.0, until - now)))
        self.sample(phase)
        phase.seconds += time.monotonic() - started
        phase.cpu_seconds += cpu_seconds(pid) - cpu
        # A thread that ended meanwhile takes its count along: an undercount, never negative.
        phase.wakeups += sum(n - wakes.get(tid, 0) for tid, n in context_switches(pid).items())
