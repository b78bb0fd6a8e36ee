"""The receiver's MQTT connection: the boundary to the broker, behind a small Protocol.

``PahoLink`` is the real one (``broadcast.clusters.mqtt_client``: QoS 1, a persistent session,
reconnection with backoff), under the cluster's id and account, with TLS for ``mqtts://`` (the
ward's own CA too, ``tls_ca_file``), the
cluster's down topics, and a last will on ``status`` saying the cluster is offline. Tests may
drive a ``Receiver`` without a broker by calling its ``handle`` directly (the checks are the
same) with a ``Link`` of their own.
"""

from __future__ import annotations

import json
import logging
from typing import Protocol

from broadcast.clusters.messages import STATUS
from broadcast.clusters.mqtt_client import (
    QOS,
    ConnectHandler,
    LastWill,
    MessageHandler,
    PahoConnection,
)
from broadcast.clusters.topics import receiver_subscriptions, topic
from broadcast.receiver.settings import ReceiverSettings
from broadcast.receiver.tls import UNTRUSTED_HINT

__all__ = ["QOS", "ConnectHandler", "Link", "MessageHandler", "PahoLink", "offline_payload"]

logger = logging.getLogger("broadcast.receiver")

RECONNECT_MAX_SECONDS = 60
OFFLINE = "offline"


class Link(Protocol):
    def start(self, on_message: MessageHandler, on_connect: ConnectHandler) -> None:
        """Connect (in the background, retrying) and call ``on_message(topic, payload)`` for
        each down message, ``on_connect()`` after each (re)connection."""
        ...

    def publish(self, topic: str, payload: bytes, *, retain: bool = False) -> object:
        """QoS 1; while disconnected the client keeps it until the link is back."""
        ...

    @property
    def connected(self) -> bool: ...

    def stop(self) -> None: ...


def offline_payload(cluster: str) -> bytes:
    """The last will: what ``status`` says once the broker loses the cluster."""
    return json.dumps({"cluster": cluster, "state": OFFLINE}).encode()


class PahoLink(PahoConnection):
    """The cluster's connection; ``stop`` is a clean disconnection, with no last will (the
    runner says "offline" itself first)."""

    tls_hint = UNTRUSTED_HINT

    def __init__(self, settings: ReceiverSettings):
        self.settings = settings
        super().__init__(
            host=settings.broker.host,
            port=settings.broker.port,
            client_id=settings.cluster,
            username=settings.username,
            password=settings.password,
            subscriptions=receiver_subscriptions(settings.ward, settings.cluster),
            logger=logger,
            tls=settings.broker.tls,
            ca_file=settings.tls_ca_file,
            will=LastWill(
                topic(settings.ward, settings.cluster, STATUS), offline_payload(settings.cluster)
            ),
            reconnect_max_seconds=RECONNECT_MAX_SECONDS,
        )
