"""A period report as a document: title, summary, tables and one chart, in Vietnamese.

Every output format (xlsx, csv, md, html, json) writes this same document, so the figures
and wording cannot drift between them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from broadcast.config.report import ReportSettings
from broadcast.playlog import VerifyResult
from broadcast.report.figures import PeriodFigures
from broadcast.report.labels import Labels
from broadcast.report.period import Period
from broadcast.report.reconcile import LineStatus, Reconciliation
from broadcast.report.tables import Cell, Table, minutes, percent, report_tables

REPORT_TITLE = "Báo cáo kết quả tuyên truyền cải cách hành chính trên hệ thống truyền thanh"
OPEN_PERIOD = "kỳ báo cáo chưa kết thúc"
NOT_BEGUN = "kỳ báo cáo chưa bắt đầu"
DEFINITIONS = (
    "Lượt phát: một bản tin phát vào một giờ đã định, trên một hoặc nhiều vùng loa; trọn vẹn "
    "khi mọi vùng loa của nó đã phát hết ra loa. Lượt tại vùng loa: một lượt phát ở một vùng "
    "loa; tỷ lệ thực hiện kế hoạch tính theo lượt tại vùng loa. Thời lượng: phần đã phát ra "
    "loa; bản tin bị ngắt rồi phát lại chỉ tính một lần, không quá độ dài của nó. Lượt chỉ ghi "
    "ra tệp WAV không tính là đã phát. Thông báo khẩn cấp, ưu tiên không thuộc kế hoạch, được "
    "liệt kê riêng ở mục {announcements}."
)
CLUSTERS_NOTE = (
    "Ở vùng loa IP, mỗi cụm loa tự phát và tự ghi nhật ký nên được tính như một vùng loa: một "
    "lượt phát ở vùng loa có 3 cụm là 3 lượt tại vùng loa, mỗi cụm đã phát hay chưa tính riêng; "
    "thời lượng của vùng loa là thời lượng dài nhất ở một cụm, không cộng các cụm. Cụm loa phải "
    "phát mà không gửi bản ghi nào được ghi “không có bản ghi” với tên cụm."
)


@dataclass(frozen=True)
class BarChart:
    """Bars drawn from one table: its first column names them, ``value_column`` sizes them."""

    title: str
    axis_title: str
    table_key: str
    value_column: int
    bars: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class ChainAnchor:
    """The log's head when the report was made, so a later rewrite of the log shows."""

    events: int
    head_hash: str
    check: VerifyResult | None = None  # None: the chain was not checked for this report


@dataclass(frozen=True)
class ReportDocument:
    title: str  # names the ward when known, and says so when the period is still open
    subtitle: str
    summary: tuple[tuple[str, Cell], ...]
    tables: tuple[Table, ...]  # the sections, numbered, in the order every format prints
    chart: BarChart
    notes: tuple[str, ...]
    period: Period
    generated_at: datetime
    is_open: bool  # the period has not ended: figures run to ``generated_at``
    identity: ReportSettings | None = None  # ``report:`` of schedules.yaml, when it loads
    anchor: str | None = None  # the chain's head and verdict, one sentence (also a note)

    def table(self, key: str) -> Table:
        return next(table for table in self.tables if table.key == key)


def _days_compared(comparison: Reconciliation) -> str:
    days = comparison.days
    if not days:
        return "không có (chưa có ngày nào đã kết thúc mà nhật ký ghi)"
    return f"{days[0]:%d/%m/%Y} – {days[-1]:%d/%m/%Y} ({len(days)} ngày)"


def _plan_summary(comparison: Reconciliation) -> tuple[tuple[str, Cell], ...]:
    counts = comparison.counts()
    planned, aired = comparison.planned, counts[LineStatus.AIRED]
    return (
        ("Theo lịch phát: các ngày đã đối chiếu", _days_compared(comparison)),
        ("Theo lịch phát: lượt tại vùng loa theo kế hoạch", planned),
        ("Theo lịch phát: lượt tại vùng loa đã phát ra loa", aired),
        ("Theo lịch phát: tỷ lệ thực hiện (%)", percent(aired / planned if planned else None)),
    )


