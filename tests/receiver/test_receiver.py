"""One receiver driven through its message handler (the checks are the real ones), with real
HTTP on loopback, a real play log and a file sink: the plan is fetched, played on its second,
logged and uploaded; bad messages are refused and reported while the last good plan plays."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from broadcast.clusters.messages import AudioRef
from broadcast.clusters.signing import StationKey
from broadcast.clusters.topics import topic
from broadcast.playlog import Outcome, Reason
from broadcast.receiver import player
from tests.receiver.conftest import (
    WARD,
    ZONE,
    AudioServer,
    RecordingLink,
    Station,
    closed_rows,
    down,
    entry,
    soon,
    wait_for,
)

pytestmark = pytest.mark.slow  # each waits for entries a second or two ahead


def first_sound_at(folder: Path, label: str, timeout: float = 10.0) -> float:
    """``time.time()`` when the WAV of ``label`` got its first samples (polled every ms)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in folder.glob(f"*{label}*.wav") if folder.is_dir() else []:
            if path.stat().st_size > 44:
                return time.time()
        time.sleep(0.001)
    raise AssertionError(f"no sound for {label}")


def emergency(station: Station, bulletin_id: str, title: str, audio: AudioRef) -> bytes:
    """A signed ``now`` for an emergency bulletin without a chime, issued now."""
    body = {
        "bulletin": bulletin_id,
        "title": title,
        "priority": "emergency",
        "audio": audio.to_json(),
        "chime": None,
    }
    return station.message("now", body, issued=soon(0))


def test_a_plan_is_fetched_played_on_its_second_logged_and_uploaded_until_acked(
    started, audio_server: AudioServer, station: Station, tmp_path: Path
):
    first, second = audio_server.add(0.4, 440), audio_server.add(0.3, 660)
    start = soon(1.5)
    entries = [
        entry("sang-1#0", start, first, 0.4, "Thông báo tiêm chủng"),
        entry("sang-1#1", start + timedelta(seconds=0.6), second, 0.3, "Lịch cắt điện"),
    ]
    receiver, link = started()
    receiver.handle(down("plan"), station.plan(entries))
    wait_for(receiver.downloader.idle.is_set, 5)

    heard = first_sound_at(tmp_path / "wav", "sang-1-0")
    assert abs(heard - start.timestamp()) < 0.06  # on its second, by the box's own clock

    rows = closed_rows(receiver, 2)
    assert [r.outcome for r in rows] == [Outcome.PLAYED, Outcome.PLAYED]
    assert [r.airing.title for r in rows] == ["Thông báo tiêm chủng", "Lịch cắt điện"]
    assert rows[0].airing.zone == ZONE and rows[0].airing.slot_id == "sang"
    assert rows[0].airing.scheduled_at == start and rows[0].started_at == start
    assert rows[0].airing.audio_hash == first.sha256
    assert rows[0].to_file and rows[0].aired_seconds == pytest.approx(0.4, abs=0.03)

    def uploaded() -> set[int]:
        return {row["id"] for body in link.bodies("played") for row in body["rows"]}

    wait_for(lambda: uploaded() == {rows[0].id, rows[1].id})
    assert receiver.uplink.send_rows(again=True) == 2  # sent again until acknowledged
    receiver.handle(down("ack"), station.message("ack", {"rows": [rows[0].id, rows[1].id]}))
    assert receiver.uplink.pending_rows() == []
    assert receiver.uplink.send_rows(again=True) == 0
    assert receiver.store.acked() == {rows[0].id, rows[1].id}
    assert len(receiver.log.attempts()) == 2  # acknowledged rows stay in the log

    status = link.bodies("status")[-1]
    assert status["state"] == "online" and status["plan_seq"] == 1
    assert status["cache"]["items"] == 2 and status["device"]["playable"]
    assert status["clock"]["source"] in ("chrony", "timesyncd", "unknown")


