import pytest

from broadcast.diagnostics import InputError
from broadcast.paths import ProjectPaths
from broadcast.textnorm import Lexicon, load_lexicon, normalize
from tests.textnorm.spelled import unknown_abbreviations


def _project(tmp_path, lexicon_text=None):
    paths = ProjectPaths(tmp_path)
    if lexicon_text is not None:
        paths.lexicon_file.write_text(lexicon_text, encoding="utf-8")
    return paths


def test_missing_local_file_gives_the_builtin_lexicon(tmp_path):
    lexicon = load_lexicon(_project(tmp_path))
    assert normalize("UBND", lexicon) == "ủy ban nhân dân"


def test_local_file_adds_and_overrides_entries(tmp_path):
    paths = _project(
        tmp_path,
        "abbreviations:\n  XKLĐ: xuất khẩu lao động\n  CT: chủ tịch\nwords:\n  longanh: long anh\n",
    )
    lexicon = load_lexicon(paths)
    assert normalize("XKLĐ và CT", lexicon) == "xuất khẩu lao động và chủ tịch"
    assert normalize("longanh.gov.vn", lexicon) == "long anh chấm giê o vê chấm vê en"
    assert unknown_abbreviations("XKLĐ", lexicon) == []
    assert unknown_abbreviations("XKLĐ") == ["XKLĐ"]


def test_bad_entries_are_reported_with_file_and_line(tmp_path):
    paths = _project(
        tmp_path,
        "abbreviations:\n"
        "  BQLDA: ban quản lý dự án\n"
        "  TDP2: tổ dân phố 2\n"
        "  'hai từ': sai\n"
        "words:\n"
        "  ChinhPhu: chính phủ\n",
    )
    with pytest.raises(InputError) as caught:
        load_lexicon(paths)
    messages = [str(d) for d in caught.value.diagnostics]
    assert any(m.startswith("lexicon.yaml:3:") and "TDP2" in m for m in messages)
    assert any(m.startswith("lexicon.yaml:4:") and "hai từ" in m for m in messages)
    assert any(m.startswith("lexicon.yaml:6:") and "ChinhPhu" in m for m in messages)


def test_a_reading_that_would_be_rewritten_again_is_refused(tmp_path):
    paths = _project(tmp_path, "abbreviations:\n  ZL: nhóm zalo\n")
    with pytest.raises(InputError) as caught:
        load_lexicon(paths)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.line, diagnostic.code) == (2, "reading_has_key")


def test_yaml_syntax_errors_name_the_line(tmp_path):
    paths = _project(tmp_path, "abbreviations:\n  UBND: [ủy ban\n")
    with pytest.raises(InputError) as caught:
        load_lexicon(paths)
    assert caught.value.diagnostics[0].file == "lexicon.yaml"
    assert caught.value.diagnostics[0].line is not None


def test_unknown_sections_are_warnings_not_errors(tmp_path):
    lexicon = load_lexicon(_project(tmp_path, "abbrevations:\n  A: a\n"))
    (warning,) = lexicon.warnings
    assert "abbreviations" in warning.message


def test_lexicon_object_overrides_without_files():
    lexicon = Lexicon({"UBND": "ủy ban"})
    assert normalize("UBND", lexicon) == "ủy ban"
    assert normalize("UBND") == "ủy ban nhân dân"


def test_builtin_readings_are_final():
    lexicon = Lexicon()
    for key, reading in lexicon.abbreviations.items():
        assert normalize(reading) == reading, key
