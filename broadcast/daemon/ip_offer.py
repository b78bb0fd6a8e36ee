"""What the station's audio server offers its clusters (``sinks.ip.audio_server``): exactly the
files the published plans name and those of the bulletins sent in the last
``BULLETIN_SERVED``, set whole each time, under a lock of its own that never waits for a plan
pass (a bulletin is urgent)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime, timedelta

from broadcast.daemon.ip_plan import ClusterAudio
from broadcast.sinks.ip.audio_server import AudioServer

BULLETIN_SERVED = timedelta(minutes=30)  # a bulletin's audio stays fetchable this long


class OfferedAudio:
    def __init__(self, server: AudioServer, audio_files: ClusterAudio):
        self._server = server
        self._audio_files = audio_files
        self._lock = threading.Lock()
        self._plan_files: set[str] = set()
        self._bulletins: dict[str, datetime] = {}  # sha256 → when it was sent

    def add_plan_files(self, files: Iterable[str], now: datetime) -> None:
        """Files of plans about to go out: served BEFORE the plans naming them leave (a
        cluster fetches at once, and a 404 sends it into a long backoff)."""
        with self._lock:
            self._plan_files |= set(files)
            self._offer(now)

    def plan_files(self, files: Iterable[str], now: datetime) -> None:
        """Exactly the files the published plans name now (the others are no longer served)."""
        with self._lock:
            self._plan_files = set(files)
            self._offer(now)

    def bulletin(self, sha256: str, now: datetime) -> None:
        with self._lock:
            self._bulletins[sha256] = now
            self._offer(now)

    def _offer(self, now: datetime) -> None:
        self._bulletins = {
            sha: at for sha, at in self._bulletins.items() if now - at < BULLETIN_SERVED
        }
        wanted = self._plan_files | set(self._bulletins)
        files = {sha: self._audio_files.file(sha) for sha in wanted}
        self._server.offer({sha: path for sha, path in files.items() if path is not None})
