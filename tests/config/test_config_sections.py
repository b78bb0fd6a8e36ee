"""What a valid schedules.yaml turns into, and the checks that need more than one line."""

import os
from datetime import date, time

import pytest

from broadcast.config import load_config
from broadcast.config.model import FileSegment, NamedScriptSegment, SelectionSegment
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.scripts.model import Priority

ZONES = """
zones:
  - id: trung-tam
    name: Cụm loa trung tâm phường
    output: {device: "USB Audio", channels: [1]}
  - id: tdp-1
    name: Tổ dân phố số 1
    output: {device: "USB Audio", channels: [2]}
    volume_db: -3
    fallback: file
  - id: tdp-2
    name: Tổ dân phố số 2
    output: {device: 3, channels: [3, 4]}
zone_groups:
  toan-phuong: all
  cac-tdp: [tdp-1, tdp-2]
  ca-phuong: [cac-tdp, trung-tam]
programs:
  - id: p
    name: Bản tin
    segments:
      - chime
"""


def test_the_sample_file_of_the_project_loads_without_warnings():
    config = load_config(ProjectPaths.resolve(os.path.dirname(__file__) + "/../.."))
    assert config.warnings == ()
    assert config.zone_ids == ("trung-tam", "tdp-1", "tdp-2", "tdp-3")
    assert config.zone_groups["toan-phuong"] == config.zone_ids
    assert [z.output.channels for z in config.zones] == [(1,), (2,), (3,), (4,)]
    assert all(z.fallback_to_file for z in config.zones)  # a PC without the card still records
    assert config.tts.engines == ("gtts", "espeak") and config.tts.chime is None
    assert config.quiet_hours.contains(time(23, 0)) and not config.quiet_hours.contains(time(6))
    for topic in ("cchc", "dvc-truc-tuyen", "mot-cua", "thong-bao", "phan-anh-kien-nghi"):
        assert topic in config.topics
    assert {s.times[0] for s in config.slots} == {time(6), time(17, 30)}


def test_full_program_and_slot(parse, project):
    (project.media_dir / "nhac-hieu.mp3").write_bytes(b"x")
    (project.media_dir / "vov").mkdir()
    (project.media_dir / "vov" / "thoi-su.wav").write_bytes(b"x")
    config = parse(
        ZONES
        + """
      - intro: media/nhac-hieu.mp3
      - scripts: {topics: [cchc], priority_min: ưu tiên, max_count: 3, max_minutes: 7.5}
      - script: 2026-03/thong-bao-tiem-chung
      - audio: vov/thoi-su.wav
topics: {cchc: Cải cách hành chính, thong-bao: Thông báo}
slots:
  - id: sang
    name: Bản tin sáng
    times: ["17:30", 6:00]
    weekdays: [T2-T6, cn]
    from: 01/03/2026
    until: "2026-06-30"
    except: ["30/04/2026", 01/05/2026]
    program: p
    zones: [ca-phuong]
    max_minutes: 20
    skip_holidays: true
"""
    )
    (sang,) = config.slots
    assert sang.times == (time(6), time(17, 30))  # an unquoted 17:30 is not the number 1050
    assert sang.weekdays == {0, 1, 2, 3, 4, 6}
    assert (sang.date_from, sang.date_until) == (date(2026, 3, 1), date(2026, 6, 30))
    assert sang.except_dates == {date(2026, 4, 30), date(2026, 5, 1)}
    assert sang.zones == ("trung-tam", "tdp-1", "tdp-2") and sang.skip_holidays
    assert sang.max_seconds == 1200
    _chime, intro, selection, named, audio = config.programs["p"].segments
    assert isinstance(intro, FileSegment) and intro.file == "media/nhac-hieu.mp3"
    assert intro.path == project.media_dir / "nhac-hieu.mp3"
    assert selection == SelectionSegment(
        frozenset({"cchc"}), Priority.PRIORITY, 3, 450.0, line=selection.line
    )
    assert isinstance(named, NamedScriptSegment)
    assert named.script_id == "2026-03/thong-bao-tiem-chung"
    assert isinstance(audio, FileSegment) and audio.file == "media/vov/thoi-su.wav"


@pytest.mark.parametrize(
    "written",
    ["../schedules.mp3", "/etc/passwd.mp3", "media/../../x.mp3", "C:\\\\Windows\\\\a.wav"],
)
def test_media_paths_leading_outside_are_refused(problems, project, written):
    (project.home / "schedules.mp3").write_bytes(b"x")
    found = problems(ZONES + f'      - audio: "{written}"\n')
    assert [code for _, code, _ in found] == ["media_outside"]


