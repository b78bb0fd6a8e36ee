"""YAML that remembers where every value came from, so each message can name file and line.

Used by every reader of YAML in the project (front matter, sidecar files, ``schedules.yaml``,
the lexicon). Loading is safe-only: tags that would build Python objects are refused.
``read_file`` reads an edited YAML file (``schedules.yaml``, the lexicon) within size and
encoding limits, so a wrong file becomes a message instead of an exception or a stall.
"""

from __future__ import annotations

import codecs
import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from broadcast.diagnostics import Diagnostic, InputError, Severity

_DECIMAL_COMMA = re.compile(r"-?\d+,\d+")


@dataclass(frozen=True)
class Located:
    """A YAML node with its file and position; converts to Python values on request."""

    node: yaml.Node
    file: str
    line_offset: int = 0  # lines before the YAML text inside its file (front matter)

    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1 + self.line_offset

    @property
    def column(self) -> int:
        return self.node.start_mark.column + 1

    def diagnostic(
        self, code: str, message: str, severity: Severity = Severity.ERROR
    ) -> Diagnostic:
        return Diagnostic(self.file, self.line, self.column, code, message, severity)

    def fail(self, code: str, message: str) -> InputError:
        return InputError([self.diagnostic(code, message)])

    def _child(self, node: yaml.Node) -> Located:
        return Located(node, self.file, self.line_offset)

    @property
    def is_null(self) -> bool:
        return isinstance(self.node, yaml.ScalarNode) and self.node.tag.endswith(":null")

    @property
    def written(self) -> str | None:
        """A scalar's text as typed (NFC, trimmed), before YAML's own conversion (which turns an
        unquoted ``17:30`` into 1050 and refuses ``2026-02-31`` without naming the field);
        ``None`` for null, lists and mappings."""
        if not isinstance(self.node, yaml.ScalarNode) or self.is_null:
            return None
        return unicodedata.normalize("NFC", str(self.node.value).strip())

    @property
    def value(self) -> Any:
        """The plain Python value (dicts, lists, str, int, float, bool, date, None)."""
        try:
            return _construct(self.node)
        except ValueError as exc:  # YAML's own date rule accepts 2026-02-31, Python refuses it
            raise self.fail("bad_value", f"giá trị không hợp lệ: {self._shown()}") from exc

    def mapping(self, what: str = "mục này") -> dict[str, Located]:
        """Keys (as text) to located values; refuses non-mappings and duplicate keys."""
        return {name: value for name, (_, value) in self._pairs(what).items()}

    def keys(self, what: str = "mục này") -> dict[str, Located]:
        """Keys (as text) to the located key itself, for messages about the key."""
        return {name: key for name, (key, _) in self._pairs(what).items()}

    def _pairs(self, what: str) -> dict[str, tuple[Located, Located]]:
        if isinstance(self.node, yaml.ScalarNode) and _NO_SPACE.match(str(self.node.value)):
            glued = _glued_message(*str(self.node.value).split(":", 1))
            raise self.fail("yaml_syntax", f"lỗi cú pháp YAML: {glued}")
        if not isinstance(self.node, yaml.MappingNode):
            raise self.fail("not_a_mapping", f"{what} phải là danh sách dạng 'khóa: giá trị'")
        result: dict[str, tuple[Located, Located]] = {}
        for key_node, value_node in self.node.value:
            key = self._child(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                raise key.fail("bad_key", "khóa phải là một chữ hoặc số")
            name = str(key.value)
            if name in result:
                first = result[name][0].line
                raise key.fail(
                    "duplicate_key",
                    f'khóa "{name}" bị lặp lại (đã có ở dòng {first}); giữ một dòng, xóa dòng kia',
                )
            result[name] = (key, self._child(value_node))
        return result

    def items(self, what: str = "mục này") -> list[Located]:
        """Elements of a sequence; a single scalar counts as a one-element list."""
        if isinstance(self.node, yaml.SequenceNode):
            return [self._child(n) for n in self.node.value]
        if isinstance(self.node, yaml.ScalarNode) and not self.is_null:
            return [self]
        raise self.fail("not_a_list", f"{what} phải là một danh sách")

    def text(self, what: str = "giá trị") -> str:
        if not isinstance(self.node, yaml.ScalarNode) or self.is_null:
            raise self.fail("not_text", f"{what} phải là một đoạn chữ")
        return str(self.value)

    def integer(self, what: str = "giá trị", minimum: int | None = None) -> int:
        value = self.value if isinstance(self.node, yaml.ScalarNode) else None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail("not_integer", f"{what} phải là số nguyên, không phải {self._shown()}")
        if minimum is not None and value < minimum:
            raise self.fail("too_small", f"{what} phải từ {minimum} trở lên, không phải {value}")
        return value

    def number(self, what: str = "giá trị") -> float:
        value = self.value if isinstance(self.node, yaml.ScalarNode) else None
        if isinstance(value, str) and _DECIMAL_COMMA.fullmatch(value.strip()):
            return float(value.strip().replace(",", "."))  # "0,9": how Vietnamese write 0.9
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail("not_number", f"{what} phải là một số, không phải {self._shown()}")
        return float(value)

    def boolean(self, what: str = "giá trị") -> bool:
        value = self.value if isinstance(self.node, yaml.ScalarNode) else None
        if not isinstance(value, bool):
            raise self.fail("not_boolean", f"{what} phải là true hoặc false")
        return value

    def _shown(self) -> str:
        if isinstance(self.node, yaml.ScalarNode):
            return f'"{self.node.value}"'
        return "một danh sách" if isinstance(self.node, yaml.SequenceNode) else "một bảng"


def _construct(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


# A YAML file the board or the technician edits is a few kilobytes; far more is a mistake
# (a recording or a log pasted in) that would stall the daemon while PyYAML reads it.
MAX_FILE_BYTES = 2 * 1024 * 1024
_STANDARD_TAG_PREFIX = "tag:yaml.org,2002:"
_QUOTED = re.compile(r"'([^']+)'")
_TAB_PROBLEM = "found character '\\t' that cannot start any token"
# `key:value`: a colon straight after a key, so YAML reads the line as one piece of text.
_NO_SPACE = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w-]*):(?=[^\s:/])")
_KEY_LINE = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w-]*:(?:\s|$)")
_TITLE_KEYS = ("title", "name")  # a value the board writes as a title
# The line breaks PyYAML counts in its marks (a lone \r is one, as in old Mac files).
_YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


