"""The frame of a Vietnamese administrative document (Nghị định 30/2020/NĐ-CP, Phụ lục I), in
python-docx: page, fonts, the header (issuing body beside the national motto, number and date
line), and the closing (recipients beside the signature block).
"""

from __future__ import annotations

import re
from datetime import date

from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Mm, Pt
from docx.table import _Cell, _Row
from docx.text.paragraph import Paragraph

from broadcast.config.report import ReportSettings

FONT = "Times New Roman"
BODY_SIZE = Pt(14)
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_LINE = "Độc lập - Tự do - Hạnh phúc"
# A4; margins within the decree's ranges: top and bottom 20–25 mm, left 30–35, right 15–20
PAGE = (Mm(210), Mm(297))
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
TEXT_WIDTH = Mm(210 - 30 - 15)
HEADER_COLUMNS = (Cm(6.5), Length(TEXT_WIDTH - Cm(6.5)))
CLOSING_COLUMNS = (Cm(8.0), Length(TEXT_WIDTH - Cm(8.0)))
BLANK_NUMBER = " " * 8  # "Số:         /BC-UBND": the clerk writes the number when it is issued
SIGNATURE_SPACE = 4  # empty lines for the signature and the seal
# where an issuing body's name is broken in two: "ỦY BAN NHÂN DÂN" / "PHƯỜNG LONG ANH"
_UNIT = re.compile(r"\s(?=(PHƯỜNG|XÃ|THỊ TRẤN|QUẬN|HUYỆN|THỊ XÃ|THÀNH PHỐ|TỈNH)\s)")


def set_fonts(document: Document) -> None:
    """Times New Roman everywhere, for every script Word may pick a font for."""
    for name in ("Normal", "Table Grid"):
        style = document.styles[name]
        style.font.name = FONT
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(script), FONT)
    normal = document.styles["Normal"]
    normal.font.size = BODY_SIZE
    spacing = normal.paragraph_format
    spacing.space_before, spacing.space_after = Pt(0), Pt(0)


def set_page(document: Document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    # the page number, centred at the top, from the second page on
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(number)


def _page_field(paragraph: Paragraph) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def text(
    paragraph: Paragraph,
    words: str,
    size: Length | None = None,
    *,
    bold: bool = False,
    italic: bool = False,
) -> Paragraph:
    """Adds ``words`` as one run; a "\\n" in them is a line break."""
    lines = words.split("\n")
    for n, line in enumerate(lines):
        run = paragraph.add_run(line)
        if n < len(lines) - 1:
            run.add_break()
        run.font.size = size
        run.font.bold, run.font.italic = bold or None, italic or None
    return paragraph


def centred(
    cell: _Cell | Document,
    words: str,
    size: Length,
    *,
    bold: bool = False,
    italic: bool = False,
) -> Paragraph:
    paragraph = cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return text(paragraph, words, size, bold=bold, italic=italic)


def rule(container: _Cell | Document, width: Length, room: Length) -> Paragraph:
    """A thin solid line ``width`` long, centred in ``room``: under the issuing body, the
    motto and the subject line, as the decree draws them."""
    paragraph = container.add_paragraph()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    # first into the empty properties: Word wants the border before spacing and indents,
    # which python-docx then inserts in their place
    paragraph._p.get_or_add_pPr().append(borders)
    layout = paragraph.paragraph_format
    layout.left_indent = layout.right_indent = Length((room - width) // 2)
    layout.space_before = Pt(2)  # clear of the letters above
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    layout.line_spacing = Pt(4)
    return paragraph


def borderless_table(document: Document, widths: tuple[Length, Length]) -> tuple[_Cell, _Cell]:
    """One row, two columns, no borders: how the header and the closing sit side by side."""
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    cells = table.rows[0].cells
    keep_whole(table.rows[0])  # a signature is never left alone on a page
    for column, cell, width in zip(table.columns, cells, widths, strict=True):
        column.width = cell.width = width
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)  # no empty first line
    return cells[0], cells[1]


def _row_property(row: _Row, name: str) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement(name))


def repeat_on_each_page(row: _Row) -> None:
    """A table's heading row, printed again on each page the table runs onto."""
    _row_property(row, "w:tblHeader")


def keep_whole(row: _Row) -> None:
    """A row printed on one page, never split across two."""
    _row_property(row, "w:cantSplit")


def issuing_lines(issuing_body: str) -> str:
    """The issuing body as the header writes it: its own line breaks, else broken before the
    name of the ward, commune or district ("ỦY BAN NHÂN DÂN\\nPHƯỜNG LONG ANH")."""
    words = issuing_body.upper()
    return words if "\n" in words else _UNIT.sub("\n", words, count=1)


def _estimated_width(words: str, size: Length) -> Length:
    """Roughly how wide ``words`` print in bold Times New Roman: capitals are wider."""
    ems = sum(0.72 if char.isupper() else 0.47 for char in words)
    return Length(int(ems * size))


def dated_line(place: str, day: date) -> str:
    """ "Long Anh, ngày 05 tháng 02 năm 2026": days below 10 and months 1 and 2 get a 0."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def number_line(settings: ReportSettings, number: str | None) -> str:
    return "Số: " + settings.number_pattern.replace("{number}", number or BLANK_NUMBER)


def add_header(
    document: Document, settings: ReportSettings, number: str | None, dated: date
) -> None:
    left, right = borderless_table(document, HEADER_COLUMNS)
    if settings.superior_body:
        centred(left, settings.superior_body.upper(), Pt(13))
    body = issuing_lines(settings.issuing_body)
    centred(left, body, Pt(13), bold=True)
    longest = max(body.split("\n"), key=len)
    rule(left, Length(_estimated_width(longest, Pt(13)) * 2 // 5), HEADER_COLUMNS[0])
    centred(left, number_line(settings, number), Pt(13)).paragraph_format.space_before = Pt(6)
    centred(right, MOTTO, Pt(12), bold=True)
    centred(right, MOTTO_LINE, Pt(13), bold=True)
    rule(right, _estimated_width(MOTTO_LINE, Pt(13)), HEADER_COLUMNS[1])
    dated_paragraph = centred(right, dated_line(settings.place, dated), Pt(14), italic=True)
    dated_paragraph.paragraph_format.space_before = Pt(6)


def recipients(settings: ReportSettings) -> list[str]:
    """ "- …;" lines, the file copy ("Lưu: …") last and ending with a full stop."""
    names = [name.rstrip(" ;.") for name in settings.recipients]
    kept = [name for name in names if name.startswith("Lưu")] or ["Lưu: VT"]
    others = [name for name in names if not name.startswith("Lưu")]
    return [f"- {name};" for name in others] + [f"- {kept[-1]}."]


def add_closing(document: Document, settings: ReportSettings) -> None:
    left, right = borderless_table(document, CLOSING_COLUMNS)
    text(left.add_paragraph(), "Nơi nhận:", Pt(12), bold=True, italic=True)
    for line in recipients(settings):
        text(left.add_paragraph(), line, Pt(11))
    for line in settings.signer.authority:
        centred(right, line.upper(), BODY_SIZE, bold=True)
    for _ in range(SIGNATURE_SPACE):
        right.add_paragraph()
    centred(right, settings.signer.name, BODY_SIZE, bold=True)
