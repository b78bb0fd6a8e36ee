"""What a zone's IP clusters are to play: the plan's segments for that zone, as ``PlanEntry``s.

Each segment of a planned item that reaches the zone is one entry: its instant (the item's
start plus the segment's offset), its audio by hash and size, and the play-log row's fields the
daemon would write for it (``attempts.segment_airing``, with the approval it airs under), so the
receiver's rows read like the station's own. The audio is what the daemon would play: a
script's rendered WAV as it is (served from the audio cache), a chime, intro, outro or media
file levelled as for the sound card and written once as a WAV named by its hash
(``ClusterAudio``). A segment with no audio yet is left out until a later pass finds it (the
daemon plans again after every render).

In a rehearsal (``context.excerpt_seconds``) each segment is cut to the excerpt the wired zones
play, written as a WAV of its own, and the segments start where the runner plays the cut ones
(``lanes.starts``): the cluster plays the rehearsal at the same seconds as the wired zones.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from broadcast.audio.wavfile import write_wav
from broadcast.clusters.messages import AudioRef, PlanEntry
from broadcast.config.model import SegmentKind
from broadcast.daemon.approval_check import check_at_air
from broadcast.daemon.attempts import LOGGED_KINDS, segment_airing
from broadcast.daemon.context import AirContext
from broadcast.daemon.rehearsal import excerpt
from broadcast.daemon.segment_audio import AudioUnavailable, SegmentAudio
from broadcast.playlog import Reason
from broadcast.playlog.remote import airing_to_json
from broadcast.schedule import PlanItem, PlannedSegment
from broadcast.schedule.lanes import starts

logger = logging.getLogger("broadcast.daemon")

WINDOW = timedelta(hours=48)  # what a cluster holds ahead (``messages.PLAN_LIFETIME``)


class ClusterAudio:
    """The files the clusters may fetch, by sha256: rendered scripts where they are, and
    sounds made here (levelled chime and media, bulletins) in ``folder``, named by hash."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._files: dict[str, Path] = {}  # every file handed out since the start
        self._made: dict[str, AudioRef] = {}  # digest of samples → the WAV written for them
        self._lock = threading.Lock()

    def file(self, sha256: str) -> Path | None:
        with self._lock:
            return self._files.get(sha256)

    def rendered(self, path: Path, sha256: str) -> AudioRef:
        """A rendered WAV (the manifest's hash is the file's sha256), served where it is."""
        with self._lock:
            self._files[sha256] = path
        return AudioRef(sha256, path.stat().st_size)

    def samples(self, samples: np.ndarray) -> AudioRef:
        """Float samples (mono, 48 kHz) as a 16-bit WAV, written once per sound."""
        digest = hashlib.sha256(np.ascontiguousarray(samples, dtype=np.float32).data).hexdigest()
        with self._lock:
            known = self._made.get(digest)
        if known is not None:
            return known
        self.folder.mkdir(parents=True, exist_ok=True)
        incoming = self.folder / f".incoming-{uuid.uuid4().hex}.wav"
        sha256 = write_wav(incoming, samples)
        path = self.folder / f"{sha256}.wav"
        incoming.replace(path)  # the same sound twice: the same name, the same bytes
        ref = AudioRef(sha256, path.stat().st_size)
        with self._lock:
            self._made[digest] = ref
            self._files[sha256] = path
        return ref


@dataclass(frozen=True)
class LeftOut:
    """A logged segment a zone's clusters are not sent, and why (the reason and text the
    wired zone's row would have)."""

    id: str  # the entry's id it would have had (``PlanEntry.id``)
    item: PlanItem
    index: int
    zone: str
    start: datetime
    reason: str  # a ``Reason`` code
    why: str  # Vietnamese

    @property
    def segment(self) -> PlannedSegment:
        return self.item.segments[self.index]


class _NotSent(Exception):
    def __init__(self, reason: str, why: str):
        self.reason, self.why = reason, why
        super().__init__(why)


@dataclass(frozen=True)
class _Sound:
    ref: AudioRef
    audio: SegmentAudio  # what the daemon would play: the row's length, hash, voice


def _sound(context: AirContext, segment: PlannedSegment, audio_files: ClusterAudio) -> _Sound:
    """``AudioUnavailable`` when the segment has no audio (yet)."""
    if segment.kind is SegmentKind.SCRIPT:
        script_id = segment.script_id or ""
        audio = context.audio.rendered(script_id)
        entry = context.audio.manifest.entry(script_id)
        if entry is None or audio.audio_hash is None:  # rendered() found one: never
            raise AudioUnavailable("audio_missing", script_id)
        if context.excerpt_seconds is None:
            return _Sound(audio_files.rendered(entry.path, audio.audio_hash), audio)
    else:
        audio = context.audio.for_segment(segment)
    # a rehearsal's excerpt keeps the rendered audio's hash: its row names what it was cut from
    audio = excerpt(audio, context.excerpt_seconds)
    return _Sound(audio_files.samples(_as_float(audio.samples)), audio)


