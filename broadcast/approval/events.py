"""The approval chain's events: a text approved, an approval revoked, an audio listened to.

They are written to the play log, in the same hash chain as the plays (``broadcast.playlog``),
so ``logs --verify`` covers them and a play can name the approval it aired under.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from broadcast.approval.fingerprint import Fingerprint


class EventKind(StrEnum):
    APPROVED = "approved"  # the head of the board approved this text for air
    REVOKED = "revoked"  # every earlier approval of the script is withdrawn
    LISTENED = "listened"  # someone listened to this audio of this text

    @property
    def label_vi(self) -> str:
        return {"approved": "duyệt", "revoked": "thu hồi duyệt", "listened": "nghe thử"}[self]


@dataclass(frozen=True)
class ApprovalEvent:
    kind: EventKind
    script_id: str
    at: datetime
    by: str  # the person, as typed with --by (or the account, from the web console)
    fingerprint: Fingerprint | None = None  # the script as it was (approved, listened)
    audio_hash: str | None = None  # listened: the SHA-256 of the WAV file heard
    comment: str | None = None  # an approval's comment; a revocation's reason
    os_user: str | None = None  # the operating-system account that ran the command
    origin: str | None = None  # where it came from: "dòng lệnh trên PC-PHAT"
    id: int | None = None  # its number in the log, once written
    hash: str | None = None  # its hash in the chain, once written

    @property
    def content_sha256(self) -> str | None:
        return self.fingerprint.sha256 if self.fingerprint is not None else None
