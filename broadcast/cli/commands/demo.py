"""``broadcast demo``: the main job on the bundled sample, end to end, ending by itself."""

from __future__ import annotations

import argparse

from broadcast.cli.commands import check, plan
from broadcast.paths import ProjectPaths

ORDER = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the main job on the project folder's sample",
        description="Chạy thử toàn bộ quy trình trên thư mục dự án: kiểm tra kịch bản và "
        "lịch phát, xem lịch phát hôm nay.",
    )
    parser.set_defaults(handler=run)


def _heading(text: str) -> None:
    print(f"\n=== {text} ===")


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    _heading("1. Kiểm tra kịch bản và lịch phát")
    status = check.run(argparse.Namespace(json=False), paths)
    _heading("2. Lịch phát hôm nay")
    today = argparse.Namespace(days=1, start=None, zone=None, json=False)
    return max(status, plan.run(today, paths))
