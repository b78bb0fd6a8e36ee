"""What a text script says, as spoken words: title and paragraphs, each cut into sentences.

Engines receive one sentence at a time, so the configured pauses fall exactly at sentence and
paragraph breaks whatever pauses the engine itself would make.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from broadcast.media.files import atomic_write
from broadcast.paths import ProjectPaths
from broadcast.tts.engine import Piece, SpokenPiece
from broadcast.tts.phrases import Sentence, split_sentences

TextReader = Callable[[str], Sequence[SpokenPiece]]  # written text -> normalized segments


@dataclass(frozen=True)
class Reading:
    title: tuple[Sentence, ...]
    paragraphs: tuple[tuple[Sentence, ...], ...]

    def fingerprint(self) -> list[object]:
        """The normalized words and their structure, for the cache key."""

        def spoken(sentences: tuple[Sentence, ...]) -> list[list[str]]:
            return [[p.text for p in sentence] for sentence in sentences]

        return [spoken(self.title), [spoken(p) for p in self.paragraphs]]

    def to_json(self) -> list[object]:
        def pieces(sentences: tuple[Sentence, ...]) -> list[list[list[object]]]:
            return [[[p.text, p.keep_together] for p in sentence] for sentence in sentences]

        return [pieces(self.title), [pieces(p) for p in self.paragraphs]]

    @classmethod
    def from_json(cls, data: list) -> Reading:
        def sentences(items: list) -> tuple[Sentence, ...]:
            return tuple(tuple(Piece(text, bool(keep)) for text, keep in s) for s in items)

        title, paragraphs = data
        return cls(sentences(title), tuple(sentences(p) for p in paragraphs))

    @property
    def characters(self) -> int:
        sentences = [*self.title, *(s for p in self.paragraphs for s in p)]
        return sum(len(piece.text) for sentence in sentences for piece in sentence)


def read_text(title: str, body: str, reader: TextReader) -> Reading:
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    return Reading(
        title=tuple(split_sentences(reader(title))) if title.strip() else (),
        paragraphs=tuple(s for s in (tuple(split_sentences(reader(p))) for p in paragraphs) if s),
    )


class Normalizer:
    """The project's normalizer (numbers, dates, abbreviations read out) with its lexicon.

    ``identity`` changes whenever the output could: region, lexicon file or normalizer code.
    Raises ``InputError`` when ``lexicon.yaml`` has bad entries.
    """

    def __init__(self, paths: ProjectPaths, region: str):
        from broadcast import textnorm  # imported on use: engines and assembly do not need it

        self._textnorm = textnorm
        self._lexicon = textnorm.load_lexicon(paths)
        self._region = textnorm.Region(region)
        parts = [region, _digest_of_files([paths.lexicon_file])]
        package = Path(textnorm.__file__).parent
        parts.append(
            _digest_of_files(sorted(package.glob("*.py")) + sorted(package.glob("*.yaml")))
        )
        self.identity = hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def __call__(self, text: str) -> Sequence[SpokenPiece]:
        return self._textnorm.spoken_segments(text, lexicon=self._lexicon, region=self._region)


def _digest_of_files(files: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode())
        if file.is_file():
            digest.update(file.read_bytes())
    return digest.hexdigest()


class ReadingMemo:
    """Readings of unchanged scripts from the last run, so a warm ``render`` of a thousand
    scripts does not normalize a million and a half characters again just to find its cache
    keys. Valid only for the same normalizer ``identity``; written atomically."""

    FILE_NAME = "readings.json"

    def __init__(self, cache_dir: Path, reader: TextReader, identity: str):
        self.file = cache_dir / self.FILE_NAME
        self.reader = reader
        self.identity = identity
        self._known: dict[str, list] = {}
        self._used: dict[str, list] = {}
        with contextlib.suppress(OSError, ValueError):  # no memo yet, or damaged: read anew
            self._known = json.loads(self.file.read_text(encoding="utf-8"))

    def read(self, title: str, body: str) -> Reading:
        key = hashlib.sha256("\0".join([self.identity, title, body]).encode()).hexdigest()
        stored = self._known.get(key)
        if isinstance(stored, list) and len(stored) == 2:
            reading = Reading.from_json(stored)
        else:
            reading = read_text(title, body, self.reader)
        self._used[key] = reading.to_json()
        return reading

    def save(self) -> None:
        with atomic_write(self.file) as handle:
            handle.write(json.dumps(self._used, ensure_ascii=False).encode("utf-8"))


def reading_function(
    paths: ProjectPaths, region: str, reader: TextReader | None
) -> tuple[Callable[[str, str], Reading], ReadingMemo | None]:
    """How a run turns title and body into a ``Reading``: through the memo when the reader is
    the project's normalizer (its identity is known), else by reading every time."""
    reader = reader or Normalizer(paths, region)
    if isinstance(reader, Normalizer):
        memo = ReadingMemo(paths.audio_cache_dir, reader, reader.identity)
        return memo.read, memo
    return partial(read_text, reader=reader), None
