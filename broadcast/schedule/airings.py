"""Planning one occurrence after another: what airs, in what order, on which zones.

Precedence inside a slot's maximum duration: emergency bulletins, then the program's fixed
segments (chime, intro, named scripts, audio, outro) in order, then the selected scripts.
Inside quiet hours only emergency bulletins air.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from itertools import chain

from broadcast.audio.manifest import CHIME_KEY
from broadcast.config import Config
from broadcast.config.model import (
    ChimeSegment,
    FileSegment,
    NamedScriptSegment,
    Program,
    SegmentKind,
    SelectionSegment,
)
from broadcast.schedule.calendar import Occurrence, in_quiet_hours
from broadcast.schedule.campaigns import CampaignPacer, Turn
from broadcast.schedule.candidates import (
    NORMAL_RANK,
    Candidate,
    ScriptFacts,
    SlotPool,
    program_scripts,
    takers_of,
)
from broadcast.schedule.fairness import LastHeard
from broadcast.schedule.history import AiringHistory, MemoryHistory
from broadcast.schedule.labels import clock_label, day_label, duration_label, moment_label
from broadcast.schedule.lanes import Silence, silences
from broadcast.schedule.layout import CONTENT_KINDS, Part, Shape, arrange, build_item, part_label
from broadcast.schedule.model import (
    PlanItem,
    PlannedSegment,
    PlanWarning,
    SkippedOccurrence,
    SkipReason,
)
from broadcast.schedule.selection import Fill, fill, rank
from broadcast.scripts.model import Script

DEFAULT_CHIME_SECONDS = 5.0
DEFAULT_MEDIA_SECONDS = 60.0  # until the audio stage has measured the file


class AiringPlanner:
    """Plans occurrences one after another, in time order, remembering what it planned so
    that fairness and campaign targets see it at later airings."""

    def __init__(
        self,
        config: Config,
        scripts: Sequence[Script],
        history: AiringHistory | None,
        durations: Mapping[str, float] | None,
    ):
        self.config = config
        # Planned airings are recorded here for campaign targets and the summary; fairness
        # keeps its own record, in the form it asks most (see ``LastHeard``).
        self.history = MemoryHistory(history)
        self.durations = durations or {}
        ordered = sorted(scripts, key=lambda s: s.id)
        self.scripts = {s.id: s for s in ordered}
        self.fairness = LastHeard(config.zone_ids, history, config.timezone)
        facts = [
            ScriptFacts(
                script,
                self.fairness.mask(config.expand_zones(script.zones)),
                float(self.durations.get(script.id, script.estimated_seconds)),
                script.priority.rank,
                script.valid_from or date.min,
            )
            for script in ordered
        ]
        # Every slot sweeps its scripts by first valid day: sorted once for all of them.
        facts.sort(key=lambda f: (f.valid_from, f.script.id))
        takers = {pid: takers_of(program, ordered) for pid, program in config.programs.items()}
        airable = {pid: program_scripts(takers[pid], facts) for pid in config.programs}
        self.pools = {
            slot.id: SlotPool(slot, takers[slot.program], airable[slot.program], self.fairness)
            for slot in config.slots
        }
        slots_of: dict[str, list[str]] = {}
        for slot_id, pool in self.pools.items():
            for script_id in pool.ids:
                slots_of.setdefault(script_id, []).append(slot_id)
        self.pacer = CampaignPacer(config, slots_of)
        self.shapes = {pid: Shape.of(program) for pid, program in config.programs.items()}
        self.warnings: list[PlanWarning] = []
        self.skipped: list[SkippedOccurrence] = []
        self._warned: set[tuple[str, ...]] = set()
        # (slot id, segment index) -> its chime or file: the same at every airing of the slot.
        self._lasting_parts: dict[tuple[str, int], Part] = {}

    # -- helpers ---------------------------------------------------------------------------

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
        shape = self.shapes[program.id]
        quiet = in_quiet_hours(self.config, occurrence.start)
        emergencies, others, due = self._candidates(occurrence, quiet)
        urgent = fill(rank(emergencies, due), slot.max_seconds, None)
        left = slot.max_seconds - urgent.seconds
        reasons = urgent.reasons  # why scripts were left out, from every segment
        taken = {c.id for c in urgent.chosen}
        fixed: dict[int, Part] = {}
        chosen: dict[int, list[Candidate]] = {}
        if not quiet:
            for index, segment in shape.fixed:
                part = self._fixed_part(index, segment, occurrence, program)
                if part is None:
                    continue
                if part.seconds <= left:
                    fixed[index] = part
                    left -= part.seconds
                    if part.script_id:
                        taken.add(part.script_id)
                else:
                    self._warn(
                        "overrun",
                        f"{moment_label(occurrence.start)} ({slot.name}): bỏ đoạn "
                        f"{part_label(part)} vì vượt thời lượng tối đa "
                        f"{duration_label(slot.max_seconds)} của khung giờ",
                        when=occurrence.start,
                        slot_id=slot.id,
                        script_id=part.script_id,
                        zones=slot.zones,
                    )
            for index, segment in shape.selections:
                picked = self._select(index, segment, occurrence, others, due, taken, left)
                chosen[index] = picked.chosen
                taken.update(c.id for c in picked.chosen)
                reasons.update(picked.reasons)
                left -= picked.seconds
        self._report_left_out(emergencies + others, taken, due, reasons, occurrence)
        segments = arrange(shape, urgent.chosen, fixed, chosen, slot.zones)
        if not any(s.kind in CONTENT_KINDS for s in segments):
            if quiet:
                self.skipped.append(
                    SkippedOccurrence(slot.id, occurrence.start, SkipReason.QUIET_HOURS)
                )
            else:
                self._no_content(slot.zones, occurrence)
            return None
        heard, heard_script = self._record(segments, occurrence.start)
        item = build_item(occurrence, program, segments, self.fairness.zones(heard), quiet)
        for silence in silences(segments):
            self._silence(silence, occurrence, program)
        silent = self.fairness.mask(slot.zones) & ~heard_script
        if not quiet and shape.has_scripts and silent:
            self._no_content(self.fairness.zones(silent), occurrence)
        return item

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
        too_long = [c for c in pressing if c.seconds > limit]
        ranked = chain(rank(pressing, due), pool.rotation(index, limit, taken, too_long))
        picked = fill(ranked, min(limit, left), segment.max_count, pool.shortest)
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
            if candidate.campaign:
                turn = self.pacer.turn(candidate.script, occurrence, self.history)
                if turn is not Turn.DUE:
                    continue
                due.add(candidate.id)
            (emergencies if candidate.emergency else others).append(candidate)
        return emergencies, others, due

    def _fixed_part(
        self, index: int, segment: object, occurrence: Occurrence, program: Program
    ) -> Part | None:
        """Segment ``index`` of the program as it airs at ``occurrence``, if it does."""
        if isinstance(segment, ChimeSegment | FileSegment):
            # Its length is the same at every airing of the slot: worked out once.
            lasting = (occurrence.slot.id, index)
            part = self._lasting_parts.get(lasting)
            if part is None:
                part = self._media_part(segment, occurrence.slot.zones)
                self._lasting_parts[lasting] = part
            return part
        if isinstance(segment, NamedScriptSegment):
            return self._named_script_part(segment, occurrence, program)
        return None

    def _media_part(self, segment: ChimeSegment | FileSegment, zones: tuple[str, ...]) -> Part:
        if isinstance(segment, ChimeSegment):
            seconds = self.durations.get(CHIME_KEY, DEFAULT_CHIME_SECONDS)
            return Part(SegmentKind.CHIME, seconds, zones)
        if segment.file not in self.durations:
            self._warn(
                "duration_unknown",
                f'chưa biết thời lượng tệp "{segment.file}", tạm tính '
                f"{duration_label(DEFAULT_MEDIA_SECONDS)}",
                once=(segment.file,),
            )
        seconds = self.durations.get(segment.file, DEFAULT_MEDIA_SECONDS)
        return Part(segment.kind, seconds, zones, file=segment.file)

    def _named_script_part(
        self, segment: NamedScriptSegment, occurrence: Occurrence, program: Program
    ) -> Part | None:
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
        return Part(SegmentKind.SCRIPT, seconds, zones=occurrence.slot.zones, script_id=script.id)

    def _report_left_out(
        self,
        candidates: list[Candidate],
        taken: set[str],
        due: set[str],
        reasons: dict[str, str],
        occurrence: Occurrence,
    ) -> None:
        """Emergencies left out, and priority or due campaign scripts that did not fit in time.

        A script left out because the program had enough scripts is simply waiting its turn.
        """
        for candidate in candidates:
            if candidate.id in taken:
                continue
            pressing = candidate.id in due or candidate.rank > NORMAL_RANK
            if not (candidate.emergency or (pressing and candidate.id in reasons)):
                continue
            reason = reasons.get(candidate.id, "không còn chỗ trong chương trình")
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

    def _silence(self, silence: Silence, occurrence: Occurrence, program: Program) -> None:
        start = occurrence.start + timedelta(seconds=silence.offset_seconds)
        end = start + timedelta(seconds=silence.seconds)
        self._warn(
            "zone_silence",
            f"{moment_label(occurrence.start)} ({occurrence.slot.name}): khu vực "
            f"{self.config.zones_label(silence.zones)} im lặng {round(silence.seconds)} giây "
            f'giữa chương trình "{program.name}" ({clock_label(start)}–{clock_label(end)}), '
            "chờ đoạn phát cho khu vực khác",
            when=occurrence.start,
            slot_id=occurrence.slot.id,
            zones=silence.zones,
        )

    def _record(self, segments: list[PlannedSegment], start: datetime) -> tuple[int, int]:
        """Record an airing's scripts, so fairness and campaigns see them at later airings.

        Returns the zones that hear something and those that hear a script, as bits: each
        segment's zones are some of the slot's, so the bits give them in the slot's order.
        """
        heard = heard_script = 0
        for segment in segments:
            mask = self.fairness.mask(segment.zones)
            heard |= mask
            if segment.script_id is not None:
                heard_script |= mask
                moment = start + timedelta(seconds=segment.offset_seconds)
                self.history.record(segment.script_id, segment.zones, moment)
                self.fairness.record(segment.script_id, mask, moment)
        return heard, heard_script
