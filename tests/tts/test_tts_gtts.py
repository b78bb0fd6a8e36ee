"""gTTS through its real code; only the HTTP transport is faked (``responses``) or silent."""

from __future__ import annotations

import base64
import json
import re
import socket
import threading
import time
import urllib.parse
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
import responses

from broadcast.audio.reading import read_text
from broadcast.audio.render import Renderer, RenderOutcome, job_for
from broadcast.clock import SystemClock
from broadcast.config.tts import TtsSettings
from broadcast.scripts.model import Script, ScriptKind
from broadcast.tts.chain import EngineChain
from broadcast.tts.engine import Piece, SynthesisError
from broadcast.tts.espeak_engine import EspeakEngine
from broadcast.tts.gtts_engine import GttsEngine, GttsSettings

URL = re.compile(r"https://translate\.google\.com\.vn/_/TranslateWebserverUi/data/batchexecute")
NUMBER = "hai nghìn không trăm hai mươi lăm"  # one spoken number: must stay in one request
BODY = (
    "Từ ngày một tháng bảy năm " + NUMBER + ", người dân phường nộp hồ sơ đăng ký hộ kinh "
    "doanh qua cổng dịch vụ công quốc gia; bộ phận một cửa hướng dẫn miễn phí cho người cao "
    "tuổi. Mọi thắc mắc xin liên hệ số điện thoại không hai bốn ba tám năm sáu bảy tám chín "
    "trong giờ hành chính."
)


def _reply(mp3: bytes) -> str:
    """The service's reply: a guard line, then length-prefixed frames; one carries the audio."""
    audio = json.dumps([base64.b64encode(mp3).decode("ascii")])
    frame = json.dumps(
        [["wrb.fr", "jQ1olc", audio, None, None, None, "generic"]], separators=(",", ":")
    )
    return f")]}}'\n\n{len(frame)}\n{frame}\n"


def _spoken_in(request) -> str:
    rpc = json.loads(urllib.parse.parse_qs(request.body)["f.req"][0])
    return json.loads(rpc[0][0][1])[0]


def _pieces():
    before, after = BODY.split(NUMBER)
    return [Piece(before), Piece(NUMBER, keep_together=True), Piece(after)]


def _no_wait(seconds: float) -> None:
    pass


@responses.activate
def test_phrases_sent_are_short_and_keep_numbers_whole(tone_mp3):
    responses.add(responses.POST, URL, body=_reply(tone_mp3))
    speech = GttsEngine(GttsSettings(tld="com.vn", timeout_seconds=5)).synthesize(
        _pieces(), "vi", 1.0
    )
    sent = [_spoken_in(call.request) for call in responses.calls]
    assert len(sent) > 1
    assert all(len(phrase) <= 100 for phrase in sent)
    assert sum(NUMBER in phrase for phrase in sent) == 1
    assert " ".join(sent).split() == BODY.split()
    # One second of audio per request, decoded from real MP3 frames.
    assert speech.duration_seconds == pytest.approx(len(sent), abs=0.15 * len(sent))


@responses.activate
def test_a_reply_without_audio_is_a_failure_after_retries():
    responses.add(responses.POST, URL, body=')]}\'\n\n25\n[["di",42]]\n')
    waits: list[float] = []
    engine = GttsEngine(GttsSettings(timeout_seconds=5, retries=2), sleep=waits.append)
    with pytest.raises(SynthesisError, match="không có âm thanh"):
        engine.synthesize([Piece("Xin chào bà con.")], "vi", 1.0)
    assert len(responses.calls) == 3
    assert waits == [0.5, 1.0]  # growing waits between attempts


@responses.activate
def test_a_later_attempt_can_succeed(tone_mp3):
    responses.add(responses.POST, URL, body=requests.ConnectionError("network down"))
    responses.add(responses.POST, URL, body=_reply(tone_mp3))
    speech = GttsEngine(sleep=_no_wait).synthesize([Piece("Xin chào bà con.")], "vi", 1.0)
    assert speech.duration_seconds == pytest.approx(1.0, abs=0.15)


def _render_with_fallback(tmp_path: Path, gtts: GttsEngine):
    script = Script(
        id="thong-bao",
        source="scripts_vi/thong-bao.txt",
        kind=ScriptKind.TEXT,
        title="Thông báo",
        body="Bộ phận một cửa làm việc cả sáng thứ bảy.",
        content_hash="x",
    )
    settings = TtsSettings(chime=None)
    chain = EngineChain([gtts, EspeakEngine()])
    renderer = Renderer(tmp_path, settings, chain, SystemClock(ZoneInfo("UTC")))
    started = time.monotonic()
    result = renderer.render(job_for(script, partial(read_text, reader=lambda t: [Piece(t)])))
    return result, time.monotonic() - started


@responses.activate
def test_unreachable_host_falls_back_to_espeak(tmp_path):
    responses.add(responses.POST, URL, body=requests.ConnectionError("no route to host"))
    result, elapsed = _render_with_fallback(
        tmp_path, GttsEngine(GttsSettings(timeout_seconds=2, retries=1), sleep=_no_wait)
    )
    assert result.outcome is RenderOutcome.RENDERED
    assert result.entry.engine == "espeak" and result.entry.fell_back
    assert any(p.startswith("gtts:") for p in result.problems)
    assert elapsed < 5


@pytest.fixture
def silent_host(monkeypatch):
    """A TCP server that accepts connections and never says a word; gTTS reaches it as its
    HTTPS proxy (gTTS sends through the system proxies), so the real timeout path runs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    port = server.getsockname()[1]
    for name in ("HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    yield accepted
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    server.close()


def test_a_host_that_never_answers_falls_back_within_the_timeout(tmp_path, silent_host):
    timeout, retries = 0.5, 1
    result, elapsed = _render_with_fallback(
        tmp_path, GttsEngine(GttsSettings(timeout_seconds=timeout, retries=retries), sleep=_no_wait)
    )
    assert silent_host, "gTTS never reached the silent host"
    assert result.entry.engine == "espeak" and result.entry.fell_back
    # Each attempt waited out the timeout (the host accepted, then stayed silent), no longer.
    assert timeout * (retries + 1) <= elapsed < timeout * (retries + 1) + 3
