"""Talking to the server with a bare socket, to send what ``ControlClient`` never would."""

import json
import socket
from typing import Any


def request_line(token: str | None, command: str, args: Any = None) -> bytes:
    fields: dict[str, Any] = {"command": command}
    if token is not None:
        fields["token"] = token
    if args is not None:
        fields["args"] = args
    return json.dumps(fields).encode() + b"\n"  # ASCII escapes, lone surrogates too


def read_responses(connection: socket.socket, timeout: float = 5.0) -> list[dict[str, Any]]:
    """Every response line until the server closes the connection."""
    connection.settimeout(timeout)
    received = bytearray()
    while chunk := connection.recv(65536):
        received += chunk
    assert received.endswith(b"\n") or not received, "a response must end with a newline"
    return [json.loads(line) for line in received.splitlines()]


def exchange(address: tuple[str, int], data: bytes) -> list[dict[str, Any]]:
    """Send ``data``, say we are done writing, and collect every answer."""
    with socket.create_connection(address, timeout=5) as connection:
        connection.sendall(data)
        connection.shutdown(socket.SHUT_WR)
        return read_responses(connection)


def assert_error(response: dict[str, Any], code: str) -> None:
    assert response["ok"] is False
    assert response["error"]["code"] == code
    assert isinstance(response["error"]["message"], str) and response["error"]["message"]
