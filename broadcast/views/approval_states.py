"""Each script's place in the approval chain, as ``check``, ``plan`` and the console's
"Bài phát" show it to the board.

The judgements come from ``plannable`` (the planner's own answer), so what these commands say
is left out is exactly what the planner leaves out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from broadcast.approval import Judgement, State
from broadcast.audio.manifest import AudioManifest
from broadcast.config import Config
from broadcast.paths import ProjectPaths
from broadcast.playlog.history import open_history, plannable
from broadcast.scripts import Script
from broadcast.views.approval_events import Approved

# The summary names these three always (the board's everyday words), the others when present.
_ALWAYS = (State.APPROVED, State.PENDING, State.EDITED)


def judgements_of(
    paths: ProjectPaths, config: Config, scripts: Sequence[Script], manifest: AudioManifest
) -> dict[str, Judgement]:
    """Every script's judgement from the play log, read only (no log yet: none approved)."""
    with open_history(paths, config) as log:
        return plannable(config, scripts, manifest, log)[1]


def approval_json(judgement: Judgement) -> dict[str, Any]:
    """What ``--json`` says of one script's approval."""
    approved = Approved.of(judgement)
    return {
        "state": judgement.state,
        "label": judgement.state.label_vi,
        "airable": judgement.airable,
        "why": judgement.why_left_out() or None,
        "approved_by": approved.by,
        "approved_at": approved.at,
        "approval_id": judgement.approval_id,
    }


def left_out(judgements: Iterable[Judgement]) -> list[Judgement]:
    """The scripts the planner leaves out for want of approval, by id."""
    return sorted((j for j in judgements if not j.airable), key=lambda j: j.script_id)


def left_out_json(judgements: Iterable[Judgement], titles: Mapping[str, str]) -> list[dict]:
    return [
        {
            "script_id": judgement.script_id,
            "title": titles.get(judgement.script_id),
            "state": judgement.state,
            "why": judgement.why_left_out(),
        }
        for judgement in left_out(judgements)
    ]


def summary(judgements: Iterable[Judgement]) -> str:
    """ "N bài đã duyệt, M bài chờ duyệt, K bài đã sửa sau khi duyệt" (+ the rarer states)."""
    counts = Counter(j.state for j in judgements)
    shown = [*_ALWAYS, *(s for s in State if s not in _ALWAYS and counts[s])]
    return ", ".join(f"{counts[state]} bài {state.label_vi}" for state in shown) + "."
