"""A period report as a document: title, summary, tables and one chart, in Vietnamese.

Every output format (xlsx, csv, md, html, json) writes this same document, so the figures
and wording cannot drift between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from broadcast.playlog import VerifyResult, reason_label_vi
from broadcast.report.figures import PeriodFigures, Tally
from broadcast.report.labels import Labels

Cell = str | int | float | None

REPORT_TITLE = "Báo cáo kết quả tuyên truyền cải cách hành chính trên hệ thống truyền thanh"
PLAN_NOTE = (
    "Số liệu “theo lịch phát” lập lại kế hoạch của kỳ từ lịch phát và kịch bản hiện có rồi "
    "đối chiếu với nhật ký; nếu lịch hay kịch bản đã sửa trong kỳ, chỉ mang tính tham khảo."
)
TALLY_HEADINGS = ("Số lượt theo kế hoạch", "Số lượt đã phát", "Thời lượng (phút)", "Tỷ lệ (%)")


@dataclass(frozen=True)
class Table:
    key: str  # stable English id: "by_topic", "by_zone", …
    title: str
    headings: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


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


def _minutes(seconds: float) -> float:
    return round(seconds / 60, 1)


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _tally_cells(tally: Tally) -> tuple[Cell, ...]:
    return (tally.planned, tally.aired, _minutes(tally.seconds), _percent(tally.share))


def _tables(figures: PeriodFigures, labels: Labels) -> tuple[Table, ...]:
    topics = sorted(
        figures.by_topic.items(), key=lambda item: (-item[1].seconds, labels.topic(item[0]))
    )
    zones = sorted(figures.by_zone.items(), key=lambda item: labels.zone_order(item[0]))
    scripts = sorted(figures.scripts.items(), key=lambda item: (-item[1].aired, item[0]))
    not_aired = sorted(figures.not_aired.items(), key=lambda item: (-item[1], str(item[0])))
    return (
        Table(
            "by_topic",
            "1. Theo chủ đề",
            ("Chủ đề", *TALLY_HEADINGS),
            tuple((labels.topic(topic), *_tally_cells(t)) for topic, t in topics),
        ),
        Table(
            "by_zone",
            "2. Theo vùng loa",
            ("Vùng loa", *TALLY_HEADINGS),
            tuple((labels.zone(zone), *_tally_cells(t)) for zone, t in zones),
        ),
        Table(
            "by_month",
            "3. Theo tháng",
            ("Tháng", *TALLY_HEADINGS),
            tuple(
                (f"Tháng {month.month}/{month.year}", *_tally_cells(t))
                for month, t in sorted(figures.by_month.items())
            ),
        ),
        Table(
            "scripts",
            "4. Các bản tin và số lần phát",
            (
                "Mã bản tin",
                "Tiêu đề",
                "Chủ đề",
                "Số lần theo kế hoạch",
                "Số lần đã phát",
                "Thời lượng (phút)",
            ),
            tuple(
                (key, s.title, labels.topic(s.topic), s.planned, s.aired, _minutes(s.seconds))
                for key, s in scripts
            ),
        ),
        Table(
            "not_aired",
            "5. Lượt phát tại vùng loa không trọn vẹn, theo lý do",
            ("Kết quả", "Lý do", "Số lượt"),
            tuple(
                (outcome.label_vi, reason_label_vi(reason), count)
                for (outcome, reason), count in not_aired
            ),
        ),
    )


def _notes(
    figures: PeriodFigures, chain: ChainAnchor | None, generated_at: datetime
) -> tuple[str, ...]:
    notes = [
        "Lượt phát: một bản tin phát vào một giờ đã định, trên một hoặc nhiều vùng loa; "
        "đã phát khi phát trọn vẹn ở ít nhất một vùng loa.",
        f"Lập lúc {generated_at:%H:%M} ngày {generated_at:%d/%m/%Y}.",
    ]
    if figures.open_rows:
        notes.append(f"{figures.open_rows} bản ghi chưa kết thúc không được tính.")
    if chain is not None:
        if chain.check is None:
            state = "chưa kiểm tra (lệnh: broadcast logs --verify)"
        elif chain.check.problem is None:
            state = "toàn vẹn"
        else:
            state = f"KHÔNG toàn vẹn — {chain.check.problem.message}"
        notes.append(
            f"Nhật ký phát: {chain.events} sự kiện, mã kiểm tra cuối {chain.head_hash}; "
            f"kiểm tra chuỗi: {state}."
        )
    return tuple(notes)


def build_document(
    figures: PeriodFigures,
    labels: Labels,
    *,
    generated_at: datetime,
    chain: ChainAnchor | None = None,
    against_plan: Tally | None = None,
) -> ReportDocument:
    period = figures.period
    last_day = period.end_day - timedelta(days=1)
    total = figures.total
    summary: tuple[tuple[str, Cell], ...] = (
        ("Số lượt phát theo kế hoạch", total.planned),
        ("Số lượt đã phát trọn vẹn", total.aired),
        ("Tỷ lệ thực hiện kế hoạch (%)", _percent(total.share)),
        ("Tổng thời lượng đã phát (phút)", _minutes(total.seconds)),
        ("Số bản tin khác nhau đã phát", sum(1 for s in figures.scripts.values() if s.aired)),
        ("Số lượt tại vùng loa không trọn vẹn", sum(figures.not_aired.values())),
    )
    notes = _notes(figures, chain, generated_at)
    if against_plan is not None:
        summary += (
            ("Theo lịch phát: lượt tại vùng loa theo kế hoạch", against_plan.planned),
            ("Theo lịch phát: lượt tại vùng loa đã phát", against_plan.aired),
            ("Theo lịch phát: tỷ lệ thực hiện (%)", _percent(against_plan.share)),
        )
        notes += (PLAN_NOTE,)
    tables = _tables(figures, labels)
    by_topic = tables[0]
    chart = BarChart(
        title="Thời lượng phát theo chủ đề (phút)",
        axis_title="Phút",
        table_key=by_topic.key,
        value_column=3,  # "Thời lượng (phút)"
        bars=tuple((str(row[0]), float(row[3] or 0)) for row in by_topic.rows),
    )
    return ReportDocument(
        title=f"{REPORT_TITLE} — {period.name_vi}",
        subtitle=f"Từ ngày {period.first_day:%d/%m/%Y} đến ngày {last_day:%d/%m/%Y}",
        summary=summary,
        tables=tables,
        chart=chart,
        notes=notes,
    )
