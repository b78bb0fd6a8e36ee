"""A virtual sound card made of ALSA plugins and PulseAudio null sinks, heard two ways.

What a listener hears is recorded at the sound server: ``listen`` runs ``parec`` on a PulseAudio
null sink's monitor, i.e. after the server's buffer, where a stream closed too early loses its
end (issue 13). ALSA's ``file`` plugin also writes every frame PortAudio hands to ALSA to a raw
file (named by an environment variable, re-read on each stream open): that is *before* the
server, so it proves what the program sent, never what was heard.

- ``test_speaker`` (2 channels) and ``test_card4`` (4 channels) pass on to ``null``, which
  swallows audio much faster than real time: for errors and what was sent, not for listening.
- ``test_realtime`` (2 channels) and ``test_realtime4`` (4 channels) pass on to null sinks of
  the PulseAudio server ``main``, which consume audio at the real rate: listen there.
- ``test_unplug`` has a server of its own that a test may kill, like a USB card pulled out mid-
  play; ``test_late``'s server is not started at all until a test plugs it in, like a USB card
  plugged in after the program started.

PortAudio lists devices when ``sounddevice`` is imported (and again only when re-initialised),
so ``install`` must run first, with the servers that should be listed already up.
Also used by ``bench/timing.py``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SAMPLE_RATE = 48000
CAPTURE_VARIABLES = {
    "test_speaker": "SPEAKER_CAPTURE_FILE",
    "test_card4": "CARD4_CAPTURE_FILE",
    "test_realtime": "REALTIME_CAPTURE_FILE",
    "test_realtime4": "REALTIME4_CAPTURE_FILE",
    "test_unplug": "UNPLUG_CAPTURE_FILE",
    "test_late": "LATE_CAPTURE_FILE",
}
CHANNELS = {"test_speaker": 2, "test_card4": 4}  # the cards in front of ALSA's null device


@dataclass(frozen=True)
class NullSink:
    """A PulseAudio null sink: a loudspeaker at the real rate, with a monitor to record."""

    server: str
    name: str
    channel_map: str  # the map ALSA's pulse plugin uses too, so nothing is remixed

    @property
    def channels(self) -> int:
        return self.channel_map.count(",") + 1


STEREO = "front-left,front-right"
QUAD = "front-left,front-right,rear-left,rear-right"  # ALSA's order for 4 channels
SINKS = {
    "test_realtime": NullSink("main", "speaker", STEREO),
    "test_realtime4": NullSink("main", "card4", QUAD),
    "test_unplug": NullSink("unplug", "speaker", STEREO),
    "test_late": NullSink("late", "speaker", STEREO),
}
STARTED_AT_INSTALL = ("main", "unplug")
PULSE_PACKAGES = "pulseaudio pulseaudio-utils libasound2-plugins"


def _file_pcm(pcm: str, device: str, slave: str, root: Path) -> str:
    variable = CAPTURE_VARIABLES[device]
    return f"""
pcm.{pcm} {{
    type file
    slave.pcm "{slave}"
    file {{ @func getenv vars [ {variable} ] default "{root / (device + ".raw")}" }}
    format "raw"
    truncate true
}}
"""


def _fixed_card(device: str, root: Path) -> str:
    """Capture behind a fixed channel count and format, as a real card has."""
    return (
        _file_pcm(f"{device}_file", device, "null", root)
        + f"""pcm.{device} {{
    type plug
    slave {{ pcm "{device}_file" channels {CHANNELS[device]} format S16_LE rate {SAMPLE_RATE} }}
}}
"""
    )


def _pulse_pcm(device: str, sink: NullSink, socket: Path) -> str:
    return (
        f'pcm.pulse_{device} {{\n    type pulse\n    server "unix:{socket}"\n'
        f'    device "{sink.name}"\n}}\n'
    )


@dataclass
class VirtualCard:
    root: Path
    pulse: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def realtime_ready(self) -> bool:
        """The real-time servers run and ``parec`` is there to listen to them."""
        return "main" in self.pulse and shutil.which("parec") is not None

    def pulse_socket(self, server: str) -> Path:
        return self.root / "pulse" / server / "native"

    def plug_in(self, server: str) -> None:
        """Start a server (again): its ALSA device plays from the next stream it opens, like
        a USB card put in; PortAudio lists it once its devices are read again."""
        if server in self.pulse:
            return
        socket = self.pulse_socket(server)
        socket.unlink(missing_ok=True)  # a killed server's socket would look like a live one
        sinks = [sink for sink in SINKS.values() if sink.server == server]
        self.pulse[server] = _start_pulse(socket, sinks)

    def kill_pulse(self, server: str) -> None:
        process = self.pulse.pop(server, None)
        if process is not None:
            process.kill()
            process.wait()

    def listen(self, device: str) -> MonitorRecording:
        """A recording of what ``device``'s loudspeaker plays; use as ``with``, or start/stop."""
        sink = SINKS[device]
        return MonitorRecording(self.pulse_socket(sink.server), sink)

    def stop(self) -> None:
        for server in list(self.pulse):
            self.kill_pulse(server)


