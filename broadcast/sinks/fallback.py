"""Where each zone's sound goes at play time: its sound device, or WAV files as a fallback.

A zone whose device is missing (no PortAudio, USB card unplugged) and whose configuration says
``fallback: file`` is written to WAV files instead, with a notice; without the fallback it
goes to its device anyway and the play is logged as a device error.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import numpy as np

from broadcast.config import Config
from broadcast.config.model import Zone
from broadcast.sinks.devices import DeviceNotFound, PortAudioMissing, find_output_device
from broadcast.sinks.protocol import AudioSink, Playback, ZoneOutput

logger = logging.getLogger("broadcast.daemon")


def device_problem(zone: Zone) -> str | None:
    """Why the zone's sound device cannot play now (Vietnamese), or ``None``."""
    try:
        find_output_device(zone.output.device)
    except (DeviceNotFound, PortAudioMissing) as exc:
        return getattr(exc, "message", str(exc))
    return None


class ZoneOutputs:
    def __init__(
        self,
        config: Config,
        sink: AudioSink,
        fallback: AudioSink | None = None,
        check_devices: bool = True,
    ):
        self._zones = {zone.id: zone for zone in config.zones}
        self._sink = sink
        self._fallback = fallback
        self._check_devices = check_devices
        self._noticed: set[str] = set()  # zones already reported as falling back
        self._lock = threading.Lock()

    def output(self, zone_id: str) -> ZoneOutput:
        return ZoneOutput.from_zone(self._zones[zone_id])

    def device_problem(self, zone_id: str) -> str | None:
        """Why the zone's device cannot play now (Vietnamese), or ``None``."""
        return device_problem(self._zones[zone_id]) if self._check_devices else None

    def uses_fallback(self, zone_id: str) -> bool:
        zone = self._zones[zone_id]
        if self._fallback is None or not zone.fallback_to_file:
            return False
        problem = self.device_problem(zone_id)
        if problem is None:
            with self._lock:
                self._noticed.discard(zone_id)
            return False
        with self._lock:
            first = zone_id not in self._noticed
            self._noticed.add(zone_id)
        if first:
            logger.warning(
                "khu vực %s: %s; âm thanh được ghi ra tệp WAV thay vì phát ra loa",
                zone_id,
                problem,
                extra={"event": "zone_fallback_to_file", "zone": zone_id},
            )
        return True

    def start(
        self, audio: np.ndarray, sample_rate: int, zone_ids: Sequence[str], label: str
    ) -> Playback:
        """Start ``audio`` on the zones, each through its device or its fallback."""
        to_files = [z for z in zone_ids if self.uses_fallback(z)]
        to_devices = [z for z in zone_ids if z not in to_files]
        playbacks = []
        if to_devices:
            outputs = [self.output(z) for z in to_devices]
            playbacks.append(self._sink.start(audio, sample_rate, outputs, label))
        if to_files and self._fallback is not None:
            outputs = [self.output(z) for z in to_files]
            playbacks.append(self._fallback.start(audio, sample_rate, outputs, label))
        return Playback.together(playbacks)
