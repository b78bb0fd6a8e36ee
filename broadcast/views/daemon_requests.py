"""One request to the running daemon, with its failure in words, for the commands and the
console alike; zones named for people."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from broadcast.config import load_config
from broadcast.control import ControlClient, ControlError, DaemonUnavailable
from broadcast.diagnostics import Diagnostic, InputError
from broadcast.paths import ProjectPaths


@dataclass(frozen=True)
class DaemonAnswer:
    """The daemon's answer, or why there is none (``problem``, Vietnamese)."""

    result: dict[str, Any] | None
    problem: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def ask(paths: ProjectPaths, command: str, args: Mapping[str, Any], what: str) -> DaemonAnswer:
    """``command`` sent to the daemon; ``what`` names the request in the message ("thông
    báo")."""
    try:
        return DaemonAnswer(ControlClient.from_paths(paths).call(command, **args))
    except DaemonUnavailable as exc:
        return DaemonAnswer(None, f"Không gửi được {what}: {exc.message}")
    except ControlError as exc:
        return DaemonAnswer(
            None, f"Chương trình phát từ chối {what}: {exc.message}", list(exc.diagnostics)
        )


def zones_label(paths: ProjectPaths, zones: list[str]) -> str:
    """The zones by name; by id while ``schedules.yaml`` cannot be read (the daemon airs its
    last good configuration meanwhile, so the request was taken all the same)."""
    try:
        return load_config(paths).zones_label(zones)
    except InputError:
        return ", ".join(zones)


def split_zones(text: str) -> list[str]:
    """``--zones "Tổ dân phố 1, tdp-2"`` as a list."""
    return [zone.strip() for zone in text.split(",") if zone.strip()]
