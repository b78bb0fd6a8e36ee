"""The tests that README.md and docs/ cite as proof exist: every ``tests/…`` path,
``file.py::test_name`` and backticked bare ``test_name``. Tests move (``tests/playback/`` became
``tests/daemon/`` and ``tests/sinks/``); a doc pointing at a test that is gone proves nothing.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

PATH = re.compile(r"(?<![\w/])(tests/[\w/.-]*\w)(?:::(\w+))?")  # tests/x.py::name, tests/x
FILE_NAME = re.compile(r"(?<![\w/])(test_\w+\.py)::(\w+)")  # test_x.py::name, file by name
NAME = re.compile(r"(test_\w+)(?:\[[^\]]*\])?")  # a whole span: test_name or test_name[case]


@cache
def _defined(path: Path) -> frozenset[str]:
    """Functions and classes of a test module, methods included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    kinds = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    return frozenset(node.name for node in ast.walk(tree) if isinstance(node, kinds))


@cache
def _test_files() -> tuple[Path, ...]:
    return tuple(sorted((ROOT / "tests").rglob("*.py")))


def _stale(text: str) -> list[str]:
    """What a document names under tests/ that is not there."""
    problems = []
    for path, name in PATH.findall(text):
        target = ROOT / path
        if not target.exists():
            problems.append(f"{path}: no such file or folder")
        elif name and name not in _defined(target):
            problems.append(f"{path}::{name}: {path} defines no {name}")
    for file_name, name in FILE_NAME.findall(text):
        if not any(f.name == file_name and name in _defined(f) for f in _test_files()):
            problems.append(f"{file_name}::{name}: no such test under tests/")
    for span in re.findall(r"`([^`]+)`", text.replace("```", "\n")):  # fences are not spans
        whole = NAME.fullmatch(span)
        if whole and not any(whole[1] in _defined(f) for f in _test_files()):
            problems.append(f"`{span}`: no such test under tests/")
    return problems


def test_every_test_the_docs_cite_exists():
    stale = [
        f"{doc.relative_to(ROOT)}: {problem}"
        for doc in DOCS
        for problem in _stale(doc.read_text(encoding="utf-8"))
    ]
    assert not stale, "docs cite tests that do not exist:\n" + "\n".join(stale)
