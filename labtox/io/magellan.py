"""Tecan Magellan XLSX export (well list).

Layout (``../shared/fixtures/EXPORTS.md`` §4.2): sheet ``Magellan Sheet 1``; row 1
``Well positions, Label1, Label2 …`` (one column per measurement label; further columns such
as ``Sample ID``/``Name`` when the workspace exports them); row 2 read times (``0s``); row 3
temperatures (``24.8 °C``); one row per well ``A1`` … ``P24``; **after the wells**, metadata lines
in column A: ``Date of measurement: 2021-07-08/Time of measurement: 14:34:46``, method and
workspace names and paths, ``Instrument serial number: …``, per measurement ``Measurement
mode: Absorbance``, ``Measurement wavelength: 485 nm``, ``Unit: OD``.

One measurement row per well: ``signal`` = the first label's value (``signal_unit`` ``AU`` for
``OD``, ``RFU``/``RLU`` for fluorescence/luminescence), ``channel`` = ``"Label1 (485 nm)"``; every
further label becomes an extra column named like its channel. Cells that are not numbers
(``OVER``, ``Invalid``) are kept as tokens in ``reported_flag``/``signal_flag``. A name/sample-id
column gives ``sample_id`` and (by its word prefix) ``sample_type``; otherwise wells are samples
named by their well (with a warning). The analyte is not in the file: ``analyte=``.
"""

from __future__ import annotations

import io
import re
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from labtox.errors import LabtoxError, ParseError
from labtox.io._common import (
    AnalyteResolver,
    Head,
    ReaderInfo,
    SampleTypeMapper,
    parse_dates,
    parse_number,
)
from labtox.io._tables import plate_analyte
from labtox.run import Run

__all__ = ["INFO", "sniff", "read"]

INFO = ReaderInfo(
    name="magellan",
    vendor="Tecan",
    software="Magellan",
    instruments=("plate reader",),
    extensions=("xlsx",),
    signature="a workbook whose first cell is 'Well positions' (Magellan well list)",
    priority=60,
)

_UNITS = {"od": "AU", "absorbance": "AU", "rfu": "RFU", "fluorescence": "RFU", "rlu": "RLU",
          "luminescence": "RLU"}


def sniff(head: Head) -> bool:
    """An XLSX sheet whose first cell is ``Well positions``."""
    for rows in head.xlsx_sheets.values():
        if rows and rows[0] and str(rows[0][0] or "").strip() == "Well positions":
            return True
    return False


