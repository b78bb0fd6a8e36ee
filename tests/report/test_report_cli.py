"""``broadcast logs`` and ``broadcast report`` end to end, on the fixture quarter."""

import csv
import io
import json
import sqlite3
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from broadcast.cli import main
from broadcast.playlog import database_path


def run(home, *argv):
    return main(["--home", str(home.home), *argv])


def test_logs_table_speaks_vietnamese(quarter_home, capsys):
    assert run(quarter_home, "logs") == 0
    out = capsys.readouterr().out
    for heading in ("Thời gian", "Khung giờ", "Vùng loa", "Bản tin", "Chủ đề", "Kết quả", "Lý do"):
        assert heading in out.splitlines()[0]
    for label in ("đã phát", "phát dở", "bị ngắt", "phát tiếp", "bỏ lỡ", "lỗi", "đang phát"):
        assert label in out
    assert "nhường cho bản tin khan-cap-bao" in out


def test_logs_filters_by_day_zone_topic_and_outcome(quarter_home, capsys):
    assert (
        run(quarter_home, "logs", "--json", "--since", "01/02/2023", "--until", "2023-02-09") == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == [6, 7, 8, 9, 10]  # --until includes 09/02
    run(quarter_home, "logs", "--json", "--zone", "to-2", "--outcome", "bỏ lỡ")
    (missed,) = json.loads(capsys.readouterr().out)
    assert (missed["zone"], missed["outcome"], missed["reason"]) == (
        "to-2",
        "missed",
        "daemon_down",
    )
    run(quarter_home, "logs", "--csv", "--topic", "mot-cua", "--outcome", "failed")
    header, row = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert header[1] == "Thời gian" and row[1] == "15/03/2023 06:00"
    assert row[-1] == "không kết nối được máy chủ gTTS"


def test_logs_rejects_a_bad_date_as_a_usage_error(quarter_home, capsys):
    with pytest.raises(SystemExit) as exited:
        run(quarter_home, "logs", "--since", "31/02/2023")
    assert exited.value.code == 2
    assert "31/03/2023" in capsys.readouterr().err


def test_logs_verify_passes_then_names_the_edited_row(quarter_home, capsys):
    assert run(quarter_home, "logs", "--verify") == 0
    assert "toàn vẹn" in capsys.readouterr().out
    conn = sqlite3.connect(database_path(quarter_home))
    conn.execute("UPDATE attempts SET aired_seconds = 120 WHERE id = 5")
    conn.commit()
    conn.close()
    assert run(quarter_home, "logs", "--verify") == 1
    assert "bản ghi #5 đã bị sửa" in capsys.readouterr().err
    assert run(quarter_home, "logs", "--verify", "--json") == 1
    result = json.loads(capsys.readouterr().out)
    assert result["problem"]["attempt_id"] == 5 and not result["ok"]


def test_report_writes_the_xlsx_named_after_the_period(quarter_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(quarter_home, "report", "--period", "2023-Q1") == 0
    book = load_workbook(tmp_path / "bao-cao-2023-Q1.xlsx")
    assert book.active["A1"].value.endswith("— Quý I năm 2023")
    assert [len(sheet._charts) for sheet in book.worksheets].count(1) == 1


def test_report_uses_topic_names_from_the_configuration(quarter_home, capsys):
    (quarter_home.home / "schedules.yaml").write_text(
        "topics:\n  dvc: Dịch vụ công trực tuyến\n  mot-cua: Cơ chế một cửa\n", encoding="utf-8"
    )
    assert run(quarter_home, "report", "--period", "2023-H1", "--format", "md", "--out", "-") == 0
    captured = capsys.readouterr()
    assert "— 6 tháng đầu năm 2023" in captured.out
    assert "| Dịch vụ công trực tuyến | 3 | 2 | 6,0 | 66,7 |" in captured.out


def test_report_json_and_usage_errors(quarter_home, capsys):
    assert run(quarter_home, "report", "--period", "2023-03", "--json") == 0
    document = json.loads(capsys.readouterr().out)
    assert document["title"].endswith("Tháng 3 năm 2023")
    keys = [t["key"] for t in document["tables"]]
    assert keys == [
        "by_topic",
        "by_zone",
        "by_month",
        "scripts",
        "not_aired",
        "unheard",
        "announcements",
    ]
    with pytest.raises(SystemExit) as exited:
        run(quarter_home, "report", "--period", "2023-Q5")
    assert exited.value.code == 2
    assert run(quarter_home, "report", "--period", "2023", "--out", "-") == 2


def test_commands_on_a_project_without_a_log(tmp_path, capsys):
    home = ["--home", str(tmp_path)]
    assert main([*home, "logs"]) == 0
    assert "Chưa có nhật ký phát" in capsys.readouterr().err
    assert main([*home, "report", "--period", "2023"]) == 1
    assert not (tmp_path / "data").exists()  # reading never creates the database


def test_the_installed_command_runs_end_to_end(quarter_home, tmp_path):
    out = tmp_path / "q1.html"
    home = ["--home", str(quarter_home.home)]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "broadcast",
            *home,
            "report",
            "--period",
            "2023-Q1",
            "--format",
            "html",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "Quý I năm 2023" in done.stdout and "<svg" in out.read_text(encoding="utf-8")


def test_without_the_configuration_names_are_ids_and_both_commands_say_why(quarter_home, capsys):
    assert run(quarter_home, "logs") == 0  # the fixture project has no schedules.yaml
    captured = capsys.readouterr()
    assert "cảnh báo: không đọc được cấu hình, khu vực và chủ đề hiện bằng mã:" in captured.err
    assert "schedules.yaml" in captured.err.splitlines()[1]
    assert "to-1" in captured.out
    assert run(quarter_home, "report", "--period", "2023-Q1", "--format", "md", "--out", "-") == 0
    captured = capsys.readouterr()
    assert "cảnh báo: không đọc được cấu hình, chủ đề hiện bằng mã:" in captured.err
    assert "| dvc | 2 | 1 |" in captured.out  # the topic id stands for its name


def test_report_takes_the_period_as_documents_write_it_and_csv_for_vietnamese_excel(
    quarter_home, tmp_path, capsys
):
    out = tmp_path / "quy-1.csv"
    argv = ["report", "--period", "Quý I/2023", "--format", "csv", "--out", str(out)]
    assert run(quarter_home, *argv, "--csv-locale", "vi") == 0
    assert "Đã lập báo cáo Quý I năm 2023" in capsys.readouterr().out
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert ["to-1", "6", "4", "6,0", "66,7", "0"] in rows
    with pytest.raises(SystemExit):
        run(quarter_home, "report", "--period", "quý 5/2023")
    assert "6 tháng đầu năm 2026" in capsys.readouterr().err
