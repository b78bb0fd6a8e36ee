"""Issue 14, item 5: ``announce x.txt`` with ``x.txt → /etc/shadow`` read the secret aloud and
kept its first line as the title in a log any user of the PC could read.

The real daemon, its real control channel, play log and ``daemon.log``.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest

from broadcast.control import ANNOUNCE, ControlClient, ControlError
from broadcast.daemon.daemon_log import LOG_NAME
from broadcast.paths import ProjectPaths
from broadcast.playlog import PlayLog
from tests.daemon.daemon_project import make_project, start_to_files, ward_now, zone_yaml

SECRET = "root:$6$muoi$bam-mat-khau:19000:0:99999:7:::"
DATA_FILES = ("playlog.sqlite3", LOG_NAME, "status.json", "control.json")


def _project(home: Path) -> ProjectPaths:
    return make_project(
        home,
        [zone_yaml("to-1", "file", [1])],
        {"tin.txt": "Thông báo\n\nMời bà con dự họp.\n"},
        slots={"chieu": ward_now() + timedelta(hours=3)},
    )


def test_an_announcement_through_a_link_to_a_secret_is_refused(tmp_path, daemon_log):
    paths = _project(tmp_path / "ward")
    secret = tmp_path / "shadow"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    link = tmp_path / "x.txt"
    link.symlink_to(secret)
    daemon = start_to_files(paths, realtime=False, render_ahead=False)
    try:
        with pytest.raises(ControlError) as refused:
            ControlClient.from_paths(paths).call(
                ANNOUNCE, file=str(link), zones=["to-1"], sender="ky-thuat-vien"
            )
    finally:
        daemon.stop()
    assert refused.value.code == "invalid_input"
    assert str(link) in refused.value.message and "liên kết" in refused.value.message
    with PlayLog.open_for_reading(paths) as log:
        assert log.attempts() == []
    for written in paths.data_dir.rglob("*"):
        if written.is_file():
            assert b"muoi$bam" not in written.read_bytes(), written


def test_the_data_folder_is_the_station_s_alone(daemon_log):
    # Outside pytest's own folder (its owner's alone): the project is open to every user of
    # the PC, as on a shared ward PC, and only the data folder is closed.
    home = Path(tempfile.mkdtemp(prefix="loa-data-"))
    try:
        home.chmod(0o755)
        paths = _project(home)
        paths.data_dir.mkdir()
        paths.data_dir.chmod(0o755)  # as an older version, or a command, made it
        daemon = start_to_files(paths, realtime=False, render_ahead=False)
        try:
            assert stat.S_IMODE(paths.data_dir.stat().st_mode) == 0o700
            assert all((paths.data_dir / name).exists() for name in DATA_FILES)
            if os.name != "nt" and os.geteuid() == 0 and shutil.which("setpriv"):
                assert _as_another_user(paths) == dict.fromkeys(DATA_FILES, "denied")
        finally:
            daemon.stop()
    finally:
        shutil.rmtree(home)


_AS_NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
_READ_EACH = """
import json, sys
from pathlib import Path
seen = {}
for name in sys.argv[2:]:
    try:
        (Path(sys.argv[1]) / name).read_bytes()
        seen[name] = "read"
    except PermissionError:
        seen[name] = "denied"
print(json.dumps(seen))
"""


def _as_another_user(paths: ProjectPaths) -> dict[str, str]:
    """What another user of the PC gets reading each data file."""
    finished = subprocess.run(
        [*_AS_NOBODY, sys.executable, "-c", _READ_EACH, str(paths.data_dir), *DATA_FILES],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
    )
    assert finished.returncode == 0, finished.stderr
    return json.loads(finished.stdout)
