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
    fast_number,
    header_rows,
    iso_dates,
    join_flags,
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

_REQUIRED = ("Compound", "Filename", "Area")
_QC_FLAGS = ("PK", "IR", "IP", "LS", "FI", "Confirm")


def _header(line: str) -> list[str] | None:
    try:
        cells = [c.strip() for c in next(csv.reader([line.lstrip("\ufeff")]))]
    except (StopIteration, csv.Error):
        return None
    if all(c in cells for c in _REQUIRED) and ("Calculated Amt" in cells
                                               or "Sample Type" in cells):
        return cells
    return None


def sniff(head: Head) -> bool:
    """True when the first line is a TraceFinder result header."""
    return bool(head.lines) and _header(head.lines[0]) is not None


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
    header = _header(lines[0]) if lines else None
    if header is None:
        raise ParseError("this is not a TraceFinder result export.", path=p, line=1,
                         expected=INFO.signature, found=lines[0][:80] if lines else "")
    col = {h: j for j, h in reversed(list(enumerate(header))) if h}
    _, rows = header_rows(text, p, ",", what="one row per injection")
    ctx = SimpleNamespace(path=p, dayfirst=dayfirst, warnings=[])
    types, resolver = SampleTypeMapper(), ChromResolver()

    def get(r: list[str], name: str) -> str:
        j = col.get(name)
        return r[j].strip() if j is not None else ""

    jacq = next((col[n] for n in ("Acquisition Date", "Acq Date", "Date Acquired") if n in col),
                None)
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
        if mz and fast_number(mz)[1] is None:
            channel = f"{mz} ({adduct})" if adduct and adduct not in ("N/A", "N/F") else mz
        elif get(r, "Channel"):
            channel = get(r, "Channel")
        area = get(r, "Area")
        signal, sflag = fast_number(area)
        reported, rflag = fast_number(get(r, "Calculated Amt"))
        nominal = fast_number(get(r, "Theoretical Amt"))[0]
        unit = get(r, "Final Units") or None
        vendor_type = get(r, "Sample Type")
        qc = [f"{k}={get(r, k)}" for k in _QC_FLAGS if get(r, k) not in ("", "N/A")]
        flags = {}
        for k in ("Active", "Excluded"):
            v = get(r, k)
            flags[k.lower()] = parse_bool(v, path=p, line=line, column=k) if v else None
        records.append({
            "sequence": seq,
            "sample_id": get(r, "Sample ID") or get(r, "Sample Name") or filename,
            "sample_type": types(vendor_type, default="sample"),
            "vendor_type": vendor_type or None, "analyte": analyte, "channel": channel,
            "signal": signal, "signal_unit": "area",
            "istd_signal": fast_number(get(r, "ISTD Response"))[0],
            "nominal": nominal, "nominal_unit": unit if not math.isnan(nominal) else None,
            "level": get(r, "Level") or None, "acquired": acquired,
            "reported": reported, "reported_unit": unit,
            "reported_flag": join_flags(sflag if area else EMPTY, rflag),
            "source_line": str(line), "data_file": filename, "is_istd": is_istd,
            "sample_name": get(r, "Sample Name") or None,
            "retention_time": fast_number(get(r, "Actual RT"))[0],
            "qc_flags": "; ".join(qc) or None, **flags,
        })
    df = pd.DataFrame.from_records(records)
    return Run.from_path(df, p, INFO.name, software=INFO.software,
                         acquired=next((a for a in acq if a), ""),
                         warnings=ctx.warnings + types.warnings() + resolver.warnings(),
                         encoding=encoding, compounds=list(dict.fromkeys(df["analyte"])))
