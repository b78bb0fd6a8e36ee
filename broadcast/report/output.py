"""Writing a report document in the format asked for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from broadcast.report.document import ReportDocument
from broadcast.report.narrative import OfficialReport
from broadcast.report.render_html import render_html
from broadcast.report.render_text import render_csv, render_markdown

TEXT_RENDERERS: dict[str, Callable[[ReportDocument], str]] = {
    "csv": render_csv,
    "md": render_markdown,
    "html": render_html,
}
FORMATS = ("xlsx", "docx", *TEXT_RENDERERS)


def text_report(document: ReportDocument, fmt: str, csv_locale: str = "en") -> str:
    """``document`` as csv (in ``csv_locale``, see ``render_csv``), md or html."""
    if fmt == "csv":
        return render_csv(document, csv_locale)
    return TEXT_RENDERERS[fmt](document)


def save_report(
    document: ReportDocument,
    fmt: str,
    path: Path,
    official: OfficialReport | None = None,
    *,
    csv_locale: str = "en",
) -> None:
    """``official``: the ward's frame and text, which a Word document (docx) needs;
    ``csv_locale``: "vi" writes CSV for Excel set to Vietnamese."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "docx":
        if official is None:
            raise ValueError("a Word report needs the ward's frame and text (OfficialReport)")
        from broadcast.report.render_docx import write_docx  # python-docx only when asked for

        write_docx(document, official, path)
        return
    if fmt == "xlsx":
        from broadcast.report.write_xlsx import write_xlsx  # openpyxl only when asked for

        write_xlsx(document, path)
        return
    # CSV gets a byte-order mark so Excel on Windows opens the Vietnamese text correctly.
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    path.write_text(text_report(document, fmt, csv_locale), encoding=encoding, newline="")
