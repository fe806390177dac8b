"""Thermo TraceFinder result exports: one CSV per compound, one row per injection.

Layout (``../shared/fixtures/EXPORTS.md`` section 3.8): UTF-8 with BOM, CRLF, ``,``; a header of
~60 columns (``Compound, RT, Type, Filename, Batch Order, Status, ..., Sample Type, Level,
Sample ID, Sample Name, ..., Height, Area, ..., Calculated Amt, Theoretical Amt, ...,
m/z (Expected), ..., Response Ratio, ISTD Amt, ISTD Response, ..., Active, Excluded, ...,
Final Units, PK, IR, IP, LS, FI, Confirm, ...``). ``N/F`` = peak not found, ``N/A`` = not
applicable. Files holding several compounds are read the same way.

Choices

- ``sample_id`` = ``Sample ID``, else ``Sample Name``, else ``Filename``; ``sequence`` =
  ``Batch Order`` (order of appearance when absent or not a number).
- ``signal`` = ``Area``; ``istd_signal`` = ``ISTD Response``; ``nominal`` = ``Theoretical Amt``;
  ``reported`` = ``Calculated Amt`` in ``Final Units``; ``level`` = ``Level``.
- ``channel`` = ``m/z (Expected)`` (with the adduct when given), else ``Channel``, else the
  compound name. ``Type`` ``Internal Standard`` marks ISTD rows (``is_istd``).
- ``N/F``, ``N/A`` and any text in the area or calculated-amount cells is kept in
  ``reported_flag``; the pass/fail columns (``PK, IR, IP, LS, FI, Confirm``) are kept in the
  extra column ``qc_flags`` (``"PK=Fail; Confirm=NotFound"``); ``Excluded`` and ``Active`` are
  extra boolean columns (an excluded standard is still a measurement).
"""

from __future__ import annotations

import csv
import math
import re
from os import PathLike
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd

from labtox.errors import ParseError
from labtox.io._chrom import (
    EMPTY,
    ChromResolver,
    column_key,
    detect_decimal,
    fast_number,
    header_rows,
    iso_dates,
    join_flags,
    unit_text,
)
from labtox.io._common import (
    Head,
    ReaderInfo,
    SampleTypeMapper,
    parse_bool,
    read_text,
)
from labtox.run import Run

__all__ = ["INFO", "sniff", "read"]

INFO = ReaderInfo(
    name="tracefinder",
    vendor="Thermo Fisher Scientific",
    software="TraceFinder",
    instruments=("LC-MS/MS", "GC-MS/MS", "LC-HRMS", "GC-HRMS"),
    extensions=("csv",),
    signature="TraceFinder header ('Compound', 'Filename', 'Sample Type', 'Area', "
              "'Calculated Amt')",
    priority=65,
)

_QC_FLAGS = ("PK", "IR", "IP", "LS", "FI", "Confirm")
# TraceFinder's column titles, and the spellings other versions and templates use
_ALIASES = {
    "Compound": ("Compound", "Compound Name", "Component Name"),
    "Filename": ("Filename", "File Name", "Raw File", "Raw File Name"),
    "Area": ("Area", "Peak Area"),
    "Calculated Amt": ("Calculated Amt", "Calculated Amount", "Calc Amt", "Calc. Amt",
                       "Amount"),
    "Theoretical Amt": ("Theoretical Amt", "Theoretical Amount", "Expected Amt",
                        "Expected Amount", "Exp Amt"),
    "Sample Type": ("Sample Type",),
    "Sample ID": ("Sample ID",),
    "Sample Name": ("Sample Name",),
    "Batch Order": ("Batch Order",),
    "Type": ("Type", "Compound Type"),
    "Final Units": ("Final Units", "Units", "Amount Units"),
    "ISTD Response": ("ISTD Response", "ISTD Area"),
    "Actual RT": ("Actual RT", "RT (min)", "Retention Time"),
    "Level": ("Level",),
    "m/z (Expected)": ("m/z (Expected)", "m/z Expected", "Expected m/z"),
    "Adduct": ("Adduct",),
    "Channel": ("Channel",),
    "Active": ("Active",),
    "Excluded": ("Excluded",),
}




