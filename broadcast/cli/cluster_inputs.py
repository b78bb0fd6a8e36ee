"""What ``broadcast clusters`` checks before it changes anything: the ``ip_clusters:`` section,
a zone heard through IP clusters, a cluster's name, a registered cluster; each refusal in
Vietnamese (printed after "Lỗi: ")."""

from __future__ import annotations

import unicodedata

from broadcast import yamlsource
from broadcast.clusters.registry import Cluster, ClusterFiles, ClusterRegistry
from broadcast.config import Config
from broadcast.config.ip_clusters import IpClusterSettings
from broadcast.config.model import Zone


class Refusal(Exception):
    """Why the command cannot do what was asked (Vietnamese, printed after "Lỗi: ")."""


def ip_settings(config: Config) -> IpClusterSettings:
    if config.ip_clusters is None:
        raise Refusal(
            f"{config.source} chưa có mục ip_clusters (ward, broker, audio_url): thêm mục này "
            "và một khu vực output: ip trước khi thêm cụm loa"
        )
    return config.ip_clusters


def ip_zone(config: Config, given: str) -> Zone:
    """The ``output: ip`` zone ``given`` names (id or name), or why it cannot be."""
    reference = config.zone_reference(given)
    ip_zones = config.ip_zone_ids
    if reference in config.zone_groups:
        raise Refusal(f'"{given}" là nhóm khu vực; chọn một khu vực: {", ".join(ip_zones)}')
    zone = next((z for z in config.zones if z.id == reference), None)
    if zone is None:
        raise Refusal(config.unknown_zone_message(given))
    if not zone.is_ip:
        choices = f"; các khu vực output: ip: {', '.join(ip_zones)}" if ip_zones else ""
        raise Refusal(
            f'khu vực "{zone.id}" phát qua card âm thanh của đài, không phải output: ip{choices}'
        )
    return zone


def cluster_name(given: str) -> str:
    """A cluster's name as typed, trimmed; refused when empty or with a line break or another
    control character (the name is written in a comment line of the box's receiver.yaml: a
    line break there would start a line of settings)."""
    name = given.strip()
    if not name:
        raise Refusal("tên cụm loa trống")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise Refusal("tên cụm loa không được có xuống dòng hay ký tự điều khiển")
    return name


def active_cluster(files: ClusterFiles, cluster_id: str) -> tuple[ClusterRegistry, Cluster]:
    """The registry and its active cluster ``cluster_id``, or why there is none (a removed
    cluster is said to be removed; an unknown id gets the closest active one)."""
    registry = ClusterRegistry(files.registry) if files.registry.exists() else None
    found = registry.get(cluster_id, removed=True) if registry else None
    if registry is None or found is None:
        active = [c.id for c in registry.clusters()] if registry else []
        hint = yamlsource.did_you_mean(cluster_id, active)
        raise Refusal(f'không có cụm loa "{cluster_id}"{hint}')
    if found.removed_at is not None:
        raise Refusal(
            f'cụm loa "{cluster_id}" đã bị xóa lúc {found.removed_at:%Y-%m-%d %H:%M}; thêm lại '
            f"bằng: broadcast clusters add {cluster_id} --name … --zone …"
        )
    return registry, found
