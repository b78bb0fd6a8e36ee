import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from broadcast.config import Config, parse_config
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths


@pytest.fixture
def project(tmp_path: Path) -> ProjectPaths:
    (tmp_path / "media").mkdir()
    return ProjectPaths(tmp_path)


@pytest.fixture
def parse(project: ProjectPaths) -> Callable[[str], Config]:
    return lambda text: parse_config(textwrap.dedent(text), "schedules.yaml", project)


@pytest.fixture
def problems(parse) -> Callable[[str], list[tuple[int | None, str, str]]]:
    """(line, code, message) of every diagnostic a text raises, in the order reported."""

    def collect(text: str) -> list[tuple[int | None, str, str]]:
        with pytest.raises(InputError) as caught:
            parse(text)
        return [(d.line, d.code, d.message) for d in caught.value.diagnostics]

    return collect
