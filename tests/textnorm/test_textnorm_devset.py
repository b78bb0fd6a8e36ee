"""The public development set: realistic ward-announcement lines and their spoken forms."""

from pathlib import Path

import pytest

from broadcast.textnorm import normalize

DEVSET = Path(__file__).with_name("devset.tsv")


def _pairs() -> list[tuple[int, str, str]]:
    pairs = []
    for number, line in enumerate(DEVSET.read_text(encoding="utf-8").splitlines(), start=1):
        written, spoken = line.split("\t")
        pairs.append((number, written, spoken))
    return pairs


PAIRS = _pairs()


def test_devset_is_large_and_well_formed():
    assert len(PAIRS) >= 200
    assert len({written for _, written, _ in PAIRS}) == len(PAIRS)


@pytest.mark.parametrize(("number", "written", "spoken"), PAIRS, ids=[str(p[0]) for p in PAIRS])
def test_devset_line(number, written, spoken):
    assert normalize(written) == spoken


def test_devset_expected_forms_are_already_spoken():
    # What the set expects is itself final: normalizing it again must change nothing.
    for _, _, spoken in PAIRS:
        assert normalize(spoken) == spoken
