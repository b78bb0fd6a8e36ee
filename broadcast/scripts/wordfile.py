"""Text of a Word ``.docx`` script: paragraphs in order, legacy-font runs converted to Unicode,
the table at the top (the board's field | value header), the tables at the end (an official
notice's recipients | signature) and the document's properties.

Tables are never spoken: an official notice's header is laid out as a table (issuing body
| motto), and a table of figures cannot be read aloud as it stands.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.document import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.hyperlink import Hyperlink
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from broadcast.scripts import legacy
from broadcast.scripts.decoding import UTF8
from broadcast.scripts.docx_package import text_package
from broadcast.scripts.problems import refused


@dataclass(frozen=True)
class WordText:
    properties: dict[str, str]  # Title, Subject, Category, Keywords as set (stripped, not empty)
    paragraphs: list[str]  # raw, in document order, empty ones included
    strong: list[bool]  # per paragraph: Title or Heading style, or all of it bold
    top_tables: list[list[list[str]]]  # tables before any text: rows of cells' text
    end_tables: list[list[list[str]]]  # tables after the last text, likewise
    encoding: str  # utf-8, or the legacy font encoding found in its runs


def _default_font(document: Document) -> str | None:
    fonts = document.styles.element.find(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}"
    )
    return None if fonts is None else fonts.get(qn("w:ascii"))


def _style_font(style: object) -> str | None:
    while style is not None:
        name = getattr(getattr(style, "font", None), "name", None)
        if name:
            return name
        style = getattr(style, "base_style", None)
    return None


def _runs(paragraph: Paragraph) -> Iterator[Run]:
    for item in paragraph.iter_inner_content():
        if isinstance(item, Hyperlink):
            yield from item.runs
        else:
            yield item


def _font_encoding(font: str | None) -> str:
    name = (font or "").lower()
    if name.startswith(".vn"):
        return "tcvn3"
    if name.startswith("vni"):
        return "vni-windows"
    return UTF8


def _run_text(run: Run, font: str | None) -> tuple[str, str]:
    encoding = _font_encoding(font)
    if encoding == "tcvn3":
        # The "H" fonts (.VnTimeH) draw every letter as a capital.
        capitals = font is not None and font.rstrip().endswith("H")
        return legacy.tcvn3_to_unicode(run.text, capitals=capitals), encoding
    if encoding == "vni-windows":
        return legacy.vni_to_unicode(run.text), encoding
    return run.text, encoding


def read_word(path: Path, source: str) -> WordText:
    """Read a ``.docx``; refuses other zips, non-zips, zip bombs and anything python-docx cannot
    open."""
    package = text_package(path, source)
    try:
        return _read_document(docx.Document(package))
    except Exception as exc:  # python-docx and lxml raise many kinds of error on a damaged file
        raise refused(
            source, "bad_docx", f"không mở được văn bản Word ({type(exc).__name__})"
        ) from exc


def _paragraph_text(paragraph: Paragraph, default: str | None, found: set[str]) -> str:
    paragraph_font = _style_font(paragraph.style) or default
    parts = []
    for run in _runs(paragraph):
        font = run.font.name or _style_font(run.style) or paragraph_font
        text, encoding = _run_text(run, font)
        parts.append(text)
        if text.strip():
            found.add(encoding)
    return "".join(parts)


def _strong(paragraph: Paragraph) -> bool:
    style = getattr(paragraph.style, "name", "") or ""
    if style.startswith(("Title", "Heading", "Subtitle")):
        return True
    runs = [run for run in _runs(paragraph) if run.text.strip()]
    return bool(runs) and all(run.bold for run in runs)


def _rows(table: Table, default: str | None, found: set[str]) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            text = "\n".join(_paragraph_text(p, default, found) for p in cell.paragraphs)
            cells.append(text)
        rows.append(cells)
    return rows


_PROPERTIES = ("title", "subject", "category", "keywords")


def _read_document(document: Document) -> WordText:
    default = _default_font(document)
    found: set[str] = set()
    paragraphs: list[str] = []
    strong: list[bool] = []
    top_tables: list[list[list[str]]] = []
    later: list[tuple[int, Table]] = []  # (paragraphs before it, table)
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            if not any(text.strip() for text in paragraphs):
                top_tables.append(_rows(item, default, found))
            else:
                later.append((len(paragraphs), item))
            continue
        paragraphs.append(_paragraph_text(item, default, found))
        strong.append(_strong(item))
    texts = [number for number, text in enumerate(paragraphs, 1) if text.strip()]
    end_tables = [_rows(table, default, found) for before, table in later if before >= texts[-1]]
    legacy_found = sorted(found - {UTF8})
    core = document.core_properties
    properties = {name: (getattr(core, name) or "").strip() for name in _PROPERTIES}
    return WordText(
        {name: value for name, value in properties.items() if value},
        paragraphs,
        strong,
        top_tables,
        end_tables,
        "+".join(legacy_found) or UTF8,
    )
