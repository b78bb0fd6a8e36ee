"""Issue 14, item 11: an announcement the client sends again (its answer lost or late) is
carried out once. The client chooses the request id and keeps it across its retries; the
daemon remembers the answer of each id it carried out."""

import threading
import time

import pytest

from broadcast.control import (
    ANNOUNCE,
    ControlClient,
    DaemonUnavailable,
    new_request_id,
    once_per_request_id,
    parse_announcement,
)
from broadcast.diagnostics import InputError


class _SlowAnnouncer:
    """Carries out each call after ``delay`` seconds, counting what it was asked."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.calls: list[dict] = []
        self._lock = threading.Lock()

    def __call__(self, args: dict) -> dict:
        with self._lock:
            self.calls.append(args)
            number = len(self.calls)
        time.sleep(self.delay)
        return {"id": f"khan-cap-{number}"}


def test_a_request_retried_while_the_first_is_still_running_is_carried_out_once(
    start_server, paths
):
    announcer = _SlowAnnouncer(delay=0.8)
    start_server({ANNOUNCE: once_per_request_id(announcer)})
    client = ControlClient.from_paths(paths, timeout=0.5)  # gives up before the answer

    answer = client.call(ANNOUNCE, text="Mất điện", request_id=new_request_id())

    assert answer == {"id": "khan-cap-1"}  # a retry's answer: the first's
    assert len(announcer.calls) == 1


def test_without_a_request_id_an_unanswered_request_is_not_sent_again(start_server, paths):
    announcer = _SlowAnnouncer(delay=0.8)
    start_server({ANNOUNCE: once_per_request_id(announcer)})
    with pytest.raises(DaemonUnavailable, match="không trả lời"):
        ControlClient.from_paths(paths, timeout=0.3).call(ANNOUNCE, text="Mất điện")
    time.sleep(1.0)
    assert len(announcer.calls) == 1


def test_when_every_retry_goes_unanswered_the_message_says_it_airs_at_most_once(
    start_server, paths
):
    announcer = _SlowAnnouncer(delay=3.0)
    start_server({ANNOUNCE: once_per_request_id(announcer)})
    request_id = new_request_id()
    with pytest.raises(DaemonUnavailable) as unanswered:
        ControlClient.from_paths(paths, timeout=0.3).call(
            ANNOUNCE, text="Mất điện", request_id=request_id
        )
    assert f"đã gửi 3 lần với cùng mã yêu cầu {request_id}" in unanswered.value.message
    assert "chỉ được thực hiện một lần" in unanswered.value.message


def test_distinct_ids_are_distinct_requests_and_refusals_are_not_remembered():
    calls: list[dict] = []

    def announce(args: dict) -> dict:
        calls.append(args)
        if args.get("text") == "":
            raise InputError([])
        return {"n": len(calls)}

    once = once_per_request_id(announce)
    assert once({"text": "a", "request_id": "id-000001"}) == {"n": 1}
    assert once({"text": "a", "request_id": "id-000002"}) == {"n": 2}
    assert once({"text": "a", "request_id": "id-000001"}) == {"n": 1}
    assert once({"text": "a"}) == {"n": 3} and once({"text": "a"}) == {"n": 4}
    for _ in range(2):  # a refused request is carried out again when retried
        with pytest.raises(InputError):
            once({"text": "", "request_id": "id-000003"})
    assert len(calls) == 6


def test_the_request_id_travels_with_the_announcement_and_a_bad_one_is_refused():
    request_id = new_request_id()
    args = {"text": "Mất điện", "zones": ["to-1"], "request_id": request_id}
    announcement = parse_announcement(args)
    assert announcement.request_id == request_id
    assert announcement.to_args()["request_id"] == request_id
    assert new_request_id() != request_id
    for bad in ("ngắn", "x" * 65, "có dấu cách 123", 12345678):
        with pytest.raises(InputError) as refused:
            parse_announcement({**args, "request_id": bad})
        assert "mã yêu cầu" in str(refused.value)
