"""``broadcast revoke ID --by NAME --reason …``: withdraw a script's approvals."""

from __future__ import annotations

import argparse
import sys

from broadcast.approval import EventKind
from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.approval_events import (
    add_approver_option,
    approver_named,
    find_script,
    new_event,
    script_named,
    typed_id,
)
from broadcast.cli.output import print_json
from broadcast.cli.project import Project, load_project
from broadcast.paths import ProjectPaths
from broadcast.playlog import PlayLog
from broadcast.views.approval_events import (
    event_json,
    nfc,
    standing_approvals,
    when,
    writable_log,
)

ORDER = 13


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "revoke",
        help="thu hồi duyệt một kịch bản (bài không được phát nữa)",
        description="Thu hồi mọi lần duyệt của một kịch bản, kể cả lần duyệt bản trước khi "
        "sửa: bài không được phát nữa cho tới khi được duyệt lại. Vẫn thu hồi được khi tệp "
        "kịch bản đã bị xóa hay đang lỗi, để một lần duyệt nhầm luôn rút lại được. --by phải "
        "là tên có trong approvers: của schedules.yaml; --reason là lý do, ghi vào nhật ký.",
    )
    parser.add_argument("script_id", metavar="ID", help='script id, e.g. "2026-11/dvc-muc-4"')
    add_approver_option(parser)
    parser.add_argument("--reason", required=True, metavar="TEXT", help="why it is withdrawn")
    parser.add_argument("--json", action="store_true", help="print the event written as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    if not nfc(args.reason):
        print("--reason không được để trống: ghi lý do thu hồi.", file=sys.stderr)
        return EXIT_INPUT_ERRORS
    project = load_project(paths, scripts=True)
    if project is None:
        return EXIT_INPUT_ERRORS
    approver = approver_named(project.config.approval, args.by)
    if approver is None:
        return EXIT_INPUT_ERRORS
    with writable_log(paths, project.config) as log:
        script_id = _script_id(project, log, args.script_id)
        if script_id is None:
            return EXIT_INPUT_ERRORS
        event = new_event(project, EventKind.REVOKED, script_id, approver, comment=args.reason)
        written = log.record_approval_event(event)
    if args.json:
        print_json(event_json(written))
        return EXIT_OK
    script = project.script(script_id)
    title = f"{script.title} ({script_id})" if script else script_id
    print(f"{title}: đã thu hồi duyệt, bởi {written.by}. Bài không được phát nữa.")
    return EXIT_OK


def _script_id(project: Project, log: PlayLog, typed: str) -> str | None:
    """The script whose approvals are withdrawn: by id, or by file for a script still there;
    ``None`` after saying why there is nothing to withdraw."""
    script = find_script(project, typed)
    script_id = script.id if script else typed_id(typed)
    events = log.approval_events(script_id)
    if standing_approvals(events):
        return script_id
    revocations = [e for e in events if e.kind is EventKind.REVOKED]
    if revocations:
        last = revocations[-1]
        print(
            f'Kịch bản "{script_id}" không có lần duyệt nào đang hiệu lực: đã được thu hồi lúc '
            f"{when(last.at)} bởi {last.by}.",
            file=sys.stderr,
        )
    elif (
        events
        or project.script(script_id)
        or any(r.id == script_id for r in project.folder.rejected)
    ):
        print(
            f'Kịch bản "{script_id}" chưa được duyệt lần nào, không có gì để thu hồi.',
            file=sys.stderr,
        )
    else:
        script_named(project, script_id, also=[e.script_id for e in log.approval_events()])
    print("Không ghi gì.", file=sys.stderr)
    return None
