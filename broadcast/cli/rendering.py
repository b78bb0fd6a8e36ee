"""Rendering for the commands that speak (``render``, ``preview``, ``export``, ``say``)."""

from __future__ import annotations

import argparse
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
from broadcast.config.tts import TtsSettings
from broadcast.diagnostics import InputError
from broadcast.media.ffmpeg import AudioDecodeError, export_mp3
from broadcast.paths import ProjectPaths
from broadcast.scripts import Script
from broadcast.sinks.default_device import NoOutputDevice, play_on_default_device


@dataclass(frozen=True)
class RenderSetup:
    """A project ready to render: the normalizer comes with the project's lexicon."""

    project: Project
    reader: Normalizer
    offline: bool = False

    @property
    def settings(self) -> TtsSettings:
        """The project's voices; with ``--offline`` only those that need no network."""
        tts = self.project.config.tts
        return tts.offline() if self.offline else tts


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """``--out`` and ``--offline`` (``preview``, ``say``)."""
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="write FILE instead of playing: MP3 when its name ends in .mp3, else WAV",
    )
    add_offline_option(parser)


def add_offline_option(parser: argparse.ArgumentParser) -> None:
    """``--offline``, the same for every command that speaks."""
    parser.add_argument(
        "--offline",
        action="store_true",
        help="use only the engines that need no network (espeak-ng, piper), never gTTS",
    )


def load_render_setup(
    paths: ProjectPaths, *, scripts: bool = True, offline: bool = False
) -> RenderSetup | None:
    """``load_project`` plus the lexicon; ``None`` after printing why either cannot be used."""
    project = load_project(paths, scripts=scripts)
    if project is None:
        return None
    try:
        reader = Normalizer(paths, project.config.tts.region)
    except InputError as exc:
        print_diagnostics(exc.diagnostics)
        return None
    return RenderSetup(project, reader, offline)


def rendered_script(
    paths: ProjectPaths, script_id: str, *, offline: bool = False
) -> tuple[Script, ManifestEntry] | None:
    """One script's audio, rendered now if needed (``preview``, ``export``); prints why and
    returns ``None`` when there is no such valid script or no engine could read it."""
    setup = load_render_setup(paths, offline=offline)
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
    result = render_script(paths, setup.settings, script, reader=setup.reader, clock=project.clock)
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


def deliver(entry: ManifestEntry, out: Path | None, title: str | None = None) -> int:
    """Write the rendered audio to ``out`` (a copy, or an MP3 tagged with ``title``), or play it
    on the default device."""
    if out is not None:
        return write_audio(entry, out, title)
    try:
        play_on_default_device(entry.path)
    except NoOutputDevice as exc:
        print(f"Không phát được: {exc}.", file=sys.stderr)
        return EXIT_INPUT_ERRORS
    return EXIT_OK


def write_audio(
    entry: ManifestEntry, out: Path, title: str | None = None, *, mp3: bool = False
) -> int:
    """The rendered WAV copied to ``out``, or encoded as MP3 when ``out`` ends in ``.mp3``
    (or ``mp3`` asks for it whatever the name)."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if mp3 or out.suffix.lower() == ".mp3":
            export_mp3(entry.path, out, title)
        else:
            shutil.copyfile(entry.path, out)
    except (AudioDecodeError, OSError) as exc:
        print(f"Không ghi được {out}: {exc}", file=sys.stderr)
        return EXIT_INPUT_ERRORS
    done = "Đã xuất" if mp3 else "Đã ghi"
    print(f"{done} {out} ({entry.duration_seconds:.1f} giây).")
    return EXIT_OK
