"""An alarm says since when it is active (issue 13): a cause that stays is raised again at
every heartbeat, and ``status`` must still show when it began."""

from datetime import datetime, timedelta

from broadcast.clock import FakeClock
from broadcast.daemon.alarms import Alarm, AlarmCode, Alarms
from broadcast.playlog.store import WARD_TIMEZONE

BEGAN = datetime(2026, 3, 2, 5, 59, 1, tzinfo=WARD_TIMEZONE)


def test_an_alarm_raised_again_keeps_the_moment_it_began():
    clock = FakeClock(BEGAN)
    alarms = Alarms(clock)
    alarms.raise_alarm(AlarmCode.DEVICE_MISSING, "khu vực tdp-2: không thấy thiết bị", "tdp-2")
    clock.advance(timedelta(minutes=30))
    alarms.raise_alarm(AlarmCode.DEVICE_MISSING, "khu vực tdp-2: không thấy thiết bị", "tdp-2")
    (alarm,) = alarms.active()
    assert (alarm.since, alarm.at) == (BEGAN, BEGAN + timedelta(minutes=30))

    alarms.clear(AlarmCode.DEVICE_MISSING, "tdp-2")
    clock.advance(timedelta(minutes=1))
    alarms.raise_alarm(AlarmCode.DEVICE_MISSING, "khu vực tdp-2: không thấy thiết bị", "tdp-2")
    (alarm,) = alarms.active()
    assert alarm.since == clock.now()  # a new episode begins anew


def test_since_goes_through_the_status_file_and_an_older_file_still_reads():
    alarm = Alarm(
        BEGAN + timedelta(hours=1), AlarmCode.INPUT_INVALID, "có tệp sửa sai", since=BEGAN
    )
    assert Alarm.from_json(alarm.to_json()) == alarm
    older = {k: v for k, v in alarm.to_json().items() if k != "since"}
    assert Alarm.from_json(older).since == alarm.at
