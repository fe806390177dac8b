"""Varian Vista-PRO / ICP Expert long CSV (one row per solution × element line).

Layout (``../shared/fixtures/EXPORTS.md`` §2.7, checked against a real export): a header row
``Solution Label, Batch Label, Customer Id, Customer Label, Type, Element, Flags, Soln Conc,
Units, Corr Con, Units, Int, Internal Std, Date, Time, SD, RSD, IntSD, IntRSD, Act Wgt,
Act Vol, DF, NumReps, Replicates,,,`` — note the **duplicate** ``Units`` (each belongs to the
concentration column before it) and the replicate values spilling, as value/flag pairs,
into unnamed columns after ``Replicates``. Columns are found by name (without regard to case or spacing), so
their order may vary and optional ones may be missing; separators ``,``, ``;`` or
TAB, decimal points or commas. Without ``Corr Con``, ``reported`` is ``Soln Conc``
(and the run says so).

Mapping: ``signal`` = ``Int`` (``c/s``); ``reported`` = ``Corr Con`` (the concentration
corrected for weight, volume and dilution) with its ``Units``; ``measured`` = ``Soln Conc``
(in the measured solution); ``reported_flag`` joins every raw token of the row: the
``Flags`` cell (``uv``, ``x`` — meanings not documented by the vendor, kept verbatim) and any
non-numeric concentration (``-``). ``vendor_flags`` keeps the ``Flags`` cell alone.
``Type`` (``Blk``, ``Std``, ``Samp``, ``LCS``) maps through the vendor vocabulary;
``dilution`` = ``DF``; ``Internal Std`` (``-`` = none) goes to ``istd_channel``;
``Date`` + ``Time`` give ``acquired`` (day/month order decided for the whole column, or
``dayfirst=``; ambiguous columns keep ``acquired_raw`` and warn). Replicates are kept as
text (``replicates``, ``replicate_flags``, ``|``-separated).
"""

from __future__ import annotations

import re
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
    csv_table,
    dates_or_raw,
    detect_decimal,
    distinct_channels,
    unit_of,
    vector_numbers,
)
from labtox.run import Run

__all__ = ["INFO", "sniff", "read"]

INFO = ReaderInfo(
    name="varian-vista",
    vendor="Varian / Agilent",
    software="ICP Expert (Vista-PRO)",
    instruments=("ICP-OES",),
    extensions=("csv",),
    signature="a header row with 'Solution Label', 'Element' and 'Soln Conc' / 'Int' columns",
    priority=55,
)

_REQUIRED = ("Solution Label", "Element")
_KNOWN = ("Solution Label", "Batch Label", "Customer Id", "Customer Label", "Type", "Element",
          "Flags", "Soln Conc", "Units", "Corr Con", "Corr Conc", "Int", "Internal Std", "Date",
          "Time", "SD", "RSD", "IntSD", "IntRSD", "Act Wgt", "Act Vol", "DF", "NumReps",
          "Replicates")
_CANON = {re.sub(r"\s+", "", k).casefold(): k for k in _KNOWN}


def _canon(cell: object) -> str:
    """A header cell in the vendor's usual spelling (``Solution label`` → ``Solution Label``,
    ``Corr. Conc`` stays unknown); unknown names as written."""
    c = str(cell).strip()
    return _CANON.get(re.sub(r"\s+", "", c).casefold(), c)


def _is_header(cells: list[str]) -> bool:
    names = {_canon(c) for c in cells}
    return all(r in names for r in _REQUIRED) and bool(names & {"Soln Conc", "Int", "Corr Con",
                                                                  "Corr Conc"})


def sniff(head: Head) -> bool:
    """True when one of the first lines is a Vista-PRO header (names matched without regard
    to case or spacing; see module docstring)."""
    return header_line_in(head, ("solution", "element"), _is_header, n=20, anycase=True)


