"""Tải bài lên: a ``.docx``, ``.txt``, ``.md`` or a recording (``.wav``, ``.mp3``, with its
fields written as the sidecar ``.yaml``) into ``scripts_vi/``.

The file is first read by the same reader as the drop folder (``read_script``) in a temporary
folder laid out like the project, and its problems are shown, by line, BEFORE anything is
saved; only a valid file is saved, atomically (``atomic_write``): never half-saved. Sizes are
limited, the type is checked by content, names are cleaned (no folder above ``scripts_vi/``,
no absolute path), and another script is never overwritten unless "replace" was asked.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path, PurePosixPath

import yaml
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from broadcast.diagnostics import InputError
from broadcast.media.files import atomic_write
from broadcast.paths import ProjectPaths
from broadcast.scripts import Script, load_folder, read_script
from broadcast.scripts.decoding import decode_bytes
from broadcast.web.accounts import Account, Permission
from broadcast.web.security import page

MB = 1024 * 1024
TEXT_LIMIT = 10 * MB  # .txt, .md, .docx
RECORDING_LIMIT = 50 * MB  # .wav, .mp3
TEXT_SUFFIXES = (".txt", ".md")
WORD_SUFFIX = ".docx"
RECORDING_SUFFIXES = (".wav", ".mp3")
ACCEPTED = (*TEXT_SUFFIXES, WORD_SUFFIX, *RECORDING_SUFFIXES)
SIDECAR_FIELDS = ("title", "topic", "zones", "valid_from", "valid_until", "priority")
# a folder or file name part: letters (Vietnamese too), digits, "-", "_", "."; no leading dot
_PART = re.compile(r"^[^\W][\w.-]*$")


class Refused(Exception):
    """The upload is refused before anything is saved; the message says why, in Vietnamese."""


@dataclass(frozen=True)
class Upload:
    data: bytes
    suffix: str
    target: PurePosixPath  # below scripts_vi/: folder/name.suffix
    fields: dict[str, object]
    replace: bool


def _limit(suffix: str) -> int:
    return RECORDING_LIMIT if suffix in RECORDING_SUFFIXES else TEXT_LIMIT


def _clean_part(text: str, what: str) -> str:
    part = unicodedata.normalize("NFC", text.strip())
    if not _PART.match(part) or part in (".", ".."):
        raise Refused(
            f"{what} “{text}” không dùng được: chỉ dùng chữ, số, dấu gạch ngang, gạch dưới, "
            "không có “/”, “\\”, “:” hay “..”."
        )
    return part


def target_of(folder: str, name: str, suffix: str) -> PurePosixPath:
    """``folder/name.suffix`` below ``scripts_vi/``, refused for any name that could leave it."""
    if not name.strip():
        raise Refused("Hãy ghi tên tệp.")
    if any(mark in name for mark in ("/", "\\", ":")) or name.strip().startswith("."):
        raise Refused(f"Tên tệp “{name}” không dùng được: chỉ ghi tên, không ghi thư mục.")
    parts = [p for p in re.split(r"[/]", folder.strip()) if p] if folder.strip() else []
    if folder.strip().startswith(("/", "\\")) or "\\" in folder or ":" in folder:
        raise Refused(f"Thư mục “{folder}” không dùng được: chỉ ghi thư mục con của scripts_vi/.")
    cleaned = [_clean_part(part, "Thư mục") for part in parts]
    stem = _clean_part(
        PurePosixPath(name.strip()).stem if name.lower().endswith(ACCEPTED) else name, "Tên tệp"
    )
    return PurePosixPath(*cleaned, stem + suffix)


def check_content(data: bytes, suffix: str) -> None:
    """The type by the bytes themselves, not by the name."""
    if len(data) > _limit(suffix):
        raise Refused(f"Tệp quá lớn: tối đa {_limit(suffix) // MB} MB cho tệp {suffix}.")
    if not data:
        raise Refused("Tệp rỗng.")
    if suffix == WORD_SUFFIX:
        try:
            with zipfile.ZipFile(BytesIO(data)) as package:
                names = set(package.namelist())
        except zipfile.BadZipFile as exc:
            raise Refused("Tệp .docx này không phải tệp Word (không phải gói zip).") from exc
        if "word/document.xml" not in names:
            raise Refused("Tệp .docx này không phải tệp Word (thiếu word/document.xml).")
    elif suffix == ".wav":
        if not (data[:4] == b"RIFF" and data[8:12] == b"WAVE"):
            raise Refused("Tệp .wav này không phải âm thanh WAV.")
    elif suffix == ".mp3":
        if not (data[:3] == b"ID3" or (data[0] == 0xFF and data[1] & 0xE0 == 0xE0)):
            raise Refused("Tệp .mp3 này không phải âm thanh MP3.")
    else:
        try:
            decode_bytes(data, "tệp tải lên")
        except InputError as exc:
            raise Refused("Tệp văn bản không đọc được: " + exc.diagnostics[0].message) from exc


def _sidecar(fields: dict[str, object]) -> bytes:
    return yaml.safe_dump(fields, allow_unicode=True, sort_keys=False).encode("utf-8")


def _sidecar_target(upload: Upload) -> PurePosixPath | None:
    if upload.suffix in RECORDING_SUFFIXES and upload.fields:
        return upload.target.with_suffix(".yaml")
    return None


def read_laid_out(
    files: Mapping[PurePosixPath, bytes | Path], main: PurePosixPath
) -> tuple[Script | None, list[str]]:
    """``files`` (paths below ``scripts_vi/`` → their bytes, or a file to copy) laid out in a
    temporary folder as the project, and ``main`` read there as the drop folder would read
    it: the script, or its problems (file:line: message). Nothing of the project is touched."""
    with tempfile.TemporaryDirectory(prefix="loa-phuong-upload-") as root:
        paths = ProjectPaths(Path(root))
        for target, content in files.items():
            file = paths.scripts_dir.joinpath(*target.parts)
            file.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, Path):
                shutil.copyfile(content, file)
            else:
                file.write_bytes(content)
        try:
            return read_script(paths.scripts_dir.joinpath(*main.parts), paths), []
        except InputError as exc:
            return None, [str(d) for d in exc.diagnostics]


def try_read(upload: Upload) -> tuple[Script | None, list[str]]:
    """The script as the drop folder would read it, or its problems (file:line: message)."""
    files: dict[PurePosixPath, bytes | Path] = {upload.target: upload.data}
    sidecar = _sidecar_target(upload)
    if sidecar is not None:
        files[sidecar] = _sidecar(upload.fields)
    return read_laid_out(files, upload.target)


def save(paths: ProjectPaths, upload: Upload, script: Script) -> Path:
    """Write the checked file into ``scripts_vi/``: all of it or nothing."""
    scripts_dir = paths.scripts_dir.resolve()
    file = scripts_dir.joinpath(*upload.target.parts)
    if not file.resolve().is_relative_to(scripts_dir):
        raise Refused("Tên tệp không dùng được: nằm ngoài thư mục scripts_vi/.")
    clash = next((s for s in load_folder(paths).scripts if s.id == script.id), None)
    if clash is not None and (paths.home / clash.source).resolve() != file.resolve():
        raise Refused(f"Mã “{script.id}” đã là của tệp {clash.source}; hãy đặt tên khác.")
    if file.exists() and not upload.replace:
        raise Refused(
            f"Đã có tệp {upload.target} trong scripts_vi/; chọn “Thay bản cũ” để thay đúng bài "
            "này, hoặc đặt tên khác."
        )
    with atomic_write(file) as handle:
        handle.write(upload.data)
    if upload.suffix in RECORDING_SUFFIXES and upload.fields:
        with atomic_write(file.with_suffix(".yaml")) as handle:
            handle.write(_sidecar(upload.fields))
    return file


async def _upload_of(request: Request, account: Account) -> tuple[Upload, dict[str, str]]:
    limit = RECORDING_LIMIT + MB
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise Refused(
            f"Tệp quá lớn: tối đa {TEXT_LIMIT // MB} MB cho văn bản, "
            f"{RECORDING_LIMIT // MB} MB cho bản ghi âm."
        )
    form = await request.form(max_files=1, max_fields=30, max_part_size=MB)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    sent = form.get("file")
    if not isinstance(sent, UploadFile) or not sent.filename:
        raise Refused("Hãy chọn một tệp để tải lên.")
    suffix = PurePosixPath(sent.filename.replace("\\", "/")).suffix.lower()
    if suffix not in ACCEPTED:
        raise Refused("Chỉ nhận tệp " + ", ".join(ACCEPTED) + ".")
    data = await sent.read(_limit(suffix) + 1)
    check_content(data, suffix)
    name = values.get("name", "").strip() or PurePosixPath(sent.filename.replace("\\", "/")).name
    target = target_of(values.get("folder", ""), name, suffix)
    fields: dict[str, object] = {}
    if suffix in RECORDING_SUFFIXES:
        for field in SIDECAR_FIELDS:
            value = values.get(field, "").strip()
            if value:
                fields[field] = (
                    [z.strip() for z in value.split(",") if z.strip()]
                    if field == "zones"
                    else value
                )
    replace = values.get("replace") == "yes" and account.may(Permission.UPLOAD)
    return Upload(data, suffix, target, fields, replace), values


def _form(request: Request, account: Account, context: dict, status_code: int = 200) -> Response:
    values = {
        "folder": "",
        "name": "",
        **{f: "" for f in SIDECAR_FIELDS},
        **context.pop("values", {}),
    }
    full = {
        "values": values,
        "problems": [],
        "refused": None,
        "saved": None,
        "text_limit": TEXT_LIMIT // MB,
        "recording_limit": RECORDING_LIMIT // MB,
        **context,
    }
    return request.app.state.render(request, "upload.html", full, account, status_code)


@page(Permission.UPLOAD)
async def upload_form(request: Request, account: Account) -> Response:
    return _form(request, account, {})


@page(Permission.UPLOAD)
async def upload_submit(request: Request, account: Account) -> Response:
    values: dict[str, str] = {}
    try:
        upload, values = await _upload_of(request, account)
        script, problems = await run_in_threadpool(try_read, upload)
        if script is None:
            return _form(
                request,
                account,
                {"values": values, "problems": problems, "target": str(upload.target)},
                422,
            )
        await run_in_threadpool(save, request.app.state.paths, upload, script)
    except Refused as refusal:
        return _form(request, account, {"values": values, "refused": str(refusal)}, 400)
    saved = {"id": script.id, "title": script.title}
    return _form(request, account, {"saved": saved}, 200)


def upload_routes() -> list[Route]:
    return [
        Route("/scripts/upload", upload_form, methods=["GET"]),
        Route("/scripts/upload", upload_submit, methods=["POST"]),
    ]


def routes() -> list[Route]:
    return []  # listed by ``pages.scripts`` in matching order
