"""Command line: parses arguments and calls the pipeline stages, nothing more.

Each subcommand lives in its own module under ``broadcast.cli.commands`` and exposes
``register(subparsers)``; the subparser's ``handler(args, paths) -> int`` does the work.
Exit codes: 0 ok, 1 input errors found (or a play log that cannot be read), 2 usage error
(argparse's own), 141 the reader of the output went away (``broadcast logs | head``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

from broadcast import __version__
from broadcast.cli import commands
from broadcast.paths import HOME_ENV, ProjectPaths
from broadcast.playlog import PlayLogUnreadable

EXIT_OK = 0
EXIT_INPUT_ERRORS = 1
EXIT_USAGE = 2
# What a shell reports for a Unix tool ended by SIGPIPE (128 + 13): with ``set -o pipefail``
# a script sees the output was cut short; without it the pipeline's status stays the reader's.
EXIT_BROKEN_PIPE = 141
DAMAGED_LOG_HINT = (
    "Tệp được giữ nguyên để kiểm tra. Khi khởi động, chương trình phát cất tệp hỏng sang bên "
    "(playlog.damaged-….sqlite3), mở nhật ký mới và báo động."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="broadcast",
        description="Loa phường: turn the board's Vietnamese scripts into scheduled, "
        "logged loudspeaker broadcasts.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--home",
        metavar="DIR",
        help=f"project folder holding scripts_vi/, schedules.yaml, audio_cache/ and data/ "
        f"(default: ${HOME_ENV}, else the current folder)",
    )
    parser.add_argument(
        "--data",
        metavar="DIR",
        help="keep the play log, daemon log and status in DIR instead of the project's data/ "
        "(e.g. for a rehearsal that must not mix with the real log)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    modules = [
        importlib.import_module(f"{commands.__name__}.{info.name}")
        for info in pkgutil.iter_modules(commands.__path__)
    ]
    for module in sorted(modules, key=lambda m: (getattr(m, "ORDER", 100), m.__name__)):
        module.register(subparsers)
    return parser


def _use_utf8_console() -> None:
    # Windows consoles default to a legacy code page that cannot print Vietnamese.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower() != "utf-8":
            stream.reconfigure(encoding="utf-8", errors="replace")


def _writes_to_a_pipe() -> bool:
    """Whether standard output is a pipe: only then can a broken pipe be the reader leaving."""
    try:
        return stat.S_ISFIFO(os.fstat(sys.stdout.fileno()).st_mode)
    except (OSError, ValueError):  # no file descriptor (captured, closed)
        return False


def _discard_output() -> None:
    """The reader is gone: what is still buffered goes to the null device, so the flush at
    interpreter exit raises no second error (the recipe in Python's ``signal`` docs; no
    SIGPIPE involved, so Windows runs the same code)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


def _run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    paths = ProjectPaths.resolve(args.home)
    if args.data:
        paths = paths.with_data_dir(Path(args.data).expanduser())
    try:
        return int(args.handler(args, paths))
    except PlayLogUnreadable as exc:  # every command reading the log: a verdict, no traceback
        print(f"{exc}.", file=sys.stderr)
        if exc.damaged:
            print(DAMAGED_LOG_HINT, file=sys.stderr)
        return EXIT_INPUT_ERRORS


def main(argv: Sequence[str] | None = None) -> int:
    _use_utf8_console()
    try:
        try:
            return _run(argv)
        finally:
            sys.stdout.flush()  # a closed pipe shows here, not as a traceback at exit
    except BrokenPipeError:
        if not _writes_to_a_pipe():
            raise  # a broken pipe elsewhere is a fault to see, not the reader leaving
        _discard_output()
        return EXIT_BROKEN_PIPE
