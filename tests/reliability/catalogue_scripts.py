"""Bad files in the board's drop folder ``scripts_vi/``."""

from __future__ import annotations

import io
import os
import wave
import zipfile

from broadcast.paths import ProjectPaths
from broadcast.scripts import encode_tcvn3
from broadcast.scripts.model import Script
from broadcast.textnorm import normalize
from tests.reliability.catalogue_model import Area, FileCase, Outcome, edit, sized, write

NEW_NOTICE = "Lịch cắt điện\n\nĐiện lực thông báo cắt điện tổ dân phố 2 từ 8 giờ đến 11 giờ.\n"
BAD_DAY = "31/02"
LONG_URL = "https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html?ma=1"
LONG_LINE = ("Bà con nộp hồ sơ trực tuyến tại cổng dịch vụ công quốc gia. " * 170)[:10_000]


def _png(paths: ProjectPaths) -> None:
    write(paths, "scripts_vi/anh.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)


def _program(paths: ProjectPaths) -> None:
    write(paths, "scripts_vi/chuong-trinh.txt", b"MZ\x90\x00\x03\x00\x00\x00" + os.urandom(2048))


def _utf16_without_bom(paths: ProjectPaths) -> None:
    write(paths, "scripts_vi/thong-bao.txt", NEW_NOTICE.encode("utf-16-le"))


def _tcvn3(paths: ProjectPaths) -> None:
    write(paths, "scripts_vi/cat-dien.txt", encode_tcvn3(NEW_NOTICE))


def _zip_of_photos(paths: ProjectPaths) -> None:
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("anh/hop-to-dan-pho.jpg", b"\xff\xd8\xff" + bytes(500))
    write(paths, "scripts_vi/tin-anh.docx", package.getvalue())


def _old_doc(paths: ProjectPaths) -> None:
    write(paths, "scripts_vi/bao-cao.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024))


def _link_out(paths: ProjectPaths) -> None:
    outside = write(paths, "../ngoai-du-an/mat-khau.txt", "Mật khẩu máy chủ\n\nabc123\n")
    (paths.scripts_dir / "mat-khau.txt").symlink_to(outside)


def _folder_link_out(paths: ProjectPaths) -> None:
    outside = write(paths, "../ngoai-du-an/tai-lieu/tin.txt", NEW_NOTICE).parent
    (paths.scripts_dir / "tai-lieu").symlink_to(outside, target_is_directory=True)


def _named_pipe(paths: ProjectPaths) -> None:
    os.mkfifo(paths.scripts_dir / "ong.txt")


def _silence_wav(paths: ProjectPaths, relative: str) -> None:
    with wave.open(str(paths.home / relative), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(16000)
        audio.writeframes(bytes(16000))  # half a second


def _sidecar_bad_priority(paths: ProjectPaths) -> None:
    _silence_wav(paths, "scripts_vi/phong-van.wav")
    write(paths, "scripts_vi/phong-van.yaml", "title: Phỏng vấn tổ trưởng\npriority: rất gấp\n")


def _took(script_id: str, title: str, encoding: str):
    def check(scripts: dict[str, Script]) -> None:
        script = scripts[script_id]
        assert (script.title, script.encoding) == (title, encoding)
        assert script.body.startswith("Điện lực thông báo cắt điện")

    return check


def _long_line_read(scripts: dict[str, Script]) -> None:
    assert scripts["mot-dong"].body == LONG_LINE.strip()


def _title_only_read(scripts: dict[str, Script]) -> None:
    assert (scripts["chi-tieu-de"].title, scripts["chi-tieu-de"].body) == ("Họp tổ dân phố", "")


def _impossible_date_not_read_as_a_date(scripts: dict[str, Script]) -> None:
    spoken = normalize(scripts["hop-to"].body)
    assert "ba mươi mốt trên hai" in spoken and "tháng hai" not in spoken


def _long_address_read_as_its_domain(scripts: dict[str, Script]) -> None:
    assert normalize(scripts["tra-cuu"].body).endswith("dịch vụ công chấm giê o vê chấm vê en.")


S = Area.SCRIPTS
CASES = [
    FileCase(
        "script-empty",
        S,
        "0-byte `.txt` dropped in",
        lambda p: write(p, "scripts_vi/moi.txt", b""),
        Outcome.REFUSED,
        "scripts_vi/moi.txt: tệp trống, không có nội dung để đọc",
    ),
    FileCase(
        "script-50mb",
        S,
        "50 MB `.txt`",
        lambda p: sized(p, "scripts_vi/to.txt", 50),
        Outcome.REFUSED,
        "scripts_vi/to.txt: tệp quá lớn (50.0 MB, tối đa 5 MB)",
    ),
    FileCase(
        "script-image-as-txt",
        S,
        "PNG image renamed `.txt`",
        _png,
        Outcome.REFUSED,
        "scripts_vi/anh.txt: đây là một ảnh PNG, không phải văn bản",
    ),
    FileCase(
        "script-program-as-txt",
        S,
        "binary program renamed `.txt`",
        _program,
        Outcome.REFUSED,
        "scripts_vi/chuong-trinh.txt: đây là một tệp nhị phân, không phải văn bản",
    ),
    FileCase(
        "script-utf16-no-bom",
        S,
        "script re-saved as UTF-16 without BOM",
        _utf16_without_bom,
        Outcome.ACCEPTED,
        "",
        accepted=_took("thong-bao", "Lịch cắt điện", "utf-16-le"),
    ),
    FileCase(
        "script-tcvn3",
        S,
        "script typed in TCVN3 (ABC, .VnTime)",
        _tcvn3,
        Outcome.ACCEPTED,
        "",
        accepted=_took("cat-dien", "Lịch cắt điện", "tcvn3"),
    ),
    FileCase(
        "script-zip-as-docx",
        S,
        "`.docx` that is a zip of photos",
        _zip_of_photos,
        Outcome.REFUSED,
        "scripts_vi/tin-anh.docx: tệp nén này không phải văn bản Word (.docx)",
    ),
    FileCase(
        "script-doc-as-docx",
        S,
        "old Word `.doc` renamed `.docx`",
        _old_doc,
        Outcome.REFUSED,
        "scripts_vi/bao-cao.docx: tệp không phải .docx thật (có thể là .doc đời cũ đã đổi tên); "
        "hãy mở bằng Word và lưu lại dạng .docx",
    ),
    FileCase(
        "script-symlink-out",
        S,
        "symlink to a file outside the folder",
        _link_out,
        Outcome.REFUSED,
        "scripts_vi/mat-khau.txt: liên kết trỏ ra ngoài thư mục scripts_vi/, không được đọc",
        posix_only=True,
    ),
    FileCase(
        "script-folder-symlink-out",
        S,
        "symlinked folder leading outside",
        _folder_link_out,
        Outcome.REFUSED,
        "scripts_vi/tai-lieu: liên kết thư mục trỏ ra ngoài thư mục scripts_vi/, không được đọc",
        posix_only=True,
    ),
    FileCase(
        "script-named-pipe",
        S,
        "named pipe called `.txt` (would block a reader)",
        _named_pipe,
        Outcome.REFUSED,
        "scripts_vi/ong.txt: đây không phải một tệp thường, không được đọc",
        posix_only=True,
    ),
    FileCase(
        "script-emoji-only",
        S,
        "emoji-only script",
        lambda p: write(p, "scripts_vi/bieu-tuong.txt", "📢📢📢\n\n🙏🎉\n"),
        Outcome.REFUSED,
        "scripts_vi/bieu-tuong.txt: kịch bản không có chữ hay số nào để đọc "
        "(chỉ có biểu tượng hoặc dấu câu)",
    ),
    FileCase(
        "script-10000-char-line",
        S,
        "one 10,000-character line",
        lambda p: write(p, "scripts_vi/mot-dong.txt", f"Tin dài\n\n{LONG_LINE}\n"),
        Outcome.ACCEPTED,
        "",
        accepted=_long_line_read,
    ),
    FileCase(
        "script-too-long",
        S,
        "script of 25,000 characters",
        lambda p: write(p, "scripts_vi/dai.txt", "Tin rất dài\n\n" + "a" * 24_989),
        Outcome.REFUSED,
        "scripts_vi/dai.txt: kịch bản dài 25.000 ký tự, vượt giới hạn 20.000 ký tự của một "
        "bản tin; hãy chia thành nhiều bản tin",
    ),
    FileCase(
        "script-title-only",
        S,
        "script with only a title",
        lambda p: write(p, "scripts_vi/chi-tieu-de.txt", "Họp tổ dân phố\n"),
        Outcome.WARNED,
        "scripts_vi/chi-tieu-de.txt: cảnh báo: kịch bản chỉ có tiêu đề, không có nội dung; "
        "loa sẽ chỉ đọc tiêu đề",
        accepted=_title_only_read,
    ),
    FileCase(
        "script-sidecar-alone",
        S,
        "sidecar `.yaml` without its script or recording",
        lambda p: write(p, "scripts_vi/phong-van.yaml", "title: Phỏng vấn\n"),
        Outcome.REFUSED,
        "scripts_vi/phong-van.yaml: tệp thông tin này không đi kèm kịch bản hay tệp ghi âm cùng "
        "tên (.txt, .md, .docx, .mp3, .wav, .m4a, .ogg)",
    ),
    FileCase(
        "script-text-as-mp3",
        S,
        "text file renamed `.mp3`",
        lambda p: write(p, "scripts_vi/ghi-am.mp3", NEW_NOTICE),
        Outcome.REFUSED,
        "scripts_vi/ghi-am.mp3: không giải mã được tệp âm thanh (",
        prefix_only=True,
    ),
    FileCase(
        "script-31-02",
        S,
        "front matter `valid_until: 31/02/2030`",
        lambda p: edit(p, "scripts_vi/tin.md", "31/12/2030", "31/02/2030"),
        Outcome.REFUSED,
        'scripts_vi/tin.md:4: ngày valid_until "31/02/2030" không tồn tại',
    ),
    FileCase(
        "script-front-matter-unclosed",
        S,
        "front matter without its closing `---`",
        lambda p: edit(p, "scripts_vi/tin.md", "zones: [to-1]\n---\n", "zones: [to-1]\n"),
        Outcome.REFUSED,
        "scripts_vi/tin.md:1: phần thông tin đầu tệp mở bằng '---' ở dòng 1 nhưng không có "
        "dòng '---' đóng lại",
    ),
    FileCase(
        "script-front-matter-broken-yaml",
        S,
        "broken YAML in front matter",
        lambda p: edit(p, "scripts_vi/tin.md", "zones: [to-1]", "zones: [to-1"),
        Outcome.REFUSED,
        'scripts_vi/tin.md:5:13: lỗi cú pháp YAML: danh sách mở bằng "[" ở dòng này chưa có dấu '
        '"]" đóng lại; thêm "]" vào cuối danh sách',
    ),
    FileCase(
        "script-wrong-type",
        S,
        "front matter `times_per_week: nhiều`",
        lambda p: edit(p, "scripts_vi/tin.md", "zones: [to-1]", "times_per_week: nhiều"),
        Outcome.REFUSED,
        'scripts_vi/tin.md:5: times_per_week phải là số nguyên, không phải "nhiều"',
    ),
    FileCase(
        "script-sidecar-bad-priority",
        S,
        "recording whose sidecar says `priority: rất gấp`",
        _sidecar_bad_priority,
        Outcome.REFUSED,
        'scripts_vi/phong-van.yaml:2: mức ưu tiên "rất gấp" không hợp lệ; viết normal '
        "(thông thường, bình thường, thường, thấp) hoặc priority (ưu tiên, cao)",
    ),
    FileCase(
        "script-front-matter-emergency",
        S,
        "front matter `priority: emergency` where approval is off (it would air in quiet "
        "hours, first in every slot; with `approval: required` it waits for approval)",
        lambda p: edit(p, "scripts_vi/tin.md", "zones: [to-1]", "priority: emergency"),
        Outcome.REFUSED,
        "scripts_vi/tin.md:5: kịch bản ghi mức ưu tiên khẩn cấp nhưng schedules.yaml không bật "
        "duyệt bài (approval: required): bài khẩn cấp phát cả trong giờ yên tĩnh và trước mọi "
        "bài khác nên phải được duyệt; bỏ mức khẩn cấp (viết priority: ưu tiên) hoặc bật duyệt "
        "bài. Tin khẩn của kỹ thuật viên: broadcast announce --priority emergency",
    ),
    FileCase(
        "script-duplicate-id",
        S,
        "`thong-bao.md` beside `thong-bao.txt` (same id)",
        lambda p: write(p, "scripts_vi/thong-bao.md", NEW_NOTICE),
        Outcome.REFUSED,
        'scripts_vi/thong-bao.md: trùng mã kịch bản "thong-bao" với scripts_vi/thong-bao.txt; '
        "hãy đổi tên một trong các tệp",
    ),
    FileCase(
        "script-impossible-date",
        S,
        "notice dated `31/02`, a day the calendar does not have",
        lambda p: write(p, "scripts_vi/hop-to.txt", f"Họp tổ\n\nHọp lúc 19 giờ ngày {BAD_DAY}.\n"),
        Outcome.WARNED,
        f'scripts_vi/hop-to.txt:3: cảnh báo: ngày "{BAD_DAY}" không có thật; loa đọc đúng như '
        'viết ("ba mươi mốt trên hai"), không đọc thành ngày tháng. Hãy sửa lại ngày',
        accepted=_impossible_date_not_read_as_a_date,
    ),
    FileCase(
        "script-long-web-address",
        S,
        "web address with a long path (`…/p/home/dvc-tra-cuu-ho-so.html?ma=1`)",
        lambda p: write(p, "scripts_vi/tra-cuu.txt", f"Tra cứu\n\nTra cứu tại {LONG_URL}.\n"),
        Outcome.WARNED,
        f'scripts_vi/tra-cuu.txt:3: cảnh báo: đường dẫn trong địa chỉ "{LONG_URL}" không đọc '
        'được trên loa; chỉ đọc tên miền ("dịch vụ công chấm giê o vê chấm vê en"). Hãy hướng '
        "dẫn bà con vào trang chủ rồi tìm theo tên mục",
        accepted=_long_address_read_as_its_domain,
    ),
]