def _columns(cells: list[str]) -> dict[str, int]:
    """Canonical column name -> index (first match of each alias, case and spaces ignored)."""
    at: dict[str, int] = {}
    for j, c in enumerate(cells):
        at.setdefault(column_key(c), j)
    col: dict[str, int] = {}
    for key, names in _ALIASES.items():
        j = next((at[column_key(n)] for n in names if column_key(n) in at), None)
        if j is not None:
            col[key] = j
    for k in _QC_FLAGS + ("Acquisition Date", "Acq Date", "Date Acquired"):
        if k not in col and column_key(k) in at:
            col[k] = at[column_key(k)]
    return col


def _header(line: str) -> tuple[list[str], str] | None:
    """Header cells and delimiter when ``line`` is a TraceFinder result header."""
    line = line.lstrip("\ufeff")
    flat = column_key(line)  # every normalised cell is a part of it: a quick no for other tables
    if "area" not in flat or ("compound" not in flat and "componentname" not in flat):
        return None
    for d in (",", ";", "\t"):
        if d not in line:
            continue
        try:
            cells = [c.strip() for c in next(csv.reader([line], delimiter=d))]
        except (StopIteration, csv.Error):
            continue
        col = _columns(cells)
        if all(k in col for k in ("Compound", "Filename", "Area")) and (
                "Calculated Amt" in col or "Sample Type" in col):
            return cells, d
    return None


def _find(lines: list[str], n: int = 10) -> tuple[int, list[str], str] | None:
    for i, ln in enumerate(lines[:n]):
        found = _header(ln)
        if found is not None:
            return i, found[0], found[1]
    return None


def sniff(head: Head) -> bool:
    """True when one of the first 10 lines is a TraceFinder result header."""
    return bool(head.lines) and _find(head.lines) is not None


