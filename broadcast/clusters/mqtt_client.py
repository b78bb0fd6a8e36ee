"""One MQTT connection as both ends use it (Eclipse Paho, MQTT 3.1.1, QoS 1).

The station (``broadcast.sinks.ip.mqtt_station``) and a cluster's receiver
(``broadcast.receiver.mqtt_link``) connect the same way: a persistent session under a fixed
client id (``clean_session=False``) so what is sent while one end is away waits at the broker,
reconnection with backoff in paho's own thread, the subscriptions made again after each
(re)connection, and a callback that no failing handler can end. Each end says only what
differs: its account, its subscriptions, its last will, what a message does.
"""

from __future__ import annotations

import logging
import random
import ssl
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

from broadcast.clusters.tls import client_context

QOS = 1
KEEPALIVE_SECONDS = 30
RECONNECT_MIN_SECONDS = 1
# How often paho's network thread wakes with nothing to do (its keepalive ping is due at most
# this late; a publish or an arriving packet wakes it at once). Paho's own thread wakes every
# second: one wake a second per client was half a receiver's CPU while idle
# (bench/clusters.py, 2,000 clusters on one machine).
IDLE_WAKE_SECONDS = 5.0
PAHO_MAX_INFLIGHT = 20  # paho's own default
# Paho's backoff (1, 2, 4 … s up to the most) has no jitter: the boxes a broker restart dropped
# together knock again together, at every step. The first wait after a drop is lengthened by a
# random part of this, once: each box keeps paho's steps, shifted by its own offset, and a
# broker back from an outage sees its clusters return spread over these seconds, none later.
RECONNECT_SPREAD_SECONDS = 5.0

MessageHandler = Callable[[str, bytes], None]
ConnectHandler = Callable[[], None]


@dataclass(frozen=True)
class LastWill:
    """What the broker publishes (retained, QoS 1) once it loses this client."""

    topic: str
    payload: bytes


