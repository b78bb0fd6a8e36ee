"""The daemon on the real audio path: planner → APScheduler → PortAudio → virtual ALSA card."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import numpy as np
import pytest

from broadcast.audio.manifest import AudioManifest
from broadcast.audio.wavfile import read_wav
from broadcast.control import ANNOUNCE, ControlClient
from broadcast.daemon.segment_audio import as_pcm16
from broadcast.daemon.status import status_file
from broadcast.playlog import Outcome, Reason
from broadcast.sinks.protocol import DEFAULT_FADE_SECONDS
from tests.daemon.daemon_project import (
    make_project,
    minutes_ago,
    rows,
    start_daemon,
    wait_for,
    zone_yaml,
)
from tests.support.virtual_card import SAMPLE_RATE as RATE
from tests.support.virtual_card import heard_fade_start, read_capture

SCRIPT = "Thông báo thử\n\nỦy ban nhân dân phường thông báo lịch tiếp dân ngày 15/12/2026.\n"
LONG_SCRIPT = "Bản tin dài\n\n" + "Bà con nộp hồ sơ trực tuyến tại dịch vụ công. " * 8


def located(haystack: np.ndarray, needle: np.ndarray) -> bool:
    """``needle`` appears in ``haystack`` sample for sample (after the device's padding)."""
    return first_located(haystack, needle) is not None


def first_located(haystack: np.ndarray, needle: np.ndarray) -> int | None:
    """Where ``needle`` first appears in ``haystack`` sample for sample."""
    last_start = len(haystack) - len(needle)
    if last_start < 0:
        return None
    starts = np.arange(last_start + 1)
    for k in np.flatnonzero(needle)[:32]:  # narrowed on the first sounding samples, then whole
        starts = starts[haystack[starts + k] == needle[k]]
    for start in starts:
        if np.array_equal(haystack[start : start + len(needle)], needle):
            return int(start)
    return None


@pytest.mark.realtime
def test_a_slot_plays_the_rendered_script_bit_exactly_on_its_zone_only(tmp_path, realtime_card):
    paths = make_project(
        tmp_path,
        [zone_yaml("pho-2", "test_realtime4", [2]), zone_yaml("pho-4", "test_realtime4", [4])],
        {"2026-12/tiep-dan.txt": SCRIPT},
        slot_zones="pho-2",
    )
    loudspeakers = realtime_card.listen("test_realtime4").start()  # what the street hears
    daemon = start_daemon(paths)
    try:
        found = wait_for(paths, lambda r: r and not r[-1].is_open)
    finally:
        daemon.stop()
        loudspeakers.stop()
    (row,) = found
    assert (row.airing.zone, row.airing.script_id, row.outcome) == (
        "pho-2",
        "2026-12/tiep-dan",
        Outcome.PLAYED,
    )
    assert row.airing.engine == "espeak" and row.airing.slot_id == "bay-gio"
    entry = AudioManifest.load(paths).entry("2026-12/tiep-dan")
    rendered = as_pcm16(read_wav(entry.path))
    assert row.airing.audio_hash == entry.audio_hash
    assert row.aired_seconds == round(len(rendered) / 48000, 3)
    heard = loudspeakers.frames
    assert located(heard[:, 1], rendered)  # every sample, the last ones too
    assert not heard[:, [0, 2, 3]].any()  # the other zones' amplifiers stay silent


@pytest.mark.realtime
def test_emergency_preempts_and_the_program_resumes_its_item(tmp_path, realtime_card, captures):
    paths = make_project(
        tmp_path,
        [zone_yaml("trung-tam", "test_realtime", [1, 2])],
        {"dai.txt": LONG_SCRIPT},
    )
    loudspeaker = realtime_card.listen("test_realtime").start()
    daemon = start_daemon(paths)
    try:
        wait_for(paths, lambda r: any(row.is_open for row in r))
        time.sleep(1.0)
        answer = ControlClient.from_paths(paths).call(
            ANNOUNCE,
            text="Khẩn cấp: bão số 3 đổ bộ lúc 17h.",
            zones=["moi-noi"],
            priority="emergency",
        )
        found = wait_for(paths, lambda r: any(row.outcome is Outcome.RESUMED for row in r), 90)
    finally:
        daemon.stop()
        loudspeaker.stop()
    cut, bulletin, resumed = found
    assert cut.outcome is Outcome.PREEMPTED
    assert cut.reason == Reason.preempted_by(answer["id"])
    # cut mid-item (how soon after the request is bench/bulletin.py's figure: under a loaded
    # machine the bulletin's speech takes seconds more to make)
    assert 0.5 < cut.aired_seconds < cut.airing.planned_seconds - 2
    assert bulletin.outcome is Outcome.PLAYED and bulletin.airing.slot_id is None
    assert bulletin.airing.title.startswith("Khẩn cấp: bão số 3")
    # the bulletin waited for the fade-out to be heard (checked at the loudspeaker below; the
    # cut row closes a few ms later, once its stream has been shut)
    assert bulletin.started_at >= cut.started_at + timedelta(seconds=cut.aired_seconds)
    assert (resumed.airing.script_id, resumed.outcome) == ("dai", Outcome.RESUMED)
    assert resumed.started_at >= bulletin.ended_at
    # the rest of the item, from a pause before the cut, to its end
    assert 0 < resumed.airing.resumed_from_seconds < cut.aired_seconds
    assert resumed.aired_seconds == resumed.airing.planned_seconds
    # At the loudspeaker: the item to its fade, every sample of the fade, silence, then the
    # bulletin; and the rest of the item to its last sample.
    rendered = as_pcm16(read_wav(AudioManifest.load(paths).entry("dai").path))
    heard = loudspeaker.frames[:, 0]
    began = first_located(heard, rendered[:RATE])
    assert began is not None
    fade = round(DEFAULT_FADE_SECONDS * RATE)
    aired = round(cut.aired_seconds * RATE)
    assert heard_fade_start(heard[began:], rendered, aired, fade) is not None
    assert located(heard[began + aired :], rendered[-RATE:])


def test_a_missing_device_is_a_device_error_and_an_alarm_while_another_zone_plays(
    tmp_path, captures
):
    paths = make_project(
        tmp_path,
        [zone_yaml("mat-card", "card-da-rut", [1]), zone_yaml("pho-1", "test_card4", [1])],
        {"tiep-dan.txt": SCRIPT},
    )
    daemon = start_daemon(paths)
    try:
        found = wait_for(paths, lambda r: len(r) >= 3 and not any(row.is_open for row in r))
        alarms = {(a.code, a.zone) for a in daemon.alarms.active()}
    finally:
        daemon.stop()
    by_zone = {}
    for row in found:
        by_zone.setdefault(row.airing.zone, []).append(row)
    assert [r.outcome for r in by_zone["pho-1"]] == [Outcome.PLAYED]
    lost = by_zone["mat-card"]
    assert len(lost) == 2  # the first try, and one retry
    assert all(r.outcome is Outcome.FAILED and r.reason == Reason.DEVICE_ERROR for r in lost)
    assert "card-da-rut" in lost[0].error
    assert (Reason.DEVICE_ERROR, "mat-card") in alarms
    assert ("device_missing", "mat-card") in alarms
    assert read_capture(captures["test_card4"], 4)[:, 0].any()


def test_restart_plays_a_slot_within_grace_and_logs_older_ones_as_missed(tmp_path, captures):
    paths = make_project(
        tmp_path,
        [zone_yaml("pho-1", "test_card4", [1])],
        {"tiep-dan.txt": SCRIPT},
        slots={"sang": minutes_ago(30), "bay-gio": minutes_ago(0)},
    )
    saved = minutes_ago(120).timestamp()  # the script was there well before both slots
    os.utime(paths.scripts_dir / "tiep-dan.txt", (saved, saved))
    paths.data_dir.mkdir(parents=True)
    beat = (minutes_ago(90)).isoformat(timespec="seconds")
    status_file(paths).write_text(json.dumps({"heartbeat_at": beat}), encoding="utf-8")
    daemon = start_daemon(paths)
    try:
        found = wait_for(paths, lambda r: len(r) == 2 and not any(row.is_open for row in r))
    finally:
        daemon.stop()
    by_slot = {row.airing.slot_id: row for row in found}
    assert (by_slot["sang"].outcome, by_slot["sang"].reason) == (Outcome.MISSED, "daemon_down")
    assert by_slot["bay-gio"].outcome is Outcome.PLAYED


def test_an_invalid_edit_keeps_the_last_good_timetable_and_raises_an_alarm(tmp_path, captures):
    paths = make_project(
        tmp_path,
        [zone_yaml("pho-1", "test_card4", [1])],
        {"tiep-dan.txt": SCRIPT},
        slots={"sau": minutes_ago(-120)},
    )
    daemon = start_daemon(paths)
    try:
        good = daemon.inputs.config
        text = paths.schedules_file.read_text(encoding="utf-8")
        paths.schedules_file.write_text(text.replace(":", " ", 1), encoding="utf-8")
        answer = daemon.reload()
        status = daemon.status()
    finally:
        daemon.stop()
    assert answer["ok"] is False
    assert any(p.startswith("schedules.yaml:") for p in answer["problems"])
    assert daemon.inputs.config is good
    assert [a.code for a in status.alarms] == ["input_invalid"]
    assert status.next["pho-1"][0].title == "Thông báo thử"


@pytest.mark.realtime
@pytest.mark.slow  # the daemon as a subprocess, from start to SIGTERM
def test_run_end_to_end_drop_a_script_start_the_daemon_and_stop_it_with_sigterm(
    tmp_path, realtime_card, child_env
):
    paths = make_project(tmp_path, [zone_yaml("pho-1", "test_realtime4", [3])], {})
    (paths.scripts_dir / "2026-12").mkdir(parents=True)
    (paths.scripts_dir / "2026-12" / "moi.md").write_text(
        "---\ntitle: Lịch thu gom rác\ntopic: thong-bao\n---\nTừ ngày 01/12, xe thu gom rác "
        "đi qua tổ dân phố lúc 17h30.\n",
        encoding="utf-8",
    )
    loudspeakers = realtime_card.listen("test_realtime4").start()
    daemon = subprocess.Popen(
        [sys.executable, "-m", "broadcast", "--home", str(paths.home), "run", "--offline"],
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        found = wait_for(paths, lambda r: r and not r[-1].is_open, timeout=60)
    finally:
        daemon.send_signal(signal.SIGTERM)
        output, _ = daemon.communicate(timeout=30)
        loudspeakers.stop()
    assert daemon.returncode == 0, output.decode()
    (row,) = found
    assert (row.airing.script_id, row.airing.title, row.outcome) == (
        "2026-12/moi",
        "Lịch thu gom rác",
        Outcome.PLAYED,
    )
    assert row.airing.topic == "thong-bao"
    rendered = as_pcm16(read_wav(AudioManifest.load(paths).entry("2026-12/moi").path))
    heard = loudspeakers.frames
    assert located(heard[:, 2], rendered) and not heard[:, [0, 1, 3]].any()
    assert b"daemon_stopped" in output
    assert not (paths.data_dir / "control.json").exists()  # a clean stop tidies up


@pytest.mark.realtime
def test_sigterm_during_a_play_completes_its_log_row(tmp_path, realtime_card, child_env):
    paths = make_project(
        tmp_path, [zone_yaml("trung-tam", "test_realtime", [1])], {"dai.txt": LONG_SCRIPT}
    )
    loudspeaker = realtime_card.listen("test_realtime").start()
    daemon = subprocess.Popen(
        [sys.executable, "-m", "broadcast", "--home", str(paths.home), "run", "--offline"],
        env=child_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(paths, lambda r: any(row.is_open for row in r), timeout=60)
        time.sleep(1.0)
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
        loudspeaker.stop()
    assert daemon.returncode == 0
    (row,) = rows(paths)
    assert (row.outcome, row.reason) == (Outcome.PARTIAL, Reason.STOPPED)
    assert 0.5 < row.aired_seconds < row.airing.planned_seconds
    assert row.ended_at - row.started_at < timedelta(seconds=10)
    # The listener heard the item up to the fade, then every sample of the fade to silence.
    rendered = as_pcm16(read_wav(AudioManifest.load(paths).entry("dai").path))
    heard = loudspeaker.frames[:, 0]
    began = first_located(heard, rendered[:RATE])
    assert began is not None
    aired, fade = round(row.aired_seconds * RATE), round(DEFAULT_FADE_SECONDS * RATE)
    assert heard_fade_start(heard[began:], rendered, aired, fade) is not None
