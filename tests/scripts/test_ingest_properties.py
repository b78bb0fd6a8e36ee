"""Whatever lands in the drop folder yields a script or diagnostics, never another exception."""

import io
import tempfile
from pathlib import Path

import docx
from hypothesis import given, settings
from hypothesis import strategies as st

from broadcast.diagnostics import Diagnostic, InputError
from broadcast.paths import ProjectPaths
from broadcast.scripts import Script, load_folder, read_script
from broadcast.scripts.metadata import FIELDS

SUFFIXES = [".txt", ".md", ".docx", ".yaml", ".wav"]


def read_or_diagnose(name: str, content: bytes) -> Script | tuple[Diagnostic, ...]:
    with tempfile.TemporaryDirectory() as home:
        paths = ProjectPaths(Path(home).resolve())
        path = paths.scripts_dir / name
        path.parent.mkdir(parents=True)
        path.write_bytes(content)
        try:
            script = read_script(path, paths)
        except InputError as exc:
            assert exc.diagnostics and all(d.file == f"scripts_vi/{name}" for d in exc.diagnostics)
            return exc.diagnostics
        folder = load_folder(paths)  # the folder view agrees with the single-file view
        assert [s.id for s in folder.scripts] == [script.id]
        return script


@settings(max_examples=150, deadline=None)
@given(content=st.binary(max_size=600), suffix=st.sampled_from(SUFFIXES))
def test_arbitrary_bytes(content, suffix):
    result = read_or_diagnose(f"x{suffix}", content)
    if isinstance(result, Script):
        assert result.title or result.body
        assert "\r" not in result.body and "\x00" not in result.body


SYMBOLS = [*":[]{}'\"#|>%@~\t\n ", "- ", "---", "...", "&a", "*a", "!!python/object:os.system"]
VALUES = ["31/02/2023", "2026-02-30", "01/11/2026", "khẩn cấp", "0", "-1", "1.5", "null"]
yaml_pieces = st.sampled_from([*FIELDS, *SYMBOLS, *VALUES])
front_matter = st.one_of(
    st.lists(yaml_pieces, max_size=30).map("".join),
    st.text(max_size=200),
)


@settings(max_examples=300, deadline=None)
@given(front=front_matter)
def test_arbitrary_front_matter(front):
    result = read_or_diagnose("x.md", f"---\n{front}\n---\nTiêu đề\n\nNội dung.\n".encode())
    if not isinstance(result, Script):
        assert all(d.line is None or d.line >= 1 for d in result)


def _sample_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Tiêu đề")
    document.add_paragraph("Nội dung bản tin.")
    saved = io.BytesIO()
    document.save(saved)
    return saved.getvalue()


SAMPLE_DOCX = _sample_docx()


@settings(max_examples=150, deadline=None)
@given(damage=st.lists(st.tuples(st.integers(0, len(SAMPLE_DOCX) - 1), st.integers(0, 255))))
def test_damaged_docx(damage):
    content = bytearray(SAMPLE_DOCX)
    for position, value in damage:
        content[position] = value
    read_or_diagnose("x.docx", bytes(content))
