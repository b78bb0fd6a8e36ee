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


def _syntax_problem(text: str, offset: int = 0) -> str:
    with pytest.raises(InputError) as caught:
        yamlsource.parse(text, "lich.yaml", line_offset=offset).mapping()
    (diagnostic,) = caught.value.diagnostics
    return str(diagnostic)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # a notice's title typed as in Word: its own colon would read as a second key
            "topic: cchc\ntitle: Thông báo: lịch tiếp công dân\n",
            "lich.yaml:2:17: lỗi cú pháp YAML: tiêu đề có dấu hai chấm; hãy đặt tiêu đề trong "
            'dấu ngoặc kép: title: "Thông báo: lịch tiếp công dân"',
        ),
        (  # PyYAML stops on the next line; the bracket to add belongs to this one
            "zones: [tdp-1, tdp-2\ntopic: cchc\n",
            'lich.yaml:1:21: lỗi cú pháp YAML: danh sách mở bằng "[" ở dòng này chưa có dấu "]" '
            'đóng lại; thêm "]" vào cuối danh sách',
        ),
        (
            "slots:\n  - id: sang\n\tat: '06:30'\n",
            "lich.yaml:3:1: lỗi cú pháp YAML: thụt lề bằng phím Tab; YAML chỉ nhận dấu cách (xóa "
            "Tab, gõ dấu cách thay vào)",
        ),
        (  # PyYAML reads on and complains a line later
            "title: Tiêm chủng\ntopic:y-te\nvalid_until: 2026-12-31\n",
            'lich.yaml:2:6: lỗi cú pháp YAML: thiếu dấu cách sau dấu hai chấm; viết "topic: y-te"',
        ),
        (
            "title:Tiêm chủng\n",
            'lich.yaml:1:1: lỗi cú pháp YAML: thiếu dấu cách sau dấu hai chấm; viết "title: Tiêm '
            'chủng"',
        ),
        (
            'title: "Tiêm chủng\ntopic: y-te\n',
            'lich.yaml:1:8: lỗi cú pháp YAML: dấu " mở ở đây chưa được đóng; thêm " vào cuối giá '
            "trị",
        ),
        (
            "title: a\ntopic: b\ntitle: c\n",
            'lich.yaml:3:1: khóa "title" bị lặp lại (đã có ở dòng 1); giữ một dòng, xóa dòng kia',
        ),
        (  # old Mac line endings: PyYAML counts a lone \r as a line break, so must we
            "title: Tiêm chủng\rtopic:y-te\rvalid_until: 2026-12-31\r",
            'lich.yaml:2:6: lỗi cú pháp YAML: thiếu dấu cách sau dấu hai chấm; viết "topic: y-te"',
        ),
    ],
    ids=[
        *("colon-in-title", "missing-bracket", "tab", "no-space", "no-space-alone", "quote"),
        *("dup", "lone-cr"),
    ],
)
def test_common_mistakes_are_explained_at_the_line_to_edit(text, expected):
    assert _syntax_problem(text) == expected


def test_front_matter_mistakes_name_the_line_of_the_script_file():
    # Front matter starts on the script's line 2, below its opening `---`.
    found = _syntax_problem("title: Thông báo: họp tổ\n", offset=1)
    assert found.startswith("lich.yaml:2:17: lỗi cú pháp YAML: tiêu đề có dấu hai chấm")


def test_a_colon_inside_a_quoted_title_is_fine():
    root = yamlsource.parse('title: "Thông báo: họp tổ"\nat: 07:30\n', "x.yaml")
    assert root.mapping()["title"].text() == "Thông báo: họp tổ"


def test_a_decimal_comma_is_a_number_and_a_list_of_numbers_is_not():
    fields = yamlsource.parse("a: 0,9\nb: -2,5\nc: 1,2,3\n", "f.yaml").mapping()
    assert (fields["a"].number(), fields["b"].number()) == (0.9, -2.5)
    with pytest.raises(InputError):
        fields["c"].number()
