"""A sink made of two: each zone plays through the first, or through the second when the
first cannot play it and the zone allows it — as Liquidsoap's ``fallback`` is itself a source.

The ward's PC uses it as sound card first, WAV files second: a zone whose device is missing
(no PortAudio, USB card unplugged) and whose configuration says ``fallback: file`` is written
to WAV files instead, with a notice; without the fallback it goes to its device anyway and the
play is logged as a device error. Whoever holds this sink (the daemon) knows nothing of it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from broadcast.sinks.protocol import AudioSink, Playback, ZoneHealth, ZoneSpeakers

logger = logging.getLogger("broadcast.sinks")


class FallbackSink:
    def __init__(self, primary: AudioSink, fallback: AudioSink):
        self.primary = primary
        self.fallback = fallback
        self._noticed: set[str] = set()  # zones already reported as falling back
        self._lock = threading.Lock()

    def health(self, zones: Sequence[ZoneSpeakers]) -> list[ZoneHealth]:
        """The primary's answer; for a zone that falls back, where its files go instead, with
        the primary's problem kept so nobody takes a file for a loudspeaker."""
        answers = self.primary.health(zones)
        falling = [z for z, h in zip(zones, answers, strict=True) if _falls_back(z, h)]
        instead = {h.zone_id: h for h in self.fallback.health(falling)}
        return [
            replace(
                instead[h.zone_id],
                problem=_joined(h.problem, instead[h.zone_id].problem),
            )
            if h.zone_id in instead
            else h
            for h in answers
        ]

    def start(
        self,
        audio: np.ndarray,
        sample_rate: int,
        zones: Sequence[ZoneSpeakers],
        label: str = "",
        at: float | None = None,
    ) -> Playback:
        """Start ``audio`` on the zones, each through the primary or its fallback."""
        answers = self.primary.health(zones)
        to_fallback = [z for z, h in zip(zones, answers, strict=True) if _falls_back(z, h)]
        self._notice(answers, {z.zone_id for z in to_fallback})
        to_primary = [z for z in zones if z not in to_fallback]
        playbacks = []
        if to_primary:
            playbacks.append(self.primary.start(audio, sample_rate, to_primary, label, at))
        if to_fallback:
            playbacks.append(self.fallback.start(audio, sample_rate, to_fallback, label, at))
        return Playback.together(playbacks)

    def _notice(self, answers: Sequence[ZoneHealth], falling: set[str]) -> None:
        """Say once per episode that a zone's sound goes to files (again once it came back)."""
        with self._lock:
            first = falling - self._noticed
            self._noticed -= {h.zone_id for h in answers if h.zone_id not in falling}
            self._noticed |= falling
        for answer in answers:
            if answer.zone_id in first:
                logger.warning(
                    "khu vực %s: %s; âm thanh được ghi ra tệp WAV thay vì phát ra loa",
                    answer.zone_id,
                    answer.problem,
                    extra={"event": "zone_fallback_to_file", "zone": answer.zone_id},
                )


def _falls_back(zone: ZoneSpeakers, health: ZoneHealth) -> bool:
    return zone.fallback_to_file and not health.playable


def _joined(first: str | None, second: str | None) -> str | None:
    return "; ".join(p for p in (first, second) if p) or None
