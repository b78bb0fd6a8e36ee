"""``priority_min`` of a program accepts the same words as a script's ``priority``."""

import pytest

from broadcast.config.model import SelectionSegment
from broadcast.scripts.model import Priority

PROGRAM = """
programs:
  - id: tin
    name: Bản tin
    segments:
      - scripts: {{priority_min: {word}}}
"""


@pytest.mark.parametrize(
    ("word", "priority"),
    [("khẩn", Priority.EMERGENCY), ("Cao", Priority.PRIORITY), ("binh thuong", Priority.NORMAL)],
)
def test_vietnamese_words_name_the_priority(parse, word, priority):
    (segment,) = parse(PROGRAM.format(word=word)).programs["tin"].segments
    assert isinstance(segment, SelectionSegment) and segment.priority_min is priority


def test_a_wrong_word_lists_every_accepted_one(problems):
    assert problems(PROGRAM.format(word="gấp")) == [
        (
            6,
            "bad_priority",
            'mức ưu tiên "gấp" không hợp lệ; viết normal (thông thường, bình thường, thường, '
            "thấp), priority (ưu tiên, cao) hoặc emergency (khẩn cấp, khẩn)",
        )
    ]
