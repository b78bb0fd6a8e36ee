"""The plan: what plays at each slot occurrence, in order, where and for how long.

Pure and deterministic: the same config, scripts, history and durations give the same plan.
The daemon calls ``plan_occurrence`` at air time with the play log as history, which is the
same code ``plan_range`` runs for each occurrence, so the preview and the air agree.

Precedence inside a slot's maximum duration: emergency bulletins, then the program's fixed
segments (chime, intro, named scripts, audio, outro) in order, then the selected scripts.
Inside quiet hours only emergency bulletins air.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from itertools import chain

from broadcast.config import Config
from broadcast.config.model import (
    ChimeSegment,
    FileSegment,
    NamedScriptSegment,
    Program,
    SegmentKind,
    SelectionSegment,
)
from broadcast.schedule.calendar import Occurrence, iso_week_start, local_midnight, occurrences
from broadcast.schedule.campaigns import CampaignPacer, Turn
from broadcast.schedule.candidates import Candidate, ScriptFacts, SlotPool, takers_of
from broadcast.schedule.fairness import LastHeard
from broadcast.schedule.history import AiringHistory, MemoryHistory
from broadcast.schedule.labels import day_label, duration_label, moment_label
from broadcast.schedule.layout import (
    CONTENT_KINDS,
    Part,
    arrange,
    build_item,
    has_scripts,
    part_label,
)
from broadcast.schedule.model import (
    Plan,
    PlanItem,
    PlanWarning,
    SkippedOccurrence,
    SkipReason,
)
from broadcast.schedule.selection import Fill, Ranked, fill, rank
from broadcast.scripts.model import Priority, Script

CHIME_KEY = "chime"  # key of the chime's duration in ``durations``
DEFAULT_CHIME_SECONDS = 5.0
DEFAULT_MEDIA_SECONDS = 60.0  # until the audio stage has measured the file


def plan_range(
    config: Config,
    scripts: Sequence[Script],
    start: date | datetime,
    days: int = 1,
    history: AiringHistory | None = None,
    durations: Mapping[str, float] | None = None,
) -> Plan:
    """Plan every occurrence from ``start`` (a day, or an aware moment) for ``days`` days.

    ``durations`` maps script ids, ``"chime"`` and media files (``"media/x.mp3"``) to
    seconds, as rendered; scripts missing from it use ``Script.estimated_seconds``.
    """
    begin = _aware_start(config, start)
    end = local_midnight(begin.astimezone(config.timezone).date() + timedelta(days=days), config)
    # Campaign targets are weekly: plan to the end of the last week to judge them.
    last_week_end = iso_week_start((end - timedelta(microseconds=1)).date()) + timedelta(days=7)
    horizon = max(end, local_midnight(last_week_end, config))
    if not any(s.times_per_week for s in scripts):
        horizon = end
    planner = _Planner(config, scripts, history, durations)
    found, skipped = occurrences(config, begin, horizon)
    items = [item for occurrence in found if (item := planner.plan(occurrence))]
    summary = planner.summary(begin, end)
    return Plan(
        start=begin,
        end=end,
        items=tuple(i for i in items if i.start < end),
        skipped=tuple(s for s in [*skipped, *planner.skipped] if s.start < end),
        warnings=tuple([w for w in planner.warnings if w.when is None or w.when < end] + summary),
    )


def plan_occurrence(
    config: Config,
    scripts: Sequence[Script],
    slot_id: str,
    start: datetime,
    history: AiringHistory | None = None,
    durations: Mapping[str, float] | None = None,
) -> Plan:
    """The plan of one occurrence of one slot (what the daemon plays at ``start``)."""
    begin = _aware_start(config, start)
    found, skipped = occurrences(config, begin, begin + timedelta(minutes=1))
    found = [o for o in found if o.slot.id == slot_id]
    skipped = [s for s in skipped if s.slot_id == slot_id]
    if not found and not skipped:
        raise ValueError(f"slot {slot_id!r} does not air at {begin.isoformat()}")
    planner = _Planner(config, scripts, history, durations)
    items = [item for occurrence in found if (item := planner.plan(occurrence))]
    return Plan(
        start=begin,
        end=begin + timedelta(minutes=1),
        items=tuple(items),
        skipped=tuple(skipped + planner.skipped),
        warnings=tuple(planner.warnings),
    )


def _aware_start(config: Config, start: date | datetime) -> datetime:
    if not isinstance(start, datetime):
        return local_midnight(start, config)
    if start.tzinfo is None:
        raise ValueError("the planner needs an aware datetime")
    return start.astimezone(config.timezone)


class _Planner:
    def __init__(
        self,
        config: Config,
        scripts: Sequence[Script],
        history: AiringHistory | None,
        durations: Mapping[str, float] | None,
    ):
        self.config = config
        # Planned airings are recorded here so fairness and campaigns see them on later days.
        self.history = MemoryHistory(history)
        self.durations = durations or {}
        ordered = sorted(scripts, key=lambda s: s.id)
        self.scripts = {s.id: s for s in ordered}
        self.fairness = LastHeard(config.zone_ids, history)
        facts = [
            ScriptFacts(
                script,
                self.fairness.mask(config.expand_zones(script.zones)),
                float(self.durations.get(script.id, script.estimated_seconds)),
                script.priority.rank,
            )
            for script in ordered
        ]
        takers = {pid: takers_of(program, ordered) for pid, program in config.programs.items()}
        self.pools = {
            slot.id: SlotPool(slot, takers[slot.program], facts, self.fairness)
            for slot in config.slots
        }
        self._slots_of: dict[str, list[str]] = {}
        for slot_id, pool in self.pools.items():
            for script_id in pool.ids:
                self._slots_of.setdefault(script_id, []).append(slot_id)
        self.pacer = CampaignPacer(
            config, self._can_air, lambda script: self._slots_of.get(script.id, ())
        )
        self.warnings: list[PlanWarning] = []
        self.skipped: list[SkippedOccurrence] = []
        self._warned: set[tuple[str, ...]] = set()

    # -- helpers ---------------------------------------------------------------------------

    def _quiet(self, occurrence: Occurrence) -> bool:
        quiet = self.config.quiet_hours
        return quiet is not None and quiet.contains(occurrence.start.time())

    def _can_air(self, script: Script, occurrence: Occurrence) -> bool:
        if not script.is_valid_on(occurrence.day):
            return False
        return script.priority is Priority.EMERGENCY or not self._quiet(occurrence)

    def _warn(
        self,
        code: str,
        message: str,
        once: tuple[str, ...] | None = None,
        *,
        when: datetime | None = None,
        slot_id: str | None = None,
        script_id: str | None = None,
        zones: tuple[str, ...] = (),
    ) -> None:
        """Record a warning; one with ``once`` set is given only the first time."""
        if once is not None:
            if (code, *once) in self._warned:
                return
            self._warned.add((code, *once))
        self.warnings.append(PlanWarning(code, message, when, slot_id, script_id, zones))

    # -- one occurrence --------------------------------------------------------------------

    def plan(self, occurrence: Occurrence) -> PlanItem | None:
        slot = occurrence.slot
        program = self.config.programs[slot.program]
        quiet = self._quiet(occurrence)
        when = moment_label(occurrence.start)
        emergencies, others, due = self._candidates(occurrence, quiet)
        urgent = fill(rank(emergencies, due, self._last_heard), slot.max_seconds, None)
        left = slot.max_seconds - urgent.seconds
        left_out = Fill()
        left_out.merge(urgent)
        taken = {r.candidate.id for r in urgent.chosen}
        fixed: dict[int, Part] = {}
        chosen: dict[int, list[Ranked]] = {}
        if not quiet:
            for index, segment in enumerate(program.segments):
                part = self._fixed_part(segment, occurrence, program)
                if part is None:
                    continue
                if part.seconds <= left:
                    fixed[index] = part
                    left -= part.seconds
                    taken.update([part.script_id] if part.script_id else [])
                else:
                    self._warn(
                        "overrun",
                        f"{when} ({slot.name}): bỏ đoạn {part_label(part)} vì vượt thời lượng "
                        f"tối đa {duration_label(slot.max_seconds)} của khung giờ",
                        when=occurrence.start,
                        slot_id=slot.id,
                        script_id=part.script_id,
                        zones=slot.zones,
                    )
            for index, segment in enumerate(program.segments):
                if isinstance(segment, SelectionSegment):
                    picked = self._select(index, segment, occurrence, others, due, taken, left)
                    chosen[index] = picked.chosen
                    taken.update(r.candidate.id for r in picked.chosen)
                    left_out.merge(picked)
                    left -= picked.seconds
        self._report_left_out(emergencies + others, taken, due, left_out, occurrence)
        parts = arrange(program, urgent.chosen, fixed, chosen)
        if not any(p.kind in CONTENT_KINDS for p in parts):
            if quiet:
                self.skipped.append(
                    SkippedOccurrence(slot.id, occurrence.start, SkipReason.QUIET_HOURS)
                )
            else:
                self._no_content(slot.zones, occurrence)
            return None
        item = build_item(occurrence, program, parts, quiet)
        self._record(item)
        if not quiet and has_scripts(program):
            heard = {z for s in item.segments if s.kind is SegmentKind.SCRIPT for z in s.zones}
            silent = tuple(z for z in slot.zones if z not in heard)
            if silent:
                self._no_content(silent, occurrence)
        return item

    def _last_heard(self, candidate: Candidate) -> datetime:
        return self.fairness.oldest(candidate.id, candidate.mask)

    def _select(
        self,
        index: int,
        segment: SelectionSegment,
        occurrence: Occurrence,
        others: list[Candidate],
        due: set[str],
        taken: set[str],
        left: float,
    ) -> Fill:
        """Fill selection segment ``index``: the few pressing scripts in order, then the
        rotation, least recently heard first."""
        slot = occurrence.slot
        pool = self.pools[slot.id]
        limit = min(segment.max_seconds or slot.max_seconds, slot.max_seconds)
        accepted = pool.accepted[index]
        pressing = [c for c in others if c.id in accepted and c.id not in taken]
        popped: list = []
        too_long = [c for c in pressing if c.seconds > limit]
        rotation = (
            Ranked(candidate, False, heard)
            for candidate, heard in pool.rotation(index, limit, popped, too_long)
            if candidate.id not in taken
        )
        ranked = chain(rank(pressing, due, self._last_heard), rotation)
        picked = fill(ranked, min(limit, left), segment.max_count, pool.shortest)
        pool.restore(index, popped)
        for candidate in too_long:
            self._warn(
                "script_too_long",
                f'bài "{candidate.id}" dài {duration_label(candidate.seconds)}, không bao giờ '
                f'vừa khung giờ "{slot.id}" (tối đa {duration_label(limit)})',
                once=(candidate.id, slot.id),
                slot_id=slot.id,
                script_id=candidate.id,
            )
        return picked

    def _candidates(
        self, occurrence: Occurrence, quiet: bool
    ) -> tuple[list[Candidate], list[Candidate], set[str]]:
        emergencies: list[Candidate] = []
        others: list[Candidate] = []
        due: set[str] = set()
        for candidate in self.pools[occurrence.slot.id].advance(occurrence.day):
            if quiet and not candidate.emergency:
                continue
            if candidate.script.times_per_week:
                turn = self.pacer.turn(candidate.script, occurrence, self.history)
                if turn is not Turn.DUE:
                    continue
                due.add(candidate.id)
            (emergencies if candidate.emergency else others).append(candidate)
        return emergencies, others, due

    def _fixed_part(self, segment: object, occurrence: Occurrence, program: Program) -> Part | None:
        zones = occurrence.slot.zones
        if isinstance(segment, ChimeSegment):
            seconds = self.durations.get(CHIME_KEY, DEFAULT_CHIME_SECONDS)
            return Part(SegmentKind.CHIME, seconds, zones)
        if isinstance(segment, FileSegment):
            if segment.file not in self.durations:
                self._warn(
                    "duration_unknown",
                    f'chưa biết thời lượng tệp "{segment.file}", tạm tính '
                    f"{duration_label(DEFAULT_MEDIA_SECONDS)}",
                    once=(segment.file,),
                )
            seconds = self.durations.get(segment.file, DEFAULT_MEDIA_SECONDS)
            return Part(segment.kind, seconds, zones, file=segment.file)
        if isinstance(segment, NamedScriptSegment):
            script = self.scripts.get(segment.script_id)
            if script is None:  # reported with its line by check_script_references
                return None
            if not script.is_valid_on(occurrence.day):
                self._warn(
                    "named_script_not_valid",
                    f'bài cố định "{script.id}" của chương trình "{program.id}" không có hiệu '
                    f"lực ngày {day_label(occurrence.day)}, không phát",
                    once=(script.id, program.id, occurrence.day.isoformat()),
                    when=occurrence.start,
                    slot_id=occurrence.slot.id,
                    script_id=script.id,
                )
                return None
            seconds = self.durations.get(script.id, script.estimated_seconds)
            return Part(SegmentKind.SCRIPT, seconds, zones, script_id=script.id)
        return None

    def _report_left_out(
        self,
        candidates: list[Candidate],
        taken: set[str],
        due: set[str],
        left_out: Fill,
        occurrence: Occurrence,
    ) -> None:
        """Emergencies left out, and priority or due campaign scripts that did not fit in time.

        A script left out because the program had enough scripts is simply waiting its turn.
        """
        for candidate in candidates:
            if candidate.id in taken:
                continue
            pressing = candidate.id in due or candidate.rank > Priority.NORMAL.rank
            if not (candidate.emergency or (pressing and candidate.id in left_out.out_of_time)):
                continue
            reason = left_out.reasons.get(candidate.id, "không còn chỗ trong chương trình")
            self._warn(
                "script_left_out",
                f"{moment_label(occurrence.start)} ({occurrence.slot.name}): bài "
                f'"{candidate.id}" không được phát: {reason}',
                when=occurrence.start,
                slot_id=occurrence.slot.id,
                script_id=candidate.id,
                zones=candidate.zones,
            )

    def _no_content(self, zones: tuple[str, ...], occurrence: Occurrence) -> None:
        self._warn(
            "zone_no_content",
            f"{moment_label(occurrence.start)} ({occurrence.slot.name}): khu vực "
            f"{self.config.zones_label(zones)} không có bài nào để phát",
            when=occurrence.start,
            slot_id=occurrence.slot.id,
            zones=zones,
        )

    def _record(self, item: PlanItem) -> None:
        for segment in item.segments:
            if segment.script_id is not None:
                moment = item.start + timedelta(seconds=segment.offset_seconds)
                self.history.record(segment.script_id, segment.zones, moment)
                self.pacer.aired(segment.script_id)
                self.fairness.record(segment.script_id, self.fairness.mask(segment.zones), moment)

    # -- after the walk --------------------------------------------------------------------

    def summary(self, start: datetime, end: datetime) -> list[PlanWarning]:
        """Campaign weeks that fell short and scripts expiring unheard, within the range."""
        found = []
        for week in self.pacer.weeks.values():
            week_start = local_midnight(week.week, self.config)
            if not (week_start < end and week_start + timedelta(days=7) > start):
                continue
            label = f"{week.week:%d/%m}–{week.week + timedelta(days=6):%d/%m/%Y}"
            aired = self.history.count_aired(
                week.script_id, week_start, week_start + timedelta(days=7)
            )
            if len(week.turns) < week.wanted:
                message = (
                    f'bài "{week.script_id}" cần phát {week.wanted} lần trong tuần {label} '
                    f"nhưng chỉ có {len(week.turns)} lượt phát phù hợp (khung giờ, khu vực, "
                    "chủ đề, ngày hiệu lực)"
                )
            elif aired < week.wanted:
                message = (
                    f'bài "{week.script_id}" chỉ được xếp {aired}/{week.wanted} lần trong tuần '
                    f"{label}: các khung giờ phù hợp đã kín"
                )
            else:
                continue
            found.append(
                PlanWarning(
                    "campaign_unreachable", message, when=week_start, script_id=week.script_id
                )
            )
        for script in self.scripts.values():
            until = script.valid_until
            if until is None or not start.date() <= until < end.date():
                continue
            if self.history.last_aired(script.id) is None:
                found.append(
                    PlanWarning(
                        "script_expires_unplayed",
                        f'bài "{script.id}" hết hạn ngày {until:%d/%m/%Y} mà chưa được phát '
                        "lần nào",
                        when=local_midnight(until, self.config),
                        script_id=script.id,
                    )
                )
        return found
