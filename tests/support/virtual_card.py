"""A virtual sound card made of ALSA plugins, so tests hear exactly what PortAudio plays.

ALSA's ``file`` plugin writes every frame it is given to a raw file (named by an environment
variable, re-read on each stream open) before passing it on:

- ``test_speaker`` (2 channels) and ``test_card4`` (4 channels) pass on to ``null``, which
  swallows audio much faster than real time: good for checking content.
- ``test_realtime`` and ``test_unplug`` pass on to PulseAudio null sinks, which consume audio
  at the real rate: for fades, stops and timing. ``test_unplug`` has a server of its own that
  a test may kill, like a USB card pulled out mid-play.

PortAudio lists devices once, when ``sounddevice`` is imported, so ``install`` must run first
(and the PulseAudio servers must already be up, or their devices are not listed).
Also used by ``bench/timing.py``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SAMPLE_RATE = 48000
CAPTURE_VARIABLES = {
    "test_speaker": "SPEAKER_CAPTURE_FILE",
    "test_card4": "CARD4_CAPTURE_FILE",
    "test_realtime": "REALTIME_CAPTURE_FILE",
    "test_unplug": "UNPLUG_CAPTURE_FILE",
}
CHANNELS = {"test_speaker": 2, "test_card4": 4, "test_realtime": 2, "test_unplug": 2}
PULSE_SERVERS = {"test_realtime": "main", "test_unplug": "unplug"}
PULSE_PACKAGES = "pulseaudio libasound2-plugins"


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


def _pulse_pcm(server: str, socket: Path) -> str:
    return f'pcm.pulse_{server} {{\n    type pulse\n    server "unix:{socket}"\n}}\n'


@dataclass
class VirtualCard:
    root: Path
    pulse: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def realtime_ready(self) -> bool:
        return "main" in self.pulse

    def pulse_socket(self, server: str) -> Path:
        return self.root / "pulse" / server / "native"

    def kill_pulse(self, server: str) -> None:
        process = self.pulse.pop(server, None)
        if process is not None:
            process.kill()
            process.wait()

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
        for device, server in PULSE_SERVERS.items():
            card.pulse[server] = _start_pulse(card.pulse_socket(server))
            config.append(_pulse_pcm(server, card.pulse_socket(server)))
            # No plug in front of PulseAudio: through plug + file + pulse no callback ever ran.
            config.append(_file_pcm(device, device, f"pulse_{server}", root))
        # ALSA's own "pulse"/"default" devices must not try to spawn a server of their own.
        os.environ["PULSE_SERVER"] = f"unix:{card.pulse_socket('main')}"
    alsa_dir = root / "xdg" / "alsa"
    alsa_dir.mkdir(parents=True, exist_ok=True)
    (alsa_dir / "asoundrc").write_text("".join(config), encoding="utf-8")
    os.environ["XDG_CONFIG_HOME"] = str(root / "xdg")
    atexit.register(card.stop)
    return card


def _start_pulse(socket: Path) -> subprocess.Popen:
    home = socket.parent
    (home / "runtime").mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, HOME=str(home), XDG_RUNTIME_DIR=str(home / "runtime"))
    process = subprocess.Popen(
        [
            "pulseaudio",
            "-n",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--disable-shm=yes",  # it aborted after a few clients with shared memory
            # norewinds: otherwise the first frames of a stream could be rewritten away
            f"--load=module-null-sink sink_name=speaker rate={SAMPLE_RATE} channels=2 norewinds=1",
            # Loaded last: once its socket exists, the sink exists too.
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


def read_capture(path: Path, channels: int) -> np.ndarray:
    """Captured int16 frames (frames × channels)."""
    return np.fromfile(path, dtype="<i2").reshape(-1, channels)


def trim_silence(frames: np.ndarray) -> np.ndarray:
    """Drop the all-zero frames PortAudio pads at both ends."""
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
