"""How the clusters benchmark (bench/clusters.py) reads and prints its figures: quantiles, the
phase headers and lines, the station's play log read as a reviewer would."""

from __future__ import annotations

import contextlib
import sqlite3
import statistics
import time
from collections import defaultdict
from pathlib import Path


def quantiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    if not ordered:
        return float("nan"), float("nan"), float("nan")
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99, ordered[-1]


def header(title: str, where: str) -> None:
    print(f"\n== {title}\n   ({where})", flush=True)


def line(label: str, value: str, target: str = "") -> None:
    print(f"   {label:<52} {value}" + (f"   [target {target}]" if target else ""), flush=True)


class StationLog:
    """The station's play log, read as a reviewer would (its own read-only connection)."""

    def __init__(self, path: Path):
        self.path = path

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        with contextlib.closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)) as db:
            return db.execute(sql, args).fetchall()

    def remote_rows(self, clusters: list[str] | None = None) -> int:
        rows = self._query(
            "SELECT cluster_id, count(*) FROM attempts WHERE cluster_id IS NOT NULL "
            "GROUP BY cluster_id"
        )
        wanted = None if clusters is None else set(clusters)
        return sum(n for c, n in rows if wanted is None or c in wanted)

    def bulletin_outcomes(self, bulletin: str) -> list[tuple]:
        """The clusters' rows of ``bulletin`` by outcome and error."""
        return self._query(
            "SELECT outcome, error, count(*) FROM attempts WHERE cluster_id IS NOT NULL "
            "AND bulletin_id = ? GROUP BY outcome, error",
            (bulletin,),
        )

    def last_row(self) -> int:
        """The newest row's id: the rows after it are the ones a phase brings."""
        return self._query("SELECT coalesce(max(id), 0) FROM attempts")[0][0]

    def outcomes_after(self, row: int) -> list[tuple]:
        """The clusters' rows stored after ``row``, by outcome and reason."""
        return self._query(
            "SELECT outcome, reason, count(*) FROM attempts WHERE cluster_id IS NOT NULL "
            "AND id > ? GROUP BY outcome, reason ORDER BY outcome, reason",
            (row,),
        )

    def remote_ids(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = defaultdict(list)
        for cluster, row in self._query(
            "SELECT cluster_id, cluster_row FROM attempts WHERE cluster_id IS NOT NULL"
        ):
            found[cluster].append(row)
        return found


def wait_rows(log: StationLog, clusters: list[str] | None, want: int, timeout: float):
    """Poll the station's log until ``want`` rows of ``clusters``; (first, last) instants a
    count rose, and the count reached."""
    first = last = None
    count = log.remote_rows(clusters)
    start_count = count
    deadline = time.monotonic() + timeout
    while count < want and time.monotonic() < deadline:
        time.sleep(0.05)
        now_count = log.remote_rows(clusters)
        if now_count > count:
            moment = time.monotonic()
            first = first or moment
            last = moment
        count = now_count
    return first, last, count - start_count, count
