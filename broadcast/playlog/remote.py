"""Rows an IP loudspeaker cluster played: as JSON on the wire, and stored in the station's log.

A cluster's receiver logs every attempt in its own ``PlayLog`` and uploads the closed rows on
its ``played`` topic (``played_message``) until the station acknowledges them by their ids in
the receiver's log. The station stores each row once (``RemoteRows.ingest_remote``): written
whole, start and end in one transaction, each an event of the station's hash chain like any
row, with the receiver's own timestamps, the cluster's id and the receiver's row id (chained,
unique together: a row sent twice is stored once and acknowledged again), and ``output``
saying which cluster played it. Reconcile and reports then count IP zones like wired ones.

The row's JSON (``attempt_to_row``) carries the receiver's row ``id``, every field of its
``Airing`` and of its ending; times are ISO 8601 with their offset.
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from broadcast.clusters.bodies import ROWS
from broadcast.playlog.events import ChainedRows
from broadcast.playlog.model import Airing, Attempt, Outcome, Reason, reason_label_vi
from broadcast.playlog.rows import clean_text

logger = logging.getLogger("broadcast.playlog")

# The ``played`` message: {"rows": [row, …]} (the station's ``ack``: ``clusters.bodies``).
ROWS_KEY = ROWS
# what ``output`` says of a cluster's row at the station (the receiver's own output follows)
CLUSTER_OUTPUT = "cụm loa IP {cluster}"

_AIRING_TEXT = (
    *("zone", "title", "script_id", "topic", "slot_id", "program"),
    *("audio_hash", "engine", "voice", "bulletin_id"),
)
_OUTCOMES = {outcome.value: outcome for outcome in Outcome}


class BadRow(ValueError):
    """A row from a cluster that is not one (a field missing or of the wrong kind)."""


# -- the row on the wire ---------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def airing_to_json(airing: Airing) -> dict[str, Any]:
    """What was meant to play, as JSON: a row's airing, or a plan entry's (``PlanEntry``)."""
    return {
        "zone": airing.zone,
        "scheduled_at": airing.scheduled_at.isoformat(),
        "title": airing.title,
        "script_id": airing.script_id,
        "topic": airing.topic,
        "slot_id": airing.slot_id,
        "program": airing.program,
        "planned_seconds": airing.planned_seconds,
        "audio_hash": airing.audio_hash,
        "engine": airing.engine,
        "voice": airing.voice,
        "bulletin_id": airing.bulletin_id,
        "resumed_from_seconds": airing.resumed_from_seconds,
        "approval_id": airing.approval_id,
    }


def attempt_to_row(attempt: Attempt) -> dict[str, Any]:
    """One closed row of a receiver's log as the JSON object it uploads."""
    return {
        "id": attempt.id,
        **airing_to_json(attempt.airing),
        # the ending: what happened, by the receiver's clock
        "started_at": _iso(attempt.started_at),
        "ended_at": _iso(attempt.ended_at),
        "aired_seconds": attempt.aired_seconds,
        "outcome": None if attempt.outcome is None else attempt.outcome.value,
        "reason": attempt.reason,
        "error": attempt.error,
        "output": attempt.output,
        "to_file": attempt.to_file,
        "underruns": attempt.underruns,
    }


