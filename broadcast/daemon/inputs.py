"""What the daemon airs from: configuration, scripts and rendered audio, kept at the last good
state when an edit breaks something.

An invalid ``schedules.yaml`` or lexicon leaves the previous configuration in force (a program
naming a script the ward does not have makes it invalid, as in ``broadcast check``); a script
that an edit made invalid keeps airing in its previous good version. Both raise an alarm that
names file and line, so the technician knows the edit was not taken. The last valid timetable
and a copy of each script that read valid are kept in the data folder, so a restart (a power
cut) with a broken file still airs the good version; a script deleted from ``scripts_vi/`` is
deleted there too and never comes back.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from broadcast.config import Config, parse_config, read_config_text
from broadcast.config.references import check_script_references, emergencies_without_approval
from broadcast.diagnostics import Diagnostic, InputError, errors_in
from broadcast.media.files import atomic_write
from broadcast.paths import ProjectPaths
from broadcast.scripts import ScriptFolder, load_folder, read_script, script_id
from broadcast.scripts.folder import Rejected
from broadcast.scripts.model import Script
from broadcast.scripts.reader import SCRIPT_SUFFIXES, sidecar_of, source_name
from broadcast.textnorm import load_lexicon

logger = logging.getLogger("broadcast.daemon")
LAST_GOOD_NAME = "schedules.last-good.yaml"  # in the data folder


@dataclass(frozen=True)
class Inputs:
    config: Config
    scripts: tuple[Script, ...]
    problems: tuple[Diagnostic, ...] = ()  # errors of the last reading (kept state in force)

    @property
    def by_id(self) -> Mapping[str, Script]:
        return {script.id: script for script in self.scripts}


def read_inputs(paths: ProjectPaths, previous: Inputs | None = None) -> Inputs:
    """Read everything again; keeps ``previous`` parts where the new ones are invalid.

    With no ``previous`` (the daemon's start) an invalid configuration falls back to the last
    valid one saved on disk, and an invalid script to its saved good copy, so a broken edit and
    a power cut do not silence the ward; only with no valid configuration at all does it raise
    ``InputError``.
    """
    folder = load_folder(paths)  # first: the timetable is judged with the scripts it names
    kept_versions = previous.by_id if previous is not None else _saved_scripts(paths, folder)
    ordered, script_problems = _assemble(folder, kept_versions)
    problems: list[Diagnostic] = []
    try:
        text, source = read_config_text(paths)
        config = parse_config(text, source, paths)
        unknown = errors_in(check_script_references(config, ordered))
        if unknown:  # a program naming a script the ward lacks: refused, as `check` does
            raise InputError(unknown)
        _keep_last_good(paths, text)
    except InputError as exc:
        fallback = previous.config if previous is not None else _last_good(paths)
        if fallback is None:
            raise
        problems.extend(errors_in(exc.diagnostics))
        config = fallback
    refused = _refuse_emergencies(folder, config)
    if refused is not folder:
        folder = refused
        kept_versions = previous.by_id if previous is not None else _saved_scripts(paths, folder)
        ordered, script_problems = _assemble(folder, kept_versions)
    try:
        load_lexicon(paths)  # only checked here; the render stage reads it itself
    except InputError as exc:
        problems.extend(errors_in(exc.diagnostics))
    _keep_last_good_scripts(paths, folder)
    return Inputs(config, ordered, tuple(errors_in(problems + script_problems)))


def _assemble(
    folder: ScriptFolder, kept_versions: Mapping[str, Script]
) -> tuple[tuple[Script, ...], list[Diagnostic]]:
    """The scripts to air from: each valid file, and for an invalid one its kept version."""
    scripts = {script.id: script for script in folder.scripts}
    problems: list[Diagnostic] = []
    for rejected in folder.rejected:
        problems.extend(rejected.diagnostics)
        kept = kept_versions.get(rejected.id)
        if kept is not None:
            scripts.setdefault(kept.id, kept)  # a valid file of the same id wins
    return tuple(scripts[key] for key in sorted(scripts)), problems


def _refuse_emergencies(folder: ScriptFolder, config: Config) -> ScriptFolder:
    """With approval off, a script that makes itself an emergency is refused like an invalid
    file (its previous good version airs); ``check`` says the same."""
    refused = emergencies_without_approval(config, folder.scripts)
    if not refused:
        return folder
    sources = {diagnostic.file: diagnostic for diagnostic in refused}
    rejected = [
        Rejected(s.id, s.source, (sources[s.source],))
        for s in folder.scripts
        if s.source in sources
    ]
    return replace(
        folder,
        scripts=[script for script in folder.scripts if script.source not in sources],
        rejected=sorted([*folder.rejected, *rejected], key=lambda r: r.source),
    )


def last_good_file(paths: ProjectPaths) -> Path:
    """The copy of the last ``schedules.yaml`` that was valid, kept with the station's data."""
    return paths.data_dir / LAST_GOOD_NAME


def _keep_last_good(paths: ProjectPaths, text: str) -> None:
    data = text.encode("utf-8")
    saved = last_good_file(paths)
    try:
        if saved.exists() and saved.read_bytes() == data:
            return
        with atomic_write(saved) as handle:
            handle.write(data)
    except OSError:
        logger.warning(
            "không lưu được bản lịch phát đúng gần nhất vào %s",
            saved,
            extra={"event": "last_good_not_saved"},
        )


def _last_good(paths: ProjectPaths) -> Config | None:
    saved = last_good_file(paths)
    try:
        text = saved.read_text(encoding="utf-8")
        config = parse_config(text, paths.relative(saved), paths)
    except (OSError, InputError):
        return None
    logger.warning(
        "schedules.yaml có lỗi: chạy theo bản đúng gần nhất (%s)",
        paths.relative(saved),
        extra={"event": "last_good_config_used"},
    )
    return config


def _saved_scripts(paths: ProjectPaths, folder: ScriptFolder) -> dict[str, Script]:
    """At a start, the saved good version of each script whose file is invalid now, read from
    its copy with the same reader (same id and source name as the file it stands for)."""
    wanted = _held_ids(folder)
    if not wanted:
        return {}
    saved = paths.last_good()
    found = {}
    for copy in _saved_files(saved):
        if copy.suffix.lower() not in SCRIPT_SUFFIXES or script_id(copy, saved) not in wanted:
            continue  # a sidecar is read with its script
        try:
            script = read_script(copy, saved)
        except InputError:
            continue  # changed between its reading and its copy: no good version to air
        found[script.id] = script
        logger.warning(
            "%s có lỗi: phát bản đúng gần nhất đã lưu",
            script.source,
            extra={"event": "last_good_script_used"},
        )
    return found


def _keep_last_good_scripts(paths: ProjectPaths, folder: ScriptFolder) -> None:
    """Copy each script that read valid; forget every script whose file has left the folder.

    A script that is invalid now keeps its copy. A renamed script is a new id (the planner's
    history goes by id), so the old name's copy goes with the old name.
    """
    saved = paths.last_good()
    copies = {
        saved.home / source_name(file, paths): file
        for script in folder.scripts
        for file in _files_of(script, paths)
    }
    for copy, file in copies.items():
        try:
            _copy_if_changed(file, copy)
        except OSError as exc:  # a full disk: the older copy, if any, stays
            _not_saved(paths.relative(file), exc)
    held = _held_ids(folder)
    try:
        for copy in _saved_files(saved):
            # Gone from the folder, or replaced (a.txt's copy once a.md of the same id reads).
            if copy not in copies and script_id(copy, saved) not in held:
                copy.unlink()
    except OSError as exc:
        _not_saved(paths.relative(saved.scripts_dir), exc)


def _held_ids(folder: ScriptFolder) -> set[str]:
    """Scripts invalid now with no valid file of the same id: they air their saved version."""
    return {rejected.id for rejected in folder.rejected} - {s.id for s in folder.scripts}


def _files_of(script: Script, paths: ProjectPaths) -> list[Path]:
    """The files a script was read from: its own, and its sidecar if it has one."""
    file = paths.home / script.source
    sidecar = sidecar_of(file)
    return [file] if sidecar is None else [file, sidecar]


def _copy_if_changed(file: Path, copy: Path) -> None:
    """Copied whole and atomically, with the file's modification time: a copy of the same size
    and time is taken as current, so a recording is not copied again at every change."""
    status = file.stat()
    if copy.exists() and _stamp(copy.stat()) == _stamp(status):
        return
    with file.open("rb") as original, atomic_write(copy) as handle:
        shutil.copyfileobj(original, handle)
    os.utime(copy, ns=(status.st_atime_ns, status.st_mtime_ns))


def _stamp(status: os.stat_result) -> tuple[int, int]:
    return status.st_size, status.st_mtime_ns


def _saved_files(saved: ProjectPaths) -> Iterator[Path]:
    for directory, _, names in os.walk(saved.scripts_dir):
        for name in names:
            yield Path(directory) / name


def _not_saved(what: str, exc: OSError) -> None:
    logger.warning(
        "không lưu được bản kịch bản đúng gần nhất (%s): %s",
        what,
        exc.strerror or exc,
        extra={"event": "last_good_not_saved"},
    )
