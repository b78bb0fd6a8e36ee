"""The wire contract's checks (``broadcast.clusters.messages.check``): a receiver acts only on
a message the station signed, for it, of the kind its topic promised, newer than the last it
took and not expired; every other is refused with its own code."""

from __future__ import annotations

import base64
import json
import os
import stat
from datetime import UTC, datetime, timedelta

import pytest

from broadcast.clusters.messages import ACK, NOW, PLAN, STOP, Refused, check, seal
from broadcast.clusters.signing import PublicKey, StationKey, canonical

WARD = "long-anh"
ISSUED = datetime(2026, 12, 5, 7, 0, tzinfo=UTC)
STATION = StationKey.generate()


def plan(*, seq: int = 10, clusters: tuple[str, ...] = ("cho-1",), kind: str = PLAN) -> bytes:
    return seal(
        STATION, kind, ward=WARD, clusters=clusters, seq=seq, issued=ISSUED, body={"entries": []}
    )


def checked(data: bytes, **overrides: object) -> dict:
    arguments: dict = {
        "keys": [STATION.public],
        "ward": WARD,
        "cluster": "cho-1",
        "kind": PLAN,
        "last_seq": 9,
        "now": ISSUED + timedelta(minutes=1),
    }
    arguments.update(overrides)
    return check(data, **arguments)


def refusal(data: bytes, **overrides: object) -> str:
    with pytest.raises(Refused) as caught:
        checked(data, **overrides)
    assert caught.value.message  # Vietnamese, for the station's event log
    return caught.value.code


def envelope(data: bytes) -> dict:
    return json.loads(data)


def test_a_good_message_is_accepted_with_its_payload():
    payload = checked(plan())
    assert (payload["kind"], payload["ward"], payload["clusters"], payload["seq"]) == (
        PLAN,
        WARD,
        ["cho-1"],
        10,
    )
    assert payload["expires"] == (ISSUED + timedelta(hours=48)).isoformat()


def test_a_forged_signature_is_refused():
    forged = envelope(plan())
    forged["sig"] = base64.b64encode(bytes(64)).decode("ascii")
    assert refusal(canonical(forged)) == "bad_signature"


def test_an_altered_payload_is_refused():
    altered = envelope(plan())
    altered["payload"]["entries"] = [{"id": "x", "audio": "something else"}]
    assert refusal(canonical(altered)) == "bad_signature"


def test_whitespace_a_broker_might_add_changes_nothing():
    spaced = json.dumps(envelope(plan()), indent=2).encode("utf-8")
    assert checked(spaced)["seq"] == 10


def test_a_message_signed_by_an_unknown_key_is_refused():
    stranger = StationKey.generate()
    data = seal(stranger, PLAN, ward=WARD, clusters=["cho-1"], seq=10, issued=ISSUED, body={})
    assert refusal(data) == "unknown_key"


def test_an_impostor_naming_the_stations_key_id_is_refused():
    stranger = StationKey.generate()
    data = seal(stranger, PLAN, ward=WARD, clusters=["cho-1"], seq=10, issued=ISSUED, body={})
    impostor = envelope(data)
    impostor["key"] = STATION.public.id
    assert refusal(canonical(impostor)) == "bad_signature"


def test_a_replayed_or_old_message_is_refused():
    assert refusal(plan(seq=9)) == "replayed"
    assert refusal(plan(seq=3)) == "replayed"


def test_an_expired_message_is_refused():
    assert refusal(plan(), now=ISSUED + timedelta(hours=48)) == "expired"
    bulletin = seal(STATION, NOW, ward=WARD, clusters=["cho-1"], seq=10, issued=ISSUED, body={})
    assert refusal(bulletin, kind=NOW, now=ISSUED + timedelta(minutes=5)) == "expired"


@pytest.mark.parametrize(
    "overrides", [{"cluster": "xe-1"}, {"ward": "phuong-khac"}], ids=["cluster", "ward"]
)
def test_a_message_for_another_cluster_or_ward_is_refused(overrides):
    assert refusal(plan(clusters=("cho-1", "cho-2")), **overrides) == "wrong_cluster"


def test_a_message_of_another_kind_than_its_topic_is_refused():
    assert refusal(plan(kind=STOP)) == "wrong_kind"
    assert refusal(plan(), kind=ACK) == "wrong_kind"


@pytest.mark.parametrize(
    "data",
    [b"not json", b"{}", b'{"v": 2, "key": "k", "payload": {}, "sig": ""}', b"[1, 2]"],
)
def test_what_is_no_signed_message_at_all_is_refused_as_malformed(data):
    assert refusal(data) == "malformed"


def test_a_signed_payload_missing_its_fields_is_refused_as_malformed():
    data = STATION.seal({"kind": PLAN, "ward": WARD})
    assert refusal(data) == "malformed"


def test_the_key_file_is_private_and_read_back_the_same(tmp_path):
    path = tmp_path / "clusters" / "station_ed25519.pem"
    made = StationKey.load_or_create(path)
    assert StationKey.load_or_create(path).public == made.public
    assert PublicKey.from_text(made.public.text) == made.public
    if os.name != "nt":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
