"""Messages about bad input, each naming the file, line and column it concerns.

Messages are in Vietnamese for the board and the technician; ``code`` is a stable English key
for programs and tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    file: str
    line: int | None
    column: int | None
    code: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        label = "" if self.severity is Severity.ERROR else "cảnh báo: "
        return f"{where}: {label}{self.message}"

    def to_json(self) -> dict[str, object]:
        return asdict(self)


class InputError(Exception):
    """Input that cannot be used; carries every diagnostic found, errors first."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


def thousands(number: int) -> str:
    """``number`` as Vietnamese writes it in a message: "1.300.000" (dots group digits)."""
    return f"{number:,}".replace(",", ".")


def errors_in(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity is Severity.ERROR]


class DiagnosticCollector:
    """Gathers diagnostics across many checks so one run reports every problem, not the first."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Run a check; an ``InputError`` it raises is recorded instead of propagating."""
        try:
            yield
        except InputError as exc:
            self.diagnostics.extend(exc.diagnostics)

    def add(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return errors_in(self.diagnostics)

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise InputError(self.errors + self.warnings)
