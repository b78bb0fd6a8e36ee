"""A small ward with ``approval: required`` for the approval commands' tests: a Markdown script
with front matter, a plain-text one, an announcer's recording with its sidecar, and a script
the reader rejects; the commands run through the real CLI, the log is real SQLite."""

from __future__ import annotations

import math
import struct
import subprocess
import sys
import wave
from pathlib import Path

from broadcast.cli import main
from broadcast.paths import ProjectPaths
from broadcast.playlog import PlayLog

HEAD = "Lê Văn Chiến"  # the head of the editorial board
DEPUTY = "Nguyễn Thị Hoa"
SCHEDULES = """\
timezone: Asia/Ho_Chi_Minh
zones:
  - {id: tdp-1, name: Tổ dân phố 1, output: {device: "USB Audio", channels: [1]}}
programs:
  - id: ban-tin
    name: Bản tin
    segments:
      - scripts: {max_count: 5}
slots:
  - id: sang
    name: Bản tin sáng
    times: ["06:00"]
    weekdays: [T2-T7, CN]
    program: ban-tin
    zones: [tdp-1]
    max_minutes: 15
tts:
  engines: [espeak]
  chime: none
APPROVAL
approvers: ["Lê Văn Chiến", "Nguyễn Thị Hoa"]
"""
MARKDOWN = """\
---
title: Đăng ký hộ kinh doanh
topic: ho-kinh-doanh
valid_until: 2026-12-31
author: Ban biên tập
---

Kính thưa bà con. Đăng ký hộ kinh doanh nay làm được trực tuyến.
"""
TEXT = "Bộ phận một cửa\n\nBộ phận một cửa làm việc sáng thứ bảy.\n"
SIDECAR = "title: Lời kêu gọi của Chủ tịch phường\npriority: ưu tiên\n"
BROKEN = "---\ntitle: [không đóng\n---\n\nNội dung.\n"

MD_ID = "2026-12/ho-kinh-doanh"
TXT_ID = "2026-12/mot-cua"
REC_ID = "2026-12/loi-keu-goi"
BAD_ID = "2026-12/hong"


def write_wav(path: Path, seconds: float, rate: int = 8000) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        tone = (
            round(8000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(int(seconds * rate))
        )
        out.writeframes(b"".join(struct.pack("<h", sample) for sample in tone))


def make_ward(root: Path, approval: str = "approval: required") -> ProjectPaths:
    paths = ProjectPaths(root)
    paths.schedules_file.write_text(SCHEDULES.replace("APPROVAL", approval), encoding="utf-8")
    folder = paths.scripts_dir / "2026-12"
    folder.mkdir(parents=True)
    (folder / "ho-kinh-doanh.md").write_text(MARKDOWN, encoding="utf-8")
    (folder / "mot-cua.txt").write_text(TEXT, encoding="utf-8")
    write_wav(folder / "loi-keu-goi.wav", 0.5)
    (folder / "loi-keu-goi.yaml").write_text(SIDECAR, encoding="utf-8")
    (folder / "hong.md").write_text(BROKEN, encoding="utf-8")
    return paths


def cli(paths: ProjectPaths, *args: str) -> int:
    return main(["--home", str(paths.home), *args])


def broadcast(paths: ProjectPaths, *args: str) -> subprocess.Popen:
    """The command as a technician runs it, in a process of its own."""
    return subprocess.Popen(
        [sys.executable, "-m", "broadcast", "--home", str(paths.home), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def events(paths: ProjectPaths) -> list:
    with PlayLog.open_for_reading(paths) as log:
        return log.approval_events()
