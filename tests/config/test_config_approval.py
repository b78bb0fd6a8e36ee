"""``approval:`` and ``approvers:`` in schedules.yaml: who must approve before a script airs.

Each mistake is named with its file and line, the way the technician reads it in ``check``;
the sample ward's own settings load and require approval by its head of the board.
"""

from pathlib import Path

from broadcast.cli import main
from broadcast.config import load_config
from broadcast.config.approval import ApprovalSettings
from broadcast.paths import ProjectPaths

SAMPLE = ProjectPaths(Path(__file__).resolve().parents[2])
APPROVERS = 'approvers: ["Lê Văn Chiến", Nguyễn Thị Thu Hà]\n'


def test_the_sample_ward_requires_approval_by_its_listed_approvers():
    config = load_config(SAMPLE)
    assert config.warnings == ()
    assert config.approval.required and not config.approval.listen
    assert config.approval.approvers == ("Lê Văn Chiến", "Nguyễn Thị Thu Hà")


def test_without_the_section_approval_is_off_and_every_script_airs(parse):
    assert parse("timezone: Asia/Ho_Chi_Minh\n").approval == ApprovalSettings()


def test_required_and_off_as_words_and_listen_in_the_long_form(parse):
    assert parse("approval: required\n" + APPROVERS).approval.required
    assert parse("approval: Required\n" + APPROVERS).approval.required  # as people type it
    assert not parse("approval: off\n").approval.required  # off needs no approvers
    long_form = parse("approval: {required: true, listen: true}\n" + APPROVERS).approval
    assert long_form.required and long_form.listen


def test_approvers_are_read_nfc_with_spaces_tidied_and_found_however_typed(parse):
    decomposed = "Le\u0302 Va\u0306n Chie\u0302\u0301n"  # what some keyboards on Windows send
    settings = parse(f'approval: required\napprovers: ["  {decomposed}  "]\n').approval
    assert settings.approvers == ("Lê Văn Chiến",)
    assert settings.approver("lê  văn chiến") == "Lê Văn Chiến"
    assert settings.approver("Lê Văn Chiên") is None  # one mark off: another person


def test_a_word_other_than_required_or_off_is_refused_with_its_line(problems):
    assert problems("timezone: Asia/Ho_Chi_Minh\napproval: always\n") == [
        (
            2,
            "bad_approval",
            'approval "always" không hợp lệ: viết required (phải duyệt trước khi phát) hoặc '
            "off (không cần duyệt)",
        )
    ]


def test_listen_without_required_is_refused(problems):
    assert problems("approval: {listen: true}\n") == [
        (1, "listen_without_approval", "approval.listen cần approval.required: true")
    ]


def test_required_without_approvers_is_refused_naming_an_example(problems):
    ((line, code, message),) = problems("timezone: Asia/Ho_Chi_Minh\napproval: required\n")
    assert (line, code) == (2, "no_approvers")
    assert 'approvers: ["Lê Văn Chiến"]' in message


def test_the_same_approver_twice_is_refused_on_the_second_line(problems):
    found = problems('approval: required\napprovers:\n  - Lê Văn Chiến\n  - "lê văn  CHIẾN"\n')
    # only that: the list was written, so no "required without approvers" besides
    assert found == [(4, "duplicate_approver", 'người duyệt "lê văn CHIẾN" bị lặp lại')]


def test_an_empty_approver_name_is_refused(problems):
    found = problems('approval: required\napprovers:\n  - Lê Văn Chiến\n  - "   "\n')
    assert found == [(4, "empty_approver", "tên người duyệt trống")]


def test_an_unknown_key_in_the_long_form_is_a_warning_naming_it(parse):
    config = parse("approval: {required: true, listn: true}\n" + APPROVERS)
    assert config.approval.required and not config.approval.listen
    (warning,) = config.warnings
    assert (warning.file, warning.line, warning.code) == ("schedules.yaml", 1, "unknown_key")
    assert '"listn"' in warning.message


def test_check_names_the_file_and_line_of_a_bad_approval(tmp_path, capsys):
    (tmp_path / "schedules.yaml").write_text(
        "timezone: Asia/Ho_Chi_Minh\napproval: sometimes\n", encoding="utf-8"
    )
    assert main(["--home", str(tmp_path), "check"]) == 1
    assert 'schedules.yaml:2:11: approval "sometimes" không hợp lệ' in capsys.readouterr().err
