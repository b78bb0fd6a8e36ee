"""IP loudspeaker clusters at a province's scale: one station, N clusters, a real Mosquitto.

What runs, all on this machine's loopback:

- a real Mosquitto (``tests/support/mosquitto.py``) with the password file and ACL the station
  generates: every cluster is registered by ``broadcast clusters add ID --name … --zone …``
  (the CLI's own entry point, in this process), which writes the registry, the broker's
  files and each box's ``receiver.yaml``;
- the station: the real daemon (``BroadcastDaemon`` on WAV files for its one wired zone) with
  its IP side (``IpStation``: plans signed and published retained, the audio server over HTTP,
  as-played rows ingested into its play log and acknowledged), its scripts rendered by espeak-ng;
  the IP zones (20 at most) share the ward's slots; its link is wrapped only to note when each
  message was handed to Paho;
- the clusters: REAL receivers (``broadcast.receiver.runner.Receiver``) in ``--processes``
  worker processes (bench/_cluster_worker.py; at least one per ``MAX_PER_PROCESS`` = 100
  receivers, Paho's select() limit, see below), each receiver reading the
  ``receiver.yaml`` made for it, with its own data folder, its own MQTT session and a sink that
  records when each play's first sample is due and when a thread woke for it (no sound).
  Clocks are equal (the system clock plus one offset the bench moves forward to bring a slot
  near, as on the end-to-end test).

Figures (each printed with where it is measured and its target):

1. plans: the station's first plan publish → every receiver has accepted its signed plan
   (checked, saved), and → every receiver has fetched its audio over HTTP (hash checked);
2. urgent bulletin: ``IpStation.announce`` called → the instant each receiver's player set
   for the bulletin's first sample (and when a thread woke for it), p50/p99/max (p99 ≤ 2 s);
3. spread of one scheduled slot's start across all receivers at equal clocks (≤ 20 ms);
4. as-played rows stored per second in the station's play log (``IpStation.ingest``), and the
   backlog of ``--offline`` receivers (a quarter) whose link was down for 24 h by their clock
   (the day's slots played with the link down), then reconnected: rows lost, duplicated;
5. the broker stopped shortly before a slot and started again after it: slots missed.

It asserts nothing; the exit status is non-zero only for a broken run (a phase that never
completed). Linux only (/proc). Run from the project root:

    .venv/bin/python -m bench.clusters [--clusters 2000] [--processes 8]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from bench._proc import megabytes, status_fields
from broadcast.cli import main as cli
from broadcast.clusters.bridge import queue_conf
from broadcast.clusters.registry import ClusterFiles
from broadcast.daemon.air import Bulletin
from broadcast.daemon.daemon import BroadcastDaemon, DaemonOptions
from broadcast.scripts.model import Priority
from broadcast.sinks.file import FileSink
from tests.clusters.station_ward import IP_SECTION, WARD_ID, ip_zone_yaml
from tests.daemon.daemon_project import OFFLINE_TTS, WARD, make_project, zone_yaml
from tests.support.mosquitto import MosquittoBroker, free_port

TARGET_BULLETIN_P99 = 2.0
TARGET_SPREAD = 0.020
MAX_IP_ZONES = 20
HEARTBEAT_SECONDS = 30
SLOT_A_MINUTES = 90  # real time to slot "a": the whole run happens before the station's own day
SCRIPTS = {
    f"tin-{n}.txt": f"Thông báo số {n}\n\nMời bà con tổ dân phố {n} dự họp tối nay lúc bảy giờ.\n"
    for n in (1, 2, 3)
}
# Paho's network loop uses select(), which refuses a descriptor ≥ 1024 (FD_SETSIZE): its
# connection is then dropped and retried for ever, silently. A receiver holds ~9 descriptors
# (its two SQLite files with WAL and shm, the socket, Paho's socket pair): a process can hold
# ~110 of them, so at most this many per worker process.
MAX_PER_PROCESS = 100
POLL_SECONDS = 0.05  # how often a wait looks at the events (this process runs the station)
LEAD_SHIFT_SECONDS = 9.0  # a slot is brought this near (the player looks every 5 s when idle)


class Workers:
    """The worker processes and what they report (JSON lines)."""

    def __init__(self, root: Path, groups: list[list[dict[str, str]]]):
        self.cv = threading.Condition()
        self.events: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.done: dict[tuple[int, str], int] = defaultdict(int)
        self.procs: list[subprocess.Popen[str]] = []
        self.members: list[list[str]] = []
        for index, group in enumerate(groups):
            config = root / f"worker-{index}.json"
            config.write_text(
                json.dumps(
                    {"receivers": group, "heartbeat_seconds": HEARTBEAT_SECONDS, "retry_max": 2}
                )
            )
            log = (root / f"worker-{index}.log").open("w")
            proc = subprocess.Popen(
                [sys.executable, "-m", "bench._cluster_worker", str(config)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                bufsize=1,
            )
            self.procs.append(proc)
            self.members.append([Path(r["yaml"]).parent.name for r in group])
            threading.Thread(target=self._read, args=(index, proc), daemon=True).start()

    def _read(self, index: int, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            event = json.loads(line)
            with self.cv:
                if event["ev"] == "done":
                    self.done[(index, event["cmd"])] += 1
                    self.cv.notify_all()
                else:  # waiters look every POLL_SECONDS: thousands of events, few looks
                    self.events[event["ev"]].append(event)

    def command(self, cmd: dict[str, Any], which: Iterable[int] | None = None, timeout=600.0):
        """Send ``cmd`` and wait until each worker says it is done."""
        chosen = list(range(len(self.procs))) if which is None else list(which)
        with self.cv:
            before = {i: self.done[(i, cmd["cmd"])] for i in chosen}
        for i in chosen:
            stdin = self.procs[i].stdin
            assert stdin is not None
            stdin.write(json.dumps(cmd) + "\n")
            stdin.flush()
        self.wait(
            lambda: all(self.done[(i, cmd["cmd"])] > before[i] for i in chosen),
            timeout,
            f"workers done with {cmd['cmd']}",
        )

    def wait(self, done: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        with self.cv:
            while not done():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"timed out waiting for {what}")
                self.cv.wait(min(left, POLL_SECONDS))

    def since(self, kind: str, start: int) -> list[dict[str, Any]]:
        with self.cv:
            return list(self.events[kind][start:])

    def count(self, kind: str) -> int:
        with self.cv:
            return len(self.events[kind])

    def rss_mb(self) -> float:
        return sum(megabytes(status_fields(Path(f"/proc/{p.pid}"))["VmRSS"]) for p in self.procs)

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()


class TimedStationLink:
    """The station's real link; notes when each message was handed to Paho."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.sent: list[tuple[float, str]] = []

    @property
    def connected(self) -> bool:
        return bool(self.inner.connected)

    def start(self, on_message: Any, on_connect: Any) -> None:
        self.inner.start(on_message, on_connect)

    def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> bool:
        moment = time.monotonic()
        ok = self.inner.publish(topic, payload, retain=retain)
        self.sent.append((moment, topic))
        return bool(ok)

    def stop(self) -> None:
        self.inner.stop()


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


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.n = args.clusters
        self.processes = min(max(args.processes, -(-self.n // MAX_PER_PROCESS)), self.n)
        self.root = Path(tempfile.mkdtemp(prefix="bench-clusters-"))
        self.keep = args.keep
        self.zones = [f"ip-{k:02d}" for k in range(min(MAX_IP_ZONES, self.n))]
        self.ids = [f"cum-{i:04d}" for i in range(self.n)]
        self.zone_of = {cid: self.zones[i % len(self.zones)] for i, cid in enumerate(self.ids)}
        self.broker = MosquittoBroker(
            self.root / "mosquitto",
            extra_config=[queue_conf().strip(), "max_inflight_messages 100"],
        )
        self.audio_port = free_port()
        now = datetime.now(WARD)
        self.slot_a = (now + timedelta(minutes=SLOT_A_MINUTES)).replace(second=0, microsecond=0)
        self.slot_b = self.slot_a + timedelta(minutes=15)  # slots last up to 10 min
        self.slots = {
            "a": self.slot_a,
            "b": self.slot_b,
            **{
                name: self.slot_a + timedelta(hours=h)
                for name, h in zip("cdef", (4, 8, 12, 18), strict=True)
            },
        }
        self.workers: Workers | None = None
        self.daemon: BroadcastDaemon | None = None
        self.link: TimedStationLink | None = None
        self.offsets: dict[int, float] = {}  # worker → its receivers' clock offset, seconds

    # -- setup -------------------------------------------------------------------------

    def project(self) -> None:
        section = IP_SECTION.format(
            ward=WARD_ID,
            broker=self.broker.port,
            audio=self.audio_port,
            heartbeat=HEARTBEAT_SECONDS,
            silent=4 * HEARTBEAT_SECONDS,
        )
        self.paths = make_project(
            self.root / "ward",
            [zone_yaml("to-1", "file", [1])] + [ip_zone_yaml(z) for z in self.zones],
            SCRIPTS,
            slots=self.slots,
            tts=OFFLINE_TTS + section,
        )
        self.files = ClusterFiles.under(self.paths.data_dir)
        header(
            f"Registering {self.n} clusters",
            "`broadcast clusters add ID --name … --zone …`, the CLI's entry point in this process: "
            "registry, Mosquitto passwd/acl made again whole each time, receiver.yaml",
        )
        started = time.monotonic()
        with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
            for cid in self.ids:
                home = str(self.paths.home)
                name = f"Cụm loa {cid}"
                code = cli(
                    [
                        "--home",
                        home,
                        "clusters",
                        "add",
                        cid,
                        "--name",
                        name,
                        "--zone",
                        self.zone_of[cid],
                    ]
                )
                if code != 0:
                    raise RuntimeError(f"clusters add {cid} failed ({code})")
        seconds = time.monotonic() - started
        line(
            "clusters added", f"{self.n} in {seconds:.1f} s ({1000 * seconds / self.n:.0f} ms each)"
        )
        acl_lines = self.files.acl.read_text().count("\n")
        line("broker files", f"passwd {self.files.passwd.stat().st_size} B, acl {acl_lines} lines")
        self.broker.install(self.files.passwd, self.files.acl)
        self.broker.start()

    def start_receivers(self) -> None:
        size = -(-self.n // self.processes)
        groups = [
            [
                {
                    "yaml": str(self.files.receiver_config(cid)),
                    "data": str(self.root / "boxes" / cid),
                }
                for cid in self.ids[i : i + size]
            ]
            for i in range(0, self.n, size)
        ]
        header(
            f"Starting {self.n} receivers in {len(groups)} processes",
            "real Receiver objects (bench/_cluster_worker.py), each its own Paho session",
        )
        started = time.monotonic()
        self.workers = Workers(self.root, groups)
        self.workers.wait(
            lambda: all(self.workers.done[(i, "load")] for i in range(len(groups))),  # type: ignore[union-attr]
            300,
            "workers loaded",
        )
        for index in range(len(groups)):  # one process after another: 2 cores
            self.workers.command({"cmd": "start"}, [index])
        self.workers.wait(lambda: self.connected() >= self.n, 600, "every receiver connected")
        line("started and connected", f"{time.monotonic() - started:.1f} s")
        line(
            "memory of the worker processes (RSS)",
            f"{self.workers.rss_mb():.0f} MB "
            f"({1024 * self.workers.rss_mb() / self.n:.0f} kB per receiver)",
        )

    def connected(self) -> int:
        assert self.workers is not None
        return len({e["c"] for e in self.workers.since("connected", 0)})

    # -- 1. plans and audio ------------------------------------------------------------

    def deliver_plans(self) -> None:
        assert self.workers is not None
        header(
            "1. A day's signed plans to every cluster, then their audio",
            "from the station's first plan handed to Paho (daemon start, scripts already "
            "rendered by its first pass) → each receiver has checked and saved it (its link's "
            "handler returned with the new seq) → its downloader has every file",
        )
        self.daemon = BroadcastDaemon(
            self.paths,
            FileSink(self.paths.home / "heard", realtime=False),
            options=DaemonOptions(console_log=False, watch_interval=1.0),
        )
        station = self.daemon.ip_station
        assert station is not None
        self.link = TimedStationLink(station.link)
        station.link = self.link
        started = time.monotonic()
        self.daemon.start()
        line("daemon start (render pass included)", f"{time.monotonic() - started:.1f} s")
        self.workers.wait(lambda: self.plans_in() >= self.n, 900, "every plan accepted")
        self.workers.wait(lambda: self.files_in() >= self.n, 900, "every receiver's audio")
        plans = [(t, topic) for t, topic in self.link.sent if topic.endswith("/plan")]
        t0 = plans[0][0]
        accepted = self.first_by_cluster("plan")
        fetched = self.first_by_cluster("files")
        sample = station.published(self.ids[0])
        self.entries = {zone: station.published(self.by_zone(zone)) for zone in self.zones}
        line("entries in a cluster's 48 h plan", f"{len(sample)} (plan of {len(plans)} published)")
        line("station: first → last plan handed to Paho", f"{plans[-1][0] - t0:.2f} s")
        p50, p99, top = quantiles([t - t0 for t in accepted.values()])
        line(
            "plan accepted at every receiver", f"p50 {p50:.2f} s, p99 {p99:.2f} s, all {top:.2f} s"
        )
        p50, p99, top = quantiles([t - t0 for t in fetched.values()])
        line(
            "audio fetched at every receiver", f"p50 {p50:.2f} s, p99 {p99:.2f} s, all {top:.2f} s"
        )

    def by_zone(self, zone: str) -> str:
        return next(cid for cid in self.ids if self.zone_of[cid] == zone)

    def plans_in(self) -> int:
        assert self.workers is not None
        return len({e["c"] for e in self.workers.since("plan", 0)})

    def files_in(self) -> int:
        assert self.workers is not None
        return len({e["c"] for e in self.workers.since("files", 0)})

    def first_by_cluster(self, kind: str) -> dict[str, float]:
        assert self.workers is not None
        found: dict[str, float] = {}
        for event in self.workers.since(kind, 0):
            found.setdefault(event["c"], event["t"])
        return found

    # -- 3. a slot's spread, 4. ingestion ----------------------------------------------

    def slot_entries(self, start: datetime, span=timedelta(minutes=2)) -> dict[str, list]:
        """Each zone's entries of the slot starting at ``start``."""
        return {
            zone: [e for e in entries if start <= e.start < start + span]
            for zone, entries in self.entries.items()
        }

    def shift_to(self, moment: datetime, which: Iterable[int] | None = None) -> None:
        assert self.workers is not None
        offset = (moment - datetime.now(WARD)).total_seconds() - LEAD_SHIFT_SECONDS
        chosen = list(range(len(self.workers.procs))) if which is None else list(which)
        self.workers.command({"cmd": "shift", "offset": offset}, chosen)
        self.offsets.update((i, offset) for i in chosen)

    def per_cluster(self, entries: dict[str, list], clusters: list[str], logged=False) -> int:
        """How many of its zone's ``entries`` each of ``clusters`` plays, summed."""
        return sum(
            sum(1 for e in entries[self.zone_of[c]] if e.airing or not logged) for c in clusters
        )

    def wait_plays(
        self, start: int, labels: set[str], want: int, timeout: float, *, to_end: bool = False
    ) -> list[dict[str, Any]]:
        """The plays of ``labels`` since event ``start``, once ``want`` have started (and,
        with ``to_end``, ended: their rows are closed) or ``timeout`` passed."""
        assert self.workers is not None
        workers = self.workers

        def enough() -> bool:
            return sum(e["label"] in labels for e in workers.events["play"][start:]) >= want

        with contextlib.suppress(TimeoutError):
            workers.wait(enough, timeout, "plays")
        plays = [e for e in workers.since("play", start) if e["label"] in labels]
        if to_end and plays:
            time.sleep(max(0.0, max(e["at"] + e["s"] for e in plays) + 1.0 - time.monotonic()))
        return plays

    def slot_spread(self) -> None:
        assert self.workers is not None and self.daemon is not None
        header(
            "3. Spread of one slot's start across every receiver (equal clocks)",
            "each receiver's first entry of slot 'a': the instant its player set for the first "
            "sample (at), and when this process's timer thread woke for it (woke); "
            "time.monotonic(), one clock for every process",
        )
        entries = self.slot_entries(self.slot_a)
        first = {zone: es[0].id for zone, es in entries.items() if es}
        labels = set(first.values())
        self.rows_a = self.per_cluster(entries, self.ids, logged=True)
        start = self.workers.count("play")
        before_rows = StationLog(self.paths.data_dir / "playlog.sqlite3").remote_rows()
        self.shift_to(self.slot_a)
        plays = self.wait_plays(start, labels, self.n, 120)
        if not plays:
            line("receivers that started the slot", f"0 of {self.n}: no figure")
            return
        ats = [e["at"] for e in plays]
        woke = [e["woke"] for e in plays]
        late = [e["called"] - e["at"] for e in plays]
        line("receivers that started the slot", f"{len({e['c'] for e in plays})} of {self.n}")
        line(
            "spread of the first-sample instant (at)",
            f"{1000 * (max(ats) - min(ats)):.1f} ms",
            f"≤ {1000 * TARGET_SPREAD:.0f} ms",
        )
        line(
            "spread of the wake-up at that instant (woke)",
            f"{1000 * (max(woke) - min(woke)):.1f} ms",
            f"≤ {1000 * TARGET_SPREAD:.0f} ms",
        )
        p50, p99, top = quantiles([w - a for w, a in zip(woke, ats, strict=True)])
        line(
            "wake-up after the instant",
            f"p50 {1000 * p50:.1f} ms, p99 {1000 * p99:.1f} ms, max {1000 * top:.1f} ms",
        )
        line(
            "player's call to the sink before the instant",
            f"min {-1000 * max(late):.0f} ms (negative: late)",
        )
        self.ingestion(before_rows, start)

    def ingestion(self, before: int, start: int) -> None:
        header(
            "4a. As-played rows into the station's play log",
            "the rows of slot 'a' from every receiver (played topic → IpStation.ingest → "
            "PlayLog.ingest_remote, one transaction per message, then a signed ack), counted "
            "in the station's SQLite log by a read-only connection every 50 ms",
        )
        log = StationLog(self.paths.data_dir / "playlog.sqlite3")
        entries = self.slot_entries(self.slot_a)
        labels = {e.id for es in entries.values() for e in es}
        plays = self.wait_plays(start, labels, self.per_cluster(entries, self.ids), 300)
        ended = max((e["at"] + e["s"] for e in plays), default=time.monotonic())
        _, last, _, count = wait_rows(log, None, before + self.rows_a, 300)
        line("rows of the slot expected / stored", f"{self.rows_a} / {count - before}")
        if last is not None:
            line("last play ended at a receiver → all stored", f"{last - ended:.1f} s")
        line("(rows arrive as each entry ends: the slot paces them; capacity: 4b)", "")

    # -- 5. broker restarted -----------------------------------------------------------

    def broker_restart(self) -> None:
        assert self.workers is not None
        header(
            "5. Broker restarted mid-day",
            "Mosquitto stopped 5 s before slot 'b' (receiver clocks) and started again after "
            "the slot; receivers play from their saved plan; their rows arrive afterwards",
        )
        entries = self.slot_entries(self.slot_b)
        labels = {e.id for es in entries.values() for e in es}
        start = self.workers.count("play")
        connected_before = self.workers.count("connected")
        self.shift_to(self.slot_b)
        time.sleep(LEAD_SHIFT_SECONDS - 5)
        self.broker.stop()
        stopped = time.monotonic()
        plays = self.wait_plays(start, labels, self.per_cluster(entries, self.ids), 90)
        end = max(es[-1].start + timedelta(seconds=es[-1].seconds) for es in entries.values() if es)
        length = (end - self.slot_b).total_seconds()
        time.sleep(max(0.0, 5 + length - (time.monotonic() - stopped)))
        self.broker.restart()
        back = time.monotonic()
        line("broker down", f"{back - stopped:.1f} s")
        played = defaultdict(int)
        for event in plays:
            played[event["c"]] += 1
        missed = sum(1 for c in self.ids if played[c] < len(entries[self.zone_of[c]]))
        line("receivers that missed an entry of the slot", f"{missed} of {self.n}", "0")
        self.workers.wait(
            lambda: (
                len({e["c"] for e in self.workers.events["connected"][connected_before:]})  # type: ignore[union-attr]
                >= self.n
            ),
            600,
            "every receiver reconnected",
        )
        line("every receiver reconnected after the start", f"{time.monotonic() - back:.1f} s")

    # -- 2. bulletin -------------------------------------------------------------------

    def bulletin(self) -> None:
        assert self.workers is not None and self.daemon is not None
        station = self.daemon.ip_station
        assert station is not None
        header(
            "2. Urgent bulletin fan-out",
            "IpStation.announce called (signed `now` to each cluster) → the instant each "
            "receiver's player set for its first sample (after its own HTTP fetch of the audio "
            "and the player's 0.5 s lead) / when a thread woke for it",
        )
        tone = np.sin(2 * np.pi * 660 * np.arange(96_000) / 48_000).astype(np.float32) * 0.3
        bulletin = Bulletin(
            "bench-khan-1",
            tuple(self.zones),
            Priority.EMERGENCY,
            "Bản tin khẩn thử",
            tone,
            datetime.now(WARD),
        )
        before = StationLog(self.paths.data_dir / "playlog.sqlite3").remote_rows()
        start = self.workers.count("play")
        t0 = time.monotonic()
        targets = station.announce(bulletin, self.zones)
        sent = time.monotonic() - t0
        plays = self.wait_plays(start, {f"bulletin-{bulletin.id}"}, self.n, 300, to_end=True)
        line("clusters sent to / started", f"{len(targets)} / {len({e['c'] for e in plays})}")
        line("station: announce (sign and hand to Paho)", f"{sent:.2f} s")
        p50, p99, top = quantiles([e["at"] - t0 for e in plays])
        line(
            "first-sample instant after announce",
            f"p50 {p50:.2f} s, p99 {p99:.2f} s, max {top:.2f} s",
            f"p99 ≤ {TARGET_BULLETIN_P99:.0f} s",
        )
        p50, p99, top = quantiles([e["woke"] - t0 for e in plays])
        line(
            "thread woke for it, after announce",
            f"p50 {p50:.2f} s, p99 {p99:.2f} s, max {top:.2f} s",
        )
        # its rows reach the station before the next phase counts rows
        log = StationLog(self.paths.data_dir / "playlog.sqlite3")
        wait_rows(log, None, before + self.n, 300)
        for outcome, error, count in log.bulletin_outcomes(bulletin.id):
            line(f"  station's log: {outcome}", f"{count}" + (f" ({error})" if error else ""))

    # -- 4b. backlog -------------------------------------------------------------------

    def backlog(self, offline_workers: int) -> None:
        assert self.workers is not None
        which = list(range(offline_workers))
        clusters = [cid for i in which for cid in self.workers.members[i]]
        header(
            f"4b. Backlog of {len(clusters)} receivers offline for 24 h",
            "their link down (stopped, started again with no link), their clock moved through "
            "the next 24 h slot by slot so the real player plays and logs each; then started "
            "again online: every closed row of their own logs against the station's log",
        )
        log = StationLog(self.paths.data_dir / "playlog.sqlite3")
        self.workers.command({"cmd": "restart", "online": False}, which)
        clock_now = datetime.now(WARD) + timedelta(seconds=self.offsets[which[0]])
        day = [
            e
            for e in self.entries[self.zones[0]]
            if clock_now < e.start <= clock_now + timedelta(hours=24)
        ]
        starts = sorted({e.start for e in day})
        groups: list[list[datetime]] = []
        for moment in starts:
            if groups and moment - groups[-1][0] < timedelta(minutes=10):
                groups[-1].append(moment)
            else:
                groups.append([moment])
        for group in groups:
            entries = self.slot_entries(group[0], span=timedelta(minutes=10))
            labels = {e.id for es in entries.values() for e in es}
            start = self.workers.count("play")
            self.shift_to(group[0], which)
            self.wait_plays(start, labels, self.per_cluster(entries, clusters), 120, to_end=True)
        line("slots played offline (the next 24 h)", f"{len(groups)}, {len(day)} entries")
        before = log.remote_rows(clusters)
        rows_start = self.workers.count("rows")
        self.workers.command({"cmd": "rows"}, which)
        own = {e["c"]: e["ids"] for e in self.workers.since("rows", rows_start)}
        total = sum(len(ids) for ids in own.values())
        line("rows in their own logs / in the station's before", f"{total} / {before}")
        started = time.monotonic()
        self.workers.command({"cmd": "restart", "online": True}, which)
        _, last, _, count = wait_rows(log, clusters, total, 600)
        got = count - before
        took = (last or time.monotonic()) - started
        line(
            "caught up (reconnect → last row stored)",
            f"{took:.1f} s, {got} rows, {got / took:.0f} rows/s",
        )
        stored = log.remote_ids()
        lost = sum(len(set(ids) - set(stored.get(c, []))) for c, ids in own.items())
        dup = sum(len(v) - len(set(v)) for v in stored.values())
        line("rows lost", str(lost), "0")
        line("rows stored twice", str(dup), "0")

    # -- the whole run -----------------------------------------------------------------

    def check_all_rows(self) -> None:
        assert self.workers is not None
        header(
            "Every row of every receiver", "each receiver's own closed rows vs the station's log"
        )
        rows_start = self.workers.count("rows")
        self.workers.command({"cmd": "rows"})
        own = {e["c"]: e["ids"] for e in self.workers.since("rows", rows_start)}
        total = sum(len(ids) for ids in own.values())
        log = StationLog(self.paths.data_dir / "playlog.sqlite3")
        wait_rows(log, None, total, 120)
        stored = log.remote_ids()
        lost = sum(len(set(ids) - set(stored.get(c, []))) for c, ids in own.items())
        dup = sum(len(v) - len(set(v)) for v in stored.values())
        line(
            "rows at receivers / in the station's log",
            f"{total} / {sum(map(len, stored.values()))}",
        )
        line("lost / stored twice", f"{lost} / {dup}", "0 / 0")

    def close(self) -> None:
        if self.workers is not None:
            with contextlib.suppress(Exception):
                self.workers.command({"cmd": "stop"}, timeout=300)
            self.workers.close()
        if self.daemon is not None:
            self.daemon.stop()
        self.broker.stop()
        if self.keep:
            print(f"\nfiles kept in {self.root}")
        else:
            shutil.rmtree(self.root, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clusters", type=int, default=2000)
    parser.add_argument(
        "--processes", type=int, default=8, help=f"at least clusters/{MAX_PER_PROCESS}"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    bench = Bench(args)
    print(
        f"{bench.n} clusters in {len(bench.zones)} IP zones, {bench.processes} worker "
        f"processes, {os.cpu_count()} cores; files in {bench.root}"
    )
    try:
        bench.project()
        bench.start_receivers()
        bench.deliver_plans()
        bench.bulletin()  # first: at equal clocks with the station (a `now` lives 5 min)
        bench.slot_spread()
        bench.broker_restart()
        bench.backlog(max(1, round(bench.processes / 4)))
        bench.check_all_rows()
    except TimeoutError as exc:
        print(f"\nbroken run: {exc}", file=sys.stderr)
        return 1
    finally:
        bench.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
