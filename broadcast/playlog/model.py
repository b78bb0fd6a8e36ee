"""What the play log records: outcomes, reason codes, and one attempt on one zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Outcome(StrEnum):
    PLAYED = "played"  # aired to the end
    PARTIAL = "partial"  # stopped before the end (device error, overrun cut …)
    PREEMPTED = "preempted"  # cut off by a higher-priority item
    RESUMED = "resumed"  # the rest of a preempted item, aired to the end
    MISSED = "missed"  # never started (daemon down, quiet hours …)
    FAILED = "failed"  # could not be played (no audio, TTS failed …)
    INTERRUPTED = "interrupted"  # left open by a crash, closed on the next start

    @property
    def label_vi(self) -> str:
        return OUTCOME_LABELS_VI[self]


OUTCOME_LABELS_VI = {
    Outcome.PLAYED: "đã phát",
    Outcome.PARTIAL: "phát dở",
    Outcome.PREEMPTED: "bị ngắt",
    Outcome.RESUMED: "phát tiếp",
    Outcome.MISSED: "bỏ lỡ",
    Outcome.FAILED: "lỗi",
    Outcome.INTERRUPTED: "gián đoạn",
}

# Outcomes that mean the item reached its end on that zone.
COMPLETED_OUTCOMES = frozenset({Outcome.PLAYED, Outcome.RESUMED})


class Reason:
    """Reason codes: stable English keys, shown to people through ``reason_label_vi``."""

    DEVICE_ERROR = "device_error"
    DAEMON_DOWN = "daemon_down"
    TTS_FAILED = "tts_failed"
    AUDIO_MISSING = "audio_missing"
    OVERRUN = "overrun"
    QUIET_HOURS = "quiet_hours"
    STOPPED = "stopped"
    CLOCK_JUMP = "clock_jump"
    LATE_START = "late_start"  # running, its clock steady, but too busy to start it in time
    ZONE_BUSY = "zone_busy"  # another program held its zones past its window
    PREEMPTED_BY = "preempted_by"
    # A technician's request over the control channel; the detail is the account that asked.
    SKIPPED_BY = "skipped_by"  # the item faded out, its program went on
    STOPPED_BY = "stopped_by"  # the program (or bulletin) ended there
    CANCELLED_BY = "cancelled_by"  # a queued bulletin never aired
    # ``approval: required``: checked again just before it played, the script's current text
    # was not approved (edited or revoked since the plan was made) …
    NOT_APPROVED = "not_approved"
    # … or its audio was not made from the approved text (not rendered again since the edit)
    AUDIO_NOT_APPROVED = "audio_not_approved"

    @staticmethod
    def preempted_by(item_id: str) -> str:
        return f"{Reason.PREEMPTED_BY}:{item_id}"

    @staticmethod
    def by_technician(reason: str | None) -> bool:
        """A technician's decision (skip, stop, cancel): not something to make up for."""
        return (reason or "").startswith(
            (Reason.SKIPPED_BY, Reason.STOPPED_BY, Reason.CANCELLED_BY)
        )

    @staticmethod
    def asked_by(code: str, who: str | None) -> str:
        """``skipped_by:an``: what a technician did and who asked (the code alone if unknown)."""
        return f"{code}:{who}" if who else code


_REASON_LABELS_VI = {
    Reason.DEVICE_ERROR: "lỗi thiết bị âm thanh",
    Reason.DAEMON_DOWN: "chương trình phát không chạy",
    Reason.TTS_FAILED: "không tạo được giọng đọc",
    Reason.AUDIO_MISSING: "thiếu tệp âm thanh",
    Reason.OVERRUN: "quá giờ của khung phát",
    Reason.QUIET_HOURS: "giờ yên tĩnh",
    Reason.STOPPED: "người vận hành dừng",
    Reason.CLOCK_JUMP: "đồng hồ máy bị chỉnh nhảy qua giờ phát",
    Reason.LATE_START: "máy đang chạy nhưng quá bận, không kịp bắt đầu đúng giờ",
    Reason.ZONE_BUSY: "khu vực đang phát chương trình khác quá giờ cho phép",
    Reason.NOT_APPROVED: "chưa được duyệt hoặc đã sửa sau khi duyệt",
    Reason.AUDIO_NOT_APPROVED: "âm thanh không phải của bản đã duyệt",
}
_ASKED_LABELS_VI = {
    Reason.SKIPPED_BY: "bỏ qua",
    Reason.STOPPED_BY: "dừng",
    Reason.CANCELLED_BY: "hủy",
}


def reason_label_vi(reason: str | None) -> str | None:
    """Vietnamese wording of a reason code; unknown codes are shown as they are."""
    if reason is None:
        return None
    code, _, detail = reason.partition(":")
    if code == Reason.PREEMPTED_BY:
        return f"nhường cho bản tin {detail}" if detail else "nhường cho bản tin khác"
    if code in _ASKED_LABELS_VI:
        return f"{_ASKED_LABELS_VI[code]} theo yêu cầu của {detail or 'người vận hành'}"
    return _REASON_LABELS_VI.get(reason, reason)


@dataclass(frozen=True)
class BulletinRecord:
    """An announcement as the technician sent it: one broadcast, whatever its zones."""

    id: str
    priority: str  # "emergency" or "priority"
    requested_at: datetime
    zones: tuple[str, ...]
    title: str
    sender: str | None = None  # the account that sent it, as the control client said
    text: str | None = None
    file: str | None = None
    request_id: str | None = None  # the client's id for the request, kept across its retries
    origin: str | None = None  # where it was sent from: "dòng lệnh trên PC-PHAT (127.0.0.1)"


@dataclass(frozen=True)
class Airing:
    """One item meant for one zone at one time: what the daemon knows before it plays."""

    zone: str
    scheduled_at: datetime
    title: str
    script_id: str | None = None  # None for pre-recorded media that is not a script
    topic: str | None = None
    slot_id: str | None = None
    program: str | None = None
    planned_seconds: float | None = None
    audio_hash: str | None = None
    engine: str | None = None
    voice: str | None = None
    bulletin_id: str | None = None  # the announcement this row airs, all its zones sharing it
    # where in the item's audio this play begins: the rest of an item a bulletin or a restart
    # cut (``None``: from the beginning)
    resumed_from_seconds: float | None = None
    # the approval event this play aired under (``approval: required``); ``None`` otherwise
    approval_id: int | None = None


@dataclass(frozen=True)
class Attempt:
    """One row of the log, as read back."""

    id: int
    airing: Airing
    started_at: datetime | None
    ended_at: datetime | None
    aired_seconds: float | None
    outcome: Outcome | None  # None while the attempt is still playing
    reason: str | None
    error: str | None
    output: str | None = None  # the device (and channels) or WAV file the sound went to
    to_file: bool = False  # written to a WAV file: no loudspeaker played it
    # times the device ran dry mid-play, each a gap listeners heard; ``None`` when not known
    # (the row never played, or a crash closed it)
    underruns: int | None = None
    # the IP cluster whose receiver played it (``playlog.remote``); ``None``: the station's own
    cluster_id: str | None = None

    @property
    def heard(self) -> bool:
        """Reached its end on loudspeakers: what a report may count as heard by listeners."""
        return self.outcome in COMPLETED_OUTCOMES and not self.to_file

    @property
    def is_open(self) -> bool:
        return self.outcome is None

    @property
    def occurred_at(self) -> datetime:
        """When it happened: the actual start, else the time it was scheduled for."""
        return self.started_at or self.airing.scheduled_at
