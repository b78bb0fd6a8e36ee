"""A technician's ``skip`` and ``stop`` over the control channel: what plays fades out, the log
rows say who asked, and so does the daemon's log.

``skip`` cuts the item (or bulletin) playing now; its program goes on with its next item.
``stop`` also ends the programs and bulletins there: their remaining items are logged
``missed``. A priority bulletin still waiting airs in the gap as usual; the answer names it so
the technician can ``cancel`` it.
"""

from __future__ import annotations

import logging

from broadcast.control import SKIP, CutRequest
from broadcast.daemon.context import AirContext
from broadcast.playlog import Reason

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
