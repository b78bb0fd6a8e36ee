"""``broadcast trace ID``: one script's chain, text → approval → audio → listens → plays."""

from __future__ import annotations

import argparse
import math
from typing import Any

from broadcast.approval import ApprovalEvent, EventKind
from broadcast.audio.manifest import AudioManifest
from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.approval_events import (
    find_script,
    script_named,
    typed_id,
)
from broadcast.cli.output import print_json, print_table
from broadcast.cli.project import load_project, play_log_missing
from broadcast.paths import ProjectPaths
from broadcast.playlog import Attempt, PlayLog
from broadcast.playlog.history import open_history
from broadcast.report import Labels
from broadcast.views.approval_events import (
    event_json,
    settings_line,
    short,
    when,
)
from broadcast.views.durations import minutes_seconds
from broadcast.views.trace_chain import Chain, gather

ORDER = 42

_PLAY_COLUMNS = (
    ("id", "#"),
    ("time", "Thời gian"),
    ("zone", "Khu vực"),
    ("outcome", "Kết quả"),
    ("duration", "Thời lượng"),
    ("output", "Phát ra"),
    ("approval", "Duyệt số"),
    ("audio", "Mã âm thanh"),
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "trace",
        help="truy vết một bài: nội dung → duyệt → âm thanh → nghe thử → các lượt phát",
        description="In chuỗi của một kịch bản: mã nội dung hiện tại → các lần duyệt và thu hồi "
        "(ai, lúc nào, ghi chú, lần nào đang hiệu lực) → âm thanh (tệp, bộ đọc, giọng, độ to) → "
        "các lần nghe thử → các lượt phát trong nhật ký (lúc nào, ở đâu, kết quả, theo lần "
        "duyệt nào, âm thanh nào), kèm kết quả kiểm tra toàn vẹn nhật ký. Chỉ đọc, không ghi "
        "gì. Mã thoát 0 khi chuỗi đầy đủ, 1 khi có mắt xích bị đứt (bài chưa được duyệt, chưa "
        "có âm thanh, lượt phát không có lần duyệt, phát âm thanh chưa ai nghe thử khi phường "
        "yêu cầu nghe thử, nhật ký bị sửa).",
    )
    parser.add_argument("script_id", metavar="ID", help='script id, e.g. "2026-11/dvc-muc-4"')
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    project = load_project(paths, scripts=True)
    if project is None:
        return EXIT_INPUT_ERRORS
    script = find_script(project, args.script_id)
    script_id = script.id if script else typed_id(args.script_id)
    play_log_missing(paths)  # says so; the chain is shown without the log's part
    with open_history(paths, project.config) as log:
        if script is None and not _logged(log, script_id):
            script_named(project, script_id, also=_logged_ids(log))
            return EXIT_INPUT_ERRORS
        chain = gather(script_id, script, project.config.approval, AudioManifest.load(paths), log)
    if args.json:
        print_json(_json(chain))
    else:
        _print(chain, Labels.from_config(project.config))
    return EXIT_OK if chain.whole else EXIT_INPUT_ERRORS


def _logged(log: PlayLog | None, script_id: str) -> bool:
    """Whether the log knows the script (approved or aired once, its file since gone)."""
    return log is not None and script_id in _logged_ids(log)


def _logged_ids(log: PlayLog | None) -> list[str]:
    if log is None:
        return []
    aired = {a.airing.script_id for a in log.attempts() if a.airing.script_id}
    return sorted(aired | {e.script_id for e in log.approval_events()})


def _print(chain: Chain, labels: Labels) -> None:
    script, judgement = chain.script, chain.judgement
    if script is not None and judgement is not None:
        print(f'Chuỗi của "{script.title}" ({chain.script_id}), tệp {script.source}')
        print(settings_line(chain.settings))
        fingerprint = judgement.fingerprint
        recording = f", tệp ghi âm {short(fingerprint.recording_sha256)}"
        print(
            f"\n1. Nội dung hiện tại: mã {short(fingerprint.sha256)} (văn bản "
            f"{short(fingerprint.text_sha256)}"
            f"{recording if fingerprint.recording_sha256 else ''}) — {judgement.state.label_vi}"
        )
    else:
        print(f'Chuỗi của "{chain.script_id}" theo nhật ký')
        print(settings_line(chain.settings))
        print(
            "\n1. Nội dung hiện tại: không có kịch bản hợp lệ mã này trong scripts_vi/ (tệp đã "
            "bị xóa hoặc đang lỗi); chỉ còn những gì nhật ký ghi."
        )
    print("\n2. Duyệt và thu hồi:")
    _print_events(chain, chain.approvals, _approval_line)
    print("\n3. Âm thanh:")
    print(f"   {_audio_line(chain)}")
    print("\n4. Nghe thử:")
    _print_events(chain, chain.listens, _listen_line)
    print("\n5. Các lượt phát:")
    if chain.plays:
        print_table(_PLAY_COLUMNS, [_play_row(play, labels) for play in chain.plays])
    else:
        print("   (chưa có lượt phát nào)")
    print(f"\n6. {_verdict_line(chain)}")
    if chain.whole:
        print("\nChuỗi đầy đủ: không có mắt xích nào bị đứt.")
    else:
        print("\nChuỗi bị đứt:")
        for problem in chain.broken:
            print(f"- {problem}")
    if chain.notes:
        print("\nGhi chú:")
        for note in chain.notes:
            print(f"- {note}")


