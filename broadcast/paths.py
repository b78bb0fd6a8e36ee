"""The one place that decides where the project's files live."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

HOME_ENV = "BROADCAST_HOME"
LAST_GOOD_FOLDER = "last-good"  # under the data folder


@dataclass(frozen=True)
class ProjectPaths:
    """Folders and files of one ward's project folder."""

    home: Path
    data_override: Path | None = None  # a rehearsal keeps its play log apart from the real one

    @classmethod
    def resolve(cls, home: str | os.PathLike[str] | None = None) -> ProjectPaths:
        """``--home`` wins, then ``$BROADCAST_HOME``, then the current folder."""
        chosen = home or os.environ.get(HOME_ENV) or Path.cwd()
        return cls(Path(chosen).expanduser().resolve())

    @property
    def scripts_dir(self) -> Path:
        return self.home / "scripts_vi"

    @property
    def schedules_file(self) -> Path:
        return self.home / "schedules.yaml"

    @property
    def lexicon_file(self) -> Path:
        """The board's own abbreviations, next to ``schedules.yaml``."""
        return self.home / "lexicon.yaml"

    @property
    def media_dir(self) -> Path:
        """Pre-recorded jingles and programmes that ``schedules.yaml`` may reference."""
        return self.home / "media"

    @property
    def audio_cache_dir(self) -> Path:
        return self.home / "audio_cache"

    @property
    def data_dir(self) -> Path:
        """Database, daemon log, control token: machine state, never edited by hand."""
        return self.data_override or self.home / "data"

    def make_private_data_dir(self) -> None:
        """Create the data folder for this user alone (``0700``), or narrow one made before:
        the play log holds announcements as sent and who sent them, the daemon's log names
        files, and other users of the PC may not read them. Windows has no such modes: there
        the folder keeps the rights of the profile it lives in."""
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if os.name != "nt":
            # Another user's folder (``--data``) is not ours to change: the station airs anyway.
            with contextlib.suppress(OSError):
                self.data_dir.chmod(0o700)

    def last_good(self) -> ProjectPaths:
        """The project as its files last read valid: copies kept below ``data/last-good/`` in
        the project's own layout, so a copy read from there gets the id and the source name of
        the file it stands for."""
        return ProjectPaths(self.data_dir / LAST_GOOD_FOLDER)

    def with_data_dir(self, data_dir: Path) -> ProjectPaths:
        """The same project with its machine state kept in ``data_dir``."""
        return replace(self, data_override=data_dir.resolve())

    def relative(self, path: Path) -> str:
        """How a file is named in messages: relative to the project, with forward slashes."""
        try:
            return path.resolve().relative_to(self.home).as_posix()
        except ValueError:
            return path.as_posix()
