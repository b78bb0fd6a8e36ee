"""A period report as a document: title, summary, tables and one chart, in Vietnamese.

Every output format (xlsx, csv, md, html, json) writes this same document, so the figures
and wording cannot drift between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from broadcast.playlog import VerifyResult
from broadcast.report.figures import PeriodFigures
from broadcast.report.labels import Labels
from broadcast.report.reconcile import LineStatus, Reconciliation
from broadcast.report.tables import Cell, Table, minutes, percent, report_tables

REPORT_TITLE = "Báo cáo kết quả tuyên truyền cải cách hành chính trên hệ thống truyền thanh"
OPEN_PERIOD = "kỳ báo cáo chưa kết thúc"
DEFINITIONS = (
    "Lượt phát: một bản tin phát vào một giờ đã định, trên một hoặc nhiều vùng loa; trọn vẹn "
    "khi mọi vùng loa của nó đã phát hết ra loa. Lượt tại vùng loa: một lượt phát ở một vùng "
    "loa; tỷ lệ thực hiện kế hoạch tính theo lượt tại vùng loa. Thời lượng: phần đã phát ra "
    "loa; bản tin bị ngắt rồi phát lại chỉ tính một lần, không quá độ dài của nó. Lượt chỉ ghi "
    "ra tệp WAV không tính là đã phát. Thông báo khẩn cấp, ưu tiên không thuộc kế hoạch, được "
    "liệt kê riêng ở mục 7."
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
    title: str
    subtitle: str
    summary: tuple[tuple[str, Cell], ...]
    tables: tuple[Table, ...]
    chart: BarChart
    notes: tuple[str, ...]

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


def anchor_note(head_hash: str) -> str:
    """The log's head as the report saw it: kept with the report, it shows later whether the
    log still holds every row written until then (a cut or rewritten log does not)."""
    return (
        f"{ANCHOR_LABEL}: {head_hash} — giữ cùng báo cáo này; lệnh "
        f"`broadcast logs --verify --expect {head_hash}` cho biết nhật ký còn giữ nguyên mọi "
        "bản ghi đến lúc lập báo cáo hay không."
    )


def _notes(
    figures: PeriodFigures,
    chain: ChainAnchor | None,
    generated_at: datetime,
    comparison: Reconciliation | None,
) -> tuple[str, ...]:
    notes = [DEFINITIONS, f"Lập lúc {generated_at:%H:%M} ngày {generated_at:%d/%m/%Y}."]
    if figures.period.is_open(generated_at.date()):
        notes.append(f"Lưu ý: {OPEN_PERIOD}; số liệu tính đến lúc lập báo cáo.")
    if figures.open_rows:
        notes.append(f"{figures.open_rows} bản ghi chưa kết thúc không được tính.")
    if comparison is not None:
        notes.append(_plan_note(comparison))
    if chain is not None:
        if chain.check is None:
            state = "chưa kiểm tra (lệnh: broadcast logs --verify)"
        elif chain.check.problem is None:
            state = "toàn vẹn"
        else:
            state = f"KHÔNG toàn vẹn — {chain.check.problem.message}"
        notes.append(f"Nhật ký phát: {chain.events} sự kiện; kiểm tra chuỗi: {state}.")
        notes.append(anchor_note(chain.head_hash))
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
) -> ReportDocument:
    """The report; ``comparison``: the log against the timetable on the days compared."""
    period = figures.period
    last_day = period.end_day - timedelta(days=1)
    subtitle = f"Từ ngày {period.first_day:%d/%m/%Y} đến ngày {last_day:%d/%m/%Y}"
    if period.is_open(generated_at.date()):
        subtitle += f" ({OPEN_PERIOD})"
    summary = _summary(figures)
    if comparison is not None:
        summary += _plan_summary(comparison)
    tables = report_tables(figures, labels, comparison)
    by_topic = tables[0]
    chart = BarChart(
        title="Thời lượng phát ra loa theo chủ đề (phút)",
        axis_title="Phút",
        table_key=by_topic.key,
        value_column=3,  # "Thời lượng phát ra loa (phút)"
        bars=tuple((str(row[0]), float(row[3] or 0)) for row in by_topic.rows),
    )
    return ReportDocument(
        title=f"{REPORT_TITLE} — {period.name_vi}",
        subtitle=subtitle,
        summary=summary,
        tables=tables,
        chart=chart,
        notes=_notes(figures, chain, generated_at, comparison),
    )
