"""``broadcast approvals``: every valid script's approval state, and why one will not air."""

from __future__ import annotations

import argparse
from typing import Any

from broadcast.approval import ApprovalEvent, Judgement, State
from broadcast.audio.manifest import AudioManifest
from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.output import print_json, print_table, shortened
from broadcast.cli.project import load_project
from broadcast.paths import ProjectPaths
from broadcast.scripts import Script
from broadcast.views.approval_events import (
    Approved,
    event_json,
    reason_not_airing,
    settings_line,
    when,
)
from broadcast.views.approval_states import judgements_of

ORDER = 11

_TITLE_WIDTH = 40


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "approvals",
        help="xem bài nào đã duyệt, bài nào chờ duyệt",
        description="Liệt kê mọi kịch bản hợp lệ với trạng thái duyệt (đã duyệt, chờ duyệt, đã "
        "sửa sau khi duyệt và sửa mục nào, đã thu hồi, chưa nghe thử), ai duyệt, lúc nào, và vì "
        "sao bài chưa được phát. --pending: chỉ những bài chưa được duyệt đúng bản hiện tại.",
    )
    parser.add_argument(
        "--pending", action="store_true", help="only the scripts not approved as they read now"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    project = load_project(paths, scripts=True)
    if project is None:
        return EXIT_INPUT_ERRORS
    settings = project.config.approval
    judgements = judgements_of(paths, project.config, project.scripts, AudioManifest.load(paths))
    shown = [
        (script, judgements[script.id])
        for script in project.scripts
        if not (args.pending and _settled(judgements[script.id]))
    ]
    if args.json:
        print_json(
            {
                "required": settings.required,
                "listen": settings.listen,
                "approvers": settings.approvers,
                "scripts": [_json(script, judgement) for script, judgement in shown],
            }
        )
        return EXIT_OK
    print(settings_line(settings))
    if not shown:
        print("Mọi kịch bản đều đã được duyệt." if args.pending else "Chưa có kịch bản nào.")
        return EXIT_OK
    reason = "Vì sao chưa phát" if settings.required else "Ghi chú"
    columns = [
        ("id", "Mã"),
        ("title", "Tiêu đề"),
        ("state", "Trạng thái"),
        ("by", "Người duyệt"),
        ("at", "Lúc duyệt"),
        ("why", reason),
    ]
    print_table(columns, [_row(script, judgement) for script, judgement in shown])
    counts = {state: 0 for state in State}
    for _, judgement in shown:
        counts[judgement.state] += 1
    print(", ".join(f"{n} bài {state.label_vi}" for state, n in counts.items() if n) + ".")
    return EXIT_OK


def _settled(judgement: Judgement) -> bool:
    """Approved as it reads now, and airs: nothing left for the board to do."""
    return judgement.state is State.APPROVED and judgement.airable


def _row(script: Script, judgement: Judgement) -> dict[str, Any]:
    approved = Approved.of(judgement)
    return {
        "id": script.id,
        "title": shortened(script.title, _TITLE_WIDTH),
        "state": judgement.state.label_vi,
        "by": approved.by,
        "at": when(approved.at) if approved.at else None,
        "why": _why(judgement),
    }


def _json(script: Script, judgement: Judgement) -> dict[str, Any]:
    return {
        "script_id": script.id,
        "title": script.title,
        "source": script.source,
        "state": judgement.state,
        "state_label": judgement.state.label_vi,
        "airable": judgement.airable,
        "why": _why(judgement),
        "changed": judgement.changed,
        "content_sha256": judgement.fingerprint.sha256,
        "approval_id": judgement.approval_id,
        "approval": _event(judgement.approval),  # in force
        "earlier": _event(judgement.earlier),  # edited: the approval of the text before
        "revocation": _event(judgement.revocation),
        "audio_sha256": judgement.audio_hash,
        "listened": _event(judgement.listen),
    }


def _why(judgement: Judgement) -> str | None:
    """Why it does not air; while approval is off, why it would not if it were required."""
    return judgement.why_left_out() or reason_not_airing(judgement) or None


def _event(event: ApprovalEvent | None) -> dict[str, Any] | None:
    return event_json(event) if event is not None else None
