"""What the running daemon does for the control channel (``broadcast announce``, ``stop``,
``skip``, ``cancel``, ``test-zone``, ``status``, ``reload``), over the daemon's own parts.

The state in force is read through ``context()``, which takes the daemon's lock: a command
waits for a reload or a planning pass in progress, and then acts on what they made.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from broadcast.control import (
    ANNOUNCE,
    CANCEL,
    RELOAD,
    SKIP,
    STATUS,
    STOP,
    TEST_ZONE,
    Handler,
    once_per_request_id,
    parse_announcement,
    parse_cancel,
    parse_cut,
    parse_zone_test,
    request_peer,
    seen_from,
    without_args,
)
from broadcast.daemon.announcer import Announcer
from broadcast.daemon.context import AirContext
from broadcast.daemon.ip_station import IpStation
from broadcast.daemon.ip_zones import ip_zone_ids
from broadcast.daemon.technician import take_off, zone_test_on_air

logger = logging.getLogger("broadcast.daemon")


@dataclass(frozen=True)
class DaemonCommands:
    """The control channel's handlers. ``status`` answers the daemon's status (as JSON),
    ``reload`` reads the inputs again; ``ip_station()`` is None without IP clusters."""

    context: Callable[[], AirContext]
    announcer: Announcer
    ip_station: Callable[[], IpStation | None]  # the one in force (a reload may make it again)
    status: Callable[[], Mapping[str, Any]]
    reload: Callable[[], dict[str, object]]

    def handlers(self) -> dict[str, Handler]:
        return {
            STATUS: without_args(STATUS, self.status),
            ANNOUNCE: once_per_request_id(self.announce),  # a client's retry airs once
            RELOAD: without_args(RELOAD, self.reload),
            SKIP: lambda args: self.take_off(SKIP, args),
            STOP: lambda args: self.take_off(STOP, args),
            CANCEL: self.cancel,
            TEST_ZONE: self.test_zone,  # through our own sink: the card is ours
        }

    def announce(self, args: dict) -> dict[str, object]:
        context = self.context()
        request = parse_announcement(args, config=context.config)
        # Bypasses approval by design (the technician's urgent bulletin): the log keeps who
        # sent it and from where — as the client says, and the address this channel saw.
        request = replace(request, origin=seen_from(request.origin, request_peer()))
        if request.request_id is not None:  # a retry after a restart finds what it made
            sent = context.log.bulletin_for_request(request.request_id)
            if sent is not None:
                logger.info(
                    "yêu cầu %s đã được nhận trước đó (bản tin %s): không phát lần nữa",
                    request.request_id,
                    sent.id,
                    extra={"event": "control_request_repeated", "bulletin": sent.id},
                )
                return {"id": sent.id, "zones": list(sent.zones), "priority": sent.priority}
        bulletin = self.announcer.bulletin(context, request)
        self.announcer.air(context, bulletin, request)
        return {"id": bulletin.id, "zones": list(bulletin.zones), "priority": bulletin.priority}

    def take_off(self, command: str, args: dict) -> dict[str, object]:
        context = self.context()
        request = parse_cut(command, args, context.config)
        answer = take_off(context, command, request)
        station = self.ip_station()
        if station is not None:  # IP zones: their clusters fade out what they play
            ip_zones = ip_zone_ids(context.config)
            ip_zones = ip_zones.intersection(context.config.expand_zones(request.zones))
            if ip_zones:
                answer["clusters"] = station.stop_playing(sorted(ip_zones), request.sender)
        return answer

    def cancel(self, args: dict) -> dict[str, object]:
        request = parse_cancel(args)
        cancelled = self.announcer.cancel(self.context(), request)
        answer: dict[str, object] = {
            "id": cancelled.id,
            "zones": list(cancelled.zones + cancelled.ip_zones),
        }
        station = self.ip_station()
        if cancelled.ip_zones and station is not None:  # their clusters drop it
            answer["clusters"] = station.stop_playing(
                sorted(cancelled.ip_zones), request.sender, cancelled.id
            )
        return answer

    def test_zone(self, args: dict) -> dict[str, object]:
        context = self.context()
        return zone_test_on_air(context, *parse_zone_test(args, context.config))
