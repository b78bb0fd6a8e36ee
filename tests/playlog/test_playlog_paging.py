"""One page of the log at a time, counted in SQL: the console's logs page stays fast however
long the log grows (bench/web.py measures it over 100,000 rows)."""

from datetime import datetime, timedelta

from broadcast.playlog import Outcome, PlayLog
from broadcast.playlog.store import WARD_TIMEZONE

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=WARD_TIMEZONE)


def test_pages_and_counts_follow_the_same_filters(paths, airing):
    with PlayLog.open(paths) as log:
        for n in range(25):
            at = T0 + timedelta(minutes=n)
            row = log.start_attempt(airing(zone=("to-1", "to-2", "to-3")[n % 3], at=at), at)
            log.finish_attempt(row, Outcome.PLAYED, ended_at=at, aired_seconds=30)
        everything = log.attempts()
        assert log.count_attempts() == 25
        pages = [log.attempts(limit=10, offset=offset) for offset in (0, 10, 20)]
        assert [len(page) for page in pages] == [10, 10, 5]
        assert [a.id for page in pages for a in page] == [a.id for a in everything]

        two_zones = log.attempts(zones=("to-1", "to-3"))
        assert {a.airing.zone for a in two_zones} == {"to-1", "to-3"}
        assert log.count_attempts(zones=("to-1", "to-3")) == len(two_zones) == 17
        assert log.attempts(zones=()) == [] and log.count_attempts(zones=()) == 0
        since = T0 + timedelta(minutes=20)
        assert log.count_attempts(since=since) == 5 == len(log.attempts(since=since, limit=50))
