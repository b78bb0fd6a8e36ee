"""Rendering for the commands that speak (``render``, ``preview``, ``export``, ``say``)."""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from broadcast.audio.batch import render_script
from broadcast.audio.manifest import ManifestEntry
from broadcast.audio.reading import Normalizer
from broadcast.audio.render import RenderResult
from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.output import print_diagnostics
from broadcast.cli.project import Project, load_project
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.scripts import Script
from broadcast.sinks.default_device import NoOutputDevice, play_on_default_device


@dataclass(frozen=True)
class RenderSetup:
    """A project ready to render: the normalizer comes with the project's lexicon."""

    project: Project
    reader: Normalizer


def load_render_setup(paths: ProjectPaths, *, scripts: bool = True) -> RenderSetup | None:
    """``load_project`` plus the lexicon; ``None`` after printing why either cannot be used."""
    project = load_project(paths, scripts=scripts)
    if project is None:
        return None
    try:
        reader = Normalizer(paths, project.config.tts.region)
    except InputError as exc:
        print_diagnostics(exc.diagnostics)
        return None
    return RenderSetup(project, reader)


def rendered_script(paths: ProjectPaths, script_id: str) -> tuple[Script, ManifestEntry] | None:
    """One script's audio, rendered now if needed (``preview``, ``export``); prints why and
    returns ``None`` when there is no such valid script or no engine could read it."""
    setup = load_render_setup(paths)
    if setup is None:
        return None
    project = setup.project
    script = project.script(script_id)
    if script is None:
        print(
            f'Không có kịch bản hợp lệ nào mã "{script_id}" (xem "broadcast check").',
            file=sys.stderr,
        )
        return None
    result = render_script(
        paths, project.config.tts, script, reader=setup.reader, clock=project.clock
    )
    print_render_problems(result, script.source)
    if result.entry is None:
        print(f"{script.source}: không bộ đọc nào tạo được âm thanh.", file=sys.stderr)
        return None
    return script, result.entry


def print_render_problems(result: RenderResult, source: str) -> None:
    """Why engines failed for one script, naming its file; a warning when a fallback read it."""
    label = "cảnh báo: " if result.entry is not None else ""
    for problem in result.problems:
        print(f"{source}: {label}{problem}", file=sys.stderr)


def deliver(entry: ManifestEntry, out: Path | None) -> int:
    """Copy the rendered file to ``out``, or play it on the default device."""
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(entry.path, out)
        print(f"Đã ghi {out} ({entry.duration_seconds:.1f} giây).")
        return EXIT_OK
    try:
        play_on_default_device(entry.path)
    except NoOutputDevice as exc:
        print(f"Không phát được: {exc}.", file=sys.stderr)
        return EXIT_INPUT_ERRORS
    return EXIT_OK
