"""Fuzzing the readers of what people type: front matter, ``schedules.yaml``, the lexicon and
the normalizer. Whatever the input, the only exception allowed is the project's own
``InputError``, and its diagnostics name the file and a line that exists.

Structured strategies build YAML documents with the real keys and random values (times,
dates, paths, tags, nesting, YAML's own surprises such as ``no`` or ``0x1F``), emitted both
unquoted (so YAML interprets each scalar) and through ``yaml.safe_dump``; plain random text
is fuzzed too. ``tests/scripts/test_ingest_properties.py`` and
``tests/textnorm/test_textnorm_properties.py`` already fuzz whole files and the default
normalizer; these add the structured documents, the schedule loader, board lexicons and
regions.
"""

from __future__ import annotations

import re
from datetime import date
from random import Random
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from broadcast.config import KNOWN_SECTIONS, Config, parse_config
from broadcast.config.programs import PROGRAM_KEYS, SELECTION_KEYS
from broadcast.config.slots import QUIET_KEYS, SLOT_KEYS
from broadcast.config.zones import OUTPUT_KEYS, ZONE_KEYS
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.scripts.metadata import FIELDS, SPEED_RANGE, parse_metadata, split_front_matter
from broadcast.textnorm import Lexicon, Region, normalize
from broadcast.textnorm.letters import VIETNAMESE_LOWER
from broadcast.textnorm.lexicon import SECTIONS, parse_lexicon

pytestmark = pytest.mark.slow  # hundreds of hypothesis examples per target

FUZZ = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TTS_KEYS = ("engines", "region", "espeak", "gtts", "piper", "pauses", "repeat", "chime", "outro")
ALL_KEYS = sorted(
    {*KNOWN_SECTIONS, *ZONE_KEYS, *OUTPUT_KEYS, *PROGRAM_KEYS, *SELECTION_KEYS, *SLOT_KEYS}
    | {*QUIET_KEYS, *TTS_KEYS, *FIELDS, *SECTIONS, "chime", "intro", "audio", "outro", "script"}
    | {"scripts", "all", "toan-phuong", "to-1", "UBND", "TDP", "voice_path", "target_lufs"}
)
# Scalars as people write them, and the ones YAML reads its own way.
WRITTEN = [
    *["07:00", "7h30", "25:00", "23:60", "17:30:00", "1050", "-1", "0", "1.5", "1e309"],
    *["31/02/2026", "29/02/2028", "2026-02-31", "2026-13-01", "01/01/0001", "31/12/9999"],
    *["T2-T7", "CN", "T8", "mon-sun", "khẩn cấp", "priority", "normal", "all", "file", "none"],
    *["no", "yes", "on", "off", "~", "null", ".nan", "-.inf", "0x1F", "0o17", "1_000", "=", "<<"],
    *["media/nhac.mp3", "../x.mp3", "/etc/passwd", "C:\\x.wav", "nhac.ogg", "builtin"],
    *["espeak", "gtts", "piper", "Asia/Ho_Chi_Minh", "Mars/Olympus", "UTC", "''", '""'],
    *["!!python/object/apply:os.getcwd []", "!!binary aGk=", "!!set {a}", "!!omap [a: 1]"],
    *["&a x", "*a", "*nowhere", "!!str 5", "!!int x", "!!float abc", "!!timestamp 2026-02-31"],
    *["tổ dân phố", "ủy ban nhân dân", "Cải cách hành chính", "📢", "a: b", "- x", "[x", "{x"],
]
scalar = st.one_of(
    st.sampled_from(WRITTEN),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=12),
)
key = st.sampled_from(ALL_KEYS)
value = st.recursive(
    scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(key, inner, max_size=5)),
    max_leaves=30,
)


