"""Argument types shared by several commands."""

from __future__ import annotations

import argparse
from datetime import date

from broadcast.report.period import parse_day


def day_argument(text: str) -> date:
    """A day given as ``31/03/2023`` or ``2023-03-31``; otherwise a usage error that says why."""
    try:
        return parse_day(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
