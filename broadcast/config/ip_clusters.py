"""IP loudspeaker clusters (``ip_clusters:`` in schedules.yaml): where they meet the station.

A zone written ``output: ip`` is heard through networked clusters, not the station's sound card
(``broadcast clusters add``). This section says the ward's id (a level of every MQTT topic),
the broker the station and the clusters connect to, the address the clusters fetch audio
from, and how often a cluster reports and how long a silence is an alarm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from broadcast.clusters.topics import check_id
from broadcast.config.entries import checked, section_fields
from broadcast.config.values import raw_text
from broadcast.diagnostics import DiagnosticCollector
from broadcast.yamlsource import Located

KNOWN_KEYS = (
    "ward",
    "broker",
    "audio_url",
    "heartbeat_seconds",
    "silent_after_seconds",
    "push_audio_max_kb",
)
_REQUIRED = ("ward", "broker", "audio_url")
_EXAMPLE = "ví dụ ward: long-anh, broker: 192.168.1.10:1883, audio_url: http://192.168.1.10:8090"
DEFAULT_HEARTBEAT_SECONDS = 30
DEFAULT_SILENT_AFTER_SECONDS = 120
# ~85 s of the station's 48 kHz mono WAV; Mosquitto takes any size by default
DEFAULT_PUSH_AUDIO_MAX_KB = 8192
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$")
_URL = re.compile(r"^https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?(/[^\s?#]*)?$")


@dataclass(frozen=True)
class IpClusterSettings:
    ward: str  # a topic level: loa-phuong/<ward>/<cluster>/<kind>
    broker_host: str
    broker_port: int
    audio_url: str  # http(s)://…, no trailing slash: receivers GET <audio_url>/audio/<sha256>
    heartbeat_seconds: int = DEFAULT_HEARTBEAT_SECONDS
    silent_after_seconds: int = DEFAULT_SILENT_AFTER_SECONDS  # then the cluster is an alarm
    line: int | None = None
    push_audio_max_kb: int = DEFAULT_PUSH_AUDIO_MAX_KB  # 0: bulletins' audio only over HTTP

    @property
    def broker(self) -> str:
        host = f"[{self.broker_host}]" if ":" in self.broker_host else self.broker_host
        return f"{host}:{self.broker_port}"


def parse_ip_clusters(
    section: Located | None, collector: DiagnosticCollector
) -> IpClusterSettings | None:
    """Validate ``ip_clusters:``; ``None`` when absent or wrong (its problems in ``collector``)."""
    if section is None or section.is_null:
        return None
    with collector.guard():
        fields = section_fields(
            section, "ip_clusters", KNOWN_KEYS, _REQUIRED, collector, example=_EXAMPLE
        )
        problems = DiagnosticCollector()
        ward = checked(problems, lambda: _ward(fields["ward"]), "")
        host, port = checked(problems, lambda: _broker(fields["broker"]), ("", 0))
        audio_url = checked(problems, lambda: _audio_url(fields["audio_url"]), "")
        heartbeat = checked(
            problems, lambda: _whole(fields, "heartbeat_seconds", DEFAULT_HEARTBEAT_SECONDS), 0
        )
        silent = checked(
            problems,
            lambda: _whole(fields, "silent_after_seconds", DEFAULT_SILENT_AFTER_SECONDS),
            0,
        )
        push = checked(
            problems,
            lambda: _whole(fields, "push_audio_max_kb", DEFAULT_PUSH_AUDIO_MAX_KB, minimum=0),
            0,
        )
        if heartbeat and silent and silent <= heartbeat:
            where = fields.get("silent_after_seconds") or fields["heartbeat_seconds"]
            problems.add(
                where.diagnostic(
                    "silent_too_short",
                    f"silent_after_seconds ({silent}) phải lớn hơn heartbeat_seconds "
                    f"({heartbeat}): một cụm loa báo đúng hạn không được bị coi là mất liên lạc",
                )
            )
        collector.extend(problems.diagnostics)
        if problems.errors:
            return None
        return IpClusterSettings(
            ward, host, port, audio_url, heartbeat, silent, section.line, push_audio_max_kb=push
        )
    return None


def _ward(value: Located) -> str:
    text = raw_text(value, "ward")
    try:
        return check_id(text, "mã phường (ward)")
    except ValueError as exc:
        raise value.fail("bad_ward", str(exc)) from exc


def _broker(value: Located) -> tuple[str, int]:
    text = raw_text(value, "broker")
    host, colon, port = text.rpartition(":")
    if colon and _HOST.fullmatch(host) and port.isdigit() and 1 <= int(port) <= 65535:
        return host.strip("[]"), int(port)
    raise value.fail(
        "bad_broker",
        f'broker "{text}" không hợp lệ: cần dạng máy:cổng, ví dụ 192.168.1.10:1883',
    )


def _audio_url(value: Located) -> str:
    text = raw_text(value, "audio_url")
    if _URL.fullmatch(text):
        return text.rstrip("/")
    raise value.fail(
        "bad_audio_url",
        f'audio_url "{text}" không hợp lệ: cần địa chỉ http:// hoặc https://, ví dụ '
        "http://192.168.1.10:8090",
    )


def _whole(fields: dict[str, Located], key: str, default: int, minimum: int = 1) -> int:
    if key not in fields or fields[key].is_null:
        return default
    return fields[key].integer(key, minimum=minimum)
