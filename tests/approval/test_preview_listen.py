"""``preview`` played to its end on the computer's loudspeaker records a listen: who, the audio
heard and the text it was made from; with ``approval: {required: true, listen: true}`` a script
airs only once that listen is there. Written to a file, nobody listened: nothing recorded."""

from __future__ import annotations

import getpass
import json
import os
import subprocess
import sys

import pytest

from broadcast.approval import EventKind, fingerprint_of
from broadcast.audio.manifest import AudioManifest
from broadcast.scripts import load_folder
from tests.approval.ward import DEPUTY, HEAD, TXT_ID, cli, events, make_ward

LISTEN = "approval: {required: true, listen: true}"


def _state(ward, capsys) -> dict:
    capsys.readouterr()
    assert cli(ward, "approvals", "--json") == 0
    scripts = json.loads(capsys.readouterr().out)["scripts"]
    return next(s for s in scripts if s["script_id"] == TXT_ID)


@pytest.mark.realtime  # the default device plays at the real rate: ~4 s of speech
def test_a_preview_heard_to_the_end_records_the_listen(tmp_path, capsys, realtime_card):
    ward = make_ward(tmp_path, approval=LISTEN)
    assert cli(ward, "approve", TXT_ID, "--by", HEAD) == 0
    assert _state(ward, capsys)["state"] == "not_listened"
    assert cli(ward, "preview", TXT_ID, "--offline", "--out", str(tmp_path / "a.wav")) == 0
    assert _state(ward, capsys)["state"] == "not_listened"  # a file: nobody heard it
    with realtime_card.listen("test_realtime") as loudspeaker:
        assert cli(ward, "preview", TXT_ID, "--offline", "--by", DEPUTY) == 0
    out = capsys.readouterr().out
    start, end = loudspeaker.sound_bounds()
    assert (end - start) / 48000 > 2  # the speech went out of the computer's loudspeaker
    assert f"Đã ghi lần nghe thử của {DEPUTY}" in out
    approval, listen = events(ward)
    entry = AudioManifest.load(ward).entry(TXT_ID)
    script = next(s for s in load_folder(ward).scripts if s.id == TXT_ID)
    assert listen.kind is EventKind.LISTENED and listen.by == DEPUTY
    assert listen.audio_hash == entry.audio_hash
    assert listen.content_sha256 == approval.content_sha256 == fingerprint_of(script).sha256
    state = _state(ward, capsys)
    assert state["state"] == "approved" and state["listened"]["id"] == listen.id
    assert cli(ward, "trace", TXT_ID) == 0
    assert "đúng âm thanh hiện tại" in capsys.readouterr().out


@pytest.mark.realtime
def test_anyone_may_listen_and_by_defaults_to_the_account(tmp_path, capsys, realtime_card):
    ward = make_ward(tmp_path, approval=LISTEN)
    assert cli(ward, "preview", TXT_ID, "--offline") == 0
    (listen,) = events(ward)
    assert listen.by == getpass.getuser() and listen.os_user == getpass.getuser()
    # heard before approval: it counts once the same text and audio are approved
    assert cli(ward, "approve", TXT_ID, "--by", HEAD) == 0
    assert _state(ward, capsys)["state"] == "approved"
    # the text changes: the listen was of other words
    source = ward.scripts_dir / "2026-12" / "mot-cua.txt"
    source.write_text(source.read_text("utf-8") + "\nXin cảm ơn.\n", "utf-8")
    assert cli(ward, "approve", TXT_ID, "--by", HEAD) == 0
    assert _state(ward, capsys)["state"] == "not_listened"


@pytest.mark.slow  # a fresh Python process loading PortAudio
def test_a_preview_that_could_not_play_records_nothing(tmp_path):
    ward = make_ward(tmp_path, approval=LISTEN)
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "no-alsa"))
    env.pop("PULSE_SERVER", None)  # without our card's configuration: no sound device
    count = "import sounddevice; print(len(sounddevice.query_devices()))"
    listed = subprocess.run([sys.executable, "-c", count], capture_output=True, text=True, env=env)
    if listed.returncode == 0 and listed.stdout.strip() != "0":
        pytest.skip("this machine has a sound device")
    command = ["--home", str(ward.home), "preview", TXT_ID, "--offline", "--by", DEPUTY]
    completed = subprocess.run(
        [sys.executable, "-m", "broadcast", *command], capture_output=True, text=True, env=env
    )
    assert completed.returncode == 1
    assert "không có thiết bị phát âm thanh" in completed.stderr
    assert events(ward) == []
