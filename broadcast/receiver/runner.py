"""``Receiver``: one cluster's whole program, started and stopped as an object.

No global state: the bench runs hundreds in one process, each with its own data folder, file
sink and link. Down messages arrive through ``handle(topic, payload)`` (the MQTT link calls
it; tests may too): each is checked (signature, kind, cluster, sequence, expiry) before
anything is done, and a refused one is reported on ``event`` (an exact repeat of the last
accepted message of its kind, which QoS 1 may deliver, is dropped quietly). At start the plan
kept on disk is checked again the same way, so the box plays on from it with no broker at all.

The bodies of down messages are ``broadcast.clusters.bodies``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from broadcast.clock import Clock, SystemClock
from broadcast.clusters import messages
from broadcast.clusters.bodies import NowBody, acked_rows, plan_entries
from broadcast.clusters.messages import ACK, NOW, PLAN, STOP, PlanEntry, Refused
from broadcast.clusters.tls import client_context
from broadcast.clusters.topics import parse, parse_audio, topic
from broadcast.paths import ProjectPaths
from broadcast.playlog import Airing, Outcome, Reason, open_for_air
from broadcast.receiver.bulletins import NowBulletin
from broadcast.receiver.downloads import RETRY_MAX_SECONDS, Downloader
from broadcast.receiver.fetch import BAD_AUDIO, DISK_FULL, AudioCache, FetchProblem
from broadcast.receiver.host import HostProbe
from broadcast.receiver.mqtt_link import Link, PahoLink, offline_payload
from broadcast.receiver.player import Player
from broadcast.receiver.settings import ReceiverSettings
from broadcast.receiver.store import ReceiverStore
from broadcast.receiver.uplink import Uplink
from broadcast.sinks.file import FileSink
from broadcast.sinks.portaudio import SoundDeviceSink
from broadcast.sinks.protocol import AudioSink, ZoneSpeakers

logger = logging.getLogger("broadcast.receiver")

AUDIO_FOLDER = "audio"
FORGET_HANDLED_AFTER = timedelta(days=3)
SAVED_PLAN = "(lịch phát lưu trên máy)"  # the "topic" of the plan kept on disk, in events


def speakers_of(settings: ReceiverSettings) -> ZoneSpeakers:
    output = settings.output
    return ZoneSpeakers(settings.zone, output.device, output.channels, output.volume_db)


def sink_of(settings: ReceiverSettings, clock: Clock) -> AudioSink:
    """The cluster's loudspeakers (PortAudio), or WAV files for ``output: {file: …}``."""
    if settings.output.folder is not None:
        return FileSink(settings.output.folder, clock=clock)
    return SoundDeviceSink()


