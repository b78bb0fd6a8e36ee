"""Bài phát: the table ``broadcast check`` prints, one row per script (rejected files too,
with their problems by line), sortable and filterable in the page (``static/table.js``).

This module also lists the routes of a script's page, its audio and the upload form, in the
order they must be matched: ``/scripts/upload`` before ``/scripts/{id}``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from broadcast.diagnostics import Diagnostic
from broadcast.views.approval_states import summary as approval_summary
from broadcast.views.scripts_table import (
    STATUS_ERROR,
    STATUS_WARNINGS,
    ScriptsTable,
    scripts_table,
)
from broadcast.web.accounts import Account, Permission
from broadcast.web.security import page


def problem_line(diagnostic: Diagnostic) -> str:
    """``file:line: message`` exactly as ``check`` writes it."""
    return str(diagnostic)


_UTF8 = (None, "utf-8", "utf-8-sig")
_STATUS_CLASSES = {STATUS_ERROR: "error", STATUS_WARNINGS: "warn"}
# what a rejected file's record lacks
_BLANK = {"title": "", "topic": "", "validity": "", "duration": "", "encoding": ""}


def _rows(table: ScriptsTable) -> list[dict[str, Any]]:
    by_file: dict[str, list[str]] = defaultdict(list)
    for diagnostic in table.diagnostics:
        by_file[diagnostic.file].append(problem_line(diagnostic))
    valid = {script.id for script in table.folder.scripts}
    rows = []
    for record in table.records:
        approval = record.get("approval")
        rows.append(
            {
                **_BLANK,
                **record,
                "valid": record["id"] in valid,
                # as in ``check``: only a legacy encoding is worth a word
                "encoding": "" if record.get("encoding") in _UTF8 else record.get("encoding"),
                "approval_label": approval["label"] if approval else "",
                "approval_why": (approval or {}).get("why") or "",
                "problems": by_file.get(record["source"], []),
                "status_class": _STATUS_CLASSES.get(record["status"], "ok"),
            }
        )
    return rows


_SEARCHED = ("id", "title", "topic", "validity", "status", "approval_label")


def _matches(row: dict[str, Any], wanted: str) -> bool:
    shown = " ".join(str(row.get(key) or "") for key in _SEARCHED) + " ".join(row["problems"])
    return wanted in shown.casefold()


@page(Permission.VIEW)
async def scripts_page(request: Request, account: Account) -> Response:
    table = await run_in_threadpool(scripts_table, request.app.state.paths)
    rows = _rows(table)
    listed = {row["source"] for row in rows}
    wanted = request.query_params.get("q", "").strip()
    if wanted:  # the same filter as the page's script, for a browser without JavaScript
        rows = [row for row in rows if _matches(row, wanted.casefold())]
    context = {
        "rows": rows,
        "summary": table.summary,
        "approval_required": bool(table.config and table.config.approval.required),
        "approval_summary": approval_summary(table.judgements.values())
        if table.judgements
        else None,
        # the configuration's and lexicon's own problems: no row to show them in
        "other_problems": [problem_line(d) for d in table.diagnostics if d.file not in listed],
        "may_upload": account.may(Permission.UPLOAD),
        "query": wanted,
    }
    return request.app.state.render(request, "scripts.html", context, account)


def routes() -> list[Route]:
    from broadcast.web.pages import audio, script, upload

    return [
        Route("/scripts", scripts_page, methods=["GET"]),
        *upload.upload_routes(),
        *audio.audio_routes(),
        *script.script_routes(),
    ]
