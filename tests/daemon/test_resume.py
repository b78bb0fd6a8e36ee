"""An interrupted item is taken up where it was cut, and an emergency cuts only its zones.

Issue 13, defects 2 and 3: an emergency for one zone silenced every zone of the running
program, and the interrupted item replayed from its beginning (after a bulletin, and after a
restart within the grace period). Heard at the sound server's monitor of a 4-channel card.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from broadcast.audio.manifest import AudioManifest
from broadcast.audio.wavfile import read_wav
from broadcast.control import ANNOUNCE, ControlClient
from broadcast.daemon.context import DEFAULT_RESUME_BACK_SECONDS
from broadcast.daemon.segment_audio import as_pcm16
from broadcast.playlog import Outcome, Reason
from tests.daemon.daemon_project import make_project, start_daemon, wait_for, zone_yaml
from tests.daemon.test_daemon import LONG_SCRIPT, first_located, located
from tests.support.virtual_card import SAMPLE_RATE as RATE

pytestmark = pytest.mark.realtime

TWO_STREETS = [zone_yaml("pho-1", "test_realtime4", [1]), zone_yaml("pho-2", "test_realtime4", [2])]


def rendered(paths, script_id: str) -> np.ndarray:
    return as_pcm16(read_wav(AudioManifest.load(paths).entry(script_id).path))


def test_an_emergency_on_one_street_leaves_the_other_street_s_program_playing(
    tmp_path, realtime_card
):
    paths = make_project(tmp_path, TWO_STREETS, {"dai.txt": LONG_SCRIPT})
    loudspeakers = realtime_card.listen("test_realtime4").start()
    daemon = start_daemon(paths)
    try:
        wait_for(paths, lambda r: len([x for x in r if x.is_open]) == 2)
        time.sleep(2.0)
        answer = ControlClient.from_paths(paths).call(
            ANNOUNCE, text="Khẩn cấp: cắt điện tổ 1.", zones=["pho-1"], priority="emergency"
        )
        found = wait_for(paths, lambda r: any(x.outcome is Outcome.RESUMED for x in r), 90)
    finally:
        daemon.stop()
        loudspeakers.stop()
    by_zone: dict[str, list] = {}
    for row in found:
        by_zone.setdefault(row.airing.zone, []).append(row)
    (street_2,) = by_zone["pho-2"]
    assert street_2.outcome is Outcome.PLAYED  # never cut, never blamed on the bulletin
    cut, bulletin, resumed = by_zone["pho-1"]
    assert (cut.outcome, cut.reason) == (Outcome.PREEMPTED, Reason.preempted_by(answer["id"]))
    assert bulletin.airing.bulletin_id == answer["id"] and bulletin.outcome is Outcome.PLAYED
    assert resumed.outcome is Outcome.RESUMED
    item = rendered(paths, "dai")
    heard = loudspeakers.frames
    # Street 2 heard the whole item, sample for sample, without a gap and without the bulletin.
    assert located(heard[:, 1], item)
    assert street_2.started_at <= cut.ended_at and street_2.ended_at >= bulletin.ended_at
    # Street 1 heard the rest of the item, from a point before the cut: not the whole again.
    taken_up = resumed.airing.resumed_from_seconds
    assert cut.aired_seconds - DEFAULT_RESUME_BACK_SECONDS <= taken_up < cut.aired_seconds
    assert resumed.airing.planned_seconds == pytest.approx(len(item) / RATE - taken_up, abs=1e-3)
    assert resumed.aired_seconds == pytest.approx(resumed.airing.planned_seconds, abs=1e-3)
    began = first_located(heard[:, 0], item[:RATE])
    assert began is not None and taken_up > 0.3
    again = heard[began + round(cut.aired_seconds * RATE) :, 0]
    assert located(again, item[round(taken_up * RATE) :])  # the rest, to its last sample
    assert not located(again, item[: round(taken_up * RATE)])  # what came before, once


def test_a_restart_within_the_grace_period_takes_the_item_up_where_it_was_cut(
    tmp_path, realtime_card
):
    paths = make_project(
        tmp_path, [zone_yaml("pho-1", "test_realtime4", [1])], {"dai.txt": LONG_SCRIPT}
    )
    loudspeakers = realtime_card.listen("test_realtime4").start()
    daemon = start_daemon(paths)
    try:
        wait_for(paths, lambda r: any(x.is_open for x in r))
        time.sleep(4.0)
    finally:
        daemon.stop()  # as a power cut's restart or a technician's: the item is cut
    daemon = start_daemon(paths)
    try:
        found = wait_for(paths, lambda r: len(r) == 2 and not r[-1].is_open, 90)
    finally:
        daemon.stop()
        loudspeakers.stop()
    cut, resumed = found
    assert cut.outcome is Outcome.PARTIAL and 3.0 < cut.aired_seconds < 6.0
    assert resumed.outcome is Outcome.RESUMED
    taken_up = resumed.airing.resumed_from_seconds
    assert cut.aired_seconds - DEFAULT_RESUME_BACK_SECONDS <= taken_up < cut.aired_seconds
    item = rendered(paths, "dai")
    heard = loudspeakers.frames[:, 0]
    began = first_located(heard, item[:RATE])
    assert began is not None and taken_up > 0.3
    again = heard[began + round(cut.aired_seconds * RATE) :]
    assert located(again, item[round(taken_up * RATE) :])  # the rest, to its last sample
    # the 53 s of the issue: what was heard before the cut is not heard again
    assert not located(again, item[: round(taken_up * RATE)])
