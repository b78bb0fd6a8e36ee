"""The receiver's MQTT connection: the boundary to the broker, behind a small Protocol.

``PahoLink`` is the real one (Eclipse Paho, MQTT 3.1.1): QoS 1, a persistent session under a
fixed client id (the cluster's id, ``clean_session=False``) so messages sent while the 4G link
was down wait at the broker, reconnection with backoff, TLS for ``mqtts://``, and a last will
on ``status`` saying the cluster is offline. Tests may drive a ``Receiver`` without a broker
by calling its ``handle`` directly (the checks are the same) with a ``Link`` of their own.
"""

from __future__ import annotations

import json
import logging
import ssl
import threading
from collections.abc import Callable
from typing import Any, Protocol

import paho.mqtt.client as mqtt

from broadcast.clusters.messages import STATUS
from broadcast.clusters.topics import receiver_subscriptions, topic
from broadcast.receiver.settings import ReceiverSettings

logger = logging.getLogger("broadcast.receiver")

QOS = 1
KEEPALIVE_SECONDS = 30
RECONNECT_MIN_SECONDS = 1
RECONNECT_MAX_SECONDS = 60
OFFLINE = "offline"

MessageHandler = Callable[[str, bytes], None]
ConnectHandler = Callable[[], None]


class Link(Protocol):
    def start(self, on_message: MessageHandler, on_connect: ConnectHandler) -> None:
        """Connect (in the background, retrying) and call ``on_message(topic, payload)`` for
        each down message, ``on_connect()`` after each (re)connection."""
        ...

    def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> None:
        """QoS 1; while disconnected the client keeps it until the link is back."""
        ...

    @property
    def connected(self) -> bool: ...

    def stop(self) -> None: ...


def offline_payload(cluster: str) -> bytes:
    """The last will: what ``status`` says once the broker loses the cluster."""
    return json.dumps({"cluster": cluster, "state": OFFLINE}).encode()


class PahoLink:
    def __init__(self, settings: ReceiverSettings):
        self.settings = settings
        self._client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            client_id=settings.cluster,
            clean_session=False,
            protocol=mqtt.MQTTv311,
        )
        self._client.username_pw_set(settings.username, settings.password)
        self._client.reconnect_delay_set(RECONNECT_MIN_SECONDS, RECONNECT_MAX_SECONDS)
        if settings.broker.tls:
            self._client.tls_set(cert_reqs=ssl.CERT_REQUIRED)
        self._client.will_set(
            topic(settings.ward, settings.cluster, STATUS),
            offline_payload(settings.cluster),
            qos=QOS,
            retain=True,
        )
        self._connected = threading.Event()
        self._on_message: MessageHandler = lambda _t, _p: None
        self._on_connect: ConnectHandler = lambda: None

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def start(self, on_message: MessageHandler, on_connect: ConnectHandler) -> None:
        self._on_message, self._on_connect = on_message, on_connect
        self._client.on_connect = self._connected_cb
        self._client.on_disconnect = self._disconnected_cb
        self._client.on_message = self._message_cb
        broker = self.settings.broker
        # connect_async: a box that boots without network keeps trying in the loop's thread
        self._client.connect_async(broker.host, broker.port, keepalive=KEEPALIVE_SECONDS)
        self._client.loop_start()

    def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> None:
        self._client.publish(topic, payload, qos=QOS, retain=retain)

    def stop(self) -> None:
        """Disconnect cleanly (no last will: the runner says "offline" itself first)."""
        self._connected.clear()  # a leaving receiver's disconnection is no lost link
        self._client.disconnect()
        self._client.loop_stop()

    def _connected_cb(
        self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        if getattr(reason, "is_failure", False):
            logger.warning(
                "máy chủ MQTT từ chối kết nối: %s", reason, extra={"event": "mqtt_refused"}
            )
            return
        for name in receiver_subscriptions(self.settings.ward, self.settings.cluster):
            client.subscribe(name, QOS)
        self._connected.set()
        logger.info("đã kết nối máy chủ MQTT", extra={"event": "mqtt_connected"})
        try:
            self._on_connect()
        except Exception:  # the network loop must go on
            logger.exception("lỗi sau khi kết nối MQTT", extra={"event": "mqtt_connect_failed"})

    def _disconnected_cb(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        if self._connected.is_set():
            logger.warning(
                "mất kết nối máy chủ MQTT (%s), đang thử lại", reason, extra={"event": "mqtt_lost"}
            )
        self._connected.clear()

    def _message_cb(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            self._on_message(message.topic, bytes(message.payload))
        except Exception:  # one bad message must not end the network loop
            logger.exception("lỗi khi xử lý tin nhắn", extra={"event": "message_failed"})
