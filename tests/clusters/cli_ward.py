"""A ward with two IP zones, and ``broadcast clusters ARGS`` run in it as typed, for the tests
of the ``clusters`` commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from broadcast.cli import main
from broadcast.clusters.registry import ClusterFiles
from broadcast.paths import ProjectPaths

SCHEDULES = """\
timezone: Asia/Ho_Chi_Minh
zones:
  - {id: trung-tam, name: Trung tâm, output: {device: "USB Audio", channels: [1]}}
  - {id: khu-cho, name: Khu chợ, output: ip}
  - {id: ben-xe, name: Bến xe, output: ip}
zone_groups:
  cac-cum: [khu-cho, ben-xe]
ip_clusters:
  ward: long-anh
  broker: 127.0.0.1:1883
  audio_url: http://127.0.0.1:8090
  heartbeat_seconds: 20
"""


def ward_paths(root: Path) -> ProjectPaths:
    (root / "schedules.yaml").write_text(SCHEDULES, encoding="utf-8")
    return ProjectPaths(root)


class ClustersCli:
    """``broadcast clusters ARGS`` in the ward at ``paths`` → (exit code, stdout, stderr)."""

    def __init__(self, paths: ProjectPaths, capsys: pytest.CaptureFixture[str]) -> None:
        self.paths = paths
        self._capsys = capsys

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        code = main(["--home", str(self.paths.home), "clusters", *argv])
        captured = self._capsys.readouterr()
        return code, captured.out, captured.err

    @property
    def files(self) -> ClusterFiles:
        return files_of(self.paths)


def files_of(paths: ProjectPaths) -> ClusterFiles:
    return ClusterFiles.under(paths.data_dir)
