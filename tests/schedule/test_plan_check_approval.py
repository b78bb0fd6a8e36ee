"""What the board and the technician see of the approval chain: ``check`` gives each script's
state and why an unapproved one will not air (a draft is no error), ``plan`` lists the scripts
it left out and why; with approval off neither says anything about it.
"""

import json

import pytest

from broadcast.paths import ProjectPaths
from tests.approval.ward import HEAD, MD_ID, REC_ID, TXT_ID, cli, make_ward

DAY = "07/12/2026"  # a Monday while every script of the ward is valid
EDITED = "đã sửa nội dung sau khi duyệt; cần duyệt lại"
PENDING = "chưa được duyệt (broadcast approve)"


def ward(root, approval: str = "approval: required") -> ProjectPaths:
    """The approval tests' ward without its broken file: here every script is valid."""
    paths = make_ward(root, approval)
    (paths.scripts_dir / "2026-12" / "hong.md").unlink()
    return paths


@pytest.fixture
def reviewed(tmp_path) -> ProjectPaths:
    """The Markdown script approved as it reads; the text one approved, then edited; the
    recording never approved."""
    paths = ward(tmp_path)
    assert cli(paths, "approve", MD_ID, TXT_ID, "--by", HEAD) == 0
    text = paths.scripts_dir / "2026-12" / "mot-cua.txt"
    text.write_text(text.read_text(encoding="utf-8") + "Mời bà con.\n", encoding="utf-8")
    return paths


def output(capsys, paths: ProjectPaths, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    status = cli(paths, *args)
    return status, capsys.readouterr().out


def test_on_a_fresh_ward_check_says_every_script_waits_and_will_not_air(tmp_path, capsys):
    paths = ward(tmp_path)
    status, said = output(capsys, paths, "check")
    assert status == 0  # drafts are the normal state of new scripts, not errors
    assert "Duyệt bài: 0 bài đã duyệt, 3 bài chờ duyệt, 0 bài đã sửa sau khi duyệt." in said
    assert "sẽ KHÔNG được phát" in said
    header = said.splitlines()[0]
    assert header.index("Duyệt") < header.index("Trạng thái")  # the status stays last
    rows = {line.split()[0]: line for line in said.splitlines() if line.startswith("2026-12/")}
    assert all("chờ duyệt" in rows[script_id] for script_id in (MD_ID, TXT_ID, REC_ID))
    _, listed = output(capsys, paths, "check", "--json")
    approvals = {record["id"]: record["approval"] for record in json.loads(listed)["scripts"]}
    assert {a["state"] for a in approvals.values()} == {"pending"}
    assert approvals[MD_ID]["why"] == PENDING
    assert not (paths.data_dir / "playlog.sqlite3").exists()  # check only reads


def test_check_names_the_approved_the_pending_and_the_edited_with_why(reviewed, capsys):
    status, said = output(capsys, reviewed, "check")
    assert status == 0
    assert "Duyệt bài: 1 bài đã duyệt, 1 bài chờ duyệt, 1 bài đã sửa sau khi duyệt." in said
    why = said[said.index("Bài không được phát và lý do:") :]
    assert f"Bộ phận một cửa ({TXT_ID}): {EDITED}" in why
    assert MD_ID not in why
    rows = {line.split()[0]: line for line in said.splitlines() if line.startswith("2026-12/")}
    assert "đã duyệt" in rows[MD_ID] and "đã sửa sau khi duyệt" in rows[TXT_ID]
    assert "chờ duyệt" in rows[REC_ID]


def test_check_json_gives_each_scripts_approval(reviewed, capsys):
    _, said = output(capsys, reviewed, "check", "--json")
    found = json.loads(said)
    approvals = {record["id"]: record["approval"] for record in found["scripts"]}
    approved, edited, pending = approvals[MD_ID], approvals[TXT_ID], approvals[REC_ID]
    assert (approved["state"], approved["approved_by"], approved["why"]) == ("approved", HEAD, None)
    assert isinstance(approved["approval_id"], int) and approved["approved_at"].startswith("20")
    assert (edited["state"], edited["why"], edited["approval_id"]) == ("edited", EDITED, None)
    assert edited["approved_by"] == HEAD  # who approved the text before the edit
    assert (pending["state"], pending["why"], pending["approved_by"]) == ("pending", PENDING, None)
    assert found["approval_required"] is True
    assert found["approval_summary"].startswith("1 bài đã duyệt, 1 bài chờ duyệt")


def test_plan_airs_the_approved_and_lists_the_others_with_why(reviewed, capsys):
    status, said = output(capsys, reviewed, "plan", "--from", DAY, "--json")
    assert status == 0
    plan = json.loads(said)
    planned = {s["script_id"] for item in plan["items"] for s in item["segments"]}
    assert planned - {None} == {MD_ID}
    assert plan["left_out"] == [  # by id
        {
            "script_id": REC_ID,
            "title": "Lời kêu gọi của Chủ tịch phường",
            "state": "pending",
            "why": PENDING,
        },
        {"script_id": TXT_ID, "title": "Bộ phận một cửa", "state": "edited", "why": EDITED},
    ]
    _, shown = output(capsys, reviewed, "plan", "--from", DAY)
    section = shown[shown.index("Bài không được lên lịch vì chưa duyệt:") :]
    assert f"  - Bộ phận một cửa ({TXT_ID}): {EDITED}" in section
    assert f"  - Lời kêu gọi của Chủ tịch phường ({REC_ID}): {PENDING}" in section
    assert shown.index("Đăng ký hộ kinh doanh") < shown.index("Bài không được lên lịch")


def test_with_approval_off_check_and_plan_say_nothing_of_it(tmp_path, capsys):
    paths = ward(tmp_path, "approval: off")
    _, said = output(capsys, paths, "check")
    assert "Duyệt" not in said.splitlines()[0] and "Duyệt bài:" not in said
    _, listed = output(capsys, paths, "check", "--json")
    found = json.loads(listed)
    assert found["approval_required"] is False
    assert {record["approval"] for record in found["scripts"]} == {None}
    _, planned = output(capsys, paths, "plan", "--from", DAY, "--json")
    assert json.loads(planned)["left_out"] == []
    _, shown = output(capsys, paths, "plan", "--from", DAY)
    assert "chưa duyệt" not in shown and "Lời kêu gọi" in shown  # every script airs
