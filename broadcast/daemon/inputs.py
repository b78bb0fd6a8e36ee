"""What the daemon airs from: configuration, scripts and rendered audio, kept at the last good
state when an edit breaks something.

An invalid ``schedules.yaml`` or lexicon leaves the previous configuration in force; a script
that an edit made invalid keeps airing in its previous good version. Both raise an alarm that
names file and line, so the technician knows the edit was not taken.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from broadcast.config import Config, load_config
from broadcast.diagnostics import Diagnostic, InputError, errors_in
from broadcast.paths import ProjectPaths
from broadcast.scripts import load_folder
from broadcast.scripts.model import Script
from broadcast.textnorm import load_lexicon


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

    With no ``previous`` (the daemon's start), an invalid configuration raises ``InputError``.
    """
    problems: list[Diagnostic] = []
    try:
        config = load_config(paths)
        load_lexicon(paths)  # only checked here; the render stage reads it itself
    except InputError as exc:
        if previous is None:
            raise
        problems.extend(errors_in(exc.diagnostics))
        config = previous.config
    folder = load_folder(paths)
    scripts = {script.id: script for script in folder.scripts}
    for rejected in folder.rejected:
        problems.extend(rejected.diagnostics)
        kept = previous.by_id.get(rejected.id) if previous else None
        if kept is not None:
            scripts[kept.id] = kept
    ordered = tuple(scripts[key] for key in sorted(scripts))
    return Inputs(config, ordered, tuple(errors_in(problems)))
