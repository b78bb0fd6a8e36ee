"""The world of the month simulation: April 2026 in a ward of three zones.

Holidays: Giỗ Tổ Hùng Vương 26/4 (a Sunday) and its day off 27/4, Ngày Chiến thắng 30/4; the
evening slot excludes 15/4; a Saturday-night slot falls in the quiet hours. Around the
timetable, ``month_world(seed)`` places at random, none within an hour of another: one
emergency in the middle of an evening program, one street zone's output failing for two days,
a crash minutes before a morning slot and one in the middle of it (both back within the grace
period), one in the middle of an evening slot (back long after), two long outages, three
short restarts anywhere, and six scripts arriving (four while the daemon is down).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from broadcast.schedule import holiday_name
from tests.reliability.simulation import WARD, Arrival, Emergency, Failure, Outage, World

APRIL = [date(2026, 4, 1) + timedelta(days=n) for n in range(30)]
EXCLUDED = date(2026, 4, 15)  # the evening slot's "except" date
ZONES = ("trung-tam", "tdp-1", "tdp-2")
STREETS = ("tdp-1", "tdp-2")  # the group "cac-tdp"
FAILING_ZONE = "tdp-2"
SLOT_TIMES = {"sang": time(6), "trua": time(11, 30), "chieu": time(17, 30), "khuya": time(22)}
DAY = 86400  # seconds


def at(day: int, hour: int) -> datetime:
    """Ward time on ``day`` April 2026."""
    return datetime(2026, 4, day, hour, tzinfo=WARD)


SCHEDULES = """\
timezone: Asia/Ho_Chi_Minh
topics: {cchc: Cải cách hành chính, dvc: Dịch vụ công trực tuyến, thong-bao: Thông báo}
zones:
  - {id: trung-tam, name: Trung tâm, output: {device: "USB Audio", channels: [1]}}
  - {id: tdp-1, name: Tổ dân phố 1, output: {device: "USB Audio", channels: [2]}}
  - {id: tdp-2, name: Tổ dân phố 2, output: {device: "USB Audio", channels: [3]}}
zone_groups:
  toan-phuong: all
  cac-tdp: [tdp-1, tdp-2]
programs:
  - id: ban-tin
    name: Bản tin
    segments:
      - chime
      - scripts: {max_count: 2, max_minutes: 5}
  - id: tin-ngan
    name: Tin ngắn
    segments:
      - scripts: {max_count: 1, max_minutes: 3}
  - id: tin-chieu
    name: Tin chiều
    segments:
      - scripts: {max_count: 2, max_minutes: 5}
slots:
  - {id: sang, name: Bản tin sáng, times: ["06:00"], weekdays: [T2-T7], program: ban-tin,
     zones: [toan-phuong], max_minutes: 10, skip_holidays: true}
  - {id: trua, name: Tin trưa, times: ["11:30"], weekdays: [T2-T7, CN], program: tin-ngan,
     zones: [trung-tam], max_minutes: 10, skip_holidays: true}
  - {id: chieu, name: Bản tin chiều, times: ["17:30"], weekdays: [T2-T7, CN],
     except: ["15/04/2026"], program: tin-chieu, zones: [cac-tdp], max_minutes: 10}
  - {id: khuya, name: Bản tin khuya, times: ["22:00"], weekdays: [T7], program: tin-ngan,
     zones: [toan-phuong], max_minutes: 10}
quiet_hours: {from: "21:30", until: "05:00"}
tts:
  engines: [espeak]
  chime: none
