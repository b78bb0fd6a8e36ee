"""Logging in and out, sessions, CSRF and the slowed-down failures: the console's front door."""

from __future__ import annotations

import logging

import pytest

from broadcast.web import login
from broadcast.web.accounts import Accounts, Role
from tests.web.console import ACCOUNTS, PASSWORD, Browser, browser, make_console_ward


@pytest.fixture
def ward(tmp_path, monkeypatch):
    monkeypatch.setattr(login, "FAILURE_DELAY_SECONDS", 0.0)  # the delay itself: not waited
    return make_console_ward(tmp_path)


def test_every_page_but_login_sends_a_stranger_to_the_login_form(ward):
    stranger = browser(ward, None)
    for path in ("/", "/scripts", "/plan", "/status", "/logs", "/reports"):
        response = stranger.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login"), path
    assert stranger.get("/login").status_code == 200
    assert stranger.get("/static/style.css").status_code == 200


def test_login_sets_a_signed_http_only_same_site_cookie_and_logout_ends_it(ward):
    editor = Browser(ward, None)
    response = editor.login(ACCOUNTS[Role.EDITOR], PASSWORD)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert PASSWORD not in response.headers["set-cookie"]
    editor.get("/login")  # any page gives the token for the logout form
    assert editor.post("/logout").status_code == 303
    assert editor.get("/scripts").headers["location"].startswith("/login")


def test_a_forged_cookie_is_no_session(ward):
    intruder = Browser(ward, None)
    intruder.client.cookies.set("loa_phuong_session", "eyJhY2NvdW50IjogIlF14bqjbiBUcuG7iyJ9.x.y")
    assert intruder.get("/scripts").headers["location"].startswith("/login")


def test_a_login_without_the_csrf_token_is_refused(ward):
    client = Browser(ward, None).client
    client.get("/login")
    response = client.post("/login", data={"username": ACCOUNTS[Role.EDITOR], "password": PASSWORD})
    assert response.status_code == 403


def test_wrong_passwords_are_logged_without_the_password_and_then_refused_for_a_while(ward, caplog):
    guesser = Browser(ward, None)
    name = ACCOUNTS[Role.ADMIN]
    with caplog.at_level(logging.WARNING, logger="broadcast.web"):
        for attempt in range(login.FAILURES_ALLOWED):
            response = guesser.login(name, f"doan-sai-{attempt}")
            assert response.status_code == 401
            assert "Sai tên đăng nhập hoặc mật khẩu." in response.text
        blocked = guesser.login(name, PASSWORD)  # even the right one, until the window passes
    assert blocked.status_code == 429 and "thử lại sau 15 phút" in blocked.text
    assert sum(r.event == "login_failed" for r in caplog.records) == login.FAILURES_ALLOWED
    assert not any("doan-sai" in r.getMessage() for r in caplog.records)
    Accounts.of(ward).clear_failures(name)
    assert guesser.login(name, PASSWORD).status_code == 303


def test_passwords_are_stored_as_argon2_hashes_only(ward):
    stored = (ward.data_dir / "accounts.sqlite3").read_bytes()
    assert PASSWORD.encode() not in stored
    assert b"$argon2id$" in stored


def test_after_login_the_page_asked_for_is_shown_never_another_site(ward):
    editor = Browser(ward, None)
    editor.token = (
        editor.client.get("/login?next=/plan")
        .text.split('name="csrf_token" value="')[1]
        .split('"')[0]
    )
    response = editor.client.post(
        "/login",
        data={
            "username": ACCOUNTS[Role.EDITOR],
            "password": PASSWORD,
            "csrf_token": editor.token,
            "next": "//evil.example/",
        },
    )
    assert response.headers["location"] == "/scripts"


def test_a_request_larger_than_any_upload_is_refused_before_it_is_read(ward):
    editor = browser(ward, Role.EDITOR)
    editor.get("/scripts/upload")
    response = editor.client.post(
        "/scripts/upload",
        content=iter([b"x"]),  # the body never comes: the header alone decides
        headers={"content-length": str(60 * 1024 * 1024), "x-csrf-token": editor.token},
    )
    assert response.status_code == 413
    assert "quá lớn (tối đa 52 MB)" in response.text
