"""The report's tables, in Vietnamese: tallies, what was not heard, and the announcements."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from broadcast.playlog import BulletinRecord
from broadcast.report.figures import PeriodFigures, Tally
from broadcast.report.labels import Labels
from broadcast.report.period import quarter_name
from broadcast.report.plays import AiredBulletin
from broadcast.report.reconcile import LineStatus, Reconciliation

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


def is_percent(heading: str) -> bool:
    """Whether a column (or summary line) holds a percentage: its heading ends in "(%)"."""
    return heading.endswith("(%)")


def minutes(seconds: float) -> float:
    return round(seconds / 60, 1)


def percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _tally_cells(tally: Tally) -> tuple[Cell, ...]:
    return (tally.planned, tally.aired, minutes(tally.seconds), percent(tally.share))


def _day_and_time(moment: datetime) -> tuple[str, str]:
    return f"{moment:%d/%m/%Y}", f"{moment:%H:%M}"


def _unheard_rows(
    figures: PeriodFigures,
    comparison: Reconciliation | None,
    labels: Labels,
    known: Mapping[str, str],
) -> tuple[tuple[Cell, ...], ...]:
    """Each planned zone play that was not heard (one per IP cluster of a zone): logged, or
    (on the days compared with the timetable) planned and never logged."""
    found: list[tuple[datetime, tuple[Cell, ...]]] = []
    for play in figures.unheard:
        airing = play.first.airing
        result, _ = play.result
        title = _shown_title(airing.script_id, airing.title, figures, known)
        cells = (labels.place(*play.place), title, result, "; ".join(play.problems))
        found.append((airing.scheduled_at, (*_day_and_time(airing.scheduled_at), *cells)))
    for line in comparison.lines if comparison else ():
        if line.status is LineStatus.NO_RECORD and line.zone is not None:
            place = labels.place(line.zone, line.cluster_id)
            title = _shown_title(line.script_id, line.title, figures, known)
            cells = (place, title, line.status.label_vi, "; ".join(line.reasons))
            found.append((line.at, (*_day_and_time(line.at), *cells)))
    return tuple(cells for _, cells in sorted(found, key=lambda entry: entry[0]))


def places_count(announcement: AiredBulletin) -> str:
    """``3 vùng loa``; where IP clusters count apart, ``4 nơi phát (vùng loa, cụm loa IP)``."""
    places = announcement.places
    if all(cluster is None for _, cluster in places):
        return f"{len(places)} vùng loa"
    return f"{len(places)} nơi phát (vùng loa, cụm loa IP)"


def _announcement_result(announcement: AiredBulletin, labels: Labels) -> str:
    parts = [f"đã phát ra loa ở {len(announcement.heard_on())}/{places_count(announcement)}"]
    parts += [
        f"{labels.place(*place)}: {problem}"
        for place in announcement.places
        if (problem := announcement.problem(place)) is not None
    ]
    return "; ".join(parts)


def _announcement_row(announcement: AiredBulletin, labels: Labels) -> tuple[Cell, ...]:
    record = announcement.record
    return (
        *_day_and_time(announcement.at),
        announcement.priority_vi,
        _sent_by(record),
        ", ".join(labels.zone_and_id(zone) for zone in announcement.zones),
        round(announcement.seconds, 1),
        _announcement_result(announcement, labels),
        announcement.content,
    )


def _sent_by(record: BulletinRecord | None) -> str | None:
    """Who sent an announcement and from where, in one cell: it bypassed approval."""
    if record is None:
        return None
    if record.origin is None:
        return record.sender
    return f"{record.sender or 'không rõ'}, từ {record.origin}"


def _shown_title(
    script_id: str | None, shown: str, figures: PeriodFigures, known: Mapping[str, str]
) -> str:
    """A bulletin's real title where ``shown`` is empty or only its id (a line planned again
    for a script since removed): the title the log aired it under, else the folder's."""
    if script_id is None or shown not in ("", script_id):
        return shown
    logged = figures.scripts.get(script_id)
    if logged is not None and logged.title not in ("", script_id):
        return logged.title
    return known.get(script_id) or shown


def _by_plan_item(figures: PeriodFigures, labels: Labels) -> Table | None:
    """Broadcasts by the plan's items a) to đ), so the report speaks the plan's language."""
    if labels.report is None or not labels.report.plan_items:
        return None
    rows: list[tuple[Cell, ...]] = []
    for item in labels.report.plan_items:
        covered = Tally()
        for topic in item.topics:
            covered.merge(figures.by_topic.get(topic, Tally()))
        rows.append((f"{item.mark})", item.title, *_tally_cells(covered)))
    outside = Tally()
    for topic_id, tally in figures.by_topic.items():
        if labels.plan_mark(topic_id) is None:
            outside.merge(tally)
    if outside.planned:
        rows.append(("–", "Ngoài các mục của Kế hoạch", *_tally_cells(outside)))
    headings = ("Mục", "Nội dung tuyên truyền theo Kế hoạch", *BROADCAST_HEADINGS)
    return Table("by_plan_item", "Theo nội dung tuyên truyền của Kế hoạch", headings, tuple(rows))


