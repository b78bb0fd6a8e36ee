"""Programs: the ordered segments one broadcast is made of."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from pathlib import Path, PurePosixPath, PureWindowsPath

import yaml

from broadcast import yamlsource
from broadcast.config.entries import Entry, checked, entries
from broadcast.config.model import (
    ChimeSegment,
    FileSegment,
    NamedScriptSegment,
    Program,
    Segment,
    SegmentKind,
    SelectionSegment,
)
from broadcast.config.values import raw_text
from broadcast.diagnostics import DiagnosticCollector
from broadcast.paths import ProjectPaths
from broadcast.scripts.model import Priority, priority_forms, priority_named
from broadcast.yamlsource import Located

PROGRAM_KEYS = ("id", "name", "segments")
SELECTION_KEYS = ("topics", "priority_min", "max_count", "max_minutes")
MEDIA_SUFFIXES = (".mp3", ".wav")
FILE_KINDS = (SegmentKind.INTRO, SegmentKind.AUDIO, SegmentKind.OUTRO)
SEGMENT_HELP = "chime, intro, scripts, script, audio hoặc outro"


def parse_programs(
    section: Located | None,
    topics: Collection[str],
    paths: ProjectPaths,
    collector: DiagnosticCollector,
) -> dict[str, Program]:
    programs = {}
    for entry in entries(section, "chương trình", PROGRAM_KEYS, collector, {}):
        programs[entry.id] = _program(entry, topics, paths, collector)
    return programs


def _program(
    entry: Entry, topics: Collection[str], paths: ProjectPaths, collector: DiagnosticCollector
) -> Program:
    """Returned even with bad parts, so slots naming it add no second error."""
    name = checked(
        collector, lambda: raw_text(entry.required("name", "chương trình"), "name"), entry.id
    )
    items: list[Located] = checked(
        collector, lambda: entry.required("segments", "chương trình").items("segments"), []
    )
    segments = []
    for item in items:
        with collector.guard():
            segments.append(_segment(item, topics, paths, collector))
    return Program(entry.id, name, tuple(segments), entry.where.line)


def _segment(
    item: Located, topics: Collection[str], paths: ProjectPaths, collector: DiagnosticCollector
) -> Segment:
    if isinstance(item.node, yaml.ScalarNode):
        if raw_text(item, "đoạn") == SegmentKind.CHIME:
            return ChimeSegment(line=item.line)
        raise item.fail(
            "bad_segment", f'đoạn "{item.node.value}" không hợp lệ (dùng {SEGMENT_HELP})'
        )
    fields = item.mapping("đoạn")
    if len(fields) != 1:
        raise item.fail("bad_segment", f"mỗi đoạn chỉ ghi một loại ({SEGMENT_HELP})")
    ((key, value),) = fields.items()
    if key == SegmentKind.SCRIPT:
        return NamedScriptSegment(raw_text(value, "script"), line=item.line)
    if key == SegmentKind.SCRIPTS:
        return _selection(value, item.line, topics, collector)
    if key in FILE_KINDS:
        file, path = media_file(value, paths)
        return FileSegment(SegmentKind(key), file, path, line=item.line)
    keys = item.keys("đoạn")
    hint = yamlsource.did_you_mean(key, [k.value for k in SegmentKind])
    raise keys[key].fail("bad_segment", f'loại đoạn "{key}" không hợp lệ{hint}')


def _selection(
    value: Located, line: int, topics: Collection[str], collector: DiagnosticCollector
) -> SelectionSegment:
    if value.is_null:
        return SelectionSegment(line=line)
    fields = value.mapping("scripts")
    collector.extend(yamlsource.unknown_keys(value, SELECTION_KEYS, "scripts"))
    chosen_topics = None
    if "topics" in fields:
        chosen_topics = frozenset(_topic(item, topics) for item in fields["topics"].items("topics"))
    priority = Priority.NORMAL
    if "priority_min" in fields:
        word = unicodedata.normalize("NFC", raw_text(fields["priority_min"], "priority_min"))
        named = priority_named(word)
        if named is None:
            raise fields["priority_min"].fail(
                "bad_priority",
                f'mức ưu tiên "{word}" không hợp lệ; viết {priority_forms(*Priority)}',
            )
        priority = named
    max_count = None
    if "max_count" in fields:
        max_count = fields["max_count"].integer("max_count", minimum=1)
    max_seconds = None
    if "max_minutes" in fields:
        max_seconds = positive_minutes(fields["max_minutes"]) * 60
    return SelectionSegment(chosen_topics, priority, max_count, max_seconds, line=line)


def _topic(item: Located, topics: Collection[str]) -> str:
    topic = raw_text(item, "chủ đề")
    if topic not in topics:
        hint = yamlsource.did_you_mean(topic, topics)
        raise item.fail("unknown_topic", f'chủ đề "{topic}" không có trong topics{hint}')
    return topic


def positive_minutes(value: Located, what: str = "max_minutes") -> float:
    minutes = value.number(what)
    if minutes <= 0:
        raise value.fail("too_small", f"{what} phải lớn hơn 0, không phải {value.node.value}")
    return minutes


def media_file(value: Located, paths: ProjectPaths) -> tuple[str, Path]:
    """A file under ``media/`` (written with or without the ``media/`` prefix).

    A path that leads outside ``media/`` (absolute, ``..``, or a symlink pointing out) is refused:
    ``schedules.yaml`` must not make the daemon play arbitrary files of the machine.
    """
    text = raw_text(value, "tệp")
    relative = PurePosixPath(text.replace("\\", "/"))
    outside = relative.is_absolute() or bool(PureWindowsPath(text).drive) or ".." in relative.parts
    if relative.parts[:1] == ("media",):
        relative = PurePosixPath(*relative.parts[1:])
    if relative.suffix.lower() not in MEDIA_SUFFIXES and not outside:
        raise value.fail("bad_media_type", f'tệp "{text}" phải là .mp3 hoặc .wav')
    media_dir = paths.media_dir.resolve()
    path = paths.media_dir / relative
    if outside or not path.resolve().is_relative_to(media_dir):
        raise value.fail(
            "media_outside", f'tệp "{text}" nằm ngoài thư mục media/ của dự án, không được dùng'
        )
    if not path.is_file():
        raise value.fail("missing_media", f'không tìm thấy tệp "media/{relative.as_posix()}"')
    return f"media/{relative.as_posix()}", path
