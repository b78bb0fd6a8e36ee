"""The period report tells exactly what aired (issue 12): each defect found, as a test.

Rows are written through the play log's API as the daemon writes them, into real SQLite; the
report is made with a fixed clock.
"""

import csv
import dataclasses
import io
import json
from datetime import date, datetime, timedelta

from openpyxl import load_workbook

from broadcast.clock import FakeClock
from broadcast.config import load_config
from broadcast.paths import ProjectPaths
from broadcast.playlog import Airing, Outcome, PlayLog, Reason
from broadcast.playlog.model import BulletinRecord
from broadcast.playlog.store import WARD_TIMEZONE as WARD
from broadcast.report import Labels, Timetable, parse_period, period_report, save_report
from broadcast.report.reconcile import NO_RECORD_REASON
from broadcast.report.render_text import render_markdown
from broadcast.scripts import load_folder
from tests.report.ward import planned_scripts, record

STREET = {"trung-tam": "Trung tâm", "to-1": "Tổ 1", "to-2": "Tổ 2", "to-3": "Tổ 3"}
LABELS = Labels(topics={"dvc": "Dịch vụ công trực tuyến"}, zones=STREET)
NOV = datetime(2023, 11, 6, 6, 0, tzinfo=WARD)  # a Monday
AFTER_NOV = FakeClock(datetime(2023, 12, 2, 9, 0, tzinfo=WARD))


def program_row(log, zone, at, seconds=120.0, outcome=Outcome.PLAYED, planned=120.0, **finish):
    """One zone's row of the morning slot's item, as the daemon logs it."""
    airing = Airing(
        zone=zone,
        scheduled_at=at,
        title="Nộp hồ sơ trực tuyến",
        script_id="dvc",
        topic="dvc",
        slot_id="sang",
        program="ban-tin-sang",
        planned_seconds=planned,
    )
    started = at + timedelta(seconds=finish.pop("delay", 0.0))
    attempt_id = log.start_attempt(airing, started)
    log.finish_attempt(
        attempt_id,
        outcome,
        ended_at=started + timedelta(seconds=seconds),
        aired_seconds=seconds,
        **finish,
    )


def november(log):
    return period_report(log, parse_period("2023-11"), LABELS, clock=AFTER_NOV)


def ward_report(paths, period, now):
    """The report as ``broadcast report`` makes it for the small ward, at ``now``."""
    config = load_config(paths)
    timetable = Timetable.read(paths, config, load_folder(paths).scripts)
    with PlayLog.open_for_reading(paths) as log:
        return period_report(
            log,
            parse_period(period),
            Labels.from_config(config),
            clock=FakeClock(now),
            timetable=timetable,
        )


def air_whole_day(paths, day):
    item, segments = planned_scripts(paths, day)
    for segment in segments:
        for zone in segment.zones:
            record(paths, item, segment, zone, Outcome.PLAYED, segment.duration_seconds)


# -- defect 2: the plan rate counted days that had not happened ------------------------------


def test_report_compares_only_days_that_have_ended_and_the_log_covers(project):
    air_whole_day(project, date(2023, 11, 1))  # the log begins on Wednesday 01/11
    document = ward_report(project, "2023-Q4", datetime(2023, 12, 5, 10, 0, tzinfo=WARD))
    summary = dict(document.summary)
    # 29 days Monday to Saturday from 01/11 to 04/12, 2 scripts on 2 zones each: not October
    # (before the log) nor 05/12 onwards (not ended)
    assert summary["Theo lịch phát: lượt tại vùng loa theo kế hoạch"] == 29 * 2 * 2
    assert summary["Theo lịch phát: lượt tại vùng loa đã phát ra loa"] == 4
    assert summary["Theo lịch phát: các ngày đã đối chiếu"] == "01/11/2023 – 04/12/2023 (34 ngày)"
    assert document.subtitle.endswith("(kỳ báo cáo chưa kết thúc)")
    assert any(note.startswith("Lưu ý: kỳ báo cáo chưa kết thúc") for note in document.notes)
    # what happened so far is still reported
    assert summary["Số lượt tại vùng loa đã phát trọn vẹn ra loa"] == 4


