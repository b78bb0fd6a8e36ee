"""The daemon's render-ahead: new or changed scripts are made into audio in the background.

One pass at a time (another follows if asked meanwhile). A pass that could not make every
script's audio with the preferred engine (gTTS unreachable, a full disk) leaves the last good
audio on the air, raises one alarm naming each script and why, and is tried again later, so
the preferred voice comes back by itself once the network or the disk does: after a full disk
within ``DISK_RETRY`` of space returning (a retry then costs only the failed writes), else at
the daemon's slower retry (a network that is down is not asked every few seconds).

Every pass runs in a process of its own (``in_own_process``): making audio needs the engines,
scipy and pyloudnorm (~70 MB) that would otherwise stay in the daemon after the first script
the board drops (bench/idle.py, tests/daemon/test_bulletin_memory.py).
"""

from __future__ import annotations

import errno
import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from broadcast.audio.batch import RenderSummary, render_all, render_script
from broadcast.audio.cache import DISK_FULL
from broadcast.audio.manifest import AudioManifest
from broadcast.config.tts import TtsSettings
from broadcast.daemon.alarms import AlarmCode, Alarms
from broadcast.daemon.segment_audio import in_own_process
from broadcast.paths import ProjectPaths
from broadcast.scripts.model import Script
from broadcast.tts.chain import build_chain
from broadcast.tts.registry import ONLINE_ENGINES

logger = logging.getLogger("broadcast.daemon")
DISK_RETRY = timedelta(seconds=30)
T = TypeVar("T")
# The scripts (of these, with this manifest) whose audio must be of their approved text.
Approved = Callable[[list[Script], AudioManifest], set[str]]


def render_offline(
    paths: ProjectPaths, settings: TtsSettings, scripts: list[Script]
) -> list[tuple[str, str]]:
    """Audio for ``scripts`` from the offline engines only; each one that failed, and why."""
    failures = []
    for script in scripts:
        chain = build_chain(settings)
        chain.rest(ONLINE_ENGINES)
        try:
            render_script(paths, settings, script, chain=chain)
        except Exception as exc:  # one script's failure leaves the others' audio made
            failures.append((script.id, f"{type(exc).__name__}: {exc}"))
    return failures


class RenderAhead:
    def __init__(
        self,
        paths: ProjectPaths,
        alarms: Alarms,
        inputs: Callable[[], tuple[TtsSettings, list[Script]]],
        rendered: Callable[[], None],
        *,
        own_process: bool = True,
    ):
        self._paths = paths
        self._alarms = alarms
        self._inputs = inputs  # the settings and scripts to render now
        self._rendered = rendered  # called after each pass that saved new audio
        self._own_process = own_process
        self._lock = threading.Lock()
        self._again = threading.Event()
        self.incomplete = False  # a fallback engine, or nothing, made some script's audio
        self.disk_full = False  # the last pass could not store audio: retry at DISK_RETRY

    def first_pass(self, approved: Approved | None = None) -> None:
        """At start, scripts with no audio at all get it now from the offline engines
        (seconds), recorded as a fallback, so no slot waits on a network that may hang;
        ``run`` then tries the preferred engines in the background.

        So do the ``approved`` scripts whose audio is of another text (edited and approved
        again while the daemon was down): that audio is refused at air time. An entry from
        before approvals (no ``source_hash``) is not among them: the background pass finds
        its file in the cache and only notes the text it was made from."""
        settings, scripts = self._inputs()
        manifest = AudioManifest.load(self._paths)
        fresh = approved(scripts, manifest) if approved is not None else set()
        missing = [
            script
            for script in scripts
            if (entry := manifest.entry(script.id)) is None
            or (
                script.id in fresh and entry.source_hash is not None and not entry.made_from(script)
            )
        ]
        if not missing:
            return
        try:
            failures = self._call(render_offline, self._paths, settings, missing)
        except Exception:  # the background pass tries again and raises the alarm
            logger.exception("lỗi khi tạo âm thanh")
        else:
            for script_id, problem in failures:
                logger.error("lỗi khi tạo âm thanh cho %s: %s", script_id, problem)
        self._rendered()

    def _call(self, function: Callable[..., T], *args: object) -> T:
        return in_own_process(function, *args) if self._own_process else function(*args)

    def run(self) -> None:
        """Render now (returns at once if a pass is running: it goes again afterwards)."""
        self._again.set()
        while self._again.is_set():
            if not self._lock.acquire(blocking=False):
                return  # the running pass will see the flag and go again
            try:
                self._again.clear()
                self._pass()
            finally:
                self._lock.release()

    def _pass(self) -> None:
        settings, scripts = self._inputs()
        try:
            summary = self._call(render_all, self._paths, settings, scripts)
        except Exception as exc:  # the audio already made keeps airing
            logger.exception("lỗi khi tạo âm thanh", extra={"event": "render_failed"})
            self._alarms.raise_alarm(
                AlarmCode.TTS_FAILED, f"lỗi khi tạo âm thanh: {exc}; vẫn phát âm thanh cũ"
            )
            self.incomplete = True
            self.disk_full = isinstance(exc, OSError) and exc.errno in (
                errno.ENOSPC,
                errno.EDQUOT,
            )
            return
        self.incomplete = not summary.ok or summary.fell_back > 0
        problems = [p for r in summary.failed for p in r.problems] + [summary.manifest_problem]
        self.disk_full = any(p and p.startswith(DISK_FULL) for p in problems)
        self._alarm(summary)
        self._alarm_fallback_voice(scripts)
        self._rendered()

    def _alarm(self, summary: RenderSummary) -> None:
        """One alarm naming every script without new audio and why; cleared once none is."""
        problems = [
            f"{failure.script_id}: {'; '.join(failure.problems)}" for failure in summary.failed
        ]
        if summary.manifest_problem:
            problems.append(summary.manifest_problem)
        if problems:
            self._alarms.raise_alarm(
                AlarmCode.TTS_FAILED, "không tạo được âm thanh: " + " | ".join(problems)
            )
        else:
            self._alarms.clear(AlarmCode.TTS_FAILED)

    def _alarm_fallback_voice(self, scripts: list[Script]) -> None:
        """Say which scripts air in the fallback voice (gTTS unreachable): the board hears a
        different voice, and the technician should know why."""
        manifest = AudioManifest.load(self._paths)
        fallen = [
            script.id
            for script in scripts
            if (entry := manifest.entry(script.id)) is not None and entry.fell_back
        ]
        if fallen:
            self._alarms.raise_alarm(
                AlarmCode.VOICE_FALLBACK,
                f"{len(fallen)} bài đang phát bằng giọng dự phòng (không tới được giọng chính, "
                f"sẽ thử lại): {', '.join(fallen[:5])}{' …' if len(fallen) > 5 else ''}",
            )
        else:
            self._alarms.clear(AlarmCode.VOICE_FALLBACK)
