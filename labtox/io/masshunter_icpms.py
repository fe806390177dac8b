"""Agilent MassHunter ICP-MS batch table ("Batch at a Glance" export), CSV or XLSX.

Layout (``../shared/fixtures/EXPORTS.md`` §2.1, checked against real exports):

- **group row**: sparse analyte labels, one per analyte block, blank over the block's other
  columns (``7  Li  [ No Gas ] ``, ``45  Sc ( ISTD )  [ He ] ``); the sample-info block is
  headed ``Sample`` or blank. Labels are forward-filled across their block.
- **field row** (directly below): sample-info fields chosen by the user, in any order
  (``Rjct``, ``Data File``, ``Acq. Date-Time``, ``Type``, ``Level``, ``Sample Name``,
  ``Total Dil.``, ``Comment``, ``Vial Number`` ...), then per analyte some of ``CPS``,
  ``CPS RSD``, ``Conc. [ ppb ]``, ``Conc. RSD``, ``Meas. Conc. [ ppb ]``.
- **data rows**: one per acquisition. Separator ``,`` or ``;`` (French/European Excel
  re-saves), decimals ``.`` or ``,``, booleans ``TRUE/FALSE`` or localised (``FAUX``).

Mapping to the measurements table (one row per acquisition × analyte):

- ``signal`` = ``CPS`` (``signal_unit`` ``"cps"``); ``reported`` = ``Conc.`` with
  ``reported_unit`` from the header (normalised by :func:`labtox.units.normalise_unit` when
  pint knows it, else kept as written); ``reported_flag`` = the raw token (``<0.000``,
  ``N/A`` ...) whenever the cell is not a plain number. Extra columns: ``signal_rsd``,
  ``reported_rsd``, ``rsd_flag`` (raw RSD tokens), ``measured``/``measured_unit``
  (``Meas. Conc.``), ``is_istd``, ``data_file``, ``comment``. Any other per-analyte field
  (``ISTD Recovery %`` ...) becomes an extra column named after it (plus ``<field> (raw)``
  holding its tokens when it has any).
- **Internal standards** (``( ISTD )`` labels) become their own rows with ``is_istd=True``;
  ``channel`` ends in ``(ISTD)``. The batch table does not say which ISTD corrects which
  analyte, so ``istd_signal``/``istd_channel`` stay empty unless ``read(..., istd={...})``
  names the pairing; the method assigns ISTDs later. This is a deliberate choice: guessing
  the pairing (nearest mass, same tune) would silently change results.
- ``Rjct`` = TRUE rows are kept with ``rejected=True`` (their value cells are usually empty).
- ``sample_type`` from ``Type`` via the vendor vocabulary; ``level`` from ``Level``;
  ``dilution`` from ``Total Dil.``; ``acquired`` from ``Acq. Date-Time`` (day-first versus
  month-first decided for the whole column; ambiguous columns keep the raw text in
  ``acquired_raw`` and warn).
- When an analyte block has no ``CPS`` column (some exports carry concentrations only), the
  ``signal`` is the software's measured concentration (``Meas. Conc.``, else ``Conc.``) with
  its unit as ``signal_unit``, and the run says so in its warnings.
- Cells with neither a number nor a token (empty) carry no measurement: those
  acquisition × analyte pairs are not emitted, and the run's warnings count them.
- ``source_line`` is the 1-based text line (CSV) or ``"Sheet!R<n>"`` (XLSX).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from labtox.errors import ParseError
from labtox.io._common import (
    AnalyteResolver,
    Head,
    ReaderInfo,
    SampleTypeMapper,
    coded_column,
    coded_text,
    none_column,
    parse_bool,
    parse_number,
)
from labtox.io._tables import (
    Table,
    cell_text,
    csv_table,
    dates_or_raw,
    detect_decimal,
    is_blank,
    level_text,
    sheet_table,
    unit_of,
    vector_numbers,
    xlsx_workbook,
)
from labtox.run import Run

__all__ = ["INFO", "sniff", "read"]

INFO = ReaderInfo(
    name="masshunter-icpms",
    vendor="Agilent",
    software="MassHunter ICP-MS",
    instruments=("ICP-MS",),
    extensions=("csv", "xlsx"),
    signature="a field row with 'Sample Name' and per-analyte 'CPS' / 'Conc. [ unit ]' columns "
    "under a row of analyte labels",
    priority=60,
)

_VALUE_FIELD = re.compile(r"^(CPS|CPS RSD|Conc\. RSD|(Meas\. )?Conc\.\s*(\[\s*(?P<u>[^\]]*?)\s*\])?)$")
_INFO_FIELDS = {
    "rjct": "rjct", "data file": "data_file", "acq. date-time": "acquired", "type": "type",
    "level": "level", "sample name": "sample_name", "total dil.": "dilution",
    "comment": "comment", "vial number": "vial", "vial#": "vial", "vial": "vial",
    "sample type": "type", "acq. date time": "acquired", "acquisition date-time": "acquired",
    "acquired": "acquired", "total dilution": "dilution", "dilution factor": "dilution",
}


# --------------------------------------------------------------------------- shared helpers
# (used by the other ICP readers of labtox.io as well)

def _is_field_row(cells: Sequence[object]) -> bool:
    texts = [cell_text(c).strip() for c in cells]
    low = {t.casefold() for t in texts}
    if "sample name" not in low and "data file" not in low:
        return False
    return any(_VALUE_FIELD.match(t) for t in texts if t)


_ISOTOPE_LABEL = re.compile(r"^\s*\d{1,3}(\s*->\s*\d{1,3})?\s+[A-Z][a-z]?\b")


def _is_label_row(cells: Sequence[object]) -> bool:
    """The group row above the field row names isotopes (``208  Pb  [ He ]``), which is what
    sets an ICP-MS batch table apart from chromatography tables with the same field names."""
    return any(_ISOTOPE_LABEL.match(cell_text(c)) for c in cells)


def sniff(head: Head) -> bool:
    """True when the head holds a MassHunter ICP-MS field row under a row of isotope labels
    (see module docstring)."""
    if head.is_zip:
        for rows in head.xlsx_sheets.values():
            for i, r in enumerate(rows[:40]):
                if i and _is_field_row(r) and _is_label_row(rows[i - 1]):
                    return True
        return False
    if not head.text:
        return False
    lines = head.lines[:40]
    for i, ln in enumerate(lines):
        if not i or ("Sample Name" not in ln and "Data File" not in ln):
            continue
        for d in ",;\t":
            if d in ln and _is_field_row(next(csv.reader([ln], delimiter=d))) \
                    and _is_label_row(next(csv.reader([lines[i - 1]], delimiter=d), [])):
                return True
    return False


# --------------------------------------------------------------------------- read

_HEAD_LINES = 64  # lines split by the csv module: the header (within 60) and the first rows
_TOKEN_ROWS = 50  # first data rows whose tokens the C parser is told about

def _load(path: Path, sheet: str | None, delimiter: str | None) -> Table:
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic != b"PK\x03\x04":
        return csv_table(path, delimiter, ",;\t", max_lines=_HEAD_LINES)
    wb = xlsx_workbook(path)
    try:
        names = wb.sheetnames
        if sheet is not None:
            if sheet not in names:
                raise ParseError(f"the workbook has no sheet {sheet!r}.", path=path,
                                 expected=f"one of {', '.join(names)}", found=sheet)
            return sheet_table(wb[sheet])
        for ws in wb.worksheets:
            if getattr(ws, "sheet_state", "visible") != "visible":
                continue
            t = sheet_table(ws)
            if any(_is_field_row(r) for r in t.rows[:50]):
                return t
        raise ParseError("no worksheet holds a MassHunter ICP-MS batch table.", path=path,
                         expected="a sheet with a 'Sample Name' field row and CPS/Conc. columns",
                         found=f"sheets {', '.join(names)}")
    finally:
        wb.close()


def _find_header(t: Table, path: Path) -> int:
    for i, r in enumerate(t.rows[:60]):
        if _is_field_row(r):
            return i
    first = next((r for r in t.rows if any(not is_blank(c) for c in r)), [])
    found = (t.delimiter or ",").join(cell_text(c) for c in first)[:80] if first else "an empty file"
    raise ParseError("no MassHunter ICP-MS header row was found.", path=path,
                     line=t.lines[0] if t.lines else 1,
                     expected="a field row with 'Sample Name' and 'CPS' or 'Conc. [ unit ]' "
                     "columns below a row of analyte labels",
                     found=found)


@dataclass
class _Block:
    label: str
    fields: dict[str, int] = field(default_factory=dict)
    unit: str | None = None
    meas_unit: str | None = None


def read(
    path: str | PathLike[str],
    *,
    dayfirst: bool | None = None,
    decimal: str | None = None,
    sheet: str | None = None,
    delimiter: str | None = None,
    istd: Mapping[str, str] | None = None,
) -> Run:
    """Read a MassHunter ICP-MS batch table (CSV or XLSX) into a :class:`~labtox.run.Run`.

    Parameters
    ----------
    path
        The export.
    dayfirst
        Date style of ``Acq. Date-Time`` when the column itself cannot tell.
    decimal
        ``"."`` or ``","``; detected from the cells when ``None``.
    sheet
        Worksheet name (XLSX); by default the first visible sheet with a batch table.
    delimiter
        CSV separator; sniffed (``,``, ``;`` or TAB) when ``None``.
    istd
        Optional ISTD pairing, analyte name or channel → ISTD element or channel
        (``{"Pb": "Bi", "Cd": "115In"}``); fills ``istd_signal``/``istd_channel``.

    Returns
    -------
    Run
        One row per acquisition × analyte (ISTDs included, ``is_istd=True``).

    Raises
    ------
    ParseError
        Missing header, truncated rows, cells that are not booleans/dates/numbers where
        those are required; the error names the line, column, expected and found.

    References
    ----------
    Agilent Technologies, *ICP-MS MassHunter Workstation: Batch at a Glance* (data export);
    layout verified on real exports listed in ``../shared/fixtures/EXPORTS.md`` §2.1.

    Examples
    --------
    >>> from pathlib import Path
    >>> import labtox
    >>> from labtox.io import masshunter_icpms
    >>> path = Path(labtox.__file__).parents[1] / "tests" / "data" / "masshunter_icpms" / "semicolon_point.csv"
    >>> run = masshunter_icpms.read(path)
    >>> m = run.measurements
    >>> run.n_injections
    10
    >>> print(m.loc[0, "channel"], m.loc[0, "signal"], m.loc[0, "sample_type"])
    208Pb [He] 152.3 calibration_blank
    """
    p = Path(path)
    t = _load(p, sheet, delimiter)
    h = _find_header(t, p)
    if h == 0:
        raise ParseError("the analyte label row above the field row is missing.", path=p,
                         line=t.lines[h], expected="a row of analyte labels such as "
                         "'208  Pb  [ He ]' above the field row", found="the field row on the first line")
    fields = [cell_text(c).strip() for c in t.rows[h]]
    groups = [cell_text(c).strip() for c in t.rows[h - 1]]
    width = max(i for i, f in enumerate(fields) if f) + 1
    groups = (groups + [""] * width)[:width]
    warnings: list[str] = []

    info: dict[str, int] = {}
    blocks: dict[str, _Block] = {}
    current = ""
    for j in range(width):
        g = groups[j]
        if g:
            current = g
        f = fields[j]
        if not f:
            continue
        m = _VALUE_FIELD.match(f)
        if m is None:
            key = _INFO_FIELDS.get(f.casefold())
            if key is None and current and current.casefold() != "sample":
                # another per-analyte field (e.g. 'ISTD Recovery %'): kept as an extra column
                b = blocks.setdefault(current, _Block(current))
                if f"x:{f}" in b.fields:
                    warnings.append(f"{current}: field {f!r} appears twice; the first is read")
                else:
                    b.fields[f"x:{f}"] = j
                continue
            if key is None:
                warnings.append(f"column {j + 1} {f!r} is not a field labtox reads; ignored")
            elif key in info:
                warnings.append(f"column {j + 1} {f!r} repeats an earlier column; ignored")
            else:
                info[key] = j
            continue
        if not current or current.casefold() == "sample":
            raise ParseError("a value column has no analyte label above it.", path=p,
                             line=t.lines[h - 1], column=j + 1,
                             expected="an analyte label such as '208  Pb  [ He ]'",
                             found=groups[j] or "an empty cell")
        b = blocks.setdefault(current, _Block(current))
        kind = ("meas" if f.startswith("Meas.") else "conc") if f.startswith(("Conc. [", "Meas.")) \
            or f == "Conc." else f
        if kind in b.fields:
            warnings.append(f"{current}: field {f!r} appears twice; the first is read")
            continue
        b.fields[kind] = j
        if kind == "conc":
            b.unit = m.group("u")
        elif kind == "meas":
            b.meas_unit = m.group("u")
    if not blocks:
        raise ParseError("the header names no analyte.", path=p, line=t.lines[h],
                         expected="CPS or Conc. columns under analyte labels")

    # data rows: pandas' C parser for plain CSV text, the csv module otherwise
    value_cols = sorted({j for b in blocks.values() for j in b.fields.values()})
    body = _fast_body(t, h, width, value_cols, decimal, p) if t.text is not None else None
    if body is None:
        if t.meta.get("partial"):
            t = csv_table(p, t.delimiter, ",;\t")
        body = _split_body(t, h, width, value_cols, decimal, p)
    n, lines, where, decimal = body.n, body.lines, body.where, body.decimal
    all_vals, all_flags, tokens = body.values, body.flags, body.tokens
    colpos = {j: k for k, j in enumerate(value_cols)}

    def col(key: str) -> np.ndarray | None:
        return body.cells[info[key]] if key in info else None

    # sample info
    rej = np.zeros(n, dtype=bool)
    if "rjct" in info:
        j = info["rjct"]
        rej[:] = _per_cell(body.cells[j], lambda c, k: parse_bool(
            c, path=p, line=lines[k], column=fields[j]))
    names = col("sample_name")
    files = col("data_file")

    sample_id = _stripped(names) if names is not None else [""] * n
    file_names = _stripped(files) if files is not None else [""] * n
    n_noname = 0
    for k in (k for k, s in enumerate(sample_id) if not s):
        n_noname += 1
        f = file_names[k]
        sample_id[k] = Path(f.replace("\\", "/")).stem if f else f"injection {k + 1}"
    if n_noname:
        warnings.append(f"{n_noname} acquisition(s) have no sample name; the data file name "
                        "(or 'injection <n>') is used as sample_id")
    mapper = SampleTypeMapper()
    types = col("type")
    if types is None:
        vendor_type = [None] * n
        sample_type = ["unknown"] * n
        warnings.append("the export has no Type column: every acquisition is of sample type "
                        "'unknown' (add Type to the export, or set types in the method)")
    else:
        vendor_type = [v or None for v in _stripped(types)]
        sample_type = mapper.map_all(vendor_type)
        warnings += mapper.warnings()
    level = _per_cell(col("level"), lambda c, k: level_text(c)) if "level" in info else [None] * n
    dilution = np.full(n, np.nan)
    if "dilution" in info:
        j = info["dilution"]
        cells = body.cells[j]
        dv, df_ = vector_numbers(cells, decimal)
        # '-', '--' or 'N/A': written for "no dilution entered"
        none = np.array([f in ("-", "--", "N/A") for f in df_.tolist()], dtype=bool)
        with np.errstate(invalid="ignore"):
            bad = np.flatnonzero((pd.notna(df_) & ~none) | (np.isfinite(dv) & (dv <= 0)))
        if len(bad):
            k = int(bad[0])
            if df_[k] is not None:
                raise ParseError("the dilution factor is not a number.", path=p, line=lines[k],
                                 column=fields[j], expected="a positive number",
                                 found=df_[k])
            raise ParseError("the dilution factor is not positive.", path=p, line=lines[k],
                             column=fields[j], expected="a positive number",
                             found=cell_text(cells[k]))
        n_none = int(none.sum())
        dilution = dv
        if n_none:
            warnings.append(f"{n_none} acquisition(s) have '-' or 'N/A' as Total Dil.: no "
                            "dilution is set for them")
    acquired: list[str | None] = [None] * n
    acquired_raw = None
    date_rule = None
    if "acquired" in info:
        j = info["acquired"]
        cells = list(body.cells[j])
        acquired, acquired_raw, date_rule = dates_or_raw(
            cells, dayfirst=dayfirst, path=p, column=fields[j], lines=lines, warnings=warnings)
    comment = [c or None for c in _stripped(col("comment"))] if "comment" in info else None
    data_file = [f or None for f in file_names] if files is not None else None

    # analytes: each block picks its columns of the value matrix (`absent`: a field the block
    # does not have, NaN and no flag)
    absent = len(value_cols)
    resolver = AnalyteResolver()
    per_block: list[dict[str, Any]] = []
    pick: dict[str, list[int]] = {k: [] for k in ("signal", "conc", "meas", "CPS RSD", "Conc. RSD")}
    n_signal_fallback = []
    for label, b in blocks.items():
        analyte, channel, is_istd = resolver(label)
        if is_istd:
            channel = f"{channel} (ISTD)"

        def at(kind: str, b: _Block = b) -> int:
            return colpos[b.fields[kind]] if kind in b.fields else absent

        signal, signal_unit = at("CPS"), "cps"
        if "CPS" not in b.fields:
            src = "meas" if "meas" in b.fields else "conc"
            signal = at(src)
            signal_unit = unit_of(b.meas_unit if src == "meas" else b.unit) or "unknown"
            n_signal_fallback.append(label.strip())
        for kind, j in (("signal", signal), ("conc", at("conc")), ("meas", at("meas")),
                        ("CPS RSD", at("CPS RSD")), ("Conc. RSD", at("Conc. RSD"))):
            pick[kind].append(j)
        per_block.append(dict(
            analyte=analyte, channel=channel, is_istd=is_istd, signal_unit=signal_unit,
            reported_unit=unit_of(b.unit), measured_unit=unit_of(b.meas_unit),
            extras={kind[2:]: at(kind) for kind in b.fields if kind.startswith("x:")}))
    if n_signal_fallback:
        warnings.append(
            f"{len(n_signal_fallback)} analyte block(s) have no CPS column "
            f"({', '.join(n_signal_fallback[:5])}{' ...' if len(n_signal_fallback) > 5 else ''}): "
            "their signal is the software's measured concentration, with its unit")
    warnings += resolver.warnings()

    m = len(per_block)
    per_row = np.repeat(np.arange(n), m)  # acquisition of each output row
    per_block_ = np.tile(np.arange(m), n)  # analyte block of each output row

    def rep(values: Sequence[object]) -> Any:
        return _text_column(values, per_row)

    def tile(key: str) -> Any:
        return _text_column([d[key] for d in per_block], per_block_)

    def picked(matrix: np.ndarray, cols_: Sequence[int], fill: Any) -> np.ndarray:
        at = np.asarray(cols_, dtype=np.intp)
        missing = at == absent
        block = matrix[:, np.where(missing, 0, at)]
        if missing.any():
            block[:, missing] = fill
        return block.ravel()  # (acquisition, block), row-major

    def long(matrix: np.ndarray, kind: str) -> np.ndarray:
        return picked(matrix, pick[kind], np.nan if matrix is all_vals else -1)

    vals, flg = all_vals, all_flags

    out = {
        "sequence": per_row + 1,
        "sample_id": rep(sample_id),
        "sample_type": rep(sample_type),
        "vendor_type": rep(vendor_type),
        "analyte": tile("analyte"),
        "channel": tile("channel"),
    }
    for key, kind in (("signal", "signal"), ("reported", "conc"), ("measured", "meas"),
                      ("signal_rsd", "CPS RSD"), ("reported_rsd", "Conc. RSD")):
        out[key] = long(vals, kind)
    # the Conc. token, else a signal token (e.g. CPS 'OVER') so that it stays visible; each
    # column's own tokens are kept as well
    # flags are codes into `tokens` (-1: none)
    conc_f, signal_f, meas_f = long(flg, "conc"), long(flg, "signal"), long(flg, "meas")
    reported_f = np.where(conc_f < 0, signal_f, conc_f)
    out["reported_flag"] = _flag_column(reported_f, tokens)
    out["signal_flag"] = _flag_column(signal_f, tokens)
    if (meas_f >= 0).any():
        out["measured_flag"] = _flag_column(meas_f, tokens)
    cps_rsd_f, conc_rsd_f = long(flg, "CPS RSD"), long(flg, "Conc. RSD")
    rsd_f = np.where(cps_rsd_f < 0, conc_rsd_f, cps_rsd_f)
    both = np.flatnonzero((cps_rsd_f >= 0) & (conc_rsd_f >= 0))
    rsd_tokens = list(tokens)
    if len(both):  # both RSDs flagged: 'a; c', a token of its own
        pairs = [f"{tokens[a]}; {tokens[c]}"
                 for a, c in zip(cps_rsd_f[both].tolist(), conc_rsd_f[both].tolist(), strict=True)]
        own, distinct = pd.factorize(np.asarray(pairs, dtype=object))
        known = {t: k for k, t in enumerate(rsd_tokens)}
        for tok in distinct.tolist():
            if tok not in known:
                known[tok] = len(rsd_tokens)
                rsd_tokens.append(tok)
        rsd_f[both] = np.array([known[tok] for tok in distinct.tolist()], dtype=rsd_f.dtype)[own]
    out["rsd_flag"] = _flag_column(rsd_f, rsd_tokens)
    for key in ("signal_unit", "reported_unit", "measured_unit"):
        out[key] = tile(key)
    for name in dict.fromkeys(k for d in per_block for k in d["extras"]):
        cols_ = [d["extras"].get(name, absent) for d in per_block]
        out[name] = picked(vals, cols_, np.nan)
        raw = picked(flg, cols_, -1)
        if (raw >= 0).any():
            out[f"{name} (raw)"] = _flag_column(raw, tokens)
    out["is_istd"] = np.array([d["is_istd"] for d in per_block], dtype=bool)[per_block_]
    out["level"] = rep(level)
    out["dilution"] = dilution[per_row]
    out["acquired"] = rep(acquired)
    if acquired_raw is not None:
        out["acquired_raw"] = rep(acquired_raw)
    out["rejected"] = rej[per_row]
    out["source_line"] = where[per_row] if where.dtype.kind == "i" else rep(where.tolist())
    if data_file is not None:
        out["data_file"] = rep(data_file)
    if comment is not None:
        out["comment"] = rep(comment)
    table: dict[str, Any] | pd.DataFrame = out
    if istd:
        table = _pair_istd(pd.DataFrame(out).assign(istd_signal=np.nan, istd_channel=None),
                           istd, p)

    # empty cells carry no measurement
    empty = ~np.isfinite(out["signal"]) & (reported_f < 0) & ~out["rejected"]
    if empty.any():
        with_conc = int((empty & np.isfinite(out["reported"])).sum())
        warnings.append(
            f"{int(empty.sum())} acquisition × analyte cell(s) are empty (no CPS, no token) and "
            "carry no measurement; they are not in the table"
            + (f" ({with_conc} of them had a Conc. value without CPS)" if with_conc else ""))
        table = table[~empty].reset_index(drop=True) if isinstance(table, pd.DataFrame) \
            else {k: v[~empty] for k, v in table.items()}
    if int(rej.sum()):
        warnings.append(f"{int(rej.sum())} acquisition(s) rejected in MassHunter (Rjct TRUE) "
                        "are kept with rejected=True")
    first = next((a for a in acquired if a), None)
    meta = dict(encoding=t.encoding, delimiter=t.delimiter, decimal=decimal, sheet=t.sheet,
                header_line=t.where[h], date_rule=date_rule, n_acquisitions=n,
                istd_policy="ISTD rows kept as is_istd; pairing left to the method"
                if not istd else f"ISTD pairing given: {dict(istd)}")
    if empty.all():
        raise ParseError("the file holds no measurement: every value cell is empty.", path=p,
                         expected="at least one number or flag token", found="only empty cells")
    return Run.from_path(table, p, INFO.name, instrument="ICP-MS",
                         software="Agilent MassHunter ICP-MS", acquired=first or "",
                         warnings=warnings, **meta)


@dataclass
class _Body:
    """The acquisition rows: cells of the sample-info columns, parsed value columns."""

    cells: dict[int, np.ndarray]  # column -> cells (None where empty), sample-info columns
    values: np.ndarray  # (rows, value columns) floats
    flags: np.ndarray  # (rows, value columns) codes of the raw tokens, -1 where plain or empty
    lines: list[int]
    where: np.ndarray  # line numbers (CSV), or "Sheet1!R12" texts (workbooks)
    decimal: str
    tokens: list[str]  # the raw tokens the flags' codes stand for

    @property
    def n(self) -> int:
        return len(self.lines)


def _row_checks(cells: Sequence[object], width: int, line: int, header_line: int,
                path: Path) -> None:
    """A data row has exactly the header's cells (extra trailing cells must be empty)."""
    if len(cells) < width:
        raise ParseError(
            "the row is shorter than the header: the file looks truncated or malformed.",
            path=path, line=line, column=len(cells) + 1,
            expected=f"{width} cells as in the header (line {header_line})",
            found=f"{len(cells)} cells")
    extra = [c for c in cells[width:] if not is_blank(c)]
    if extra:
        raise ParseError("the row has more cells than the header.", path=path,
                         line=line, column=width + 1,
                         expected=f"{width} cells as in the header (line {header_line})",
                         found=cell_text(extra[0]))


