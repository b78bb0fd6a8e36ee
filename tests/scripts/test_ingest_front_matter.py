"""Front matter of .md scripts: every field, every kind of mistake, with the line it is on."""

from datetime import date

import pytest

from broadcast.diagnostics import InputError, Severity
from broadcast.scripts import Priority, read_script


def md(front: str, body: str = "Tiêu đề\n\nNội dung bản tin.\n") -> str:
    return f"---\n{front}---\n{body}"


def problems(project, text: str, name: str = "2023-02/dvc.md") -> list[str]:
    with pytest.raises(InputError) as caught:
        read_script(project.write(name, text), project.paths)
    return [str(d) for d in caught.value.diagnostics]


def test_all_fields_are_read(project):
    front = (
        "title: Hướng dẫn nộp hồ sơ trực tuyến\n"
        "topic: dvc-truc-tuyen\n"
        "valid_from: 01/11/2026\n"
        "valid_until: 2026-12-31\n"
        "priority: ưu tiên\n"
        "zones: [toan-phuong, tdp-3]\n"
        "times_per_week: 3\n"
        "voice: vi-nu-mien-bac\n"
        "speed: 0.9\n"
        "author: Ban biên tập\n"
    )
    script = read_script(project.write("a.md", md(front)), project.paths)
    assert script.title == "Hướng dẫn nộp hồ sơ trực tuyến"
    assert script.body == "Tiêu đề\n\nNội dung bản tin."  # the first line is body now
    assert (script.valid_from, script.valid_until) == (date(2026, 11, 1), date(2026, 12, 31))
    assert script.priority is Priority.PRIORITY
    assert script.zones == ("toan-phuong", "tdp-3")
    assert (script.times_per_week, script.voice, script.speed) == (3, "vi-nu-mien-bac", 0.9)
    assert (script.topic, script.author) == ("dvc-truc-tuyen", "Ban biên tập")
    assert script.warnings == ()


def test_defaults_without_front_matter(project):
    script = read_script(
        project.write("a.md", "# Tiêu đề bản tin\n\n**Kính thưa** bà con!\n"), project.paths
    )
    assert script.title == "Tiêu đề bản tin"  # markdown heading marks are not read aloud
    assert script.body == "Kính thưa bà con!"
    assert (script.priority, script.zones, script.valid_from) == (Priority.NORMAL, None, None)


def test_title_repeated_as_first_line_is_not_read_twice(project):
    text = md("title: Thông báo lịch tiêm chủng\n", "# Thông báo lịch tiêm chủng\n\nNội dung.\n")
    script = read_script(project.write("a.md", text), project.paths)
    assert (script.title, script.body) == ("Thông báo lịch tiêm chủng", "Nội dung.")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ưu tiên", Priority.PRIORITY),
        ("Priority", Priority.PRIORITY),
        ("thông thường", Priority.NORMAL),
        ("normal", Priority.NORMAL),
    ],
)
def test_priority_names_in_english_and_vietnamese(project, value, expected):
    script = read_script(project.write("a.md", md(f"priority: {value}\n")), project.paths)
    assert script.priority is expected


@pytest.mark.parametrize("value", ["emergency", "Khẩn cấp", "khan cap"])
def test_an_emergency_script_is_read_with_a_note_that_it_needs_approval(project, value):
    """An emergency airs in quiet hours and first in every slot: a file may ask for it, and
    the note at its line says only an approved text airs so (``check`` and the daemon refuse
    it where approval is off: tests/config/test_emergency_scripts.py)."""
    script = read_script(
        project.write("a.md", md(f"title: Tin\npriority: {value}\n")), project.paths
    )
    assert script.priority is Priority.EMERGENCY
    assert [(d.code, d.line, d.severity) for d in script.warnings] == [
        ("emergency_in_script", 3, Severity.WARNING)
    ]
    assert "chỉ phát khi Trưởng ban biên tập đã duyệt" in script.warnings[0].message


def test_single_zone_is_a_one_element_list(project):
    script = read_script(project.write("a.md", md("zones: tdp-2\n")), project.paths)
    assert script.zones == ("tdp-2",)


def test_impossible_date_names_file_and_line(project):
    text = md("title: Dịch vụ công\ntopic: dvc\nvalid_until: 31/02/2023\n")
    assert problems(project, text) == [
        'scripts_vi/2023-02/dvc.md:4: ngày valid_until "31/02/2023" không tồn tại'
    ]


def test_impossible_iso_date_names_the_field(project):
    assert problems(project, md("valid_from: 2026-02-30\n")) == [
        'scripts_vi/2023-02/dvc.md:2: ngày valid_from "2026-02-30" không tồn tại'
    ]


def test_each_kind_of_field_error_on_its_own_line(project):
    front = (
        "title: ''\n"  # line 2
        "valid_from: hôm nay\n"  # 3
        "priority: gấp\n"  # 4
        "zones: []\n"  # 5
        "times_per_week: 0\n"  # 6
        "speed: 3\n"  # 7
        "voice: [a, b]\n"  # 8
    )
    found = problems(project, md(front))
    assert [line.split(":")[1] for line in found] == ["2", "3", "4", "5", "6", "7", "8"]
    assert "title không được để trống" in found[0]
    assert "31/12/2026" in found[1]  # shows how to write a date
    assert 'mức ưu tiên "gấp" không hợp lệ' in found[2]
    assert "ít nhất một vùng" in found[3]
    assert "times_per_week phải từ 1 trở lên" in found[4]
    assert "0.5 đến 2.0" in found[5]
    assert "voice phải là một đoạn chữ" in found[6]


def test_validity_in_wrong_order(project):
    found = problems(project, md("valid_from: 01/12/2026\nvalid_until: 30/11/2026\n"))
    assert found == [
        "scripts_vi/2023-02/dvc.md:3: valid_until (30/11/2026) đứng trước valid_from (01/12/2026)"
    ]


def test_unknown_key_is_a_warning_with_a_suggestion(project):
    script = read_script(project.write("a.md", md("valid_untill: 31/12/2026\n")), project.paths)
    (warning,) = script.warnings
    assert warning.severity is Severity.WARNING
    assert str(warning) == (
        'scripts_vi/a.md:2: cảnh báo: khóa "valid_untill" không được biết tới, sẽ bị bỏ qua '
        '(có phải "valid_until"?)'
    )
    assert script.valid_until is None


def test_unterminated_front_matter(project):
    assert problems(project, "---\ntitle: A\n\nNội dung\n") == [
        "scripts_vi/2023-02/dvc.md:1: phần thông tin đầu tệp mở bằng '---' ở dòng 1 "
        "nhưng không có dòng '---' đóng lại"
    ]


def test_yaml_syntax_error_has_line_and_column_of_the_md_file(project):
    (found,) = problems(project, md("title: A\nzones: [tdp-1\n"))
    assert found.startswith("scripts_vi/2023-02/dvc.md:3:14: lỗi cú pháp YAML")


def test_front_matter_that_is_not_a_mapping(project):
    (found,) = problems(project, md("- a\n- b\n"))
    assert found.startswith("scripts_vi/2023-02/dvc.md:2: phần thông tin phải là")


def test_every_error_is_reported_not_just_the_first(project):
    found = problems(project, md("valid_from: 32/01/2026\nspeed: fast\nvalid_untill: x\n"))
    assert len([f for f in found if "cảnh báo" not in f]) == 2
    assert any("valid_until" in f for f in found)
