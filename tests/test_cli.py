import argparse
import re
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from broadcast import __version__
from broadcast.cli import EXIT_BROKEN_PIPE, build_parser, main
from broadcast.paths import ProjectPaths
from broadcast.playlog import Airing, Outcome, PlayLog
from broadcast.playlog.store import WARD_TIMEZONE


def _subparsers() -> argparse._SubParsersAction:
    (found,) = [
        action
        for action in build_parser()._actions
        if isinstance(action, argparse._SubParsersAction)
    ]
    return found


def _commands() -> dict[str, argparse.ArgumentParser]:
    return dict(_subparsers().choices)


def _summaries() -> dict[str, str]:
    """Each command's one-line help, in the order ``broadcast --help`` lists them."""
    return {choice.dest: choice.help for choice in _subparsers()._choices_actions}


def _exit_code(capsys, *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    captured = capsys.readouterr()
    return exited.value.code, captured.out, captured.err


def test_help_and_usage_error_exit_codes():
    ok = subprocess.run([sys.executable, "-m", "broadcast", "--help"], capture_output=True)
    assert ok.returncode == 0 and b"COMMAND" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "broadcast", "no-such-command"], capture_output=True
    )
    assert bad.returncode == 2


def test_help_lists_every_command_in_pipeline_order_with_a_vietnamese_summary(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # no summary is wrapped, however long
    code, out, _ = _exit_code(capsys, "--help")
    assert code == 0
    summaries = _summaries()
    assert set(summaries) == set(_commands())
    for name, summary in summaries.items():
        assert any(ord(char) > 127 for char in summary), f"{name}: summary not in Vietnamese"
        assert re.search(rf"^ +{re.escape(name)}\s+{re.escape(summary)}$", out, re.M), name
    listed = list(summaries)
    assert listed[0] == "demo"  # the whole job first, for someone trying the program
    pipeline = ["check", "render", "plan", "run", "logs", "report"]
    assert sorted(pipeline, key=listed.index) == pipeline


def test_each_command_help_exits_0_and_shows_its_options(capsys):
    for name, parser in _commands().items():
        code, out, _ = _exit_code(capsys, name, "-h")
        assert code == 0, name
        assert out.startswith(f"usage: broadcast {name}"), name
        for action in parser._actions:
            for option in action.option_strings:
                assert option in out, f"{name} {option}"


def test_a_mistyped_command_is_a_usage_error_that_lists_the_commands(capsys):
    code, out, err = _exit_code(capsys, "chek")
    assert code == 2 and not out
    assert "'chek'" in err
    assert all(f"'{name}'" in err for name in _commands())


def test_version(capsys):
    code, out, _ = _exit_code(capsys, "--version")
    assert (code, out) == (0, f"broadcast {__version__}\n")


def test_data_keeps_the_machine_state_apart_from_the_project(tmp_path, capsys):
    home, rehearsal = tmp_path / "home", (tmp_path / "rehearsal").resolve()
    assert main(["--home", str(home), "--data", str(rehearsal), "logs"]) == 0
    assert f"({rehearsal.as_posix()}/" in capsys.readouterr().err  # where the log would be


def test_home_resolution_order(tmp_path, monkeypatch):
    monkeypatch.setenv("BROADCAST_HOME", str(tmp_path / "env"))
    assert ProjectPaths.resolve(str(tmp_path / "flag")).home == tmp_path / "flag"
    assert ProjectPaths.resolve().home == tmp_path / "env"
    monkeypatch.delenv("BROADCAST_HOME")
    monkeypatch.chdir(tmp_path)
    paths = ProjectPaths.resolve()
    assert paths.home == tmp_path
    assert paths.relative(tmp_path / "scripts_vi" / "a.txt") == "scripts_vi/a.txt"


def test_logs_piped_to_a_reader_that_closes_early_ends_quietly_without_a_traceback(tmp_path):
    """Once, ``broadcast logs | head`` ended in a BrokenPipeError traceback. Now the command
    stops as Unix tools do: nothing on stderr, the status a shell gives a tool ended by
    SIGPIPE. The log is bigger than a pipe's buffer, so the reader's leaving is always felt."""
    paths = ProjectPaths(tmp_path)
    paths.schedules_file.write_text("zones: []\n", encoding="utf-8")
    title = "Thông báo lịch tiêm chủng mở rộng cho trẻ em dưới năm tuổi tại trạm y tế phường"
    with PlayLog.open(paths) as log:
        for n in range(600):
            at = datetime(2026, 3, 2, 6, tzinfo=WARD_TIMEZONE) + timedelta(minutes=n)
            row = log.start_attempt(Airing(zone="tdp-1", scheduled_at=at, title=title), at)
            log.finish_attempt(row, Outcome.PLAYED, ended_at=at, aired_seconds=60.0)
    command = [sys.executable, "-m", "broadcast", "--home", str(tmp_path), "logs"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as shown:
        assert shown.stdout is not None and shown.stderr is not None
        assert "Thời gian" in shown.stdout.readline().decode("utf-8")
        shown.stdout.close()  # as `head -1` does
        err = shown.stderr.read().decode("utf-8")
        code = shown.wait(timeout=60)
    assert (code, err) == (EXIT_BROKEN_PIPE, "")
    assert EXIT_BROKEN_PIPE == 128 + 13


def test_a_rehearsal_day_is_refused_without_a_rehearsal(tmp_path, capsys):
    """``--day`` picks whose programs a rehearsal plays; the real schedule always plays today's."""
    code = main(["--home", str(tmp_path), "run", "--day", "07/12/2026"])
    assert code == 2
    assert "--day chỉ dùng cùng --rehearsal" in capsys.readouterr().err