def install(root: Path, realtime: bool = True) -> VirtualCard:
    """Write the asoundrc under ``root`` and point this process (and its children) at it."""
    if "sounddevice" in sys.modules:
        raise RuntimeError(
            "sounddevice was imported before the virtual sound card was set up; "
            "PortAudio would not list its devices"
        )
    card = VirtualCard(root)
    config = [_fixed_card("test_speaker", root), _fixed_card("test_card4", root)]
    if realtime and shutil.which("pulseaudio"):
        for server in STARTED_AT_INSTALL:
            card.plug_in(server)
        for device, sink in SINKS.items():
            config.append(_pulse_pcm(device, sink, card.pulse_socket(sink.server)))
            # No plug in front of PulseAudio: through plug + file + pulse no callback ever ran.
            config.append(_file_pcm(device, device, f"pulse_{device}", root))
        # ALSA's own "pulse"/"default" devices must not try to spawn a server of their own.
        os.environ["PULSE_SERVER"] = f"unix:{card.pulse_socket('main')}"
    alsa_dir = root / "xdg" / "alsa"
    alsa_dir.mkdir(parents=True, exist_ok=True)
    (alsa_dir / "asoundrc").write_text("".join(config), encoding="utf-8")
    os.environ["XDG_CONFIG_HOME"] = str(root / "xdg")
    atexit.register(card.stop)
    return card


