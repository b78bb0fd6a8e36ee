"""The clusters benchmark's phases (bench/clusters.py): plans and audio, the urgent bulletin,
a slot's spread and the rows it brings, the broker restarted, a day's backlog, every row."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import datetime, timedelta

import numpy as np

from bench._cluster_figures import StationLog, header, line, quantiles, wait_rows
from bench._cluster_setup import LEAD_SHIFT_SECONDS, BenchSetup
from bench._cluster_workers import TimedStationLink
from broadcast.daemon.air import Bulletin
from broadcast.daemon.daemon import BroadcastDaemon, DaemonOptions
from broadcast.scripts.model import Priority
from broadcast.sinks.file import FileSink
from tests.daemon.daemon_project import WARD

TARGET_BULLETIN_P99 = 2.0
TARGET_SPREAD = 0.020
REST_SECONDS = 30.0
BROKER_START_SECONDS = 120.0  # 2,000 sessions' state saved and read again on a loaded machine


def print_outcomes(log: StationLog, after: int) -> None:
    """The rows a phase brought to the station's log, by outcome and reason."""
    for outcome, reason, count in log.outcomes_after(after):
        line(f"  {outcome}" + (f" ({reason})" if reason else ""), str(count))


class Bench(BenchSetup):
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
        out = getattr(station, "out", None)  # the signed messages' sender holds the link too
        if out is not None:
            out.link = self.link
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

    def at_rest(self) -> None:
        """What the receivers cost with nothing to do: the floor under every other figure
        here, where 2,000 boxes share two cores (in life each box has its own CPU)."""
        assert self.workers is not None
        header(
            "1b. At rest",
            f"{REST_SECONDS:.0f} s with the plans held and no message sent: heartbeats, paho's "
            "network threads, the players' idle looks; CPU of the receivers' processes",
        )
        plays = self.workers.count("play")
        before = self.cpu()
        time.sleep(REST_SECONDS)
        spent = self.cpu_spent(before)
        line(
            "CPU per receiver per second",
            f"{1000 * spent['receivers'] / self.n / REST_SECONDS:.2f} ms "
            f"({spent['receivers'] / REST_SECONDS:.2f} cores for {self.n}); station "
            f"{spent['station'] / REST_SECONDS:.2f} cores, broker "
            f"{spent['broker'] / REST_SECONDS:.2f} cores",
        )
        if self.workers.count("play") > plays:  # the day's plan had an entry in those seconds
            line("entries played meanwhile", str(self.workers.count("play") - plays))

    # -- 3. a slot's spread, 4a. its rows in the station's log -------------------------

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
        station_log = StationLog(self.paths.data_dir / "playlog.sqlite3")
        before_rows, self.last_row_a = station_log.remote_rows(), station_log.last_row()
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
        print_outcomes(log, self.last_row_a)
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
        log = StationLog(self.paths.data_dir / "playlog.sqlite3")
        before_rows, last_row = log.remote_rows(), log.last_row()
        self.shift_to(self.slot_b)
        time.sleep(LEAD_SHIFT_SECONDS - 5)
        self.broker.stop()
        stopped = time.monotonic()
        plays = self.wait_plays(start, labels, self.per_cluster(entries, self.ids), 90)
        end = max(es[-1].start + timedelta(seconds=es[-1].seconds) for es in entries.values() if es)
        length = (end - self.slot_b).total_seconds()
        time.sleep(max(0.0, 5 + length - (time.monotonic() - stopped)))
        self.broker.restart(BROKER_START_SECONDS)
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
        want = self.per_cluster(entries, self.ids, logged=True)
        _, _, _, count = wait_rows(log, None, before_rows + want, 300)
        line(
            "rows of the slot expected / stored after the restart",
            f"{want} / {count - before_rows}",
        )
        print_outcomes(log, last_row)

    # -- 2. bulletin -------------------------------------------------------------------

    def bulletin(self) -> None:
        assert self.workers is not None and self.daemon is not None
        station = self.daemon.ip_station
        assert station is not None
        header(
            "2. Urgent bulletin fan-out",
            "IpStation.announce called (the audio pushed once on the ward's topic if the "
            "broker's copies fit its budget, then a signed `now` to each cluster) → the instant "
            "each receiver's player set for its first sample (after the pushed copy was kept or "
            "its own HTTP fetch; the player's 0.5 s lead) / when a thread woke for it",
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
        pushed = any("/_audio/" in topic for _, topic in self.link.sent) if self.link else False
        line(
            "its audio",
            "pushed once through the broker"
            if pushed
            else "fetched by each receiver over HTTP "
            f"({self.n} copies above the broker's budget, ClusterBulletins.push_audio)",
        )
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
