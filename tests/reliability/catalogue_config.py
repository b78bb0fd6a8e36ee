"""Bad edits of ``schedules.yaml`` (the technician) and ``lexicon.yaml`` (the board).

Line numbers refer to ``reliability_ward.SCHEDULES`` and ``LEXICON``; ``edit`` refuses to run
when the fragment it replaces is not there, so a changed template fails loudly.
"""

from __future__ import annotations

from broadcast.paths import ProjectPaths
from tests.reliability.catalogue_model import Area, FileCase, Outcome, edit, sized, write

SCHEDULES = "schedules.yaml"
LEXICON = "lexicon.yaml"
SLOT_TIMES = '    times: ["'  # the slot's time follows; the ward template sets it to now + 6 h


def _slot_time(paths: ProjectPaths, new: str) -> None:
    text = paths.schedules_file.read_text(encoding="utf-8")
    start = text.index(SLOT_TIMES) + len(SLOT_TIMES)
    end = text.index('"]', start)
    paths.schedules_file.write_text(text[:start] + new + text[end:], encoding="utf-8")


def _media_link_out(paths: ProjectPaths) -> None:
    outside = write(paths, "../ngoai-du-an/nhac.mp3", b"ID3" + bytes(100))
    (paths.media_dir / "nhac.mp3").symlink_to(outside)
    edit(paths, SCHEDULES, "    segments:\n", "    segments:\n      - intro: nhac.mp3\n")


def _utf16(paths: ProjectPaths, relative: str) -> None:
    path = paths.home / relative
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16-le"))


def _tcvn3_name(paths: ProjectPaths) -> None:
    text = paths.schedules_file.read_text(encoding="utf-8")
    # A name typed with a TCVN3 keyboard driver: "Tæ d©n phè 2" in its 8-bit bytes.
    paths.schedules_file.write_bytes(
        text.replace("Tổ dân phố 2", "T\x00").encode().replace(b"T\x00", b"T\xe6 d\xa9n ph\xe8 2")
    )


def _ten_thousand_slots(paths: ProjectPaths) -> None:
    """10,000 slots in 1.3 MB, under the 2 MB every YAML file may have: read and checked under
    the daemon's lock, this held every command for 64–74 s."""
    slots = "".join(
        f'  - {{id: khung-{n:05d}, name: "Khung giờ số {n}", times: ["{n % 1440 // 60:02d}:'
        f'{n % 60:02d}"], weekdays: [{("T2", "T3", "T4", "T5", "T6", "T7", "CN")[n // 1440]}], '
        "program: sang, zones: [to-1], max_minutes: 1}\n"
        for n in range(10_000)
    )
    edit(paths, SCHEDULES, "tts:\n", slots + "tts:\n")


def _every_minute(paths: ProjectPaths) -> None:
    _slot_time(paths, '", "'.join(f"{m // 60:02d}:{m % 60:02d}" for m in range(24 * 60)))
    edit(paths, SCHEDULES, "max_minutes: 15", "max_minutes: 1")


def _folder_instead(paths: ProjectPaths) -> None:
    paths.schedules_file.unlink()
    paths.schedules_file.mkdir()


def _deep(paths: ProjectPaths) -> None:
    write(paths, SCHEDULES, "zones: " + "[" * 1000 + "]" * 1000 + "\n")


# The ward's identity on its period report (issue 16), added after the last line.
REPORT = """\
report:
  issuing_body: ỦY BAN NHÂN DÂN PHƯỜNG LONG ANH
  ward_name: phường Long Anh
  place: Long Anh
  prepared_by: Công chức Văn phòng - Thống kê
  signer: {authority: [CHỦ TỊCH], name: Lê Văn Chiến}
  recipients: [UBND Thành phố (b/c)]
"""


SIGNER = "  signer: {authority: [CHỦ TỊCH], name: Lê Văn Chiến}\n"


def _report(paths: ProjectPaths, more: str, without: str = "") -> None:
    section = REPORT.replace(without, "") if without else REPORT
    edit(paths, SCHEDULES, "  chime: none\n", "  chime: none\n" + section + more)


def _approval(paths: ProjectPaths, section: str) -> None:
    """``approval:`` and ``approvers:`` (issue 17) added after the last line (line 28 on)."""
    edit(paths, SCHEDULES, "  chime: none\n", "  chime: none\n" + section)


