"""``broadcast check`` end to end on a temporary project folder."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from broadcast.cli import main
from broadcast.scripts import encode_tcvn3

SAMPLE_SCHEDULES = Path(__file__).resolve().parents[2] / "schedules.yaml"


@pytest.fixture
def ward(project):
    """Three good scripts (one in TCVN3, one with a warning) and the sample schedules.yaml."""
    shutil.copy(SAMPLE_SCHEDULES, project.paths.schedules_file)
    project.write(
        "2026-11/dvc.md",
        "---\ntitle: Dịch vụ công trực tuyến\ntopic: dvc-truc-tuyen\nvalid_from: 01/11/2026\n"
        "valid_until: 31/12/2026\n---\n" + "Bà con nộp hồ sơ qua mạng. " * 20,
    )
    project.write("2026-11/mot-cua.txt", encode_tcvn3("Bộ phận một cửa\n\nLàm việc cả thứ Bảy."))
    project.write("2026-12/canh-bao.md", "---\nauthr: Ban biên tập\n---\nTiêu đề\n\nNội dung.\n")
    return project


def run_check(project, *extra: str) -> int:
    return main(["--home", str(project.paths.home), "check", *extra])


def test_good_folder_exits_0_with_a_row_per_script(ward, capsys):
    assert run_check(ward) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    for heading in ("Mã kịch bản", "Tiêu đề", "Chủ đề", "Hiệu lực", "Ký tự", "Thời lượng"):
        assert heading in lines[0]
    assert "Bảng mã" in lines[0]  # a legacy file is present, so the encoding is shown
    dvc = next(line for line in lines if line.startswith("2026-11/dvc "))
    assert "Dịch vụ công trực tuyến" in dvc and "01/11/2026–31/12/2026" in dvc
    assert dvc.split()[-1] == "lệ" and "hợp lệ" in dvc
    assert " 562 " in dvc and " ~0:45 (ước tính) " in dvc  # 562 characters at 12.6 a second
    mot_cua = next(line for line in lines if line.startswith("2026-11/mot-cua "))
    assert "tcvn3" in mot_cua and "luôn" in mot_cua
    assert "có cảnh báo" in next(line for line in lines if line.startswith("2026-12/canh-bao"))
    assert 'scripts_vi/2026-12/canh-bao.md:2: cảnh báo: khóa "authr"' in err
    assert '(có phải "author"?)' in err
    assert lines[-1].startswith("3 kịch bản dùng được (1 có cảnh báo), 0 tệp bị loại")


def test_utf8_only_folder_has_no_encoding_column(ward, capsys):
    (ward.paths.scripts_dir / "2026-11" / "mot-cua.txt").unlink()
    assert run_check(ward) == 0
    assert "Bảng mã" not in capsys.readouterr().out


def test_bad_script_exits_1_and_is_listed_as_an_error_row(ward, capsys):
    ward.write("2023-02/dvc.md", "---\ntitle: A\ntopic: b\nvalid_until: 31/02/2023\n---\nX\n")
    assert run_check(ward) == 1
    out, err = capsys.readouterr()
    row = next(line for line in out.splitlines() if line.startswith("2023-02/dvc "))
    assert row.rstrip().endswith("lỗi")
    assert 'scripts_vi/2023-02/dvc.md:4: ngày valid_until "31/02/2023" không tồn tại' in err
    assert "1 tệp bị loại" in out.splitlines()[-1]


def test_bad_configuration_exits_1(ward, capsys):
    ward.paths.schedules_file.write_text("timezone: Sao/Hoa\n", encoding="utf-8")
    assert run_check(ward) == 1
    assert "schedules.yaml:1" in capsys.readouterr().err


def test_missing_configuration_exits_1(ward, capsys):
    ward.paths.schedules_file.unlink()
    assert run_check(ward) == 1
    assert "schedules.yaml" in capsys.readouterr().err


def test_json_output_from_the_real_command(ward):
    ward.write("rong.txt", "  \n")
    done = subprocess.run(
        [sys.executable, "-m", "broadcast", "--home", str(ward.paths.home), "check", "--json"],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 1
    data = json.loads(done.stdout.decode("utf-8"))
    rows = {row["id"]: row for row in data["scripts"]}
    assert set(rows) == {"2026-11/dvc", "2026-11/mot-cua", "2026-12/canh-bao", "rong"}
    assert rows["2026-11/dvc"]["valid_from"] == "2026-11-01"
    assert rows["2026-11/dvc"]["status"] == "hợp lệ"
    assert rows["2026-11/mot-cua"]["encoding"] == "tcvn3"
    assert rows["rong"] == {"id": "rong", "source": "scripts_vi/rong.txt", "status": "lỗi"}
    assert {d["code"] for d in data["diagnostics"]} == {"empty_file", "unknown_key"}
    assert data["config_ok"] is True


def test_unknown_abbreviations_are_listed_per_script_until_the_board_adds_them(ward, capsys):
    ward.write("2026-12/pccc.txt", "Diễn tập PCCC\n\nTổ XKLĐ của phường phối hợp với UBND.")
    assert run_check(ward) == 0  # a warning, not an error: the word is spelled out meanwhile
    out, err = capsys.readouterr()
    assert "có cảnh báo" in next(line for line in out.splitlines() if "2026-12/pccc" in line)
    assert 'pccc.txt:3: cảnh báo: từ viết tắt "XKLĐ" chưa có trong từ điển: loa sẽ đánh vần' in err
    assert "PCCC" not in err and "UBND" not in err  # built-in entries are known

    ward.paths.lexicon_file.write_text("abbreviations:\n  XKLĐ: xuất khẩu lao động\n", "utf-8")
    assert run_check(ward) == 0
    out, err = capsys.readouterr()
    assert "XKLĐ" not in err
    assert "hợp lệ" in next(line for line in out.splitlines() if "2026-12/pccc" in line)


def test_a_bad_lexicon_entry_is_an_error_with_its_line(ward, capsys):
    ward.paths.lexicon_file.write_text("abbreviations:\n  OK: được\n  XY: 123\n", "utf-8")
    assert run_check(ward) == 1
    assert "lexicon.yaml:3" in capsys.readouterr().err