def _no_rows(t: Table, h: int, path: Path) -> ParseError:
    return ParseError("the batch table has a header but no acquisition rows.", path=path,
                      line=t.lines[h] + 1, expected="at least one data row", found="end of file")


def _split_body(t: Table, h: int, width: int, value_cols: list[int], decimal: str | None,
                path: Path) -> _Body:
    """Rows split by the csv module or read from a worksheet, parsed cell by cell (quoted
    CSV, XLSX). This is the reference reading that :func:`_fast_body` must agree with."""
    body_idx = [i for i in range(h + 1, len(t.rows)) if any(not is_blank(c) for c in t.rows[i])]
    data = []
    for i in body_idx:
        r = t.rows[i]
        if len(r) < width and t.sheet is not None:  # workbooks do not store empty trailing cells
            r = r + [None] * (width - len(r))
        _row_checks(r, width, t.lines[i], t.lines[h], path)
        data.append(r[:width])
    if not data:
        raise _no_rows(t, h, path)
    grid = np.empty((len(data), width), dtype=object)
    grid[:] = data
    if decimal is None:
        decimal = detect_decimal(grid[:, value_cols].ravel()[:20000], t.delimiter)
    values = np.empty((len(data), len(value_cols)))
    flags = np.empty((len(data), len(value_cols)), dtype=object)
    for k, j in enumerate(value_cols):
        values[:, k], flags[:, k] = vector_numbers(grid[:, j], decimal)
    lines = [t.lines[i] for i in body_idx]
    where = np.array(lines, dtype=np.intp) if t.sheet is None \
        else np.array([t.where[i] for i in body_idx], dtype=object)
    codes, tokens = _token_codes(flags)
    return _Body({j: grid[:, j] for j in range(width)}, values, codes, lines, where, decimal,
                 tokens)


