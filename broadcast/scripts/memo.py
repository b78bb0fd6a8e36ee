"""Reading a file again only when its bytes changed.

The daemon reads the whole drop folder at every change and the web console at every page;
parsing (Word files, encodings, front matter, a recording's length) is what costs, not reading
the bytes. So what a file gave is kept under the SHA-256 of its bytes and of its sidecar's, and
where each links to (a link pointed elsewhere is read again): keyed by content, never by
modification time alone, so an edit within one tick of the file system's clock is still seen.

Hashing 2,000 files at every page still costs, so a file's hash is kept with what ``stat``
said of it (size, modification and change times, inode) and of its folder (a sidecar added or
removed changes the folder), and trusted while those are the same — but only once the file was
hashed more than ``RACY_SECONDS`` after its last change ("racy git"): a file changed again
within one tick of the clock after it was hashed keeps the same times, so a file that recent
is hashed again at every look until it is old enough. A link is always hashed, and every file
on Windows, where ``stat`` gives no change time (setting the modification time back after an
edit of the same size would go unseen).
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.scripts.model import Script
from broadcast.scripts.reader import read_script, sidecar_of

T = TypeVar("T")

# Beyond the coarsest file system clock the board meets (FAT: 2 s), and a clock read a little
# apart from the file system's.
RACY_SECONDS = 2.5
TRUSTS_STAT = os.name != "nt"  # Windows' st_ctime is when the file was made


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
        self.put(key, made)
        return made

    def peek(self, key: Hashable) -> T | None:
        with self._lock:
            return self._found.get(key)

    def put(self, key: Hashable, value: T) -> None:
        with self._lock:
            if len(self._found) >= self._limit:
                self._found.clear()
            self._found[key] = value


class ObjectMemo(Generic[T]):
    """Results by object (a ``Script`` the folder's reading gives again while its file's bytes
    are the same), each kept beside its object: an ``id`` is only its own while it lives."""

    def __init__(self, limit: int = 20_000):
        self._found: BoundedMemo[tuple[object, T]] = BoundedMemo(limit)

    def peek(self, owner: object) -> T | None:
        known = self._found.peek(id(owner))
        return known[1] if known is not None and known[0] is owner else None

    def put(self, owner: object, value: T) -> None:
        self._found.put(id(owner), (owner, value))

    def get(self, owner: object, make: Callable[[], T]) -> T:
        known = self.peek(owner)
        if known is not None:
            return known
        made = make()
        self.put(owner, made)
        return made


Stamp = tuple[int, int, int, int, int, int]


def _stamp(found: os.stat_result) -> Stamp:
    return (
        found.st_mode,
        found.st_size,
        found.st_mtime_ns,
        found.st_ctime_ns,
        found.st_ino,
        found.st_dev,
    )


@dataclass(frozen=True)
class _Hashed:
    """A file's identity and what ``stat`` said of it, its folder and its sidecar then."""

    stamps: tuple[Stamp, Stamp, Stamp | None]
    sidecar: str | None
    identity: tuple[str, ...]


_HASHED: BoundedMemo[_Hashed] = BoundedMemo()


def _stamps(path: str, sidecar: str | None) -> tuple[Stamp, Stamp, Stamp | None] | None:
    """``lstat`` of the file, its folder and its sidecar; ``None`` if a link or unreadable."""
    try:
        own = os.lstat(path)
        folder = os.stat(os.path.dirname(path) or ".")
        beside = os.lstat(sidecar) if sidecar is not None else None
    except OSError:
        return None
    if not stat.S_ISREG(own.st_mode) or (beside is not None and not stat.S_ISREG(beside.st_mode)):
        return None
    return _stamp(own), _stamp(folder), _stamp(beside) if beside is not None else None


def _old_enough(stamps: tuple[Stamp, Stamp, Stamp | None], hashed_at_ns: int) -> bool:
    """Whether every time of ``stamps`` is ``RACY_SECONDS`` older than the hashing."""
    latest = max(max(s[2], s[3]) for s in stamps if s is not None)
    return latest < hashed_at_ns - int(RACY_SECONDS * 1e9)


def _hash_identity(path: Path) -> tuple[tuple[str, ...], Path | None] | None:
    parts: list[str] = []
    sidecar = sidecar_of(path)
    try:
        for file in (path, sidecar):
            if file is None:
                continue
            found = os.stat(file)
            if not stat.S_ISREG(found.st_mode):
                return None  # a named pipe would block the open; the reader refuses it
            with open(file, "rb") as handle:
                parts.append(hashlib.file_digest(handle, "sha256").hexdigest())
            parts.append(os.path.realpath(file) if os.path.islink(file) else "")
            parts.append(str(found.st_nlink))  # a second name makes the reader refuse it
    except OSError:
        return None
    return tuple(parts), sidecar


def file_identity(path: Path) -> tuple[str, ...] | None:
    """SHA-256 of a script file and of its sidecar, where each links to if it is a link, and
    how many names each has; ``None`` if unreadable or not a regular file. Hashed again only
    when ``stat`` of the file, its folder or its sidecar changed, or when it was last hashed
    less than ``RACY_SECONDS`` after a change."""
    key = os.fspath(path)  # a key naming another file after a ``chdir``: its inode differs
    known = _HASHED.peek(key)
    if known is not None and _stamps(key, known.sidecar) == known.stamps:
        return known.identity
    hashed_at = time.time_ns()
    hashed = _hash_identity(path)
    if hashed is None:
        return None
    identity, sidecar = hashed
    beside = None if sidecar is None else os.fspath(sidecar)
    stamps = _stamps(key, beside)
    # A change during or after the hashing is later than ``hashed_at``: not old enough.
    if TRUSTS_STAT and stamps is not None and _old_enough(stamps, hashed_at):
        _HASHED.put(key, _Hashed(stamps, beside, identity))
    return identity


_READS: BoundedMemo[Script | InputError] = BoundedMemo()
# The identity each script was read with.
_READ_WITH: ObjectMemo[tuple[str, ...]] = ObjectMemo()


def read_unless_unchanged(path: Path, paths: ProjectPaths) -> Script:
    """``read_script``, or what it gave for these very bytes before (its error too)."""
    identity = file_identity(path)
    if identity is None:
        return read_script(path, paths)  # says what is wrong with the file

    def read() -> Script | InputError:
        try:
            found = read_script(path, paths)
        except InputError as exc:
            return exc
        _READ_WITH.put(found, identity)
        return found

    found = _READS.get((str(paths.home), str(path), identity), read)
    if isinstance(found, InputError):
        raise found
    return found


def identity_read_with(script: Script) -> tuple[str, ...] | None:
    """The ``file_identity`` of the bytes ``script`` was read from by ``read_unless_unchanged``
    (``None`` for a script read otherwise): what a result computed from it is kept under,
    without hashing or even ``stat``-ing the file again."""
    return _READ_WITH.peek(script)
