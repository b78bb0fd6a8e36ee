"""The play log as ``broadcast logs`` and the console's "Nhật ký" show it: one row per attempt
(time, slot, zone, title, topic, duration, outcome …), the zones a filter means, and the
hash-chain verdict in words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from broadcast.config import Config
from broadcast.paths import ProjectPaths
from broadcast.playlog import (
    Attempt,
    ChainProblem,
    PlayLog,
    PlayLogUnreadable,
    VerifyResult,
    reason_label_vi,
)
from broadcast.views.durations import minutes_seconds

COLUMNS = (
    ("id", "#"),
    ("time", "Thời gian"),
    ("slot", "Khung giờ"),
    ("zone", "Vùng loa"),
    ("title", "Bản tin"),
    ("topic", "Chủ đề"),
    ("duration", "Thời lượng"),
    ("outcome", "Kết quả"),
    ("output", "Đầu ra"),
    ("reason", "Lý do"),
    ("error", "Ghi chú"),
)
STILL_PLAYING = "đang phát"
TO_FILE_NOTE = "ghi ra tệp WAV, không phát ra loa"  # recorded, but no listener heard it


class NameLabels(Protocol):
    """Zones and topics by name (``broadcast.report.Labels``)."""

    def zone(self, zone_id: str) -> str: ...

    def topic(self, topic_id: str | None) -> str: ...


def outcome_label(attempt: Attempt) -> str:
    if attempt.outcome is None:
        return STILL_PLAYING
    label = attempt.outcome.label_vi
    return f"{label} ({TO_FILE_NOTE})" if attempt.to_file else label


def notes(attempt: Attempt) -> str | None:
    """Where a play of the rest of an item began, the gaps listeners heard, then the error."""
    found = []
    if attempt.airing.resumed_from_seconds is not None:
        found.append(f"phát tiếp từ {minutes_seconds(attempt.airing.resumed_from_seconds)}")
    if attempt.underruns:
        found.append(f"ngắt quãng {attempt.underruns} lần")
    if attempt.error:
        found.append(attempt.error)
    return "; ".join(found) or None


def log_row(attempt: Attempt, labels: NameLabels) -> dict[str, object]:
    """The row of ``attempt`` under ``COLUMNS``."""
    airing = attempt.airing
    return {
        "id": attempt.id,
        "time": f"{attempt.occurred_at:%d/%m/%Y %H:%M}",
        "slot": airing.slot_id,
        "zone": labels.zone(airing.zone),
        "title": airing.title,
        "topic": labels.topic(airing.topic),
        "duration": minutes_seconds(attempt.aired_seconds),
        "outcome": outcome_label(attempt),
        "output": attempt.output,
        "reason": reason_label_vi(attempt.reason),
        "error": notes(attempt),
    }


def zones_meant(config: Config | None, zone: str) -> tuple[tuple[str, ...], bool]:
    """The zone ids a ``zone`` filter (id or name of a zone or group) means, and whether the
    configuration knows it: an unknown one is taken as the id of a zone since removed."""
    reference = config.zone_reference(zone) if config else None
    if config is not None and reference is not None:
        return tuple(config.expand_zones([reference])), True
    return (zone,), False


def in_zones(attempts: Sequence[Attempt], zones: tuple[str, ...]) -> list[Attempt]:
    return [attempt for attempt in attempts if attempt.airing.zone in zones]


def verify_log(paths: ProjectPaths, expect: str | None = None) -> tuple[VerifyResult, int | None]:
    """The chain's check and, for ``expect``, the event that carries that hash: in a chain
    that verifies, the log up to it is the one the report was made from. A file that is not a
    readable log fails the check like a damaged page does."""
    try:
        with PlayLog.open_for_reading(paths) as log:
            result = log.verify()
            return result, (log.event_with_hash(expect) if expect and result.ok else None)
    except PlayLogUnreadable as exc:
        return VerifyResult(0, 0, "", ChainProblem(None, "corrupt", str(exc))), None


def verdict(result: VerifyResult) -> str:
    """The check in one sentence, for the reviewer."""
    if result.problem is not None:
        return f"Nhật ký KHÔNG toàn vẹn: {result.problem.message}"
    approvals = (
        f" (trong đó {result.approval_events} sự kiện duyệt bài)" if result.approval_events else ""
    )
    return (
        f"Nhật ký toàn vẹn: {result.rows} bản ghi, {result.events} sự kiện{approvals}; "
        f"mã kiểm tra cuối {result.head_hash}"
    )
