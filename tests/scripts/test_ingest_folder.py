"""The drop folder as a whole: depth, ignore rules, links, limits, duplicates, stable ids."""

import os

import pytest

from broadcast.diagnostics import InputError, Severity
from broadcast.scripts import MAX_CHARACTERS, is_drop_file, load_folder, read_script
from broadcast.scripts.reader import MAX_TEXT_BYTES

GOOD = "Thông báo\n\nKính thưa bà con.\n"


def codes(folder) -> dict[str, list[str]]:
    return {r.source: [d.code for d in r.diagnostics] for r in folder.rejected}


def test_any_depth_sorted_ids_nfc(project):
    project.write("2026-12/tuan-1/b.txt", GOOD)
    project.write("a.md", GOOD)
    project.write("2026-11/Thông-báo.txt".replace("ô", "o\u0302"), GOOD)  # macOS keeps NFD names
    folder = load_folder(project.paths)
    assert [s.id for s in folder.scripts] == ["2026-11/Thông-báo", "2026-12/tuan-1/b", "a"]
    assert folder.diagnostics == [] and folder.rejected == []


def test_one_bad_file_never_stops_the_others(project):
    project.write("a.txt", GOOD)
    project.write("b.md", "---\nvalid_from: 99/99/2026\n---\nA\n")
    project.write("c.txt", b"\x00\x01\x02")
    project.write("d.txt", GOOD)
    folder = load_folder(project.paths)
    assert [s.id for s in folder.scripts] == ["a", "d"]
    assert codes(folder) == {"scripts_vi/b.md": ["bad_date"], "scripts_vi/c.txt": ["binary_file"]}
    assert [r.id for r in folder.rejected] == ["b", "c"]
    assert len(folder.errors) == 2


@pytest.mark.parametrize(
    "name",
    [
        "~$thong-bao.docx",
        "~WRL0001.tmp",
        ".~lock.thong-bao.docx#",
        ".thong-bao.md.swp",
        "thong-bao.txt~",
        "Thumbs.db",
        "desktop.ini",
        ".DS_Store",
        ".an/bi-mat.txt",
        "2026-11/.git/config",
    ],
)
def test_ignored_quietly(project, name):
    project.write(name, b"\x00 whatever \x00")
    folder = load_folder(project.paths)
    assert folder.diagnostics == [] and folder.scripts == [] and folder.rejected == []


def test_ignored_files_are_listed(project):
    project.write("~$a.docx", b"lock")
    assert load_folder(project.paths).ignored == ["scripts_vi/~$a.docx"]


def test_unknown_extension_is_a_warning_not_an_error(project):
    project.write("cu.doc", b"\xd0\xcf\x11\xe0")
    project.write("ghi-chu.pages", b"x")
    folder = load_folder(project.paths)
    assert folder.errors == []
    assert [(w.file, w.severity) for w in folder.warnings] == [
        ("scripts_vi/cu.doc", Severity.WARNING),
        ("scripts_vi/ghi-chu.pages", Severity.WARNING),
    ]
    assert ".docx" in folder.warnings[0].message  # tells the board what to do
    assert folder.ignored == ["scripts_vi/cu.doc", "scripts_vi/ghi-chu.pages"]


def test_symlinks_leading_outside_are_refused(project, tmp_path):
    outside = tmp_path / "ngoai"
    outside.mkdir()
    (outside / "mat-khau.txt").write_text("Bí mật\n\nkhông được đọc", encoding="utf-8")
    os.symlink(outside / "mat-khau.txt", project.paths.scripts_dir / "lien-ket.txt")
    os.symlink(outside, project.paths.scripts_dir / "thu-muc")
    os.symlink(tmp_path / "khong-co.txt", project.paths.scripts_dir / "hong.txt")
    inside = project.write("that.txt", GOOD)
    os.symlink(inside, project.paths.scripts_dir / "ban-sao.txt")
    folder = load_folder(project.paths)
    assert codes(folder) == {
        "scripts_vi/hong.txt": ["broken_link"],
        "scripts_vi/lien-ket.txt": ["link_outside"],
        "scripts_vi/thu-muc": ["link_outside"],
    }
    assert [s.id for s in folder.scripts] == ["ban-sao", "that"]  # a link inside is fine
    assert all("Bí mật" not in s.title for s in folder.scripts)


