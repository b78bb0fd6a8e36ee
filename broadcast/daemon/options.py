"""How a ``BroadcastDaemon`` runs: what ``broadcast run`` and the tests may choose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from broadcast.daemon.context import DEFAULT_GRACE_SECONDS, DEFAULT_RESUME_BACK_SECONDS
from broadcast.daemon.rehearsal import Rehearsal
from broadcast.daemon.render_ahead import DISK_RETRY

DEFAULT_GRACE = timedelta(seconds=DEFAULT_GRACE_SECONDS)
# Audio made by a fallback engine (gTTS unreachable) is rendered again this often, so the
# preferred voice comes back on its own once the network does.
DEFAULT_RENDER_RETRY = timedelta(minutes=15)
PREPARE_AHEAD = timedelta(seconds=20)  # an airing's audio is loaded this long before it
# An airing starts this long before its instant: its stream is opened and primed with silence,
# and its first sample is played on the instant by the device's clock (bench/timing.py).
START_AHEAD = timedelta(seconds=0.5)


@dataclass(frozen=True)
class DaemonOptions:
    grace: timedelta = DEFAULT_GRACE
    prepare_ahead: timedelta = PREPARE_AHEAD  # an airing's audio is loaded this long before
    start_ahead: timedelta = START_AHEAD
    resume_back_seconds: float = DEFAULT_RESUME_BACK_SECONDS  # see AirContext
    render_ahead: bool = True
    render_retry: timedelta = DEFAULT_RENDER_RETRY
    disk_retry: timedelta = DISK_RETRY  # sooner after a full disk: see render_ahead
    offline: bool = False  # render with offline engines only
    # Render passes in a process of their own (see render_ahead); tests that fake the speech
    # service inside this process (``responses``) render here instead.
    render_in_own_process: bool = True
    rehearsal: Rehearsal | None = None
    control_port: int = 0
    watch_interval: float = 1.0
    sink_label: str = "sound"
    console_log: bool | None = True  # None: leave logging to the caller (tests)
    # With an ``ip_clusters:`` section, the station side of the IP clusters runs too (plans
    # out, audio served, as-played in); tests of the wired air alone may turn it off.
    ip_clusters: bool = True
