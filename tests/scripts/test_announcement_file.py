"""A file handed to ``announce`` is read with the drop folder's rules: a regular file with one
name, never through a link (``x.txt → /etc/shadow`` was read aloud, and its first line kept as
the bulletin's title)."""

from __future__ import annotations

import os
import threading

import pytest

from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.scripts import announcement_file, read_script, read_wording

SECRET = "root:$6$muối$băm-mật-khẩu:19000:0:99999:7:::\n"


@pytest.fixture
def secret(tmp_path):
    """A file of the station's user the announcement must never read."""
    path = tmp_path / "bi-mat" / "shadow"
    path.parent.mkdir()
    path.write_text(SECRET, encoding="utf-8")
    return path


@pytest.fixture
def desktop(tmp_path):
    folder = tmp_path / "Desktop"
    folder.mkdir()
    return folder


def _refusal(path) -> str:
    """The one diagnostic ``read_wording`` gives, checked to name the file and hide the rest."""
    with pytest.raises(InputError) as caught:
        read_wording(path, str(path))
    (problem,) = caught.value.diagnostics
    assert problem.file == str(path)
    assert "root:" not in str(caught.value)
    return problem.code


def test_a_plain_file_is_read(desktop):
    path = desktop / "khan.txt"
    path.write_text("Thông báo mất điện\n\nTừ 8 giờ đến 11 giờ sáng mai.\n", encoding="utf-8")
    assert announcement_file(path) == path
    assert read_wording(path, str(path)) == ("Thông báo mất điện", "Từ 8 giờ đến 11 giờ sáng mai.")


@pytest.mark.parametrize("name", ["x.txt", "x.md", "x.docx"])
def test_a_link_is_not_followed(desktop, secret, name):
    link = desktop / name
    link.symlink_to(secret)
    assert _refusal(link) == "link"


def test_a_link_to_a_recording_is_refused_too(desktop, tmp_path):
    recording = tmp_path / "ghi-am.mp3"
    recording.write_bytes(b"ID3")
    link = desktop / "ghi-am.mp3"
    link.symlink_to(recording)
    with pytest.raises(InputError) as caught:
        announcement_file(link)
    assert caught.value.diagnostics[0].code == "link"


def test_a_hard_link_is_not_read(desktop, secret):
    link = desktop / "x.txt"
    os.link(secret, link)  # a second name of the secret: the same file, no link to see
    assert _refusal(link) == "hard_link"


def test_a_hard_link_in_the_drop_folder_is_not_read(tmp_path, secret):
    paths = ProjectPaths(tmp_path)
    paths.scripts_dir.mkdir()
    link = paths.scripts_dir / "tin.txt"
    os.link(secret, link)
    with pytest.raises(InputError) as caught:
        read_script(link, paths)
    assert caught.value.diagnostics[0].code == "hard_link"


def test_a_named_pipe_is_refused_without_blocking(desktop):
    pipe = desktop / "x.txt"
    os.mkfifo(pipe)
    codes: list[str] = []
    reader = threading.Thread(target=lambda: codes.append(_refusal(pipe)), daemon=True)
    reader.start()
    reader.join(5)  # a reader opening the pipe waits for a writer that never comes
    assert codes == ["not_a_file"]


def test_a_file_over_the_drop_folder_s_limit_is_refused_before_reading(desktop):
    path = desktop / "to.txt"
    with path.open("wb") as file:
        file.truncate(6 * 1024 * 1024)
    assert _refusal(path) == "too_large"
