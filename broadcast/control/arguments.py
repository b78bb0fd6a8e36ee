"""Checks shared by the commands that take arguments: unknown names, zones, who sent it and
from where.

Each raises ``InputError`` naming the argument as typed after ``broadcast <command>`` (the
``source`` given), so the command line and the daemon word a problem the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from broadcast.config import Config
from broadcast.diagnostics import Diagnostic, InputError
from broadcast.scripts.decoding import clean_line_breaks
from broadcast.scripts.problems import refused
from broadcast.yamlsource import did_you_mean

MAX_SENDER_CHARACTERS = 64
MAX_ORIGIN_CHARACTERS = 120  # a program and a computer's name


def unknown_arguments(
    command: str, args: Mapping[str, Any], known: Iterable[str]
) -> list[Diagnostic]:
    """One diagnostic per argument ``command`` does not take, with the nearest known name."""
    known = tuple(known)
    return [
        Diagnostic(
            command,
            None,
            None,
            "unknown_argument",
            f'tham số "{name}" không được biết tới{did_you_mean(name, known)}',
        )
        for name in args
        if name not in known
    ]


def parse_zones(value: Any, config: Config | None, source: str) -> tuple[str, ...]:
    """Zones (or groups) as given, NFC, without repeats; with ``config`` each becomes its id,
    and one it does not know is an error with a suggestion."""
    if not isinstance(value, list | tuple) or not value:
        raise refused(source, "no_zones", 'cần ít nhất một khu vực phát, ví dụ ["toan-phuong"]')
    problems, zones = [], []
    for item in value:
        given = clean_line_breaks(item).strip() if isinstance(item, str) else ""
        if not given:
            problems.append(
                Diagnostic(source, None, None, "bad_zone", f"tên khu vực không hợp lệ: {item!r}")
            )
            continue
        if config is None:
            zone = given
        elif (found := config.zone_reference(given)) is not None:
            zone = found
        else:
            message = config.unknown_zone_message(given)
            problems.append(Diagnostic(source, None, None, "unknown_zone", message))
            continue
        if zone not in zones:
            zones.append(zone)
    if problems:
        raise InputError(problems)
    return tuple(zones)


def parse_sender(value: Any, source: str) -> str | None:
    """The account that sent a request, as the client says (for the log and the report)."""
    return _short_text(
        value,
        source,
        MAX_SENDER_CHARACTERS,
        "bad_sender",
        f"người gửi phải là tên tài khoản (tối đa {MAX_SENDER_CHARACTERS} ký tự)",
    )


def parse_origin(value: Any, source: str) -> str | None:
    """Where a request was sent from, as the client says: "dòng lệnh trên PC-PHAT"."""
    return _short_text(
        value,
        source,
        MAX_ORIGIN_CHARACTERS,
        "bad_origin",
        f"nơi gửi phải là một dòng chữ ngắn (tối đa {MAX_ORIGIN_CHARACTERS} ký tự)",
    )


def seen_from(origin: str | None, peer: str | None) -> str | None:
    """``origin`` with the address the channel saw it come from (``"127.0.0.1:50312"``, its
    port left out: it names nothing once the connection is closed)."""
    host = (peer.rpartition(":")[0] or peer) if peer else None
    if origin and host:
        return f"{origin} ({host})"
    return origin or host


def _short_text(value: Any, source: str, limit: int, code: str, message: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise refused(source, code, message)
    return clean_line_breaks(value).strip()
