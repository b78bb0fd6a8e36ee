"""The arguments of ``broadcast announce``: every problem named at once, in Vietnamese."""

import unicodedata
from pathlib import Path

import pytest

from broadcast.config import Config
from broadcast.config.model import Zone, ZoneOutput
from broadcast.control import (
    MAX_ANNOUNCE_CHARACTERS,
    Announcement,
    parse_announcement,
)
from broadcast.diagnostics import InputError
from broadcast.scripts import Priority

CONFIG = Config(
    source="schedules.yaml",
    zones=tuple(Zone(f"to-{n}", f"Tổ dân phố {n}", ZoneOutput(f"loa-{n}", (1,))) for n in (1, 2)),
    zone_groups={"toan-phuong": ("to-1", "to-2")},
)


def _problems(args, **options) -> dict[str, str]:
    """code → "file: message" of every diagnostic ``parse_announcement`` raises."""
    with pytest.raises(InputError) as refused:
        parse_announcement(args, **options)
    return {d.code: str(d) for d in refused.value.diagnostics}


def test_text_is_cleaned_to_nfc_and_defaults_to_priority():
    decomposed = unicodedata.normalize("NFD", "Khẩn: nước sạch bị cắt tại tổ 2")
    announcement = parse_announcement({"text": f"  {decomposed}\u200b\x07\r\n", "zones": ["to-2"]})
    assert announcement.text == "Khẩn: nước sạch bị cắt tại tổ 2"
    assert unicodedata.is_normalized("NFC", announcement.text)
    assert announcement.priority is Priority.PRIORITY
    assert announcement.zones == ("to-2",)
    assert announcement.file is None


def test_text_up_to_the_limit_is_accepted_one_more_character_is_not():
    text = "ơ" * MAX_ANNOUNCE_CHARACTERS
    assert parse_announcement({"text": text, "zones": ["to-1"]}).text == text

    problems = _problems({"text": text + "a", "zones": ["to-1"]})
    assert problems.keys() == {"text_too_long"}
    assert problems["text_too_long"].startswith("announce --text: ")
    assert "5001" in problems["text_too_long"] and "5000" in problems["text_too_long"]


@pytest.mark.parametrize("text", ["", "   \n\t ", "\u200b\u200b", 42, None, ["a"]])
def test_empty_or_non_text_content_is_refused(text):
    problems = _problems({"text": text, "zones": ["to-1"]})
    assert problems.keys() <= {"empty_text", "wrong_type"} and problems


@pytest.mark.parametrize(
    "args", [{"zones": ["to-1"]}, {"text": "a", "file": "/x.txt", "zones": ["to-1"]}]
)
def test_exactly_one_of_text_or_file(args):
    assert "text_or_file" in _problems(args)


@pytest.mark.parametrize("zones", [[], None, "to-1", {"to-1": True}])
def test_zones_must_be_a_non_empty_list(zones):
    args = {"text": "Họp tổ dân phố", "zones": zones}
    problems = _problems(args)
    assert problems.keys() == {"no_zones"}
    assert problems["no_zones"].startswith("announce --zones: ")


def test_each_bad_zone_is_named_and_repeats_are_dropped():
    problems = _problems({"text": "x", "zones": ["to-1", "", 7, None]})
    assert problems.keys() == {"bad_zone"}

    decomposed = unicodedata.normalize("NFD", "tổ-1")
    announcement = parse_announcement({"text": "x", "zones": [decomposed, "tổ-1", " to-2 "]})
    assert announcement.zones == ("tổ-1", "to-2")


def test_unknown_zones_are_refused_with_a_suggestion_when_the_zones_are_known():
    problems = _problems({"text": "x", "zones": ["toan-phong", "to-2"]}, config=CONFIG)
    assert problems.keys() == {"unknown_zone"}
    message = problems["unknown_zone"]
    assert '"toan-phong"' in message and 'có phải "toan-phuong"' in message
    assert parse_announcement({"text": "x", "zones": ["to-2"]}, config=CONFIG).zones == ("to-2",)


def test_zones_given_by_name_in_any_case_or_unicode_form_become_their_ids():
    decomposed = unicodedata.normalize("NFD", "tổ dân phố 2")
    given = [decomposed, "Tổ dân phố 1", "TO-2", "Toan-Phuong"]
    announcement = parse_announcement({"text": "x", "zones": given}, config=CONFIG)
    assert announcement.zones == ("to-2", "to-1", "toan-phuong")


