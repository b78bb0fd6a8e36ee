"""How soon an urgent bulletin is heard: from ``broadcast announce`` to its chime at the speaker.

What runs: ``broadcast --home HOME run`` with no option, as bench/idle.py runs it (the sample
ward, its scripts rendered beforehand, four zones on the virtual 4-channel card in front of a
PulseAudio null sink, at the real rate). ``broadcast announce --priority emergency --text …
--zones Z`` is then started ``--bulletins`` times (8), each text different so that nothing is
cached, each once the one before has aired: the first half on idle zones (nothing plays
anywhere), the second half each while a program plays on its zone (a slot is added to
``schedules.yaml`` as bench/idle.py does; the bulletin is sent once the program's script has
played a few seconds there; the play log then says whether it really cut the program).

Where it is measured: at the null sink's monitor (``parec``), on the zone's channel: the first
frame of the bulletin's chime, found by matching the chime as the first bulletin was heard (its
channel silent until then), timed on the wall clock as bench/timing.py times frames. For each
bulletin:

- heard: that frame, minus the moment ``announce`` was started (the first bulletin after the
  daemon's start is reported apart: cold);
- answered: how long ``announce`` took to exit;
- where the time went, from the play log: the bulletin's ``requested_at`` (the daemon stamps
  it once the speech is made), its row's ``started_at`` (the play started on its channel,
  after the cut program's fade), then the stream's and the sound server's buffers up to the
  monitor. A client's start alone is timed with ``broadcast announce --help``.

The exit status is non-zero only for a broken run (a bulletin refused or never heard).

Linux only; needs PulseAudio as bench/timing.py does. The card's PulseAudio server is this
bench's own (its socket in its temporary folder): it runs beside another bench without touching
that one's sinks. Run from the project root:

    .venv/bin/python -m bench.bulletin [--bulletins 8]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from bench.idle import (
    DEVICE,
    REPOSITORY,
    SLOT_EVERY_MINUTES,
    TIMEZONE,
    ZONES,
    busy_slot_times,
    schedules_text,
    station,
    stop,
)
from bench.timing import broadcast, ensure_pulseaudio
from tests.support import virtual_card

BULLETINS = 8
SETTLE_SECONDS = 10.0  # after `running`: the start's own work (chime levelled) is over
BETWEEN_SECONDS = 3.0  # after a bulletin aired: the cut program has resumed
PROGRAM_PLAYED_SECONDS = 3.0  # the program's script has played this long on the zone
PROGRAM_LEFT_SECONDS = 25.0  # … and has at least this much left
AIRED_TIMEOUT = 120.0
LOOK_BACK_SECONDS = 600.0  # rows are read from their start: a script is at most 2.6 min
PROGRAM_TIMEOUT = SLOT_EVERY_MINUTES * 60 + 180.0  # the next slot's program
TEMPLATE_SECONDS = 1.0  # of the chime as first heard: its first two tones
MATCH_SCORE = 0.99  # the chime arrives bit-exact up to the zone's gain
TEXT = "Thông báo khẩn số {n}: {what}, bà con chú ý theo dõi và thực hiện."
WHAT = (
    "nước sông lên nhanh ở tổ dân phố số một",
    "cây đổ chắn đường ở ngõ năm mươi hai",
    "mất điện toàn phường từ mười giờ",
    "cháy nhà kho ở đầu chợ",
    "đường ngập sâu trước trường tiểu học",
    "gió mạnh, hạ loa và biển quảng cáo",
    "tạm ngừng cấp nước sạch buổi chiều",
    "sơ tán khỏi khu nhà tập thể cũ",
)


@dataclass
class Sent:
    number: int
    zone: str
    during_program: bool  # sent while the zone played a program's script
    text: str
    started: float  # time.time() when `announce` was started
    answered: float  # seconds `announce` took to exit
    answer: str
    exit_code: int
    requested_at: float | None = None  # time.time() scale: the daemon made the speech
    play_started_at: float | None = None  # the bulletin's row on the zone started
    cut_program: bool = False  # the log shows a program row there preempted by it
    heard_at: float | None = None  # the chime's first frame at the monitor
    score: float = 0.0

    @property
    def heard(self) -> float | None:
        return None if self.heard_at is None else self.heard_at - self.started


def send(home: Path, number: int, zone: str, during_program: bool) -> Sent:
    text = TEXT.format(n=number + 1, what=WHAT[number % len(WHAT)])
    if number >= len(WHAT):  # longer runs: still a text never made before
        text += f" Lần {number + 1}."
    started = time.time()
    answer = broadcast(home, "announce", "--priority", "emergency", "--text", text, "--zones", zone)
    answered = time.time() - started
    output = (answer.stdout.strip() or answer.stderr.strip()).replace("\n", " ")
    return Sent(number, zone, during_program, text, started, answered, output, answer.returncode)


def read_log(home: Path, since: float) -> tuple[list, list]:
    """The bulletins sent and the rows written since ``since`` (``time.time()``)."""
    from broadcast.paths import ProjectPaths
    from broadcast.playlog import PlayLog

    moment = datetime.fromtimestamp(since, TIMEZONE)
    with PlayLog.open_for_reading(ProjectPaths(home)) as log:
        return log.bulletins(since=moment), log.attempts(since=moment)


def fill_from_log(home: Path, sent: Sent) -> bool:
    """Its times and whether it cut a program, from the play log; ``True`` once every row
    of the bulletin is closed (it has aired)."""
    from broadcast.playlog import Reason

    # From the cut program's start: a row is found by when it began.
    bulletins, rows = read_log(home, sent.started - LOOK_BACK_SECONDS)
    record = next((b for b in bulletins if b.text == sent.text), None)
    if record is None:
        return False
    sent.requested_at = record.requested_at.timestamp()
    own = [row for row in rows if row.airing.bulletin_id == record.id]
    starts = [row.started_at for row in own if row.airing.zone == sent.zone and row.started_at]
    if starts:
        sent.play_started_at = min(starts).timestamp()
    sent.cut_program = any(
        row.airing.zone == sent.zone and row.reason == Reason.preempted_by(record.id)
        for row in rows
    )
    return bool(own) and all(row.outcome is not None for row in own)


def wait_aired(home: Path, sent: Sent) -> None:
    deadline = time.monotonic() + AIRED_TIMEOUT
    while not fill_from_log(home, sent):
        if time.monotonic() > deadline:
            raise RuntimeError(f"bulletin {sent.number + 1} not aired in {AIRED_TIMEOUT:.0f} s")
        time.sleep(0.2)
    time.sleep(BETWEEN_SECONDS)


def wait_program(home: Path, zone: str) -> None:
    """Until a program's script has played a few seconds on ``zone``, with time left."""
    deadline = time.monotonic() + PROGRAM_TIMEOUT
    while time.monotonic() < deadline:
        now = time.time()
        for row in read_log(home, now - LOOK_BACK_SECONDS)[1]:
            if (
                row.airing.zone != zone
                or row.outcome is not None
                or row.airing.bulletin_id is not None
                or row.airing.script_id is None
                or row.started_at is None
            ):
                continue
            played = now - row.started_at.timestamp()
            left = (row.airing.planned_seconds or PROGRAM_LEFT_SECONDS) - played
            if played >= PROGRAM_PLAYED_SECONDS and left >= PROGRAM_LEFT_SECONDS:
                return
        time.sleep(0.25)
    raise RuntimeError(f"no program played on {zone} within {PROGRAM_TIMEOUT:.0f} s")