def test_a_report_of_a_period_not_begun_shows_no_rate_at_all(project):
    air_whole_day(project, date(2026, 3, 2))
    document = ward_report(project, "2027", datetime(2026, 6, 1, 8, 0, tzinfo=WARD))
    summary = dict(document.summary)
    assert summary["Theo lịch phát: tỷ lệ thực hiện (%)"] is None
    assert summary["Tỷ lệ thực hiện kế hoạch, theo lượt tại vùng loa (%)"] is None
    assert summary["Theo lịch phát: lượt tại vùng loa theo kế hoạch"] == 0
    assert summary["Theo lịch phát: các ngày đã đối chiếu"].startswith("không có")
    assert document.subtitle.endswith("(kỳ báo cáo chưa bắt đầu)")  # not "up to today"
    assert "| Theo lịch phát: tỷ lệ thực hiện (%) | – |" in render_markdown(document)


def test_planned_plays_the_log_never_recorded_are_listed(project):
    air_whole_day(project, date(2023, 11, 1))
    document = ward_report(project, "2023-11", datetime(2023, 12, 5, 10, 0, tzinfo=WARD))
    item, (first, _) = planned_scripts(project, date(2023, 11, 2))
    at = item.start + timedelta(seconds=first.offset_seconds)
    title = next(s.title for s in load_folder(project).scripts if s.id == first.script_id)
    unheard = document.table("unheard").rows
    row = ("02/11/2023", f"{at:%H:%M}", "Trung tâm (trung-tam)", title, "không có bản ghi")
    assert (*row, NO_RECORD_REASON) in unheard
    assert not any(row[0] == "01/11/2023" for row in unheard)  # that day aired whole


# -- defect 3: one emergency counted as several planned broadcasts --------------------------


def test_one_emergency_on_four_zones_is_one_announcement_outside_the_plan(tmp_path):
    zones = tuple(STREET)
    sent = NOV.replace(hour=8, minute=30)
    with PlayLog.open(ProjectPaths(tmp_path)) as log:
        program_row(log, "trung-tam", NOV)
        program_row(log, "to-1", NOV)
        bulletin = BulletinRecord(
            "khan-cap-20231106-083000-ab12",
            "emergency",
            sent,
            zones,
            "Cảnh báo bão số 5",
            sender="can-bo-truc",
            text="Bão số 5 đổ bộ chiều nay, bà con không ra đồng.",
        )
        log.record_bulletin(bulletin)
        for n, zone in enumerate(zones):  # stamped a millisecond apart, one row per zone
            airing = Airing(
                zone=zone,
                scheduled_at=sent + timedelta(milliseconds=n),
                title=bulletin.title,
                planned_seconds=45.0,
                bulletin_id=bulletin.id,
            )
            attempt_id = log.start_attempt(airing, airing.scheduled_at)
            failed = zone == "to-3"
            log.finish_attempt(
                attempt_id,
                Outcome.PARTIAL if failed else Outcome.PLAYED,
                ended_at=sent + timedelta(seconds=45),
                aired_seconds=12.0 if failed else 45.0,
                reason=Reason.DEVICE_ERROR if failed else None,
            )
        # an announcement from before they were recorded: no id, no record
        older = NOV.replace(hour=10, minute=15)
        for n, zone in enumerate(zones):
            airing = Airing(
                zone=zone,
                scheduled_at=older + timedelta(milliseconds=n),
                title="Lịch cắt điện",
                planned_seconds=30.0,
            )
            attempt_id = log.start_attempt(airing, airing.scheduled_at)
            end = older + timedelta(seconds=30)
            log.finish_attempt(attempt_id, Outcome.PLAYED, ended_at=end, aired_seconds=30.0)
        document = november(log)
    summary = dict(document.summary)
    assert summary["Số lượt phát theo kế hoạch"] == 1  # the program item alone
    assert summary["Số lượt tại vùng loa theo kế hoạch"] == 2
    assert summary["Số thông báo khẩn cấp, ưu tiên (ngoài kế hoạch)"] == 2
    assert [row[0] for row in document.table("scripts").rows] == ["dvc"]
    all_zones = "Trung tâm (trung-tam), Tổ 1 (to-1), Tổ 2 (to-2), Tổ 3 (to-3)"
    assert document.table("announcements").rows == (
        (
            "06/11/2023",
            "08:30",
            "khẩn cấp",
            "can-bo-truc",
            all_zones,
            45.0,
            "đã phát ra loa ở 3/4 vùng loa; Tổ 3 (to-3): phát dở: lỗi thiết bị âm thanh",
            "Bão số 5 đổ bộ chiều nay, bà con không ra đồng.",
        ),
        (
            "06/11/2023",
            "10:15",
            None,
            None,
            all_zones,
            30.0,
            "đã phát ra loa ở 4/4 vùng loa",
            "Lịch cắt điện",
        ),
    )


