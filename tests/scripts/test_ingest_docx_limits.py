"""A ``.docx`` that would unpack huge (a zip bomb) is refused from the zip's own records, before
anything is inflated; parts the text does not need (pictures, headers) are never read."""

import base64
import io
import os
import tracemalloc
import zipfile

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from broadcast.diagnostics import InputError
from broadcast.scripts import read_script
from broadcast.scripts.docx_package import (
    BODY_PART,
    MAX_ENTRIES,
    MAX_RATIO,
    MAX_TEXT_PARTS_BYTES,
    MAX_UNPACKED_BYTES,
    RATIO_FROM_BYTES,
)

# A 1×1 PNG: python-docx reads a picture's header when it is added.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PICTURE = "word/media/image1.png"
PEAK_BYTES = 4 * 1024 * 1024  # what reading a small document may take, whatever it carries


def _word_file() -> bytes:
    """A real document: a title, a paragraph with a hyperlink, a picture and a page header."""
    document = docx.Document()
    document.add_paragraph("Thông báo tiêm chủng")
    paragraph = document.add_paragraph("Xem lịch tại ")
    link = OxmlElement("w:hyperlink")
    link.set(
        qn("r:id"),
        document.part.relate_to("https://example.vn", RELATIONSHIP_TYPE.HYPERLINK, True),
    )
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "trang của phường."
    run.append(text)
    link.append(run)
    paragraph._p.append(link)
    document.add_picture(io.BytesIO(PIXEL))
    document.sections[0].header.paragraphs[0].text = "Đầu trang không được đọc"
    data = io.BytesIO()
    document.save(data)
    return data.getvalue()


def _rewrite(path, replaced: dict[str, bytes | None], added: int = 0, stored: bool = False) -> None:
    """The document of ``_word_file`` with some parts replaced (left out: ``None``) and
    ``added`` empty entries."""
    source = zipfile.ZipFile(io.BytesIO(_word_file()))
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", method) as package:
        for name in source.namelist():
            data = replaced[name] if name in replaced else source.read(name)
            if data is not None:
                package.writestr(name, data)
        for number in range(added):
            package.writestr(f"extra/item{number}.xml", b"")


def _zeros_part(path, name: str, size: int) -> None:
    """Add ``name`` holding ``size`` zero bytes, deflated as a zip bomb is, written 1 MB at a
    time so the test itself stays small."""
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as package:
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with package.open(info, "w", force_zip64=False) as part:
            block = bytes(1024 * 1024)
            for _ in range(size // len(block)):
                part.write(block)
            part.write(bytes(size % len(block)))


def _body_with(text: bytes) -> bytes:
    """The document's body with one more paragraph holding ``text``."""
    original = zipfile.ZipFile(io.BytesIO(_word_file())).read(BODY_PART)
    paragraph = b"<w:p><w:r><w:t>" + text + b"</w:t></w:r></w:p></w:body>"
    return original.replace(b"</w:body>", paragraph)


def _declare_size(path, name: str, size: int) -> None:
    """Make the zip's central directory claim ``size`` bytes for ``name``, whatever it holds."""
    data = bytearray(path.read_bytes())
    end = data.rindex(b"PK\x05\x06")
    entry = int.from_bytes(data[end + 16 : end + 20], "little")  # the directory's offset
    while data[entry + 46 : entry + 46 + len(name)] != name.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 24 : entry + 28] = size.to_bytes(4, "little")  # its uncompressed size
    path.write_bytes(data)


def _read_measured(path, project):
    """``read_script`` with the peak of memory Python allocated meanwhile."""
    tracemalloc.start()
    try:
        try:
            result = read_script(path, project.paths)
        except InputError as exc:
            result = exc
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_parts_the_text_does_not_need_are_never_read(project):
    path = project.paths.scripts_dir / "tiem-chung.docx"
    # A large photograph: incompressible, so no ratio or declared size gives it away.
    _rewrite(path, {PICTURE: os.urandom(12 * 1024 * 1024)}, stored=True)
    script, peak = _read_measured(path, project)
    assert script.title == "Thông báo tiêm chủng"
    assert script.body == "Xem lịch tại trang của phường."
    print(f"peak {peak / 1e6:.2f} MB")
    assert peak < PEAK_BYTES, f"{peak / 1e6:.1f} MB"


@pytest.mark.parametrize(
    "bomb",
    ["picture", "body", "entries", "lying-record"],
)
def test_a_zip_bomb_is_refused_with_the_file_named_and_memory_bounded(project, bomb):
    path = project.paths.scripts_dir / "bom.docx"
    if bomb == "picture":  # the 1 MB file with a 1 GB part, scaled to the limit
        _rewrite(path, {PICTURE: None})
        _zeros_part(path, PICTURE, MAX_UNPACKED_BYTES + 1)
        expected = "zip_bomb"
    elif bomb == "body":  # the text's own part, a little over what the ratio allows
        spaces = b" " * (max(RATIO_FROM_BYTES, MAX_RATIO * 1024) + 1)
        _rewrite(path, {BODY_PART: _body_with(spaces)})
        expected = "zip_bomb"
    elif bomb == "entries":
        _rewrite(path, {}, added=MAX_ENTRIES)
        expected = "zip_bomb"
    else:  # a record declaring a small body that inflates to more than the budget
        _rewrite(path, {BODY_PART: _body_with(b" " * MAX_TEXT_PARTS_BYTES)})
        _declare_size(path, BODY_PART, 1000)
        expected = "bad_docx"
    refusal, peak = _read_measured(path, project)
    assert isinstance(refusal, InputError)
    (problem,) = refusal.diagnostics
    assert problem.file == "scripts_vi/bom.docx" and problem.code == expected
    assert str(problem).startswith("scripts_vi/bom.docx: ")
    print(f"peak {peak / 1e6:.2f} MB")
    assert peak < PEAK_BYTES, f"{peak / 1e6:.1f} MB"


def test_the_parts_read_have_one_budget(project, monkeypatch):
    """A body within the ratio but over the budget is refused while it is being inflated."""
    monkeypatch.setattr("broadcast.scripts.docx_package.MAX_TEXT_PARTS_BYTES", 64 * 1024)
    path = project.paths.scripts_dir / "dai.docx"
    _rewrite(path, {BODY_PART: _body_with(os.urandom(40 * 1024).hex().encode())})
    with pytest.raises(InputError) as caught:
        read_script(path, project.paths)
    (problem,) = caught.value.diagnostics
    assert problem.code == "too_large" and problem.file == "scripts_vi/dai.docx"
