"""Trạng thái: is the daemon alive, what plays on each zone, what is next, devices and alarms
(what ``broadcast status`` shows), refreshing itself; the technician's emergency announcement
with a confirmation step, and the per-zone test tone.

Live status comes over the control channel; with the daemon down the page reads the last
status file the daemon wrote and says the daemon is not running.

The technician's uploaded bulletin files are kept in ``data/web-announcements/`` only while the
daemon may read them: it reads one when the announcement is sent (its sound is made before the
daemon answers), and again only after a restart, for a bulletin sent less than
``BULLETIN_VALID`` ago that had not aired everywhere. A file is therefore removed once that
long (and a margin) has passed since it was sent, or uploaded and never sent, at the next
visit of this page or the next announcement."""

from __future__ import annotations

import contextlib
import os
import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from broadcast.config import Config, load_config
from broadcast.control import (
    ANNOUNCE,
    ANNOUNCE_SUFFIXES,
    STATUS,
    ControlClient,
    ControlError,
    DaemonUnavailable,
    new_request_id,
    parse_announcement,
)
from broadcast.daemon.status import DaemonStatus, daemon_alive, read_status
from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.views.daemon_requests import ask
from broadcast.views.status_view import (
    CLUSTER_COLUMNS,
    cluster_row,
    cluster_summary,
    health_label,
    next_zone_label,
    when_label,
)
from broadcast.web.accounts import Account, Permission
from broadcast.web.security import page

ANNOUNCE_FOLDER = "web-announcements"  # uploaded bulletin files, in the data folder
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_SAVED_NAME = re.compile(r"[A-Za-z0-9_-]{8,64}\.[a-z0-9]{2,4}")
# beyond the daemon's BULLETIN_VALID: a clock step or a slow restart never loses a file
UPLOAD_MARGIN = timedelta(minutes=5)
STATUS_TIMEOUT = 3.0
PRIORITY_LABELS = {"priority": "ưu tiên", "emergency": "khẩn cấp"}


def current_status(paths: ProjectPaths) -> tuple[DaemonStatus | None, str | None]:
    """Live status from the daemon (no problem), else the last status file with why the
    daemon did not answer."""
    try:
        answer = ControlClient.from_paths(paths, timeout=STATUS_TIMEOUT).call(STATUS)
        return DaemonStatus.from_json(answer), None
    except (DaemonUnavailable, ControlError) as exc:
        return read_status(paths), exc.message


def status_view(paths: ProjectPaths) -> dict[str, Any]:
    """What the page shows of the daemon, in words."""
    status, problem = current_status(paths)
    if status is None:
        return {"known": False, "alive": False, "problem": problem}
    now = datetime.now(status.heartbeat_at.tzinfo)
    names = {zone.zone: zone.name for zone in status.devices}
    return {
        "known": True,
        "alive": daemon_alive(status, answered=problem is None, now=now),
        "problem": problem,
        "heartbeat": when_label(status.heartbeat_at),
        "age": f"{(now - status.heartbeat_at).total_seconds():.0f}",
        "started": when_label(status.started_at) if status.started_at else None,
        "sink": status.sink,
        "playing": [
            (p.slot, ", ".join(names.get(zone, zone) for zone in p.zones)) for p in status.playing
        ],
        "next": [
            (next_zone_label(names.get(zone, zone), e), when_label(e.at), e.slot, e.title)
            for zone, entries in status.next.items()
            for e in entries
        ],
        "devices": [
            (d.zone, d.name, d.device, ", ".join(str(c) for c in d.channels), health_label(d))
            for d in status.devices
        ],
        "clusters": [cluster_row(cluster) for cluster in status.clusters],
        "cluster_columns": CLUSTER_COLUMNS,
        "cluster_summary": cluster_summary(status.clusters) if status.clusters else None,
        "alarms": [(when_label(a.since), a.message) for a in status.alarms],
        "input_problems": list(status.input_problems),
    }


