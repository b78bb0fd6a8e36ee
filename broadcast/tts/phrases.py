"""Cutting spoken text into sentences (for pauses) and into short phrases (for gTTS).

Cuts happen only where a listener expects a breath: after pause punctuation, or between
spoken segments. The words of one number, date or code (``keep_together``) are never split,
because a phrase boundary inside "hai nghìn không trăm hai mươi ba" is heard as two numbers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from broadcast.tts.engine import Piece, SpokenPiece

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_PAUSE_END = re.compile(r"(?<=[.!?…,;:])(?=\s)")  # zero-width: the space stays with the text

_PAUSE_MARKS = set(".!?…,;:")

Sentence = tuple[Piece, ...]


def _as_piece(piece: SpokenPiece) -> Piece:
    return Piece(piece.text, piece.keep_together)


def split_sentences(pieces: Sequence[SpokenPiece]) -> list[Sentence]:
    """Sentences of ``pieces``; a sentence ends at . ! ? or … outside a kept-together segment."""
    sentences: list[Sentence] = []
    current: list[Piece] = []
    for piece in pieces:
        if piece.keep_together:
            current.append(_as_piece(piece))
            continue
        parts = _SENTENCE_END.split(piece.text)
        for index, part in enumerate(parts):
            if part:
                current.append(Piece(part))
            if index < len(parts) - 1:  # a sentence ended after this part
                sentences.append(tuple(current))
                current = []
    if current:
        sentences.append(tuple(current))
    return [s for s in sentences if "".join(p.text for p in s).strip()]


@dataclass(frozen=True)
class _Unit:
    text: str
    ends_at_pause: bool  # a good place to end a phrase (after , ; : . ! ? …)


@dataclass(frozen=True)
class Phrases:
    phrases: tuple[str, ...]
    cut_at_spaces: tuple[str, ...]  # segments that were too long and had to be cut mid-segment


def _units(pieces: Sequence[SpokenPiece]) -> list[_Unit]:
    units = []
    for piece in pieces:
        if piece.keep_together:
            units.append(_Unit(piece.text, ends_at_pause=False))
            continue
        for part in _PAUSE_END.split(piece.text):
            if part:
                units.append(_Unit(part, ends_at_pause=part.rstrip()[-1:] in _PAUSE_MARKS))
    return units


def _words_within(text: str, limit: int) -> list[str]:
    """Cut ``text`` at spaces into runs of at most ``limit`` characters (a word longer than
    ``limit`` stays whole: there is no better place to cut it)."""
    runs: list[str] = []
    for word in text.split():
        if runs and len(runs[-1]) + 1 + len(word) <= limit:
            runs[-1] += " " + word
        else:
            runs.append(word)
    return runs


def cut_phrases(pieces: Sequence[SpokenPiece], limit: int = 100) -> Phrases:
    """Phrases of at most ``limit`` characters, cut at pauses and segment boundaries only.

    A single segment longer than ``limit`` is the one case cut at spaces; it is reported in
    ``cut_at_spaces`` so the caller can say so.
    """
    phrases: list[str] = []
    forced: list[str] = []
    pending: list[_Unit] = []

    def pending_text(units: Sequence[_Unit]) -> str:
        return " ".join("".join(u.text for u in units).split())

    def flush() -> None:
        nonlocal pending
        # Prefer to end at the last pause inside the phrase and carry the rest forward.
        cut = max((i for i, u in enumerate(pending) if u.ends_at_pause), default=None)
        if cut is not None:
            phrases.append(pending_text(pending[: cut + 1]))
            pending = pending[cut + 1 :]
        else:
            phrases.append(pending_text(pending))
            pending = []

    for unit in _units(pieces):
        if len(pending_text([unit])) > limit:
            while pending:
                flush()
            forced.append(unit.text.strip())
            phrases.extend(_words_within(unit.text, limit))
            continue
        while pending and len(pending_text([*pending, unit])) > limit:
            flush()
        pending.append(unit)
    while pending:
        flush()
    return Phrases(tuple(p for p in phrases if p), tuple(forced))
