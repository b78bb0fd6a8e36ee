"""Whatever bytes arrive, the server answers with a well-formed error or closes, and goes on."""

import json
import socket
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broadcast.control import (
    ANNOUNCE,
    MAX_REQUEST_BYTES,
    ControlClient,
    ControlServer,
    ErrorCode,
)
from broadcast.control.endpoint import read_token
from broadcast.paths import ProjectPaths
from tests.control.conftest import standard_handlers
from tests.control.control_wire import exchange, read_responses, request_line, session

KNOWN_CODES = {code.value for code in ErrorCode}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.text(st.characters(categories=["Cs", "Cc", "Lo"]), max_size=4),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
announce_args = st.dictionaries(
    st.sampled_from(["text", "file", "zones", "priority"]) | st.text(max_size=8),
    json_values
    | st.sampled_from(["emergency", "priority", "normal", "/tmp", "/etc/hostname.txt"])
    | st.lists(st.text(max_size=6), max_size=3),
    max_size=5,
)

# Long lines around the size limit, built from a short random pattern (drawing 64 KiB byte by
# byte would make hypothesis spend its time generating rather than testing).
near_the_limit = st.tuples(
    st.binary(min_size=1, max_size=64),
    st.integers(MAX_REQUEST_BYTES - 8, MAX_REQUEST_BYTES + 64),
).map(lambda drawn: (drawn[0] * (drawn[1] // len(drawn[0]) + 1))[: drawn[1]])


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    paths = ProjectPaths(Path(tmp_path_factory.mktemp("fuzz")).resolve())
    with ControlServer(paths, standard_handlers(), request_timeout=2) as server:
        yield server, paths


def _well_formed_error(response: dict) -> None:
    assert set(response) == {"ok", "error"}
    assert response["ok"] is False
    assert response["error"]["code"] in KNOWN_CODES
    assert isinstance(response["error"]["message"], str) and response["error"]["message"]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=512) | near_the_limit)
def test_arbitrary_bytes_get_one_error_or_a_closed_connection(served, data):
    server, paths = served
    responses = exchange(server.address, data + b"\n")
    assert len(responses) <= 1
    for response in responses:
        _well_formed_error(response)
    assert ControlClient.from_paths(paths).call("status") == {"alive": True}


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    command=st.sampled_from([ANNOUNCE, "status", "reload"]) | st.text(min_size=1, max_size=10),
    args=announce_args,
)
def test_authenticated_nonsense_is_answered_never_crashes_a_handler(served, command, args):
    server, paths = served
    with session(server.address, read_token(paths)) as connection:
        connection.sendall(request_line(command, args))
        connection.shutdown(socket.SHUT_WR)
        [response] = read_responses(connection)
    if response["ok"]:
        assert command in ("status", ANNOUNCE, "echo")
        return
    _well_formed_error(response)
    if _has_lone_surrogate({"command": command, "args": args}):
        assert response["error"]["code"] == "bad_request"
    else:  # validation refuses bad arguments; a handler crashing on them would be a bug
        assert response["error"]["code"] in ("unknown_command", "invalid_input")


def _has_lone_surrogate(value) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
