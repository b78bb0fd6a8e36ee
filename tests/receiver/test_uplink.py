"""What goes up without waiting on a clock: rows in batches until acknowledged, the kept
state across a restart, and the clock offset only as measured."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from broadcast.clock import SystemClock
from broadcast.clusters.messages import ACK
from broadcast.clusters.signing import StationKey
from broadcast.clusters.topics import topic
from broadcast.playlog import Airing, Outcome, PlayLog, Reason
from broadcast.playlog.store import DATABASE_NAME
from broadcast.receiver.fetch import AudioCache
from broadcast.receiver.host import parse_chrony, parse_mmcli
from broadcast.receiver.runner import Receiver
from broadcast.receiver.store import ReceiverStore
from broadcast.receiver.uplink import BATCH_ROWS, Uplink
from tests.receiver.conftest import CLUSTER, TZ, WARD, ZONE, RecordingLink, make_settings, now

CHRONY = """\
Reference ID    : C0A80101 (192.168.1.1)
Stratum         : 3
System time     : 0.000123456 seconds slow of NTP time
Last offset     : -0.000012 seconds
Leap status     : Normal
"""


def test_rows_go_up_in_batches_in_id_order_until_acknowledged(tmp_path: Path):
    settings = make_settings(tmp_path, StationKey.generate(), "http://127.0.0.1:1")
    log = PlayLog.open_file(tmp_path / "log.sqlite3", timezone=TZ)
    store = ReceiverStore.open(tmp_path / "state")
    link = RecordingLink()
    uplink = Uplink(settings, link, log, store, AudioCache(tmp_path / "a"), SystemClock(TZ))
    base = now() - timedelta(hours=30)  # a day offline: the backlog is sent whole
    for n in range(BATCH_ROWS * 2 + 5):
        airing = Airing(ZONE, base + timedelta(minutes=n), f"Bài {n}")
        log.record_missed(airing, Reason.DAEMON_DOWN, outcome=Outcome.MISSED)
    open_row = log.start_attempt(Airing(ZONE, now(), "Đang phát"), now())

    assert uplink.send_rows() == BATCH_ROWS * 2 + 5
    batches = [json.loads(p)["rows"] for t, p, _ in link.published if t.endswith("/played")]
    assert [len(b) for b in batches] == [BATCH_ROWS, BATCH_ROWS, 5]
    ids = [row["id"] for batch in batches for row in batch]
    assert ids == sorted(ids) and open_row not in ids  # a row still playing waits
    assert uplink.send_rows() == 0  # not again before RESEND_SECONDS …
    assert uplink.send_rows(again=True) == len(ids)  # … except after a reconnection

    store.accept(ACK, 1, acked=ids[:150])  # as the receiver keeps a signed ack
    uplink.acknowledged(ids[:150])
    assert [a.id for a in uplink.pending_rows()] == ids[150:]
    store.close()
    store = ReceiverStore.open(tmp_path / "state")  # a restart remembers what was acknowledged
    again = Uplink(settings, link, log, store, AudioCache(tmp_path / "a"), SystemClock(TZ))
    assert [a.id for a in again.pending_rows()] == ids[150:]
    assert len(log.attempts()) == len(ids) + 1  # acknowledged rows stay in the log
    log.close()
    store.close()


def test_sequence_numbers_and_handled_entries_survive_a_restart(tmp_path: Path):
    store = ReceiverStore.open(tmp_path)
    assert store.last_seq("plan") == -1
    store.save_plan(b"signed", 7, now())
    store.accept("now", 3)
    store.accept("now", 2)  # never lowers
    store.mark_handled("a#0", now() - timedelta(days=4), 1)
    store.mark_handled("b#0", now(), None)
    store.forget_handled(now() - timedelta(days=3))
    store.close()
    store = ReceiverStore.open(tmp_path)
    assert (store.last_seq("plan"), store.last_seq("now")) == (7, 3)
    assert store.saved_plan() == b"signed" and store.plan_accepted_at() is not None
    assert store.handled(["a#0", "b#0", "c#0"]) == {"b#0"}
    store.close()


def test_the_clock_offset_is_chronys_or_unknown():
    reading = parse_chrony(CHRONY)
    assert reading is not None
    assert reading.offset_seconds == -0.000123456 and reading.synchronised
    assert parse_chrony("506 Cannot talk to daemon") is None


def test_the_signal_is_the_modems_or_unknown():
    text = "modem.generic.state : connected\nmodem.generic.signal-quality.value : 67\n"
    assert parse_mmcli(text) == 67
    assert parse_mmcli("modem.generic.state : connected\n") is None


def test_a_play_log_damaged_by_a_power_cut_is_moved_aside_and_reported(tmp_path: Path):
    settings = make_settings(tmp_path, StationKey.generate(), "http://127.0.0.1:1")
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / DATABASE_NAME).write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    link = RecordingLink()
    receiver = Receiver(settings, link=link)
    receiver.start()
    receiver.stop()
    (event,) = link.bodies("event")
    assert event["code"] == "playlog_damaged" and "playlog.damaged-" in event["message"]
    assert list(settings.data_dir.glob("playlog.damaged-*.sqlite3"))


def test_a_cleared_retained_message_is_ignored_and_garbage_refused(tmp_path: Path):
    settings = make_settings(tmp_path, StationKey.generate(), "http://127.0.0.1:1")
    link = RecordingLink()
    receiver = Receiver(settings, link=link)
    plan_topic = topic(WARD, CLUSTER, "plan")
    receiver.handle(plan_topic, b"")
    receiver.handle(plan_topic, b"not json")
    assert [(e["code"], e["topic"], e["seq"]) for e in link.bodies("event")] == [
        ("malformed", plan_topic, None)
    ]
    receiver.stop()


def test_a_row_written_now_about_an_entry_days_ago_goes_up_after_everything_was_acknowledged(
    tmp_path: Path,
):
    """A box off for three days writes, when it starts, the rows of the entries it missed,
    each at its own old time: the uplink finds rows by number, not by their time."""
    settings = make_settings(tmp_path, StationKey.generate(), "http://127.0.0.1:1")
    log = PlayLog.open_file(tmp_path / "log.sqlite3", timezone=TZ)
    store = ReceiverStore.open(tmp_path / "state")
    uplink = Uplink(
        settings, RecordingLink(), log, store, AudioCache(tmp_path / "a"), SystemClock(TZ)
    )
    first = log.record_missed(Airing(ZONE, now(), "Hôm nay"), Reason.DAEMON_DOWN)
    assert [a.id for a in uplink.pending_rows()] == [first]
    store.accept(ACK, 1, acked=[first])
    uplink.acknowledged([first])
    assert uplink.pending_rows() == []

    days_ago = now() - timedelta(days=3)
    late = log.record_missed(Airing(ZONE, days_ago, "Ba ngày trước"), Reason.DAEMON_DOWN)
    assert [a.id for a in uplink.pending_rows()] == [late]
    log.close()
    store.close()
