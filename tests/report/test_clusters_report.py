"""The period report of a ward with an IP zone of several clusters: each cluster counted as
its own place (its zone's tally "1 of 2 heard it"), listed by name, airtime never summed."""

import json
from datetime import timedelta

import openpyxl
import pytest

from broadcast.cli import main
from broadcast.config import load_config
from broadcast.playlog import Airing, BulletinRecord, Outcome, PlayLog, Reason
from broadcast.report.document import CLUSTERS_NOTE
from broadcast.report.labels import Labels
from broadcast.report.narrative import report_narrative
from broadcast.report.period import parse_period
from broadcast.report.replan import Timetable
from broadcast.scripts import load_folder
from tests.report.clusters_ward import (
    IP_ZONE,
    Receiver,
    add_cluster,
    segment_airing,
    ward_time,
    write_ip_project,
)
from tests.report.test_report_docx import WARD_SETTINGS
from tests.report.ward import MONDAY, planned_scripts, record, write_project

CHO = "Tổ dân phố 3 (tdp-3) — Cụm loa chợ (cho)"
DINH = "Tổ dân phố 3 (tdp-3) — Cụm loa đình (dinh)"
TRUONG = "Tổ dân phố 3 (tdp-3) — Cụm loa trường (truong)"


@pytest.fixture
def ward(tmp_path):
    (tmp_path / "ward").mkdir()
    paths = write_ip_project(tmp_path / "ward")
    for cluster in ("cho", "dinh"):
        add_cluster(paths, cluster, ward_time(MONDAY - timedelta(days=1)))
    return paths


def report(paths, capsys, fmt=None):
    shown = ["--format", fmt, "--out", "-"] if fmt else ["--json"]
    assert main(["--home", str(paths.home), "report", "--period", "2023-03", *shown]) == 0
    out = capsys.readouterr().out
    return out if fmt else json.loads(out)


def table(document, key):
    return next(t for t in document["tables"] if t["key"] == key)


def rows_named(found, name):
    return [row for row in found["rows"] if row[0] == name]


def one_heard_one_missed(ward, tmp_path):
    item, (first, _) = planned_scripts(ward, MONDAY)
    Receiver(tmp_path, "cho").play(
        segment_airing(item, first), Outcome.PLAYED, first.duration_seconds
    )
    Receiver(tmp_path, "dinh").play(segment_airing(item, first), Outcome.MISSED, 0, "daemon_down")
    for cluster in ("cho", "dinh"):
        Receiver(tmp_path, cluster).upload(ward)
    record(ward, item, first, "trung-tam", Outcome.PLAYED, first.duration_seconds)
    return item, first


def test_the_zone_counts_one_of_two_clusters_and_lists_each(ward, tmp_path, capsys):
    _, first = one_heard_one_missed(ward, tmp_path)

    document = report(ward, capsys)

    (zone_row,) = rows_named(table(document, "by_zone"), "Tổ dân phố 3 (tdp-3)")
    planned, aired, minutes, share, to_file = zone_row[1:]
    assert (planned, aired, share, to_file) == (2, 1, 50.0, 0)
    assert minutes == round(first.duration_seconds / 60, 1)  # the zone's, not cho's + dinh's
    clusters = table(document, "by_cluster")
    assert clusters["title"].endswith("Theo cụm loa IP (lượt tại từng cụm loa)")
    assert [row[:3] for row in clusters["rows"]] == [[CHO, 1, 1], [DINH, 1, 0]]
    # the broadcast (the item at that time, every place) was not aired everywhere
    summary = dict(document["summary"])
    assert summary["Số lượt phát theo kế hoạch"] == 1
    assert summary["Số lượt phát trọn vẹn ở mọi vùng loa"] == 0
    unheard = table(document, "unheard")["rows"]
    missed = next(row for row in unheard if row[2] == DINH and row[4] == "bỏ lỡ")
    assert missed[5] == "bỏ lỡ: chương trình phát không chạy"
    # a planned line no cluster logged is in the same list, by cluster
    silent = [row for row in unheard if row[2] == CHO and row[4] == "không có bản ghi"]
    assert silent and silent[0][5] == "cụm loa IP cho chưa gửi bản ghi (mất kết nối?)"
    assert CLUSTERS_NOTE in document["notes"]


