"""Reading the play log's rows back into ``Attempt``s: the columns and their decoding."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from broadcast.playlog.model import Airing, Attempt, Outcome

_OUTCOMES = {outcome.value: outcome for outcome in Outcome}
# the columns ``attempt_from_row`` reads, in its order
ATTEMPT_COLUMNS = (
    "id",
    "zone",
    "scheduled_at",
    "title",
    "script_id",
    "topic",
    "slot_id",
    "program",
    "planned_seconds",
    "audio_hash",
    "engine",
    "voice",
    "started_at",
    "ended_at",
    "aired_seconds",
    "outcome",
    "reason",
    "error",
    "bulletin_id",
    "output",
    "to_file",
    "resumed_from",
    "underruns",
    "approval_id",
    "cluster_id",
)


def clean_text(value: str | None) -> str | None:
    """Text as stored: NFC, so the same words typed on another PC compare equal."""
    return None if value is None else unicodedata.normalize("NFC", value)


def moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def attempt_from_row(row: tuple) -> Attempt:
    (id_, zone, scheduled, title, script_id, topic, slot_id, program, planned, audio_hash,
     engine, voice, started, ended, aired, outcome, reason, error, bulletin_id, output,
     to_file, resumed_from, underruns, approval_id, cluster_id) = row  # fmt: skip
    airing = Airing(
        zone=zone,
        scheduled_at=datetime.fromisoformat(scheduled),
        title=title,
        script_id=script_id,
        topic=topic,
        slot_id=slot_id,
        program=program,
        planned_seconds=planned,
        audio_hash=audio_hash,
        engine=engine,
        voice=voice,
        bulletin_id=bulletin_id,
        resumed_from_seconds=resumed_from,
        approval_id=approval_id,
    )
    return Attempt(
        id=id_,
        airing=airing,
        started_at=moment(started),
        ended_at=moment(ended),
        aired_seconds=aired,
        outcome=_OUTCOMES[outcome] if outcome else None,
        reason=reason,
        error=error,
        output=output,
        to_file=bool(to_file),
        underruns=underruns,
        cluster_id=cluster_id,
    )