def read(path: str | PathLike[str], *, dayfirst: bool | None = None,
         delimiter: str | None = None) -> Run:
    """Read a Varian Vista-PRO / ICP Expert long CSV into a :class:`~labtox.run.Run`.

    Parameters
    ----------
    path
        The export.
    dayfirst
        Date style when the ``Date`` column cannot tell (``08/02/2016``).
    delimiter
        Separator; sniffed when ``None``.

    Raises
    ------
    ParseError
        No header; a row shorter than the header; a ``DF`` that is not a positive number.

    References
    ----------
    Varian Inc., *ICP Expert II software*, export to CSV; layout from a real export
    (``../shared/fixtures/EXPORTS.md`` §2.7; senaite.core VistaPro importer).

    Examples
    --------
    >>> from pathlib import Path
    >>> import labtox
    >>> from labtox.io import varian_vista
    >>> path = Path(labtox.__file__).parents[1] / "tests" / "data" / "varian_vista" / "vista_small.csv"
    >>> run = varian_vista.read(path)
    >>> m = run.measurements
    >>> print(m.loc[0, "channel"], m.loc[0, "signal"], m.loc[0, "reported_unit"])
    Pb 220.353 12.5 mg/kg
    """
    p = Path(path)
    t = csv_table(p, delimiter, ",;\t")
    h = next((i for i, r in enumerate(t.rows[:20]) if _is_header(r)), None)
    if h is None:
        first = next((r for r in t.rows if any(c.strip() for c in r)), [])
        raise ParseError("no Vista-PRO header row was found.", path=p,
                         line=t.lines[0] if t.lines else 1,
                         expected="a header with 'Solution Label', 'Element' and 'Soln Conc' "
                         "or 'Int'", found=(t.delimiter or ",").join(first)[:80] or "an empty file")
    header = [_canon(c) for c in t.rows[h]]
    col: dict[str, int] = {}
    unit_for: dict[str, int] = {}
    last_conc = None
    for j, name in enumerate(header):
        if name == "Units":
            if last_conc is not None and last_conc not in unit_for:
                unit_for[last_conc] = j
            continue
        if name and name not in col:
            col[name] = j
            if name in ("Soln Conc", "Corr Con", "Corr Conc"):
                last_conc = name
    if "Corr Conc" in col and "Corr Con" not in col:
        col["Corr Con"] = col["Corr Conc"]
        unit_for["Corr Con"] = unit_for.get("Corr Conc", -1)
    width = max(j for j, c in enumerate(header) if c) + 1
    rep_start = col.get("Replicates")

    body = [i for i in range(h + 1, len(t.rows)) if any(c.strip() for c in t.rows[i])]
    if not body:
        raise ParseError("the export has a header but no rows.", path=p, line=t.lines[h] + 1,
                         expected="at least one data row", found="end of file")
    full = max(len(header), max(len(t.rows[i]) for i in body))
    grid = []
    for i in body:
        r = t.rows[i]
        if len(r) < width:
            raise ParseError(
                "the row is shorter than the header: the file looks truncated or malformed.",
                path=p, line=t.lines[i], column=len(r) + 1,
                expected=f"at least {width} cells as in the header (line {t.lines[h]})",
                found=f"{len(r)} cells")
        grid.append(r + [""] * (full - len(r)))
    cols = list(zip(*grid, strict=True))  # column-wise, without a 2-D object array
    n = len(body)
    lines = [t.where[i] for i in body]
    warnings: list[str] = []

    def text(name: str) -> list[str] | None:
        return [c.strip() for c in cols[col[name]]] if name in col else None

    labels = text("Solution Label")
    elements = text("Element")
    resolver = AnalyteResolver()
    res = [resolver(e) if e else None for e in elements]
    for k, r in enumerate(res):
        if r is None:
            raise ParseError("the Element cell is empty.", path=p, line=t.lines[body[k]],
                             column="Element", expected="an element line such as 'Mn 257.610'",
                             found="an empty cell")

    vcols = [col[c] for c in ("Int", "Soln Conc", "Corr Con", "SD", "IntSD", "DF") if c in col]
    decimal = detect_decimal([x for j in vcols for x in cols[j]], t.delimiter)

    def nums(name: str) -> tuple[np.ndarray, np.ndarray]:
        if name not in col:
            return np.full(n, np.nan), np.full(n, None, dtype=object)
        return vector_numbers(cols[col[name]], decimal)

    sig, sig_f = nums("Int")
    corr, corr_f = nums("Corr Con")
    soln, soln_f = nums("Soln Conc")
    units = {k: [unit_of(c) for c in cols[j]] for k, j in unit_for.items() if j >= 0}
    rep, rep_unit = corr, units.get("Corr Con", [None] * n)
    if "Corr Con" not in col and "Soln Conc" in col:
        rep, rep_unit = soln, units.get("Soln Conc", [None] * n)
        warnings.append("no 'Corr Con' column: reported is the solution concentration "
                        "('Soln Conc'), not corrected for weight, volume or dilution")
    flags_cell = text("Flags") or [""] * n
    rflag = []
    for k in range(n):
        parts = [flags_cell[k]] + [f for f in (corr_f[k], soln_f[k]) if f is not None]
        parts = list(dict.fromkeys(x for x in parts if x))
        rflag.append("; ".join(parts) if parts else None)
    if "Int" not in col:
        sig, sig_f = (corr, corr_f) if "Corr Con" in col else (soln, soln_f)
        warnings.append("no Int column: the signal is the reported concentration")
    mapper = SampleTypeMapper()
    vtype = text("Type")
    if vtype is None:
        stype = ["unknown"] * n
        warnings.append("no Type column: sample types are 'unknown'")
    else:
        stype = mapper.map_all(list(vtype))
        warnings += mapper.warnings()
    dil, dil_f = nums("DF")
    for k in range(n):
        if dil_f[k] is not None or (np.isfinite(dil[k]) and dil[k] <= 0):
            raise ParseError("the dilution factor is not a positive number.", path=p,
                             line=t.lines[body[k]], column="DF", expected="a positive number",
                             found=cols[col["DF"]][k])
    acquired: list[str | None] = [None] * n
    acquired_raw = None
    date_rule = None
    if "Date" in col:
        stamps = [f"{d} {tm}".strip() for d, tm in
                  zip(text("Date"), text("Time") or [""] * n, strict=True)]
        acquired, acquired_raw, date_rule = dates_or_raw(
            stamps, dayfirst=dayfirst, path=p, column="Date", lines=[t.lines[i] for i in body],
            warnings=warnings)
    istd = text("Internal Std")
    istd_channel = [None if (c in ("", "-")) else c for c in istd] if istd else [None] * n
    reps, rep_flags = [""] * n, [""] * n
    if rep_start is not None:
        for k in range(n):
            cells = [c.strip() for c in grid[k][rep_start:]]
            vals = cells[0::2]
            fl = cells[1::2]
            while vals and not vals[-1] and (len(fl) < len(vals) or not fl[len(vals) - 1]):
                vals.pop()
            reps[k] = "|".join(vals)
            rep_flags[k] = "|".join(fl[: len(vals)]) if any(fl[: len(vals)]) else ""
    out = {
        "sequence": 0,
        "sample_id": labels,
        "sample_type": stype,
        "vendor_type": vtype,
        "analyte": [r[0] for r in res],
        "channel": distinct_channels(elements, res, warnings),
        "signal": sig,
        "signal_unit": "c/s",
        "istd_channel": istd_channel,
        "reported": rep,
        "reported_unit": rep_unit,
        "reported_flag": rflag,
        "measured": soln,
        "measured_unit": units.get("Soln Conc", [None] * n),
        "vendor_flags": [f or None for f in flags_cell],
        "dilution": dil,
        "acquired": acquired,
        "source_line": lines,
    }
    for name, key in (("SD", "reported_sd"), ("RSD", "reported_rsd"), ("IntSD", "signal_sd"),
                      ("IntRSD", "signal_rsd"), ("Act Wgt", "sample_mass"),
                      ("Act Vol", "sample_volume"), ("NumReps", "n_replicates")):
        if name in col:
            out[key] = nums(name)[0]
    for name, key in (("Batch Label", "batch_label"), ("Customer Id", "customer_id"),
                      ("Customer Label", "customer_label")):
        if name in col:
            out[key] = [c or None for c in text(name)]
    # columns labtox does not interpret are kept, as text, under their name
    for name, j in col.items():
        if name in _KNOWN or (rep_start is not None and j > rep_start):
            continue
        key = name if name.casefold() not in {k.casefold() for k in out} else f"{name} (export)"
        out[key] = [c.strip() or None for c in cols[j]]
    if rep_start is not None:
        out["replicates"] = reps
        out["replicate_flags"] = [f or None for f in rep_flags]
    if acquired_raw is not None:
        out["acquired_raw"] = acquired_raw
    df = pd.DataFrame(out)
    # one injection = consecutive rows of the same solution and time stamp
    key = pd.Series([f"{a}\x00{b}" for a, b in zip(labels, acquired_raw or acquired, strict=True)])
    df["sequence"] = (key != key.shift()).cumsum().to_numpy()
    empty = ~np.isfinite(df["signal"].to_numpy()) & df["reported_flag"].isna().to_numpy()
    if empty.any():
        warnings.append(f"{int(empty.sum())} row(s) have no intensity and no flag; they carry "
                        "no measurement and are not in the table")
        df = df[~empty].reset_index(drop=True)
    warnings += resolver.warnings()
    first = next((a for a in acquired if a), "")
    if df.empty:
        raise ParseError("the file holds no measurement: every value cell is empty.", path=p,
                         expected="at least one number or flag token", found="only empty cells")
    return Run.from_path(df, p, INFO.name, instrument="ICP-OES",
                         software="Varian ICP Expert (Vista-PRO)", acquired=first,
                         warnings=warnings, encoding=t.encoding, delimiter=t.delimiter,
                         decimal=decimal, header_line=t.where[h], date_rule=date_rule)
