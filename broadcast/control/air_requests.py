"""Checking the arguments of ``skip``, ``stop`` and ``cancel`` — a technician taking something
off the air — on the command line before sending, and again in the daemon (as ``announce``).

Wire form: ``skip`` and ``stop``: ``{"zones": [...], "sender": "…"}``, both optional (without
zones: every zone); ``cancel``: ``{"id": "uu-tien-…", "sender": "…"}``. ``sender`` is the
account that asked: the play log and the daemon's log name it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from broadcast.config import Config
from broadcast.control.arguments import parse_sender, parse_zones, unknown_arguments
from broadcast.control.commands import CANCEL
from broadcast.diagnostics import DiagnosticCollector
from broadcast.scripts.decoding import clean_line_breaks
from broadcast.scripts.problems import refused

CUT_ARGUMENTS = ("zones", "sender")
CANCEL_ARGUMENTS = ("id", "sender")
MAX_BULLETIN_ID_CHARACTERS = 64  # "khan-cap-20261215-083000-1a2b" is 29


@dataclass(frozen=True)
class CutRequest:
    """``skip`` or ``stop``: what plays on ``zones`` (``None``: every zone) is cut."""

    zones: tuple[str, ...] | None  # NFC, as given or, once resolved, zone and group ids
    sender: str | None = None

    def to_args(self) -> dict[str, Any]:
        args: dict[str, Any] = {}
        if self.zones is not None:
            args["zones"] = list(self.zones)
        if self.sender is not None:
            args["sender"] = self.sender
        return args


@dataclass(frozen=True)
class CancelRequest:
    """``cancel``: the queued bulletin ``bulletin_id`` (as ``announce`` printed it) never airs."""

    bulletin_id: str
    sender: str | None = None

    def to_args(self) -> dict[str, Any]:
        args: dict[str, Any] = {"id": self.bulletin_id}
        if self.sender is not None:
            args["sender"] = self.sender
        return args


def parse_cut(command: str, args: Mapping[str, Any], config: Config | None = None) -> CutRequest:
    """Validate ``skip``/``stop`` arguments; ``InputError`` lists every problem at once. With
    ``config`` each zone, by id or name, becomes its zone or group id."""
    collector = DiagnosticCollector()
    collector.extend(unknown_arguments(command, args, CUT_ARGUMENTS))
    zones = None
    if args.get("zones") is not None:
        with collector.guard():
            zones = parse_zones(args["zones"], config, f"{command} --zones")
    sender = None
    with collector.guard():
        sender = parse_sender(args.get("sender"), f"{command} --sender")
    collector.raise_if_errors()
    return CutRequest(zones=zones, sender=sender)


def parse_cancel(args: Mapping[str, Any]) -> CancelRequest:
    """Validate ``cancel`` arguments; ``InputError`` lists every problem at once."""
    collector = DiagnosticCollector()
    collector.extend(unknown_arguments(CANCEL, args, CANCEL_ARGUMENTS))
    bulletin_id = ""
    with collector.guard():
        bulletin_id = _bulletin_id(args.get("id"))
    sender = None
    with collector.guard():
        sender = parse_sender(args.get("sender"), f"{CANCEL} --sender")
    collector.raise_if_errors()
    return CancelRequest(bulletin_id=bulletin_id, sender=sender)


def _bulletin_id(value: Any) -> str:
    text = clean_line_breaks(value).strip() if isinstance(value, str) else ""
    if not text or len(text) > MAX_BULLETIN_ID_CHARACTERS:
        raise refused(
            CANCEL,
            "bad_bulletin_id",
            "cần mã bản tin như lệnh announce đã in, ví dụ uu-tien-20261215-083000-1a2b",
        )
    return text