def _by_topic(figures: PeriodFigures, labels: Labels) -> Table:
    topics = sorted(
        figures.by_topic.items(), key=lambda item: (-item[1].seconds, labels.topic(item[0]))
    )
    if labels.report is None or not labels.report.plan_items:
        headings: tuple[str, ...] = ("Chủ đề", *BROADCAST_HEADINGS)
        rows = tuple((labels.topic(topic), *_tally_cells(t)) for topic, t in topics)
    else:
        headings = ("Chủ đề", "Mục trong Kế hoạch", *BROADCAST_HEADINGS)
        rows = tuple(
            (labels.topic(topic), labels.plan_mark(topic) or "–", *_tally_cells(t))
            for topic, t in topics
        )
    return Table("by_topic", "Theo chủ đề", headings, rows)


def _by_cluster(figures: PeriodFigures, labels: Labels) -> Table | None:
    """Each IP cluster's own plays, under its zone: only where the ward has IP clusters."""
    if not figures.by_cluster:
        return None
    clusters = sorted(
        figures.by_cluster.items(), key=lambda item: (labels.zone_order(item[0][0]), item[0][1])
    )
    rows = tuple(
        (labels.place(zone, cluster), *_tally_cells(t), t.to_file)
        for (zone, cluster), t in clusters
    )
    headings = ("Vùng loa — cụm loa IP", *ZONE_HEADINGS)
    return Table("by_cluster", "Theo cụm loa IP (lượt tại từng cụm loa)", headings, rows)


def _by_quarter(figures: PeriodFigures) -> Table | None:
    """Half-year and year reports only: a quarter report is its one quarter."""
    if len(figures.by_quarter) < 2:
        return None
    quarters = sorted(figures.by_quarter.items())
    rows = tuple((quarter_name(quarter), *_tally_cells(t)) for quarter, t in quarters)
    return Table("by_quarter", "Theo quý", ("Quý", *BROADCAST_HEADINGS), rows)


def numbered(tables: Iterable[Table | None]) -> tuple[Table, ...]:
    """The sections present, numbered in order: "1. Theo chủ đề", …"""
    present = [table for table in tables if table is not None]
    return tuple(
        replace(table, title=f"{number}. {table.title}")
        for number, table in enumerate(present, start=1)
    )


def report_tables(
    figures: PeriodFigures,
    labels: Labels,
    comparison: Reconciliation | None,
    *,
    campaigns: Table | None = None,
    known_titles: Mapping[str, str] | None = None,
) -> tuple[Table, ...]:
    """Every section, numbered; ``known_titles``: the folder's titles by script id."""
    known = known_titles or {}
    zones = sorted(figures.by_zone.items(), key=lambda item: labels.zone_order(item[0]))
    scripts = sorted(figures.scripts.items(), key=lambda item: (-item[1].aired, item[0]))
    not_aired = sorted(figures.not_aired.items(), key=lambda item: (-item[1], str(item[0])))
    return numbered(
        (
            _by_plan_item(figures, labels),
            _by_topic(figures, labels),
            Table(
                "by_zone",
                "Theo vùng loa (lượt tại vùng loa)",
                ("Vùng loa", *ZONE_HEADINGS),
                tuple((labels.zone_and_id(zone), *_tally_cells(t), t.to_file) for zone, t in zones),
            ),
            _by_cluster(figures, labels),
            _by_quarter(figures),
            Table(
                "by_month",
                "Theo tháng",
                ("Tháng", *BROADCAST_HEADINGS),
                tuple(
                    (f"Tháng {month.month}/{month.year}", *_tally_cells(t))
                    for month, t in sorted(figures.by_month.items())
                ),
            ),
            Table(
                "scripts",
                "Các bản tin và số lần phát",
                (
                    "Mã bản tin",
                    "Tiêu đề",
                    "Chủ đề",
                    "Số lần theo kế hoạch",
                    "Số lần phát trọn vẹn ở mọi vùng loa",
                    "Thời lượng phát ra loa (phút)",
                ),
                tuple(
                    (
                        key,
                        _shown_title(key, s.title, figures, known),
                        labels.topic(s.topic),
                        s.planned,
                        s.aired,
                        minutes(s.seconds),
                    )
                    for key, s in scripts
                ),
            ),
            campaigns,
            Table(
                "not_aired",
                "Lượt tại vùng loa không phát trọn vẹn ra loa, theo lý do",
                ("Kết quả", "Lý do", "Số lượt"),
                tuple((result, reason, count) for (result, reason), count in not_aired),
            ),
            Table(
                "unheard",
                "Danh sách lượt tại vùng loa không phát trọn vẹn ra loa",
                ("Ngày", "Giờ", "Vùng loa", "Bản tin", "Kết quả", "Lý do"),
                _unheard_rows(figures, comparison, labels, known),
            ),
            Table(
                "announcements",
                "Thông báo khẩn cấp, ưu tiên (ngoài kế hoạch)",
                (
                    "Ngày",
                    "Giờ",
                    "Loại",
                    "Người gửi, nơi gửi",
                    "Vùng loa",
                    "Thời lượng đã phát ra loa (giây)",
                    "Kết quả",
                    "Nội dung",
                ),
                tuple(_announcement_row(found, labels) for found in figures.announcements),
            ),
        )
    )
