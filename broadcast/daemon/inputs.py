"""What the daemon airs from: configuration, scripts and rendered audio, kept at the last good
state when an edit breaks something.

An invalid ``schedules.yaml`` or lexicon leaves the previous configuration in force; a script
that an edit made invalid keeps airing in its previous good version. Both raise an alarm that
names file and line, so the technician knows the edit was not taken.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from broadcast.config import Config, parse_config, read_config_text
from broadcast.diagnostics import Diagnostic, InputError, errors_in
from broadcast.media.files import atomic_write
from broadcast.paths import ProjectPaths
from broadcast.scripts import load_folder
from broadcast.scripts.model import Script
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
    valid one saved on disk, so a broken edit and a power cut do not silence the ward; only
    with neither does it raise ``InputError``.
    """
    problems: list[Diagnostic] = []
    try:
        text, source = read_config_text(paths)
        config = parse_config(text, source, paths)
        _keep_last_good(paths, text)
    except InputError as exc:
        fallback = previous.config if previous is not None else _last_good(paths)
        if fallback is None:
            raise
        problems.extend(errors_in(exc.diagnostics))
        config = fallback
    try:
        load_lexicon(paths)  # only checked here; the render stage reads it itself
    except InputError as exc:
        problems.extend(errors_in(exc.diagnostics))
    folder = load_folder(paths)
    scripts = {script.id: script for script in folder.scripts}
    for rejected in folder.rejected:
        problems.extend(rejected.diagnostics)
        kept = previous.by_id.get(rejected.id) if previous else None
        if kept is not None:
            scripts[kept.id] = kept
    ordered = tuple(scripts[key] for key in sorted(scripts))
    return Inputs(config, ordered, tuple(errors_in(problems)))


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
