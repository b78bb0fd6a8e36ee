"""Text normalization speed: characters per second on one core over a corpus of at least 1 MB.

Two corpora: the sample scripts in scripts_vi/ (plain-text and Markdown files; skipped when
that folder has none) and the whole development set's inputs (tests/textnorm/devset.tsv),
whose lines are also checked against their spoken forms, by category. Target: 200,000
chars/s on each.

    .venv/bin/python -m bench.textnorm [--home DIR]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from broadcast.paths import ProjectPaths
from broadcast.textnorm import Lexicon, normalize

CORPUS_CHARS = 1_000_000
DEVSET = Path(__file__).resolve().parent.parent / "tests" / "textnorm" / "devset.tsv"
TARGET = 200_000


def sample_texts(paths: ProjectPaths) -> tuple[list[str], str]:
    texts = []
    for file in sorted(paths.scripts_dir.rglob("*")):
        if file.suffix.lower() in (".txt", ".md") and file.is_file():
            try:
                texts.append(file.read_text(encoding="utf-8-sig"))
            except UnicodeDecodeError:
                continue  # legacy encodings are the ingestion stage's business
    return texts, f"{len(texts)} scripts in {paths.scripts_dir}"


def devset_rows() -> list[list[str]]:
    return [line.split("\t") for line in DEVSET.read_text(encoding="utf-8").splitlines()]


def measure(texts: list[str], source: str, lexicon: Lexicon) -> None:
    one_round = "\n".join(texts)
    corpus = "\n".join([one_round] * (CORPUS_CHARS // len(one_round) + 1))
    normalize(one_round, lexicon)  # warm the caches of compiled patterns, as a daemon would
    started = time.perf_counter()
    spoken = normalize(corpus, lexicon)
    elapsed = time.perf_counter() - started
    rate = len(corpus) / elapsed
    print(f"corpus: {len(corpus):,} characters from {source}")
    print(f"normalized in {elapsed:.2f} s -> {len(spoken):,} spoken characters")
    print(
        f"speed: {rate:,.0f} chars/s (target {TARGET:,}: {'met' if rate >= TARGET else 'MISSED'})"
    )


def devset_agreement(rows: list[list[str]], lexicon: Lexicon) -> None:
    """Lines read exactly as the set expects, in all and for each category of reading."""
    counts: dict[str, list[int]] = {}
    for row in rows:
        right = normalize(row[0], lexicon) == row[1]
        for key in ("all", *row[2:]):
            count = counts.setdefault(key, [0, 0])
            count[0] += right
            count[1] += 1
    print("dev set read as expected: " + ", ".join(f"{k} {r}/{n}" for k, (r, n) in counts.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="project folder (default: current folder)")
    args = parser.parse_args()
    lexicon = Lexicon()
    texts, source = sample_texts(ProjectPaths.resolve(args.home))
    if texts:
        measure(texts, source, lexicon)
    rows = devset_rows()
    measure([row[0] for row in rows], f"the {len(rows)} dev-set inputs", lexicon)
    devset_agreement(rows, lexicon)


if __name__ == "__main__":
    main()
