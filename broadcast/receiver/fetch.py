"""Audio by hash: fetched over HTTP from the station, checked, kept in a content-addressed cache.

``GET {audio_url}/audio/{sha256}``; a download cut by the 4G link goes on from where it
stopped (``Range`` from the ``.part`` file) the next time. A file enters the cache only once
its length and sha256 match what the plan said, by a rename: the cache never holds a file
that is short, altered or cut by a full disk. A full disk is its own problem
(``FetchProblem.code == "disk_full"``), reported by the caller in the heartbeat and as an event.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import http.client
import os
import shutil
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from broadcast.audio.wavfile import read_pcm16
from broadcast.clusters.messages import AudioRef
from broadcast.receiver.tls import UNTRUSTED_HINT, untrusted

CHUNK_BYTES = 64 * 1024
TIMEOUT_SECONDS = 30.0
PART_SUFFIX = ".part"
AUDIO_SUFFIX = ".wav"

DISK_FULL = "disk_full"
NOT_FOUND = "not_found"
BAD_AUDIO = "bad_audio"
NETWORK = "network"
TLS_UNTRUSTED = "tls_untrusted"  # an https:// server whose certificate no trusted CA signed


class FetchProblem(Exception):
    """Why an audio file is not in the cache yet (``code``: a key; ``message``: Vietnamese)."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


@dataclass(frozen=True)
class CacheSize:
    items: int
    bytes: int


class AudioCache:
    """``<folder>/<sha256>.wav``: files whose name is their content's hash."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, sha256: str) -> Path:
        return self.folder / f"{sha256}{AUDIO_SUFFIX}"

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def load(self, sha256: str) -> np.ndarray | None:
        """The samples (int16, 48 kHz mono), ``None`` if absent or not a WAV of ours."""
        return read_pcm16(self.path(sha256))

    def size(self) -> CacheSize:
        files = list(self.folder.glob(f"*{AUDIO_SUFFIX}")) if self.folder.is_dir() else []
        total = 0
        for file in files:
            with contextlib.suppress(OSError):
                total += file.stat().st_size
        return CacheSize(len(files), total)

    def keep_only(self, needed: set[str]) -> int:
        """Drop files (and unfinished downloads) no entry of the coming hours needs; returns
        how many were dropped."""
        if not self.folder.is_dir():
            return 0
        dropped = 0
        for file in self.folder.iterdir():
            sha = file.name.split(".", 1)[0]
            if file.suffix in (AUDIO_SUFFIX, PART_SUFFIX) and sha not in needed:
                with contextlib.suppress(OSError):
                    file.unlink()
                    dropped += 1
        return dropped


def fetch_audio(
    audio_url: str,
    ref: AudioRef,
    cache: AudioCache,
    timeout: float = TIMEOUT_SECONDS,
    tls: ssl.SSLContext | None = None,
) -> Path:
    """The cached file of ``ref``, downloaded (or resumed) first if needed; ``FetchProblem``.
    ``tls``: how an ``https://`` server's certificate is checked (``None``: the system's)."""
    final = cache.path(ref.sha256)
    if final.is_file():
        return final
    cache.folder.mkdir(parents=True, exist_ok=True)
    part = cache.folder / f"{ref.sha256}{PART_SUFFIX}"
    have = part.stat().st_size if part.exists() else 0
    if have >= ref.bytes:  # a whole file that failed its check before, or longer: start over
        part.unlink()
        have = 0
    request = urllib.request.Request(f"{audio_url}/audio/{ref.sha256}")
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        with _opener(tls).open(request, timeout=timeout) as response:
            resumed = response.status == 206
            _receive(response, part, append=resumed and have > 0)
    except urllib.error.HTTPError as exc:
        if exc.code == 416:  # the range starts at the end: the part is whole, check it
            pass
        elif exc.code == 404:
            raise FetchProblem(NOT_FOUND, f"đài không có tệp âm thanh {ref.sha256[:12]}") from exc
        else:
            raise FetchProblem(NETWORK, f"đài trả lời lỗi HTTP {exc.code}") from exc
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise _disk_full(cache) from exc
        refused = untrusted(exc)
        if refused is not None:
            why = refused.verify_message or refused.reason
            message = f"chứng chỉ TLS của {audio_url} không được tin cậy ({why}); {UNTRUSTED_HINT}"
            raise FetchProblem(TLS_UNTRUSTED, message) from exc
        raise FetchProblem(NETWORK, f"không tải được âm thanh từ đài ({exc})") from exc
    except http.client.HTTPException as exc:  # the link dropped mid-body (IncompleteRead)
        raise FetchProblem(NETWORK, f"tải âm thanh bị ngắt ({exc!r})") from exc
    _check_and_keep(part, final, ref)
    return final


