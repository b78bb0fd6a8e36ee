"""The daemon's change watcher, on real files: what it reports, when, and what it shrugs off."""

from __future__ import annotations

import ctypes
import json
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from broadcast.clock import FakeClock
from broadcast.daemon.watcher import Changes, ChangeWatcher
from broadcast.paths import ProjectPaths

SETTLE = timedelta(seconds=1)


@pytest.fixture
def project(tmp_path) -> ProjectPaths:
    paths = ProjectPaths(tmp_path)
    paths.scripts_dir.mkdir()
    paths.schedules_file.write_text("zones: {}\n", encoding="utf-8")
    return paths


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 2, 6, 0, tzinfo=UTC))


@pytest.fixture
def watcher(project, clock) -> ChangeWatcher:
    watching = ChangeWatcher(project, settle=SETTLE.total_seconds(), clock=clock)
    watching.prime()
    return watching


def settled(watcher: ChangeWatcher, clock: FakeClock) -> Changes:
    """Two polls a settle time apart: what a quiet file looks like to the daemon."""
    first = watcher.poll_once()
    assert not first, f"reported on first sight: {first}"
    clock.advance(SETTLE)
    return watcher.poll_once()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def can_symlink(tmp_path: Path) -> bool:
    try:
        (tmp_path / "probe-link").symlink_to(tmp_path / "probe-target")
    except OSError:  # Windows without developer mode
        return False
    (tmp_path / "probe-link").unlink()
    return True


def test_new_script_reported_once_after_it_settles(project, watcher, clock):
    new = write(project.scripts_dir / "2026-11" / "cchc.txt", "Cải cách hành chính\n")

    changes = settled(watcher, clock)

    assert changes.added == {new}
    assert not changes.modified and not changes.removed
    assert changes.scripts_changed
    assert not (changes.schedules_changed or changes.lexicon_changed or changes.media_changed)
    clock.advance(SETTLE)
    assert not watcher.poll_once()


def test_file_still_being_written_waits_until_stable_and_is_reported_once(project, watcher, clock):
    growing = project.scripts_dir / "dvc.docx"
    with growing.open("wb") as copy:
        for chunk in range(4):
            copy.write(b"PK" + bytes(4096) * (chunk + 1))
            copy.flush()
            os.fsync(copy.fileno())
            assert not watcher.poll_once(), f"reported while chunk {chunk} was being copied"
            clock.advance(SETTLE)

    reports = []
    for _ in range(4):
        reports.append(watcher.poll_once())
        clock.advance(SETTLE)

    assert [r.added for r in reports if r] == [{growing}]


def test_settle_time_is_waited_even_across_several_polls(project, clock):
    watcher = ChangeWatcher(project, settle=3.0, clock=clock)
    watcher.prime()
    new = write(project.scripts_dir / "a.txt", "Tin mới\n")

    assert not watcher.poll_once()
    clock.advance(timedelta(seconds=1))
    assert not watcher.poll_once()
    clock.advance(timedelta(seconds=1))
    assert not watcher.poll_once()
    clock.advance(timedelta(seconds=1))
    assert watcher.poll_once().added == {new}


def test_edited_script_is_a_modification(project, clock):
    script = write(project.scripts_dir / "a.txt", "Bản cũ\n")
    watcher = ChangeWatcher(project, settle=SETTLE.total_seconds(), clock=clock)
    watcher.prime()

    write(script, "Bản mới, dài hơn bản cũ\n")
    changes = settled(watcher, clock)

    assert changes.modified == {script}
    assert not changes.added and not changes.removed


def test_same_size_edit_is_seen_through_mtime(project, clock):
    script = write(project.scripts_dir / "a.txt", "AAAA\n")
    os.utime(script, ns=(1_700_000_000_000_000_000,) * 2)
    watcher = ChangeWatcher(project, settle=SETTLE.total_seconds(), clock=clock)
    watcher.prime()

    write(script, "BBBB\n")

    assert settled(watcher, clock).modified == {script}