# -- defect 5: written to a file is not aired on the loudspeaker ----------------------------


def test_a_play_written_to_a_wav_file_is_never_counted_as_heard(tmp_path):
    wav = "/srv/loa/data/fallback/to-1/2023-11-06T06-00.wav"
    with PlayLog.open(ProjectPaths(tmp_path)) as log:
        program_row(log, "trung-tam", NOV, output="USB Audio (kênh 1)")
        program_row(log, "to-1", NOV, output=wav, to_file=True)
        document = november(log)
    summary = dict(document.summary)
    assert summary["Số lượt tại vùng loa đã phát trọn vẹn ra loa"] == 1
    assert summary["Số lượt tại vùng loa chỉ ghi ra tệp WAV, không phát ra loa"] == 1
    assert summary["Số lượt tại vùng loa không trọn vẹn"] == 0
    assert summary["Số lượt phát trọn vẹn ở mọi vùng loa"] == 0
    assert summary["Tổng thời lượng đã phát ra loa (phút)"] == 2.0  # the loudspeaker's only
    assert document.table("by_zone").rows == (
        ("Trung tâm (trung-tam)", 1, 1, 2.0, 100.0, 0),
        ("Tổ 1 (to-1)", 1, 0, 0.0, 0.0, 1),
    )
    assert document.table("not_aired").rows == (("ghi ra tệp WAV, không phát ra loa", None, 1),)
    (listed,) = document.table("unheard").rows
    assert listed[2:5] == (
        "Tổ 1 (to-1)",
        "Nộp hồ sơ trực tuyến",
        "ghi ra tệp WAV, không phát ra loa",
    )
    assert wav in listed[5]


# -- defect 6: a resumed item logged more airtime than it played ----------------------------


def test_a_resumed_item_counts_once_and_never_more_than_its_length(tmp_path):
    with PlayLog.open(ProjectPaths(tmp_path)) as log:
        cut = Reason.preempted_by("khan-cap-20231106-060110-0f3a")
        program_row(log, "trung-tam", NOV, 68.6, Outcome.PREEMPTED, 121.4, reason=cut)
        program_row(log, "trung-tam", NOV, 121.4, Outcome.RESUMED, 121.4, delay=95.0)
        document = november(log)
    summary = dict(document.summary)
    assert summary["Số lượt phát theo kế hoạch"] == 1
    assert summary["Số lượt tại vùng loa đã phát trọn vẹn ra loa"] == 1
    # 121.4 s, the item's length — never 68.6 + 121.4 s = 3:10
    assert summary["Tổng thời lượng đã phát ra loa (phút)"] == 2.0
    assert document.table("by_zone").rows == (("Trung tâm (trung-tam)", 1, 1, 2.0, 100.0, 0),)


# -- defect 7: "đã phát trọn vẹn" counted a broadcast complete if one zone got it -----------


