"""What a board member sees from ``normalize``, ``check`` and ``say`` (issue 15)."""

from __future__ import annotations

import json

import docx
import pytest

from broadcast.cli import main
from broadcast.paths import ProjectPaths
from broadcast.scripts import encode_tcvn3

SCHEDULES = """\
topics:
  y-te: Y tế
  cchc: Cải cách hành chính
zones:
  - {id: tdp-1, name: Tổ dân phố 1, output: {device: 0, channels: [1]}}
  - {id: tdp-2, name: Tổ dân phố 2, output: {device: 0, channels: [2]}}
zone_groups:
  toan-phuong: all
tts:
  engines: [espeak]
"""
FRONT_MATTER_SCRIPT = """\
---
title: Lịch tiêm chủng
topic: y-te
zones: [tdp-1]
---
Ngày 15/12, trạm y tế tiêm vắc xin từ 7h30.
"""


@pytest.fixture
def project(tmp_path) -> ProjectPaths:
    paths = ProjectPaths(tmp_path / "phuong")
    (paths.scripts_dir / "2026-12").mkdir(parents=True)
    paths.schedules_file.write_text(SCHEDULES, encoding="utf-8")
    (paths.scripts_dir / "2026-12" / "tiem-chung.md").write_text(
        FRONT_MATTER_SCRIPT, encoding="utf-8"
    )
    return paths


