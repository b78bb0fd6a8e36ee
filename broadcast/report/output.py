"""Writing a report document in the format asked for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from broadcast.report.document import ReportDocument
from broadcast.report.render_html import render_html
from broadcast.report.render_text import render_csv, render_markdown

TEXT_RENDERERS: dict[str, Callable[[ReportDocument], str]] = {
    "csv": render_csv,
    "md": render_markdown,
    "html": render_html,
}
FORMATS = ("xlsx", *TEXT_RENDERERS)


def save_report(document: ReportDocument, fmt: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        from broadcast.report.write_xlsx import write_xlsx  # openpyxl only when asked for

        write_xlsx(document, path)
        return
    # CSV gets a byte-order mark so Excel on Windows opens the Vietnamese text correctly.
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    path.write_text(TEXT_RENDERERS[fmt](document), encoding=encoding, newline="")