def test_an_unknown_zone_name_is_refused_with_the_closest_name():
    problems = _problems({"text": "x", "zones": ["Tổ dân phố 9"]}, config=CONFIG)
    assert problems == {
        "unknown_zone": 'announce --zones: khu vực "Tổ dân phố 9" không có trong '
        'schedules.yaml (có phải "Tổ dân phố 2"?)'
    }


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("priority", Priority.PRIORITY),
        ("emergency", Priority.EMERGENCY),
        (" Emergency ", Priority.EMERGENCY),
    ],
)
def test_priority_values(given, expected):
    assert (
        parse_announcement({"text": "x", "zones": ["to-1"], "priority": given}).priority is expected
    )


@pytest.mark.parametrize("priority", ["normal", "urgent", "khẩn cấp", 2, True, ""])
def test_other_priorities_are_refused(priority):
    problems = _problems({"text": "x", "zones": ["to-1"], "priority": priority})
    assert problems.keys() == {"bad_priority"}
    assert "emergency" in problems["bad_priority"]


def test_every_problem_is_reported_at_once():
    problems = _problems({"zones": [], "priority": "normal", "zone": ["to-1"]})
    assert problems.keys() == {"unknown_argument", "text_or_file", "no_zones", "bad_priority"}
    assert 'có phải "zones"' in problems["unknown_argument"]


@pytest.mark.parametrize("name", ["tin.txt", "tin.md", "tin.DOCX", "tin.wav", "tin.mp3"])
def test_accepted_files_become_absolute_paths(tmp_path, name):
    (tmp_path / name).write_bytes(b"x")
    announcement = parse_announcement({"file": name, "zones": ["to-1"]}, base_dir=tmp_path)
    assert announcement.file == tmp_path / name
    assert announcement.file.is_absolute()


def test_a_relative_path_needs_the_callers_folder(tmp_path):
    (tmp_path / "tin.txt").write_text("x")
    assert "relative_path" in _problems({"file": "tin.txt", "zones": ["to-1"]})


@pytest.mark.parametrize(
    ("name", "setup", "code"),
    [
        ("tin.pdf", lambda path: path.write_bytes(b"%PDF"), "unsupported_file"),
        ("tin", lambda path: path.write_bytes(b"x"), "unsupported_file"),
        ("tin.txt", lambda path: None, "missing_file"),
        ("tin.txt", lambda path: path.mkdir(), "not_a_file"),
    ],
    ids=["pdf", "no-suffix", "missing", "folder"],
)
def test_unusable_files_are_named(tmp_path, name, setup, code):
    path = tmp_path / name
    setup(path)
    problems = _problems({"file": str(path), "zones": ["to-1"]})
    assert problems.keys() == {code}
    assert problems[code].startswith(f"{path}: ")


@pytest.mark.parametrize("file", ["", "   ", 5, None, ["/a.txt"], "/tmp/a\x00b.txt"])
def test_nonsense_file_arguments_are_refused_without_crashing(file):
    problems = _problems({"file": file, "zones": ["to-1"]})
    assert problems.keys() <= {"wrong_type", "unreadable_file", "missing_file"} and problems


def test_to_args_is_what_the_daemon_accepts_back(tmp_path):
    (tmp_path / "tin.docx").write_bytes(b"PK")
    for args in (
        {"text": "Phường tổ chức tiêm chủng", "zones": ["to-1", "to-2"], "priority": "emergency"},
        {"file": "tin.docx", "zones": ["toan-phuong"]},
    ):
        sent = parse_announcement(args, base_dir=tmp_path)
        assert isinstance(sent, Announcement)
        # The daemon validates again without a base folder: the path must already be absolute.
        assert parse_announcement(sent.to_args(), config=CONFIG) == sent


def test_a_file_announcement_keeps_a_path_with_vietnamese_letters(tmp_path):
    folder = tmp_path / "thông báo"
    folder.mkdir()
    (folder / "mất điện.txt").write_text("x")
    announcement = parse_announcement(
        {"file": "thông báo/mất điện.txt", "zones": ["to-1"]}, base_dir=tmp_path
    )
    assert announcement.file == Path(folder / "mất điện.txt")