def _fast_body(t: Table, h: int, width: int, value_cols: list[int], decimal: str | None,
               path: Path) -> _Body | None:
    """The rows of a CSV without quote characters, read by pandas' C parser.

    Without quotes every text line is one row, so lines are checked (blank, short, long) as
    :func:`_split_body` checks rows, and the C parser turns the value columns into floats.
    Each token seen in the first rows (``<0.000``, ``N/A``) is given to the parser as a
    missing-value word of the value columns, so that they stay numeric; every cell the parser
    left missing or made infinite (``inf``) is then looked up in the text and gets
    :func:`parse_number`'s verdict on what is written there (an empty cell, a token). Flags
    are thus exactly those of the cell-by-cell reading (a property test compares the two). A
    value column holding another token comes back as text and is parsed cell by cell.
    ``None`` when the body has quotes or the file is a worksheet.
    """
    if t.text is None or h + 1 > len(t.rows):
        return None
    d = t.delimiter or ","
    start = t.lines[h + 1] - 1 if h + 1 < len(t.rows) else t.lines[h]  # first body line
    offset = 0  # of the first body line in the text (its end when there is none)
    for _ in range(start):
        nl = t.text.find("\n", offset)
        if nl < 0:
            offset = len(t.text)
            break
        offset = nl + 1
    if t.text.find('"', offset) >= 0:
        return None  # quoted cells may hold delimiters or line breaks: the csv module decides
    first = [r for r in t.rows[h + 1:h + 1 + _TOKEN_ROWS] if len(r) >= width]
    if decimal is None:
        decimal = detect_decimal([r[j] for r in first for j in value_cols], d)
    # the tokens written in the first rows (not numbers to float()): missing to the parser
    tokens = {""}
    for r in first:
        for j in value_cols:
            c = r[j]
            try:
                float(c if decimal == "." else c.replace(",", "."))
            except ValueError:
                tokens.add(c)
    # the body as it is, when every line has the header's cells and none is blank; else the
    # lines checked one by one (blank lines left out, empty extra cells cut)
    joined = t.text[offset:].rstrip("\n")
    data = joined.encode("utf-8")
    sep = _separators(data, d)
    lines = _regular_lines(data, joined, sep, width, d)
    if lines is None:
        body = t.text[offset:].split("\n")
        kept: list[int] = []
        for k, ln in enumerate(body):
            if _blank_line(ln, d):
                continue
            if ln.count(d) + 1 != width:
                cells_ = ln.split(d)
                _row_checks(cells_, width, start + k + 1, t.lines[h], path)
                body[k] = d.join(cells_[:width])  # its extra cells are empty: every row is as wide
            kept.append(k)
        if not kept:
            raise _no_rows(t, h, path)
        joined = "\n".join(body[k] for k in kept)
        data = joined.encode("utf-8")
        sep = _separators(data, d)
    else:
        kept = list(range(len(lines)))
    lines = [start + k + 1 for k in kept]
    n, nv = len(lines), len(value_cols)
    try:  # the value columns only: text columns are taken as written, below
        df = pd.read_csv(io.BytesIO(data), encoding="utf-8", sep=d, header=None,
                         names=list(range(width)), usecols=value_cols, keep_default_na=False,
                         na_values=sorted(tokens), skip_blank_lines=False, decimal=decimal,
                         quoting=csv.QUOTE_NONE, engine="c", low_memory=False, index_col=False)
    except (ValueError, pd.errors.ParserError):
        return None
    if len(df) != n or len(df.columns) != nv:
        return None
    # where each cell is: `width` separators per line (its delimiters and the line end)
    sep = np.append(sep, len(data))
    if len(sep) != n * width:
        return None
    ascii_text = len(data) == len(joined)  # byte offsets are then text offsets

    def written(rows_i: np.ndarray, j: np.ndarray | int) -> list[str]:
        """The cells at rows ``rows_i``, columns ``j``, as written."""
        flat = rows_i * width + j
        ends = sep[flat].tolist()
        starts = np.where(flat > 0, sep[flat - 1] + 1, 0).tolist()
        if ascii_text:
            return [joined[s:e] for s, e in zip(starts, ends, strict=True)]
        return [data[s:e].decode("utf-8") for s, e in zip(starts, ends, strict=True)]

    every = np.arange(n)

    def column(j: int) -> np.ndarray:
        ends = sep[every * width + j]
        starts = sep[every * width + j - 1] + 1 if j else np.append(0, sep[every[1:] * width - 1] + 1)
        if (ends == starts).all():  # an empty column (e.g. 'Sample', an unused 'Level')
            return np.full(n, None, dtype=object)
        c = np.array(written(every, j) + [None], dtype=object)[:-1]  # a 1-D array of str
        c[c == ""] = None
        return c

    value_set = set(value_cols)
    cells = {j: column(j) for j in range(width) if j not in value_set}
    flags = np.full((n, nv), -1, dtype=np.int32)  # codes into `found`
    found: dict[str, int] = {}

    def code(tokens_: Sequence[str | None]) -> np.ndarray:
        return np.array([-1 if t_ is None else found.setdefault(t_, len(found))
                         for t_ in tokens_], dtype=np.int32)

    numeric = [k for k, kind in enumerate(df.dtypes.tolist()) if kind.kind in "fiu"]
    if len(numeric) == nv:
        values = df.to_numpy(dtype=float, copy=True)  # written to below
    else:
        values = np.empty((n, nv))
        values[:, numeric] = df.iloc[:, numeric].to_numpy(dtype=float)
    odd = np.zeros((n, nv), dtype=bool)  # empty cells and tokens (missing to the parser), inf
    odd[:, numeric] = ~np.isfinite(values[:, numeric])
    for k in sorted(set(range(nv)) - set(numeric)):  # another token in the column (or text
        # the parser took for booleans): its cells as written, one by one
        values[:, k], col_flags = vector_numbers(column(value_cols[k]), decimal)
        own, distinct = pd.factorize(col_flags)  # None: -1
        flags[:, k] = np.append(code(distinct.tolist()), -1)[own]
    if odd.any():
        rows_i, cols_k = np.nonzero(odd)
        cell_codes, distinct = pd.factorize(
            np.array(written(rows_i, np.asarray(value_cols)[cols_k]) + [None], dtype=object)[:-1])
        verdicts = [(math.nan, None) if not w else parse_number(w, decimal)
                    for w in distinct.tolist()]
        values[rows_i, cols_k] = np.array([v for v, _ in verdicts], dtype=float)[cell_codes]
        flags[rows_i, cols_k] = code([f for _, f in verdicts])[cell_codes]
    return _Body(cells, values, flags, lines, np.array(lines, dtype=np.intp), decimal,
                 list(found))


