"""The station's side of its IP loudspeaker clusters: plans out, audio served, as-played in.

- **Plans out**: after every re-plan of the daemon, and at least every ``PLAN_EVERY``, each
  registered cluster's entries for the next 48 hours (``ip_plan.zone_entries``) are signed and
  published RETAINED on its ``plan`` topic: only when they changed (or the last one is getting
  old), so a cluster is not sent the same plan every pass. Entries of an item that has already
  begun stay as they were sent: a cluster never hears an item change half-way.
- **Audio served**: the files those plans (and recent bulletins) name, by hash
  (``ip_offer``), and no others.
- **As-played in**: the rows each cluster uploads on ``played`` are stored in the play log
  once (``PlayLog.ingest_remote``) and acknowledged by a signed ``ack``.
- **What never left**: a segment left out of a cluster's plan (no audio yet …) that no pass
  sent before it was due gets its row from the station (``ip_unsent``).
- **Health**: heartbeats and refusals (``ip_health``), alarms for silent clusters.
- **Urgent bulletins and stops** (``ip_bulletins``): a signed ``now`` to each cluster of the
  bulletin's IP zones, its audio fetched by hash or pushed once through the broker; a signed
  ``stop``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from broadcast.clock import Clock
from broadcast.clusters.bodies import ack_body, plan_body
from broadcast.clusters.messages import (
    ACK,
    EVENT,
    PLAN,
    PLAYED,
    STATUS,
    PlanEntry,
)
from broadcast.clusters.registry import Cluster, ClusterRegistry
from broadcast.clusters.signing import StationKey
from broadcast.clusters.topics import parse
from broadcast.config.ip_clusters import IpClusterSettings
from broadcast.daemon.air import Bulletin
from broadcast.daemon.alarms import AlarmCode, Alarms
from broadcast.daemon.context import AirContext
from broadcast.daemon.ip_bulletins import ClusterBulletins
from broadcast.daemon.ip_health import ClusterHealth
from broadcast.daemon.ip_next import Label, labels, upcoming
from broadcast.daemon.ip_offer import OfferedAudio
from broadcast.daemon.ip_plan import WINDOW, ClusterAudio, LeftOut, zone_entries
from broadcast.daemon.ip_rows import RowIntake
from broadcast.daemon.ip_signed import SignedOut
from broadcast.daemon.ip_unsent import Sent, Unsent
from broadcast.daemon.ip_zones import ip_zone_ids
from broadcast.daemon.status import ClusterStatus, NextSegment
from broadcast.playlog import PlayLog
from broadcast.schedule import Plan
from broadcast.sinks.ip.audio_server import AudioServer
from broadcast.sinks.ip.mqtt_station import StationLink

logger = logging.getLogger("broadcast.daemon")

PLAN_EVERY = timedelta(hours=1)  # the 48-hour window moves on even when nothing is edited
REFRESH = timedelta(hours=12)  # an unchanged plan is signed again before it gets near expiry
PLAN_DAYS = 3  # today, tomorrow and the day after: 48 hours from any moment of today
CLUSTERS_READ_EVERY = timedelta(seconds=10)  # the registry is read again at most this often

Planner = Callable[[date, int], Plan]


@dataclass(frozen=True)
class _Published:
    key: list[dict[str, Any]]  # the entries as sent: what "changed" compares
    at: datetime
    entries: tuple[PlanEntry, ...]


class IpStation:
    def __init__(
        self,
        *,
        settings: IpClusterSettings,
        registry: ClusterRegistry,
        key: StationKey,
        link: StationLink,
        server: AudioServer,
        audio_files: ClusterAudio,
        log: PlayLog,
        alarms: Alarms,
        clock: Clock,
        planner: Planner,
        context: Callable[[], AirContext],
        rows_wait_seconds: float = 0.0,
    ):
        self.settings = settings
        self.registry = registry
        self.out = SignedOut(settings.ward, key, registry, link)
        self.link = link
        self.server = server
        self.audio_files = audio_files
        self.log = log
        self.alarms = alarms
        self.clock = clock
        self._planner = planner
        self._context = context
        self.health = ClusterHealth(clock.now(), timedelta(seconds=settings.silent_after_seconds))
        self._published: dict[str, _Published] = {}
        self._first_sent: dict[str, datetime] = {}  # each cluster's first plan of this run
        self.unsent = Unsent(log, alarms, context)
        self._labels: dict[str, Label] = {}  # the published entries' slot names and titles
        self._clusters: tuple[list[Cluster], datetime] | None = None
        self._lock = threading.Lock()  # one plan pass at a time; the published plans
        self.offered = OfferedAudio(server, audio_files)
        self.bulletins = ClusterBulletins(
            settings=settings,
            out=self.out,
            audio_files=audio_files,
            offered=self.offered,
            health=self.health,
            clock=clock,
            clusters=self.clusters,
        )
        self._wake = threading.Event()
        self._forced = False
        self._stopping = threading.Event()
        self.rows = RowIntake(
            log=log, health=self.health, clock=clock, known=self._known, acknowledge=self._ack
        )
        self._threads: list[threading.Thread] = []
        self.passes = 0  # plan passes done (tests wait on it)
        # A rehearsal's stop waits this long at most for the rows of what its clusters began
        # to play: its log is printed right after (``broadcast demo``).
        self.rows_wait_seconds = rows_wait_seconds
        self._unreachable_since: datetime | None = None  # the broker, as the heartbeat saw it

    # -- start and stop ----------------------------------------------------------------

    def start(self) -> None:
        self.server.start()
        self.link.start(self._on_message, self._on_connect)
        for name, target in (("cluster-plans", self._plan_loop), ("cluster-rows", self.rows.run)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        self.replan()

    def stop(self) -> None:
        if self.rows_wait_seconds > 0:
            self.await_rows(self.clock.now(), self.rows_wait_seconds)
        self._stopping.set()
        self._wake.set()
        self.rows.close()
        for thread in self._threads:
            thread.join(timeout=10)
        self.link.stop()
        self.server.stop()

    def replan(self, *, force: bool = False) -> None:
        """Plan the clusters again soon (in the background): the daemon re-planned."""
        self._forced = self._forced or force
        self._wake.set()

    # -- plans out ---------------------------------------------------------------------

    def _plan_loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(PLAN_EVERY.total_seconds())
            if self._stopping.is_set():
                return
            self._wake.clear()
            forced, self._forced = self._forced, False
            if not forced and not self.link.connected:
                # nothing reaches the clusters now, and the pass forced once the link is up
                # sends every plan: a pass now would only send each of them twice
                continue
            try:
                self.publish_plans(force=forced)
            except Exception:  # the next pass tries again; the clusters keep their last plan
                logger.exception("lỗi gửi lịch cho cụm loa", extra={"event": "cluster_plan_failed"})

    def clusters(self, *, fresh: bool = False) -> list[Cluster]:
        """The registered clusters whose zone is an IP zone of the configuration."""
        now = self.clock.now()
        if fresh or self._clusters is None or now - self._clusters[1] > CLUSTERS_READ_EVERY:
            self._clusters = (self.registry.clusters(), now)
        ip_zones = ip_zone_ids(self._context().config)
        return [cluster for cluster in self._clusters[0] if cluster.zone in ip_zones]

    def publish_plans(self, *, force: bool = False) -> list[str]:
        """Sign and publish the plan of each cluster whose entries changed (every one with
        ``force``); returns their ids."""
        with self._lock:
            now = self.clock.now()
            context = self._context()
            clusters = self.clusters(fresh=True)
            sent: list[str] = []
            if clusters:
                plan = self._planner(now.date(), PLAN_DAYS)
                until = now + WINDOW
                by_zone: dict[str, list[PlanEntry]] = {}
                for zone in sorted({cluster.zone for cluster in clusters}):
                    left: list[LeftOut] = []
                    by_zone[zone] = zone_entries(
                        context, plan.items, zone, now, until, self.audio_files, left
                    )
                    self.unsent.noted(zone, left, now)
                due: list[tuple[Cluster, list[PlanEntry], list[dict[str, Any]]]] = []
                never_sent = self.unsent.never_sent()
                for cluster in clusters:
                    entries = by_zone[cluster.zone]
                    if never_sent:
                        entries = [e for e in entries if (cluster.id, e.id) not in never_sent]
                    entries = self._keep_begun(cluster.id, entries, now)
                    key = self._plan_due(cluster.id, entries, now, force)
                    if key is not None:
                        due.append((cluster, entries, key))
                # the files of the new plans are served BEFORE the plans naming them go out
                self.offered.add_plan_files((e.audio.sha256 for _, es, _ in due for e in es), now)
                # the pass's numbers in one block: one write to the registry, not one a cluster
                seqs = self.registry.next_seqs(len(due))
                for (cluster, entries, key), seq in zip(due, seqs, strict=True):
                    self._publish_plan(cluster, entries, key, now, until, seq)
                    sent.append(cluster.id)
            self._forget_removed({cluster.id for cluster in clusters})
            held = {e.id: e for p in self._published.values() for e in p.entries}
            files = {entry.audio.sha256 for entry in held.values()}
            if clusters:  # what ``status`` calls them; kept for an item begun, dropped after
                self._labels = labels(plan.items, held.values(), context.scripts, self._labels)
            self.offered.plan_files(files, now)
            self.passes += 1
        if sent:
            logger.info(
                "đã gửi lịch phát cho %d cụm loa",
                len(sent),
                extra={"event": "cluster_plans_published", "clusters": len(sent)},
            )
        return sent

    def upcoming(self, now: datetime, per_zone: int) -> dict[str, tuple[NextSegment, ...]]:
        """Each IP zone's next segments, by the plans its clusters were sent (``ip_next``)."""
        plans = {cluster: last.entries for cluster, last in list(self._published.items())}
        return upcoming(self.clusters(), plans, self._labels, now, per_zone)

    def _keep_begun(
        self, cluster: str, entries: Sequence[PlanEntry], now: datetime
    ) -> list[PlanEntry]:
        """``entries``, except that an item already begun keeps the entries sent before."""
        last = self._published.get(cluster)
        if last is None:
            return list(entries)
        begun = {entry.item for entry in last.entries if entry.start <= now}
        kept = [e for e in last.entries if e.item in begun and e.start + _length(e) > now]
        fresh = [entry for entry in entries if entry.item not in begun]
        return sorted(kept + fresh, key=lambda e: (e.start, e.id))

    def _plan_due(
        self, cluster: str, entries: list[PlanEntry], now: datetime, force: bool
    ) -> list[dict[str, Any]] | None:
        """The plan's key (its entries as sent) when it is to be sent: it changed, it is due
        again (``REFRESH``), or ``force``; else None."""
        key = [entry.to_json() for entry in entries]
        last = self._published.get(cluster)
        if not force and last is not None and last.key == key and now - last.at < REFRESH:
            return None
        return key

    def _publish_plan(
        self,
        cluster: Cluster,
        entries: list[PlanEntry],
        key: list[dict[str, Any]],
        now: datetime,
        until: datetime,
        seq: int,
    ) -> None:
        body = plan_body(cluster.zone, entries, now, until)
        self.out.send(PLAN, cluster.id, now, body, seq=seq, retain=True)
        self._published[cluster.id] = _Published(key, now, tuple(entries))
        self._first_sent.setdefault(cluster.id, now)

    def _forget_removed(self, active: set[str]) -> None:
        """A cluster removed from the registry: its retained plan is cleared at the broker."""
        for cluster_id in [c for c in self._published if c not in active]:
            self.link.publish(self.out.topic(cluster_id, PLAN), b"", retain=True)
            del self._published[cluster_id]
            self._first_sent.pop(cluster_id, None)

    def _sent(self, cluster: str) -> Sent | None:
        """What this run sent ``cluster`` (read under ``_lock``)."""
        first, last = self._first_sent.get(cluster), self._published.get(cluster)
        if first is None or last is None:
            return None
        return Sent(first, frozenset(entry.id for entry in last.entries))

    def record_unsent(self, now: datetime | None = None, *, wait: bool = False) -> int:
        """Rows for the segments due by ``now`` that never reached their clusters; skipped
        while a plan pass runs (it may be sending one: the next beat judges) unless ``wait``."""
        if not self._lock.acquire(blocking=wait):
            return 0
        try:
            return self.unsent.record(now or self.clock.now(), self.clusters(), self._sent)
        finally:
            self._lock.release()

    def published(self, cluster: str) -> tuple[PlanEntry, ...]:
        with self._lock:
            last = self._published.get(cluster)
            return last.entries if last else ()

    # -- up messages -------------------------------------------------------------------

    def _on_connect(self) -> None:
        self.replan(force=True)  # a broker that lost its retained plans has them again

    def _on_message(self, name: str, payload: bytes) -> None:
        where = parse(name)
        if where is None or where[0] != self.settings.ward:
            return
        _ward, cluster, kind = where
        now = self.clock.now()
        if kind == STATUS:
            self.health.heard_status(cluster, payload, now)
        elif kind == EVENT:
            self.health.heard_event(cluster, payload, now)
            logger.warning(
                "cụm loa %s báo: %s",
                cluster,
                payload[:300].decode("utf-8", "replace"),
                extra={"event": "cluster_event", "cluster": cluster},
            )
        elif kind == PLAYED:
            self.rows.put(cluster, payload)  # off the network thread: the log writes

    def _known(self, cluster: str) -> bool:
        """Rows are taken from registered clusters, and from one removed since they played."""
        if self._clusters is not None and any(c.id == cluster for c in self._clusters[0]):
            return True
        return self.registry.get(cluster, removed=True) is not None

    def _ack(self, cluster: str, ids: list[int], now: datetime) -> None:
        self.out.send(ACK, cluster, now, ack_body(ids))

    def await_rows(self, begun_by: datetime, seconds: float) -> bool:
        """Wait up to ``seconds`` for a row of every logged entry that began by ``begun_by``
        from each cluster; whether they all came."""

        def expected() -> dict[str, int]:
            with self._lock:
                published = {cluster: p.entries for cluster, p in self._published.items()}
            return {
                cluster: len([e for e in entries if e.airing and e.start <= begun_by])
                for cluster, entries in published.items()
            }

        return self.rows.await_rows(expected, seconds)

    # -- urgent bulletins --------------------------------------------------------------

    def announce(self, bulletin: Bulletin, zones: Sequence[str]) -> list[str]:
        """``bulletin`` to the clusters of ``zones`` (``ip_bulletins``); returns their ids."""
        return self.bulletins.announce(bulletin, zones)

    def stop_playing(
        self, zones: Sequence[str], by: str | None, bulletin: str | None = None
    ) -> list[str]:
        """A technician's stop on IP zones: a signed ``stop`` to their clusters."""
        return self.bulletins.stop_playing(zones, by, bulletin)

    # -- health ------------------------------------------------------------------------

    def check(self) -> None:
        """The daemon's heartbeat: alarms for silent clusters and an unreachable broker."""
        now = self.clock.now()
        self.health.check(self.clusters(), now, self.alarms)
        self.record_unsent(now)
        if self.link.connected:
            self._unreachable_since = None
            self.alarms.clear(AlarmCode.CLUSTERS_UNREACHABLE)
            return
        self._unreachable_since = self._unreachable_since or now
        if now - self._unreachable_since > self.health.silent_after:
            self.alarms.raise_alarm(
                AlarmCode.CLUSTERS_UNREACHABLE,
                f"không kết nối được máy chủ MQTT {self.settings.broker}: cụm loa IP không nhận "
                "được lịch mới (vẫn phát lịch đã có)",
            )

    def statuses(self) -> tuple[ClusterStatus, ...]:
        return self.health.statuses(self.clusters(), self.clock.now())


def _length(entry: PlanEntry) -> timedelta:
    return timedelta(seconds=entry.seconds)
