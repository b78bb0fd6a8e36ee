"""Sửa thông tin bài: an editor changes a script's fields (title, topic, validity, zones,
priority, times per week, voice, speed, author) in the browser.

The fields are written where the reader takes them from (``frontmatter_write``): the ``---``
block or the labelled lines of a ``.txt``/``.md``, else the sidecar ``.yaml`` (a recording's,
and a ``.docx``'s: a Word file itself is never rewritten). The body's bytes, the encoding and
the line endings stay as they were. The new file is first read by the same reader as the drop
folder, in a temporary copy (``upload.read_laid_out``), and must give exactly the values asked
for; only then is it saved, atomically, and only if the file did not change since the form was
shown (the form carries a fingerprint of it). Each save is logged with the account.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from broadcast.media.files import atomic_write
from broadcast.paths import ProjectPaths
from broadcast.scripts import Script, ScriptKind, load_folder
from broadcast.scripts.dates import date_from_text
from broadcast.scripts.frontmatter_write import (
    PLACE_LABELS_VI,
    NotWritable,
    Place,
    rewrite_script_file,
    rewrite_yaml_file,
    where_fields_go,
)
from broadcast.scripts.labels import VIETNAMESE_NAMES
from broadcast.scripts.metadata import FIELDS
from broadcast.scripts.model import PRIORITY_NAMES, Priority, priority_named
from broadcast.scripts.reader import sidecar_of
from broadcast.web.accounts import Account, Permission
from broadcast.web.pages.upload import read_laid_out
from broadcast.web.security import page

logger = logging.getLogger("broadcast.web")
PRIORITY_CHOICES = (Priority.NORMAL, Priority.PRIORITY)  # an emergency is announced, not typed
MAX_VALUE = 500  # characters of one field


class Refused(Exception):
    """Nothing saved; the message says why (Vietnamese), with the HTTP status to answer."""

    def __init__(self, message: str, status_code: int = 400):
        super().__init__(message)
        self.message = message
        self.status_code = status_code


def _priority_shown(priority: Priority) -> str:
    return PRIORITY_NAMES[priority][1]


def current_values(script: Script) -> dict[str, str]:
    """The script's fields as the form shows them."""
    return {
        "title": script.title,
        "topic": script.topic or "",
        "valid_from": f"{script.valid_from:%d/%m/%Y}" if script.valid_from else "",
        "valid_until": f"{script.valid_until:%d/%m/%Y}" if script.valid_until else "",
        "zones": ", ".join(script.zones or ()),
        "priority": _priority_shown(script.priority),
        "times_per_week": str(script.times_per_week or ""),
        "voice": script.voice or "",
        "speed": f"{script.speed:g}" if script.speed is not None else "",
        "author": script.author or "",
    }


def _normal(name: str, typed: str) -> str:
    """A typed value as ``current_values`` would show it, to tell what changed."""
    text = " ".join(typed.split())
    try:
        if name in ("valid_from", "valid_until") and (day := date_from_text(text)):
            return f"{day:%d/%m/%Y}"
        if name == "zones":
            return ", ".join(z.strip() for z in text.replace(";", ",").split(",") if z.strip())
        if name == "priority":
            found = priority_named(text) if text else Priority.NORMAL
            return _priority_shown(found) if found else text
        if name == "times_per_week" and text.isdigit():
            return str(int(text))
        if name == "speed" and text:
            return f"{float(text.replace(',', '.')):g}"
    except ValueError:
        pass  # not a date, not a number: written as typed, for the reader to name
    return text


@dataclass(frozen=True)
class Files:
    """The script's file and its sidecar, as found on disk."""

    main: Path
    sidecar: Path | None
    scripts_dir: Path

    def relative(self, file: Path) -> PurePosixPath:
        return PurePosixPath(file.relative_to(self.scripts_dir).as_posix())

    def fingerprint(self, recording: bool) -> str:
        """Changes when either file changes (a recording: its size and time; the sidecar)."""
        digest = hashlib.sha256()
        if recording:
            found = self.main.stat()
            digest.update(f"{found.st_size}:{found.st_mtime_ns}".encode())
        else:
            digest.update(self.main.read_bytes())
        if self.sidecar is not None:
            digest.update(b"\0" + self.sidecar.name.encode() + b"\0" + self.sidecar.read_bytes())
        return digest.hexdigest()


