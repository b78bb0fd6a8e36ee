"""``broadcast clusters``: the IP loudspeaker clusters of the ward (add, list, edit, remove,
bridge).

``add`` registers a cluster for a zone written ``output: ip``, gives it a broker account of its
own (password shown once, kept hashed), makes Mosquitto's files again and prints the box's
``receiver.yaml``; ``edit`` renames it or moves it to another zone (``cluster_edit``);
``remove`` revokes its account; ``bridge`` prints the ward broker's bridge to a provincial one
(``cluster_bridge``). Files live in ``data/clusters/``. After a change the running daemon is
asked to plan the clusters again (``cluster_daemon``).
"""

from __future__ import annotations

import argparse
import sys

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.cluster_bridge import bridge_command
from broadcast.cli.cluster_daemon import tell_daemon
from broadcast.cli.cluster_edit import edit_cluster, print_history
from broadcast.cli.cluster_inputs import (
    Refusal,
    active_cluster,
    cluster_name,
    ip_settings,
    ip_zone,
)
from broadcast.cli.output import print_json, print_table
from broadcast.cli.project import Project, load_project
from broadcast.cli.receiver_yaml import (
    NewCluster,
    install_steps,
    receiver_yaml,
    revoke_steps,
)
from broadcast.clusters.broker_files import STATION_USER, hash_password
from broadcast.clusters.credentials import new_password, write_broker_files, write_private
from broadcast.clusters.registry import (
    ClusterFiles,
    ClusterRegistry,
    ClusterTaken,
    UnknownCluster,
)
from broadcast.clusters.signing import StationKey
from broadcast.clusters.topics import check_id
from broadcast.config.ip_clusters import IpClusterSettings
from broadcast.paths import ProjectPaths

