"""The station's MQTT connection: the boundary to the broker, behind a small Protocol.

``PahoStationLink`` is the real one (``broadcast.clusters.mqtt_client``: QoS 1, a persistent
session, reconnection with backoff): logged in as the station account
(``broadcast.clusters.broker_files.STATION_USER``), it subscribes to every cluster's up topics
of the ward. Its persistent session keeps what the clusters send while the station is down
(their as-played rows) at the broker until it is back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from broadcast.clusters.mqtt_client import MessageHandler, PahoConnection
from broadcast.clusters.topics import station_subscriptions

logger = logging.getLogger("broadcast.clusters")

RECONNECT_MAX_SECONDS = 30
# plans for hundreds of clusters are published at once: more of them on the wire together
MAX_INFLIGHT = 100

OnMessage = MessageHandler


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


class PahoStationLink(PahoConnection):
    def __init__(
        self, *, host: str, port: int, username: str, password: str, ward: str, client_id: str
    ):
        self.ward = ward
        super().__init__(
            host=host,
            port=port,
            client_id=client_id,
            username=username,
            password=password,
            subscriptions=station_subscriptions(ward),
            logger=logger,
            reconnect_max_seconds=RECONNECT_MAX_SECONDS,
            max_inflight=MAX_INFLIGHT,
        )