class Receiver:
    def __init__(
        self,
        settings: ReceiverSettings,
        *,
        clock: Clock | None = None,
        sink: AudioSink | None = None,
        link: Link | None = None,
        probe: HostProbe | None = None,
        retry_max: float = RETRY_MAX_SECONDS,
    ):
        self.settings = settings
        self.clock = clock or SystemClock(settings.timezone)
        self.sink = sink or sink_of(settings, self.clock)
        self.link = link or PahoLink(settings)
        self.speakers = speakers_of(settings)
        data = settings.data_dir
        data.mkdir(parents=True, exist_ok=True)
        self.store = ReceiverStore.open(data)
        # rows a power cut left open are closed as interrupted; a log damaged by it (an SD
        # card) is moved aside and a new one started, with an alarm said at start
        self.log, self._log_alarm = open_for_air(
            ProjectPaths(data, data_override=data), now=self.clock.now(), timezone=settings.timezone
        )
        self.cache = AudioCache(data / AUDIO_FOLDER)
        self.uplink = Uplink(
            settings, self.link, self.log, self.store, self.cache, self.clock, probe
        )
        tls = client_context(settings.tls_ca_file) if settings.tls_ca_file else None
        self.downloader = Downloader(
            settings.audio_url, self.cache, self.uplink, retry_max=retry_max, tls=tls
        )
        self.player = Player(
            speakers=self.speakers,
            sink=self.sink,
            log=self.log,
            cache=self.cache,
            store=self.store,
            clock=self.clock,
            on_closed=self._row_closed,
        )
        self._saved_plan: bytes | None = None
        self._unsaved: tuple[bytes, int, datetime] | None = None  # a plan the disk refused
        self._stopping = threading.Event()
        self._rows_closed = threading.Event()
        self._beat_thread: threading.Thread | None = None

    # -- life --------------------------------------------------------------------------

    def start(self) -> None:
        if self._log_alarm is not None:
            logger.error(self._log_alarm, extra={"event": "playlog_damaged"})
            self.uplink.event("playlog_damaged", self._log_alarm)
        self._load_saved_plan()
        self.player.start()
        self.downloader.start()
        self._beat_thread = threading.Thread(target=self._beat, name="receiver-beat", daemon=True)
        self._beat_thread.start()
        self.link.start(self.handle, self._connected)
        logger.info(
            "cụm loa %s (phường %s, khu vực %s) đã chạy",
            self.settings.cluster,
            self.settings.ward,
            self.settings.zone,
            extra={"event": "receiver_started"},
        )

    def stop(self) -> None:
        """Fade out what plays, close its rows, send them, say "offline", disconnect."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        self.player.stop()
        self.downloader.stop()
        self._rows_closed.set()
        if self._beat_thread is not None:
            self._beat_thread.join()
        self.uplink.send_rows()
        if self.link.connected:
            status = topic(self.settings.ward, self.settings.cluster, messages.STATUS)
            self.link.publish(status, offline_payload(self.settings.cluster), retain=True)
        self.link.stop()
        self.log.close()
        self.store.close()
        logger.info("cụm loa đã dừng", extra={"event": "receiver_stopped"})

    # -- down messages -----------------------------------------------------------------

    def handle(self, topic_name: str, payload: bytes) -> None:
        """One down message from the broker: checked, then acted on or refused."""
        pushed = parse_audio(topic_name)
        if pushed is not None and pushed[0] == self.settings.ward:
            self._pushed_audio(topic_name, pushed[1], payload)
            return
        where = parse(topic_name)
        if where is None or where[:2] != (self.settings.ward, self.settings.cluster):
            self.uplink.refused(
                "wrong_cluster", f"tin nhắn trên kênh lạ {topic_name}", topic_name, None
            )
            return
        kind = where[2]
        if not payload:
            return  # a retained message cleared (the station removed this cluster): nothing new
        if kind == PLAN and payload == self._saved_plan:
            return  # the retained plan, sent again on reconnection: already playing
        if kind != PLAN and self.store.accepted_digest(kind) == _digest(payload):
            # QoS 1 is at least once: after a broker restart the last message may come again
            logger.debug(
                "tin nhắn %s nhận lại lần nữa, bỏ qua", kind, extra={"event": "repeat_dropped"}
            )
            return
        last_seq = self.store.last_seq(kind)
        if kind == PLAN and self._saved_plan is None:
            # No plan in use (the one kept was refused at start, an edited file): the station's
            # retained plan of that same seq is welcome again.
            last_seq -= 1
        try:
            body = self._checked(payload, kind, last_seq)
            self._act(kind, payload, body)
        except Refused as refused:
            self.uplink.refused(refused.code, refused.message, topic_name, _seq_of(payload))

    def _pushed_audio(self, topic_name: str, sha256: str, payload: bytes) -> None:
        """A file the station pushed for a bulletin about to come: held until its ``now``."""
        if not payload or self.cache.has(sha256):
            return
        if not self.downloader.pushed.offer(sha256, payload):
            message = "âm thanh đài gửi qua MQTT không đúng mã băm trên kênh, đã bỏ"
            self.uplink.refused(BAD_AUDIO, message, topic_name, None)

    def _checked(self, payload: bytes, kind: str, last_seq: int) -> dict[str, Any]:
        now = self.clock.now()
        body = messages.check(
            payload,
            keys=self.settings.station_keys,
            ward=self.settings.ward,
            cluster=self.settings.cluster,
            kind=kind,
            last_seq=last_seq,
            now=now,
        )
        if kind != PLAN:  # sent as it is signed (a plan is retained: issued hours ago)
            issued = datetime.fromisoformat(body["issued"])
            self.uplink.station_offset = round((now - issued).total_seconds(), 3)
        return body

    def _act(self, kind: str, payload: bytes, body: dict[str, Any]) -> None:
        seq = int(body["seq"])
        if kind == PLAN:
            entries = _entries(body)
            self._unsaved = (payload, seq, self.clock.now())
            self._save_plan()
            self._use_plan(payload, body, entries, self.clock.now())
        elif kind == NOW:
            self.store.accept(NOW, seq, _digest(payload))
            threading.Thread(target=self._bulletin, args=(body,), daemon=True).start()
        elif kind == STOP:
            self.store.accept(STOP, seq, _digest(payload))
            by, bulletin = body.get("by"), body.get("bulletin")
            logger.info("đài yêu cầu dừng phát", extra={"event": "stop_requested"})
            self.player.stop_playing(
                by if isinstance(by, str) else None, bulletin if isinstance(bulletin, str) else None
            )
        elif kind == ACK:
            rows = acked_rows(body)
            self.store.accept(ACK, seq, _digest(payload), acked=rows)
            self.uplink.acknowledged(rows)

    def _save_plan(self) -> None:
        """Keep the plan on disk; a full disk plays it from memory and tries again at every
        heartbeat (a restart before then would not have it)."""
        if self._unsaved is None:
            return
        try:
            self.store.save_plan(*self._unsaved)
        except (OSError, sqlite3.Error) as exc:
            self.uplink.problem(DISK_FULL, f"đĩa đầy, không lưu được lịch phát ({exc})")
            return
        self._unsaved = None

    def _use_plan(
        self,
        payload: bytes,
        body: dict[str, Any],
        entries: list[PlanEntry],
        known_since: datetime | None,
    ) -> None:
        self._saved_plan = payload
        zone, seq = body.get("zone"), int(body["seq"])
        self.player.set_plan(entries, known_since, zone if isinstance(zone, str) else None)
        now = self.clock.now()
        coming = sorted(
            (e for e in entries if e.start + timedelta(seconds=e.seconds) > now),
            key=lambda e: e.start,
        )
        self.downloader.want([e.audio for e in coming])
        self.store.forget_handled(now - FORGET_HANDLED_AFTER)
        logger.info(
            "dùng lịch phát số %d: %d mục sắp phát",
            seq,
            len(coming),
            extra={"event": "plan_accepted", "seq": seq},
        )

    def _load_saved_plan(self) -> None:
        """The plan kept on disk, checked again: an edited or stale file is refused."""
        data = self.store.saved_plan()
        if data is None:
            return
        try:
            body = self._checked(data, PLAN, self.store.last_seq(PLAN) - 1)
            entries = _entries(body)
        except Refused as refused:
            message = f"lịch phát lưu trên máy bị từ chối: {refused.message}"
            self.uplink.refused(refused.code, message, SAVED_PLAN, _seq_of(data))
            return
        self.store.accept(PLAN, int(body["seq"]))
        self._use_plan(data, body, entries, self.store.plan_accepted_at())

    def _bulletin(self, body: dict[str, Any]) -> None:
        """Fetch a ``now`` bulletin's audio (and chime), then hand it to the player (at once, or
        at the next gap for a ``priority`` one)."""
        issued = datetime.fromisoformat(body["issued"])
        try:
            now = NowBody.from_json(body)
        except ValueError:
            bulletin_id, title = str(body.get("bulletin") or body["seq"]), "bản tin khẩn"
            self._bulletin_failed(bulletin_id, title, issued, "tin nhắn thiếu âm thanh")
            return
        # tried again until the message expires: a first fetch may meet a busy station
        expires = datetime.fromisoformat(body["expires"])
        try:
            for ref in (now.audio, now.chime):
                if ref is not None:
                    left = (expires - self.clock.now()).total_seconds()
                    self.downloader.fetch_now(ref, seconds=left)
        except FetchProblem as exc:
            self._bulletin_failed(now.bulletin, now.title, issued, exc.message)
            return
        audio = self.cache.load(now.audio.sha256)
        chime = self.cache.load(now.chime.sha256) if now.chime else None
        if audio is None:
            self._bulletin_failed(now.bulletin, now.title, issued, "tệp âm thanh của bản tin hỏng")
            return
        self.player.play_now(
            NowBulletin(
                now.bulletin, now.title, issued, audio, now.audio.sha256, chime, now.priority
            )
        )

    def _bulletin_failed(self, bulletin_id: str, title: str, issued: datetime, why: str) -> None:
        airing = Airing(self.player.zone, issued, title, bulletin_id=bulletin_id)
        row = self.log.record_missed(
            airing, Reason.AUDIO_MISSING, error=why, outcome=Outcome.FAILED
        )
        self._row_closed(row)
        self.uplink.event("bulletin_failed", f"không phát được bản tin {bulletin_id}: {why}")

    # -- up messages -------------------------------------------------------------------

    def _row_closed(self, _attempt_id: int) -> None:
        self._rows_closed.set()

    def _connected(self) -> None:
        self._beat_now()
        self.uplink.send_rows(again=True)

    def _beat_now(self) -> None:
        upcoming = self.player.next_entry()
        health = self.sink.health([self.speakers])
        self.uplink.heartbeat(
            plan_seq=self.store.last_seq(PLAN),
            playing=self.player.playing(),
            next_entry=None
            if upcoming is None
            else {"id": upcoming.id, "start": upcoming.start.isoformat(), "item": upcoming.item},
            device=health[0] if health else None,
        )

    def _beat(self) -> None:
        """Heartbeats every ``heartbeat_seconds``; closed rows sent as soon as they close."""
        next_beat = time.monotonic()
        while not self._stopping.is_set():
            if time.monotonic() >= next_beat:
                next_beat = time.monotonic() + self.settings.heartbeat_seconds
                self._quietly(self._save_plan)
                self._quietly(self._beat_now)
                self._quietly(self.log.catch_up)
            self._quietly(self.uplink.send_rows)
            self._rows_closed.wait(max(0.0, next_beat - time.monotonic()))
            self._rows_closed.clear()

    @staticmethod
    def _quietly(action: Callable[[], object]) -> None:
        try:
            action()
        except Exception:  # the next beat tries again; the air never waits for the uplink
            logger.exception("lỗi khi gửi trạng thái", extra={"event": "uplink_failed"})


def _entries(body: dict[str, Any]) -> list[PlanEntry]:
    try:
        return plan_entries(body)
    except ValueError as exc:
        raise Refused("malformed", f"lịch phát có mục không đọc được ({exc})") from exc


def _digest(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def _seq_of(payload: bytes) -> object:
    """The ``seq`` a refused message claims, for the report (``None`` if unreadable)."""
    try:
        return json.loads(payload)["payload"]["seq"]
    except (ValueError, TypeError, KeyError):
        return None
