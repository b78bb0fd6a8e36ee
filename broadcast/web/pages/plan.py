"""Lịch phát: the next seven days as a grid per zone, what ``broadcast plan`` computes, with
its warnings and the scripts left out for want of approval."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from broadcast.config import load_config
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.scripts import load_folder
from broadcast.views.plan_grid import compute_plan, item_rows, left_out, plan_by_day
from broadcast.web.accounts import Account, Permission
from broadcast.web.security import page

DAYS = 7


def _start(request: Request, today: date) -> date:
    """``?from=2026-12-07`` or today."""
    try:
        return date.fromisoformat(request.query_params.get("from", ""))
    except ValueError:
        return today


@page(Permission.VIEW)
async def plan_page(request: Request, account: Account) -> Response:
    paths = request.app.state.paths
    start = _start(request, request.app.state.clock.now().date())
    # reading the folder and planning a week take a while: off the event loop, so the status
    # page and the others answer meanwhile
    context = await run_in_threadpool(_week, paths, start)
    return request.app.state.render(request, "plan.html", context, account)


def _week(paths: ProjectPaths, start: date) -> dict[str, Any]:
    try:
        config = load_config(paths)
    except InputError as exc:
        return {"problems": [d.message for d in exc.diagnostics], "week": None}
    folder = load_folder(paths)
    planned = compute_plan(paths, config, folder.scripts, start, DAYS)
    scripts = {script.id: script for script in folder.scripts}
    by_day = plan_by_day(planned.plan, config, start, DAYS)
    days = [
        {
            "label": entry.label,
            "rows": [row for item in entry.items for row in item_rows(item, scripts)],
            "skipped": entry.skipped,
            "warnings": entry.warnings,
        }
        for entry in by_day.days
    ]
    titles = {script.id: script.title for script in folder.scripts}
    left = [
        {"id": j.script_id, "title": titles.get(j.script_id, j.script_id), "why": j.why_left_out()}
        for j in left_out(planned.judgements)
    ]
    return {
        "problems": [],
        "week": days,
        "zones": config.zones,
        "general": by_day.general,
        "left_out": left,
        "start": start,
        "previous": start - timedelta(days=DAYS),
        "next": start + timedelta(days=DAYS),
    }


def routes() -> list[Route]:
    return [Route("/plan", plan_page, methods=["GET"])]