def add_program_slots(home: Path, count: int) -> None:
    """Slots every ``SLOT_EVERY_MINUTES`` on every zone, as bench/idle.py adds them."""
    slots = busy_slot_times(datetime.now(TIMEZONE), SLOT_EVERY_MINUTES * count)
    text = schedules_text([f"{slot:%H:%M}" for slot in slots])
    (home / "schedules.yaml").write_text(text, encoding="utf-8")


def best_match(channel: np.ndarray, template: np.ndarray, low: int, high: int) -> tuple[int, float]:
    """Where ``template`` starts in ``channel[low:high]`` (normalised cross-correlation, by
    FFT), and how well it matches there (1.0: the same samples up to a gain)."""
    x = channel[low : high + len(template)].astype(np.float64)
    t = template.astype(np.float64)
    if len(x) < len(t):
        return low, 0.0
    size = 1 << (len(x) + len(t)).bit_length()
    spectrum = np.fft.rfft(x, size) * np.conj(np.fft.rfft(t, size))
    products = np.fft.irfft(spectrum, size)[: len(x) - len(t) + 1]
    energy = np.concatenate([[0.0], np.cumsum(x * x)])
    window = energy[len(t) :] - energy[: len(x) - len(t) + 1]
    reference = float(t @ t)
    # Near silence the ratio is rounding noise over nothing: never a match.
    score = np.where(
        window > 0.1 * reference, products / np.sqrt(reference * np.maximum(window, 1.0)), 0.0
    )
    best = int(np.argmax(score))
    return low + best, float(score[best])


def find_chimes(recording: virtual_card.MonitorRecording, sent: list[Sent]) -> None:
    """Each bulletin's first chime frame at the monitor, on its zone's channel."""
    rate = virtual_card.SAMPLE_RATE
    first = sent[0]
    channel = recording.frames[:, ZONES.index(first.zone)]
    start = recording.frame_at_wall(first.started)
    audible = np.flatnonzero(channel[start:])
    if audible.size == 0:
        return
    onset = start + int(audible[0])
    template = channel[onset : onset + round(TEMPLATE_SECONDS * rate)]
    for item in sent:
        channel = recording.frames[:, ZONES.index(item.zone)]
        low = recording.frame_at_wall(item.started)
        until = item.play_started_at or item.started + item.answered + 10
        high = min(len(channel), recording.frame_at_wall(until) + 2 * rate)
        frame, item.score = best_match(channel, template, low, high)
        if item.score >= MATCH_SCORE:
            item.heard_at = recording.wall_time(frame)


