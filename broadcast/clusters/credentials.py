"""The broker accounts of a station and its clusters, and the Mosquitto files made from them.

Every cluster has its own password, shown once when it is added and kept only hashed; the
station's own password is made once and kept in a file its owner alone reads (the daemon logs
in with it). ``write_broker_files`` makes Mosquitto's password file, ACL and a config snippet
from the registry again after every change; a ``systemctl reload mosquitto`` applies them.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from broadcast.clusters.broker_files import (
    STATION_USER,
    BrokerUser,
    acl_text,
    cluster_acl,
    conf_text,
    hash_password,
    passwd_text,
    station_acl,
)
from broadcast.clusters.registry import ClusterFiles, ClusterRegistry

PASSWORD_BYTES = 18  # 24 URL-safe characters: typed by no one, copied in receiver.yaml
# Where the printed steps copy the files on the broker's host: the broker runs as its own user
# and cannot read the station's private data folder.
INSTALLED_DIR = Path("/etc/mosquitto/loa-phuong")
DEFAULT_BROKER_PORT = 1883


def new_password() -> str:
    return secrets.token_urlsafe(PASSWORD_BYTES)


def write_private(path: Path, text: str) -> None:
    """``text`` in ``path``, whole or not at all, readable by its owner only from the start
    (``mkstemp`` makes the file 0600 before a byte is written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        Path(name).replace(path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def station_password(files: ClusterFiles) -> str:
    """The station's broker password: made on first use, then read from its 0600 file."""
    return kept_password(files.station_password)


def kept_password(path: Path) -> str:
    """A password made on first use, then read from its 0600 file ``path``."""
    if path.exists():
        return path.read_text("utf-8").strip()
    password = new_password()
    write_private(path, password + "\n")
    return password


@dataclass(frozen=True)
class BrokerFiles:
    passwd: Path
    acl: Path
    conf: Path


def write_broker_files(
    files: ClusterFiles,
    registry: ClusterRegistry,
    ward: str,
    *,
    port: int = DEFAULT_BROKER_PORT,
    installed_dir: Path = INSTALLED_DIR,
) -> BrokerFiles:
    """Mosquitto's files for the station and every active cluster, made again whole."""
    users = [
        BrokerUser(STATION_USER, hash_password(station_password(files)), station_acl(ward)),
        *(
            BrokerUser(cluster.username, cluster.password_hash, cluster_acl(ward, cluster.id))
            for cluster in registry.clusters()
        ),
    ]
    write_private(files.passwd, passwd_text(users))
    write_private(files.acl, acl_text(users))
    conf = conf_text(port=port, passwd=installed_dir / "passwd", acl=installed_dir / "acl")
    write_private(files.mosquitto_conf, conf)
    return BrokerFiles(files.passwd, files.acl, files.mosquitto_conf)
