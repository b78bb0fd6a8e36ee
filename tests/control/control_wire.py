"""Talking to the server with a bare socket, to send what ``ControlClient`` never would."""

import json
import os
import socket
from typing import Any

from broadcast.control.handshake import Nonces, hello_line, proof_line


def request_line(command: str, args: Any = None) -> bytes:
    fields: dict[str, Any] = {"command": command}
    if args is not None:
        fields["args"] = args
    return json.dumps(fields).encode() + b"\n"  # ASCII escapes, lone surrogates too


def _one_line(connection: socket.socket) -> bytes:
    received = bytearray()
    while not received.endswith(b"\n"):
        chunk = connection.recv(4096)
        assert chunk, "the server closed the connection during the handshake"
        received += chunk
    return bytes(received)


def prove(connection: socket.socket, token: str) -> dict[str, Any]:
    """The client's half of the handshake with ``token`` (right or wrong), as a program that
    does not check the daemon's proof would do it; the daemon's challenge."""
    client_nonce = os.urandom(16)
    connection.sendall(hello_line(client_nonce))
    challenge = json.loads(_one_line(connection))
    nonces = Nonces(client_nonce, bytes.fromhex(challenge["nonce"]))
    connection.sendall(proof_line(nonces, token))
    return challenge


def session(address: tuple[str, int], token: str) -> socket.socket:
    """A connection that has proven ``token``, ready for request lines."""
    connection = socket.create_connection(address, timeout=5)
    prove(connection, token)
    return connection


def read_responses(connection: socket.socket, timeout: float = 5.0) -> list[dict[str, Any]]:
    """Every response line until the server closes the connection."""
    connection.settimeout(timeout)
    received = bytearray()
    while chunk := connection.recv(65536):
        received += chunk
    assert received.endswith(b"\n") or not received, "a response must end with a newline"
    return [json.loads(line) for line in received.splitlines()]


def exchange(
    address: tuple[str, int], data: bytes, token: str | None = None
) -> list[dict[str, Any]]:
    """Send ``data`` (after proving ``token``, when given), say we are done writing, and
    collect every answer."""
    with socket.create_connection(address, timeout=5) as connection:
        if token is not None:
            prove(connection, token)
        connection.sendall(data)
        connection.shutdown(socket.SHUT_WR)
        return read_responses(connection)


def exchange_as_sent(address: tuple[str, int], line: bytes) -> list[dict[str, Any]]:
    """A request line as any local program could send it. A line naming a ``"token"`` is sent
    the way a holder of that token (right or wrong) would: the token proven by the handshake,
    then the line without it; any other line is the connection's first."""
    try:
        fields = json.loads(line)
    except ValueError:
        fields = None
    if not isinstance(fields, dict) or "token" not in fields:
        return exchange(address, line)
    token = fields.pop("token")
    resent = json.dumps(fields, ensure_ascii=False).encode() + b"\n"
    return exchange(address, resent, token if isinstance(token, str) else json.dumps(token))


def assert_error(response: dict[str, Any], code: str) -> None:
    assert response["ok"] is False
    assert response["error"]["code"] == code
    assert isinstance(response["error"]["message"], str) and response["error"]["message"]