@dataclass(frozen=True)
class _Place:
    line: int  # from 0, in the YAML text
    column: int  # from 0
    message: str


def _syntax_error(text: str, exc: yaml.MarkedYAMLError, file: str, offset: int) -> InputError:
    """PyYAML's complaint turned into what went wrong and how to fix it, at the line to edit
    (for the common mistakes), else PyYAML's own words at its own mark."""
    problem = exc.problem or exc.context or "lỗi cú pháp"
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return _syntax_problem(file, None, None, problem)
    place = None
    if exc.problem_mark is not None:
        place = _explained(
            _YAML_LINE_BREAK.split(text), exc.problem or "", exc.problem_mark, exc.context_mark
        )
    place = place or _Place(mark.line, mark.column, problem)
    return _syntax_problem(file, place.line + 1 + offset, place.column + 1, place.message)


def _syntax_problem(file: str, line: int | None, column: int | None, problem: str) -> InputError:
    return InputError(
        [Diagnostic(file, line, column, "yaml_syntax", f"lỗi cú pháp YAML: {problem}")]
    )


def _explained(
    lines: list[str], problem: str, mark: yaml.Mark, context: yaml.Mark | None
) -> _Place | None:
    """The commonest mistakes of someone typing YAML in Notepad, said plainly."""
    if problem == _TAB_PROBLEM:
        return _Place(
            mark.line,
            mark.column,
            "thụt lề bằng phím Tab; YAML chỉ nhận dấu cách (xóa Tab, gõ dấu cách thay vào)",
        )
    opened = context.line if context else None
    if problem.startswith(("expected ',' or ']'", "expected ',' or '}'")) and opened is not None:
        closing = problem[len("expected ',' or '")]
        opening = "[" if closing == "]" else "{"
        end = len(lines[opened].rstrip())
        return _Place(
            opened,
            end,
            f'danh sách mở bằng "{opening}" ở dòng này chưa có dấu "{closing}" đóng '
            f'lại; thêm "{closing}" vào cuối danh sách',
        )
    quote = lines[context.line][context.column : context.column + 1] if context else ""
    if problem == "found unexpected end of stream" and context and quote in ("'", '"'):
        return _Place(
            context.line,
            context.column,
            f"dấu {quote} mở ở đây chưa được đóng; thêm {quote} vào cuối giá trị",
        )
    glued = _glued_key(lines, mark.line, 0 if opened is None else opened)
    if glued is not None:
        return glued
    if problem == "mapping values are not allowed here":
        return _colon_in_value(lines[mark.line], mark)
    return None


def _glued_key(lines: list[str], last: int, first: int) -> _Place | None:
    """``topic:cchc`` at or above the line PyYAML stopped at (it reads on, as one text)."""
    for index in range(last, first - 1, -1):
        found = _NO_SPACE.match(lines[index])
        if found:
            message = _glued_message(found[1], lines[index][found.end() :])
            return _Place(index, found.end(1), message)
        if index < last and _KEY_LINE.match(lines[index]):
            return None
    return None


def _glued_message(key: str, value: str) -> str:
    return f'thiếu dấu cách sau dấu hai chấm; viết "{key}: {value.strip()}"'


def _colon_in_value(line: str, mark: yaml.Mark) -> _Place | None:
    """``title: Thông báo: lịch…``: the value's own colon reads as a second key."""
    found = _KEY_LINE.match(line)
    if not found or found.end() > mark.column:
        return None
    key = found[0].strip().lstrip("-").strip().rstrip(":")
    value = line[found.end() :].strip()
    what = "tiêu đề" if key in _TITLE_KEYS else "giá trị"
    return _Place(
        mark.line,
        mark.column,
        f'{what} có dấu hai chấm; hãy đặt {what} trong dấu ngoặc kép: {key}: "{value}"',
    )


