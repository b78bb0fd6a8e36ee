"""Security: YAML is data only, nothing the board or the technician writes is ever run, files
stay inside the project, and the daemon's control channel is local and token-guarded.

Already proved elsewhere and not repeated here: the control server refuses any host but
127.0.0.1, the token file is created 0600 with ``O_EXCL`` (a planted symlink is not written
through), another OS user can neither read it nor command the daemon, the client never sends
the token off this computer (``tests/control/test_control_security.py``); ``../`` in a media
path (``tests/config/test_config_catalogue.py``); a script symlinked outside
(``tests/scripts/test_ingest_folder.py``). Here the same guarantees are checked on the real
daemon and for the carriers and paths those tests do not cover.
"""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import wave
from pathlib import Path

import pytest
import yaml

from broadcast.cli import main
from broadcast.control import ControlClient, read_endpoint, token_file
from broadcast.control.endpoint import read_token
from broadcast.paths import ProjectPaths
from tests.reliability.reliability_ward import exchange, make_ward, running_daemon

PACKAGE = Path(__file__).parents[2] / "broadcast"


def payload(marker: Path, tag: str = "python/object/apply:os.mkdir") -> str:
    """A YAML value that creates ``marker`` if, and only if, a loader executes it."""
    return f'!!{tag} ["{marker.as_posix()}"]'


def _silence_wav(path: Path) -> None:
    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(16000)
        audio.writeframes(bytes(16000))


def _in_schedules(paths: ProjectPaths, value: str) -> str:
    text = paths.schedules_file.read_text(encoding="utf-8")
    paths.schedules_file.write_text(text.replace("name: Tổ dân phố 1", f"name: {value}"), "utf-8")
    return "schedules.yaml:6:"


def _in_front_matter(paths: ProjectPaths, value: str) -> str:
    script = paths.scripts_dir / "tin.md"
    text = script.read_text(encoding="utf-8")
    script.write_text(text.replace("title: Dịch vụ công mức độ 4", f"title: {value}"), "utf-8")
    return "scripts_vi/tin.md:2:"


def _in_sidecar(paths: ProjectPaths, value: str) -> str:
    _silence_wav(paths.scripts_dir / "phong-van.wav")
    (paths.scripts_dir / "phong-van.yaml").write_text(f"title: {value}\n", encoding="utf-8")
    return "scripts_vi/phong-van.yaml:1:"


def _in_lexicon(paths: ProjectPaths, value: str) -> str:
    paths.lexicon_file.write_text(f"abbreviations:\n  TDP: {value}\n", encoding="utf-8")
    return "lexicon.yaml:2:"


CARRIERS = {
    "schedules": _in_schedules,
    "front-matter": _in_front_matter,
    "sidecar": _in_sidecar,
    "lexicon": _in_lexicon,
}
TAGS = ["python/object/apply:os.mkdir", "python/object/new:os.mkdir"]


def test_the_payload_is_live_under_an_unsafe_loader(tmp_path):
    """The proof below is meaningful only if the payload really runs when YAML is unsafe."""
    for number, tag in enumerate(TAGS):
        marker = tmp_path / f"ran-{number}"
        yaml.unsafe_load(f"x: {payload(marker, tag)}")
        assert marker.is_dir()


@pytest.mark.parametrize("tag", TAGS)
@pytest.mark.parametrize("carrier", CARRIERS)
def test_python_tags_are_refused_and_never_run(carrier, tag, tmp_path, capsys):
    paths = make_ward(tmp_path / "ward")
    marker = tmp_path / "ran"
    with running_daemon(paths) as daemon:
        before = {s.id: s.content_hash for s in daemon.inputs.scripts}
        where = CARRIERS[carrier](paths, payload(marker, tag))
        result = daemon.reload()
        assert {s.id: s.content_hash for s in daemon.inputs.scripts} == before
    capsys.readouterr()
    assert main(["--home", str(paths.home), "check", "--json"]) == 1
    shown = [
        f"{d['file']}:{d['line']}:{d['column'] or ''}".rstrip(":") + f": {d['message']}"
        for d in json.loads(capsys.readouterr().out)["diagnostics"]
    ]
    expected = f'thẻ YAML "!!{tag}" không được phép; chỉ dùng chữ, số và danh sách'
    for messages in (shown, result["problems"]):
        assert any(m.startswith(where) and m.endswith(expected) for m in messages), messages
    assert result["ok"] is False
    assert not marker.exists()


