"""The public development set: realistic ward-announcement lines and their spoken forms.

One pair a line: written text, a tab, the spoken form; an optional third column names the
category of a reading that once misled listeners (phone, file_code, place, time, quarter,
loanword, slash, money, per, multiply, ratio, title_dash, list_marker, abbreviation,
citation, issuer, leading_zero, web, impossible), so a regression shows which category it
broke."""

from pathlib import Path

import pytest

from broadcast.textnorm import normalize

DEVSET = Path(__file__).with_name("devset.tsv")


CATEGORIES = {
    "phone", "file_code", "place", "time", "quarter", "loanword", "slash",
    "money", "per", "multiply", "ratio", "title_dash", "list_marker", "abbreviation",
    "citation", "issuer", "leading_zero", "web", "impossible",
}  # fmt: skip


def _rows() -> list[list[str]]:
    return [line.split("\t") for line in DEVSET.read_text(encoding="utf-8").splitlines()]


def _pairs() -> list[tuple[int, str, str]]:
    return [(number, row[0], row[1]) for number, row in enumerate(_rows(), start=1)]


PAIRS = _pairs()


def test_devset_is_large_and_well_formed():
    assert len(PAIRS) >= 200
    for row in _rows():
        assert len(row) in (2, 3) and (len(row) == 2 or row[2] in CATEGORIES), row
    assert len({written for _, written, _ in PAIRS}) == len(PAIRS)


@pytest.mark.parametrize(("number", "written", "spoken"), PAIRS, ids=[str(p[0]) for p in PAIRS])
def test_devset_line(number, written, spoken):
    assert normalize(written) == spoken


def test_devset_expected_forms_are_already_spoken():
    # What the set expects is itself final: normalizing it again must change nothing.
    for _, _, spoken in PAIRS:
        assert normalize(spoken) == spoken
