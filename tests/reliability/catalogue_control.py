"""Bad requests on the running daemon's control channel (``broadcast announce`` and the web
page both speak it); each is a real line sent over TCP to the daemon's ``ControlServer``."""

from __future__ import annotations

import json
from typing import Any

from broadcast.control.endpoint import read_token
from broadcast.paths import ProjectPaths
from tests.reliability.catalogue_model import ControlCase


def _line(paths: ProjectPaths, command: str, token: str | None = None, **args: Any) -> bytes:
    request = {"token": read_token(paths) if token is None else token, "command": command}
    request["args"] = args
    return json.dumps(request, ensure_ascii=False).encode() + b"\n"


def announce(**args: Any):
    return lambda paths: _line(paths, "announce", **args)


CONTROL_CASES = [
    ControlCase(
        "announce-unknown-zone",
        "announce to a zone `to-9` the ward does not have",
        announce(text="Mất điện lúc 14 giờ", zones=["to-9"]),
        "invalid_input",
        'announce --zones: khu vực "to-9" không có trong schedules.yaml (có phải "to-2"?)',
    ),
    ControlCase(
        "announce-oversized-request",
        "request line of 100 KiB",
        announce(text="Bà con chú ý. " * 7500, zones=["to-1"]),
        "request_too_large",
        "yêu cầu quá lớn (tối đa 64 KiB một dòng)",
    ),
    ControlCase(
        "announce-text-too-long",
        "announcement of 6,000 characters",
        announce(text="a" * 6000, zones=["to-1"]),
        "invalid_input",
        "announce --text: nội dung dài 6000 ký tự, tối đa 5000 ký tự (khoảng 7 phút đọc); "
        "bài dài hơn hãy bỏ vào scripts_vi/",
    ),
    ControlCase(
        "announce-empty-text",
        "announcement of blanks and zero-width spaces",
        announce(text=" \u200b\n\t", zones=["to-1"]),
        "invalid_input",
        "announce --text: nội dung thông báo trống",
    ),
    ControlCase(
        "announce-relative-path",
        "announce file `../../etc/passwd` (relative, climbing out)",
        announce(file="../../etc/passwd", zones=["to-1"]),
        "invalid_input",
        "../../etc/passwd: daemon cần đường dẫn đầy đủ tới tệp",
    ),
    ControlCase(
        "announce-system-file",
        "announce file `/etc/shadow`",
        announce(file="/etc/shadow", zones=["to-1"]),
        "invalid_input",
        "/etc/shadow: tệp (không đuôi) không dùng được cho thông báo; "
        "chỉ nhận .docx, .md, .mp3, .txt, .wav",
    ),
    ControlCase(
        "announce-zones-wrong-type",
        "`zones` given as text, not a list",
        announce(text="Họp tổ", zones="to-1"),
        "invalid_input",
        'announce --zones: cần ít nhất một khu vực phát, ví dụ ["toan-phuong"]',
    ),
    ControlCase(
        "announce-normal-priority",
        "announce with priority `normal`",
        announce(text="Họp tổ", zones=["to-1"], priority="normal"),
        "invalid_input",
        "announce --priority: mức ưu tiên 'normal' không hợp lệ; chỉ nhận priority (ưu tiên) "
        "hoặc emergency (khẩn cấp) — bài thông thường hãy bỏ vào scripts_vi/",
    ),
    ControlCase(
        "control-not-json",
        "a line that is not JSON",
        lambda paths: b"announce to-1 hello\n",
        "bad_request",
        "yêu cầu không phải JSON hợp lệ",
    ),
    ControlCase(
        "control-args-not-object",
        "`args` as a list",
        lambda paths: (
            json.dumps({"token": read_token(paths), "command": "status", "args": [1]}).encode()
            + b"\n"
        ),
        "bad_request",
        'trường "args" phải là một đối tượng {...}',
    ),
    ControlCase(
        "control-unknown-command",
        "unknown command `shutdown`",
        lambda paths: _line(paths, "shutdown"),
        "unknown_command",
        'lệnh "shutdown" không tồn tại; các lệnh có: announce, cancel, reload, skip, status, '
        "stop, test_zone",
    ),
    ControlCase(
        "control-wrong-token",
        "request with a wrong token",
        lambda paths: _line(paths, "reload", token="doan-mo"),
        "unauthorized",
        "mã xác thực (token) sai; lệnh phải đọc tệp data/control.token của daemon đang chạy",
    ),
]
