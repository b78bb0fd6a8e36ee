"""The drop folder read again parses only what changed — judged by the bytes, so an edit the
file system's clock cannot tell apart (same size, same modification time) is still seen."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from broadcast.paths import ProjectPaths
from broadcast.scripts import load_folder, memo

TEXT = "---\ntitle: Lịch tiêm chủng\n---\nTiêm chủng vào sáng thứ Bảy.\n"


def test_an_edit_of_the_same_size_at_the_same_instant_is_read(tmp_path):
    paths = ProjectPaths(tmp_path)
    paths.scripts_dir.mkdir()
    file = paths.scripts_dir / "tiem-chung.md"
    file.write_text(TEXT, encoding="utf-8")
    stamp = file.stat()
    first = load_folder(paths).scripts[0]
    assert load_folder(paths).scripts[0] is first  # unchanged bytes: not parsed again

    edited = TEXT.replace("thứ Bảy", "thứ Bẩy")  # one letter, the same number of bytes
    assert len(edited.encode()) == len(TEXT.encode())
    file.write_text(edited, encoding="utf-8")
    os.utime(file, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert file.stat().st_mtime_ns == stamp.st_mtime_ns
    assert "thứ Bẩy" in load_folder(paths).scripts[0].body


def test_a_sidecar_edit_is_read_and_an_invalid_file_stays_invalid(tmp_path):
    paths = ProjectPaths(tmp_path)
    paths.scripts_dir.mkdir()
    (paths.scripts_dir / "mot-cua.txt").write_text("Một cửa\n\nLàm việc thứ bảy.\n", "utf-8")
    sidecar = paths.scripts_dir / "mot-cua.yaml"
    sidecar.write_text("topic: cchc\n", encoding="utf-8")
    assert load_folder(paths).scripts[0].topic == "cchc"
    sidecar.write_text("topic: dvc\n", encoding="utf-8")
    assert load_folder(paths).scripts[0].topic == "dvc"
    sidecar.write_text("topic: [dvc\n", encoding="utf-8")
    for _ in range(2):  # the error is kept as well as a script is, and said again
        folder = load_folder(paths)
        assert not folder.scripts and folder.rejected[0].source == "scripts_vi/mot-cua.txt"


@pytest.mark.skipif(os.name == "nt", reason="named pipes in a folder are POSIX")
def test_a_named_pipe_in_the_folder_never_blocks_the_reading(tmp_path):
    """Opening a FIFO waits for a writer: the memo must not open it to hash it."""
    paths = ProjectPaths(tmp_path)
    paths.scripts_dir.mkdir()
    (paths.scripts_dir / "tin.txt").write_text("Tin\n\nNội dung.\n", encoding="utf-8")
    os.mkfifo(paths.scripts_dir / "ong.txt")
    folder = load_folder(paths)  # returns: a hang here is the failure
    assert [s.id for s in folder.scripts] == ["tin"]
    assert [r.source for r in folder.rejected] == ["scripts_vi/ong.txt"]


class _CountedHashes:
    """``hashlib.file_digest`` as the memo calls it, counting the files it hashes."""

    def __init__(self) -> None:
        self.files: list[str] = []
        self._digest = hashlib.file_digest

    def __call__(self, handle, digest):
        self.files.append(handle.name)
        return self._digest(handle, digest)


@pytest.fixture
def hashes(monkeypatch) -> _CountedHashes:
    counted = _CountedHashes()
    monkeypatch.setattr(memo.hashlib, "file_digest", counted)
    return counted


def _later(monkeypatch, seconds: float) -> None:
    """The memo's clock ``seconds`` ahead: the folder's files look that old to it."""
    now = time.time_ns()
    monkeypatch.setattr(memo.time, "time_ns", lambda: now + int(seconds * 1e9))


def _folder(tmp_path) -> tuple[ProjectPaths, Path]:
    paths = ProjectPaths(tmp_path)
    paths.scripts_dir.mkdir()
    file = paths.scripts_dir / "tiem-chung.md"
    file.write_text(TEXT, encoding="utf-8")
    return paths, file


def test_a_file_changed_within_the_last_seconds_is_hashed_at_every_reading(tmp_path, hashes):
    """The "racy git" rule: a file hashed less than ``RACY_SECONDS`` after its last change
    could change again with the same size and times, so its ``stat`` is not trusted yet."""
    paths, file = _folder(tmp_path)
    for _ in range(3):
        assert load_folder(paths).scripts[0].title == "Lịch tiêm chủng"
    assert hashes.files.count(str(file)) == 3


@pytest.mark.skipif(not memo.TRUSTS_STAT, reason="Windows: every file is hashed")
def test_an_old_file_is_hashed_once_then_known_by_its_stat(tmp_path, hashes, monkeypatch):
    paths, file = _folder(tmp_path)
    _later(monkeypatch, memo.RACY_SECONDS + 1)
    first = load_folder(paths).scripts[0]
    for _ in range(3):
        assert load_folder(paths).scripts[0] is first
    assert hashes.files.count(str(file)) == 1


def test_an_edit_of_an_old_file_at_the_same_size_and_time_is_read(tmp_path, hashes, monkeypatch):
    """Setting the modification time back changes the file's change time (``ctime``)."""
    paths, file = _folder(tmp_path)
    stamp = file.stat()
    _later(monkeypatch, memo.RACY_SECONDS + 1)
    load_folder(paths)
    load_folder(paths)
    file.write_text(TEXT.replace("thứ Bảy", "thứ Bẩy"), encoding="utf-8")
    os.utime(file, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert (file.stat().st_size, file.stat().st_mtime_ns) == (stamp.st_size, stamp.st_mtime_ns)
    assert "thứ Bẩy" in load_folder(paths).scripts[0].body


def test_a_sidecar_added_or_edited_beside_an_old_file_is_read(tmp_path, hashes, monkeypatch):
    paths, file = _folder(tmp_path)
    _later(monkeypatch, memo.RACY_SECONDS + 1)
    assert load_folder(paths).scripts[0].topic is None
    load_folder(paths)  # known by its stat now
    sidecar = file.with_suffix(".yaml")
    sidecar.write_text("topic: y-te\n", encoding="utf-8")
    assert load_folder(paths).scripts[0].topic == "y-te"
    _later(monkeypatch, memo.RACY_SECONDS + 2)
    load_folder(paths)
    sidecar.write_text("topic: yte2\n", encoding="utf-8")  # same size
    assert load_folder(paths).scripts[0].topic == "yte2"
    sidecar.unlink()
    assert load_folder(paths).scripts[0].topic is None


def test_a_second_name_given_to_a_file_already_read_makes_it_refused(tmp_path, monkeypatch):
    """The reader refuses a hard-linked file; the bytes are the same, the answer is not."""
    paths, file = _folder(tmp_path)
    _later(monkeypatch, memo.RACY_SECONDS + 1)
    assert [s.id for s in load_folder(paths).scripts] == ["tiem-chung"]
    os.link(file, tmp_path / "ten-khac.md")
    folder = load_folder(paths)
    assert not folder.scripts
    assert [d.code for d in folder.rejected[0].diagnostics] == ["hard_link"]
