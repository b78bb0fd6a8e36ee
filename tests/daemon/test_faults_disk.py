"""Fault: the disk holding ``audio_cache/`` is full (ENOSPC) when an edited script is rendered.

``audio_cache/`` is a real, tiny tmpfs filled to the last byte, so every write fails the way a
full disk fails it (mounting needs root, as CI runs). The render must say so in Vietnamese,
naming the script; no partial or temporary file may be left behind; the script's previous
audio keeps airing; and once space is freed the daemon's next render pass makes the new audio:
after a full disk the daemon retries every ``disk_retry`` (30 s), not at its 15-minute retry.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from broadcast.audio.batch import render_all
from broadcast.audio.manifest import MANIFEST_NAME, AudioManifest
from broadcast.config import load_config
from broadcast.daemon.daemon import DaemonOptions
from broadcast.playlog import Outcome, Reason
from broadcast.scripts import load_folder
from tests.daemon.daemon_project import make_project, start_daemon, wait_for, zone_yaml
from tests.support.full_disk import fill, mounted_tmpfs

pytestmark = pytest.mark.slow  # a render into a full tmpfs, then a wait for the retry

DISK_BYTES = 4 * 1024 * 1024
FIRST = "Thông báo thử\n\nỦy ban nhân dân phường thông báo lịch tiếp dân ngày 15/12/2026.\n"
EDITED = "Thông báo thử\n\nLịch tiếp dân đổi sang sáng thứ bảy ngày 19/12/2026.\n"
DISK_FULL = "ổ đĩa đầy"


@pytest.fixture
def tiny_disk(tmp_path) -> Path:
    """A 4 MB tmpfs: a real filesystem that really runs out of space."""
    with mounted_tmpfs(tmp_path / "tiny-disk", DISK_BYTES) as disk:
        yield disk


def _render(paths) -> None:
    config = load_config(paths)
    render_all(paths, config.tts, load_folder(paths).scripts)


def _leftovers(cache: Path, keep: set[str]) -> set[str]:
    return {p.name for p in cache.iterdir()} - keep


def _render_alarm(daemon):
    return next((a for a in daemon.alarms.active() if a.code == Reason.TTS_FAILED), None)


def test_a_full_disk_fails_the_render_clearly_and_the_previous_audio_still_airs(
    tmp_path, tiny_disk, captures, child_env
):
    paths = make_project(tmp_path, [zone_yaml("pho-1", "test_card4", [1])], {"tiep-dan.txt": FIRST})
    paths.audio_cache_dir.symlink_to(tiny_disk, target_is_directory=True)
    _render(paths)
    previous = AudioManifest.load(paths).entry("tiep-dan")
    filler = fill(tiny_disk)
    keep = {p.name for p in tiny_disk.iterdir()}  # the audio, manifest, readings, filler
    assert {previous.file, MANIFEST_NAME, filler.name} <= keep
    (paths.scripts_dir / "tiep-dan.txt").write_text(EDITED, encoding="utf-8")

    # The board renders by hand: the summary names the file and says the disk is full.
    cli = subprocess.run(
        [sys.executable, "-m", "broadcast", "--home", str(paths.home), "render"],
        env=child_env,
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 1
    assert f"scripts_vi/tiep-dan.txt: {DISK_FULL}" in cli.stderr.replace("\\", "/")
    assert "Traceback" not in cli.stderr
    assert _leftovers(tiny_disk, keep) == set()  # no partial WAV, no temporary file

    # The daemon renders ahead in the background, fails the same way, and airs the previous
    # audio meanwhile. Its retry stays at the production 15 minutes: only the retry after a
    # full disk (30 s in production) is shortened here.
    assert (DaemonOptions().render_retry, DaemonOptions().disk_retry) == (
        timedelta(minutes=15),
        timedelta(seconds=30),
    )
    daemon = start_daemon(paths, disk_retry=timedelta(seconds=1))
    try:
        started = time.monotonic()
        while not (alarm := _render_alarm(daemon)):
            assert time.monotonic() - started < 20, "no alarm about the full disk"
            time.sleep(0.05)
        (row,) = wait_for(paths, lambda r: r and not r[-1].is_open)
        assert _leftovers(tiny_disk, keep) == set()
        filler.unlink()  # the technician frees some space
        freed = time.monotonic()
        while (entry := AudioManifest.load(paths).entry("tiep-dan")) == previous:
            assert time.monotonic() - freed < 20, "the new audio was never made"
            time.sleep(0.1)
        to_new_audio = time.monotonic() - freed
        # the pass that made it (in a process of its own) then clears the alarm
        while any(a.code == Reason.TTS_FAILED for a in daemon.alarms.active()):
            assert time.monotonic() - freed < 30, "the alarm stayed after the new audio"
            time.sleep(0.1)
    finally:
        daemon.stop()
    assert "tiep-dan" in alarm.message and DISK_FULL in alarm.message
    assert (row.outcome, row.airing.audio_hash) == (Outcome.PLAYED, previous.audio_hash)
    assert entry.audio_hash != previous.audio_hash and entry.path.exists()
    print(
        f"\n[fault:disk-full] cli_exit={cli.returncode} aired=previous_audio "
        f"leftover_files=0 new_audio_after_freeing_s={to_new_audio:.2f}\n  alarm: {alarm.message}"
    )
