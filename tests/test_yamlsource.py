import pytest

from broadcast import yamlsource
from broadcast.diagnostics import InputError, Severity


def test_values_keep_their_line_including_an_offset():
    root = yamlsource.parse("a: 1\nnested:\n  b: [x, y]\n", "f.yaml", line_offset=2)
    fields = root.mapping()
    assert fields["a"].line == 3
    assert fields["nested"].mapping()["b"].line == 5
    assert [item.text() for item in fields["nested"].mapping()["b"].items()] == ["x", "y"]


def test_syntax_error_names_file_line_and_column():
    with pytest.raises(InputError) as caught:
        yamlsource.parse("a: 1\nb: c: d\n", "lich.yaml")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.file, diagnostic.line) == ("lich.yaml", 2)
    assert diagnostic.code == "yaml_syntax"


def test_python_tags_are_refused():
    with pytest.raises(InputError) as caught:
        yamlsource.parse("a: !!python/object/apply:os.system ['echo hi']\n", "x.yaml")
    assert caught.value.diagnostics[0].code == "yaml_unsafe_tag"


def test_duplicate_keys_are_an_error_at_the_second_key():
    root = yamlsource.parse("a: 1\nb: 2\na: 3\n", "x.yaml")
    with pytest.raises(InputError) as caught:
        root.mapping()
    assert caught.value.diagnostics[0].line == 3


def test_unknown_key_warning_suggests_the_close_one():
    root = yamlsource.parse("title: x\nvalid_untill: 2023-01-01\n", "s.md", line_offset=1)
    (warning,) = yamlsource.unknown_keys(root, ["title", "valid_until"])
    assert warning.severity is Severity.WARNING
    assert warning.line == 3
    assert '"valid_until"' in warning.message
    assert str(warning).startswith("s.md:3:1: cảnh báo:")


def test_wrong_types_are_named():
    root = yamlsource.parse("n: ba\nflag: maybe\n", "x.yaml").mapping()
    with pytest.raises(InputError, match="số nguyên"):
        root["n"].integer("times_per_week")
    with pytest.raises(InputError, match="true hoặc false"):
        root["flag"].boolean()
