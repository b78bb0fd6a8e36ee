"""The board's drop folder: every file below ``scripts_vi/``, read one by one.

A bad file is left out and listed with its diagnostics; it never stops the others.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import NamedTuple

from broadcast.diagnostics import Diagnostic, InputError, Severity, errors_in
from broadcast.paths import ProjectPaths
from broadcast.scripts.memo import read_unless_unchanged
from broadcast.scripts.model import Script
from broadcast.scripts.reader import (
    SCRIPT_SUFFIXES,
    SIDECAR_SUFFIXES,
    id_below,
    name_suffix,
    script_id,
    script_of,
    source_name,
)

# Files that programs leave next to the board's documents; nobody means them as scripts.
_IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db"})
_BACKUP_SUFFIXES = frozenset({".bak", ".tmp", ".swp", ".swo"})
# Old formats a board member may drop by habit: say what to do instead of just "not read".
_SAVE_AS_HINTS = {
    ".doc": "hãy mở bằng Word và lưu lại dạng .docx",
    ".rtf": "hãy mở bằng Word và lưu lại dạng .docx",
    ".odt": "hãy lưu lại dạng .docx",
    ".pdf": "hãy gửi bản .docx hoặc .txt",
    ".wma": "hãy xuất lại thành .mp3",
}


@dataclass(frozen=True)
class Rejected:
    """A file left out, with every reason."""

    id: str  # the id the file would have had
    source: str
    diagnostics: tuple[Diagnostic, ...]


@dataclass
class ScriptFolder:
    scripts: list[Script] = field(default_factory=list)  # sorted by id
    rejected: list[Rejected] = field(default_factory=list)  # sorted by source
    ignored: list[str] = field(default_factory=list)  # sources, sorted
    diagnostics: list[Diagnostic] = field(default_factory=list)  # errors and warnings, all files

    @property
    def errors(self) -> list[Diagnostic]:
        return errors_in(self.diagnostics)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]


def is_ignored(name: str) -> bool:
    """Hidden, lock, swap and backup files, and Windows' own: skipped without a word."""
    lowered = name.lower()
    return (
        name.startswith((".", "~"))  # hidden; Office lock files ~$x.docx and temporaries
        or name.endswith(("~", "#"))
        or lowered in _IGNORED_NAMES
        or name_suffix(lowered) in _BACKUP_SUFFIXES
    )


def is_drop_file(path: Path, paths: ProjectPaths) -> bool:
    """Whether a changed file concerns the scripts (for the daemon's folder watcher)."""
    try:
        parts = path.absolute().relative_to(paths.scripts_dir.absolute()).parts
    except ValueError:
        return False
    suffix = path.suffix.lower()
    readable = suffix in SCRIPT_SUFFIXES or suffix in SIDECAR_SUFFIXES
    return bool(parts) and readable and not any(is_ignored(part) for part in parts)


class _Found(NamedTuple):
    """A file of the folder, and what its id and kind are made from, as strings: ``pathlib``
    would parse each path again for its suffix and its place below ``scripts_vi/``."""

    path: Path
    relative: str  # below ``scripts_vi/``, ``/``-separated, as on disk
    suffix: str  # lower case


def _candidates(root: Path, paths: ProjectPaths, folder: ScriptFolder) -> list[_Found]:
    """Files that may be scripts; records ignored files and links to folders outside."""
    inside = root.resolve()
    found = []
    # each folder's place below ``root``: ``os.walk`` names a subfolder ``os.path.join``-ed
    relative_of = {os.fspath(root): ""}
    for directory, subdirectories, files in os.walk(root):
        here = Path(directory)
        relative = relative_of.pop(directory)
        for name in list(subdirectories):
            sub = here / name
            if is_ignored(name):  # hidden folders such as .git
                subdirectories.remove(name)
                continue
            if sub.is_symlink() and not sub.resolve().is_relative_to(inside):
                folder.rejected.append(_link_outside(sub, paths))
            relative_of[os.path.join(directory, name)] = f"{relative}{name}/"
        for name in files:
            path = here / name
            if is_ignored(name):
                folder.ignored.append(source_name(path, paths))
            else:
                found.append(_Found(path, relative + name, name_suffix(name).lower()))
    return found


