"""A PortAudio stream's frames on its own clock: when the program begins, and what was played.

Two things are timed by the stream's timestamps (the DAC time of each block), not by when
Python gets around to a call:

- the start: a stream may be opened and running (playing silence) before the instant its
  program is due; the program then begins at the frame the DAC plays at that instant, so a
  late scheduler thread or a slow ``open`` does not delay the first sample;
- the end: when the program's last frame is handed over, the stream's buffer still holds its
  output latency (about 0.19 s through PulseAudio); a stream ended and closed then loses it
  (issue 13: the last ~150 ms of every item, chime and fade never reached the loudspeaker).
  So the stream is fed silence until its last frame has been played, and "aired" counts the
  frames played, not the frames handed over.
"""

from __future__ import annotations

# Measured at the PulseAudio monitor, a frame arrived ~5 ms before PortAudio's DAC time for it;
# this much more silence keeps the end whole on host APIs whose estimate is less careful.
SAFETY_SECONDS = 0.01


class Playout:
    """Frames of one stream: handed to PortAudio, played by now, and where the program is."""

    def __init__(self, sample_rate: int, latency_seconds: float, at: float | None = None):
        self.sample_rate = sample_rate
        self.at = at  # when the program's first frame should be played, on the stream's clock
        self._latency_frames = round(latency_seconds * sample_rate)
        self._safety_frames = round(SAFETY_SECONDS * sample_rate)
        self.handed = 0  # frames given to PortAudio: silence, program, silence
        self.played = 0  # of those, frames the device has played
        self.program_start: int | None = None  # the program's first frame, once placed
        self.program_end: int | None = None  # the frame after its last, once known

    def silence_before_program(self, frames: int, now: float, dac_time: float) -> int:
        """How many of the next ``frames`` (played from ``dac_time``) precede the program."""
        if self.program_start is not None or self.at is None:
            return 0
        due = round((self.at - self._played_from(now, dac_time, frames)) * self.sample_rate)
        return min(frames, max(0, due))

    def start_now(self) -> None:
        """Give up waiting for ``at``: the program (or what is left of it) begins next block."""
        self.at = None

    def block(
        self, frames: int, silence: int, program_frames: int, now: float, dac_time: float
    ) -> None:
        """Account one callback: ``frames`` to be played from ``dac_time`` on the stream's clock
        (``now`` is that clock's present): ``silence`` frames, then ``program_frames``."""
        queued = round((self._played_from(now, dac_time, frames) - now) * self.sample_rate)
        self.played = max(self.played, min(self.handed, self.handed - queued))
        if self.program_start is None and silence < frames:
            self.program_start = self.handed + silence
        started = self.program_start is not None
        if started and self.program_end is None and program_frames < frames - silence:
            self.program_end = self.handed + silence + program_frames
        self.handed += frames

    def _played_from(self, now: float, dac_time: float, frames: int) -> float:
        if dac_time > 0:
            return dac_time
        # This host API gives no timestamps: assume its whole buffer is still queued.
        return now + (self._latency_frames + frames) / self.sample_rate

    @property
    def all_played(self) -> bool:
        """The program's last frame has reached the device (with a margin of silence)."""
        if self.program_end is None:
            return False
        end = self.program_end + self._safety_frames
        return self.played >= end and self.handed - self.program_end >= self._latency_frames

    def has_played(self, program_frame: int) -> bool:
        """The program's frames before ``program_frame`` have all reached the device."""
        if self.program_start is None:
            return program_frame == 0
        return self.played >= self.program_start + program_frame + self._safety_frames

    def played_program_frames(self, program_position: int) -> int:
        """Of the ``program_position`` program frames handed over, those played."""
        if self.program_start is None:
            return 0
        return max(0, min(self.played - self.program_start, program_position))
