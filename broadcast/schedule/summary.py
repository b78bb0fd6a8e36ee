"""Warnings about the whole range, once every occurrence is planned: campaign weeks that fell
short and scripts that expire without ever being heard."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from broadcast.config import Config
from broadcast.schedule.calendar import local_midnight
from broadcast.schedule.campaigns import CampaignWeek
from broadcast.schedule.history import AiringHistory
from broadcast.schedule.model import PlanWarning
from broadcast.scripts.model import Script


def range_warnings(
    config: Config,
    weeks: Iterable[CampaignWeek],
    scripts: Iterable[Script],
    history: AiringHistory,
    start: datetime,
    end: datetime,
) -> list[PlanWarning]:
    """Within ``[start, end)``; ``history`` holds what aired and what was planned."""
    return _short_weeks(config, weeks, history, start, end) + _expiring_unheard(
        config, scripts, history, start, end
    )


def _short_weeks(
    config: Config,
    weeks: Iterable[CampaignWeek],
    history: AiringHistory,
    start: datetime,
    end: datetime,
) -> list[PlanWarning]:
    found = []
    for week in weeks:
        week_start = local_midnight(week.week, config)
        if not (week_start < end and week_start + timedelta(days=7) > start):
            continue
        label = f"{week.week:%d/%m}–{week.week + timedelta(days=6):%d/%m/%Y}"
        aired = history.count_aired(week.script_id, week_start, week_start + timedelta(days=7))
        if len(week.turns) < week.wanted:
            message = (
                f'bài "{week.script_id}" cần phát {week.wanted} lần trong tuần {label} '
                f"nhưng chỉ có {len(week.turns)} lượt phát phù hợp (khung giờ, khu vực, "
                "chủ đề, ngày hiệu lực)"
            )
        elif aired < week.wanted:
            message = (
                f'bài "{week.script_id}" chỉ được xếp {aired}/{week.wanted} lần trong tuần '
                f"{label}: các khung giờ phù hợp đã kín"
            )
        else:
            continue
        found.append(
            PlanWarning("campaign_unreachable", message, when=week_start, script_id=week.script_id)
        )
    return found


def _expiring_unheard(
    config: Config,
    scripts: Iterable[Script],
    history: AiringHistory,
    start: datetime,
    end: datetime,
) -> list[PlanWarning]:
    found = []
    for script in scripts:
        until = script.valid_until
        if until is None or not start.date() <= until < end.date():
            continue
        if history.last_aired(script.id) is None:
            found.append(
                PlanWarning(
                    "script_expires_unplayed",
                    f'bài "{script.id}" hết hạn ngày {until:%d/%m/%Y} mà chưa được phát lần nào',
                    when=local_midnight(until, config),
                    script_id=script.id,
                )
            )
    return found