ORDER = 82
ADD_HINT = 'broadcast clusters add MÃ --name "Tên cụm loa" --zone KHU-VỰC'
COLUMNS = [("id", "Mã"), ("name", "Tên"), ("zone", "Khu vực"), ("added", "Thêm lúc")]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "clusters",
        help="cụm loa IP: thêm, xem, xóa",
        description="Quản lý các cụm loa IP (hộp điều khiển nối mạng 4G trên cột loa) phát "
        "khu vực có output: ip. Mỗi cụm có tài khoản MQTT riêng, chỉ đọc được kênh của mình "
        "(và âm thanh bản tin đài đẩy chung cho phường); "
        "mật khẩu chỉ hiện một lần khi thêm, đài chỉ lưu bản băm. Tệp nằm trong data/clusters/.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add",
        help="thêm cụm loa và in tệp receiver.yaml để cài lên hộp",
        description="Thêm một cụm loa IP cho một khu vực output: ip, tạo tài khoản MQTT của "
        "nó và in tệp receiver.yaml cùng các bước cài đặt.",
    )
    add.add_argument("id", metavar="MÃ", help="mã cụm loa: chữ thường không dấu, số, - và _")
    add.add_argument("--name", required=True, help="tên cụm loa, ví dụ: Cụm loa chợ Long Anh")
    add.add_argument("--zone", required=True, help="khu vực (output: ip) mà cụm loa phát")
    listing = actions.add_parser("list", help="xem các cụm loa")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.add_argument(
        "--history",
        action="store_true",
        help="cụm loa nào phát khu vực nào, từ lúc nào đến lúc nào (cả cụm đã xóa)",
    )
    edit = actions.add_parser(
        "edit",
        help="đổi tên cụm loa hoặc chuyển nó sang khu vực khác (giữ tài khoản MQTT)",
        description="Đổi tên và/hoặc khu vực (output: ip) của một cụm loa đã thêm. Tài khoản "
        "và mật khẩu giữ nguyên; báo cáo những ngày trước vẫn tính cụm loa ở khu vực cũ.",
    )
    edit.add_argument("id", metavar="MÃ")
    edit.add_argument("--name", help="tên mới")
    edit.add_argument("--zone", help="khu vực mới (output: ip)")
    remove = actions.add_parser("remove", help="xóa cụm loa (thu hồi tài khoản MQTT)")
    remove.add_argument("id", metavar="MÃ")
    bridge = actions.add_parser(
        "bridge",
        help="in cấu hình cầu nối Mosquitto của phường lên máy chủ MQTT của tỉnh",
        description="In và lưu (data/clusters/mosquitto/bridge.conf) khối connection để "
        "Mosquitto của phường nối cầu lên máy chủ MQTT của tỉnh, và tài khoản của phường cho "
        "máy chủ tỉnh (data/clusters/mosquitto/tinh/). Xem docs/ip-clusters.md mục 5a.",
    )
    bridge.add_argument("--remote", required=True, metavar="MÁY:CỔNG", help="máy chủ của tỉnh")
    bridge.add_argument(
        "--cafile",
        "--tls-ca",
        metavar="TỆP",
        help="chứng chỉ gốc đã ký chứng chỉ của máy chủ tỉnh: nối bằng TLS (cổng 8883)",
    )
    bridge.add_argument("--certfile", metavar="TỆP", help="chứng chỉ riêng của phường (nếu cần)")
    bridge.add_argument("--keyfile", metavar="TỆP", help="khóa của chứng chỉ riêng đó")
    bridge.add_argument(
        "--password-file",
        metavar="TỆP",
        help="mật khẩu cầu nối do tỉnh cấp (mặc định: đài tự tạo một lần và giữ lại)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    files = ClusterFiles.under(paths.data_dir)
    if args.action == "list":
        if args.history:
            print_history(files, args.json)
            return EXIT_OK
        return _list(files, args.json)
    project = load_project(paths)
    if project is None:
        return EXIT_INPUT_ERRORS
    try:
        settings = ip_settings(project.config)
        if args.action == "add":
            _add(project, settings, files, args.id, args.name, args.zone)
        elif args.action == "edit":
            edit_cluster(project, files, args.id, args.name, args.zone)
        elif args.action == "bridge":
            bridge_command(
                project,
                settings,
                files,
                remote=args.remote,
                cafile=args.cafile,
                certfile=args.certfile,
                keyfile=args.keyfile,
                password_file=args.password_file,
            )
        else:
            _remove(project, settings, files, args.id)
    except Refusal as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return EXIT_INPUT_ERRORS
    return EXIT_OK


def _add(
    project: Project,
    settings: IpClusterSettings,
    files: ClusterFiles,
    cluster_id: str,
    name_given: str,
    zone_given: str,
) -> None:
    try:
        check_id(cluster_id, "mã cụm loa")
    except ValueError as exc:
        raise Refusal(str(exc)) from exc
    if cluster_id == STATION_USER:
        raise Refusal(f'mã "{STATION_USER}" là tài khoản MQTT của đài; chọn mã khác')
    name = cluster_name(name_given)
    zone = ip_zone(project.config, zone_given)
    paths = project.paths
    paths.make_private_data_dir()
    key = StationKey.load_or_create(files.station_key)
    registry = ClusterRegistry(files.registry)
    password = new_password()
    now = project.clock.now()
    try:
        registry.add(
            cluster_id, name=name, zone=zone.id, password_hash=hash_password(password), now=now
        )
    except ClusterTaken as exc:
        raise Refusal(
            f'đã có cụm loa "{cluster_id}"; chọn mã khác, hoặc xóa cụm cũ trước: '
            f"broadcast clusters remove {cluster_id}"
        ) from exc
    broker = write_broker_files(files, registry, settings.ward, port=settings.broker_port)
    cluster = NewCluster(cluster_id, name, zone.id, zone.name, password, now)
    text = receiver_yaml(cluster, settings, key.public, project.config.timezone.key)
    target = files.receiver_config(cluster_id)
    write_private(target, text)
    shown = paths.relative(target)
    print(f'Đã thêm cụm loa "{cluster_id}" ({name}) cho khu vực "{zone.id}" ({zone.name}).')
    print(f"Tệp receiver.yaml (đã lưu ở {shown}, chỉ chủ tài khoản đọc được):\n")
    print(text)
    print(install_steps(cluster_id, shown, paths.relative(broker.passwd.parent)))
    print(tell_daemon(paths))


def _remove(
    project: Project, settings: IpClusterSettings, files: ClusterFiles, cluster_id: str
) -> None:
    registry, _ = active_cluster(files, cluster_id)
    try:
        registry.remove(cluster_id, now=project.clock.now())
    except UnknownCluster as exc:  # removed meanwhile by another command
        raise Refusal(f'không có cụm loa "{cluster_id}"') from exc
    broker = write_broker_files(files, registry, settings.ward, port=settings.broker_port)
    files.receiver_config(cluster_id).unlink(missing_ok=True)  # it holds the old password
    print(f'Đã xóa cụm loa "{cluster_id}": tài khoản MQTT của nó bị thu hồi.')
    print(revoke_steps(project.paths.relative(broker.passwd.parent)))
    print(tell_daemon(project.paths))


def _list(files: ClusterFiles, as_json: bool) -> int:
    # Reading never creates the registry: a ward without clusters keeps no file for them.
    found = ClusterRegistry(files.registry).clusters() if files.registry.exists() else []
    if as_json:
        print_json(
            [
                {"id": c.id, "name": c.name, "zone": c.zone, "created_at": c.created_at}
                for c in found
            ]
        )
        return EXIT_OK
    if not found:
        print(f"Chưa có cụm loa IP nào; thêm bằng: {ADD_HINT}")
        return EXIT_OK
    rows = [
        {"id": c.id, "name": c.name, "zone": c.zone, "added": f"{c.created_at:%Y-%m-%d %H:%M}"}
        for c in found
    ]
    print_table(COLUMNS, rows)
    return EXIT_OK