def _run(capsys, project: ProjectPaths, *args: str) -> tuple[int, str, str]:
    code = main(["--home", str(project.home), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- normalize ------------------------------------------------------------------------------


def test_normalize_by_script_id_shows_what_is_spoken_and_never_the_front_matter(project, capsys):
    code, out, _ = _run(capsys, project, "normalize", "2026-12/tiem-chung")
    assert code == 0
    assert out == (
        "lịch tiêm chủng\n\nngày mười lăm tháng mười hai, trạm y tế tiêm vắc xin từ bảy giờ "
        "ba mươi.\n"
    )
    assert "topic" not in out and "tdp" not in out


def test_normalize_reads_a_word_file_and_a_tcvn3_notepad_file(project, tmp_path, capsys):
    document = docx.Document()
    document.add_paragraph("Thông báo họp tổ")
    document.add_paragraph("Họp lúc 19h00 tại nhà văn hóa.")
    word = tmp_path / "hop-to.docx"
    document.save(str(word))
    code, out, _ = _run(capsys, project, "normalize", str(word))
    assert (code, out) == (0, "thông báo họp tổ\n\nhọp lúc mười chín giờ tại nhà văn hóa.\n")
    legacy = tmp_path / "cu.txt"
    legacy.write_bytes(encode_tcvn3("Thông báo\n\nTiêm chủng ngày 3/12 cho trẻ em.\n"))
    code, out, _ = _run(capsys, project, "normalize", str(legacy))
    assert (code, out) == (0, "thông báo\n\ntiêm chủng ngày ba tháng mười hai cho trẻ em.\n")


def test_normalize_of_an_unknown_id_suggests_the_close_one(project, capsys):
    code, out, err = _run(capsys, project, "normalize", "2026-12/tiem-chun")
    assert (code, out) == (1, "")
    assert err == (
        "2026-12/tiem-chun: không có tệp này, cũng không có kịch bản nào mã như vậy trong "
        'scripts_vi/ (có phải "2026-12/tiem-chung"?)\n'
    )


def test_normalize_of_a_rejected_script_shows_why(project, capsys):
    (project.scripts_dir / "hong.md").write_text("---\ntitle: A\n\nB\n", encoding="utf-8")
    code, _, err = _run(capsys, project, "normalize", "hong")
    assert code == 1
    assert err.startswith("scripts_vi/hong.md:1: phần thông tin đầu tệp mở bằng '---'")


def test_normalize_never_reads_out_the_labelled_lines_of_a_notepad_file(project, capsys):
    (project.scripts_dir / "2026-12" / "hop-to.txt").write_text(
        "Tiêu đề: Họp tổ dân phố\nChủ đề: y-te\nKhu vực: tdp-1\n\nHọp lúc 19h.\n",
        encoding="utf-8",
    )
    code, out, _ = _run(capsys, project, "normalize", "2026-12/hop-to")
    assert (code, out) == (0, "họp tổ dân phố\n\nhọp lúc mười chín giờ.\n")


# -- check: zones, topics and priorities ----------------------------------------------------


def _write_script(project: ProjectPaths, header: str) -> None:
    (project.scripts_dir / "2026-12" / "tiem-chung.md").write_text(
        f"---\ntitle: Lịch tiêm chủng\n{header}---\nTiêm vắc xin sáng thứ bảy.\n",
        encoding="utf-8",
    )


def test_check_refuses_a_script_that_would_air_in_no_zone_and_lists_the_ids(project, capsys):
    _write_script(project, "zones: [to-1, xom-moi]\n")
    code, out, err = _run(capsys, project, "check")
    assert code == 1
    assert err == (
        "scripts_vi/2026-12/tiem-chung.md: không khu vực nào của bài có trong schedules.yaml "
        '("to-1" (có phải "tdp-1"?), "xom-moi"): bài sẽ không được phát ở đâu. Khu vực dùng '
        "được: tdp-1, tdp-2; nhóm: toan-phuong\n"
    )
    (row,) = [line for line in out.splitlines() if line.startswith("2026-12/tiem-chung")]
    assert row.endswith(" lỗi")


def test_check_suggests_the_topic_meant_and_lists_the_topics(project, capsys):
    _write_script(project, "topic: yte\n")
    code, _, err = _run(capsys, project, "check")
    assert code == 0
    assert err == (
        'scripts_vi/2026-12/tiem-chung.md: cảnh báo: chủ đề "yte" không có trong '
        "schedules.yaml; bài chỉ được chọn ở chương trình không lọc chủ đề. Có phải ý bạn là "
        '"y-te"? Các chủ đề: y-te (Y tế), cchc (Cải cách hành chính)\n'
    )


@pytest.mark.parametrize(
    ("written", "priority"),
    [("cao", "priority"), ("Ưu tiên", "priority"), ("bình thường", "normal"), ("thấp", "normal")],
)
def test_vietnamese_priority_words_are_accepted(project, capsys, written, priority):
    _write_script(project, f"priority: {written}\n")
    code, out, _ = _run(capsys, project, "check", "--json")
    assert code == 0
    (record,) = json.loads(out)["scripts"]
    assert record["priority"] == priority


def test_a_wrong_priority_names_the_accepted_words(project, capsys):
    _write_script(project, "priority: gấp\n")
    code, _, err = _run(capsys, project, "check")
    assert code == 1
    assert (
        'scripts_vi/2026-12/tiem-chung.md:3: mức ưu tiên "gấp" không hợp lệ; viết normal '
        "(thông thường, bình thường, thường, thấp) hoặc priority (ưu tiên, cao)\n"
    ) in err


# -- YAML mistakes, in front matter and schedules.yaml alike --------------------------------


def test_a_colon_in_a_front_matter_title_is_explained_at_its_line(project, capsys):
    (project.scripts_dir / "2026-12" / "tiem-chung.md").write_text(
        "---\ntitle: Thông báo: lịch tiêm chủng\n---\nNội dung.\n", encoding="utf-8"
    )
    code, _, err = _run(capsys, project, "check")
    assert code == 1
    assert (
        "scripts_vi/2026-12/tiem-chung.md:2:17: lỗi cú pháp YAML: tiêu đề có dấu hai chấm; hãy "
        'đặt tiêu đề trong dấu ngoặc kép: title: "Thông báo: lịch tiêm chủng"\n'
    ) in err


def test_a_missing_bracket_in_schedules_yaml_is_named_at_its_line(project, capsys):
    text = SCHEDULES.replace("channels: [2]}}", "channels: [2}}")
    project.schedules_file.write_text(text, encoding="utf-8")
    code, _, err = _run(capsys, project, "check")
    assert code == 1
    assert err.startswith(
        'schedules.yaml:6:71: lỗi cú pháp YAML: danh sách mở bằng "[" ở dòng này chưa có dấu "]"'
    )


def test_check_names_the_line_of_each_word_the_loudspeaker_cannot_read_well(project, capsys):
    (project.scripts_dir / "2026-12" / "hop.txt").write_text(
        "Họp trực tuyến của UBND P. Đông Vệ\n\nTổ XKLĐ dự webinar.\nCán bộ P. hành chính "
        "mở webinar, XKLĐ trả lời.\n",
        encoding="utf-8",
    )
    code, _, err = _run(capsys, project, "check")
    assert code == 0  # warnings: the words are still read, only not well
    assert err.splitlines() == [
        'scripts_vi/2026-12/hop.txt:3: cảnh báo: từ viết tắt "XKLĐ" chưa có trong từ điển: loa '
        "sẽ đánh vần từng chữ; thêm vào lexicon.yaml để đọc đúng",
        'scripts_vi/2026-12/hop.txt:3: cảnh báo: từ "webinar" không phải tiếng Việt và chưa có '
        "trong từ điển: loa đọc theo âm tiếng Việt; nghe thử bằng broadcast say, hoặc thêm cách "
        "đọc vào lexicon.yaml",
        'scripts_vi/2026-12/hop.txt:4: cảnh báo: "P." không rõ là phường hay phó: loa chỉ đọc '
        "tên chữ cái; hãy viết đầy đủ, hoặc viết hoa tên riêng đứng sau",
    ]
