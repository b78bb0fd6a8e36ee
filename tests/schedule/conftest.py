import textwrap
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from broadcast.config import Config, parse_config
from broadcast.paths import ProjectPaths
from broadcast.scripts.model import CHARS_PER_SECOND, Priority, Script, ScriptKind

ZONES = """
timezone: Asia/Ho_Chi_Minh
topics: {cchc: Cải cách hành chính, thong-bao: Thông báo, dvc: Dịch vụ công}
zones:
  - {id: trung-tam, name: Trung tâm, output: {device: "USB Audio", channels: [1]}}
  - {id: tdp-1, name: TDP 1, output: {device: "USB Audio", channels: [2]}}
  - {id: tdp-2, name: TDP 2, output: {device: "USB Audio", channels: [3]}}
zone_groups:
  toan-phuong: all
"""


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[[str], Config]:
    """A Config from the zones above plus the given programs, slots and quiet hours."""
    (tmp_path / "media").mkdir(exist_ok=True)

    def build(text: str) -> Config:
        full = ZONES + textwrap.dedent(text)
        return parse_config(full, "schedules.yaml", ProjectPaths(tmp_path))

    return build


def _script(
    script_id: str,
    seconds: float = 60,
    *,
    topic: str | None = "cchc",
    priority: Priority = Priority.NORMAL,
    valid_from: date | None = None,
    valid_until: date | None = None,
    zones: tuple[str, ...] | None = None,
    times_per_week: int | None = None,
) -> Script:
    """A text script whose estimated airtime is ``seconds``."""
    return Script(
        id=script_id,
        source=f"scripts_vi/{script_id}.md",
        kind=ScriptKind.TEXT,
        title=script_id,
        body="a" * (round(seconds * CHARS_PER_SECOND) - len(script_id)),
        content_hash=script_id,
        topic=topic,
        priority=priority,
        valid_from=valid_from,
        valid_until=valid_until,
        zones=zones,
        times_per_week=times_per_week,
    )


@pytest.fixture
def make_script() -> Callable[..., Script]:
    return _script
