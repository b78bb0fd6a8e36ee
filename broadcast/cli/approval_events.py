"""What ``approve``, ``revoke``, ``approvals``, ``trace`` and ``preview`` share: who acts and
from where, the script an id names (with a message when none), an approver's listed spelling,
the log opened for an event, and events as the commands print them."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from broadcast.approval import (
    ApprovalEvent,
    EventKind,
    Fingerprint,
    Judgement,
    fingerprint_of,
    judge,
)
from broadcast.audio.manifest import AudioManifest, ManifestEntry
from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.daemon_requests import origin, sender
from broadcast.cli.project import Project, load_project
from broadcast.config import Config
from broadcast.config.approval import ApprovalSettings
from broadcast.paths import ProjectPaths
from broadcast.playlog import PlayLog
from broadcast.scripts import Script
from broadcast.yamlsource import did_you_mean

HASH_SHOWN = 12  # characters of a SHA-256 shown in tables: enough to tell two apart by eye


def short(digest: str | None) -> str | None:
    return digest[:HASH_SHOWN] if digest else None


def when(moment: datetime) -> str:
    """A moment as every table of the program writes it."""
    return f"{moment:%d/%m/%Y %H:%M}"


def nfc(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def new_event(
    project: Project,
    kind: EventKind,
    script_id: str,
    by: str,
    *,
    fingerprint: Fingerprint | None = None,
    audio_hash: str | None = None,
    comment: str | None = None,
) -> ApprovalEvent:
    """An event made now on this computer, by ``by``, with the account that ran the command."""
    return ApprovalEvent(
        kind=kind,
        script_id=script_id,
        at=project.clock.now(),
        by=by,
        fingerprint=fingerprint,
        audio_hash=audio_hash,
        comment=nfc(comment) if comment and comment.strip() else None,
        os_user=sender(),
        origin=origin(),
    )


def add_approver_option(parser: argparse.ArgumentParser) -> None:
    """``--by`` of the commands only an approver may run (``approve``, ``revoke``)."""
    parser.add_argument(
        "--by", required=True, metavar="NAME", help="the approver, as listed in approvers:"
    )


def approver_named(settings: ApprovalSettings, name: str) -> str | None:
    """The approver ``--by`` names, as listed in schedules.yaml; ``None`` after saying who may."""
    found = settings.approver(name)
    if found is not None:
        return found
    if settings.approvers:
        listed = ", ".join(f'"{n}"' for n in settings.approvers)
        print(
            f'"{nfc(name)}" không có trong danh sách người duyệt (approvers: trong '
            f"schedules.yaml): {listed}{did_you_mean(nfc(name), settings.approvers)}.",
            file=sys.stderr,
        )
    else:
        print(
            "schedules.yaml chưa có danh sách người duyệt: thêm approvers: "
            f'["{nfc(name)}"] rồi chạy lại.',
            file=sys.stderr,
        )
    return None


def typed_id(text: str) -> str:
    return text.strip().strip("/")


def find_script(project: Project, typed: str) -> Script | None:
    """The valid script named by its id or by its file as ``check`` lists it."""
    wanted = typed_id(typed)
    return next((s for s in project.scripts if wanted in (s.id, s.source)), None)


def script_named(project: Project, script_id: str, *, also: Sequence[str] = ()) -> Script | None:
    """The valid script ``script_id`` names (its id, or its file as ``check`` lists it);
    ``None`` after saying why: a file ``check`` rejects, or no such id (with the closest one;
    ``also``: ids known elsewhere, e.g. from the log)."""
    wanted = typed_id(script_id)
    script = find_script(project, wanted)
    if script is not None:
        return script
    rejected = next((r for r in project.folder.rejected if wanted in (r.id, r.source)), None)
    if rejected is not None:
        print(
            f'Kịch bản "{rejected.id}" ({rejected.source}) không hợp lệ; chạy `broadcast check` '
            "để xem lỗi và sửa tệp trước.",
            file=sys.stderr,
        )
        return None
    known = sorted({s.id for s in project.scripts} | set(also))
    folder = project.paths.relative(project.paths.scripts_dir)
    print(
        f'Không có kịch bản nào mã "{wanted}" trong {folder}{did_you_mean(wanted, known)}.',
        file=sys.stderr,
    )
    return None


@contextmanager
def writable_log(paths: ProjectPaths, config: Config) -> Iterator[PlayLog]:
    """The play log beside a live daemon (created if there is none yet): the events are
    written in one transaction each, never touching the rows it is playing."""
    with PlayLog.open_for_reading(paths, timezone=config.timezone) as log:
        yield log


def record_listen(paths: ProjectPaths, script: Script, entry: ManifestEntry, by: str | None) -> int:
    """``preview`` played ``entry`` to its end on this computer: ``by`` (default: the account)
    heard this audio of ``script`` as it reads now. Anyone may listen, approver or not."""
    project = load_project(paths)
    if project is None:
        return EXIT_INPUT_ERRORS
    name = nfc(by) if by and by.strip() else sender() or "không rõ"
    name = project.config.approval.approver(name) or name  # an approver as listed
    event = new_event(
        project,
        EventKind.LISTENED,
        script.id,
        name,
        fingerprint=fingerprint_of(script),
        audio_hash=entry.audio_hash,
    )
    with writable_log(paths, project.config) as log:
        log.record_approval_event(event)
    print(
        f"Đã ghi lần nghe thử của {name}: {script.title} ({script.id}), mã âm thanh "
        f"{short(entry.audio_hash)}."
    )
    return EXIT_OK


def judged(
    project: Project, script: Script, log: PlayLog | None, manifest: AudioManifest
) -> Judgement:
    events = log.approval_events(script.id) if log is not None else []
    return judge(script, events, project.config.approval, manifest.entry(script.id))


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