def _plan_note(comparison: Reconciliation) -> str:
    note = (
        "Số liệu “theo lịch phát” chỉ tính những ngày đã kết thúc mà nhật ký có ghi, đối chiếu "
        "với kế hoạch của từng buổi phát"
    )
    if comparison.recorded_items:
        note += f": {comparison.recorded_items} buổi theo đúng kế hoạch nhật ký ghi lúc phát"
    if comparison.replanned_items:
        note += (
            f"; {comparison.replanned_items} buổi theo kế hoạch lập lại từ lịch phát và các kịch "
            "bản có lúc đó (nếu lịch phát đã sửa sau đó, chỉ mang tính tham khảo)"
        )
    return note + "."


ANCHOR_LABEL = "Mã kiểm tra nhật ký (head)"


def anchor_sentence(chain: ChainAnchor, generated_at: datetime) -> str:
    """The log's head as the report saw it, with the check's verdict, in one sentence a printed
    copy keeps: ``broadcast logs --verify --expect HEAD`` shows later whether the log still
    holds every row written until then (a cut or rewritten log does not)."""
    if chain.check is None:
        state = "chưa kiểm tra (lệnh: broadcast logs --verify)"
    elif chain.check.problem is None:
        state = "toàn vẹn"
    else:
        state = f"KHÔNG toàn vẹn — {chain.check.problem.message}"
    return (
        f"Nhật ký phát: {chain.events} sự kiện; kiểm tra chuỗi: {state}. {ANCHOR_LABEL}: "
        f"{chain.head_hash} (lúc {generated_at:%H:%M} ngày {generated_at:%d/%m/%Y}) — giữ cùng "
        f"báo cáo này; lệnh `broadcast logs --verify --expect {chain.head_hash}` cho biết nhật "
        "ký còn giữ nguyên mọi bản ghi đến lúc lập báo cáo hay không."
    )


def log_coverage(period: Period, began: date | None) -> tuple[str, bool]:
    """What the log holds of ``period`` as a sentence (``""``: all of it) and whether it
    holds any of it; ``began``: the first day the log has a row (``None``: an empty log)."""
    if began is None:
        return "Nhật ký phát chưa có bản ghi nào, chưa có số liệu của kỳ báo cáo.", False
    if began >= period.end_day:
        return (
            f"Nhật ký phát của hệ thống bắt đầu ghi từ ngày {began:%d/%m/%Y}, sau khi kỳ báo "
            "cáo kết thúc; hệ thống không có số liệu của kỳ này.",
            False,
        )
    if began > period.first_day:
        return (
            f"Nhật ký phát bắt đầu ghi từ ngày {began:%d/%m/%Y}; số liệu của kỳ tính từ ngày đó.",
            True,
        )
    return "", True


def _notes(
    figures: PeriodFigures,
    anchor: str | None,
    generated_at: datetime,
    comparison: Reconciliation | None,
    announcements_section: int,
    coverage: str,
) -> tuple[str, ...]:
    notes = [
        DEFINITIONS.format(announcements=announcements_section),
        f"Lập lúc {generated_at:%H:%M} ngày {generated_at:%d/%m/%Y}.",
    ]
    if generated_at.date() < figures.period.first_day:
        notes.append(f"Lưu ý: {NOT_BEGUN}, chưa có số liệu.")
    elif figures.period.is_open(generated_at.date()):
        notes.append(f"Lưu ý: {OPEN_PERIOD}; số liệu tính đến lúc lập báo cáo.")
    if coverage:
        notes.append(coverage)
    if figures.open_rows:
        notes.append(f"{figures.open_rows} bản ghi chưa kết thúc không được tính.")
    clustered = comparison is not None and any(line.cluster_id for line in comparison.lines)
    if figures.by_cluster or clustered:
        notes.append(CLUSTERS_NOTE)
    if comparison is not None:
        notes.append(_plan_note(comparison))
    if anchor is not None:
        notes.append(anchor)
    return tuple(notes)


