"""A small, valid ward project and the real daemon running on it in-process.

The daemon is the real ``BroadcastDaemon`` with a file sink (no sound card needed) and no
render ahead (no speech engine run): what these tests need from it is reading, validating and
keeping its inputs, and answering on the control channel.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from broadcast.daemon.daemon import BroadcastDaemon, DaemonOptions
from broadcast.paths import ProjectPaths
from broadcast.sinks.file import FileSink
from tests.control.control_wire import exchange_as_sent

WARD = ZoneInfo("Asia/Ho_Chi_Minh")

# A slot far from now: nothing airs while a test edits the inputs.
SCHEDULES = """\
timezone: Asia/Ho_Chi_Minh
topics:
  cchc: Cải cách hành chính
zones:
  - id: to-1
    name: Tổ dân phố 1
    output: {{device: loa-1, channels: [1]}}
  - id: to-2
    name: Tổ dân phố 2
    output: {{device: loa-2, channels: [1]}}
zone_groups:
  toan-phuong: [to-1, to-2]
programs:
  - id: sang
    name: Bản tin sáng
    segments:
      - scripts: {{max_count: 3, max_minutes: 10}}
slots:
  - id: sang
    times: ["{time}"]
    weekdays: [T2-T7, CN]
    program: sang
    zones: [toan-phuong]
    max_minutes: 15
tts:
  engines: [espeak]
  chime: none
"""

LEXICON = """\
abbreviations:
  TDP: tổ dân phố
"""

THONG_BAO = "Thông báo tiếp dân\n\nỦy ban nhân dân phường tiếp dân vào sáng thứ Năm.\n"
TIN_MD = """\
---
title: Dịch vụ công mức độ 4
topic: cchc
valid_until: 31/12/2030
zones: [to-1]
---
Bà con có thể nộp hồ sơ trực tuyến tại cổng dịch vụ công.
"""


def quiet_time() -> str:
    """A slot time six hours away, so no slot airs while a test runs."""
    return f"{datetime.now(WARD) + timedelta(hours=6):%H:%M}"


def make_ward(root: Path) -> ProjectPaths:
    """A valid project: two zones, a group, one program and slot, a lexicon, two scripts."""
    paths = ProjectPaths(root.resolve())
    paths.scripts_dir.mkdir(parents=True)
    paths.media_dir.mkdir()
    paths.schedules_file.write_text(SCHEDULES.format(time=quiet_time()), encoding="utf-8")
    paths.lexicon_file.write_text(LEXICON, encoding="utf-8")
    (paths.scripts_dir / "thong-bao.txt").write_text(THONG_BAO, encoding="utf-8")
    (paths.scripts_dir / "tin.md").write_text(TIN_MD, encoding="utf-8")
    return paths


def new_daemon(paths: ProjectPaths) -> BroadcastDaemon:
    return BroadcastDaemon(
        paths,
        FileSink(paths.home / "heard", realtime=False),
        options=DaemonOptions(console_log=None, render_ahead=False, watch_interval=0.2),
    )


@contextmanager
def running_daemon(paths: ProjectPaths) -> Iterator[BroadcastDaemon]:
    daemon = new_daemon(paths)
    daemon.start()
    try:
        yield daemon
    finally:
        daemon.stop()


def exchange(address: tuple[str, int], data: bytes) -> list[dict[str, Any]]:
    """Send ``data`` as any program on this computer could, and read every answer line; a
    request naming a token proves it first, as its holder would (the token is never sent)."""
    return exchange_as_sent(address, data)
