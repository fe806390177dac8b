"""PerkinElmer WinLab32-style long CSV or XLSX (ICP-OES Optima/Avio results export).

Layout (``../shared/fixtures/EXPORTS.md`` §2.8, checked against a real export): one row per
sample × analyte line; header ``Sample ID, Analyte Name, Date, Time, Elem, Wavelength,
Int (Corr), RSD (Corr Int), Conc (Calib), Conc (Samp), Reported Conc (Calib),
Reported Conc (Samp), RSD (Conc), Corr Coef`` and, per replicate N, ``Repl NoN, DateN,
TimeN, Int (Net)N, Int (Corr)N, Conc (Calib)N, Conc (Samp)N``. **Empty cells are a single
space.** The same table saved as an ``.xlsx`` workbook is read from its first sheet with
the header (date and time cells as written). Columns are found by name, without regard to
case or spacing (``Sample Id``), in any order, with ``,``, ``;`` or TAB separators and
decimal points or commas; shorter variants (``Sample ID, Analyte Name, Date, Time,
Reported Conc (Calib), Units (Samp)``) read too.

Mapping: ``signal`` = ``Int (Corr)`` (``cps``); ``reported`` = ``Reported Conc (Samp)``, else
``Conc (Samp)``, else the calibration-unit concentration; ``measured`` = ``Conc (Calib)``
(or ``Reported Conc (Calib)``); ``reported_unit`` from the units column of the reported
concentration's own kind (``Units (Samp)`` for sample units, ``Units (Calib)`` for
calibration units), else ``Units`` (the full export has none: the run says so). An exported
``Sample Type``/``Type`` column gives the sample type through the vendor vocabulary.
Replicate corrected intensities are kept as ``|``-separated text in ``replicates``. Without
a type column, sample types come from the label words (rule of
:func:`labtox.io._tables.label_sample_type`; no type word → sample, listed in the warnings). One injection = consecutive rows of the same Sample ID and time stamp.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from datetime import time as dtime
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from labtox.errors import ParseError
from labtox.io._common import (
    AnalyteResolver,
    Head,
    ReaderInfo,
    SampleTypeMapper,
    header_line_in,
)
from labtox.io._tables import (
    Table,
    cell_text,
    csv_table,
    dates_or_raw,
    defaulted_types_note,
    detect_decimal,
    distinct_channels,
    label_sample_type,
    sheet_table,
    unit_of,
    vector_numbers,
    xlsx_workbook,
)
from labtox.run import Run

__all__ = ["INFO", "sniff", "read"]

INFO = ReaderInfo(
    name="winlab32",
    vendor="PerkinElmer",
    software="WinLab32 / Syngistix (CSV results)",
    instruments=("ICP-OES",),
    extensions=("csv", "txt", "xlsx"),
    signature="a header row with 'Sample ID', 'Analyte Name' and 'Int (Corr)' or "
    "'Reported Conc' columns",
    priority=55,
)

_VALUE_COLS = ("Int (Corr)", "Reported Conc (Samp)", "Reported Conc (Calib)", "Conc (Samp)",
               "Conc (Calib)")


_KNOWN = ("Sample ID", "Analyte Name", "Date", "Time", "Elem", "Wavelength", "Int (Corr)",
          "Int (Net)", "RSD (Corr Int)", "Conc (Calib)", "Conc (Samp)", "Reported Conc (Calib)",
          "Reported Conc (Samp)", "RSD (Conc)", "Corr Coef", "Units", "Units (Samp)",
          "Units (Calib)", "Sample Units", "Calib Units", "Sample Type", "Type", "Repl No",
          "Sample Description", "Description", "Method Name")
_CANON = {re.sub(r"\s+", "", k).casefold(): k for k in _KNOWN}
_CANON["sampleid"] = "Sample ID"


def _canon(cell: object) -> str:
    """A header cell in labtox's spelling (``Sample Id`` → ``Sample ID``, ``INT (CORR)`` →
    ``Int (Corr)``, replicate suffixes kept: ``int (corr)2`` → ``Int (Corr)2``); unknown
    names as written."""
    c = str(cell).strip()
    m = re.match(r"^(.*?\D)(\d*)$", c)
    base, num = (m[1], m[2]) if m else (c, "")
    k = _CANON.get(re.sub(r"\s+", "", base).casefold())
    return f"{k}{num}" if k else c


def _is_header(cells: list[str]) -> bool:
    names = {_canon(c) for c in cells}
    return "Sample ID" in names and "Analyte Name" in names and bool(names & set(_VALUE_COLS))


def _text(c: object) -> str:
    """A workbook cell as the text a CSV export would hold (a date without time as
    ``2024-03-21``, a time as ``10:02:11``)."""
    if isinstance(c, datetime) and c.time() == dtime(0):
        return c.date().isoformat()
    if isinstance(c, (date, dtime)) and not isinstance(c, datetime):
        return c.isoformat()
    return cell_text(c)


def _workbook_table(p: Path) -> Table:
    """The first worksheet holding a results header, as text rows (``Sheet!R<n>`` positions)."""
    wb = xlsx_workbook(p)
    try:
        first = None
        for ws in wb.worksheets:
            t = sheet_table(ws)
            width = max((len(r) for r in t.rows), default=0)
            # a worksheet drops trailing empty cells: pad, a workbook row is never truncated
            t.rows = [[_text(c) for c in r] + [""] * (width - len(r)) for r in t.rows]
            first = first or t
            if any(_is_header(r) for r in t.rows[:20]):
                return t
        return first or Table([], [], [])
    finally:
        wb.close()


def sniff(head: Head) -> bool:
    """True when one of the first lines is a WinLab32 results header (names matched without
    regard to case or spacing)."""
    if head.is_zip:
        return any(_is_header([_text(c) for c in r]) for rows in head.xlsx_sheets.values()
                   for r in rows[:20])
    return header_line_in(head, ("sample", "analyte name"), _is_header, n=20, anycase=True)


def read(path: str | PathLike[str], *, dayfirst: bool | None = None,
         delimiter: str | None = None) -> Run:
    """Read a PerkinElmer WinLab32-style results CSV into a :class:`~labtox.run.Run`.

    Parameters
    ----------
    path
        The export.
    dayfirst
        Date style when the ``Date`` column cannot tell (``4/7/2023``).
    delimiter
        Separator; sniffed when ``None``.

    Raises
    ------
    ParseError
        No header; a row shorter than the header.

    References
    ----------
    PerkinElmer, *WinLab32 for ICP-OES*, results export to CSV; layout from a real export
    (``../shared/fixtures/EXPORTS.md`` §2.8; HemingYHM/ICPOESDP).

    Examples
    --------
    >>> from pathlib import Path
    >>> import labtox
    >>> from labtox.io import winlab32
    >>> path = Path(labtox.__file__).parents[1] / "tests" / "data" / "winlab32" / "optima_small.csv"
    >>> run = winlab32.read(path)
    >>> m = run.measurements
    >>> print(m.loc[0, "channel"], m.loc[0, "signal"], m.loc[0, "sample_type"])
    Pb 220.353 35.5 calibration_blank
    """
    p = Path(path)
    with open(p, "rb") as fh:
        is_zip = fh.read(4) == b"PK\x03\x04"
    t = _workbook_table(p) if is_zip else csv_table(p, delimiter, ",;\t")
    h = next((i for i, r in enumerate(t.rows[:20]) if _is_header(r)), None)
    if h is None:
        first = next((r for r in t.rows if any(c.strip() for c in r)), [])
        raise ParseError("no WinLab32 results header was found.", path=p,
                         line=t.lines[0] if t.lines else 1,
                         expected="a header with 'Sample ID', 'Analyte Name' and 'Int (Corr)' or "
                         "'Reported Conc (...)'",
                         found=(t.delimiter or ",").join(first)[:80] or "an empty file")
    header = [_canon(c) for c in t.rows[h]]
    col = {}
    for j, c in enumerate(header):
        if c and c not in col:
            col[c] = j
    width = max(j for j, c in enumerate(header) if c) + 1
    body = [i for i in range(h + 1, len(t.rows)) if any(c.strip() for c in t.rows[i])]
    if not body:
        raise ParseError("the export has a header but no rows.", path=p, line=t.lines[h] + 1,
                         expected="at least one data row", found="end of file")
    # replicate blocks (Repl NoN ... Conc (Samp)N) may be fewer than the header has
    reps = [j for j, c in enumerate(header) if re.fullmatch(r"Repl No\d+", c)]
    base = reps[0] if reps else width
    block = (reps[1] - reps[0]) if len(reps) > 1 else (width - base)
    grid = []
    for i in body:
        r = t.rows[i]
        short = len(r) < base or (len(r) < width and block and (len(r) - base) % block)
        if short:
            raise ParseError(
                "the row is shorter than the header: the file looks truncated or malformed.",
                path=p, line=t.lines[i], column=len(r) + 1,
                expected=f"{base} cells plus whole replicate blocks of {block} "
                f"(header, line {t.lines[h]}: {width} cells)" if reps else
                f"{width} cells as in the header (line {t.lines[h]})",
                found=f"{len(r)} cells")
        grid.append((r + [""] * width)[:width])
    g = np.array(grid, dtype=object)
    n = len(body)
    warnings: list[str] = []

    def text(name: str) -> list[str] | None:
        return [c.strip() for c in g[:, col[name]]] if name in col else None

    vcols = [col[c] for c in col if c.startswith(("Int (", "Conc (", "Reported Conc", "RSD"))]
    decimal = detect_decimal(g[:, vcols].ravel(), t.delimiter) if vcols else "."

    def nums(name: str) -> tuple[np.ndarray, np.ndarray] | None:
        return vector_numbers(g[:, col[name]], decimal) if name in col else None

    ids = text("Sample ID")
    resolver = AnalyteResolver()
    res = []
    for k, a in enumerate(text("Analyte Name")):
        if not a:
            raise ParseError("the Analyte Name cell is empty.", path=p, line=t.lines[body[k]],
                             column="Analyte Name", expected="an analyte such as 'Pb 220.353'",
                             found="an empty cell")
        res.append(resolver(a))
    # the first concentration column the export filled (sample units when set up, else
    # calibration units)
    cands = [c for c in ("Reported Conc (Samp)", "Conc (Samp)", "Reported Conc (Calib)",
                         "Conc (Calib)") if c in col]
    rep_name = next((c for c in cands if any(x.strip() for x in g[:, col[c]])),
                    cands[0] if cands else None)
    meas_name = next((c for c in ("Conc (Calib)", "Reported Conc (Calib)") if c in col
                      and c != rep_name), None)
    none = (np.full(n, np.nan), np.full(n, None, dtype=object))
    rv, rf = nums(rep_name) if rep_name else none
    mv, _mf = nums(meas_name) if meas_name else none
    if "Int (Corr)" in col:
        sv, sf = nums("Int (Corr)")
        sunit = "cps"
    else:
        sv, sf = rv, rf
        sunit = None
        warnings.append(f"no 'Int (Corr)' column: the signal is {rep_name!r}")
    # the unit column that belongs to the reported concentration (sample or calibration
    # units), else a single 'Units' column
    samp = rep_name is not None and rep_name.endswith("(Samp)")
    own = ("Units (Samp)", "Sample Units") if samp else ("Units (Calib)", "Calib Units")
    other = ("Units (Calib)", "Calib Units") if samp else ("Units (Samp)", "Sample Units")
    unit_col = next((c for c in (*own, "Units") if c in col), None)
    if unit_col is None:
        unit_col = next((c for c in other if c in col), None)
        if unit_col is not None:
            warnings.append(f"reported_unit is taken from {unit_col!r} although the reported "
                            f"value is {rep_name!r}: check the export")
    runit = [unit_of(u) for u in text(unit_col)] if unit_col else [None] * n
    if unit_col is None:
        warnings.append("the export has no units column: reported_unit is empty (take the unit "
                        "from the method)")
    mcol = next((c for c in ("Units (Calib)", "Calib Units") if c in col), None)
    munit = [unit_of(u) for u in text(mcol)] if mcol and meas_name else None
    if sunit is None:
        sunit = [u or "unknown" for u in runit]
    # every raw token kept: the concentration's, then the intensity's
    flag = rf.copy()
    take = pd.isna(flag) & ~pd.isna(sf)
    flag[take] = sf[take]
    both = ~pd.isna(rf) & ~pd.isna(sf) & (rf != sf)
    if both.any():
        flag[both] = [f"{a}; {b}" for a, b in zip(rf[both], sf[both], strict=True)]
    labels = [f"injection {k + 1}" if not s else s for k, s in enumerate(ids)]
    stype, vtype, defaulted = [], [], []
    mapper = SampleTypeMapper()
    type_col = next((c for c in ("Sample Type", "Type") if c in col), None)
    if type_col is not None:  # an exported type column wins over the label words
        vtype = [v or None for v in text(type_col)]
        stype = mapper.map_all(list(vtype))
        warnings += mapper.warnings()
    else:
        for lab in labels:
            typ, word = label_sample_type(lab)
            stype.append(typ)
            vtype.append(word)
            if word is None:
                defaulted.append(lab)
    stamps = [f"{d} {tm}".strip() for d, tm in zip(text("Date") or [""] * n,
                                                   text("Time") or [""] * n, strict=True)]
    acquired: list[str | None] = [None] * n
    acquired_raw = None
    date_rule = None
    if "Date" in col:
        acquired, acquired_raw, date_rule = dates_or_raw(
            stamps, dayfirst=dayfirst, path=p, column="Date", lines=[t.lines[i] for i in body],
            warnings=warnings)
    rep_cols = sorted((int(m[1]), j) for c, j in col.items()
                      if (m := re.fullmatch(r"Int \(Corr\)(\d+)", c)))
    out = {
        "sample_id": labels, "sample_type": stype, "vendor_type": vtype,
        "analyte": [r[0] for r in res], "channel": distinct_channels(text("Analyte Name"), res, warnings),
        "signal": sv, "signal_unit": sunit, "reported": rv, "reported_unit": runit,
        "reported_flag": flag, "measured": mv, "measured_unit": munit, "acquired": acquired,
        "source_line": [t.where[i] for i in body],
    }
    for name, key in (("RSD (Corr Int)", "signal_rsd"), ("RSD (Conc)", "reported_rsd"),
                      ("Corr Coef", "corr_coef")):
        if name in col:
            out[key] = nums(name)[0]
    # columns before the replicate blocks that labtox does not interpret (Elem, Wavelength,
    # Int (Net), Description ...) are kept, as text, under their name
    consumed = {"Sample ID", "Analyte Name", "Date", "Time", "Int (Corr)", "RSD (Corr Int)",
                "RSD (Conc)", "Corr Coef", rep_name, meas_name, unit_col, mcol, type_col}
    taken = {k.casefold() for k in out}
    for name, j in col.items():
        if j >= base or name in consumed:
            continue
        key = name if name.casefold() not in taken else f"{name} (export)"
        out[key] = [c.strip() or None for c in g[:, j]]
    if rep_cols:
        out["replicates"] = ["|".join(g[k, j].strip() for _, j in rep_cols).rstrip("|")
                             for k in range(n)]
    if acquired_raw is not None:
        out["acquired_raw"] = acquired_raw
    df = pd.DataFrame(out)
    key = pd.Series([f"{a}\x00{b}" for a, b in zip(labels, stamps, strict=True)])
    df["sequence"] = (key != key.shift()).cumsum().to_numpy()
    empty = ~np.isfinite(df["signal"].to_numpy()) & df["reported_flag"].isna().to_numpy()
    if empty.any():
        warnings.append(f"{int(empty.sum())} row(s) have no value (cells are blank) and carry no "
                        "measurement; they are not in the table")
        df = df[~empty].reset_index(drop=True)
    warnings += defaulted_types_note(defaulted)
    warnings += resolver.warnings()
    first = next((a for a in acquired if a), "")
    if df.empty:
        raise ParseError("the file holds no measurement: every value cell is empty.", path=p,
                         expected="at least one number or flag token", found="only empty cells")
    return Run.from_path(df, p, INFO.name, instrument="ICP-OES", software="PerkinElmer WinLab32",
                         acquired=first, warnings=warnings, encoding=t.encoding,
                         delimiter=t.delimiter, decimal=decimal, header_line=t.where[h],
                         date_rule=date_rule)
