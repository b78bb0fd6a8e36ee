"""A text or Word file → what the loudspeaker says, and the fields written in the file.

What is not spoken, in the order it is taken off the top: the front matter (``---`` fenced
YAML) or the labelled lines (``Chủ đề: …``, see ``labels``), in a Word file also the table at
the top and the document's properties, then an official notice's header (see ``official``);
and at the end, an official notice's recipients and signature (see ``closing``), which the
draft names in ``left_out`` so that ``check`` can tell the board.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from broadcast import yamlsource
from broadcast.diagnostics import Diagnostic, Severity
from broadcast.scripts import closing, official
from broadcast.scripts.decoding import clean_line_breaks, decode_bytes, paragraphs_of
from broadcast.scripts.labels import VIETNAMESE_NAMES, Entry, entry_field, leading_entries
from broadcast.scripts.layers import (
    BODY_HINT,
    ORIGIN_FRONT_MATTER,
    ORIGIN_LINES,
    ORIGIN_WORD_LINES,
    ORIGIN_WORD_TABLE,
    Layer,
    Merged,
    entries_layer,
    merge,
    property_origin,
)
from broadcast.scripts.metadata import read_fields, split_front_matter
from broadcast.scripts.wordfile import read_word

_MARKDOWN_MARKS = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|>\s*)|\*\*|__", re.MULTILINE)
_SPACES = re.compile(r"\s+")
_SPACES_NOT_TABS = re.compile(r"[^\S\t]+")  # a tab sets Word's two header columns apart
# Word's properties that give a field, strongest first for each field. Category is the one
# meant for a classification; Keywords is what Word's File > Info shows as "Tags"; Subject is
# often free text, so it comes last.
_WORD_PROPERTIES = (
    ("title", "title", "Title"),
    ("category", "topic", "Category"),
    ("keywords", "topic", "Keywords (Tags)"),
    ("subject", "topic", "Subject"),
)


@dataclass(frozen=True)
class Draft:
    paragraphs: list[str]  # what is spoken, the title (if any) first
    encoding: str
    layers: tuple[Layer, ...]  # the fields written in the file, strongest first
    warnings: tuple[Diagnostic, ...]
    left_out: tuple[str, ...] = ()  # parts of the text not spoken, said to the board by check


@dataclass
class _Lines:
    """A file's lines, each with whether Word set it off (Title/Heading style, all bold) and
    where it is in the file: its line, or in Word its paragraph (``unit`` says which)."""

    lines: list[str]
    strong: list[bool]
    places: list[int]
    unit: str = "dòng"

    def top(self) -> list[int]:
        return [index for index, line in enumerate(self.lines) if line.strip()]

    def drop(self, count: int) -> None:
        """Take the first ``count`` non-blank lines (and blank lines among them) off the top."""
        if count:
            cut = self.top()[count - 1] + 1
            self.lines, self.strong = self.lines[cut:], self.strong[cut:]
            self.places = self.places[cut:]

    def cut_closing(self) -> str | None:
        """Take an official notice's closing block off the end; say what was left out."""
        top = self.top()
        found = closing.closing_block([self.lines[index] for index in top])
        if found is None:
            return None
        cut = top[found.start]
        first, last = self.places[cut], self.places[top[-1]]
        self.lines, self.strong, self.places = (
            self.lines[:cut],
            self.strong[:cut],
            self.places[:cut],
        )
        span = f"{first}–{last}" if last > first else str(first)
        return f"{self.unit} {span}: {_left_out(found)}{_ends_with(self)}"

    def text(self) -> str:
        return "\n".join(self.lines)


def _left_out(found: closing.Closing, where: str = "phần cuối văn bản") -> str:
    return f"{where} ({found.parts}) không đọc lên loa"


def _ends_with(document: _Lines) -> str:
    """The last words that are spoken, so the board sees where the bulletin stops."""
    top = document.top()
    if not top:
        return ""
    last = " ".join(document.lines[top[-1]].split())
    shown = last if len(last) <= 60 else "…" + last[-59:]
    return f'; bản tin kết thúc ở "{shown}"'


def _labelled_layer(document: _Lines, source: str, word: bool) -> Layer:
    top = document.top()
    entries = leading_entries([document.lines[index] for index in top])
    places = document.places

    def locate(entry: Entry) -> tuple[int | None, str]:
        if word:  # Word shows no line numbers: the label names the line
            return None, "dòng thông tin đầu văn bản"
        return places[top[entry.place]], "dòng"

    origin = ORIGIN_WORD_LINES if word else ORIGIN_LINES
    layer = entries_layer(entries, origin, source, locate, BODY_HINT)
    document.drop(len(entries))
    return layer


def _heading_layer(document: _Lines) -> Layer | None:
    top = document.top()[:30]  # a header is a dozen lines at most
    lines = [
        official.Line(_SPACES_NOT_TABS.sub(" ", document.lines[i]).strip(), document.strong[i])
        for i in top
    ]
    heading = official.official_heading(lines)
    if heading is None:
        return None
    document.drop(heading.skipped)
    if heading.title is None or heading.origin is None:
        return None
    return Layer(heading.origin, {"title": heading.title})


def _spoken(document: _Lines, markdown: bool) -> tuple[list[str], Layer | None, tuple[str, ...]]:
    """Paragraphs, the title found in an official heading, and what was left out at the end."""
    left_out = document.cut_closing()  # before Markdown marks go: "- Như trên;" has its dash
    if markdown:
        document.lines = _MARKDOWN_MARKS.sub("", document.text()).split("\n")
        document.strong = [False] * len(document.lines)
    heading = _heading_layer(document)
    return paragraphs_of(document.text()), heading, (left_out,) if left_out else ()


