"""Who is asking: the logged-in account from the signed session cookie, the CSRF token every
state-changing request must carry, and the answer for a page outside one's role.

``page(permission)`` wraps an endpoint: no session → the login form (``/login?next=…``);
logged in without the permission → 403 in Vietnamese; a POST without the session's CSRF token
→ 403. The account is read again from the accounts file at each request, so a removed account
or a changed role takes effect at once.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from functools import wraps
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from broadcast.web.accounts import Account, Accounts, Permission

CSRF_FIELD = "csrf_token"
# The largest request a page takes: a 50 MB recording and its form. Refused from its
# Content-Length, before a byte of it is read.
MAX_REQUEST_BYTES = 52 * 1024 * 1024
CSRF_HEADER = "x-csrf-token"
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

Endpoint = Callable[[Request, Account], Awaitable[Response]]

PERMISSION_LABELS_VI = {
    Permission.VIEW: "xem bài và lịch phát",
    Permission.UPLOAD: "tải bài lên",
    Permission.LISTEN: "nghe thử",
    Permission.APPROVE: "duyệt và thu hồi duyệt",
    Permission.AIR: "phát thông báo và thử loa",
    Permission.STATUS: "xem trạng thái phát",
    Permission.LOGS: "xem nhật ký phát",
    Permission.REPORTS: "xem và tải báo cáo",
    Permission.USERS: "quản lý tài khoản",
}


def csrf_token(request: Request) -> str:
    """The session's token, made at its first use; forms put it in a hidden field."""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


async def csrf_ok(request: Request) -> bool:
    """Whether a state-changing request carries the session's token (form field or header)."""
    expected = request.session.get(CSRF_FIELD)
    if not isinstance(expected, str):
        return False
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    return sent is not None and hmac.compare_digest(sent, expected)


def logged_in(request: Request) -> Account | None:
    name = request.session.get("account")
    if not isinstance(name, str):
        return None
    accounts: Accounts = request.app.state.accounts
    return accounts.get(name)


def page(permission: Permission) -> Callable[[Endpoint], Callable[[Request], Awaitable[Response]]]:
    """An endpoint for accounts holding ``permission``; it receives the account."""

    def wrap(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        @wraps(endpoint)
        async def guarded(request: Request) -> Response:
            account = logged_in(request)
            if account is None:
                target = quote(
                    request.url.path + (f"?{request.url.query}" if request.url.query else "")
                )
                return RedirectResponse(f"/login?next={target}", status_code=303)
            if not account.may(permission):
                return forbidden(
                    request,
                    account,
                    f"Tài khoản {account.name} ({account.role.label_vi}) không có quyền "
                    f"{PERMISSION_LABELS_VI[permission]}.",
                )
            if request.method not in _SAFE_METHODS and _too_large(request):
                return forbidden(
                    request,
                    account,
                    f"Tệp gửi lên quá lớn (tối đa {MAX_REQUEST_BYTES // (1024 * 1024)} MB).",
                    status_code=413,
                )
            if request.method not in _SAFE_METHODS and not await csrf_ok(request):
                return forbidden(
                    request,
                    account,
                    "Yêu cầu thiếu mã chống giả mạo (CSRF) hoặc mã đã cũ; tải lại trang rồi "
                    "thử lại.",
                )
            return await endpoint(request, account)

        return guarded

    return wrap


def _too_large(request: Request) -> bool:
    length = request.headers.get("content-length", "")
    return length.isdigit() and int(length) > MAX_REQUEST_BYTES


def forbidden(
    request: Request, account: Account | None, message: str, status_code: int = 403
) -> Response:
    render = request.app.state.render
    return render(request, "forbidden.html", {"message": message}, account, status_code=status_code)
