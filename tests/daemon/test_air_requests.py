"""Issue 13: a technician skips, stops or cancels over the control channel, and the record
says who asked.

The real daemon with a WAV file sink that plays at the real rate (so something is on the air
when the request comes), real sockets, the real play log and the real ``daemon.log``.
"""

from __future__ import annotations

import getpass
import time
import wave
from datetime import timedelta

import pytest

from broadcast.control import ANNOUNCE, CANCEL, SKIP, STOP, ControlClient, ControlError
from broadcast.daemon.daemon_log import LOG_NAME
from broadcast.paths import ProjectPaths
from broadcast.playlog import Attempt, Outcome, reason_label_vi
from tests.daemon.daemon_project import (
    console,
    make_project,
    start_to_files,
    wait_for,
    ward_now,
    zone_yaml,
)

pytestmark = pytest.mark.slow  # items play at the real rate

ZONES = [zone_yaml("to-1", "file", [1]), zone_yaml("to-2", "file", [1])]
LONG = "Bản tin dài\n\n" + "Bà con nộp hồ sơ trực tuyến tại cổng dịch vụ công của thành phố. " * 6
SHORT = "Bản tin ngắn\n\nMời bà con dự họp tổ dân phố tối thứ bảy.\n"
EMERGENCY = "Khẩn cấp: nước lên nhanh ở khu vực bờ sông, bà con di chuyển đồ đạc lên chỗ cao. " * 2
TECHNICIAN = "ky-thuat-vien"


def _playing(found: list[Attempt]) -> bool:
    return any(row.is_open for row in found)


def _closed(count: int):
    return lambda found: len(found) == count and not _playing(found)


def _log_text(paths: ProjectPaths) -> str:
    return (paths.data_dir / LOG_NAME).read_text(encoding="utf-8")


def _wav_seconds(paths: ProjectPaths, label: str) -> list[float]:
    found = []
    for path in sorted((paths.home / "heard").glob(f"*_{label}*.wav")):
        with wave.open(str(path)) as wav:
            found.append(wav.getnframes() / wav.getframerate())
    return found


def test_skip_fades_the_item_on_the_air_and_the_program_goes_on(tmp_path, daemon_log):
    """``broadcast skip`` typed in a console: the long item is cut, the short one airs whole."""
    paths = make_project(tmp_path, ZONES, {"a-dai.txt": LONG, "b-ngan.txt": SHORT})
    daemon = start_to_files(paths)
    try:
        wait_for(paths, _playing, 60)
        time.sleep(1.0)
        answer = console(paths, "skip")
        found = wait_for(paths, _closed(4), 60)
    finally:
        daemon.stop()
    assert answer.returncode == 0, answer.stderr
    assert "Đã bỏ qua mục đang phát trên moi-noi" in answer.stdout
    user = getpass.getuser()
    cut = sorted((r for r in found if r.airing.script_id == "a-dai"), key=lambda r: r.airing.zone)
    rest = [row for row in found if row.airing.script_id == "b-ngan"]
    assert sorted(row.airing.zone for row in cut) == ["to-1", "to-2"]
    for row in cut:
        assert (row.outcome, row.reason) == (Outcome.PARTIAL, f"skipped_by:{user}")
        assert reason_label_vi(row.reason) == f"bỏ qua theo yêu cầu của {user}"
        assert 0.5 < row.aired_seconds < row.airing.planned_seconds - 2
    assert [row.outcome for row in rest] == [Outcome.PLAYED, Outcome.PLAYED]
    assert max(row.started_at for row in cut) <= min(row.started_at for row in rest)
    # What the sink wrote agrees: the cut item stops near where the log says it did.
    for seconds, row in zip(_wav_seconds(paths, "a-dai"), cut, strict=True):
        assert abs(seconds - row.aired_seconds) < 0.5
    assert f"{user} cho bỏ qua mục đang phát trên mọi khu vực" in _log_text(paths)


def test_stop_ends_the_program_on_its_zones_only_and_logs_the_rest_there_as_missed(
    tmp_path, daemon_log
):
    paths = make_project(
        tmp_path, ZONES, {"a-dai.txt": LONG, "b-ngan.txt": SHORT, "c-ngan.txt": SHORT}
    )
    daemon = start_to_files(paths)
    try:
        wait_for(paths, _playing, 60)
        time.sleep(1.0)
        answer = ControlClient.from_paths(paths).call(STOP, zones=["to-2"], sender=TECHNICIAN)
        found = wait_for(paths, _closed(6), 90)
        time.sleep(0.5)  # a program that went on would have opened a row by now
        found = wait_for(paths, _closed(6), 1)
    finally:
        daemon.stop()
    assert answer == {"zones": ["to-2"], "queued": []}  # to-1 never went quiet
    street_2 = {row.airing.script_id: row for row in found if row.airing.zone == "to-2"}
    reason = f"stopped_by:{TECHNICIAN}"
    assert (street_2["a-dai"].outcome, street_2["a-dai"].reason) == (Outcome.PARTIAL, reason)
    missed = [street_2["b-ngan"], street_2["c-ngan"]]
    assert {(row.outcome, row.reason) for row in missed} == {(Outcome.MISSED, reason)}
    assert all(row.started_at is None and row.aired_seconds == 0 for row in missed)
    street_1 = [row for row in found if row.airing.zone == "to-1"]
    assert [row.outcome for row in street_1] == [Outcome.PLAYED] * 3  # the program went on
    assert len(_wav_seconds(paths, "b-ngan")) == 1  # to-1's only
    assert reason_label_vi(reason) == f"dừng theo yêu cầu của {TECHNICIAN}"
    assert f"{TECHNICIAN} cho dừng chương trình đang phát trên to-2" in _log_text(paths)


