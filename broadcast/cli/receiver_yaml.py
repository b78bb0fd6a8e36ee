"""What ``broadcast clusters add`` hands the technician: the box's ``receiver.yaml`` and the steps.

The file is complete (``broadcast receiver --config`` reads it as it is, see
``broadcast.receiver.settings``) except the amplifier's sound card, which only the box knows.
Comments are in Vietnamese: the technician edits it on the box.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from broadcast.clusters.signing import PublicKey
from broadcast.config.ip_clusters import IpClusterSettings

RECEIVER_DATA_DIR = "/var/lib/loa-phuong-receiver"  # on the box
BOX_CONFIG_PATH = "/etc/loa-phuong/receiver.yaml"  # where the steps put the file on the box


@dataclass(frozen=True)
class NewCluster:
    id: str
    name: str
    zone: str
    zone_name: str
    password: str
    added_at: datetime


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's): no value is misread."""
    return json.dumps(text, ensure_ascii=False)


ZONE_COMMENT = "# Khu vực của đài mà cụm loa phát:"


def _title_line(cluster_id: str, name: str) -> str:
    return f'# Cấu hình bộ thu của cụm loa IP "{cluster_id}" ({name}).'


def _zone_comment(zone_name: str) -> str:
    return f"{ZONE_COMMENT} {zone_name}."


def _zone_line(zone: str) -> str:
    return f"zone: {_quoted(zone)}"


def receiver_yaml(
    cluster: NewCluster, settings: IpClusterSettings, key: PublicKey, timezone: str
) -> str:
    when = cluster.added_at.strftime("%Y-%m-%d %H:%M")
    return f"""\
{_title_line(cluster.id, cluster.name)}
# Tạo bởi `broadcast clusters add` lúc {when}. Tệp có MẬT KHẨU của cụm loa: chỉ chép lên
# hộp điều khiển của cụm (chmod 600), không gửi qua tin nhắn hay thư điện tử.

# Mã cụm loa: tên đăng nhập MQTT và một cấp của kênh tin nhắn.
cluster: {_quoted(cluster.id)}
# Mã phường (ip_clusters.ward trong schedules.yaml của đài).
ward: {_quoted(settings.ward)}
{_zone_comment(cluster.zone_name)}
{_zone_line(cluster.zone)}

# Máy chủ MQTT (Mosquitto) của đài, và tài khoản riêng của cụm loa này.
broker: {_quoted(settings.broker)}
username: {_quoted(cluster.id)}
# Chỉ hiện một lần: đài chỉ giữ bản băm. Mất mật khẩu thì xóa cụm loa rồi thêm lại.
password: {_quoted(cluster.password)}

# Khóa công khai của đài: cụm loa chỉ phát tin nhắn có chữ ký khớp với khóa này.
station_keys:
  - {_quoted(key.text)}

# Nơi cụm loa tải âm thanh theo mã băm (GET <audio_url>/audio/<sha256>).
audio_url: {_quoted(settings.audio_url)}
# Máy chủ MQTT dùng TLS (mqtts://) hay audio_url là https:// với chứng chỉ do phường hay tỉnh
# tự cấp: bỏ dấu # ở dòng dưới, ghi đường dẫn tệp chứng chỉ gốc (CA) đó trên hộp.
# tls_ca_file: "/etc/loa-phuong/ca.crt"
# Cụm loa báo trạng thái mỗi ngần ấy giây; im quá {settings.silent_after_seconds} giây \
là đài báo động.
heartbeat_seconds: {settings.heartbeat_seconds}

# Thư mục trên hộp: lịch phát đã nhận, âm thanh đã tải, nhật ký phát của cụm loa.
data: {_quoted(RECEIVER_DATA_DIR)}

# Card âm thanh nối với ampli của cụm loa: SỬA dòng device cho đúng tên card
# (xem danh sách trên hộp: python3 -m sounddevice), kênh đánh số từ 1.
output:
  device: "default"
  channels: [1]
  volume_db: 0

timezone: {_quoted(timezone)}
"""


def install_steps(cluster_id: str, receiver_file: str, broker_files: str) -> str:
    """The technician's steps after ``clusters add``, with the files' paths as printed."""
    return f"""\
Các bước cài đặt cụm loa "{cluster_id}":
  1. Chép {receiver_file} sang hộp điều khiển của cụm loa, vào {BOX_CONFIG_PATH}
     (ví dụ: scp {receiver_file} <người-dùng>@<địa-chỉ-hộp>:{BOX_CONFIG_PATH}),
     rồi sửa dòng "device" cho đúng card âm thanh nối với ampli.
  2. Trên hộp: cài chương trình (deploy/linux.md) rồi chạy
     broadcast receiver --config {BOX_CONFIG_PATH}
     (hoặc bật dịch vụ systemd của bộ thu để nó tự chạy khi hộp khởi động).
  3. Trên máy chạy Mosquitto: chép tài khoản và quyền của các cụm loa rồi nạp lại:
     sudo install -d /etc/mosquitto/loa-phuong
     sudo install -m 0640 -g mosquitto {broker_files}/passwd {broker_files}/acl \
/etc/mosquitto/loa-phuong/
     sudo install -m 0644 {broker_files}/mosquitto.conf /etc/mosquitto/conf.d/loa-phuong.conf
     sudo systemctl reload mosquitto
"""


def revoke_steps(broker_files: str) -> str:
    return f"""\
Để thu hồi ngay trên máy chạy Mosquitto:
     sudo install -m 0640 -g mosquitto {broker_files}/passwd {broker_files}/acl \
/etc/mosquitto/loa-phuong/
     sudo systemctl reload mosquitto
"""


def edited_receiver_yaml(
    text: str, cluster_id: str, name: str, zone: str | None = None, zone_name: str = ""
) -> str:
    """The kept ``receiver.yaml`` after ``clusters edit``: its title line with the new name and,
    with ``zone``, its zone lines; every other line (the password, a device set by hand) as it
    was."""
    title = _title_line(cluster_id, "")[: -len(").")]  # how the title line begins
    out = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        end = line[len(body) :]
        if body.startswith(title):
            body = _title_line(cluster_id, name)
        elif zone is not None and body.startswith(ZONE_COMMENT):
            body = _zone_comment(zone_name or zone)
        elif zone is not None and body.startswith("zone:"):
            body = _zone_line(zone)
        out.append(body + end)
    return "".join(out)
