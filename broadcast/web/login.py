"""``/login`` and ``/logout``: a form with ``username`` and ``password``; repeated failures
for one name are slowed down and refused for a while, and each is logged (never the password).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from broadcast.web.accounts import Accounts
from broadcast.web.security import csrf_ok, logged_in

logger = logging.getLogger("broadcast.web")
FAILURE_WINDOW = timedelta(minutes=15)
FAILURES_ALLOWED = 5  # within the window; then each try is refused until it passes
FAILURE_DELAY_SECONDS = 1.0  # every failed try waits this long: guessing is slow


def routes() -> list[Route]:
    return [
        Route("/login", show, methods=["GET"]),
        Route("/login", submit, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/", home, methods=["GET"]),
    ]


def _next(request: Request, value: object) -> str:
    """Where to go after logging in: a path of this site only (never another host)."""
    target = value if isinstance(value, str) else ""
    return target if target.startswith("/") and not target.startswith("//") else "/scripts"


async def home(request: Request) -> Response:
    return RedirectResponse("/scripts" if logged_in(request) else "/login", status_code=303)


async def show(request: Request, message: str | None = None, status_code: int = 200) -> Response:
    render = request.app.state.render
    context = {"message": message, "next": _next(request, request.query_params.get("next"))}
    return render(request, "login.html", context, None, status_code=status_code)


async def submit(request: Request) -> Response:
    form = await request.form()
    if not await csrf_ok(request):
        return await show(request, "Phiên đăng nhập đã cũ; hãy thử lại.", 403)
    name, password = str(form.get("username") or ""), str(form.get("password") or "")
    accounts: Accounts = request.app.state.accounts
    now = request.app.state.clock.now()
    peer = request.client.host if request.client else None
    if accounts.recent_failures(name, now, FAILURE_WINDOW) >= FAILURES_ALLOWED:
        logger.warning(
            "đăng nhập bị chặn tạm thời: %s", name, extra={"event": "login_blocked", "peer": peer}
        )
        await asyncio.sleep(FAILURE_DELAY_SECONDS)
        minutes = int(FAILURE_WINDOW.total_seconds() // 60)
        return await show(
            request,
            f"Đăng nhập sai quá {FAILURES_ALLOWED} lần; hãy thử lại sau {minutes} phút.",
            429,
        )
    account = accounts.check(name, password)
    if account is None:
        accounts.note_failure(name, peer, now)
        logger.warning("đăng nhập sai: %s", name, extra={"event": "login_failed", "peer": peer})
        await asyncio.sleep(FAILURE_DELAY_SECONDS)
        return await show(request, "Sai tên đăng nhập hoặc mật khẩu.", 401)
    accounts.clear_failures(account.name)
    request.session.clear()  # a new session: a token seen before login is not reused
    request.session["account"] = account.name
    logger.info("đăng nhập: %s", account.name, extra={"event": "login", "peer": peer})
    return RedirectResponse(_next(request, form.get("next")), status_code=303)


async def logout(request: Request) -> Response:
    if await csrf_ok(request):
        request.session.clear()
    return RedirectResponse("/login", status_code=303)
