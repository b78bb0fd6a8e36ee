"""Lịch phát: the next seven days as a grid per zone, what ``broadcast plan`` computes, with
its warnings and the scripts left out for want of approval."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from broadcast.audio.manifest import AudioManifest
from broadcast.config import Config, load_config
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.playlog.history import open_history
from broadcast.scripts import Script, load_folder
from broadcast.views.plan_grid import PlannedWeek, item_rows, left_out, plan_by_day, plan_from
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
    scripts = tuple(load_folder(paths).scripts)
    manifest = AudioManifest.load(paths)
    with open_history(paths, config) as log:
        # Every input of the plan, the cheap ones first. The log's chain head moves with
        # every play and approval event written (the history and the approvals); it is read
        # before the log is, so a plan made meanwhile is at least as new as its key.
        key = (str(paths.home), start, log.chain_head() if log else None, manifest, config, scripts)
        context = _MEMO.get(key)
        if context is None:
            planned = plan_from(log, manifest, config, scripts, start, DAYS)
            context = _context(config, scripts, planned, start)
            _MEMO.put(key, context)
    return dict(context)


def _context(
    config: Config, scripts: Sequence[Script], planned: PlannedWeek, start: date
) -> dict[str, Any]:
    by_id = {script.id: script for script in scripts}
    by_day = plan_by_day(planned.plan, config, start, DAYS)
    days = [
        {
            "label": entry.label,
            "rows": [row for item in entry.items for row in item_rows(item, by_id)],
            "skipped": entry.skipped,
            "warnings": entry.warnings,
        }
        for entry in by_day.days
    ]
    left = [
        {
            "id": j.script_id,
            "title": by_id[j.script_id].title if j.script_id in by_id else j.script_id,
            "why": j.why_left_out(),
        }
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


class _Memo:
    """The last weeks shown, each with the inputs it was planned from: the page is asked
    again and again while they rarely change, and planning a week is the slow part. An entry
    is used only if every input is equal (``==``), so the first request after a change plans
    again."""

    def __init__(self, size: int):
        self._size = size
        self._entries: list[tuple[tuple[object, ...], dict[str, Any]]] = []
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> dict[str, Any] | None:
        with self._lock:
            return next((value for found, value in self._entries if found == key), None)

    def put(self, key: tuple[object, ...], value: dict[str, Any]) -> None:
        with self._lock:
            others = [entry for entry in self._entries if entry[0] != key]
            self._entries = [(key, value), *others][: self._size]


_MEMO = _Memo(size=8)


def routes() -> list[Route]:
    return [Route("/plan", plan_page, methods=["GET"])]
