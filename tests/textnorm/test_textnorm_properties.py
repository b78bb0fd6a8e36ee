"""Properties over arbitrary text: the normalizer never fails the engines downstream."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from broadcast.textnorm import explain, normalize, spoken_segments
from broadcast.textnorm.letters import VIETNAMESE_LOWER

OUTPUT = re.compile(rf"[{VIETNAMESE_LOWER} ,.;:?!\n]*")

# Pieces of real announcements, glued at random: numbers, dates, codes, context words.
_PIECES = [
    *"0123456789",
    *" .,;:/-–%&()\"'°@+x\n",
    *"hđgmkAIVXCDĐUNQTabcdeêôươ²½①٣",
    "UBND", "CCHC", "VNeID", "Thứ ", "thứ ", "khóa ", "Quý ", "mức độ ", "số ", "ngày ",
    "tháng ", "gọi ", "tài khoản ", "v.v.", "TP.", "b/c", "km", "đồng", "ha", "www.", ".vn",
    "gov", "@gmail.com", "https://", " - ", "...", "…",
]  # fmt: skip
announcement_like = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)
any_text = st.one_of(st.text(), announcement_like)
# Text whose characters are their own compatibility form, so columns map one to one.
column_safe = st.one_of(
    announcement_like.filter(lambda t: "½" not in t),
    st.text(alphabet=st.sampled_from(list("0123456789 .,/-:%hABCmộtđồng\n"))),
)


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_output_alphabet_lines_and_idempotence(text):
    spoken = normalize(text)
    assert OUTPUT.fullmatch(spoken)
    assert spoken.count("\n") == text.count("\n")
    assert normalize(spoken) == spoken


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_segments_are_the_spoken_text(text):
    assert "".join(s.text for s in spoken_segments(text)) == normalize(text)


@settings(max_examples=300, deadline=None)
@given(column_safe)
def test_every_digit_is_consumed_by_a_listed_rewrite(text):
    assert not any(c.isdigit() for c in normalize(text))
    rewrites = explain(text)
    for number, line in enumerate(text.split("\n"), start=1):
        covered = set()
        for r in rewrites:
            if r.line == number:
                covered.update(range(r.column - 1, r.column - 1 + len(r.original)))
        digits = {i for i, c in enumerate(line) if c.isdigit()}
        assert digits <= covered, (line, digits - covered)
