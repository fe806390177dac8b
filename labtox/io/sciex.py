"""SCIEX results tables (Analyst, MultiQuant, SCIEX OS): TAB-separated long tables, one row per
sample x component.

Two shapes are read (``../shared/fixtures/EXPORTS.md`` section 3.7):

- the **user-chosen column subset** (``Sample Name, Component Name, Area, Retention Time,
  Width at 50%, Signal / Noise``), with component names such as ``496.5 / 257.1`` (Q1 / Q3);
- the **Analyst "Results Table" export** (82 columns: ``Sample Name, Sample ID, Sample Type, ...,
  Acquisition Date, ..., Dilution Factor, ..., Analyte Peak Name, Analyte Units, Analyte Peak
  Area (counts), ..., Analyte Concentration (ng/mL), ..., IS Peak Name, ..., IS Peak Area
  (counts), ..., Calculated Concentration (ng/mL), Accuracy (%), ..., Use Record ...``), which may
  start with per-analyte preamble lines and repeat its header row. This layout is known from
  peer code only [peer]; it is supported from that description and a project fixture.

Choices

- ``analyte`` = ``Component Name`` / ``Analyte Peak Name``; Q1/Q3 names (``496.5 / 257.1``) are
  kept as written and are also the ``channel``; otherwise ``channel`` is ``Analyte Mass Ranges
  (Da)`` when exported.
- ``signal`` = ``Area`` / ``Analyte Peak Area (counts)`` (``signal_unit`` ``"counts"``);
  ``istd_signal`` = ``IS Area`` / ``IS Peak Area (counts)``, ``istd_channel`` = ``IS Peak Name``.
- ``nominal`` = ``Analyte Concentration`` / ``Actual Concentration`` on standards and QCs;
  ``reported`` = ``Calculated Concentration``; units come from the ``(ng/mL)`` in the column
  title or from ``Analyte Units``.
- ``sample_id`` = ``Sample Name`` (``Sample ID`` kept in the extra column ``sample_id_field``);
  an injection is identified by sample name, sample ID, file name and acquisition date; a
  component met twice for the same identity starts a new injection (re-injection).
- ``N/A``, ``No Peak``, ``< 0`` and any other text in the area or concentration cells are kept in
  ``reported_flag``. MultiQuant / SCIEX OS tables (``Component Name, IS Name, IS, Actual
  Concentration, Area, IS Area, Calculated Concentration, Concentration Units, Used``) read the
  same way: ``IS`` = TRUE marks internal standards, ``Used`` goes to ``use_record``.
- The table may also come re-saved as ``,`` or ``;`` separated text; decimal commas are detected
  from the numbers (``decimal=`` forces the mark). Preamble lines and repeated header rows are skipped and counted in
  ``metadata``; a data row with fewer cells than the header raises ``ParseError``.
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
    detect_decimal,
    fast_number,
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
    name="sciex",
    vendor="SCIEX",
    software="Analyst / MultiQuant / SCIEX OS",
    instruments=("LC-MS/MS",),
    extensions=("txt", "tsv"),
    signature="TAB header with 'Sample Name' and 'Component Name' or 'Analyte Peak Name'",
    priority=60,
)

_ANALYTE = ("Component Name", "Analyte Peak Name", "Analyte Name")
_SIGNAL = ("Area", "Analyte Peak Area")
_ALIASES = {
    "sample": ("Sample Name",),
    "sample_id": ("Sample ID",),
    "type": ("Sample Type",),
    "file": ("File Name", "Data File"),
    "acquired": ("Acquisition Date", "Acquisition Date & Time", "Acquisition Time"),
    "dilution": ("Dilution Factor",),
    "analyte": _ANALYTE,
    "signal": _SIGNAL,
    "istd_signal": ("IS Area", "IS Peak Area"),
    "istd_name": ("IS Peak Name", "IS Name"),
    "nominal": ("Analyte Concentration", "Actual Concentration", "Expected Concentration"),
    "reported": ("Calculated Concentration",),
    "units": ("Analyte Units", "Concentration Units", "Units", "Component Units"),
    "is_flag": ("IS",),
    "rt": ("Retention Time", "Analyte Retention Time"),
    "mass": ("Analyte Mass Ranges", "Mass Info"),
    "use": ("Use Record", "Used"),
}
_NOMINAL_TYPES = {"calibration", "calibration_blank", "qc", "ccv", "icv", "spike"}
_Q1Q3 = re.compile(r"^\s*\d+(?:\.\d+)?\s*/\s*\d+(?:\.\d+)?\s*$")


def _split(line: str, delim: str = "\t") -> list[str]:
    if delim == "\t":
        return line.rstrip("\r").split("\t")
    try:
        return next(csv.reader([line.rstrip("\r")], delimiter=delim))
    except (StopIteration, csv.Error):
        return line.split(delim)


def _find_header(lines: list[str], n: int) -> tuple[int, str] | None:
    """The index of the results-table header among the first ``n`` lines and its delimiter:
    TAB (the SCIEX export), else ``,`` or ``;`` (the same table re-saved from Excel)."""
    for d in ("\t", ",", ";"):
        for i, ln in enumerate(lines[:n]):  # "Sample Name" in the line: a quick no otherwise
            if d in ln and "Sample Name" in ln and _is_header(_split(ln, d)):
                return i, d
    return None


def _title(cell: str) -> tuple[str, str | None]:
    """``"Analyte Peak Area (counts)"`` -> ``("Analyte Peak Area", "counts")``."""
    m = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", cell.strip())
    return (m.group(1).strip(), m.group(2).strip()) if m else (cell.strip(), None)


def _is_header(cells: list[str]) -> bool:
    names = {_title(c)[0] for c in cells}
    return "Sample Name" in names and any(a in names for a in _ANALYTE)


def sniff(head: Head) -> bool:
    """True when one of the first 60 lines is a SCIEX results-table header."""
    return bool(head.text) and _find_header(head.lines, 60) is not None


def read(path: str | PathLike[str], *, dayfirst: bool | None = None,
         conc_unit: str | None = None, decimal: str | None = None, **options: Any) -> Run:
    """Read a SCIEX results table (TXT, TAB-separated) into a :class:`~labtox.run.Run`.

    Parameters
    ----------
    path
        The exported text file.
    dayfirst
        Date style of ``Acquisition Date`` when the column cannot tell.
    conc_unit
        Unit of the concentrations when neither the column titles nor ``Analyte Units`` say.
    decimal
        ``","`` or ``"."``; detected from the numbers when ``None``.

    Raises
    ------
    ParseError
        No results-table header, or a data row shorter than the header (truncated file).

    References
    ----------
    SCIEX, *Analyst Software Reference Guide* (RUO-IDV-05-0290), "Results Table: export";
    *MultiQuant Software Reference Guide*. Layout as in ``../shared/fixtures/EXPORTS.md`` 3.7.

    Examples
    --------
    >>> from labtox.io import sciex
    >>> run = sciex.read("tests/data/sciex/analyst_results_table.txt")  # doctest: +SKIP
    """
    p = Path(path)
    text, encoding = read_text(p)
    lines = text.split("\n")
    found = _find_header(lines, 200)
    if found is None:
        raise ParseError("this is not a SCIEX results table.", path=p, line=1,
                         expected=INFO.signature, found=lines[0][:80] if lines else "")
    h, delim = found
    header = _split(lines[h], delim)
    titles = [_title(c) for c in header]
    col: dict[str, int] = {}
    units: dict[str, str | None] = {}
    for key, names in _ALIASES.items():
        j = next((j for j, (t, _) in enumerate(titles) if t in names), None)
        if j is not None:
            col[key], units[key] = j, titles[j][1]
    if "signal" not in col:
        raise ParseError("the results table has no Area column.", path=p, line=h + 1,
                         expected="'Area' or 'Analyte Peak Area (counts)'",
                         found="\t".join(header[:8]))
    ncol = len(header)
    ctx = SimpleNamespace(path=p, dayfirst=dayfirst, warnings=[])
    preamble, repeats = h, 0
    data: list[tuple[int, list[str]]] = []
    for idx in range(h + 1, len(lines)):
        ln = lines[idx]
        if not ln.strip():
            continue
        cells = _split(ln, delim)
        if "Sample Name" in ln and _is_header(cells):
            repeats += 1
            continue
        if len(cells) < ncol:
            if len(cells) * 2 < ncol and ncol > 4:  # a preamble / note line between blocks
                preamble += 1
                continue
            raise ParseError("the row has fewer cells than the header (truncated file?).",
                             path=p, line=idx + 1, column=len(cells) + 1,
                             expected=f"{ncol} cells", found=f"{len(cells)} cells")
        data.append((idx + 1, cells))
    if not data:
        raise ParseError("the results table has a header but no rows.", path=p, line=h + 2,
                         expected="one row per sample x component", found="end of file")
    if preamble:
        ctx.warnings.append(f"{preamble} preamble/note line(s) outside the table were skipped")
    if "type" not in col:
        ctx.warnings.append("the table has no 'Sample Type' column: every injection is taken "
                            "as a sample")
    types, resolver = SampleTypeMapper(), ChromResolver()

    def get(r: list[str], key: str) -> str:
        j = col.get(key)
        return r[j].strip() if j is not None else ""

    if decimal not in (None, ",", "."):
        raise ParseError("the decimal option must be ',' or '.'.", path=p,
                         expected="',' or '.'", found=decimal)
    if decimal is None:
        decimal = "."
        if delim != ",":  # SCIEX software on a decimal-comma Windows prints '1234,5'
            decimal, note = detect_decimal(
                (get(r, k) for _, r in data[:500]
                 for k in ("signal", "istd_signal", "reported", "nominal", "rt")),
                prefer="," if delim == ";" else None)
            if note:
                ctx.warnings.append(note)

    def num(cell: str) -> tuple[float, str | None]:
        return fast_number(cell, decimal)

    acq = (iso_dates(ctx, [get(r, "acquired") for _, r in data], [ln for ln, _ in data],
                     header[col["acquired"]]) if "acquired" in col else [None] * len(data))
    seqs: dict[tuple, int] = {}
    is_bool: dict[str, bool] = {}
    seen: dict[tuple, int] = {}
    records = []
    for (line, r), acquired in zip(data, acq, strict=True):
        sample, component = get(r, "sample"), get(r, "analyte")
        if not sample or not component:
            raise ParseError("a row has no sample or component name.", path=p, line=line,
                             column="Sample Name" if not sample else header[col["analyte"]],
                             expected="a name", found="")
        ident = (sample, get(r, "sample_id"), get(r, "file"), get(r, "acquired"))
        k = seen[(ident, component)] = seen.get((ident, component), -1) + 1
        seq = seqs.setdefault((ident, k), len(seqs) + 1)
        analyte, channel, is_istd = resolver(component)
        is_flag = get(r, "is_flag")
        if is_flag and is_flag not in is_bool:
            is_bool[is_flag] = parse_bool(is_flag, path=p, line=line, column="IS")
        if is_flag and is_bool[is_flag]:  # MultiQuant / SCIEX OS 'IS' column: TRUE for ISTDs
            is_istd = True
        if _Q1Q3.match(component):
            channel = re.sub(r"\s+", " ", component.strip())
        elif get(r, "mass"):
            channel = get(r, "mass")
        vendor_type = get(r, "type")
        stype = types(vendor_type, default="sample")
        area = get(r, "signal")
        signal, sflag = num(area)
        reported, rflag = num(get(r, "reported"))
        unit = units.get("reported") or get(r, "units") or conc_unit
        nominal = num(get(r, "nominal"))[0]
        if stype not in _NOMINAL_TYPES:
            nominal = math.nan
        nunit = units.get("nominal") or get(r, "units") or conc_unit
        dil, dflag = num(get(r, "dilution"))
        use = get(r, "use")
        records.append({
            "sequence": seq, "sample_id": sample, "sample_type": stype,
            "vendor_type": vendor_type or None, "analyte": analyte, "channel": channel,
            "signal": signal, "signal_unit": "counts",
            "istd_signal": num(get(r, "istd_signal"))[0],
            "istd_channel": get(r, "istd_name") or None,
            "nominal": nominal, "nominal_unit": nunit if not math.isnan(nominal) else None,
            "dilution": dil if dflag is None and dil > 0 else math.nan, "acquired": acquired,
            "reported": reported, "reported_unit": unit if "reported" in col else None,
            "reported_flag": join_flags(sflag if area else EMPTY, rflag),
            "source_line": str(line), "is_istd": is_istd, "compound": component,
            "sample_id_field": get(r, "sample_id") or None,
            "retention_time": num(get(r, "rt"))[0],
            "use_record": (parse_bool(use, path=p, line=line, column=header[col["use"]])
                           if use else None),
        })
    df = pd.DataFrame.from_records(records)
    return Run.from_path(df, p, INFO.name, software=INFO.software,
                         acquired=next((a for a in acq if a), ""),
                         warnings=ctx.warnings + types.warnings() + resolver.warnings(),
                         encoding=encoding, header_line=h + 1, preamble_lines=preamble,
                         repeated_headers=repeats)
