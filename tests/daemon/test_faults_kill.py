"""Fault: the daemon is killed (SIGKILL, no chance to tidy up) again and again while it plays.

``broadcast run`` runs as a real subprocess on a real-time device; each run is killed at a
random moment (seeded) while a script is on the air, then started again. Nothing may be lost:
the database stays intact, the hash chain verifies, every play the kill cut is closed as
``interrupted``, each restart within the grace period plays on from the script that was cut
(never a script already heard), and a restart beyond the grace period logs the rest of the
slot as ``missed`` / ``daemon_down``.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest

from broadcast.playlog import Outcome, PlayLog, Reason, database_path
from tests.daemon.daemon_project import make_project, rows, wait_for, zone_yaml

pytestmark = pytest.mark.realtime

KILLS = 20
SCRIPTS = KILLS + 4  # more scripts than kills: the slot is still on the air at every kill
# The kill comes within this many seconds of a script starting, less than two scripts'
# length, so a run gets at most one script further and the loop never runs out of slot.
KILL_WITHIN_SECONDS = 1.8  # scripts last 1.1-1.3 s
SEED = 8


SHORT_TTS = "  engines: [espeak]\n  chime: none\n  pauses: {after_title_ms: 100}\n"


def _script(number: int) -> str:
    return f"Tin {number}\n\nHết tin.\n"


def _start(paths, env, grace_minutes: float = 5.0) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "broadcast",
            "--home",
            str(paths.home),
            "run",
            "--offline",
            "--grace",
            str(grace_minutes),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _open_ids(paths) -> set[int]:
    return {row.id for row in rows(paths) if row.is_open}


def _integrity(paths) -> str:
    with sqlite3.connect(database_path(paths)) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def test_twenty_sigkills_during_playback_lose_nothing(tmp_path, realtime_card, captures, child_env):
    scripts = {f"tin-{n:02d}.txt": _script(n) for n in range(SCRIPTS)}
    paths = make_project(
        tmp_path,
        [zone_yaml("trung-tam", "test_realtime", [1, 2])],
        scripts,
        segments=f"      - scripts: {{max_count: {SCRIPTS}, max_minutes: 10}}\n",
        tts=SHORT_TTS,
    )
    timing = random.Random(SEED)
    cut_open: set[int] = set()  # rows open at the moment of a kill
    last_cut: set[int] = set()
    restart_seconds: list[float] = []
    started = time.monotonic()
    for kill in range(KILLS):
        seen = {row.id for row in rows(paths)} if database_path(paths).exists() else set()
        launched = time.monotonic()
        daemon = _start(paths, child_env)
        try:
            # on the air again: a new row opened by this run
            found = wait_for(
                paths, lambda r, seen=seen: any(x.is_open and x.id not in seen for x in r), 60
            )
            restart_seconds.append(time.monotonic() - launched)
            resumed = next(x for x in found if x.is_open and x.id not in seen)
            # the restart plays on from the script the previous kill cut, not from the top
            for cut in (x for x in found if x.id in last_cut):
                assert cut.outcome is Outcome.INTERRUPTED
                assert resumed.airing.script_id == cut.airing.script_id
            time.sleep(timing.uniform(0.0, KILL_WITHIN_SECONDS))
        finally:
            daemon.kill()
            daemon.wait()
        last_cut = _open_ids(paths)
        cut_open |= last_cut
        assert _integrity(paths) == "ok", f"after kill {kill + 1}"
    loop_seconds = time.monotonic() - started

    # Started again with a grace of 3 s, the slot (begun before the loop) is beyond it: the
    # rest of the slot is logged as missed, nothing plays.
    seen = {row.id for row in rows(paths)}
    daemon = _start(paths, child_env, grace_minutes=0.05)
    try:
        found = wait_for(paths, lambda r: any(x.outcome is Outcome.MISSED for x in r), 60)
        time.sleep(1.0)  # nothing may start playing either
        found = rows(paths)
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)

    assert _integrity(paths) == "ok"
    with PlayLog.open_for_reading(paths) as log:
        chain = log.verify()
    assert chain.ok, chain.problem
    by_id = {row.id: row for row in found}
    assert not any(row.is_open for row in found)
    assert cut_open and all(by_id[i].outcome is Outcome.INTERRUPTED for i in cut_open)
    assert all(by_id[i].reason == Reason.DAEMON_DOWN for i in cut_open)
    interrupted = {row.id for row in found if row.outcome is Outcome.INTERRUPTED}
    assert interrupted == cut_open  # nothing else was closed as interrupted

    per_script: dict[str, Counter] = {}
    for row in found:
        per_script.setdefault(row.airing.script_id, Counter())[row.outcome] += 1
    assert set(per_script) == {name.removesuffix(".txt") for name in scripts}
    for script_id, outcomes in per_script.items():
        assert outcomes[Outcome.PLAYED] <= 1, f"{script_id} aired twice"
        if outcomes[Outcome.MISSED]:  # only what never reached the air, once
            assert outcomes == Counter({Outcome.MISSED: 1}), script_id
    missed = [row for row in found if row.outcome is Outcome.MISSED]
    assert missed and all(row.reason == Reason.DAEMON_DOWN for row in missed)
    assert all(row.id not in seen for row in missed)
    assert not any(row.started_at and row.id not in seen for row in found)  # none played late
    played = [row.airing.script_id for row in found if row.outcome is Outcome.PLAYED]
    print(
        f"\n[fault:sigkill] kills={KILLS} seed={SEED} rows={len(found)} "
        f"played={len(played)} interrupted={len(interrupted)} missed={len(missed)} "
        f"chain_events={chain.events} integrity=ok "
        f"restart_to_air_s(median/max)={sorted(restart_seconds)[KILLS // 2]:.2f}/"
        f"{max(restart_seconds):.2f} loop_s={loop_seconds:.1f}"
    )