C = Area.SCHEDULES
L = Area.LEXICON
CONFIG_CASES = [
    FileCase(
        "schedules-broken-yaml",
        C,
        "unclosed bracket",
        lambda p: edit(p, SCHEDULES, "zones: [toan-phuong]", "zones: [toan-phuong"),
        Outcome.REFUSED,
        'schedules.yaml:23:24: lỗi cú pháp YAML: danh sách mở bằng "[" ở dòng này chưa có dấu '
        '"]" đóng lại; thêm "]" vào cuối danh sách',
    ),
    FileCase(
        "schedules-wrong-type",
        C,
        "`channels: [hai]` (text for a number)",
        lambda p: edit(p, SCHEDULES, "loa-2, channels: [1]", "loa-2, channels: [hai]"),
        Outcome.REFUSED,
        'schedules.yaml:10:40: số kênh phải là số nguyên, không phải "hai"',
    ),
    FileCase(
        "schedules-25-00",
        C,
        "slot time `25:00`",
        lambda p: _slot_time(p, "25:00"),
        Outcome.REFUSED,
        'schedules.yaml:20:13: giờ "25:00" không hợp lệ (cần dạng HH:MM, từ 00:00 đến 23:59)',
    ),
    FileCase(
        "schedules-31-02",
        C,
        "`except: [31/02/2027]`",
        lambda p: edit(
            p,
            SCHEDULES,
            "    max_minutes: 15\n",
            '    except: ["31/02/2027"]\n    max_minutes: 15\n',
        ),
        Outcome.REFUSED,
        'schedules.yaml:24:14: ngày "31/02/2027" không tồn tại',
    ),
    FileCase(
        "schedules-unknown-zone",
        C,
        "slot for an unknown zone `to-9`",
        lambda p: edit(p, SCHEDULES, "zones: [toan-phuong]", "zones: [to-9]"),
        Outcome.REFUSED,
        'schedules.yaml:23:13: khu vực "to-9" không có trong zones hay zone_groups '
        '(có phải "to-2"?)',
    ),
    FileCase(
        "schedules-zone-group-loop",
        C,
        "zone groups containing each other",
        lambda p: edit(
            p,
            SCHEDULES,
            "  toan-phuong: [to-1, to-2]\n",
            "  toan-phuong: [to-1, to-2]\n  a: [b]\n  b: [a]\n",
        ),
        Outcome.REFUSED,
        "schedules.yaml:13:3: nhóm khu vực lặp vòng: a → b → a",
    ),
    FileCase(
        "schedules-unknown-timezone",
        C,
        "`timezone: Asia/Ha_Noi`",
        lambda p: edit(p, SCHEDULES, "timezone: Asia/Ho_Chi_Minh", "timezone: Asia/Ha_Noi"),
        Outcome.REFUSED,
        'schedules.yaml:1:11: múi giờ "Asia/Ha_Noi" không tồn tại',
    ),
    FileCase(
        "schedules-media-dotdot",
        C,
        "intro `../../etc/passwd.mp3`",
        lambda p: edit(
            p, SCHEDULES, "    segments:\n", "    segments:\n      - intro: ../../etc/passwd.mp3\n"
        ),
        Outcome.REFUSED,
        'schedules.yaml:17:16: tệp "../../etc/passwd.mp3" nằm ngoài thư mục media/ của dự án, '
        "không được dùng",
    ),
    FileCase(
        "schedules-media-symlink-out",
        C,
        "intro `media/nhac.mp3`, a symlink leading outside",
        _media_link_out,
        Outcome.REFUSED,
        'schedules.yaml:17:16: tệp "nhac.mp3" nằm ngoài thư mục media/ của dự án, không được dùng',
        posix_only=True,
    ),
    FileCase(
        "schedules-utf16-no-bom",
        C,
        "saved as UTF-16 without BOM",
        lambda p: _utf16(p, SCHEDULES),
        Outcome.REFUSED,
        "schedules.yaml:1: tệp có byte 0, có lẽ được lưu bằng mã UTF-16; hãy lưu lại bằng mã UTF-8",
    ),
    FileCase(
        "schedules-tcvn3",
        C,
        "a zone name typed in TCVN3",
        _tcvn3_name,
        Outcome.REFUSED,
        "schedules.yaml:9: tệp phải được lưu bằng mã UTF-8 (có chữ sai mã ở dòng này)",
    ),
    FileCase(
        "schedules-empty",
        C,
        "0-byte `schedules.yaml`",
        lambda p: write(p, SCHEDULES, b""),
        Outcome.REFUSED,
        "schedules.yaml: tệp lịch phát trống",
    ),
    FileCase(
        "schedules-tab-indent",
        C,
        "indented with the Tab key",
        lambda p: edit(p, SCHEDULES, "    max_minutes: 15", "\tmax_minutes: 15"),
        Outcome.REFUSED,
        "schedules.yaml:24:1: lỗi cú pháp YAML: thụt lề bằng phím Tab; YAML chỉ nhận dấu cách "
        "(xóa Tab, gõ dấu cách thay vào)",
    ),
    FileCase(
        "schedules-50mb",
        C,
        "50 MB `schedules.yaml`",
        lambda p: sized(p, SCHEDULES, 50),
        Outcome.REFUSED,
        "schedules.yaml: tệp quá lớn (50.0 MB, tối đa 128 KB)",
    ),
    FileCase(
        "schedules-10000-slots",
        C,
        "10,000 slots in 1.3 MB",
        _ten_thousand_slots,
        Outcome.REFUSED,
        "schedules.yaml: tệp quá lớn (1.3 MB, tối đa 128 KB)",
    ),
    FileCase(
        "schedules-too-many-airings",
        C,
        "a slot every minute of the day, on both zones",
        _every_minute,
        Outcome.REFUSED,
        "schedules.yaml:19:3: các khung giờ có 20.160 lượt phát mỗi tuần tính theo từng khu vực, "
        "tối đa 20.000; hãy bớt khung giờ, giờ phát hoặc khu vực",
    ),
    FileCase(
        "schedules-unknown-script",
        C,
        "a program's fixed `script:` naming a script not in `scripts_vi/`",
        lambda p: edit(
            p, SCHEDULES, "    segments:\n", "    segments:\n      - script: thong-bao-cu\n"
        ),
        Outcome.REFUSED,
        'schedules.yaml:17: chương trình "sang": không có bài "thong-bao-cu" trong scripts_vi/ '
        '(có phải "thong-bao"?)',
    ),
    FileCase(
        "schedules-deep-nesting",
        C,
        "brackets nested 1,000 deep",
        _deep,
        Outcome.REFUSED,
        "schedules.yaml: các mục lồng vào nhau quá sâu, không đọc được",
    ),
    FileCase(
        "schedules-folder",
        C,
        "`schedules.yaml` replaced by a folder",
        _folder_instead,
        Outcome.REFUSED,
        "schedules.yaml: đây không phải một tệp",
    ),
    FileCase(
        "schedules-deleted",
        C,
        "`schedules.yaml` deleted",
        lambda p: p.schedules_file.unlink(),
        Outcome.REFUSED,
        "schedules.yaml: không tìm thấy tệp lịch phát",
    ),
    FileCase(
        "schedules-missing-key",
        C,
        "slot without `program`",
        lambda p: edit(p, SCHEDULES, "    program: sang\n", ""),
        Outcome.REFUSED,
        'schedules.yaml:19:5: khung giờ "sang" thiếu khóa "program"',
    ),
    FileCase(
        "schedules-negative-minutes",
        C,
        "`max_minutes: -5`",
        lambda p: edit(p, SCHEDULES, "max_minutes: 15", "max_minutes: -5"),
        Outcome.REFUSED,
        "schedules.yaml:24:18: max_minutes phải lớn hơn 0, không phải -5",
    ),
    FileCase(
        "lexicon-bad-reading",
        L,
        "reading written in digits `TDP: 123`",
        lambda p: edit(p, LEXICON, "TDP: tổ dân phố", "TDP: 123"),
        Outcome.REFUSED,
        'lexicon.yaml:2:8: cách đọc của "TDP" chỉ được gồm chữ cái tiếng Việt và dấu cách, '
        'không phải "123"',
    ),
    FileCase(
        "lexicon-bad-key",
        L,
        "key with spaces `T D P`",
        lambda p: edit(p, LEXICON, "TDP: tổ dân phố", "T D P: tổ dân phố"),
        Outcome.REFUSED,
        'lexicon.yaml:2:3: "T D P" không dùng được làm khóa: cần một từ không có dấu cách',
    ),
    FileCase(
        "lexicon-list-not-mapping",
        L,
        "`abbreviations` written as a list",
        lambda p: write(p, LEXICON, "abbreviations:\n  - TDP\n  - UBND\n"),
        Outcome.REFUSED,
        "lexicon.yaml:2:3: mục \"abbreviations\" phải là danh sách dạng 'khóa: giá trị'",
    ),
    FileCase(
        "lexicon-broken-yaml",
        L,
        "reading with an unclosed quote",
        lambda p: edit(p, LEXICON, "TDP: tổ dân phố", 'TDP: "tổ dân phố'),
        Outcome.REFUSED,
        'lexicon.yaml:2:8: lỗi cú pháp YAML: dấu " mở ở đây chưa được đóng; thêm " vào cuối giá '
        "trị",
    ),
    FileCase(
        "lexicon-utf16-with-bom",
        L,
        'saved as "Unicode" (UTF-16) by Notepad',
        lambda p: p.lexicon_file.write_bytes(p.lexicon_file.read_text().encode("utf-16")),
        Outcome.REFUSED,
        "lexicon.yaml:1: tệp được lưu bằng mã UTF-16 (Unicode); hãy lưu lại bằng mã UTF-8",
    ),
    FileCase(
        "lexicon-reading-loops",
        L,
        "reading that contains another entry (`zl: zalo`)",
        lambda p: write(p, LEXICON, "abbreviations:\n  zl: zalo\n"),
        Outcome.REFUSED,
        'lexicon.yaml:2:7: cách đọc của "zl" chứa "zalo", cũng là một mục trong từ điển; '
        "hãy viết cách đọc bằng lời",
    ),
    FileCase(
        "schedules-report-plan-item-unknown-topic",
        C,
        "`report:` plan item naming a topic not in `topics` (`cchh`)",
        lambda p: _report(p, "  plan_items:\n    a: {title: CCHC, topics: [cchh]}\n"),
        Outcome.REFUSED,
        'schedules.yaml:36:31: mục a): chủ đề "cchh" không có trong topics (có phải "cchc"?)',
    ),
    FileCase(
        "schedules-report-number-pattern",
        C,
        "`report:` number pattern without `{number}`",
        lambda p: _report(p, "  number_pattern: BC-UBND\n"),
        Outcome.REFUSED,
        'schedules.yaml:35:19: report.number_pattern "BC-UBND" thiếu {number} (chỗ điền số '
        'văn bản), ví dụ "{number}/BC-UBND"',
    ),
    FileCase(
        "schedules-report-missing-signer",
        C,
        "`report:` without `signer`",
        lambda p: _report(p, "", without=SIGNER),
        Outcome.REFUSED,
        'schedules.yaml:29:3: report thiếu khóa "signer"',
    ),
    FileCase(
        "schedules-approval-bad-word",
        C,
        "`approval: always` (neither required nor off)",
        lambda p: _approval(p, "approval: always\n"),
        Outcome.REFUSED,
        (
            'schedules.yaml:28:11: approval "always" không hợp lệ: viết required (phải duyệt '
            "trước khi phát) hoặc off (không cần duyệt)"
        ),
    ),
    FileCase(
        "schedules-approval-listen-alone",
        C,
        "`approval: {listen: true}` without `required: true`",
        lambda p: _approval(p, "approval: {listen: true}\n"),
        Outcome.REFUSED,
        "schedules.yaml:28:20: approval.listen cần approval.required: true",
    ),
    FileCase(
        "schedules-approval-no-approvers",
        C,
        "`approval: required` without `approvers:`",
        lambda p: _approval(p, "approval: required\n"),
        Outcome.REFUSED,
        (
            "schedules.yaml:28:11: approval: required cần danh sách người duyệt, ví dụ "
            'approvers: ["Lê Văn Chiến"] (chỉ người có tên trong danh sách mới duyệt được bài)'
        ),
    ),
    FileCase(
        "schedules-approver-twice",
        C,
        "the same approver twice, typed differently",
        lambda p: _approval(
            p, "approval: required\napprovers: [Lê Văn Chiến, Nguyễn Thị Hà, lê văn  chiến]\n"
        ),
        Outcome.REFUSED,
        'schedules.yaml:29:42: người duyệt "lê văn chiến" bị lặp lại',
    ),
    FileCase(
        "schedules-approver-empty",
        C,
        'an empty approver name `""`',
        lambda p: _approval(p, 'approval: required\napprovers: [Lê Văn Chiến, "  "]\n'),
        Outcome.REFUSED,
        "schedules.yaml:29:27: tên người duyệt trống",
    ),
]
