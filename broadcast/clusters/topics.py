"""The MQTT topics of one ward's clusters: ``loa-phuong/<ward>/<cluster>/<kind>``.

Each cluster reads only its own down topics and writes only its own up topics (the broker's
ACL, made by ``broadcast clusters add``); the station reads every cluster's up topics.

One topic is the ward's, not a cluster's: ``loa-phuong/<ward>/_audio/<sha256>``, where the
station pushes an urgent bulletin's audio once for the broker to fan out (every cluster reads
it, only the station writes it). It is content, not a command: a receiver keeps it only when
its bytes are the hash the topic names, and plays it only when a signed ``now`` names it.
"""

from __future__ import annotations

import re

from broadcast.clusters.messages import DOWN_KINDS, UP_KINDS

PREFIX = "loa-phuong"
# ids become topic levels and broker user names: no wildcards, separators or spaces
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def check_id(value: str, what: str) -> str:
    """``value`` if it can be a topic level and a user name; ``ValueError`` (Vietnamese) if not."""
    if not ID_PATTERN.fullmatch(value):
        raise ValueError(
            f'{what} "{value}" không hợp lệ: chỉ dùng chữ thường không dấu, số, "-" và "_"'
        )
    return value


# a level no cluster id can be (an id starts with a letter or a digit)
AUDIO_LEVEL = "_audio"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def topic(ward: str, cluster: str, kind: str) -> str:
    if kind not in DOWN_KINDS + UP_KINDS:
        raise ValueError(f"unknown message kind {kind}")
    return f"{PREFIX}/{ward}/{cluster}/{kind}"


def station_subscriptions(ward: str) -> list[str]:
    """What the station listens to: every cluster's up messages."""
    return [f"{PREFIX}/{ward}/+/{kind}" for kind in UP_KINDS]


def receiver_subscriptions(ward: str, cluster: str) -> list[str]:
    return [topic(ward, cluster, kind) for kind in DOWN_KINDS] + [audio_filter(ward)]


def audio_topic(ward: str, sha256: str) -> str:
    """Where the station pushes one audio file for every cluster of the ward."""
    return f"{PREFIX}/{ward}/{AUDIO_LEVEL}/{sha256}"


def audio_filter(ward: str) -> str:
    return f"{PREFIX}/{ward}/{AUDIO_LEVEL}/+"


def parse_audio(name: str) -> tuple[str, str] | None:
    """``(ward, sha256)`` of a pushed audio's topic, ``None`` for any other."""
    parts = name.split("/")
    if len(parts) != 4 or parts[0] != PREFIX or parts[2] != AUDIO_LEVEL:
        return None
    return (parts[1], parts[3]) if _SHA256.fullmatch(parts[3]) else None


def parse(name: str) -> tuple[str, str, str] | None:
    """``(ward, cluster, kind)`` of a topic of ours, ``None`` for any other."""
    parts = name.split("/")
    if len(parts) != 4 or parts[0] != PREFIX or parts[3] not in DOWN_KINDS + UP_KINDS:
        return None
    return parts[1], parts[2], parts[3]
