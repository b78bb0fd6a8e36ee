"""Writing a script's fields back into its file, the body left byte for byte as it was.

Where the fields go is where the reader takes them from (``where_fields_go``):

- a sidecar ``.yaml`` next to the script: that file, rewritten (any kind of script);
- a recording or a ``.docx`` without one: a new sidecar. A ``.docx`` is never rewritten: its
  header table lives in WordprocessingML, which cannot be edited here without re-saving the
  whole package; the sidecar is stronger than the table, and ``check`` warns where they differ;
- a ``.txt``/``.md`` with a ``---`` block: the block, key by key (order, comments and the lines
  of unchanged keys kept as typed);
- a ``.txt``/``.md`` with labelled lines (``Chủ đề: …``): those lines, each label as typed; new
  fields are new lines under them;
- a ``.txt`` without fields: labelled lines on top; a ``.md``: a ``---`` block.

Only the part before the body is encoded again, in the file's own encoding (UTF-8 with or
without its mark, UTF-16 with its mark, Windows-1258, TCVN3, VNI) and with its own line
endings; the bytes of the body are copied. A value the encoding cannot hold is refused
(``NotWritable``), never replaced by "?".
"""

from __future__ import annotations

import codecs
import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import yaml

from broadcast.scripts import legacy
from broadcast.scripts.decoding import clean_line_breaks, decode_bytes
from broadcast.scripts.labels import (
    VALIDITY,
    VIETNAMESE_NAMES,
    field_named,
    leading_entries,
    split_ranges,
)
from broadcast.scripts.metadata import FIELDS

# Every line break the reader (and YAML) counts, kept with its line.
_LINE = re.compile(r"[^\r\n\x85\u2028\u2029]*(?:\r\n|[\r\n\x85\u2028\u2029]|$)")
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_LIST_SEPARATOR = re.compile(r"\s*[,;]\s*")
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # the marks Windows-1258 writes apart
_BREAKS = "\r\n\x85\u2028\u2029"
_FENCE = "---"

Edit = Mapping[str, str | None]  # field → its new value as typed, or None to remove it


class NotWritable(Exception):
    """The fields cannot be written into this file; the message says why, in Vietnamese."""


class Place(StrEnum):
    SIDECAR = "sidecar"  # the sidecar .yaml, existing or new
    FRONT_MATTER = "front_matter"  # the --- block of a .txt/.md
    LINES = "lines"  # labelled lines at the top of a .txt/.md


PLACE_LABELS_VI = {
    Place.SIDECAR: "tệp .yaml đi kèm",
    Place.FRONT_MATTER: "khối thông tin giữa hai dòng ---",
    Place.LINES: "các dòng thông tin đầu tệp",
}


def where_fields_go(suffix: str, data: bytes | None, has_sidecar: bool) -> Place:
    """Where the fields of a script with ``suffix`` (its bytes ``data`` for text) are written."""
    if has_sidecar or suffix not in (".txt", ".md") or data is None:
        return Place.SIDECAR
    text = clean_line_breaks(decode_bytes(data, "tệp").text)
    if text.split("\n")[0].rstrip() == _FENCE:
        return Place.FRONT_MATTER
    if _entries(text.split("\n")) or suffix == ".txt":
        return Place.LINES
    return Place.FRONT_MATTER


# -- values ------------------------------------------------------------------------------


