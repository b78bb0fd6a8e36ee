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
from pathlib import Path

import numpy as np

from broadcast.audio.batch import render_text
from broadcast.audio.loudness import normalize
from broadcast.audio.wavfile import SAMPLE_RATE, read_wav
from broadcast.config.model import SegmentKind
from broadcast.config.tts import TtsSettings
from broadcast.control import Announcement, CancelRequest
from broadcast.daemon.air import Bulletin
from broadcast.daemon.attempts import segment_airing
from broadcast.daemon.context import AirContext
from broadcast.daemon.runner import play_announcement
from broadcast.daemon.segment_audio import SegmentAudio
from broadcast.daemon.technician import who
from broadcast.diagnostics import Diagnostic, InputError
from broadcast.media.ffmpeg import AudioDecodeError, decode
from broadcast.paths import ProjectPaths
from broadcast.playlog import BulletinRecord, Reason
from broadcast.schedule import PlannedSegment
from broadcast.scripts import read_wording
from broadcast.scripts.model import Priority
from broadcast.scripts.reader import RECORDING_SUFFIXES

logger = logging.getLogger("broadcast.daemon")
GAP_AFTER_CHIME_SECONDS = 0.5
TITLE_WORDS = 12


def _short_title(text: str) -> str:
    words = text.split()
    return " ".join(words[:TITLE_WORDS]) + (" …" if len(words) > TITLE_WORDS else "")


class Announcer:
    def __init__(self, paths: ProjectPaths):
        self._paths = paths
        # Bulletins handed to the air and not yet done, by id: their zones and done flag, for
        # what ``cancel`` tells (not their audio, which is freed once aired).
        self._live: dict[str, tuple[tuple[str, ...], threading.Event]] = {}

    def bulletin(self, context: AirContext, request: Announcement) -> Bulletin:
        """Sound for the request (chime first), at broadcast loudness; ``InputError`` if the
        text or file cannot be made into sound."""
        settings = context.config.tts
        zones = context.config.expand_zones(request.zones)
        if request.file is not None and request.file.suffix.lower() in RECORDING_SUFFIXES:
            title = request.file.stem
            speech = self._recording(request.file, settings)
        else:
            if request.file is not None:
                heading, body = read_wording(request.file, str(request.file))
                text, title = f"{heading}\n\n{body}".strip(), heading
            else:
                text = request.text or ""
                title = _short_title(text)
            speech = self._spoken(text, settings)
        if settings.chime is None:  # rendered speech carries the chime when one is configured
            chime = context.audio.for_segment(PlannedSegment(SegmentKind.CHIME, 0, 0, zones))
            gap = np.zeros(int(GAP_AFTER_CHIME_SECONDS * SAMPLE_RATE), dtype=np.float32)
            speech = np.concatenate([chime.samples.astype(np.float32), gap, speech])
        stamp = context.clock.now()
        kind = "khan-cap" if request.priority is Priority.EMERGENCY else "uu-tien"
        bulletin_id = f"{kind}-{stamp:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
        return Bulletin(bulletin_id, zones, request.priority, title, speech, stamp)

    def _spoken(self, text: str, settings: TtsSettings) -> np.ndarray:
        result = render_text(self._paths, settings.offline(), text)
        if result.entry is None:
            raise InputError(
                [Diagnostic("announce", None, None, "tts_failed", "; ".join(result.problems))]
            )
        return read_wav(result.entry.path)

    def _recording(self, file: Path, settings: TtsSettings) -> np.ndarray:
        try:
            raw = decode(file, SAMPLE_RATE)
        except AudioDecodeError as exc:
            raise InputError([Diagnostic(str(file), None, None, "bad_audio", str(exc))]) from exc
        loudness = settings.loudness
        return normalize(raw, SAMPLE_RATE, loudness.target_lufs, loudness.true_peak_dbtp).samples

    def air(self, context: AirContext, bulletin: Bulletin, request: Announcement) -> None:
        """Put ``bulletin`` on the air (in the background); returns at once. The log keeps the
        announcement as sent first: one broadcast, whatever its zones."""
        self._live = {key: live for key, live in self._live.items() if not live[1].is_set()}
        self._live[bulletin.id] = (bulletin.zones, bulletin.done)
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
            )
        )
        if bulletin.priority is Priority.EMERGENCY:
            target = self._air_emergency
        elif context.air.queue_priority(bulletin):
            logger.info(
                "bản tin ưu tiên %s chờ hết mục đang phát",
                bulletin.id,
                extra={"event": "bulletin_queued", "bulletin": bulletin.id},
            )
            return
        else:
            target = self._air_now
        threading.Thread(
            target=target, args=(context, bulletin), name=f"bulletin-{bulletin.id}", daemon=True
        ).start()

    def cancel(self, context: AirContext, request: CancelRequest) -> Bulletin:
        """Take a queued priority bulletin off the air before it starts: one ``missed`` row
        per zone, ``cancelled_by:<who>``. ``InputError`` when it is not waiting (airing, done,
        or unknown), saying which."""
        bulletin = context.air.cancel_queued(request.bulletin_id)
        if bulletin is None:
            raise InputError([self._not_queued(context, request.bulletin_id)])
        reason = Reason.asked_by(Reason.CANCELLED_BY, request.sender)
        audio = SegmentAudio(bulletin.audio)
        for zone in bulletin.zones:
            airing = segment_airing(context, None, None, zone, audio, bulletin)
            context.log.record_missed(airing, reason)
        logger.warning(
            "%s hủy bản tin ưu tiên %s trên %s trước khi phát",
            who(request.sender),
            bulletin.id,
            ", ".join(bulletin.zones),
            extra={"event": "bulletin_cancelled", "bulletin": bulletin.id},
        )
        return bulletin

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
        cut = context.air.claim_for_emergency(bulletin)
        logger.warning(
            "bản tin khẩn cấp %s trên %s; ngắt %d chương trình",
            bulletin.id,
            ", ".join(bulletin.zones),
            len(cut),
            extra={"event": "emergency_started", "bulletin": bulletin.id},
        )
        context.air.wait_silent(cut, bulletin.zones)
        try:
            self._air_now(context, bulletin)
        finally:
            context.air.release_emergency(bulletin)

    @staticmethod
    def _air_now(context: AirContext, bulletin: Bulletin) -> None:
        channel = context.air.open_channel(bulletin.zones)
        try:
            play_announcement(context, bulletin, channel)
        finally:
            context.air.close_channel(channel)
        logger.info("đã phát bản tin %s", bulletin.id, extra={"event": "bulletin_aired"})
