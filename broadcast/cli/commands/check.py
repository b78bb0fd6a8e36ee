"""``broadcast check``: validate the drop folder and ``schedules.yaml``, one row per script."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from broadcast.approval import Judgement, State
from broadcast.audio.manifest import AudioManifest
from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.approval_states import (
    WILL_NOT_AIR,
    approval_json,
    judgements_of,
    print_left_out,
)
from broadcast.cli.approval_states import summary as approval_summary
from broadcast.cli.durations import airtime
from broadcast.cli.output import print_diagnostics, print_json, print_table, shortened
from broadcast.cli.reading_doubts import placed_field_problems, reading_warnings
from broadcast.config import Config, load_config
from broadcast.config.references import (
    check_script_references,
    emergencies_without_approval,
    scripts_without_zones,
)
from broadcast.diagnostics import Diagnostic, InputError, Severity, errors_in
from broadcast.paths import ProjectPaths
from broadcast.scripts import Script, ScriptFolder, load_folder
from broadcast.scripts.layers import origin_lines
from broadcast.textnorm import load_lexicon

ORDER = 10

STATUS_OK = "hợp lệ"
STATUS_WARNINGS = "có cảnh báo"
STATUS_ERROR = "lỗi"
_STATUSES = {Severity.WARNING: STATUS_WARNINGS, Severity.ERROR: STATUS_ERROR}
_TITLE_WIDTH = 44
_UTF8_NAMES = ("utf-8", "utf-8-sig")

_COLUMNS = [
    ("id", "Mã kịch bản"),
    ("title", "Tiêu đề"),
    ("topic", "Chủ đề"),
    ("validity", "Hiệu lực"),
    ("characters", "Ký tự"),
    ("duration", "Thời lượng"),
    ("status", "Trạng thái"),
]
_ENCODING_COLUMN = ("encoding", "Bảng mã")
_APPROVAL_COLUMN = ("approval_label", "Duyệt")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="kiểm tra kịch bản (scripts_vi/), lịch phát và từ điển",
        description="Kiểm tra các kịch bản trong scripts_vi/ và tệp lịch phát schedules.yaml; "
        "in một dòng cho mỗi kịch bản và mọi lỗi, cảnh báo kèm tên tệp và số dòng.",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(handler=run)


def _day(value: date) -> str:
    return f"{value:%d/%m/%Y}"


def validity(script: Script) -> str:
    if script.valid_from and script.valid_until:
        return f"{_day(script.valid_from)}–{_day(script.valid_until)}"
    if script.valid_from:
        return f"từ {_day(script.valid_from)}"
    if script.valid_until:
        return f"đến {_day(script.valid_until)}"
    return "luôn"


def _script_record(
    script: Script,
    worst: dict[str, Severity],
    manifest: AudioManifest,
    paths: ProjectPaths,
    judgement: Judgement | None,
) -> dict[str, Any]:
    aired = airtime(script, manifest, paths.home)
    return {
        "id": script.id,
        "source": script.source,
        "kind": script.kind,
        "title": script.title,
        "topic": script.topic,
        "priority": script.priority,
        "valid_from": script.valid_from,
        "valid_until": script.valid_until,
        "validity": validity(script),
        "zones": script.zones,
        "characters": script.characters,
        "estimated_seconds": round(script.estimated_seconds, 1),
        "rendered_seconds": aired.seconds if aired.rendered else None,
        "duration": aired.label,
        "sources": dict(script.field_origins),  # field → where it was written
        "left_out": list(script.left_out),  # parts of the file not spoken
        "encoding": script.encoding,
        "content_hash": script.content_hash,
        "status": _STATUSES[worst[script.source]] if script.source in worst else STATUS_OK,
        # None unless ``approval: required``: a ward without it airs every valid script
        "approval": approval_json(judgement) if judgement is not None else None,
    }


def _records(
    paths: ProjectPaths,
    folder: ScriptFolder,
    diagnostics: list[Diagnostic],
    judgements: dict[str, Judgement],
) -> list[dict[str, Any]]:
    # Each file's worst problem; a valid script has an error when it would air nowhere.
    worst = {d.file: Severity.WARNING for d in diagnostics}
    worst.update((d.file, Severity.ERROR) for d in errors_in(diagnostics))
    manifest = AudioManifest.load(paths)
    records = [
        _script_record(s, worst, manifest, paths, judgements.get(s.id)) for s in folder.scripts
    ]
    records += [
        {"id": rejected.id, "source": rejected.source, "status": STATUS_ERROR}
        for rejected in folder.rejected
    ]
    return sorted(records, key=lambda r: r["id"])


def _lexicon_problems(paths: ProjectPaths) -> list[Diagnostic]:
    """The board's lexicon's own problems (the words it lacks: ``reading_warnings``)."""
    try:
        load_lexicon(paths)
    except InputError as exc:
        return list(exc.diagnostics)
    return []


def _render_failures(paths: ProjectPaths, folder: ScriptFolder) -> list[Diagnostic]:
    """Scripts the last ``render`` could not make into audio, with why (from its manifest)."""
    manifest = AudioManifest.load(paths)
    found = []
    for script in folder.scripts:
        why = manifest.failures.get(script.id)
        if why is None:
            continue
        kept = "vẫn phát bản âm thanh trước" if manifest.entry(script.id) else "chưa được lên lịch"
        found.append(
            Diagnostic(
                script.source,
                None,
                None,
                "render_failed",
                f"lần tạo âm thanh gần nhất không thành công ({kept}): {why}",
                Severity.WARNING,
            )
        )
    return found


def _config_diagnostics(
    paths: ProjectPaths, folder: ScriptFolder
) -> tuple[Config | None, list[Diagnostic], list[Diagnostic]]:
    """The configuration (``None`` when it has errors), its own problems and how it and the
    scripts fit together; then the scripts' problems with it (a script airing in no zone)."""
    try:
        config = load_config(paths)
    except InputError as exc:
        return None, list(exc.diagnostics), []
    references = check_script_references(config, folder.scripts)
    without_zones = [
        *scripts_without_zones(config, folder.scripts),
        *emergencies_without_approval(config, folder.scripts),
    ]
    return (
        config,
        [*config.warnings, *placed_field_problems(paths, folder.scripts, references)],
        placed_field_problems(paths, folder.scripts, without_zones),
    )


