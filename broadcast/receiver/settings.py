"""``receiver.yaml``: what one cluster's box needs to know, checked with file and line.

``broadcast clusters add`` at the station prints the file (with the cluster's password and the
station's public key); the technician copies it onto the box. Every problem is reported at once,
in Vietnamese, with the line to edit (``broadcast.yamlsource``), never a traceback.

    cluster: tdp1-a              # the cluster's id: its MQTT user and topic level
    ward: phuong-1               # the ward's id (a topic level)
    zone: tdp-1                  # the station's zone it serves (its play-log rows say so)
    broker: mqtts://203.0.113.5:8883   # or mqtt://host:1883, or host:port
    username: tdp1-a             # default: the cluster's id
    password: "…"
    station_keys: ["base64…"]    # the station's Ed25519 public key(s)
    audio_url: https://203.0.113.5:8090
    tls_ca_file: /etc/loa-phuong/ca-phuong.crt   # optional: the ward's own CA (PEM), trusted
                                 # besides the system's for mqtts:// and https:// (relative:
                                 # from this file's folder)
    heartbeat_seconds: 30
    data: /var/lib/loa-phuong-receiver
    output: {device: default, channels: [1], volume_db: 0}   # or output: {file: /tmp/loa}
    timezone: Asia/Ho_Chi_Minh
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from broadcast import yamlsource
from broadcast.clusters.signing import PublicKey
from broadcast.clusters.topics import check_id
from broadcast.config import DEFAULT_TIMEZONE
from broadcast.config.entries import checked
from broadcast.config.values import raw_text
from broadcast.diagnostics import Diagnostic, DiagnosticCollector, InputError, Severity
from broadcast.yamlsource import Located

KNOWN_KEYS = (
    "cluster",
    "ward",
    "zone",
    "broker",
    "username",
    "password",
    "station_keys",
    "audio_url",
    "tls_ca_file",
    "heartbeat_seconds",
    "data",
    "output",
    "timezone",
)
REQUIRED_KEYS = ("cluster", "ward", "zone", "broker", "password", "station_keys", "audio_url")
OUTPUT_KEYS = ("device", "channels", "volume_db", "file")
DEFAULT_HEARTBEAT_SECONDS = 30.0
DEFAULT_DATA = "receiver-data"  # beside the file, when ``data`` is not given
PORTS = {"mqtt": 1883, "mqtts": 8883}
MAX_FILE_BYTES = 64 * 1024


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    tls: bool = False


@dataclass(frozen=True)
class OutputSettings:
    """Where the cluster's sound goes: a sound device, or WAV files in ``folder``."""

    device: str | int = "default"
    channels: tuple[int, ...] = (1,)
    volume_db: float = 0.0
    folder: Path | None = None  # ``file: <folder>``: WAV files (tests, the bench)


@dataclass(frozen=True)
class ReceiverSettings:
    cluster: str
    ward: str
    zone: str
    broker: Broker
    username: str
    password: str
    station_keys: tuple[PublicKey, ...]
    audio_url: str
    data_dir: Path
    output: OutputSettings = OutputSettings()
    heartbeat_seconds: float = DEFAULT_HEARTBEAT_SECONDS
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    tls_ca_file: Path | None = None  # the ward's own certificate authority, PEM
    warnings: tuple[Diagnostic, ...] = ()  # unknown keys: printed at start, not fatal


def load_settings(path: Path) -> ReceiverSettings:
    """The settings in ``path``; ``InputError`` naming every problem, ``FileNotFoundError``."""
    source = str(path)
    text = yamlsource.read_file(path, source, MAX_FILE_BYTES)
    root = yamlsource.parse(text, source)
    if root is None:
        raise InputError([_empty(source)])
    return parse_settings(root, path.parent)


def _empty(source: str) -> Diagnostic:
    return Diagnostic(source, None, None, "empty_file", "tệp cấu hình trống")


def parse_settings(root: Located, base: Path) -> ReceiverSettings:
    """``root``'s settings; relative paths count from ``base`` (the file's folder)."""
    collector = DiagnosticCollector()
    fields = root.mapping("tệp cấu hình cụm loa")
    collector.extend(yamlsource.unknown_keys(root, KNOWN_KEYS, "tệp cấu hình cụm loa"))
    for key in REQUIRED_KEYS:
        if key not in fields or fields[key].is_null:
            collector.add(root.diagnostic("missing_key", f'thiếu khóa "{key}"'))
    if collector.errors:
        raise InputError(collector.errors + collector.warnings)

    cluster = checked(collector, lambda: _id(fields["cluster"], "mã cụm loa"), "")
    settings = ReceiverSettings(
        cluster=cluster,
        ward=checked(collector, lambda: _id(fields["ward"], "mã phường"), ""),
        zone=checked(collector, lambda: raw_text(fields["zone"], "zone"), ""),
        broker=checked(collector, lambda: _broker(fields["broker"]), Broker("", 0)),
        username=checked(
            collector, lambda: _optional_text(fields.get("username"), "username") or cluster, ""
        ),
        password=checked(collector, lambda: raw_text(fields["password"], "password"), ""),
        station_keys=checked(collector, lambda: _keys(fields["station_keys"]), ()),
        audio_url=checked(collector, lambda: _http_url(fields["audio_url"]), ""),
        data_dir=checked(collector, lambda: _folder(fields.get("data"), base, DEFAULT_DATA), base),
        output=checked(collector, lambda: _output(fields.get("output"), base), OutputSettings()),
        heartbeat_seconds=checked(
            collector, lambda: _heartbeat(fields.get("heartbeat_seconds")), 30.0
        ),
        timezone=checked(
            collector, lambda: _timezone(fields.get("timezone")), ZoneInfo(DEFAULT_TIMEZONE)
        ),
        tls_ca_file=checked(collector, lambda: _ca_file(fields.get("tls_ca_file"), base), None),
    )
    if settings.tls_ca_file is not None and not _uses_tls(settings):
        collector.add(
            fields["tls_ca_file"].diagnostic(
                "unused_ca",
                "tls_ca_file chỉ dùng khi broker là mqtts://… hoặc audio_url là https://…; "
                "hiện không kết nối nào dùng TLS",
                Severity.WARNING,
            )
        )
    collector.raise_if_errors()
    return replace(settings, warnings=tuple(collector.warnings))


