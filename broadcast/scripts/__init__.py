"""The board's drop folder: files under ``scripts_vi/`` → ``Script`` objects plus diagnostics.

``load_folder`` reads the whole folder, ``read_script`` one file. The daemon reads the whole
folder again each time its watcher reports a settled change (``broadcast.daemon.inputs``),
keeping the last good version of a script that an edit broke. Text arrives in whatever encoding
the office used and leaves as clean NFC.
"""

from broadcast.scripts.folder import (
    Rejected,
    ScriptFolder,
    file_saved_at,
    is_drop_file,
    is_ignored,
    load_folder,
)
from broadcast.scripts.legacy import decode_tcvn3, decode_vni, encode_tcvn3, encode_vni
from broadcast.scripts.model import CHARS_PER_SECOND, Priority, Script, ScriptKind
from broadcast.scripts.reader import (
    MAX_CHARACTERS,
    announcement_file,
    read_script,
    read_wording,
    script_id,
)

__all__ = [
    "CHARS_PER_SECOND",
    "MAX_CHARACTERS",
    "Priority",
    "Rejected",
    "Script",
    "ScriptFolder",
    "ScriptKind",
    "announcement_file",
    "decode_tcvn3",
    "decode_vni",
    "encode_tcvn3",
    "encode_vni",
    "file_saved_at",
    "is_drop_file",
    "is_ignored",
    "load_folder",
    "read_script",
    "read_wording",
    "script_id",
]
