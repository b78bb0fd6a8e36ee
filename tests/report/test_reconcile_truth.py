"""``broadcast reconcile`` tells exactly what aired (issue 12): each defect found, as a test."""

import json
from datetime import datetime, timedelta

from broadcast.audio.manifest import MANIFEST_NAME
from broadcast.cli import main
from broadcast.clock import FakeClock
from broadcast.config import load_config
from broadcast.playlog import Airing, Outcome, PlayLog, Reason
from broadcast.playlog.history import plan_days
from broadcast.playlog.model import BulletinRecord
from broadcast.playlog.store import WARD_TIMEZONE as WARD
from broadcast.report import Labels, Timetable, parse_period, period_report
from broadcast.scripts import load_folder
from tests.report.ward import MONDAY, planned_scripts, record

TUESDAY = MONDAY + timedelta(days=1)


def reconcile(paths, capsys, *dates):
    argv = ["--home", str(paths.home), "reconcile", *dates]
    assert main([*argv, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert main(argv) == 0
    return result, capsys.readouterr().out


def on_air(paths, day):
    """Moments of ``day`` in the ward's time."""
    return datetime.combine(day, datetime.min.time(), WARD)


# -- defect 5: written to a file is not aired on the loudspeaker ----------------------------


def test_reconcile_marks_a_play_written_to_a_wav_file(project, capsys):
    item, (first, _) = planned_scripts(project, MONDAY)
    seconds = first.duration_seconds
    record(project, item, first, "trung-tam", Outcome.PLAYED, seconds, output="USB Audio (1)")
    wav = "data/fallback/tdp-1.wav"
    record(project, item, first, "tdp-1", Outcome.PLAYED, seconds, output=wav, to_file=True)
    result, text = reconcile(project, capsys, "--date", "06/03/2023")
    lines = {(line["script_id"], line["zone"]): line for line in result["lines"]}
    on_file = lines[(first.script_id, "tdp-1")]
    assert on_file["status"] == "to_file" and on_file["aired_seconds"] == 0.0
    assert on_file["reasons"] == [f"ghi ra tệp WAV, không phát ra loa: {wav}"]
    assert lines[(first.script_id, "trung-tam")]["status"] == "aired"
    assert (result["counts"]["aired"], result["counts"]["to_file"]) == (1, 1)
    assert "ghi ra tệp WAV, không phát ra loa: 1" in text


# -- defect 6: a resumed item logged more airtime than it played ----------------------------


def test_reconcile_counts_a_resumed_item_once_and_never_more_than_its_length(project, capsys):
    item, (first, _) = planned_scripts(project, MONDAY)
    length = first.duration_seconds
    cut = Reason.preempted_by("khan-cap-20230306-060010-0f3a")
    record(project, item, first, "trung-tam", Outcome.PREEMPTED, 0.56 * length, cut)
    record(project, item, first, "trung-tam", Outcome.RESUMED, length)  # played again whole
    result, _ = reconcile(project, capsys, "--date", "06/03/2023")
    (line,) = [
        line
        for line in result["lines"]
        if (line["script_id"], line["zone"]) == (first.script_id, "trung-tam")
    ]
    assert line["status"] == "aired"
    assert line["aired_seconds"] == length  # not 1.56 times its length
    assert len(line["attempt_ids"]) == 2


# -- the record complete ------------------------------------------------------------------


def test_reconcile_over_a_date_range(project, capsys):
    for day in (MONDAY, TUESDAY):
        item, segments = planned_scripts(project, day)
        for segment in segments:
            for zone in segment.zones:
                record(project, item, segment, zone, Outcome.PLAYED, segment.duration_seconds)
    result, text = reconcile(project, capsys, "--from", "06/03/2023", "--to", "2023-03-08")
    assert (result["from"], result["to"]) == ("2023-03-06", "2023-03-08")
    by_day = {}
    for line in result["lines"]:
        by_day.setdefault(line["at"][:10], []).append(line["status"])
    assert by_day == {
        "2023-03-06": ["aired"] * 4,
        "2023-03-07": ["aired"] * 4,
        "2023-03-08": ["no_record"] * 4,
    }
    assert "ĐỐI CHIẾU KẾ HOẠCH VÀ NHẬT KÝ PHÁT — T2 06/03/2023 – T4 08/03/2023" in text
    for heading in ("\nT2 06/03/2023\n", "\nT3 07/03/2023\n", "\nT4 08/03/2023\n"):
        assert heading in text
    assert "đã phát: 8" in text and "không có bản ghi: 4" in text


def test_reconcile_rejects_a_range_that_ends_before_it_begins(project, capsys):
    PlayLog.open(project).close()
    home = ["--home", str(project.home), "reconcile"]
    assert main([*home, "--from", "08/03/2023", "--to", "06/03/2023"]) == 2
    assert "--to phải từ ngày --from trở đi" in capsys.readouterr().err
    assert main([*home, "--date", "08/03/2023", "--to", "09/03/2023"]) == 2


def test_reconcile_shows_zone_names_and_an_announcement_as_one_line(project, capsys):
    at = on_air(project, MONDAY).replace(hour=9)
    zones = ("trung-tam", "tdp-1")
    with PlayLog.open(project) as log:
        bulletin = BulletinRecord("khan-cap-1", "emergency", at, zones, "Cảnh báo bão", "can-bo")
        log.record_bulletin(bulletin)
        for n, zone in enumerate(zones):
            airing = Airing(
                zone=zone,
                scheduled_at=at + timedelta(milliseconds=n),
                title=bulletin.title,
                bulletin_id=bulletin.id,
            )
            attempt_id = log.start_attempt(airing, airing.scheduled_at)
            end = at + timedelta(seconds=40)
            log.finish_attempt(attempt_id, Outcome.PLAYED, ended_at=end, aired_seconds=40.0)
    result, text = reconcile(project, capsys, "--date", "06/03/2023")
    (line,) = [line for line in result["lines"] if line["status"] == "bulletin"]
    assert (line["title"], line["zones"], line["aired_seconds"]) == (
        "[KHẨN CẤP] Cảnh báo bão",
        ["trung-tam", "tdp-1"],
        40.0,
    )
    assert result["counts"]["bulletin"] == 1 and result["counts"]["unplanned"] == 0
    assert "Trung tâm (trung-tam), Tổ dân phố 1 (tdp-1)" in text
    assert "Tổ dân phố 1 (tdp-1)" in text.split("thông báo khẩn cấp, ưu tiên")[0]


# -- exact where the log can be: recorded plans, recorded arrivals --------------------------


def test_reconcile_uses_the_plan_recorded_when_the_airing_started(project, capsys):
    item, segments = planned_scripts(project, MONDAY)
    with PlayLog.open(project) as log:
        log.record_aired_plan(item, item.start)
    for segment in segments:
        for zone in segment.zones:
            record(project, item, segment, zone, Outcome.PLAYED, segment.duration_seconds)
    # the script that aired first is taken out of the folder afterwards: a plan made again
    # today would give its place to another script
    gone = segments[0].script_id
    (project.home / "scripts_vi" / f"{gone}.md").unlink()
    result, _ = reconcile(project, capsys, "--date", "06/03/2023")
    assert {line["status"] for line in result["lines"]} == {"aired"}
    assert {line["script_id"] for line in result["lines"]} == {s.script_id for s in segments}
    assert (result["recorded_items"], result["replanned_items"]) == (1, 0)
    assert main(["--home", str(project.home), "reconcile", "--date", "06/03/2023"]) == 0
    assert "lập lại" not in capsys.readouterr().err  # nothing was planned again


def test_replanning_uses_the_recorded_arrival_of_scripts(project, capsys):
    scripts = load_folder(project).scripts
    late = next(s for s in scripts if s.id.endswith("mot-cua"))
    early = [s for s in scripts if s is not late]
    config = load_config(project)
    sunday = on_air(project, MONDAY) - timedelta(hours=4)
    with PlayLog.open(project) as log:
        log.note_scripts_seen({s.id: sunday for s in early})
        log.note_scripts_seen({late.id: on_air(project, TUESDAY).replace(hour=12)})
        (item,) = plan_days(config, early, MONDAY, log).items
        log.record_aired_plan(item, item.start)
    for segment in (s for s in item.segments if s.script_id):
        for zone in segment.zones:
            record(project, item, segment, zone, Outcome.PLAYED, segment.duration_seconds)
    # Tuesday 06:00: the daemon was down and logged nothing; the late script came at noon
    result, _ = reconcile(project, capsys, "--date", "07/03/2023")
    planned = {line["script_id"] for line in result["lines"] if line["status"] == "no_record"}
    assert planned == {s.id for s in early}
    assert late.id not in {line["script_id"] for line in result["lines"]}


# -- one way to plan: report, reconcile and plan with the airable scripts and rendered lengths


def write_manifest(paths, seconds, failed):
    """The audio cache's manifest: one script rendered (``seconds`` long), others that no
    engine could render and that have no earlier audio."""
    rendered, *_ = [s.id for s in load_folder(paths).scripts if s.id not in failed]
    entry = {
        "file": "x.wav",
        "key": "k",
        "engine": "espeak",
        "voice": "vi",
        "duration_seconds": seconds,
        "loudness_lufs": -16.0,
        "true_peak_dbtp": -1.5,
        "rendered_at": "2023-03-01T08:00:00+07:00",
        "fell_back": False,
        "audio_hash": "0" * 64,
        "frames": int(seconds * 48000),
    }
    paths.audio_cache_dir.mkdir(parents=True, exist_ok=True)
    manifest = {"version": 1, "scripts": {rendered: entry}, "failures": dict.fromkeys(failed, "…")}
    (paths.audio_cache_dir / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    return rendered


def test_report_and_reconcile_plan_as_plan_does(project, capsys):
    scripts = load_folder(project).scripts
    failed = [s.id for s in scripts if not s.id.endswith("vi-sao-cchc")]
    rendered = write_manifest(project, 300.0, failed)
    PlayLog.open(project).close()
    home = ["--home", str(project.home)]
    assert main([*home, "plan", "--from", "06/03/2023", "--json"]) == 0
    (item,) = json.loads(capsys.readouterr().out)["items"]
    planned = [(s["script_id"], s["duration_seconds"]) for s in item["segments"] if s["script_id"]]
    assert planned == [(rendered, 300.0)]
    result, _ = reconcile(project, capsys, "--date", "06/03/2023")
    lines = [(line["script_id"], line["planned_seconds"]) for line in result["lines"]]
    assert lines == [(rendered, 300.0)] * 2  # both zones; never a script that cannot air
    # the report's comparison plans the same way: one line per zone on each day compared
    config = load_config(project)
    timetable = Timetable.read(project, config, scripts)
    assert timetable.durations[rendered] == 300.0
    with PlayLog.open(project) as log:
        (monday,) = plan_days(config, timetable.scripts, MONDAY, log).items
        log.record_missed(
            Airing("trung-tam", monday.start, "x", rendered, slot_id="sang"), Reason.DAEMON_DOWN
        )
        clock = FakeClock(datetime(2023, 3, 8, 12, 0, tzinfo=WARD))
        document = period_report(
            log, parse_period("2023-03"), Labels(), clock=clock, timetable=timetable
        )
    assert dict(document.summary)["Theo lịch phát: lượt tại vùng loa theo kế hoạch"] == 2 * 2
