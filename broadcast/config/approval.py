"""Who must approve what before it airs (``approval:`` and ``approvers:`` in schedules.yaml).

``approval: required`` (or ``{required: true, listen: true}``) makes the planner take only
scripts whose current text the head of the board approved; ``listen`` also asks that someone
listened to the audio made from that text. ``approvers`` are the names ``broadcast approve
--by`` accepts. Absent, approval is off: a ward that never asked for it airs as before.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from broadcast import yamlsource
from broadcast.diagnostics import DiagnosticCollector
from broadcast.yamlsource import Located

_WORDS = {"required": True, "off": False}
_KEYS = ("required", "listen")


@dataclass(frozen=True)
class ApprovalSettings:
    required: bool = False
    listen: bool = False  # a script airs only once its current audio was listened to
    approvers: tuple[str, ...] = ()  # NFC, as written
    line: int | None = None

    def approver(self, name: str) -> str | None:
        """The approver ``name`` stands for (spaces and case as people type them), or None."""
        wanted = _spelling(name)
        return next((known for known in self.approvers if _spelling(known) == wanted), None)


def _spelling(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def parse_approval(
    section: Located | None, approvers: Located | None, collector: DiagnosticCollector
) -> ApprovalSettings:
    """Validate ``approval:`` and ``approvers:``; problems go to ``collector``."""
    required = listen = False
    line = None
    if section is not None and not section.is_null:
        line = section.line
        with collector.guard():
            required, listen = _mode(section, collector)
    names: tuple[str, ...] = ()
    if approvers is not None and not approvers.is_null:
        with collector.guard():
            names = _names(approvers)
    written = approvers is not None and not approvers.is_null  # its own errors say the rest
    if required and not written and section is not None:
        collector.add(
            section.diagnostic(
                "no_approvers",
                "approval: required cần danh sách người duyệt, ví dụ "
                'approvers: ["Lê Văn Chiến"] (chỉ người có tên trong danh sách mới duyệt được bài)',
            )
        )
    return ApprovalSettings(required, listen, names, line)


def _mode(section: Located, collector: DiagnosticCollector) -> tuple[bool, bool]:
    written = section.written
    if written is not None:
        word = written.strip().lower()
        if word not in _WORDS:
            raise section.fail(
                "bad_approval",
                f'approval "{written}" không hợp lệ: viết required (phải duyệt trước khi phát) '
                "hoặc off (không cần duyệt)",
            )
        return _WORDS[word], False
    fields = section.mapping("approval")
    collector.extend(yamlsource.unknown_keys(section, _KEYS, "approval"))
    required = "required" in fields and fields["required"].boolean("approval.required")
    listen = "listen" in fields and fields["listen"].boolean("approval.listen")
    if listen and not required:
        raise fields["listen"].fail(
            "listen_without_approval", "approval.listen cần approval.required: true"
        )
    return required, listen


def _names(value: Located) -> tuple[str, ...]:
    names: list[str] = []
    for item in value.items("approvers"):
        name = " ".join(unicodedata.normalize("NFC", item.text("tên người duyệt")).split())
        if not name:
            raise item.fail("empty_approver", "tên người duyệt trống")
        if _spelling(name) in {_spelling(n) for n in names}:
            raise item.fail("duplicate_approver", f'người duyệt "{name}" bị lặp lại')
        names.append(name)
    return tuple(names)
