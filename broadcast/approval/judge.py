"""Whether a script may air now: its current fingerprint against the approval events.

An approval counts for the exact text (and airing fields, and recording) it named: an edit puts
the script back to draft, restoring the approved text restores the approval. A revocation
withdraws every approval of the script made before it. With ``listen`` the audio the daemon
would air — made from this very text — must also have been listened to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

from broadcast.approval.events import ApprovalEvent, EventKind
from broadcast.approval.fingerprint import Fingerprint, fingerprint_of
from broadcast.audio.manifest import AudioManifest, ManifestEntry
from broadcast.config.approval import ApprovalSettings
from broadcast.scripts.model import Priority, Script


class State(StrEnum):
    APPROVED = "approved"
    PENDING = "pending"  # never approved
    EDITED = "edited"  # approved once; the text or an airing field changed since
    REVOKED = "revoked"  # its approval was withdrawn
    NOT_LISTENED = "not_listened"  # approved; the audio of this text not listened to yet

    @property
    def label_vi(self) -> str:
        return _LABELS[self]


_LABELS = {
    State.APPROVED: "đã duyệt",
    State.PENDING: "chờ duyệt",
    State.EDITED: "đã sửa sau khi duyệt",
    State.REVOKED: "đã thu hồi duyệt",
    State.NOT_LISTENED: "đã duyệt, chưa nghe thử",
}


@dataclass(frozen=True)
class Judgement:
    script_id: str
    state: State
    fingerprint: Fingerprint
    required: bool = False  # approval: required in schedules.yaml
    emergency: bool = False  # the script makes itself an emergency (priority: emergency)
    approval: ApprovalEvent | None = None  # in force (APPROVED, NOT_LISTENED)
    earlier: ApprovalEvent | None = None  # EDITED: the approval of the text before the edit
    revocation: ApprovalEvent | None = None  # REVOKED: the revocation
    listen: ApprovalEvent | None = None  # the listen that counts for the current audio
    changed: tuple[str, ...] = ()  # EDITED: what changed, as the board names it
    audio_hash: str | None = None  # the audio of this text, when it has been made

    @property
    def airable(self) -> bool:
        """Approved where approval is required; elsewhere anything but an emergency script
        (only an approved text may air in quiet hours, before everything else)."""
        if self.required:
            return self.state is State.APPROVED
        return not self.emergency

    @property
    def approval_id(self) -> int | None:
        """The approval a play of this script airs under (``None`` when none is in force)."""
        return self.approval.id if self.approval is not None else None

    def why_left_out(self) -> str:
        """Why the planner leaves it out, in Vietnamese ('' when it airs)."""
        if self.airable:
            return ""
        if not self.required:
            return "bài khẩn cấp chỉ phát khi bật duyệt bài (approval: required) và đã được duyệt"
        if self.state is State.EDITED:
            return f"đã sửa {', '.join(self.changed)} sau khi duyệt; cần duyệt lại"
        if self.state is State.REVOKED and self.revocation is not None:
            reason = f": {self.revocation.comment}" if self.revocation.comment else ""
            return f"{self.revocation.by} đã thu hồi duyệt{reason}"
        if self.state is State.NOT_LISTENED:
            if self.audio_hash is None:
                return "chưa có âm thanh của bản đã duyệt để nghe thử"
            return "âm thanh của bản đã duyệt chưa được nghe thử (broadcast preview)"
        return "chưa được duyệt (broadcast approve)"


def judge(
    script: Script,
    events: Sequence[ApprovalEvent],
    settings: ApprovalSettings,
    audio: ManifestEntry | None = None,
) -> Judgement:
    """``events``: this script's, oldest first. ``audio``: its manifest entry, if any."""
    current = fingerprint_of(script)
    audio_hash = audio.audio_hash if audio is not None and audio.made_from(script) else None
    judged = partial(
        Judgement,
        script.id,
        required=settings.required,
        emergency=script.priority is Priority.EMERGENCY,
        fingerprint=current,
        audio_hash=audio_hash,
    )
    revocation = next((e for e in reversed(events) if e.kind is EventKind.REVOKED), None)
    after = events[events.index(revocation) + 1 :] if revocation is not None else events
    approvals = [e for e in after if e.kind is EventKind.APPROVED]
    matching = [e for e in approvals if e.content_sha256 == current.sha256]
    if not matching:
        if approvals:
            earlier = approvals[-1]
            assert earlier.fingerprint is not None  # an approval always names its text
            changed = tuple(current.changes_from(earlier.fingerprint))
            return judged(State.EDITED, earlier=earlier, changed=changed)
        if revocation is not None:
            return judged(State.REVOKED, revocation=revocation)
        return judged(State.PENDING)
    listen = next(
        (
            e
            for e in reversed(events)
            if e.kind is EventKind.LISTENED
            and e.content_sha256 == current.sha256
            and audio_hash is not None
            and e.audio_hash == audio_hash
        ),
        None,
    )
    state = State.NOT_LISTENED if settings.listen and listen is None else State.APPROVED
    return judged(state, approval=matching[-1], listen=listen)


def judge_all(
    scripts: Iterable[Script],
    events: Iterable[ApprovalEvent],
    settings: ApprovalSettings,
    manifest: AudioManifest | None = None,
) -> dict[str, Judgement]:
    """Every script's judgement, by id."""
    by_script: dict[str, list[ApprovalEvent]] = {}
    for event in events:
        by_script.setdefault(event.script_id, []).append(event)
    return {
        script.id: judge(
            script,
            by_script.get(script.id, []),
            settings,
            manifest.entry(script.id) if manifest is not None else None,
        )
        for script in scripts
    }


def approved_only(scripts: Iterable[Script], judgements: Mapping[str, Judgement]) -> list[Script]:
    """The scripts the planner may take: all when approval is off, else the approved ones."""
    return [s for s in scripts if s.id in judgements and judgements[s.id].airable]