def test_deleted_script_is_reported_removed(project, clock):
    script = write(project.scripts_dir / "a.txt", "Tin\n")
    watcher = ChangeWatcher(project, settle=SETTLE.total_seconds(), clock=clock)
    watcher.prime()

    script.unlink()
    changes = settled(watcher, clock)

    assert changes.removed == {script}
    assert changes.scripts_changed


def test_rename_is_a_removal_plus_an_addition_in_one_batch(project, clock):
    old = write(project.scripts_dir / "nhap.txt", "Tin\n")
    watcher = ChangeWatcher(project, settle=SETTLE.total_seconds(), clock=clock)
    watcher.prime()

    new = old.rename(project.scripts_dir / "chuyen-doi-so.txt")
    changes = settled(watcher, clock)

    assert (changes.removed, changes.added, changes.modified) == ({old}, {new}, set())


def test_save_through_delete_and_recreate_is_one_modification(project, clock):
    """Some editors delete the file and write it again; a poll may fall in between."""
    script = write(project.scripts_dir / "a.txt", "Bản cũ\n")
    watcher = ChangeWatcher(project, settle=SETTLE.total_seconds(), clock=clock)
    watcher.prime()

    script.unlink()
    assert not watcher.poll_once()
    clock.advance(SETTLE)
    write(script, "Bản mới hơn\n")
    changes = settled(watcher, clock)

    assert (changes.modified, changes.removed, changes.added) == ({script}, set(), set())


def test_office_lock_thumbnails_hidden_and_backup_files_are_never_reported(project, watcher, clock):
    scripts = project.scripts_dir
    noise = [
        scripts / "~$cchc.docx",
        scripts / "Thumbs.db",
        scripts / "desktop.ini",
        scripts / ".an.txt",
        scripts / ".git" / "HEAD.txt",
        scripts / "nhap.txt.bak",
        scripts / "nhap.txt~",
        scripts / "ghi-chu.pdf",
        project.home / "README.txt",
    ]
    for path in noise:
        write(path, "rác\n")
    real = write(scripts / "cchc.txt", "Một cửa\n")

    changes = settled(watcher, clock)

    assert changes.added == {real}
    for path in noise:
        path.unlink()
    assert not settled(watcher, clock)


def test_timetable_edit_raises_the_schedules_flag_only(project, watcher, clock):
    write(project.schedules_file, "zones: {phuong: {}}\n")

    changes = settled(watcher, clock)

    assert changes.modified == {project.schedules_file}
    assert changes.schedules_changed
    assert not (changes.lexicon_changed or changes.scripts_changed or changes.media_changed)


def test_new_lexicon_raises_the_lexicon_flag(project, watcher, clock):
    write(project.lexicon_file, "UBND: ủy ban nhân dân\n")

    changes = settled(watcher, clock)

    assert changes.added == {project.lexicon_file}
    assert changes.lexicon_changed and not changes.schedules_changed


def test_media_files_raise_the_media_flag_other_files_there_do_not_count(project, watcher, clock):
    jingle = project.media_dir / "nhac-hieu.mp3"
    jingle.parent.mkdir()
    jingle.write_bytes(b"ID3" + bytes(1000))
    write(project.media_dir / "danh-sach.txt", "ghi chú\n")
    write(project.media_dir / ".nhac-hieu.mp3", "tệp ẩn của máy Mac\n")

    changes = settled(watcher, clock)

    assert changes.added == {jingle}
    assert changes.media_changed and not changes.scripts_changed


def test_dangling_link_is_reported_so_the_reader_can_explain_it(project, watcher, clock, tmp_path):
    if not can_symlink(tmp_path):
        pytest.skip("this system does not allow symbolic links")
    link = project.scripts_dir / "tin.txt"
    link.symlink_to(tmp_path / "da-xoa.txt")

    assert settled(watcher, clock).added == {link}


