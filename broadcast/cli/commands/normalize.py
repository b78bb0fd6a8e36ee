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
from dataclasses import dataclass
from pathlib import Path

from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.output import print_diagnostics, print_json, print_table
from broadcast.cli.reading_doubts import WrittenPlaces
from broadcast.diagnostics import Diagnostic, InputError
from broadcast.paths import ProjectPaths
from broadcast.scripts import Script, ScriptKind, load_folder, read_script
from broadcast.scripts.reader import read_wording_noted
from broadcast.textnorm import Region, Rewrite, explain, load_lexicon, normalize
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


@dataclass(frozen=True)
class _Read:
    text: str  # what the engines are given: the title, then the paragraphs
    source: str | None = None  # the file, as messages name it; None for stdin
    places: WrittenPlaces | None = None
    left_out: tuple[str, ...] = ()


def _spoken(title: str, body: str) -> str:
    """Title, then the paragraphs: what the engines are given, in order."""
    return "\n\n".join(part for part in (title, body) if part) + "\n"


def _from_script(script: Script, paths: ProjectPaths) -> _Read:
    _refuse_recording(script.kind, script.source)
    places = WrittenPlaces(paths.home / script.source, script.source)
    return _Read(_spoken(script.title, script.body), script.source, places, script.left_out)


def _read(name: str | None, paths: ProjectPaths) -> _Read:
    if name is None:
        return _Read(sys.stdin.read())
    path = Path(name)
    if not path.exists():
        return _script_by_id(name, paths)
    if path.is_dir():
        message = "đây là một thư mục, không phải tệp văn bản"
        raise InputError([Diagnostic(name, None, None, "not_a_file", message)])
    if path.absolute().is_relative_to(paths.scripts_dir.absolute()):
        return _from_script(read_script(path, paths), paths)
    title, body, left_out = read_wording_noted(path, name)
    return _Read(_spoken(title, body), name, WrittenPlaces(path, name), left_out)


def _script_by_id(name: str, paths: ProjectPaths) -> _Read:
    """The script with this id in the drop folder, read as ``check`` and ``render`` read it."""
    folder = load_folder(paths)
    for script in folder.scripts:
        if script.id == name:
            return _from_script(script, paths)
    for rejected in folder.rejected:
        if rejected.id == name:
            raise InputError(list(rejected.diagnostics))
    hint = did_you_mean(name, [script.id for script in folder.scripts])
    message = f"không có tệp này, cũng không có kịch bản nào mã như vậy trong scripts_vi/{hint}"
    raise InputError([Diagnostic(name, None, None, "missing_file", message)])


def _refuse_recording(kind: ScriptKind, source: str) -> None:
    if kind is ScriptKind.RECORDING:
        message = "đây là bản ghi âm: loa phát nguyên bản thu, không có chữ để chuẩn hóa"
        raise InputError([Diagnostic(source, None, None, "recording", message)])


def _rows(rewrites: list[Rewrite], read: _Read) -> list[dict[str, object]]:
    """The rewrites, each with the line of the file (a Word paragraph) its piece is written
    on; a piece not found there (changed by the reader) takes its spoken line's place."""
    rows = [rewrite.to_json() for rewrite in rewrites]
    if read.places is None:
        return rows
    found: dict[int, int | None] = {}  # spoken line → its place in the file
    for row, rewrite in zip(rows, rewrites, strict=True):
        place = read.places.place(rewrite.original)
        if place is not None:
            found.setdefault(rewrite.line, place)
        row["line"] = place if place is not None else found.get(rewrite.line)
    return rows


def _columns(read: _Read) -> list[tuple[str, str]]:
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
        rows = _rows(explain(text, lexicon, region), read)
        if args.json:
            print_json(rows)
        else:
            print_table(_columns(read), rows)
        return EXIT_OK
    spoken = normalize(text, lexicon, region)
    sys.stdout.write(spoken if spoken.endswith("\n") or not text else spoken + "\n")
    return EXIT_OK
