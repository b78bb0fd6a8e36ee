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
        "scripts_vi/2026-12/tiem-chung.md:3: không khu vực nào của bài có trong schedules.yaml "
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
        'scripts_vi/2026-12/tiem-chung.md:3: cảnh báo: chủ đề "yte" không có trong '
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


# -- places: the file's line (a Word file's paragraph), never the spoken text's -------------


def test_explain_numbers_the_lines_of_the_file(project, capsys):
    (project.scripts_dir / "2026-12" / "hop-to.txt").write_text(
        "Chủ đề: y-te\n\nHọp tổ 3\nHọp lúc 19h ngày 5/12.\n", encoding="utf-8"
    )
    code, out, _ = _run(capsys, project, "normalize", "--json", "2026-12/hop-to")
    assert code == 0
    found = [(row["line"], row["original"]) for row in json.loads(out)]
    assert found == [(3, "3"), (4, "19h"), (4, "5/12")]  # spoken, they are lines 1, 3, 3


def test_explain_names_the_paragraphs_of_a_word_file(project, tmp_path, capsys):
    document = docx.Document()
    for paragraph in ["Họp tổ 3", "Kính thưa bà con,\nmời bà con đến họp.", "", "Lúc 19h."]:
        document.add_paragraph(paragraph)
    word = tmp_path / "hop-to.docx"
    document.save(str(word))
    code, out, _ = _run(capsys, project, "normalize", "--explain", str(word))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["Đoạn", "Gốc"]
    assert [line.split()[:2] for line in lines[2:]] == [["1", "3"], ["4", "19h"]]


def test_zone_and_topic_warnings_carry_the_place_they_are_written(project, capsys):
    (project.scripts_dir / "2026-12" / "tiem-chung.md").unlink()
    (project.scripts_dir / "2026-12" / "hop.txt").write_text(
        "Tiêu đề: Họp tổ\nChủ đề: yte\nKhu vực: tdp-1, to-9\n\nNội dung.\n", encoding="utf-8"
    )
    document = docx.Document()
    for paragraph in ["", "Chủ đề: cchc", "Khu vực: tdp-2, xom-moi", "Tin", "Nội dung."]:
        document.add_paragraph(paragraph)
    document.save(str(project.scripts_dir / "2026-12" / "tin.docx"))
    (project.scripts_dir / "2026-12" / "loa.txt").write_text("Tin\n\nNội dung.\n", "utf-8")
    (project.scripts_dir / "2026-12" / "loa.yaml").write_text(
        "title: Tin loa\ntopic: y-tee\n", encoding="utf-8"
    )
    _, _, err = _run(capsys, project, "check")
    placed = [line.split(" không có")[0] for line in err.splitlines() if "không có trong" in line]
    assert placed == [
        'scripts_vi/2026-12/hop.txt:3: cảnh báo: khu vực "to-9"',
        'scripts_vi/2026-12/hop.txt:2: cảnh báo: chủ đề "yte"',
        'scripts_vi/2026-12/loa.txt: cảnh báo: tệp loa.yaml, dòng 2: chủ đề "y-tee"',
        'scripts_vi/2026-12/tin.docx: cảnh báo: đoạn 3: khu vực "xom-moi"',
    ]


def test_a_zone_from_a_word_header_table_is_named_by_the_table(project, capsys):
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Khu vực", "xom-moi"
    document.add_paragraph("Tin")
    document.add_paragraph("Nội dung.")
    document.save(str(project.scripts_dir / "2026-12" / "tin.docx"))
    code, _, err = _run(capsys, project, "check")
    assert code == 1
    assert (
        "scripts_vi/2026-12/tin.docx: bảng đầu văn bản Word: không khu vực nào của bài có trong "
        "schedules.yaml"
    ) in err


# -- what is left out, said to the board ----------------------------------------------------

NOTICE = (
    "Tiếp công dân\n\nUBND phường tiếp công dân sáng thứ Năm./.\n\n"
    "Nơi nhận:\n- Như trên;\n- Lưu: VT.\n\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nNguyễn Văn An\n"
)
LEFT_OUT = (
    "dòng 5–11: phần cuối văn bản (nơi nhận, chữ ký) không đọc lên loa; bản tin kết thúc ở "
    '"UBND phường tiếp công dân sáng thứ Năm./."'
)


def test_check_and_normalize_say_the_closing_block_was_left_out(project, capsys):
    (project.scripts_dir / "2026-12" / "tiep-dan.txt").write_text(NOTICE, encoding="utf-8")
    code, out, _ = _run(capsys, project, "check")
    assert code == 0
    assert f"\nPhần không đọc lên loa:\n  2026-12/tiep-dan\n    {LEFT_OUT}\n" in out
    _, out, _ = _run(capsys, project, "check", "--json")
    records = {record["id"]: record for record in json.loads(out)["scripts"]}
    assert records["2026-12/tiep-dan"]["left_out"] == [LEFT_OUT]
    assert records["2026-12/tiem-chung"]["left_out"] == []
    code, out, err = _run(capsys, project, "normalize", "2026-12/tiep-dan")
    assert (code, err) == (0, f"scripts_vi/2026-12/tiep-dan.txt: ghi chú: {LEFT_OUT}\n")
    assert out.endswith("sáng thứ năm.\n") and "như trên" not in out and "chủ tịch" not in out