def _config(paths: ProjectPaths) -> Config | None:
    try:
        return load_config(paths)
    except InputError:
        return None


def _zone_choices(config: Config | None) -> dict[str, list[tuple[str, str]]]:
    """The zones (id, name) and the zone groups (id, label) of the forms."""
    if config is None:
        return {"zones": [], "groups": []}
    return {
        "zones": [(zone.id, zone.name) for zone in config.zones],
        "groups": [(group, f"Nhóm {group}") for group in config.zone_groups],
    }


def _page(
    request: Request, account: Account, extra: dict[str, Any], status_code: int = 200
) -> Response:
    paths = request.app.state.paths
    context = {
        "live": extra.pop("live"),
        "zone_choices": _zone_choices(_config(paths)),
        "may_air": account.may(Permission.AIR),
        "message": None,
        "problems": [],
        **extra,
    }
    return request.app.state.render(request, "status.html", context, account, status_code)


@page(Permission.STATUS)
async def status_page(request: Request, account: Account) -> Response:
    await run_in_threadpool(prune_uploads, request.app.state.paths)
    live = await run_in_threadpool(status_view, request.app.state.paths)
    return _page(request, account, {"live": live})


@page(Permission.STATUS)
async def status_json(request: Request, account: Account) -> Response:
    live = await run_in_threadpool(status_view, request.app.state.paths)
    render = request.app.state.render
    fragment = render(request, "status_live.html", {"live": live}, account)
    return JSONResponse({"alive": live["alive"], "html": bytes(fragment.body).decode("utf-8")})


def prune_uploads(paths: ProjectPaths) -> list[str]:
    """Remove the uploaded bulletin files the daemon will not read again (see above): those
    last touched (uploaded, or sent) longer than ``BULLETIN_VALID`` and a margin ago. Only our
    own names; returns those removed."""
    from broadcast.daemon.announcer import BULLETIN_VALID  # the daemon's sound: on use only

    folder = paths.data_dir / ANNOUNCE_FOLDER
    if not folder.is_dir():
        return []
    cutoff = time.time() - (BULLETIN_VALID + UPLOAD_MARGIN).total_seconds()
    removed = []
    for path in folder.iterdir():
        if not _SAVED_NAME.fullmatch(path.name):
            continue
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path.name)
        except FileNotFoundError:  # another request removed it first
            continue
    return sorted(removed)


def _announce_folder(paths: ProjectPaths) -> Path:
    paths.make_private_data_dir()
    folder = paths.data_dir / ANNOUNCE_FOLDER
    folder.mkdir(exist_ok=True)
    return folder


async def _saved_file(
    paths: ProjectPaths, form: FormData, request_id: str
) -> tuple[str | None, str | None]:
    """The uploaded file kept under our own name (the request id and the suffix); or the name
    kept at the first step; and a problem in words."""
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        suffix = Path(upload.filename).suffix.lower()
        if suffix not in ANNOUNCE_SUFFIXES:
            accepted = ", ".join(sorted(ANNOUNCE_SUFFIXES))
            return None, f"tệp {suffix or '(không đuôi)'} không dùng được; chỉ nhận {accepted}"
        content = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            return None, f"tệp quá lớn (tối đa {MAX_UPLOAD_BYTES // (1024 * 1024)} MB)"
        name = f"{request_id}{suffix}"
        (_announce_folder(paths) / name).write_bytes(content)
        return name, None
    kept = form.get("saved_file")
    if isinstance(kept, str) and kept:
        if not _SAVED_NAME.fullmatch(kept) or not (_announce_folder(paths) / kept).is_file():
            return None, "tệp đã tải lên không còn; hãy chọn lại tệp"
        return kept, None
    return None, None


