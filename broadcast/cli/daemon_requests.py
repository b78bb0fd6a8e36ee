"""What the commands that ask the running daemon share: who is asking and from where, one
request with its failures printed, zones named for people, and ``skip``/``stop``, which differ
only in words."""

from __future__ import annotations

import argparse
import getpass
import socket
import sys
from collections.abc import Mapping
from typing import Any

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.output import print_diagnostics
from broadcast.control import parse_cut
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.views.daemon_requests import ask, split_zones, zones_label

__all__ = ["ask_daemon", "cut_air", "origin", "sender", "split_zones", "zones_label"]


def sender() -> str | None:
    """The account asking: the log and the report say who sent or cut what."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in a bare service environment
        return None


def origin() -> str:
    """Where a request is sent from, for the log: this program on this computer."""
    try:
        host = socket.gethostname()
    except OSError:
        host = ""
    return f"dòng lệnh trên {host}" if host else "dòng lệnh"


def ask_daemon(
    paths: ProjectPaths, command: str, args: Mapping[str, Any], what: str
) -> dict[str, Any] | None:
    """The daemon's answer to ``command``; ``None`` once the reason it failed is printed
    (``what`` names the request in the message, e.g. "thông báo")."""
    answer = ask(paths, command, args, what)
    if answer.problem is not None:
        print(answer.problem, file=sys.stderr)
        print_diagnostics(answer.diagnostics)
    return answer.result


def add_zones_option(parser: argparse.ArgumentParser) -> None:
    """``--zones`` of the commands that cut what is on the air (default: every zone)."""
    parser.add_argument(
        "--zones",
        help="only what plays on these zones or groups, by id or name, comma-separated "
        "(default: every zone)",
    )


def cut_air(paths: ProjectPaths, command: str, zones: str | None, what: str, done: str) -> int:
    """``skip`` or ``stop`` (``command``) on ``zones`` (``--zones`` as typed; ``None``: every
    zone). ``what`` names the request in messages; ``done`` says what happened, with
    ``{zones}`` for the zones cut."""
    raw: dict[str, object] = {"sender": sender()}
    if zones is not None:
        raw["zones"] = split_zones(zones)
    try:
        request = parse_cut(command, raw)
    except InputError as exc:
        print_diagnostics(exc.diagnostics)
        return EXIT_INPUT_ERRORS
    answer = ask_daemon(paths, command, request.to_args(), what)
    if answer is None:
        return EXIT_INPUT_ERRORS
    if answer["zones"]:
        print(done.format(zones=zones_label(paths, answer["zones"])))
    else:
        where = "mọi khu vực" if request.zones is None else zones_label(paths, list(request.zones))
        print(f"Không có gì đang phát trên {where}.")
    if answer["queued"]:
        print(
            "Thông báo ưu tiên đang chờ, sẽ phát ở khoảng trống kế tiếp: "
            f"{', '.join(answer['queued'])} (muốn hủy: broadcast cancel MÃ)."
        )
    return EXIT_OK
