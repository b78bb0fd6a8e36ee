"""The wire format of the control channel: one JSON object per line, each way.

A connection opens with the handshake of ``handshake.py`` (the token is proven, never sent);
then, any number of times:

Request:  ``{"command": "announce", "args": {...}}``
Response: ``{"ok": true, "result": {...}}`` or
          ``{"ok": false, "error": {"code": "...", "message": "...", "diagnostics": [...]}}``

``code`` is a stable English key for programs; ``message`` is Vietnamese for the technician.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from broadcast.diagnostics import Diagnostic

MAX_REQUEST_BYTES = 64 * 1024  # an announcement is at most 5,000 characters: room to spare
MAX_RESPONSE_BYTES = 16 * 1024 * 1024  # status lists can be long; still bounded


class ErrorCode(StrEnum):
    # Protocol errors: the connection is closed after the answer.
    BAD_REQUEST = "bad_request"
    UNAUTHORIZED = "unauthorized"
    REQUEST_TOO_LARGE = "request_too_large"
    TIMEOUT = "timeout"
    BUSY = "busy"
    # Command errors: the request was understood; the connection stays open.
    UNKNOWN_COMMAND = "unknown_command"
    INVALID_INPUT = "invalid_input"
    HANDLER_FAILED = "handler_failed"
    # Found by the client itself.
    BAD_RESPONSE = "bad_response"
    ACCESS_DENIED = "access_denied"


class RequestRefused(Exception):
    """A request the server answers with an error; raised anywhere below the dispatcher."""

    def __init__(
        self, code: ErrorCode, message: str, diagnostics: Iterable[Diagnostic] = ()
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.diagnostics = tuple(diagnostics)


@dataclass(frozen=True)
class Request:
    command: str
    args: dict[str, Any]


def encode_line(message: Mapping[str, Any]) -> bytes:
    """One message as one line: compact UTF-8 JSON (never containing a raw newline) + newline.

    A lone surrogate (only ever inside a JSON string) is written as its backslash-u escape, so
    encoding cannot fail on text a handler echoes back.
    """
    text = json.dumps(message, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8", "backslashreplace") + b"\n"


def decode_object(line: bytes, what: str) -> dict[str, Any]:
    """A line of JSON that must be an object; ``what`` names it in the message."""
    try:
        value = json.loads(line.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError as exc:
        raise RequestRefused(ErrorCode.BAD_REQUEST, f"{what} không phải văn bản UTF-8") from exc
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        raise RequestRefused(ErrorCode.BAD_REQUEST, f"{what} không phải JSON hợp lệ") from exc
    if not isinstance(value, dict):
        raise RequestRefused(ErrorCode.BAD_REQUEST, f"{what} phải là một đối tượng JSON {{...}}")
    try:  # a lone surrogate arrives as an escape; no later stage could encode it
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise RequestRefused(
            ErrorCode.BAD_REQUEST, f"{what} chứa ký tự Unicode không hợp lệ (nửa cặp thay thế)"
        ) from exc
    return value


def _refuse_constant(name: str) -> float:
    # NaN and Infinity are not JSON; accepting them would let them reach the handlers.
    raise ValueError(f"{name} is not JSON")


def parse_request(line: bytes) -> Request:
    """Check the shape of a request line (on a connection that has proven the token)."""
    fields = decode_object(line, "yêu cầu")
    command = fields.get("command")
    if not isinstance(command, str) or not command:
        raise RequestRefused(ErrorCode.BAD_REQUEST, 'trường "command" phải là tên lệnh (chuỗi)')
    args = fields.get("args", {})
    if not isinstance(args, dict):
        raise RequestRefused(ErrorCode.BAD_REQUEST, 'trường "args" phải là một đối tượng {...}')
    return Request(command=command, args=args)


def success(result: Mapping[str, Any]) -> dict[str, Any]:
    return {"ok": True, "result": dict(result)}


def failure(refusal: RequestRefused) -> dict[str, Any]:
    error: dict[str, Any] = {"code": refusal.code.value, "message": refusal.message}
    if refusal.diagnostics:
        error["diagnostics"] = [d.to_json() for d in refusal.diagnostics]
    return {"ok": False, "error": error}
