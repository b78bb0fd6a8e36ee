"""A sink that writes what each zone would have heard: one 16-bit mono WAV per play per zone.

For dry runs, tests and PCs without a sound card. By default it takes as long as the real
play would (so a running daemon sees programmes in progress and can pre-empt them); with
``realtime=False`` it writes at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import threading
import time
import wave
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from broadcast.audio.loudness import db_to_gain
from broadcast.clock import Clock, SystemClock
from broadcast.config import DEFAULT_TIMEZONE
from broadcast.sinks.protocol import (
    DeviceError,
    OutletOutcome,
    Playback,
    PlayStatus,
    ZoneHealth,
    ZoneSpeakers,
)
from broadcast.sinks.routing import (
    INT16_MAX,
    ChannelRoute,
    RoutedProgram,
    as_mono,
)

BLOCK_SECONDS = 0.02
# File systems take 255 bytes a name (a Vietnamese letter is 2-3 bytes in UTF-8); this leaves
# room for the "-2" of a second play in the same second, ".wav" and Windows' 260-character paths.
MAX_STEM_BYTES = 150
_HASH_LENGTH = 8
logger = logging.getLogger("broadcast.sinks")


class FileSink:
    def __init__(self, directory: Path, realtime: bool = True, clock: Clock | None = None):
        self.directory = Path(directory)
        self.realtime = realtime
        # The ward's time names the files, whatever the PC's own time zone.
        self.clock = clock or SystemClock(ZoneInfo(DEFAULT_TIMEZONE))

    def health(self, zones: Sequence[ZoneSpeakers]) -> list[ZoneHealth]:
        """Every zone writes to this folder: fine while it can be written."""
        problem = _unwritable_folder(self.directory)
        outlet = str(self.directory)
        return [
            ZoneHealth(z.zone_id, outlet, problem, to_file=True, playable=problem is None)
            for z in zones
        ]

    def start(
        self,
        audio: np.ndarray,
        sample_rate: int,
        zones: Sequence[ZoneSpeakers],
        label: str = "",
        at: float | None = None,
    ) -> Playback:
        mono = as_mono(audio)
        stamp = self.clock.now().strftime("%Y%m%d-%H%M%S")
        finished = threading.Event()
        outlets = [
            _ZoneFile(self._path_for(stamp, zone.zone_id, label), zone, mono, sample_rate, finished)
            for zone in zones
        ]
        if self.realtime:
            paced_from = time.monotonic() if at is None else at
            threading.Thread(
                target=_drive, args=(outlets, sample_rate, paced_from, finished), daemon=True
            ).start()
        else:
            _drive(outlets, sample_rate, None, finished)
        return Playback(outlets)

    def _path_for(self, stamp: str, zone_id: str, label: str) -> Path:
        parts = [stamp, zone_id] + ([label] if label else [])
        stem = _safe_name("_".join(parts))
        path = self.directory / f"{stem}.wav"
        counter = 2
        while _taken(path):
            path = self.directory / f"{stem}-{counter}.wav"
            counter += 1
        return path


def _taken(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # the write fails next and says why, for this zone only: the rest airs
        return False


def _unwritable_folder(directory: Path) -> str | None:
    """Why WAV files cannot be written under ``directory`` (Vietnamese), or ``None``.

    The folder itself may not exist yet (it is made at the first write): its nearest existing
    parent must then be writable.
    """
    existing = directory
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        return f"không ghi được tệp âm thanh vào thư mục {directory}"
    return None


def _safe_name(text: str) -> str:
    """Keeps Vietnamese letters but nothing a file system could refuse, within
    ``MAX_STEM_BYTES``: a longer name (a script's 240-letter title) is cut at its end,
    which is the label, and ends with a short hash of the whole, so two names cut to the same
    beginning stay apart."""
    name = re.sub(r"[^\w.-]+", "-", text).strip("-")
    encoded = name.encode()
    if len(encoded) <= MAX_STEM_BYTES:
        return name
    digest = hashlib.sha256(encoded).hexdigest()[:_HASH_LENGTH]
    kept = encoded[: MAX_STEM_BYTES - _HASH_LENGTH - 1].decode("utf-8", "ignore")
    return f"{kept.rstrip('-.')}-{digest}"


class _ZoneFile:
    def __init__(
        self,
        path: Path,
        zone: ZoneSpeakers,
        mono: np.ndarray,
        sample_rate: int,
        finished: threading.Event,
    ):
        self.path = path
        self.zone_id = zone.zone_id
        self.zone_ids: tuple[str, ...] = (zone.zone_id,)
        self.finished = finished
        self.program = RoutedProgram(
            mono, [ChannelRoute(zone.zone_id, (0,), db_to_gain(zone.volume_db))], 1, sample_rate
        )
        self.error: DeviceError | None = None
        self._writer: wave.Wave_write | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = wave.open(str(path), "wb")  # noqa: SIM115 - closed in close()
            self._writer.setnchannels(1)
            self._writer.setsampwidth(2)
            self._writer.setframerate(sample_rate)
        except OSError as exc:
            self.error = DeviceError(str(path), f"không ghi được tệp âm thanh ({exc.strerror})")

    def write_block(self, frames: int) -> bool:
        """Write the next block; False once this zone has nothing more to play."""
        if self._writer is None or self.error is not None or self.program.finished:
            return False
        block = np.empty((frames, 1), dtype=self.program.dtype)
        count = self.program.read(block)
        try:
            self._writer.writeframes(_as_int16(block[:count, 0]).tobytes())
        except OSError as exc:
            self.error = DeviceError(str(self.path), f"không ghi được tệp âm thanh ({exc})")
            return False
        return not self.program.finished

    def close(self) -> None:
        if self._writer is not None:
            try:
                self._writer.close()
            except OSError as exc:
                self.error = self.error or DeviceError(str(self.path), str(exc))
            if self.program.zone_frames(self.zone_id) == 0:
                # Cut before its first sample (an emergency at its very start): no sound went
                # anywhere, so no file says otherwise.
                with contextlib.suppress(OSError):
                    self.path.unlink()

    def fade_out(self, seconds: float, zones: AbstractSet[str] | None = None) -> None:
        self.program.fade_out(seconds, zones)

    def silent(self, zones: AbstractSet[str]) -> bool:
        # Written at the pace of the real play: what is not written yet is not "heard" yet.
        return self.finished.is_set() or self.program.zones_end(zones) is not None

    def outcome_for(self, zone_id: str) -> OutletOutcome:
        (outcome,) = self.outcomes()
        return outcome

    def fail(self, problem: str) -> None:
        """The writer stopped for a reason ``write_block`` did not expect."""
        self.error = self.error or DeviceError(str(self.path), problem)

    def outcomes(self) -> list[OutletOutcome]:
        stopped = self.program.zone_stopped(self.zone_id)
        # Completed only when every frame was written: a writer that died early is an error
        # however it died, never "played" (with 0:00 aired).
        if self.error is None and not stopped and not self.program.finished:
            self.fail("ghi tệp âm thanh bị ngắt giữa chừng")
        if self.error is not None:
            status = PlayStatus.DEVICE_ERROR
        elif stopped:
            status = PlayStatus.STOPPED
        else:
            status = PlayStatus.COMPLETED
        aired = self.program.zone_frames(self.zone_id) / self.program.sample_rate
        return [
            OutletOutcome(str(self.path), (self.zone_id,), status, aired, self.error, to_file=True)
        ]


def _as_int16(samples: np.ndarray) -> np.ndarray:
    if samples.dtype == np.int16:
        return samples
    clipped = np.clip(samples.astype(np.float64), -1.0, 1.0)
    return np.rint(clipped * INT16_MAX).astype(np.int16)


def _drive(
    zones: list[_ZoneFile], sample_rate: int, paced_from: float | None, finished: threading.Event
) -> None:
    """Write every zone's file block by block: at once (``paced_from`` is ``None``), or at the
    pace of the real play from the ``time.monotonic()`` instant ``paced_from``."""
    block = max(1, round(BLOCK_SECONDS * sample_rate))
    written = 0
    try:
        active = list(zones)
        while active:
            if paced_from is not None:
                due = paced_from + written / sample_rate
                time.sleep(max(0.0, due - time.monotonic()))
            active = [zone for zone in active if zone.write_block(block)]
            written += block
    except Exception as exc:  # whatever stopped the writer, each unfinished file says so
        logger.exception("file sink stopped", extra={"event": "file_sink_failed"})
        for zone in zones:
            if not zone.program.finished:
                zone.fail(f"ghi tệp âm thanh bị lỗi ({exc})")
    finally:
        for zone in zones:
            zone.close()
        finished.set()
