"""gTTS: Google Translate's online voice for Vietnamese.

gTTS waits forever on a silent host unless given a timeout, splits long text wherever its own
rules say (breaking "TP. HCM" and numbers), and turns a reply without audio into an empty file.
So we always pass a timeout, feed it our own phrases of at most 100 characters (it then never
splits), retry with growing waits, and treat empty audio as a failure. A garbled reply makes
gTTS raise whatever its parsing hits (``UnicodeDecodeError``, ``binascii.Error``, a
``requests`` error while reading the body) rather than ``gTTSError``: all are failures too.

gTTS itself is imported on the first request: it brings requests, urllib3 and ssl, which an
offline daemon would otherwise carry in memory for nothing.
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from broadcast.media.ffmpeg import AudioDecodeError, decode
from broadcast.tts.engine import EngineFacts, Speech, SpokenPiece, SynthesisError
from broadcast.tts.phrases import cut_phrases

log = logging.getLogger(__name__)

PHRASE_LIMIT = 100  # gTTS's own GOOGLE_TTS_MAX_CHARS: longer text it splits itself
SAMPLE_RATE = 24000  # what the service sends
SLOW_BELOW = 0.8  # the service has only two paces; below this speed we ask for the slow one


@dataclass(frozen=True)
class GttsSettings:
    tld: str = "com.vn"
    timeout_seconds: float = 10.0
    retries: int = 2  # further attempts after the first, with growing waits between them


DEFAULTS = GttsSettings()


class GttsEngine:
    name = "gtts"
    speed = 1.0  # the service has no pace setting beyond "slow"

    def __init__(
        self,
        settings: GttsSettings = DEFAULTS,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.tld = settings.tld
        self.timeout_seconds = settings.timeout_seconds
        self.retries = settings.retries
        self.backoff_seconds = backoff_seconds
        self.sleep = sleep

    def voice_for(self, requested: str | None) -> str:
        return f"vi@translate.google.{self.tld}"  # the service has one Vietnamese voice

    def synthesize(self, pieces: Sequence[SpokenPiece], voice: str, speed: float) -> Speech:
        cut = cut_phrases(pieces, PHRASE_LIMIT)
        if not cut.phrases:
            raise SynthesisError("không có chữ nào để đọc")
        for segment in cut.cut_at_spaces:
            log.warning("gtts_phrase_cut_at_spaces", extra={"segment": segment})
        slow = self.speed * speed < SLOW_BELOW
        mp3 = b"".join(self._fetch(phrase, slow) for phrase in cut.phrases)
        try:
            samples = decode(mp3, SAMPLE_RATE, input_format="mp3")
        except AudioDecodeError as exc:
            raise SynthesisError(f"gTTS trả về âm thanh hỏng: {exc}") from exc
        return Speech(samples, SAMPLE_RATE)

    def _fetch(self, phrase: str, slow: bool) -> bytes:
        import requests  # on first use (see the module's docstring)
        from gtts import gTTS, gTTSError

        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff_seconds * 2 ** (attempt - 1))
            buffer = io.BytesIO()
            try:
                gTTS(
                    phrase,
                    lang="vi",
                    tld=self.tld,
                    slow=slow,
                    lang_check=False,  # the language list is fixed; checking it needs no call
                    pre_processor_funcs=[],  # its English abbreviation rules do not apply here
                    timeout=self.timeout_seconds,
                ).write_to_fp(buffer)
            except (gTTSError, requests.RequestException) as exc:
                problem = str(exc)
                continue
            except ValueError as exc:  # undecodable text or base64: gTTS lets these through
                problem = f"máy chủ trả lời không đúng định dạng ({exc})"
                continue
            if buffer.getbuffer().nbytes:
                return buffer.getvalue()
            problem = "máy chủ trả lời nhưng không có âm thanh"
        raise SynthesisError(f"gTTS thất bại sau {self.retries + 1} lần thử: {problem}")


FACTS = EngineFacts(name="gtts", online=True, voices=(), settings=GttsSettings, build=GttsEngine)
