"""Argument types shared by several commands."""

from __future__ import annotations

import argparse
from datetime import date

from broadcast.scripts.dates import date_from_text


def day_argument(text: str) -> date:
    """A day given as ``31/03/2023`` or ``2023-03-31``; otherwise a usage error that says why."""
    try:
        day = date_from_text(text)
    except ValueError:
        day = None
    if day is None:
        raise argparse.ArgumentTypeError(
            f'ngày "{text}" không hợp lệ; viết như 31/03/2023 hoặc 2023-03-31'
        )
    return day
