"""The report's text: what its figures say, in the register of an administrative report.

Every number is taken from the figures the tables are made from, rounded and written as the
tables write them, so text and tables cannot disagree. What the log does not cover is said,
never guessed: a comparison with a period the log does not hold reads "chưa có số liệu".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from broadcast.config.report import ReportSettings
from broadcast.playlog import PlayLog
from broadcast.report.document import NOT_BEGUN, OPEN_PERIOD, REPORT_TITLE, log_coverage
from broadcast.report.figures import PeriodFigures, Tally, compute_figures
from broadcast.report.labels import Labels
from broadcast.report.period import Period, parse_period
from broadcast.report.places import ZoneClusters
from broadcast.report.render_text import format_number_vi
from broadcast.report.rows import PeriodRows, covered_from, period_figures, period_rows
from broadcast.report.tables import minutes, percent, places_count

# a longer list of announcements is counted, and listed in its table
ANNOUNCEMENTS_NAMED = 5


@dataclass(frozen=True)
class Earlier:
    """A period the report compares with; ``figures`` is ``None`` when the log does not
    hold the whole of it."""

    name: str  # "kỳ trước (quý III năm 2026)"
    figures: PeriodFigures | None


@dataclass(frozen=True)
class Narrative:
    subject: str  # the line under "BÁO CÁO"
    opening: str
    paragraphs: tuple[str, ...]
    closing: str  # "Trên đây là báo cáo …./."


@dataclass(frozen=True)
class OfficialReport:
    """What makes the report a document the ward files (docx): who issues it, its number
    (``None``: left blank, written by hand when it is issued), its date, and its text."""

    settings: ReportSettings
    narrative: Narrative
    dated: date
    number: str | None = None


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _day(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _number(value: int | float) -> str:
    return format_number_vi(value)


def _rate(share: float | None) -> str:
    found = percent(share)
    return "–" if found is None else f"{format_number_vi(found)}%"


def _period_starting(first: date, months: int) -> Period:
    keys = {
        1: f"{first.year}-{first.month:02d}",
        3: f"{first.year}-Q{(first.month + 2) // 3}",
        6: f"{first.year}-H{(first.month + 5) // 6}",
        12: str(first.year),
    }
    return parse_period(keys[months])


def earlier_periods(period: Period) -> tuple[tuple[str, Period], ...]:
    """The period before ``period`` and the same period a year before (one, for a year)."""
    months = len(period.months())
    index = period.first_day.year * 12 + period.first_day.month - 1 - months
    before = _period_starting(date(index // 12, index % 12 + 1, 1), months)
    if months == 12:
        return ((f"năm trước ({_lower_first(before.name_vi)})", before),)
    last_year = _period_starting(period.first_day.replace(year=period.first_day.year - 1), months)
    return (
        (f"kỳ trước ({_lower_first(before.name_vi)})", before),
        (f"cùng kỳ năm trước ({_lower_first(last_year.name_vi)})", last_year),
    )


def _coverage(period: Period, now: datetime, began: date | None) -> tuple[str, bool]:
    """What the log holds of ``period`` as a sentence (or ``""``), and whether it holds any."""
    if period.first_day > now.date():
        return (
            f"Kỳ báo cáo chưa bắt đầu (từ ngày {_day(period.first_day)}), chưa có số liệu.",
            False,
        )
    held, holds = log_coverage(period, began)
    if not holds:
        return held, False
    said = [held] if held else []
    if period.is_open(now.date()):
        last_day = period.end_day - timedelta(days=1)
        said.append(
            f"Kỳ báo cáo chưa kết thúc (đến hết ngày {_day(last_day)}): số liệu tính đến "
            f"{now:%H:%M} ngày {_day(now.date())}, chỉ gồm các lượt đã đến giờ phát; những ngày "
            "còn lại của kỳ chưa được tính."
        )
    return " ".join(said), True


def _totals(figures: PeriodFigures) -> str:
    broadcasts, plays = figures.broadcasts, figures.zone_plays
    if not broadcasts.planned:
        return "Trong kỳ, nhật ký phát không ghi lượt phát nào theo kế hoạch."
    return (
        f"Theo kế hoạch có {_number(broadcasts.planned)} lượt phát bản tin, trong đó "
        f"{_number(broadcasts.aired)} lượt đã phát trọn vẹn ở mọi vùng loa; tính "
        f"theo từng vùng loa, {_number(plays.aired)}/{_number(plays.planned)} lượt tại vùng loa "
        f"đã phát trọn vẹn ra loa, đạt tỷ lệ {_rate(plays.share)} kế hoạch; tổng thời lượng đã "
        f"phát ra loa {_number(minutes(broadcasts.seconds))} phút, gồm "
        f"{_number(figures.scripts_heard)} bản tin."
    )


def _tally(tally: Tally) -> str:
    return (
        f"{_number(tally.planned)} lượt phát ({_number(tally.aired)} lượt trọn vẹn), "
        f"{_number(minutes(tally.seconds))} phút"
    )


def _by_topic(figures: PeriodFigures, labels: Labels) -> str:
    topics = sorted(
        figures.by_topic.items(), key=lambda item: (-item[1].seconds, labels.topic(item[0]))
    )
    return "Theo chủ đề: " + "; ".join(f"{labels.topic(t)}: {_tally(n)}" for t, n in topics) + "."


def _sum(tallies: list[Tally]) -> Tally:
    return Tally(
        sum(t.planned for t in tallies),
        sum(t.aired for t in tallies),
        sum(t.seconds for t in tallies),
    )


def _by_plan_item(figures: PeriodFigures, settings: ReportSettings, labels: Labels) -> str:
    """The topics' tallies added up by the plan's item each belongs to."""
    items: dict[str | None, list[Tally]] = {item.mark: [] for item in settings.plan_items}
    outside: list[str | None] = []
    for topic, tally in figures.by_topic.items():
        item = settings.plan_item(topic)
        items.setdefault(item.mark if item else None, []).append(tally)
        if item is None:
            outside.append(topic)
    parts = [
        f"mục {item.mark}) {item.title}: "
        + (_tally(_sum(items[item.mark])) if items[item.mark] else "chưa có lượt phát nào")
        for item in settings.plan_items
    ]
    if outside:
        names = ", ".join(labels.topic(topic) for topic in outside)
        parts.append(f"ngoài các mục của Kế hoạch ({names}): {_tally(_sum(items[None]))}")
    return "Theo các nội dung tuyên truyền của Kế hoạch: " + "; ".join(parts) + "."


def _by_zone(figures: PeriodFigures, labels: Labels) -> str:
    parts = []
    for zone, tally in sorted(figures.by_zone.items(), key=lambda item: labels.zone_order(item[0])):
        part = (
            f"{labels.zone(zone)}: {_number(tally.aired)}/{_number(tally.planned)} lượt "
            f"({_rate(tally.share)}), {_number(minutes(tally.seconds))} phút"
        )
        if tally.to_file:
            part += f", {_number(tally.to_file)} lượt chỉ ghi ra tệp WAV"
        clusters = [
            f"{labels.clusters.get(key, key[1])} {_number(found.aired)}/{_number(found.planned)}"
            for key, found in sorted(figures.by_cluster.items())
            if key[0] == zone
        ]
        if clusters:  # an IP zone: each cluster heard it or not by itself
            part += f" (theo cụm loa IP: {', '.join(clusters)})"
        parts.append(part)
    return "Theo vùng loa (lượt đã phát trọn vẹn ra loa/theo kế hoạch): " + "; ".join(parts) + "."


def _change(now: float, then: float, unit: str = "") -> str:
    delta = round(now - then, 1)
    if not delta:
        return "không đổi"
    value = delta if isinstance(now, float) else int(delta)
    return f"{'tăng' if delta > 0 else 'giảm'} {_number(abs(value))}{unit}"


def _compared(figures: PeriodFigures, earlier: Earlier, began: date) -> str:
    if earlier.figures is None:
        return (
            f"So với {earlier.name}: chưa có số liệu (nhật ký phát bắt đầu ghi từ ngày "
            f"{_day(began)})."
        )
    now, then = figures.zone_plays, earlier.figures.zone_plays
    now_minutes = minutes(figures.broadcasts.seconds)
    then_minutes = minutes(earlier.figures.broadcasts.seconds)
    said = (
        f"So với {earlier.name}: lượt tại vùng loa đã phát trọn vẹn ra loa "
        f"{_number(now.aired)} (kỳ so sánh {_number(then.aired)}, "
        f"{_change(now.aired, then.aired)}); thời lượng {_number(now_minutes)} phút (kỳ so sánh "
        f"{_number(then_minutes)} phút, {_change(now_minutes, then_minutes, ' phút')})"
    )
    if now.planned and then.planned:  # a rate of nothing planned is no rate
        said += f"; tỷ lệ thực hiện kế hoạch {_rate(now.share)} (kỳ so sánh {_rate(then.share)})"
    return said + "."


def _not_heard(figures: PeriodFigures) -> str:
    count = sum(figures.not_aired.values())
    if not count:
        said = "Không có lượt tại vùng loa nào không phát trọn vẹn ra loa."
    else:
        causes = sorted(figures.not_aired.items(), key=lambda item: (-item[1], str(item[0])))
        said = (
            f"Có {_number(count)} lượt tại vùng loa không phát trọn vẹn ra loa, gồm: "
            + "; ".join(
                f"{result}{f' ({reason})' if reason else ''}: {_number(n)}"
                for (result, reason), n in causes
            )
            + "; từng lượt được liệt kê trong phần số liệu chi tiết."
        )
    if figures.open_rows:
        said += (
            f" {_number(figures.open_rows)} bản ghi chưa kết thúc (đang phát, hoặc máy dừng "
            "đột ngột) chưa được tính."
        )
    return said


def _announcements(figures: PeriodFigures) -> str:
    found = figures.announcements
    if not found:
        return "Trong kỳ không có thông báo khẩn cấp, ưu tiên."
    said = f"Đã phát {_number(len(found))} thông báo khẩn cấp, ưu tiên ngoài kế hoạch"
    if len(found) > ANNOUNCEMENTS_NAMED:
        kinds: dict[str, int] = {}
        for one in found:
            kind = one.priority_vi or "không rõ loại"
            kinds[kind] = kinds.get(kind, 0) + 1
        listed = ", ".join(f"{_number(n)} {kind}" for kind, n in kinds.items())
        return f"{said} ({listed}); chi tiết trong phần số liệu chi tiết."
    listed = "; ".join(
        f"{one.at:%H:%M} ngày {_day(one.at.date())}"
        + (f" ({one.priority_vi})" if one.priority_vi else "")
        + f" “{one.title}”, phát ra loa ở {len(one.heard_on())}/{places_count(one)}"
        for one in found
    )
    return f"{said}: {listed}."


def write_narrative(
    figures: PeriodFigures,
    earlier: tuple[Earlier, ...],
    labels: Labels,
    settings: ReportSettings,
    *,
    now: datetime,
    began: date | None,
) -> Narrative:
    """The text of the report of ``figures.period`` made at ``now``; ``began``: the first day
    the log has a row (``None``: an empty log)."""
    period = figures.period
    when = _lower_first(period.name_vi)
    # "Báo cáo kết quả …" is the document's title; under "BÁO CÁO" the subject begins "Kết quả"
    subject = (
        f"{_upper_first(REPORT_TITLE.removeprefix('Báo cáo '))} {settings.ward_name}, "
        f"{period.name_vi}"
    )
    closed = not period.is_open(now.date())
    if not closed:
        subject += f" ({NOT_BEGUN if now.date() < period.first_day else OPEN_PERIOD})"
    coverage, holds = _coverage(period, now, began)
    paragraphs = [coverage] if coverage else []
    if holds and began is not None:
        paragraphs.append(_totals(figures))
        if figures.by_topic:
            paragraphs.append(_by_topic(figures, labels))
            if settings.plan_items:
                paragraphs.append(_by_plan_item(figures, settings, labels))
            paragraphs.append(_by_zone(figures, labels))
        if closed:
            paragraphs += [_compared(figures, one, began) for one in earlier]
        else:
            paragraphs.append("Kỳ báo cáo chưa kết thúc nên chưa so sánh với các kỳ trước.")
        if figures.zone_plays.planned or figures.open_rows:
            paragraphs.append(_not_heard(figures))
        paragraphs.append(_announcements(figures))
    return Narrative(
        subject=subject,
        opening=(
            f"Căn cứ nhật ký phát của hệ thống truyền thanh {settings.ward_name}, kết quả "
            f"tuyên truyền {when} như sau:"
        ),
        paragraphs=tuple(paragraphs),
        closing=(
            f"Trên đây là báo cáo kết quả tuyên truyền trên hệ thống truyền thanh "
            f"{settings.ward_name} {when}./."
        ),
    )


def report_narrative(
    log: PlayLog,
    period: Period,
    labels: Labels,
    settings: ReportSettings,
    *,
    now: datetime,
    rows: PeriodRows | None = None,
    clusters: ZoneClusters | None = None,
) -> Narrative:
    """The text of ``period``'s report from ``log``; ``rows``: the period's rows as the
    tables were made from them, so both count the same rows; ``clusters``: the places of IP
    zones, as the tables had them."""
    attempts, records = rows or period_rows(log, period)
    figures = compute_figures(attempts, period, records, clusters)
    began = covered_from(log, attempts)
    earlier = []
    if not period.is_open(now.date()):  # an open period is not compared: it is not whole
        for name, found in earlier_periods(period):
            held = began is not None and began <= found.first_day
            earlier.append(Earlier(name, period_figures(log, found) if held else None))
    return write_narrative(figures, tuple(earlier), labels, settings, now=now, began=began)
