"""Mistakes a Word or Notepad user makes, and the feedback that says how to fix them (issue 15):
YAML typed by hand, topics mistyped, words the loudspeaker cannot read well."""

from __future__ import annotations

from broadcast.scripts.model import Priority, Script
from tests.reliability.catalogue_model import Area, FileCase, Outcome, edit, write

S = Area.SCRIPTS
C = Area.SCHEDULES
SCHEDULES = "schedules.yaml"
TIN = "scripts_vi/tin.md"


def _taken(script_id: str):
    def check(scripts: dict[str, Script]) -> None:
        assert script_id in scripts

    return check


def _priority_taken(scripts: dict[str, Script]) -> None:
    assert scripts["tin"].priority is Priority.PRIORITY


FEEDBACK_CASES = [
    FileCase(
        "script-front-matter-colon-in-title",
        S,
        "front matter `title: Thông báo: dịch vụ công…` (a colon inside the title)",
        lambda p: edit(p, TIN, "title: Dịch vụ công", "title: Thông báo: Dịch vụ công"),
        Outcome.REFUSED,
        "scripts_vi/tin.md:2:17: lỗi cú pháp YAML: tiêu đề có dấu hai chấm; hãy đặt tiêu đề "
        'trong dấu ngoặc kép: title: "Thông báo: Dịch vụ công mức độ 4"',
    ),
    FileCase(
        "script-front-matter-no-space",
        S,
        "front matter `topic:cchc` (no space after the colon)",
        lambda p: edit(p, TIN, "topic: cchc", "topic:cchc"),
        Outcome.REFUSED,
        'scripts_vi/tin.md:3:6: lỗi cú pháp YAML: thiếu dấu cách sau dấu hai chấm; viết "topic: '
        'cchc"',
    ),
    FileCase(
        "script-front-matter-duplicate-key",
        S,
        "front matter with `title:` twice",
        lambda p: edit(p, TIN, "topic: cchc\n", "topic: cchc\ntitle: Tin khác\n"),
        Outcome.REFUSED,
        'scripts_vi/tin.md:4: khóa "title" bị lặp lại (đã có ở dòng 2); giữ một dòng, xóa dòng kia',
    ),
    FileCase(
        "script-priority-in-vietnamese",
        S,
        "front matter `priority: cao` (a Vietnamese word for the priority)",
        lambda p: edit(p, TIN, "zones: [to-1]", "zones: [to-1]\npriority: cao"),
        Outcome.ACCEPTED,
        "",
        accepted=_priority_taken,
    ),
    FileCase(
        "script-mistyped-topic",
        S,
        "front matter `topic: cchcc` (a topic mistyped)",
        lambda p: edit(p, TIN, "topic: cchc", "topic: cchcc"),
        Outcome.WARNED,
        'scripts_vi/tin.md:3: cảnh báo: chủ đề "cchcc" không có trong schedules.yaml; bài chỉ '
        'được chọn ở chương trình không lọc chủ đề. Có phải ý bạn là "cchc"? Các chủ đề: cchc '
        "(Cải cách hành chính)",
        accepted=_taken("tin"),
    ),
    FileCase(
        "script-unknown-abbreviation",
        S,
        "an abbreviation the lexicon lacks (`XKLĐ`)",
        lambda p: write(p, "scripts_vi/xkld.txt", "Tư vấn\n\nTư vấn XKLĐ tại nhà văn hóa.\n"),
        Outcome.WARNED,
        'scripts_vi/xkld.txt:3: cảnh báo: từ viết tắt "XKLĐ" chưa có trong từ điển: loa sẽ đánh '
        "vần từng chữ; thêm vào lexicon.yaml để đọc đúng",
        accepted=_taken("xkld"),
    ),
    FileCase(
        "script-latin-word",
        S,
        "an English word the lexicon lacks (`webinar`)",
        lambda p: write(p, "scripts_vi/hop.txt", "Họp trực tuyến\n\nMời bà con dự webinar.\n"),
        Outcome.WARNED,
        'scripts_vi/hop.txt:3: cảnh báo: từ "webinar" không phải tiếng Việt và chưa có trong từ '
        "điển: loa đọc theo âm tiếng Việt; nghe thử bằng broadcast say, hoặc thêm cách đọc vào "
        "lexicon.yaml",
        accepted=_taken("hop"),
    ),
    FileCase(
        "script-unclear-place-letter",
        S,
        "`P.` before a lowercase word (phường? phó?)",
        lambda p: write(p, "scripts_vi/p.txt", "Lịch trực\n\nCán bộ P. hành chính trực.\n"),
        Outcome.WARNED,
        'scripts_vi/p.txt:3: cảnh báo: "P." không rõ là phường hay phó: loa chỉ đọc tên chữ cái; '
        "hãy viết đầy đủ, hoặc viết hoa tên riêng đứng sau",
        accepted=_taken("p"),
    ),
    FileCase(
        "schedules-colon-in-name",
        C,
        "`name: Bản tin: sáng` (a colon inside a program's name)",
        lambda p: edit(p, SCHEDULES, "name: Bản tin sáng", "name: Bản tin: sáng"),
        Outcome.REFUSED,
        "schedules.yaml:15:18: lỗi cú pháp YAML: tiêu đề có dấu hai chấm; hãy đặt tiêu đề trong "
        'dấu ngoặc kép: name: "Bản tin: sáng"',
    ),
    FileCase(
        "schedules-no-space",
        C,
        "`program:sang` (no space after the colon)",
        lambda p: edit(p, SCHEDULES, "program: sang", "program:sang"),
        Outcome.REFUSED,
        'schedules.yaml:22:12: lỗi cú pháp YAML: thiếu dấu cách sau dấu hai chấm; viết "program: '
        'sang"',
    ),
    FileCase(
        "schedules-duplicate-key",
        C,
        "a slot with `max_minutes:` twice",
        lambda p: edit(p, SCHEDULES, "max_minutes: 15\n", "max_minutes: 15\n    max_minutes: 20\n"),
        Outcome.REFUSED,
        'schedules.yaml:25:5: khóa "max_minutes" bị lặp lại (đã có ở dòng 24); giữ một dòng, xóa '
        "dòng kia",
    ),
]
