"""What the file sink wrote, counted from its WAV files alone, and the log rows held against it.

Each zone's folder holds one WAV file per play, named by the moment it started, the zone and
what played: ``YYYYmmdd-HHMMSS_<zone>_<label>[-n].wav``, the label being a script id with "/"
as "-", ``chime``, or an emergency bulletin's id. Its length is what was delivered. Nothing
here reads the play log or the daemon's code: the count is independent of both, and
``contradictions`` lists every row that says something the files do not.
"""

from __future__ import annotations

import re
import wave
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from broadcast.audio.manifest import AudioManifest
from broadcast.paths import ProjectPaths
from broadcast.playlog import Attempt, Outcome

CHIME = "chime"
BULLETIN = r"(?:khan-cap|uu-tien)-\d{8}-\d{6}-[0-9a-f]{4}"
TOLERANCE = 0.002  # seconds: a row keeps milliseconds, a file whole frames
COMPLETED = (Outcome.PLAYED, Outcome.RESUMED)


def file_label(script_id: str) -> str:
    return script_id.replace("/", "-")


@dataclass(frozen=True)
class Written:
    """One WAV file: where, when, what, and how many seconds of sound it holds."""

    path: Path
    zone: str
    at: datetime  # when the play started, to the second
    label: str
    seconds: float

    @property
    def key(self) -> tuple[str, datetime, str]:
        return self.zone, self.at, self.label

    @property
    def is_bulletin(self) -> bool:
        return re.fullmatch(BULLETIN, self.label) is not None


def written(
    root: Path, zones: Iterable[str], script_ids: Iterable[str], timezone: ZoneInfo
) -> list[Written]:
    """Every file under ``root/<zone>/``, oldest first; a name that is not a play fails."""
    labels = "|".join([BULLETIN, CHIME, *(re.escape(file_label(s)) for s in script_ids)])
    found = []
    for zone in zones:
        name = re.compile(rf"(\d{{8}}-\d{{6}})_{re.escape(zone)}_({labels})(?:-\d+)?\.wav")
        for path in sorted((root / zone).glob("*")):
            match = name.fullmatch(path.name)
            assert match, f"not a play's file: {path}"
            with wave.open(str(path), "rb") as sound:
                seconds = sound.getnframes() / sound.getframerate()
            at = datetime.strptime(match[1], "%Y%m%d-%H%M%S").replace(tzinfo=timezone)
            found.append(Written(path, zone, at, match[2], seconds))
    return sorted(found, key=lambda f: (f.at, f.zone, f.label))


def script_lengths(paths: ProjectPaths, script_ids: Iterable[str]) -> dict[str, float]:
    """A whole script's seconds, by file label: its rendered WAV's length."""
    manifest = AudioManifest.load(paths)
    lengths = {}
    for script_id in script_ids:
        entry = manifest.entry(script_id)
        assert entry is not None, script_id
        with wave.open(str(entry.path), "rb") as sound:
            lengths[file_label(script_id)] = sound.getnframes() / sound.getframerate()
    return lengths


def complete(files: Iterable[Written], lengths: Mapping[str, float]) -> list[Written]:
    """Files holding the whole of their script (``lengths``: seconds by label)."""
    return [f for f in files if f.label in lengths and f.seconds >= lengths[f.label] - TOLERANCE]


def row_label(row: Attempt) -> str:
    return row.airing.bulletin_id or file_label(row.airing.script_id or row.airing.title)


def _row_key(row: Attempt, timezone: ZoneInfo) -> tuple[str, datetime, str] | None:
    if row.started_at is None:
        return None
    start = row.started_at.astimezone(timezone).replace(microsecond=0)
    return row.airing.zone, start, row_label(row)


