"""Generic long or wide result table (CSV/TSV/XLSX) read through an explicit column mapping.

For tables no dedicated reader knows, typically contract-laboratory result tables (dioxin and
PCB congener reports in pg/g fat with a per-congener LOQ and a ``<`` qualifier). The reader never
guesses which column means what: the mapping says it. Use it with
``read_export(path, format="generic", mapping="mapping.toml")`` (or ``mapping={...}``), or
``labtox inspect FILE --format generic --mapping mapping.toml``.

The values in such tables are already final concentrations, so each one goes into ``reported``
(with ``reported_unit`` and the raw token in ``reported_flag``) **and** into ``signal`` (with
``signal_unit`` = the reported unit) so that the measurements schema holds. Limits and basis
travel as the extra columns ``reported_lod``, ``reported_loq`` and ``reported_basis``. For a
non-detect, ``reported`` and ``signal`` are NaN, ``reported_flag`` keeps the token as written
(``"<0.12"``, or ``"<"`` + the value when the qualifier sits in its own column) and
``reported_limit`` holds the number the value lies below (``0.12``); ``reported_censored`` is
True. Empty value cells (nothing written) are not measurements: they are listed in
``Run.metadata["skipped"]`` with their line and counted in a warning, never silently dropped.

Mapping keys
------------
A TOML file holds the keys at top level or in a ``[mapping]`` table; an optional ``[analytes]``
table renames labels (``"TCDD" = "2,3,7,8-TCDD"``). A *column* value names a header cell
exactly; a *column or fixed* value is a column when the header has a cell with that text,
otherwise a fixed value for every row (write ``{column = "X"}`` or ``{value = "X"}`` to be
explicit).

==================  =========================================================================
key                 meaning
==================  =========================================================================
``layout``          ``"long"`` (one row per sample × analyte, default) or ``"wide"`` (one row
                    per sample, one column per analyte)
``sample_id``       column with the sample code (required)
``analyte``         column with the analyte label (long layout, required)
``value``           column with the result (long layout, required)
``value_columns``   wide layout: list of analyte columns (default: every column not mapped)
``unit``            column or fixed (required), e.g. ``"pg/g fat"``: a trailing basis word
                    (fat, wet, dry, lipid, ww ...) becomes ``reported_basis``
``basis``           column or fixed: ``wet``, ``fat``, ``dry`` (or synonyms)
``lod``, ``loq``    columns with the laboratory's limits (long layout) → ``reported_lod``,
                    ``reported_loq``
``qualifier``       column whose ``<`` (or ``ND``, ``n.d.``, ``<LOQ``, ``<LOD``) marks a
                    non-detect
``sample_type``     column (vendor words mapped through ``labtox/data/sample_types.csv``) or
                    fixed (default ``"sample"``)
``channel``         column with a channel (default: the analyte label as written)
``sequence``        column with an injection/sequence number (default: order of samples)
``dilution``, ``nominal``, ``level``, ``acquired``   optional columns
``header_row``      1-based line (or sheet row) of the header (default: first non-empty,
                    non-comment line)
``skip_rows``       lines to skip before looking for the header (default 0)
``comment``         prefix of comment lines before the header (default ``"#"``)
``sheet``           sheet name or 0-based index (XLSX)
``delimiter``       CSV delimiter (default: sniffed among ``, ; TAB |``)
``decimal``         ``"."`` (default) or ``","``
``dayfirst``        for ``acquired`` dates: true/false (default: decided by the column)
``instrument``, ``software``, ``laboratory``, ``report_id``   fixed run metadata
``title``, ``description``, ``synthetic``, ``source``, ``version``  documentation (ignored)
==================  =========================================================================

Unknown keys raise :class:`~labtox.errors.MethodError` naming the key and the mapping file.

Example ``dioxins_mapping.toml``::

    layout = "long"
    sample_id = "Sample ID"
    analyte = "Congener"
    value = "Result"
    qualifier = "Qualifier"
    loq = "LOQ"
    unit = "Unit"            # a column holding "pg/g fat"
    basis = "fat"            # fixed (also implied by "pg/g fat")
    sample_type = "Type"     # or omit: every row is a sample
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
import warnings as _warnings
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from labtox.errors import LabtoxError, MethodError, ParseError, UnitError, close_matches
from labtox.io._common import (
    AnalyteResolver,
    Head,
    ReaderInfo,
    SampleTypeMapper,
    coded_column,
    coded_text,
    decode_bytes,
    none_column,
    parse_dates,
    parse_number,
    sniff_delimiter,
)
from labtox.run import Run

__all__ = ["INFO", "sniff", "read", "load_mapping", "MAPPING_KEYS"]

INFO = ReaderInfo(
    name="generic",
    vendor="(any)",
    software="(any: contract-lab or LIMS result table)",
    instruments=("any",),
    extensions=("csv", "tsv", "txt", "xlsx"),
    signature="explicit column mapping (format='generic', mapping=...)",
    priority=0,
)

MAPPING_KEYS: dict[str, str] = {
    "layout": "'long' or 'wide'",
    "sample_id": "column", "analyte": "column", "value": "column",
    "value_columns": "list of columns (wide)",
    "unit": "column or fixed", "basis": "column or fixed",
    "lod": "column", "loq": "column", "qualifier": "column",
    "sample_type": "column or fixed", "channel": "column", "sequence": "column",
    "dilution": "column", "nominal": "column", "level": "column", "acquired": "column",
    "header_row": "int", "skip_rows": "int", "comment": "str", "sheet": "str or int",
    "delimiter": "str", "decimal": "'.' or ','", "dayfirst": "bool",
    "instrument": "str", "software": "str", "laboratory": "str", "report_id": "str",
    "title": "doc", "description": "doc", "synthetic": "doc", "source": "doc", "version": "doc",
}
"""Accepted mapping keys and what each takes."""

_NON_DETECT_WORDS = {"<", "nd", "n.d.", "n.d", "<lod", "<loq", "< lod", "< loq", "bdl", "<dl",
                     "not detected", "u"}


def sniff(head: Head) -> bool:
    """Never claims a file: the generic reader is chosen explicitly with ``format="generic"``."""
    return False


def load_mapping(mapping: str | PathLike[str] | Mapping[str, Any]) -> tuple[dict, dict, str]:
    """Load and check a column mapping: ``(keys, analyte_renames, where)``.

    Parameters
    ----------
    mapping
        Path of a TOML file, or a dict with the keys of :data:`MAPPING_KEYS` (and optionally
        an ``"analytes"`` dict of label renames).

    Raises
    ------
    MethodError
        Unknown keys (with close matches), wrong value types, unreadable TOML.

    Examples
    --------
    >>> keys, renames, where = load_mapping({"sample_id": "ID", "analyte": "A", "value": "V",
    ...                                      "unit": "ng/g"})
    >>> keys["layout"], where
    ('long', 'mapping')
    """
    if isinstance(mapping, Mapping):
        raw, where = dict(mapping), "mapping"
    else:
        p = Path(mapping)
        where = str(p)
        try:
            raw = tomllib.loads(p.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise MethodError("the column mapping file does not exist.", path=p) from None
        except tomllib.TOMLDecodeError as exc:
            raise MethodError(f"the column mapping is not valid TOML ({exc}).", path=p) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise MethodError(f"the column mapping cannot be read ({exc}).", path=p) from None
    renames = raw.pop("analytes", {}) or {}
    if "mapping" in raw and isinstance(raw["mapping"], Mapping):
        inner = dict(raw.pop("mapping"))
        if "analytes" in inner:
            renames = inner.pop("analytes")
        for k in list(raw):
            if k in ("title", "description", "synthetic", "source", "version"):
                raw.pop(k)
        if raw:
            k = next(iter(raw))
            raise MethodError(f"unknown key {k!r} beside the [mapping] table.", path=where,
                              expected="keys inside [mapping] (and an optional [analytes] table)")
        raw = inner
    if not isinstance(renames, Mapping):
        raise MethodError("'analytes' must be a table of label = canonical name.", path=where,
                          found=renames)
    for k in raw:
        if k not in MAPPING_KEYS:
            near = close_matches(k, MAPPING_KEYS)
            raise MethodError(
                f"unknown column-mapping key {k!r}.", path=where,
                expected="one of " + ", ".join(MAPPING_KEYS),
                hint=f"Did you mean {', '.join(repr(n) for n in near)}?" if near else None)
    keys = dict(raw)
    keys.setdefault("layout", "long")
    if keys["layout"] not in ("long", "wide"):
        raise MethodError("layout must be 'long' or 'wide'.", path=where, column="layout",
                          expected="'long' or 'wide'", found=keys["layout"])
    need = ["sample_id", "unit"] + (["analyte", "value"] if keys["layout"] == "long" else [])
    missing = [k for k in need if k not in keys]
    if missing:
        raise MethodError(f"the column mapping lacks {', '.join(repr(m) for m in missing)}.",
                          path=where, expected=f"keys {', '.join(need)} for a {keys['layout']} table")
    if keys["layout"] == "wide":
        bad = [k for k in ("lod", "loq", "qualifier", "analyte", "value") if k in keys]
        if bad:
            raise MethodError(f"{', '.join(repr(b) for b in bad)} need layout = 'long'.",
                              path=where, hint="A wide table has one column per analyte.")
    for k in ("header_row", "skip_rows"):
        if k in keys and (not isinstance(keys[k], int) or isinstance(keys[k], bool) or keys[k] < 0):
            raise MethodError(f"{k} must be a non-negative whole number.", path=where, column=k,
                              found=keys[k])
    if keys.get("decimal", ".") not in (".", ","):
        raise MethodError("decimal must be '.' or ','.", path=where, found=keys["decimal"])
    if "value_columns" in keys and not (isinstance(keys["value_columns"], list)
                                        and all(isinstance(c, str) for c in keys["value_columns"])):
        raise MethodError("value_columns must be a list of column names.", path=where,
                          found=keys["value_columns"])
    for k in ("sample_id", "analyte", "value", "lod", "loq", "qualifier", "channel", "sequence",
              "dilution", "nominal", "level", "acquired"):
        if k in keys and not isinstance(keys[k], str):
            raise MethodError(f"{k} must name a column (a string).", path=where, column=k,
                              found=keys[k])
    for k in ("unit", "basis", "sample_type"):
        v = keys.get(k)
        if v is None:
            continue
        if isinstance(v, Mapping):
            if set(v) not in ({"column"}, {"value"}):
                raise MethodError(f"{k} must be a string, {{column = ...}} or {{value = ...}}.",
                                  path=where, column=k, found=dict(v))
        elif not isinstance(v, str):
            raise MethodError(f"{k} must be a column name or a fixed value.", path=where,
                              column=k, found=v)
    return keys, {str(a): str(b) for a, b in renames.items()}, where


# --------------------------------------------------------------------------------------- tables
def _header_index(lines: list[str], keys: dict, path: Path) -> int:
    """0-based index of the header line."""
    if "header_row" in keys:
        i = keys["header_row"] - 1
        if not 0 <= i < len(lines):
            raise ParseError("the header row is beyond the end of the file.", path=path,
                             line=keys["header_row"], expected="a header row inside the file")
        return i
    comment = keys.get("comment", "#")
    for i in range(keys.get("skip_rows", 0), len(lines)):
        s = lines[i].strip()
        if not s or (comment and s.startswith(comment)):
            continue
        if not s.strip(",;\t| "):  # a line of delimiters only
            continue
        return i
    raise ParseError("the table has no header row.", path=path, expected="a header line")


_NUMERIC_KEYS = ("value", "lod", "loq", "dilution", "nominal")


def _read_csv(path: Path, keys: dict) -> tuple[pd.DataFrame, np.ndarray, str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror}.", path=path) from None
    text, enc = decode_bytes(raw, path)
    # UTF-8 as stored (no line endings rewritten): pandas can read the file's own bytes
    same = enc in ("utf-8", "utf-8-sig") and b"\r" not in raw
    lines = text[:1 << 20].split("\n")  # the header sits near the top: no full split
    if keys.get("header_row", 0) > len(lines) - 1 or keys.get("skip_rows", 0) > len(lines) - 1:
        lines = text.split("\n")
    h = _header_index(lines, keys, path)
    delim = keys.get("delimiter") or sniff_delimiter(lines[h:h + 50])
    try:
        header = next(csv.reader([lines[h]], delimiter=delim))
    except (csv.Error, StopIteration):
        raise ParseError("the header line cannot be split.", path=path, line=h + 1,
                         expected=f"cells separated by {delim!r}") from None
    header = [c.strip() for c in header]
    # numbers are parsed by the C parser where the column is clean; every other column is text
    numeric = {keys[k] for k in _NUMERIC_KEYS if isinstance(keys.get(k), str)}
    if keys.get("layout") == "wide":
        numeric |= set(keys.get("value_columns") or [])
    # text as categories: the C parser then makes one Python string per distinct cell, and
    # the reader works on each distinct text once
    dtypes: dict[int, Any] = {i: "category" for i, c in enumerate(header) if c not in numeric}
    if keys.get("layout") != "wide" and "qualifier" in keys and keys["value"] in header:
        # a qualified value's token is its cell as written ('<0.050', not '<0.05'): the value
        # column is kept as text and turned into numbers by the reader
        dtypes[header.index(keys["value"])] = str
    prefix = "\n".join(lines[:h]) + "\n" if h else ""
    body = text[len(prefix):]
    # bytes, not a StringIO: the C parser then reads the buffer without re-encoding it
    data = raw[len(prefix.encode("utf-8")) + (3 if enc == "utf-8-sig" else 0):] if same \
        else body.encode("utf-8")
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(io.BytesIO(data), encoding="utf-8", sep=delim,
                             dtype=dtypes, low_memory=False, keep_default_na=False,
                             na_values=[""], skip_blank_lines=False, index_col=False,
                             decimal=keys.get("decimal", "."))
    except pd.errors.ParserWarning:  # a line longer than the header: pandas would cut it
        rd = csv.reader(io.StringIO(body), delimiter=delim)
        width = len(header)
        for cells in rd:
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                raise ParseError("a line has more cells than the header.", path=path,
                                 line=h + rd.line_num, column=width + 1,
                                 expected=f"{width} cells", found=len(cells)) from None
        raise ParseError("the table's lines do not match its header.", path=path,
                         expected=f"{width} cells per line") from None
    except pd.errors.EmptyDataError:
        raise ParseError("the table is empty.", path=path, expected="a header and rows") from None
    except (pd.errors.ParserError, csv.Error, ValueError, TypeError) as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = h + int(m.group(1)) if m else None
        raise ParseError(f"the table is malformed ({str(exc).strip()}).", path=path, line=line,
                         expected="the same number of cells on every line as in the header") from None
    df.columns = [str(c).strip() for c in df.columns]
    n_lines = (int(np.count_nonzero(np.frombuffer(raw, dtype=np.uint8) == 10)) if same
               else text.count("\n")) + 1 - h - 1
    if text.endswith("\n"):
        n_lines -= 1
    if len(df) == n_lines:  # one record per line
        return df, np.arange(h + 2, h + 2 + len(df)), delim
    else:  # quoted cells spanning lines: count with the csv module
        rd = csv.reader(io.StringIO(body), delimiter=delim)
        nums = []
        prev = 1
        for _ in rd:
            nums.append(prev + h)
            prev = rd.line_num + 1
        line_no = np.asarray(nums[1:1 + len(df)])
    return df, line_no, delim


def _read_xlsx(path: Path, keys: dict) -> tuple[pd.DataFrame, np.ndarray, str]:

    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError ...
        raise ParseError(f"the workbook cannot be opened ({exc.__class__.__name__}).", path=path,
                         expected="an .xlsx workbook") from None
    try:
        sheet = keys.get("sheet")
        if sheet is None:
            ws = wb.worksheets[0]
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(wb.worksheets):
                raise ParseError("no such sheet.", path=path, column="sheet",
                                 expected=f"0..{len(wb.worksheets) - 1}", found=sheet)
            ws = wb.worksheets[sheet]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            raise ParseError("no such sheet.", path=path, column="sheet",
                             expected=f"one of {wb.sheetnames}", found=sheet)
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        title = ws.title
    except LabtoxError:
        raise
    except Exception as exc:
        raise ParseError(f"the workbook cannot be read ({exc.__class__.__name__}: {exc}).",
                         path=path, expected="an .xlsx workbook") from None
    finally:
        wb.close()
    as_lines = [",".join("" if c is None else str(c) for c in r) for r in rows]
    h = _header_index(as_lines, keys, path)
    header = ["" if c is None else str(c).strip() for c in rows[h]]
    width = len(header)
    data = []
    for r in rows[h + 1:]:
        r = list(r) + [None] * (width - len(r))
        if any(c is not None and str(c).strip() for c in r[width:]):
            raise ParseError("a row has more cells than the header.", path=path,
                             line=h + 2 + len(data), expected=f"{width} cells")
        data.append([None if c is None or (isinstance(c, str) and not c.strip())
                     else (c if isinstance(c, (int, float)) and not isinstance(c, bool) else str(c))
                     for c in r[:width]])
    df = pd.DataFrame(data, columns=_dedupe(header), dtype=object)
    locs = np.asarray([f"{title}!R{h + 2 + i}" for i in range(len(df))], dtype=object)
    return df, locs, ""


def _dedupe(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for hname in header:
        if hname in seen:
            seen[hname] += 1
            out.append(f"{hname}.{seen[hname]}")
        else:
            seen[hname] = 0
            out.append(hname)
    return out


# --------------------------------------------------------------------------------------- values
def _coded_flags(flags: np.ndarray, flagged: np.ndarray) -> Any:
    """The raw tokens (``None`` where a cell has none) as coded text, or an object column of
    ``None`` when no cell has one; only the flagged cells are looked at."""
    if not flagged.any():
        return none_column(len(flags))
    present = np.flatnonzero(flagged)
    own, distinct = pd.factorize(flags[present])
    codes = np.full(len(flags), -1, dtype=np.intp)
    codes[present] = own
    return coded_column(codes, distinct)


def _codes(s: pd.Series) -> tuple[np.ndarray, list[object]]:
    """``pd.factorize`` of a column's cells as Python objects (missing = -1), so that distinct
    values are worked on once; object arrays hash faster than the text dtype."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return (s.cat.codes.to_numpy(dtype=np.intp),
                s.cat.categories.to_numpy(dtype=object).tolist())
    codes, uniq = pd.factorize(s.to_numpy(dtype=object), use_na_sentinel=True)
    return codes, np.asarray(uniq, dtype=object).tolist()


