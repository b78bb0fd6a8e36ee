"""The approval check just before a script plays, and the approval each play names.

The plan takes approved scripts only (``plannable``), but the board may edit a script, or its
head revoke an approval, between the planning and the airing: the watcher and the heartbeat
re-plan within seconds, and this check covers the moment in between. It judges the script as
the daemon holds it now, against the approval events as the log has them now (one indexed
query) and the audio that is about to play. With ``approval: required``, a script that is not
airable, or whose audio was not made from the approved text, does not play: the program logs
it and goes on.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass

from broadcast.approval import judge
from broadcast.daemon.context import AirContext
from broadcast.playlog import Reason

logger = logging.getLogger("broadcast.daemon")

AUDIO_NOT_OF_APPROVED_TEXT = (
    "âm thanh hiện có không được tạo từ bản đã duyệt (chưa tạo lại sau khi sửa); "
    "sẽ phát khi có âm thanh của bản đã duyệt"
)


@dataclass(frozen=True)
class AtAir:
    """What the check decided: the approval the play airs under, or why it must not air."""

    approval_id: int | None = None
    refused: str | None = None  # a ``Reason`` code; ``None``: it may play
    why: str | None = None  # Vietnamese, for the log row's error text


def check_at_air(context: AirContext, script_id: str) -> AtAir:
    """Whether ``script_id`` may play now, and under which approval.

    The approval in force is named whether approval is required or not: a play of an approved
    text says so in either case. Only with ``approval: required`` is anything refused."""
    settings = context.config.approval
    script = context.script_now(script_id)
    if script is None:  # no such script at all: the audio lookup logs what is missing
        return AtAir()
    entry = context.audio.manifest.entry(script_id)  # the audio this airing would play
    try:
        events = context.approval_log.approval_events(script_id)
    except sqlite3.Error as exc:
        if not settings.required:
            return AtAir()
        # Nothing proves the text approved: on a loudspeaker a wrong word cannot be taken back.
        return _refused(script_id, Reason.NOT_APPROVED, f"không đọc được nhật ký duyệt: {exc}")
    judgement = judge(script, events, settings, entry)
    if not settings.required:
        return AtAir(judgement.approval_id)
    if not judgement.airable:
        return _refused(script_id, Reason.NOT_APPROVED, judgement.why_left_out())
    if entry is not None and not entry.made_from(script):
        return _refused(script_id, Reason.AUDIO_NOT_APPROVED, AUDIO_NOT_OF_APPROVED_TEXT)
    return AtAir(judgement.approval_id)


def _refused(script_id: str, reason: str, why: str) -> AtAir:
    logger.warning(
        "không phát %s: %s",
        script_id,
        why,
        extra={"event": "not_approved_at_air", "script": script_id, "reason": reason},
    )
    return AtAir(refused=reason, why=why)
