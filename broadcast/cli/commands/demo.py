"""``broadcast demo``: the main job on the bundled sample, end to end, ending by itself."""

from __future__ import annotations

import argparse

from broadcast.cli.commands import check
from broadcast.paths import ProjectPaths

ORDER = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="run the main job on the project folder's sample",
        description="Chạy thử toàn bộ quy trình trên thư mục dự án: kiểm tra kịch bản và "
        "lịch phát.",
    )
    parser.set_defaults(handler=run)


def _heading(text: str) -> None:
    print(f"\n=== {text} ===")


def run(args: argparse.Namespace, paths: ProjectPaths) -> int:
    _heading("1. Kiểm tra kịch bản và lịch phát")
    return check.run(argparse.Namespace(json=False), paths)