def read(path: str | PathLike[str], *, dayfirst: bool | None = None, **options: Any) -> Run:
    """Read a TraceFinder compound result CSV into a :class:`~labtox.run.Run`.

    Parameters
    ----------
    path
        The CSV export.
    dayfirst
        Date style of an acquisition-date column, when the export has one.

    Raises
    ------
    ParseError
        Not a TraceFinder export, rows with a different number of cells, malformed booleans.

    References
    ----------
    Thermo Fisher Scientific, *TraceFinder 5.1 User Guide* (XCALI-98267), "Exporting data".
    Layout as in ``../shared/fixtures/EXPORTS.md`` 3.8.

    Examples
    --------
    >>> from labtox.io import tracefinder
    >>> run = tracefinder.read("tests/data/tracefinder/pcb153.csv")  # doctest: +SKIP
    """
    p = Path(path)
    text, encoding = read_text(p)
    lines = text.split("\n")
    found = _find(lines)
    if found is None:
        raise ParseError("this is not a TraceFinder result export.", path=p, line=1,
                         expected=INFO.signature, found=lines[0][:80] if lines else "")
    h, header, delim = found
    col = _columns(header)
    _, rows = header_rows("\n".join(lines[h:]), p, delim, what="one row per injection")
    rows = [(ln + h, r) for ln, r in rows]
    if h:
        ctx_pre = [ln for ln in lines[:h] if ln.strip()]
    else:
        ctx_pre = []
    ctx = SimpleNamespace(path=p, dayfirst=dayfirst, warnings=[])
    if ctx_pre:
        ctx.warnings.append(f"{len(ctx_pre)} line(s) above the header were not read as "
                            "results (report title / notes)")
    types, resolver = SampleTypeMapper(), ChromResolver()

    def get(r: list[str], name: str) -> str:
        j = col.get(name)
        return r[j].strip() if j is not None else ""

    jacq = next((col[n] for n in ("Acquisition Date", "Acq Date", "Date Acquired") if n in col),
                None)
    decimal = "."
    if delim != ",":  # a ';' or TAB re-save on a decimal-comma Windows prints '1234,5'
        decimal, note = detect_decimal(
            (r[col[k]] for _, r in rows[:500]
             for k in ("Area", "Calculated Amt", "Theoretical Amt", "ISTD Response") if k in col),
            prefer="," if delim == ";" else None)
        if note:
            ctx.warnings.append(note)

    def num(cell: str) -> tuple[float, str | None]:
        return fast_number(cell, decimal)

    acq = (iso_dates(ctx, [r[jacq].strip() for _, r in rows], [ln for ln, _ in rows],
                     header[jacq]) if jacq is not None else [None] * len(rows))
    if "Sample Type" not in col:
        ctx.warnings.append("the export has no 'Sample Type' column: every injection is taken "
                            "as a sample")
    order: dict[str, int] = {}
    records = []
    for (line, r), acquired in zip(rows, acq, strict=True):
        compound = get(r, "Compound")
        if not compound:
            raise ParseError("a row has no compound name.", path=p, line=line,
                             column="Compound", expected="a compound name", found="")
        analyte, channel, is_istd = resolver(compound)
        ctype = get(r, "Type")
        is_istd = is_istd or bool(re.search(r"internal standard|\bISTD\b", ctype, re.I))
        filename = get(r, "Filename")
        bo = get(r, "Batch Order")
        seq = int(bo) if bo.isdigit() else order.setdefault(filename, len(order) + 1)
        mz, adduct = get(r, "m/z (Expected)"), get(r, "Adduct")
        if mz and num(mz)[1] is None:
            channel = f"{mz} ({adduct})" if adduct and adduct not in ("N/A", "N/F") else mz
        elif get(r, "Channel"):
            channel = get(r, "Channel")
        area = get(r, "Area")
        signal, sflag = num(area)
        reported, rflag = num(get(r, "Calculated Amt"))
        nominal = num(get(r, "Theoretical Amt"))[0]
        unit = unit_text(get(r, "Final Units"))
        vendor_type = get(r, "Sample Type")
        qc = [f"{k}={get(r, k)}" for k in _QC_FLAGS if get(r, k) not in ("", "N/A")]
        flags = {}
        for k in ("Active", "Excluded"):
            v = get(r, k)
            flags[k.lower()] = (parse_bool(v, path=p, line=line, column=header[col[k]])
                                if v and v not in ("N/A", "N/F") else None)
        records.append({
            "sequence": seq,
            "sample_id": get(r, "Sample ID") or get(r, "Sample Name") or filename,
            "sample_type": types(vendor_type, default="sample"),
            "vendor_type": vendor_type or None, "analyte": analyte, "channel": channel,
            "signal": signal, "signal_unit": "area",
            "istd_signal": num(get(r, "ISTD Response"))[0],
            "nominal": nominal, "nominal_unit": unit if not math.isnan(nominal) else None,
            "level": get(r, "Level") or None, "acquired": acquired,
            "reported": reported, "reported_unit": unit,
            "reported_flag": join_flags(sflag if area else EMPTY, rflag),
            "source_line": str(line), "data_file": filename, "is_istd": is_istd,
            "compound": compound,
            "sample_name": get(r, "Sample Name") or None,
            "retention_time": num(get(r, "Actual RT"))[0],
            "qc_flags": "; ".join(qc) or None, **flags,
        })
    df = pd.DataFrame.from_records(records)
    return Run.from_path(df, p, INFO.name, software=INFO.software,
                         acquired=next((a for a in acq if a), ""),
                         warnings=ctx.warnings + types.warnings() + resolver.warnings(),
                         encoding=encoding, compounds=list(dict.fromkeys(df["analyte"])))