def test_unstattable_entry_is_logged_once_and_other_files_still_reported(
    project, watcher, clock, tmp_path, caplog
):
    if not can_symlink(tmp_path):
        pytest.skip("this system does not allow symbolic links")
    loop = project.scripts_dir / "vong.txt"
    loop.symlink_to(loop)  # stat fails with "too many levels of symbolic links"
    real = write(project.scripts_dir / "a.txt", "Tin\n")

    with caplog.at_level(logging.WARNING, logger="broadcast.watcher"):
        changes = settled(watcher, clock)
        clock.advance(SETTLE)
        watcher.poll_once()

    assert changes.added == {real}
    warnings = [r for r in caplog.records if r.name == "broadcast.watcher"]
    assert len(warnings) == 1
    assert "scripts_vi/vong.txt" in warnings[0].getMessage()


def test_files_vanishing_mid_scan_do_not_stop_the_watcher(project, caplog):
    """A real race: another process creates and deletes files while the watcher scans."""
    watcher = ChangeWatcher(project, settle=0)
    watcher.prime()
    churn = (
        "import pathlib, sys\n"
        "files = [pathlib.Path(sys.argv[1], f'c{i}.txt') for i in range(300)]\n"
        "while True:\n"
        "    for f in files: f.write_text('x')\n"
        "    for f in files: f.unlink()\n"
    )
    churner = subprocess.Popen([sys.executable, "-c", churn, str(project.scripts_dir)])

    def vanished_during_scan() -> bool:
        return any(
            getattr(r, "event", "") == "watch_vanished" and "scripts_vi" in str(r.args)
            for r in caplog.records
        )

    try:
        with caplog.at_level(logging.DEBUG, logger="broadcast.watcher"):
            deadline = time.monotonic() + 10
            while not vanished_during_scan() and time.monotonic() < deadline:
                watcher.poll_once()
    finally:
        churner.kill()
        churner.wait()

    assert vanished_during_scan(), "the race was never provoked; the test proved nothing"
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    for leftover in project.scripts_dir.glob("c*.txt"):
        leftover.unlink()
    real = write(project.scripts_dir / "that.txt", "Tin thật\n")
    reported: set[Path] = set()
    for _ in range(3):
        reported |= watcher.poll_once().added
    assert real in reported


_LOCKED_FOLDER_CHILD = """
import json, logging, os, sys
from pathlib import Path
from broadcast.paths import ProjectPaths
from broadcast.daemon.watcher import ChangeWatcher

logging.basicConfig(level=logging.WARNING, format="%(name)s %(message)s")
paths = ProjectPaths(Path(sys.argv[1]))
locked = paths.scripts_dir / "khoa"
watcher = ChangeWatcher(paths, settle=0)
watcher.prime()
locked.chmod(0)
try:
    os.listdir(locked)
except PermissionError:
    pass
else:
    sys.exit(3)  # permissions are not enforced for this process: nothing to test
try:
    (paths.scripts_dir / "moi.txt").write_text("Tin mới", encoding="utf-8")
    polls = [watcher.poll_once() for _ in range(3)]
finally:
    locked.chmod(0o755)
polls.append(watcher.poll_once())
print(json.dumps([[sorted(p.name for p in c.added), sorted(p.name for p in c.removed)]
                  for c in polls]))
"""


