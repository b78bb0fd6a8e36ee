import json
import subprocess
import sys

from broadcast.cli import main


def test_normalize_file_prints_one_line_per_line(tmp_path, capsys):
    source = tmp_path / "tin.txt"
    source.write_text("Họp lúc 7h30\n\nTại UBND phường.\n", encoding="utf-8")
    assert main(["--home", str(tmp_path), "normalize", str(source)]) == 0
    assert capsys.readouterr().out == "họp lúc bảy giờ ba mươi\n\ntại ủy ban nhân dân phường.\n"


def test_normalize_reads_stdin_and_honours_region(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "broadcast",
            "--home",
            str(tmp_path),
            "normalize",
            "--region",
            "south",
        ],
        input="Có 1.005 hộ".encode(),
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.decode() == "có một ngàn không trăm lẻ năm hộ\n"


def test_explain_prints_a_table_with_vietnamese_headings(tmp_path, capsys):
    source = tmp_path / "tin.txt"
    source.write_text("Số 245/UBND-VP", encoding="utf-8")
    assert main(["--home", str(tmp_path), "normalize", "--explain", str(source)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["Dòng", "Gốc", "Đọc", "là", "Quy", "tắc"]
    assert "245/UBND-VP" in out and "số hiệu văn bản" in out


def test_json_lists_the_rewrites(tmp_path, capsys):
    source = tmp_path / "tin.txt"
    source.write_text("Thứ 2 lúc 17:00", encoding="utf-8")
    assert main(["--home", str(tmp_path), "normalize", "--json", str(source)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["original"], r["spoken"], r["rule"]) for r in rows] == [
        ("2", "hai", "ordinal"),
        ("17:00", "mười bảy giờ", "time"),
    ]


def test_local_lexicon_is_used(tmp_path, capsys):
    (tmp_path / "lexicon.yaml").write_text("abbreviations:\n  XKLĐ: xuất khẩu lao động\n")
    source = tmp_path / "tin.txt"
    source.write_text("XKLĐ", encoding="utf-8")
    assert main(["--home", str(tmp_path), "normalize", str(source)]) == 0
    assert capsys.readouterr().out == "xuất khẩu lao động\n"


def test_bad_lexicon_exits_1_naming_file_and_line(tmp_path, capsys):
    (tmp_path / "lexicon.yaml").write_text("abbreviations:\n  UBND: ủy ban 3\n", encoding="utf-8")
    source = tmp_path / "tin.txt"
    source.write_text("UBND", encoding="utf-8")
    assert main(["--home", str(tmp_path), "normalize", str(source)]) == 1
    assert capsys.readouterr().err.startswith("lexicon.yaml:2:")


def test_unreadable_file_exits_1_naming_the_file(tmp_path, capsys):
    missing = tmp_path / "khong-co.txt"
    assert main(["--home", str(tmp_path), "normalize", str(missing)]) == 1
    assert "khong-co.txt" in capsys.readouterr().err
    renamed = tmp_path / "cu.txt"  # read as the drop folder reads: UTF-16 is fine, a PDF is not
    renamed.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    assert main(["--home", str(tmp_path), "normalize", str(renamed)]) == 1
    err = capsys.readouterr().err
    assert "cu.txt" in err and "PDF" in err
