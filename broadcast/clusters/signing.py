"""The station's Ed25519 key and the signed envelope every station→cluster message travels in.

A receiver plays nothing that is not signed by a key it was installed with: a hijacked broker
or a forged message cannot put a word on the loudspeakers. The signature covers the payload's
canonical JSON (sorted keys, no spaces, UTF-8), so it is checked on exactly the bytes that
were signed, whatever a broker or a JSON library does to whitespace.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

ENVELOPE_VERSION = 1


class BadEnvelope(ValueError):
    """Not a signed message at all, or signed by no key this receiver knows, or altered."""

    def __init__(self, code: str, message: str):
        self.code = code  # stable English key: "malformed", "unknown_key", "bad_signature"
        self.message = message  # Vietnamese, for the technician
        super().__init__(f"{code}: {message}")


def canonical(payload: dict[str, Any]) -> bytes:
    """The bytes a signature covers: one spelling of a JSON object."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def key_id(public_raw: bytes) -> str:
    """A short name of a public key, carried in each envelope (keys can be rotated)."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


@dataclass(frozen=True)
class PublicKey:
    """A station's public key as a receiver holds it (base64 of the 32 raw bytes)."""

    raw: bytes

    @classmethod
    def from_text(cls, text: str) -> PublicKey:
        try:
            raw = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("khóa công khai của đài không phải base64") from exc
        if len(raw) != 32:
            raise ValueError("khóa công khai của đài phải dài 32 byte (Ed25519)")
        return cls(raw)

    @property
    def text(self) -> str:
        return base64.b64encode(self.raw).decode("ascii")

    @property
    def id(self) -> str:
        return key_id(self.raw)

    def verify(self, signature: bytes, data: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, data)
        except InvalidSignature:
            return False
        return True


class StationKey:
    """The station's private key, kept in one PEM file only its owner can read."""

    def __init__(self, private: Ed25519PrivateKey):
        self._private = private
        raw = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.public = PublicKey(raw)

    @classmethod
    def generate(cls) -> StationKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load_or_create(cls, path: Path) -> StationKey:
        """The key in ``path``; a new one written there (mode 0600) if there is none."""
        if path.exists():
            return cls.load(path)
        key = cls.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = key._private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # created 0600 from the first byte, never readable by others even for a moment
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(pem)
        return key

    @classmethod
    def load(cls, path: Path) -> StationKey:
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError(f"{path}: không phải khóa Ed25519")
        return cls(private)

    def seal(self, payload: dict[str, Any]) -> bytes:
        """The message as it goes on the wire: the payload and its signature."""
        signature = self._private.sign(canonical(payload))
        envelope = {
            "v": ENVELOPE_VERSION,
            "key": self.public.id,
            "payload": payload,
            "sig": base64.b64encode(signature).decode("ascii"),
        }
        return canonical(envelope)


def open_envelope(data: bytes, keys: list[PublicKey]) -> dict[str, Any]:
    """The payload of a message signed by one of ``keys``; ``BadEnvelope`` otherwise."""
    try:
        envelope = json.loads(data)
        payload = envelope["payload"]
        signature = base64.b64decode(envelope["sig"], validate=True)
        named = envelope["key"]
        version = envelope["v"]
    except (ValueError, TypeError, KeyError, binascii.Error) as exc:
        raise BadEnvelope("malformed", "tin nhắn không đúng định dạng có chữ ký") from exc
    if version != ENVELOPE_VERSION or not isinstance(payload, dict):
        raise BadEnvelope("malformed", f"tin nhắn phiên bản {version!r} không được hỗ trợ")
    key = next((k for k in keys if k.id == named), None)
    if key is None:
        raise BadEnvelope("unknown_key", f"tin nhắn ký bằng khóa lạ ({named})")
    if not key.verify(signature, canonical(payload)):
        raise BadEnvelope("bad_signature", "chữ ký không đúng: tin nhắn bị giả hoặc bị sửa")
    return payload
