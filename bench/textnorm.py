"""Text normalization speed: characters per second on one core over a corpus of at least 1 MB.

The corpus is built from the sample scripts in scripts_vi/ (plain-text and Markdown files),
or from the development set's inputs when that folder has none. Target: 200,000 chars/s.

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
    if texts:
        return texts, f"{len(texts)} scripts in {paths.scripts_dir}"
    lines = DEVSET.read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[0] for line in lines], f"{len(lines)} dev-set inputs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="project folder (default: current folder)")
    args = parser.parse_args()
    texts, source = sample_texts(ProjectPaths.resolve(args.home))
    one_round = "\n".join(texts)
    corpus = "\n".join([one_round] * (CORPUS_CHARS // len(one_round) + 1))
    lexicon = Lexicon()
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


if __name__ == "__main__":
    main()
