"""What ``approve``, ``revoke``, ``approvals``, ``trace`` and ``preview`` share and say: who
acts and from where on this computer, the script an id names (with a message when none), an
approver's listed spelling. The events themselves: ``broadcast.views.approval_events``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

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
from broadcast.config.approval import ApprovalSettings
from broadcast.paths import ProjectPaths
from broadcast.playlog import PlayLog
from broadcast.scripts import Script
from broadcast.views.approval_events import make_event, nfc, short, writable_log
from broadcast.yamlsource import did_you_mean


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
    return make_event(
        kind,
        script_id,
        by,
        project.clock.now(),
        os_user=sender(),
        origin=origin(),
        fingerprint=fingerprint,
        audio_hash=audio_hash,
        comment=comment,
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
