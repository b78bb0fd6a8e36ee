"""A ward's own certificate authority: with ``tls_ca_file`` the receiver connects to a real
Mosquitto TLS listener and fetches audio from a real HTTPS server whose certificates that CA
signed (for 127.0.0.1 and localhost); without it, it refuses both and says what to write."""

from __future__ import annotations

import dataclasses
import logging
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from broadcast.clusters.signing import StationKey
from broadcast.clusters.tls import client_context
from broadcast.clusters.topics import topic
from broadcast.receiver.fetch import TLS_UNTRUSTED, AudioCache, FetchProblem, fetch_audio
from broadcast.receiver.runner import Receiver
from broadcast.receiver.settings import Broker
from broadcast.receiver.tls import UNTRUSTED_HINT
from tests.receiver.conftest import (
    CLUSTER,
    CLUSTER_PASSWORD,
    WARD,
    AudioServer,
    RecordingLink,
    Station,
    entry,
    make_settings,
    serve_audio,
    soon,
    station_client,
    stop_audio,
    up_messages,
    wait_for,
)
from tests.support.mosquitto import MosquittoBroker, free_port
from tests.support.tls import authority, pem, server_files


@dataclass
class WardTls:
    ca_file: Path  # the ward's CA, as the technician copies it onto the box
    audio: AudioServer  # https://127.0.0.1:… with a certificate the ward's CA signed
    tls_port: int  # the broker's TLS listener (its plain one is the station's, on the LAN)


@pytest.fixture
def ward_tls(tmp_path: Path, broker: MosquittoBroker) -> Iterator[WardTls]:
    ca = authority("CA phuong")
    certfile, keyfile = server_files(tmp_path / "tls", ca, "127.0.0.1", ["localhost"])
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(certfile, keyfile)
    audio = serve_audio(tmp_path / "station-audio-https", server_side)
    tls_port = free_port()
    broker.stop()
    broker.extra_config = [
        f"listener {tls_port} 127.0.0.1",
        f"certfile {certfile}",
        f"keyfile {keyfile}",
        "tls_version tlsv1.2",
    ]
    broker.start()
    yield WardTls(pem(tmp_path / "ca-phuong.crt", ca[1]), audio, tls_port)
    stop_audio(audio)


def test_the_audio_fetch_checks_the_server_against_the_wards_ca(tmp_path: Path, ward_tls: WardTls):
    ref = ward_tls.audio.add(0.2)
    cache = AudioCache(tmp_path / "cache")
    with pytest.raises(FetchProblem) as refused:
        fetch_audio(ward_tls.audio.url, ref, cache)  # the system's authorities only
    assert refused.value.code == TLS_UNTRUSTED
    assert "không được tin cậy" in refused.value.message and "tls_ca_file" in refused.value.message
    assert not cache.has(ref.sha256)

    trusted = client_context(ward_tls.ca_file)
    assert fetch_audio(ward_tls.audio.url, ref, cache, tls=trusted) == cache.path(ref.sha256)
    by_name = ward_tls.audio.url.replace("127.0.0.1", "localhost")
    (cache.path(ref.sha256)).unlink()
    assert fetch_audio(by_name, ref, cache, tls=trusted).is_file()


def _receiver(
    tmp_path: Path, key: StationKey, ward_tls: WardTls, broker: MosquittoBroker, *, ca: bool
) -> Receiver:
    settings = make_settings(
        tmp_path,
        key,
        ward_tls.audio.url,
        broker=Broker(broker.host, ward_tls.tls_port, tls=True),
        heartbeat_seconds=0.5,
    )
    settings = dataclasses.replace(
        settings, password=CLUSTER_PASSWORD, tls_ca_file=ward_tls.ca_file if ca else None
    )
    return Receiver(settings, retry_max=0.5)


@pytest.mark.slow
def test_with_the_wards_ca_the_receiver_connects_over_tls_and_fetches_over_https(
    tmp_path: Path,
    station_key: StationKey,
    station: Station,
    broker: MosquittoBroker,
    ward_tls: WardTls,
):
    audio = ward_tls.audio.add(0.3)
    station_side = station_client(broker)  # the station, on the broker's LAN listener
    plan = station.plan([entry("sang#0", soon(30), audio, 0.3)])
    station_side.publish(topic(WARD, CLUSTER, "plan"), plan, retain=True)

    receiver = _receiver(tmp_path, station_key, ward_tls, broker, ca=True)
    receiver.start()
    try:
        assert receiver.link.wait_connected(10)  # type: ignore[attr-defined]
        wait_for(lambda: receiver.player.next_entry() is not None)
        wait_for(lambda: receiver.cache.has(audio.sha256))
        status = up_messages(station_side, "status")[-1]
        assert status["state"] == "online" and "tls_untrusted" not in status.get("problems", {})
    finally:
        receiver.stop()


@pytest.mark.slow
def test_without_it_the_receiver_refuses_both_and_says_what_to_write(
    tmp_path: Path,
    station_key: StationKey,
    station: Station,
    broker: MosquittoBroker,
    ward_tls: WardTls,
    caplog: pytest.LogCaptureFixture,
):
    caplog.set_level(logging.INFO, logger="broadcast.receiver")
    receiver = _receiver(tmp_path, station_key, ward_tls, broker, ca=False)
    receiver.start()
    try:
        said = wait_for(
            lambda: [r for r in caplog.records if getattr(r, "event", "") == "mqtt_tls_refused"]
        )
        assert not receiver.link.connected
        message = said[0].getMessage()
        assert f"127.0.0.1:{ward_tls.tls_port}" in message and "không được tin cậy" in message
        assert UNTRUSTED_HINT in message
        # a bulletin's audio from the HTTPS server is refused the same way, and said
        audio = ward_tls.audio.add(0.2)
        with pytest.raises(FetchProblem):
            receiver.downloader.fetch_now(audio)
        assert TLS_UNTRUSTED in receiver.uplink.problems
    finally:
        receiver.stop()
    assert len(said) == 1  # retried with the backoff, said once


def test_a_box_without_tls_is_unaffected(tmp_path: Path, station_key: StationKey):
    """No ``tls_ca_file``: plain http audio is fetched as before (no context given)."""
    audio = serve_audio(tmp_path / "plain")
    try:
        ref = audio.add(0.2)
        settings = make_settings(tmp_path, station_key, audio.url)
        receiver = Receiver(settings, link=RecordingLink())
        assert receiver.downloader.tls is None
        assert receiver.downloader.fetch_now(ref).is_file()
        receiver.log.close()
        receiver.store.close()
    finally:
        stop_audio(audio)