def _id(value: Located, what: str) -> str:
    text = raw_text(value, what)
    try:
        return check_id(text, what)
    except ValueError as exc:
        raise value.fail("bad_id", str(exc)) from exc


def _optional_text(value: Located | None, what: str) -> str | None:
    return None if value is None or value.is_null else raw_text(value, what)


def _broker(value: Located) -> Broker:
    """``mqtt://host:port``, ``mqtts://host:port`` (TLS) or ``host:port``."""
    text = raw_text(value, "broker")
    parts = urlsplit(text if "://" in text else f"mqtt://{text}")
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in PORTS or not parts.hostname or port == -1 or parts.path not in ("", "/"):
        raise value.fail(
            "bad_broker",
            f'broker "{text}" không hợp lệ; viết mqtt://MÁY:CỔNG hoặc mqtts://MÁY:CỔNG (TLS)',
        )
    return Broker(parts.hostname, port or PORTS[parts.scheme], parts.scheme == "mqtts")


def _keys(value: Located) -> tuple[PublicKey, ...]:
    keys = []
    for item in value.items("station_keys"):
        try:
            keys.append(PublicKey.from_text(raw_text(item, "khóa công khai của đài")))
        except ValueError as exc:
            raise item.fail("bad_key", str(exc)) from exc
    if not keys:
        raise value.fail("missing_key", "station_keys cần ít nhất một khóa công khai của đài")
    return tuple(keys)


def _http_url(value: Located) -> str:
    text = raw_text(value, "audio_url")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise value.fail(
            "bad_url", f'audio_url "{text}" không hợp lệ; viết http://MÁY:CỔNG hoặc https://…'
        )
    return text.rstrip("/")


def _folder(value: Located | None, base: Path, default: str) -> Path:
    text = _optional_text(value, "data") or default
    return (base / Path(text).expanduser()).resolve()


def _output(value: Located | None, base: Path) -> OutputSettings:
    if value is None or value.is_null:
        return OutputSettings()
    fields = value.mapping("output")
    problems = yamlsource.unknown_keys(value, OUTPUT_KEYS, "output")
    if problems:
        raise InputError(problems)
    if "file" in fields:
        return OutputSettings(folder=_folder(fields["file"], base, "wav"))
    device: str | int = "default"
    if "device" in fields and not fields["device"].is_null:
        found = fields["device"].value
        device = found if isinstance(found, int) else raw_text(fields["device"], "device")
    channels = tuple(
        item.integer("số kênh", minimum=1)
        for item in (fields["channels"].items("channels") if "channels" in fields else [])
    )
    volume = fields["volume_db"].number("volume_db") if "volume_db" in fields else 0.0
    return OutputSettings(device=device, channels=channels or (1,), volume_db=volume)


def _heartbeat(value: Located | None) -> float:
    if value is None or value.is_null:
        return DEFAULT_HEARTBEAT_SECONDS
    seconds = value.number("heartbeat_seconds")
    if not 0 < seconds <= 3600:
        raise value.fail("bad_value", "heartbeat_seconds phải lớn hơn 0 và không quá 3600")
    return seconds


def _ca_file(value: Located | None, base: Path) -> Path | None:
    """The ward's CA: a readable file of PEM certificates (checked now, not at the first
    connection hours later)."""
    text = _optional_text(value, "tls_ca_file")
    if value is None or text is None:
        return None
    path = (base / Path(text).expanduser()).resolve()
    if not path.is_file():
        raise value.fail(
            "missing_file",
            f"không có tệp chứng chỉ {path} (tls_ca_file): chép tệp chứng chỉ gốc (CA) của "
            "phường lên hộp, hoặc bỏ dòng này nếu máy chủ dùng chứng chỉ công cộng",
        )
    try:
        ssl.create_default_context(cafile=str(path))
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise value.fail(
            "bad_certificate",
            f"tls_ca_file {path} không đọc được thành chứng chỉ CA dạng PEM "
            f"(-----BEGIN CERTIFICATE-----): {exc}",
        ) from exc
    return path


def _uses_tls(settings: ReceiverSettings) -> bool:
    return settings.broker.tls or settings.audio_url.startswith("https://")


def _timezone(value: Located | None) -> ZoneInfo:
    if value is None or value.is_null:
        return ZoneInfo(DEFAULT_TIMEZONE)
    name = raw_text(value, "timezone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise value.fail("bad_timezone", f'múi giờ "{name}" không có') from exc
