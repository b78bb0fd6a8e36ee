"""A technician's ``skip``, ``stop`` and ``test_zone`` over the control channel: what plays
fades out, the log rows say who asked, and so does the daemon's log.

``skip`` cuts the item (or bulletin) playing now; its program goes on with its next item.
``stop`` also ends the programs and bulletins there: their remaining items are logged
``missed``. A priority bulletin still waiting airs in the gap as usual; the answer names it so
the technician can ``cancel`` it.

``test_zone`` plays the test tone and the zone's name through the daemon's own sink, holding
the zone like a program does meanwhile: a program due then waits the few seconds, a priority
bulletin too, an emergency cuts the test. It is refused while that zone is on air, or any
bulletin is: the technician waits, or stops the program first.
"""

from __future__ import annotations

import logging
import time
from typing import NoReturn

from broadcast.config import Zone
from broadcast.control import SKIP, CutRequest, ZoneTestRequest
from broadcast.daemon.context import AirContext
from broadcast.diagnostics import Diagnostic, InputError
from broadcast.playlog import Reason
from broadcast.playlog.model import reason_label_vi
from broadcast.scripts.model import Priority
from broadcast.sinks.zone_test import SAMPLE_RATE, zone_test_audio

logger = logging.getLogger("broadcast.daemon")

UNKNOWN_SENDER = "người vận hành (không rõ tài khoản)"


def who(sender: str | None) -> str:
    """The account named in the daemon's log."""
    return sender or UNKNOWN_SENDER


def take_off(context: AirContext, command: str, request: CutRequest) -> dict[str, object]:
    """Carry out ``skip`` or ``stop`` (``command``); the answer names the zones cut and the
    priority bulletins still waiting there."""
    skip = command == SKIP
    zones = None if request.zones is None else set(context.config.expand_zones(request.zones))
    code = Reason.SKIPPED_BY if skip else Reason.STOPPED_BY
    cut = context.air.cut(zones, Reason.asked_by(code, request.sender), end_airing=not skip)
    where = ", ".join(sorted(zones)) if zones is not None else "mọi khu vực"
    if cut:
        logger.warning(
            "%s cho %s trên %s (đã ngắt: %s)",
            who(request.sender),
            "bỏ qua mục đang phát" if skip else "dừng chương trình đang phát",
            where,
            ", ".join(cut),
            extra={"event": "item_skipped" if skip else "airing_stopped"},
        )
    else:
        logger.info(
            "%s yêu cầu %s trên %s: không có gì đang phát",
            who(request.sender),
            command,
            where,
            extra={"event": "nothing_to_cut"},
        )
    waiting = context.air.queued(zones)
    return {"zones": cut, "queued": [bulletin.id for bulletin in waiting]}


def zone_test_on_air(
    context: AirContext, request: ZoneTestRequest, zone: Zone
) -> dict[str, object]:
    """Play the zone test on ``zone`` unless it is on air, or a bulletin is (``InputError``
    saying so); the answer says what the zone's outlet did (``broadcast.control.zone_test``)."""
    air = context.air
    _refuse_during_bulletins(context, request, zone)
    audio = zone_test_audio(zone.name)  # before taking the zone: it is held only to play
    turn = air.reserve_program((context.clock.now(), f"phat-thu-{zone.id}"), [zone.id])
    if not air.enter_program(turn, time.monotonic()):  # not waiting: it gives the turn up
        _refuse(
            request,
            zone,
            "zone_on_air",
            f'khu vực "{zone.id}" ({zone.name}) đang phát chương trình; hãy đợi chương trình '
            f"phát xong, hoặc dừng nó trước (broadcast stop --zones {zone.id}), rồi phát thử lại",
        )
    try:
        channel = air.open_channel([zone.id])
        try:
            speakers = [context.speakers[zone.id]]
            playback = air.begin(
                channel,
                [zone.id],
                lambda: context.sink.start(audio, SAMPLE_RATE, speakers, label="phat-thu"),
            )
            if playback is None:  # an emergency came between the checks, or a stop
                _refuse_during_bulletins(context, request, zone)
                _refuse(request, zone, "stopping", "chương trình phát đang dừng")
            logger.info(
                "%s phát thử khu vực %s",
                who(request.sender),
                zone.id,
                extra={"event": "zone_test", "zone": zone.id},
            )
            outcome = playback.wait().for_zone(zone.id)
            ended = air.end(channel)
        finally:
            air.close_channel(channel)
    finally:
        air.leave_program(turn)
    cut = None
    if zone.id in ended.preempted:
        cut = f"nhường cho thông báo khẩn cấp {ended.preempted[zone.id].id}"
    elif zone.id in ended.cut_by:
        cut = reason_label_vi(ended.cut_by[zone.id])
    return {
        "zone": zone.id,
        "device": outcome.device,
        "channels": list(zone.output.channels),
        "aired_seconds": round(outcome.aired_seconds, 2),
        "error": outcome.error.message if outcome.error is not None else None,
        "cut": cut,
    }


def _refuse_during_bulletins(context: AirContext, request: ZoneTestRequest, zone: Zone) -> None:
    on_air = context.air.bulletins_on_air()
    if on_air:
        bulletin = on_air[0]
        kind = "khẩn cấp" if bulletin.priority is Priority.EMERGENCY else "ưu tiên"
        zones = context.config.zones_label(list(bulletin.zones))
        _refuse(
            request,
            zone,
            "bulletin_on_air",
            f'đang phát thông báo {kind} "{bulletin.title}" ({bulletin.id}) trên {zones}; '
            "hãy đợi thông báo phát xong rồi phát thử lại",
        )


def _refuse(request: ZoneTestRequest, zone: Zone, code: str, message: str) -> NoReturn:
    logger.info(
        "%s: không phát thử khu vực %s: %s",
        who(request.sender),
        zone.id,
        message,
        extra={"event": "zone_test_refused", "zone": zone.id},
    )
    raise InputError([Diagnostic("test-zone", None, None, code, message)])
