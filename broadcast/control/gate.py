"""Connections that have not proven the token yet: accepted, challenged and timed out on one
thread, with no thread and no command slot of their own.

Any local user can connect. Forty idle connections once held every slot commands are served
from, and every emergency was refused. Here an unproven connection costs a socket and a few
bytes: it must finish the handshake (``handshake.py``) within ``auth_timeout`` seconds or it
is closed, and when ``max_unproven`` are waiting the oldest is closed for the newcomer (the
token holder finishes in a millisecond). Only a connection that has proven itself is handed to
``admit``, which serves it from the command slots.
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from broadcast.control.handshake import (
    Nonces,
    challenge_line,
    new_nonce,
    parse_hello,
    parse_proof,
    same_proof,
)
from broadcast.control.protocol import ErrorCode, RequestRefused, encode_line, failure
from broadcast.control.refusals import RefusalLog

AUTH_TIMEOUT_SECONDS = 3.0  # from connecting to a proven token; the real client needs ~1 ms
MAX_UNPROVEN = 128  # waiting at once; each is one file descriptor
_LINE_BYTES = 1024  # a hello or a proof line is under 100 bytes
_READ_BYTES = 4096
_ACCEPTS_PER_ROUND = 64  # then the connections already waiting get their turn
# After refusing, read what the client still sends for a moment before closing: closing with
# unread input makes the kernel reset the connection, which can destroy the answer in flight.
DRAIN_SECONDS = 0.5
DRAIN_BYTES = 1024 * 1024

log = logging.getLogger(__name__)

# Takes over a proven connection (blocking again) with the bytes already read past the proof.
Admit = Callable[[socket.socket, str, bytes], None]


@dataclass(eq=False)
class _Unproven:
    connection: socket.socket
    peer: str
    deadline: float  # monotonic: for the handshake, or for draining once refused
    buffer: bytearray = field(default_factory=bytearray)
    nonces: Nonces | None = None  # set once the hello is answered
    drained: int | None = None  # set once refused: bytes read since, until end or deadline


class Gate:
    def __init__(
        self,
        listener: socket.socket,
        token: str,
        token_source: str,
        admit: Admit,
        refusals: RefusalLog,
        *,
        auth_timeout: float = AUTH_TIMEOUT_SECONDS,
        max_unproven: int = MAX_UNPROVEN,
    ) -> None:
        self._listener = listener
        self._token = token
        self._token_source = token_source
        self._admit = admit
        self._refusals = refusals
        self._auth_timeout = auth_timeout
        self._max_unproven = max_unproven
        self._unproven: dict[socket.socket, _Unproven] = {}  # oldest first
        self._selector = selectors.DefaultSelector()
        # stop() writes a byte here: the loop sleeps with no time-out while nothing waits, so
        # an idle daemon is never woken for nothing and a stop is noticed at once.
        self._wake_reader, self._wake_writer = socket.socketpair()

    def run(self) -> None:
        """Accept and challenge until ``wake``; then close whatever is still unproven."""
        self._selector.register(self._listener, selectors.EVENT_READ)
        self._selector.register(self._wake_reader, selectors.EVENT_READ)
        try:
            while True:
                for key, _ in self._selector.select(self._sleep()):
                    if key.fileobj is self._wake_reader:
                        return
                    if key.fileobj is self._listener:
                        self._accept()
                    else:
                        self._serve(key.data)
                self._expire()
                self._refusals.flush_due()
        finally:
            for waiting in list(self._unproven.values()):
                self._drop(waiting)
            self._selector.close()

    def wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"\0")

    def close(self) -> None:
        self._wake_reader.close()
        self._wake_writer.close()

    def _serve(self, waiting: _Unproven) -> None:
        if self._unproven.get(waiting.connection) is not waiting:
            return  # evicted by a newcomer since select() saw it
        try:
            self._read(waiting)
        except Exception:  # one connection's bug must not close the channel to all
            log.exception("control_connection_failed", extra={"peer": waiting.peer})
            if self._unproven.get(waiting.connection) is waiting:
                self._drop(waiting)

    def _sleep(self) -> float | None:
        """Until the next deadline or due summary; ``None`` (forever) when nothing waits."""
        moments = [waiting.deadline for waiting in self._unproven.values()]
        if (due := self._refusals.due()) is not None:
            moments.append(due)
        return max(0.0, min(moments) - time.monotonic()) if moments else None

    def _accept(self) -> None:
        for _ in range(_ACCEPTS_PER_ROUND):
            try:
                connection, address = self._listener.accept()
            except BlockingIOError:
                return
            except OSError:  # out of file descriptors: the oldest waiting one makes room
                if self._unproven:
                    self._evict(next(iter(self._unproven.values())))
                else:
                    time.sleep(0.05)  # none of ours to close: do not spin meanwhile
                return
            connection.setblocking(False)
            if len(self._unproven) >= self._max_unproven:
                self._evict(next(iter(self._unproven.values())))
            waiting = _Unproven(
                connection, f"{address[0]}:{address[1]}", time.monotonic() + self._auth_timeout
            )
            self._unproven[connection] = waiting
            self._selector.register(connection, selectors.EVENT_READ, waiting)

    def _read(self, waiting: _Unproven) -> None:
        try:
            chunk = waiting.connection.recv(_READ_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._drop(waiting)
            return
        if waiting.drained is not None:
            waiting.drained += len(chunk)
            if not chunk or waiting.drained > DRAIN_BYTES:
                self._drop(waiting)
        elif not chunk:
            self._drop(waiting)  # gone before proving anything
        else:
            waiting.buffer += chunk
            self._advance(waiting)

    def _advance(self, waiting: _Unproven) -> None:
        """Answer the hello, then check the proof and hand the connection over."""
        while (end := waiting.buffer.find(b"\n")) >= 0 or len(waiting.buffer) > _LINE_BYTES:
            if end < 0 or end > _LINE_BYTES:
                self._refuse(waiting, _too_large())
                return
            line = bytes(waiting.buffer[:end])
            del waiting.buffer[: end + 1]
            try:
                if waiting.nonces is None:
                    waiting.nonces = Nonces(parse_hello(line), new_nonce())
                    if not self._send(waiting, challenge_line(waiting.nonces, self._token)):
                        self._drop(waiting)
                        return
                    continue
                proof = parse_proof(line)
            except RequestRefused as refused:
                self._refuse(waiting, refused)
                return
            if not same_proof(proof, waiting.nonces.client_proof(self._token)):
                self._refuse(waiting, self._wrong_token())
                return
            self._forget(waiting)
            waiting.connection.setblocking(True)
            self._admit(waiting.connection, waiting.peer, bytes(waiting.buffer))
            return

    def _wrong_token(self) -> RequestRefused:
        return RequestRefused(
            ErrorCode.UNAUTHORIZED,
            f"mã xác thực (token) sai; lệnh phải đọc tệp {self._token_source} của daemon đang chạy",
        )

    def _expire(self) -> None:
        now = time.monotonic()
        for waiting in [w for w in self._unproven.values() if w.deadline <= now]:
            if waiting.drained is not None:
                self._drop(waiting)
            else:
                self._refuse(
                    waiting,
                    RequestRefused(
                        ErrorCode.TIMEOUT,
                        f"không xác thực xong trong {self._auth_timeout:g} giây",
                    ),
                )

    def _refuse(self, waiting: _Unproven, refusal: RequestRefused) -> None:
        """Answer, stop writing, and read what is still coming for a moment before closing."""
        self._refusals.note(refusal.code.value, waiting.peer, refusal.message)
        if not self._send(waiting, encode_line(failure(refusal))):
            self._drop(waiting)
            return
        try:
            waiting.connection.shutdown(socket.SHUT_WR)
        except OSError:
            self._drop(waiting)
            return
        waiting.buffer.clear()
        waiting.drained = 0
        waiting.deadline = time.monotonic() + DRAIN_SECONDS

    def _evict(self, oldest: _Unproven) -> None:
        if oldest.drained is None:  # one already refused has been counted
            self._refusals.note(
                ErrorCode.BUSY.value, oldest.peer, "quá nhiều kết nối chưa xác thực"
            )
        self._drop(oldest)

    @staticmethod
    def _send(waiting: _Unproven, data: bytes) -> bool:
        """All of ``data`` at once or nothing: a line this short fits any socket's buffer."""
        try:
            return waiting.connection.send(data) == len(data)
        except OSError:
            return False

    def _forget(self, waiting: _Unproven) -> None:
        del self._unproven[waiting.connection]
        self._selector.unregister(waiting.connection)

    def _drop(self, waiting: _Unproven) -> None:
        self._forget(waiting)
        waiting.connection.close()


def _too_large() -> RequestRefused:
    return RequestRefused(
        ErrorCode.REQUEST_TOO_LARGE,
        f"yêu cầu quá lớn trước khi xác thực (tối đa {_LINE_BYTES} byte một dòng)",
    )
