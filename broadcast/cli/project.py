"""The project as the commands use it: read once, its problems printed one way.

Each command asks ``load_project`` for a ready ``Project``, the way beets' ``_setup()`` hands
every subcommand a ready library, and returns ``EXIT_INPUT_ERRORS`` when it gets ``None``.
``check`` alone reads the files itself: it reports every problem instead of stopping.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from broadcast.cli.output import print_diagnostics
from broadcast.clock import SystemClock
from broadcast.config import Config, load_config
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.playlog import database_path
from broadcast.scripts import Script, ScriptFolder, load_folder


@dataclass(frozen=True)
class Project:
    """A project folder whose configuration loaded, with its scripts when they were asked for."""

    paths: ProjectPaths
    config: Config
    folder: ScriptFolder = field(default_factory=ScriptFolder)  # empty unless asked for

    @property
    def scripts(self) -> list[Script]:
        """The valid scripts; rejected files are left out."""
        return self.folder.scripts

    @property
    def clock(self) -> SystemClock:
        return SystemClock(self.config.timezone)

    def script(self, script_id: str) -> Script | None:
        return next((script for script in self.scripts if script.id == script_id), None)


def load_project(
    paths: ProjectPaths, *, scripts: bool = False, otherwise: str | None = None
) -> Project | None:
    """The project, or ``None`` after printing why its configuration cannot be used.

    ``otherwise`` is for commands that go on without the configuration (from the play log or
    the sound devices alone): it says what they do instead, in a warning before the problems.
    With ``scripts`` the drop folder is read too; rejected files do not stop the command,
    which works with the valid scripts after saying how many were left out.
    """
    try:
        config = load_config(paths)
    except InputError as exc:
        if otherwise is not None:
            print(f"cảnh báo: không đọc được cấu hình, {otherwise}:", file=sys.stderr)
        print_diagnostics(exc.diagnostics)
        return None
    if not scripts:
        return Project(paths, config)
    folder = load_folder(paths)
    _print_unusable_scripts(folder)
    return Project(paths, config, folder)


def _print_unusable_scripts(folder: ScriptFolder) -> None:
    """A count of rejected files (``check`` lists why), and errors of the folder itself."""
    if folder.rejected:
        print(
            f"{len(folder.rejected)} tệp kịch bản bị loại vì lỗi; chạy `broadcast check` để "
            "xem chi tiết.",
            file=sys.stderr,
        )
    rejected = {file.source for file in folder.rejected}
    print_diagnostics(d for d in folder.errors if d.file not in rejected)


def play_log_missing(paths: ProjectPaths) -> bool:
    """Whether there is no play log yet, after saying so; reading never creates one."""
    database = database_path(paths)
    if database.exists():
        return False
    print(f"Chưa có nhật ký phát ({paths.relative(database)}).", file=sys.stderr)
    return True
