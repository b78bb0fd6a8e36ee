"""The station's MQTT connection: the boundary to the broker, behind a small Protocol.

``PahoStationLink`` is the real one (Eclipse Paho, MQTT 3.1.1, QoS 1): logged in as the station
account (``broadcast.clusters.broker_files.STATION_USER``), it subscribes to every cluster's up
topics of the ward. A persistent session under a fixed client id (``clean_session=False``) keeps
what the clusters send while the station is down (their as-played rows) at the broker until it
is back; paho reconnects by itself, with backoff.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

import paho.mqtt.client as mqtt

from broadcast.clusters.topics import station_subscriptions

logger = logging.getLogger("broadcast.clusters")

QOS = 1
KEEPALIVE_SECONDS = 30
RECONNECT_MIN_SECONDS = 1
RECONNECT_MAX_SECONDS = 30

OnMessage = Callable[[str, bytes], None]


class StationLink(Protocol):
    def start(self, on_message: OnMessage, on_connect: Callable[[], None]) -> None:
        """Connect in the background (retrying); ``on_message(topic, payload)`` for each up
        message, ``on_connect()`` after each (re)connection."""
        ...

    def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> bool:
        """QoS 1; ``False`` when the client could not even queue it (then sent again later)."""
        ...

    @property
    def connected(self) -> bool: ...

    def stop(self) -> None: ...


class PahoStationLink:
    def __init__(
        self, *, host: str, port: int, username: str, password: str, ward: str, client_id: str
    ):
        self.ward = ward
        self._address = (host, port)
        self._client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,
            protocol=mqtt.MQTTv311,
        )
        self._client.username_pw_set(username, password)
        self._client.reconnect_delay_set(RECONNECT_MIN_SECONDS, RECONNECT_MAX_SECONDS)
        # plans for hundreds of clusters are published at once: let them all queue
        self._client.max_queued_messages_set(0)
        self._client.max_inflight_messages_set(100)
        self._connected = threading.Event()
        self._on_message: OnMessage = lambda _topic, _payload: None
        self._on_connect: Callable[[], None] = lambda: None

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def start(self, on_message: OnMessage, on_connect: Callable[[], None]) -> None:
        self._on_message, self._on_connect = on_message, on_connect
        self._client.on_connect = self._connected_cb
        self._client.on_disconnect = self._disconnected_cb
        self._client.on_message = self._message_cb
        self._client.connect_async(*self._address, keepalive=KEEPALIVE_SECONDS)
        self._client.loop_start()

    def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> bool:
        info = self._client.publish(topic, payload, qos=QOS, retain=retain)
        return info.rc == mqtt.MQTT_ERR_SUCCESS or info.rc == mqtt.MQTT_ERR_NO_CONN

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def stop(self) -> None:
        self._connected.clear()  # a disconnection asked for: not a lost link
        self._client.disconnect()
        self._client.loop_stop()

    def _connected_cb(
        self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        if getattr(reason, "is_failure", False):
            logger.warning(
                "máy chủ MQTT từ chối đài kết nối: %s", reason, extra={"event": "mqtt_refused"}
            )
            return
        for name in station_subscriptions(self.ward):
            client.subscribe(name, QOS)
        self._connected.set()
        logger.info("đài đã kết nối máy chủ MQTT", extra={"event": "mqtt_connected"})
        try:
            self._on_connect()
        except Exception:  # the network loop must go on
            logger.exception("lỗi sau khi kết nối MQTT", extra={"event": "mqtt_connect_failed"})

    def _disconnected_cb(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        if self._connected.is_set():
            logger.warning(
                "đài mất kết nối máy chủ MQTT (%s), đang thử lại",
                reason,
                extra={"event": "mqtt_lost"},
            )
        self._connected.clear()

    def _message_cb(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            self._on_message(message.topic, bytes(message.payload))
        except Exception:  # one bad message must not end the network loop
            logger.exception("lỗi khi xử lý tin từ cụm loa", extra={"event": "message_failed"})
