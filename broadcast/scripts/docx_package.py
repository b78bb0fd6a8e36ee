"""The parts of a ``.docx`` its text needs, unpacked with a byte budget.

A ``.docx`` is a zip: a 1 MB file can declare a 1 GB part (a zip bomb), and python-docx reads
every part the document links to, pictures included. So the zip's own records (entry count,
declared sizes, compression ratios) are checked before anything is inflated, and python-docx
gets a copy holding only the body, its styles and the title: pictures, headers and the rest
are never read. Each part kept is inflated chunk by chunk against a budget, so a record that
lies about its size cannot make it larger.
"""

from __future__ import annotations

import io
import posixpath
import struct
import zipfile
import zlib
from pathlib import Path
from xml.etree import ElementTree

from broadcast.diagnostics import InputError
from broadcast.scripts.problems import refused

MAX_ENTRIES = 1000  # a Word file with a few hundred pictures has a few hundred entries
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # every entry as declared, those not read included
MAX_TEXT_PARTS_BYTES = 20 * 1024 * 1024  # all parts read; a bulletin's body is far smaller
# The ratio Apache POI refuses Office files beyond; smaller entries cannot hurt whatever it is.
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024

BODY_PART = "word/document.xml"
_CONTENT_TYPES = "[Content_Types].xml"
_PACKAGE_RELS = "_rels/.rels"
# Relationships the text needs, by the end of their type (transitional and strict spellings).
_MAIN = "/officeDocument"  # the body
_PACKAGE_KEEPS = (_MAIN, "/core-properties")  # and the title
_BODY_KEEPS = ("/styles",)  # fonts set on styles (legacy .VnTime text)
_CHUNK = 64 * 1024
_END_RECORD = struct.Struct("<4s4H2LH")  # the zip's end of central directory record
_END_SIGNATURE = b"PK\x05\x06"


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def _too_big(source: str, detail: str) -> InputError:
    return refused(
        source,
        "zip_bomb",
        f"tệp .docx này khi giải nén lớn bất thường ({detail}), có thể là tệp nén độc hại; "
        "không đọc",
    )


def _declared_entries(path: Path) -> int | None:
    """The entry count the zip's last record declares, read before the zip is opened (parsing
    200,000 entries takes seconds and 100 MB); ``None`` when it is not a zip."""
    with path.open("rb") as file:
        size = file.seek(0, io.SEEK_END)
        start = max(0, size - _END_RECORD.size - 0xFFFF)  # the record, then a comment
        file.seek(start)
        tail = file.read()
    at = tail.rfind(_END_SIGNATURE)
    if at < 0 or len(tail) - at < _END_RECORD.size:
        return None
    return int(_END_RECORD.unpack_from(tail, at)[4])


def _check_declared(package: zipfile.ZipFile, source: str) -> None:
    entries = package.infolist()
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNPACKED_BYTES:
        raise _too_big(source, f"khai báo {_size(total)}")
    for entry in entries:
        ratio_checked = entry.file_size > RATIO_FROM_BYTES
        if ratio_checked and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            detail = f"{_size(entry.compress_size)} nén thành {_size(entry.file_size)}"
            raise _too_big(source, detail)


class _Reader:
    """Inflates parts one chunk at a time, all of them against one budget."""

    def __init__(self, package: zipfile.ZipFile, source: str):
        self._package = package
        self._source = source
        self._left = MAX_TEXT_PARTS_BYTES
        self.parts: dict[str, bytes] = {}

    def read(self, name: str) -> bytes | None:
        """The part, or ``None`` when the package has none of that name."""
        try:
            entry = self._package.getinfo(name)
        except KeyError:
            return None
        if entry.file_size > self._left:
            raise self._refused()
        chunks = []
        with self._package.open(entry) as part:
            while chunk := part.read(_CHUNK):
                self._left -= len(chunk)
                if self._left < 0:  # more than declared: the record lied
                    raise self._refused()
                chunks.append(chunk)
        self.parts[name] = b"".join(chunks)
        return self.parts[name]

    def _refused(self) -> InputError:
        return refused(self._source, "too_large", "nội dung văn bản Word quá lớn để đọc an toàn")


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _keep_relationships(
    reader: _Reader, part: str, keeps: tuple[str, ...], source: str
) -> dict[str, str]:
    """Trim ``part``'s relationships to links outside the package and those of ``keeps``;
    returns the parts those lead to, by the end of their type."""
    rels_name = _PACKAGE_RELS if part == "" else _rels_name(part)
    data = reader.read(rels_name)
    if data is None:
        return {}
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise refused(source, "bad_docx", "tệp .docx bị hỏng, không mở được") from exc
    targets = {}
    for relationship in list(root):
        if relationship.get("TargetMode") == "External":
            continue  # a hyperlink's address: no part behind it
        kind = next((k for k in keeps if relationship.get("Type", "").endswith(k)), None)
        if kind is None:
            root.remove(relationship)
            continue
        target = posixpath.join("/", posixpath.dirname(part), relationship.get("Target", ""))
        targets[kind] = posixpath.normpath(target).lstrip("/")
    reader.parts[rels_name] = ElementTree.tostring(root)
    return targets


def text_package(path: Path, source: str) -> io.BytesIO:
    """A copy of the ``.docx`` at ``path`` with only what its text needs, for python-docx;
    ``InputError`` naming the file when it is not a ``.docx`` or would unpack too large."""
    entries = _declared_entries(path)
    if entries is None:
        raise refused(
            source,
            "not_docx",
            "tệp không phải .docx thật (có thể là .doc đời cũ đã đổi tên); "
            "hãy mở bằng Word và lưu lại dạng .docx",
        )
    if entries > MAX_ENTRIES:
        raise _too_big(source, f"hơn {MAX_ENTRIES} tệp con")
    try:
        with zipfile.ZipFile(path) as package:
            if BODY_PART not in package.namelist():
                raise refused(source, "not_docx", "tệp nén này không phải văn bản Word (.docx)")
            _check_declared(package, source)
            reader = _Reader(package, source)
            reader.read(_CONTENT_TYPES)
            linked = _keep_relationships(reader, "", _PACKAGE_KEEPS, source)
            if _MAIN in linked:
                linked |= _keep_relationships(reader, linked[_MAIN], _BODY_KEEPS, source)
            for part in linked.values():
                reader.read(part)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, RuntimeError) as exc:
        # Damaged records or data, a wrong checksum (a part larger than declared), an unknown
        # method (NotImplementedError is a RuntimeError), a password.
        raise refused(source, "bad_docx", "tệp .docx bị hỏng, không mở được") from exc
    copy = io.BytesIO()
    with zipfile.ZipFile(copy, "w") as trimmed:
        for name, data in reader.parts.items():
            trimmed.writestr(name, data)
    copy.seek(0)
    return copy
