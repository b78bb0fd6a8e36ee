"""A rehearsal: a day's airings (today's unless told) moved to start within seconds, back to
back, then the end.

Quiet hours hold for a rehearsal by the wall clock at which its sound would be heard, not by
the slot time it stands in for: at 00:38 a rehearsal of the 06:00 news wakes the street just
as the news itself would. So an item whose moved window touches the quiet hours is held back
if any of its zones could sound on a loudspeaker — unless the technician said so
(``--ignore-quiet-hours``). Zones written to WAV files (``--sink file:DIR``) are never held
back: nobody hears a file. A zone falling back to files only because its device is missing is
held back: the device may be plugged in mid-rehearsal. A rehearsed emergency is held back
too: it is not an emergency.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import numpy as np

from broadcast.audio.wavfile import SAMPLE_RATE
from broadcast.config.model import QuietHours
from broadcast.config.timing import quiet_label
from broadcast.daemon.context import AirContext
from broadcast.daemon.ip_zones import ip_zone_ids
from broadcast.daemon.segment_audio import SegmentAudio
from broadcast.paths import ProjectPaths
from broadcast.schedule import PlanItem

logger = logging.getLogger("broadcast.daemon")
REHEARSAL_FOLDER = "rehearsal"  # under the data folder: a rehearsal's own log and status
# A rehearsal heard on IP zones starts this long after it is planned at least: their clusters
# get the plan, then fetch its audio, before its first second (``ip_station``).
IP_LEAD_SECONDS = 6.0


def rehearsal_paths(paths: ProjectPaths) -> ProjectPaths:
    """Where a rehearsal keeps its log, status and fallback files: never the ward's own log
    (moved times would count in its reports) nor the running daemon's status."""
    return paths.with_data_dir(paths.data_dir / REHEARSAL_FOLDER)


def ward_of(paths: ProjectPaths) -> ProjectPaths | None:
    """The ward a rehearsal stands in for, when ``paths`` are its ``rehearsal_paths``: what a
    rehearsal may air is what the ward approved, in the ward's own log."""
    if paths.data_dir.name != REHEARSAL_FOLDER:
        return None
    return paths.with_data_dir(paths.data_dir.parent)


@dataclass(frozen=True)
class Rehearsal:
    """A day's airings shifted to start within seconds, back to back, then the daemon ends."""

    lead_seconds: float = 3.0
    gap_seconds: float = 1.0
    excerpt_seconds: float | None = None  # play only the start of each segment
    keep_quiet_hours: bool = True  # False: ``--ignore-quiet-hours``
    day: date | None = None  # whose programs are rehearsed (``--day``); None: today's

    def playing_seconds(self, item: PlanItem) -> float:
        """How long ``item`` plays in this rehearsal (each segment cut to the excerpt)."""
        return sum(
            min(s.duration_seconds, self.excerpt_seconds or s.duration_seconds)
            for s in item.segments
        )

    def moved(self, items: Sequence[PlanItem], now: datetime) -> list[PlanItem]:
        """``items`` back to back from ``now`` on, in their order."""
        start = now + timedelta(seconds=self.lead_seconds)
        moved: list[PlanItem] = []
        ids: set[str] = set()
        for item in items:
            shifted = replace(item, start=start)
            # An airing is known by its slot and minute: a slot airing twice a day needs a
            # second minute, or the second airing would replace the first.
            while shifted.id in ids:
                start = start.replace(second=0, microsecond=0) + timedelta(minutes=1)
                shifted = replace(item, start=start)
            ids.add(shifted.id)
            moved.append(shifted)
            start += timedelta(seconds=self.playing_seconds(item) + self.gap_seconds)
        return moved

    def items(
        self, planned: Sequence[PlanItem], now: datetime, context: AirContext
    ) -> list[PlanItem]:
        """``planned`` moved to ``now``, without those that would sound in quiet hours."""
        ip_zones = ip_zone_ids(context.config)
        if any(ip_zones.intersection(item.zones) for item in planned):
            lead = max(self.lead_seconds, IP_LEAD_SECONDS)
            moved = replace(self, lead_seconds=lead).moved(planned, now)
        else:
            moved = self.moved(planned, now)
        quiet = context.config.quiet_hours
        if not self.keep_quiet_hours or quiet is None:
            return moved
        touching = [
            index
            for index, item in enumerate(moved)
            if _touches(quiet, item.start, self.playing_seconds(item))
        ]
        if not touching:
            return moved
        zones = sorted({zone for index in touching for zone in moved[index].zones})
        # Only a zone written to files by design is silent: one falling back to files because
        # its device is missing would sound the moment the device is back. IP zones are not the
        # sink's: a rehearsal plans only its own copy's clusters (``ip_setup``), the demo's
        # receiver writing WAV files, never the ward's clusters on the poles.
        speakers = [context.speakers[zone] for zone in zones if zone in context.speakers]
        heard = {
            health.zone_id
            for health in context.sink.health(speakers)
            if not (health.to_file and health.problem is None)
        }
        held = {index for index in touching if heard.intersection(moved[index].zones)}
        if held:
            logger.warning(
                "giờ yên tĩnh %s: buổi diễn tập không phát ra loa trong giờ này, giữ lại %d "
                "lượt: %s. Trong giờ yên tĩnh, diễn tập chỉ ghi ra tệp WAV (--sink "
                "file:THƯ_MỤC); muốn vẫn phát ra loa, thêm --ignore-quiet-hours",
                quiet_label(quiet),
                len(held),
                "; ".join(_named(planned[index]) for index in sorted(held)),
                extra={"event": "rehearsal_held_quiet_hours"},
            )
        return [item for index, item in enumerate(moved) if index not in held]


def _touches(quiet: QuietHours, start: datetime, seconds: float) -> bool:
    """Some moment of the ``seconds`` from ``start`` on falls inside the quiet hours."""
    if quiet.contains(start.time()):
        return True
    begins = datetime.combine(start.date(), quiet.start, tzinfo=start.tzinfo)
    if begins <= start:
        begins += timedelta(days=1)
    return begins < start + timedelta(seconds=seconds)


def _named(item: PlanItem) -> str:
    return f"{item.slot_name} {item.start:%H:%M} ({', '.join(item.zones)})"


def excerpt(audio: SegmentAudio, limit: float | None) -> SegmentAudio:
    """The first ``limit`` seconds of ``audio`` (a rehearsal's excerpt), faded out at the cut;
    the whole of it without a limit."""
    if limit is None or audio.seconds <= limit:
        return audio
    cut = audio.samples[: int(limit * SAMPLE_RATE)].copy()
    fade = min(len(cut), int(0.2 * SAMPLE_RATE))  # no click at the cut
    ramp = np.linspace(1.0, 0.0, fade)
    cut[-fade:] = (cut[-fade:] * ramp).astype(cut.dtype)
    return SegmentAudio(cut, audio.audio_hash, audio.engine, audio.voice)
