from pathlib import Path

import pytest

from broadcast.paths import ProjectPaths


class Project:
    """A temporary project folder with an empty ``scripts_vi/``."""

    def __init__(self, home: Path):
        self.paths = ProjectPaths(home)
        self.paths.scripts_dir.mkdir(parents=True)

    def write(self, relative: str, content: str | bytes) -> Path:
        path = self.paths.scripts_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8", newline="")
        else:
            path.write_bytes(content)
        return path


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path.resolve())
