"""The commands the daemon serves, the check shared by those that take no arguments, and the
once-only carrying out of a request a client retries."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
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
# The test tone and name on one zone, through the daemon's sink; args: see
# broadcast.control.zone_test
TEST_ZONE = "test_zone"

log = logging.getLogger(__name__)

REMEMBERED_ANSWERS = 256  # request ids answered, newest kept: far more than retries in flight

Handler = Callable[[dict[str, Any]], Mapping[str, Any]]


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


def once_per_request_id(handler: Handler) -> Handler:
    """A handler that carries out each ``request_id`` once: a client sends a request again when
    its answer was lost or late, and that retry gets the first answer instead of a second
    airing. Requests without an id, or refused, are not remembered. Different requests run
    side by side: an emergency never waits behind a long bulletin being made into speech."""
    answers: OrderedDict[str, Mapping[str, Any]] = OrderedDict()
    running: dict[str, threading.Event] = {}  # ids being carried out now
    lock = threading.Lock()  # only for the two maps, never while carrying out

    def once(args: dict[str, Any]) -> Mapping[str, Any]:
        request_id = args.get("request_id")
        if not isinstance(request_id, str):
            return handler(args)
        while True:
            with lock:
                if request_id in answers:
                    log.info(
                        "yêu cầu %s được gửi lại: đã thực hiện một lần, trả lời như lần đầu",
                        request_id,
                        extra={"event": "control_request_repeated"},
                    )
                    return answers[request_id]
                first = running.get(request_id)
                if first is None:
                    done = running[request_id] = threading.Event()
                    break
            first.wait()  # the same request, still being carried out: its answer is coming
        try:
            answer = handler(args)
            with lock:
                answers[request_id] = answer
                if len(answers) > REMEMBERED_ANSWERS:
                    answers.popitem(last=False)
            return answer
        finally:
            with lock:
                del running[request_id]
            done.set()

    return once
