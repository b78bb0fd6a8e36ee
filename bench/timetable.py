"""Benchmark: large timetables under the running daemon (issue 14, item 11).

A 10,000-slot ``schedules.yaml`` (1.3 MB) once held the daemon's lock for 64–74 s. For each
timetable below this prints how long ``broadcast check`` takes, how long a daemon reload takes
(read, judged, planned, its jobs swapped), and the slowest answer to ``status`` over the
control channel while the reload ran — it was the whole reload when the reload held the lock.

- ``10,000 slots``: the attack, 1.3 MB; refused by its size before it is read.
- ``largest file``: the most one-line slots that fit in the size allowed (one a minute, Monday).
- ``most airings``: the most airings a week allowed, every minute of the day on two zones,
  so the plan of two days the daemon keeps holds some 5,700 airings.

Run from the project root: .venv/bin/python -m bench.timetable
"""

from __future__ import annotations

import contextlib
import io
import logging
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, NamedTuple

from broadcast.cli import main as cli
from broadcast.config import MAX_SCHEDULES_BYTES
from broadcast.config.slots import MAX_ZONE_AIRINGS_PER_WEEK
from broadcast.control import ControlClient
from broadcast.daemon.daemon import BroadcastDaemon, DaemonOptions
from broadcast.paths import ProjectPaths
from broadcast.sinks.file import FileSink

HEAD = """\
timezone: Asia/Ho_Chi_Minh
zones:
  - {id: to-1, name: Tổ dân phố 1, output: {device: loa-1, channels: [1]}}
  - {id: to-2, name: Tổ dân phố 2, output: {device: loa-2, channels: [1]}}
programs:
  - {id: tin, name: Bản tin, segments: [scripts: {max_count: 1, max_minutes: 1}]}
tts: {engines: [espeak], chime: none}
slots:
"""
SMALL = HEAD + '  - {id: sang, times: ["06:00"], program: tin, zones: [to-1], max_minutes: 1}\n'
DAYS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
ATTACK_SECONDS = 0.5  # the 10,000-slot file judged by check and by a reload, each
ANSWER_SECONDS = 0.25  # the slowest status while any reload runs (it was the whole reload)


class Figures(NamedTuple):
    check: float
    reload: float
    slowest_answer: float


def one_line_slot(n: int) -> str:
    minute = n % 1440
    return (
        f'  - {{id: khung-{n:05d}, name: "Khung giờ số {n}", times: ["{minute // 60:02d}:'
        f'{minute % 60:02d}"], weekdays: [{DAYS[n // 1440 % 7]}], program: tin, zones: [to-1], '
        "max_minutes: 1}\n"
    )


def ten_thousand_slots() -> str:
    return HEAD + "".join(one_line_slot(n) for n in range(10_000))


def largest_file() -> str:
    text = HEAD
    for n in range(10_000):
        if len((text + one_line_slot(n)).encode()) > MAX_SCHEDULES_BYTES:
            return text
        text += one_line_slot(n)
    return text


def most_airings() -> str:
    per_zone = MAX_ZONE_AIRINGS_PER_WEEK // 7 // 2
    times = ", ".join(f'"{m // 60:02d}:{m % 60:02d}"' for m in range(per_zone))
    return HEAD + "".join(
        f"  - {{id: moi-phut-{zone}, times: [{times}], program: tin, zones: [to-{zone}], "
        "max_minutes: 1}\n"
        for zone in (1, 2)
    )


def project(home: Path) -> ProjectPaths:
    paths = ProjectPaths(home)
    paths.scripts_dir.mkdir(parents=True)
    paths.media_dir.mkdir()
    (paths.scripts_dir / "tin.txt").write_text("Thông báo\n\nBà con chú ý.\n", encoding="utf-8")
    paths.schedules_file.write_text(SMALL, encoding="utf-8")
    return paths


def time_check(paths: ProjectPaths) -> tuple[float, float, int]:
    """``broadcast check``: wall and CPU seconds, exit code."""
    began, began_cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = cli(["--home", str(paths.home), "check", "--json"])
    return time.perf_counter() - began, time.process_time() - began_cpu, code


def time_reload(
    daemon: BroadcastDaemon, client: ControlClient
) -> tuple[float, list[float], dict[str, Any]]:
    """The reload's seconds, how long each ``status`` sent meanwhile waited, its answer."""
    answers: list[dict[str, Any]] = []
    reload = threading.Thread(target=lambda: answers.append(daemon.reload()))
    began = time.perf_counter()
    reload.start()
    waits = []
    while reload.is_alive():
        asked = time.perf_counter()
        client.call("status")
        waits.append(time.perf_counter() - asked)
        time.sleep(0.02)
    reload.join()
    return time.perf_counter() - began, waits, answers[0]


def measure(name: str, text: str, paths: ProjectPaths, daemon: BroadcastDaemon) -> Figures:
    paths.schedules_file.write_text(SMALL, encoding="utf-8")
    daemon.reload()
    paths.schedules_file.write_text(text, encoding="utf-8")
    wall, cpu, code = time_check(paths)
    took, waits, answer = time_reload(daemon, ControlClient.from_paths(paths))
    figures = Figures(wall, took, max(waits, default=0.0))
    verdict = "taken" if answer["ok"] else f"refused: {answer['problems'][0]}"
    print(
        f"{name:<13} {len(text.encode()) / 1024:>5.0f} KB  {wall:>5.2f} s {cpu:>5.2f} s {code:>4}"
        f"  {took:>6.2f} s  {len(waits):>6}  {statistics.median(waits or [0]) * 1000:>6.0f} ms"
        f"  {figures.slowest_answer * 1000:>7.0f} ms  {verdict}"
    )
    return figures


def main() -> None:
    logging.disable(logging.CRITICAL)  # the daemon says what it refused: expected here
    with tempfile.TemporaryDirectory() as home:
        paths = project(Path(home))
        options = DaemonOptions(console_log=None, render_ahead=False, watch_interval=3600)
        sink = FileSink(paths.home / "heard", realtime=False)
        daemon = BroadcastDaemon(paths, sink, options=options)
        daemon.start()
        print(
            f"{'timetable':<13} {'size':>8}  {'check':>7} {'CPU':>7} {'exit':>4}  "
            f"{'reload':>8}  {'status':>6}  {'median':>9}  {'slowest':>10}"
        )
        try:
            attack = measure("10,000 slots", ten_thousand_slots(), paths, daemon)
            others = [
                measure("largest file", largest_file(), paths, daemon),
                measure("most airings", most_airings(), paths, daemon),
            ]
        finally:
            daemon.stop()
    judged = max(attack.check, attack.reload)
    slowest = max(f.slowest_answer for f in [attack, *others])
    print(
        f"10,000 slots judged in {judged:.2f} s (target ≤ {ATTACK_SECONDS:g} s): "
        f"{'met' if judged <= ATTACK_SECONDS else 'MISSED'}; slowest status during a reload "
        f"{slowest * 1000:.0f} ms (target ≤ {ANSWER_SECONDS * 1000:.0f} ms): "
        f"{'met' if slowest <= ANSWER_SECONDS else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
