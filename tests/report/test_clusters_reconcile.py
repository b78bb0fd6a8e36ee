"""``broadcast reconcile`` on an IP zone served by several clusters: one line per cluster,
each with what it aired, how long, and why not; clusters expected by the registry's history."""

import json
from datetime import timedelta

import pytest

from broadcast.cli import main
from broadcast.config import load_config
from broadcast.playlog import Airing, BulletinRecord, Outcome, PlayLog, Reason
from broadcast.report.reconcile import LineStatus, reconcile_days
from broadcast.report.replan import Timetable
from broadcast.scripts import load_folder
from tests.report.clusters_ward import (
    IP_ZONE,
    Receiver,
    add_cluster,
    registry,
    segment_airing,
    ward_time,
    write_ip_project,
)
from tests.report.ward import MONDAY, planned_scripts, record, write_project

CHO = "Tổ dân phố 3 (tdp-3) — Cụm loa chợ (cho)"
DINH = "Tổ dân phố 3 (tdp-3) — Cụm loa đình (dinh)"


@pytest.fixture
def ward(tmp_path):
    (tmp_path / "ward").mkdir()
    return write_ip_project(tmp_path / "ward")


def reconcile_json(paths, capsys, *days):
    span = ["--date", f"{days[0]:%d/%m/%Y}"]
    if len(days) > 1:
        span = ["--from", f"{days[0]:%d/%m/%Y}", "--to", f"{days[1]:%d/%m/%Y}"]
    assert main(["--home", str(paths.home), "reconcile", *span, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def ip_lines(result, script_id=None):
    return [
        line
        for line in result["lines"]
        if line["zone"] == IP_ZONE and (script_id is None or line["script_id"] == script_id)
    ]


def test_two_clusters_one_heard_one_missed_are_two_lines(ward, tmp_path, capsys):
    add_cluster(ward, "cho", ward_time(MONDAY - timedelta(days=3)))
    add_cluster(ward, "dinh", ward_time(MONDAY - timedelta(days=3)))
    item, (first, second) = planned_scripts(ward, MONDAY)
    assert IP_ZONE in first.zones  # the IP zone is planned like the wired ones
    cho, dinh = Receiver(tmp_path, "cho"), Receiver(tmp_path, "dinh")
    cho.play(segment_airing(item, first), Outcome.PLAYED, first.duration_seconds)
    dinh.play(segment_airing(item, first), Outcome.PARTIAL, 7.5, Reason.DEVICE_ERROR)
    cho.play(segment_airing(item, second), Outcome.PLAYED, second.duration_seconds)
    dinh.play(segment_airing(item, second), Outcome.MISSED, 0, Reason.DAEMON_DOWN)
    assert cho.upload(ward) == [1, 2] and dinh.upload(ward) == [1, 2]
    record(ward, item, first, "trung-tam", Outcome.PLAYED, first.duration_seconds)

    result = reconcile_json(ward, capsys, MONDAY)

    lines = ip_lines(result, first.script_id)
    assert [(line["cluster_id"], line["status"]) for line in lines] == [
        ("cho", "aired"),
        ("dinh", "not_aired"),
    ]
    heard, cut = lines
    assert heard["aired_seconds"] == pytest.approx(first.duration_seconds)
    assert cut["aired_seconds"] == pytest.approx(7.5) and cut["outcome"] == "partial"
    assert cut["reasons"] == ["phát dở: lỗi thiết bị âm thanh"]
    missed = ip_lines(result, second.script_id)[1]
    assert (missed["cluster_id"], missed["outcome"]) == ("dinh", "missed")
    assert missed["reasons"] == ["bỏ lỡ: chương trình phát không chạy"]
    wired = [line for line in result["lines"] if line["zone"] == "trung-tam"]
    assert {line["cluster_id"] for line in wired} == {None}
    # one line per cluster: a zone of two clusters is two places of the plan
    assert result["counts"]["aired"] == 3 and result["counts"]["not_aired"] == 2

    assert main(["--home", str(ward.home), "reconcile", "--date", f"{MONDAY:%d/%m/%Y}"]) == 0
    table = capsys.readouterr().out
    assert CHO in table and DINH in table
    cut_row = next(row for row in table.splitlines() if DINH in row and "phát dở" in row)
    assert "lỗi thiết bị âm thanh" in cut_row


def test_a_cluster_with_no_row_is_its_own_line_and_history_decides_who_is_expected(
    ward, tmp_path, capsys
):
    saturday, tuesday, wednesday = (MONDAY + timedelta(days=n) for n in (-2, 1, 2))
    add_cluster(ward, "cho", ward_time(MONDAY - timedelta(days=1)))
    add_cluster(ward, "dinh", ward_time(MONDAY - timedelta(days=1)))
    registry(ward).remove("dinh", now=ward_time(tuesday, 12))  # expected until then
    add_cluster(ward, "moi", ward_time(tuesday, 12))  # expected from then
    cho = Receiver(tmp_path, "cho")
    for day in (MONDAY, tuesday, wednesday):
        item, segments = planned_scripts(ward, day)
        for segment in segments:
            cho.play(segment_airing(item, segment), Outcome.PLAYED, segment.duration_seconds)
    cho.upload(ward)

    result = reconcile_json(ward, capsys, saturday, wednesday)

    def clusters_on(day):
        found = [line for line in ip_lines(result) if line["at"].startswith(day.isoformat())]
        return [(line["cluster_id"], line["status"]) for line in found]

    # Saturday: no cluster served the IP zone yet, one line says so
    (nobody,) = [line for line in ip_lines(result) if line["at"].startswith(str(saturday))][:1]
    assert nobody["cluster_id"] is None and nobody["status"] == "no_record"
    assert nobody["reasons"] == ["vùng loa IP không có cụm loa nào"]
    # Monday and Tuesday: cho aired, dinh sent nothing (removed only at Tuesday noon)
    for day in (MONDAY, tuesday):
        assert clusters_on(day) == [("cho", "aired"), ("dinh", "no_record")] * 2
    silent = next(line for line in ip_lines(result) if line["cluster_id"] == "dinh")
    assert silent["reasons"] == ["cụm loa IP dinh chưa gửi bản ghi (mất kết nối?)"]
    # Wednesday: dinh removed, moi (added Tuesday noon) expected and silent
    assert clusters_on(wednesday) == [("cho", "aired"), ("moi", "no_record")] * 2


def test_a_cluster_not_yet_due_is_upcoming(ward):
    add_cluster(ward, "cho", ward_time(MONDAY - timedelta(days=1)))
    planned_scripts(ward, MONDAY)  # the log made, nothing in it

    timetable = Timetable.read(ward, load_config(ward), load_folder(ward).scripts)
    with PlayLog.open_for_reading(ward) as log:
        result = reconcile_days(timetable, log, [MONDAY], now=ward_time(MONDAY, 5))
    (line, _) = [line for line in result.lines if line.zone == IP_ZONE]
    assert (line.cluster_id, line.status, line.reasons) == ("cho", LineStatus.UPCOMING, ())


def test_airtime_is_per_cluster_and_never_above_the_item(ward, tmp_path, capsys):
    add_cluster(ward, "cho", ward_time(MONDAY - timedelta(days=1)))
    add_cluster(ward, "dinh", ward_time(MONDAY - timedelta(days=1)))
    item, (first, _) = planned_scripts(ward, MONDAY)
    length = first.duration_seconds
    cho, dinh = Receiver(tmp_path, "cho"), Receiver(tmp_path, "dinh")
    airing = segment_airing(item, first)
    # cho: cut after 10 s by a bulletin, then the whole item again
    cho.play(airing, Outcome.PREEMPTED, 10, Reason.preempted_by("bao"))
    cho.play(airing, Outcome.RESUMED, length, delay=60)
    dinh.play(airing, Outcome.PLAYED, length)
    cho.upload(ward)
    dinh.upload(ward)

    lines = ip_lines(reconcile_json(ward, capsys, MONDAY), first.script_id)

    assert [line["cluster_id"] for line in lines] == ["cho", "dinh"]
    for line in lines:  # each its own item's length: not 2 × (summed), not 10 + length
        assert line["status"] == "aired"
        assert line["aired_seconds"] == pytest.approx(length)
    assert lines[0]["reasons"] == ["bị ngắt: nhường cho bản tin bao"]


def test_a_bulletin_to_three_clusters_heard_by_two_names_the_third(ward, tmp_path, capsys):
    for cluster in ("cho", "dinh", "truong"):
        add_cluster(ward, cluster, ward_time(MONDAY - timedelta(days=1)))
    sent = ward_time(MONDAY, 10)
    with PlayLog.open(ward) as log:
        log.record_bulletin(
            BulletinRecord("b-7", "emergency", sent, (IP_ZONE,), "Cảnh báo bão", text="Bão")
        )
    for cluster in ("cho", "truong"):
        box = Receiver(tmp_path, cluster)
        box.play(Airing(IP_ZONE, sent, "Cảnh báo bão", bulletin_id="b-7"), Outcome.PLAYED, 30)
        box.upload(ward)

    result = reconcile_json(ward, capsys, MONDAY)

    (line,) = [line for line in result["lines"] if line["status"] == "bulletin"]
    assert line["zones"] == [IP_ZONE] and line["aired_seconds"] == pytest.approx(30)
    assert line["reasons"] == [
        "Tổ dân phố 3 (tdp-3) — Cụm loa đình (dinh): cụm loa IP dinh chưa gửi bản ghi "
        "(mất kết nối?)"
    ]


def test_a_wired_ward_reads_as_before(tmp_path, capsys):
    paths = write_project(tmp_path)
    item, (first, _) = planned_scripts(paths, MONDAY)
    record(paths, item, first, "trung-tam", Outcome.PLAYED, first.duration_seconds)

    result = reconcile_json(paths, capsys, MONDAY)

    assert all("cluster_id" not in line for line in result["lines"])
    assert not (paths.data_dir / "clusters").exists()  # reading never makes the registry


def test_a_cluster_the_registry_does_not_have_there_still_gets_its_line(ward, tmp_path, capsys):
    add_cluster(ward, "cho", ward_time(MONDAY - timedelta(days=1)))
    item, (first, _) = planned_scripts(ward, MONDAY)
    for cluster in ("cho", "la"):  # "la": rows for this zone, never registered for it
        box = Receiver(tmp_path, cluster)
        box.play(segment_airing(item, first), Outcome.PLAYED, first.duration_seconds)
        box.upload(ward)

    lines = ip_lines(reconcile_json(ward, capsys, MONDAY), first.script_id)

    assert [(line["cluster_id"], line["status"]) for line in lines] == [
        ("cho", "aired"),
        ("la", "aired"),
    ]
