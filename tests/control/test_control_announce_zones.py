"""``broadcast announce --zones`` by id or name, through the real control channel to a handler
that checks the request the way the daemon does."""

from typing import Any

import pytest

from broadcast.cli import main
from broadcast.config import Config, load_config
from broadcast.control import ANNOUNCE, parse_announcement

SCHEDULES = """\
zones:
  - {id: trung-tam, name: Trung tâm, output: {device: "USB Audio", channels: [1]}}
  - {id: tdp-1, name: Tổ dân phố 1, output: {device: "USB Audio", channels: [2]}}
  - {id: tdp-2, name: Tổ dân phố 2, output: {device: "USB Audio", channels: [3]}}
zone_groups:
  cac-to: [tdp-1, tdp-2]
"""


@pytest.fixture
def config(paths) -> Config:
    paths.schedules_file.write_text(SCHEDULES, encoding="utf-8")
    return load_config(paths)


@pytest.fixture
def received(config, start_server) -> list[tuple[str, ...]]:
    """The zones each accepted announcement named, as ids; the answer is the daemon's."""
    found: list[tuple[str, ...]] = []

    def announce(args: dict[str, Any]) -> dict[str, Any]:
        request = parse_announcement(args, config=config)
        found.append(request.zones)
        zones = config.expand_zones(request.zones)
        return {"id": "uu-tien-1", "zones": list(zones), "priority": request.priority.value}

    start_server({ANNOUNCE: announce})
    return found


def _announce(paths, capsys, zones: str) -> tuple[int, str, str]:
    code = main(["--home", str(paths.home), "announce", "--text", "Mất nước", "--zones", zones])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_announce_takes_zones_by_name_and_says_which_zones_by_name(paths, received, capsys):
    code, out, _ = _announce(paths, capsys, "tổ dân phố 2, Trung tâm")
    assert code == 0
    assert received == [("tdp-2", "trung-tam")]
    assert out == "Đã nhận thông báo ưu tiên uu-tien-1 cho Trung tâm, Tổ dân phố 2.\n"
    _announce(paths, capsys, "CAC-TO")
    assert received[-1] == ("cac-to",)


def test_announce_to_an_unknown_zone_name_is_refused_with_the_closest_name(paths, received, capsys):
    code, out, err = _announce(paths, capsys, "Tổ dân phố 3")
    assert (code, out, received) == (1, "", [])
    assert 'khu vực "Tổ dân phố 3" không có trong schedules.yaml (có phải "Tổ dân phố 2"?)' in err
