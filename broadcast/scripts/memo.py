"""Reading a file again only when its bytes changed.

The daemon reads the whole drop folder at every change and the web console at every page;
parsing (Word files, encodings, front matter, a recording's length) is what costs, not reading
the bytes. So what a file gave is kept under the SHA-256 of its bytes and of its sidecar's, and
where each links to (a link pointed elsewhere is read again): keyed by content, never by
modification time, so an edit within one tick of the file system's clock is still seen.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Generic, TypeVar

from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.scripts.model import Script
from broadcast.scripts.reader import read_script, sidecar_of

T = TypeVar("T")


class BoundedMemo(Generic[T]):
    """Results by key, forgotten all at once past ``limit`` entries (a folder is a few
    thousand files; stale entries of edited files go with the rest)."""

    def __init__(self, limit: int = 20_000):
        self._limit = limit
        self._found: dict[Hashable, T] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        with self._lock:
            if key in self._found:
                return self._found[key]
        made = make()
        with self._lock:
            if len(self._found) >= self._limit:
                self._found.clear()
            self._found[key] = made
        return made


def file_identity(path: Path) -> tuple[str, ...] | None:
    """SHA-256 of a script file and of its sidecar, and where each links to if it is a link;
    ``None`` if unreadable or not a regular file."""
    parts: list[str] = []
    try:
        for file in (path, sidecar_of(path)):
            if file is None:
                continue
            if not stat.S_ISREG(os.stat(file).st_mode):
                return None  # a named pipe would block the open; the reader refuses it
            with open(file, "rb") as handle:
                parts.append(hashlib.file_digest(handle, "sha256").hexdigest())
            parts.append(os.path.realpath(file) if os.path.islink(file) else "")
    except OSError:
        return None
    return tuple(parts)


_READS: BoundedMemo[Script | InputError] = BoundedMemo()


def read_unless_unchanged(path: Path, paths: ProjectPaths) -> Script:
    """``read_script``, or what it gave for these very bytes before (its error too)."""
    identity = file_identity(path)
    if identity is None:
        return read_script(path, paths)  # says what is wrong with the file

    def read() -> Script | InputError:
        try:
            return read_script(path, paths)
        except InputError as exc:
            return exc

    found = _READS.get((str(paths.home), str(path), identity), read)
    if isinstance(found, InputError):
        raise found
    return found
