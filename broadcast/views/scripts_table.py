"""The table ``broadcast check`` prints and the console's "Bài phát" shows: one record per
script (rejected files too), every problem of the drop folder, ``schedules.yaml``, the lexicon
and the last render, and each script's approval when ``approval: required``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from broadcast.approval import Judgement
from broadcast.audio.manifest import AudioManifest
from broadcast.config import Config, load_config
from broadcast.config.references import (
    check_script_references,
    emergencies_without_approval,
    scripts_without_zones,
)
from broadcast.diagnostics import Diagnostic, InputError, Severity, errors_in
from broadcast.paths import ProjectPaths
from broadcast.scripts import Script, ScriptFolder, load_folder
from broadcast.scripts.memo import ObjectMemo
from broadcast.textnorm import load_lexicon
from broadcast.views.approval_states import approval_json, judgements_of
from broadcast.views.durations import Airtime, airtime
from broadcast.views.reading_doubts import placed_field_problems, reading_warnings

STATUS_OK = "hợp lệ"
STATUS_WARNINGS = "có cảnh báo"
STATUS_ERROR = "lỗi"
_STATUSES = {Severity.WARNING: STATUS_WARNINGS, Severity.ERROR: STATUS_ERROR}


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


def _script_fields(script: Script) -> tuple[dict[str, Any], dict[str, Any], str]:
    """What a record shows of the script alone, before and after its length; and its length
    as ``airtime`` says it of a script not rendered."""
    return (
        {
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
        },
        {"encoding": script.encoding, "content_hash": script.content_hash},
        Airtime(script.estimated_seconds, rendered=False).label,
    )


# ``_script_fields`` by script object: the folder's reading gives the same object while the
# file's bytes are the same (``read_unless_unchanged``), so a page formats its dates once.
_FIELDS: ObjectMemo[tuple[dict[str, Any], dict[str, Any], str]] = ObjectMemo()


def _script_record(
    script: Script,
    worst: dict[str, Severity],
    manifest: AudioManifest,
    paths: ProjectPaths,
    judgement: Judgement | None,
) -> dict[str, Any]:
    before, after, estimate = _FIELDS.get(script, partial(_script_fields, script))
    aired = airtime(script, manifest, paths.home) if manifest.entry(script.id) else None
    return {
        **before,
        "rendered_seconds": aired.seconds if aired is not None and aired.rendered else None,
        "duration": aired.label if aired is not None else estimate,
        "sources": dict(script.field_origins),  # field → where it was written
        "left_out": list(script.left_out),  # parts of the file not spoken
        **after,
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


@dataclass(frozen=True)
class ScriptsTable:
    """What ``check`` finds: the folder, the configuration (``None`` when it has errors), every
    problem, each script's approval and one record per file, by id."""

    folder: ScriptFolder
    config: Config | None
    config_diagnostics: list[Diagnostic]
    diagnostics: list[Diagnostic]
    judgements: dict[str, Judgement]
    records: list[dict[str, Any]]
    summary: str


def scripts_table(paths: ProjectPaths) -> ScriptsTable:
    """The drop folder checked as ``broadcast check`` checks it."""
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
    return ScriptsTable(
        folder,
        config,
        config_diagnostics,
        diagnostics,
        judgements,
        records,
        _summary(records, folder, diagnostics),
    )
