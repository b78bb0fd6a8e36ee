"""Trạng thái: the technician sees whether the daemon runs, sends an announcement in two steps
over the real control channel to a real daemon on WAV files, and tests a zone."""

from __future__ import annotations

import html
import os
import time
import wave
from datetime import datetime

import pytest

from broadcast.daemon.status import (
    DaemonState,
    DaemonStatus,
    NextSegment,
    ZoneStatus,
    write_status,
)
from broadcast.playlog import PlayLog
from broadcast.playlog.store import WARD_TIMEZONE
from broadcast.web.accounts import Accounts, Role
from broadcast.web.pages.status import ANNOUNCE_FOLDER, prune_uploads
from tests.daemon.conftest import daemon_log  # noqa: F401 - the daemon's log handler, detached after
from tests.daemon.daemon_project import idle_ward, start_to_files, wait_for
from tests.web.console import ACCOUNTS, PASSWORD, browser, make_console_ward

TEXT = "Khẩn cấp: nước lên nhanh ở bờ sông, bà con di chuyển đồ đạc lên chỗ cao."


@pytest.fixture
def ward(tmp_path):
    return make_console_ward(tmp_path)


@pytest.fixture
def station(tmp_path, request):
    """An idle ward on WAV files with the console's accounts, its daemon running."""
    request.getfixturevalue("daemon_log")
    paths = idle_ward(tmp_path)
    accounts = Accounts.of(paths)
    for role, name in ACCOUNTS.items():
        accounts.add(name, role, PASSWORD, datetime(2026, 12, 1, 8, tzinfo=WARD_TIMEZONE))
    daemon = start_to_files(paths)
    try:
        yield paths
    finally:
        daemon.stop()


def test_with_the_daemon_down_the_page_says_so(ward):
    page = browser(ward, Role.TECHNICIAN).get("/status")
    assert page.status_code == 200
    assert "Chương trình phát không chạy." in page.text
    assert 'data-refresh="/status.json"' in page.text and "/static/status.js" in page.text
    refreshed = browser(ward, Role.TECHNICIAN).get("/status.json").json()
    assert refreshed["alive"] is False and "không chạy" in refreshed["html"]


def test_an_announcement_sent_through_the_page_reaches_the_daemon(station):
    technician = browser(station, Role.TECHNICIAN)
    page = technician.get("/status")
    assert "ĐANG CHẠY" in page.text and "Khu vực to-1" in page.text
    first = technician.post(
        "/status/announce", {"text": TEXT, "zones": ["to-1"], "priority": "emergency"}
    )
    assert first.status_code == 200
    shown = html.unescape(first.text)
    assert "Xác nhận phát thông báo khẩn cấp cho: <strong>Khu vực to-1</strong>" in shown
    with PlayLog.open_for_reading(station) as log:
        assert log.bulletins() == []  # nothing sent before the confirmation
    request_id = first.text.split('name="request_id" value="')[1].split('"')[0]
    second = technician.post(
        "/status/announce",
        {
            "confirm": "1",
            "request_id": request_id,
            "text": TEXT,
            "zones": ["to-1"],
            "priority": "emergency",
        },
    )
    assert second.status_code == 200, second.text
    assert "Đã nhận thông báo khẩn cấp" in html.unescape(second.text)
    found = wait_for(station, lambda rows: any(r.airing.bulletin_id for r in rows))
    aired = next(r for r in found if r.airing.bulletin_id)
    assert aired.airing.zone == "to-1"
    with PlayLog.open_for_reading(station) as log:
        (bulletin,) = log.bulletins()
    assert bulletin.sender == ACCOUNTS[Role.TECHNICIAN]
    assert bulletin.origin.startswith("trang quản lý từ testclient")
    assert bulletin.request_id == request_id