def _as_float(samples: np.ndarray) -> np.ndarray:
    """Rendered files are read as int16 (played bit-exactly); ``ClusterAudio`` takes floats."""
    if samples.dtype == np.int16:
        return samples.astype(np.float32) / 32768.0
    return samples


@dataclass(frozen=True)
class _Cut:
    """A segment as a rehearsal plays it: cut to the excerpt (``lanes.Timed``)."""

    zones: tuple[str, ...]
    seconds: float


def _offsets(item: PlanItem, excerpt_seconds: float | None) -> list[float]:
    """When each segment starts, from the item's start: as planned, or in a rehearsal where the
    runner plays the segments cut to the excerpt (by the same rule, ``lanes.starts``)."""
    if excerpt_seconds is None:
        return [segment.offset_seconds for segment in item.segments]
    cuts = [_Cut(s.zones, min(s.duration_seconds, excerpt_seconds)) for s in item.segments]
    return starts(cuts, item.zones)


def zone_entries(
    context: AirContext,
    items: Iterable[PlanItem],
    zone: str,
    since: datetime,
    until: datetime,
    audio_files: ClusterAudio,
    left_out: list[LeftOut] | None = None,
) -> list[PlanEntry]:
    """The entries of ``zone`` heard in ``[since, until)``, earliest first: segments still
    playing at ``since`` included (a cluster that gets its plan late joins them at its
    place), segments starting at ``until`` or later left for a later plan. The logged
    segments left out, starting after ``since``, are added to ``left_out``."""
    entries = []
    for item in items:
        if zone not in item.zones or item.start >= until or item.end <= since:
            continue
        offsets = _offsets(item, context.excerpt_seconds)
        for index, segment in enumerate(item.segments):
            start = item.start + timedelta(seconds=offsets[index])
            if zone not in segment.zones or start >= until:
                continue
            try:
                entry = _entry(context, item, index, segment, zone, start, audio_files)
            except _NotSent as exc:
                if left_out is not None and segment.kind in LOGGED_KINDS and start > since:
                    entry_id = _entry_id(item, index)
                    left_out.append(
                        LeftOut(entry_id, item, index, zone, start, exc.reason, exc.why)
                    )
                continue
            if entry is not None and entry.start + timedelta(seconds=entry.seconds) > since:
                entries.append(entry)
    return sorted(entries, key=lambda e: (e.start, e.id))


def _entry(
    context: AirContext,
    item: PlanItem,
    index: int,
    segment: PlannedSegment,
    zone: str,
    start: datetime,
    audio_files: ClusterAudio,
) -> PlanEntry | None:
    """The segment's entry; ``None`` when it has nothing to play; ``_NotSent`` when it is
    left out for now."""
    approval_id = None
    if segment.kind is SegmentKind.SCRIPT and segment.script_id is not None:
        approval = check_at_air(context, segment.script_id)
        if approval.refused is not None:  # edited or revoked since: not sent
            raise _NotSent(approval.refused, approval.why or approval.refused)
        approval_id = approval.approval_id
    try:
        sound = _sound(context, segment, audio_files)
    except (AudioUnavailable, OSError) as exc:
        logger.info(
            "%s: chưa gửi đoạn %d cho cụm loa (%s)",
            item.id,
            index,
            getattr(exc, "message", exc),
            extra={"event": "cluster_entry_without_audio", "item": item.id},
        )
        if isinstance(exc, AudioUnavailable):
            raise _NotSent(exc.reason, exc.message) from exc
        raise _NotSent(Reason.AUDIO_MISSING, str(exc)) from exc
    if sound.audio.seconds <= 0:
        return None
    airing = None
    if segment.kind in LOGGED_KINDS:
        made = segment_airing(context, item, segment, zone, sound.audio, approval_id=approval_id)
        airing = airing_to_json(made)
    return PlanEntry(
        id=_entry_id(item, index),
        item=item.id,
        start=start,
        seconds=round(sound.audio.seconds, 3),
        audio=sound.ref,
        airing=airing,
    )


def _entry_id(item: PlanItem, index: int) -> str:
    return f"{item.id}#{index}"
