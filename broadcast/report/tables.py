"""The report's tables, in Vietnamese: tallies, what was not heard, and the announcements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from broadcast.report.figures import PeriodFigures, Tally
from broadcast.report.labels import Labels
from broadcast.report.plays import AiredBulletin
from broadcast.report.reconcile import NO_RECORD_REASON, LineStatus, Reconciliation

Cell = str | int | float | None

BROADCAST_HEADINGS = (
    "Số lượt theo kế hoạch",
    "Số lượt phát trọn vẹn ở mọi vùng loa",
    "Thời lượng phát ra loa (phút)",
    "Tỷ lệ (%)",
)
ZONE_HEADINGS = (
    "Số lượt theo kế hoạch",
    "Số lượt đã phát trọn vẹn ra loa",
    "Thời lượng phát ra loa (phút)",
    "Tỷ lệ (%)",
    "Số lượt chỉ ghi ra tệp WAV, không phát ra loa",
)


@dataclass(frozen=True)
class Table:
    key: str  # stable English id: "by_topic", "by_zone", …
    title: str
    headings: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def minutes(seconds: float) -> float:
    return round(seconds / 60, 1)


def percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _tally_cells(tally: Tally) -> tuple[Cell, ...]:
    return (tally.planned, tally.aired, minutes(tally.seconds), percent(tally.share))


def _day_and_time(moment: datetime) -> tuple[str, str]:
    return f"{moment:%d/%m/%Y}", f"{moment:%H:%M}"


def _unheard_rows(
    figures: PeriodFigures, comparison: Reconciliation | None, labels: Labels
) -> tuple[tuple[Cell, ...], ...]:
    """Each planned zone play that was not heard: logged, or (on the days compared with the
    timetable) planned and never logged."""
    found: list[tuple[datetime, tuple[Cell, ...]]] = []
    for play in figures.unheard:
        airing = play.first.airing
        result, _ = play.result
        cells = (labels.zone_and_id(airing.zone), airing.title, result, "; ".join(play.problems))
        found.append((airing.scheduled_at, (*_day_and_time(airing.scheduled_at), *cells)))
    for line in comparison.lines if comparison else ():
        if line.status is LineStatus.NO_RECORD and line.zone is not None:
            zone = labels.zone_and_id(line.zone)
            cells = (zone, line.title, line.status.label_vi, NO_RECORD_REASON)
            found.append((line.at, (*_day_and_time(line.at), *cells)))
    return tuple(cells for _, cells in sorted(found, key=lambda entry: entry[0]))


def _announcement_result(announcement: AiredBulletin, labels: Labels) -> str:
    zones = announcement.zones
    parts = [f"đã phát ra loa ở {len(announcement.heard_on())}/{len(zones)} vùng loa"]
    parts += [
        f"{labels.zone_and_id(zone)}: {problem}"
        for zone in zones
        if (problem := announcement.problem(zone)) is not None
    ]
    return "; ".join(parts)


def _announcement_row(announcement: AiredBulletin, labels: Labels) -> tuple[Cell, ...]:
    record = announcement.record
    return (
        *_day_and_time(announcement.at),
        announcement.priority_vi,
        record.sender if record else None,
        ", ".join(labels.zone_and_id(zone) for zone in announcement.zones),
        round(announcement.seconds, 1),
        _announcement_result(announcement, labels),
        announcement.content,
    )


def report_tables(
    figures: PeriodFigures, labels: Labels, comparison: Reconciliation | None
) -> tuple[Table, ...]:
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
            ("Chủ đề", *BROADCAST_HEADINGS),
            tuple((labels.topic(topic), *_tally_cells(t)) for topic, t in topics),
        ),
        Table(
            "by_zone",
            "2. Theo vùng loa (lượt tại vùng loa)",
            ("Vùng loa", *ZONE_HEADINGS),
            tuple((labels.zone_and_id(zone), *_tally_cells(t), t.to_file) for zone, t in zones),
        ),
        Table(
            "by_month",
            "3. Theo tháng",
            ("Tháng", *BROADCAST_HEADINGS),
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
                "Số lần phát trọn vẹn ở mọi vùng loa",
                "Thời lượng phát ra loa (phút)",
            ),
            tuple(
                (key, s.title, labels.topic(s.topic), s.planned, s.aired, minutes(s.seconds))
                for key, s in scripts
            ),
        ),
        Table(
            "not_aired",
            "5. Lượt tại vùng loa không phát trọn vẹn ra loa, theo lý do",
            ("Kết quả", "Lý do", "Số lượt"),
            tuple((result, reason, count) for (result, reason), count in not_aired),
        ),
        Table(
            "unheard",
            "6. Danh sách lượt tại vùng loa không phát trọn vẹn ra loa",
            ("Ngày", "Giờ", "Vùng loa", "Bản tin", "Kết quả", "Lý do"),
            _unheard_rows(figures, comparison, labels),
        ),
        Table(
            "announcements",
            "7. Thông báo khẩn cấp, ưu tiên (ngoài kế hoạch)",
            (
                "Ngày",
                "Giờ",
                "Loại",
                "Người gửi",
                "Vùng loa",
                "Thời lượng đã phát ra loa (giây)",
                "Kết quả",
                "Nội dung",
            ),
            tuple(_announcement_row(found, labels) for found in figures.announcements),
        ),
    )
