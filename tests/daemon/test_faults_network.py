"""Fault: gTTS cannot be reached, hangs, or answers garbage while the daemon renders ahead.

The daemon is configured ``tts.engines: [gtts, espeak]`` and runs with the real gTTS code.
Unreachable is a real refused connection, hanging a real host that accepts and never answers
(both reached as gTTS's HTTPS proxy); garbage is a 200 reply faked at the transport
(``responses``). The slot must air on time with espeak-ng's audio, and once the service answers
properly again (a real MP3 made by ffmpeg) the daemon's next render pass swaps gTTS's audio in.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import subprocess
import threading
import time
from datetime import timedelta

import imageio_ffmpeg
import pytest
import responses

from broadcast.audio.manifest import AudioManifest
from broadcast.playlog import Outcome
from tests.daemon.daemon_project import make_project, start_daemon, wait_for, zone_yaml

pytestmark = pytest.mark.slow  # each case waits out gTTS timeouts and retries

SERVICE = re.compile(r"https://translate\.google\.com\.vn/_/TranslateWebserverUi/data/batchexecute")
SCRIPT = "Thông báo thử\n\nBộ phận một cửa làm việc cả sáng thứ bảy.\n"
TIMEOUT, RETRIES = 0.5, 1
ONLINE_TTS = (
    "  engines: [gtts, espeak]\n  chime: none\n"
    f"  gtts: {{timeout: {TIMEOUT}, retries: {RETRIES}}}\n"
)
GARBAGE = {
    "garbage-bytes": b"\x00\xff\xfe\x80 502 Bad Gateway \x81\x82",  # not even text
    "garbage-frame": ')]}\'\n\n60\n[["wrb.fr","jQ1olc","[\\"%%% not base64 %%%\\"]"]]\n',
}


def _reply(mp3: bytes) -> str:
    """The service's reply: a guard line, then length-prefixed frames; one carries the audio."""
    audio = json.dumps([base64.b64encode(mp3).decode("ascii")])
    frame = json.dumps(
        [["wrb.fr", "jQ1olc", audio, None, None, None, "generic"]], separators=(",", ":")
    )
    return f")]}}'\n\n{len(frame)}\n{frame}\n"


@pytest.fixture(scope="module")
def tone_mp3() -> bytes:
    """A real 1-second MP3 (24 kHz mono, like the service's), made by ffmpeg."""
    return subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=1:sample_rate=24000",
            "-ac", "1", "-c:a", "libmp3lame", "-b:a", "32k", "-f", "mp3", "pipe:1",
        ],
        capture_output=True,
        check=True,
    ).stdout  # fmt: skip


def _use_proxy(monkeypatch, port: int) -> None:
    """gTTS sends through the system proxies: every request goes to 127.0.0.1:``port``."""
    for name in ("HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{port}")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once it is closed


