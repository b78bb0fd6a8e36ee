"""One process of simulated IP loudspeaker clusters for bench/clusters.py.

Runs M REAL receivers (``broadcast.receiver.runner.Receiver``: its checks, store, play log,
downloader, player and uplink as on a box), each from the ``receiver.yaml`` that
``broadcast clusters add`` wrote for it, with its own data folder, over its own MQTT
connection (Paho, the cluster's own account). What is the bench's own:

- the clock: the system clock plus one offset, the same in every worker (equal clocks); the
  bench moves it forward to bring a slot near, as a box whose clock is ahead would see it;
- the sink (``RecordingSink``): no sound, no file; for each play it notes the instant the
  player asked the first sample to be heard (``at``, ``time.monotonic()``: one clock for all
  processes on Linux), when the player called it (``called``), and when this process's timer
  thread actually woke at ``at`` (``woke``: when a real-time sink's thread would start
  writing — what the GIL and two shared cores allow); the play ends ``seconds`` after ``at``;
- the link when offline (``OfflineLink``): a box whose 4G link is down.

It reads one JSON command a line on stdin and writes one JSON event a line on stdout.
"""

from __future__ import annotations

import heapq
import json
import logging
import sys
import threading
import time
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from broadcast.clusters.messages import PLAN
from broadcast.receiver import player
from broadcast.receiver.host import HostProbe
from broadcast.receiver.mqtt_link import Link, PahoLink
from broadcast.receiver.runner import Receiver
from broadcast.receiver.settings import OutputSettings, ReceiverSettings, load_settings
from broadcast.sinks.protocol import (
    OutletOutcome,
    Playback,
    PlayStatus,
    ZoneHealth,
    ZoneSpeakers,
)

POOL = 8  # receivers started or stopped at once (each stop joins its threads)
OUTLET = "bench-recorder"

_out_lock = threading.Lock()


def emit(**event: Any) -> None:
    line = json.dumps(event, separators=(",", ":"))
    with _out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class SharedClock:
    """The system clock plus an offset the bench sets: equal in every worker."""

    def __init__(self, timezone: Any):
        self.timezone = timezone
        self.offset = 0.0

    def now(self) -> datetime:
        return datetime.now(self.timezone) + timedelta(seconds=self.offset)

    def monotonic(self) -> float:
        return time.monotonic()


class Timeline:
    """One timer thread for the process: calls each callback at its ``time.monotonic()``."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._count = 0
        self._cv = threading.Condition()
        threading.Thread(target=self._run, name="bench-timeline", daemon=True).start()

    def call_at(self, when: float, callback: Callable[[], None]) -> None:
        with self._cv:
            self._count += 1
            heapq.heappush(self._heap, (when, self._count, callback))
            self._cv.notify()

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cv.wait(wait)
                _, _, callback = heapq.heappop(self._heap)
            callback()


class _Outlet:
    def __init__(self, zone: str, seconds: float, at: float):
        self.zone_id = zone
        self.zone_ids = (zone,)
        self.seconds = seconds
        self.at = at
        self.finished = threading.Event()
        self.stopped_at: float | None = None  # monotonic instant the fade ended

    def end(self) -> None:
        self.finished.set()

    def fade_out(self, seconds: float, zones: AbstractSet[str] | None = None) -> None:
        if (zones is not None and self.zone_id not in zones) or self.finished.is_set():
            return
        self.stopped_at = max(time.monotonic(), self.at) + seconds
        TIMELINE.call_at(self.stopped_at, self.end)

    def silent(self, zones: AbstractSet[str]) -> bool:
        return self.finished.is_set() or self.zone_id not in zones

    def outcomes(self) -> list[OutletOutcome]:
        if self.stopped_at is None:
            done = PlayStatus.COMPLETED
            return [OutletOutcome(OUTLET, self.zone_ids, done, self.seconds, to_file=True)]
        aired = min(self.seconds, max(0.0, self.stopped_at - self.at))
        return [OutletOutcome(OUTLET, self.zone_ids, PlayStatus.STOPPED, aired, to_file=True)]

    def outcome_for(self, zone_id: str) -> OutletOutcome:
        return self.outcomes()[0]


class RecordingSink:
    """Notes when each play's first sample is due and when a thread woke for it; no sound."""

    def __init__(self, cluster: str):
        self.cluster = cluster

    def health(self, zones: Sequence[ZoneSpeakers]) -> list[ZoneHealth]:
        return [ZoneHealth(z.zone_id, OUTLET, to_file=True) for z in zones]

    def start(
        self,
        audio: np.ndarray,
        sample_rate: int,
        zones: Sequence[ZoneSpeakers],
        label: str = "",
        at: float | None = None,
    ) -> Playback:
        called = time.monotonic()
        first = called if at is None else at
        seconds = len(audio) / sample_rate
        outlets = [_Outlet(zone.zone_id, seconds, first) for zone in zones]
        cluster = self.cluster

        def woke() -> None:
            emit(
                ev="play",
                c=cluster,
                label=label,
                at=first,
                s=seconds,
                called=called,
                woke=time.monotonic(),
            )

        TIMELINE.call_at(first, woke)
        for outlet in outlets:
            TIMELINE.call_at(first + seconds, outlet.end)
        return Playback(outlets)