def _print_events(chain: Chain, events: list[ApprovalEvent], line: Any) -> None:
    if not events:
        print("   (chưa có)")
    for event in events:
        print(f"   {line(chain, event)}")


def _who(event: ApprovalEvent) -> str:
    where = ", ".join(part for part in (event.os_user and f"tài khoản {event.os_user}",
                                         event.origin) if part)  # fmt: skip
    return f"{event.by}" + (f" ({where})" if where else "")


def _approval_line(chain: Chain, event: ApprovalEvent) -> str:
    head = f"#{event.id} {when(event.at)} {event.kind.label_vi} bởi {_who(event)}"
    if event.kind is EventKind.REVOKED:
        return head + (f"; lý do: {event.comment}" if event.comment else "")
    judgement = chain.judgement
    if event.fingerprint is None:
        mark = "dòng này đã bị sửa trong nhật ký (mã nội dung không khớp)"
    elif judgement is not None and judgement.approval_id == event.id:
        mark = "ĐANG HIỆU LỰC"
    elif judgement is not None and event.content_sha256 == judgement.fingerprint.sha256:
        mark = "đúng bản hiện tại, đã bị thu hồi"
    else:
        mark = "cho một bản khác bản hiện tại"
    comment = f'; ghi chú: "{event.comment}"' if event.comment else ""
    return f"{head} — mã nội dung {short(event.content_sha256)}{comment} [{mark}]"


def _audio_line(chain: Chain) -> str:
    entry = chain.entry
    if entry is None:
        return "(chưa tạo âm thanh; chạy broadcast render)"
    made = "làm từ bản hiện tại" if chain.made_from_current else "KHÔNG làm từ bản hiện tại"
    engine = f"{entry.engine or 'bản ghi âm'}" + (f"/{entry.voice}" if entry.voice else "")
    return (
        f"{entry.file}, mã âm thanh {short(entry.audio_hash)}, {engine}, "
        f"{_level(entry.loudness_lufs)} LUFS, đỉnh {_level(entry.true_peak_dbtp)} dBTP, "
        f"{minutes_seconds(entry.duration_seconds)}, tạo lúc {entry.rendered_at[:16]}; {made}"
    )


def _level(value: float) -> str:
    return f"{value:.1f}" if math.isfinite(value) else "–"  # silence has no loudness


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None  # JSON has no -inf


def _listen_line(chain: Chain, event: ApprovalEvent) -> str:
    matches = "đúng âm thanh hiện tại" if chain.listen_matches(event) else "âm thanh khác"
    return (
        f"#{event.id} {when(event.at)} bởi {_who(event)} — mã âm thanh "
        f"{short(event.audio_hash)} ({matches})"
    )


def _play_row(play: Attempt, labels: Labels) -> dict[str, Any]:
    outcome = play.outcome.label_vi if play.outcome else "đang phát"
    return {
        "id": play.id,
        "time": when(play.occurred_at),
        "zone": labels.zone(play.airing.zone),
        "outcome": outcome,
        "duration": minutes_seconds(play.aired_seconds),
        "output": "tệp" if play.to_file else "loa",
        "approval": play.airing.approval_id,
        "audio": short(play.airing.audio_hash),
    }


def _verdict_line(chain: Chain) -> str:
    verdict = chain.verdict
    if verdict is None:
        return "Nhật ký: chưa có."
    if verdict.problem is not None:
        return f"Nhật ký KHÔNG toàn vẹn: {verdict.problem.message}"
    return f"Nhật ký toàn vẹn: {verdict.rows} bản ghi, {verdict.events} sự kiện."


def _json(chain: Chain) -> dict[str, Any]:
    judgement, entry, verdict = chain.judgement, chain.entry, chain.verdict
    return {
        "script_id": chain.script_id,
        "title": chain.script.title if chain.script else None,
        "source": chain.script.source if chain.script else None,
        "required": chain.settings.required,
        "listen": chain.settings.listen,
        "state": judgement.state if judgement else None,
        "content_sha256": judgement.fingerprint.sha256 if judgement else None,
        "text_sha256": judgement.fingerprint.text_sha256 if judgement else None,
        "recording_sha256": judgement.fingerprint.recording_sha256 if judgement else None,
        "approval_id": judgement.approval_id if judgement else None,
        "events": [event_json(e) for e in chain.approvals],
        "audio": entry
        and {
            "file": entry.file,
            "audio_sha256": entry.audio_hash,
            "engine": entry.engine,
            "voice": entry.voice,
            "loudness_lufs": _finite(entry.loudness_lufs),
            "true_peak_dbtp": _finite(entry.true_peak_dbtp),
            "duration_seconds": entry.duration_seconds,
            "rendered_at": entry.rendered_at,
            "made_from_current": chain.made_from_current,
        },
        "listens": [
            {**event_json(e), "matches_current_audio": chain.listen_matches(e)}
            for e in chain.listens
        ],
        "plays": [_play_json(play) for play in chain.plays],
        "log": verdict
        and {"ok": verdict.ok, "problem": verdict.problem and verdict.problem.message},
        "whole": chain.whole,
        "broken": chain.broken,
        "notes": chain.notes,
    }


def _play_json(play: Attempt) -> dict[str, Any]:
    return {
        "id": play.id,
        "zone": play.airing.zone,
        "scheduled_at": play.airing.scheduled_at,
        "started_at": play.started_at,
        "outcome": play.outcome,
        "aired_seconds": play.aired_seconds,
        "to_file": play.to_file,
        "output": play.output,
        "approval_id": play.airing.approval_id,
        "audio_sha256": play.airing.audio_hash,
    }
