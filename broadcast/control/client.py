"""The commands' side of the control channel: find the daemon, make sure it is the daemon, send
one request, read the answer.

``control.json`` may be left over from a crash, its port since taken by another local user's
program, so the client checks that the process it names is alive and makes the peer prove it
holds the token (``handshake.py``) before sending the token's proof or any request.

Failures come as two exception types with Vietnamese messages the CLI prints as they are:
``DaemonUnavailable`` (nothing is running, only stale files of a daemon that died, or a peer
that is not the daemon) and ``ControlError`` (the daemon answered, but refused or failed).
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from broadcast.control.endpoint import (
    ENDPOINT_FILE,
    TOKEN_FILE,
    Endpoint,
    EndpointMissing,
    endpoint_file,
    read_endpoint,
    read_token,
    token_file,
)
from broadcast.control.handshake import (
    Nonces,
    check_challenge,
    hello_line,
    new_nonce,
    proof_line,
)
from broadcast.control.lines import LineReader, LineTooLong
from broadcast.control.protocol import (
    MAX_REQUEST_BYTES,
    MAX_RESPONSE_BYTES,
    ErrorCode,
    RequestRefused,
    decode_object,
    encode_line,
)
from broadcast.diagnostics import Diagnostic, Severity
from broadcast.paths import ProjectPaths
from broadcast.processes import process_alive

CONNECT_TIMEOUT_SECONDS = 2.0
HANDSHAKE_TIMEOUT_SECONDS = 5.0  # the daemon answers a hello at once, whatever it is doing
RESPONSE_TIMEOUT_SECONDS = 30.0  # a handler may read a .docx before answering
UNANSWERED_RETRIES = 2  # for a request with a request_id (see ControlClient.call)
_START_HINT = "hãy khởi động daemon bằng: broadcast run"


class DaemonUnavailable(Exception):
    """No daemon answers: never started, stopped, crashed (stale files) or hung."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NoAnswer(DaemonUnavailable):
    """The request was sent but no answer came: the daemon may or may not have carried it out."""


