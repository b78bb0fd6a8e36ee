"""Lịch phát is asked again and again while its inputs rarely change, so the console keeps the
weeks it planned; a change of any input (schedules.yaml, a script, an approval, a play in the
log, the audio manifest, the day) shows at the very next request."""

from __future__ import annotations

import html
from datetime import datetime

import pytest

from broadcast.audio.manifest import AudioManifest
from broadcast.playlog import Airing, Outcome, PlayLog
from broadcast.playlog.store import WARD_TIMEZONE
from broadcast.web.accounts import Role
from broadcast.web.pages import plan as plan_page
from tests.approval.ward import HEAD, MD_ID, TXT_ID, cli
from tests.web.console import browser, make_console_ward

WEEK = "/plan?from=2026-12-07"
MD_TITLE, TXT_TITLE = "Đăng ký hộ kinh doanh", "Bộ phận một cửa"


@pytest.fixture
def ward(tmp_path):
    """The console's ward with one script per airing, so fairness decides which airs first."""
    paths = make_console_ward(tmp_path)
    schedules = paths.schedules_file.read_text(encoding="utf-8")
    paths.schedules_file.write_text(
        schedules.replace("max_count: 5", "max_count: 1"), encoding="utf-8"
    )
    return paths


@pytest.fixture
def plans(monkeypatch):
    """How many times the page planned a week."""
    made: list[object] = []
    real = plan_page.plan_from

    def counted(*args, **kwargs):
        made.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(plan_page, "plan_from", counted)
    return made


def first_day(page) -> str:
    text = html.unescape(page.text)
    return text[text.index("T2 07/12/2026") : text.index("T3 08/12/2026")]


def test_the_same_inputs_are_planned_once_and_give_the_same_page(ward, plans):
    assert cli(ward, "approve", MD_ID, "--by", HEAD) == 0
    console = browser(ward, Role.EDITOR)
    first, again = console.get(WEEK), console.get(WEEK)
    assert first.status_code == again.status_code == 200
    assert first_day(first) == first_day(again) and MD_TITLE in first_day(again)
    assert len(plans) == 1


def test_an_approval_shows_at_the_next_request(ward, plans):
    console = browser(ward, Role.EDITOR)
    assert MD_TITLE not in first_day(console.get(WEEK))
    assert cli(ward, "approve", MD_ID, "--by", HEAD) == 0
    assert MD_TITLE in first_day(console.get(WEEK))
    assert len(plans) == 2


def test_a_play_in_the_log_changes_who_airs_first(ward, plans):
    for script_id in (MD_ID, TXT_ID):
        assert cli(ward, "approve", script_id, "--by", HEAD) == 0
    console = browser(ward, Role.EDITOR)
    # neither heard yet: the id decides, "ho-kinh-doanh" before "mot-cua"
    assert MD_TITLE in first_day(console.get(WEEK))
    at = datetime(2026, 12, 6, 6, 0, tzinfo=WARD_TIMEZONE)  # the day before the week
    with PlayLog.open(ward) as log:
        attempt = log.start_attempt(Airing("tdp-1", at, MD_TITLE, script_id=MD_ID), at)
        log.finish_attempt(attempt, Outcome.PLAYED, ended_at=at, aired_seconds=10)
    day = first_day(console.get(WEEK))
    assert TXT_TITLE in day and MD_TITLE not in day  # heard yesterday: the other one first
    assert len(plans) == 2


def test_a_change_to_schedules_yaml_shows_at_the_next_request(ward, plans):
    assert cli(ward, "approve", MD_ID, "--by", HEAD) == 0
    console = browser(ward, Role.EDITOR)
    assert "Bản tin sáng" in first_day(console.get(WEEK))
    schedules = ward.schedules_file.read_text(encoding="utf-8")
    ward.schedules_file.write_text(
        schedules.replace("name: Bản tin sáng", "name: Bản tin buổi sớm"), encoding="utf-8"
    )
    assert "Bản tin buổi sớm" in first_day(console.get(WEEK))


def test_a_changed_script_shows_at_the_next_request(ward, plans):
    assert cli(ward, "approve", MD_ID, "--by", HEAD) == 0
    console = browser(ward, Role.EDITOR)
    assert MD_TITLE in first_day(console.get(WEEK))
    script = ward.scripts_dir / "2026-12" / "ho-kinh-doanh.md"
    script.write_text(
        script.read_text(encoding="utf-8").replace(f"title: {MD_TITLE}", "title: Hộ kinh doanh"),
        encoding="utf-8",
    )
    page = html.unescape(console.get(WEEK).text)
    # the text changed since its approval: left out again, under its new title
    assert "Hộ kinh doanh" in page[page.index("vì chưa duyệt") : page.index("T2 07/12/2026")]
    assert MD_TITLE not in page


def test_a_failed_render_in_the_audio_manifest_shows_at_the_next_request(ward, plans):
    assert cli(ward, "approve", MD_ID, "--by", HEAD) == 0
    console = browser(ward, Role.EDITOR)
    assert MD_TITLE in first_day(console.get(WEEK))
    ward.audio_cache_dir.mkdir(parents=True, exist_ok=True)
    AudioManifest(ward.audio_cache_dir, failures={MD_ID: "không engine nào đọc được"}).save()
    assert MD_TITLE not in first_day(console.get(WEEK))  # no audio can be made: not planned


def test_another_week_is_planned_for_its_own_days(ward, plans):
    assert cli(ward, "approve", MD_ID, "--by", HEAD) == 0
    console = browser(ward, Role.EDITOR)
    assert "T2 07/12/2026" in console.get(WEEK).text
    later = html.unescape(console.get("/plan?from=2026-12-14").text)
    assert "T2 14/12/2026" in later and "T2 07/12/2026" not in later
    assert len(plans) == 2
