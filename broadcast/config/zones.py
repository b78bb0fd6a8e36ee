"""Zones (loudspeaker clusters and where their sound goes) and groups of zones."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from graphlib import CycleError, TopologicalSorter

import yaml

from broadcast import yamlsource
from broadcast.config.entries import Entry, checked, entries
from broadcast.config.model import Zone, ZoneOutput
from broadcast.config.values import raw_text
from broadcast.diagnostics import DiagnosticCollector
from broadcast.yamlsource import Located

ZONE_KEYS = ("id", "name", "output", "volume_db", "fallback")
OUTPUT_KEYS = ("device", "channels")
ALL_ZONES = "all"  # a group written as `toan-phuong: all` holds every zone


IP_OUTPUT = "ip"  # `output: ip`: the zone is heard through IP clusters (`ip_clusters:`)


def parse_zones(
    section: Located | None,
    collector: DiagnosticCollector,
    taken: dict[str, int],
    ip_clusters: bool = False,
) -> tuple[Zone, ...]:
    """``ip_clusters``: whether the file has an ``ip_clusters:`` section, which an
    ``output: ip`` zone needs."""
    entries_found = entries(section, "khu vực", ZONE_KEYS, collector, taken)
    return tuple(_zone(entry, collector, ip_clusters) for entry in entries_found)


def _zone(entry: Entry, collector: DiagnosticCollector, ip_clusters: bool) -> Zone:
    """A zone with bad fields is still returned so its id stays known; the problems recorded
    in ``collector`` stop the configuration from being used anyway."""
    fields = entry.fields
    return Zone(
        id=entry.id,
        name=checked(collector, lambda: raw_text(entry.required("name", "khu vực"), "name"), ""),
        output=checked(
            collector,
            lambda: _output(entry.required("output", "khu vực"), collector, ip_clusters),
            ZoneOutput("", ()),
        ),
        volume_db=checked(
            collector,
            lambda: fields["volume_db"].number("volume_db") if "volume_db" in fields else 0.0,
            0.0,
        ),
        fallback_to_file=checked(collector, lambda: _fallback(fields.get("fallback")), False),
        line=entry.where.line,
    )


def _output(value: Located, collector: DiagnosticCollector, ip_clusters: bool) -> ZoneOutput:
    written = value.written
    if written is not None:
        if written.lower() != IP_OUTPUT:
            raise value.fail(
                "bad_output",
                f'output "{written}" không hợp lệ: viết output: ip (cụm loa IP) hoặc '
                'output: {device: "USB Audio", channels: [1]} (card âm thanh của đài)',
            )
        if not ip_clusters:
            raise value.fail(
                "ip_without_clusters",
                "output: ip cần mục ip_clusters trong tệp (ward, broker, audio_url): "
                "cụm loa IP nhận lịch phát qua máy chủ MQTT đó",
            )
        return ZoneOutput(device="", channels=(), ip=True)
    fields = value.mapping("output")
    collector.extend(yamlsource.unknown_keys(value, OUTPUT_KEYS, "output"))
    if "device" not in fields or fields["device"].is_null:
        raise value.fail("missing_key", 'output thiếu khóa "device"')
    device_value = fields["device"].value
    device = device_value if isinstance(device_value, int) else raw_text(fields["device"], "device")
    channels = []
    for item in fields["channels"].items("channels") if "channels" in fields else []:
        channels.append(item.integer("số kênh", minimum=1))
    if not channels:
        raise value.fail("missing_key", 'output cần "channels", ví dụ channels: [1]')
    return ZoneOutput(device=device, channels=tuple(channels))


def _fallback(value: Located | None) -> bool:
    if value is None or value.is_null:
        return False
    text = raw_text(value, "fallback")
    if text not in ("file", "none"):
        raise value.fail(
            "bad_fallback", f'fallback "{text}" không hợp lệ (dùng "file" hoặc "none")'
        )
    return text == "file"


def parse_zone_groups(
    section: Located | None,
    zone_ids: tuple[str, ...],
    collector: DiagnosticCollector,
    taken: dict[str, int],
) -> dict[str, tuple[str, ...]]:
    """Group id to the zones it holds (expanded, in declaration order); loops are refused."""
    if section is None or section.is_null:
        return {}
    members: dict[str, list[Located] | None] = {}  # None: every zone
    keys = section.keys("zone_groups")
    for group_id, value in section.mapping("zone_groups").items():
        with collector.guard():
            if group_id in taken:
                raise keys[group_id].fail(
                    "duplicate_id", f'mã "{group_id}" bị trùng với mục ở dòng {taken[group_id]}'
                )
            taken[group_id] = keys[group_id].line
            if isinstance(value.node, yaml.ScalarNode) and value.node.value == ALL_ZONES:
                members[group_id] = None
            else:
                members[group_id] = value.items(f'nhóm "{group_id}"')
    names = {
        group: [checked(collector, partial(raw_text, ref, "khu vực"), "") for ref in refs or []]
        for group, refs in members.items()
    }
    inner = {group: [n for n in found if n in members] for group, found in names.items()}
    try:
        order = list(TopologicalSorter(inner).static_order())  # contained groups first
    except CycleError as exc:
        loop = list(reversed(exc.args[1]))  # the library lists each group before its container
        collector.add(
            keys[loop[0]].diagnostic(
                "zone_group_loop", f"nhóm khu vực lặp vòng: {' → '.join(loop)}"
            )
        )
        return {group: () for group in members}  # still known: slots naming them add no error
    known = [*zone_ids, *members]
    expanded: dict[str, tuple[str, ...]] = {}
    for group in order:
        if members[group] is None:
            expanded[group] = zone_ids
            continue
        found: set[str] = set()
        for ref, name in zip(members[group] or [], names[group], strict=True):
            if name in expanded:
                found.update(expanded[name])
            elif name in zone_ids:
                found.add(name)
            elif name:
                collector.add(ref.diagnostic("unknown_zone", unknown_zone_message(name, known)))
        expanded[group] = tuple(z for z in zone_ids if z in found)
    return expanded


def unknown_zone_message(name: str, known: Iterable[str]) -> str:
    hint = yamlsource.did_you_mean(name, known)
    return f'khu vực "{name}" không có trong zones hay zone_groups{hint}'


def resolve_zones(
    refs: Located,
    zone_ids: tuple[str, ...],
    groups: Mapping[str, tuple[str, ...]],
) -> tuple[str, ...]:
    """Zone and group names as written in a slot, expanded to zone ids in declaration order."""
    found: set[str] = set()
    known = [*zone_ids, *groups]
    for ref in refs.items("zones"):
        name = raw_text(ref, "khu vực")
        if name in groups:
            found.update(groups[name])
        elif name in zone_ids:
            found.add(name)
        else:
            raise ref.fail("unknown_zone", unknown_zone_message(name, known))
    return tuple(z for z in zone_ids if z in found)
