"""``broadcast demo``: the main job on the project folder, end to end, ending by itself.

Check the scripts and the timetable, render the audio offline, show today's plan, air a
rehearsal of today's programs (slots moved to start within seconds, each item cut to a short
excerpt) and print its log. The rehearsal goes into WAV files under ``demo_out/`` unless the
technician asks for the loudspeakers (``--to-speakers``): on the broadcast PC a demo must never
sound in the street by surprise — nor, even when asked, inside the quiet hours (``run
--rehearsal`` holds those items back). The rehearsal keeps its play log in ``demo_out/`` so
the ward's real log stays clean.
"""

from __future__ import annotations

import argparse
import shutil

from broadcast.cli.project import load_project
from broadcast.paths import ProjectPaths

ORDER = 1
DEMO_FOLDER = "demo_out"
WAV_FOLDER = "wav"  # under DEMO_FOLDER: the rehearsal's sound unless --to-speakers
EXCERPT_SECONDS = 3.0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="chạy thử toàn bộ quy trình trên mẫu của thư mục dự án",
        description="Chạy thử toàn bộ quy trình: kiểm tra kịch bản và lịch phát, tạo âm thanh "
        "(không cần mạng), xem lịch phát hôm nay, phát diễn tập các chương trình hôm nay "
        "(dời giờ để bắt đầu ngay, mỗi bài phát vài giây đầu) rồi in nhật ký phát. Mặc định "
        "buổi diễn tập chỉ ghi âm thanh ra tệp WAV trong demo_out/wav/, không phát ra loa.",
    )
    parser.add_argument(
        "--to-speakers",
        action="store_true",
        help="air the rehearsal through the configured sound cards (default: WAV files only); "
        "inside the quiet hours nothing sounds unless --ignore-quiet-hours",
    )
    parser.add_argument(
        "--ignore-quiet-hours",
        action="store_true",
        help="with --to-speakers, play on the loudspeakers even inside the quiet hours",
    )
    parser.set_defaults(handler=run_demo)


def _heading(text: str) -> None:
    print(f"\n=== {text} ===", flush=True)


def _sound_notice(paths: ProjectPaths) -> None:
    """Say plainly where the rehearsal's sound will go: asked of the sink ``run`` will use."""
    from broadcast.sinks.protocol import ZoneSpeakers
    from broadcast.sinks.spec import FALLBACK_FOLDER, station_sink

    project = load_project(paths)
    if project is None:
        return  # ``run`` says why it cannot start
    speakers = list(ZoneSpeakers.all_from(project.config.zones).values())
    answers = station_sink(None, paths).health(speakers)
    to_files = [h for h in answers if h.to_file]
    silent = [h for h in answers if not h.playable]
    if to_files:
        folder = paths.relative(paths.data_dir / FALLBACK_FOLDER)
        print(
            "CHÚ Ý: không phát ra loa được ở "
            + ", ".join(f"{h.zone_id} ({h.problem})" for h in to_files)
            + f". Âm thanh của các khu vực này được ghi ra tệp WAV trong {folder}/.",
            flush=True,
        )
    for health in silent:
        print(f"CHÚ Ý: khu vực {health.zone_id} không phát được: {health.problem}.", flush=True)
    if not to_files and not silent:
        print("Âm thanh phát ra card âm thanh đã cấu hình cho từng khu vực.", flush=True)


def _command(paths: ProjectPaths, *argv: str) -> int:
    """Run another subcommand exactly as typed on the command line, on ``paths``."""
    from broadcast.cli import build_parser

    args = build_parser().parse_args(list(argv))
    return int(args.handler(args, paths))


def run_demo(args: argparse.Namespace, paths: ProjectPaths) -> int:
    from broadcast.daemon.rehearsal import rehearsal_paths  # the audio stack: only here

    statuses = []
    _heading("1. Kiểm tra kịch bản và lịch phát")
    statuses.append(_command(paths, "check"))
    _heading("2. Tạo âm thanh (giọng đọc offline, chuẩn hóa âm lượng)")
    statuses.append(_command(paths, "render", "--offline"))
    _heading("3. Lịch phát hôm nay")
    statuses.append(_command(paths, "plan"))
    _heading("4. Phát diễn tập các chương trình hôm nay")
    rehearsal = paths.with_data_dir(paths.home / DEMO_FOLDER / "data")
    wav_folder = paths.home / DEMO_FOLDER / WAV_FOLDER
    shutil.rmtree(rehearsal.data_dir, ignore_errors=True)
    shutil.rmtree(wav_folder, ignore_errors=True)
    argv = ["run", "--offline", "--no-render", "--rehearsal", "--excerpt", str(EXCERPT_SECONDS)]
    if args.ignore_quiet_hours:
        argv.append("--ignore-quiet-hours")
    if args.to_speakers:
        _sound_notice(rehearsal_paths(rehearsal))
    else:
        print(
            "Buổi diễn tập KHÔNG phát ra loa: âm thanh được ghi ra tệp WAV trong "
            f"{paths.relative(wav_folder)}/. Muốn phát ra loa: broadcast demo --to-speakers",
            flush=True,
        )
        argv += ["--sink", f"file:{wav_folder}"]
    statuses.append(_command(rehearsal, *argv))
    if not args.to_speakers:
        written = len(list(wav_folder.glob("*.wav")))
        print(f"Đã ghi {written} tệp WAV vào {paths.relative(wav_folder)}/.", flush=True)
    _heading("5. Nhật ký phát của buổi diễn tập")
    statuses.append(_command(rehearsal_paths(rehearsal), "logs"))
    return max(statuses)
