"""The exception tree labtox users see.

Every error raised on purpose by labtox derives from :class:`LabtoxError`, and each subclass
also derives from the matching built-in (``ValueError``, ``KeyError``, ...), so callers that
already catch built-ins keep working (the scikit-learn convention).

Errors carry structured fields (``path``, ``line``, ``column``, ``expected``, ``found``,
``hint``) so that a CLI, a notebook or a test can use them without parsing the message, and
the message itself always says what was expected, what was found and how to fix it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from os import PathLike

__all__ = [
    "LabtoxError",
    "ParseError",
    "UnknownFormatError",
    "SchemaError",
    "SchemaProblem",
    "MethodError",
    "UnitError",
    "AnalyteError",
    "CalibrationError",
    "LimitsError",
    "QCError",
    "ExposureError",
    "OutputExistsError",
    "close_matches",
]


def close_matches(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Return up to ``n`` candidates that look like ``word`` (case-insensitive)."""
    cands = list(dict.fromkeys(str(c) for c in candidates))
    lowered = {c.lower(): c for c in cands}
    hits = difflib.get_close_matches(str(word).lower(), list(lowered), n=n, cutoff=0.6)
    return [lowered[h] for h in hits]


class LabtoxError(Exception):
    """Root of all errors raised on purpose by labtox.

    Parameters
    ----------
    message
        What went wrong, in one sentence.
    path, line, column
        Where: the input file, its 1-based line number and the column (name or 1-based index).
    expected, found
        What labtox expected there and what it found instead.
    hint
        How to fix it.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike[str] | None = None,
        line: int | None = None,
        column: str | int | None = None,
        expected: str | None = None,
        found: object = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        self.column = column
        self.expected = expected
        self.found = found
        self.hint = hint
        super().__init__(self._format())

    def _location(self) -> str:
        parts = []
        if self.path is not None:
            parts.append(self.path)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column is not None:
            parts.append(f"column {self.column!s}")
        return ", ".join(parts)

    def _format(self) -> str:
        loc = self._location()
        text = f"{loc}: {self.message}" if loc else self.message
        if self.expected is not None:
            text += f" Expected {self.expected}"
            if self.found is not None:
                text += f", found {self.found!r}"
            text += "."
        elif self.found is not None:
            text += f" Found {self.found!r}."
        if self.hint:
            text += f" {self.hint}"
        return text

    def __str__(self) -> str:  # KeyError subclasses would otherwise repr() the message
        return self._format()


class ParseError(LabtoxError, ValueError):
    """An input file could not be read as the format it claims to be."""


class UnknownFormatError(LabtoxError, ValueError):
    """No reader accepts a file.

    Parameters
    ----------
    path
        The file.
    tried
        ``(reader name, reason it declined)`` for every reader tried.
    """

    def __init__(self, path: str | PathLike[str], tried: Sequence[tuple[str, str]]) -> None:
        self.tried = list(tried)
        reasons = "; ".join(f"{name}: {why}" for name, why in self.tried)
        super().__init__(
            "no reader recognises this file.",
            path=path,
            hint=(
                f"Formats tried: {reasons}. Name the format with --format "
                "(see `labtox formats`) or use the generic reader with a column mapping."
            ),
        )


@dataclass(frozen=True)
class SchemaProblem:
    """One failed check of a table: which row (source line), column, what and why."""

    row: int | None
    column: str
    check: str
    found: object
    source_line: object = None

    def __str__(self) -> str:
        where = f"line {self.source_line}" if self.source_line is not None else f"row {self.row}"
        return f"{where}, column {self.column!r}: {self.check} (found {self.found!r})"


class SchemaError(LabtoxError, ValueError):
    """A table failed its schema; ``problems`` lists every failing row at once."""

    def __init__(
        self,
        table: str,
        problems: Sequence[SchemaProblem],
        *,
        path: str | PathLike[str] | None = None,
        max_shown: int = 20,
    ) -> None:
        self.table = table
        self.problems = list(problems)
        shown = "; ".join(str(p) for p in self.problems[:max_shown])
        more = len(self.problems) - max_shown
        if more > 0:
            shown += f"; and {more} more"
        super().__init__(
            f"the {table} table has {len(self.problems)} problem(s): {shown}.",
            path=path,
            hint="Fix the rows listed (the whole list is in SchemaError.problems).",
        )


class MethodError(LabtoxError, ValueError):
    """A method file is invalid or does not fit the data."""


class UnitError(LabtoxError, ValueError):
    """A unit is unknown, or two quantities cannot be converted into each other."""


class AnalyteError(LabtoxError, KeyError):
    """An analyte label cannot be resolved to a canonical analyte."""


class CalibrationError(LabtoxError, ValueError):
    """A calibration curve cannot be fitted or used."""

    def __init__(self, message: str, *, analyte: str | None = None, **kwargs: object) -> None:
        self.analyte = analyte
        if analyte is not None:
            message = f"{analyte}: {message}"
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class LimitsError(LabtoxError, ValueError):
    """A limit table is invalid, or a limit cannot be applied to a result."""


class ExposureError(LabtoxError, ValueError):
    """Exposure-assessment inputs are missing or inconsistent."""


class QCError(LabtoxError, ValueError):
    """QC data are missing or inconsistent with the method's QC rules."""


class OutputExistsError(LabtoxError, FileExistsError):
    """An output already exists and overwriting was not asked for."""