def read(path: str | PathLike[str], *, analyte: str | None = None, sheet: str | int | None = None,
         **options: Any) -> Run:
    r"""Read a Tecan Magellan XLSX well list.

    Parameters
    ----------
    path
        The ``.xlsx`` export.
    analyte
        The analyte measured (not in the file).
    sheet
        Sheet name or index (default: the first sheet starting with ``Well positions``).

    Raises
    ------
    ParseError
        Not a workbook, no ``Well positions`` sheet, a well name out of the plate pattern.

    References
    ----------
    Tecan (2012) *Magellan Data Analysis Software, Instructions for Use* (export of raw data
    as a well list).

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> wb = openpyxl.Workbook(); ws = wb.active
    >>> for row in (["Well positions", "Label1"], [None, "0s"], [None, "24.8 °C"], ["A1", 0.0557],
    ...             ["Measurement wavelength: 450 nm"], ["Unit: OD"]):
    ...     ws.append(row)
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.xlsx"; wb.save(p)
    >>> read(p).measurements[["well", "channel", "signal", "signal_unit"]].values.tolist()
    [['A1', 'Label1 (450 nm)', 0.0557, 'AU']]
    """
    if options:
        raise ParseError(f"unknown option {next(iter(options))!r} for the Magellan reader.",
                         path=path, expected="analyte=, sheet=")
    p = Path(path)
    rows, title = _sheet(p, sheet)
    header = [str(c).strip() if c is not None else "" for c in rows[0]]
    labels = [(j, h) for j, h in enumerate(header) if re.fullmatch(r"Label\d+.*", h)]
    name_col = next((j for j, h in enumerate(header)
                     if re.search(r"\b(name|sample|id)\b", h, re.I) and j > 0), None)
    if not labels:
        labels = [(j, h) for j, h in enumerate(header) if j > 0 and h and j != name_col]
    if not labels:
        raise ParseError("the well list has no measurement columns.", path=p, line=1,
                         expected="'Well positions, Label1, …'", found=", ".join(header))
    wells: list[tuple[int, list[object]]] = []
    meta_lines: list[str] = []
    for i, r in enumerate(rows[1:], start=2):
        first = str(r[0]).strip() if r and r[0] is not None else ""
        if re.fullmatch(r"[A-P]\d{1,2}|[A-Z]{1,2}\d{1,2}", first):
            if meta_lines:
                raise ParseError("a well row follows the metadata lines.", path=p,
                                 line=i, expected="all wells before the metadata", found=first)
            wells.append((i, list(r)))
        elif first:
            meta_lines.append(first)
    if not wells:
        raise ParseError("the well list has no wells.", path=p, expected="rows A1, A2, …")
    meta = _meta(meta_lines)
    warnings: list[str] = []
    resolver = AnalyteResolver()
    an = plate_analyte(analyte, resolver, warnings, "Magellan")
    acquired = None
    if meta.get("date"):
        try:
            acquired = parse_dates([meta["date"]], path=p, column="Date of measurement")[0][0]
        except ParseError as exc:
            warnings.append(f"date {meta['date']!r} not read: {exc.message}")
    channels = []
    for k, (j, lab) in enumerate(labels):
        wl = meta["wavelengths"][k] if k < len(meta["wavelengths"]) else None
        channels.append((j, f"{lab} ({wl})" if wl else lab))
    unit_word = (meta["units"][0] if meta["units"] else meta.get("mode", "OD")).casefold()
    unit = _UNITS.get(unit_word.split()[0], meta["units"][0] if meta["units"] else "AU")
    mapper = SampleTypeMapper()
    records = []
    for seq, (ln, r) in enumerate(wells, start=1):
        well = str(r[0]).strip()
        j0, ch0 = channels[0]
        v, flag = parse_number(r[j0] if j0 < len(r) else None)
        name = str(r[name_col]).strip() if name_col is not None and name_col < len(r) and r[name_col] is not None else ""
        if name:
            word = re.match(r"^[A-Za-z]+", name)
            stype = mapper(word.group(0) if word else name, default="sample")
        else:
            stype = "sample"
        rec: dict[str, Any] = {
            "sequence": seq, "sample_id": name or well, "sample_type": stype,
            "vendor_type": None, "analyte": an, "channel": ch0, "signal": v, "signal_unit": unit,
            "signal_flag": flag, "reported_flag": flag, "well": well, "acquired": acquired,
            "source_line": f"{title}!R{ln}",
        }
        for j, ch in channels[1:]:
            ev, ef = parse_number(r[j] if j < len(r) else None)
            rec[ch] = ev
            if ef is not None:
                rec[f"{ch} flag"] = ef
        if v != v and flag is None:
            continue  # empty cell: the well was not measured
        records.append(rec)
    if not records:
        raise ParseError("no well has a value.", path=p, expected="measured wells")
    if name_col is None:
        warnings.append("the well list names no samples: every well is a sample named by its well")
    warnings += mapper.warnings() + resolver.warnings()
    return Run.from_path(
        pd.DataFrame.from_records(records), p, INFO.name,
        instrument=meta.get("instrument", ""), software="Tecan Magellan",
        acquired=acquired or "", warnings=warnings, sheet=title,
        temperatures={lab: str(rows[2][j]) for j, lab in labels if len(rows) > 2 and j < len(rows[2])},
        metadata_lines=meta_lines, method=meta.get("method", ""),
    )


def _sheet(p: Path, sheet: str | int | None) -> tuple[list[list[object]], str]:

    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(p.read_bytes()), read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError ...
        raise ParseError(f"the workbook cannot be opened ({exc.__class__.__name__}).", path=p,
                         expected="a Magellan .xlsx export") from None
    try:
        if sheet is not None:
            try:
                ws = wb.worksheets[sheet] if isinstance(sheet, int) else wb[sheet]
            except (IndexError, KeyError):
                raise ParseError("no such sheet.", path=p, expected=f"one of {wb.sheetnames}",
                                 found=sheet) from None
            cands = [ws]
        else:
            cands = wb.worksheets
        for ws in cands:
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            if rows and rows[0] and str(rows[0][0] or "").strip() == "Well positions":
                return rows, ws.title
    except LabtoxError:
        raise
    except Exception as exc:
        raise ParseError(f"the workbook cannot be read ({exc.__class__.__name__}: {exc}).",
                         path=p, expected="a Magellan .xlsx export") from None
    finally:
        wb.close()
    raise ParseError("no sheet starts with 'Well positions'.", path=p,
                     expected="a Magellan well-list sheet")


def _meta(lines: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"wavelengths": [], "units": []}
    for ln in lines:
        m = re.match(r"Date of measurement:\s*([\d-]+)\s*/\s*Time of measurement:\s*([\d:]+)", ln)
        if m:
            out["date"] = f"{m.group(1)}T{m.group(2)}"
        m = re.match(r"Measurement wavelength:\s*(.+)$", ln)
        if m:
            out["wavelengths"].append(m.group(1).strip())
        m = re.match(r"Unit:\s*(.+)$", ln)
        if m:
            out["units"].append(m.group(1).strip())
        m = re.match(r"Measurement mode:\s*(.+)$", ln)
        if m:
            out.setdefault("mode", m.group(1).strip())
        m = re.match(r"Instrument serial number:\s*(.+)$", ln)
        if m:
            out["serial"] = m.group(1).strip()
        if ln.endswith(".mth") and "method" not in out:
            out["method"] = ln
    return out