def test_a_street_zone_amplifier_failure_lowers_the_headline(tmp_path):
    with PlayLog.open(ProjectPaths(tmp_path)) as log:
        for day in range(3):
            at = NOV + timedelta(days=day)
            for zone in STREET:
                if zone == "to-3":  # its amplifier died: a few seconds, then silence
                    program_row(log, zone, at, 4.0, Outcome.PARTIAL, reason=Reason.DEVICE_ERROR)
                else:
                    program_row(log, zone, at)
        document = november(log)
    summary = dict(document.summary)
    assert summary["Số lượt tại vùng loa theo kế hoạch"] == 12
    assert summary["Số lượt tại vùng loa đã phát trọn vẹn ra loa"] == 9
    assert summary["Tỷ lệ thực hiện kế hoạch, theo lượt tại vùng loa (%)"] == 75.0
    assert summary["Số lượt phát trọn vẹn ở mọi vùng loa"] == 0
    assert document.table("by_zone").rows[-1] == ("Tổ 3 (to-3)", 3, 0, 0.2, 0.0, 0)


# -- the record complete ------------------------------------------------------------------


QUARTER_UNHEARD = (
    (
        "12/01/2023",
        "06:00",
        "Tổ 2 (to-2)",
        "Bộ phận một cửa",
        "phát dở",
        "phát dở: lỗi thiết bị âm thanh",
    ),
    (
        "02/02/2023",
        "17:00",
        "Tổ 2 (to-2)",
        "Nộp hồ sơ trực tuyến",
        "bị ngắt",
        "bị ngắt: nhường cho bản tin khan-cap-bao",
    ),
    (
        "09/02/2023",
        "06:00",
        "Tổ 1 (to-1)",
        "Thủ tục đất đai",
        "bỏ lỡ",
        "bỏ lỡ: chương trình phát không chạy",
    ),
    (
        "09/02/2023",
        "06:00",
        "Tổ 2 (to-2)",
        "Thủ tục đất đai",
        "bỏ lỡ",
        "bỏ lỡ: chương trình phát không chạy",
    ),
    (
        "15/03/2023",
        "06:00",
        "Tổ 1 (to-1)",
        "Bộ phận một cửa",
        "lỗi",
        "lỗi: không tạo được giọng đọc",
    ),
)
APRIL = FakeClock(datetime(2023, 4, 5, 9, 30, tzinfo=WARD))


def written(document, fmt, folder):
    """The report as each format writes it, as text: rows of cells for csv and xlsx."""
    path = folder / f"bao-cao.{fmt}"
    save_report(document, fmt, path)
    if fmt == "xlsx":
        return [
            [cell for cell in row if cell is not None]
            for sheet in load_workbook(path).worksheets
            for row in sheet.iter_rows(values_only=True)
        ]
    if fmt == "csv":
        return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    return path.read_text(encoding="utf-8")


def test_missed_and_failed_plays_are_listed_in_every_format(quarter_log, tmp_path):
    document = period_report(quarter_log, parse_period("2023-Q1"), LABELS, clock=APRIL)
    assert document.table("unheard").rows == QUARTER_UNHEARD
    missed = QUARTER_UNHEARD[2]
    assert list(missed) in written(document, "csv", tmp_path)
    assert list(missed) in written(document, "xlsx", tmp_path)
    assert "| " + " | ".join(missed) + " |" in written(document, "md", tmp_path)
    html = written(document, "html", tmp_path)
    assert "<tr>" + "".join(f"<td>{cell}</td>" for cell in missed) + "</tr>" in html


def test_every_format_prints_the_chain_head(quarter_log, tmp_path):
    """The head, with the command that checks a log against it later, and the event count."""
    events, head = quarter_log.chain_head()
    document = period_report(quarter_log, parse_period("2023-Q1"), LABELS, clock=APRIL)
    anchor = f"Mã kiểm tra nhật ký (head): {head} (lúc 09:30 ngày 05/04/2023) — giữ cùng báo cáo"
    check = f"`broadcast logs --verify --expect {head}`"
    count = f"Nhật ký phát: {events} sự kiện; kiểm tra chuỗi: toàn vẹn."
    for line in (anchor, check, count):
        for fmt in ("md", "html"):
            assert line in written(document, fmt, tmp_path), fmt
        for fmt in ("csv", "xlsx"):
            rows = written(document, fmt, tmp_path)
            assert any(line in str(cell) for row in rows for cell in row), fmt
        assert line in json.dumps(dataclasses.asdict(document), ensure_ascii=False, default=str)