"""

# Short texts: espeak-ng renders each in a fraction of a second, a second or two of speech.
FIRST_SCRIPTS = {
    "2026-04/mot-cua.txt": "Bộ phận một cửa\n\nMời bà con đến Bộ phận một cửa phường.\n",
    "2026-04/nuoc-sach.txt": "Nước sạch\n\nBà con dùng nước sạch, tiết kiệm.\n",
    "2026-04/dvc.md": (
        "---\ntitle: Dịch vụ công\ntopic: dvc\ntimes_per_week: 4\n---\n\n"
        "Bà con nộp hồ sơ trực tuyến.\n"
    ),
    "2026-04/thue-dat.md": (
        "---\ntitle: Thuế đất\ntopic: cchc\nvalid_until: 10/04/2026\n---\n\n"
        "Hạn nộp thuế đất sắp hết.\n"
    ),
    "2026-04/hop-to-1.md": (
        "---\ntitle: Họp tổ 1\ntopic: thong-bao\nzones: [tdp-1]\n---\n\nTổ 1 họp tối nay.\n"
    ),
}


def _priority(name: str, title: str, text: str) -> dict[str, str]:
    body = f"---\ntitle: {title}\ntopic: thong-bao\npriority: priority\n---\n\n{text}\n"
    return {f"2026-04/{name}.md": body}


def _plain(name: str, title: str, text: str) -> dict[str, str]:
    return {f"2026-04/{name}.txt": f"{title}\n\n{text}\n"}


NEW_SCRIPTS = (
    _priority("phong-chay", "Phòng cháy", "Bà con phòng cháy mùa khô."),
    _priority("tiem-chung", "Tiêm chủng", "Trẻ em đi tiêm chủng sáng thứ bảy."),
    _priority("mat-dien", "Mất điện", "Chiều mai mất điện khu phố."),
    _plain("can-cuoc", "Căn cước", "Bà con làm căn cước."),
    _plain("ve-sinh", "Vệ sinh", "Tổng vệ sinh ngày chủ nhật."),
    _plain("an-toan", "An toàn giao thông", "Đội mũ bảo hiểm khi đi xe máy."),
)


# -- the month's world, placed at random from the seed ----------------------------------


class _Calendar:
    """Places the world's events at random, none within an hour of another."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.taken: list[tuple[datetime, datetime]] = []

    def free(self, start: datetime, end: datetime) -> bool:
        pad = timedelta(hours=1)
        inside = at(1, 1) <= start and end <= at(30, 20)
        return inside and all(end + pad <= a or b + pad <= start for a, b in self.taken)

    def on_a_day(
        self, allowed: Callable[[date], bool], slot: str, first: float, last: float
    ) -> tuple[datetime, datetime]:
        """From ``first`` to ``last`` seconds after ``slot``'s start, on a random day
        ``allowed`` where that is free."""

        def span(day: date) -> tuple[datetime, datetime]:
            return slot_start(day, slot, first), slot_start(day, slot, last)

        day = self.rng.choice([d for d in APRIL if allowed(d) and self.free(*span(d))])
        self.taken.append(span(day))
        return span(day)

    def anywhere(self, shortest: timedelta, longest: timedelta) -> tuple[datetime, datetime]:
        while True:
            start = at(1, 1) + timedelta(seconds=self.rng.uniform(0, 29 * DAY))
            end = start + shortest + (longest - shortest) * self.rng.uniform(0, 1)
            if self.free(start, end):
                self.taken.append((start, end))
                return start, end


def _morning(day: date) -> bool:
    return day.weekday() < 6 and holiday_name(day) is None


def _evening(day: date) -> bool:
    return day != EXCLUDED


def slot_start(day: date, name: str, second: float = 0.0) -> datetime:
    return datetime.combine(day, SLOT_TIMES[name], WARD) + timedelta(seconds=second)


def month_world(seed: int) -> World:
    rng = random.Random(seed)
    calendar = _Calendar(rng)
    u = rng.uniform
    # one emergency on the street zones, a second into the evening program it cuts
    start, _ = calendar.on_a_day(_evening, "chieu", 0, 600)
    emergency = Emergency(
        start + timedelta(seconds=1), ("cac-tdp",), "Khẩn cấp: nước lên nhanh, bà con lên chỗ cao."
    )
    # one street zone's output cannot be written for two days (from after noon)
    failure = Failure(FAILING_ZONE, *calendar.on_a_day(lambda d: d.day < 28, "trua", 1800, 2 * DAY))
    # a crash minutes before the morning slot, back within the grace period: it airs late
    late = Outage(*calendar.on_a_day(_morning, "sang", -u(60, 1200), u(30, 270)))
    # a crash in the first script of the morning slot (after the 2.5 s chime), back within
    # the grace period: the rest of the airing, as it started, plays late
    resumed = Outage(*calendar.on_a_day(_morning, "sang", 2.5 + u(0.3, 1.2), u(60, 240)))
    # a crash in the first script of the evening slot, back long after: the rest is missed
    cut = Outage(*calendar.on_a_day(_evening, "chieu", u(0.3, 1.2), u(1200, 10800)))
    # long outages, and short restarts at any moment
    long_ones = [
        Outage(*calendar.anywhere(timedelta(hours=8), timedelta(hours=40))) for _ in range(2)
    ]
    short_ones = [
        Outage(*calendar.anywhere(timedelta(seconds=20), timedelta(minutes=20))) for _ in range(3)
    ]
    # scripts arrive while the daemon is down (each long outage, each crash in an airing), and
    # while it runs
    moments = [o.down + (o.back - o.down) * u(0.2, 0.8) for o in (*long_ones, resumed, cut)]
    while len(moments) < len(NEW_SCRIPTS):
        moments.append(calendar.anywhere(timedelta(0), timedelta(0))[0])
    arrivals = [Arrival(m, files) for m, files in zip(moments, NEW_SCRIPTS, strict=True)]
    return World(
        SCHEDULES,
        FIRST_SCRIPTS,
        start=at(1, 0),
        end=datetime(2026, 5, 1, tzinfo=WARD),
        arrivals=tuple(sorted(arrivals, key=lambda a: a.moment)),
        outages=tuple(sorted((late, resumed, cut, *long_ones, *short_ones), key=lambda o: o.down)),
        failures=(failure,),
        emergencies=(emergency,),
    )
