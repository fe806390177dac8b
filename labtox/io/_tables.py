"""Table helpers shared by the ICP/AAS and plate readers: CSV and XLSX tables that keep each
cell's line (or sheet row), vectorised numbers that keep every flag token, unit and date columns
parsed once, sample types from label words, and the analyte of a plate export.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd

from labtox.errors import LabtoxError, ParseError, UnitError
from labtox.io._common import (
    DOTTED_DAYFIRST,
    DOTTED_NOTE,
    AnalyteResolver,
    map_sample_type,
    parse_dates,
    parse_number,
    read_text,
)
from labtox.units import normalise_unit

__all__ = ["Table", "csv_table", "pick_delimiter", "xlsx_workbook", "sheet_table", "cell_text",
           "is_blank", "vector_numbers", "detect_decimal", "decimal_of", "unit_of", "dates_once", "dates_or_raw", "distinct_channels", "defaulted_types_note",
           "level_text",
           "label_sample_type", "plate_analyte"]

_WORD_SPLIT = re.compile(r"[\s\-_/;,:()\[\]]+")


@dataclass
class Table:
    """Rows of a CSV or worksheet with where each row came from."""

    rows: list[list[Any]]
    where: list[str]  # "12" or "Sheet1!R12"
    lines: list[int | None]  # 1-based text line / sheet row
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    meta: dict = field(default_factory=dict)
    text: str | None = field(default=None, repr=False)  # decoded text of a CSV


def csv_table(path: str | PathLike[str], delimiter: str | None = None,
              candidates: str = ",;\t", *, max_lines: int | None = None) -> Table:
    """Decode a text export and split it into rows, recording each row's first line number.

    Parameters
    ----------
    path
        The export.
    delimiter
        The cell separator; picked among ``candidates`` by :func:`pick_delimiter` when None.
    candidates
        Separators to choose from.
    max_lines
        Split only the rows of the first ``max_lines`` lines (a reader that hands the body to
        pandas' C parser needs just the header); ``meta["partial"]`` then says whether the
        file has more lines. The decoded text is always kept whole in ``text``.

    Returns
    -------
    Table

    Raises
    ------
    ParseError
        The file cannot be read or decoded, or is not valid delimited text (line named).
    """
    text, enc = read_text(path)
    if delimiter is None:
        delimiter = pick_delimiter(text, candidates)
    rows: list[list[str]] = []
    where: list[str] = []
    lines: list[int | None] = []
    head = text
    partial = False
    if max_lines is not None:
        cut = text.split("\n", max_lines)
        partial = len(cut) > max_lines
        head = "\n".join(cut[:max_lines])
    reader = csv.reader(io.StringIO(head), delimiter=delimiter)
    prev = 0
    try:
        for row in reader:
            rows.append(row)
            lines.append(prev + 1)
            prev = reader.line_num
    except csv.Error as exc:
        raise ParseError(f"the file is not valid delimited text ({exc}).", path=path,
                         line=prev + 1, expected="a CSV/TSV row") from None
    where = [str(n) for n in lines]
    return Table(rows, where, lines, encoding=enc, delimiter=delimiter, text=text,
                 meta={"partial": partial})


def pick_delimiter(text: str, candidates: str = ",;\t") -> str:
    """The candidate delimiter splitting the first lines into the most, most regular cells."""
    sample = [ln for ln in text.split("\n", 60)[:60] if ln.strip()]
    best, best_score = candidates[0], -1.0
    for d in candidates:
        counts = [len(next(csv.reader([ln], delimiter=d))) - 1 if d in ln else 0
                  for ln in sample]  # a line without d is one cell
        if not counts or max(counts) == 0:
            continue
        top = max(counts)
        score = sum(c for c in counts if c >= top * 0.5)
        if score > best_score:
            best, best_score = d, score
    return best


def xlsx_workbook(path: str | PathLike[str]):
    """Open an xlsx workbook read-only, turning any failure into a ParseError."""
    import warnings

    import openpyxl

    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise ParseError(f"cannot open the file: {exc.strerror}.", path=path) from None
    if magic != b"PK\x03\x04":
        raise ParseError("the file is not an .xlsx workbook.", path=path,
                         expected="an .xlsx workbook (Office Open XML, a zip archive)",
                         found=f"bytes {magic!r}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds (InvalidFileException, BadZipFile ...)
        raise ParseError(f"the workbook cannot be opened ({exc.__class__.__name__}: {exc}).",
                         path=path, expected="an .xlsx workbook (Office Open XML)") from None


def sheet_table(ws, title: str | None = None) -> Table:
    """All rows of a worksheet (trailing empty cells trimmed) with ``Sheet!R<n>`` positions."""
    title = title or ws.title
    rows, where, lines = [], [], []
    for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
        r = list(row)
        while r and (r[-1] is None or (isinstance(r[-1], str) and not r[-1].strip())):
            r.pop()
        rows.append(r)
        where.append(f"{title}!R{i}")
        lines.append(i)
    return Table(rows, where, lines, sheet=title)


def cell_text(c: object) -> str:
    """A cell as text: numbers without a spurious ``.0``, datetimes in ISO, None as ''."""
    if c is None:
        return ""
    if isinstance(c, bool):
        return "TRUE" if c else "FALSE"
    if isinstance(c, float):
        if math.isfinite(c) and c == int(c) and abs(c) < 1e15:
            return str(int(c))
        return repr(c)
    if isinstance(c, datetime):
        return c.isoformat(timespec="seconds")
    return str(c)


def is_blank(c: object) -> bool:
    return c is None or (isinstance(c, str) and not c.strip())


def vector_numbers(cells: Sequence[object], decimal: str = ".") -> tuple[np.ndarray, np.ndarray]:
    """Parse many cells at once: ``(values, flags)`` with :func:`parse_number` semantics.

    Plain numbers take a fast path (``float``); every other non-empty cell is handed to
    :func:`labtox.io._common.parse_number`, so tokens (``<0.000``, ``N/A``, ``12.3 o``)
    are kept as flags and nothing is turned into 0.
    """
    cells = cells.tolist() if isinstance(cells, np.ndarray) else list(cells)
    n = len(cells)
    if decimal == "." and n and set(map(type, cells)) == {str}:
        return _vector_text_numbers(cells)
    vals = [math.nan] * n
    flags: list[str | None] = [None] * n
    comma = decimal == ","
    inf = math.inf
    for i, c in enumerate(cells):
        if c is None or c == "":
            continue
        t = type(c)
        if t is str:
            s = c
            if comma:
                if "." in s:
                    s = None
                else:
                    s = s.replace(",", ".")
            if s is not None and "_" not in s:
                try:
                    v = float(s)
                except ValueError:
                    pass
                else:
                    if v == v and v != inf and v != -inf:
                        vals[i] = v
                        continue
        elif t is float or t is int:
            v = float(c)
            if v == v and v != inf and v != -inf:
                vals[i] = v
                continue
        vals[i], flags[i] = parse_number(c, decimal)
    return np.array(vals, dtype=float), np.array(flags, dtype=object)


def _to_float(c: str) -> float:
    try:
        return float(c)
    except ValueError:
        return math.nan


def _c_floats(cells: list[str]) -> np.ndarray | None:
    """All cells as floats through pandas' C parser, or ``None`` when any cell is not a plain
    number (empty cells are NaN)."""
    if len(cells) < 20000:  # below this the parser's set-up costs more than it saves
        return None
    try:
        out = pd.read_csv(io.StringIO("\n".join(cells)), sep="\x01", header=None,
                          names=["v"], dtype=float, quoting=csv.QUOTE_NONE,
                          skip_blank_lines=False, keep_default_na=False, na_values=[""],
                          engine="c")["v"].to_numpy(dtype=float, copy=True)
    except (ValueError, TypeError, pd.errors.ParserError):
        return None
    return out if len(out) == len(cells) else None


def _vector_text_numbers(cells: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Fast path of :func:`vector_numbers` for text cells with decimal points."""
    vals = _c_floats(cells)
    if vals is None:
        vals = np.array([_to_float(c) for c in cells], dtype=float)
    flags = np.full(len(cells), None, dtype=object)
    redo = np.flatnonzero(~np.isfinite(vals))
    if "_" in "".join(cells):  # float() accepts 1_000; parse_number does not
        redo = np.union1d(redo, [i for i, c in enumerate(cells) if "_" in c]).astype(int)
    for i in redo:
        c = cells[i]
        if not c.strip():
            vals[i] = math.nan
            continue
        vals[i], flags[i] = parse_number(c, ".")
    return vals, flags


_COMMA_DECIMAL = re.compile(r"^[+-]?\d+,\d+(?:[eE][+-]?\d+)?$")
_DOT_DECIMAL = re.compile(r"^[+-]?\d*\.\d+(?:[eE][+-]?\d+)?$")
_THOUSANDS_SHAPE = re.compile(r"^[+-]?[1-9]\d{0,2}(?:,\d{3})+$")


def detect_decimal(cells: Sequence[object], delimiter: str | None) -> str:
    """``","`` when the text cells use decimal commas, else ``"."``.

    In a ``,``-separated file a decimal comma can only sit in a quoted cell (German Windows
    exports write ``"9,754"``); there only the cells that cannot be thousands (``"0,152"``,
    ``"12,5"``) count, since ``"9,754"`` reads either way.

    Parameters
    ----------
    cells
        Value cells (non-text cells are ignored; the first 2,000 numbers decide).
    delimiter
        The file's cell separator.

    Returns
    -------
    str
        ``","`` when more cells are decimal-comma numbers than decimal-point ones.

    Examples
    --------
    >>> detect_decimal(["0,152", "12,5", "9,754"], ",")
    ','
    >>> detect_decimal(["1,250", "12.5", "3"], ",")
    '.'
    """
    comma = dot = 0
    for c in cells:
        if type(c) is not str:
            continue
        c = c.strip()
        if _COMMA_DECIMAL.match(c):
            if delimiter != "," or not _THOUSANDS_SHAPE.match(c):
                comma += 1
        elif _DOT_DECIMAL.match(c):
            dot += 1
        if comma + dot > 2000:
            break
    return "," if comma > dot else "."


def decimal_of(cells: Sequence[object], delimiter: str | None, warnings: list[str]) -> str:
    """:func:`detect_decimal`, with a warning when the cells mix both styles.

    Parameters
    ----------
    cells, delimiter
        As for :func:`detect_decimal`.
    warnings
        The reader's warnings, appended to when decimal commas and points both appear.

    Returns
    -------
    str
        ``","`` or ``"."``.

    Examples
    --------
    >>> w = []
    >>> decimal_of(["0,349", "1,950", "0.812"], ";", w)
    ','
    >>> w[0].startswith("the values mix decimal commas ('0,349') and decimal points ('0.812')")
    True
    """
    dec = detect_decimal(cells, delimiter)
    comma = dot = None
    for c in cells:
        if type(c) is not str:
            continue
        t = c.strip()
        if comma is None and _COMMA_DECIMAL.match(t) and (
                delimiter != "," or not _THOUSANDS_SHAPE.match(t)):
            comma = t
        elif dot is None and _DOT_DECIMAL.match(t):
            dot = t
        if comma is not None and dot is not None:
            style = "commas" if dec == "," else "points"
            warnings.append(f"the values mix decimal commas ({comma!r}) and decimal points "
                            f"({dot!r}): read with decimal {style}, the more common style; "
                            "cells in the other style may be misread")
            break
    return dec


@lru_cache(maxsize=1024)
def unit_of(raw: str | None) -> str | None:
    """A unit normalised by :func:`labtox.units.normalise_unit`, or as written when pint does
    not know it (``None`` when empty)."""
    if raw is None or not str(raw).strip():
        return None
    raw = str(raw).strip()
    try:
        return normalise_unit(raw)
    except (UnitError, LabtoxError, ValueError, KeyError, TypeError, AttributeError):
        return raw


def dates_once(cells: Sequence[object], *, dayfirst: bool | None, path, column,
               lines: Sequence[int]) -> tuple[list[str | None], str]:
    """:func:`labtox.io._common.parse_dates` over the distinct cells only (long exports repeat
    one time stamp per analyte line), mapped back to every row."""
    if all(c is None or type(c) is str for c in cells):  # text (CSV): hashed in C
        codes, distinct = pd.factorize(np.array(list(cells) + [None], dtype=object)[:-1])
        present, first_at = np.unique(codes, return_index=True)
        idx = first_at[present >= 0].tolist()  # in order of appearance (factorize's order)
        iso, rule = parse_dates([cells[k] for k in idx], dayfirst=dayfirst, path=path,
                                column=column, lines=[lines[k] for k in idx])
        by_code = dict(zip(codes[idx].tolist(), iso, strict=True))
        by_code[-1] = None
        return [by_code[k] for k in codes.tolist()], rule
    first: dict[object, int] = {}
    for k, c in enumerate(cells):
        key = (type(c), c) if not isinstance(c, float) or c == c else ("nan",)
        first.setdefault(key, k)
    idx = list(first.values())
    iso, rule = parse_dates([cells[k] for k in idx], dayfirst=dayfirst, path=path,
                            column=column, lines=[lines[k] for k in idx])
    lookup = dict(zip(first, iso, strict=True))
    out = [lookup[(type(c), c) if not isinstance(c, float) or c == c else ("nan",)]
           for c in cells]
    return out, rule


def dates_or_raw(cells: Sequence[object], *, dayfirst: bool | None, path, column,
                 lines: Sequence[int], warnings: list[str]
                 ) -> tuple[list[str | None], list[str | None] | None, str | None]:
    """:func:`dates_once` for a column that need not stop the file: when it cannot tell
    day-first from month-first, the dates are kept as written, with a warning, rather than
    guessed; a column read day-first because its dates are dotted says so in ``warnings``.

    Parameters
    ----------
    cells
        The date cells, one per row.
    dayfirst, path, column, lines
        As for :func:`~labtox.io._common.parse_dates`.
    warnings
        The reader's warnings, appended to.

    Returns
    -------
    (acquired, acquired_raw, rule)
        ISO dates (all None when ambiguous), the cells as written when ambiguous (else None),
        and the rule that decided the style (None when ambiguous).

    Raises
    ------
    ParseError
        A cell that is not a date, or a column mixing day-first and month-first values.
    """
    try:
        iso, rule = dates_once(cells, dayfirst=dayfirst, path=path, column=column, lines=lines)
    except ParseError as exc:
        if "ambiguous" not in exc.message:
            raise
        name = column if isinstance(column, str) else f"the dates (field {column})"
        warnings.append(f"{name} is ambiguous (no day or month above 12): dates are kept as "
                        "written in 'acquired_raw'; pass dayfirst=True/False")
        return [None] * len(cells), [cell_text(c).strip() or None for c in cells], None
    if rule == DOTTED_DAYFIRST:
        warnings.append(DOTTED_NOTE)
    return iso, None, rule


def distinct_channels(labels: list[str], res: list, warnings: list[str]) -> list[str]:
    """The resolved channel of each row, or the label as written where two different labels
    resolve to one channel (``Mn 257.610 (R)`` and ``Mn 257.610 (A)`` both give
    ``Mn 257.610``): measurements of different lines are never merged.

    Parameters
    ----------
    labels
        The analyte label of each row as written.
    res
        :class:`~labtox.io._common.AnalyteResolver` results ``(analyte, channel, is_istd)``.
    warnings
        The reader's warnings, appended to when labels clash.

    Returns
    -------
    list of str

    Examples
    --------
    >>> distinct_channels(["Mn 257.610 (R)", "Mn 257.610 (A)", "Pb"],
    ...                   [("Mn", "Mn 257.610", False)] * 2 + [("Pb", "Pb", False)], [])
    ['Mn 257.610 (R)', 'Mn 257.610 (A)', 'Pb']
    """
    by_channel: dict[str, set[str]] = {}
    for lab, r in zip(labels, res, strict=True):
        by_channel.setdefault(r[1], set()).add(lab)
    clash = {lab for labs in by_channel.values() if len(labs) > 1 for lab in labs}
    if not clash:
        return [r[1] for r in res]
    warnings.append(f"{len(clash)} analyte label(s) resolve to the same channel "
                    f"({', '.join(sorted(clash)[:6])}); their channel is the label as written")
    return [" ".join(lab.split()) if lab in clash else r[1]
            for lab, r in zip(labels, res, strict=True)]



def defaulted_types_note(labels: Sequence[str]) -> list[str]:
    """The warning for rows typed ``sample`` because the export has no sample-type column and
    their label holds no sample-type word (empty when there are none).

    Examples
    --------
    >>> defaulted_types_note(["MNG-01", "MNG-01", "MNG-02"])
    ["no sample-type column: 2 label(s) without a sample-type word are typed 'sample' ('MNG-01', 'MNG-02')"]
    """
    if not labels:
        return []
    uniq = list(dict.fromkeys(labels))
    return [f"no sample-type column: {len(uniq)} label(s) without a sample-type word are "
            f"typed 'sample' ({', '.join(repr(u) for u in uniq[:8])}"
            f"{' ...' if len(uniq) > 8 else ''})"]


def level_text(c: object) -> str | None:
    if is_blank(c):
        return None
    return cell_text(c).strip()


# --------------------------------------------------------------------------- sniff


@lru_cache(maxsize=8192)  # pure; long exports repeat one label per analyte line
def label_sample_type(label: str) -> tuple[str, str | None]:
    """Sample type of a Qtegra label and the word that decided it (``None`` = default rule).

    Examples
    --------
    >>> label_sample_type("STD0.05")
    ('calibration', 'STD0.05')
    >>> label_sample_type("CAN17-00180-DUP")
    ('duplicate', 'DUP')
    >>> label_sample_type("USP 1-1")
    ('sample', None)
    """
    t = map_sample_type(label)
    if t is not None:
        return t, label.strip()
    for w in _WORD_SPLIT.split(label.strip()):
        if not w or not re.search(r"[A-Za-z]", w):
            continue
        t = map_sample_type(w) or map_sample_type(re.sub(r"[\d.]+$", "", w))
        if t is not None:
            return t, w
    return "sample", None


def plate_analyte(analyte: str | None, resolver: AnalyteResolver, warnings: list[str],
                   software: str) -> str:
    """The analyte a plate export measured: the ``analyte=`` option resolved, or ``unknown`` with
    a warning (plate-reader files do not name it)."""
    if analyte:
        return resolver(analyte)[0]
    warnings.append(f"{software} exports do not name the analyte: read as 'unknown' "
                    "(pass analyte='Aflatoxin M1' or similar)")
    return "unknown"