def test_no_module_loads_yaml_unsafely_or_runs_a_shell():
    """Every YAML read goes through the safe loader; nothing reaches a shell or ``eval``."""
    dangerous = re.compile(
        r"yaml\.(load|load_all|full_load|unsafe_load)\(|Loader=yaml\.(Loader|FullLoader|"
        r"UnsafeLoader)|\beval\(|\bexec\(|shell=True|os\.system\(|os\.popen\("
    )
    found = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if dangerous.search(line)
    ]
    assert found == []


HOSTILE_TEXT = (
    "Thông báo `mkdir dau-huyen` $(mkdir dau-do)\n\n"
    "{{ __import__('os').mkdir('khuon') }} %(x)s ${IFS} ; mkdir cham-phay && rm -rf /\n"
)


def test_scripts_and_settings_are_read_as_words_never_run(tmp_path, monkeypatch, capsys):
    """Shell, template and Python text in scripts, file names and settings: read, not run."""
    paths = make_ward(tmp_path / "ward")
    monkeypatch.chdir(tmp_path)  # a relative mkdir, if anything ran it, would land here
    scripts = paths.scripts_dir
    (scripts / "$(mkdir ten-tep).txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    (scripts / "ghi âm; mkdir ffmpeg #.mp3").write_text("không phải âm thanh", encoding="utf-8")
    for name in ("chay.py", "chay.sh", "chay.bat"):
        (scripts / name).write_text("mkdir chay\n", encoding="utf-8")
        (scripts / name).chmod(0o755)
    (paths.media_dir / "a;mkdir media;.mp3").write_bytes(b"ID3" + bytes(100))
    text = paths.schedules_file.read_text(encoding="utf-8")
    text = text.replace("name: Bản tin sáng", "name: $(mkdir ten-chuong-trinh)")
    text = text.replace("    segments:\n", '    segments:\n      - intro: "a;mkdir media;.mp3"\n')
    paths.schedules_file.write_text(text, encoding="utf-8")

    with running_daemon(paths) as daemon:
        daemon.reload()
        inputs = daemon.inputs
    capsys.readouterr()
    main(["--home", str(paths.home), "check", "--json"])
    checked = json.loads(capsys.readouterr().out)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["ward"]  # no folder was made
    script = inputs.by_id["$(mkdir ten-tep)"]
    assert script.title == "Thông báo `mkdir dau-huyen` $(mkdir dau-do)"
    assert "__import__('os')" in script.body
    assert inputs.config.programs["sang"].name == "$(mkdir ten-chuong-trinh)"
    assert {"scripts_vi/chay.py", "scripts_vi/chay.sh", "scripts_vi/chay.bat"} <= set(
        checked["ignored"]
    )
    assert any(
        d["file"] == "scripts_vi/ghi âm; mkdir ffmpeg #.mp3" and d["code"] == "bad_recording"
        for d in checked["diagnostics"]
    )


OUTSIDE_PATHS = [
    "/etc/passwd.mp3",
    "../ngoai.mp3",
    "media/../../ngoai.mp3",
    "..\\..\\ngoai.mp3",
    "C:\\Windows\\Media\\ngoai.wav",
    "//may-chu/chia-se/ngoai.mp3",
    "media/link-ra-ngoai.mp3",  # a symlink inside media/ that leads outside
]


def _edit_then_reload(paths: ProjectPaths, old: str, new: str) -> dict[str, object]:
    """Edit ``schedules.yaml`` under the running daemon, as the technician would."""
    with running_daemon(paths) as daemon:
        text = paths.schedules_file.read_text(encoding="utf-8")
        paths.schedules_file.write_text(text.replace(old, new), encoding="utf-8")
        return daemon.reload()


@pytest.mark.parametrize("written", OUTSIDE_PATHS)
def test_media_paths_stay_inside_media(written, tmp_path):
    paths = make_ward(tmp_path / "ward")
    outside = tmp_path / "ngoai.mp3"
    outside.write_bytes(b"ID3" + bytes(100))
    (paths.media_dir / "link-ra-ngoai.mp3").symlink_to(outside)
    entry = yaml.safe_dump({"intro": written}, allow_unicode=True).strip()
    result = _edit_then_reload(paths, "    segments:\n", f"    segments:\n      - {entry}\n")
    assert result["ok"] is False
    assert result["problems"] == [
        f'schedules.yaml:17:16: tệp "{written}" nằm ngoài thư mục media/ của dự án, không được dùng'
    ]


@pytest.mark.parametrize(("setting", "line"), [("chime", 27), ("outro", 28)])
def test_tts_sound_files_stay_inside_the_project(setting, line, tmp_path):
    paths = make_ward(tmp_path / "ward")
    (tmp_path / "ngoai.wav").write_bytes(b"RIFF")
    edited = {"chime": "  chime: ../ngoai.wav\n", "outro": "  chime: none\n  outro: ../ngoai.wav\n"}
    result = _edit_then_reload(paths, "  chime: none\n", edited[setting])
    assert result["problems"] == [
        f'schedules.yaml:{line}:10: tts.{setting}: "../ngoai.wav" nằm ngoài thư mục dự án; hãy '
        "chép tệp vào trong thư mục này và ghi đường dẫn tính từ thư mục dự án"
    ]


def test_a_sidecar_or_recording_linked_from_outside_is_not_read(tmp_path):
    """Reading a linked sidecar would put any file's words on air as a title (found and fixed)."""
    paths = make_ward(tmp_path / "ward")
    secret = tmp_path / "mat-khau.yaml"
    secret.write_text("title: Mật khẩu wifi của phường là 12345678\n", encoding="utf-8")
    _silence_wav(paths.scripts_dir / "phong-van.wav")
    (paths.scripts_dir / "phong-van.yaml").symlink_to(secret)
    _silence_wav(tmp_path / "ngoai.wav")
    (paths.scripts_dir / "ghi-am.wav").symlink_to(tmp_path / "ngoai.wav")
    with running_daemon(paths) as daemon:
        result = daemon.reload()
        titles = [script.title for script in daemon.inputs.scripts]
    assert not any("12345678" in title for title in titles)
    assert set(result["problems"]) == {
        "scripts_vi/phong-van.yaml: liên kết trỏ ra ngoài thư mục scripts_vi/, không được đọc",
        "scripts_vi/ghi-am.wav: liên kết trỏ ra ngoài thư mục scripts_vi/, không được đọc",
    }


def _outward_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent; picks the outgoing interface
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def test_the_running_daemon_listens_on_loopback_only_and_wants_its_token(tmp_path):
    paths = make_ward(tmp_path / "ward")
    with running_daemon(paths):
        endpoint = read_endpoint(paths)
        assert endpoint.host == "127.0.0.1"
        if os.name != "nt":
            assert stat.S_IMODE(token_file(paths).stat().st_mode) == 0o600
        outward = _outward_address()
        if outward is not None:
            with pytest.raises(OSError):
                socket.create_connection((outward, endpoint.port), timeout=2).close()
        address = (endpoint.host, endpoint.port)
        guesses = [{}, {"token": ""}, {"token": "x" * 43}, {"token": read_token(paths)[:-1]}]
        for guess in guesses:  # none, empty, guessed, half-read
            line = json.dumps({**guess, "command": "reload"}).encode() + b"\n"
            (answer,) = exchange(address, line)
            assert answer["error"]["code"] == "unauthorized"
        assert ControlClient.from_paths(paths).call("status")["state"]  # still serving
