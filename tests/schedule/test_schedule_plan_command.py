"""`broadcast plan` end to end on a small project folder: real files, real loaders."""

import json
import textwrap
import unicodedata
from pathlib import Path

import pytest

from broadcast.cli import main

SCHEDULES = """
timezone: Asia/Ho_Chi_Minh
topics: {cchc: Cải cách hành chính, thong-bao: Thông báo}
zones:
  - {id: trung-tam, name: Trung tâm, output: {device: "USB Audio", channels: [1]}}
  - {id: tdp-1, name: Tổ dân phố 1, output: {device: "USB Audio", channels: [2]}}
zone_groups:
  toan-phuong: all
programs:
  - id: sang
    name: Bản tin sáng
    segments:
      - chime
      - scripts: {max_count: 3, max_minutes: 10}
slots:
  - {id: sang, name: Bản tin sáng, times: ["06:00"], weekdays: [T2-T7], program: sang,
     zones: [toan-phuong], max_minutes: 15, skip_holidays: true}
quiet_hours: {from: "21:30", until: "05:00"}
"""

SCRIPTS = {
    "2026-04/dich-vu-cong.md": """
        ---
        title: Hướng dẫn nộp hồ sơ trực tuyến
        topic: cchc
        ---
        Bà con có thể nộp hồ sơ tại nhà qua Cổng dịch vụ công quốc gia.
    """,
    "2026-04/tiem-chung.md": """
        ---
        title: Lịch tiêm chủng tổ dân phố 1
        topic: thong-bao
        priority: priority
        zones: [tdp-1]
        valid_until: 2026-04-29
        ---
        Trạm Y tế phường thông báo lịch tiêm chủng.
    """,
}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "schedules.yaml").write_text(SCHEDULES, encoding="utf-8")
    for name, text in SCRIPTS.items():
        path = tmp_path / "scripts_vi" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return tmp_path


