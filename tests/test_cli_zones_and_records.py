"""What the technician's commands say about zones and about where sound really went: zones
by id or name, names shown, the ward's time format, rows written to a WAV file marked."""

import csv
import io
import json
import os
import unicodedata
import wave
from datetime import datetime, timedelta

import pytest

from broadcast.cli import main
from broadcast.daemon.alarms import Alarm, AlarmCode
from broadcast.daemon.status import (
    DaemonState,
    DaemonStatus,
    NextSegment,
    PlayingNow,
    ZoneStatus,
    write_status,
)
from broadcast.paths import ProjectPaths
from broadcast.playlog import Airing, Outcome, PlayLog
from broadcast.playlog.store import WARD_TIMEZONE

SCHEDULES = """\
timezone: Asia/Ho_Chi_Minh
zones:
  - {id: trung-tam, name: Trung tâm, output: {device: "USB Audio", channels: [1]}}
  - {id: tdp-1, name: Tổ dân phố 1, output: {device: "USB Audio", channels: [2]}}
  - {id: tdp-2, name: Tổ dân phố 2, output: {device: "USB Audio", channels: [3]}}
zone_groups:
  cac-to: [tdp-1, tdp-2]
tts:
  engines: [espeak]
  chime: none
"""
MORNING = datetime(2026, 3, 2, 6, 0, tzinfo=WARD_TIMEZONE)
WAV_OUT = "data/fallback/2026-03-02/0600-tdp-2.wav"


@pytest.fixture
def paths(tmp_path) -> ProjectPaths:
    paths = ProjectPaths(tmp_path)
    paths.schedules_file.write_text(SCHEDULES, encoding="utf-8")
    return paths


def _play(log: PlayLog, zone: str, minute: int, output: str, to_file: bool = False) -> None:
    at = MORNING + timedelta(minutes=minute)
    row = log.start_attempt(Airing(zone=zone, scheduled_at=at, title=f"Bản tin {zone}"), at)
    log.finish_attempt(
        row,
        Outcome.PLAYED,
        ended_at=at + timedelta(seconds=30),
        aired_seconds=30.0,
        output=output,
        to_file=to_file,
    )


@pytest.fixture
def logged(paths) -> ProjectPaths:
    """A morning on three zones and one zone since removed; tdp-2's device was missing, so its
    bulletin went to a WAV file."""
    with PlayLog.open(paths) as log:
        _play(log, "trung-tam", 0, "USB Audio, kênh 1")
        _play(log, "tdp-1", 1, "USB Audio, kênh 2")
        _play(log, "tdp-2", 2, WAV_OUT, to_file=True)
        _play(log, "tdp-cu", 3, "USB Audio, kênh 4")
    return paths


