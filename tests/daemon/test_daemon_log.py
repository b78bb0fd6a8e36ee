"""``daemon.log``: one record, one line, whatever a file name, title or zone name holds.

A file dropped into ``scripts_vi/`` with a line break in its name was written into the log as
is, and the rest of its name became a line of its own: a forged "đã dừng" record.
"""

from __future__ import annotations

import logging
import re
import time
from datetime import timedelta

from broadcast.daemon.daemon import BroadcastDaemon, DaemonOptions
from broadcast.daemon.daemon_log import LOG_NAME, setup_daemon_logging
from broadcast.paths import ProjectPaths
from broadcast.sinks.file import FileSink
from tests.daemon.daemon_project import make_project, ward_now, zone_yaml

FORGED = "\n2026-12-04 09:00:00,000 INFO [daemon_stopped] đã dừng"
RECORD = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (INFO|WARNING|ERROR) \[([^\]]*)\] ")
logger = logging.getLogger("broadcast.daemon")


def _records(paths: ProjectPaths) -> list[tuple[str, str]]:
    """(event, line) of each record; every line not indented must be a record's first."""
    found = []
    for line in (paths.data_dir / LOG_NAME).read_text(encoding="utf-8").split("\n")[:-1]:
        if line.startswith(" "):
            continue  # a traceback below its record
        match = RECORD.match(line)
        assert match, f"a line that is no record: {line!r}"
        found.append((match[2], line))
    return found


def test_a_script_named_with_a_line_break_is_one_line_of_the_log(tmp_path, daemon_log):
    paths = make_project(
        tmp_path,
        [zone_yaml("to-1", "file", [1])],
        {"tin.txt": "Thông báo\n\nMời bà con dự họp.\n"},
        slots={"chieu": ward_now() + timedelta(hours=3)},
    )
    daemon = BroadcastDaemon(
        paths,
        FileSink(tmp_path / "heard", realtime=False),
        options=DaemonOptions(console_log=False, watch_interval=0.2, render_ahead=False),
    )
    daemon.start()
    try:
        (paths.scripts_dir / f"tin{FORGED}.txt").write_bytes(b"")  # empty: refused, named
        deadline = time.monotonic() + 20
        while not any(event == "input_invalid" for event, _ in _records(paths)):
            assert time.monotonic() < deadline, "the refusal never reached the log"
            time.sleep(0.1)
    finally:
        daemon.stop()
    records = _records(paths)
    events = [event for event, _ in records]
    assert events.count("daemon_stopped") == 1 and events[-1] == "daemon_stopped"
    naming = {event: line for event, line in records if "tin\\n2026-12-04" in line}
    assert set(naming) == {"inputs_changed", "input_invalid"}
    assert all("[daemon_stopped] đã dừng.txt" in line for line in naming.values())


def test_every_value_is_escaped_in_message_extra_fields_and_tracebacks(tmp_path, daemon_log):
    paths = ProjectPaths(tmp_path)
    setup_daemon_logging(paths, console=False)
    hostile = f"a{FORGED}\r\x1b[2K\u2028\x85\u202eb"
    logger.info("kịch bản %s", hostile, extra={"event": "script_read"})
    logger.warning("khu vực", extra={"event": f"zone{FORGED}"})
    logger.error(f"tiêu đề {hostile}", extra={"event": "title"})
    try:
        raise ValueError(f"tệp {hostile}")
    except ValueError:
        logger.exception("lỗi", extra={"event": "failed"})
    records = [line for _, line in _records(paths)]
    assert len(records) == 4
    assert records[1].endswith(
        "[zone\\n2026-12-04 09:00:00,000 INFO [daemon_stopped] đã dừng] khu vực"
    )
    escaped = (
        "a\\n2026-12-04 09:00:00,000 INFO [daemon_stopped] đã dừng\\r\\x1b[2K\\u2028\\x85\\u202eb"
    )
    assert records[0].endswith(f"[script_read] kịch bản {escaped}")
    assert records[2].endswith(f"[title] tiêu đề {escaped}")
    traceback = (paths.data_dir / LOG_NAME).read_text(encoding="utf-8").split("\n")
    assert "    ValueError: tệp a" in traceback  # cut where the line break was, then indented
