"""``broadcast approve ID… --by NAME``: the head of the board approves scripts as they read now."""

from __future__ import annotations

import argparse
import sys

from broadcast.approval import ApprovalEvent, EventKind, Judgement, fingerprint_of
from broadcast.audio.manifest import AudioManifest
from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.approval_events import (
    add_approver_option,
    approver_named,
    judged,
    new_event,
    script_named,
)
from broadcast.cli.output import print_json
from broadcast.cli.project import load_project
from broadcast.paths import ProjectPaths
from broadcast.playlog import AlreadyApproved
from broadcast.scripts import Script
from broadcast.views.approval_events import (
    event_json,
    short,
    when,
    writable_log,
)

ORDER = 12


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "approve",
        help="duyệt kịch bản để được phát (trưởng ban biên tập)",
        description="Duyệt một hay nhiều kịch bản đúng như chúng đang viết: nội dung, tệp ghi "
        "âm và các mục ảnh hưởng việc phát (ngày hiệu lực, khu vực, mức ưu tiên, số lần mỗi "
        "tuần…). Sửa bài sau khi duyệt thì phải duyệt lại; sửa trở lại đúng bản đã duyệt thì "
        "bài lại được duyệt. --by phải là tên có trong approvers: của schedules.yaml; tên tài "
        "khoản máy tính và tên máy cũng được ghi vào nhật ký. Có lỗi ở bất kỳ mã nào thì không "
        "ghi gì cả.",
    )
    parser.add_argument(
        "script_ids", nargs="+", metavar="ID", help='script id, e.g. "2026-11/dvc-muc-4"'
    )
    add_approver_option(parser)
    parser.add_argument("--comment", metavar="TEXT", help="a note kept with the approval")
    parser.add_argument("--json", action="store_true", help="print the events written as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    project = load_project(paths, scripts=True)
    if project is None:
        return EXIT_INPUT_ERRORS
    settings = project.config.approval
    approver = approver_named(settings, args.by)
    if approver is None:
        return EXIT_INPUT_ERRORS
    found = [script_named(project, script_id) for script_id in args.script_ids]
    scripts = [script for script in found if script is not None]
    if len(scripts) < len(found):
        return _nothing_written()
    manifest = AudioManifest.load(paths)
    with writable_log(paths, project.config) as log:
        if not _all_new(scripts, [judged(project, s, log, manifest) for s in scripts]):
            return _nothing_written()
        events = [
            new_event(
                project,
                EventKind.APPROVED,
                script.id,
                approver,
                fingerprint=fingerprint_of(script),
                comment=args.comment,
            )
            for script in scripts
        ]
        try:  # all or none; the check again inside the write, for an approval made meanwhile
            written = log.record_approval_events(events)
        except AlreadyApproved as taken:
            _say_approved(taken.approval)
            return _nothing_written()
    if args.json:
        print_json([event_json(event) for event in written])
        return EXIT_OK
    titles = {script.id: script.title for script in scripts}
    for event in written:
        print(
            f"{titles[event.script_id]} ({event.script_id}): đã duyệt, bởi {event.by}, "
            f"mã nội dung {short(event.content_sha256)}."
        )
    if not settings.required:
        print(
            "Lưu ý: schedules.yaml đang để approval: off — việc duyệt đã được ghi lại nhưng "
            "chưa cần để phát."
        )
    return EXIT_OK


def _all_new(scripts: list[Script], judgements: list[Judgement]) -> bool:
    """Whether no script is already approved as it reads now (after saying which are), and
    none is named twice."""
    fine = True
    seen: set[str] = set()
    for script, judgement in zip(scripts, judgements, strict=True):
        if script.id in seen:
            print(f'Mã "{script.id}" được ghi hai lần.', file=sys.stderr)
            fine = False
        seen.add(script.id)
        approval: ApprovalEvent | None = judgement.approval
        if approval is not None:
            _say_approved(approval)
            fine = False
    return fine


def _say_approved(approval: ApprovalEvent) -> None:
    print(
        f'Kịch bản "{approval.script_id}" đã được duyệt đúng bản này lúc {when(approval.at)} '
        f"bởi {approval.by} (lần duyệt số {approval.id}); không cần duyệt lại.",
        file=sys.stderr,
    )


def _nothing_written() -> int:
    print("Không ghi lần duyệt nào.", file=sys.stderr)
    return EXIT_INPUT_ERRORS
