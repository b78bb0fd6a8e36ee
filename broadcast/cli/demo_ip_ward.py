"""The demo's IP zone in its copy of the ward: ``schedules.yaml`` of ``demo_out/ward/`` gets an
``ip_clusters:`` section on loopback and one zone ``output: ip`` heard in every slot.

The copy is edited as text, line by line where YAML put each value (``yaml.compose``): its
comments and layout stay as the ward wrote them, and the ward's own file is never touched. A
copy that cannot take the zone (an odd layout, a zone id taken) is left as it was, and the
demo says why its IP part is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from broadcast.config import load_config
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths

ZONE_ID = "tdp-9"
ZONE_NAME = "Tổ dân phố 9 (cụm loa IP)"
WARD_ID = "demo"  # the topic level of the demo's clusters: loa-phuong/demo/<cluster>/<kind>
HEARTBEAT_SECONDS = 5  # the demo's receiver reports often: its status is seen within seconds
SILENT_AFTER_SECONDS = 30


class WardNotEditable(Exception):
    """Why the copy's schedules.yaml cannot take the IP zone (Vietnamese)."""


@dataclass(frozen=True)
class IpZonePorts:
    broker: int  # Mosquitto's, on 127.0.0.1
    audio: int  # the station's audio server, on 127.0.0.1


def _last_line(node: yaml.Node) -> int:
    """The (0-based) line where ``node``'s last value ends: what follows can go on the next."""
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return max(_last_line(value) for _key, value in node.value)
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return max(_last_line(item) for item in node.value)
    end = node.end_mark
    # a block scalar ends at the start of the line after it
    return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line


def _top(root: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    return next(((k, v) for k, v in root.value if k.value == key), None)


def _item_indent(lines: list[str], item: yaml.Node) -> str:
    """The indentation of the ``-`` that opens the block sequence's ``item``."""
    line = lines[item.start_mark.line]
    dash = line.rfind("-", 0, item.start_mark.column)
    if dash < 0 or line[:dash].strip():
        raise WardNotEditable("danh sách trong schedules.yaml viết theo kiểu khác thường")
    return line[:dash]


def _zone_lines(lines: list[str], zones: yaml.Node) -> tuple[int, list[str]]:
    if not isinstance(zones, yaml.SequenceNode) or zones.flow_style or not zones.value:
        raise WardNotEditable("mục zones: không phải danh sách khu vực dạng khối")
    indent = _item_indent(lines, zones.value[-1])
    text = [
        f"{indent}- id: {ZONE_ID}",
        f"{indent}  name: {ZONE_NAME}",
        f"{indent}  output: ip   # chạy thử: cụm loa IP demo-1 trên máy này",
    ]
    return _last_line(zones) + 1, text


def _ip_clusters_lines(ports: IpZonePorts) -> list[str]:
    return [
        "",
        "# Chạy thử (broadcast demo): cụm loa IP trên chính máy này, máy chủ MQTT riêng của",
        "# buổi chạy thử. Chỉ có trong bản sao demo_out/ward/, không có trong lịch phát thật.",
        "ip_clusters:",
        f"  ward: {WARD_ID}",
        f'  broker: "127.0.0.1:{ports.broker}"',
        f'  audio_url: "http://127.0.0.1:{ports.audio}"',
        f"  heartbeat_seconds: {HEARTBEAT_SECONDS}",
        f"  silent_after_seconds: {SILENT_AFTER_SECONDS}",
    ]


def _slot_insertions(
    lines: list[str], root: yaml.MappingNode, slot_ids: set[str]
) -> list[tuple[int, list[str], int]]:
    """Where the IP zone goes in the zones of ``slot_ids``: (line, new lines, column) — with
    a column, the text goes inside that line (a flow list ``[a, b]``)."""
    found = _top(root, "slots")
    if found is None or not isinstance(found[1], yaml.SequenceNode):
        return []
    edits = []
    for slot in found[1].value:
        if not isinstance(slot, yaml.MappingNode):
            continue
        fields = {key.value: value for key, value in slot.value}
        slot_id = getattr(fields.get("id"), "value", None)
        zones = fields.get("zones")
        if slot_id not in slot_ids or zones is None:
            continue
        if isinstance(zones, yaml.SequenceNode) and zones.flow_style:
            closing = zones.end_mark.column - 1  # the "]"
            edits.append((zones.end_mark.line, [", " if zones.value else "", ZONE_ID], closing))
        elif isinstance(zones, yaml.SequenceNode) and zones.value:
            indent = _item_indent(lines, zones.value[-1])
            edits.append((_last_line(zones) + 1, [f"{indent}- {ZONE_ID}"], -1))
        else:
            raise WardNotEditable(f'khung giờ "{slot_id}": mục zones viết theo kiểu khác thường')
    return edits


def _edited(text: str, ports: IpZonePorts, slots_without: set[str]) -> str:
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        raise WardNotEditable("schedules.yaml không phải một bảng khóa: giá trị")
    lines = text.splitlines()
    zones = _top(root, "zones")
    if zones is None:
        raise WardNotEditable("schedules.yaml không có mục zones")
    if _top(root, "ip_clusters") is not None:
        raise WardNotEditable("bản sao đã có mục ip_clusters (cụm loa IP thật của phường)")
    at, zone_text = _zone_lines(lines, zones[1])
    edits = [(at, zone_text, -1), *_slot_insertions(lines, root, slots_without)]
    # from the bottom up: a line number above an edit is still right once it is made
    for line, new, column in sorted(edits, key=lambda e: (e[0], e[2]), reverse=True):
        if column >= 0:
            lines[line] = lines[line][:column] + "".join(new) + lines[line][column:]
        else:
            lines[line:line] = new
    return "\n".join(lines + _ip_clusters_lines(ports)) + "\n"


def add_ip_zone(copy: ProjectPaths, ports: IpZonePorts) -> None:
    """Give the copy's timetable the IP zone in every slot and ``ip_clusters`` on loopback;
    ``WardNotEditable`` (the file left as it was) when it cannot."""
    path = copy.schedules_file
    original = path.read_text("utf-8")
    try:
        config = load_config(copy)
        if ZONE_ID in config.zone_ids:
            raise WardNotEditable(f'lịch phát đã có khu vực "{ZONE_ID}"')
        slots = {slot.id for slot in config.slots}
        path.write_text(_edited(original, ports, set()), "utf-8")
        # a slot on a group such as "all" hears the new zone already; the others are told
        missing = {s.id for s in load_config(copy).slots if ZONE_ID not in s.zones} & slots
        if missing:
            path.write_text(_edited(original, ports, missing), "utf-8")
        left_out = [s.id for s in load_config(copy).slots if ZONE_ID not in s.zones]
        if left_out:
            raise WardNotEditable(f"không thêm được khu vực IP vào khung giờ {', '.join(left_out)}")
    except (InputError, yaml.YAMLError) as exc:
        path.write_text(original, "utf-8")
        message = f"schedules.yaml của bản sao không nhận được khu vực IP: {exc}"
        raise WardNotEditable(message) from exc
    except WardNotEditable:
        path.write_text(original, "utf-8")
        raise
