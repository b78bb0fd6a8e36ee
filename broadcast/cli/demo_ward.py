"""The demo's rehearsal copy of the ward: its scripts and timetable, where the board may approve
and edit without touching the ward's own ``scripts_vi/`` nor its play log.

A fresh clone has nothing approved (approvals live in the play log, which is never shipped),
so the demo shows the chain on a copy: most scripts approved, the first one of the rehearsed
day left pending, the next one edited after its approval. The rehearsed day is today, or when
today has no program (a Sunday in a Monday-to-Saturday timetable) the nearest day that has one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from broadcast.audio.manifest import AudioManifest
from broadcast.cli.project import Project
from broadcast.paths import ProjectPaths
from broadcast.playlog import PlayLog, database_path
from broadcast.playlog.history import plan_days
from broadcast.schedule import Plan
from broadcast.scripts import Script

WARD_FOLDER = "ward"  # under the demo folder
ADDED_SENTENCE = "Bà con cần biết thêm chi tiết xin liên hệ Bộ phận một cửa của phường."
_APPENDABLE = (".md", ".txt")  # plain text: a sentence can be added at the end
_UTF8_NAMES = ("utf-8", "utf-8-sig")
LOOK_AHEAD_DAYS = 14  # a timetable repeats weekly; two weeks also step over a holiday break


def _link_or_copy(source: str, target: str) -> None:
    """Rendered audio is large and never rewritten in place (a render replaces the file):
    a hard link costs nothing. Anything else, or a disk without links, is copied."""
    if source.endswith(".wav"):
        try:
            os.link(source, target)
            return
        except OSError:
            pass
    shutil.copy2(source, target)


def copy_ward(paths: ProjectPaths, folder: Path) -> ProjectPaths:
    """A fresh copy of the ward in ``folder``: timetable, lexicon, scripts, media and the
    rendered audio with its manifest; its own (empty) data folder."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    copy = ProjectPaths(folder.resolve())
    for source, target in ((paths.schedules_file, copy.schedules_file),
                           (paths.lexicon_file, copy.lexicon_file)):  # fmt: skip
        if source.is_file():
            shutil.copy2(source, target)
    for source, target in ((paths.scripts_dir, copy.scripts_dir),
                           (paths.media_dir, copy.media_dir)):  # fmt: skip
        if source.is_dir():
            shutil.copytree(source, target)
    if paths.audio_cache_dir.is_dir():
        shutil.copytree(paths.audio_cache_dir, copy.audio_cache_dir, copy_function=_link_or_copy)
    return copy


@dataclass(frozen=True)
class BoardChoice:
    """Which scripts the demo's board approves, leaves pending and edits after approving."""

    approved: list[str]
    pending: str | None
    edited: Script | None


def _plan_as_if_approved(project: Project, first_day: date, days: int) -> Plan:
    manifest = AudioManifest.load(project.paths)
    return plan_days(
        project.config,
        manifest.airable(project.scripts),
        first_day,
        None,
        days=days,
        durations=manifest.planning_durations(),
    )


def rehearsal_day(project: Project) -> date:
    """Today when it has a program, were every script approved; else the nearest day after it
    that has one (within ``LOOK_AHEAD_DAYS``); today again when none has."""
    today = project.clock.now().date()
    plan = _plan_as_if_approved(project, today, LOOK_AHEAD_DAYS)
    return min((item.start.date() for item in plan.items), default=today)


def _day_order(project: Project, day: date) -> list[str]:
    """The script ids in the order ``day``'s programs would air them were all approved, then
    the others: the one left pending is then one the street would have heard that day."""
    plan = _plan_as_if_approved(project, day, 1)
    order = [
        segment.script_id
        for item in plan.items
        for segment in item.segments
        if segment.script_id is not None
    ]
    order += sorted(script.id for script in project.scripts)
    return list(dict.fromkeys(order))


def _appendable(script: Script, home: Path) -> bool:
    """A plain-text UTF-8 script whose end is read aloud: a sentence added there changes it."""
    return (
        Path(script.source).suffix in _APPENDABLE
        and script.encoding in _UTF8_NAMES
        and not script.left_out
        and (home / script.source).is_file()
    )


def choose(project: Project, day: date) -> BoardChoice:
    order = _day_order(project, day)
    if not order:
        return BoardChoice([], None, None)
    pending, approved = order[0], order[1:]
    by_id = {script.id: script for script in project.scripts}
    edited = next((by_id[i] for i in approved if _appendable(by_id[i], project.paths.home)), None)
    return BoardChoice(approved, pending, edited)


def add_sentence(home: Path, script: Script) -> None:
    """The board's edit after approval: one more sentence at the end of the script."""
    path = home / script.source
    ending = "" if path.read_bytes().endswith(b"\n") else "\n"
    with path.open("a", encoding="utf-8") as file:
        file.write(f"{ending}\n{ADDED_SENTENCE}\n")


def seed_rehearsal_log(ward: ProjectPaths, rehearsal: ProjectPaths) -> None:
    """Start the rehearsal's log as a copy of the copy's log, approvals and all: a rehearsal
    keeps its own log, and plays the scripts its own log says are approved."""
    source = database_path(ward)
    if not source.exists():
        return
    rehearsal.make_private_data_dir()
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as origin,
        closing(sqlite3.connect(database_path(rehearsal))) as target,
    ):
        origin.backup(target)  # SQLite's own copy: whole and consistent


def first_aired(rehearsal: ProjectPaths, among: list[str]) -> str | None:
    """The first script of ``among`` the rehearsal aired: the one whose chain ``trace`` shows."""
    if not database_path(rehearsal).exists():
        return None
    with PlayLog.open_for_reading(rehearsal) as log:
        aired = [attempt.airing.script_id for attempt in log.attempts()]
    return next((script_id for script_id in aired if script_id in among), None)
