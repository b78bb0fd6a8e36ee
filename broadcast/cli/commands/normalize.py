"""``broadcast normalize``: what the loudspeaker says for a text, a file or a script.

A file or script is read by the same reader as the drop folder (``broadcast.scripts``): every
format and encoding it knows, with the metadata lines left out, so what is shown is exactly
the title and paragraphs that are spoken. What the reader leaves out at the end (an official
notice's recipients and signature) is said on stderr. ``--explain`` numbers the file's lines
(a Word file's paragraphs), found as ``check`` finds them, not the lines of the spoken text.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.output import print_diagnostics, print_json, print_table
from broadcast.diagnostics import Diagnostic, InputError
from broadcast.paths import ProjectPaths
from broadcast.scripts import load_folder, read_script
from broadcast.scripts.reader import read_wording_noted
from broadcast.textnorm import Region, explain, load_lexicon, normalize
from broadcast.views.reading import Read, explained_rows, script_read, spoken
from broadcast.views.reading_doubts import WrittenPlaces
from broadcast.yamlsource import did_you_mean

ORDER = 20

_COLUMNS = [
    ("line", "Dòng"),
    ("original", "Gốc"),
    ("spoken", "Đọc là"),
    ("description", "Quy tắc"),
]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "normalize",
        help="xem một văn bản sẽ được đọc thành lời như thế nào",
        description="Chuyển văn bản thành lời đọc (số, ngày giờ, từ viết tắt, địa chỉ web…): "
        "đúng những gì loa sẽ đọc. Đọc một kịch bản theo mã (2026-11/dvc-muc-4) hoặc một tệp "
        ".txt, .md, .docx (mọi bảng mã, bỏ phần thông tin đầu tệp), hoặc đầu vào chuẩn khi "
        "không ghi gì. Từ điển riêng của phường: lexicon.yaml cạnh schedules.yaml.",
    )
    parser.add_argument(
        "file",
        nargs="?",
        metavar="FILE|ID",
        help="a script's id or a .txt/.md/.docx file (default: stdin)",
    )
    parser.add_argument(
        "--region",
        choices=[region.value for region in Region],
        default=Region.NORTH.value,
        help="number words of the north (nghìn, linh) or the south (ngàn, lẻ)",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="list every rewrite: line of the file (paragraph of a .docx), original, spoken, rule",
    )
    parser.add_argument("--json", action="store_true", help="print the rewrites as JSON")
    parser.set_defaults(handler=run)


def _read(name: str | None, paths: ProjectPaths) -> Read:
    if name is None:
        return Read(sys.stdin.read())
    path = Path(name)
    if not path.exists():
        return _script_by_id(name, paths)
    if path.is_dir():
        message = "đây là một thư mục, không phải tệp văn bản"
        raise InputError([Diagnostic(name, None, None, "not_a_file", message)])
    if path.absolute().is_relative_to(paths.scripts_dir.absolute()):
        return script_read(read_script(path, paths), paths)
    title, body, left_out = read_wording_noted(path, name)
    return Read(spoken(title, body), name, WrittenPlaces(path, name), left_out)


def _script_by_id(name: str, paths: ProjectPaths) -> Read:
    """The script with this id in the drop folder, read as ``check`` and ``render`` read it."""
    folder = load_folder(paths)
    for script in folder.scripts:
        if script.id == name:
            return script_read(script, paths)
    for rejected in folder.rejected:
        if rejected.id == name:
            raise InputError(list(rejected.diagnostics))
    hint = did_you_mean(name, [script.id for script in folder.scripts])
    message = f"không có tệp này, cũng không có kịch bản nào mã như vậy trong scripts_vi/{hint}"
    raise InputError([Diagnostic(name, None, None, "missing_file", message)])


def _columns(read: Read) -> list[tuple[str, str]]:
    if read.places is not None and read.places.word:
        return [("line", "Đoạn"), *_COLUMNS[1:]]
    return _COLUMNS


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    try:
        lexicon = load_lexicon(paths)
        read = _read(args.file, paths)
    except InputError as exc:
        print_diagnostics(exc.diagnostics)
        return EXIT_INPUT_ERRORS
    print_diagnostics(lexicon.warnings)
    for note in read.left_out:
        print(f"{read.source}: ghi chú: {note}", file=sys.stderr)
    text = read.text
    region = Region(args.region)
    if args.explain or args.json:
        rows = explained_rows(explain(text, lexicon, region), read)
        if args.json:
            print_json(rows)
        else:
            print_table(_columns(read), rows)
        return EXIT_OK
    said = normalize(text, lexicon, region)
    sys.stdout.write(said if said.endswith("\n") or not text else said + "\n")
    return EXIT_OK