class SilentHost:
    """Accepts connections and never says a word."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.1)
        self.port = self._server.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                self.accepted.append(self._server.accept()[0])
            except TimeoutError:
                continue

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for connection in self.accepted:
            connection.close()
        self._server.close()


def _wait_until(condition, timeout: float) -> float:
    began = time.monotonic()
    while not condition():
        if time.monotonic() - began > timeout:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(0.05)
    return time.monotonic() - began


@pytest.mark.parametrize("fault", ["unreachable", "hanging", *GARBAGE])
def test_gtts_failing_airs_espeak_on_time_and_gtts_comes_back_later(
    tmp_path, captures, monkeypatch, tone_mp3, fault
):
    paths = make_project(
        tmp_path, [zone_yaml("pho-1", "test_card4", [1])], {"thu.txt": SCRIPT}, tts=ONLINE_TTS
    )
    service = responses.RequestsMock(assert_all_requests_are_fired=False)
    silent = None
    if fault == "unreachable":
        _use_proxy(monkeypatch, _closed_port())
    elif fault == "hanging":
        silent = SilentHost()
        _use_proxy(monkeypatch, silent.port)
    else:
        service.start()
        service.add(responses.POST, SERVICE, body=GARBAGE[fault])
    began = time.monotonic()
    # ``responses`` fakes the service in this process: the daemon renders here too.
    daemon = start_daemon(paths, render_retry=timedelta(seconds=1), render_in_own_process=False)
    try:
        found = wait_for(paths, lambda r: bool(r))
        to_air = time.monotonic() - began
        found = wait_for(paths, lambda r: r and not r[-1].is_open)
        if silent is not None:
            assert silent.accepted, "gTTS never reached the silent host"
        fallback = AudioManifest.load(paths).entry("thu")
        # status says the board hears the fallback voice (issue 13)
        shown = _wait_until(
            lambda: "voice_fallback" in {a.code for a in daemon.alarms.active()}, timeout=20
        )

        # The service answers properly again; the daemon's next render pass uses it.
        if fault in GARBAGE:
            service.replace(responses.POST, SERVICE, body=_reply(tone_mp3))
        else:
            service.start()
            service.add(responses.POST, SERVICE, body=_reply(tone_mp3))
        back = time.monotonic()
        to_swap = _wait_until(
            lambda: daemon.context.audio.for_script("thu").engine == "gtts", timeout=20
        )
        swapped = AudioManifest.load(paths).entry("thu")
        next_airing = daemon.context.audio.for_script("thu")  # what the next slot plays
        alarms = {a.code for a in daemon.alarms.active()}
    finally:
        daemon.stop()
        service.stop()
        if silent is not None:
            silent.close()
    (row,) = found
    assert (row.outcome, row.airing.engine) == (Outcome.PLAYED, "espeak")
    assert fallback.engine == "espeak" and fallback.fell_back
    assert row.airing.audio_hash == fallback.audio_hash
    assert service.calls  # the preferred engine was asked again
    assert swapped.engine == "gtts" and not swapped.fell_back
    assert next_airing.audio_hash == swapped.audio_hash != fallback.audio_hash
    assert "tts_failed" not in alarms
    assert shown >= 0 and "voice_fallback" not in alarms  # raised while it aired, then cleared
    print(
        f"\n[fault:gtts-{fault}] aired_with=espeak to_air_s={to_air:.2f} "
        f"(gtts timeout {TIMEOUT} s x {RETRIES + 1} tries) gtts_back_to_swap_s={to_swap:.2f} "
        f"since_back_s={time.monotonic() - back:.2f}"
    )


def test_a_hanging_network_does_not_hold_the_start(tmp_path, captures, monkeypatch):
    """gTTS with a long timeout against a host that never answers: the slot due now still airs
    within seconds, with the offline voice recorded as a fallback, while gTTS waits."""
    slow = "  engines: [gtts, espeak]\n  chime: none\n  gtts: {timeout: 30, retries: 2}\n"
    paths = make_project(
        tmp_path, [zone_yaml("pho-1", "test_card4", [1])], {"thu.txt": SCRIPT}, tts=slow
    )
    silent = SilentHost()
    _use_proxy(monkeypatch, silent.port)
    began = time.monotonic()
    daemon = start_daemon(paths)
    try:
        (row,) = wait_for(paths, lambda r: r and not r[-1].is_open, timeout=20)
        to_aired = time.monotonic() - began
        _wait_until(lambda: silent.accepted, timeout=10)  # gTTS is being tried meanwhile
    finally:
        daemon.stop()
        silent.close()
    assert (row.outcome, row.airing.engine) == (Outcome.PLAYED, "espeak")
    assert to_aired < 10  # not the ~95 s of gTTS's timeouts
    assert AudioManifest.load(paths).entry("thu").fell_back
    print(f"\n[fault:gtts-hanging-start] aired_with=espeak start_to_aired_s={to_aired:.2f}")
