"""The station's audio for its clusters, over HTTP: ``GET /audio/<sha256>``, by hash only.

The server hands out exactly the files the published plans and bulletins name (``offer``), each
under its content's sha256: a request names a hash, never a path, so nothing else on the disk
can be reached. ``Range`` requests are answered ``206`` (a 4G download cut half-way resumes
where it stopped), ``HEAD`` tells the size. Standard library only (``ThreadingHTTPServer``).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

logger = logging.getLogger("broadcast.clusters")

_AUDIO_PATH = re.compile(r"^/audio/([0-9a-f]{64})$")
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
# A plan or a bulletin reaches every cluster at once: hundreds of them connect together. The
# standard listen queue (5) drops the rest (the 2,000-cluster bench lost a third of them).
LISTEN_QUEUE = 1024


class _AudioHTTPServer(ThreadingHTTPServer):
    request_queue_size = LISTEN_QUEUE
    daemon_threads = True  # a download never keeps the daemon from stopping


class AudioServer:
    """Serves the offered files on ``host:port`` (port 0: any free one, see ``port``)."""

    def __init__(self, host: str, port: int):
        self._files: dict[str, Path] = {}
        self._lock = threading.Lock()
        self._server = _AudioHTTPServer((host, port), _handler_for(self))
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def offer(self, files: Mapping[str, Path]) -> None:
        """From now on serve these files (by sha256) and no others."""
        with self._lock:
            self._files = dict(files)

    def add(self, sha256: str, path: Path) -> None:
        with self._lock:
            self._files = {**self._files, sha256: path}

    def offered(self) -> dict[str, Path]:
        with self._lock:
            return dict(self._files)

    def path_of(self, sha256: str) -> Path | None:
        with self._lock:
            return self._files.get(sha256)

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},  # how soon ``stop`` is heard
            name="cluster-audio",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()


def _handler_for(server: AudioServer) -> type[BaseHTTPRequestHandler]:
    class AudioHandler(BaseHTTPRequestHandler):
        server_version = "loa-phuong-audio/1"

        def do_GET(self) -> None:
            self._answer(body=True)

        def do_HEAD(self) -> None:
            self._answer(body=False)

        def _answer(self, *, body: bool) -> None:
            match = _AUDIO_PATH.fullmatch(self.path)
            path = server.path_of(match.group(1)) if match else None
            try:
                size = path.stat().st_size if path is not None else None
            except OSError:
                size = None
            if path is None or size is None:
                self.send_error(HTTPStatus.NOT_FOUND, "no such audio")
                return
            first, last = 0, size - 1
            status = HTTPStatus.OK
            wanted = self.headers.get("Range")
            if wanted:
                parsed = _byte_range(wanted, size)
                if parsed is None:
                    self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                first, last = parsed
                status = HTTPStatus.PARTIAL_CONTENT
            self.send_response(status)
            self.send_header("Content-Type", "audio/wav")
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(last - first + 1))
            if status is HTTPStatus.PARTIAL_CONTENT:
                self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
            self.end_headers()
            if body:
                self._send(path, first, last - first + 1)

        def _send(self, path: Path, start: int, length: int) -> None:
            try:
                with path.open("rb") as source:
                    # the kernel copies the file to the socket (os.sendfile; a send() loop
                    # where there is none, or over TLS): no Python between its bytes, so
                    # 2,000 clusters fetching one bulletin do not queue on the GIL
                    self.wfile.flush()
                    self.connection.sendfile(source, start, length)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the cluster hung up (4G); it resumes with a Range request

        def log_message(self, format: str, *args: object) -> None:
            logger.debug("audio %s " + format, self.address_string(), *args)

    return AudioHandler


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """``(first, last)`` of one ``bytes=`` range within ``size``; ``None`` if unsatisfiable."""
    match = _RANGE.fullmatch(header.strip())
    if match is None or (not match.group(1) and not match.group(2)):
        return None
    if not match.group(1):  # the last N bytes
        tail = int(match.group(2))
        return (max(0, size - tail), size - 1) if tail > 0 and size > 0 else None
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) else size - 1
    if first >= size or last < first:
        return None
    return first, min(last, size - 1)
