"""The play log: every attempt to air an item on a zone, in SQLite, with a hash chain.

``PlayLog`` (in ``store``) is the only code that touches the database.
"""

from broadcast.playlog.approvals import AlreadyApproved
from broadcast.playlog.chain import ChainProblem, VerifyResult
from broadcast.playlog.faults import PlayLogUnreadable
from broadcast.playlog.model import (
    COMPLETED_OUTCOMES,
    OUTCOME_LABELS_VI,
    Airing,
    Attempt,
    BulletinRecord,
    Outcome,
    Reason,
    reason_label_vi,
)
from broadcast.playlog.salvage import open_for_air
from broadcast.playlog.store import DATABASE_NAME, PlayLog, database_path

__all__ = [
    "COMPLETED_OUTCOMES",
    "DATABASE_NAME",
    "OUTCOME_LABELS_VI",
    "Airing",
    "AlreadyApproved",
    "Attempt",
    "BulletinRecord",
    "ChainProblem",
    "Outcome",
    "PlayLog",
    "PlayLogUnreadable",
    "Reason",
    "VerifyResult",
    "database_path",
    "open_for_air",
    "reason_label_vi",
]
