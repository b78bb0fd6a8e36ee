"""``broadcast render``: every valid script to loudness-normalized audio in ``audio_cache/``."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Any

from tqdm import tqdm

from broadcast.audio.batch import RenderSummary, render_all, render_script
from broadcast.audio.manifest import AudioManifest
from broadcast.audio.reading import Normalizer
from broadcast.audio.render import Outcome, RenderResult
from broadcast.cli import EXIT_INPUT_ERRORS, EXIT_OK
from broadcast.cli.commands.check import minutes_seconds
from broadcast.cli.output import print_diagnostics, print_json, print_table
from broadcast.clock import SystemClock
from broadcast.config import Config, load_config
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.scripts import Script, load_folder

ORDER = 30

OUTCOME_LABELS = {
    Outcome.RENDERED: "mới tạo",
    Outcome.CACHED: "lấy từ bộ nhớ đệm",
    Outcome.FAILED: "thất bại",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "render",
        help="tạo âm thanh cho mọi kịch bản hợp lệ",
        description="Đọc mọi kịch bản hợp lệ thành tệp âm thanh chuẩn độ lớn trong audio_cache/ "
        "(gTTS khi có mạng, espeak-ng khi không). Tệp không đổi thì không đọc lại.",
    )
    parser.add_argument("--prune", action="store_true", help="delete audio no script uses")
    parser.add_argument(
        "--offline", action="store_true", help="use only the engines that need no network"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--workers", type=int, default=None, metavar="N", help="processes (default: all CPUs)"
    )
    parser.set_defaults(handler=run)


@dataclass(frozen=True)
class Inputs:
    config: Config
    scripts: list[Script]
    reader: Normalizer


def load_inputs(paths: ProjectPaths, with_scripts: bool = True) -> Inputs | None:
    """Configuration, valid scripts and the normalizer with the project's lexicon; prints the
    problems (file and line) and returns ``None`` when something cannot be used."""
    try:
        config = load_config(paths)
        reader = Normalizer(paths, config.tts.region)
    except InputError as exc:
        print_diagnostics(exc.diagnostics)
        return None
    scripts = []
    if with_scripts:
        folder = load_folder(paths)
        print_diagnostics(folder.errors)
        scripts = folder.scripts
    return Inputs(config, scripts, reader)


def rendered_script(paths: ProjectPaths, script_id: str) -> tuple[Script, RenderResult] | None:
    """One script's audio, rendered now if needed (``preview``, ``export``); prints why and
    returns ``None`` when there is no such valid script or no engine could read it."""
    inputs = load_inputs(paths)
    if inputs is None:
        return None
    config = inputs.config
    script = next((s for s in inputs.scripts if s.id == script_id), None)
    if script is None:
        print(
            f'Không có kịch bản hợp lệ nào mã "{script_id}" (xem "broadcast check").',
            file=sys.stderr,
        )
        return None
    result = render_script(
        paths, config.tts, script, reader=inputs.reader, clock=SystemClock(config.timezone)
    )
    print_problems(result, script.source)
    if result.entry is None:
        print(f"{script.source}: không bộ đọc nào tạo được âm thanh.", file=sys.stderr)
        return None
    return script, result


def print_problems(result: RenderResult, source: str) -> None:
    """Why engines failed for one script, naming its file; a warning when a fallback read it."""
    label = "cảnh báo: " if result.entry is not None else ""
    for problem in result.problems:
        print(f"{source}: {label}{problem}", file=sys.stderr)


def _print_engine_problems(summary: RenderSummary, sources: dict[str, Script]) -> None:
    """Every reason for a script that failed; for fallbacks each distinct reason once (with the
    network down it is the same for every script)."""
    fallback_reasons: dict[str, int] = {}
    for result in summary.results:
        if result.outcome is Outcome.FAILED:
            print_problems(result, sources[result.script_id].source)
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
        for outcome in Outcome
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
    inputs = load_inputs(paths)
    if inputs is None:
        return EXIT_INPUT_ERRORS
    config, scripts = inputs.config, inputs.scripts
    with tqdm(total=len(scripts), file=sys.stderr, unit="kịch bản", disable=None) as bar:
        summary = render_all(
            paths,
            config.tts.offline() if args.offline else config.tts,
            scripts,
            reader=inputs.reader,
            clock=SystemClock(config.timezone),
            workers=args.workers,
            prune=args.prune,
            progress=lambda _: bar.update(),
        )
    sources = {script.id: script for script in scripts}
    if args.json:
        print_json(
            {
                "scripts": [_record(r, sources[r.script_id]) for r in summary.results],
                "summary": {o.value: summary.count(o) for o in Outcome}
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
