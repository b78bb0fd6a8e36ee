"""Lịch phát: the week as a grid per zone from the real planner, with the scripts left out."""

from __future__ import annotations

import html

import pytest

from broadcast.web.accounts import Role
from tests.approval.ward import HEAD, MD_ID, TXT_ID, cli
from tests.web.console import browser, make_console_ward

WEEK = "/plan?from=2026-12-07"


@pytest.fixture
def ward(tmp_path):
    return make_console_ward(tmp_path)


def test_the_grid_shows_approved_scripts_per_zone_and_lists_the_left_out_ones(ward):
    assert cli(ward, "approve", MD_ID, "--by", HEAD) == 0
    page = browser(ward, Role.EDITOR).get(WEEK)
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "T2 07/12/2026" in text and "CN 13/12/2026" in text  # seven days
    assert "<th>Tổ dân phố 1</th>" in text  # a column per zone
    assert "Bản tin sáng" in text and "06:00:00" in text
    grid = text[text.index("T2 07/12/2026") :]
    assert "Đăng ký hộ kinh doanh" in grid  # approved: on the air
    left = text[text.index("vì chưa duyệt") : text.index("T2 07/12/2026")]
    assert "Bộ phận một cửa" in left and TXT_ID in left  # not approved: left out, with why
    assert "Đăng ký hộ kinh doanh" not in left


def test_a_title_with_markup_is_shown_as_text(ward):
    script = ward.scripts_dir / "2026-12" / "ho-kinh-doanh.md"
    script.write_text(
        script.read_text(encoding="utf-8").replace(
            "title: Đăng ký hộ kinh doanh", 'title: "<script>alert(1)</script>"'
        ),
        encoding="utf-8",
    )
    page = browser(ward, Role.REVIEWER).get(WEEK)
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_twenty_zones_stay_in_one_scrolling_table(ward):
    assert cli(ward, "approve", MD_ID, "--by", HEAD) == 0
    schedules = ward.schedules_file.read_text(encoding="utf-8")
    zones = "".join(
        f'  - {{id: z-{n}, name: Khu {n}, output: {{device: "USB Audio", channels: [1]}}}}\n'
        for n in range(2, 21)
    )
    ward.schedules_file.write_text(
        schedules.replace("zones:\n", "zones:\n" + zones, 1), encoding="utf-8"
    )
    page = browser(ward, Role.TECHNICIAN).get(WEEK)
    assert page.status_code == 200
    assert page.text.count("<th>Khu ") == 7 * 19
    assert 'class="scroll"' in page.text


def test_a_stranger_is_sent_to_log_in(ward):
    response = browser(ward, None).get(WEEK)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