def _text(value: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    found = value.get(name)
    if found is None and not required:
        return None
    if not isinstance(found, str) or (required and not found):
        raise BadRow(f"row field {name!r} must be text, got {found!r}")
    return found


def _moment(value: Mapping[str, Any], name: str, *, required: bool = False) -> datetime | None:
    text = _text(value, name, required=required)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise BadRow(f"row field {name!r} is not an ISO 8601 time: {text!r}") from exc
    if moment.tzinfo is None:
        raise BadRow(f"row field {name!r} has no UTC offset: {text!r}")
    return moment


def _number(value: Mapping[str, Any], name: str, *, required: bool = False) -> float | None:
    found = value.get(name)
    if found is None and not required:
        return None
    if isinstance(found, bool) or not isinstance(found, int | float) or not math.isfinite(found):
        raise BadRow(f"row field {name!r} must be a number, got {found!r}")
    if found < 0:
        raise BadRow(f"row field {name!r} must not be negative, got {found!r}")
    return float(found)


def _count(value: Mapping[str, Any], name: str, *, least: int = 0) -> int | None:
    found = value.get(name)
    if found is None:
        return None
    if isinstance(found, bool) or not isinstance(found, int) or found < least:
        raise BadRow(f"row field {name!r} must be a whole number ≥ {least}, got {found!r}")
    return found


def airing_from_json(value: Mapping[str, Any]) -> Airing:
    """``airing_to_json``'s object back; ``BadRow`` if a field is missing or of the wrong kind."""
    text = {name: _text(value, name) for name in _AIRING_TEXT}
    if not text["zone"] or not text["title"]:
        raise BadRow("zone and title are required")
    scheduled = _moment(value, "scheduled_at", required=True)
    if scheduled is None:  # required: never
        raise BadRow("scheduled_at is required")
    return Airing(
        zone=text["zone"],
        scheduled_at=scheduled,
        title=text["title"],
        script_id=text["script_id"],
        topic=text["topic"],
        slot_id=text["slot_id"],
        program=text["program"],
        planned_seconds=_number(value, "planned_seconds"),
        audio_hash=text["audio_hash"],
        engine=text["engine"],
        voice=text["voice"],
        bulletin_id=text["bulletin_id"],
        resumed_from_seconds=_number(value, "resumed_from_seconds"),
        approval_id=_count(value, "approval_id"),
    )


def row_from_json(value: object) -> Attempt:
    """A closed row a receiver uploaded, its ``id`` the receiver's own; ``BadRow`` if it is not
    one (an open row — no outcome — is refused too: only closed rows are uploaded)."""
    if not isinstance(value, Mapping):
        raise BadRow(f"a row must be a JSON object, got {type(value).__name__}")
    row_id = _count(value, "id", least=1)
    if row_id is None:
        raise BadRow("row has no id")
    outcome = _OUTCOMES.get(value.get("outcome"))  # type: ignore[arg-type]
    if outcome is None:
        raise BadRow(f"row {row_id}: outcome {value.get('outcome')!r} is not a closed row's")
    airing = airing_from_json(value)
    to_file = value.get("to_file", False)
    if not isinstance(to_file, bool):
        raise BadRow(f"row {row_id}: to_file must be true or false, got {to_file!r}")
    return Attempt(
        id=row_id,
        airing=airing,
        started_at=_moment(value, "started_at"),
        ended_at=_moment(value, "ended_at"),
        aired_seconds=_number(value, "aired_seconds") or 0.0,
        outcome=outcome,
        reason=_text(value, "reason"),
        error=_text(value, "error"),
        output=_text(value, "output"),
        to_file=to_file,
        underruns=_count(value, "underruns"),
    )


def played_message(attempts: Iterable[Attempt]) -> bytes:
    """The ``played`` message a receiver publishes: its closed rows, in id order."""
    rows = [attempt_to_row(attempt) for attempt in sorted(attempts, key=lambda a: a.id)]
    return json.dumps({ROWS_KEY: rows}, ensure_ascii=False, separators=(",", ":")).encode()


def rows_from_message(data: bytes) -> tuple[list[Attempt], list[str]]:
    """The rows of a ``played`` message, and why each one that is not a row was left out
    (a message that is not JSON at all: no rows, one problem)."""
    try:
        value = json.loads(data)
        items = value[ROWS_KEY]
        if not isinstance(items, list):
            raise TypeError("rows is not a list")
    except (ValueError, TypeError, KeyError) as exc:
        return [], [f"not a played message: {exc}"]
    rows, problems = [], []
    for item in items:
        try:
            rows.append(row_from_json(item))
        except BadRow as exc:
            problems.append(str(exc))
    return rows, problems


def cluster_output(cluster_id: str, output: str | None) -> str:
    """``output`` of a cluster's row at the station: the cluster, then where its sound went."""
    said = CLUSTER_OUTPUT.format(cluster=cluster_id)
    return f"{said}: {output}" if output else said


def unsent_output(cluster_id: str, reason: str) -> str:
    """``output`` of the row the station writes for a segment it never sent to a cluster."""
    why = "chưa có âm thanh" if reason == Reason.AUDIO_MISSING else reason_label_vi(reason)
    return cluster_output(cluster_id, f"không gửi được ({why})")


# -- storing them at the station -------------------------------------------------------


class RemoteRows(ChainedRows):
    """Part of ``PlayLog``: the rows IP clusters played, stored once each."""

    def _write(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    def ingest_remote(self, cluster_id: str, rows: Sequence[Attempt]) -> list[int]:
        """Store ``rows`` (``row_from_json``'s, ids the receiver's) that cluster ``cluster_id``
        played; returns the receiver ids to acknowledge: the rows stored now and those stored
        before. One transaction for the batch (a day's backlog is one write); a row the log
        refuses for its values is left out (logged) and the others stored. A storage that
        refuses writes raises (nothing acknowledged, the receiver sends them again)."""
        if not rows:
            return []
        try:
            with self._write():
                return [row.id for row in rows if self._store_remote(cluster_id, row)]
        except sqlite3.IntegrityError:
            pass  # one row broke a constraint: store them one by one, leaving that one out
        stored = []
        for row in rows:
            try:
                with self._write():
                    if self._store_remote(cluster_id, row):
                        stored.append(row.id)
            except sqlite3.IntegrityError as exc:
                logger.warning("cluster %s row %s refused by the log: %s", cluster_id, row.id, exc)
        return stored

    def _store_remote(self, cluster_id: str, row: Attempt) -> bool:
        """Inside the write transaction: ``row`` stored whole unless it is already there."""
        known = self._conn.execute(
            "SELECT 1 FROM attempts WHERE cluster_id = ? AND cluster_row = ?",
            (cluster_id, row.id),
        ).fetchone()
        if known is not None:
            return True  # sent again (an ack lost on the way): acknowledge it again
        if row.outcome is None:
            return False  # still playing at the receiver: it sends it again once closed
        attempt_id = self._insert(
            row.airing, row.started_at, cluster_id=clean_text(cluster_id), cluster_row=row.id
        )
        self._complete(
            attempt_id,
            row.outcome,
            None if row.ended_at is None else self._stamp(row.ended_at),
            row.aired_seconds or 0.0,
            row.reason,
            row.error,
            cluster_output(cluster_id, row.output),
            row.to_file,
            row.underruns,
        )
        return True

    def record_unsent(
        self,
        cluster_id: str,
        airing: Airing,
        reason: str,
        error: str | None,
        outcome: Outcome = Outcome.MISSED,
    ) -> bool:
        """A segment the station never sent to cluster ``cluster_id`` before it was due
        (``daemon.ip_unsent``): one row, unless that cluster already has a row for the same
        segment — this one written before a restart, or the cluster's own. The log is the
        memory (a lookup, not a key: such a row has no receiver row id). Whether it was
        written."""
        with self._write():
            known = self._conn.execute(
                "SELECT 1 FROM attempts WHERE cluster_id = ? AND zone = ? AND scheduled_at = ? "
                "AND script_id IS ? AND title IS ? LIMIT 1",
                (
                    cluster_id,
                    clean_text(airing.zone),
                    self._stamp(airing.scheduled_at),
                    clean_text(airing.script_id),
                    clean_text(airing.title),
                ),
            ).fetchone()
            if known is not None:
                return False
            attempt_id = self._insert(airing, None, cluster_id=clean_text(cluster_id))
            output = unsent_output(cluster_id, reason)
            self._complete(attempt_id, outcome, None, 0.0, reason, error, output)
            return True