def client_start(home: Path) -> float:
    """Seconds a `broadcast announce` takes to start and exit doing nothing (median of 3)."""
    times = []
    for _ in range(3):
        began = time.monotonic()
        broadcast(home, "announce", "--help")
        times.append(time.monotonic() - began)
    return statistics.median(times)


def run_bulletins(home: Path, card: virtual_card.VirtualCard, count: int) -> list[Sent]:
    idle = (count + 1) // 2
    sent = []
    with card.listen(DEVICE) as recording:
        for n in range(idle):
            sent.append(send(home, n, ZONES[n % len(ZONES)], during_program=False))
            wait_aired(home, sent[-1])
        if count > idle:
            add_program_slots(home, count - idle)
        for n in range(idle, count):
            zone = ZONES[n % len(ZONES)]
            wait_program(home, zone)
            sent.append(send(home, n, zone, during_program=True))
            wait_aired(home, sent[-1])
    find_chimes(recording, sent)
    return sent


def seconds(value: float | None) -> str:
    return "      —" if value is None else f"{value:7.3f}"


def spread(label: str, group: list[Sent]) -> None:
    heard = [s.heard for s in group if s.heard is not None]
    if not heard:
        return
    answered = [s.answered for s in group]
    print(
        f"  {label} ({len(group)}): heard p50 {statistics.median(heard):.2f} s, max "
        f"{max(heard):.2f} s; announce answered p50 {statistics.median(answered):.2f} s, "
        f"max {max(answered):.2f} s"
    )
    medians = []
    for index in range(3):
        values = [v for s in group if (v := steps(s)[index]) is not None]
        medians.append(f"{statistics.median(values):+.3f} s" if values else "—")
    print(
        f"    p50: speech made {medians[0]} after announce started, play started "
        f"{medians[1]} after that, first frame at the monitor {medians[2]} after that"
    )


def steps(item: Sent) -> tuple[float | None, float | None, float | None]:
    """Until the speech was made, then until the play started, then until the monitor."""
    made = None if item.requested_at is None else item.requested_at - item.started
    play = None
    if item.play_started_at is not None and item.requested_at is not None:
        play = item.play_started_at - item.requested_at
    monitor = None
    if item.heard_at is not None and item.play_started_at is not None:
        monitor = item.heard_at - item.play_started_at
    return made, play, monitor


def report(sent: list[Sent], tree: str, start_up: float, client: float) -> None:
    print("bulletin: `broadcast announce --priority emergency` to its chime at the loudspeaker")
    print(f"  tree {tree}; `broadcast --home HOME run`, no option, up after {start_up:.1f} s")
    print(f"  measured at the monitor of {DEVICE} (PulseAudio null sink), on the zone's channel")
    print("   n  zone       sent on          heard answered  speech made  play start  monitor")
    for item in sent:
        where = (
            "program (cut)" if item.cut_program else "program" if item.during_program else "idle"
        )
        made, play, monitor = steps(item)
        print(
            f"  {item.number + 1:2d}  {item.zone:<10} {where:<14}{seconds(item.heard)} "
            f"{seconds(item.answered)}  {seconds(made)}     {seconds(play)}  {seconds(monitor)}"
        )
    first, rest = sent[0], sent[1:]
    print(
        f"  first after the start (cold, idle zone): heard {seconds(first.heard).strip()} s, "
        f"announce answered {first.answered:.2f} s"
    )
    spread("the rest, idle zone", [s for s in rest if not s.during_program])
    spread("the rest, cutting a program", [s for s in rest if s.cut_program])
    print(
        "  (speech made: the bulletin's requested_at; play started: its row's started_at, "
        "stamped once the stream runs)"
    )
    uncut = [str(s.number + 1) for s in sent if s.during_program and not s.cut_program]
    if uncut:
        print(f"  sent during a program that had ended on its zone (not counted): {uncut}")
    print(f"  a client's start alone (`broadcast announce --help`, median of 3): {client:.2f} s")


def broken(sent: list[Sent]) -> list[str]:
    problems = [f"{s.number + 1}: refused: {s.answer}" for s in sent if s.exit_code != 0]
    problems += [f"{s.number + 1}: not heard (match {s.score:.3f})" for s in sent if not s.heard]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bulletins", type=int, default=BULLETINS, help="(8)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary project folder")
    args = parser.parse_args(argv)
    if not sys.platform.startswith("linux"):
        print("bench/bulletin.py uses ALSA and PulseAudio: Linux only", file=sys.stderr)
        return 1
    if args.bulletins < 1 or not ensure_pulseaudio():
        return 1
    tree = subprocess.run(
        ["git", "-C", str(REPOSITORY), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    with station("loa-phuong-bulletin-", args.keep) as running:
        time.sleep(SETTLE_SECONDS)
        client = client_start(running.home)
        sent = run_bulletins(running.home, running.card, args.bulletins)
        stop(running.process)
        report(sent, tree, running.start_seconds, client)
        if problems := broken(sent):
            print("BROKEN RUN: " + "; ".join(problems), file=sys.stderr)
            return 1
        return 0


if __name__ == "__main__":
    sys.exit(main())
