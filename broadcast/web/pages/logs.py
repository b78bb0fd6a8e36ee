"""Nhật ký: the play log filtered by date, zone, topic and outcome (what ``broadcast logs``
shows), a page at a time; the hash-chain verdict on demand; the same rows as CSV.

Without dates the page shows the last seven days: the query stays bounded by the log's time
index however long the log grows."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from broadcast.config import Config, load_config
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.playlog import Attempt, Outcome, PlayLog, database_path
from broadcast.report import Labels
from broadcast.views.log_rows import COLUMNS, log_row, verdict, verify_log, zones_meant
from broadcast.web.accounts import Account, Permission
from broadcast.web.security import page

PER_PAGE = 100
DEFAULT_DAYS = 7
CSV_NAME = "nhat-ky-phat.csv"


@dataclass(frozen=True)
class Filters:
    since: date
    until: date
    zone: str
    topic: str
    outcome: Outcome | None

    def query(self, **extra: object) -> str:
        values = {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "zone": self.zone,
            "topic": self.topic,
            "outcome": self.outcome.value if self.outcome else "",
            **extra,
        }
        return urlencode({key: value for key, value in values.items() if value not in ("", None)})


def _day(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        return default


def filters_of(request: Request) -> Filters:
    params = request.query_params
    today = request.app.state.clock.now().date()
    until = _day(params.get("until"), today)
    since = _day(params.get("since"), until - timedelta(days=DEFAULT_DAYS - 1))
    outcome = next((o for o in Outcome if o.value == params.get("outcome")), None)
    return Filters(since, until, params.get("zone", "").strip(), params.get("topic", ""), outcome)


def _config(paths: ProjectPaths) -> Config | None:
    try:
        return load_config(paths)
    except InputError:
        return None  # the log alone: zones and topics by id


def read_attempts(
    paths: ProjectPaths,
    config: Config | None,
    filters: Filters,
    page: tuple[int, int] | None = None,
) -> tuple[list[Attempt], int]:
    """The attempts the filters select, as ``broadcast logs`` selects them, and how many there
    are; ``page`` (number from 1, rows per page): that page only, read as such from SQLite."""
    if not database_path(paths).exists():
        return [], 0
    with PlayLog.open_for_reading(paths) as log:
        tz = log.timezone
        select = partial(
            log.attempts,
            since=datetime.combine(filters.since, time(), tz),
            until=datetime.combine(filters.until + timedelta(days=1), time(), tz),
            topic=filters.topic or None,
            outcome=filters.outcome,
            zones=zones_meant(config, filters.zone)[0] if filters.zone else None,
        )
        total = log.count_attempts(**select.keywords)
        if page is None:
            return select(), total
        number, size = page
        pages = max(1, -(-total // size))
        return select(limit=size, offset=(min(number, pages) - 1) * size), total


@page(Permission.LOGS)
async def logs_page(request: Request, account: Account) -> Response:
    paths = request.app.state.paths
    config = _config(paths)
    filters = filters_of(request)
    try:
        asked = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        asked = 1
    shown, total = await run_in_threadpool(read_attempts, paths, config, filters, (asked, PER_PAGE))
    pages = max(1, -(-total // PER_PAGE))
    number = min(asked, pages)
    labels = Labels.from_config(config)
    checked = None
    if request.query_params.get("verify"):
        result, _ = await run_in_threadpool(verify_log, paths)
        checked = {"ok": result.ok, "message": verdict(result)}
    context = {
        "columns": COLUMNS,
        "rows": [log_row(attempt, labels) for attempt in shown],
        "total": total,
        "number": number,
        "pages": pages,
        "filters": filters,
        "zones": [(z.id, z.name) for z in config.zones] if config else [],
        "groups": list(config.zone_groups) if config else [],
        "topics": dict(config.topics) if config else {},
        "outcomes": [(o.value, o.label_vi) for o in Outcome],
        "checked": checked,
        "no_log": not database_path(paths).exists(),
    }
    return request.app.state.render(request, "logs.html", context, account)


def logs_csv(paths: ProjectPaths, filters: Filters) -> str:
    """The selected rows as ``broadcast logs --csv`` writes them, with a BOM for Excel."""
    config = _config(paths)
    labels = Labels.from_config(config)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(heading for _, heading in COLUMNS)
    for attempt in read_attempts(paths, config, filters)[0]:
        row = log_row(attempt, labels)
        writer.writerow(row[key] for key, _ in COLUMNS)
    return out.getvalue()


@page(Permission.LOGS)
async def logs_download(request: Request, account: Account) -> Response:
    text = await run_in_threadpool(logs_csv, request.app.state.paths, filters_of(request))
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{CSV_NAME}"'},
    )


def routes() -> list[Route]:
    return [
        Route("/logs", logs_page, methods=["GET"]),
        Route("/logs.csv", logs_download, methods=["GET"]),
    ]
