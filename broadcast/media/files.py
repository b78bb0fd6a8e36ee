"""Files written whole or not at all: a reader (the daemon, a web server) never sees half."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from io import BufferedRandom
from pathlib import Path

TEMP_PREFIX = ".tmp-"  # how a write still under way (or cut short by a crash) is recognized


@contextmanager
def atomic_write(path: Path) -> Iterator[BufferedRandom]:
    """Write to a temporary name next to ``path``, then rename: readers see all or nothing.

    The handle is open for reading too, so the writer can hash what it wrote.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=path.suffix)
    temporary = Path(name)
    try:
        with open(descriptor, "w+b") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        temporary.chmod(0o644)  # temporary files start private; others read ours
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
