"""The ward's web console: one Starlette application over the project folder.

It reads the same files and play log as the command line and calls the same stages; each page
module (``broadcast.web.pages``) adds its routes. Sessions are signed cookies (itsdangerous,
through Starlette's ``SessionMiddleware``) with a secret kept in the data folder, HttpOnly and
SameSite=Lax; ``secure_cookies`` adds ``Secure`` behind HTTPS.
"""

from __future__ import annotations

import gc
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from broadcast.clock import Clock, SystemClock
from broadcast.config import DEFAULT_TIMEZONE
from broadcast.media.files import atomic_write
from broadcast.paths import ProjectPaths
from broadcast.web import login
from broadcast.web.accounts import Account, Accounts, Permission
from broadcast.web.security import csrf_token

HERE = Path(__file__).resolve().parent
SECRET_NAME = "web-secret"  # in the data folder: sessions survive a restart of the console
SESSION_HOURS = 12  # a working day; then log in again

# The navigation: (path, Vietnamese label, permission needed to see it)
NAVIGATION = (
    ("/scripts", "Bài phát", Permission.VIEW),
    ("/plan", "Lịch phát", Permission.VIEW),
    ("/status", "Trạng thái", Permission.STATUS),
    ("/logs", "Nhật ký", Permission.LOGS),
    ("/reports", "Báo cáo", Permission.REPORTS),
)


# The garbage collector of the long-running console. Reference counting frees almost all of a
# page's objects; the cyclic collector only finds cycles. Measured with bench/web.py (/scripts
# of 2,000 scripts, 80 requests, back to back): one such page builds some 100k containers that
# live through dozens of young collections into the oldest generation, so with Python's default
# thresholds (700, 10, 10) a full collection, traversing the whole heap with the folder's memo
# (about 40 ms), ran every 2 to 3 requests: 20 ms of collection per request on average and the
# p95 with it. With full collections at most every 100 middle ones, and those every 50 young
# ones, a full collection comes about once per 100 such pages (collection 5 ms per request);
# only garbage in cycles waits longer. And what the imports and the app made lives as long as
# the process: frozen once the app is built, a full collection no longer walks it (38 → 25 ms).
GC_THRESHOLDS = (700, 50, 100)


def settle_garbage_collector() -> None:
    """For the serving process, once its app is built (see ``GC_THRESHOLDS``); not for tests,
    which build many apps in one process."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def session_secret(paths: ProjectPaths) -> str:
    """The key that signs session cookies, made once and kept private in the data folder."""
    paths.make_private_data_dir()
    file = paths.data_dir / SECRET_NAME
    if file.exists():
        return file.read_text(encoding="ascii").strip()
    secret = secrets.token_hex(32)
    with atomic_write(file) as handle:
        handle.write(secret.encode("ascii"))
    file.chmod(0o600)
    return secret


def _environment() -> jinja2.Environment:
    # autoescape everywhere: a title "<script>…" is text on every page
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


class Renderer:
    """Renders a template with what every page needs: the account, its navigation, the CSRF
    token for forms."""

    def __init__(self) -> None:
        self.environment = _environment()

    def __call__(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any],
        account: Account | None,
        status_code: int = 200,
    ) -> Response:
        navigation = [
            (path, label) for path, label, needed in NAVIGATION if account and account.may(needed)
        ]
        values = {
            "request": request,
            "account": account,
            "navigation": navigation,
            "path": request.url.path,
            "csrf_token": csrf_token(request),
            **context,
        }
        html = self.environment.get_template(template).render(values)
        return HTMLResponse(html, status_code=status_code)


def create_app(
    paths: ProjectPaths,
    *,
    clock: Clock | None = None,
    secure_cookies: bool = False,
) -> Starlette:
    """The console for ``paths``; ``secure_cookies`` when served behind HTTPS."""
    routes: list[BaseRoute] = [
        *login.routes(),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    from broadcast.web.pages import page_routes  # each page module adds its own

    routes.extend(page_routes())
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=session_secret(paths),
                session_cookie="loa_phuong_session",
                max_age=SESSION_HOURS * 3600,
                same_site="lax",
                https_only=secure_cookies,
            )
        ],
    )
    app.state.paths = paths
    app.state.accounts = Accounts.of(paths)
    app.state.clock = clock or SystemClock(ZoneInfo(DEFAULT_TIMEZONE))
    app.state.render = Renderer()
    return app
