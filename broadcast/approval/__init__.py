"""The editorial approval chain: draft → approved → rendered → listened → aired.

``fingerprint`` says what an approval is for (the words, a recording, the airing fields);
``events`` are what the play log keeps in its hash chain; ``judge`` decides, from both, whether
a script may air now and, if not, why — for the planner, ``plan``, ``check`` and ``trace``.
"""

from broadcast.approval.events import ApprovalEvent, EventKind
from broadcast.approval.fingerprint import Fingerprint, fingerprint_from, fingerprint_of
from broadcast.approval.judge import Judgement, State, approved_only, judge, judge_all

__all__ = [
    "ApprovalEvent",
    "EventKind",
    "Fingerprint",
    "Judgement",
    "State",
    "approved_only",
    "fingerprint_from",
    "fingerprint_of",
    "judge",
    "judge_all",
]
