import subprocess
import sys

from broadcast.cli import build_parser
from broadcast.paths import ProjectPaths


def test_help_and_usage_error_exit_codes():
    ok = subprocess.run([sys.executable, "-m", "broadcast", "--help"], capture_output=True)
    assert ok.returncode == 0 and b"COMMAND" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "broadcast", "no-such-command"], capture_output=True
    )
    assert bad.returncode == 2


def test_every_command_has_help_text():
    parser = build_parser()
    (subparsers,) = [a for a in parser._actions if a.dest == "command"]
    for name, sub in subparsers.choices.items():
        assert sub.description or sub.format_help(), name


def test_home_resolution_order(tmp_path, monkeypatch):
    monkeypatch.setenv("BROADCAST_HOME", str(tmp_path / "env"))
    assert ProjectPaths.resolve(str(tmp_path / "flag")).home == tmp_path / "flag"
    assert ProjectPaths.resolve().home == tmp_path / "env"
    monkeypatch.delenv("BROADCAST_HOME")
    monkeypatch.chdir(tmp_path)
    paths = ProjectPaths.resolve()
    assert paths.home == tmp_path
    assert paths.relative(tmp_path / "scripts_vi" / "a.txt") == "scripts_vi/a.txt"