class _Client(mqtt.Client):
    """Paho's client, its network thread (``loop_start``) with three changes to paho's own
    private methods (paho 2.x; should a later paho rename them, the changes are lost, nothing
    breaks). Its thread body (``_thread_main``) waits up to ``IDLE_WAKE_SECONDS`` for traffic
    instead of one second, and leaves the client's handle on the thread when it ends: paho's
    clears it, and a ``loop_stop`` that saw it set then joins ``None``: ``AttributeError`` (paho
    issue #872), which ended the stop of a receiver before its logs were closed
    (bench/clusters.py, 2,000 clusters: two worker processes died so). Its first backoff wait
    after a drop (``_reconnect_wait``) is lengthened at random (``RECONNECT_SPREAD_SECONDS``)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._stop_asked = threading.Event()  # a name paho does not use

    def _thread_main(self) -> None:
        self.loop_forever(timeout=IDLE_WAKE_SECONDS, retry_first_connection=True)

    def _reconnect_wait(self) -> None:
        first = self._reconnect_delay is None  # paho forgets its delay on each connection
        super()._reconnect_wait()
        if first:
            self._stop_asked.wait(random.uniform(0, RECONNECT_SPREAD_SECONDS))

    def loop_stop(self) -> mqtt.MQTTErrorCode:
        self._stop_asked.set()  # no spreading wait holds up a stop
        return super().loop_stop()


class PahoConnection:
    """A paho client connected in the background; ``start`` hands it what to do with messages.

    ``subscriptions``: topic filters subscribed at QoS 1 after each (re)connection.
    ``max_inflight``: QoS 1 messages sent before the broker's acknowledgements; more are
    queued in the client (its queue has no limit: nothing is dropped while disconnected).
    ``tls``: the broker's certificate is checked against the system's authorities and, when
    ``ca_file`` is given, that one too (a ward's own CA). A certificate not trusted is said
    once in the log (it is retried with the backoff, silently: the next try fails alike).
    """

    tls_hint = ""  # what to do about an untrusted certificate, said after it

    def __init__(
        self,
        *,
        host: str,
        port: int,
        client_id: str,
        username: str,
        password: str,
        subscriptions: Sequence[str],
        logger: logging.Logger,
        tls: bool = False,
        ca_file: Path | None = None,
        will: LastWill | None = None,
        reconnect_max_seconds: int = 60,
        max_inflight: int = PAHO_MAX_INFLIGHT,
    ):
        self._address = (host, port)
        self._subscriptions = tuple(subscriptions)
        self._logger = logger
        self._client = _Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,
            protocol=mqtt.MQTTv311,
        )
        self._client.username_pw_set(username, password)
        self._client.reconnect_delay_set(RECONNECT_MIN_SECONDS, reconnect_max_seconds)
        self._client.max_queued_messages_set(0)  # 0: no limit
        self._client.max_inflight_messages_set(max_inflight)
        if tls and ca_file is not None:
            self._client.tls_set_context(client_context(ca_file))
        elif tls:
            self._client.tls_set(cert_reqs=ssl.CERT_REQUIRED)
        self._tls_refused: str | None = None  # the last untrusted certificate said in the log
        if will is not None:
            self._client.will_set(will.topic, will.payload, qos=QOS, retain=True)
        self._connected = threading.Event()
        self._on_message: MessageHandler = lambda _topic, _payload: None
        self._on_connect: ConnectHandler = lambda: None

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def start(self, on_message: MessageHandler, on_connect: ConnectHandler) -> None:
        """Connect in the background (retrying); ``on_message(topic, payload)`` for each
        message, ``on_connect()`` after each (re)connection."""
        self._on_message, self._on_connect = on_message, on_connect
        self._client.on_connect = self._connected_cb
        self._client.on_disconnect = self._disconnected_cb
        self._client.on_message = self._message_cb
        self._client.on_connect_fail = self._connect_failed_cb
        # connect_async: a box that boots without network keeps trying in the loop's thread
        self._client.connect_async(*self._address, keepalive=KEEPALIVE_SECONDS)
        self._client.loop_start()

    def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> bool:
        """QoS 1; while disconnected the client keeps it until the link is back. ``False``
        when the client could not even queue it (then the caller sends it again later)."""
        info = self._client.publish(topic, payload, qos=QOS, retain=retain)
        return info.rc in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN)

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def stop(self) -> None:
        """Disconnect cleanly: no last will is published."""
        self._connected.clear()  # a disconnection asked for: not a lost link
        self._client.disconnect()
        self._client.loop_stop()

    def _connected_cb(
        self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        if getattr(reason, "is_failure", False):
            self._logger.warning(
                "máy chủ MQTT từ chối kết nối: %s", reason, extra={"event": "mqtt_refused"}
            )
            return
        for name in self._subscriptions:
            client.subscribe(name, QOS)
        self._tls_refused = None
        self._connected.set()
        self._logger.info("đã kết nối máy chủ MQTT", extra={"event": "mqtt_connected"})
        try:
            self._on_connect()
        except Exception:  # the network loop must go on
            self._logger.exception(
                "lỗi sau khi kết nối MQTT", extra={"event": "mqtt_connect_failed"}
            )

    def _connect_failed_cb(self, _client: mqtt.Client, _userdata: Any) -> None:
        # paho calls this inside its ``except OSError``: the exception is the current one
        failure = sys.exc_info()[1]
        if not isinstance(failure, ssl.SSLError):
            return  # a broker not reachable: retried quietly as before
        why = getattr(failure, "verify_message", None) or failure.reason or str(failure)
        if why == self._tls_refused:
            return
        self._tls_refused = why
        host, port = self._address
        self._logger.error(
            "máy chủ MQTT %s:%d: chứng chỉ TLS không được tin cậy (%s), không kết nối%s",
            host,
            port,
            why,
            f"; {self.tls_hint}" if self.tls_hint else "",
            extra={"event": "mqtt_tls_refused"},
        )

    def _disconnected_cb(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        if self._connected.is_set():
            self._logger.warning(
                "mất kết nối máy chủ MQTT (%s), đang thử lại", reason, extra={"event": "mqtt_lost"}
            )
        self._connected.clear()

    def _message_cb(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            self._on_message(message.topic, bytes(message.payload))
        except Exception:  # one bad message must not end the network loop
            self._logger.exception(
                "lỗi khi xử lý tin nhắn %s", message.topic, extra={"event": "message_failed"}
            )
