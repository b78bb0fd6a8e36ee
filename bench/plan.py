"""Benchmark: a year's plan for 50 slots, 20 zones and 2,000 scripts (target: 1 s or less).

The planner runs ``RUNS`` times on the same inputs; each run prints its CPU time (what the
planner costs) and wall time (what the user waits, which also counts other work on the
machine). The best run is compared with the target: machine load varies, the planner does not.

Run from the project root: .venv/bin/python -m bench.plan [runs]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from broadcast.config import parse_config
from broadcast.paths import ProjectPaths
from broadcast.schedule import plan_range
from broadcast.scripts.model import Priority, Script, ScriptKind

START = date(2026, 1, 1)
DAYS = 365
SLOTS = 50
ZONES = 20
SCRIPTS = 2000
TOPICS = [f"chu-de-{i}" for i in range(12)]
TARGET_SECONDS = 1.0
RUNS = 3


def schedules_yaml(rng: random.Random) -> str:
    lines = ["topics:"] + [f"  {t}: Chủ đề {t}" for t in TOPICS]
    lines.append("zones:")
    for i in range(ZONES):
        lines.append(
            f'  - {{id: z{i}, name: Khu {i}, output: {{device: "USB {i // 4}", '
            f"channels: [{i % 4 + 1}]}}}}"
        )
    lines += ["zone_groups:", "  toan-phuong: all", "programs:"]
    for p in range(5):
        topics = ", ".join(rng.sample(TOPICS, 6))
        lines.append(
            f"  - {{id: p{p}, name: Chương trình {p}, segments: [chime, scripts: "
            f"{{topics: [{topics}], max_count: 4, max_minutes: 12}}]}}"
        )
    lines.append("slots:")
    for s in range(SLOTS):
        minutes = 5 * 60 + s * 20  # 05:00 … 21:20, 20 minutes apart: no two slots overlap
        zones = (
            "toan-phuong"
            if s % 10 == 0
            else ", ".join(f"z{z}" for z in rng.sample(range(ZONES), 4))
        )
        days = "[T2-T7]" if s % 3 else "[T2-CN]"
        lines.append(
            f'  - {{id: s{s}, times: ["{minutes // 60:02d}:{minutes % 60:02d}"], '
            f"weekdays: {days}, program: p{s % 5}, zones: [{zones}], max_minutes: 15, "
            f"skip_holidays: true}}"
        )
    lines.append('quiet_hours: {from: "21:45", until: "05:00"}')
    return "\n".join(lines) + "\n"


def scripts(rng: random.Random) -> list[Script]:
    found = []
    for i in range(SCRIPTS):
        start = START + timedelta(days=rng.randrange(DAYS))
        roll = rng.random()
        priority = (
            Priority.EMERGENCY
            if roll < 0.005
            else Priority.PRIORITY
            if roll < 0.05
            else Priority.NORMAL
        )
        zones = None if rng.random() < 0.7 else tuple(f"z{z}" for z in rng.sample(range(ZONES), 3))
        found.append(
            Script(
                id=f"bai-{i:04d}",
                source=f"scripts_vi/bai-{i:04d}.md",
                kind=ScriptKind.TEXT,
                title=f"Bài {i}",
                body="a" * rng.randrange(800, 2500),
                content_hash=str(i),
                topic=rng.choice(TOPICS),
                priority=priority,
                valid_from=start,
                valid_until=start + timedelta(days=rng.randrange(14, 60)),
                zones=zones,
                times_per_week=rng.choice([2, 3, 4]) if rng.random() < 0.1 else None,
            )
        )
    return found


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else RUNS
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory() as home:
        (Path(home) / "media").mkdir()
        began = time.perf_counter()
        config = parse_config(schedules_yaml(rng), "schedules.yaml", ProjectPaths(Path(home)))
        parsed = time.perf_counter() - began
    all_scripts = scripts(rng)
    print(f"schedules.yaml with {SLOTS} slots, {ZONES} zones: parsed in {parsed * 1000:.0f} ms")
    print("run  days  slots  zones  scripts  airings  segments  skipped  warnings  CPU s  wall s")
    cpu_times, wall_times = [], []
    for run in range(1, runs + 1):
        began, began_cpu = time.perf_counter(), time.process_time()
        plan = plan_range(config, all_scripts, START, days=DAYS)
        wall_times.append(time.perf_counter() - began)
        cpu_times.append(time.process_time() - began_cpu)
        segments = sum(len(item.segments) for item in plan.items)
        print(
            f"{run:>3}  {DAYS:>4}  {SLOTS:>5}  {ZONES:>5}  {SCRIPTS:>7,}  {len(plan.items):>7,}  "
            f"{segments:>8,}  {len(plan.skipped):>7,}  {len(plan.warnings):>8,}  "
            f"{cpu_times[-1]:>5.2f}  {wall_times[-1]:>6.2f}"
        )
    best_cpu, best_wall = min(cpu_times), min(wall_times)
    verdict = "met" if best_cpu <= TARGET_SECONDS else "MISSED"
    print(
        f"best of {runs}: {best_cpu:.2f} s CPU, {best_wall:.2f} s wall; "
        f"target ≤ {TARGET_SECONDS:g} s (CPU): {verdict}"
    )


if __name__ == "__main__":
    main()
