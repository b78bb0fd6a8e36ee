"""The ward's identity and the fixed parts of its period report (``report:`` in schedules.yaml).

A report the ward files is an administrative document (Nghị định 30/2020/NĐ-CP): it names the
body that issues it, its number, the place and date, who receives it and who signs it. None of
that is in the play log; the ward writes it once here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from broadcast import yamlsource
from broadcast.config.entries import section_fields
from broadcast.diagnostics import DiagnosticCollector
from broadcast.yamlsource import Located


@dataclass(frozen=True)
class PlanItem:
    """A content item of the ward's propaganda plan ("a)" to "đ)") and the topics it covers,
    so the report speaks the plan's language."""

    mark: str  # "a"
    title: str  # "Tuyên truyền, phổ biến sâu rộng về tầm quan trọng … của CCHC"
    topics: tuple[str, ...]  # topic ids of schedules.yaml


@dataclass(frozen=True)
class Signer:
    authority: tuple[
        str, ...
    ]  # lines above the name: ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    name: str  # "Lê Văn Chiến"


@dataclass(frozen=True)
class ReportSettings:
    issuing_body: str  # "ỦY BAN NHÂN DÂN PHƯỜNG LONG ANH", as the header writes it
    ward_name: str  # "phường Long Anh", as the body says it
    place: str  # the date line's place: "Long Anh, ngày 05 tháng 12 năm 2026"
    prepared_by: str  # the officer who compiles it: "Công chức Văn phòng - Thống kê"
    signer: Signer
    recipients: tuple[str, ...]  # "UBND Thành phố (b/c)", … ("Lưu: VT, VP" last)
    number_pattern: str = "{number}/BC-UBND"  # "Số: 12/BC-UBND"; blank number: filled by hand
    superior_body: str | None = None  # the line above the issuing body, where there is one
    plan_items: tuple[PlanItem, ...] = ()

    def plan_item(self, topic: str | None) -> PlanItem | None:
        """The plan item ``topic`` belongs to, if any."""
        return next((item for item in self.plan_items if topic in item.topics), None)


KNOWN_KEYS = (
    "issuing_body",
    "superior_body",
    "ward_name",
    "place",
    "prepared_by",
    "signer",
    "recipients",
    "number_pattern",
    "plan_items",
)
SIGNER_KEYS = ("authority", "name")
PLAN_ITEM_KEYS = ("title", "topics")
_REQUIRED = ("issuing_body", "ward_name", "place", "prepared_by", "signer", "recipients")
NUMBER_FIELD = "{number}"


def parse_report(
    section: Located | None, topics: Mapping[str, str], collector: DiagnosticCollector
) -> ReportSettings | None:
    """Validate ``report:``; ``None`` when absent or wrong (its problems go to ``collector``)."""
    if section is None or section.is_null:
        return None
    with collector.guard():
        fields = section_fields(section, "report", KNOWN_KEYS, _REQUIRED, collector)
        optional = {
            key: _text(fields[key], f"report.{key}")
            for key in ("superior_body", "number_pattern")
            if key in fields and not fields[key].is_null
        }
        if "number_pattern" in optional:
            _check_number_pattern(fields["number_pattern"], optional["number_pattern"])
        plan = fields.get("plan_items")
        return ReportSettings(
            issuing_body=_text(fields["issuing_body"], "report.issuing_body"),
            ward_name=_text(fields["ward_name"], "report.ward_name"),
            place=_text(fields["place"], "report.place"),
            prepared_by=_text(fields["prepared_by"], "report.prepared_by"),
            signer=_signer(fields["signer"], collector),
            recipients=_texts(fields["recipients"], "report.recipients"),
            plan_items=_plan_items(plan, topics, collector) if plan is not None else (),
            **optional,
        )
    return None


def _text(value: Located, what: str) -> str:
    text = value.written
    if not text:
        raise value.fail("not_text", f"{what} phải là một đoạn chữ")
    return text


def _texts(value: Located, what: str) -> tuple[str, ...]:
    found = tuple(_text(item, what) for item in value.items(what))
    if not found:
        raise value.fail("empty_list", f"{what} cần ít nhất một dòng")
    return found


def _check_number_pattern(value: Located, pattern: str) -> None:
    try:
        pattern.format(number="1")
    except (KeyError, IndexError, ValueError) as exc:
        raise value.fail(
            "bad_number_pattern",
            f'report.number_pattern "{pattern}" không hợp lệ; chỉ dùng {NUMBER_FIELD} cho số '
            'văn bản, ví dụ "{number}/BC-UBND"',
        ) from exc
    if NUMBER_FIELD not in pattern:
        raise value.fail(
            "bad_number_pattern",
            f'report.number_pattern "{pattern}" thiếu {NUMBER_FIELD} (chỗ điền số văn bản), '
            'ví dụ "{number}/BC-UBND"',
        )


def _signer(value: Located, collector: DiagnosticCollector) -> Signer:
    fields = value.mapping("report.signer")
    collector.extend(yamlsource.unknown_keys(value, SIGNER_KEYS, "report.signer"))
    for key in SIGNER_KEYS:
        if key not in fields or fields[key].is_null:
            raise value.fail("missing_key", f'report.signer thiếu khóa "{key}"')
    return Signer(
        authority=_texts(fields["authority"], "report.signer.authority"),
        name=_text(fields["name"], "report.signer.name"),
    )


def _plan_items(
    value: Located, topics: Mapping[str, str], collector: DiagnosticCollector
) -> tuple[PlanItem, ...]:
    """Items in file order; a topic may belong to one item only, so each table row names one."""
    items: list[PlanItem] = []
    owner: dict[str, str] = {}
    keys = value.keys("report.plan_items")
    for mark, item in value.mapping("report.plan_items").items():
        with collector.guard():
            what = f"report.plan_items.{mark}"
            fields = item.mapping(what)
            collector.extend(yamlsource.unknown_keys(item, PLAN_ITEM_KEYS, what))
            if "title" not in fields or fields["title"].is_null:
                raise keys[mark].fail("missing_key", f'mục {mark}) thiếu khóa "title"')
            found: list[str] = []
            for ref in fields["topics"].items(f"{what}.topics") if "topics" in fields else []:
                topic = _text(ref, "chủ đề")
                if topic not in topics:
                    hint = yamlsource.did_you_mean(topic, topics)
                    collector.add(
                        ref.diagnostic(
                            "unknown_topic",
                            f'mục {mark}): chủ đề "{topic}" không có trong topics{hint}',
                        )
                    )
                elif topic in owner:
                    collector.add(
                        ref.diagnostic(
                            "topic_in_two_items",
                            f'mục {mark}): chủ đề "{topic}" đã thuộc mục {owner[topic]}); '
                            "mỗi chủ đề chỉ thuộc một mục",
                        )
                    )
                else:
                    owner[topic] = mark
                    found.append(topic)
            items.append(PlanItem(mark, _text(fields["title"], f"{what}.title"), tuple(found)))
    return tuple(items)