def _link_outside(path: Path, paths: ProjectPaths) -> Rejected:
    source = source_name(path, paths)
    message = "liên kết thư mục trỏ ra ngoài thư mục scripts_vi/, không được đọc"
    return Rejected(
        script_id(path, paths), source, (Diagnostic(source, None, None, "link_outside", message),)
    )


def _not_read(path: Path, paths: ProjectPaths) -> Diagnostic:
    suffix = path.suffix.lower()
    hint = _SAVE_AS_HINTS.get(suffix, "chỉ đọc .txt, .md, .docx, .mp3, .wav, .m4a, .ogg")
    return Diagnostic(
        source_name(path, paths),
        None,
        None,
        "unknown_format",
        f"tệp {suffix or '(không đuôi)'} không được đọc; {hint}",
        Severity.WARNING,
    )


def _duplicate_ids(paths: ProjectPaths, files: list[_Found]) -> dict[str, Diagnostic]:
    """Each file whose id another file has too (``a.txt`` and ``a.docx``), by its place."""
    by_id: dict[str, list[_Found]] = defaultdict(list)
    for file in files:
        by_id[id_below(file.relative)].append(file)
    clashes = {}
    for script, same in by_id.items():
        if len(same) < 2:
            continue
        for file in same:
            others = ", ".join(source_name(f.path, paths) for f in same if f != file)
            clashes[file.relative] = Diagnostic(
                source_name(file.path, paths),
                None,
                None,
                "duplicate_id",
                f'trùng mã kịch bản "{script}" với {others}; hãy đổi tên một trong các tệp',
            )
    return clashes


def load_folder(paths: ProjectPaths) -> ScriptFolder:
    """Read every file below ``scripts_vi/`` at any depth; never raises for bad input."""
    folder = ScriptFolder()
    root = paths.scripts_dir
    if not root.is_dir():
        source = source_name(root, paths)
        message = "không tìm thấy thư mục kịch bản scripts_vi/"
        folder.diagnostics.append(Diagnostic(source, None, None, "missing_folder", message))
        return folder
    scripts: list[_Found] = []
    for file in _candidates(root, paths, folder):
        if file.suffix in SIDECAR_SUFFIXES and script_of(file.path) is not None:
            continue  # read with its script or recording, and named in its messages
        if file.suffix in SCRIPT_SUFFIXES or file.suffix in SIDECAR_SUFFIXES:
            scripts.append(file)
        else:
            folder.ignored.append(source_name(file.path, paths))
            folder.diagnostics.append(_not_read(file.path, paths))
    clashes = _duplicate_ids(paths, [f for f in scripts if f.suffix in SCRIPT_SUFFIXES])
    for file in scripts:
        path = file.path
        problems: list[Diagnostic] = [clashes[file.relative]] if file.relative in clashes else []
        try:
            script = read_unless_unchanged(path, paths)
        except InputError as exc:
            problems.extend(exc.diagnostics)
        else:
            if not problems:
                folder.scripts.append(script)
                folder.diagnostics.extend(script.warnings)
                continue
            problems.extend(script.warnings)
        rejected = Rejected(id_below(file.relative), source_name(path, paths), tuple(problems))
        folder.rejected.append(rejected)
    for rejected in folder.rejected:
        folder.diagnostics.extend(rejected.diagnostics)
    folder.diagnostics.sort(key=lambda d: (d.file, d.line or 0))
    folder.scripts.sort(key=lambda s: s.id)
    folder.rejected.sort(key=lambda r: r.source)
    folder.ignored.sort()
    return folder


def file_saved_at(path: Path, timezone: tzinfo | None) -> datetime | None:
    """When the file was last saved (its modification time), or ``None`` if it cannot be read."""
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, timezone)
    except OSError:
        return None
