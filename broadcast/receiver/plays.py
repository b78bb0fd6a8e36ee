"""A sound the player has started, and the play-log row it closes once it ends.

As on the station, a row is opened before its sound (``start_attempt``) and closed after it:
played to the end, cut (faded out: the reason the player gave), or cut short by the device.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from broadcast.clusters.messages import PlanEntry
from broadcast.playlog import Airing, Outcome, PlayLog, Reason
from broadcast.playlog.remote import BadRow, airing_from_json
from broadcast.sinks.protocol import AudioSink, Playback, PlayStatus, ZoneSpeakers

logger = logging.getLogger("broadcast.receiver")

# How often a playing row notes how far it got: a power cut's row tells where the sound was to
# within this. Not every second: each note is a commit on the box's SD card, and at one slot's
# second 2,000 boxes' notes were most of the CPU the bench's receivers had (bench/clusters.py).
PROGRESS_SECONDS = 5.0
POLL_SECONDS = 0.05  # a sound past its length or fading out: how soon its end is noticed
# A sound is looked at this often before its length is up: progress notes, and an early end
# (the device lost) closes its row this soon. Not every POLL_SECONDS: 20 turns a second of
# every box's player, at one slot's second, were most of the CPU of 2,000 receivers in one
# machine (bench/clusters.py). A request (a bulletin, a stop) wakes the player at once.
LOOK_SECONDS = 1.0
SHORT_TOLERANCE_SECONDS = 0.05  # a sink's frame count and the audio's length may differ
SHORT_DELIVERY = "âm thanh tới thiết bị thiếu so với bài"


@dataclass
class Play:
    playback: Playback
    at: float  # time.monotonic() of its first sample
    seconds: float
    attempt_id: int | None  # None: a sound the log does not keep (a chime)
    item: str | None = None
    bulletin: str | None = None
    title: str = ""
    cut: tuple[Outcome, str] | None = None  # why it was faded out
    last_progress: float = 0.0
    late: bool = False  # an entry held back by a priority bulletin, started after it


def next_look(play: Play, moment: float) -> float:
    """Seconds until the player must look at ``play`` again (``moment``: time.monotonic())."""
    end = play.at + play.seconds
    if play.cut is not None or moment >= end:
        return POLL_SECONDS
    return max(0.0, min(end - moment, LOOK_SECONDS))


def airing_from(entry: PlanEntry, zone: str) -> Airing | None:
    """The row's fields as the station sent them (``None``: a sound not logged); a field
    missing or unreadable is taken from the entry itself."""
    if entry.airing is None:
        return None
    given = {k: v for k, v in entry.airing.items() if v is not None}
    fields = {
        "zone": zone,
        "title": entry.item,
        "scheduled_at": entry.start.isoformat(),
        "planned_seconds": entry.seconds,
        "audio_hash": entry.audio.sha256,
        **given,
    }
    try:
        return airing_from_json(fields)
    except BadRow:
        logger.warning("mục %s: thông tin nhật ký không đọc được", entry.id)
        return Airing(zone, entry.start, entry.item, audio_hash=entry.audio.sha256)


def open_row(
    log: PlayLog, sink: AudioSink, speakers: ZoneSpeakers, airing: Airing, started: datetime
) -> int:
    """The row of a sound about to start (before it: a power cut leaves it open)."""
    health = sink.health([speakers])
    output = health[0].outlet if health else None
    to_file = bool(health and health[0].to_file)
    return log.start_attempt(airing, started, output=output, to_file=to_file)


def note_progress(play: Play, log: PlayLog, now: datetime) -> None:
    """How far a playing sound got, noted every ``PROGRESS_SECONDS`` (a crash still tells)."""
    moment = time.monotonic()
    if play.attempt_id is None or moment < play.at:
        return
    if moment - max(play.last_progress, play.at) >= PROGRESS_SECONDS:
        play.last_progress = moment
        aired = min(moment - play.at, play.seconds)
        log.progress(play.attempt_id, round(aired, 3), now)


def close_row(
    play: Play, log: PlayLog, zone: str, ended_at: datetime, on_closed: Callable[[int], None]
) -> None:
    """Close ``play``'s row (if it has one) from what its playback did on ``zone``."""
    if play.attempt_id is None:
        return
    result = play.playback.wait(0)
    outlet = result.for_zone(zone)
    aired = round(min(outlet.aired_seconds, play.seconds), 3)
    error = outlet.error.message if outlet.error else None
    reason: str | None = None
    if outlet.status is PlayStatus.COMPLETED:
        outcome = Outcome.PLAYED
        if outlet.aired_seconds + SHORT_TOLERANCE_SECONDS < play.seconds:
            outcome, reason, error = Outcome.PARTIAL, Reason.DEVICE_ERROR, SHORT_DELIVERY
    elif outlet.status is PlayStatus.DEVICE_ERROR:
        outcome = Outcome.PARTIAL if aired > 0.5 else Outcome.FAILED
        reason = Reason.DEVICE_ERROR
    else:
        outcome, reason = play.cut or (Outcome.PARTIAL, Reason.STOPPED)
    log.finish_attempt(
        play.attempt_id,
        outcome,
        ended_at=ended_at,
        aired_seconds=aired,
        reason=reason,
        error=error,
        output=outlet.device,
        to_file=outlet.to_file,
        underruns=outlet.underruns,
    )
    logger.info(
        "%s: %s (%.1f giây)",
        play.title,
        outcome.label_vi,
        aired,
        extra={"event": "entry_ended", "outcome": outcome.value, "reason": reason},
    )
    on_closed(play.attempt_id)