def test_bad_messages_are_refused_reported_and_the_last_good_plan_plays(
    started, audio_server: AudioServer, station: Station
):
    audio = audio_server.add(0.3)
    start = soon(2.0)
    receiver, link = started()
    receiver.handle(down("plan"), station.plan([entry("good#0", start, audio, 0.3)]))
    replayed = station.plan([entry("old#0", start, audio, 0.3)], seq=1)

    def plan(name: str, **options) -> bytes:
        return station.plan([entry(f"{name}#0", start, audio, 0.3)], **options)

    bad = {
        "bad_signature": _forged(plan("forged")),
        "unknown_key": plan("stranger", key=StationKey.generate()),
        "replayed": replayed,
        "expired": plan("stale", issued=datetime.now(start.tzinfo) - timedelta(hours=49)),
        "wrong_cluster": plan("other", clusters=("tdp2-b",)),
    }
    for message in bad.values():
        receiver.handle(down("plan"), message)
    receiver.handle(topic(WARD, "tdp2-b", "plan"), plan("other-topic"))

    events = link.bodies("event")
    assert [e["code"] for e in events] == [*bad, "wrong_cluster"]
    assert events[0]["topic"] == down("plan") and events[2]["seq"] == 1
    assert all(e["message"] for e in events)

    (row,) = closed_rows(receiver, 1)
    assert row.outcome is Outcome.PLAYED and row.airing.script_id == "script-good"
    assert receiver.store.last_seq("plan") == 1


def test_an_exact_repeat_of_the_last_stop_or_ack_is_dropped_quietly_an_old_other_one_is_refused(
    started, station: Station
):
    """QoS 1 is at least once: after a broker restart the last message may come again, byte
    for byte; that is no replay to report at the station. A different message with a number
    already used still is."""
    receiver, link = started()
    stop = station.message("stop", {"by": "an", "bulletin": None})
    ack = station.message("ack", {"rows": []})
    for kind, message in (("stop", stop), ("ack", ack)):
        receiver.handle(down(kind), message)
        receiver.handle(down(kind), message)  # delivered again
    assert link.bodies("event") == []
    assert (receiver.store.last_seq("stop"), receiver.store.last_seq("ack")) == (1, 2)

    receiver.stop()  # the repeat may also come after the box restarted
    again, link = started()
    again.handle(down("ack"), ack)
    assert link.bodies("event") == []

    other_stop = station.message("stop", {"by": "binh", "bulletin": None}, seq=1)
    other_ack = station.message("ack", {"rows": [99]}, seq=2)
    again.handle(down("stop"), other_stop)
    again.handle(down("ack"), other_ack)
    events = link.bodies("event")
    assert [(e["code"], e["seq"]) for e in events] == [("replayed", 1), ("replayed", 2)]
    assert again.store.acked() == set()  # the refused ack acknowledged nothing


def _forged(message: bytes) -> bytes:
    """The station's message with its title changed after signing."""
    envelope = json.loads(message)
    envelope["payload"]["entries"][0]["airing"]["title"] = "Tin giả"
    return json.dumps(envelope).encode()


def test_now_preempts_what_plays_with_its_chime_and_is_logged(
    started, audio_server: AudioServer, station: Station, tmp_path: Path
):
    long, bulletin, chime = (
        audio_server.add(s, f) for s, f in ((3.0, 440), (0.4, 880), (0.2, 990))
    )
    start = soon(1.0)
    receiver, _link = started()
    receiver.handle(down("plan"), station.plan([entry("dai#0", start, long, 3.0)]))
    wait_for(lambda: receiver.player.playing(), 5)
    issued = soon(0)
    body = {
        "bulletin": "b-17",
        "title": "Cảnh báo bão",
        "priority": "emergency",
        "audio": bulletin.to_json(),
        "chime": chime.to_json(),
    }
    receiver.handle(down("now"), station.message("now", body, issued=issued))

    cut, aired = closed_rows(receiver, 2)
    assert cut.outcome is Outcome.PREEMPTED and cut.reason == Reason.preempted_by("b-17")
    assert 0 < (cut.aired_seconds or 0) < 2.0
    assert aired.outcome is Outcome.PLAYED and aired.airing.bulletin_id == "b-17"
    assert aired.airing.title == "Cảnh báo bão" and aired.airing.scheduled_at == issued
    assert len(list((tmp_path / "wav").glob("*chime*.wav"))) == 1
    time.sleep(0.3)
    assert len(receiver.log.attempts()) == 2  # what was cut is not resumed


def test_rows_name_the_zone_of_the_signed_plan_once_the_station_moved_the_cluster(
    started, audio_server: AudioServer, station: Station
):
    """``broadcast clusters edit ID --zone …`` changes nothing on the box: its receiver.yaml
    still names the old zone, the station's plans name the new one, and so do the rows."""
    bulletin = audio_server.add(0.3, 880)
    receiver, _link = started()
    assert receiver.settings.zone == ZONE
    receiver.handle(down("plan"), station.message("plan", {"zone": "to-moi", "entries": []}))
    receiver.handle(down("now"), emergency(station, "b-19", "Mất điện", bulletin))
    (aired,) = closed_rows(receiver, 1)
    assert aired.outcome is Outcome.PLAYED and aired.airing.zone == "to-moi"


