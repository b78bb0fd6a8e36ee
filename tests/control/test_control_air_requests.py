"""The arguments of ``skip``, ``stop`` and ``cancel``: every problem named at once, in
Vietnamese, the same on the command line and in the daemon."""

import pytest

from broadcast.config import Config
from broadcast.config.model import Zone, ZoneOutput
from broadcast.control import (
    CANCEL,
    SKIP,
    STOP,
    CancelRequest,
    CutRequest,
    parse_cancel,
    parse_cut,
)
from broadcast.control.arguments import MAX_SENDER_CHARACTERS
from broadcast.diagnostics import InputError
from broadcast.playlog import Reason, reason_label_vi

CONFIG = Config(
    source="schedules.yaml",
    zones=tuple(Zone(f"to-{n}", f"Tổ dân phố {n}", ZoneOutput(f"loa-{n}", (1,))) for n in (1, 2)),
    zone_groups={"toan-phuong": ("to-1", "to-2")},
)


def _problems(parse, *args, **options) -> dict[str, str]:
    """code → "source: message" of every diagnostic the parser raises."""
    with pytest.raises(InputError) as refused:
        parse(*args, **options)
    return {d.code: str(d) for d in refused.value.diagnostics}


@pytest.mark.parametrize("command", [SKIP, STOP])
def test_a_cut_without_arguments_means_every_zone(command):
    assert parse_cut(command, {}) == CutRequest(zones=None, sender=None)
    assert parse_cut(command, {}).to_args() == {}


def test_zones_are_resolved_by_id_or_name_and_groups_stay_groups():
    request = parse_cut(SKIP, {"zones": ["Tổ dân phố 2", "toan-phuong"], "sender": " an "}, CONFIG)
    assert request == CutRequest(zones=("to-2", "toan-phuong"), sender="an")
    assert parse_cut(SKIP, request.to_args(), CONFIG) == request  # what the daemon receives


def test_every_problem_of_a_cut_is_named_at_once_with_the_command_as_typed():
    problems = _problems(
        parse_cut, STOP, {"zones": ["to-9"], "sender": "x" * 65, "zone": "to-1"}, CONFIG
    )
    assert problems.keys() == {"unknown_zone", "bad_sender", "unknown_argument"}
    assert problems["unknown_zone"].startswith("stop --zones: ")
    assert 'khu vực "to-9"' in problems["unknown_zone"]
    assert '"zone"' in problems["unknown_argument"] and "zones" in problems["unknown_argument"]
    assert str(MAX_SENDER_CHARACTERS) in problems["bad_sender"]


@pytest.mark.parametrize("zones", [[], "to-1", [""]])
def test_zones_given_must_be_a_non_empty_list_of_names(zones):
    problems = _problems(parse_cut, SKIP, {"zones": zones})
    assert problems.keys() <= {"no_zones", "bad_zone"} and problems


def test_cancel_takes_the_bulletin_id_as_announce_printed_it():
    request = parse_cancel({"id": " uu-tien-20261215-083000-1a2b\n", "sender": "an"})
    assert request == CancelRequest("uu-tien-20261215-083000-1a2b", "an")
    assert parse_cancel(request.to_args()) == request


@pytest.mark.parametrize("bulletin_id", [None, "", "   ", 42, "x" * 65])
def test_cancel_without_a_usable_id_is_refused(bulletin_id):
    args = {} if bulletin_id is None else {"id": bulletin_id}
    problems = _problems(parse_cancel, args)
    assert problems.keys() == {"bad_bulletin_id"}
    assert problems["bad_bulletin_id"].startswith(f"{CANCEL}: ")


def test_cancel_names_unknown_arguments_too():
    problems = _problems(parse_cancel, {"id": "uu-tien-1", "zones": ["to-1"]})
    assert problems.keys() == {"unknown_argument"}


@pytest.mark.parametrize(
    ("code", "who", "label"),
    [
        (Reason.SKIPPED_BY, "an", "bỏ qua theo yêu cầu của an"),
        (Reason.STOPPED_BY, "ky-thuat", "dừng theo yêu cầu của ky-thuat"),
        (Reason.CANCELLED_BY, "an", "hủy theo yêu cầu của an"),
        (Reason.SKIPPED_BY, None, "bỏ qua theo yêu cầu của người vận hành"),
    ],
)
def test_a_technicians_reason_names_who_asked(code, who, label):
    reason = Reason.asked_by(code, who)
    assert reason == (f"{code}:{who}" if who else code)
    assert reason_label_vi(reason) == label