@page(Permission.AIR)
async def announce(request: Request, account: Account) -> Response:
    paths = request.app.state.paths
    await run_in_threadpool(prune_uploads, paths)
    form = await request.form()
    request_id = str(form.get("request_id") or "") or new_request_id()
    text = str(form.get("text") or "").strip()
    saved, problem = await _saved_file(paths, form, request_id)
    zone_ids = [str(zone) for zone in form.getlist("zones")]
    raw: dict[str, object] = {
        "zones": zone_ids,
        "priority": str(form.get("priority") or "priority"),
        "sender": account.name,
        # An announcement bypasses approval by design: the log keeps who sent it and from where.
        "origin": f"trang quản lý từ {request.client.host if request.client else 'không rõ'}",
        "request_id": request_id,
    }
    if saved is not None:
        raw["file"] = str(_announce_folder(paths) / saved)
    elif text:
        raw["text"] = text
    config = _config(paths)
    live = await run_in_threadpool(status_view, paths)
    try:
        if problem is not None:
            raise ValueError(problem)
        announcement = parse_announcement(raw, config=config)
    except InputError as exc:
        problems = [d.message for d in exc.diagnostics]
        return _page(request, account, {"live": live, "problems": problems}, 400)
    except ValueError as exc:
        return _page(request, account, {"live": live, "problems": [str(exc)]}, 400)
    zones = config.zones_label(list(announcement.zones)) if config else ", ".join(zone_ids)
    kind = PRIORITY_LABELS[announcement.priority.value]
    if form.get("confirm") != "1":
        confirm = {
            "kind": kind,
            "zones": zones,
            "zone_ids": zone_ids,
            "priority": announcement.priority.value,
            "text": announcement.text,
            "saved_file": saved,
            "upload_name": getattr(form.get("file"), "filename", None) or saved,
            "request_id": request_id,
        }
        return _page(request, account, {"live": live, "confirm": confirm})
    if saved is not None:  # sent now: the daemon may read it again until BULLETIN_VALID on
        with contextlib.suppress(FileNotFoundError):  # gone: the daemon's answer says so
            os.utime(_announce_folder(paths) / saved)
    answer = await run_in_threadpool(ask, paths, ANNOUNCE, announcement.to_args(), "thông báo")
    if answer.result is None:
        problems = [answer.problem or "", *(d.message for d in answer.diagnostics)]
        return _page(request, account, {"live": live, "problems": problems}, 502)
    message = f"Đã nhận thông báo {kind} {answer.result['id']} cho {zones}."
    live = await run_in_threadpool(status_view, paths)
    return _page(request, account, {"live": live, "message": message})


def _zone_test(paths: ProjectPaths, spec: str | None, zone: str, sender: str) -> tuple[bool, str]:
    """The test by the running daemon (it holds the card), else through the console's own
    sink: the sound card, or ``spec`` (tests: WAV files, played there even beside a daemon)."""
    from broadcast.sinks.spec import sink_from_spec
    from broadcast.views.zone_test import carry_out_zone_test

    config = _config(paths)
    if config is None:
        return False, "Không đọc được schedules.yaml; chạy broadcast check để xem lỗi."
    result = carry_out_zone_test(
        paths,
        config,
        zone,
        lambda: sink_from_spec(spec, realtime=False),
        own_sink=spec not in (None, "sound"),
        sender=sender,
    )
    return result.ok, result.message


@page(Permission.AIR)
async def zone_test(request: Request, account: Account) -> Response:
    paths = request.app.state.paths
    form = await request.form()
    # the sound card unless the console was started with another sink (tests: WAV files)
    spec = getattr(request.app.state, "zone_test_sink", None)
    zone = str(form.get("zone") or "")
    ok, text = await run_in_threadpool(_zone_test, paths, spec, zone, account.name)
    live = await run_in_threadpool(status_view, paths)
    extra: dict[str, Any] = {"live": live}
    extra["message" if ok else "problems"] = text if ok else [text]
    return _page(request, account, extra, 200 if ok else 400)


def routes() -> list[Route]:
    return [
        Route("/status", status_page, methods=["GET"]),
        Route("/status.json", status_json, methods=["GET"]),
        Route("/status/announce", announce, methods=["POST"]),
        Route("/status/test-zone", zone_test, methods=["POST"]),
    ]
