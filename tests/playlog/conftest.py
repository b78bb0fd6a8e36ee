from datetime import datetime

import pytest

from broadcast.paths import ProjectPaths
from broadcast.playlog import Airing, PlayLog
from broadcast.playlog.store import WARD_TIMEZONE


@pytest.fixture
def paths(tmp_path):
    return ProjectPaths(tmp_path)


@pytest.fixture
def log(paths):
    with PlayLog.open(paths) as opened:
        yield opened


def _airing(zone="to-1", at=datetime(2023, 1, 2, 6, 0, tzinfo=WARD_TIMEZONE), **fields):
    values = {"title": "Dịch vụ công trực tuyến mức độ 4", "script_id": "2023-01/dvc-4"}
    values.update(fields)
    return Airing(zone=zone, scheduled_at=at, **values)


@pytest.fixture
def airing():
    """Builds an ``Airing`` with sensible defaults; tests override what they care about."""
    return _airing
