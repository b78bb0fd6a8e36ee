"""The clusters benchmark's processes (bench/clusters.py): the worker processes that run the real
receivers (bench/_cluster_worker.py) and what they report, and the station's link timed."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from bench._proc import megabytes, status_fields
from broadcast.receiver import player

# Paho's network loop uses select(), which refuses a descriptor ≥ 1024 (FD_SETSIZE): its
# connection is then dropped and retried for ever, silently. A receiver holds ~9 descriptors
# (its two SQLite files with WAL and shm, the socket, Paho's socket pair): a process can hold
# ~110 of them, so at most this many per worker process.
MAX_PER_PROCESS = 100
# receivers per worker unless asked otherwise: 2,000 in 40 processes started every slot on time
# where 20 processes of 100 (100 players waiting for one GIL at a slot's second) did not
PER_PROCESS = 50
POLL_SECONDS = 0.05  # how often a wait looks at the events (this process runs the station)
HEARTBEAT_SECONDS = 30


# Each worker opens its boxes' plays with a lead of its own, from the receiver's LEAD_SECONDS
# up to this much more. A box prepares a play alone (its row, its audio read) on its own CPU;
# here 2,000 share two cores, and all at one second (thousands of runnable threads, each
# preparation split by its I/O into GIL turns) they were tens of seconds late — which measures
# this machine, not a box. The first sample's instant does not depend on the lead.
LEAD_SPREAD_SECONDS = 7.0


def lead_seconds(index: int, workers: int) -> float:
    return player.LEAD_SECONDS + LEAD_SPREAD_SECONDS * index / max(1, workers - 1)


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
                    {
                        "receivers": group,
                        "heartbeat_seconds": HEARTBEAT_SECONDS,
                        "retry_max": 2,
                        "lead_seconds": lead_seconds(index, len(groups)),
                    }
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