def test_a_symlink_leading_out_of_media_is_refused(problems, project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "secret.mp3"
    outside.write_bytes(b"x")
    (project.media_dir / "link.mp3").symlink_to(outside)
    found = problems(ZONES + "      - audio: link.mp3\n")
    assert found == [
        (23, "media_outside", 'tệp "link.mp3" nằm ngoài thư mục media/ của dự án, không được dùng')
    ]


def test_a_missing_media_file_is_named(problems):
    assert problems(ZONES + "      - outro: ket-thuc.mp3\n") == [
        (23, "missing_media", 'không tìm thấy tệp "media/ket-thuc.mp3"')
    ]


def test_a_group_naming_itself_is_a_loop(problems):
    text = ZONES.replace("ca-phuong: [cac-tdp, trung-tam]", "ca-phuong: [ca-phuong]")
    assert problems(text) == [
        (17, "zone_group_loop", "nhóm khu vực lặp vòng: ca-phuong → ca-phuong")
    ]


SLOTS = """
slots:
  - id: sang
    times: ["06:00"]
    program: p
    zones: [cac-tdp]
    max_minutes: 30
  - id: thong-bao
    times: ["{time}"]
    weekdays: [{days}]
    program: p
    zones: [{zones}]
    max_minutes: 10
"""


def test_overlapping_slots_on_a_shared_zone(problems):
    text = ZONES + SLOTS.format(time="06:20", days="T3", zones="tdp-2")
    assert problems(text) == [
        (
            30,
            "slot_overlap",
            'khung giờ "thong-bao" (T3 06:20) trùng giờ với khung giờ "sang" lúc 06:00 '
            "(dòng 25) trên khu vực tdp-2",
        )
    ]


def test_a_slot_overlapping_several_is_named_once_with_its_first_clash(problems):
    """Each slot is reported once: 300 slots at one time make 299 messages, not 44,850."""
    slot = '  - {{id: s{n}, times: ["06:{n:02d}"], program: p, zones: [tdp-1], max_minutes: 5}}\n'
    found = problems(ZONES + "slots:\n" + "".join(slot.format(n=n) for n in range(3)))
    assert found == [
        (
            line,
            "slot_overlap",
            f'khung giờ "s{n}" (T2 06:0{n}) trùng giờ với khung giờ "s0" lúc 06:00 (dòng 24) '
            "trên khu vực tdp-1",
        )
        for n, line in ((1, 25), (2, 26))
    ]
    crowd = "".join(slot.format(n=0).replace("s0", f"c{n}") for n in range(300))
    assert len(problems(ZONES + "slots:\n" + crowd)) == 299


def test_slots_whose_date_windows_do_not_meet_do_not_overlap(parse):
    windows = "".join(
        f'  - {{id: tuan-{n}, times: ["06:00"], program: p, zones: [tdp-1], max_minutes: 30, '
        f'from: "{1 + 7 * n:02d}/03/2027", until: "{7 + 7 * n:02d}/03/2027"}}\n'
        for n in range(4)
    )
    assert len(parse(ZONES + "slots:\n" + windows).slots) == 4


def test_slots_at_the_same_time_on_other_zones_do_not_overlap(parse):
    parse(ZONES + SLOTS.format(time="06:20", days="T3", zones="trung-tam"))
    parse(ZONES + SLOTS.format(time="06:30", days="T3", zones="tdp-1"))  # starts as sang ends


def test_a_late_slot_running_past_midnight_overlaps_the_next_mornings(problems):
    text = ZONES + SLOTS.format(time="23:55", days="CN", zones="tdp-1").replace(
        '["06:00"]', '["00:02"]'
    )
    ((line, code, message),) = problems(text)
    assert (line, code) == (30, "slot_overlap")
    assert "(CN 23:55)" in message and "lúc 00:02" in message


def test_times_closer_than_the_slot_length(problems):
    text = ZONES + SLOTS.format(time="06:00", days="T2", zones="trung-tam").replace(
        '["06:00"]', '["06:00", "06:20"]', 1
    )
    assert problems(text) == [
        (
            25,
            "slot_too_long",
            'khung giờ "sang" dài tối đa 30 phút: lần phát lúc 06:00 sẽ chồng lên lần phát kế '
            "tiếp lúc 06:20",
        )
    ]


def test_a_slot_inside_quiet_hours_is_a_warning(parse):
    config = parse(
        ZONES
        + SLOTS.format(time="22:00", days="T2", zones="tdp-1")
        + 'quiet_hours: {from: "21:30", until: "05:00"}\n'
    )
    assert [(w.code, w.message) for w in config.warnings] == [
        (
            "slot_in_quiet_hours",
            'khung giờ "thong-bao" lúc 22:00 nằm trong giờ yên tĩnh (21:30–05:00): chỉ phát '
            "tin khẩn cấp",
        )
    ]


def test_missing_and_broken_files(project):
    with pytest.raises(InputError) as caught:
        load_config(project)
    assert str(caught.value) == "schedules.yaml: không tìm thấy tệp lịch phát"
    project.schedules_file.write_bytes(b"zones: [\n")
    with pytest.raises(InputError) as caught:
        load_config(project)
    assert caught.value.diagnostics[0].code == "yaml_syntax"