def _drop_root_permission_override() -> None:
    """In the child before exec: root without CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH obeys
    file permissions like anyone else, so a chmod 000 folder really is unreadable."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop, cap_dac_override, cap_dac_read_search = 24, 1, 2
    for capability in (cap_dac_override, cap_dac_read_search):
        if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) refused")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses Linux permissions")
def test_unreadable_folder_keeps_its_files_and_the_rest_is_still_watched(project):
    write(project.scripts_dir / "khoa" / "cu.txt", "Tin cũ\n")
    as_root = os.geteuid() == 0
    try:
        child = subprocess.run(
            [sys.executable, "-c", _LOCKED_FOLDER_CHILD, str(project.home)],
            capture_output=True,
            text=True,
            timeout=30,
            preexec_fn=_drop_root_permission_override if as_root else None,
        )
    except subprocess.SubprocessError as exc:
        pytest.skip(f"cannot take root's permission override away here: {exc}")
    if child.returncode == 3:
        pytest.skip("file permissions are not enforced for this user")

    assert child.returncode == 0, child.stderr
    polls = json.loads(child.stdout)
    assert [added for added, _ in polls] == [[], ["moi.txt"], [], []]
    assert all(removed == [] for _, removed in polls), "a locked folder's files were dropped"
    warnings = child.stderr.splitlines()
    assert len(warnings) == 1, child.stderr
    assert warnings[0].startswith("broadcast.watcher không đọc được scripts_vi/khoa")


def test_missing_scripts_folder_keeps_known_scripts(project, clock, caplog):
    """A share that dropped must not empty the programme; the technician is told."""
    script = write(project.scripts_dir / "a.txt", "Tin\n")
    watcher = ChangeWatcher(project, settle=SETTLE.total_seconds(), clock=clock)
    watcher.prime()
    hidden = project.scripts_dir.rename(project.home / "mat-ket-noi")

    with caplog.at_level(logging.WARNING, logger="broadcast.watcher"):
        assert not settled(watcher, clock)
    hidden.rename(project.scripts_dir)

    assert "scripts_vi" in caplog.records[0].getMessage()
    assert not settled(watcher, clock)
    script.unlink()
    assert settled(watcher, clock).removed == {script}


def test_thread_delivers_changes_on_its_own_thread(project):
    delivered: queue.Queue[tuple[Changes, str]] = queue.Queue()
    watcher = ChangeWatcher(project, interval=0.02, settle=0)
    watcher.start(lambda changes: delivered.put((changes, threading.current_thread().name)))
    try:
        new = write(project.scripts_dir / "a.txt", "Tin\n")
        changes, thread_name = delivered.get(timeout=2)
    finally:
        watcher.stop()

    assert changes.added == {new}
    assert thread_name == "broadcast-watcher"
    assert not watcher.running


def test_a_failing_callback_does_not_stop_the_watcher(project, caplog):
    delivered: queue.Queue[Changes] = queue.Queue()

    def daemon_reload(changes: Changes) -> None:
        delivered.put(changes)
        if len(delivered.queue) == 1:
            raise RuntimeError("reload bug")

    watcher = ChangeWatcher(project, interval=0.02, settle=0)
    watcher.start(daemon_reload)
    try:
        first = write(project.scripts_dir / "a.txt", "Tin\n")
        assert delivered.get(timeout=2).added == {first}
        second = write(project.scripts_dir / "b.txt", "Tin\n")
        assert delivered.get(timeout=2).added == {second}
    finally:
        watcher.stop()
    assert any(r.exc_info for r in caplog.records if r.name == "broadcast.watcher")


def test_stop_returns_promptly_even_with_a_long_interval(project):
    watcher = ChangeWatcher(project, interval=30)
    watcher.start(lambda changes: None)
    assert watcher.running

    started = time.monotonic()
    watcher.stop()

    assert time.monotonic() - started < 1
    assert not watcher.running


def test_changes_made_before_start_are_not_lost_after_priming(project):
    """The daemon primes, then loads the folder; an edit in between still arrives."""
    watcher = ChangeWatcher(project, interval=0.02, settle=0)
    watcher.prime()
    early = write(project.scripts_dir / "som.txt", "Tin\n")
    delivered: queue.Queue[Changes] = queue.Queue()
    watcher.start(delivered.put)
    try:
        assert delivered.get(timeout=2).added == {early}
    finally:
        watcher.stop()
