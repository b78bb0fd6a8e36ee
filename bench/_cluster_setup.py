"""The clusters benchmark's set-up (bench/clusters.py): the ward and its registered clusters,
the broker, the receivers' worker processes started and connected, and what the phases share
(events read back, clocks moved to a slot, plays waited for); closing it all."""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench._cluster_figures import header, line
from bench._cluster_workers import (
    HEARTBEAT_SECONDS,
    MAX_PER_PROCESS,
    PER_PROCESS,
    TimedStationLink,
    Workers,
)
from bench._proc import cpu_seconds
from broadcast.cli import main as cli
from broadcast.clusters.bridge import queue_conf
from broadcast.clusters.registry import ClusterFiles
from broadcast.daemon.daemon import BroadcastDaemon
from tests.clusters.station_ward import IP_SECTION, WARD_ID, ip_zone_yaml
from tests.daemon.daemon_project import OFFLINE_TTS, WARD, make_project, zone_yaml
from tests.support.mosquitto import MosquittoBroker, free_port

MAX_IP_ZONES = 20
SLOT_A_MINUTES = 90  # real time to slot "a": the whole run happens before the station's own day
SCRIPTS = {
    f"tin-{n}.txt": f"Thông báo số {n}\n\nMời bà con tổ dân phố {n} dự họp tối nay lúc bảy giờ.\n"
    for n in (1, 2, 3)
}
# each box has its own SD card; 2,000 boxes' SQLite logs on this one virtual disk would measure
# its fsync queue (a thousand commits at one slot's second), not the receivers
BOXES_DIR = Path("/dev/shm")
# a slot is brought this near: more than the longest lead a worker opens plays with
# (``_cluster_workers.LEAD_SPREAD_SECONDS``) plus the 5 s an idle player sleeps
LEAD_SHIFT_SECONDS = 20.0
STOP_DUMP_SECONDS = 60.0


class BenchSetup:
    """The run's ward, broker, receivers and shared waits; ``Bench`` adds the phases."""

    def __init__(self, args: argparse.Namespace):
        self.n = args.clusters
        requested = args.processes or -(-self.n // PER_PROCESS)
        self.processes = min(max(requested, -(-self.n // MAX_PER_PROCESS)), self.n)
        self.root = Path(tempfile.mkdtemp(prefix="bench-clusters-"))
        boxes_parent = args.boxes_dir if args.boxes_dir.is_dir() else None
        self.boxes = Path(tempfile.mkdtemp(prefix="bench-boxes-", dir=boxes_parent))
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
                    "data": str(self.boxes / cid),
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

    def close(self) -> None:
        header("Stopping", "the receivers (each says offline), then the station's daemon")
        # a stop that hangs says where, every minute
        faulthandler.dump_traceback_later(STOP_DUMP_SECONDS, repeat=True)
        try:
            self._stop_processes()
        finally:
            faulthandler.cancel_dump_traceback_later()
        self.broker.stop()
        if self.keep:
            print(f"\nfiles kept in {self.root} and {self.boxes}")
        else:
            shutil.rmtree(self.root, ignore_errors=True)
            shutil.rmtree(self.boxes, ignore_errors=True)

    def _stop_processes(self) -> None:
        started = time.monotonic()
        if self.workers is not None:
            with contextlib.suppress(Exception):
                self.workers.command({"cmd": "stop"}, timeout=300)
            self.workers.close()
            line("receivers stopped", f"{time.monotonic() - started:.1f} s")
        if self.daemon is not None:
            started = time.monotonic()
            self.daemon.stop()
            line("station's daemon stopped", f"{time.monotonic() - started:.1f} s")

    def cpu_spent(self, before: dict[tuple[str, int], float]) -> dict[str, float]:
        """CPU seconds since ``before`` (``cpu()``), by part: receivers, station, broker."""
        spent = {"receivers": 0.0, "station": 0.0, "broker": 0.0}
        for key, seconds in self.cpu().items():
            spent[key[0]] += seconds - before.get(key, 0.0)
        return spent

    def cpu(self) -> dict[tuple[str, int], float]:
        """CPU seconds so far of each process: the receivers' workers, this one (the station),
        the broker (a restarted broker is a new process)."""
        used = {("station", os.getpid()): time.process_time()}
        pids = [("receivers", proc.pid) for proc in self.workers.procs] if self.workers else []
        if self.broker.pid is not None:
            pids.append(("broker", self.broker.pid))
        for key in pids:
            with contextlib.suppress(OSError):  # a process gone
                used[key] = cpu_seconds(key[1])
        return used
