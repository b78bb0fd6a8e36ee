"""``schedules.yaml``: the one place where configuration is read and validated.

Every section is checked here, with file and line for each problem; stages receive plain,
already-valid settings objects and never read YAML themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from broadcast import yamlsource
from broadcast.diagnostics import Diagnostic, DiagnosticCollector, InputError
from broadcast.paths import ProjectPaths

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

# Top-level sections; each is validated by its own function below.
KNOWN_SECTIONS = ("timezone", "zones", "zone_groups", "programs", "slots", "quiet_hours", "tts")


@dataclass(frozen=True)
class Config:
    source: str
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    warnings: tuple[Diagnostic, ...] = ()


def _timezone(value: yamlsource.Located | None) -> ZoneInfo:
    if value is None:
        return ZoneInfo(DEFAULT_TIMEZONE)
    name = value.text("timezone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise value.fail("unknown_timezone", f'múi giờ "{name}" không tồn tại') from exc


def load_config(paths: ProjectPaths) -> Config:
    """Read and validate ``schedules.yaml``; raises ``InputError`` listing every problem."""
    source = paths.relative(paths.schedules_file)
    try:
        text = paths.schedules_file.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise InputError(
            [Diagnostic(source, None, None, "missing_file", "không tìm thấy tệp lịch phát")]
        ) from exc
    except UnicodeDecodeError as exc:
        raise InputError(
            [Diagnostic(source, None, None, "bad_encoding", "tệp phải được lưu bằng mã UTF-8")]
        ) from exc
    root = yamlsource.parse(text, source)
    if root is None:
        raise InputError([Diagnostic(source, None, None, "empty_file", "tệp lịch phát trống")])
    collector = DiagnosticCollector()
    sections = root.mapping("tệp lịch phát")
    collector.extend(yamlsource.unknown_keys(root, KNOWN_SECTIONS, "tệp lịch phát"))
    timezone = ZoneInfo(DEFAULT_TIMEZONE)
    with collector.guard():
        timezone = _timezone(sections.get("timezone"))
    collector.raise_if_errors()
    return Config(source=source, timezone=timezone, warnings=tuple(collector.warnings))
