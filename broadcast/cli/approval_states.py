"""What ``check`` and ``plan`` print of the approval chain; the states themselves:
``broadcast.views.approval_states``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from broadcast.approval import Judgement
from broadcast.views.approval_states import left_out

WILL_NOT_AIR = (
    "Bài chưa được duyệt (hoặc đã sửa sau khi duyệt) sẽ KHÔNG được phát cho tới khi người duyệt "
    'trong schedules.yaml duyệt nội dung hiện tại: broadcast approve MÃ_BÀI --by "Họ tên".'
)


def print_left_out(
    heading: str, judgements: Iterable[Judgement], titles: Mapping[str, str]
) -> None:
    """``heading`` then one line per script left out: its title, its id, why."""
    found = left_out(judgements)
    if not found:
        return
    print(f"\n{heading}")
    for judgement in found:
        title = titles.get(judgement.script_id) or judgement.script_id
        print(f"  - {title} ({judgement.script_id}): {judgement.why_left_out()}")
