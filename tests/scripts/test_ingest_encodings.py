"""Text files in every encoding a Vietnamese office produces come out as the same clean text."""

import codecs
import unicodedata

import pytest

from broadcast.diagnostics import InputError
from broadcast.scripts import (
    decode_tcvn3,
    decode_vni,
    encode_tcvn3,
    encode_vni,
    load_folder,
    read_script,
)

TITLE = "Thông báo về dịch vụ công trực tuyến mức độ 4"
BODY = (
    "Kính thưa bà con nhân dân!\n\n"
    "Từ ngày 01/11/2026, người dân phường có thể nộp hồ sơ đăng ký hộ kinh doanh, "
    "cấp đổi giấy phép lái xe và gia hạn thẻ bảo hiểm y tế ngay tại nhà, qua Cổng dịch vụ "
    "công quốc gia. Mọi thắc mắc xin liên hệ Bộ phận một cửa, số điện thoại 0243 868 1234.\n\n"
    "Ủy ban nhân dân phường trân trọng thông báo."
)
TEXT = f"{TITLE}\n{BODY}\n"
TONES = "\u0300\u0301\u0303\u0309\u0323"


def windows_1258(text: str) -> bytes:
    """As Windows stores Vietnamese in code page 1258: letter, then a combining tone mark."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", char)
        letter = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
        out.append((letter + "".join(c for c in decomposed if c in TONES)).encode("cp1258"))
    return b"".join(out)


ENCODED = {
    "utf-8": TEXT.encode("utf-8"),
    "utf-8-sig": TEXT.encode("utf-8-sig"),
    "utf-16-le": TEXT.replace("\n", "\r\n").encode("utf-16"),  # Notepad "Unicode"
    "utf-16-be": codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
    "windows-1258": windows_1258(TEXT.replace("\n", "\r\n")),
    "vni-windows": encode_vni(TEXT),
}


@pytest.mark.parametrize("encoding", sorted(ENCODED))
def test_each_encoding_reads_to_the_same_text(project, encoding):
    path = project.write("2026-11/thong-bao.txt", ENCODED[encoding])
    script = read_script(path, project.paths)
    assert script.encoding == encoding
    assert script.title == TITLE
    assert script.body == BODY
    assert script.id == "2026-11/thong-bao"


def test_windows_1258_fixture_really_is_decomposed():
    # Guard on the fixture itself: Windows keeps tone marks apart, so NFC has real work to do.
    assert "\u0301".encode("cp1258") in windows_1258("bá")


def test_tcvn3_file_is_detected_and_converted(project):
    # .VnTime has no toned capitals: "Ủy" starting a sentence comes out as "ủy".
    expected_body = BODY.replace("Ủy ban", "ủy ban")
    path = project.write("tcvn3.txt", encode_tcvn3(TEXT))
    script = read_script(path, project.paths)
    assert script.encoding == "tcvn3"
    assert (script.title, script.body) == (TITLE, expected_body)


def test_tcvn3_words_in_capitals_keep_their_capitals():
    assert decode_tcvn3(encode_tcvn3("ỦY BAN NHÂN DÂN PHƯỜNG")) == "ỦY BAN NHÂN DÂN PHƯỜNG"
    assert decode_tcvn3(encode_tcvn3("Nguyễn Trường Tộ")) == "Nguyễn Trường Tộ"


def test_tcvn3_table_covers_every_vietnamese_lowercase_letter():
    letters = "aàảãáạăằẳẵắặâầẩẫấậđeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵ"
    encoded = encode_tcvn3(letters)
    assert len(encoded) == len(letters)  # one byte each
    assert decode_tcvn3(encoded) == letters
    assert decode_vni(encode_vni(letters + letters.upper())) == letters + letters.upper()


def test_short_legacy_files_are_still_told_apart(project):
    for name, data, encoding in [
        ("a.txt", encode_tcvn3("Thông báo mất điện"), "tcvn3"),
        ("b.txt", encode_vni("Thông báo mất điện"), "vni-windows"),
        ("c.txt", windows_1258("Thông báo mất điện"), "windows-1258"),
    ]:
        script = read_script(project.write(name, data), project.paths)
        assert (script.title, script.encoding) == ("Thông báo mất điện", encoding), name


def test_unrecognisable_8bit_text_is_read_with_a_warning(project):
    path = project.write("lat.txt", "Titre\nÇa coûte très cher, n’est-ce pas?".encode("cp1252"))
    script = read_script(path, project.paths)
    assert [w.code for w in script.warnings] == ["encoding_guess"]
    assert "UTF-8" in script.warnings[0].message


def test_nfd_input_becomes_nfc(project):
    path = project.write("nfd.md", unicodedata.normalize("NFD", TEXT))
    script = read_script(path, project.paths)
    assert script.title == TITLE and script.body == BODY
    assert unicodedata.is_normalized("NFC", script.body)


def test_zero_width_and_control_characters_are_removed(project):
    dirty = "\ufeffThông\u200b báo\u2060\n\nBà\u200c con\u200d chú\x07 ý\x0b."
    script = read_script(project.write("zw.txt", dirty), project.paths)
    assert (script.title, script.body) == ("Thông báo", "Bà con chú ý.")


def test_line_endings_and_paragraph_breaks_are_normalized(project):
    raw = "Tiêu đề  \r\nDòng một\r\ncùng đoạn\r\n\r\n\r\n\r\n   Đoạn hai\t\tcó tab\r\rĐoạn ba\n"
    script = read_script(project.write("p.txt", raw), project.paths)
    assert script.title == "Tiêu đề"
    assert script.body == "Dòng một\ncùng đoạn\n\nĐoạn hai có tab\n\nĐoạn ba"


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
        b"abc\x00def\x00",
        bytes(range(1, 9)) * 50,
    ],
    ids=["png", "nul-bytes", "control-characters"],
)
def test_binary_files_are_refused(project, content):
    path = project.write("anh.txt", content)
    with pytest.raises(InputError) as caught:
        read_script(path, project.paths)
    (problem,) = caught.value.diagnostics
    assert problem.code == "binary_file"
    assert problem.file == "scripts_vi/anh.txt"
    assert "không phải văn bản" in problem.message


def test_broken_utf16_is_refused_with_a_message(project):
    path = project.write("u16.txt", codecs.BOM_UTF16_LE + b"A\x00\x00\xd8")  # lone surrogate
    with pytest.raises(InputError) as caught:
        read_script(path, project.paths)
    assert caught.value.diagnostics[0].code == "bad_encoding"


def test_check_reports_encoding_per_file_in_folder(project):
    project.write("a.txt", ENCODED["utf-16-le"])
    project.write("b.txt", encode_tcvn3(TEXT))
    folder = load_folder(project.paths)
    assert [(s.id, s.encoding) for s in folder.scripts] == [("a", "utf-16-le"), ("b", "tcvn3")]


def test_unicode_line_separators_count_as_line_breaks(project):
    text = "---\u2028title: A\u2028valid_until: 31/02/2026\u2028---\u2028Nội dung\n"
    with pytest.raises(InputError) as caught:
        read_script(project.write("ls.md", text), project.paths)
    assert caught.value.diagnostics[0].line == 3