def _uploaded(technician, zones: list[str], name: str = "thong-bao.txt") -> tuple[str, dict]:
    """A priority bulletin's file uploaded (the first step): the name it is kept under and
    the fields of the confirmation."""
    first = technician.post(
        "/status/announce",
        {"zones": zones, "priority": "priority"},
        files={"file": (name, TEXT.encode("utf-8"), "text/plain")},
    )
    assert first.status_code == 200, first.text
    saved = first.text.split('name="saved_file" value="')[1].split('"')[0]
    fields = {"confirm": "1", "saved_file": saved, "zones": zones, "priority": "priority"}
    fields["request_id"] = first.text.split('name="request_id" value="')[1].split('"')[0]
    return saved, fields


def test_an_uploaded_file_is_confirmed_then_aired(station):
    technician = browser(station, Role.TECHNICIAN)
    technician.get("/status")
    saved, fields = _uploaded(technician, ["moi-noi"], "../../thong-bao.txt")
    assert "/" not in saved and ".." not in saved
    second = technician.post("/status/announce", fields)
    assert "Đã nhận thông báo ưu tiên" in html.unescape(second.text)
    wait_for(station, lambda rows: sum(bool(r.airing.bulletin_id) for r in rows) == 2)


def test_a_zone_test_plays_the_tone_on_that_zone_only(ward, tmp_path):
    technician = browser(ward, Role.TECHNICIAN)
    heard = tmp_path / "heard"
    technician.client.app.state.zone_test_sink = f"file:{heard}"
    technician.get("/status")
    response = technician.post("/status/test-zone", {"zone": "tdp-1"})
    assert response.status_code == 200, response.text
    assert 'Đã phát thử khu vực "tdp-1" (Tổ dân phố 1)' in html.unescape(response.text)
    (wav,) = heard.rglob("*.wav")
    with wave.open(str(wav)) as sound:
        assert sound.getnframes() > 0


def test_with_the_daemon_running_the_zone_test_is_played_by_it(station):
    """The daemon holds the sound card: the page asks it, and it plays through its own sink
    (a WAV file here, as the daemon's sink writes it), the account named in its log."""
    technician = browser(station, Role.TECHNICIAN)
    technician.get("/status")
    response = technician.post("/status/test-zone", {"zone": "to-1"})
    assert response.status_code == 200, response.text
    shown = html.unescape(response.text)
    assert 'Đã phát thử khu vực "to-1" (Khu vực to-1)' in shown
    assert "Phát qua chương trình phát đang chạy." in shown
    (wav,) = (station.home / "heard").glob("*_to-1_phat-thu*.wav")
    with wave.open(str(wav)) as sound:
        assert sound.getnframes() > 48000
    log = (station.data_dir / "daemon.log").read_text(encoding="utf-8")
    assert f"{ACCOUNTS[Role.TECHNICIAN]} phát thử khu vực to-1" in log


def _aged(path, minutes):
    """``path`` as if last touched ``minutes`` ago."""
    then = time.time() - minutes * 60
    os.utime(path, (then, then))
    return path


def test_uploaded_files_go_once_the_daemon_will_not_read_them_again(ward):
    """The daemon reads an uploaded file when the bulletin is sent, and again only after a
    restart within BULLETIN_VALID (30 minutes): older ones are removed at the next visit."""
    folder = ward.data_dir / ANNOUNCE_FOLDER
    folder.mkdir(parents=True)
    old, recent = folder / "a1b2c3d4e5f6a7b8.docx", folder / "0123456789abcdef.txt"
    stranger = folder / "ghi-chu cua ai do.txt"  # not a name the page gives
    for path, minutes in ((old, 36), (recent, 20), (stranger, 600)):
        path.write_bytes(b"x")
        _aged(path, minutes)
    technician = browser(ward, Role.TECHNICIAN)
    assert technician.get("/status").status_code == 200
    assert sorted(p.name for p in folder.iterdir()) == [recent.name, stranger.name]
    _aged(recent, 40)
    technician.post("/status/announce", {"text": TEXT, "zones": ["tdp-1"]})  # the next one
    assert [p.name for p in folder.iterdir()] == [stranger.name]


