"""The daemon's side of the control channel: a small TCP server on 127.0.0.1.

A connection first proves the token (``handshake.py``) on the accepting thread (``gate.py``),
which keeps unproven connections apart: idle ones from any local user cannot take the slots
commands are served from. A proven connection gets its own thread, so a slow client delays
nobody else; every line must arrive within ``request_timeout`` seconds. Command handlers run
side by side and guard their own state: an emergency never waits behind a long bulletin's
speech being made, nor behind a reload (issue 14). Nothing a client
sends can raise out of a connection thread: every failure becomes an error response, or the
connection is closed. Refusals are logged at most once a minute (``refusals.py``).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from types import TracebackType

from broadcast.control.commands import Handler
from broadcast.control.endpoint import (
    Endpoint,
    create_token,
    endpoint_file,
    remove_endpoint,
    require_loopback,
    token_file,
    write_endpoint,
)
from broadcast.control.gate import (
    AUTH_TIMEOUT_SECONDS,
    DRAIN_BYTES,
    DRAIN_SECONDS,
    MAX_UNPROVEN,
    Gate,
)
from broadcast.control.lines import LineReader, LineTooLong
from broadcast.control.protocol import (
    MAX_REQUEST_BYTES,
    ErrorCode,
    RequestRefused,
    encode_line,
    failure,
    parse_request,
    success,
)
from broadcast.control.refusals import RefusalLog
from broadcast.diagnostics import Diagnostic, InputError
from broadcast.paths import ProjectPaths

LOOPBACK_HOST = "127.0.0.1"
REQUEST_TIMEOUT_SECONDS = 10.0
MAX_CONNECTIONS = 32  # proven connections: a web page and a few commands
_SEND_TIMEOUT_SECONDS = 5.0
_BUSY_SEND_SECONDS = 0.2
# socket.listen()'s default backlog drops connection attempts from a burst of clients, which
# then wait a full second for the kernel to retry.
_BACKLOG = 128

log = logging.getLogger(__name__)
# Each proven connection is served on a thread of its own, and its handlers run there: the
# peer of the request being answered, for a handler that records where a request came from.
_serving = threading.local()


def request_peer() -> str | None:
    """The address (``host:port``) of the client whose request this thread is answering."""
    return getattr(_serving, "peer", None)


class ControlStartError(Exception):
    """The channel cannot listen at all; the message is Vietnamese, for the log."""


class ControlServer:
    """Serves ``handlers`` (command name → function of the request's ``args``) to local clients.

    A handler returns a JSON-ready mapping; raising ``InputError`` answers ``invalid_input`` with
    its diagnostics, raising anything else answers ``handler_failed`` and logs the traceback.
    """

    def __init__(
        self,
        paths: ProjectPaths,
        handlers: Mapping[str, Handler],
        port: int = 0,
        *,
        host: str = LOOPBACK_HOST,
        request_timeout: float = REQUEST_TIMEOUT_SECONDS,
        max_connections: int = MAX_CONNECTIONS,
        auth_timeout: float = AUTH_TIMEOUT_SECONDS,
        max_unproven: int = MAX_UNPROVEN,
    ) -> None:
        require_loopback(host)
        if not 0 <= port <= 65535:
            raise ValueError(f"cổng điều khiển {port} không hợp lệ (0–65535; 0 để hệ thống chọn)")
        self._paths = paths
        self._handlers = dict(handlers)
        self._host = host
        self._port = port
        self._request_timeout = request_timeout
        self._max_connections = max_connections
        self._auth_timeout = auth_timeout
        self._max_unproven = max_unproven
        self._token_source = paths.relative(token_file(paths))
        self._refusals = RefusalLog()
        self._listener: socket.socket | None = None
        self._gate: Gate | None = None
        self._serving: threading.Thread | None = None
        self._endpoint: Endpoint | None = None
        self._open_lock = threading.Lock()
        self._open: dict[socket.socket, threading.Thread] = {}
        self._stopping = False
        self.port_notice: str | None = None  # why it listens elsewhere than asked (Vietnamese)

    @property
    def address(self) -> tuple[str, int]:
        if self._listener is None:
            raise RuntimeError("control server not started")
        host, port = self._listener.getsockname()[:2]
        return str(host), int(port)

    @property
    def endpoint(self) -> Endpoint | None:
        """What ``control.json`` says while the server runs."""
        return self._endpoint

    def start(self) -> None:
        """Listen, then publish a fresh token and ``control.json`` so clients can find us.

        A fixed port that cannot be had (another program holds it) must not keep the station
        off the air: the channel listens on a port the system chooses, ``control.json`` says
        which, and ``port_notice`` says why."""
        if self._listener is not None:
            raise RuntimeError("control server already started")
        self._listener = self._listen()
        self._stopping = False
        host, port = self.address
        try:
            token = create_token(self._paths)
            self._endpoint = write_endpoint(self._paths, host, port)
        except OSError as exc:  # e.g. the data folder is read-only
            self._listener.close()
            self._listener = None
            raise ControlStartError(
                f"không ghi được tệp của kênh điều khiển vào {self._paths.data_dir}: "
                f"{exc.strerror or exc}"
            ) from exc
        self._gate = Gate(
            self._listener,
            token,
            self._token_source,
            self._admit,
            self._refusals,
            auth_timeout=self._auth_timeout,
            max_unproven=self._max_unproven,
        )
        self._serving = threading.Thread(target=self._gate.run, name="control-server", daemon=True)
        self._serving.start()
        log.info("kênh điều khiển mở ở %s:%d", host, port, extra={"event": "control_listening"})

    def _listen(self) -> socket.socket:
        try:
            return _listener(self._host, self._port)
        except OSError as exc:
            if self._port == 0:
                raise ControlStartError(
                    f"không mở được kênh điều khiển {self._host}:{self._port}: "
                    f"{exc.strerror or exc}"
                ) from exc
            refused = exc
        listener = self._listen_anywhere(refused)
        port = listener.getsockname()[1]
        why = (
            "đang bị chương trình khác dùng"
            if refused.errno == errno.EADDRINUSE
            else f"không mở được ({refused.strerror or refused})"
        )
        self.port_notice = (
            f"cổng điều khiển {self._port} {why}; kênh điều khiển mở ở cổng {port} thay thế "
            f"(các lệnh tự tìm qua {self._paths.relative(endpoint_file(self._paths))}); "
            f"hãy giải phóng cổng {self._port} hoặc chọn cổng khác cho --port"
        )
        return listener

    def _listen_anywhere(self, refused: OSError) -> socket.socket:
        try:
            return _listener(self._host, 0)
        except OSError as exc:
            raise ControlStartError(
                f"không mở được kênh điều khiển {self._host}:{self._port} "
                f"({refused.strerror or refused}) hay ở cổng nào khác: {exc.strerror or exc}"
            ) from exc

    def stop(self, timeout: float = 2.0) -> None:
        """Stop accepting, end open connections, wait up to ``timeout`` s, remove the files."""
        if self._listener is None:
            return
        deadline = time.monotonic() + timeout
        with self._open_lock:
            self._stopping = True
        if self._gate is not None:
            self._gate.wake()
        if self._serving is not None:
            self._serving.join(max(0.0, deadline - time.monotonic()))
        if self._gate is not None:
            self._gate.close()
        self._listener.close()
        with self._open_lock:
            open_now = dict(self._open)
        for connection in open_now:
            # Wakes a thread blocked in recv(): it sees end of stream. OSError: already closed.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for thread in open_now.values():
            thread.join(max(0.0, deadline - time.monotonic()))
        if self._endpoint is not None:
            remove_endpoint(self._paths, self._endpoint)
        self._refusals.flush_all()
        log.info(
            "control_stopped", extra={"unfinished": sum(t.is_alive() for t in open_now.values())}
        )
        self._listener = self._gate = self._serving = self._endpoint = None

    def __enter__(self) -> ControlServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- a proven connection, on its own thread ----------------------------------------------

    def _admit(self, connection: socket.socket, peer: str, pending: bytes) -> None:
        """Serve a connection that has proven the token, from a slot of its own if one is free.

        Called on the accepting thread, so a refusal must never wait long."""
        thread = threading.Thread(
            target=self._serve, args=(connection, peer, pending), name="control-connection"
        )
        thread.daemon = True
        with self._open_lock:
            stopping, busy = self._stopping, len(self._open) >= self._max_connections
            if not stopping and not busy:
                self._open[connection] = thread
        if not stopping and not busy:
            try:
                thread.start()
                return
            except RuntimeError:  # no thread to be had: as good as busy
                with self._open_lock:
                    self._open.pop(connection, None)
                busy = True
        if busy:
            self._refuse_busy(connection, peer)
        connection.close()

    def _serve(self, connection: socket.socket, peer: str, pending: bytes) -> None:
        _serving.peer = peer
        try:
            self._converse(connection, peer, pending)
        except Exception:  # a bug here must not end the thread silently
            log.exception("control_connection_failed", extra={"peer": peer})
        finally:
            with self._open_lock:
                self._open.pop(connection, None)
            connection.close()

    def _converse(self, connection: socket.socket, peer: str, pending: bytes) -> None:
        """Answer line after line until the client leaves or a protocol error ends it."""
        reader = LineReader(connection, MAX_REQUEST_BYTES, pending)
        while True:
            try:
                line = reader.read_line(self._request_timeout)
                if line is None:
                    return
                if not self._send(connection, self._answer(line)):
                    return
                continue
            except RequestRefused as refused:
                refusal = refused
            except LineTooLong:
                refusal = RequestRefused(
                    ErrorCode.REQUEST_TOO_LARGE,
                    f"yêu cầu quá lớn (tối đa {MAX_REQUEST_BYTES // 1024} KiB một dòng)",
                )
            except TimeoutError:
                refusal = RequestRefused(
                    ErrorCode.TIMEOUT,
                    f"không nhận được yêu cầu trọn vẹn trong {self._request_timeout:g} giây",
                )
            except OSError:
                return  # the client reset the connection, or stop() shut it down
            self._refusals.note(refusal.code.value, peer, refusal.message)
            self._refuse_and_close(connection, refusal)
            return

    def _answer(self, line: bytes) -> bytes:
        """The response line to one request; protocol errors are raised, command errors answered."""
        request = parse_request(line)
        handler = self._handlers.get(request.command)
        if handler is None:
            known = ", ".join(sorted(self._handlers)) or "(không có)"
            return _error_line(
                ErrorCode.UNKNOWN_COMMAND,
                f'lệnh "{request.command}" không tồn tại; các lệnh có: {known}',
            )
        try:
            # Handlers run side by side (they guard their own state): an emergency is never
            # kept waiting behind a long bulletin being made into speech, or a reload.
            result = handler(request.args)
            return encode_line(success(result))
        except InputError as exc:
            return _error_line(ErrorCode.INVALID_INPUT, str(exc), exc.diagnostics)
        except Exception as exc:  # a handler bug must not take the channel down with it
            log.exception("control_handler_failed", extra={"command": request.command})
            return _error_line(
                ErrorCode.HANDLER_FAILED, f'lỗi khi thực hiện lệnh "{request.command}": {exc}'
            )

    @staticmethod
    def _send(connection: socket.socket, data: bytes) -> bool:
        try:
            connection.settimeout(_SEND_TIMEOUT_SECONDS)
            connection.sendall(data)
        except OSError:
            return False  # the client left or stopped reading
        return True

    def _refuse_and_close(self, connection: socket.socket, refusal: RequestRefused) -> None:
        if not self._send(connection, encode_line(failure(refusal))):
            return
        try:
            connection.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + DRAIN_SECONDS
            drained = 0
            while drained < DRAIN_BYTES and (remaining := deadline - time.monotonic()) > 0:
                connection.settimeout(remaining)
                chunk = connection.recv(64 * 1024)
                if not chunk:
                    break
                drained += len(chunk)
        except OSError:
            pass  # the client is gone; nothing left to protect

    def _refuse_busy(self, connection: socket.socket, peer: str) -> None:
        """Every slot is taken, by clients that hold the token: tell this one to retry."""
        refusal = RequestRefused(
            ErrorCode.BUSY, "daemon đang có quá nhiều kết nối điều khiển; hãy thử lại sau"
        )
        self._refusals.note(refusal.code.value, peer, refusal.message)
        try:
            connection.settimeout(_BUSY_SEND_SECONDS)
            connection.sendall(encode_line(failure(refusal)))
        except OSError:
            pass


def _error_line(code: ErrorCode, message: str, diagnostics: Iterable[Diagnostic] = ()) -> bytes:
    return encode_line(failure(RequestRefused(code, message, diagnostics)))


def _listener(host: str, port: int) -> socket.socket:
    """A non-blocking listening socket on ``host:port``."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        # Rebinding a fixed port right after a restart needs SO_REUSEADDR on POSIX; on Windows
        # the same flag would let another program take over the port: exclusive use instead.
        if sys.platform == "win32":
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        else:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(_BACKLOG)
        listener.setblocking(False)
    except OSError:
        listener.close()
        raise
    return listener