class ControlError(Exception):
    """The daemon (or this client, before sending) refused the request or failed to carry it out.

    ``code`` is one of ``ErrorCode`` (kept as text: a newer daemon may send new codes);
    ``diagnostics`` are set for ``invalid_input``.
    """

    def __init__(self, code: str, message: str, diagnostics: Iterable[Diagnostic] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.diagnostics = tuple(diagnostics)


class ControlClient:
    def __init__(
        self,
        endpoint: Endpoint,
        token: str,
        *,
        timeout: float = RESPONSE_TIMEOUT_SECONDS,
        endpoint_source: str = f"data/{ENDPOINT_FILE}",
        token_source: str = f"data/{TOKEN_FILE}",
    ) -> None:
        self.endpoint = endpoint
        self._token = token
        self._timeout = timeout
        self._endpoint_source = endpoint_source
        self._token_source = token_source

    @classmethod
    def from_paths(
        cls, paths: ProjectPaths, *, timeout: float = RESPONSE_TIMEOUT_SECONDS
    ) -> ControlClient:
        """The daemon recorded in ``data/control.json`` with the token beside it."""
        try:
            endpoint = read_endpoint(paths)
            token = read_token(paths)
        except EndpointMissing as exc:
            raise DaemonUnavailable(f"{exc}; {_START_HINT}") from exc
        except OSError as exc:  # typically PermissionError: another user's daemon
            shown = paths.relative(Path(exc.filename) if exc.filename else paths.data_dir)
            raise ControlError(
                ErrorCode.ACCESS_DENIED,
                f"không đọc được {shown} ({exc.strerror or exc}); hãy chạy lệnh bằng chính "
                "tài khoản đang chạy daemon",
            ) from exc
        return cls(
            endpoint,
            token,
            timeout=timeout,
            endpoint_source=paths.relative(endpoint_file(paths)),
            token_source=paths.relative(token_file(paths)),
        )

    def call(self, command: str, **args: Any) -> dict[str, Any]:
        """Send one request; the handler's result, or ``DaemonUnavailable`` / ``ControlError``.

        A request with a ``request_id`` is carried out once by the daemon however often it
        arrives, so one that went unanswered (a busy daemon, a dropped connection) is sent
        again, the same, up to ``UNANSWERED_RETRIES`` times."""
        request = encode_line({"command": command, "args": args})
        if len(request) - 1 > MAX_REQUEST_BYTES:  # the limit does not count the newline
            raise ControlError(
                ErrorCode.REQUEST_TOO_LARGE,
                f"yêu cầu quá lớn (tối đa {MAX_REQUEST_BYTES // 1024} KiB); hãy rút ngắn nội dung",
            )
        request_id = args.get("request_id")
        attempts = 1 + (UNANSWERED_RETRIES if request_id else 0)
        for _ in range(attempts):
            try:
                return _result_of(self._exchange(request))
            except NoAnswer as exc:
                unanswered = exc
        if not request_id:
            raise unanswered
        raise DaemonUnavailable(
            f"{unanswered.message}; đã gửi {attempts} lần với cùng mã yêu cầu {request_id} "
            "(nếu daemon đã nhận, yêu cầu chỉ được thực hiện một lần)"
        ) from unanswered

    def _exchange(self, request: bytes) -> bytes:
        """Prove the daemon, then ourselves, then send ``request``; its answer line."""
        where = f"{self.endpoint.host}:{self.endpoint.port}"
        if not process_alive(self.endpoint.pid):
            raise DaemonUnavailable(
                f"daemon không chạy: tiến trình {self.endpoint.pid} ghi trong "
                f"{self._endpoint_source} (bắt đầu {self.endpoint.started_at}) đã dừng; "
                f"tệp còn lại từ lần chạy trước; {_START_HINT}"
            )
        try:
            connection = socket.create_connection(
                (self.endpoint.host, self.endpoint.port), timeout=CONNECT_TIMEOUT_SECONDS
            )
        except ConnectionRefusedError as exc:
            raise DaemonUnavailable(
                f"daemon không chạy: không có gì trả lời ở {where}; "
                f"tệp {self._endpoint_source} còn lại từ lần chạy trước "
                f"(tiến trình {self.endpoint.pid}, bắt đầu {self.endpoint.started_at}) "
                f"đã dừng; {_START_HINT}"
            ) from exc
        except OSError as exc:  # TimeoutError included
            raise DaemonUnavailable(
                f"không kết nối được tới daemon ở {where} ({exc.strerror or 'quá thời gian'})"
            ) from exc
        with connection:
            reader = LineReader(connection, MAX_RESPONSE_BYTES)
            nonces = self._prove_daemon(connection, reader, where)
            try:  # the proof and the request together: one round trip
                connection.settimeout(self._timeout)
                connection.sendall(proof_line(nonces, self._token) + request)
                line = reader.read_line(self._timeout)
            except TimeoutError as exc:
                raise NoAnswer(
                    f"daemon ở {where} không trả lời trong {self._timeout:g} giây"
                ) from exc
            except LineTooLong as exc:
                raise ControlError(
                    ErrorCode.BAD_RESPONSE, "câu trả lời của daemon quá lớn"
                ) from exc
            except OSError as exc:
                raise NoAnswer(f"daemon ở {where} đã ngắt kết nối ({exc.strerror or exc})") from exc
        if line is None:
            raise NoAnswer(f"daemon ở {where} đóng kết nối mà không trả lời")
        return line

    def _prove_daemon(self, connection: socket.socket, reader: LineReader, where: str) -> Nonces:
        """The connection's nonces once the peer has proven it holds our token; nothing secret
        (neither the token nor any request) has been sent before."""
        timeout = min(self._timeout, HANDSHAKE_TIMEOUT_SECONDS)
        client_nonce = new_nonce()
        try:
            connection.settimeout(timeout)
            connection.sendall(hello_line(client_nonce))
            line = reader.read_line(timeout)
        except TimeoutError as exc:
            raise DaemonUnavailable(
                f"chương trình ở {where} không trả lời lời chào trong {timeout:g} giây; "
                "chưa gửi mã xác thực hay nội dung nào"
            ) from exc
        except LineTooLong:
            line = None  # not a daemon's answer
        except OSError as exc:
            raise DaemonUnavailable(
                f"daemon ở {where} đã ngắt kết nối ({exc.strerror or exc})"
            ) from exc
        nonces = None if line is None else check_challenge(line, client_nonce, self._token)
        if nonces is None:
            raise DaemonUnavailable(
                f"không xác minh được daemon ở {where}: chương trình đang nghe ở cổng này không "
                f"chứng minh được nó giữ mã xác thực của {self._token_source} (có thể daemon đã "
                "dừng và một chương trình khác dùng lại cổng); chưa gửi mã xác thực hay nội "
                f"dung nào; hãy xem: broadcast status, hoặc {_START_HINT}"
            )
        return nonces


def _result_of(line: bytes) -> dict[str, Any]:
    try:
        response = decode_object(line, "câu trả lời của daemon")
    except RequestRefused as exc:
        raise ControlError(ErrorCode.BAD_RESPONSE, exc.message) from exc
    ok, result, error = response.get("ok"), response.get("result"), response.get("error")
    if ok is True and isinstance(result, dict):
        return result
    if ok is False and isinstance(error, dict):
        code, message = error.get("code"), error.get("message")
        if isinstance(code, str) and isinstance(message, str):
            raise ControlError(code, message, _diagnostics(error.get("diagnostics")))
    raise ControlError(ErrorCode.BAD_RESPONSE, "câu trả lời của daemon không đúng định dạng")


def _diagnostics(raw: Any) -> list[Diagnostic]:
    """Diagnostics as sent; anything malformed among them is dropped (the message has it all)."""
    found = []
    for item in raw if isinstance(raw, list) else []:
        try:
            found.append(
                Diagnostic(
                    file=str(item["file"]),
                    line=item.get("line"),
                    column=item.get("column"),
                    code=str(item["code"]),
                    message=str(item["message"]),
                    severity=Severity(item.get("severity", "error")),
                )
            )
        except (TypeError, KeyError, ValueError, AttributeError):
            continue
    return found