def test_a_queued_priority_bulletin_is_cancelled_by_its_id_and_never_airs(tmp_path, daemon_log):
    paths = make_project(tmp_path, ZONES, {"a-dai.txt": LONG})
    daemon = start_to_files(paths)
    client = ControlClient.from_paths(paths)
    try:
        wait_for(paths, _playing, 60)
        first, second = (
            client.call(ANNOUNCE, text=text, zones=["moi-noi"], sender=TECHNICIAN)["id"]
            for text in ("Mời bà con dự họp tổ dân phố.", "Lịch tiêm phòng dại cho chó mèo.")
        )
        cancelled = client.call(CANCEL, id=first, sender="an")
        again = console(paths, "cancel", first)
        skipped = client.call(SKIP, sender=TECHNICIAN)  # the gap: the other bulletin airs
        found = wait_for(paths, _closed(6), 60)
    finally:
        daemon.stop()
    assert cancelled == {"id": first, "zones": ["to-1", "to-2"]}
    assert again.returncode == 1
    assert again.stderr.startswith("Chương trình phát từ chối lệnh hủy: ")
    assert f"không có bản tin {first} đang chờ phát" in again.stderr
    assert f"các bản tin đang chờ: {second}" in again.stderr
    assert skipped["queued"] == [second]  # the skip said what still waits
    rows = [row for row in found if row.airing.bulletin_id == first]
    assert sorted(row.airing.zone for row in rows) == ["to-1", "to-2"]
    assert {(row.outcome, row.reason) for row in rows} == {(Outcome.MISSED, "cancelled_by:an")}
    assert reason_label_vi(rows[0].reason) == "hủy theo yêu cầu của an"
    assert _wav_seconds(paths, first) == []  # nothing of it reached the sink
    aired = [row.outcome for row in found if row.airing.bulletin_id == second]
    assert aired == [Outcome.PLAYED, Outcome.PLAYED]
    assert f"an hủy bản tin ưu tiên {first} trên to-1, to-2 trước khi phát" in _log_text(paths)


def test_an_airing_bulletin_is_skipped_not_cancelled(tmp_path, daemon_log):
    paths = make_project(
        tmp_path, ZONES, {"a-dai.txt": LONG}, slots={"chieu": ward_now() + timedelta(hours=6)}
    )
    daemon = start_to_files(paths)
    client = ControlClient.from_paths(paths)
    try:
        idle = client.call(SKIP, sender=TECHNICIAN)
        with pytest.raises(ControlError) as unknown_zone:
            client.call(SKIP, zones=["to-9"], sender=TECHNICIAN)
        sent = client.call(
            ANNOUNCE, text=EMERGENCY, zones=["to-1"], priority="emergency", sender=TECHNICIAN
        )
        wait_for(paths, _playing, 30)
        with pytest.raises(ControlError) as airing:
            client.call(CANCEL, id=sent["id"], sender=TECHNICIAN)
        time.sleep(1.0)
        skipped = client.call(SKIP, zones=["Khu vực to-1"], sender=TECHNICIAN)
        (row,) = wait_for(paths, _closed(1), 30)
    finally:
        daemon.stop()
    assert idle == {"zones": [], "queued": []}  # nothing on the air: nothing to skip
    assert unknown_zone.value.code == "invalid_input" and "to-9" in unknown_zone.value.message
    assert "đang phát" in airing.value.message and "broadcast skip --zones to-1" in (
        airing.value.message
    )
    assert skipped["zones"] == ["to-1"]
    assert row.airing.bulletin_id == sent["id"]
    assert (row.outcome, row.reason) == (Outcome.PARTIAL, f"skipped_by:{TECHNICIAN}")
    assert 0.5 < row.aired_seconds < row.airing.planned_seconds - 2
    log = _log_text(paths)
    assert f"{TECHNICIAN} yêu cầu skip trên mọi khu vực: không có gì đang phát" in log
    assert f"{TECHNICIAN} cho bỏ qua mục đang phát trên to-1" in log
