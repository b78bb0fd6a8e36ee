"""What the loudspeaker says for a script, as ``broadcast normalize --explain`` and a script's
page in the console show it: the spoken text (title, then paragraphs), each rewrite with the
line of the file (a Word file's paragraph) its piece is written on, and the text cut into
pieces so that a page can mark each rewritten piece with its explanation."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from broadcast.diagnostics import Diagnostic, InputError
from broadcast.paths import ProjectPaths
from broadcast.scripts import Script, ScriptKind
from broadcast.textnorm import Lexicon, Region, Rewrite, explain, normalize
from broadcast.views.reading_doubts import WrittenPlaces


@dataclass(frozen=True)
class Read:
    text: str  # what the engines are given: the title, then the paragraphs
    source: str | None = None  # the file, as messages name it; None for stdin
    places: WrittenPlaces | None = None
    left_out: tuple[str, ...] = ()


def spoken(title: str, body: str) -> str:
    """Title, then the paragraphs: what the engines are given, in order."""
    return "\n\n".join(part for part in (title, body) if part) + "\n"


def refuse_recording(kind: ScriptKind, source: str) -> None:
    if kind is ScriptKind.RECORDING:
        message = "đây là bản ghi âm: loa phát nguyên bản thu, không có chữ để chuẩn hóa"
        raise InputError([Diagnostic(source, None, None, "recording", message)])


def script_read(script: Script, paths: ProjectPaths) -> Read:
    """A text script as the engines are given it; a recording raises ``InputError``."""
    refuse_recording(script.kind, script.source)
    places = WrittenPlaces(paths.home / script.source, script.source)
    return Read(spoken(script.title, script.body), script.source, places, script.left_out)


def explained_rows(rewrites: list[Rewrite], read: Read) -> list[dict[str, object]]:
    """The rewrites, each with the line of the file (a Word paragraph) its piece is written
    on; a piece not found there (changed by the reader) takes its spoken line's place."""
    rows = [rewrite.to_json() for rewrite in rewrites]
    if read.places is None:
        return rows
    found: dict[int, int | None] = {}  # spoken line → its place in the file
    for row, rewrite in zip(rows, rewrites, strict=True):
        place = read.places.place(rewrite.original)
        if place is not None:
            found.setdefault(rewrite.line, place)
        row["line"] = place if place is not None else found.get(rewrite.line)
    return rows


@dataclass(frozen=True)
class Piece:
    text: str
    rewrite: Rewrite | None = None  # the rewrite of this piece, when it is one


@dataclass(frozen=True)
class ReadingLine:
    pieces: list[Piece]  # the written line, cut at its rewrites
    spoken: str  # what the loudspeaker says for the line


def reading_lines(text: str, lexicon: Lexicon, region: Region = Region.NORTH) -> list[ReadingLine]:
    """Each line of ``text`` beside its reading, the rewritten pieces marked."""
    rewrites = explain(text, lexicon, region)
    lines = []
    for number, line in enumerate(text.rstrip("\n").split("\n"), start=1):
        written = unicodedata.normalize("NFC", line)
        pieces, at = [], 0
        for rewrite in (r for r in rewrites if r.line == number):
            start = rewrite.column - 1
            if start < at or written[start : start + len(rewrite.original)] != rewrite.original:
                continue  # not where it says (the line was prepared first): leave it unmarked
            if start > at:
                pieces.append(Piece(written[at:start]))
            pieces.append(Piece(rewrite.original, rewrite))
            at = start + len(rewrite.original)
        if at < len(written):
            pieces.append(Piece(written[at:]))
        lines.append(ReadingLine(pieces, normalize(line, lexicon, region) if line else ""))
    return lines