def test_a_file_sent_after_a_long_look_is_kept_from_its_sending(station):
    """Confirmed 34 minutes after the upload: kept, counted from the sending, since a
    restart within 30 minutes of it reads the file again; aired all the same."""
    technician = browser(station, Role.TECHNICIAN)
    technician.get("/status")
    saved, fields = _uploaded(technician, ["to-1"])
    kept = _aged(station.data_dir / ANNOUNCE_FOLDER / saved, 34)
    second = technician.post("/status/announce", fields)
    assert "Đã nhận thông báo ưu tiên" in html.unescape(second.text)
    assert time.time() - kept.stat().st_mtime < 60
    assert prune_uploads(station) == [] and kept.exists()
    wait_for(station, lambda rows: any(r.airing.bulletin_id for r in rows))


def test_roles_and_csrf(ward):
    reviewer = browser(ward, Role.REVIEWER)
    reviewer.get("/logs")
    refused = reviewer.post("/status/announce", {"text": TEXT, "zones": ["tdp-1"]})
    assert refused.status_code == 403 and "không có quyền" in refused.text
    assert reviewer.post("/status/test-zone", {"zone": "tdp-1"}).status_code == 403
    editor = browser(ward, Role.EDITOR)
    assert editor.get("/status").status_code == 403
    assert editor.get("/status.json").status_code == 403
    technician = browser(ward, Role.TECHNICIAN)
    technician.get("/status")
    forged = technician.client.post("/status/announce", data={"text": TEXT, "zones": ["tdp-1"]})
    assert forged.status_code == 403 and "CSRF" in forged.text
    stranger = browser(ward, None).get("/status.json")
    assert stranger.status_code == 303


def test_an_announcement_with_the_daemon_down_says_it_was_not_sent(ward):
    technician = browser(ward, Role.TECHNICIAN)
    technician.get("/status")
    fields = {"text": TEXT, "zones": ["Tổ dân phố 1"], "priority": "priority"}
    first = technician.post("/status/announce", fields)
    assert "Xác nhận phát thông báo ưu tiên" in first.text
    request_id = first.text.split('name="request_id" value="')[1].split('"')[0]
    second = technician.post(
        "/status/announce", {**fields, "confirm": "1", "request_id": request_id}
    )
    assert second.status_code == 502
    assert "Không gửi được thông báo" in html.unescape(second.text)


def test_bad_announcements_are_refused_with_why(ward):
    technician = browser(ward, Role.TECHNICIAN)
    technician.get("/status")
    no_zone = technician.post("/status/announce", {"text": TEXT})
    assert no_zone.status_code == 400 and "Xác nhận" not in no_zone.text
    program = technician.post(
        "/status/announce",
        {"zones": ["tdp-1"]},
        files={"file": ("chuong-trinh.exe", b"MZ\x00", "application/octet-stream")},
    )
    assert program.status_code == 400
    assert "không dùng được" in html.unescape(program.text)
    assert not list((ward.data_dir / "web-announcements").glob("*.exe"))
    markup = technician.post(
        "/status/announce", {"text": "<script>alert(1)</script>", "zones": ["tdp-1"]}
    )
    assert "<script>alert(1)</script>" not in markup.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup.text


def test_the_last_status_of_a_stopped_daemon_is_shown_read_only_and_escaped(ward):
    then = datetime(2026, 12, 1, 5, 59, tzinfo=WARD_TIMEZONE)
    zone = ZoneStatus("tdp-1", "Tổ dân phố 1", "USB Audio", (1,), None, None, False, True, False)
    title = "<script>alert(1)</script>"
    write_status(
        ward,
        DaemonStatus(
            pid=2**22 + 12345,  # no such process: the daemon is gone
            home=str(ward.home),
            started_at=then,
            heartbeat_at=then,
            state=DaemonState.RUNNING,
            sink="sound",
            scripts=2,
            input_problems=(),
            playing=(),
            busy_zones=(),
            next={"tdp-1": (NextSegment(then, "Bản tin sáng", title, 30.0),)},
            devices=(zone,),
            alarms=(),
            recent_errors=(),
        ),
    )
    page = browser(ward, Role.TECHNICIAN).get("/status")
    assert "Chương trình phát không chạy." in page.text
    assert "trạng thái ghi lần cuối" in page.text and "01/12 05:59" in page.text
    assert title not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
