"""The commands' side of the control channel: find the daemon, send one request, read the answer.

Failures come as two exception types with Vietnamese messages the CLI prints as they are:
``DaemonUnavailable`` (nothing is running, or only stale files of a daemon that died) and
``ControlError`` (the daemon answered, but refused or failed).
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from broadcast.control.endpoint import (
    ENDPOINT_FILE,
    Endpoint,
    EndpointMissing,
    endpoint_file,
    read_endpoint,
    read_token,
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

CONNECT_TIMEOUT_SECONDS = 2.0
RESPONSE_TIMEOUT_SECONDS = 30.0  # a handler may read a .docx before answering
_START_HINT = "hãy khởi động daemon bằng: broadcast run"


class DaemonUnavailable(Exception):
    """No daemon answers: never started, stopped, crashed (stale files) or hung."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
    ) -> None:
        self.endpoint = endpoint
        self._token = token
        self._timeout = timeout
        self._endpoint_source = endpoint_source

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
            endpoint, token, timeout=timeout, endpoint_source=paths.relative(endpoint_file(paths))
        )

    def call(self, command: str, **args: Any) -> dict[str, Any]:
        """Send one request; the handler's result, or ``DaemonUnavailable`` / ``ControlError``."""
        request = encode_line({"token": self._token, "command": command, "args": args})
        if len(request) - 1 > MAX_REQUEST_BYTES:  # the limit does not count the newline
            raise ControlError(
                ErrorCode.REQUEST_TOO_LARGE,
                f"yêu cầu quá lớn (tối đa {MAX_REQUEST_BYTES // 1024} KiB); hãy rút ngắn nội dung",
            )
        return _result_of(self._exchange(request))

    def _exchange(self, request: bytes) -> bytes:
        where = f"{self.endpoint.host}:{self.endpoint.port}"
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
            try:
                connection.settimeout(self._timeout)
                connection.sendall(request)
                line = LineReader(connection, MAX_RESPONSE_BYTES).read_line(self._timeout)
            except TimeoutError as exc:
                raise DaemonUnavailable(
                    f"daemon ở {where} không trả lời trong {self._timeout:g} giây"
                ) from exc
            except LineTooLong as exc:
                raise ControlError(
                    ErrorCode.BAD_RESPONSE, "câu trả lời của daemon quá lớn"
                ) from exc
            except OSError as exc:
                raise DaemonUnavailable(
                    f"daemon ở {where} đã ngắt kết nối ({exc.strerror or exc})"
                ) from exc
        if line is None:
            raise DaemonUnavailable(f"daemon ở {where} đóng kết nối mà không trả lời")
        return line


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
