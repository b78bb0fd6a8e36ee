"""The audio the plan needs, fetched in the order it will play, retried until it is there.

One thread per receiver. A failed fetch is retried with a growing pause (the 4G link comes
back by itself); a full disk is a lasting problem in the heartbeat and one event, cleared once
a fetch succeeds again. The cache keeps only what the current plan still needs.

An urgent bulletin's audio may come pushed on the ward's audio topic just before its ``now``
(``PushedAudio``): held in memory, its hash checked, and written to the cache only when a
signed ``now`` names it; otherwise it is fetched by hash like any other.
"""

from __future__ import annotations

import hashlib
import logging
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path

from broadcast.clusters.messages import AudioRef
from broadcast.receiver.fetch import (
    BAD_AUDIO,
    DISK_FULL,
    TLS_UNTRUSTED,
    AudioCache,
    FetchProblem,
    fetch_audio,
    keep_pushed,
)
from broadcast.receiver.uplink import Uplink
from broadcast.receiver.worker import Worker

logger = logging.getLogger("broadcast.receiver")

RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 60.0
URGENT_RETRY_FIRST_SECONDS = 0.2  # a bulletin is urgent: its first retry comes fast
URGENT_RETRY_MAX_SECONDS = 5.0
# Problems that last until someone acts: said in the heartbeat (and once as an event) until a
# fetch succeeds again.
LASTING = (DISK_FULL, BAD_AUDIO, TLS_UNTRUSTED)
IDLE_SECONDS = 30.0  # with everything cached: look again this often (a file removed by hand)
PUSHED_HELD = 2  # pushed files held in memory (a bulletin's ``now`` follows its audio at once)


class PushedAudio:
    """The newest files the station pushed, by hash, until a ``now`` takes one."""

    def __init__(self) -> None:
        self._held: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def offer(self, sha256: str, data: bytes) -> bool:
        """Hold ``data`` if it is the file ``sha256`` names; ``False`` (not held) if not."""
        if hashlib.sha256(data).hexdigest() != sha256:
            return False
        with self._lock:
            self._held[sha256] = data
            self._held.move_to_end(sha256)
            while len(self._held) > PUSHED_HELD:
                self._held.popitem(last=False)
        return True

    def take(self, ref: AudioRef) -> bytes | None:
        with self._lock:
            data = self._held.pop(ref.sha256, None)
        return data if data is not None and len(data) == ref.bytes else None


class Downloader(Worker):
    thread_name = "receiver-fetch"

    def __init__(
        self,
        audio_url: str,
        cache: AudioCache,
        uplink: Uplink,
        *,
        retry_max: float = RETRY_MAX_SECONDS,
        tls: ssl.SSLContext | None = None,
    ):
        super().__init__()
        self.audio_url = audio_url
        self.tls = tls
        self.cache = cache
        self.uplink = uplink
        self.retry_max = retry_max
        self.pushed = PushedAudio()
        self.idle = threading.Event()  # everything wanted is in the cache
        self._wanted: list[AudioRef] = []
        self._lock = threading.Lock()

    def want(self, refs: Sequence[AudioRef]) -> None:
        """Fetch ``refs`` (soonest needed first); the cache drops anything else."""
        unique = list(dict.fromkeys(refs))
        with self._lock:  # with ``idle`` under the same lock as the list it speaks of
            self._wanted = unique
            self.idle.clear()
        self.cache.keep_only({ref.sha256 for ref in unique})
        self._wake.set()

    def fetch_now(self, ref: AudioRef, *, seconds: float = 0.0) -> Path:
        """An urgent file (a bulletin's), fetched in the caller's thread, tried again with a
        short pause for up to ``seconds`` (a bulletin stays valid a few minutes, and a 4G
        hiccup or a busy station should not lose it); ``FetchProblem`` when it never came.
        A copy the station pushed is used first, with no fetch."""
        pushed = self.pushed.take(ref)
        if pushed is not None and not self.cache.has(ref.sha256):
            try:
                return self._reporting(lambda: keep_pushed(self.cache, ref.sha256, pushed))
            except FetchProblem:
                pass  # a full disk, said in the heartbeat: the fetch below tries (and says) again
        deadline = time.monotonic() + seconds
        pause = URGENT_RETRY_FIRST_SECONDS
        while True:
            try:
                return self._fetch(ref)
            except FetchProblem as exc:
                left = deadline - time.monotonic()
                if left <= 0 or self._stopping.is_set():
                    raise
                logger.warning(
                    "chưa tải được âm thanh bản tin: %s; thử lại sau %.1f giây",
                    exc.message,
                    min(pause, left),
                    extra={"event": "urgent_fetch_failed", "code": exc.code},
                )
                if self._stopping.wait(min(pause, left)):
                    raise
                pause = min(pause * 2, URGENT_RETRY_MAX_SECONDS)

    def _fetch(self, ref: AudioRef) -> Path:
        return self._reporting(lambda: fetch_audio(self.audio_url, ref, self.cache, tls=self.tls))

    def _reporting(self, keep: Callable[[], Path]) -> Path:
        """``keep()``, its lasting problem said in the heartbeat, or cleared once it worked."""
        try:
            path = keep()
        except FetchProblem as exc:
            if exc.code in LASTING:
                self.uplink.problem(exc.code, exc.message)
            raise
        for code in LASTING:
            self.uplink.solved(code)
        return path

    def _run(self) -> None:
        pause = RETRY_FIRST_SECONDS
        while not self._stopping.is_set():
            with self._lock:  # a ``want`` between the look and the ``set`` would be lost
                missing = [ref for ref in self._wanted if not self.cache.has(ref.sha256)]
                if not missing:
                    self.idle.set()
            if not missing:
                pause = RETRY_FIRST_SECONDS
                self._sleep(IDLE_SECONDS)
                continue
            try:
                for ref in missing:
                    if self._stopping.is_set() or self._wake.is_set():
                        break  # a new plan: start again from its soonest entry
                    self._fetch(ref)
                pause = RETRY_FIRST_SECONDS
            except FetchProblem as exc:
                logger.warning(
                    "chưa tải được âm thanh: %s; thử lại sau %.0f giây",
                    exc.message,
                    pause,
                    extra={"event": "fetch_failed", "code": exc.code},
                )
                self._sleep(pause)
                pause = min(pause * 2, self.retry_max)
            self._wake.clear()

    def _sleep(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()
