"""Each side proves it holds the token before the other sends anything that matters.

After a crash ``control.json`` names a port that any local user may listen on next, so the
client must know it talks to the daemon before it sends a request, and the token itself never
crosses the wire. A connection opens with a challenge each way (HMAC-SHA256 keyed with the
token, over both sides' fresh nonces, with a different label per direction so neither proof
can stand in for the other)::

    client → {"hello": CLIENT_NONCE}
    daemon → {"nonce": DAEMON_NONCE, "proof": HMAC(token, "daemon" | client | daemon nonce)}
    client → {"proof": HMAC(token, "client" | client | daemon nonce)}     (then its requests)

The client checks the daemon's proof before sending its own, and sends its first request right
behind its proof without waiting: a wrong proof is answered ``unauthorized`` instead.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from broadcast.control.protocol import ErrorCode, RequestRefused, decode_object, encode_line

NONCE_BYTES = 16
_DAEMON_LABEL = b"loa-phuong control daemon\n"
_CLIENT_LABEL = b"loa-phuong control client\n"


@dataclass(frozen=True)
class Nonces:
    """The two fresh nonces of one connection; every proof on it is bound to both."""

    client: bytes
    daemon: bytes

    def daemon_proof(self, token: str) -> str:
        return _mac(token, _DAEMON_LABEL, self)

    def client_proof(self, token: str) -> str:
        return _mac(token, _CLIENT_LABEL, self)


def _mac(token: str, label: bytes, nonces: Nonces) -> str:
    message = label + nonces.client + nonces.daemon
    return hmac.new(token.encode("utf-8"), message, hashlib.sha256).hexdigest()


def new_nonce() -> bytes:
    return secrets.token_bytes(NONCE_BYTES)


def same_proof(given: str, expected: str) -> bool:
    """Constant-time: how long the comparison takes tells nothing about the right proof."""
    return hmac.compare_digest(given.encode("utf-8", "backslashreplace"), expected.encode())


def hello_line(client_nonce: bytes) -> bytes:
    return encode_line({"hello": client_nonce.hex()})


def challenge_line(nonces: Nonces, token: str) -> bytes:
    return encode_line({"nonce": nonces.daemon.hex(), "proof": nonces.daemon_proof(token)})


def proof_line(nonces: Nonces, token: str) -> bytes:
    return encode_line({"proof": nonces.client_proof(token)})


def _nonce(value: Any) -> bytes | None:
    if not isinstance(value, str) or len(value) != 2 * NONCE_BYTES:
        return None
    try:
        return bytes.fromhex(value)
    except ValueError:
        return None


def parse_hello(line: bytes) -> bytes:
    """The client's nonce from its first line; ``RequestRefused`` for anything else."""
    nonce = _nonce(decode_object(line, "yêu cầu").get("hello"))
    if nonce is None:
        raise RequestRefused(
            ErrorCode.UNAUTHORIZED,
            "kết nối phải mở đầu bằng lời chào xác thực (hello); hãy dùng lệnh broadcast",
        )
    return nonce


def parse_proof(line: bytes) -> str:
    """The client's proof from its second line; ``RequestRefused`` when there is none."""
    proof = decode_object(line, "yêu cầu").get("proof")
    if not isinstance(proof, str) or not proof:
        raise RequestRefused(ErrorCode.UNAUTHORIZED, "yêu cầu thiếu bằng chứng xác thực (proof)")
    return proof


def check_challenge(line: bytes, client_nonce: bytes, token: str) -> Nonces | None:
    """The connection's nonces when the daemon's answer proves it holds ``token``, else
    ``None`` (whatever the peer sent: garbage, an error, a forged "ok")."""
    try:
        fields = decode_object(line, "câu trả lời")
    except RequestRefused:
        return None
    daemon_nonce, proof = _nonce(fields.get("nonce")), fields.get("proof")
    if daemon_nonce is None or not isinstance(proof, str):
        return None
    nonces = Nonces(client_nonce, daemon_nonce)
    return nonces if same_proof(proof, nonces.daemon_proof(token)) else None
