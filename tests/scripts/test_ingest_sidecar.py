"""A sidecar ``.yaml`` next to any script gives its fields and wins over the file's own; its
problems name the sidecar; ``broadcast check`` says where each field came from."""

import json
import subprocess
import sys

import docx
import pytest

from broadcast.cli import main
from broadcast.diagnostics import InputError
from broadcast.scripts import encode_tcvn3, load_folder, read_script
from tests.scripts.test_ingest_recordings import write_wav
from tests.scripts.test_ingest_word_metadata import with_table


@pytest.mark.parametrize("suffix", [".txt", ".md", ".docx"])
def test_sidecar_next_to_a_text_or_word_script(project, suffix):
    if suffix == ".docx":
        document = docx.Document()
        document.add_paragraph("Tin mất điện")
        document.add_paragraph("Nội dung.")
        document.save(str(project.paths.scripts_dir / "mat-dien.docx"))
    else:
        project.write(f"mat-dien{suffix}", "Tin mất điện\n\nNội dung.\n")
    project.write("mat-dien.yaml", "topic: dien-luc\nzones: [tdp-4]\nvalid_until: 05/12/2026\n")
    folder = load_folder(project.paths)
    (script,) = folder.scripts  # the sidecar is no script of its own
    assert (script.id, script.topic, script.zones) == ("mat-dien", "dien-luc", ("tdp-4",))
    assert (script.title, script.body) == ("Tin mất điện", "Nội dung.")
    assert dict(script.field_origins)["topic"] == "tệp mat-dien.yaml"
    assert folder.diagnostics == []


def test_sidecar_wins_over_the_document_and_check_says_so(project):
    project.write("a.txt", "Chủ đề: an-ninh\nKhu vực: tdp-1\n\nTin\n\nNội dung.")
    project.write("a.yaml", "chủ đề: y-te\n")
    script = read_script(project.paths.scripts_dir / "a.txt", project.paths)
    assert (script.topic, script.zones) == ("y-te", ("tdp-1",))
    (warning,) = script.warnings
    assert warning.code == "metadata_conflict" and "dùng theo tệp a.yaml" in warning.message


def test_sidecar_errors_name_the_sidecar_and_line(project):
    project.write("a.docx", b"")  # never opened: the sidecar is read first and refused
    document = docx.Document()
    document.add_paragraph("Tin")
    document.save(str(project.paths.scripts_dir / "a.docx"))
    project.write("a.yaml", "topic: y-te\nvalid_from: 31/04/2026\n")
    with pytest.raises(InputError) as caught:
        read_script(project.paths.scripts_dir / "a.docx", project.paths)
    (problem,) = caught.value.diagnostics
    assert str(problem) == 'scripts_vi/a.yaml:2: ngày valid_from "31/04/2026" không tồn tại'
    folder = load_folder(project.paths)
    assert [r.source for r in folder.rejected] == ["scripts_vi/a.docx"]


def test_a_sidecar_alone_is_refused_with_what_it_lacks(project):
    project.write("le-loi.yaml", "topic: y-te\n")
    with pytest.raises(InputError) as caught:
        read_script(project.paths.scripts_dir / "le-loi.yaml", project.paths)
    (problem,) = caught.value.diagnostics
    assert problem.code == "missing_recording" and ".docx" in problem.message


@pytest.fixture
def mixed(project):
    document = with_table([("Chủ đề", "cai-cach-hanh-chinh")], "Tin một cửa", "Nội dung.")
    document.core_properties.title = "Bộ phận một cửa làm việc thứ Bảy"
    document.save(str(project.paths.scripts_dir / "mot-cua.docx"))
    project.write("mot-cua.yaml", "zones: [tdp-2]\n")
    project.write("thuong.txt", "Tin thường\n\nKhông ghi thông tin nào.")
    return project


def test_check_shows_where_each_field_came_from(mixed, capsys):
    main(["--home", str(mixed.paths.home), "check"])
    out = capsys.readouterr().out
    section = out[out.index("Thông tin của kịch bản lấy từ đâu:") :].splitlines()
    assert section[1:5] == [
        "  mot-cua",
        "    tiêu đề: Bộ phận một cửa làm việc thứ Bảy (từ thuộc tính Title của văn bản Word)",
        "    chủ đề: cai-cach-hanh-chinh (từ bảng đầu văn bản Word)",
        "    khu vực: tdp-2 (từ tệp mot-cua.yaml)",
    ]
    assert "thuong" not in "\n".join(section[:-1])  # a script that gives nothing is not listed


def test_check_json_carries_the_sources(mixed):
    done = subprocess.run(
        [sys.executable, "-m", "broadcast", "--home", str(mixed.paths.home), "check", "--json"],
        capture_output=True,
        check=False,
    )
    scripts = {s["id"]: s for s in json.loads(done.stdout)["scripts"]}
    assert scripts["mot-cua"]["sources"] == {
        "title": "thuộc tính Title của văn bản Word",
        "topic": "bảng đầu văn bản Word",
        "zones": "tệp mot-cua.yaml",
    }
    assert scripts["thuong"]["sources"] == {}


def test_a_recordings_sidecar_in_tcvn3_is_decoded_and_its_encoding_shown(project):
    write_wav(project.paths.scripts_dir / "phong-van.wav", 0.5)
    project.write("phong-van.yaml", encode_tcvn3("title: Phỏng vấn tổ trưởng\ntopic: y-te\n"))
    script = read_script(project.paths.scripts_dir / "phong-van.wav", project.paths)
    assert (script.title, script.topic, script.encoding) == ("Phỏng vấn tổ trưởng", "y-te", "tcvn3")
    assert dict(script.field_origins) == {
        "title": "tệp phong-van.yaml",
        "topic": "tệp phong-van.yaml",
    }


def test_zones_and_speed_written_as_the_board_types_them_in_a_sidecar(project):
    """``zones: tdp-1, tdp-2`` was one zone named "tdp-1, tdp-2" (the script aired nowhere) and
    ``speed: 0,9`` (a Vietnamese decimal comma) was refused."""
    project.write("mat-dien.txt", "Tin mất điện\n\nNội dung.\n")
    project.write("mat-dien.yaml", "zones: tdp-1, tdp-2\nspeed: 0,9\n")
    (script,) = load_folder(project.paths).scripts
    assert (script.zones, script.speed) == (("tdp-1", "tdp-2"), 0.9)
