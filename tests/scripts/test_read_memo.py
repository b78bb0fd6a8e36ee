"""The drop folder read again parses only what changed — judged by the bytes, so an edit the
file system's clock cannot tell apart (same size, same modification time) is still seen."""

from __future__ import annotations

import os

import pytest

from broadcast.paths import ProjectPaths
from broadcast.scripts import load_folder

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