def text_draft(data: bytes, source: str, markdown: bool) -> Draft:
    """A ``.txt`` or ``.md`` file's bytes, in any encoding ``decode_bytes`` knows."""
    decoded = decode_bytes(data, source)
    text = clean_line_breaks(decoded.text)
    front = split_front_matter(text, source)
    warnings = decoded.warnings
    lines = front.body.split("\n")
    places = list(range(front.body_line, front.body_line + len(lines)))
    document = _Lines(lines, [False] * len(lines), places)
    if front.yaml_text is not None:
        fields, found = read_fields(yamlsource.parse(front.yaml_text, source, line_offset=1))
        own, warnings = Layer(ORIGIN_FRONT_MATTER, fields), warnings + found
    else:
        own = _labelled_layer(document, source, word=False)
    paragraphs, heading, left_out = _spoken(document, markdown)
    return Draft(paragraphs, decoded.encoding, _layers(own, heading), warnings, left_out)


def _layers(*layers: Layer | None) -> tuple[Layer, ...]:
    return tuple(layer for layer in layers if layer is not None and layer.fields)


def _cells(row: list[str]) -> list[str]:
    """A row's cells, once each: Word repeats a merged cell for every column it spans."""
    cells: list[str] = []
    for cell in row:
        if not cells or cell != cells[-1]:
            cells.append(cell)
    return cells


def _table_layer(
    tables: list[list[list[str]]], source: str
) -> tuple[Layer, tuple[Diagnostic, ...]]:
    """The board's header table (field | value): the first table at the top whose first column
    names a field. Others there (an official header's layout: issuing body | motto) are not read."""
    for rows in tables:
        layer, warnings = _fields_table(rows, source)
        if layer.fields:
            return layer, warnings
    return Layer(ORIGIN_WORD_TABLE, {}), ()


def _fields_table(rows: list[list[str]], source: str) -> tuple[Layer, tuple[Diagnostic, ...]]:
    entries, unknown = [], []
    for number, row in enumerate(rows, start=1):
        cells = _cells(row)
        if len(cells) < 2 or not cells[0].strip():
            continue
        label = cells[0].strip().rstrip(":").strip()
        name = entry_field(label)
        parts = [part.strip() for part in cells[1].split("\n") if part.strip()]
        value = (", " if name == "zones" else " ").join(parts)
        if name is None:
            unknown.append((number, label))
        else:
            entries.append(Entry(label, name, value, number))
    if not entries:
        return Layer(ORIGIN_WORD_TABLE, {}), ()
    known = ", ".join(spelling.capitalize() for spelling in VIETNAMESE_NAMES.values())
    warnings = tuple(
        Diagnostic(
            source,
            None,
            None,
            "unknown_field",
            f'hàng {number} của bảng đầu văn bản: "{label}" không phải trường thông tin nào, '
            f"bị bỏ qua (không đọc lên loa); các trường: {known}",
            Severity.WARNING,
        )
        for number, label in unknown
        if number > 1  # the first row may name the columns ("Trường | Giá trị")
    )
    layer = entries_layer(
        entries,
        ORIGIN_WORD_TABLE,
        source,
        lambda entry: (None, f"hàng {entry.place} của bảng đầu văn bản, ô"),
    )
    return layer, warnings


def _property_layers(properties: dict[str, str]) -> list[Layer]:
    layers = []
    for key, name, shown in _WORD_PROPERTIES:
        value = unicodedata.normalize("NFC", _SPACES.sub(" ", properties.get(key, ""))).strip()
        # Old Word filled Title with the first line, which in a notice is the issuing body.
        if value and not (name == "title" and official.header_like(value)):
            layers.append(Layer(property_origin(shown), {name: value}))
    return layers


def word_draft(path: Path, source: str) -> Draft:
    word = read_word(path, source)
    lines, strong, places = [], [], []
    for number, (paragraph, set_off) in enumerate(
        zip(word.paragraphs, word.strong, strict=True), 1
    ):
        for line in paragraph.split("\n"):
            lines.append(line)
            strong.append(set_off)
            places.append(number)
        lines.append("")  # paragraphs stay paragraphs
        strong.append(False)
        places.append(number)
    document = _Lines(lines, strong, places, unit="đoạn")
    table, warnings = _table_layer(word.top_tables, source)
    labelled = _labelled_layer(document, source, word=True)
    paragraphs, heading, left_out = _spoken(document, markdown=False)
    tables = [closing.closing_table(rows) for rows in word.end_tables]
    left_out += tuple(
        f"{_left_out(found, 'bảng cuối văn bản')}{_ends_with(document)}"
        for found in tables
        if found
    )
    layers = _layers(table, labelled, *_property_layers(word.properties), heading)
    return Draft(paragraphs, word.encoding, layers, warnings, left_out)


def _first_line_as_title(paragraphs: list[str]) -> tuple[str, list[str]]:
    first, _, rest = paragraphs[0].partition("\n")
    return first, ([rest] if rest.strip() else []) + paragraphs[1:]


def _title_and_body(paragraphs: list[str], title: str | None) -> tuple[str, str]:
    """An explicit title, or the first line; a first line repeating the title is not read twice."""
    if not paragraphs:
        return title or "", ""
    if title is None:
        title, paragraphs = _first_line_as_title(paragraphs)
    else:
        first, rest = _first_line_as_title(paragraphs)
        if first.casefold() == title.casefold():
            paragraphs = rest
    return title, "\n\n".join(paragraphs)


def compose(draft: Draft, stronger: Sequence[Layer], source: str) -> tuple[str, str, Merged]:
    """Title, body and fields, with ``stronger`` (a sidecar) over the file's own layers."""
    merged = merge([*stronger, *draft.layers], source)
    title, body = _title_and_body(draft.paragraphs, merged.metadata.title)
    return title, body, merged
