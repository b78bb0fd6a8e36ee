"""How the plan names days, moments and durations to people (Vietnamese)."""

from __future__ import annotations

from datetime import date, datetime

from broadcast.config.values import WEEKDAY_LABELS_VI


def day_label(day: date) -> str:
    """``T2 09/03/2026``: how Vietnamese notices name a day."""
    return f"{WEEKDAY_LABELS_VI[day.weekday()]} {day:%d/%m/%Y}"


def moment_label(moment: datetime) -> str:
    return f"{moment:%H:%M} {day_label(moment.date())}"


def clock_label(moment: datetime) -> str:
    return f"{moment:%H:%M:%S}"


def duration_label(seconds: float) -> str:
    """``2 phút 30 giây``, ``45 giây``."""
    minutes, rest = divmod(round(seconds), 60)
    if minutes and rest:
        return f"{minutes} phút {rest} giây"
    return f"{minutes} phút" if minutes else f"{rest} giây"
