"""Approval events as the commands and the web console make and show them: who acts, from
where, the log opened for an event, an approval in force, and events as tables and JSON write
them. Nothing here prints: ``broadcast.cli.approval_events`` and the console's pages say it."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from broadcast.approval import ApprovalEvent, EventKind, Fingerprint, Judgement
from broadcast.config import Config
from broadcast.config.approval import ApprovalSettings
from broadcast.paths import ProjectPaths
from broadcast.playlog import PlayLog

HASH_SHOWN = 12  # characters of a SHA-256 shown in tables: enough to tell two apart by eye


def short(digest: str | None) -> str | None:
    return digest[:HASH_SHOWN] if digest else None


def when(moment: datetime) -> str:
    """A moment as every table of the program writes it."""
    return f"{moment:%d/%m/%Y %H:%M}"


def nfc(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def make_event(
    kind: EventKind,
    script_id: str,
    by: str,
    at: datetime,
    *,
    os_user: str | None,
    origin: str | None,
    fingerprint: Fingerprint | None = None,
    audio_hash: str | None = None,
    comment: str | None = None,
) -> ApprovalEvent:
    """An event made at ``at`` by ``by`` (the approver as listed, or the console's account),
    with the computer account and the place it came from."""
    return ApprovalEvent(
        kind=kind,
        script_id=script_id,
        at=at,
        by=by,
        fingerprint=fingerprint,
        audio_hash=audio_hash,
        comment=nfc(comment) if comment and comment.strip() else None,
        os_user=os_user,
        origin=origin,
    )


@contextmanager
def writable_log(paths: ProjectPaths, config: Config) -> Iterator[PlayLog]:
    """The play log beside a live daemon (created if there is none yet): the events are
    written in one transaction each, never touching the rows it is playing."""
    with PlayLog.open_for_reading(paths, timezone=config.timezone) as log:
        yield log


def standing_approvals(events: Sequence[ApprovalEvent]) -> list[ApprovalEvent]:
    """Approvals no revocation withdrew (of any text of the script): what ``revoke`` takes
    back, even when the file was edited or removed since."""
    last = max((i for i, e in enumerate(events) if e.kind is EventKind.REVOKED), default=-1)
    return [e for e in events[last + 1 :] if e.kind is EventKind.APPROVED]


def reason_not_airing(judgement: Judgement) -> str:
    """Why the script would be left out were approval required, even while it is off."""
    return replace(judgement, required=True).why_left_out()


@dataclass(frozen=True)
class Approved:
    """Who approved a script and when: the approval in force, or the one of the text before
    an edit."""

    by: str | None
    at: datetime | None
    event: ApprovalEvent | None

    @classmethod
    def of(cls, judgement: Judgement) -> Approved:
        event = judgement.approval or judgement.earlier
        return cls(event.by, event.at, event) if event else cls(None, None, None)


def settings_line(settings: ApprovalSettings) -> str:
    """One line saying whether scripts need approval (and listening) before they air."""
    if not settings.required:
        return (
            "Không bắt buộc duyệt (approval: off trong schedules.yaml): mọi kịch bản hợp lệ "
            "đều được phát; việc duyệt vẫn được ghi lại nhưng chưa cần để phát."
        )
    listen = " và đã nghe thử âm thanh (listen: true)" if settings.listen else ""
    return (
        f"Bắt buộc duyệt (approval: required): chỉ phát kịch bản đã được duyệt đúng nội dung "
        f"hiện tại{listen}."
    )


def event_json(event: ApprovalEvent) -> dict[str, Any]:
    fingerprint = event.fingerprint
    return {
        "id": event.id,
        "hash": event.hash,
        "kind": event.kind,
        "script_id": event.script_id,
        "at": event.at,
        "by": event.by,
        "os_user": event.os_user,
        "origin": event.origin,
        "comment": event.comment,
        "content_sha256": event.content_sha256,
        "text_sha256": fingerprint.text_sha256 if fingerprint else None,
        "recording_sha256": fingerprint.recording_sha256 if fingerprint else None,
        "airing": dict(fingerprint.airing) if fingerprint else None,
        "audio_sha256": event.audio_hash,
    }