@pytest.mark.parametrize("content", ["", "   \n\t\n  \r\n", "\ufeff\u200b\n"])
def test_empty_files_are_refused(project, content):
    with pytest.raises(InputError) as caught:
        read_script(project.write("rong.txt", content), project.paths)
    (problem,) = caught.value.diagnostics
    assert problem.code == "empty_file" and "trống" in problem.message


def test_text_longer_than_a_bulletin_is_refused_saying_the_limit(project):
    long_text = "Tiêu đề\n\n" + "Bà con chú ý. " * (MAX_CHARACTERS // 14 + 10)
    with pytest.raises(InputError) as caught:
        read_script(project.write("dai.txt", long_text), project.paths)
    (problem,) = caught.value.diagnostics
    assert problem.code == "too_long" and "20.000 ký tự" in problem.message


def test_text_just_under_the_limit_is_accepted(project):
    text = "T\n" + "a" * (MAX_CHARACTERS - 1)
    assert read_script(project.write("vua.txt", text), project.paths).characters == MAX_CHARACTERS


def test_huge_file_is_refused_before_reading(project):
    path = project.paths.scripts_dir / "to.txt"
    with path.open("wb") as out:  # sparse: large on paper, nothing written
        out.truncate(MAX_TEXT_BYTES + 1)
    with pytest.raises(InputError) as caught:
        read_script(path, project.paths)
    (problem,) = caught.value.diagnostics
    assert problem.code == "too_large" and "tối đa 5 MB" in problem.message


def test_same_id_from_two_files_is_an_error_naming_both(project):
    project.write("2026-11/a.txt", GOOD)
    project.write("2026-11/a.md", GOOD)
    project.write("2026-11/b.txt", GOOD)
    folder = load_folder(project.paths)
    assert [s.id for s in folder.scripts] == ["2026-11/b"]
    messages = {r.source: str(r.diagnostics[0]) for r in folder.rejected}
    assert "scripts_vi/2026-11/a.txt" in messages["scripts_vi/2026-11/a.md"]
    assert "scripts_vi/2026-11/a.md" in messages["scripts_vi/2026-11/a.txt"]
    assert '"2026-11/a"' in messages["scripts_vi/2026-11/a.md"]


def test_content_hash_changes_with_what_is_heard_only(project):
    def digest(text: str) -> str:
        return read_script(project.write("a.md", text), project.paths).content_hash

    base = digest("---\npriority: normal\n---\nA\n\nB\n")
    assert digest("---\npriority: priority\nzones: tdp-1\n---\nA\n\nB\n") == base
    assert digest("---\npriority: normal\n---\nA\n\nB!\n") != base
    assert digest("---\nspeed: 1.2\n---\nA\n\nB\n") != base
    assert digest("---\nvoice: x\n---\nA\n\nB\n") != base
    assert digest("A\r\n\r\n\r\nB  \r\n") == base  # layout that is not heard does not count


def test_missing_scripts_folder_is_reported(project):
    project.paths.scripts_dir.rmdir()
    folder = load_folder(project.paths)
    assert [d.code for d in folder.errors] == ["missing_folder"]


def test_which_changed_files_concern_the_watcher(project, tmp_path):
    scripts = project.paths.scripts_dir
    assert is_drop_file(scripts / "2026-11" / "a.docx", project.paths)
    assert is_drop_file(scripts / "b.YAML", project.paths)
    assert not is_drop_file(scripts / "2026-11" / "~$a.docx", project.paths)
    assert not is_drop_file(scripts / ".git" / "x.txt", project.paths)
    assert not is_drop_file(scripts / "anh.png", project.paths)
    assert not is_drop_file(tmp_path / "elsewhere.txt", project.paths)


def test_reading_a_file_outside_the_folder_is_refused(project, tmp_path):
    stray = tmp_path / "ngoai.txt"
    stray.write_text(GOOD, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_script(stray, project.paths)
    assert caught.value.diagnostics[0].code == "outside_folder"
