"""Content-addressed audio cache: a file's name is the hash of everything that shaped it.

Change any input (words, engine, voice, speed, pauses, chime, outro, loudness) and the name
changes, so a stale file can never be mistaken for a current one.
"""

from __future__ import annotations

import errno
import hashlib
import json
import re
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

from broadcast.audio.wavfile import SAMPLE_RATE, SAMPLE_WIDTH
from broadcast.config.tts import BUILTIN_CHIME, TtsSettings
from broadcast.media.files import TEMP_PREFIX

# Bump when the audio pipeline itself changes what it produces for the same inputs.
PIPELINE_VERSION = 1
_AUDIO_NAME = re.compile(r"[0-9a-f]{64}\.wav")


@lru_cache(maxsize=256)
def _digest(path: str, size: int, modified_ns: int) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def file_digest(path: Path) -> str:
    """sha256 of a file, computed once per version of the file in a run."""
    status = path.stat()
    return _digest(str(path), status.st_size, status.st_mtime_ns)


def _bumper_identity(choice: Path | str | None) -> str | None:
    if choice is None or choice == BUILTIN_CHIME:
        return choice
    return file_digest(Path(choice))


def render_key(
    content: object,
    settings: TtsSettings,
    engine: str | None = None,
    voice: str | None = None,
    speed: float = 1.0,
) -> str:
    """``content``: the normalized words (text scripts) or the recording's digest."""
    inputs = {
        "pipeline": PIPELINE_VERSION,
        "output": [SAMPLE_RATE, SAMPLE_WIDTH * 8, 1],
        "content": content,
        "engine": engine,
        "voice": voice,
        "speed": round(speed, 4),
        "pauses": asdict(settings.pauses),
        "repeat": settings.repeat,
        "chime": _bumper_identity(settings.chime),
        "outro": _bumper_identity(settings.outro),
        "loudness": asdict(settings.loudness),
    }
    text = json.dumps(inputs, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def audio_file(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"{key}.wav"


def is_cache_file(path: Path) -> bool:
    """Files this cache owns (audio and leftover temporaries); anything else is left alone."""
    return bool(_AUDIO_NAME.fullmatch(path.name)) or path.name.startswith(TEMP_PREFIX)


DISK_FULL = "ổ đĩa đầy"  # begins the problem of a write the disk refused for lack of space


def cache_write_problem(cache_dir: Path, exc: OSError, what: str = "tệp âm thanh") -> str:
    """Why a file could not be stored in the cache, for the board and the technician."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"{DISK_FULL}: không ghi được {what} vào thư mục {cache_dir.name}; "
            "hãy giải phóng dung lượng đĩa (vẫn phát bản âm thanh trước đó nếu có)"
        )
    return f"không ghi được {what} vào thư mục {cache_dir.name}: {exc.strerror or exc}"
