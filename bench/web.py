"""Benchmark: the web console's heaviest pages, beside the CLI commands doing the same work.

What is measured, and where: a ward made here in a temporary folder — 20 zones, 2,000 Markdown
scripts in ``scripts_vi/``, 100,000 rows in the play log (SQLite, as the daemon writes them) —
served by ``broadcast web`` started as a subprocess on a free loopback port, exactly as a ward
runs it. One logged-in HTTP client (httpx, keep-alive, the session cookie) asks each page
``RUNS`` times after one warm-up request; the figure is the wall time from sending the request
to the last byte of the answer, so it counts the server's work (reading the folder, the
planner, SQLite, the template) and loopback HTTP, not a browser's layout. Printed: median and
p95 per page, and the size of the HTML.

Beside each page, the CLI command that does the same work — ``broadcast check`` (the scripts
table), ``broadcast logs`` with the page's filter (the log page), ``broadcast plan --days 7``
(the plan grid) — run as a subprocess ``CLI_RUNS`` times and timed the same way (wall time to
exit, output to a pipe). A CLI run includes starting Python and importing the program, which
the server pays once: ``broadcast --version`` is timed too, to show that part.

Target: p95 ≤ 100 ms per page on this machine. The figures are printed, not asserted.

Run from the project root: .venv/bin/python -m bench.web [runs] [--only WORD]
(``--only scripts``: only the cases whose page or label has WORD, the ward made all the same).
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import yaml

from broadcast.paths import ProjectPaths
from broadcast.playlog import Airing, Outcome, PlayLog, Reason
from broadcast.playlog.store import WARD_TIMEZONE
from broadcast.web.accounts import Accounts, Role
from tests.web.browser_support import console

ZONES = 20
SCRIPTS = 2000
LOG_ROWS = 100_000
RUNS = 20
CLI_RUNS = 5
TARGET_MS = 100.0
TOPICS = [f"chu-de-{i}" for i in range(8)]
ACCOUNT, PASSWORD = "Quản Trị", "mat-khau-dai-9"
TODAY = datetime.now(WARD_TIMEZONE).date()  # the server's clock is the system's
LOG_START = TODAY - timedelta(days=340)


def schedules_yaml() -> str:
    """20 zones on five 4-channel cards, the whole ward at 06:00, half of it at 11:00 and 17:00."""
    zones = [
        {
            "id": f"z{i}",
            "name": f"Tổ dân phố {i + 1}",
            "output": {"device": f"USB {i // 4}", "channels": [i % 4 + 1]},
        }
        for i in range(ZONES)
    ]
    slots = [
        {
            "id": f"s{s}",
            "name": f"Khung {at}",
            "times": [at],
            "weekdays": ["T2-T7", "CN"],
            "program": "ban-tin",
            "zones": ["toan-phuong"] if s == 0 else [f"z{z}" for z in range(s, ZONES, 2)],
            "max_minutes": 15,
        }
        for s, at in enumerate(["06:00", "11:00", "17:00"])
    ]
    document = {
        "timezone": "Asia/Ho_Chi_Minh",
        "topics": {topic: f"Chủ đề {topic[-1]}" for topic in TOPICS},
        "zones": zones,
        "zone_groups": {"toan-phuong": "all"},
        "programs": [
            {
                "id": "ban-tin",
                "name": "Bản tin",
                "segments": [{"scripts": {"max_count": 5, "max_minutes": 12}}],
            }
        ],
        "slots": slots,
        "tts": {"engines": ["espeak"], "chime": "none"},
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def write_scripts(paths: ProjectPaths, rng: random.Random) -> None:
    for i in range(SCRIPTS):
        folder = paths.scripts_dir / f"2026-{i % 12 + 1:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        start = TODAY - timedelta(days=rng.randrange(60))
        body = " ".join(
            rng.choice(["Kính thưa bà con.", "Phường thông báo lịch tiêm chủng.", "Xin cảm ơn."])
            for _ in range(rng.randrange(10, 40))
        )
        (folder / f"bai-{i:04d}.md").write_text(
            f"---\ntitle: Bài số {i}\ntopic: {TOPICS[i % len(TOPICS)]}\n"
            f"valid_from: {start}\nvalid_until: {start + timedelta(days=rng.randrange(20, 90))}\n"
            f"---\n\n{body}\n",
            encoding="utf-8",
        )


def fill_log(paths: ProjectPaths, rng: random.Random) -> None:
    per_zone = LOG_ROWS // ZONES
    days = (TODAY - LOG_START).days
    with PlayLog.open(paths) as log:
        log._conn.execute("PRAGMA synchronous = OFF")  # the fill is not what is measured
        for n in range(per_zone):
            day = LOG_START + timedelta(days=n * days // per_zone)
            at = datetime(day.year, day.month, day.day, 6 + n % 12, 0, tzinfo=WARD_TIMEZONE)
            script = rng.randrange(SCRIPTS)
            for zone in range(ZONES):
                item = Airing(
                    zone=f"z{zone}",
                    scheduled_at=at,
                    title=f"Bài số {script}",
                    script_id=f"2026-{script % 12 + 1:02d}/bai-{script:04d}",
                    topic=TOPICS[script % len(TOPICS)],
                    planned_seconds=90.0,
                )
                if rng.random() < 0.03:
                    log.record_missed(item, Reason.DAEMON_DOWN)
                    continue
                attempt_id = log.start_attempt(item, at)
                end = at + timedelta(seconds=90)
                log.finish_attempt(attempt_id, Outcome.PLAYED, ended_at=end, aired_seconds=90)


def make_ward(home: Path) -> ProjectPaths:
    paths = ProjectPaths(home)
    paths.schedules_file.write_text(schedules_yaml(), encoding="utf-8")
    (home / "media").mkdir(exist_ok=True)
    rng = random.Random(2026)
    write_scripts(paths, rng)
    fill_log(paths, rng)
    Accounts.of(paths).add(ACCOUNT, Role.ADMIN, PASSWORD, datetime.now(WARD_TIMEZONE))
    return paths


def log_in(client: httpx.Client) -> None:
    form = client.get("/login").text
    token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = client.post(
        "/login", data={"username": ACCOUNT, "password": PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 303, answer.text


def time_page(client: httpx.Client, url: str, runs: int) -> tuple[list[float], int, int]:
    first = client.get(url)  # warm-up: the first request imports and opens what it needs
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        answer = client.get(url)
        answer.read()
        samples.append((time.perf_counter() - began) * 1000)
    return samples, first.status_code, len(first.content)


def time_cli(home: Path, arguments: list[str], runs: int) -> tuple[list[float], int, int]:
    command = [sys.executable, "-m", "broadcast", "--home", str(home), *arguments]
    samples, code, size = [], 0, 0
    for _ in range(runs):
        began = time.perf_counter()
        done = subprocess.run(command, capture_output=True)
        samples.append((time.perf_counter() - began) * 1000)
        code, size = done.returncode, len(done.stdout)
    return samples, code, size


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def row(label: str, samples: list[float], code: int, size: int) -> str:
    return (
        f"  {label:<64} {statistics.median(samples):>8.1f} {p95(samples):>8.1f}"
        f"  {code:>4}  {size / 1000:>8.0f} kB"
    )


# (what, page URL, CLI arguments doing the same work)
WEEK = f"{TODAY - timedelta(days=6)}"
MONTH = f"{TODAY - timedelta(days=30)}"
CASES = [
    (f"scripts table, {SCRIPTS:,} scripts", "/scripts", ["check"]),
    ("log page: last 7 days (its default)", "/logs", ["logs", "--since", WEEK]),
    (
        f"log page: all {LOG_ROWS:,} rows, first page",
        f"/logs?since={LOG_START}&until={TODAY}",
        ["logs", "--since", f"{LOG_START}"],
    ),
    (
        "log page: one zone, 30 days",
        f"/logs?since={MONTH}&until={TODAY}&zone=z3",
        ["logs", "--since", MONTH, "--zone", "z3"],
    ),
    ("log page: hash-chain check", "/logs?verify=1", ["logs", "--verify"]),
    (f"plan grid, {ZONES} zones, 7 days", "/plan", ["plan", "--days", "7"]),
]


def main() -> None:
    arguments = sys.argv[1:]
    only = ""
    if "--only" in arguments:
        at = arguments.index("--only")
        only = arguments[at + 1]
        del arguments[at : at + 2]
    runs = int(arguments[0]) if arguments else RUNS
    cases = [case for case in CASES if only in case[0] or only in case[1]]
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as folder:
        began = time.perf_counter()
        paths = make_ward(Path(folder))
        print(
            f"ward: {ZONES} zones, {SCRIPTS:,} scripts, {LOG_ROWS:,} log rows "
            f"(made in {time.perf_counter() - began:.1f} s)"
        )
        header = f"  {'':<64} {'median':>8} {'p95':>8}  code  size"
        results = []
        with (
            console(paths, timeout=120) as base,
            httpx.Client(base_url=base, timeout=300) as client,
        ):
            log_in(client)
            for _, url, _ in cases:
                results.append(time_page(client, url, runs))
        startup = time_cli(paths.home, ["--version"], CLI_RUNS)
        print(f"\nweb page (ms, {runs} requests each after a warm-up; target p95 ≤ {TARGET_MS:g})")
        print(header)
        for (label, url, _), (samples, code, size) in zip(cases, results, strict=True):
            verdict = (
                "not served" if code != 200 else "met" if p95(samples) <= TARGET_MS else "MISSED"
            )
            print(f"{row(f'{label} {url}', samples, code, size)}  {verdict}")
        print(f"\nCLI command doing the same work (ms, {CLI_RUNS} runs each, wall time to exit)")
        print(header)
        print(row("python start + import (broadcast --version)", *startup))
        for label, _, arguments in cases:
            samples, code, size = time_cli(paths.home, arguments, CLI_RUNS)
            print(row(f"{label}: broadcast {' '.join(arguments)}", samples, code, size))


if __name__ == "__main__":
    main()
