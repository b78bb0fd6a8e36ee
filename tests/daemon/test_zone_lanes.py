"""Issue 15: scripts for different streets after a shared bulletin play side by side, as
``broadcast plan`` shows them (``broadcast/schedule/lanes.py``): each street's item starts
when the shared part ends, at the second the plan gives, and no street waits for another's.

The real daemon with a WAV file sink at the real rate, the real play log.
"""

from __future__ import annotations

import pytest

from broadcast.playlog import Outcome
from tests.daemon.daemon_project import make_project, start_to_files, wait_for, zone_yaml

pytestmark = pytest.mark.slow  # items play at the real rate

ZONES = [zone_yaml("to-1", "file", [1]), zone_yaml("to-2", "file", [1])]
SHARED = "Bản tin chung\n\nMời bà con dự họp tổ dân phố tối thứ bảy.\n"


def _for(zone: str, words: str) -> str:
    return f"---\ntitle: Riêng {zone}\nzones: [{zone}]\n---\n{words}\n"


def test_items_for_different_streets_play_side_by_side_after_the_shared_one(tmp_path, daemon_log):
    paths = make_project(
        tmp_path,
        ZONES,
        {
            "a-rieng-1.md": _for("to-1", "Tổ một họp lúc bảy giờ tối tại nhà văn hóa. " * 3),
            "b-rieng-2.md": _for("to-2", "Tổ hai tiêm chủng sáng thứ sáu."),
            "c-chung.txt": SHARED,
        },
    )
    daemon = start_to_files(paths)
    try:
        found = wait_for(paths, lambda r: len(r) == 4 and not any(x.is_open for x in r), 90)
    finally:
        daemon.stop()
    assert all(row.outcome is Outcome.PLAYED for row in found)
    by = {(row.airing.zone, row.airing.script_id): row for row in found}
    shared = [by[("to-1", "c-chung")], by[("to-2", "c-chung")]]
    own_1, own_2 = by[("to-1", "a-rieng-1")], by[("to-2", "b-rieng-2")]
    # The shared bulletin first on both streets, in step; then each street's own item.
    assert abs(shared[0].started_at - shared[1].started_at).total_seconds() < 0.3
    for own in (own_1, own_2):
        assert own.started_at >= max(row.ended_at for row in shared)
        # Where the plan put it: its planned second, counted from the airing's first sound.
        planned = own.airing.scheduled_at - shared[0].airing.scheduled_at
        assert abs((own.started_at - shared[0].started_at) - planned).total_seconds() < 0.5
    # Side by side: street 2's short item does not wait for street 1's long one.
    assert abs(own_1.started_at - own_2.started_at).total_seconds() < 0.5
    assert own_2.ended_at < own_1.ended_at
