"""Báo cáo: the period report of ``broadcast report`` for a quarter, half-year, year or month,
downloaded as xlsx, csv or html and shown inline. Made off the event loop: it reads the whole
period's log."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from broadcast.clock import SystemClock
from broadcast.config import Config, load_config
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.playlog import PlayLog, database_path
from broadcast.playlog.store import WARD_TIMEZONE
from broadcast.report import Labels, Period, Timetable, parse_period, period_report
from broadcast.report.document import ReportDocument
from broadcast.report.output import save_report, text_report
from broadcast.report.rows import period_rows
from broadcast.scripts import load_folder
from broadcast.web.accounts import Account, Permission
from broadcast.web.security import page

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
KINDS = (
    ("quarter", "Quý"),
    ("half", "6 tháng"),
    ("year", "Năm"),
    ("month", "Tháng"),
)


@dataclass(frozen=True)
class Choice:
    """The form's fields: a kind of period, its year and its number within the year."""

    kind: str
    year: int
    number: int

    @property
    def period_text(self) -> str:
        """As ``--period`` takes it: 2026-Q4, 2026-H1, 2026, 2026-11."""
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        if self.kind == "half":
            return f"{self.year}-H{self.number}"
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        return str(self.year)


def choice_of(request: Request) -> Choice:
    params = request.query_params
    today = request.app.state.clock.now().date()
    kind = params.get("kind", "quarter")
    if kind not in dict(KINDS):
        kind = "quarter"
    try:
        year = int(params.get("year", ""))
    except ValueError:
        year = today.year
    default = {"quarter": (today.month - 1) // 3 + 1, "half": 1 if today.month <= 6 else 2}
    try:
        number = int(params.get("number", ""))
    except ValueError:
        number = default.get(kind, today.month)
    return Choice(kind, year, number)


def _config(paths: ProjectPaths) -> Config | None:
    try:
        return load_config(paths)
    except InputError:
        return None  # the log alone still makes the report: ids instead of names


def make_report(paths: ProjectPaths, period: Period) -> ReportDocument:
    """What ``broadcast report`` computes for ``period`` (without the Word frame)."""
    config = _config(paths)
    timezone = config.timezone if config else WARD_TIMEZONE
    timetable = Timetable.read(paths, config, load_folder(paths).scripts) if config else None
    with PlayLog.open_for_reading(paths, timezone=timezone) as log:
        rows = period_rows(log, period)
        return period_report(
            log,
            period,
            Labels.from_config(config),
            clock=SystemClock(timezone),
            timetable=timetable,
            rows=rows,
        )


def report_file(paths: ProjectPaths, period: Period, fmt: str) -> bytes:
    """The file ``broadcast report --format fmt`` writes."""
    document = make_report(paths, period)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"bao-cao.{fmt}"
        save_report(document, fmt, out)
        return out.read_bytes()


def report_html(paths: ProjectPaths, period: Period) -> str:
    return text_report(make_report(paths, period), "html")


def _period(choice: Choice) -> tuple[Period | None, str | None]:
    try:
        return parse_period(choice.period_text), None
    except ValueError as exc:
        return None, str(exc)


@page(Permission.REPORTS)
async def reports_page(request: Request, account: Account) -> Response:
    paths = request.app.state.paths
    choice = choice_of(request)
    period, problem = _period(choice)
    html = None
    no_log = not database_path(paths).exists()
    if period is not None and not no_log and request.query_params.get("show"):
        html = await run_in_threadpool(report_html, paths, period)
    context = {
        "kinds": KINDS,
        "choice": choice,
        "period": period,
        "problem": problem,
        "report_html": html,
        "formats": list(FORMATS),
        "no_log": no_log,
    }
    return request.app.state.render(request, "reports.html", context, account)


@page(Permission.REPORTS)
async def report_download(request: Request, account: Account) -> Response:
    paths = request.app.state.paths
    period, problem = _period(choice_of(request))
    fmt = request.query_params.get("format", "xlsx")
    if period is None or fmt not in FORMATS or not database_path(paths).exists():
        message = problem or (
            "Chưa có nhật ký phát để lập báo cáo."
            if fmt in FORMATS
            else "Định dạng báo cáo không có; chọn xlsx, csv hoặc html."
        )
        return request.app.state.render(
            request, "reports_error.html", {"message": message}, account, status_code=400
        )
    content = await run_in_threadpool(report_file, paths, period, fmt)
    return Response(
        content,
        media_type=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="bao-cao-{period.key}.{fmt}"'},
    )


def routes() -> list[Route]:
    return [
        Route("/reports", reports_page, methods=["GET"]),
        Route("/reports/download", report_download, methods=["GET"]),
    ]
