"""The report as the Word document the ward signs and files (Nghị định 30/2020/NĐ-CP).

The header, number, date line, recipients and signature come from ``report:`` in
schedules.yaml; the body is the narrative written from the figures, then every table of the
one ``ReportDocument`` the other formats write, then its notes with the log's anchor.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Length, Pt
from docx.text.paragraph import Paragraph

from broadcast.report.document import ReportDocument
from broadcast.report.docx_frame import (
    BODY_SIZE,
    TEXT_WIDTH,
    add_closing,
    add_header,
    centred,
    keep_whole,
    repeat_on_each_page,
    rule,
    set_fonts,
    set_page,
    text,
)
from broadcast.report.narrative import OfficialReport
from broadcast.report.render_text import format_number_vi
from broadcast.report.tables import Cell, Table

TABLE_SIZE = Pt(11)
_CHARACTER = int(TABLE_SIZE * 0.5) + 1  # an average letter's width, with the cell's margins
NOTE_SIZE = Pt(11)
RESULTS = "I. KẾT QUẢ THỰC HIỆN"
DETAILS = "II. SỐ LIỆU CHI TIẾT"
SUMMARY_HEADINGS = ("Chỉ tiêu", "Số liệu")


def _body(document: Document, words: str, *, bold: bool = False) -> Paragraph:
    paragraph = text(document.add_paragraph(), words, BODY_SIZE, bold=bold)
    layout = paragraph.paragraph_format
    layout.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    layout.first_line_indent = Cm(1)
    layout.space_after = Pt(6)
    layout.line_spacing = 1.15
    layout.keep_with_next = bold  # a heading stays with what it heads
    return paragraph


def _add_table(
    document: Document, headings: tuple[str, ...], rows: tuple[tuple[Cell, ...], ...]
) -> None:
    table = document.add_table(rows=1 + len(rows), cols=len(headings), style="Table Grid")
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for row in table.rows:
        keep_whole(row)
    repeat_on_each_page(table.rows[0])  # after cantSplit, as Word's schema orders them
    for column, heading in enumerate(headings):
        cell = table.rows[0].cells[column]
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        text(cell.paragraphs[0], heading, TABLE_SIZE, bold=True)
    widths = _column_widths(headings, rows)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # LibreOffice reads the grid, Word the cells: both are set
        for cell in column.cells:
            cell.width = width
    for row, values in zip(table.rows[1:], rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            paragraph = cell.paragraphs[0]
            if not isinstance(value, str):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            text(paragraph, format_number_vi(value), TABLE_SIZE)


def _column_widths(headings: tuple[str, ...], rows: tuple[tuple[Cell, ...], ...]) -> list[Length]:
    """Each column at least as wide as its longest word (dates, times and headings stay
    whole; up to 14 letters), the width left shared out by how much more each would take to
    hold its longest text on one line (up to some 30 characters: longer text wraps)."""
    least: list[float] = []
    most: list[float] = []
    for n, heading in enumerate(headings):
        texts = [heading, *(format_number_vi(row[n]) for row in rows)]
        # a file id is one long "word": it may break, as Word breaks what does not fit
        word = min(max(len(word) for words in texts for word in words.split() or [""]), 14) + 3
        least.append(word)
        most.append(max(word, min(len(heading), 12), *(min(len(t), 30) for t in texts[1:])))
    room = TEXT_WIDTH // _CHARACTER - sum(least)
    wished = sum(most) - sum(least)
    if room <= 0 or not wished:
        weights = least if room <= 0 else most
    else:
        share = min(1.0, room / wished)
        weights = [low + (high - low) * share for low, high in zip(least, most, strict=True)]
    return [Length(int(TEXT_WIDTH * weight / sum(weights))) for weight in weights]


def _add_section(document: Document, table: Table) -> None:
    title = text(document.add_paragraph(), table.title, BODY_SIZE, bold=True)
    title.paragraph_format.space_before = Pt(6)
    title.paragraph_format.space_after = Pt(3)
    title.paragraph_format.keep_with_next = True
    if table.rows:
        _add_table(document, table.headings, table.rows)
    else:
        text(document.add_paragraph(), "Không có.", TABLE_SIZE, italic=True)


def write_docx(report: ReportDocument, official: OfficialReport, path: Path) -> None:
    document = docx.Document()
    set_fonts(document)
    set_page(document)
    add_header(document, official.settings, official.number, official.dated)
    story = official.narrative
    centred(document, "BÁO CÁO", Pt(14), bold=True).paragraph_format.space_before = Pt(18)
    centred(document, story.subject, Pt(14), bold=True)
    rule(document, Cm(4), TEXT_WIDTH).paragraph_format.space_after = Pt(12)
    _body(document, story.opening)
    _body(document, RESULTS, bold=True)
    for paragraph in story.paragraphs:
        _body(document, paragraph)
    _body(document, DETAILS, bold=True)
    _add_table(document, SUMMARY_HEADINGS, report.summary)
    for table in report.tables:
        _add_section(document, table)
    notes = [*report.notes, f"Số liệu do {official.settings.prepared_by} tổng hợp."]
    for note in notes:
        written = text(document.add_paragraph(), note, NOTE_SIZE, italic=True)
        written.paragraph_format.space_before = Pt(3)
    closing = _body(document, story.closing).paragraph_format
    closing.space_after, closing.keep_with_next = Pt(12), True  # with the signature below
    add_closing(document, official.settings)
    properties = document.core_properties  # not python-docx's template's own
    properties.title, properties.author = report.title, official.settings.prepared_by
    properties.last_modified_by, properties.comments = official.settings.prepared_by, ""
    document.save(str(path))
