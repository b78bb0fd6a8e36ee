"""Checking the arguments of ``announce`` — on the command line before sending, and again in the
daemon before anything airs (the channel also serves the web page, so the daemon trusts no one).

Wire form: ``{"text": "…"}`` or ``{"file": "/absolute/path.docx"}``, plus ``"zones": [...]``,
``"priority": "priority" | "emergency"`` (default ``priority``), ``"sender"`` and ``"origin"``
(who sent it and from where, as the client says) and ``"request_id"``: chosen by
the client (``new_request_id``) and kept across its retries, so the daemon airs a request once
however often it arrives (``broadcast.control.commands.once_per_request_id``).
"""

from __future__ import annotations

import os
import re
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from broadcast.config import Config
from broadcast.control.arguments import (
    parse_origin,
    parse_sender,
    parse_zones,
    unknown_arguments,
)
from broadcast.diagnostics import Diagnostic, DiagnosticCollector
from broadcast.scripts.decoding import clean_line_breaks
from broadcast.scripts.model import CHARS_PER_SECOND, Priority
from broadcast.scripts.problems import refused
from broadcast.scripts.reader import TEXT_SUFFIXES, WORD_SUFFIX

MAX_ANNOUNCE_CHARACTERS = 5_000  # about seven minutes aloud; longer belongs in scripts_vi/
ANNOUNCE_SUFFIXES = TEXT_SUFFIXES | {WORD_SUFFIX, ".wav", ".mp3"}
ANNOUNCE_PRIORITIES = (Priority.PRIORITY, Priority.EMERGENCY)
ANNOUNCE_ARGUMENTS = ("text", "file", "zones", "priority", "sender", "origin", "request_id")
_REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


@dataclass(frozen=True)
class Announcement:
    zones: tuple[str, ...]  # NFC, in the order given, without repeats; ids once resolved
    priority: Priority
    text: str | None = None  # NFC, cleaned of control characters; set when file is None
    file: Path | None = None  # absolute; an existing regular file with an accepted suffix
    sender: str | None = None  # the account that sent it, as the client says (for the report)
    request_id: str | None = None  # the client's, kept across its retries
    # where it was sent from: as the client says, then (in the daemon) with the address the
    # channel saw — an announcement bypasses approval, so the log keeps who and from where
    origin: str | None = None

    def to_args(self) -> dict[str, Any]:
        """The arguments for ``ControlClient.call("announce", **...)``."""
        args: dict[str, Any] = {"zones": list(self.zones), "priority": self.priority.value}
        if self.file is not None:
            args["file"] = str(self.file)
        else:
            args["text"] = self.text
        if self.sender is not None:
            args["sender"] = self.sender
        if self.request_id is not None:
            args["request_id"] = self.request_id
        if self.origin is not None:
            args["origin"] = self.origin
        return args


def new_request_id() -> str:
    """A fresh id for one announcement, to send with each of its retries."""
    return secrets.token_urlsafe(16)


