"""``broadcast clusters edit``: a registered cluster renamed or moved to another zone, and
``clusters list --history``: which cluster served which zone when.

The cluster keeps its credentials: Mosquitto's files hold only its id and password hash, so
they are not written again, and the box needs no new ``receiver.yaml`` — its plans come from
the station, made for the zone the registry names. A move closes the cluster's service of the
old zone at that instant and opens one of the new (``ClusterRegistry.memberships``): reports on
past days still expect it in the old zone.
"""

from __future__ import annotations

from datetime import datetime

from broadcast.cli.cluster_daemon import tell_daemon
from broadcast.cli.cluster_inputs import Refusal, active_cluster, cluster_name, ip_zone
from broadcast.cli.output import print_json, print_table
from broadcast.cli.project import Project
from broadcast.cli.receiver_yaml import edited_receiver_yaml
from broadcast.clusters.credentials import write_private
from broadcast.clusters.registry import ClusterFiles, ClusterRegistry, UnknownCluster
from broadcast.config.model import Zone

HISTORY_COLUMNS = [
    ("cluster", "Mã"),
    ("name", "Tên"),
    ("zone", "Khu vực"),
    ("since", "Từ"),
    ("until", "Đến"),
]


def edit_cluster(
    project: Project,
    files: ClusterFiles,
    cluster_id: str,
    name_given: str | None,
    zone_given: str | None,
) -> None:
    if name_given is None and zone_given is None:
        raise Refusal("không có gì để sửa: cho --name TÊN-MỚI, --zone KHU-VỰC-MỚI, hoặc cả hai")
    registry, before = active_cluster(files, cluster_id)
    name = None if name_given is None else cluster_name(name_given)
    zone = None if zone_given is None else ip_zone(project.config, zone_given)
    if name is not None and name == before.name:
        raise Refusal(f'cụm loa "{cluster_id}" đã có tên "{name}"')
    if zone is not None and zone.id == before.zone:
        also = "; chỉ đổi tên thì bỏ --zone" if name is not None else ""
        raise Refusal(f'cụm loa "{cluster_id}" đã phát khu vực "{zone.id}"{also}')
    now = project.clock.now()
    try:
        after = registry.edit(
            cluster_id, name=name, zone=None if zone is None else zone.id, now=now
        )
    except UnknownCluster as exc:  # removed meanwhile by another command
        raise Refusal(f'không có cụm loa "{cluster_id}"') from exc
    print(f'Đã sửa cụm loa "{cluster_id}":')
    if name is not None:
        print(f"  tên: {before.name} → {after.name}")
    if zone is not None:
        print(
            f"  khu vực: {_zone_label(project, before.zone)} → {zone.id} ({zone.name}), "
            f"từ {now:%Y-%m-%d %H:%M:%S}"
        )
    print(
        "Tài khoản MQTT và mật khẩu của cụm loa giữ nguyên: không cần cài lại hộp điều khiển, "
        "không cần nạp lại Mosquitto."
    )
    _edit_kept_file(project, files, cluster_id, after.name, zone)
    print(tell_daemon(project.paths))


def _zone_label(project: Project, zone_id: str) -> str:
    known = next((z for z in project.config.zones if z.id == zone_id), None)
    return f"{zone_id} ({known.name})" if known else zone_id


def _edit_kept_file(
    project: Project, files: ClusterFiles, cluster_id: str, name: str, zone: Zone | None
) -> None:
    """The station's copy of the box's ``receiver.yaml`` (it holds the password, so it is
    edited line by line, never made again) says the new name and zone."""
    kept = files.receiver_config(cluster_id)
    if not kept.exists():
        return
    text = kept.read_text("utf-8")
    edited = edited_receiver_yaml(
        text, cluster_id, name, None if zone is None else zone.id, zone.name if zone else ""
    )
    if edited != text:
        write_private(kept, edited)
        shown = project.paths.relative(kept)
        print(f"Đã sửa bản receiver.yaml lưu ở {shown} (mật khẩu giữ nguyên).")


def print_history(files: ClusterFiles, as_json: bool) -> None:
    """Every cluster's service of a zone, oldest first; removed clusters' too."""
    found = ClusterRegistry(files.registry).memberships() if files.registry.exists() else []
    if as_json:
        print_json(
            [
                {
                    "cluster_id": m.cluster_id,
                    "name": m.name,
                    "zone": m.zone,
                    "since": m.since,
                    "until": m.until,
                }
                for m in found
            ]
        )
        return
    if not found:
        print("Chưa có cụm loa IP nào.")
        return
    rows = [
        {
            "cluster": m.cluster_id,
            "name": m.name,
            "zone": m.zone,
            "since": _minute(m.since),
            "until": "nay" if m.until is None else _minute(m.until),
        }
        for m in found
    ]
    print_table(HISTORY_COLUMNS, rows)


def _minute(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"