def _clean(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _text(s: pd.Series) -> np.ndarray:
    """Cells as stripped text ('' for empty), computed once per distinct value."""
    codes, clean = _clean_codes(s)
    return clean[codes]


def _text_and_ids(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_text` (as a text array) and, per cell, the 0-based number of its text in order
    of first appearance."""
    codes, clean = _clean_codes(s)
    ids, distinct = pd.factorize(clean)  # cells that differ only by spaces share one number
    per_cell = ids[codes]  # code -1: the last entry, ''
    text = coded_column(per_cell, distinct)
    if len(per_cell) and per_cell[0] == 0:
        step = np.diff(per_cell)
        if ((step == 0) | (step == 1)).all():  # each new text follows the last: in order
            return text, per_cell
    return text, pd.factorize(per_cell)[0]  # in order of appearance


def _clean_codes(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, texts)``: the stripped text of each distinct cell; code -1 (a missing cell)
    takes the last entry, the empty text."""
    codes, uniq = _codes(s)
    clean = np.asarray([u.strip() if type(u) is str else _clean(u) for u in uniq] + [""],
                       dtype=object)
    return codes, clean


def _parse_values(s: pd.Series, decimal: str) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :func:`~labtox.io._common.parse_number`: ``(values, flags)``.

    Clean numeric columns come straight from the C parser; other cells go through
    ``parse_number`` (so ``<0.12``, ``ND``, ``1,5`` keep their raw token as the flag).
    """
    flags = np.empty(len(s), dtype=object)  # None: no token
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return s.to_numpy(dtype=float, copy=True, na_value=np.nan), flags
    if decimal == "." and not isinstance(s.dtype, pd.CategoricalDtype):
        arr = s.to_numpy(dtype=object)
        try:  # float() on every cell, in C; any cell it refuses sends the column to pandas
            vals = np.array(arr, dtype=float)
        except (ValueError, TypeError):
            vals = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, copy=True,
                                                             na_value=np.nan)
        odd = np.flatnonzero(~np.isfinite(vals))  # few: tokens, empty cells, 'inf'
        todo = odd[pd.notna(arr[odd])]
        cells = arr.tolist()
        try:
            underscore = "_" in "".join(cells)
        except TypeError:  # missing cells among the text
            underscore = any(type(c) is str and "_" in c for c in cells)
        if underscore:  # float() reads 1_000; parse_number keeps it as written
            todo = np.union1d(todo, np.flatnonzero(np.fromiter(
                (type(c) is str and "_" in c for c in cells), dtype=bool, count=len(cells))))
        for i in todo:
            vals[i], flags[i] = parse_number(arr[i], decimal)
        return vals, flags
    codes, uniq = _codes(s)
    parsed = [parse_number(u, decimal) for u in uniq]
    parsed.append((np.nan, None))
    uv = np.asarray([v for v, _ in parsed], dtype=float)
    uf = np.asarray([f for _, f in parsed], dtype=object)
    idx = np.where(codes < 0, len(uniq), codes)
    return uv[idx], uf[idx]


def _column_or_fixed(spec: Any, df: pd.DataFrame) -> tuple[str | None, str | None]:
    """``(column, fixed)`` for a column-or-fixed mapping value."""
    if spec is None:
        return None, None
    if isinstance(spec, Mapping):
        return (spec.get("column"), None) if "column" in spec else (None, str(spec["value"]))
    return (spec, None) if spec in df.columns else (None, str(spec))


def _need(df: pd.DataFrame, col: str, key: str, path: Path, where: str, line: str) -> None:
    if col not in df.columns:
        near = close_matches(col, [str(c) for c in df.columns])
        raise ParseError(
            f"the mapping's {key} column {col!r} is not in the table (mapping: {where}).",
            path=path, line=int(re.sub(r"\D", "", line) or 0) or None, column=key,
            expected="one of the header cells: " + ", ".join(repr(str(c)) for c in df.columns[:30]),
            found=col, hint=f"Did you mean {', '.join(repr(n) for n in near)}?" if near else None)


def _unit_text(text: str, warnings: list[str]) -> tuple[str, str | None]:
    """Split a basis word off a unit and normalise the unit's spelling."""
    from labtox.units import normalise_unit, split_unit_basis

    unit, basis = split_unit_basis(text)
    if "TEQ" in unit.upper():
        return unit, basis  # keep the TEQ marker the unit registry would drop
    try:
        return normalise_unit(unit), basis
    except UnitError:
        warnings.append(f"unit {unit!r} is not in labtox's unit registry; kept as written")
        return unit, basis


def read(path: str | PathLike[str], *, mapping: str | PathLike[str] | Mapping[str, Any] | None = None,
         **options: Any) -> Run:
    """Read a result table through a column mapping.

    Parameters
    ----------
    path
        CSV/TSV/TXT (any encoding :func:`~labtox.io._common.decode_bytes` handles) or XLSX.
    mapping
        TOML file path or dict (see the module docstring for the keys).
    **options
        Mapping keys given directly (they override the mapping's), e.g. ``sheet="Results"``.

    Returns
    -------
    Run
        One measurement row per sample × analyte value written.

    Raises
    ------
    MethodError
        No mapping, or an invalid one (unknown key, wrong type).
    ParseError
        A mapped column missing from the table, malformed rows, bad dates, or an unreadable
        limit cell; names file, line and column.

    References
    ----------
    Non-detect reporting as a qualifier plus the limit: EPA (2006) *Data Quality Assessment:
    Statistical Methods for Practitioners* (EPA QA/G-9S), §4.7; Commission Regulation (EU)
    2017/644 Annex II (LOQ per congener, results per fat for milk).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "r.csv").write_text("Sample,Congener,Q,Result,LOQ\\nM1,PCB 126,,1.5,0.1\\nM1,OCDD,<,0.2,0.2\\n")
    >>> run = read(d / "r.csv", mapping={"sample_id": "Sample", "analyte": "Congener",
    ...            "value": "Result", "qualifier": "Q", "loq": "LOQ", "unit": "pg/g fat"})
    >>> m = run.measurements
    >>> m["analyte"].tolist(), m["reported"].tolist(), m["reported_flag"].tolist()
    (['PCB 126', 'OCDD'], [1.5, nan], [nan, '<0.2'])
    >>> m["reported_limit"].tolist(), m["reported_basis"].tolist()
    ([nan, 0.2], ['fat', 'fat'])
    """
    p = Path(path)
    if mapping is None and not options:
        raise MethodError(
            "the generic reader needs a column mapping.", path=p,
            expected="mapping='mapping.toml' or mapping={...}",
            hint="See labtox.io.generic's documentation for the mapping keys.")
    if mapping is None:
        keys, renames, _ = load_mapping(dict(options))
        where = "the reader options"
    else:
        keys, renames, where = load_mapping(mapping)
        if options:
            try:
                keys, renames, _ = load_mapping({**keys, **options, "analytes": renames})
            except MethodError as exc:
                raise MethodError(exc.message, path=where, expected=exc.expected,
                                  hint=exc.hint) from None
    warnings: list[str] = []

    with open(p, "rb") as fh:
        magic = fh.read(8)
    if magic[:4] == b"PK\x03\x04":
        df, locs, _ = _read_xlsx(p, keys)
    elif magic == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ParseError("legacy .xls workbooks are not supported.", path=p,
                         expected="CSV or .xlsx", hint="Save the table as .xlsx or CSV.")
    else:
        df, locs, _ = _read_csv(p, keys)
    df.columns = [str(c).strip() for c in df.columns]
    header_loc = locs[0] if len(locs) else "0"
    header_line = str(int(re.sub(r"\D", "", str(header_loc)) or 1) - 1)

    # drop fully empty lines (not data)
    if len(df) and len(df.columns):
        cand = np.flatnonzero(df.iloc[:, 0].isna().to_numpy(dtype=bool))  # few rows, usually
        if len(cand):
            blank = cand[df.iloc[cand].isna().all(axis=1).to_numpy(dtype=bool)]
            if len(blank):
                filled = np.ones(len(df), dtype=bool)
                filled[blank] = False
                df = df.loc[filled].reset_index(drop=True)
                locs = locs[filled]

    for key in ("sample_id", "analyte", "value", "lod", "loq", "qualifier", "channel", "sequence",
                "dilution", "nominal", "level", "acquired"):
        if key in keys:
            _need(df, keys[key], key, p, where, header_line)
    unit_col, unit_fixed = _column_or_fixed(keys["unit"], df)
    basis_col, basis_fixed = _column_or_fixed(keys.get("basis"), df)
    type_col, type_fixed = _column_or_fixed(keys.get("sample_type"), df)
    for key, col in (("unit", unit_col), ("basis", basis_col), ("sample_type", type_col)):
        if col is not None:
            _need(df, col, key, p, where, header_line)
    decimal = keys.get("decimal", ".")

    if keys["layout"] == "wide":
        mapped = {keys[k] for k in ("sample_id", "channel", "sequence", "dilution", "nominal",
                                    "level", "acquired") if k in keys}
        mapped |= {c for c in (unit_col, basis_col, type_col) if c}
        vcols = keys.get("value_columns") or [c for c in df.columns if c not in mapped and c]
        for c in vcols:
            _need(df, c, "value_columns", p, where, header_line)
        if not vcols:
            raise ParseError("the wide table has no analyte columns.", path=p,
                             expected="columns other than the mapped ones")
        nrow = len(df)
        idx = np.repeat(np.arange(nrow), len(vcols))
        parts = [_parse_values(df[c], decimal) for c in vcols]
        values = np.column_stack([v for v, _ in parts]).reshape(-1) if nrow else np.zeros(0)
        flags = np.column_stack([f for _, f in parts]).reshape(-1) if nrow else np.zeros(0, object)
        raw_cells = df[vcols].to_numpy(dtype=object).reshape(-1)
        df = df.iloc[idx].reset_index(drop=True)
        df["__analyte"] = np.tile(np.asarray(vcols, dtype=object), nrow)
        src = locs[idx]
        analyte_col = "__analyte"
    else:
        src = locs
        analyte_col = keys["analyte"]
        values, flags = _parse_values(df[keys["value"]], decimal)
        raw_cells = df[keys["value"]].to_numpy()  # floats when the C parser read them all

    n = len(df)
    limit = np.full(n, np.nan)
    censored = np.zeros(n, dtype=bool)

    def raw_texts(idx: np.ndarray) -> list[str]:
        """The value cells at ``idx`` as written (text columns), or numbers read by the C
        parser as ``repr`` (workbook cells, unqualified wide tables)."""
        return [c.strip() if type(c) is str
                else "" if c is None or (isinstance(c, float) and c != c)
                else repr(c) if isinstance(c, float) else _clean(c)
                for c in raw_cells[idx].tolist()]

    if "qualifier" in keys:
        q_codes, q_clean = _clean_codes(df[keys["qualifier"]])
        q = q_clean[q_codes]
        qualified = np.flatnonzero(np.isin(q_codes, np.flatnonzero(q_clean != "")))
        for word in pd.unique(q[qualified]):  # a few distinct words: one pass each
            idx = qualified[q[qualified] == word]
            raw = raw_texts(idx)
            if word.casefold() in _NON_DETECT_WORDS:
                flags[idx] = [word + r if word in ("<", "≤") else f"{word} {r}".strip()
                              for r in raw]
                v = values[idx]
                limit[idx] = np.where(np.isfinite(v), v, np.nan)  # NaN: the file gives no limit
                values[idx] = np.nan
                censored[idx] = True
            elif word == ">":
                flags[idx] = [">" + r for r in raw]
                limit[idx] = values[idx]
                values[idx] = np.nan
            else:  # e.g. "J" (estimated), "E": kept with the value
                flags[idx] = [f"{word} {r}".strip() for r in raw]
    # tokens in the value cell itself: "<0.12", "ND", "n.d."
    flagged = pd.notna(flags)
    for i in np.flatnonzero(flagged & ~censored):
        f = str(flags[i]).strip()
        m = re.match(r"^<\s*(.+)$", f)
        if m:
            v, _ = parse_number(m.group(1), decimal)
            limit[i] = v
            censored[i] = True
        elif f.casefold() in _NON_DETECT_WORDS:
            censored[i] = True

    empty = np.isnan(values) & ~flagged
    skipped = [{"source_line": str(src[i]), "reason": "empty value cell"} for i in np.flatnonzero(empty)]
    if skipped:
        shown = ", ".join(s["source_line"] for s in skipped[:10])
        warnings.append(f"{len(skipped)} empty value cell(s) skipped (nothing written), "
                        f"line(s) {shown}{' ...' if len(skipped) > 10 else ''}")
    keep = ~empty

    # units and basis (worked out once per distinct text)
    from labtox.units import normalise_basis

    if unit_col is not None:
        codes, uniq = _codes(df[unit_col])
        ut = [_unit_text(_clean(u), warnings) if _clean(u) else ("", None) for u in uniq]
        ut.append(("", None))
        units = coded_text([u for u, _ in ut], codes)  # code -1: the last entry
        ub_values, ub_codes = [b for _, b in ut], codes  # the basis a unit names
    else:
        u, b = _unit_text(unit_fixed, warnings)
        units = coded_text([u], np.zeros(n, dtype=np.intp))
        ub_values, ub_codes = [b], np.zeros(n, dtype=np.intp)
    if basis_col is not None:
        b_raw = _text(df[basis_col])
        bmap: dict[str, str | None] = {"": None}
        for b in pd.unique(b_raw):
            if b in bmap:
                continue
            try:
                bmap[b] = normalise_basis(b)
            except UnitError:
                i = int(np.flatnonzero(b_raw == b)[0])
                raise ParseError("unknown basis.", path=p, line=_line(src[i]), column=basis_col,
                                 expected="wet, fat or dry (or wet weight, lipid, dry matter)",
                                 found=b) from None
        basis = np.asarray([bmap[b] for b in b_raw], dtype=object)
        basis = np.where(pd.isna(basis), np.asarray(ub_values, dtype=object)[ub_codes], basis)
    elif basis_fixed is not None:
        try:
            bf = normalise_basis(basis_fixed)
        except UnitError as exc:
            raise MethodError(f"unknown basis {basis_fixed!r} in the mapping.", path=where,
                              column="basis", expected=exc.expected) from None
        named = [ub_values[c] for c in pd.unique(ub_codes[keep]).tolist()]
        conflict = [b for b in named if b is not None and b != bf]
        if conflict:
            raise MethodError(f"the mapping says basis {bf!r} but the unit says {conflict[0]!r}.",
                              path=where, column="basis")
        basis = coded_text([bf], np.zeros(n, dtype=np.intp))
    else:
        basis = coded_text(ub_values, ub_codes)

    # analytes (resolved once per distinct label)
    resolver = AnalyteResolver()
    codes, uniq = _codes(df[analyte_col])
    labels_u = [_clean(u) for u in uniq] + [""]
    resolved = [resolver(renames.get(lab, lab))[0] if lab else "" for lab in labels_u]
    analyte = coded_text(resolved, codes)  # code -1 (missing): the last entry, ''
    labels = coded_text(labels_u, codes)
    channel = _text(df[keys["channel"]]) if "channel" in keys else labels

    # samples and types
    sid, sid_ids = _text_and_ids(df[keys["sample_id"]])
    mapper = SampleTypeMapper()
    if type_col is not None:
        t_raw = _text(df[type_col])
        tmap = {t: mapper(t, default="sample") for t in pd.unique(t_raw)}
        stype = np.asarray([tmap[t] for t in t_raw], dtype=object)
        vendor_type = t_raw
    else:
        from labtox.run import SAMPLE_TYPES

        ft = type_fixed or "sample"
        st = ft if ft in SAMPLE_TYPES else mapper(ft)
        stype = coded_text([st], np.zeros(n, dtype=np.intp))
        vendor_type = coded_text([type_fixed], np.zeros(n, dtype=np.intp)) \
            if type_fixed is not None else none_column(n)

    if "sequence" in keys:
        seq_vals, _ = _parse_values(df[keys["sequence"]], ".")
        bad = np.flatnonzero(~np.isfinite(seq_vals) | (seq_vals != np.round(seq_vals)))
        if len(bad):
            i = int(bad[0])
            raise ParseError("not a sequence number.", path=p, line=_line(src[i]),
                             column=keys["sequence"], expected="a whole number",
                             found=df[keys["sequence"]].iat[i])
        sequence = seq_vals.astype(np.int64)
    else:
        sequence = sid_ids.astype(np.int64) + 1

    cols: dict[str, Any] = {
        "sequence": sequence, "sample_id": sid, "sample_type": stype, "vendor_type": vendor_type,
        "analyte": analyte, "channel": channel, "signal": values, "signal_unit": units,
        "reported": values, "reported_unit": units, "reported_flag": _coded_flags(flags, flagged),
        "reported_limit": limit, "reported_censored": censored, "reported_basis": basis,
        "source_line": src,
    }
    for key, name in (("lod", "reported_lod"), ("loq", "reported_loq"), ("dilution", "dilution"),
                      ("nominal", "nominal")):
        if key in keys:
            v, f = _parse_values(df[keys[key]], decimal)
            badf = np.flatnonzero(pd.notna(f))
            if len(badf):
                i = int(badf[0])
                raise ParseError(f"the {key} cell is not a number.", path=p, line=_line(src[i]),
                                 column=keys[key], expected="a number", found=f[i])
            cols[name] = v
    if "level" in keys:
        cols["level"] = _text(df[keys["level"]])
    if "acquired" in keys:
        codes, uniq = _codes(df[keys["acquired"]])
        iso, _rule = parse_dates(uniq, dayfirst=keys.get("dayfirst"), path=p,
                                 column=keys["acquired"])
        cols["acquired"] = np.asarray(list(iso) + [None], dtype=object)[
            np.where(codes < 0, len(uniq), codes)]
    if not keep.all():
        cols = {k: v[keep] for k, v in cols.items()}
    warnings += mapper.warnings() + resolver.warnings()
    return Run.from_path(
        cols, p, INFO.name,
        instrument=keys.get("instrument", ""), software=keys.get("software", ""),
        warnings=warnings, mapping=where, layout=keys["layout"], skipped=skipped,
        laboratory=keys.get("laboratory", ""), report_id=keys.get("report_id", ""),
    )


def _line(loc: object) -> int | None:
    m = re.search(r"(\d+)$", str(loc))
    return int(m.group(1)) if m else None
