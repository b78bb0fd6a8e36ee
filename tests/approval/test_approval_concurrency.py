"""Approvals from two terminals at once, and a kill -9 in the middle of one: every event is in
the log whole or not at all, and the hash chain verifies."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from broadcast.approval import EventKind, fingerprint_of
from broadcast.playlog import PlayLog
from broadcast.scripts import load_folder
from tests.approval.ward import DEPUTY, HEAD, MD_ID, TXT_ID, broadcast, cli, events, make_ward

# Approves and revokes the plain-text script for ever, through the real command: the events
# are written one after the other as fast as the log takes them.
LOOP = """
import sys
from broadcast.cli import main
home = sys.argv[1]
while True:
    main(["--home", home, "approve", "{script}", "--by", "{by}", "--comment", "vòng lặp"])
    main(["--home", home, "revoke", "{script}", "--by", "{by}", "--reason", "vòng lặp"])
"""


def _finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=30)
    return process.returncode, out, err


@pytest.mark.slow  # subprocesses
def test_two_approvals_at_once_are_both_recorded(tmp_path):
    ward = make_ward(tmp_path)
    rounds = 3
    for _ in range(rounds):
        for command in ("approve", "revoke"):
            extra = ["--reason", "thu hồi để duyệt lại"] if command == "revoke" else []
            started = [
                broadcast(ward, command, script, "--by", by, *extra)
                for script, by in ((MD_ID, HEAD), (TXT_ID, DEPUTY))
            ]
            for process in started:
                code, _, err = _finish(process)
                assert code == 0, err
    written = events(ward)
    assert len(written) == 2 * 2 * rounds  # no event lost
    for script_id in (MD_ID, TXT_ID):
        kinds = [e.kind for e in written if e.script_id == script_id]
        assert kinds == [EventKind.APPROVED, EventKind.REVOKED] * rounds
    with PlayLog.open_for_reading(ward) as log:
        result = log.verify()
    assert result.ok and result.events == len(written)
    assert cli(ward, "logs", "--verify") == 0


@pytest.mark.slow  # subprocesses killed at random moments
def test_kill_9_during_approvals_leaves_only_whole_events(tmp_path):
    ward = make_ward(tmp_path)
    script = next(s for s in load_folder(ward).scripts if s.id == TXT_ID)
    current = fingerprint_of(script).sha256
    code = LOOP.format(script=TXT_ID, by=HEAD)
    chances = random.Random(17)
    deadline = time.monotonic() + 6
    kills = 0
    while time.monotonic() < deadline:
        process = subprocess.Popen(
            [sys.executable, "-c", code, str(ward.home)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.7 + chances.random() * 0.6)  # past the start-up, into the writes
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        kills += 1
    written = events(ward)
    assert kills >= 3 and len(written) > kills  # the loop really was writing when killed
    with PlayLog.open_for_reading(ward) as log:
        result = log.verify()
    assert result.ok, result.problem
    assert result.events == len(written)
    for event in written:
        assert event.hash and len(event.hash) == 64
        assert (event.by, event.comment) == (HEAD, "vòng lặp")
        if event.kind is EventKind.APPROVED:
            assert event.content_sha256 == current  # the fingerprint whole, as computed
    # the log takes the next approval at once: no lock or half transaction left behind
    state = "revoked" if written[-1].kind is EventKind.REVOKED else "approved"
    command = "approve" if state == "revoked" else "revoke"
    extra = ["--reason", "sau khi bị giết"] if command == "revoke" else []
    assert cli(ward, command, TXT_ID, "--by", HEAD, *extra) == 0
    assert len(events(ward)) == len(written) + 1
