"""One file of the drop folder → one ``Script``, or an ``InputError`` saying what is wrong."""

from __future__ import annotations

import hashlib
import json
import stat
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from broadcast import yamlsource
from broadcast.diagnostics import Diagnostic, Severity, thousands
from broadcast.paths import ProjectPaths
from broadcast.scripts.decoding import UTF8, clean_line_breaks, decode_bytes
from broadcast.scripts.drafts import Draft, compose, text_draft, word_draft
from broadcast.scripts.layers import Layer, merge, sidecar_origin
from broadcast.scripts.metadata import Metadata, read_fields
from broadcast.scripts.model import Script, ScriptKind
from broadcast.scripts.problems import refused
from broadcast.scripts.recordings import RECORDING_SUFFIXES, recording_seconds

MAX_CHARACTERS = 20_000  # a bulletin longer than this (about 25 minutes aloud) is a mistake
MAX_TEXT_BYTES = 5 * 1024 * 1024
MAX_WORD_BYTES = 20 * 1024 * 1024  # pictures pasted into a .docx make it big
MAX_RECORDING_BYTES = 500 * 1024 * 1024

TEXT_SUFFIXES = frozenset({".txt", ".md"})
WORD_SUFFIX = ".docx"
SIDECAR_SUFFIXES = frozenset({".yaml", ".yml"})
SCRIPT_SUFFIXES = TEXT_SUFFIXES | {WORD_SUFFIX} | RECORDING_SUFFIXES


@dataclass(frozen=True)
class _Draft:
    title: str
    body: str
    encoding: str
    metadata: Metadata
    origins: tuple[tuple[str, str], ...]
    warnings: tuple[Diagnostic, ...]
    left_out: tuple[str, ...] = ()


def source_name(path: Path, paths: ProjectPaths) -> str:
    """The file as messages name it: relative to the project, as found (not where a link leads)."""
    try:
        return path.absolute().relative_to(paths.home).as_posix()
    except ValueError:
        return paths.relative(path)


def script_id(path: Path, paths: ProjectPaths) -> str:
    """Stable id: the path below ``scripts_vi/`` without its extension, ``/``-separated, NFC."""
    return id_below(path.absolute().relative_to(paths.scripts_dir.absolute()).as_posix())


def name_suffix(name: str) -> str:
    """A file name's extension as ``Path(name).suffix`` gives it (``""`` for ``.profile`` or
    ``ten.``), without building a ``Path``: the folder's reading asks it of 2,000 names."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def id_below(relative: str) -> str:
    """The id of the file at ``relative`` (``/``-separated, below ``scripts_vi/``): its last
    extension cut off, NFC — what ``script_id`` gives, from strings alone."""
    folder, slash, name = relative.rpartition("/")
    if name in ("", "."):
        raise ValueError(f"{relative!r} names no file")  # as ``Path.with_suffix`` refuses
    suffix = name_suffix(name)
    stem = name[: -len(suffix)] if suffix else name
    return unicodedata.normalize("NFC", folder + slash + stem)


def _sibling(path: Path, suffixes: frozenset[str]) -> Path | None:
    """The file next to ``path`` with the same name and one of ``suffixes``, in either case."""
    for suffix in sorted(suffixes):
        for spelled in (suffix, suffix.upper()):
            candidate = path.with_suffix(spelled)
            if candidate.is_file():
                return candidate
    return None


def sidecar_of(script: Path) -> Path | None:
    """The ``.yaml`` next to a script or recording that gives its fields."""
    return _sibling(script, SIDECAR_SUFFIXES)


def script_of(sidecar: Path) -> Path | None:
    """The script or recording a sidecar ``.yaml`` belongs to; it is read with it."""
    return _sibling(sidecar, SCRIPT_SUFFIXES)


def _check_inside(path: Path, paths: ProjectPaths, source: str) -> None:
    """A link may point anywhere; only files inside ``scripts_vi/`` are the board's."""
    if not path.exists():
        raise refused(source, "broken_link", "liên kết trỏ tới một tệp không còn tồn tại")
    if not path.resolve().is_relative_to(paths.scripts_dir.resolve()):
        raise refused(
            source, "link_outside", "liên kết trỏ ra ngoài thư mục scripts_vi/, không được đọc"
        )


def _check_regular(path: Path, source: str) -> None:
    """A regular file with one name: a named pipe would block the reader (and the daemon)
    forever, and a hard link may be a second name of any file of this user, outside."""
    found = path.stat()
    if not stat.S_ISREG(found.st_mode):
        raise refused(source, "not_a_file", "đây không phải một tệp thường, không được đọc")
    if found.st_nlink > 1:
        raise refused(
            source,
            "hard_link",
            f"tệp có {found.st_nlink} tên (liên kết cứng), có thể là tên khác của một tệp "
            "ngoài thư mục; không được đọc. Hãy chép thành một tệp riêng",
        )


