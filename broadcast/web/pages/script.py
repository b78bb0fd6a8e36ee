"""A script's page: its text beside what the loudspeaker says (``normalize --explain``, each
rewrite explained on hover), its audio (rendered on demand with the offline engines), the
approve / revoke / "Đã nghe" buttons by role, its approval chain (``trace``) and past plays.

Approvals record the ACCOUNT's name (an approver as listed in ``schedules.yaml`` when approval
is required), from "trang quản lý từ <ip>", through ``PlayLog.record_approval_events``.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from broadcast.approval import EventKind, fingerprint_of
from broadcast.audio.batch import render_script
from broadcast.audio.manifest import AudioManifest
from broadcast.audio.reading import Normalizer
from broadcast.config import Config, load_config
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.playlog import AlreadyApproved
from broadcast.playlog.history import open_history
from broadcast.scripts import Script, ScriptKind, load_folder
from broadcast.textnorm import Region, load_lexicon
from broadcast.views.approval_events import (
    make_event,
    nfc,
    short,
    standing_approvals,
    when,
    writable_log,
)
from broadcast.views.reading import reading_lines, script_read
from broadcast.views.trace_chain import Chain, gather
from broadcast.web.accounts import Account, Permission
from broadcast.web.security import forbidden, page

ACTIONS = {
    "render": Permission.LISTEN,
    "listen": Permission.LISTEN,
    "approve": Permission.APPROVE,
    "revoke": Permission.APPROVE,
}


def _config(paths: ProjectPaths) -> tuple[Config | None, list[str]]:
    try:
        return load_config(paths), []
    except InputError as exc:
        return None, [str(d) for d in exc.diagnostics]


def _reading(paths: ProjectPaths, script: Script, config: Config | None) -> dict[str, Any]:
    if script.kind is ScriptKind.RECORDING:
        return {"lines": [], "problems": [], "recording": True}
    try:
        lexicon = load_lexicon(paths)
    except InputError as exc:
        return {"lines": [], "problems": [str(d) for d in exc.diagnostics], "recording": False}
    read = script_read(script, paths)
    lines = (
        reading_lines(read.text, lexicon, Region(config.tts.region))
        if config is not None
        else reading_lines(read.text, lexicon)
    )
    return {"lines": lines, "problems": [], "recording": False}


def _chain(paths: ProjectPaths, config: Config, script: Script) -> Chain:
    with open_history(paths, config) as log:
        return gather(script.id, script, config.approval, AudioManifest.load(paths), log)


def _play_rows(chain: Chain) -> list[dict[str, Any]]:
    return [
        {
            "time": when(play.occurred_at),
            "zone": play.airing.zone,
            "outcome": play.outcome.label_vi if play.outcome else "đang phát",
            "seconds": round(play.aired_seconds) if play.aired_seconds is not None else None,
            "output": "tệp" if play.to_file else "loa",
            "audio": short(play.airing.audio_hash),
        }
        for play in reversed(chain.plays)
    ]


def _event_rows(chain: Chain) -> list[dict[str, Any]]:
    return [
        {
            "kind": event.kind.label_vi,
            "at": when(event.at),
            "by": event.by,
            "origin": event.origin or "",
            "comment": event.comment or "",
            "audio": short(event.audio_hash) or "",
        }
        for event in chain.events
    ]


def _show(
    request: Request,
    account: Account,
    script_id: str,
    notice: str | None = None,
    refused: bool = False,
    status_code: int = 200,
) -> Response:
    paths: ProjectPaths = request.app.state.paths
    render = request.app.state.render
    folder = load_folder(paths)
    script = next((s for s in folder.scripts if s.id == script_id), None)
    if script is None:
        rejected = next((r for r in folder.rejected if r.id == script_id), None)
        missing = {
            "script_id": script_id,
            "problems": [str(d) for d in rejected.diagnostics] if rejected else [],
        }
        return render(request, "script_missing.html", missing, account, 200 if rejected else 404)
    config, config_problems = _config(paths)
    entry = AudioManifest.load(paths).entry(script.id)
    current = entry is not None and entry.made_from(script) and entry.path.is_file()
    chain = _chain(paths, config, script) if config is not None else None
    judgement = chain.judgement if chain else None
    context: dict[str, Any] = {
        "script": script,
        "reading": _reading(paths, script, config),
        "config_problems": config_problems,
        "audio_hash": entry.audio_hash if current and entry else None,
        "audio_short": short(entry.audio_hash) if current and entry else None,
        "state": judgement.state.label_vi if judgement else None,
        "why": (judgement.why_left_out() or "") if judgement else "",
        "approval_required": bool(config and config.approval.required),
        "events": _event_rows(chain) if chain else [],
        "plays": _play_rows(chain) if chain else [],
        "broken": chain.broken if chain else [],
        "may_listen": account.may(Permission.LISTEN),
        "may_approve": account.may(Permission.APPROVE) and config is not None,
        "notice": notice,
        "refused": refused,
    }
    return render(request, "script.html", context, account, status_code)


@page(Permission.VIEW)
async def script_page(request: Request, account: Account) -> Response:
    script_id = request.path_params["script_id"]
    return await run_in_threadpool(_show, request, account, script_id)


class Refused(Exception):
    """An action not done, with why (in Vietnamese) and the HTTP status to answer."""

    def __init__(self, message: str, status_code: int = 400):
        super().__init__(message)
        self.message = message
        self.status_code = status_code


def _origin(request: Request) -> str:
    return f"trang quản lý từ {request.client.host if request.client else 'không rõ'}"


def _who(config: Config, account: Account, *, approving: bool) -> str:
    """The account's name, as ``approvers:`` lists it; an approval needs it listed when
    approval is required."""
    listed = config.approval.approver(account.name)
    if listed is None and approving and config.approval.required:
        raise Refused(
            f'Tài khoản "{account.name}" không có trong danh sách người duyệt (approvers: trong '
            "schedules.yaml); nhờ quản trị thêm tên này rồi duyệt lại.",
            403,
        )
    return listed or account.name


def _act(request: Request, account: Account, action: str, form: dict[str, str]) -> str:
    """Do ``action`` on the script; the notice to show. Raises ``Refused``."""
    paths: ProjectPaths = request.app.state.paths
    script_id = request.path_params["script_id"]
    script = next((s for s in load_folder(paths).scripts if s.id == script_id), None)
    if script is None:
        raise Refused(f'Không có kịch bản hợp lệ nào mã "{script_id}".', 404)
    config, problems = _config(paths)
    if config is None:
        raise Refused("Không đọc được schedules.yaml: " + "; ".join(problems), 409)
    now = request.app.state.clock.now()
    if action == "render":
        reader = Normalizer(paths, config.tts.region)
        clock = request.app.state.clock
        result = render_script(paths, config.tts.offline(), script, reader=reader, clock=clock)
        if result.entry is None:
            raise Refused("Không bộ đọc nào tạo được âm thanh: " + "; ".join(result.problems), 500)
        return "Đã tạo âm thanh."
    if action == "listen":
        entry = AudioManifest.load(paths).entry(script.id)
        if (
            entry is None
            or not entry.made_from(script)
            or form.get("audio_hash") != entry.audio_hash
        ):
            raise Refused(
                "Âm thanh đã nghe không phải bản hiện tại của bài; tải lại trang, nghe lại rồi "
                "bấm “Đã nghe”.",
                409,
            )
        event = make_event(
            EventKind.LISTENED,
            script.id,
            _who(config, account, approving=False),
            now,
            os_user=None,
            origin=_origin(request),
            fingerprint=fingerprint_of(script),
            audio_hash=entry.audio_hash,
        )
        with writable_log(paths, config) as log:
            log.record_approval_event(event)
        return f"Đã ghi lần nghe thử của {event.by} (âm thanh {short(entry.audio_hash)})."
    by = _who(config, account, approving=True)
    comment = nfc(form.get("comment", ""))
    if action == "approve":
        event = make_event(
            EventKind.APPROVED,
            script.id,
            by,
            now,
            os_user=None,
            origin=_origin(request),
            fingerprint=fingerprint_of(script),
            comment=comment,
        )
        with writable_log(paths, config) as log:
            try:
                log.record_approval_events([event])
            except AlreadyApproved as taken:
                raise Refused(
                    f"Bài đã được duyệt đúng nội dung này rồi, bởi {taken.approval.by} lúc "
                    f"{when(taken.approval.at)}; không ghi gì thêm.",
                    409,
                ) from taken
        return f"Đã duyệt, bởi {by}."
    if not comment:
        raise Refused("Hãy ghi lý do thu hồi duyệt.", 400)
    with writable_log(paths, config) as log:
        if not standing_approvals(log.approval_events(script.id)):
            raise Refused("Bài không có lần duyệt nào đang hiệu lực, không có gì để thu hồi.", 409)
        event = make_event(
            EventKind.REVOKED,
            script.id,
            by,
            now,
            os_user=None,
            origin=_origin(request),
            comment=comment,
        )
        log.record_approval_event(event)
    return f"Đã thu hồi duyệt, bởi {by}. Bài không được phát nữa."


@page(Permission.VIEW)
async def script_action(request: Request, account: Account) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    action = form.get("action", "")
    needed = ACTIONS.get(action)
    script_id = request.path_params["script_id"]
    if needed is None:
        return await run_in_threadpool(
            _show, request, account, script_id, "Thao tác không hợp lệ.", True, 400
        )
    if not account.may(needed):
        return forbidden(
            request,
            account,
            f"Tài khoản {account.name} ({account.role.label_vi}) không được làm việc này.",
        )
    try:  # rendering takes seconds: never on the event loop
        notice = await run_in_threadpool(_act, request, account, action, form)
    except Refused as refusal:
        return await run_in_threadpool(
            _show, request, account, script_id, refusal.message, True, refusal.status_code
        )
    return await run_in_threadpool(_show, request, account, script_id, notice)


def script_routes() -> list[Route]:
    return [
        Route("/scripts/{script_id:path}", script_page, methods=["GET"]),
        Route("/scripts/{script_id:path}", script_action, methods=["POST"]),
    ]


def routes() -> list[Route]:
    return []  # listed by ``pages.scripts`` in matching order