def test_the_report_text_gives_each_cluster_its_count(ward, tmp_path):
    one_heard_one_missed(ward, tmp_path)
    timetable = Timetable.read(ward, load_config(ward), load_folder(ward).scripts)
    now = ward_time(MONDAY + timedelta(days=60))

    with PlayLog.open_for_reading(ward) as log:
        story = report_narrative(
            log,
            parse_period("2023-03"),
            timetable.labels,
            WARD_SETTINGS,
            now=now,
            clusters=timetable.clusters,
        )

    by_zone = next(p for p in story.paragraphs if p.startswith("Theo vùng loa"))
    assert "Tổ dân phố 3: 1/2 lượt (50,0%), 0,3 phút" in by_zone
    assert "(theo cụm loa IP: Cụm loa chợ 1/1, Cụm loa đình 0/1)" in by_zone


@pytest.mark.parametrize("fmt", ["md", "html", "csv"])
def test_every_format_shows_the_clusters(ward, tmp_path, capsys, fmt):
    one_heard_one_missed(ward, tmp_path)

    out = report(ward, capsys, fmt)

    assert "Theo cụm loa IP" in out
    assert CHO in out and DINH in out


def test_the_workbook_has_a_sheet_of_clusters(ward, tmp_path, capsys):
    one_heard_one_missed(ward, tmp_path)
    out = tmp_path / "bao-cao.xlsx"
    assert main(["--home", str(ward.home), "report", "--period", "2023-03", "--out", str(out)]) == 0
    capsys.readouterr()

    sheet = openpyxl.load_workbook(out)["Theo cụm loa IP"]

    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert CHO in values and DINH in values


def test_airtime_per_cluster_is_its_own_never_summed(ward, tmp_path, capsys):
    item, (first, _) = planned_scripts(ward, MONDAY)
    length = first.duration_seconds
    airing = segment_airing(item, first)
    cho, dinh = Receiver(tmp_path, "cho"), Receiver(tmp_path, "dinh")
    cho.play(airing, Outcome.PREEMPTED, 10, Reason.preempted_by("bao"))
    cho.play(airing, Outcome.RESUMED, length, delay=60)
    dinh.play(airing, Outcome.PLAYED, length)
    cho.upload(ward)
    dinh.upload(ward)

    document = report(ward, capsys)

    minutes = round(length / 60, 1)
    assert [row[3] for row in table(document, "by_cluster")["rows"]] == [minutes, minutes]
    (zone_row,) = rows_named(table(document, "by_zone"), "Tổ dân phố 3 (tdp-3)")
    assert zone_row[1:4] == [2, 2, minutes]
    assert dict(document["summary"])["Tổng thời lượng đã phát ra loa (phút)"] == minutes


def test_a_bulletin_heard_by_two_of_three_clusters_names_the_third(ward, tmp_path, capsys):
    add_cluster(ward, "truong", ward_time(MONDAY - timedelta(days=1)))
    sent = ward_time(MONDAY, 10)
    with PlayLog.open(ward) as log:
        record_ = BulletinRecord("b-7", "emergency", sent, (IP_ZONE,), "Cảnh báo bão", text="Bão")
        log.record_bulletin(record_)
    for cluster, seconds in (("cho", 30), ("truong", 28)):
        box = Receiver(tmp_path, cluster)
        box.play(Airing(IP_ZONE, sent, "Cảnh báo bão", bulletin_id="b-7"), Outcome.PLAYED, seconds)
        box.upload(ward)

    document = report(ward, capsys)

    (row,) = table(document, "announcements")["rows"]
    assert row[5] == 30.0  # the longest at one place, not 58
    assert row[6] == (
        "đã phát ra loa ở 2/3 nơi phát (vùng loa, cụm loa IP); "
        f"{DINH}: cụm loa IP dinh chưa gửi bản ghi (mất kết nối?)"
    )


def test_a_place_is_named_zone_then_cluster():
    labels = Labels(zones={"tdp-3": "Tổ dân phố 3"}, clusters={("tdp-3", "cho"): "Cụm loa chợ"})
    assert labels.place("tdp-3", "cho") == CHO
    assert labels.place("tdp-3", "la") == "Tổ dân phố 3 (tdp-3) — la"
    assert labels.place("tdp-3", None) == "Tổ dân phố 3 (tdp-3)"


def test_a_wired_ward_has_no_cluster_table(tmp_path, capsys):
    paths = write_project(tmp_path)
    item, (first, _) = planned_scripts(paths, MONDAY)
    record(paths, item, first, "trung-tam", Outcome.PLAYED, first.duration_seconds)

    document = report(paths, capsys)

    assert "by_cluster" not in {found["key"] for found in document["tables"]}
    assert CLUSTERS_NOTE not in document["notes"]
