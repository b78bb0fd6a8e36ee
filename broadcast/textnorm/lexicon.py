"""The abbreviation lexicon: built-in entries plus the board's own ``lexicon.yaml``.

Format (documented for the board at the top of ``lexicon_builtin.yaml``)::

    abbreviations: {UBND: ủy ban nhân dân, V/v: về việc, zalo: da lô}
    words: {chinhphu: chính phủ}

``abbreviations`` keys match a token exactly as written; an all-lowercase key (a loanword)
matches in any case. ``words`` restore accents inside web and e-mail addresses.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from broadcast import yamlsource
from broadcast.diagnostics import Diagnostic, DiagnosticCollector, InputError
from broadcast.paths import ProjectPaths
from broadcast.textnorm.letters import VIETNAMESE_LOWER

BUILTIN_FILE = Path(__file__).with_name("lexicon_builtin.yaml")
SECTIONS = ("abbreviations", "words")

_READING = re.compile(f"[{VIETNAMESE_LOWER}]+(?: [{VIETNAMESE_LOWER}]+)*")
_KEY = re.compile(r"[^\W_][\w./&-]*")
_URL_WORD = re.compile(r"[a-z0-9]+")


class Lexicon:
    """How abbreviations and address words are read. ``Lexicon()`` is the built-in lexicon;
    entries given here are added to it and override it."""

    def __init__(
        self,
        abbreviations: Mapping[str, str] | None = None,
        words: Mapping[str, str] | None = None,
        *,
        builtin: bool = True,
        warnings: tuple[Diagnostic, ...] = (),
    ) -> None:
        base_abbreviations, base_words = _builtin_entries() if builtin else ({}, {})
        self.abbreviations: dict[str, str] = {**base_abbreviations, **(abbreviations or {})}
        self.words: dict[str, str] = {**base_words, **(words or {})}
        self.warnings = warnings
        # Lowercase keys are loanwords or units: "Zalo" and "ZALO" find "zalo" too.
        self.folded = {key: value for key, value in self.abbreviations.items() if key.islower()}
        self.special_keys = tuple(
            sorted((k for k in self.abbreviations if not k.isalpha()), key=len, reverse=True)
        )
        # Addresses are lowercase: "ubnd" in an e-mail address is read like UBND. Two-letter
        # abbreviations stay out: "vn" in an address is "vê en", not "việt nam".
        self.address_words = {
            k.lower(): v for k, v in self.abbreviations.items() if k.isalpha() and len(k) > 2
        }
        self.address_words.update(self.words)

    def lookup(self, token: str) -> str | None:
        """The reading of a token, or ``None`` when the lexicon does not know it."""
        found = self.abbreviations.get(token)
        if found is None and self.folded:
            found = self.folded.get(token.lower())
        return found


@cache
def _builtin_entries() -> tuple[dict[str, str], dict[str, str]]:
    source = "broadcast/textnorm/" + BUILTIN_FILE.name
    parsed = parse_lexicon(BUILTIN_FILE.read_text(encoding="utf-8"), source)
    problems = parsed.diagnostics + _unstable_readings(parsed.abbreviations, parsed)
    if problems:  # a mistake in the shipped file is a bug, not bad input
        raise InputError(problems)
    return parsed.abbreviations, parsed.words


@dataclass
class LexiconFile:
    """What one lexicon file says, with where each abbreviation's reading was written."""

    abbreviations: dict[str, str] = field(default_factory=dict)
    words: dict[str, str] = field(default_factory=dict)
    located: dict[str, yamlsource.Located] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _reading(value: yamlsource.Located, key: str) -> str:
    text = " ".join(unicodedata.normalize("NFC", value.text(f'cách đọc của "{key}"')).split())
    reading = text.lower()
    if not _READING.fullmatch(reading):
        raise value.fail(
            "bad_reading",
            f'cách đọc của "{key}" chỉ được gồm chữ cái tiếng Việt và dấu cách, '
            f'không phải "{text}"',
        )
    return reading


def _section(
    section: yamlsource.Located | None, name: str, into: dict[str, str], parsed: LexiconFile
) -> None:
    if section is None or section.is_null:
        return
    collector = DiagnosticCollector()
    with collector.guard():
        what = f'mục "{name}"'
        values, keys = section.mapping(what), section.keys(what)
        pattern, hint = (
            (_KEY, "một từ không có dấu cách")
            if name == "abbreviations"
            else (_URL_WORD, "chữ thường không dấu hoặc chữ số")
        )
        for written, value in values.items():
            key = unicodedata.normalize("NFC", written)
            with collector.guard():
                if not pattern.fullmatch(key):
                    raise keys[written].fail(
                        "bad_key", f'"{key}" không dùng được làm khóa: cần {hint}'
                    )
                into[key] = _reading(value, key)
                parsed.located[key] = value
    parsed.diagnostics.extend(collector.diagnostics)


def parse_lexicon(text: str, source: str) -> LexiconFile:
    """Entries of one lexicon file and every problem found (errors and warnings)."""
    parsed = LexiconFile()
    collector = DiagnosticCollector()
    with collector.guard():
        root = yamlsource.parse(text, source)
        if root is not None:
            sections = root.mapping("tệp từ điển")
            collector.extend(yamlsource.unknown_keys(root, SECTIONS, "tệp từ điển"))
            _section(sections.get("abbreviations"), "abbreviations", parsed.abbreviations, parsed)
            _section(sections.get("words"), "words", parsed.words, parsed)
    parsed.diagnostics[:0] = collector.diagnostics
    return parsed


def _unstable_readings(abbreviations: Mapping[str, str], parsed: LexiconFile) -> list[Diagnostic]:
    """Readings in ``parsed`` that contain a lowercase key of ``abbreviations``: a second pass
    over the spoken text would rewrite them again."""
    folded = {key for key in abbreviations if key.islower()}
    problems = []
    for key, reading in parsed.abbreviations.items():
        clash = folded.intersection(reading.split())
        if clash:
            problems.append(
                parsed.located[key].diagnostic(
                    "reading_has_key",
                    f'cách đọc của "{key}" chứa "{sorted(clash)[0]}", cũng là một mục '
                    "trong từ điển; hãy viết cách đọc bằng lời",
                )
            )
    return problems


def load_lexicon(paths: ProjectPaths) -> Lexicon:
    """Built-in entries plus ``lexicon.yaml`` next to ``schedules.yaml`` (missing is fine).

    Raises ``InputError`` naming file and line for every bad entry.
    """
    source = paths.relative(paths.lexicon_file)
    try:
        text = yamlsource.read_file(paths.lexicon_file, source)
    except FileNotFoundError:
        return Lexicon()
    parsed = parse_lexicon(text, source)
    merged = {**_builtin_entries()[0], **parsed.abbreviations}
    collector = DiagnosticCollector()
    collector.extend(parsed.diagnostics + _unstable_readings(merged, parsed))
    collector.raise_if_errors()
    return Lexicon(parsed.abbreviations, parsed.words, warnings=tuple(collector.warnings))
