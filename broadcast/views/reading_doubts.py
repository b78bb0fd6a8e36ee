"""Where a script's written pieces are in its file, for the messages that name a line:
``broadcast check``'s warnings about readings the loudspeaker cannot get right (an impossible
date or time, a web address with a long path), its zone and topic warnings, and the table of
``broadcast normalize --explain``.

A script's spoken text is cleaned (front matter cut, Markdown marks dropped, spaces squeezed),
so its lines are not the file's: the written piece is looked up in the file itself, the n-th
time it is asked for at its n-th place in the file. In a Word file a place is a paragraph,
and messages say so ("đoạn 4"): Word shows no line numbers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from broadcast.diagnostics import Diagnostic, InputError, Severity
from broadcast.paths import ProjectPaths
from broadcast.scripts import Script, ScriptFolder, ScriptKind
from broadcast.scripts.decoding import clean_line_breaks, decode_bytes
from broadcast.scripts.layers import sidecar_origin
from broadcast.scripts.memo import BoundedMemo, file_identity, identity_read_with
from broadcast.scripts.reader import sidecar_of
from broadcast.scripts.wordfile import read_word
from broadcast.textnorm import Lexicon, load_lexicon, reading_doubts

_SPACES = re.compile(r"[^\S\n]+")
_FIELD_CODES = frozenset({"unknown_zone", "no_known_zone", "unknown_topic"})


def _file_lines(path: Path, source: str) -> list[str]:
    """The file's lines (paragraphs of a Word file), NFC, spaces squeezed as in scripts."""
    try:
        if path.suffix.lower() == ".docx":
            paragraphs = read_word(path, source).paragraphs
            text = "\n".join(p.replace("\n", " ") for p in paragraphs)  # one place a paragraph
        else:
            text = decode_bytes(path.read_bytes(), source).text
    except (OSError, InputError):
        return []  # changed since it was read; the message keeps its words, without a place
    return _SPACES.sub(" ", unicodedata.normalize("NFC", clean_line_breaks(text))).split("\n")


def _places(lines: list[str], written: str) -> list[int]:
    """Line numbers of every occurrence of ``written``, in file order."""
    return [number for number, line in enumerate(lines, 1) for _ in range(line.count(written))]


class WrittenPlaces:
    """The places of written pieces in one file: asked for the n-th time, a piece's n-th place
    (its last, when it is written fewer times)."""

    def __init__(self, path: Path, source: str) -> None:
        self.source = source
        self.word = path.suffix.lower() == ".docx"
        self.unit = "đoạn" if self.word else "dòng"
        self._lines = _file_lines(path, source)
        self._seen: Counter[str] = Counter()

    def place(self, written: str) -> int | None:
        """Line of the file (paragraph of a Word file) of this occurrence of ``written``."""
        places = _places(self._lines, written) if written else []
        nth = self._seen[written]
        self._seen[written] += 1
        return places[min(nth, len(places) - 1)] if places else None

    def placed(self, diagnostic: Diagnostic, place: int | None) -> Diagnostic:
        """``diagnostic`` at ``place``: its line, or in Word "đoạn N" leading the message."""
        if place is None:
            return diagnostic
        if self.word:
            message = f"{self.unit} {place}: {diagnostic.message}"
            return dataclasses.replace(diagnostic, line=None, message=message)
        return dataclasses.replace(diagnostic, line=place)


def script_places(paths: ProjectPaths, script: Script) -> WrittenPlaces:
    return WrittenPlaces(paths.home / script.source, script.source)


def _script_doubts(paths: ProjectPaths, script: Script, lexicon: Lexicon) -> list[Diagnostic]:
    doubts = reading_doubts(f"{script.title}\n{script.body}", lexicon)
    if not doubts:
        return []
    places = script_places(paths, script)
    return [
        places.placed(
            Diagnostic(script.source, None, None, doubt.code, doubt.message, Severity.WARNING),
            places.place(doubt.written),
        )
        for doubt in doubts
    ]


def reading_warnings(paths: ProjectPaths, folder: ScriptFolder) -> list[Diagnostic]:
    """Each text script's doubtful readings; none when the board's lexicon is broken (its own
    errors are reported on their own)."""
    try:
        lexicon = load_lexicon(paths)
    except InputError:
        return []
    lexicon_key = _lexicon_key(paths)
    found = []
    for script in folder.scripts:
        if script.kind is not ScriptKind.TEXT:
            continue
        # the bytes the folder's reading hashed: hashed again only for a script read otherwise
        identity = identity_read_with(script) or file_identity(paths.home / script.source)
        if identity is None or lexicon_key is None:
            found += _script_doubts(paths, script, lexicon)
            continue
        key = (str(paths.home), script.source, identity, lexicon_key)
        found += _DOUBTS.get(key, partial(_script_doubts, paths, script, lexicon))
    return found


# The doubts of a script's text with a lexicon, kept while neither's bytes change: checking
# every sentence again at each page of the console is what made its scripts table slow.
_DOUBTS: BoundedMemo[list[Diagnostic]] = BoundedMemo()


def _lexicon_key(paths: ProjectPaths) -> str | None:
    try:
        return hashlib.sha256(paths.lexicon_file.read_bytes()).hexdigest()
    except FileNotFoundError:
        return ""
    except OSError:
        return None


def _written_value(script: Script, diagnostic: Diagnostic) -> tuple[str, str | None]:
    """The field a zone or topic problem is about, and the value as written."""
    if diagnostic.code == "unknown_topic":
        return "topic", script.topic
    zones = script.zones or ()
    named = [zone for zone in zones if f'"{zone}"' in diagnostic.message] or list(zones)
    return "zones", named[0] if named else None


def _placed_field(paths: ProjectPaths, script: Script, diagnostic: Diagnostic) -> Diagnostic:
    """A zone or topic problem at the line where the field is written: in the script, or in its
    sidecar ``.yaml`` (named in the message: the problem stays the script's), or named by
    where it came from when that has no lines (a Word header table, a document property)."""
    field, value = _written_value(script, diagnostic)
    origin = dict(script.field_origins).get(field)
    sidecar = sidecar_of(paths.home / script.source)
    if sidecar is not None and origin == sidecar_origin(sidecar.name):
        line = WrittenPlaces(sidecar, origin).place(value or "")
        where = f"{origin}, dòng {line}" if line else origin
        return dataclasses.replace(diagnostic, message=f"{where}: {diagnostic.message}")
    places = script_places(paths, script)
    place = places.place(value or "")
    if place is None and origin is not None:
        return dataclasses.replace(diagnostic, message=f"{origin}: {diagnostic.message}")
    return places.placed(diagnostic, place)


def placed_field_problems(
    paths: ProjectPaths, scripts: Iterable[Script], diagnostics: Iterable[Diagnostic]
) -> list[Diagnostic]:
    """``diagnostics`` with each zone and topic problem of a script given its place."""
    by_source = {script.source: script for script in scripts}
    return [
        _placed_field(paths, by_source[d.file], d)
        if d.code in _FIELD_CODES and d.line is None and d.file in by_source
        else d
        for d in diagnostics
    ]