def _one_line(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def yaml_value(field: str, value: str) -> str:
    """A value as YAML, read back exactly as typed: text quoted (a ``:`` or ``#`` in a title is
    text), numbers bare, zones a list."""
    value = _one_line(value)
    if field == "zones":
        items = [item for item in _LIST_SEPARATOR.split(value) if item]
        return "[" + ", ".join(json.dumps(item, ensure_ascii=False) for item in items) + "]"
    if field in ("times_per_week", "speed") and _NUMBER.fullmatch(value):
        return value
    return json.dumps(value, ensure_ascii=False)


# -- YAML: a --- block or a sidecar --------------------------------------------------------


def _lines(text: str) -> list[str]:
    """Lines with their own line break; the last one may have none."""
    found = [m.group(0) for m in _LINE.finditer(text)]
    return found[:-1] if found and found[-1] == "" else found


def _newline(text: str) -> str:
    match = re.search(r"\r\n|\r|\n", text)
    return match.group(0) if match else "\n"


def _is_filler(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _yaml_keys(text: str) -> list[tuple[str, int, int]]:
    """(key as typed, first line, line after its value) of each top-level key of a block
    mapping; comment and blank lines after a value are left outside it."""
    try:
        root = yaml.compose(clean_line_breaks(text), Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise NotWritable("phần thông tin hiện có lỗi cú pháp YAML; hãy sửa tệp trước") from exc
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise NotWritable(
            "phần thông tin không viết dạng mỗi dòng một “khóa: giá trị”; hãy sửa trực tiếp tệp"
        )
    lines = clean_line_breaks(text).split("\n")
    keys = []
    for key, value in root.value:
        first = key.start_mark.line
        end = value.end_mark.line + (1 if value.end_mark.column > 0 else 0)
        while end > first + 1 and _is_filler(lines[end - 1]):
            end -= 1
        keys.append((str(key.value), first, max(end, first + 1)))
    return keys


def rewrite_yaml(
    text: str, edit: Edit, new_keys_english: bool | None = None, newline: str | None = None
) -> str:
    """``text`` (YAML, a mapping) with the fields of ``edit`` changed, added or removed; every
    other line as it was. New keys are the English names when the others are."""
    lines = _lines(text)
    newline = newline or _newline(text)
    keys = _yaml_keys(text)
    done = set()
    for written, first, end in reversed(keys):
        name = field_named(written)
        if name is None or name not in edit:
            continue
        done.add(name)
        value = edit[name]
        ending = lines[end - 1][len(lines[end - 1].rstrip(_BREAKS)) :]
        replacement = [] if value is None else [f"{written}: {yaml_value(name, value)}{ending}"]
        lines[first:end] = replacement
    if new_keys_english is None:
        new_keys_english = all(written in FIELDS for written, _, _ in keys)
    added = [
        f"{name if new_keys_english else VIETNAMESE_NAMES[name]}: {yaml_value(name, value)}"
        f"{newline}"
        for name in FIELDS
        if name not in done and (value := edit.get(name)) is not None
    ]
    if added and lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    return "".join(lines + added)


# -- labelled lines -------------------------------------------------------------------------


def _entries(cleaned: list[str]) -> list[tuple[int, str, str]]:
    """(line index, label as typed, field) of the labelled lines at the top, as the reader
    finds them: among the non-blank lines."""
    top = [index for index, line in enumerate(cleaned) if line.strip()]
    entries = leading_entries([cleaned[index] for index in top])
    return [(top[entry.place], entry.label, entry.field) for entry in entries]


def _validity_line(start: str | None, end: str | None) -> str | None:
    if start and end:
        return f"từ {start} đến {end}"
    if start:
        return f"từ {start}"
    return f"đến {end}" if end else None


def _label(name: str) -> str:
    return VIETNAMESE_NAMES[name][:1].upper() + VIETNAMESE_NAMES[name][1:]


def rewrite_lines(text: str, edit: Edit, current: Mapping[str, str]) -> tuple[str, int]:
    """The labelled lines of ``text`` with ``edit`` applied, and how many characters of
    ``text`` they replace (the body after them is not touched). ``current`` gives the end of a
    one-line validity (``Hiệu lực: từ … đến …``) that is kept when the other one changes."""
    lines = _lines(text)
    cleaned = clean_line_breaks(text).split("\n")
    newline = _newline(text)
    entries = _entries(cleaned)
    head = (entries[-1][0] + 1) if entries else 0
    new_lines = lines[:head]
    done: set[str] = set()

    def value_of(name: str) -> str | None:
        return edit[name] if name in edit else current.get(name)

    for index, label, name in reversed(entries):
        given = split_ranges(leading_entries([f"{label}: {cleaned[index].partition(':')[2]}"]))
        if name == VALIDITY or {entry.field for entry in given[0]} == {"valid_from", "valid_until"}:
            if not {"valid_from", "valid_until"} & edit.keys():
                continue
            done |= {"valid_from", "valid_until"}
            value = _validity_line(value_of("valid_from"), value_of("valid_until"))
        elif name in edit:
            done.add(name)
            value = edit[name]
        else:
            continue
        raw = lines[index]
        ending = raw[len(raw.rstrip(_BREAKS)) :] or newline
        typed = raw.partition(":")[0]
        new_lines[index : index + 1] = (
            [] if value is None else [f"{typed}: {_one_line(value)}{ending}"]
        )
    added = [
        f"{_label(name)}: {_one_line(value)}{newline}"
        for name in FIELDS
        if name not in done and (value := edit.get(name)) is not None
    ]
    if added and not entries:
        added.append(newline)  # a blank line between the fields and the title
    if added and new_lines and not new_lines[-1].endswith(("\n", "\r")):
        new_lines[-1] += newline
    return "".join(new_lines + added), sum(len(line) for line in lines[:head])


# -- bytes ------------------------------------------------------------------------------------


def _cp1258(text: str) -> bytes:
    """Windows-1258 writes a tone as its own mark after the letter: ``ệ`` is ``ê`` + dot."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        letter = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        tones = "".join(c for c in parts if c in _TONES)
        out += (letter + tones).encode("cp1258")  # UnicodeEncodeError: not Vietnamese either
    return bytes(out)


_ENCODERS: dict[str, Callable[[str], bytes]] = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-sig": lambda text: text.encode("utf-8"),
    "utf-16-le": lambda text: text.encode("utf-16-le"),
    "utf-16-be": lambda text: text.encode("utf-16-be"),
    "windows-1258": _cp1258,
    "tcvn3": legacy.encode_tcvn3,
    "vni-windows": legacy.encode_vni,
}
_MARKS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


@dataclass(frozen=True)
class _Decoded:
    text: str
    encoding: str
    mark: bytes  # the byte order mark the file starts with, if any

    def encode(self, text: str) -> bytes:
        try:
            return _ENCODERS[self.encoding](text)
        except UnicodeEncodeError as exc:
            bad = text[exc.start : exc.end] if exc.object == text else str(exc.object)[:1]
            raise NotWritable(
                f"ký tự “{bad}” không ghi được bằng bảng mã {self.encoding} của tệp; hãy bỏ ký "
                "tự đó, hoặc lưu tệp lại bằng mã UTF-8"
            ) from exc


def _decoded(data: bytes) -> _Decoded:
    found = decode_bytes(data, "tệp")
    if found.encoding not in _ENCODERS:
        raise NotWritable(f"không ghi lại được tệp mã {found.encoding}")
    mark = next((m for m in _MARKS if data.startswith(m)), b"")
    return _Decoded(found.text, found.encoding, mark)


def _spliced(data: bytes, decoded: _Decoded, old_head: int, new_head: str) -> bytes:
    """The file with its first ``old_head`` characters replaced by ``new_head``, the bytes
    after them copied as they were."""
    before = decoded.mark + decoded.encode(decoded.text[:old_head])
    if not data.startswith(before):
        raise NotWritable(
            f"tệp mã {decoded.encoding} không ghi lại được đúng như cũ; hãy lưu tệp bằng mã "
            "UTF-8 rồi sửa lại"
        )
    return decoded.mark + decoded.encode(new_head) + data[len(before) :]


def rewrite_yaml_file(data: bytes | None, edit: Edit) -> bytes:
    """A sidecar with ``edit`` applied; a new one (UTF-8, Vietnamese keys) when ``data`` is
    ``None``."""
    if data is None:
        return rewrite_yaml("", edit, new_keys_english=False).encode("utf-8")
    decoded = _decoded(data)
    text = decoded.text
    return _spliced(data, decoded, len(text), rewrite_yaml(text, edit))


def rewrite_script_file(data: bytes, place: Place, edit: Edit, current: Mapping[str, str]) -> bytes:
    """A ``.txt``/``.md`` with ``edit`` applied at ``place`` (``FRONT_MATTER`` or ``LINES``)."""
    decoded = _decoded(data)
    text = decoded.text
    if place is Place.LINES:
        head_text, head = rewrite_lines(text, edit, current)
        return _spliced(data, decoded, head, head_text)
    lines = _lines(text)
    newline = _newline(text)
    if not lines or lines[0].rstrip(_BREAKS).rstrip() != _FENCE:
        block = rewrite_yaml("", edit, new_keys_english=True, newline=newline)
        return _spliced(data, decoded, 0, f"{_FENCE}{newline}{block}{_FENCE}{newline}")
    close = next(
        (
            index
            for index, line in enumerate(lines[1:], start=1)
            if line.rstrip(_BREAKS).rstrip() in (_FENCE, "...")
        ),
        None,
    )
    if close is None:
        raise NotWritable("khối thông tin mở bằng --- nhưng không có dòng --- đóng lại")
    block = rewrite_yaml("".join(lines[1:close]), edit, newline=newline)
    if block and not block.endswith(("\n", "\r")):
        block += newline
    return _spliced(data, decoded, sum(len(line) for line in lines[:close]), lines[0] + block)