def _start_pulse(socket: Path, sinks: list[NullSink]) -> subprocess.Popen:
    home = socket.parent
    (home / "runtime").mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, HOME=str(home), XDG_RUNTIME_DIR=str(home / "runtime"))
    loads = [
        # norewinds: otherwise the first frames of a stream could be rewritten away
        f"--load=module-null-sink sink_name={sink.name} rate={SAMPLE_RATE} "
        f"channels={sink.channels} channel_map={sink.channel_map} norewinds=1"
        for sink in sinks
    ]
    process = subprocess.Popen(
        [
            "pulseaudio",
            "-n",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--disable-shm=yes",  # it aborted after a few clients with shared memory
            *loads,
            # Loaded last: once its socket exists, the sinks exist too.
            f"--load=module-native-protocol-unix auth-anonymous=1 socket={socket}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not socket.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"PulseAudio did not start (socket {socket})")
        time.sleep(0.01)
    return process


class MonitorRecording:
    """``parec`` on a null sink's monitor: the frames the sink played, each chunk stamped.

    The sink plays silence when nothing plays, so the recording is continuous: frame ``n``
    played ``n / SAMPLE_RATE`` s after frame 0. When frame 0 played is estimated from the
    chunks' arrival (a chunk can arrive late, never early): the lowest ``arrival − frames
    before it / rate`` over the chunks near the frame asked about (the clocks drift ~12 ppm).
    """

    TAIL_SECONDS = 0.3  # recorded after ``stop`` is asked: frames still on their way arrive
    WINDOW_SECONDS = 5.0  # chunks used to time one frame

    def __init__(self, socket: Path, sink: NullSink):
        self.sink = sink
        self._command = [
            "parec",
            f"--server=unix:{socket}",
            f"--device={sink.name}.monitor",
            # The null sink renders up to this far ahead of time: at 5 ms frames were timed
            # up to ~3 ms early.
            "--latency-msec=1",
            "--raw",
            "--format=s16le",
            f"--rate={SAMPLE_RATE}",
            f"--channels={sink.channels}",
            f"--channel-map={sink.channel_map}",
        ]
        self._chunks: list[tuple[float, bytes]] = []  # (time.monotonic() at arrival, bytes)
        self._process: subprocess.Popen | None = None
        self._reader: threading.Thread | None = None
        self.frames = np.zeros((0, sink.channels), dtype=np.int16)
        self._origins = np.zeros(0)  # per chunk: arrival − frames before its end / rate
        self._ends = np.zeros(0, dtype=np.int64)  # per chunk: frames received up to its end
        self._wall_offset = 0.0  # time.time() − time.monotonic() when the recording started

    def start(self) -> MonitorRecording:
        """Start recording; returns once the first frames arrived (the recorder is live)."""
        self._wall_offset = time.time() - time.monotonic()
        self._process = subprocess.Popen(self._command, stdout=subprocess.PIPE)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + 10
        while not self._chunks:
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"parec did not record: {' '.join(self._command)}")
            time.sleep(0.005)
        return self

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        fd = self._process.stdout.fileno()
        while chunk := os.read(fd, 65536):
            self._chunks.append((time.monotonic(), chunk))

    def stop(self) -> MonitorRecording:
        """Stop after ``TAIL_SECONDS`` more; ``frames`` then holds the whole recording."""
        assert self._process is not None and self._reader is not None
        time.sleep(self.TAIL_SECONDS)
        self._process.terminate()
        self._process.wait()
        self._reader.join()
        data = b"".join(chunk for _, chunk in self._chunks)
        frame_bytes = 2 * self.sink.channels
        usable = len(data) // frame_bytes * frame_bytes
        self.frames = np.frombuffer(data[:usable], dtype="<i2").reshape(-1, self.sink.channels)
        self._ends = np.cumsum([len(chunk) for _, chunk in self._chunks]) // frame_bytes
        arrivals = np.array([arrival for arrival, _ in self._chunks])
        self._origins = arrivals - self._ends / SAMPLE_RATE
        return self

    def __enter__(self) -> MonitorRecording:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def monotonic_time(self, frame: int) -> float:
        """When frame ``frame`` of the recording played, on ``time.monotonic()``."""
        window = round(self.WINDOW_SECONDS * SAMPLE_RATE)
        near = np.abs(self._ends - frame) <= window
        origin = self._origins[near].min() if near.any() else self._origins.min()
        return float(origin + frame / SAMPLE_RATE)

    def wall_time(self, frame: int) -> float:
        """When frame ``frame`` played, on ``time.time()`` (a daemon plans on the wall clock)."""
        return self.monotonic_time(frame) + self._wall_offset

    def frame_at_wall(self, moment: float) -> int:
        """The frame that played at ``moment`` (``time.time()``)."""
        guess = round((moment - self.wall_time(0)) * SAMPLE_RATE)
        return guess + round((moment - self.wall_time(guess)) * SAMPLE_RATE)

    def sound_bounds(self) -> tuple[int, int]:
        """First non-silent frame and the one after the last (0, 0 when all silent)."""
        audible = np.flatnonzero(np.any(self.frames != 0, axis=1))
        if audible.size == 0:
            return 0, 0
        return int(audible[0]), int(audible[-1]) + 1


def read_capture(path: Path, channels: int) -> np.ndarray:
    """Frames ALSA's file plugin captured (int16, frames × channels): what was sent."""
    return np.fromfile(path, dtype="<i2").reshape(-1, channels)


def trim_silence(frames: np.ndarray) -> np.ndarray:
    """Drop the all-zero frames at both ends (PortAudio's padding, the sink's idle silence)."""
    audible = np.flatnonzero(np.any(frames != 0, axis=-1) if frames.ndim > 1 else frames != 0)
    if audible.size == 0:
        return frames[:0]
    return frames[audible[0] : audible[-1] + 1]


def sine(seconds: float, frequency: float = 440.0, level: float = 0.3) -> np.ndarray:
    """An int16 tone with no zero samples, so trimming the padding cannot eat into it."""
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    samples = np.rint(level * 32767 * np.sin(2 * np.pi * frequency * t + 0.5)).astype(np.int16)
    samples[samples == 0] = 1
    return samples


def faded(program: np.ndarray, fade_start: int, fade_frames: int) -> np.ndarray:
    """An int16 program up to a fade-out at 0 dB, then the fade, as the sinks make it."""
    envelope = 1.0 - (np.arange(fade_frames) + 1) / fade_frames
    tail = program[fade_start : fade_start + fade_frames].astype(np.float64) * envelope
    return np.concatenate([program[:fade_start], np.rint(tail).astype(np.int16)])


def heard_fade_start(
    heard: np.ndarray, program: np.ndarray, aired_frames: int, fade_frames: int, slack: int = 48
) -> int | None:
    """Where the fade began if ``heard`` (from the program's first frame on) is the program
    faded out sample for sample, to silence, then at least 5 ms of silence; ``None`` if no such
    fade was heard whole. ``aired_frames`` says where it ended, ± ``slack`` (a log row keeps
    milliseconds)."""
    quiet = SAMPLE_RATE // 200
    for start in range(aired_frames - fade_frames - slack, aired_frames - fade_frames + slack):
        expected = faded(program, start, fade_frames)
        end = len(expected)
        if np.array_equal(heard[:end], expected) and not heard[end : end + quiet].any():
            return start
    return None
