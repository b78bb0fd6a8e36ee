"""Reading newline-terminated messages from a socket with a size limit and a deadline.

``socket.makefile().readline()`` would do, except that its timeout restarts with every byte: a
client trickling one byte a second would hold its connection forever. Here the whole line must
arrive within ``timeout`` seconds, and no more than ``limit`` bytes are ever kept.
"""

from __future__ import annotations

import socket
import time

_CHUNK_BYTES = 16 * 1024


class LineTooLong(Exception):
    """More than ``limit`` bytes arrived without a newline."""


class LineReader:
    def __init__(self, connection: socket.socket, limit: int, pending: bytes = b"") -> None:
        """``pending``: bytes already read from ``connection`` (e.g. behind a handshake)."""
        self._connection = connection
        self._limit = limit
        self._buffer = bytearray(pending)

    def read_line(self, timeout: float) -> bytes | None:
        """The next line without its ``\\n``; ``None`` at end of stream with nothing pending.

        Raises ``TimeoutError`` when the line is not complete in time and ``LineTooLong`` as
        soon as the limit is passed, before the rest of the line is read.
        """
        deadline = time.monotonic() + timeout
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 1]
                if len(line) > self._limit:
                    raise LineTooLong
                return line
            if len(self._buffer) > self._limit:
                raise LineTooLong
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            self._connection.settimeout(remaining)
            chunk = self._connection.recv(min(_CHUNK_BYTES, self._limit + 1 - len(self._buffer)))
            if not chunk:
                # The peer finished writing; a last line without its newline still counts.
                line, self._buffer = bytes(self._buffer), bytearray()
                return line or None
            self._buffer += chunk
