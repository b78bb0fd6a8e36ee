"""The daemon's side of the control channel: a small threaded TCP server on 127.0.0.1.

Each connection gets its own thread, so a silent or slow client delays nobody else; every line
must arrive within ``request_timeout`` seconds. Command handlers run one at a time (a lock), so
the daemon never sees two control commands at once. Nothing a client sends can raise out of a
connection thread: every failure becomes an error response, or the connection is closed.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import selectors
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any

from broadcast.control.endpoint import (
    Endpoint,
    create_token,
    remove_endpoint,
    require_loopback,
    token_file,
    write_endpoint,
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
from broadcast.diagnostics import Diagnostic, InputError
from broadcast.paths import ProjectPaths

Handler = Callable[[dict[str, Any]], Mapping[str, Any]]

LOOPBACK_HOST = "127.0.0.1"
REQUEST_TIMEOUT_SECONDS = 10.0
MAX_CONNECTIONS = 32  # a web page and a few commands; more is a runaway client
_SEND_TIMEOUT_SECONDS = 5.0
_BUSY_SEND_SECONDS = 0.2
# After refusing, read what the client still sends for a moment before closing: closing with
# unread input makes the kernel reset the connection, which can destroy the answer in flight.
_DRAIN_SECONDS = 0.5
_DRAIN_BYTES = 1024 * 1024

log = logging.getLogger(__name__)


class ControlStartError(Exception):
    """The channel cannot listen (port taken, …); the message is Vietnamese, for the log."""


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
        self._dispatch_lock = threading.Lock()
        self._token = ""
        self._token_source = paths.relative(token_file(paths))
        self._tcp: _TcpServer | None = None
        self._serving: threading.Thread | None = None
        self._endpoint: Endpoint | None = None
        self._open_lock = threading.Lock()
        self._open: dict[socket.socket, threading.Thread] = {}
        self._stopping = False

    @property
    def address(self) -> tuple[str, int]:
        if self._tcp is None:
            raise RuntimeError("control server not started")
        host, port = self._tcp.server_address[:2]
        return str(host), int(port)

    @property
    def endpoint(self) -> Endpoint | None:
        """What ``control.json`` says while the server runs."""
        return self._endpoint

    def start(self) -> None:
        """Listen, then publish a fresh token and ``control.json`` so clients can find us."""
        if self._tcp is not None:
            raise RuntimeError("control server already started")
        try:
            self._tcp = _TcpServer((self._host, self._port), self, self._max_connections)
        except OSError as exc:
            raise ControlStartError(
                f"không mở được kênh điều khiển {self._host}:{self._port}: "
                f"{exc.strerror or exc}; hãy chọn cổng khác hoặc để 0 cho hệ thống tự chọn"
            ) from exc
        self._stopping = False
        host, port = self.address
        try:
            self._token = create_token(self._paths)
            self._endpoint = write_endpoint(self._paths, host, port)
        except OSError as exc:  # e.g. the data folder is read-only
            self._tcp.server_close()
            self._tcp = None
            raise ControlStartError(
                f"không ghi được tệp của kênh điều khiển vào {self._paths.data_dir}: "
                f"{exc.strerror or exc}"
            ) from exc
        self._serving = threading.Thread(
            target=self._tcp.serve_until_woken,
            name="control-server",
            daemon=True,
        )
        self._serving.start()
        log.info("control_listening", extra={"host": host, "port": port})

    def stop(self, timeout: float = 2.0) -> None:
        """Stop accepting, end open connections, wait up to ``timeout`` s, remove the files."""
        if self._tcp is None:
            return
        deadline = time.monotonic() + timeout
        with self._open_lock:
            self._stopping = True
            open_now = dict(self._open)
        self._tcp.wake()
        if self._serving is not None:
            self._serving.join(max(0.0, deadline - time.monotonic()))
        self._tcp.server_close()
        for connection in open_now:
            # Wakes a thread blocked in recv(): it sees end of stream. OSError: already closed.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for thread in open_now.values():
            thread.join(max(0.0, deadline - time.monotonic()))
        if self._endpoint is not None:
            remove_endpoint(self._paths, self._endpoint)
        log.info(
            "control_stopped", extra={"unfinished": sum(t.is_alive() for t in open_now.values())}
        )
        self._tcp = self._serving = self._endpoint = None

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

    # --- one connection, on its own thread ---------------------------------------------------

    def serve_connection(self, connection: socket.socket, peer: tuple[str, int]) -> None:
        with self._open_lock:
            if self._stopping:
                return
            self._open[connection] = threading.current_thread()
        try:
            self._converse(connection, peer)
        finally:
            with self._open_lock:
                self._open.pop(connection, None)

    def _converse(self, connection: socket.socket, peer: tuple[str, int]) -> None:
        """Answer line after line until the client leaves or a protocol error ends it."""
        reader = LineReader(connection, MAX_REQUEST_BYTES)
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
            log.warning(
                "control_request_refused",
                extra={
                    "peer": f"{peer[0]}:{peer[1]}",
                    "code": refusal.code.value,
                    "reason": refusal.message,
                },
            )
            self._refuse_and_close(connection, refusal)
            return

    def _answer(self, line: bytes) -> bytes:
        """The response line to one request; protocol errors are raised, command errors answered."""
        request = parse_request(line)
        if not hmac.compare_digest(request.token.encode(), self._token.encode()):
            raise RequestRefused(
                ErrorCode.UNAUTHORIZED,
                f"mã xác thực (token) sai; lệnh phải đọc tệp {self._token_source} "
                "của daemon đang chạy",
            )
        handler = self._handlers.get(request.command)
        if handler is None:
            known = ", ".join(sorted(self._handlers)) or "(không có)"
            return _error_line(
                ErrorCode.UNKNOWN_COMMAND,
                f'lệnh "{request.command}" không tồn tại; các lệnh có: {known}',
            )
        try:
            with self._dispatch_lock:
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
            deadline = time.monotonic() + _DRAIN_SECONDS
            drained = 0
            while drained < _DRAIN_BYTES and (remaining := deadline - time.monotonic()) > 0:
                connection.settimeout(remaining)
                chunk = connection.recv(64 * 1024)
                if not chunk:
                    break
                drained += len(chunk)
        except OSError:
            pass  # the client is gone; nothing left to protect


def _error_line(code: ErrorCode, message: str, diagnostics: Iterable[Diagnostic] = ()) -> bytes:
    return encode_line(failure(RequestRefused(code, message, diagnostics)))


def _refuse_busy(connection: socket.socket) -> None:
    """Answer on the accepting thread when every connection slot is taken; never wait long."""
    log.warning("control_busy")
    try:
        connection.settimeout(_BUSY_SEND_SECONDS)
        connection.sendall(
            _error_line(
                ErrorCode.BUSY, "daemon đang có quá nhiều kết nối điều khiển; hãy thử lại sau"
            )
        )
    except OSError:
        pass


class _TcpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True  # ControlServer.stop() ends and joins connection threads itself
    # Rebinding a fixed port right after a restart needs SO_REUSEADDR on POSIX; on Windows the
    # same flag would let another program take over the port, so it gets exclusive use instead.
    allow_reuse_address = sys.platform != "win32"
    # socketserver's default backlog of 5 drops connection attempts from a burst of clients,
    # which then wait a full second for the kernel to retry.
    request_queue_size = 128
    timeout = 0.0  # handle_request() is only called once select() said a client waits

    def __init__(
        self, address: tuple[str, int], channel: ControlServer, max_connections: int
    ) -> None:
        self.channel = channel
        self._slots = threading.BoundedSemaphore(max_connections)
        # stop() writes a byte here: the accept loop sleeps in select() with no time-out, so
        # an idle daemon is never woken for nothing and a stop is noticed at once.
        self._wake_reader, self._wake_writer = socket.socketpair()
        super().__init__(address, _Connection)

    def serve_until_woken(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while True:
                ready = [key.fileobj for key, _ in selector.select()]
                if self._wake_reader in ready:
                    return
                self.handle_request()  # ready: accepts at once (``timeout`` 0 never blocks)

    def wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_writer.send(b"\0")

    def server_close(self) -> None:
        super().server_close()
        self._wake_reader.close()
        self._wake_writer.close()

    def server_bind(self) -> None:
        if sys.platform == "win32":  # a check mypy understands, so it knows the Windows flag
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        super().server_bind()

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            _refuse_busy(request)
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # socketserver would print to stderr; the daemon's log is where the technician looks.
        log.exception("control_connection_failed", extra={"peer": str(client_address)})


class _Connection(socketserver.BaseRequestHandler):
    server: _TcpServer

    def handle(self) -> None:
        self.server.channel.serve_connection(self.request, self.client_address)