def announcement_file(path: Path, source: str | None = None) -> Path:
    """``path`` if the daemon may read it for an announcement, else ``InputError`` naming it
    (as ``source``, by default the path itself).

    The drop folder's rules, and stricter about links: a link is refused wherever it leads.
    The daemon is handed an absolute path and cannot tell the folders the technician meant
    (the project, the folder the command was typed in), while the project's own ``data/``
    holds the control token; and the file itself can always be named instead of a link.
    """
    source = source or str(path)
    if path.is_symlink():
        raise refused(
            source,
            "link",
            "đây là một liên kết (symlink) tới tệp khác, không được đọc; hãy chỉ thẳng tới tệp",
        )
    try:
        _check_regular(path, source)
        suffix = path.suffix.lower()
        if suffix in RECORDING_SUFFIXES:
            _check_size(path, source, MAX_RECORDING_BYTES)
        else:
            _check_size(path, source, MAX_WORD_BYTES if suffix == WORD_SUFFIX else MAX_TEXT_BYTES)
    except OSError as exc:
        raise refused(source, "unreadable", f"không đọc được tệp ({exc.strerror or exc})") from exc
    return path


def _check_size(path: Path, source: str, limit: int) -> None:
    """Checked before reading, so a huge file dropped by mistake is never loaded into memory."""
    size = path.stat().st_size
    if size > limit:
        raise refused(
            source,
            "too_large",
            f"tệp quá lớn ({size / 1024 / 1024:.1f} MB, tối đa {limit // 1024 // 1024} MB)",
        )


def _read_limited(path: Path, source: str, limit: int) -> bytes:
    _check_size(path, source, limit)
    return path.read_bytes()


def _draft(path: Path, source: str) -> Draft:
    suffix = path.suffix.lower()
    if suffix == WORD_SUFFIX:
        _check_size(path, source, MAX_WORD_BYTES)
        return word_draft(path, source)
    data = _read_limited(path, source, MAX_TEXT_BYTES)
    return text_draft(data, source, markdown=suffix == ".md")


def _text_or_word(path: Path, source: str, sidecar: Layer | None = None) -> _Draft:
    draft = _draft(path, source)
    title, body, merged = compose(draft, [sidecar] if sidecar else [], source)
    warnings = draft.warnings + merged.warnings
    return _Draft(
        title, body, draft.encoding, merged.metadata, merged.origins, warnings, draft.left_out
    )


def read_wording(path: Path, source: str) -> tuple[str, str]:
    """Title and body of a text or Word file outside the drop folder (an announcement's file,
    checked by ``announcement_file``), decoded and cleaned exactly as scripts are;
    ``InputError`` when it cannot be read."""
    title, body, _ = read_wording_noted(path, source)
    return title, body


def read_wording_noted(path: Path, source: str) -> tuple[str, str, tuple[str, ...]]:
    """As ``read_wording``, with what was left out unspoken (``Script.left_out``)."""
    announcement_file(path, source)
    draft = _text_or_word(path, source)
    return draft.title, draft.body, draft.left_out


def _sidecar_layer(
    script: Path, paths: ProjectPaths
) -> tuple[Layer | None, str, tuple[Diagnostic, ...]]:
    """The fields of the sidecar next to ``script`` and its encoding; its problems name the
    sidecar and line."""
    sidecar = sidecar_of(script)
    if sidecar is None:
        return None, UTF8, ()
    sidecar_source = source_name(sidecar, paths)
    _check_inside(sidecar, paths, sidecar_source)  # a linked sidecar could read any file aloud
    _check_regular(sidecar, sidecar_source)
    decoded = decode_bytes(_read_limited(sidecar, sidecar_source, MAX_TEXT_BYTES), sidecar_source)
    root = yamlsource.parse(clean_line_breaks(decoded.text), sidecar_source)
    fields, warnings = read_fields(root)
    layer = Layer(sidecar_origin(sidecar.name), fields)
    return layer, decoded.encoding, decoded.warnings + warnings


def _content_hash(kind: ScriptKind, draft: _Draft, recording: Path | None) -> str:
    """Everything that changes the audio: words, voice, speed, and a recording's own bytes."""
    digest = hashlib.sha256()
    spoken = {
        "kind": kind.value,
        "title": draft.title,
        "body": draft.body,
        "voice": draft.metadata.voice,
        "speed": draft.metadata.speed,
    }
    digest.update(json.dumps(spoken, ensure_ascii=False, sort_keys=True).encode())
    if recording is not None:
        with recording.open("rb") as audio:
            digest.update(hashlib.file_digest(audio, "sha256").digest())
    return digest.hexdigest()


