"""One date rule and one wording for script fields, ``schedules.yaml`` and command arguments."""

from __future__ import annotations

from datetime import date

import pytest

from broadcast import yamlsource
from broadcast.diagnostics import InputError
from broadcast.scripts.dates import date_from_text, located_date


@pytest.mark.parametrize("text", ["31/12/2026", "31.12.2026", "31-12-2026", "2026-12-31"])
def test_day_first_and_iso_are_the_same_day(text):
    assert date_from_text(f" {text} ") == date(2026, 12, 31)


def test_a_date_shape_without_such_a_day_is_an_error_not_a_non_date():
    assert date_from_text("hôm nay") is None
    with pytest.raises(ValueError):
        date_from_text("31/02/2026")


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("31/02/2026", 'ngày valid_until "31/02/2026" không tồn tại'),
        ("hôm nay", 'ngày valid_until "hôm nay" không đúng dạng ngày/tháng/năm (ví dụ 31/12/2026)'),
        ("[1, 2]", "ngày valid_until phải viết dạng ngày/tháng/năm, ví dụ 31/12/2026"),
    ],
)
def test_a_bad_date_names_what_was_written_and_its_line(written, message):
    root = yamlsource.parse(f"title: A\nvalid_until: {written}\n", "a.yaml")
    with pytest.raises(InputError) as caught:
        located_date(root.mapping()["valid_until"], "ngày valid_until")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.file, diagnostic.line, diagnostic.message) == ("a.yaml", 2, message)