def test_prints_each_day_with_what_plays_where_and_skipped_holidays(home, capsys):
    code = main(["--home", str(home), "plan", "--from", "28/04/2026", "--days", "3"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("LỊCH PHÁT T3 28/04/2026 – T5 30/04/2026\n")
    assert "Giờ       Khung giờ     Khu vực       Nội dung" in out
    tuesday = out.split("\nT3 28/04/2026\n")[1].split("\nT4 29/04/2026\n")[0]
    assert "06:00:00  Bản tin sáng  toan-phuong   Nhạc hiệu" in tuesday
    assert "Tổ dân phố 1  Lịch tiêm chủng tổ dân phố 1" in tuesday  # a zone by its name
    assert "toan-phuong   Hướng dẫn nộp hồ sơ trực tuyến" in tuesday  # a group has only its id
    thursday = out.split("\nT5 30/04/2026\n")[1]
    assert "Không có buổi phát nào." in thursday
    assert "Không phát 06:00 Bản tin sáng: nghỉ lễ: Ngày Chiến thắng" in thursday


def test_json_and_zone_filter(home, capsys):
    code = main(
        ["--home", str(home), "plan", "--from", "2026-04-28", "--zone", "trung-tam", "--json"]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    (item,) = data["items"]
    assert item["start"] == "2026-04-28T06:00:00+07:00"
    assert item["zones"] == ["trung-tam"]
    assert [s["script_id"] for s in item["segments"]] == [None, "2026-04/dich-vu-cong"]
    assert all(s["zones"] == ["trung-tam"] for s in item["segments"])


def test_invalid_schedules_exit_1_with_file_and_line(home, capsys):
    (home / "schedules.yaml").write_text(SCHEDULES.replace('"06:00"', '"25:00"'), encoding="utf-8")
    code = main(["--home", str(home), "plan"])
    err = capsys.readouterr().err
    assert code == 1
    assert 'schedules.yaml:16:44: giờ "25:00" không hợp lệ' in err


def test_unknown_zone_is_a_usage_error_with_the_closest_id_or_name(home, capsys):
    assert main(["--home", str(home), "plan", "--zone", "tdp-9"]) == 2
    err = capsys.readouterr().err
    assert err == 'khu vực "tdp-9" không có trong schedules.yaml (có phải "tdp-1"?)\n'
    assert main(["--home", str(home), "plan", "--zone", "Tổ dân phố 9"]) == 2
    assert '(có phải "Tổ dân phố 1"?)' in capsys.readouterr().err


@pytest.mark.parametrize("given", ["tdp-1", "Tổ dân phố 1", "tổ dân phố 1", "TDP-1"])
def test_zone_filter_accepts_a_zone_by_id_or_name(home, capsys, given):
    decomposed = unicodedata.normalize("NFD", given)  # as some keyboards and documents give it
    argv = ["--home", str(home), "plan", "--from", "2026-04-28", "--zone", decomposed, "--json"]
    assert main(argv) == 0
    (item,) = json.loads(capsys.readouterr().out)["items"]
    assert item["zones"] == ["tdp-1"]


def test_plan_prints_a_campaign_shortfall_of_a_week_that_began_before_the_first_day_shown(
    home, capsys
):
    """Once, a shortfall dated to the Monday of a week begun before ``--from`` was in --json
    only: the text grouped warnings by day and that Monday was never shown."""
    campaign = "---\ntitle: Phòng chống sốt xuất huyết\ntimes_per_week: 20\n---\nDiệt lăng quăng.\n"
    (home / "scripts_vi" / "2026-04" / "sot-xuat-huyet.md").write_text(campaign, "utf-8")
    argv = ["--home", str(home), "plan", "--from", "29/04/2026", "--days", "2"]  # a Wednesday
    assert main([*argv, "--json"]) == 0
    warnings = [w["message"] for w in json.loads(capsys.readouterr().out)["warnings"]]
    assert any("27/04–03/05/2026" in message for message in warnings)
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert all(message in out for message in warnings)


def test_a_named_script_that_does_not_exist_is_an_input_error(home, capsys):
    text = SCHEDULES.replace("      - chime\n", "      - chime\n      - script: 2026-04/khong-co\n")
    (home / "schedules.yaml").write_text(text, encoding="utf-8")
    code = main(["--home", str(home), "plan", "--from", "28/04/2026"])
    captured = capsys.readouterr()
    assert code == 1
    assert (
        'schedules.yaml:14: chương trình "sang": không có bài "2026-04/khong-co" trong scripts_vi/'
        in captured.err
    )
    assert "Hướng dẫn nộp hồ sơ trực tuyến" in captured.out  # the rest of the plan still shows


def test_a_script_no_engine_could_render_is_not_planned_and_check_says_why(home, capsys):
    from broadcast.audio.manifest import AudioManifest
    from broadcast.paths import ProjectPaths

    paths = ProjectPaths(home)
    why = "espeak: không đọc được văn bản"
    AudioManifest(paths.audio_cache_dir, {}, {"2026-04/dich-vu-cong": why}).save()
    main(["--home", str(home), "plan", "--from", "2026-04-28", "--json"])
    (item,) = json.loads(capsys.readouterr().out)["items"]
    assert [s["script_id"] for s in item["segments"]] == [None, "2026-04/tiem-chung"]
    main(["--home", str(home), "check"])
    err = capsys.readouterr().err
    assert (
        "scripts_vi/2026-04/dich-vu-cong.md: cảnh báo: lần tạo âm thanh gần nhất không thành "
        f"công (chưa được lên lịch): {why}"
    ) in err


def test_a_rejected_script_file_is_counted_once_and_the_others_still_plan(home, capsys):
    (home / "scripts_vi" / "2026-04" / "hong.md").write_text("---\ntitle: [\n---\nx\n", "utf-8")
    code = main(["--home", str(home), "plan", "--from", "28/04/2026"])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.count("bị loại") == 1
    assert "1 tệp kịch bản bị loại vì lỗi; chạy `broadcast check` để xem chi tiết." in captured.err
    assert "Hướng dẫn nộp hồ sơ trực tuyến" in captured.out
