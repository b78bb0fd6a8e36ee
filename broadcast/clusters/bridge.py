"""A ward's Mosquitto bridged to a provincial broker: the lines for both ends.

One province, many wards: each ward's station talks to its own Mosquitto (on the station PC
or in the ward office, no public address needed), and that broker dials out to the province's
broker on the internet, where the clusters' 4G modems connect. The bridge carries exactly one
ward's topics, each kind in its own direction:

- down kinds (``plan``, ``now``, ``stop``, ``ack``) go ``out``, ward → province: a hijacked
  provincial broker cannot even rewrite the ward's retained plans (and could not make a
  receiver play anything anyway: every down message is signed);
- up kinds (``status``, ``played``, ``event``) come ``in``, province → ward, to the station.

QoS 1 both ways with persistent sessions on both ends (``cleansession false``): while the link
is down each broker queues what the other has not yet taken, and delivers it on reconnection.
The receiver does not change: it is given the provincial broker's host and port instead of
the ward's (``receiver.yaml``). The bridge's account on the provincial broker may do exactly
what the station may do on its own broker (``broker_files.station_acl``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from broadcast.clusters.broker_files import (
    MAX_QUEUED_MESSAGES,
    STATION_USER,
    BrokerUser,
    hash_password,
    station_acl,
)
from broadcast.clusters.messages import DOWN_KINDS, UP_KINDS
from broadcast.clusters.topics import PREFIX, audio_filter, check_id

BRIDGE_USER_PREFIX = "bridge-"
QOS = 1
# MAX_QUEUED_MESSAGES (broker_files): the bridge's one session carries a whole ward's clusters,
# and the station's session their backlog once the bridge is back: an hour's outage of 100
# clusters is 12,000 heartbeats.


def bridge_user(ward: str) -> str:
    """The ward bridge's account name on the provincial broker (one per ward)."""
    return BRIDGE_USER_PREFIX + check_id(ward, "Mã phường")


@dataclass(frozen=True)
class WardBridge:
    """How one ward's broker reaches the provincial one.

    ``cafile``: the authority that signed the provincial broker's certificate; with it the
    bridge speaks TLS and checks the certificate against ``remote_host`` (use the TLS port,
    8883). ``certfile``/``keyfile``: the ward's own client certificate, if the province asks
    for one. ``restart_seconds``: first and longest wait between reconnection attempts.
    """

    ward: str
    remote_host: str
    remote_port: int
    password: str
    cafile: Path | None = None
    certfile: Path | None = None
    keyfile: Path | None = None
    restart_seconds: tuple[int, int] = (5, 120)
    keepalive_seconds: int = 60

    def __post_init__(self) -> None:
        check_id(self.ward, "Mã phường")
        # Mosquitto's configuration splits on white space: none may hide in a value
        for what, value in (
            ("Địa chỉ máy chủ tỉnh", self.remote_host),
            ("Mật khẩu", self.password),
        ):
            if not value or any(ch.isspace() for ch in value):
                raise ValueError(f"{what} không được trống hay chứa dấu cách, xuống dòng")
        if not 0 < self.remote_port < 65536:
            raise ValueError(f"Cổng {self.remote_port} không hợp lệ (1–65535)")
        if (self.certfile is None) != (self.keyfile is None):
            raise ValueError("Chứng chỉ riêng của phường cần cả certfile lẫn keyfile")
        if self.certfile is not None and self.cafile is None:
            raise ValueError("Chứng chỉ riêng của phường chỉ dùng được khi bật TLS (cafile)")
        first, longest = self.restart_seconds
        if not 0 < first <= longest:
            raise ValueError(f"restart_seconds {self.restart_seconds} không hợp lệ")

    @property
    def username(self) -> str:
        return bridge_user(self.ward)


def topic_lines(ward: str) -> list[str]:
    """One ``topic`` line per kind: down kinds (and the pushed audio) out to the province, up
    kinds in from it."""
    check_id(ward, "Mã phường")
    return (
        [f"topic {PREFIX}/{ward}/+/{kind} out {QOS}" for kind in DOWN_KINDS]
        + [f"topic {audio_filter(ward)} out {QOS}"]
        + [f"topic {PREFIX}/{ward}/+/{kind} in {QOS}" for kind in UP_KINDS]
    )


def ward_bridge_conf(bridge: WardBridge) -> str:
    """The block to append to the ward broker's ``mosquitto.conf``."""
    first, longest = bridge.restart_seconds
    lines = [
        f"# Cầu nối phường {bridge.ward} → máy chủ MQTT của tỉnh (do broadcast tạo)",
        f"connection {bridge.username}",
        f"address {bridge.remote_host}:{bridge.remote_port}",
        *topic_lines(bridge.ward),
        f"remote_username {bridge.username}",
        f"remote_password {bridge.password}",
        f"remote_clientid {bridge.username}",
        f"local_clientid {bridge.username}-local",
        # persistent sessions at both ends: what one side has not taken waits for it
        "cleansession false",
        "local_cleansession false",
        # tells the provincial broker this is a bridge: retained flags kept, no echo back
        "try_private true",
        "bridge_protocol_version mqttv311",
        "start_type automatic",
        f"restart_timeout {first} {longest}" if first != longest else f"restart_timeout {first}",
        f"keepalive_interval {bridge.keepalive_seconds}",
        # the link's state for the station only, never written into the province's topics
        "notifications true",
        "notifications_local_only true",
    ]
    if bridge.cafile is not None:
        lines += [
            f"bridge_cafile {bridge.cafile.as_posix()}",
            "bridge_insecure false",  # the certificate must name remote_host
            "bridge_tls_version tlsv1.2",
        ]
    if bridge.certfile is not None and bridge.keyfile is not None:
        lines += [
            f"bridge_certfile {bridge.certfile.as_posix()}",
            f"bridge_keyfile {bridge.keyfile.as_posix()}",
        ]
    return "\n".join(lines) + "\n"


def queue_conf() -> str:
    """The line both brokers need (a broker-wide option, not the bridge's own)."""
    return f"max_queued_messages {MAX_QUEUED_MESSAGES}\n"


def notification_topic(ward: str) -> str:
    """Where the ward broker says whether its bridge is up ("1") or down ("0"), retained."""
    return f"$SYS/broker/connection/{bridge_user(ward)}/state"


def provincial_account(ward: str, password: str) -> BrokerUser:
    """The ward bridge's account on the provincial broker: what the station may do, no more
    (write its ward's down topics, read its ward's up topics)."""
    return BrokerUser(bridge_user(ward), hash_password(password), station_acl(ward))


def provincial_users(
    ward_users: Iterable[BrokerUser], ward: str, bridge_password: str
) -> list[BrokerUser]:
    """One ward's accounts on the provincial broker, from the ward broker's own: its clusters
    as they are (they connect there now), the bridge instead of the station (the station
    stays on its ward's broker; every ward's station is called "station")."""
    clusters = [user for user in ward_users if user.name != STATION_USER]
    return [provincial_account(ward, bridge_password), *clusters]
