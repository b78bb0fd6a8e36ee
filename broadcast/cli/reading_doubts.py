"""``broadcast check``'s warnings about readings the loudspeaker cannot get right (an impossible
date or time, a web address with a long path), each with the line of the file it is on.

A script's spoken text is cleaned (front matter cut, Markdown marks dropped, spaces squeezed),
so its lines are not the file's: the written piece is looked up in the file itself, the n-th
time it is spoken at its n-th place in the file. In a Word file a line is a paragraph.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

from broadcast.diagnostics import Diagnostic, InputError, Severity
from broadcast.paths import ProjectPaths
from broadcast.scripts import Script, ScriptFolder, ScriptKind
from broadcast.scripts.decoding import clean_line_breaks, decode_bytes
from broadcast.scripts.wordfile import read_word
from broadcast.textnorm import Lexicon, load_lexicon, reading_doubts

_SPACES = re.compile(r"[^\S\n]+")


def _file_lines(path: Path, source: str) -> list[str]:
    """The file's lines (paragraphs of a Word file), NFC, spaces squeezed as in scripts."""
    try:
        if path.suffix.lower() == ".docx":
            text = "\n".join(read_word(path, source).paragraphs)
        else:
            text = decode_bytes(path.read_bytes(), source).text
    except (OSError, InputError):
        return []  # changed since it was read; the warning keeps its message, without a line
    return _SPACES.sub(" ", unicodedata.normalize("NFC", clean_line_breaks(text))).split("\n")


def _places(lines: list[str], written: str) -> list[int]:
    """Line numbers of every occurrence of ``written``, in file order."""
    return [number for number, line in enumerate(lines, 1) for _ in range(line.count(written))]


def _script_doubts(paths: ProjectPaths, script: Script, lexicon: Lexicon) -> list[Diagnostic]:
    doubts = reading_doubts(f"{script.title}\n{script.body}", lexicon)
    if not doubts:
        return []
    lines = _file_lines(paths.home / script.source, script.source)
    seen: Counter[str] = Counter()
    found = []
    for doubt in doubts:
        places = _places(lines, doubt.written)
        nth = seen[doubt.written]
        seen[doubt.written] += 1
        line = places[min(nth, len(places) - 1)] if places else None
        found.append(
            Diagnostic(script.source, line, None, doubt.code, doubt.message, Severity.WARNING)
        )
    return found


def reading_warnings(paths: ProjectPaths, folder: ScriptFolder) -> list[Diagnostic]:
    """Each text script's doubtful readings; none when the board's lexicon is broken (its own
    errors are reported on their own)."""
    try:
        lexicon = load_lexicon(paths)
    except InputError:
        return []
    found = []
    for script in folder.scripts:
        if script.kind is ScriptKind.TEXT:
            found += _script_doubts(paths, script, lexicon)
    return found
