"""Bytes of a text file → clean NFC text, whatever encoding the office saved it in."""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from broadcast.diagnostics import Diagnostic, Severity
from broadcast.scripts import legacy
from broadcast.scripts.problems import refused
from broadcast.scripts.vietnamese import likeness

UTF8 = "utf-8"

# Byte order marks, longest first: Notepad's "Unicode" is UTF-16 LE with a BOM.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
)

# Candidate 8-bit decodings, in order of preference when they score the same.
_LEGACY: tuple[tuple[str, Callable[[bytes], str]], ...] = (
    ("windows-1258", lambda data: data.decode("cp1258")),
    ("tcvn3", legacy.decode_tcvn3),
    ("vni-windows", legacy.decode_vni),
)

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# Everything YAML and editors count as a line break, so line numbers agree with theirs.
_LINE_BREAK = re.compile("\r\n|[\r\x85\u2028\u2029]")
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{2,}")
# High bytes of the UTF-16 code units of Vietnamese text: ASCII, Latin letters, Vietnamese
# letters, punctuation such as "–" and "…".
_UTF16_HIGH_BYTES = (0x00, 0x01, 0x1E, 0x20)
_KNOWN_BINARY = {
    b"%PDF": "một tệp PDF",
    b"PK\x03\x04": "một tệp nén (có thể là .docx đã bị đổi tên)",
    b"\x89PNG": "một ảnh PNG",
    b"\xff\xd8\xff": "một ảnh JPEG",
    b"\xd0\xcf\x11\xe0": "một tệp Word/Excel đời cũ (.doc/.xls)",
    b"RIFF": "một tệp âm thanh WAV",
    b"ID3": "một tệp âm thanh MP3",
}


@dataclass(frozen=True)
class DecodedText:
    text: str  # raw decoded text, before cleaning
    encoding: str
    warnings: tuple[Diagnostic, ...] = ()


def _known_binary(data: bytes) -> str | None:
    for magic, kind in _KNOWN_BINARY.items():
        if data.startswith(magic):
            return kind
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """Codec of UTF-16 text saved without a byte order mark (some exporters do), else None.

    Vietnamese text is ASCII, letters at U+00C0-U+01B0 and U+1EA0-U+1EF9 and punctuation at
    U+20xx: nearly every high byte is one of those few values, most of them zero, while the
    low bytes are almost never zero. Binary data shows no such pattern.
    """
    pairs = len(data) // 2
    if not pairs or len(data) % 2:
        return None
    for codec, high, low in (
        ("utf-16-le", data[1::2], data[0::2]),
        ("utf-16-be", data[0::2], data[1::2]),
    ):
        usual_high = sum(high.count(byte) for byte in _UTF16_HIGH_BYTES)
        if (
            high.count(0) * 2 >= pairs
            and usual_high * 20 >= pairs * 19
            and low.count(0) * 20 <= pairs
        ):
            return codec
    return None


def _mostly_controls(text: str) -> bool:
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t")
    return controls * 10 > len(text)


def decode_bytes(data: bytes, source: str) -> DecodedText:
    """Detect the encoding of a text file and decode it; refuses binary files."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return DecodedText(data.decode(codec), name)
            except UnicodeDecodeError as exc:
                raise refused(
                    source,
                    "bad_encoding",
                    f"tệp có dấu hiệu mã {name} nhưng hỏng ở byte thứ {exc.start}; "
                    "hãy mở và lưu lại tệp",
                ) from exc
    kind = _known_binary(data)
    if kind:
        raise refused(source, "binary_file", f"đây là {kind}, không phải văn bản")
    text, encoding, warnings = _decode_without_bom(data, source)
    if _mostly_controls(text):
        raise refused(source, "binary_file", "đây là một tệp nhị phân, không phải văn bản")
    return DecodedText(text, encoding, warnings)


def _decode_without_bom(data: bytes, source: str) -> tuple[str, str, tuple[Diagnostic, ...]]:
    wide = _utf16_without_bom(data)
    if wide:
        try:
            return data.decode(wide), wide, ()
        except UnicodeDecodeError:
            pass  # a lone surrogate: not UTF-16 after all
    if b"\x00" in data:
        raise refused(source, "binary_file", "đây là một tệp nhị phân, không phải văn bản")
    try:
        return data.decode(UTF8), UTF8, ()
    except UnicodeDecodeError:
        return _decode_legacy(data, source)


def _decode_legacy(data: bytes, source: str) -> tuple[str, str, tuple[Diagnostic, ...]]:
    candidates = []
    for name, decode in _LEGACY:
        try:
            text = decode(data)
        except UnicodeDecodeError:
            continue  # a byte undefined in Windows-1258: not that encoding
        candidates.append((likeness(text), name, text))
    # max() keeps the first of equals, so the order of _LEGACY breaks ties.
    best, name, text = max(candidates, key=lambda c: c[0].score)
    if best.convincing:
        return text, name, ()
    doubt = Diagnostic(
        source,
        None,
        None,
        "encoding_guess",
        f"không nhận ra chắc chắn bảng mã của tệp, đã đọc theo {name}; "
        "hãy kiểm tra chữ có dấu, hoặc lưu lại tệp bằng mã UTF-8",
        Severity.WARNING,
    )
    return text, name, (doubt,)


def clean_line_breaks(text: str) -> str:
    """One kind of line ending, no zero-width or control characters, NFC."""
    text = _LINE_BREAK.sub("\n", text).translate(_ZERO_WIDTH)
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cf"))
    return unicodedata.normalize("NFC", text)


def paragraphs_of(text: str) -> list[str]:
    """Paragraphs separated by blank lines; spaces squeezed, lines inside a paragraph kept."""
    cleaned = clean_line_breaks(text)
    lines = [_HORIZONTAL_SPACE.sub(" ", line).strip() for line in cleaned.split("\n")]
    return [p.strip("\n") for p in _BLANK_LINES.split("\n".join(lines)) if p.strip()]
