"""Priority bulletins on a cluster follow the station's rule: they wait for the sound playing to
end, then air before the next planned entry, which plays after them (late, its row saying
when); several air in the order they came; a ``stop`` naming one still waiting drops it with a
``cancelled_by`` row. The real receiver, real HTTP on loopback, a real play log, a file sink."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from broadcast.clusters.messages import AudioRef
from broadcast.playlog import Attempt, Outcome, Reason
from broadcast.receiver import player
from broadcast.receiver.runner import Receiver
from tests.receiver.conftest import (
    AudioServer,
    RecordingLink,
    Station,
    closed_rows,
    down,
    entry,
    soon,
    wait_for,
)

# a first segment outlasting the lead the next one is opened with
LONG = player.LEAD_SECONDS + 1.0

pytestmark = pytest.mark.slow  # each waits for entries a second or two ahead


def _now(station: Station, bulletin: str, audio: AudioRef, priority: str = "priority") -> bytes:
    body: dict[str, Any] = {
        "bulletin": bulletin,
        "title": f"Thông báo {bulletin}",
        "priority": priority,
        "audio": audio.to_json(),
        "chime": None,
    }
    return station.message("now", body, issued=soon(0))


def _stop(station: Station, bulletin: str | None, by: str = "an") -> bytes:
    return station.message("stop", {"by": by, "bulletin": bulletin})


def _ends(row: Attempt) -> float:
    assert row.started_at is not None
    return row.started_at.timestamp() + (row.aired_seconds or 0.0)


def _by_start(rows: list[Attempt]) -> list[Attempt]:
    return sorted((r for r in rows if r.started_at is not None), key=lambda r: r.started_at)


def _queued(receiver: Receiver, count: int) -> None:
    wait_for(lambda: len(receiver.player.waiting_bulletins()) == count, 5)


def _uploaded(link: RecordingLink) -> set[int]:
    return {row["id"] for body in link.bodies("played") for row in body["rows"]}


def test_a_priority_bulletin_waits_for_the_entry_playing_and_airs_before_the_next(
    started, audio_server: AudioServer, station: Station
):
    # the first segment lasts longer than the lead the next one is opened with: the bulletin
    # comes while only the first is on the device
    first, second, news = (audio_server.add(s, f) for s, f in ((LONG, 440), (0.3, 660), (0.4, 880)))
    start = soon(1.0)
    later = start + timedelta(seconds=LONG)  # back to back, as two segments of one item
    entries = [entry("sang#0", start, first, LONG), entry("sang#1", later, second, 0.3)]
    receiver, _link = started()
    receiver.handle(down("plan"), station.plan(entries))
    wait_for(lambda: receiver.player.playing(), 5)
    receiver.handle(down("now"), _now(station, "u-1", news))

    rows = closed_rows(receiver, 3)
    one, bulletin, two = _by_start(rows)
    assert (one.airing.script_id, bulletin.airing.bulletin_id, two.airing.script_id) == (
        "script-sang",
        "u-1",
        "script-sang",
    )
    assert one.outcome is Outcome.PLAYED and one.aired_seconds == pytest.approx(LONG, abs=0.03)
    assert bulletin.outcome is Outcome.PLAYED and two.outcome is Outcome.PLAYED
    # the bulletin after the first segment ended (not cut), the second after the bulletin
    assert _ends(one) <= bulletin.started_at.timestamp() < _ends(one) + 1.0
    assert _ends(bulletin) <= two.started_at.timestamp() < _ends(bulletin) + 0.5
    assert two.airing.scheduled_at == later and two.started_at > later  # its row: when it began


def test_queued_bulletins_air_in_the_order_they_came_and_a_stop_drops_a_waiting_one(
    started, audio_server: AudioServer, station: Station
):
    long, *news = (
        audio_server.add(s, f) for s, f in ((1.5, 440), (0.3, 700), (0.3, 800), (0.3, 900))
    )
    receiver, link = started()
    receiver.handle(down("plan"), station.plan([entry("dai#0", soon(1.0), long, 1.5)]))
    wait_for(lambda: receiver.player.playing(), 5)
    for number, audio in enumerate(news, 1):
        receiver.handle(down("now"), _now(station, f"u-{number}", audio))
    _queued(receiver, 3)
    receiver.handle(down("stop"), _stop(station, "u-2", by="binh"))

    rows = closed_rows(receiver, 4)
    aired = _by_start(rows)
    assert [r.airing.bulletin_id for r in aired] == [None, "u-1", "u-3"]
    assert all(r.outcome is Outcome.PLAYED for r in aired)
    (cancelled,) = [r for r in rows if r.airing.bulletin_id == "u-2"]
    assert cancelled.outcome is Outcome.MISSED and cancelled.reason == "cancelled_by:binh"
    assert cancelled.started_at is None and cancelled.airing.title == "Thông báo u-2"
    wait_for(lambda: cancelled.id in _uploaded(link))  # uploaded like every row


def test_a_stop_naming_the_bulletin_on_air_fades_it_one_never_received_does_nothing(
    started, audio_server: AudioServer, station: Station
):
    news, later = audio_server.add(2.0, 880), audio_server.add(0.3, 660)
    receiver, link = started()
    receiver.handle(down("stop"), _stop(station, "chua-toi"))  # a bulletin this box never got
    receiver.handle(down("plan"), station.plan([entry("chieu#0", soon(3.5), later, 0.3)]))
    receiver.handle(down("now"), _now(station, "u-5", news))  # idle: it airs at once
    wait_for(lambda: receiver.player.playing(), 5)
    receiver.handle(down("stop"), _stop(station, "u-5"))

    stopped, played = closed_rows(receiver, 2)
    assert stopped.airing.bulletin_id == "u-5" and stopped.outcome is Outcome.PARTIAL
    assert stopped.reason == "stopped_by:an" and (stopped.aired_seconds or 0) < 1.5
    assert played.outcome is Outcome.PLAYED and played.airing.script_id == "script-chieu"
    assert link.bodies("event") == []  # neither stop was an error


def test_a_bulletin_stopped_while_its_audio_was_on_its_way_is_dropped_when_it_comes(
    started, audio_server: AudioServer, station: Station
):
    news = audio_server.add(0.3, 880)
    receiver, _link = started()
    receiver.handle(down("stop"), _stop(station, "u-6", by="chi"))  # the cancel overtook it
    receiver.handle(down("now"), _now(station, "u-6", news))
    (row,) = closed_rows(receiver, 1)
    assert row.outcome is Outcome.MISSED and row.reason == "cancelled_by:chi"


def test_an_emergency_still_cuts_in_at_once_and_a_waiting_priority_one_follows_it(
    started, audio_server: AudioServer, station: Station
):
    long, news, alarm = (audio_server.add(s, f) for s, f in ((3.0, 440), (0.3, 700), (0.3, 990)))
    receiver, _link = started()
    receiver.handle(down("plan"), station.plan([entry("dai#0", soon(1.0), long, 3.0)]))
    wait_for(lambda: receiver.player.playing(), 5)
    receiver.handle(down("now"), _now(station, "u-7", news))
    _queued(receiver, 1)
    receiver.handle(down("now"), _now(station, "k-1", alarm, priority="emergency"))

    cut, emergency, waiting = _by_start(closed_rows(receiver, 3))
    assert cut.outcome is Outcome.PREEMPTED and cut.reason == Reason.preempted_by("k-1")
    assert emergency.airing.bulletin_id == "k-1" and emergency.outcome is Outcome.PLAYED
    assert waiting.airing.bulletin_id == "u-7" and waiting.outcome is Outcome.PLAYED
    assert _ends(emergency) <= waiting.started_at.timestamp()


def test_an_entry_held_back_past_the_grace_is_missed_as_a_busy_zone(
    started, audio_server: AudioServer, station: Station, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(player, "POSTPONED_MAX_SECONDS", 0.2)
    first, second, news = (audio_server.add(s, f) for s, f in ((LONG, 440), (0.3, 660), (0.6, 880)))
    start = soon(1.0)
    entries = [
        entry("toi#0", start, first, LONG),
        entry("toi#1", start + timedelta(seconds=LONG), second, 0.3),
    ]
    receiver, _link = started()
    receiver.handle(down("plan"), station.plan(entries))
    wait_for(lambda: receiver.player.playing(), 5)
    receiver.handle(down("now"), _now(station, "u-8", news))
    rows = closed_rows(receiver, 3)
    (held,) = [r for r in rows if r.airing.script_id == "script-toi" and r.started_at is None]
    assert held.outcome is Outcome.MISSED and held.reason == Reason.ZONE_BUSY


def test_a_bulletin_still_waiting_when_the_box_stops_gets_its_row(
    started, audio_server: AudioServer, station: Station
):
    long, news = audio_server.add(3.0, 440), audio_server.add(0.3, 880)
    receiver, _link = started()
    receiver.handle(down("plan"), station.plan([entry("dai#0", soon(1.0), long, 3.0)]))
    wait_for(lambda: receiver.player.playing(), 5)
    receiver.handle(down("now"), _now(station, "u-9", news))
    _queued(receiver, 1)
    receiver.player.stop()  # as the box stops (the fixture stops the rest)
    rows = {r.airing.bulletin_id: r for r in receiver.log.attempts()}
    assert rows["u-9"].outcome is Outcome.MISSED and rows["u-9"].reason == Reason.STOPPED
    assert rows[None].outcome is Outcome.PARTIAL