def _stripped(cells: Sequence[object]) -> list[str]:
    """Each cell as stripped text ('' for an empty cell)."""
    return [c.strip() if type(c) is str else cell_text(c).strip()
            for c in (cells.tolist() if isinstance(cells, np.ndarray) else cells)]


def _separators(data: bytes, d: str) -> np.ndarray:
    """Positions of the delimiters and line ends in ``data`` (a body without quotes)."""
    a = np.frombuffer(data, dtype=np.uint8)
    return np.flatnonzero((a == ord(d)) | (a == 10))


def _blank_line(ln: str, d: str) -> bool:
    """A row of delimiters and white space only (no cell holds anything)."""
    stripped = ln.strip(d + " \t")
    return not stripped or (stripped[0].isspace() and not ln.replace(d, "").strip())


def _regular_lines(data: bytes, text: str, sep: np.ndarray, width: int,
                   d: str) -> np.ndarray | None:
    """The lines of a body (``data``, the UTF-8 of ``text``) when each has exactly
    ``width`` cells and none is blank, else ``None`` (they are then checked one by one).

    Per line, the delimiters are counted from the separator positions ``sep``; a line
    whose text outside its delimiters is short is tested with :func:`_blank_line`.
    """
    if not data:
        return None
    is_end = np.frombuffer(data, dtype=np.uint8)[sep] == 10
    ends_at = np.flatnonzero(is_end)  # in sep
    counts = np.diff(np.concatenate(([-1], ends_at, [len(sep)]))) - 1  # delimiters per line
    if not (counts == width - 1).all():
        return None
    line_end = np.append(sep[ends_at], len(data))
    line_start = np.concatenate(([0], sep[ends_at] + 1))
    a = np.frombuffer(data, dtype=np.uint8)
    seen = (a > 32) & (a < 127) & (a != ord(d))  # a visible ASCII character
    visible = np.logical_or.reduceat(seen, line_start)
    ascii_text = len(data) == len(text)
    for i in np.flatnonzero(~visible).tolist():  # few: delimiters and white space only
        s, e = int(line_start[i]), int(line_end[i])
        if _blank_line(text[s:e] if ascii_text else data[s:e].decode("utf-8"), d):
            return None
    return line_start


