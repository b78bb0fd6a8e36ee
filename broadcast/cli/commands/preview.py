"""``broadcast preview ID``: render one script if needed, then play it or write it to a file.

Played to its end on the computer's loudspeakers, someone heard it: the listen is recorded in
the play log with the audio's hash and the text's fingerprint (``approval: {listen: true}``
needs one before the script airs). Written to a file, nobody has listened yet.
"""

from __future__ import annotations

import argparse

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.approval_events import record_listen
from broadcast.cli.rendering import add_output_options, deliver, rendered_script
from broadcast.paths import ProjectPaths

ORDER = 31


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "preview",
        help="nghe thử một kịch bản như khi phát",
        description="Nghe thử một kịch bản đúng như khi phát: tạo âm thanh nếu chưa có, rồi phát "
        "trên loa mặc định của máy, hoặc ghi ra tệp .wav/.mp3 với --out. --offline: chỉ dùng "
        "giọng đọc không cần mạng. Nghe hết trên loa của máy thì lần nghe thử được ghi vào "
        "nhật ký (ai nghe, âm thanh nào, của bản nào) — cần khi schedules.yaml đặt "
        "approval: {required: true, listen: true}; ghi ra tệp thì không tính là đã nghe.",
    )
    parser.add_argument("script_id", metavar="ID", help='script id, e.g. "2026-11/dvc-muc-4"')
    add_output_options(parser)
    parser.add_argument(
        "--by",
        metavar="NAME",
        help="who listened (default: the computer's user name); anyone on the board may listen",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    found = rendered_script(paths, args.script_id, offline=args.offline)
    if found is None:
        return EXIT_INPUT_ERRORS
    script, entry = found
    status = deliver(entry, args.out, script.title)
    if args.out is not None and args.by:
        print("Ghi ra tệp thì chưa ai nghe: lần nghe thử không được ghi vào nhật ký.")
    if status != EXIT_OK or args.out is not None:
        return status
    return record_listen(paths, script, entry, args.by)
