"""The unknown abbreviations of a text, as ``broadcast check`` reports them."""

from __future__ import annotations

from broadcast.textnorm import Lexicon, reading_doubts


def unknown_abbreviations(text: str, lexicon: Lexicon | None = None) -> list[str]:
    """What ``broadcast check`` warns the board will be spelled out letter by letter."""
    doubts = reading_doubts(text, lexicon)
    return [doubt.written for doubt in doubts if doubt.code == "unknown_abbreviation"]