class OfflineLink:
    """A box whose 4G link is down: nothing leaves, nothing arrives."""

    @property
    def connected(self) -> bool:
        return False

    def start(self, on_message: Callable[[str, bytes], None], on_connect: Callable[[], None]):
        pass

    def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> None:
        pass

    def stop(self) -> None:
        pass


class Box:
    """One simulated cluster: its settings and its current Receiver."""

    def __init__(self, settings: ReceiverSettings):
        self.settings = settings
        self.receiver: Receiver | None = None
        self.plan_seq = -1
        self.files_wanted = False

    @property
    def id(self) -> str:
        return self.settings.cluster

    def after_message(self, topic: str) -> None:
        receiver = self.receiver
        if receiver is None or not topic.endswith("/" + PLAN):
            return
        seq = receiver.store.last_seq(PLAN)
        if seq > self.plan_seq:
            self.plan_seq = seq
            self.files_wanted = True  # ``want`` cleared the downloader's idle flag already
            emit(ev="plan", c=self.id, seq=seq, t=time.monotonic())


class TimedLink(PahoLink):
    """The receiver's real Paho link; the bench notes when it connected and when a plan
    message had been handled."""

    def __init__(self, box: Box):
        super().__init__(box.settings)
        self.box = box

    def start(self, on_message: Callable[[str, bytes], None], on_connect: Callable[[], None]):
        def message(topic: str, payload: bytes) -> None:
            on_message(topic, payload)
            self.box.after_message(topic)

        def connected() -> None:
            emit(ev="connected", c=self.box.id, t=time.monotonic())
            on_connect()

        super().start(message, connected)


TIMELINE = Timeline()


class Worker:
    def __init__(self, config: dict[str, Any]):
        self.boxes = []
        for entry in config["receivers"]:
            settings = load_settings(Path(entry["yaml"]))  # as the box reads it
            data = Path(entry["data"])
            self.boxes.append(
                Box(
                    replace(
                        settings,
                        data_dir=data,
                        output=OutputSettings(folder=data / "wav"),
                        heartbeat_seconds=float(config["heartbeat_seconds"]),
                    )
                )
            )
        self.clock = SharedClock(self.boxes[0].settings.timezone)
        # One for the process, asked once before any box starts: its cache has no lock, so 100
        # first heartbeats at once would each fork chronyc/timedatectl (a fork storm from
        # processes of hundreds of threads); the bench keeps the first answer for its run.
        self.probe = HostProbe(every=float("inf"))
        self.probe.clock()
        self.probe.signal()
        self.retry_max = float(config["retry_max"])
        player.LEAD_SECONDS = float(config["lead_seconds"])  # this worker's (_cluster_workers)
        self.pool = ThreadPoolExecutor(POOL)
        self._stop_watch = threading.Event()
        threading.Thread(target=self._watch_files, name="bench-files", daemon=True).start()

    def start_all(self, online: bool) -> None:
        def one(box: Box) -> None:
            link: Link = TimedLink(box) if online else OfflineLink()
            box.receiver = Receiver(
                box.settings,
                clock=self.clock,
                sink=RecordingSink(box.id),
                link=link,
                probe=self.probe,
                retry_max=self.retry_max,
            )
            box.receiver.start()

        list(self.pool.map(one, self.boxes))

    def stop_all(self) -> None:
        def one(box: Box) -> None:
            if box.receiver is not None:
                box.receiver.stop()
                box.receiver = None

        list(self.pool.map(one, self.boxes))

    def _watch_files(self) -> None:
        """Each box that accepted a plan: the moment its downloader has every file."""
        while not self._stop_watch.is_set():
            for box in self.boxes:
                receiver = box.receiver
                if box.files_wanted and receiver is not None and receiver.downloader.idle.is_set():
                    box.files_wanted = False
                    emit(ev="files", c=box.id, t=time.monotonic())
            time.sleep(0.02)

    def closed_rows(self) -> None:
        for box in self.boxes:
            assert box.receiver is not None
            rows = box.receiver.log.attempts(since=datetime(2000, 1, 1, tzinfo=self.clock.timezone))
            ids = [row.id for row in rows if row.outcome is not None]
            emit(ev="rows", c=box.id, ids=ids)

    def run(self) -> None:
        for line in sys.stdin:
            command = json.loads(line)
            name = command["cmd"]
            if name == "start":
                self.start_all(online=command.get("online", True))
            elif name == "shift":
                self.clock.offset = float(command["offset"])
            elif name == "restart":  # stop every box, start it again on- or offline
                self.stop_all()
                self.start_all(online=command["online"])
            elif name == "rows":
                self.closed_rows()
            elif name == "stop":
                self.stop_all()
                emit(ev="done", cmd=name)
                return
            emit(ev="done", cmd=name)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    config = json.loads(Path(sys.argv[1]).read_text("utf-8"))
    worker = Worker(config)
    emit(ev="done", cmd="load")
    worker.run()


if __name__ == "__main__":
    main()