def _script(
    path: Path,
    paths: ProjectPaths,
    kind: ScriptKind,
    draft: _Draft,
    recording: Path | None = None,
    seconds: float | None = None,
) -> Script:
    meta = draft.metadata
    return Script(
        id=script_id(path, paths),
        source=source_name(path, paths),
        kind=kind,
        title=draft.title,
        body=draft.body,
        content_hash=_content_hash(kind, draft, recording),
        topic=meta.topic,
        priority=meta.priority,
        valid_from=meta.valid_from,
        valid_until=meta.valid_until,
        zones=meta.zones,
        times_per_week=meta.times_per_week,
        voice=meta.voice,
        speed=meta.speed,
        author=meta.author,
        field_origins=draft.origins,
        encoding=draft.encoding,
        recording=recording.resolve() if recording else None,
        recording_seconds=seconds,
        warnings=draft.warnings,
        left_out=draft.left_out,
    )


def _read_recording(path: Path, paths: ProjectPaths, source: str) -> Script:
    _check_size(path, source, MAX_RECORDING_BYTES)
    sidecar, encoding, warnings = _sidecar_layer(path, paths)
    merged = merge([sidecar] if sidecar else [], source)
    seconds = recording_seconds(path, source)
    title = merged.metadata.title or unicodedata.normalize("NFC", path.stem)
    draft = _Draft(title, "", encoding, merged.metadata, merged.origins, warnings)
    return _script(path, paths, ScriptKind.RECORDING, draft, path, seconds)


def read_script(path: Path, paths: ProjectPaths) -> Script:
    """Read one file of ``scripts_vi/``; a sidecar ``.yaml`` stands for its recording.

    Raises ``InputError`` naming the file (and line, where known) when it cannot be used.
    """
    path = path.absolute()
    source = source_name(path, paths)
    if not path.is_relative_to(paths.scripts_dir.absolute()):
        raise refused(source, "outside_folder", "tệp không nằm trong thư mục scripts_vi/")
    try:
        return _read(path, paths, source)
    except OSError as exc:  # vanished while being read, no permission, locked by Word…
        raise refused(source, "unreadable", f"không đọc được tệp ({exc.strerror or exc})") from exc


def _title_only(source: str) -> Diagnostic:
    message = "kịch bản chỉ có tiêu đề, không có nội dung; loa sẽ chỉ đọc tiêu đề"
    return Diagnostic(source, None, None, "title_only", message, Severity.WARNING)


def _read(path: Path, paths: ProjectPaths, source: str) -> Script:
    suffix = path.suffix.lower()
    if suffix in SIDECAR_SUFFIXES:
        owner = script_of(path)
        if owner is None:
            raise refused(
                source,
                "missing_recording",
                "tệp thông tin này không đi kèm kịch bản hay tệp ghi âm cùng tên "
                "(.txt, .md, .docx, .mp3, .wav, .m4a, .ogg)",
            )
        return read_script(owner, paths)
    if suffix not in SCRIPT_SUFFIXES:
        shown = suffix or "(không đuôi)"
        raise refused(source, "unknown_format", f"loại tệp {shown} không được đọc")
    _check_inside(path, paths, source)
    _check_regular(path, source)
    if suffix in RECORDING_SUFFIXES:
        return _read_recording(path, paths, source)
    sidecar, _, sidecar_warnings = _sidecar_layer(path, paths)  # the script's own encoding
    draft = _text_or_word(path, source, sidecar)
    draft = replace(draft, warnings=sidecar_warnings + draft.warnings)
    if not draft.title and not draft.body:
        raise refused(source, "empty_file", "tệp trống, không có nội dung để đọc")
    if not any(char.isalnum() for char in draft.title + draft.body):
        raise refused(
            source,
            "no_words",
            "kịch bản không có chữ hay số nào để đọc (chỉ có biểu tượng hoặc dấu câu)",
        )
    if not draft.body:
        draft = replace(draft, warnings=(*draft.warnings, _title_only(source)))
    script = _script(path, paths, ScriptKind.TEXT, draft)
    if script.characters > MAX_CHARACTERS:
        raise refused(
            source,
            "too_long",
            f"kịch bản dài {thousands(script.characters)} ký tự, vượt giới hạn "
            f"{thousands(MAX_CHARACTERS)} ký tự của một bản tin; hãy chia thành nhiều bản tin",
        )
    return script