def _bad_character(exc: yaml.reader.ReaderError, text: str, file: str, offset: int) -> InputError:
    """PyYAML names a forbidden character by its position only; turn that into a line."""
    line = len(_YAML_LINE_BREAK.findall(text, 0, exc.position)) + 1 + offset
    shown = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
    message = f"ký tự điều khiển {shown} không được phép"
    return InputError([Diagnostic(file, line, None, "yaml_syntax", message)])


def parse(text: str, file: str, line_offset: int = 0) -> Located | None:
    """Parse one YAML document; ``None`` for an empty one. Syntax errors name line and column."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(text, exc, file, line_offset) from exc
    except yaml.reader.ReaderError as exc:  # a control character, named by position only
        raise _bad_character(exc, text, file, line_offset) from exc
    except yaml.YAMLError as exc:
        raise _syntax_problem(file, None, None, str(exc)) from exc
    except RecursionError as exc:  # brackets nested a few hundred deep: PyYAML recurses per level
        raise _too_deep(file) from exc
    if node is None:
        return None
    located = Located(node, file, line_offset)
    try:
        located.value  # noqa: B018 - constructing refuses unsafe tags here, once
    except yaml.constructor.ConstructorError as exc:
        raise _unsafe_tag(exc, located) from exc
    except RecursionError as exc:
        raise _too_deep(file) from exc
    except InputError:
        pass  # an impossible date such as 2026-02-31: its reader reports it with its line
    return located


def _unsafe_tag(exc: yaml.constructor.ConstructorError, root: Located) -> InputError:
    """Name the tag as written (``!!python/object:…``) at its own line, not the document's."""
    tag = _QUOTED.search(exc.problem or "")
    shown = tag[1].replace(_STANDARD_TAG_PREFIX, "!!") if tag else exc.problem
    mark = exc.problem_mark
    line = mark.line + 1 + root.line_offset if mark else root.line
    column = mark.column + 1 if mark else root.column
    message = f'thẻ YAML "{shown}" không được phép; chỉ dùng chữ, số và danh sách'
    return InputError([Diagnostic(root.file, line, column, "yaml_unsafe_tag", message)])


def _too_deep(file: str) -> InputError:
    message = "các mục lồng vào nhau quá sâu, không đọc được"
    return InputError([Diagnostic(file, None, None, "yaml_too_deep", message)])


def read_file(path: Path, source: str, limit: int = MAX_FILE_BYTES) -> str:
    """The text of an edited YAML file: UTF-8 (with or without BOM), at most ``limit`` bytes.

    ``FileNotFoundError`` is passed on (a missing file means different things to different
    readers); anything else that makes the file unusable is an ``InputError`` naming it.
    """
    try:
        if not path.is_file() and path.exists():  # a folder, or a pipe that would block
            raise InputError(
                [Diagnostic(source, None, None, "not_a_file", "đây không phải một tệp")]
            )
        size = path.stat().st_size
        if size > limit:
            message = f"tệp quá lớn ({_size(size, 1)}, tối đa {_size(limit, 0)})"
            raise InputError([Diagnostic(source, None, None, "too_large", message)])
        data = path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as exc:  # no permission, locked by an editor on Windows…
        message = f"không đọc được tệp ({exc.strerror or exc})"
        raise InputError([Diagnostic(source, None, None, "unreadable_file", message)]) from exc
    return _decoded(data, source)


def _size(size: int, decimals: int) -> str:
    """In MB, or in KB below a megabyte."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.{decimals}f} MB"
    return f"{size / 1024:.0f} KB"


def _decoded(data: bytes, source: str) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        message = "tệp được lưu bằng mã UTF-16 (Unicode); hãy lưu lại bằng mã UTF-8"
        raise InputError([Diagnostic(source, 1, None, "bad_encoding", message)])
    if b"\x00" in data:  # every other byte zero: UTF-16 without its byte order mark
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        message = "tệp có byte 0, có lẽ được lưu bằng mã UTF-16; hãy lưu lại bằng mã UTF-8"
        raise InputError([Diagnostic(source, line, None, "bad_encoding", message)])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = "tệp phải được lưu bằng mã UTF-8 (có chữ sai mã ở dòng này)"
        raise InputError([Diagnostic(source, line, None, "bad_encoding", message)]) from exc


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name most like ``name`` (a typing slip), or ``None`` when none is close."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` (có phải "x"?)`` naming the closest known name, or nothing when none is close."""
    close = closest(name, known)
    return f' (có phải "{close}"?)' if close else ""


def unknown_keys(mapping: Located, known: Iterable[str], what: str = "mục này") -> list[Diagnostic]:
    """A warning for each key of ``mapping`` not in ``known``, suggesting the closest one."""
    known = list(known)
    warnings = []
    for name, key in mapping.keys(what).items():
        if name in known:
            continue
        hint = did_you_mean(name, known)
        warnings.append(
            key.diagnostic(
                "unknown_key",
                f'khóa "{name}" không được biết tới, sẽ bị bỏ qua{hint}',
                Severity.WARNING,
            )
        )
    return warnings
