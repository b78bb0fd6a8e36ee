"""The one way this stage refuses a whole file: a diagnostic naming it, raised as ``InputError``."""

from __future__ import annotations

from broadcast.diagnostics import Diagnostic, InputError


def refused(source: str, code: str, message: str) -> InputError:
    """An error about the file as a whole (no line): empty, binary, too large, undecodable…"""
    return InputError([Diagnostic(source, None, None, code, message)])
