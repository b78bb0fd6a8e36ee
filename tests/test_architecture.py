"""The import graph of ``broadcast/``: each package imports only packages below it in the
pipeline, and no two packages import each other, even lazily.

Every ``import`` statement counts, inside functions and under ``if TYPE_CHECKING:`` too: a lazy
import is still a dependency, and one that only shows up when that code path runs.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "broadcast"

# A package may import only packages of a lower rank; packages of one rank are independent.
RANKS = {
    "diagnostics": 0,
    "clock": 0,
    "paths": 0,
    "media": 0,
    "processes": 0,
    "yamlsource": 1,
    "clusters": 1,  # the wire contract of IP loudspeaker clusters: signing, messages, topics
    "scripts": 2,
    "textnorm": 2,
    "tts": 3,
    "config": 4,
    "audio": 5,
    "schedule": 6,
    "approval": 6,
    "sinks": 7,
    "playlog": 7,
    "control": 7,
    "daemon": 8,
    "receiver": 8,  # the program on an IP cluster's box (`broadcast receiver`)
    "report": 8,
    "views": 8,
    "web": 9,
    "cli": 10,
    "__main__": 11,
}
ROOT = "__init__"  # broadcast/__init__.py: everything below may read its __version__


@dataclass(frozen=True)
class Import:
    source: str  # the importing package
    target: str  # the imported package
    where: str  # file:line of the import statement

    def __str__(self) -> str:
        return f"{self.where} ({self.source} -> {self.target})"


def _package_of(path: Path) -> str:
    """``broadcast/tts/chain.py`` -> ``tts``; ``broadcast/paths.py`` -> ``paths``;
    ``broadcast/__init__.py`` -> ``__init__`` (ROOT)."""
    first = path.relative_to(PACKAGE).parts[0]
    return first.removesuffix(".py")


def _module_name(path: Path) -> list[str]:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _imported(node: ast.Import | ast.ImportFrom, path: Path) -> list[list[str]]:
    """The dotted names an import statement loads, made absolute."""
    if isinstance(node, ast.Import):
        return [alias.name.split(".") for alias in node.names]
    base = node.module.split(".") if node.module else []
    if node.level:  # relative: counted from the importing module's own package
        here = _module_name(path)
        package = here if path.name == "__init__.py" else here[:-1]
        base = package[: len(package) - (node.level - 1)] + base
    # `from broadcast import audio` loads the package broadcast.audio
    return [[*base, alias.name] for alias in node.names]


def _packages() -> set[str]:
    """Sub-packages and top-level modules of broadcast/, as found on disk."""
    modules = {path.stem for path in PACKAGE.glob("*.py")} - {ROOT}
    folders = {path.name for path in PACKAGE.iterdir() if path.is_dir() and any(path.rglob("*.py"))}
    return modules | folders


def _imports(packages: set[str]) -> list[Import]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = _package_of(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):  # every depth: function bodies, TYPE_CHECKING blocks
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for name in _imported(node, path):
                if name[0] != PACKAGE.name:
                    continue
                target = name[1] if len(name) > 1 and name[1] in packages else ROOT
                if target != source:
                    where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                    found.append(Import(source, target, where))
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the package graph as a path that ends where it starts, or None."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        for target in sorted(graph[node]):
            if cycle := visit(target, [*path, node]):
                return cycle
        done.add(node)
        return None

    for start in sorted(graph):
        if cycle := visit(start, []):
            return cycle
    return None


@pytest.fixture(scope="module")
def packages() -> set[str]:
    return _packages()


@pytest.fixture(scope="module")
def imports(packages) -> list[Import]:
    return _imports(packages)


def test_every_package_has_a_rank(packages):
    unranked = sorted(packages - RANKS.keys())
    assert not unranked, (
        f"broadcast/ has packages with no rank: {unranked}. Place each in RANKS in "
        f"{Path(__file__).name}, below every package that imports it."
    )
    assert not RANKS.keys() - packages, "RANKS names packages that no longer exist"


def test_a_package_imports_only_packages_of_lower_rank(imports):
    rank = {**RANKS, ROOT: -1}  # the root __init__ imports nothing of its own package
    upward = [
        f"{found.where}: {found.source} (rank {rank[found.source]}) imports {found.target} "
        f"(rank {rank[found.target]})"
        for found in imports
        if found.source in rank
        and found.target in rank  # unranked: the test above says so
        and rank[found.target] >= rank[found.source]
    ]
    assert not upward, (
        f"a package may import only packages of lower rank (RANKS in {Path(__file__).name}):\n"
        + "\n".join(upward)
    )


def test_no_cycle_between_packages(imports):
    graph: dict[str, set[str]] = {}
    first_seen: dict[tuple[str, str], Import] = {}
    for found in imports:
        graph.setdefault(found.source, set()).add(found.target)
        graph.setdefault(found.target, set())
        first_seen.setdefault((found.source, found.target), found)
    cycle = _cycle(graph)
    assert cycle is None, (
        "package cycle "
        + " -> ".join(cycle)
        + ", through:\n"
        + "\n".join(str(first_seen[edge]) for edge in pairwise(cycle))
    )