def _judgements(
    paths: ProjectPaths, config: Config | None, folder: ScriptFolder
) -> dict[str, Judgement]:
    """Each valid script's approval, when ``approval: required`` (else none: all air).
    Unapproved scripts are no error: a draft is the normal state of a new script."""
    if config is None or not config.approval.required:
        return {}
    return judgements_of(paths, config, folder.scripts, AudioManifest.load(paths))


def _print_approvals(folder: ScriptFolder, judgements: dict[str, Judgement]) -> None:
    titles = {script.id: script.title for script in folder.scripts}
    # "chờ duyệt" in the table says it all for a draft; the others need their why
    explained = [j for j in judgements.values() if j.state is not State.PENDING]
    print_left_out("Bài không được phát và lý do:", explained, titles)
    print(f"\nDuyệt bài: {approval_summary(judgements.values())}")
    if any(not judgement.airable for judgement in judgements.values()):
        print(WILL_NOT_AIR)


def _summary(
    records: list[dict[str, Any]], folder: ScriptFolder, diagnostics: list[Diagnostic]
) -> str:
    warned = sum(1 for record in records if record["status"] == STATUS_WARNINGS)
    errors = len(errors_in(diagnostics))
    return (
        f"{len(folder.scripts)} kịch bản dùng được ({warned} có cảnh báo), "
        f"{len(folder.rejected)} tệp bị loại, {len(folder.ignored)} tệp bỏ qua; "
        f"{errors} lỗi, {len(diagnostics) - errors} cảnh báo."
    )


def _table_row(record: dict[str, Any]) -> dict[str, Any]:
    title = record.get("title")
    row = dict(record, title=shortened(title, _TITLE_WIDTH) if title else None)
    if row.get("encoding") in _UTF8_NAMES:
        row["encoding"] = ""
    if record.get("approval"):
        row["approval_label"] = record["approval"]["label"]
    return row


def _print_origins(folder: ScriptFolder) -> None:
    """Where each script's fields were written, for those that give any."""
    given = [script for script in folder.scripts if script.field_origins]
    if given:
        print("\nThông tin của kịch bản lấy từ đâu:")
    for script in given:
        print(f"  {script.id}")
        for line in origin_lines(script):
            print(f"    {line}")


def _print_left_out(folder: ScriptFolder) -> None:
    """What the reader left out of a script (an official notice's closing block), so that
    nothing the board wrote goes missing unannounced."""
    noted = [script for script in folder.scripts if script.left_out]
    if noted:
        print("\nPhần không đọc lên loa:")
    for script in noted:
        print(f"  {script.id}")
        for note in script.left_out:
            print(f"    {note}")


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    folder = load_folder(paths)
    config, config_diagnostics, zone_errors = _config_diagnostics(paths, folder)
    diagnostics = [
        *config_diagnostics,
        *zone_errors,
        *folder.diagnostics,
        *_lexicon_problems(paths),
        *reading_warnings(paths, folder),
        *_render_failures(paths, folder),
    ]
    judgements = _judgements(paths, config, folder)
    records = _records(paths, folder, diagnostics, judgements)
    summary = _summary(records, folder, diagnostics)
    if args.json:
        print_json(
            {
                "scripts": records,
                "ignored": folder.ignored,
                "diagnostics": diagnostics,
                "config_ok": not errors_in(config_diagnostics),
                "approval_required": bool(config and config.approval.required),
                "approval_summary": approval_summary(judgements.values()) if judgements else None,
                "summary": summary,
            }
        )
    else:
        legacy = any(r.get("encoding") not in (None, *_UTF8_NAMES) for r in records)
        columns = [*_COLUMNS[:-1], _ENCODING_COLUMN, _COLUMNS[-1]] if legacy else _COLUMNS
        if judgements:  # before the status, which stays last
            columns = [*columns[:-1], _APPROVAL_COLUMN, columns[-1]]
        print_table(columns, [_table_row(r) for r in records])
        _print_origins(folder)
        _print_left_out(folder)
        if judgements:
            _print_approvals(folder, judgements)
        sys.stdout.flush()  # on a terminal, the messages then come between table and summary
        print_diagnostics(diagnostics, sys.stderr)
        print(summary)
    return EXIT_INPUT_ERRORS if errors_in(diagnostics) else EXIT_OK