def _script(paths: ProjectPaths, script_id: str) -> Script:
    script = next((s for s in load_folder(paths).scripts if s.id == script_id), None)
    if script is None:
        raise Refused(
            f"Không có kịch bản hợp lệ nào mã “{script_id}”. Bài đang có lỗi thì sửa thẳng "
            "trong tệp, hoặc tải lại bản đã sửa.",
            404,
        )
    return script


def _files(paths: ProjectPaths, script: Script) -> Files:
    main = (paths.home / script.source).absolute()
    if main.is_symlink():
        raise Refused("Tệp của bài là một liên kết (symlink); hãy sửa thẳng tệp gốc.", 409)
    return Files(main, sidecar_of(main), paths.scripts_dir.absolute())


def _place(script: Script, files: Files) -> Place:
    data = None if script.kind is ScriptKind.RECORDING else files.main.read_bytes()
    suffix = files.main.suffix.lower()
    return where_fields_go(suffix, data if suffix in (".txt", ".md") else None, bool(files.sidecar))


def _edit_of(script: Script, sent: dict[str, str]) -> dict[str, str | None]:
    """The fields that changed: their new value, or None to remove it."""
    current = current_values(script)
    edit: dict[str, str | None] = {}
    for name in FIELDS:
        typed = " ".join(unicodedata.normalize("NFC", sent.get(name, current[name])).split())
        if len(typed) > MAX_VALUE:
            raise Refused(f"{VIETNAMESE_NAMES[name].capitalize()} dài quá {MAX_VALUE} ký tự.")
        if _normal(name, typed) != current[name]:
            edit[name] = typed or None
    return edit


def _origin(script: Script, name: str) -> str:
    origins = dict(script.field_origins)
    if name in origins:
        return origins[name]
    return "dòng đầu bài" if name == "title" else "mặc định"


def _mismatches(asked: dict[str, str], script: Script) -> list[str]:
    """What the reader would not take as asked: a field still given somewhere stronger (the
    sidecar over the file) or elsewhere (a Word table, the first line as title)."""
    got = current_values(script)
    return [
        f"{VIETNAMESE_NAMES[name].capitalize()}: máy vẫn đọc là “{got[name]}” (lấy từ "
        f"{_origin(script, name)}), không phải “{asked[name]}”; hãy sửa ở đó."
        for name in FIELDS
        if name in asked and _normal(name, asked[name]) != got[name]
    ]


@dataclass(frozen=True)
class Saved:
    script: Script
    changed: list[str]
    place: Place


def _save(paths: ProjectPaths, script_id: str, sent: dict[str, str], fingerprint: str) -> Saved:
    script = _script(paths, script_id)
    files = _files(paths, script)
    recording = script.kind is ScriptKind.RECORDING
    if files.fingerprint(recording) != fingerprint:
        raise Refused(
            "Tệp của bài đã thay đổi từ lúc mở trang này (có người khác vừa sửa); KHÔNG lưu. "
            "Xem giá trị mới dưới đây rồi sửa lại.",
            409,
        )
    edit = _edit_of(script, sent)
    if not edit:
        return Saved(script, [], _place(script, files))
    place = _place(script, files)
    laid: dict[PurePosixPath, bytes | Path] = {files.relative(files.main): files.main}
    try:
        if place is Place.SIDECAR:
            sidecar = files.sidecar or files.main.with_suffix(".yaml")
            old = files.sidecar.read_bytes() if files.sidecar else None
            target, new = sidecar, rewrite_yaml_file(old, edit)
        else:
            if files.sidecar is not None:
                laid[files.relative(files.sidecar)] = files.sidecar
            target = files.main
            new = rewrite_script_file(files.main.read_bytes(), place, edit, current_values(script))
    except NotWritable as exc:
        raise Refused(f"Không lưu được vào {PLACE_LABELS_VI[place]}: {exc}", 400) from exc
    laid[files.relative(target)] = new
    trial, problems = read_laid_out(laid, files.relative(files.main))
    if trial is None:
        raise Refused("\n".join(problems), 422)
    asked = {name: value or "" for name, value in edit.items()}
    wrong = _mismatches(asked, trial)
    if wrong:
        raise Refused("\n".join(wrong), 422)
    if files.fingerprint(recording) != fingerprint:  # once more, just before writing
        raise Refused("Tệp của bài vừa thay đổi trong lúc kiểm tra; KHÔNG lưu. Tải lại trang.", 409)
    with atomic_write(target) as handle:
        handle.write(new)
    return Saved(trial, list(edit), place)


