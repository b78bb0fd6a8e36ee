"""Vietnamese text normalization for speech: administrative text in, spoken words out.

Every speech engine mispronounces raw text ("50.000", "XII", "17h30", "UBND"), so engines only
ever receive what this stage returns: lowercase Vietnamese words, spaces and pauses.
"""

from broadcast.textnorm.doubts import ReadingDoubt, reading_doubts
from broadcast.textnorm.explain import Rewrite, explain
from broadcast.textnorm.lexicon import Lexicon, load_lexicon
from broadcast.textnorm.numbers import Region
from broadcast.textnorm.pipeline import SpokenSegment, normalize, spoken_segments

__all__ = [
    "Lexicon",
    "ReadingDoubt",
    "Region",
    "Rewrite",
    "SpokenSegment",
    "explain",
    "load_lexicon",
    "normalize",
    "reading_doubts",
    "spoken_segments",
]
