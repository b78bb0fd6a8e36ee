"""What the station and a receiver send each other, and the checks a receiver makes.

Down (station → cluster) every message is signed (``signing``) and carries:

- ``kind``: ``plan`` (the cluster's next hours: items with their start second and audio hash),
  ``now`` (an urgent bulletin: play this audio now, pre-empting), ``stop`` (end what plays,
  a technician's request), ``ack`` (as-played rows the station has stored: the receiver may
  stop sending them);
- ``ward`` and ``clusters``: whom it is for (a message for another cluster is refused even
  when it arrives on this one's topic);
- ``seq``: the station's counter, increasing with every message it signs: a receiver refuses
  a ``seq`` not above the last it accepted of that kind (a replayed old plan or bulletin);
- ``issued`` and ``expires``: ISO 8601 instants; an expired message is refused.

Up (cluster → station) messages are plain JSON: the broker's credentials and ACL already
say which cluster wrote them (it may write only its own topics). ``status`` is the
heartbeat, ``played`` carries as-played rows, ``event`` reports what the receiver refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from broadcast.clusters.signing import BadEnvelope, PublicKey, StationKey, open_envelope

PLAN = "plan"
NOW = "now"
STOP = "stop"
ACK = "ack"
DOWN_KINDS = (PLAN, NOW, STOP, ACK)

STATUS = "status"
PLAYED = "played"
EVENT = "event"
UP_KINDS = (STATUS, PLAYED, EVENT)

# How long each kind stays good after it is issued: a plan covers the next 48 hours and is
# resent whenever it changes; a bulletin that could not start within minutes is news no more.
PLAN_LIFETIME = timedelta(hours=48)
NOW_LIFETIME = timedelta(minutes=5)
STOP_LIFETIME = timedelta(minutes=5)
ACK_LIFETIME = timedelta(days=30)
LIFETIMES = {PLAN: PLAN_LIFETIME, NOW: NOW_LIFETIME, STOP: STOP_LIFETIME, ACK: ACK_LIFETIME}


class Refused(Exception):
    """A down message the receiver will not act on, and why (reported to the station)."""

    def __init__(self, code: str, message: str):
        self.code = code  # malformed, unknown_key, bad_signature, wrong_kind, wrong_cluster,
        # replayed, expired
        self.message = message  # Vietnamese
        super().__init__(f"{code}: {message}")


@dataclass(frozen=True)
class AudioRef:
    """An audio file by content: fetched over HTTP by its hash, checked against it."""

    sha256: str
    bytes: int

    def to_json(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "bytes": self.bytes}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> AudioRef:
        sha, size = value["sha256"], value["bytes"]
        if not (isinstance(sha, str) and len(sha) == 64 and set(sha) <= set("0123456789abcdef")):
            raise ValueError(f"bad audio hash {sha!r}")
        if not isinstance(size, int) or size <= 0:
            raise ValueError(f"bad audio size {size!r}")
        return cls(sha, size)


def seal(
    key: StationKey,
    kind: str,
    *,
    ward: str,
    clusters: Sequence[str],
    seq: int,
    issued: datetime,
    body: Mapping[str, Any],
    lifetime: timedelta | None = None,
) -> bytes:
    """A signed down message of ``kind`` for ``clusters``, good from ``issued`` for its
    kind's lifetime (or ``lifetime``)."""
    if kind not in DOWN_KINDS:
        raise ValueError(f"not a down message kind: {kind}")
    if issued.tzinfo is None:
        raise ValueError("issued must be timezone-aware")
    payload = {
        **body,
        "kind": kind,
        "ward": ward,
        "clusters": list(clusters),
        "seq": seq,
        "issued": issued.isoformat(),
        "expires": (issued + (lifetime or LIFETIMES[kind])).isoformat(),
    }
    return key.seal(payload)


def check(
    data: bytes,
    *,
    keys: Sequence[PublicKey],
    ward: str,
    cluster: str,
    kind: str,
    last_seq: int,
    now: datetime,
) -> dict[str, Any]:
    """The payload of a down message this receiver may act on; ``Refused`` otherwise.

    Checked in this order: signed by a known key, the kind its topic promised, for this ward
    and cluster, newer than the last of its kind accepted (``last_seq``), not expired."""
    try:
        payload = open_envelope(data, list(keys))
    except BadEnvelope as exc:
        raise Refused(exc.code, exc.message) from exc
    try:
        got_kind, got_ward, targets = payload["kind"], payload["ward"], payload["clusters"]
        seq, expires = payload["seq"], datetime.fromisoformat(payload["expires"])
    except (KeyError, TypeError, ValueError) as exc:
        raise Refused("malformed", "tin nhắn có chữ ký nhưng thiếu trường bắt buộc") from exc
    if got_kind != kind:
        raise Refused("wrong_kind", f'tin nhắn loại "{got_kind}" gửi trên kênh "{kind}"')
    if got_ward != ward or not isinstance(targets, list) or cluster not in targets:
        raise Refused("wrong_cluster", f"tin nhắn không gửi cho cụm loa {cluster}")
    if not isinstance(seq, int) or seq <= last_seq:
        raise Refused("replayed", f"tin nhắn cũ bị gửi lại (số thứ tự {seq}, đã nhận {last_seq})")
    if expires.tzinfo is None or now >= expires:
        raise Refused("expired", f"tin nhắn đã hết hạn lúc {payload['expires']}")
    return payload


@dataclass(frozen=True)
class PlanEntry:
    """One sound a cluster plays at its second: a segment of a planned item, for its zone.

    ``airing``: the fields of the play-log row the receiver writes for it (the station's
    ``Airing`` as JSON: zone, scheduled_at, title, script_id, topic, slot_id, program,
    planned_seconds, audio_hash, engine, voice, approval_id); ``None`` for sounds the station
    does not log either (a chime, an intro).
    """

    id: str  # stable across re-sent plans: "<plan item id>#<segment index>"
    item: str  # the plan item's id, shared with the station's plan and log
    start: datetime  # aware; the instant the first sample is heard
    seconds: float
    audio: AudioRef
    airing: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "item": self.item,
            "start": self.start.isoformat(),
            "seconds": self.seconds,
            "audio": self.audio.to_json(),
            "airing": dict(self.airing) if self.airing is not None else None,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> PlanEntry:
        start = datetime.fromisoformat(value["start"])
        if start.tzinfo is None:
            raise ValueError("plan entry start must carry its offset")
        seconds = float(value["seconds"])
        if not seconds > 0:
            raise ValueError(f"bad entry length {seconds!r}")
        airing = value.get("airing")
        return cls(
            id=str(value["id"]),
            item=str(value["item"]),
            start=start,
            seconds=seconds,
            audio=AudioRef.from_json(value["audio"]),
            airing=dict(airing) if airing is not None else None,
        )
