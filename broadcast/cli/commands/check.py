"""``broadcast check``: validate the drop folder and ``schedules.yaml``, one row per script."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from broadcast.approval import Judgement, State
from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.approval_states import WILL_NOT_AIR, print_left_out
from broadcast.cli.output import print_diagnostics, print_json, print_table, shortened
from broadcast.diagnostics import errors_in
from broadcast.paths import ProjectPaths
from broadcast.scripts import ScriptFolder
from broadcast.scripts.layers import origin_lines
from broadcast.views.approval_states import summary as approval_summary
from broadcast.views.scripts_table import scripts_table

ORDER = 10

_TITLE_WIDTH = 44
_UTF8_NAMES = ("utf-8", "utf-8-sig")

_COLUMNS = [
    ("id", "Mã kịch bản"),
    ("title", "Tiêu đề"),
    ("topic", "Chủ đề"),
    ("validity", "Hiệu lực"),
    ("characters", "Ký tự"),
    ("duration", "Thời lượng"),
    ("status", "Trạng thái"),
]
_ENCODING_COLUMN = ("encoding", "Bảng mã")
_APPROVAL_COLUMN = ("approval_label", "Duyệt")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="kiểm tra kịch bản (scripts_vi/), lịch phát và từ điển",
        description="Kiểm tra các kịch bản trong scripts_vi/ và tệp lịch phát schedules.yaml; "
        "in một dòng cho mỗi kịch bản và mọi lỗi, cảnh báo kèm tên tệp và số dòng.",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run)


def _print_approvals(folder: ScriptFolder, judgements: dict[str, Judgement]) -> None:
    titles = {script.id: script.title for script in folder.scripts}
    # "chờ duyệt" in the table says it all for a draft; the others need their why
    explained = [j for j in judgements.values() if j.state is not State.PENDING]
    print_left_out("Bài không được phát và lý do:", explained, titles)
    print(f"\nDuyệt bài: {approval_summary(judgements.values())}")
    if any(not judgement.airable for judgement in judgements.values()):
        print(WILL_NOT_AIR)


def _table_row(record: dict[str, Any]) -> dict[str, Any]:
    title = record.get("title")
    row = dict(record, title=shortened(title, _TITLE_WIDTH) if title else None)
    if row.get("encoding") in _UTF8_NAMES:
        row["encoding"] = ""
    if record.get("approval"):
        row["approval_label"] = record["approval"]["label"]
    return row


def _print_origins(folder: ScriptFolder) -> None:
    """Where each script's fields were written, for those that give any."""
    given = [script for script in folder.scripts if script.field_origins]
    if given:
        print("\nThông tin của kịch bản lấy từ đâu:")
    for script in given:
        print(f"  {script.id}")
        for line in origin_lines(script):
            print(f"    {line}")


def _print_left_out(folder: ScriptFolder) -> None:
    """What the reader left out of a script (an official notice's closing block), so that
    nothing the board wrote goes missing unannounced."""
    noted = [script for script in folder.scripts if script.left_out]
    if noted:
        print("\nPhần không đọc lên loa:")
    for script in noted:
        print(f"  {script.id}")
        for note in script.left_out:
            print(f"    {note}")


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    table = scripts_table(paths)
    folder, config, diagnostics = table.folder, table.config, table.diagnostics
    judgements, records, summary = table.judgements, table.records, table.summary
    config_diagnostics = table.config_diagnostics
    if args.json:
        print_json(
            {
                "scripts": records,
                "ignored": folder.ignored,
                "diagnostics": diagnostics,
                "config_ok": not errors_in(config_diagnostics),
                "approval_required": bool(config and config.approval.required),
                "approval_summary": approval_summary(judgements.values()) if judgements else None,
                "summary": summary,
            }
        )
    else:
        legacy = any(r.get("encoding") not in (None, *_UTF8_NAMES) for r in records)
        columns = [*_COLUMNS[:-1], _ENCODING_COLUMN, _COLUMNS[-1]] if legacy else _COLUMNS
        if judgements:  # before the status, which stays last
            columns = [*columns[:-1], _APPROVAL_COLUMN, columns[-1]]
        print_table(columns, [_table_row(r) for r in records])
        _print_origins(folder)
        _print_left_out(folder)
        if judgements:
            _print_approvals(folder, judgements)
        sys.stdout.flush()  # on a terminal, the messages then come between table and summary
        print_diagnostics(diagnostics, sys.stderr)
        print(summary)
    return EXIT_INPUT_ERRORS if errors_in(diagnostics) else EXIT_OK
