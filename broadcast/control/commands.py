"""The commands the daemon serves, and the check shared by those that take no arguments."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from broadcast.diagnostics import Diagnostic, InputError

STATUS = "status"  # no args → what is playing, what is next, device health, alarms
ANNOUNCE = "announce"  # args: see broadcast.control.announce
RELOAD = "reload"  # no args → re-read scripts_vi/, schedules.yaml and the lexicon now
# A technician taking something off the air; args: see broadcast.control.air_requests
SKIP = "skip"  # the item (or bulletin) playing now fades out; its program goes on
STOP = "stop"  # the programs and bulletins playing now end
CANCEL = "cancel"  # a priority bulletin still waiting for its gap never airs


def require_no_args(command: str, args: Mapping[str, Any]) -> None:
    """``InputError`` naming every argument a command without arguments was given."""
    if args:
        names = ", ".join(sorted(args))
        raise InputError(
            [
                Diagnostic(
                    f"lệnh {command}",
                    None,
                    None,
                    "unexpected_argument",
                    f"không nhận tham số nào (đã nhận: {names})",
                )
            ]
        )


def without_args(
    command: str, action: Callable[[], Mapping[str, Any]]
) -> Callable[[dict[str, Any]], Mapping[str, Any]]:
    """A handler for ``ControlServer`` that refuses arguments, then calls ``action()``."""

    def handler(args: dict[str, Any]) -> Mapping[str, Any]:
        require_no_args(command, args)
        return action()

    return handler