@functools.lru_cache(maxsize=4)
def _opener(tls: ssl.SSLContext | None) -> urllib.request.OpenerDirector:
    """One opener per TLS context: ``urlopen`` with a context builds a new one at each call,
    reading every environment variable for proxies (~0.6 ms a fetch, 2,000 at a bulletin on
    the bench)."""
    handlers = [] if tls is None else [urllib.request.HTTPSHandler(context=tls)]
    return urllib.request.build_opener(*handlers)


def _receive(response: http.client.HTTPResponse, part: Path, append: bool) -> None:
    """Write the body to ``part`` unbuffered: a full disk leaves a correct beginning only."""
    read = response.read
    with open(part, "ab" if append else "wb", buffering=0) as handle:
        while chunk := read(CHUNK_BYTES):
            _write_all(handle, chunk)
        os.fsync(handle.fileno())


def _write_all(handle: BinaryIO, data: bytes) -> None:
    """An unbuffered write may take part of ``data``: the rest follows."""
    view = memoryview(data)
    while view:
        view = view[handle.write(view) :]


def _check_and_keep(part: Path, final: Path, ref: AudioRef) -> None:
    size = part.stat().st_size if part.exists() else 0
    if size < ref.bytes:  # the link dropped mid-body: the rest comes next time
        raise FetchProblem(NETWORK, f"tải âm thanh bị ngắt ({size}/{ref.bytes} byte)")
    with open(part, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    if size != ref.bytes or digest != ref.sha256:
        part.unlink()
        raise FetchProblem(BAD_AUDIO, f"tệp âm thanh tải về sai mã băm ({digest[:12]}), đã xóa")
    os.replace(part, final)  # whole and checked: only now in the cache


def keep_pushed(cache: AudioCache, sha256: str, data: bytes) -> Path:
    """Bytes whose hash was checked (pushed by the station) into the cache, as a fetch would
    leave them: written whole and synced before the rename; ``FetchProblem`` if the disk is
    full."""
    final = cache.path(sha256)
    part = cache.folder / f"{sha256}{PART_SUFFIX}"
    try:
        cache.folder.mkdir(parents=True, exist_ok=True)
        with open(part, "wb", buffering=0) as handle:
            _write_all(handle, data)
            os.fsync(handle.fileno())
    except OSError as exc:
        with contextlib.suppress(OSError):
            part.unlink()
        if exc.errno == errno.ENOSPC:
            raise _disk_full(cache) from exc
        raise FetchProblem(NETWORK, f"không lưu được âm thanh ({exc})") from exc
    os.replace(part, final)
    return final


def _disk_full(cache: AudioCache) -> FetchProblem:
    return FetchProblem(DISK_FULL, f"đĩa đầy, không lưu được âm thanh vào {cache.folder}")


def free_bytes(folder: Path) -> int | None:
    """Free space for this user where ``folder`` is (its nearest existing parent)."""
    existing = folder
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    try:
        return shutil.disk_usage(existing).free
    except OSError:
        return None
