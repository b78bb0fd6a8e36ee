"""``broadcast clusters bridge``: the ward broker's bridge to a provincial broker, printed and
saved beside the generated ``mosquitto.conf``, with the ward's accounts as the provincial
broker needs them (``broadcast.clusters.bridge`` makes both; docs/ip-clusters.md §5a).

The bridge's password on the provincial broker is made once and kept (0600) in
``data/clusters/bridge.password`` — or taken from ``--password-file`` when the province gave
one — so running the command again (after clusters were added or removed, to give the province
their accounts) keeps the bridge's login.
"""

from __future__ import annotations

from pathlib import Path

from broadcast.cli.cluster_inputs import Refusal
from broadcast.cli.project import Project
from broadcast.clusters.bridge import WardBridge, provincial_users, ward_bridge_conf
from broadcast.clusters.broker_files import BrokerUser, acl_text, cluster_acl, passwd_text
from broadcast.clusters.credentials import kept_password, write_private
from broadcast.clusters.registry import ClusterFiles, ClusterRegistry
from broadcast.config.ip_clusters import IpClusterSettings

INSTALLED_BRIDGE = "/etc/mosquitto/conf.d/loa-phuong-bridge.conf"  # on the ward broker's host


def bridge_command(
    project: Project,
    settings: IpClusterSettings,
    files: ClusterFiles,
    *,
    remote: str,
    cafile: str | None = None,
    certfile: str | None = None,
    keyfile: str | None = None,
    password_file: str | None = None,
) -> None:
    host, port = _remote(remote)
    project.paths.make_private_data_dir()
    if password_file is not None:
        write_private(files.bridge_password, _given_password(Path(password_file)) + "\n")
    try:
        bridge = WardBridge(
            settings.ward,
            host,
            port,
            kept_password(files.bridge_password),
            cafile=_broker_path(cafile, "--cafile"),
            certfile=_broker_path(certfile, "--certfile"),
            keyfile=_broker_path(keyfile, "--keyfile"),
        )
    except ValueError as exc:
        raise Refusal(str(exc)) from exc
    text = ward_bridge_conf(bridge)
    write_private(files.bridge_conf, text)
    clusters = _province_files(files, bridge)
    shown = project.paths.relative
    print(
        f"Cấu hình cầu nối của phường {settings.ward} lên máy chủ MQTT của tỉnh "
        f"({host}:{port}), đã lưu ở {shown(files.bridge_conf)} (có mật khẩu cầu nối: chỉ chủ "
        "tài khoản đọc được):\n"
    )
    print(text)
    tls = "mqtts://" if bridge.cafile is not None else ""
    print(f"""\
Các bước:
  1. Trên máy chạy Mosquitto của phường (cầu nối chỉ được đọc khi Mosquitto khởi động):
     sudo install -m 0640 -g mosquitto {shown(files.bridge_conf)} {INSTALLED_BRIDGE}
     sudo systemctl restart mosquitto
  2. Gửi cho người quản lý máy chủ tỉnh hai tệp trong {shown(files.province_dir)}/ (passwd,
     acl: chỉ có bản băm mật khẩu): tài khoản cầu nối {bridge.username} và {clusters} cụm loa.
  3. Trong receiver.yaml của mỗi cụm loa, dòng broker: ghi máy chủ của tỉnh: "{tls}{host}:{port}".
Thêm, sửa hay xóa cụm loa thì chạy lại lệnh này rồi gửi lại hai tệp cho tỉnh (mật khẩu cầu nối
giữ nguyên).""")


def _remote(text: str) -> tuple[str, int]:
    host, colon, port = text.strip().rpartition(":")
    if colon and host.strip("[]") and port.isdigit() and 0 < int(port) < 65536:
        return host.strip("[]"), int(port)
    raise Refusal(
        f'--remote "{text}" không hợp lệ: cần dạng máy:cổng của máy chủ tỉnh, ví dụ '
        "mqtt.tinh.example.vn:8883"
    )


def _given_password(path: Path) -> str:
    try:
        password = path.read_text("utf-8").strip()
    except OSError as exc:
        raise Refusal(f"không đọc được {path}: {exc.strerror or exc}") from exc
    if not password:
        raise Refusal(f"tệp mật khẩu {path} trống")
    return password


def _broker_path(given: str | None, option: str) -> Path | None:
    """A file named in the bridge's lines, as Mosquitto on the broker's host must find it: a
    file here by its absolute path; else the path given, which must then be absolute (the
    broker's host may be another machine)."""
    if given is None:
        return None
    path = Path(given)
    if path.is_file():
        return path.resolve()
    if not path.is_absolute():
        raise Refusal(
            f'{option} "{given}": không có tệp này ở đây; ghi đường dẫn tuyệt đối của tệp trên '
            "máy chạy Mosquitto của phường"
        )
    return path


def _province_files(files: ClusterFiles, bridge: WardBridge) -> int:
    """The ward's accounts on the provincial broker (the bridge's and every active
    cluster's) into ``files.province_dir``; how many clusters."""
    registry = ClusterRegistry(files.registry) if files.registry.exists() else None
    clusters = registry.clusters() if registry else []
    ward_users = [
        BrokerUser(c.username, c.password_hash, cluster_acl(bridge.ward, c.id)) for c in clusters
    ]
    users = provincial_users(ward_users, bridge.ward, bridge.password)
    write_private(files.province_dir / "passwd", passwd_text(users))
    write_private(files.province_dir / "acl", acl_text(users))
    return len(clusters)