def _logs(capsys, paths, *argv):
    code = main(["--home", str(paths.home), "logs", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_logs_mark_rows_written_to_a_wav_file_instead_of_a_loudspeaker(logged, capsys):
    """Once, a bulletin the WAV fallback wrote read "đã phát" like one the loudspeakers
    played: the row now says it went to a file and where, in every form."""
    marked = "đã phát (ghi ra tệp WAV, không phát ra loa)"
    _, out, _ = _logs(capsys, logged)
    (to_file,) = [line for line in out.splitlines() if "Tổ dân phố 2" in line]
    assert marked in to_file and WAV_OUT in to_file
    (aired,) = [line for line in out.splitlines() if "Tổ dân phố 1" in line]
    assert "USB Audio, kênh 2" in aired and "tệp WAV" not in aired

    _, out, _ = _logs(capsys, logged, "--csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert [(r["Kết quả"], r["Đầu ra"]) for r in table if r["Vùng loa"] == "Tổ dân phố 2"] == [
        (marked, WAV_OUT)
    ]

    _, out, _ = _logs(capsys, logged, "--json")
    by_zone = {row["zone"]: row for row in json.loads(out)}
    assert (by_zone["tdp-2"]["output"], by_zone["tdp-2"]["to_file"]) == (WAV_OUT, True)
    assert by_zone["tdp-2"]["outcome"] == "played" and not by_zone["tdp-2"]["heard"]
    assert (by_zone["tdp-1"]["to_file"], by_zone["tdp-1"]["heard"]) == (False, True)


def test_logs_show_where_a_resumed_play_began_and_the_gaps_listeners_heard(paths, capsys):
    """The rest of an item after a bulletin says where it began; a play with underruns says
    how often the sound broke up; a clean play says neither. JSON carries the numbers."""
    with PlayLog.open(paths) as log:
        rest = Airing("tdp-1", MORNING, "Bản tin sáng", resumed_from_seconds=65.4)
        row = log.start_attempt(rest, MORNING + timedelta(minutes=2))
        log.finish_attempt(row, Outcome.RESUMED, ended_at=MORNING, aired_seconds=30, underruns=2)
        row = log.start_attempt(Airing("tdp-2", MORNING, "Bản tin sáng"), MORNING)
        log.finish_attempt(row, Outcome.PLAYED, ended_at=MORNING, aired_seconds=95, underruns=0)
    _, out, _ = _logs(capsys, paths)
    (resumed,) = [line for line in out.splitlines() if "Tổ dân phố 1" in line]
    assert "phát tiếp từ 1:05; ngắt quãng 2 lần" in resumed
    (clean,) = [line for line in out.splitlines() if "Tổ dân phố 2" in line]
    assert "phát tiếp từ" not in clean and "ngắt quãng" not in clean

    _, out, _ = _logs(capsys, paths, "--csv")
    notes = {row["Vùng loa"]: row["Ghi chú"] for row in csv.DictReader(io.StringIO(out))}
    assert notes == {"Tổ dân phố 1": "phát tiếp từ 1:05; ngắt quãng 2 lần", "Tổ dân phố 2": ""}

    _, out, _ = _logs(capsys, paths, "--json")
    by_zone = {row["zone"]: row for row in json.loads(out)}
    assert (by_zone["tdp-1"]["resumed_from_seconds"], by_zone["tdp-1"]["underruns"]) == (65.4, 2)
    assert (by_zone["tdp-2"]["resumed_from_seconds"], by_zone["tdp-2"]["underruns"]) == (None, 0)


@pytest.mark.parametrize(
    ("given", "zones"),
    [
        ("tdp-1", {"tdp-1"}),
        ("Tổ dân phố 1", {"tdp-1"}),
        (unicodedata.normalize("NFD", "tổ dân phố 1"), {"tdp-1"}),
        ("TDP-1", {"tdp-1"}),
        ("cac-to", {"tdp-1", "tdp-2"}),
        ("tdp-cu", {"tdp-cu"}),  # no longer configured, still in the log
    ],
)
def test_logs_zone_filter_takes_an_id_a_name_or_a_group(logged, capsys, given, zones):
    code, out, _ = _logs(capsys, logged, "--json", "--zone", given)
    assert code == 0
    assert {row["zone"] for row in json.loads(out)} == zones


def test_logs_unknown_zone_is_a_usage_error_with_the_closest_name(logged, capsys):
    code, out, err = _logs(capsys, logged, "--zone", "Tổ dân phố 9")
    assert (code, out) == (2, "")
    assert err == (
        'khu vực "Tổ dân phố 9" không có trong schedules.yaml (có phải "Tổ dân phố 2"?)\n'
    )


def _status(now: datetime) -> DaemonStatus:
    def zone(zone_id: str, name: str, channel: int, problem: str | None = None) -> ZoneStatus:
        return ZoneStatus(
            zone_id, name, "USB Audio", (channel,), "USB Audio", problem, False, not problem, False
        )

    return DaemonStatus(
        pid=os.getpid(),  # a daemon alive as this test runs
        home="/srv/loa",
        started_at=datetime(2026, 3, 2, 5, 58, 30, tzinfo=WARD_TIMEZONE),
        heartbeat_at=now,
        state=DaemonState.RUNNING,
        sink="card",
        scripts=3,
        input_problems=(),
        playing=(PlayingNow("sang-0600", "Bản tin sáng", ("tdp-1", "tdp-2")),),
        busy_zones=("tdp-1", "tdp-2"),
        next={
            "trung-tam": (
                NextSegment(datetime(2026, 3, 2, 17, 0, tzinfo=WARD_TIMEZONE), "Chiều", "Tin", 40),
            )
        },
        devices=(
            zone("trung-tam", "Trung tâm", 1),
            zone("tdp-1", "Tổ dân phố 1", 2),
            zone("tdp-2", "Tổ dân phố 2", 3, "không thấy thiết bị"),
        ),
        alarms=(
            Alarm(
                datetime(2026, 3, 2, 6, 1, 5, tzinfo=WARD_TIMEZONE),
                AlarmCode.DEVICE_MISSING,
                "khu vực tdp-2: không thấy thiết bị",
                "tdp-2",
                since=datetime(2026, 3, 2, 5, 59, 1, tzinfo=WARD_TIMEZONE),
            ),
        ),
        recent_errors=(),
    )


def test_status_shows_times_as_the_ward_writes_them_and_zones_by_name(paths, capsys):
    now = datetime.now(WARD_TIMEZONE)
    write_status(paths, _status(now))
    assert main(["--home", str(paths.home), "status"]) == 1  # an alarm is on
    out = capsys.readouterr().out
    assert f"(nhịp tim lúc {now:%d/%m %H:%M}, " in out
    assert "Khởi động lúc: 02/03 05:58" in out
    assert "Đang phát: Bản tin sáng trên Tổ dân phố 1, Tổ dân phố 2" in out
    assert "Trung tâm  02/03 17:00  Chiều" in out
    assert "Chương trình phát: ĐANG CHẠY" in out
    assert "  từ 02/03 05:59  khu vực tdp-2: không thấy thiết bị" in out
    (device,) = [line for line in out.splitlines() if line.startswith("tdp-2 ")]
    assert "Tổ dân phố 2" in device  # the technician sees the id beside the name
    assert "2026-03-02T" not in out and now.isoformat(timespec="seconds") not in out

    main(["--home", str(paths.home), "status", "--json"])
    shown = json.loads(capsys.readouterr().out)
    assert shown["started_at"] == "2026-03-02T05:58:30+07:00"  # machines keep ISO


@pytest.mark.parametrize("given", ["Tổ dân phố 1", "TDP-1"])
def test_test_zone_takes_a_zone_by_name(paths, tmp_path, capsys, given):
    out = tmp_path / "wav"
    assert main(["--home", str(paths.home), "test-zone", given, "--sink", f"file:{out}"]) == 0
    assert 'Đã phát thử khu vực "tdp-1" (Tổ dân phố 1)' in capsys.readouterr().out
    (written,) = out.iterdir()
    with wave.open(str(written)) as wav:
        assert wav.getnframes() > 48000  # the tone, then the name spoken


def test_test_zone_explains_a_group_and_an_unknown_name(paths, capsys):
    assert main(["--home", str(paths.home), "test-zone", "cac-to"]) == 1
    assert capsys.readouterr().err == (
        'Lỗi: "cac-to" là nhóm khu vực; hãy phát thử từng khu vực trong nhóm: tdp-1, tdp-2\n'
    )
    assert main(["--home", str(paths.home), "test-zone", "Trung tam"]) == 1
    assert capsys.readouterr().err == (
        'Lỗi: không có khu vực "Trung tam" trong schedules.yaml (có phải "Trung tâm"?)\n'
    )
