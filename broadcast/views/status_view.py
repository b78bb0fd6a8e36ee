"""How ``broadcast status`` and the console's "Trạng thái" word the daemon's status: moments
as the ward writes them, each zone's health."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class ZoneHealth(Protocol):
    """A zone of the daemon's status (``broadcast.daemon.status.ZoneStatus``)."""

    @property
    def to_file(self) -> bool: ...

    @property
    def problem(self) -> str | None: ...


TO_FILE_NOTE = "ghi ra tệp WAV (không phát ra loa)"


def when_label(moment: datetime) -> str:
    """How the ward writes a moment: ``05/03 06:00``, in the daemon's own time zone."""
    return f"{moment:%d/%m %H:%M}"


def health_label(zone: ZoneHealth) -> str:
    if zone.to_file:
        return f"{TO_FILE_NOTE}: {zone.problem}" if zone.problem else TO_FILE_NOTE
    return zone.problem or "tốt"