def _summary(figures: PeriodFigures) -> tuple[tuple[str, Cell], ...]:
    broadcasts, plays = figures.broadcasts, figures.zone_plays
    return (
        ("Số lượt phát theo kế hoạch", broadcasts.planned),
        ("Số lượt phát trọn vẹn ở mọi vùng loa", broadcasts.aired),
        ("Số lượt tại vùng loa theo kế hoạch", plays.planned),
        ("Số lượt tại vùng loa đã phát trọn vẹn ra loa", plays.aired),
        ("Tỷ lệ thực hiện kế hoạch, theo lượt tại vùng loa (%)", percent(plays.share)),
        ("Tổng thời lượng đã phát ra loa (phút)", minutes(broadcasts.seconds)),
        ("Số bản tin khác nhau đã phát", figures.scripts_heard),
        ("Số lượt tại vùng loa không trọn vẹn", sum(figures.not_aired.values()) - plays.to_file),
        ("Số lượt tại vùng loa chỉ ghi ra tệp WAV, không phát ra loa", plays.to_file),
        ("Số thông báo khẩn cấp, ưu tiên (ngoài kế hoạch)", len(figures.announcements)),
    )


def build_document(
    figures: PeriodFigures,
    labels: Labels,
    *,
    generated_at: datetime,
    chain: ChainAnchor | None = None,
    comparison: Reconciliation | None = None,
    campaigns: Table | None = None,
    known_titles: Mapping[str, str] | None = None,
    coverage: str = "",
) -> ReportDocument:
    """The report; ``comparison``: the log against the timetable on the days compared;
    ``campaigns``: the campaign targets' section; ``known_titles``: the folder's titles;
    ``coverage``: what the log holds of the period, a note when not all of it."""
    period = figures.period
    last_day = period.end_day - timedelta(days=1)
    is_open = period.is_open(generated_at.date())
    subtitle = f"Từ ngày {period.first_day:%d/%m/%Y} đến ngày {last_day:%d/%m/%Y}"
    title = REPORT_TITLE + (f" {labels.report.ward_name}" if labels.report else "")
    title += f" — {period.name_vi}"
    if generated_at.date() < period.first_day:  # nothing to count yet, nothing claimed
        subtitle += f" ({NOT_BEGUN})"
        title += f" ({NOT_BEGUN})"
    elif is_open:
        subtitle += f" ({OPEN_PERIOD})"
        title += f" ({OPEN_PERIOD}, số liệu đến ngày {generated_at:%d/%m/%Y})"
    summary = _summary(figures)
    if comparison is not None:
        summary += _plan_summary(comparison)
    tables = report_tables(
        figures, labels, comparison, campaigns=campaigns, known_titles=known_titles
    )
    by_topic = next(table for table in tables if table.key == "by_topic")
    value_column = by_topic.headings.index("Thời lượng phát ra loa (phút)")
    chart = BarChart(
        title="Thời lượng phát ra loa theo chủ đề (phút)",
        axis_title="Phút",
        table_key=by_topic.key,
        value_column=value_column,
        bars=tuple((str(row[0]), float(row[value_column] or 0)) for row in by_topic.rows),
    )
    anchor = anchor_sentence(chain, generated_at) if chain is not None else None
    announcements = next(n for n, t in enumerate(tables, 1) if t.key == "announcements")
    return ReportDocument(
        title=title,
        subtitle=subtitle,
        summary=summary,
        tables=tables,
        chart=chart,
        notes=_notes(figures, anchor, generated_at, comparison, announcements, coverage),
        period=period,
        generated_at=generated_at,
        is_open=is_open,
        identity=labels.report,
        anchor=anchor,
    )
