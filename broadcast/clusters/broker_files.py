"""Mosquitto's own files for a ward's clusters: the password file, the ACL, a config snippet.

Made in Python (``hashlib``), so no ``mosquitto_passwd`` is needed where the station runs
(a Windows PC included). The password file uses Mosquitto 2's format, PBKDF2-SHA512:
``user:$7$<iterations>$<base64 salt>$<base64 hash>``; the broker reads it and its ACL again
on SIGHUP (``systemctl reload mosquitto``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from broadcast.clusters.messages import DOWN_KINDS, UP_KINDS
from broadcast.clusters.topics import PREFIX, audio_filter, topic

PBKDF2_ITERATIONS = 101  # what mosquitto_passwd 2.0 writes; the broker reads any count
SALT_BYTES = 12  # mosquitto_passwd's salt length
STATION_USER = "station"  # the station's own broker account: no cluster may take this name
# Mosquitto keeps at most 1,000 QoS 1 messages (its default) for a persistent session that is
# away, and drops the rest quietly: the station's session alone, away for a day, misses more
# (a ward's clusters' heartbeats and as-played rows: 1,500 rows sent, 1,000 arrived). 100,000
# holds a day's backlog of a ward's clusters; a bridge's session carries as much.
MAX_QUEUED_MESSAGES = 100_000


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``password`` as Mosquitto's password file stores it (``$7$``: PBKDF2-SHA512)."""
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, PBKDF2_ITERATIONS)
    encoded_salt = base64.b64encode(salt).decode("ascii")
    return f"$7${PBKDF2_ITERATIONS}${encoded_salt}${base64.b64encode(digest).decode('ascii')}"


def password_matches(password: str, hashed: str) -> bool:
    """Whether ``password`` is the one ``hashed`` (a ``$7$`` entry) was made from."""
    try:
        _, kind, iterations, salt, digest = hashed.split("$")
        if kind != "7":
            return False
        expected = base64.b64decode(digest, validate=True)
        made = hashlib.pbkdf2_hmac(
            "sha512",
            password.encode("utf-8"),
            base64.b64decode(salt, validate=True),
            int(iterations),
        )
    except ValueError:
        return False
    return hmac.compare_digest(made, expected)


@dataclass(frozen=True)
class BrokerUser:
    """One account on the broker: its name, its hashed password, what it may read and write."""

    name: str
    password_hash: str
    acl: tuple[str, ...]  # Mosquitto ACL lines: "topic read <topic>", "topic write <topic>"


def cluster_acl(ward: str, cluster: str) -> tuple[str, ...]:
    """A cluster reads its own down topics and the ward's pushed audio, and writes its own up
    topics, nothing else."""
    return (
        *(f"topic read {topic(ward, cluster, kind)}" for kind in DOWN_KINDS),
        f"topic read {audio_filter(ward)}",
        *(f"topic write {topic(ward, cluster, kind)}" for kind in UP_KINDS),
    )


def station_acl(ward: str) -> tuple[str, ...]:
    """The station reads every cluster's up topics and writes every cluster's down topics
    and the ward's pushed audio."""
    return (
        *(f"topic read {PREFIX}/{ward}/+/{kind}" for kind in UP_KINDS),
        *(f"topic write {PREFIX}/{ward}/+/{kind}" for kind in DOWN_KINDS),
        f"topic write {audio_filter(ward)}",
    )


def passwd_text(users: Iterable[BrokerUser]) -> str:
    return "".join(f"{user.name}:{user.password_hash}\n" for user in users)


def acl_text(users: Sequence[BrokerUser]) -> str:
    # No line before the first "user": anonymous clients (refused anyway) get no topic at all.
    blocks = [f"user {user.name}\n" + "".join(f"{line}\n" for line in user.acl) for user in users]
    return "# made by `broadcast clusters`: do not edit by hand\n\n" + "\n".join(blocks)


def conf_text(*, port: int, passwd: Path, acl: Path) -> str:
    """A snippet for ``/etc/mosquitto/conf.d/``: one listener, no anonymous client, our files,
    room for a day's backlog of messages."""
    return (
        "# Mosquitto cho cụm loa IP: do `broadcast clusters` tạo, không sửa tay.\n"
        "# Cụm loa nối qua Internet (4G): nên bật TLS (certfile/keyfile) trên cổng 8883.\n"
        f"listener {port}\n"
        "allow_anonymous false\n"
        f"password_file {passwd.as_posix()}\n"
        f"acl_file {acl.as_posix()}\n"
        "# Tin chờ cho một phiên vắng mặt (mặc định 1000 thì mất tin khi đài tắt lâu).\n"
        f"max_queued_messages {MAX_QUEUED_MESSAGES}\n"
    )
