"""Issue 13, memory: bulletins and scripts are made into sound without scipy entering the daemon.

Making speech and levelling a recording need scipy and pyloudnorm (~70 MB resident) that a
process keeps once imported; bench/idle.py found the daemon 82 MB larger after its first
bulletins, 67 MB of it these. ``broadcast run`` runs as systemd starts it; what it has loaded is
read from /proc, as an administrator would look.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from broadcast.audio.manifest import AudioManifest
from broadcast.audio.wavfile import SAMPLE_RATE, write_wav
from broadcast.playlog import Outcome
from tests.daemon.daemon_project import console, idle_ward, wait_for

pytestmark = [
    pytest.mark.slow,  # bulletins play at the real rate
    pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc (Linux)"),
]


def _loaded_libraries(pid: int) -> set[str]:
    maps = Path(f"/proc/{pid}/maps").read_text(encoding="utf-8", errors="replace")
    return {line.split()[-1] for line in maps.splitlines() if line.endswith(".so")}


def _started(paths) -> subprocess.Popen:
    command = ["run", "--offline", "--sink", f"file:{paths.home / 'heard'}"]
    station = subprocess.Popen(
        [sys.executable, "-m", "broadcast", "--home", str(paths.home), *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not (paths.data_dir / "control.json").exists():
        assert station.poll() is None and time.monotonic() < deadline, "the daemon did not start"
        time.sleep(0.1)
    return station


def test_bulletins_and_a_new_script_get_their_sound_without_scipy_in_the_daemon(tmp_path):
    paths = idle_ward(tmp_path)
    recording = tmp_path / "loi-nhan.wav"
    tone = 0.3 * np.sin(2 * np.pi * 440 * np.arange(2 * SAMPLE_RATE) / SAMPLE_RATE)
    write_wav(recording, tone.astype(np.float32))
    station = _started(paths)
    try:
        spoken = console(paths, "announce", "--text", "Mời bà con dự họp.", "--zones", "to-1")
        recorded = console(paths, "announce", str(recording), "--zones", "to-2")
        assert spoken.returncode == 0 and recorded.returncode == 0, spoken.stderr + recorded.stderr
        aired = wait_for(
            paths, lambda found: sum(r.outcome is Outcome.PLAYED for r in found) >= 2, 60
        )
        # the board drops a new script: the daemon renders it ahead of its slot
        (paths.scripts_dir / "moi.txt").write_text("Tin mới\n\nLịch họp tổ.\n", "utf-8")
        deadline = time.monotonic() + 60
        while AudioManifest.load(paths).entry("moi") is None:
            assert time.monotonic() < deadline, "the new script was not rendered"
            time.sleep(0.2)
        loaded = _loaded_libraries(station.pid)
    finally:
        station.terminate()
        station.wait(timeout=30)
    assert {row.airing.zone for row in aired if row.outcome is Outcome.PLAYED} == {
        "to-1",
        "to-2",
    }
    # scipy's compiled modules live in its package folder (numpy's OpenBLAS is "libscipy_…")
    assert [library for library in loaded if "/scipy/" in library] == []