def _per_cell(cells: Sequence[object], fn: Any) -> list[Any]:
    """``[fn(c, k) for k, c in enumerate(cells)]``, calling ``fn`` on the first cell of each
    distinct value only (the others take its result): errors name that first cell's row."""
    first: dict[tuple[type, object], Any] = {}
    out = []
    for k, c in enumerate(cells.tolist() if isinstance(cells, np.ndarray) else cells):
        key = (type(c), c)
        try:
            r = first[key]
        except KeyError:
            r = first[key] = fn(c, k)
        except TypeError:  # an unhashable cell
            r = fn(c, k)
        out.append(r)
    return out


def _token_codes(flags: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """A matrix of raw tokens (``None``: no token) as codes into its distinct tokens (-1: none);
    only the cells holding a token are looked at."""
    codes = np.full(flags.shape, -1, dtype=np.int32)
    held = np.nonzero(pd.notna(flags))
    own, distinct = pd.factorize(flags[held])
    codes[held] = own
    return codes, [str(t) for t in distinct.tolist()]


def _flag_column(codes: np.ndarray, tokens: Sequence[str]) -> Any:
    """A column of raw tokens from their codes (-1: none): coded text, or an object column of
    ``None`` when no cell holds a token."""
    if not (codes >= 0).any():
        return none_column(len(codes))
    return coded_column(codes, tokens)


def _text_column(values: Sequence[object], codes: np.ndarray) -> Any:
    """``values[codes]`` as a coded text column, or as an object column of ``None`` when no
    value is given (pandas' own reading of such arrays, without scanning every cell)."""
    if all(v is None for v in values):
        return none_column(len(codes))
    return coded_text(values, codes)


def _pair_istd(df: pd.DataFrame, istd: Mapping[str, str], path: Path) -> pd.DataFrame:
    """Fill istd_signal/istd_channel from the ISTD rows of the same acquisition."""
    ist = df[df["is_istd"]]
    chans = list(dict.fromkeys(ist["channel"]))

    def find(target: str) -> str:
        t = str(target).strip()
        hits = [c for c in chans if c == t or c.startswith(t + " ") or c.replace(" (ISTD)", "") == t
                or re.sub(r"^\d+", "", c.split(" ")[0]) == t]
        if len(hits) != 1:
            raise ParseError(f"ISTD {target!r} is not one (and only one) ISTD of this file.",
                             path=path, expected=f"one of {', '.join(chans) or '(no ISTD columns)'}",
                             found=target)
        return hits[0]

    lookup = ist.set_index(["sequence", "channel"])["signal"]
    sig = df["istd_signal"].to_numpy(copy=True)
    ch = df["istd_channel"].to_numpy(copy=True)
    for key, target in istd.items():
        c = find(target)
        mask = (~df["is_istd"]) & ((df["analyte"] == key) | (df["channel"] == key))
        idx = np.flatnonzero(mask.to_numpy())
        seqs = df["sequence"].to_numpy()[idx]
        sig[idx] = lookup.reindex(list(zip(seqs, [c] * len(seqs), strict=True))).to_numpy()
        ch[idx] = c
    df = df.copy()
    df["istd_signal"] = sig
    df["istd_channel"] = ch
    return df