def contradictions(
    rows: Sequence[Attempt], files: Sequence[Written], timezone: ZoneInfo
) -> list[str]:
    """Every row the files contradict, and every file no row accounts for.

    A row that delivered sound (any seconds aired, or completed) has its file, from its zone,
    started the same second, of what it played, holding the seconds it says (a completed row:
    the whole item), and names it as its output, written to file; a row that delivered
    nothing has none. Chimes are played, never logged.
    """
    problems = []
    by_file: dict[tuple, list[float]] = defaultdict(list)
    paths: dict[tuple, set[Path]] = defaultdict(set)
    for found in files:
        if found.label != CHIME:
            by_file[found.key].append(found.seconds)
            paths[found.key].add(found.path)
    by_row: dict[tuple, list[float]] = defaultdict(list)
    for row in rows:
        key = _row_key(row, timezone)
        sounded = (row.aired_seconds or 0.0) > 0 or row.outcome in COMPLETED
        if (
            row.outcome in COMPLETED
            and abs((row.aired_seconds or 0.0) - (row.airing.planned_seconds or 0.0)) > TOLERANCE
        ):
            problems.append(f"row {row.id} completed with {row.aired_seconds} s of its item")
        if not sounded:
            if key is not None and key in by_file:
                problems.append(f"row {row.id} ({row.outcome}) delivered nothing, yet a file")
            continue
        if key is None:
            problems.append(f"row {row.id} ({row.outcome}) aired without having started")
            continue
        by_row[key].append(row.aired_seconds or 0.0)
        # A finished row names its file; one a crash closed names where its sound was going
        # when it started: the folder that file is in.
        named = set(paths[key])
        if row.outcome is Outcome.INTERRUPTED:
            named |= {path.parent for path in paths[key]}
        if row.output is not None and not (row.to_file and Path(row.output) in named):
            problems.append(f"row {row.id} names {row.output} (to file: {row.to_file})")
    for key in sorted(set(by_file) | set(by_row)):
        heard, said = sorted(by_file.get(key, [])), sorted(by_row.get(key, []))
        if len(heard) != len(said) or any(
            abs(a - b) > TOLERANCE for a, b in zip(heard, said, strict=True)
        ):
            problems.append(f"{key}: files hold {heard} s, rows say {said} s")
    return problems


def occurrence(moment: datetime, slot_times: Sequence[time]) -> datetime:
    """The slot occurrence a play at ``moment`` belongs to: the latest slot time before it."""
    day = moment.date()
    starts = [datetime.combine(day, t, moment.tzinfo) for t in sorted(slot_times)]
    return max(start for start in starts if start <= moment)


def heard_twice(files: Iterable[Written], slot_times: Sequence[time]) -> list[Written]:
    """Complete files of a script on a zone beyond the first in the same slot occurrence."""
    seen: set[tuple[str, str, datetime]] = set()
    again = []
    for found in files:
        key = (found.zone, found.label, occurrence(found.at, slot_times))
        if key in seen:
            again.append(found)
        seen.add(key)
    return again


def per_day_and_zone(files: Iterable[Written]) -> dict[tuple[date, str], tuple[int, float]]:
    """Plays (files) and seconds by day and zone."""
    table: dict[tuple[date, str], tuple[int, float]] = {}
    for found in files:
        plays, seconds = table.get((found.at.date(), found.zone), (0, 0.0))
        table[found.at.date(), found.zone] = (plays + 1, round(seconds + found.seconds, 3))
    return table


def missed_before_arrival(
    rows: Iterable[Attempt], arrived: Mapping[str, datetime]
) -> list[Attempt]:
    """Missed or failed rows of a script the folder did not have yet at their time."""
    return [
        row
        for row in rows
        if row.outcome in (Outcome.MISSED, Outcome.FAILED)
        and row.airing.script_id is not None
        and row.airing.scheduled_at < arrived[row.airing.script_id]
    ]


def taken_in_after_begun(
    files: Iterable[Written], arrived: Mapping[str, datetime], slot_times: Sequence[time]
) -> list[Written]:
    """Files of a script in a slot occurrence that had begun (its first file) before the
    script was in the folder: an airing never takes in what arrived after it began, not even
    when a restart plays the rest of it."""
    by_label = {file_label(script_id): moment for script_id, moment in arrived.items()}
    plays = sorted((f for f in files if not f.is_bulletin), key=lambda f: f.at)
    began: dict[datetime, datetime] = {}
    for found in plays:
        began.setdefault(occurrence(found.at, slot_times), found.at)
    return [
        found
        for found in plays
        if found.label in by_label
        # a name keeps whole seconds: the airing began within the second it names
        and began[occurrence(found.at, slot_times)] + _SECOND <= by_label[found.label]
    ]


_SECOND = timedelta(seconds=1)
