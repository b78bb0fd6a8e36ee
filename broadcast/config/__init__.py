"""``schedules.yaml``: the one place where configuration is read and validated.

Every section is checked here, with file and line for each problem; stages receive plain,
already-valid settings objects and never read YAML themselves. Loading is a pure function of
the file: it returns a whole ``Config`` or raises ``InputError`` with every problem, so the
daemon can keep the last good ``Config`` when an edit breaks the file.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from broadcast import yamlsource
from broadcast.config.approval import ApprovalSettings, parse_approval
from broadcast.config.ip_clusters import IpClusterSettings, parse_ip_clusters
from broadcast.config.model import Program, QuietHours, Slot, Zone
from broadcast.config.programs import parse_programs
from broadcast.config.report import ReportSettings, parse_report
from broadcast.config.slots import parse_quiet_hours, parse_slots
from broadcast.config.timing import check_timing
from broadcast.config.tts import TtsSettings, parse_tts
from broadcast.config.values import raw_text
from broadcast.config.zones import parse_zone_groups, parse_zones
from broadcast.diagnostics import Diagnostic, DiagnosticCollector, InputError
from broadcast.paths import ProjectPaths

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
# A ward's timetable is a few kilobytes. PyYAML reads about 4 µs a byte, so the daemon and
# ``check`` judge the largest file allowed within about half a second (bench/timetable.py).
MAX_SCHEDULES_BYTES = 128 * 1024

# Top-level sections; each is validated by its own function below.
KNOWN_SECTIONS = (
    "timezone",
    "topics",
    "zones",
    "zone_groups",
    "programs",
    "slots",
    "quiet_hours",
    "tts",
    "report",
    "approval",
    "approvers",
    "ip_clusters",
)


@dataclass(frozen=True)
class Config:
    source: str
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    topics: Mapping[str, str] = field(default_factory=dict)  # id -> Vietnamese name
    zones: tuple[Zone, ...] = ()
    zone_groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # expanded
    programs: Mapping[str, Program] = field(default_factory=dict)
    slots: tuple[Slot, ...] = ()
    quiet_hours: QuietHours | None = None
    tts: TtsSettings = field(default_factory=TtsSettings)
    report: ReportSettings | None = None  # the ward's identity on its period report
    approval: ApprovalSettings = field(default_factory=ApprovalSettings)
    ip_clusters: IpClusterSettings | None = None  # where IP loudspeaker clusters connect
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def zone_ids(self) -> tuple[str, ...]:
        return tuple(zone.id for zone in self.zones)

    @property
    def ip_zone_ids(self) -> tuple[str, ...]:
        """The zones served by IP clusters (``output: ip``), in declaration order."""
        return tuple(zone.id for zone in self.zones if zone.is_ip)

    def slot(self, slot_id: str) -> Slot:
        return next(slot for slot in self.slots if slot.id == slot_id)

    def zone_reference(self, text: str) -> str | None:
        """The zone or group id that ``text`` names, or ``None``.

        People type a zone as its id ("tdp-1") or its name ("Tổ dân phố 1"); either is
        matched after NFC and case folding, so a name pasted from a document still resolves.
        """
        if text in self.zone_ids or text in self.zone_groups:
            return text
        wanted = _spelling_key(text)
        for zone_id in [*self.zone_ids, *self.zone_groups]:
            if _spelling_key(zone_id) == wanted:
                return zone_id
        return next((z.id for z in self.zones if _spelling_key(z.name) == wanted), None)

    def zone_hint(self, text: str) -> str:
        """`` (có phải "…"?)`` naming the zone id, group or zone name closest to ``text``."""
        spellings = [*self.zone_ids, *self.zone_groups, *(zone.name for zone in self.zones)]
        return yamlsource.did_you_mean(unicodedata.normalize("NFC", text.strip()), spellings)

    def unknown_zone_message(self, text: str) -> str:
        """Vietnamese: ``text`` names no zone or group here, with the closest id or name."""
        return f'khu vực "{text}" không có trong {self.source}{self.zone_hint(text)}'

    def expand_zones(self, names: Iterable[str] | None) -> tuple[str, ...]:
        """Zones and groups (by id or name) to zone ids in declaration order; ``None`` means
        every zone. Names this file does not know are left out (scripts are checked
        separately)."""
        if names is None:
            return self.zone_ids
        wanted: set[str] = set()
        for name in names:
            reference = self.zone_reference(name)
            if reference is not None:
                wanted.update(self.zone_groups.get(reference, (reference,)))
        return tuple(z for z in self.zone_ids if z in wanted)

    def zones_label(self, zones: Iterable[str]) -> str:
        """For people: a group's id when the zones are exactly that group, else the zones'
        names (an id this file does not know stands for itself)."""
        zones = tuple(zones)
        for group, members in self.zone_groups.items():
            if members == zones and members:
                return group
        names = {zone.id: zone.name for zone in self.zones}
        return ", ".join(names.get(zone, zone) for zone in zones)


def _spelling_key(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def _timezone(value: yamlsource.Located | None) -> ZoneInfo:
    if value is None:
        return ZoneInfo(DEFAULT_TIMEZONE)
    name = value.text("timezone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise value.fail("unknown_timezone", f'múi giờ "{name}" không tồn tại') from exc


def _topics(value: yamlsource.Located | None) -> dict[str, str]:
    if value is None or value.is_null:
        return {}
    return {topic: raw_text(name, "tên chủ đề") for topic, name in value.mapping("topics").items()}


def _line_order(diagnostic: Diagnostic) -> int:
    return diagnostic.line or 0


def parse_config(text: str, source: str, paths: ProjectPaths) -> Config:
    """Validate the text of ``schedules.yaml``; raises ``InputError`` listing every problem."""
    root = yamlsource.parse(text, source)
    if root is None:
        raise InputError([Diagnostic(source, None, None, "empty_file", "tệp lịch phát trống")])
    collector = DiagnosticCollector()
    sections = root.mapping("tệp lịch phát")
    collector.extend(yamlsource.unknown_keys(root, KNOWN_SECTIONS, "tệp lịch phát"))
    timezone = ZoneInfo(DEFAULT_TIMEZONE)
    with collector.guard():
        timezone = _timezone(sections.get("timezone"))
    topics: dict[str, str] = {}
    with collector.guard():
        topics = _topics(sections.get("topics"))
    ids_taken: dict[str, int] = {}  # zones and zone groups share one namespace
    ip_section = sections.get("ip_clusters")
    has_ip_section = ip_section is not None and not ip_section.is_null
    zones = parse_zones(sections.get("zones"), collector, ids_taken, has_ip_section)
    zone_ids = tuple(zone.id for zone in zones)
    groups = parse_zone_groups(sections.get("zone_groups"), zone_ids, collector, ids_taken)
    programs = parse_programs(sections.get("programs"), topics, paths, collector)
    slots = parse_slots(sections.get("slots"), programs, zone_ids, groups, collector)
    quiet_hours = None
    with collector.guard():
        quiet_hours = parse_quiet_hours(sections.get("quiet_hours"), collector)
    collector.extend(check_timing(slots, quiet_hours, source))
    tts = parse_tts(sections.get("tts"), paths.home, collector)
    report = parse_report(sections.get("report"), topics, collector)
    approval = parse_approval(sections.get("approval"), sections.get("approvers"), collector)
    ip_clusters = parse_ip_clusters(ip_section, collector)
    if collector.errors:  # in file order, so the list reads along with the file
        raise InputError(
            sorted(collector.errors, key=_line_order) + sorted(collector.warnings, key=_line_order)
        )
    return Config(
        source=source,
        timezone=timezone,
        topics=topics,
        zones=zones,
        zone_groups=groups,
        programs=programs,
        slots=slots,
        quiet_hours=quiet_hours,
        tts=tts,
        report=report,
        approval=approval,
        ip_clusters=ip_clusters,
        warnings=tuple(collector.warnings),
    )


def read_config_text(paths: ProjectPaths) -> tuple[str, str]:
    """``schedules.yaml``'s text and its name for messages; ``InputError`` when unreadable."""
    source = paths.relative(paths.schedules_file)
    try:
        return yamlsource.read_file(paths.schedules_file, source, MAX_SCHEDULES_BYTES), source
    except FileNotFoundError as exc:
        raise InputError(
            [Diagnostic(source, None, None, "missing_file", "không tìm thấy tệp lịch phát")]
        ) from exc


def load_config(paths: ProjectPaths) -> Config:
    """Read and validate ``schedules.yaml``; raises ``InputError`` listing every problem."""
    text, source = read_config_text(paths)
    return parse_config(text, source, paths)