def _form(
    request: Request,
    account: Account,
    script: Script,
    *,
    values: dict[str, str] | None = None,
    notice: str | None = None,
    problems: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    paths: ProjectPaths = request.app.state.paths
    files = _files(paths, script)
    place = _place(script, files)
    shown = {**current_values(script), **(values or {})}
    priorities = [_priority_shown(p) for p in PRIORITY_CHOICES]
    if shown["priority"] not in priorities:
        priorities.append(shown["priority"])
    context: dict[str, Any] = {
        "script": script,
        "values": shown,
        "labels": {name: VIETNAMESE_NAMES[name].capitalize() for name in FIELDS},
        "priorities": priorities,
        "fingerprint": files.fingerprint(script.kind is ScriptKind.RECORDING),
        "place": PLACE_LABELS_VI[place],
        "word": files.main.suffix.lower() == ".docx",
        "title_from_first_line": script.kind is ScriptKind.TEXT
        and "title" not in dict(script.field_origins),
        "notice": notice,
        "refused": status_code >= 400,
        "problems": problems or [],
        "warnings": [str(warning) for warning in script.warnings],
    }
    return request.app.state.render(request, "edit.html", context, account, status_code)


def _refused_page(request: Request, account: Account, script_id: str, refusal: Refused) -> Response:
    render = request.app.state.render
    if refusal.status_code == 404:
        context = {"script_id": script_id, "problems": []}
        return render(request, "script_missing.html", context, account, 404)
    context = {"message": refusal.message}
    return render(request, "forbidden.html", context, account, refusal.status_code)


def _show(request: Request, account: Account, script_id: str) -> Response:
    try:
        return _form(request, account, _script(request.app.state.paths, script_id))
    except Refused as refusal:
        return _refused_page(request, account, script_id, refusal)


def _after_refusal(
    request: Request, account: Account, script_id: str, sent: dict[str, str], refusal: Refused
) -> Response:
    """The form again: with the values sent and the problems (nothing saved), or, when the
    file changed meanwhile (409), with the file's new values."""
    script = _script(request.app.state.paths, script_id)
    if refusal.status_code == 409:
        return _form(request, account, script, notice=refusal.message, status_code=409)
    values = {name: sent.get(name, "") for name in FIELDS}
    if refusal.status_code == 422:
        problems = refusal.message.split("\n")
        return _form(request, account, script, values=values, problems=problems, status_code=422)
    return _form(request, account, script, values=values, notice=refusal.message, status_code=400)


def _submit(request: Request, account: Account, script_id: str, sent: dict[str, str]) -> Response:
    paths: ProjectPaths = request.app.state.paths
    try:
        try:
            saved = _save(paths, script_id, sent, sent.get("fingerprint", ""))
        except Refused as refusal:
            if refusal.status_code == 404:
                raise
            return _after_refusal(request, account, script_id, sent, refusal)
        if not saved.changed:
            return _form(request, account, saved.script, notice="Không có thông tin nào thay đổi.")
        logger.info(
            "sửa thông tin bài %s (%s) bởi %s",
            script_id,
            ", ".join(saved.changed),
            account.name,
            extra={
                "event": "script_fields_edited",
                "script": script_id,
                "fields": saved.changed,
                "account": account.name,
                "peer": request.client.host if request.client else None,
            },
        )
        changed = ", ".join(VIETNAMESE_NAMES[name] for name in saved.changed)
        notice = f"Đã lưu ({changed}) vào {PLACE_LABELS_VI[saved.place]}."
        return _form(request, account, _script(paths, script_id), notice=notice)
    except Refused as refusal:
        return _refused_page(request, account, script_id, refusal)


@page(Permission.UPLOAD)
async def edit_form(request: Request, account: Account) -> Response:
    return await run_in_threadpool(_show, request, account, request.path_params["script_id"])


@page(Permission.UPLOAD)
async def edit_submit(request: Request, account: Account) -> Response:
    form = await request.form(max_files=0, max_fields=30, max_part_size=64 * 1024)
    sent = {key: value for key, value in form.items() if isinstance(value, str)}
    script_id = request.path_params["script_id"]
    return await run_in_threadpool(_submit, request, account, script_id, sent)


def routes() -> list[Route]:
    # not below /scripts/: a script whose id ends in "/edit" would be hidden by the form
    return [
        Route("/edit/{script_id:path}", edit_form, methods=["GET"]),
        Route("/edit/{script_id:path}", edit_submit, methods=["POST"]),
    ]
