"""Campaign targets (``times_per_week`` over a script's validity) against what aired.

The target is the planner's own (``weekly_target``), counted week by week over the days the
report compares with the timetable: days of the period that have ended and that the log
covers. A period still open claims nothing for the days to come.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from broadcast.report.figures import PeriodFigures
from broadcast.report.labels import Labels
from broadcast.report.tables import Cell, Table, percent
from broadcast.schedule.calendar import iso_week_start
from broadcast.schedule.campaigns import weekly_target
from broadcast.scripts.model import Script

CAMPAIGN_HEADINGS = (
    "Bản tin",
    "Chủ đề",
    "Số lần mỗi tuần",
    "Thời gian chiến dịch",
    "Số ngày đã tính",
    "Chỉ tiêu (lượt phát)",
    "Số lượt phát trọn vẹn ở mọi vùng loa",
    "Tỷ lệ (%)",
)


def _window(script: Script) -> str:
    first, last = script.valid_from, script.valid_until
    if first and last:
        return f"{first:%d/%m/%Y} – {last:%d/%m/%Y}"
    if first:
        return f"từ {first:%d/%m/%Y}"
    return f"đến {last:%d/%m/%Y}" if last else "không giới hạn"


def campaign_target(script: Script, days: Sequence[date]) -> int:
    """The airings ``script`` wanted over ``days``, week by week as the planner paces it."""
    weeks: dict[date, list[date]] = {}
    for day in days:
        weeks.setdefault(iso_week_start(day), []).append(day)
    return sum(weekly_target(script, week) for week in weeks.values())


def campaign_rows(
    campaigns: Sequence[Script],
    figures: PeriodFigures,
    days: Sequence[date],
    labels: Labels,
) -> tuple[tuple[Cell, ...], ...]:
    """One row per campaign valid on a day of the period: target and aired on ``days``."""
    counted = set(days)
    rows = []
    for script in sorted(campaigns, key=lambda found: found.id):
        if not any(script.is_valid_on(day) for day in figures.period.days()):
            continue
        target = campaign_target(script, days)
        aired = sum(day in counted for day in figures.aired_days.get(script.id, ()))
        rows.append(
            (
                script.title,
                labels.topic(script.topic),
                script.times_per_week,
                _window(script),
                sum(script.is_valid_on(day) for day in days),
                target,
                aired,
                percent(aired / target if target else None),
            )
        )
    return tuple(rows)


def campaign_table(rows: tuple[tuple[Cell, ...], ...]) -> Table:
    return Table(
        "campaigns", "Chỉ tiêu chiến dịch (số lần mỗi tuần) so với đã phát", CAMPAIGN_HEADINGS, rows
    )
