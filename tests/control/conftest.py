from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from broadcast.control import (
    ANNOUNCE,
    STATUS,
    ControlServer,
    parse_announcement,
    without_args,
)
from broadcast.paths import ProjectPaths


def _fail(args: dict[str, Any]) -> dict[str, Any]:
    raise RuntimeError("loa tổ 3 không phản hồi")


def standard_handlers() -> dict[str, Callable[[dict[str, Any]], Any]]:
    """What the tests' daemon serves: real validation, trivial behaviour."""
    return {
        STATUS: without_args(STATUS, lambda: {"alive": True}),
        ANNOUNCE: lambda args: {"queued": parse_announcement(args).to_args()},
        "echo": lambda args: {"args": args},
        "fail": _fail,
    }


@pytest.fixture
def paths(tmp_path: Path) -> ProjectPaths:
    return ProjectPaths(tmp_path.resolve())


@pytest.fixture
def start_server(paths: ProjectPaths) -> Iterator[Callable[..., ControlServer]]:
    """Starts a server on the test project (standard handlers unless given); stops it after."""
    started: list[ControlServer] = []

    def start(handlers: dict[str, Any] | None = None, **options: Any) -> ControlServer:
        server = ControlServer(
            paths, standard_handlers() if handlers is None else handlers, **options
        )
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
