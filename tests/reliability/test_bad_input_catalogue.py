"""The bad-input catalogue: each case fed to a real project the way its user would, while the
real daemon runs on it.

For a file case: the daemon is started on a valid ward, the bad file is dropped in (or
``schedules.yaml`` / ``lexicon.yaml`` edited), the daemon reloads, and
- ``broadcast check`` (what the board runs) prints the exact message, naming file and line;
- the daemon's ``reload()`` says not ok with the same message, raises ``input_invalid`` and
  shows it in ``status``; it keeps running on the last good configuration and scripts;
- inputs that are fine after all (TCVN3, UTF-16 without BOM, a 10,000-character line) are
  taken, read correctly.
For a control case: the line is sent over TCP to the daemon's control channel; the answer
carries the exact code and message, nothing airs, and the daemon answers the next request.
"""

from __future__ import annotations

import json
import os
import time

import pytest

from broadcast.cli import main
from broadcast.control import ControlClient, read_endpoint
from broadcast.daemon.inputs import Inputs
from broadcast.diagnostics import Diagnostic, Severity
from broadcast.paths import ProjectPaths
from tests.reliability.catalogue import CONTROL_CASES, DOC, FILE_CASES, table, with_table
from tests.reliability.catalogue_model import ControlCase, FileCase, Outcome
from tests.reliability.reliability_ward import exchange, make_ward, running_daemon


def reported(case: FileCase | ControlCase, messages: list[str]) -> bool:
    if case.prefix_only:
        return any(message.startswith(case.message) for message in messages)
    return case.message in messages


def check_output(paths: ProjectPaths, capsys: pytest.CaptureFixture[str]) -> list[Diagnostic]:
    """What ``broadcast check --json`` tells the board, as diagnostics."""
    capsys.readouterr()
    main(["--home", str(paths.home), "check", "--json"])
    found = json.loads(capsys.readouterr().out)["diagnostics"]
    return [Diagnostic(**{**d, "severity": Severity(d["severity"])}) for d in found]


def scripts_of(inputs: Inputs) -> dict[str, str]:
    return {script.id: script.content_hash for script in inputs.scripts}


def assert_last_good_state_kept(before: Inputs, after: Inputs) -> None:
    assert (after.config.zones, after.config.slots, after.config.programs) == (
        before.config.zones,
        before.config.slots,
        before.config.programs,
    )
    assert scripts_of(after) == scripts_of(before)


@pytest.mark.slow  # a daemon started and stopped per case: about 30 s for all
@pytest.mark.parametrize("case", FILE_CASES, ids=lambda case: case.id)
def test_a_bad_file(case: FileCase, tmp_path, capsys):
    if case.posix_only and os.name == "nt":
        pytest.skip("symlinks and named pipes need POSIX")
    paths = make_ward(tmp_path / "ward")
    with running_daemon(paths) as daemon:
        before = daemon.inputs
        case.feed(paths)
        result = daemon.reload()
        status = ControlClient.from_paths(paths).call("status")
        after = daemon.inputs
        alarms = {alarm.code for alarm in daemon.alarms.active()}
    diagnostics = check_output(paths, capsys)
    shown = [str(d) for d in diagnostics]
    if case.outcome is Outcome.REFUSED:
        assert reported(case, shown), shown
        assert result["ok"] is False and reported(case, result["problems"]), result
        assert reported(case, status["input_problems"])
        assert "input_invalid" in alarms
        assert_last_good_state_kept(before, after)
        return
    assert result == {"ok": True, "problems": []}
    assert not [d for d in diagnostics if d.severity is Severity.ERROR], shown
    if case.outcome is Outcome.WARNED:
        assert reported(case, shown), shown
    assert case.accepted is not None
    case.accepted(after.by_id)
    assert scripts_of(before).keys() <= scripts_of(after).keys()


@pytest.mark.slow  # a daemon started and stopped per case
@pytest.mark.parametrize("case", CONTROL_CASES, ids=lambda case: case.id)
def test_a_bad_request(case: ControlCase, tmp_path):
    paths = make_ward(tmp_path / "ward")
    with running_daemon(paths) as daemon:
        before = daemon.inputs
        endpoint = read_endpoint(paths)
        (answer,) = exchange((endpoint.host, endpoint.port), case.request(paths))
        time.sleep(0.2)  # an announcement wrongly accepted would start airing by now
        status = ControlClient.from_paths(paths).call("status")
        after = daemon.inputs
    assert answer["ok"] is False
    assert (answer["error"]["code"], answer["error"]["message"]) == (case.code, case.message)
    assert status["playing"] == [] and status["input_problems"] == []
    assert after is before
    assert not (paths.home / "heard").exists()  # nothing reached a loudspeaker


def test_the_catalogue_is_big_enough_and_ids_are_unique():
    cases = [*FILE_CASES, *CONTROL_CASES]
    assert len({case.id for case in cases}) == len(cases) >= 30
    assert {case.area for case in cases} == {
        "scripts_vi/",
        "schedules.yaml",
        "lexicon.yaml",
        "control channel",
    }


def test_the_docs_table_is_in_sync():
    document = DOC.read_text(encoding="utf-8")
    assert table() in document, "run: .venv/bin/python tests/reliability/catalogue.py"
    assert with_table(document) == document
