"""``broadcast run``: the broadcast daemon, until Ctrl+C / SIGTERM (or a rehearsal's end)."""

from __future__ import annotations

import argparse
import signal
import sys
from datetime import timedelta
from pathlib import Path

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE
from broadcast.cli.arguments import day_argument
from broadcast.cli.output import print_diagnostics
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.sinks.spec import SINK_HELP, station_sink

ORDER = 50


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="chạy chương trình phát thanh theo lịch trên các khu vực loa",
        description="Chạy chương trình phát thanh: phát đúng giờ theo schedules.yaml trên các "
        "khu vực loa, tự nhận kịch bản mới và lịch sửa đổi, ghi nhật ký từng lượt phát. "
        "Dừng bằng Ctrl+C. Buổi diễn tập (--rehearsal) cũng giữ giờ yên tĩnh theo giờ đồng hồ "
        "lúc phát: lượt nào sẽ vang ra loa trong giờ yên tĩnh thì không phát (và được nêu tên), "
        "trừ khi có --ignore-quiet-hours; âm thanh ghi ra tệp WAV (--sink file:THƯ_MỤC) thì "
        "không bị giữ lại vì không ai nghe thấy.",
    )
    parser.add_argument("--sink", metavar="SINK", help=SINK_HELP)
    parser.add_argument(
        "--grace",
        type=float,
        default=5.0,
        metavar="MINUTES",
        help="after a restart, a slot missed by less than this still plays (5)",
    )
    parser.add_argument(
        "--resume-back",
        type=float,
        metavar="SECONDS",
        help="an item cut by an emergency or a restart is taken up at the last pause at most "
        "SECONDS before the cut, so the sentence is heard whole (5; 0: exactly at the cut)",
    )
    parser.add_argument(
        "--offline", action="store_true", help="render with offline engines only (no gTTS)"
    )
    parser.add_argument(
        "--no-render", action="store_true", help="do not render scripts (use audio_cache as is)"
    )
    parser.add_argument(
        "--rehearsal",
        action="store_true",
        help="play today's programs now, back to back, then stop (a dry run of the day)",
    )
    parser.add_argument(
        "--day",
        type=day_argument,
        metavar="DATE",
        help="in a rehearsal, play this day's programs instead of today's "
        "(07/12/2026 or 2026-12-07)",
    )
    parser.add_argument(
        "--excerpt",
        type=float,
        metavar="SECONDS",
        help="in a rehearsal, play only the first SECONDS of each item",
    )
    parser.add_argument(
        "--ignore-quiet-hours",
        action="store_true",
        help="in a rehearsal, play on the loudspeakers even inside the quiet hours "
        "(by default an item that would sound then is held back)",
    )
    parser.add_argument("--port", type=int, default=0, help="control port on 127.0.0.1 (auto)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    # Imported here: the daemon pulls in the audio stack, too slow for every CLI start.
    from broadcast.daemon.instance import AlreadyRunning, InstanceLock
    from broadcast.daemon.rehearsal import rehearsal_paths

    if (
        args.grace < 0
        or (args.resume_back is not None and args.resume_back < 0)
        or (args.excerpt is not None and args.excerpt <= 0)
    ):
        print("--grace, --resume-back và --excerpt phải là số dương", file=sys.stderr)
        return EXIT_USAGE
    if args.ignore_quiet_hours and not args.rehearsal:
        print(
            "--ignore-quiet-hours chỉ dùng cùng --rehearsal: lịch phát thật luôn giữ giờ yên tĩnh",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.day is not None and not args.rehearsal:
        print(
            "--day chỉ dùng cùng --rehearsal: lịch phát thật luôn phát chương trình của hôm nay",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.rehearsal:
        paths = rehearsal_paths(paths)
        print(f"Buổi diễn tập ghi nhật ký riêng trong {paths.relative(paths.data_dir)}/.")
    # Taken before anything is opened or written: a refused start touches none of the running
    # daemon's files; held until the last one is written at stop.
    lock = InstanceLock(paths)
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_INPUT_ERRORS
    except OSError as exc:
        shown = paths.relative(Path(exc.filename) if exc.filename else paths.data_dir)
        print(
            f"Không khởi động được: không khoá được {shown}: {exc.strerror or exc}", file=sys.stderr
        )
        return EXIT_INPUT_ERRORS
    try:
        return _run_alone(args, paths)
    finally:
        lock.release()


def _run_alone(args: argparse.Namespace, paths: ProjectPaths) -> int:
    """The daemon's life, with the data folder's lock held."""
    from broadcast.daemon.daemon import BroadcastDaemon, DaemonOptions
    from broadcast.daemon.rehearsal import Rehearsal

    try:
        sink = station_sink(args.sink, paths)
    except ValueError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return EXIT_USAGE
    options = DaemonOptions(
        grace=timedelta(minutes=args.grace),
        render_ahead=not args.no_render,
        offline=args.offline,
        rehearsal=(
            Rehearsal(
                excerpt_seconds=args.excerpt,
                keep_quiet_hours=not args.ignore_quiet_hours,
                day=args.day,
            )
            if args.rehearsal
            else None
        ),
        control_port=args.port,
        sink_label=args.sink or "sound",
        **({} if args.resume_back is None else {"resume_back_seconds": args.resume_back}),
    )
    try:
        daemon = BroadcastDaemon(paths, sink, options=options)
    except InputError as exc:
        print("Không chạy được: lịch phát có lỗi.", file=sys.stderr)
        print_diagnostics(exc.diagnostics)
        return EXIT_INPUT_ERRORS

    def ask_to_stop(signum: int, frame: object) -> None:
        daemon.stop_requested.set()

    # Before the start: a stop asked while starting is a clean stop, not the default death.
    signal.signal(signal.SIGINT, ask_to_stop)
    signal.signal(signal.SIGTERM, ask_to_stop)
    if hasattr(signal, "SIGBREAK"):  # Ctrl+Break in a Windows console
        signal.signal(signal.SIGBREAK, ask_to_stop)
    daemon.start()
    while not daemon.stopped.is_set() and not daemon.stop_requested.wait(0.5):
        pass
    daemon.stop()
    return EXIT_OK