def test_a_bulletin_whose_first_fetch_fails_is_fetched_again_and_played(
    started, audio_server: AudioServer, station: Station
):
    bulletin = audio_server.add(0.3, 880)
    audio_server.fail_next = 1  # the station is busy serving every other cluster
    receiver, _link = started()
    receiver.handle(down("now"), emergency(station, "b-18", "Cảnh báo lũ", bulletin))
    (aired,) = closed_rows(receiver, 1)
    assert aired.outcome is Outcome.PLAYED and aired.airing.bulletin_id == "b-18"
    assert len(audio_server.requests) == 2  # the failed try, then the one that came


def test_stop_fades_out_and_the_item_does_not_go_on(
    started, audio_server: AudioServer, station: Station
):
    # the first segment outlasts the lead the second is opened with: the stop finds it alone
    seconds = player.LEAD_SECONDS + 1.0
    long, rest = audio_server.add(seconds), audio_server.add(0.3, 660)
    start = soon(1.0)
    entries = [
        entry("chieu#0", start, long, seconds),
        entry("chieu#1", start + timedelta(seconds=seconds), rest, 0.3),
    ]
    receiver, _link = started()
    receiver.handle(down("plan"), station.plan(entries))
    wait_for(lambda: receiver.player.playing(), 5)
    receiver.handle(down("stop"), station.message("stop", {"by": "an", "bulletin": None}))
    cut, skipped = closed_rows(receiver, 2, timeout=8)
    assert cut.outcome is Outcome.PARTIAL and cut.reason == "stopped_by:an"
    assert skipped.outcome is Outcome.MISSED and skipped.reason == "stopped_by:an"


def test_audio_missing_at_its_second_is_a_failed_row(
    started, audio_server: AudioServer, station: Station
):
    audio = audio_server.add(0.3)
    (audio_server.folder / f"{audio.sha256}.wav").unlink()  # the station lost it
    receiver, _link = started()
    receiver.handle(down("plan"), station.plan([entry("mat#0", soon(1.0), audio, 0.3)]))
    (row,) = closed_rows(receiver, 1)
    assert row.outcome is Outcome.FAILED and row.reason == Reason.AUDIO_MISSING


def test_a_restart_plays_the_kept_plan_with_no_broker_and_logs_what_it_missed(
    started, audio_server: AudioServer, station: Station
):
    audio = audio_server.add(0.3)
    early, later = soon(0.8), soon(4.0)
    receiver, _link = started()
    receiver.handle(
        down("plan"),
        station.plan([entry("som#0", early, audio, 0.3), entry("muon#0", later, audio, 0.3)]),
    )
    wait_for(receiver.downloader.idle.is_set, 5)
    receiver.stop()  # the box is off while "som" should play
    time.sleep(max(0.0, (early - datetime.now(early.tzinfo)).total_seconds()) + 1.5)

    again, link = started(RecordingLink(connected=False))  # and the broker is down
    missed, played = closed_rows(again, 2)
    assert missed.outcome is Outcome.MISSED and missed.reason == Reason.DAEMON_DOWN
    assert played.outcome is Outcome.PLAYED and played.airing.script_id == "script-muon"
    assert link.published == []  # nothing could be said, it played anyway


def test_a_plan_file_edited_on_the_box_is_refused_at_start(
    started, audio_server: AudioServer, station: Station
):
    audio = audio_server.add(0.3)
    receiver, _link = started()
    plan = station.plan([entry("x#0", soon(30), audio, 0.3)])
    receiver.handle(down("plan"), plan)
    receiver.stop()
    kept = receiver.store.plan_path
    kept.write_bytes(plan.replace("Bản tin".encode(), b"Ban tin"))

    again, link = started()
    assert [e["code"] for e in link.bodies("event")] == ["bad_signature"]
    assert again.player.next_entry() is None
    again.handle(down("plan"), plan)  # the station's retained copy, as the broker resends it
    assert again.player.next_entry() is not None
    assert len(link.bodies("event")) == 1
    assert again.store.saved_plan() == plan