def _request_id(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _REQUEST_ID.fullmatch(value):
        raise refused(
            "announce request_id",
            "bad_request_id",
            "mã yêu cầu phải gồm 8–64 chữ cái Latin, chữ số, '-' hoặc '_'",
        )
    return value


def _source(argument: str) -> str:
    """How an argument is named in messages: as typed after ``broadcast announce``."""
    return f"announce --{argument}"


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise refused(_source("text"), "wrong_type", "nội dung thông báo phải là văn bản")
    text = clean_line_breaks(value).strip()
    if not text:
        raise refused(_source("text"), "empty_text", "nội dung thông báo trống")
    return within_length(text, _source("text"))


def within_length(text: str, source: str) -> str:
    """``text`` if it is short enough for an announcement, whether typed (``--text``) or read
    from a file; ``InputError`` naming ``source`` otherwise."""
    if len(text) > MAX_ANNOUNCE_CHARACTERS:
        minutes = MAX_ANNOUNCE_CHARACTERS / CHARS_PER_SECOND / 60
        raise refused(
            source,
            "text_too_long",
            f"nội dung dài {len(text)} ký tự, tối đa {MAX_ANNOUNCE_CHARACTERS} ký tự "
            f"(khoảng {minutes:.0f} phút đọc); bài dài hơn hãy bỏ vào scripts_vi/",
        )
    return text


def _file(value: Any, base_dir: Path | None) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise refused(_source("file"), "wrong_type", "tệp thông báo phải là một đường dẫn")
    path = Path(value)
    if not path.is_absolute():
        if base_dir is None:
            raise refused(value, "relative_path", "daemon cần đường dẫn đầy đủ tới tệp")
        path = base_dir / path
    path = Path(os.path.abspath(path))
    shown = str(path)
    if path.suffix.lower() not in ANNOUNCE_SUFFIXES:
        accepted = ", ".join(sorted(ANNOUNCE_SUFFIXES))
        raise refused(
            shown,
            "unsupported_file",
            f"tệp {path.suffix or '(không đuôi)'} không dùng được cho thông báo; "
            f"chỉ nhận {accepted}",
        )
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as exc:
        raise refused(shown, "missing_file", "không tìm thấy tệp") from exc
    except (OSError, ValueError) as exc:  # ValueError: a NUL character in the path
        raise refused(shown, "unreadable_file", f"không mở được tệp ({exc})") from exc
    if not stat.S_ISREG(mode):
        raise refused(shown, "not_a_file", "đây không phải là một tệp")
    return path


def _priority(value: Any) -> Priority:
    if value is None:
        return Priority.PRIORITY
    wanted = value.strip().lower() if isinstance(value, str) else None
    for priority in ANNOUNCE_PRIORITIES:
        if wanted == priority.value:
            return priority
    raise refused(
        _source("priority"),
        "bad_priority",
        f"mức ưu tiên {value!r} không hợp lệ; chỉ nhận priority (ưu tiên) hoặc emergency "
        "(khẩn cấp) — bài thông thường hãy bỏ vào scripts_vi/",
    )


def parse_announcement(
    args: Mapping[str, Any],
    *,
    base_dir: Path | None = None,
    config: Config | None = None,
) -> Announcement:
    """Validate ``announce`` arguments; ``InputError`` lists every problem at once.

    ``base_dir`` resolves a relative ``file`` (the command line passes its current folder; the
    daemon passes nothing and so accepts absolute paths only). With ``config`` each zone, given
    by id or name, becomes its zone or group id, and an unknown one an error with a suggestion.
    """
    collector = DiagnosticCollector()
    collector.extend(unknown_arguments("announce", args, ANNOUNCE_ARGUMENTS))
    text = file = None
    if ("text" in args) == ("file" in args):
        collector.add(
            Diagnostic(
                "announce",
                None,
                None,
                "text_or_file",
                "cần đúng một trong hai: nội dung (--text) hoặc một tệp",
            )
        )
    elif "text" in args:
        with collector.guard():
            text = _text(args["text"])
    else:
        with collector.guard():
            file = _file(args["file"], base_dir)
    zones: tuple[str, ...] = ()
    with collector.guard():
        zones = parse_zones(args.get("zones"), config, _source("zones"))
    priority = Priority.PRIORITY
    with collector.guard():
        priority = _priority(args.get("priority"))
    sender = request_id = origin = None
    with collector.guard():
        sender = parse_sender(args.get("sender"), _source("sender"))
    with collector.guard():
        origin = parse_origin(args.get("origin"), _source("origin"))
    with collector.guard():
        request_id = _request_id(args.get("request_id"))
    collector.raise_if_errors()
    return Announcement(
        zones=zones,
        priority=priority,
        text=text,
        file=file,
        sender=sender,
        request_id=request_id,
        origin=origin,
    )
