"""The shape of one bad-input case, shared by the catalogue test and the table in the docs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from broadcast.paths import ProjectPaths
from broadcast.scripts.model import Script


class Area(StrEnum):
    SCRIPTS = "scripts_vi/"
    SCHEDULES = "schedules.yaml"
    LEXICON = "lexicon.yaml"
    CONTROL = "control channel"


class Outcome(StrEnum):
    REFUSED = "refused; last good state kept"
    WARNED = "accepted with a warning"
    ACCEPTED = "accepted"


@dataclass(frozen=True)
class FileCase:
    """A file dropped in, edited or replaced the way the board or the technician would."""

    id: str
    area: Area
    bad_input: str  # for the table in docs/reliability.md
    feed: Callable[[ProjectPaths], None]
    outcome: Outcome
    message: str  # str(Diagnostic) as the board reads it; "" for a silent acceptance
    prefix_only: bool = False  # the message ends with words of another program (ffmpeg)
    accepted: Callable[[dict[str, Script]], None] | None = None  # checks on what was taken
    posix_only: bool = False


@dataclass(frozen=True)
class ControlCase:
    """A request sent to the running daemon's control channel."""

    id: str
    bad_input: str
    request: Callable[[ProjectPaths], bytes]  # the raw line(s) sent, token read like a client
    code: str
    message: str
    area: Area = Area.CONTROL
    outcome: Outcome = Outcome.REFUSED
    prefix_only: bool = False


Case = FileCase | ControlCase


def write(paths: ProjectPaths, relative: str, content: str | bytes) -> Path:
    """A file of the project, written as an editor would (UTF-8 text or raw bytes)."""
    path = paths.home / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def edit(paths: ProjectPaths, relative: str, old: str, new: str) -> None:
    """Replace one fragment of a project file; the fragment must be there exactly once."""
    path = paths.home / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} not found once in {relative}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def sized(paths: ProjectPaths, relative: str, megabytes: int) -> None:
    """A file of the given size without writing it all (sparse): the size is what is checked."""
    with (paths.home / relative).open("wb") as stream:
        stream.truncate(megabytes * 1024 * 1024)
