"""Every kind of mistake in schedules.yaml, reported in one run with its exact line."""

from pathlib import Path

import pytest

from broadcast.diagnostics import InputError, Severity

CATALOGUE = Path(__file__).with_name("invalid_schedules.yaml")


def test_every_problem_is_reported_once_with_its_line(problems):
    assert problems(CATALOGUE.read_text(encoding="utf-8")) == [
        (10, "too_small", "số kênh phải từ 1 trở lên, không phải 0"),
        (11, "duplicate_id", 'mã "trung-tam" bị trùng với mục ở dòng 5'),
        (15, "zone_group_loop", "nhóm khu vực lặp vòng: a → b → a"),
        (23, "unknown_topic", 'chủ đề "cchh" không có trong topics (có phải "cchc"?)'),
        (
            24,
            "media_outside",
            'tệp "../bi-mat.mp3" nằm ngoài thư mục media/ của dự án, không được dùng',
        ),
        (25, "bad_media_type", 'tệp "nhac-hieu.ogg" phải là .mp3 hoặc .wav'),
        (26, "bad_segment", 'loại đoạn "jingle" không hợp lệ'),
        (30, "bad_time", 'giờ "25:00" không hợp lệ (cần dạng HH:MM, từ 00:00 đến 23:59)'),
        (
            31,
            "bad_weekday",
            'ngày trong tuần "T8" không hợp lệ (dùng T2, T3, T4, T5, T6, T7, CN hoặc mon…sun)',
        ),
        (35, "bad_date", 'ngày "31/02/2026" không tồn tại'),
        (38, "unknown_program", 'chương trình "sag" không có trong programs (có phải "sang"?)'),
        (
            39,
            "unknown_zone",
            'khu vực "tdp-2" không có trong zones hay zone_groups (có phải "tdp-1"?)',
        ),
        (
            41,
            "slot_crosses_quiet_hours",
            'khung giờ "s3" lúc 21:00 dài tối đa 45 phút, sẽ kéo vào giờ yên tĩnh bắt đầu '
            "lúc 21:30",
        ),
        (
            46,
            "slot_too_long",
            'khung giờ "s4" dài tối đa 40 phút: lần phát lúc 06:00 sẽ chồng lên lần phát kế '
            "tiếp lúc 06:30",
        ),
        (56, "bad_date", 'until "2026-02-31" không tồn tại'),
        (
            23,
            "unknown_key",
            'khóa "max_minute" không được biết tới, sẽ bị bỏ qua (có phải "max_minutes"?)',
        ),
        (
            58,
            "unknown_key",
            'khóa "quiet_hour" không được biết tới, sẽ bị bỏ qua (có phải "quiet_hours"?)',
        ),
    ]


def test_messages_name_file_line_and_column(parse):
    with pytest.raises(InputError) as caught:
        parse('slots:\n  - id: s\n    times: ["7:75"]\n')
    assert [str(d) for d in caught.value.diagnostics] == [
        'schedules.yaml:2:5: khung giờ "s" thiếu khóa "program"',
        'schedules.yaml:2:5: khung giờ "s" thiếu khóa "zones"',
        'schedules.yaml:2:5: khung giờ "s" thiếu khóa "max_minutes"',
        'schedules.yaml:3:13: giờ "7:75" không hợp lệ (cần dạng HH:MM, từ 00:00 đến 23:59)',
    ]


def test_unknown_keys_are_warnings_and_the_config_still_loads(parse):
    config = parse(
        """
        zones:
          - id: z
            name: Khu Z
            output: {device: 1, channels: [1, 2]}
            volum_db: -3
        """
    )
    (warning,) = config.warnings
    assert warning.severity is Severity.WARNING and warning.line == 6
    assert '"volum_db"' in warning.message and '"volume_db"' in warning.message
    assert config.zones[0].output.device == 1 and config.zones[0].output.channels == (1, 2)
