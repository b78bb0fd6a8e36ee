"""``broadcast render``: every valid script to loudness-normalized audio in ``audio_cache/``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from tqdm import tqdm

from broadcast.audio.batch import RenderSummary, render_all
from broadcast.audio.manifest import AudioManifest
from broadcast.audio.render import RenderOutcome, RenderResult
from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.output import print_json, print_table
from broadcast.cli.rendering import add_offline_option, load_render_setup, print_render_problems
from broadcast.paths import ProjectPaths
from broadcast.scripts import Script
from broadcast.views.durations import minutes_seconds

ORDER = 30

OUTCOME_LABELS = {
    RenderOutcome.RENDERED: "mới tạo",
    RenderOutcome.CACHED: "lấy từ bộ nhớ đệm",
    RenderOutcome.FAILED: "thất bại",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "render",
        help="tạo âm thanh cho mọi kịch bản hợp lệ",
        description="Đọc mọi kịch bản hợp lệ thành tệp âm thanh chuẩn độ lớn trong audio_cache/ "
        "(gTTS khi có mạng, espeak-ng khi không). Tệp không đổi thì không đọc lại.",
    )
    parser.add_argument("--prune", action="store_true", help="delete audio no script uses")
    add_offline_option(parser)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--workers", type=int, default=None, metavar="N", help="processes (default: all CPUs)"
    )
    parser.set_defaults(handler=run)


def _print_engine_problems(summary: RenderSummary, sources: dict[str, Script]) -> None:
    """Every reason for a script that failed; for fallbacks each distinct reason once (with the
    network down it is the same for every script)."""
    fallback_reasons: dict[str, int] = {}
    for result in summary.results:
        if result.outcome is RenderOutcome.FAILED:
            print_render_problems(result, sources[result.script_id].source)
        else:
            for problem in result.problems:
                fallback_reasons[problem] = fallback_reasons.get(problem, 0) + 1
    for problem, count in fallback_reasons.items():
        print(f"cảnh báo: {problem} ({count} kịch bản dùng bộ đọc dự phòng)", file=sys.stderr)


def _summary_rows(summary: RenderSummary) -> list[dict[str, Any]]:
    rows = [
        {
            "outcome": OUTCOME_LABELS[outcome],
            "count": summary.count(outcome),
            "duration": minutes_seconds(summary.seconds(outcome)),
        }
        for outcome in RenderOutcome
    ]
    fell_back = [r for r in summary.results if r.fell_back]
    seconds = sum(r.duration_seconds or 0 for r in fell_back)
    label = "dùng bộ đọc dự phòng"
    row = {"outcome": label, "count": len(fell_back), "duration": minutes_seconds(seconds)}
    rows.insert(2, row)
    return rows


def _record(result: RenderResult, script: Script) -> dict[str, Any]:
    entry = result.entry
    return {
        "id": result.script_id,
        "source": script.source,
        "outcome": result.outcome,
        "engine": entry.engine if entry else None,
        "voice": entry.voice if entry else None,
        "fell_back": result.fell_back,
        "duration_seconds": entry.duration_seconds if entry else None,
        "loudness_lufs": entry.loudness_lufs if entry else None,
        "true_peak_dbtp": entry.true_peak_dbtp if entry else None,
        "file": entry.file if entry else None,
        "problems": list(result.problems),
    }


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    setup = load_render_setup(paths, offline=args.offline)
    if setup is None:
        return EXIT_INPUT_ERRORS
    scripts = setup.project.scripts
    with tqdm(total=len(scripts), file=sys.stderr, unit="kịch bản", disable=None) as bar:

        def one_more(_: RenderResult) -> None:
            bar.update()

        summary = render_all(
            paths,
            setup.settings,
            scripts,
            reader=setup.reader,
            clock=setup.project.clock,
            workers=args.workers,
            prune=args.prune,
            progress=one_more,
        )
    sources = {script.id: script for script in scripts}
    if args.json:
        print_json(
            {
                "scripts": [_record(r, sources[r.script_id]) for r in summary.results],
                "summary": {o.value: summary.count(o) for o in RenderOutcome}
                | {"fell_back": summary.fell_back},
                "pruned": summary.pruned,
            }
        )
    else:
        _print_engine_problems(summary, sources)
        print_table(
            [("outcome", "Kết quả"), ("count", "Số kịch bản"), ("duration", "Thời lượng")],
            _summary_rows(summary),
        )
        if summary.pruned:
            print(f"Đã xóa {len(summary.pruned)} tệp âm thanh không còn kịch bản nào dùng.")
        if summary.failed:
            manifest = AudioManifest.load(paths)
            kept = sum(1 for r in summary.failed if manifest.entry(r.script_id))
            print(
                f"{len(summary.failed)} kịch bản không tạo được âm thanh lần này: "
                f"{kept} vẫn phát bản âm thanh trước, {len(summary.failed) - kept} không được "
                "lên lịch phát cho đến khi tạo được (xem `broadcast check`)."
            )
        if summary.manifest_problem:
            print(summary.manifest_problem, file=sys.stderr)
    return EXIT_OK if summary.ok else EXIT_INPUT_ERRORS