def unquoted(node: Any, indent: int = 0) -> str:
    """Block YAML with every scalar written bare, so YAML interprets it (``no`` → false)."""
    pad = "  " * indent
    if isinstance(node, dict):
        if not node:
            return " {}\n"
        return "\n" + "".join(f"{pad}{k}:{unquoted(v, indent + 1)}" for k, v in node.items())
    if isinstance(node, list):
        if not node:
            return " []\n"
        return "\n" + "".join(f"{pad}-{unquoted(v, indent + 1)}" for v in node)
    return f" {node}\n"


def document(keys: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    tree = st.dictionaries(keys, value, max_size=8)
    return st.one_of(
        tree.map(lambda d: unquoted(d).lstrip("\n")),
        tree.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
        st.text(max_size=300),
        st.integers(0, 600).map(lambda depth: f"x: {'[' * depth}{']' * depth}\n"),
    )


def assert_located(error: InputError, source: str, text: str, offset: int = 0) -> None:
    # PyYAML counts a lone \r, NEL and the Unicode separators as line breaks too.
    breaks = len(re.findall("\r\n|[\r\n\x85\u2028\u2029]", text))
    lines = breaks + 2 + offset  # a problem at end of stream sits one line past
    assert error.diagnostics
    for diagnostic in error.diagnostics:
        assert diagnostic.file == source and diagnostic.message
        assert diagnostic.line is None or 1 <= diagnostic.line <= lines, diagnostic


# --- front matter --------------------------------------------------------------------------


@FUZZ
@given(document(st.sampled_from([*FIELDS, *FIELDS, "tittle", "zone"])), st.text(max_size=80))
def test_front_matter(front, body):
    text = f"---\n{front}\n---\n{body}"
    try:
        split = split_front_matter(text, "tin.md")
        metadata, warnings = parse_metadata(split.yaml_text or "", "tin.md", line_offset=1)
    except InputError as error:
        assert_located(error, "tin.md", text)
        return
    assert all(w.file == "tin.md" for w in warnings)
    if metadata.times_per_week is not None:
        assert isinstance(metadata.times_per_week, int) and metadata.times_per_week >= 1
    if metadata.speed is not None:
        assert SPEED_RANGE[0] <= metadata.speed <= SPEED_RANGE[1]
    for day in (metadata.valid_from, metadata.valid_until):
        assert day is None or isinstance(day, date)
    if metadata.valid_from and metadata.valid_until:
        assert metadata.valid_from <= metadata.valid_until


# --- schedules.yaml ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> ProjectPaths:
    home = tmp_path_factory.mktemp("ward").resolve()
    (home / "media").mkdir()
    (home / "media" / "nhac.mp3").write_bytes(b"ID3" + bytes(64))
    return ProjectPaths(home)


ZONE = "  - id: to-1\n    name: Tổ 1\n    output: {device: loa, channels: [1]}\n"
ZONE_2 = ZONE.replace("to-1", "to-2")
SLOT = (
    "  - id: {id}\n    times: [{time}]\n    program: p\n    zones: [{zone}]\n    max_minutes: {m}\n"
)


def sections() -> st.SearchStrategy[str]:
    """Whole files from the real sections: each part either right or one of its usual mistakes
    (the right one first, so shrinking leads towards valid files)."""
    good_slot = st.just(("07:00", "to-1", "10"))
    any_slot = st.tuples(
        st.sampled_from(WRITTEN[:6]),
        st.sampled_from(["to-1", "toan-phuong", "to-9", "[to-1]", "all"]),
        st.sampled_from(["10", "0", "-5", "1e9", "abc", "0.5"]),
    )
    program = "programs:\n  - id: p\n    name: P\n    segments: [chime, {scripts: {}}]\n"
    return st.tuples(
        _mostly("timezone: Asia/Ho_Chi_Minh\n", "", "timezone: Hanoi\n"),
        _mostly(f"zones:\n{ZONE}{ZONE_2}", f"zones:\n{ZONE}", "", "zones: []\n"),
        _mostly("zone_groups:\n  toan-phuong: all\n", "", "zone_groups: {a: [a]}\n"),
        _mostly(program, "", program.replace("chime", "{intro: nhac.mp3}")),
        st.lists(st.one_of(good_slot, any_slot), max_size=3).map(_slots),
        st.one_of(
            _mostly("tts:\n  engines: [espeak]\n  chime: none\n", ""),
            document(st.sampled_from(TTS_KEYS)).map(lambda t: "tts:\n" + _indented(t)),
        ),
    ).map("".join)


def _mostly(right: str, *others: str) -> st.SearchStrategy[str]:
    return st.one_of(st.just(right), st.sampled_from([right, *others]))


def _slots(rows: list[tuple[str, str, str]]) -> str:
    return "slots:\n" + "".join(
        SLOT.format(id=f"s{n}", time=time, zone=zone, m=minutes)
        for n, (time, zone, minutes) in enumerate(rows)
    )


def _indented(text: str) -> str:
    return "".join(f"  {line}\n" for line in text.splitlines())


@FUZZ
@given(st.one_of(document(st.sampled_from(ALL_KEYS)), sections()))
def test_schedule_loader(project, text):
    try:
        config = parse_config(text, "schedules.yaml", project)
    except InputError as error:
        assert_located(error, "schedules.yaml", text)
        return
    assert isinstance(config, Config)
    for slot in config.slots:
        assert slot.program in config.programs
        assert set(slot.zones) <= set(config.zone_ids)
        assert slot.max_seconds > 0


# --- lexicon and normalizer ----------------------------------------------------------------

reading = st.lists(st.text(VIETNAMESE_LOWER, min_size=1, max_size=6), min_size=1, max_size=4)
entries = st.dictionaries(
    st.from_regex(r"[A-Za-zĐđ][A-Za-z0-9./&-]{0,5}", fullmatch=True),
    reading.map(" ".join),
    max_size=6,
)


@FUZZ
@given(document(st.sampled_from([*SECTIONS, "UBND", "zalo", "abbreviation"])))
def test_lexicon_loader(text):
    parsed = parse_lexicon(text, "lexicon.yaml")
    if parsed.diagnostics:
        assert_located(InputError(parsed.diagnostics), "lexicon.yaml", text)
    for spoken in parsed.abbreviations.values():
        assert re.fullmatch(rf"[{VIETNAMESE_LOWER} ]+", spoken)


NUMBERS = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.floats(allow_nan=True).map(str),
)
PIECES = st.sampled_from(
    [
        *[*" ./,:-%\n", "h", "đ", "km²", "m3", "°C", "ha", "XIV", "MMMMCM", "ngày ", "tháng "],
        *["lúc ", "Quý ", "thứ ", "UBND", "TDP", "www.", ".gov.vn", "@", "+84", "0912 345 678"],
        *["½", "①", "\u0301", "\u200b", "\u2028", "１２", "—", "…", "😀", "Zl", "zalo", "$", "€"],
    ]
)
spoken_text = st.one_of(
    st.text(max_size=400), st.lists(st.one_of(NUMBERS, PIECES), max_size=40).map("".join)
)
OUTPUT = re.compile(rf"[{VIETNAMESE_LOWER} ,.;:?!\n]*")


@FUZZ
@given(spoken_text, entries, st.sampled_from(list(Region)))
def test_normalizer_with_a_board_lexicon(text, board_entries, region):
    try:
        lexicon = Lexicon(board_entries)
        spoken = normalize(text, lexicon, region)
    except InputError:
        return
    assert OUTPUT.fullmatch(spoken)
    assert spoken.count("\n") == text.count("\n")


def test_the_structured_strategy_reaches_valid_configurations(project):
    """Without valid files among its examples the loader fuzz would only test refusals."""

    def loads(text: str) -> bool:
        try:
            return bool(parse_config(text, "schedules.yaml", project).slots)
        except InputError:
            return False

    search = settings(max_examples=1000, database=None)
    found = find(sections(), loads, settings=search, random=Random(8))  # the same run each time
    assert "slots:" in found
