"""Urgent bulletins handed to the running daemon: turned into sound, then put on the air.

Text goes through the same pipeline as scripts (normalize, engine, loudness), with the
offline engines only: an emergency must start within seconds, not wait for a network. An
emergency fades out whatever plays on its zones (only there), airs, and lets the programs take
up where they were cut; a priority bulletin airs at the next gap between items, or at once
where its zones are idle.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from broadcast.audio.batch import render_text
from broadcast.audio.wavfile import SAMPLE_RATE, read_wav
from broadcast.config.model import SegmentKind
from broadcast.config.tts import TtsSettings
from broadcast.control import Announcement, CancelRequest
from broadcast.control.announce import within_length
from broadcast.daemon.air import Bulletin, Channel, Rank
from broadcast.daemon.attempts import segment_airing
from broadcast.daemon.bulletin_play import play_bulletin, record_bulletin_not_aired
from broadcast.daemon.context import AirContext
from broadcast.daemon.ip_zones import ip_zone_ids
from broadcast.daemon.segment_audio import (
    AudioUnavailable,
    SegmentAudio,
    in_own_process,
    levelled,
)
from broadcast.daemon.technician import who
from broadcast.diagnostics import Diagnostic, InputError
from broadcast.paths import ProjectPaths
from broadcast.playlog import COMPLETED_OUTCOMES, BulletinRecord, Reason
from broadcast.schedule import PlannedSegment
from broadcast.scripts import announcement_file, read_wording
from broadcast.scripts.model import Priority
from broadcast.scripts.reader import RECORDING_SUFFIXES

logger = logging.getLogger("broadcast.daemon")
GAP_AFTER_CHIME_SECONDS = 0.5
_CHIME = PlannedSegment(SegmentKind.CHIME, 0, 0, ())  # one sound for every zone
# A bulletin a stop or a crash kept off the air is aired after a restart within this time.
BULLETIN_VALID = timedelta(minutes=30)
TITLE_WORDS = 12


@dataclass(frozen=True)
class Cancelled:
    """A cancelled bulletin: the zones it was taken off the wired air on, and the IP zones
    whose clusters are to drop it (a signed ``stop`` naming it: ``IpStation.stop_playing``)."""

    id: str
    zones: tuple[str, ...]
    ip_zones: tuple[str, ...] = ()


def _short_title(text: str) -> str:
    words = text.split()
    return " ".join(words[:TITLE_WORDS]) + (" …" if len(words) > TITLE_WORDS else "")


class Announcer:
    def __init__(self, paths: ProjectPaths):
        self._paths = paths
        # Where a bulletin's IP zones go (``IpStation.announce``: a signed "now" to their
        # clusters); their sound never goes through the daemon's sink.
        self.ip_out: Callable[[Bulletin, tuple[str, ...]], object] | None = None
        # Bulletins handed to the air and not yet done, by id: their zones and done flag, for
        # what ``cancel`` tells (not their audio, which is freed once aired).
        self._live: dict[str, tuple[tuple[str, ...], threading.Event]] = {}
        # Bulletins sent to IP clusters, by id: their IP zones and when (a cluster may hold a
        # priority bulletin until a gap: ``cancel`` tells it to drop it).
        self._on_clusters: dict[str, tuple[tuple[str, ...], datetime]] = {}
        self._threads: list[threading.Thread] = []

    def bulletin(
        self, context: AirContext, request: Announcement, sent: BulletinRecord | None = None
    ) -> Bulletin:
        """Sound for the request (chime first), at broadcast loudness; ``InputError`` if the
        text or file cannot be made into sound. ``sent``: the same bulletin as the log keeps
        it, sent before a restart (its id and time are kept: still one broadcast)."""
        settings = context.config.tts
        zones = context.config.expand_zones(request.zones)
        if request.file is not None and request.file.suffix.lower() in RECORDING_SUFFIXES:
            title = request.file.stem
            speech = self._recording(announcement_file(request.file), settings)
        else:
            if request.file is not None:
                heading, body = read_wording(request.file, str(request.file))
                text = within_length(f"{heading}\n\n{body}".strip(), str(request.file))
                title = heading
            else:
                text = request.text or ""
                title = _short_title(text)
            speech = self._spoken(text, settings)
        if settings.chime is None:  # rendered speech carries the chime when one is configured
            chime = context.audio.for_segment(_CHIME)
            gap = np.zeros(int(GAP_AFTER_CHIME_SECONDS * SAMPLE_RATE), dtype=np.float32)
            speech = np.concatenate([chime.samples.astype(np.float32), gap, speech])
        if sent is not None:
            return Bulletin(sent.id, zones, request.priority, title, speech, sent.requested_at)
        stamp = context.clock.now()
        kind = "khan-cap" if request.priority is Priority.EMERGENCY else "uu-tien"
        bulletin_id = f"{kind}-{stamp:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
        return Bulletin(bulletin_id, zones, request.priority, title, speech, stamp)

    @staticmethod
    def prepare(context: AirContext) -> None:
        """Level the chime a bulletin starts with before the first one is sent: an emergency
        then never waits for it (it is levelled in a process of its own, seconds to start)."""
        if context.config.tts.chime is None:
            try:
                context.audio.for_segment(_CHIME)
            except AudioUnavailable as exc:  # the first bulletin says so, with its request
                logger.warning(
                    "chưa chuẩn bị được tiếng chuông: %s", exc.message, extra={"event": "chime"}
                )

    # Speech is made, and a recording levelled, in a process of its own, as the chime is: the
    # loudness stage needs scipy and pyloudnorm (~70 MB), which would otherwise stay in the
    # daemon after its first bulletin (bench/idle.py). It costs about a second per bulletin, most
    # of it importing scipy.signal (bench/bulletin.py).
    def _spoken(self, text: str, settings: TtsSettings) -> np.ndarray:
        result = in_own_process(render_text, self._paths, settings.offline(), text)
        if result.entry is None:
            raise InputError(
                [Diagnostic("announce", None, None, "tts_failed", "; ".join(result.problems))]
            )
        return read_wav(result.entry.path)

    def _recording(self, file: Path, settings: TtsSettings) -> np.ndarray:
        loudness = settings.loudness
        samples = in_own_process(levelled, file, loudness.target_lufs, loudness.true_peak_dbtp)
        if isinstance(samples, str):
            raise InputError([Diagnostic(str(file), None, None, "bad_audio", samples)])
        return samples

    def air(self, context: AirContext, bulletin: Bulletin, request: Announcement) -> None:
        """Put ``bulletin`` on the air (in the background); returns at once. The log keeps the
        announcement as sent first: one broadcast, whatever its zones."""
        context.log.record_bulletin(
            BulletinRecord(
                id=bulletin.id,
                priority=bulletin.priority.value,
                requested_at=bulletin.received_at,
                zones=bulletin.zones,
                title=bulletin.title,
                sender=request.sender,
                text=request.text,
                file=str(request.file) if request.file is not None else None,
                request_id=request.request_id,
                origin=request.origin,
            )
        )
        self._put_on_air(context, bulletin)

    def air_unaired_after_restart(self, context: AirContext) -> list[str]:
        """Bulletins sent less than ``BULLETIN_VALID`` ago that a stop or a crash kept off some
        of their zones: aired there now (made again from their text or file). A zone where a
        technician skipped, stopped or cancelled it is not aired again. Returns their ids."""
        now = context.clock.now()
        sent = context.log.bulletins(since=now - BULLETIN_VALID)
        if not sent:
            return []
        rows = context.log.attempts(since=sent[0].requested_at)
        aired = []
        for record in sent:
            done = {
                row.airing.zone
                for row in rows
                if row.airing.bulletin_id == record.id
                and (row.outcome in COMPLETED_OUTCOMES or Reason.by_technician(row.reason))
            }
            # IP zones are not sent again: their clusters had the bulletin, or it is old news
            ip_zones = ip_zone_ids(context.config)
            zones = tuple(z for z in record.zones if z not in done and z not in ip_zones)
            if not zones:
                continue
            request = Announcement(
                zones=zones,
                priority=Priority(record.priority),
                text=record.text,
                file=Path(record.file) if record.file else None,
                sender=record.sender,
                origin=record.origin,
            )
            try:
                bulletin = self.bulletin(context, request, sent=record)
            except InputError as exc:
                logger.error(
                    "không phát lại được bản tin %s: %s",
                    record.id,
                    "; ".join(d.message for d in exc.diagnostics),
                    extra={"event": "bulletin_not_restored", "bulletin": record.id},
                )
                continue
            logger.warning(
                "phát bản tin %s (chưa phát xong trước khi khởi động lại) trên %s",
                record.id,
                ", ".join(zones),
                extra={"event": "bulletin_restored", "bulletin": record.id},
            )
            self._put_on_air(context, bulletin)
            aired.append(record.id)
        return aired

    def _put_on_air(self, context: AirContext, bulletin: Bulletin) -> None:
        wired = self._to_clusters(context, bulletin)
        if wired is None:
            return
        bulletin = wired
        self._live = {key: live for key, live in self._live.items() if not live[1].is_set()}
        self._live[bulletin.id] = (bulletin.zones, bulletin.done)
        if bulletin.priority is Priority.EMERGENCY:
            self._in_background(self._air_emergency, context, bulletin)
            return
        channel = context.air.admit_priority(bulletin)
        if channel is None:
            logger.info(
                "bản tin ưu tiên %s chờ khu vực rảnh (hết mục đang phát)",
                bulletin.id,
                extra={"event": "bulletin_queued", "bulletin": bulletin.id},
            )
            return
        self._in_background(self._air_on, context, bulletin, channel)

    def _to_clusters(self, context: AirContext, bulletin: Bulletin) -> Bulletin | None:
        """The bulletin's IP zones handed to their clusters; what is left for the daemon's
        sink (``None``: nothing, the bulletin is done here)."""
        ip_zones = tuple(zone for zone in bulletin.zones if zone in ip_zone_ids(context.config))
        if not ip_zones:
            return bulletin
        if self.ip_out is None:
            logger.error(
                "bản tin %s không tới được cụm loa IP (%s): phần cụm loa IP không chạy",
                bulletin.id,
                ", ".join(ip_zones),
                extra={"event": "bulletin_no_clusters", "bulletin": bulletin.id},
            )
        else:
            self.ip_out(bulletin, ip_zones)
            if bulletin.priority is not Priority.EMERGENCY:  # what ``cancel`` may take back
                now = context.clock.now()
                self._on_clusters = {
                    key: sent
                    for key, sent in self._on_clusters.items()
                    if now - sent[1] < BULLETIN_VALID
                }
                self._on_clusters[bulletin.id] = (ip_zones, now)
        wired = tuple(zone for zone in bulletin.zones if zone not in ip_zones)
        if not wired:
            bulletin.done.set()
            return None
        return replace(bulletin, zones=wired)

    def air_freed(self, context: AirContext, freed: list[tuple[Bulletin, Channel]]) -> None:
        """Waiting bulletins whose zones just became free, each on a channel holding them."""
        for bulletin, channel in freed:
            self._in_background(self._air_on, context, bulletin, channel)

    @staticmethod
    def not_aired_at_stop(context: AirContext, waiting: list[Bulletin]) -> None:
        """Bulletins still waiting when the daemon stops: a row per zone, never a silent loss."""
        for bulletin in waiting:
            record_bulletin_not_aired(context, bulletin, bulletin.zones, Reason.STOPPED)

    def cancel(self, context: AirContext, request: CancelRequest) -> Cancelled:
        """Take a queued priority bulletin off the air before it starts: one ``missed`` row
        per wired zone, ``cancelled_by:<who>``; its IP zones are named in the answer, their
        clusters to drop it (each writes its own row). ``InputError`` when it is neither
        waiting here nor sent to clusters lately (airing, done, or unknown), saying which."""
        ip_zones = self._sent_to_clusters(context, request.bulletin_id)
        bulletin = context.air.cancel_queued(request.bulletin_id)
        if bulletin is None:
            _zones, done = self._live.get(request.bulletin_id, ((), None))
            on_air = done is not None and not done.is_set()  # here: a skip cuts it everywhere
            if on_air or not ip_zones:
                raise InputError([self._not_queued(context, request.bulletin_id)])
            self._on_clusters.pop(request.bulletin_id, None)
            self._log_cancelled(request, ip_zones)
            return Cancelled(request.bulletin_id, (), ip_zones)
        self._on_clusters.pop(request.bulletin_id, None)
        reason = Reason.asked_by(Reason.CANCELLED_BY, request.sender)
        audio = SegmentAudio(bulletin.audio)
        for zone in bulletin.zones:
            airing = segment_airing(context, None, None, zone, audio, bulletin)
            context.log.record_missed(airing, reason)
        self._log_cancelled(request, bulletin.zones + ip_zones)
        return Cancelled(bulletin.id, bulletin.zones, ip_zones)

    def _sent_to_clusters(self, context: AirContext, bulletin_id: str) -> tuple[str, ...]:
        """The IP zones ``bulletin_id`` was sent to lately (none: not sent, or too long ago)."""
        zones, at = self._on_clusters.get(bulletin_id, ((), None))
        if at is None or context.clock.now() - at >= BULLETIN_VALID:
            return ()
        return zones

    @staticmethod
    def _log_cancelled(request: CancelRequest, zones: tuple[str, ...]) -> None:
        logger.warning(
            "%s hủy bản tin ưu tiên %s trên %s trước khi phát",
            who(request.sender),
            request.bulletin_id,
            ", ".join(zones),
            extra={"event": "bulletin_cancelled", "bulletin": request.bulletin_id},
        )

    def _not_queued(self, context: AirContext, bulletin_id: str) -> Diagnostic:
        zones, done = self._live.get(bulletin_id, ((), None))
        if done is not None and not done.is_set():
            return Diagnostic(
                "cancel",
                None,
                None,
                "bulletin_airing",
                f"bản tin {bulletin_id} đang phát, không còn chờ; muốn dừng thì dùng: "
                f"broadcast skip --zones {','.join(zones)}",
            )
        waiting = ", ".join(b.id for b in context.air.queued()) or "không có"
        return Diagnostic(
            "cancel",
            None,
            None,
            "bulletin_not_queued",
            f"không có bản tin {bulletin_id} đang chờ phát (đã phát xong, hoặc sai mã); "
            f"các bản tin đang chờ: {waiting}",
        )

    def _air_emergency(self, context: AirContext, bulletin: Bulletin) -> None:
        air = context.air
        cut = air.claim_for_emergency(bulletin)
        logger.warning(
            "bản tin khẩn cấp %s trên %s; ngắt %d chương trình",
            bulletin.id,
            ", ".join(bulletin.zones),
            len(cut),
            extra={"event": "emergency_started", "bulletin": bulletin.id},
        )
        try:
            if not air.wait_turn(bulletin):  # stopping while an earlier emergency aired
                record_bulletin_not_aired(context, bulletin, bulletin.zones, Reason.STOPPED)
                return
            air.wait_silent(cut, bulletin, context.clock.now)
            self._air_on(context, bulletin, air.open_channel(bulletin.zones, Rank.EMERGENCY))
        finally:
            air.release_emergency(bulletin)

    def _in_background(
        self, target: Callable[..., None], context: AirContext, bulletin: Bulletin, *rest: object
    ) -> None:
        thread = threading.Thread(
            target=target,
            args=(context, bulletin, *rest),
            name=f"bulletin-{bulletin.id}",
            daemon=True,
        )
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def join(self, timeout: float) -> None:
        """Wait (at most ``timeout`` in all) for the bulletins on the air to end and be logged."""
        deadline = time.monotonic() + timeout
        for thread in list(self._threads):
            thread.join(max(0.0, deadline - time.monotonic()))

    @staticmethod
    def _air_on(context: AirContext, bulletin: Bulletin, channel: Channel) -> None:
        try:
            play_bulletin(context, bulletin, channel)
        finally:
            context.air.close_channel(channel)
        logger.info("đã phát bản tin %s", bulletin.id, extra={"event": "bulletin_aired"})
