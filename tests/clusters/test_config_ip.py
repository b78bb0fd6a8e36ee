"""``ip_clusters:`` and ``output: ip`` zones in schedules.yaml: every mistake at its line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from broadcast.config import Config, parse_config
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths

GOOD = """\
zones:
  - id: trung-tam
    name: Cụm loa trung tâm
    output: {device: "USB Audio", channels: [1]}
  - id: cho
    name: Cụm loa IP khu chợ
    output: ip
ip_clusters:
  ward: long-anh
  broker: 192.168.1.10:1883
  audio_url: http://192.168.1.10:8090/
"""

# Every mistake in the section, reported together, each at its own line.
CATALOGUE = """\
zones:
  - id: cho
    name: Khu chợ
    output: loa
ip_clusters:
  ward: Long Anh
  broker: 192.168.1.10
  audio_url: ftp://192.168.1.10/
  heartbeat_seconds: 0
  silent_after_seconds: 120
  hearbeat: 3
"""


def parse(tmp_path: Path, text: str) -> Config:
    return parse_config(textwrap.dedent(text), "schedules.yaml", ProjectPaths(tmp_path))


def problems(tmp_path: Path, text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(InputError) as caught:
        parse(tmp_path, text)
    return [(d.line, d.code, d.message) for d in caught.value.diagnostics]


def test_an_ip_zone_and_the_section_are_read_with_their_defaults(tmp_path):
    config = parse(tmp_path, GOOD)
    wired, market = config.zones
    assert not wired.is_ip and market.is_ip and market.output.ip
    assert market.output.device == "" and market.output.channels == ()
    settings = config.ip_clusters
    assert settings is not None
    assert (settings.ward, settings.broker_host, settings.broker_port) == (
        "long-anh",
        "192.168.1.10",
        1883,
    )
    assert settings.audio_url == "http://192.168.1.10:8090"  # no trailing slash
    assert (settings.heartbeat_seconds, settings.silent_after_seconds) == (30, 120)
    assert settings.broker == "192.168.1.10:1883" and settings.line == 9
    assert settings.push_audio_max_kb == 8192


def test_a_file_without_the_section_or_ip_zones_reads_as_before(tmp_path):
    config = parse(
        tmp_path,
        GOOD.split("ip_clusters:")[0].replace("output: ip", "output: {device: 1, channels: [2]}"),
    )
    assert config.ip_clusters is None and not any(zone.is_ip for zone in config.zones)


def test_the_catalogue_of_mistakes_each_at_its_line(tmp_path):
    assert problems(tmp_path, CATALOGUE) == [
        (
            4,
            "bad_output",
            'output "loa" không hợp lệ: viết output: ip (cụm loa IP) hoặc '
            'output: {device: "USB Audio", channels: [1]} (card âm thanh của đài)',
        ),
        (
            6,
            "bad_ward",
            'mã phường (ward) "Long Anh" không hợp lệ: chỉ dùng chữ thường không dấu, số, '
            '"-" và "_"',
        ),
        (
            7,
            "bad_broker",
            'broker "192.168.1.10" không hợp lệ: cần dạng máy:cổng, ví dụ 192.168.1.10:1883',
        ),
        (
            8,
            "bad_audio_url",
            'audio_url "ftp://192.168.1.10/" không hợp lệ: cần địa chỉ http:// hoặc https://, '
            "ví dụ http://192.168.1.10:8090",
        ),
        (9, "too_small", "heartbeat_seconds phải từ 1 trở lên, không phải 0"),
        (
            11,
            "unknown_key",
            'khóa "hearbeat" không được biết tới, sẽ bị bỏ qua (có phải "heartbeat_seconds"?)',
        ),
    ]


def test_an_ip_zone_without_the_section_is_an_error_at_its_output_line(tmp_path):
    text = GOOD.split("ip_clusters:")[0]
    assert problems(tmp_path, text) == [
        (
            7,
            "ip_without_clusters",
            "output: ip cần mục ip_clusters trong tệp (ward, broker, audio_url): "
            "cụm loa IP nhận lịch phát qua máy chủ MQTT đó",
        )
    ]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            "  heartbeat_seconds: 60\n  silent_after_seconds: 60\n",
            (
                13,
                "silent_too_short",
                "silent_after_seconds (60) phải lớn hơn heartbeat_seconds (60): một cụm loa "
                "báo đúng hạn không được bị coi là mất liên lạc",
            ),
        ),
        (
            "  silent_after_seconds: 20\n",
            (
                12,
                "silent_too_short",
                "silent_after_seconds (20) phải lớn hơn heartbeat_seconds (30): một cụm loa "
                "báo đúng hạn không được bị coi là mất liên lạc",
            ),
        ),
        (
            "  heartbeat_seconds: nhanh\n",
            (12, "not_integer", 'heartbeat_seconds phải là số nguyên, không phải "nhanh"'),
        ),
    ],
)
def test_seconds_are_whole_and_silence_outlasts_the_heartbeat(tmp_path, lines, expected):
    assert problems(tmp_path, GOOD + lines) == [expected]


def test_push_audio_max_kb_may_be_0_and_never_negative(tmp_path):
    settings = parse(tmp_path, GOOD + "  push_audio_max_kb: 0\n").ip_clusters
    assert settings is not None and settings.push_audio_max_kb == 0
    assert problems(tmp_path, GOOD + "  push_audio_max_kb: -1\n") == [
        (12, "too_small", "push_audio_max_kb phải từ 0 trở lên, không phải -1")
    ]


def test_missing_keys_are_named_at_the_section(tmp_path):
    text = GOOD.split("ip_clusters:")[0] + "ip_clusters:\n  ward: long-anh\n"
    assert problems(tmp_path, text) == [
        (
            9,
            "missing_key",
            'ip_clusters thiếu khóa "broker", "audio_url" (ví dụ ward: long-anh, broker: '
            "192.168.1.10:1883, audio_url: http://192.168.1.10:8090)",
        )
    ]


@pytest.mark.parametrize(
    ("broker", "host", "port"),
    [("loa.long-anh.vn:8883", "loa.long-anh.vn", 8883), ('"[::1]:1883"', "::1", 1883)],
)
def test_a_broker_may_be_a_name_or_an_ipv6_address(tmp_path, broker, host, port):
    config = parse(tmp_path, GOOD.replace("192.168.1.10:1883", broker))
    assert config.ip_clusters is not None
    assert (config.ip_clusters.broker_host, config.ip_clusters.broker_port) == (host, port)
    assert config.ip_clusters.broker == broker.strip('"')


@pytest.mark.parametrize("broker", ["192.168.1.10:0", "192.168.1.10:70000", "a b:1883", ":1883"])
def test_a_broker_needs_a_host_and_a_real_port(tmp_path, broker):
    ((line, code, _),) = problems(tmp_path, GOOD.replace("192.168.1.10:1883", broker))
    assert (line, code) == (10, "bad_broker")


def test_wired_paths_leave_ip_zones_alone(tmp_path):
    """The sound card's zones exclude an IP zone, and testing one says why it cannot be."""
    from broadcast.sinks.file import FileSink
    from broadcast.sinks.protocol import ZoneSpeakers
    from broadcast.views.zone_test import run_zone_test

    config = parse(tmp_path, GOOD)
    assert list(ZoneSpeakers.all_from(config.zones)) == ["trung-tam"]
    result = run_zone_test(config, FileSink(tmp_path / "wav", realtime=False), "cho")
    assert not result.ok
    assert result.message == (
        'Lỗi: khu vực "cho" (Cụm loa IP khu chợ) là cụm loa IP, không nối với card âm thanh '
        "của đài nên không phát thử ở đây được (xem các cụm: broadcast clusters list)"
    )
    assert not (tmp_path / "wav").exists()
