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

Columns are found by name in row 1: ``Well positions`` need not be the first column; a
``Plate`` column gives ``plate``; label columns are ``Label<n>`` or the names the ``Meas.
temperature: <label>: …`` lines give (custom label names). The metadata starts at ``Date of
measurement``; each ``Measurement N:`` block gives mode, wavelength (or ``Excitation``/
``Emission`` wavelengths) and unit for the label in the same position. Rows among the wells that
are not wells (``Mean`` …) are reported in a warning, not read. Values stored as text with
decimal commas are read as such (with a warning; the style of most text values decides, with a
warning when both styles appear); dates are read in any style (a dotted
``08.07.2021`` day-first, an ambiguous slashed one left empty with a warning).
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
    DOTTED_DAYFIRST,
    AnalyteResolver,
    Head,
    ReaderInfo,
    SampleTypeMapper,
    parse_dates,
    parse_number,
)
from labtox.io._tables import decimal_of, plate_analyte
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
    """An XLSX sheet whose first row has a ``Well positions`` cell."""
    for rows in head.xlsx_sheets.values():
        if rows and rows[0] and any(str(c or "").strip() == "Well positions" for c in rows[0]):
            return True
    return False


def read(path: str | PathLike[str], *, analyte: str | None = None, sheet: str | int | None = None,
         dayfirst: bool | None = None, **options: Any) -> Run:
    r"""Read a Tecan Magellan XLSX well list.

    Parameters
    ----------
    path
        The ``.xlsx`` export.
    analyte
        The analyte measured (not in the file).
    sheet
        Sheet name or index (default: the first sheet starting with ``Well positions``).
    dayfirst
        For an ambiguous ``Date of measurement`` (``08/07/2021``); ``None`` reads a dotted
        ``08.07.2021`` day-first (with a warning) and leaves an ambiguous slashed date empty
        with a warning.

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
                         path=path, expected="analyte=, sheet=, dayfirst=")
    p = Path(path)
    rows, title = _sheet(p, sheet)
    header = [str(c).strip() if c is not None else "" for c in rows[0]]
    wcol = header.index("Well positions")
    meta_start = next((i for i, r in enumerate(rows) if i > 0 and r and r[0] is not None
                       and _META_LINE.match(str(r[0]).strip())), len(rows))
    meta_lines = [str(r[0]).strip() for r in rows[meta_start:] if r and r[0] is not None
                  and str(r[0]).strip()]
    meta = _meta(meta_lines)
    plate_col = next((j for j, h in enumerate(header) if h.casefold() == "plate"), None)
    name_col = next((j for j, h in enumerate(header)
                     if re.search(r"\b(name|sample|id)\b", h, re.I) and j != wcol), None)
    skip = {wcol, plate_col, name_col}
    labels = [(j, h) for j, h in enumerate(header)
              if j not in skip and (re.fullmatch(r"Label\d+.*", h) or h in meta["labels"])]
    if not labels:
        labels = [(j, h) for j, h in enumerate(header) if j not in skip and h]
    if not labels:
        raise ParseError("the well list has no measurement columns.", path=p, line=1,
                         expected="'Well positions, Label1, …'", found=", ".join(header))
    wells: list[tuple[int, list[object]]] = []
    other: list[int] = []
    for i, r in enumerate(rows[1:meta_start], start=2):
        cell = r[wcol] if r and wcol < len(r) else None
        first = str(cell).strip() if cell is not None else ""
        if re.fullmatch(r"[A-Z]{1,2}\d{1,2}", first):
            wells.append((i, list(r)))
        elif first or any(c is not None and str(c).strip() for c in (r or [])):
            other.append(i)
    if not wells:
        raise ParseError("the well list has no wells.", path=p, line=2, column=wcol + 1,
                         expected="rows A1, A2, …",
                         found=str(rows[1][wcol]) if len(rows) > 1 and rows[1] and wcol < len(
                             rows[1]) else "no row")
    warnings: list[str] = []
    extra_rows = [i for i in other if i > 3]  # rows 2-3: read times and temperatures
    if extra_rows:
        warnings.append(f"{len(extra_rows)} row(s) among the wells are not wells (sheet rows "
                        f"{', '.join(map(str, extra_rows[:10]))}): not read as measurements")
    resolver = AnalyteResolver()
    an = plate_analyte(analyte, resolver, warnings, "Magellan")
    acquired = None
    if meta.get("date"):
        stamp = meta["date"]
        try:
            (acquired,), rule = parse_dates([stamp], dayfirst=dayfirst, path=p,
                                            column="Date of measurement")
            if rule == DOTTED_DAYFIRST:
                warnings.append(f"date {stamp!r} read day-first (dotted dd.mm.yyyy style)")
        except ParseError as exc:
            warnings.append(f"date {stamp!r} not read: {exc.message.rstrip('.')} "
                            "(pass dayfirst=)")
    channels = []
    for k, (j, lab) in enumerate(labels):
        ms = meta["measurements"]
        setting = meta["label_settings"].get(lab) or (ms[k] if k < len(ms) else {})
        wl = setting.get("wavelength")
        channels.append((j, f"{lab} ({wl})" if wl else lab, setting))
    first_setting = channels[0][2]
    unit_word = (first_setting.get("unit") or first_setting.get("mode") or "OD").casefold()
    unit = _UNITS.get(unit_word.split()[0], first_setting.get("unit") or "AU")
    cells = [r[j] for _, r in wells for j, _ in labels if j < len(r)]
    dec = decimal_of(cells, None, warnings)
    if dec == ",":
        warnings.append("numbers are written as text with a decimal comma (read as such)")
    mapper = SampleTypeMapper()
    records = []
    for seq, (ln, r) in enumerate(wells, start=1):
        well = re.sub(r"^([A-Z]{1,2})0+(\d)", r"\1\2", str(r[wcol]).strip())  # A01 → A1
        j0, ch0, _ = channels[0]
        v, flag = parse_number(r[j0] if j0 < len(r) else None, dec)
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
        if plate_col is not None and plate_col < len(r) and r[plate_col] is not None:
            rec["plate"] = str(r[plate_col]).strip()
        for j, ch, _ in channels[1:]:
            ev, ef = parse_number(r[j] if j < len(r) else None, dec)
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
        measurement_settings=meta["measurements"],
    )


_META_LINE = re.compile(r"(Date of measurement|Date:|Measurement \d+:?$|Measurement mode:|"
                        r"Measurement wavelength:|Excitation wavelength:|Unit:|"
                        r"Instrument serial number:|.*\.mth$)")


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
            if rows and rows[0] and any(str(c or "").strip() == "Well positions"
                                        for c in rows[0]):
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
    """The metadata lines below the wells: date, method, instrument and, per ``Measurement N:``
    block, mode, wavelength (or excitation/emission), unit; ``Meas. temperature: <label>:``
    lines name the labels in block order."""
    out: dict[str, Any] = {"measurements": [], "labels": [], "label_settings": {}}
    cur: dict[str, Any] | None = None
    for ln in lines:
        m = re.match(r"Date of measurement:\s*(.+?)\s*/\s*Time of measurement:\s*(.+)$", ln)
        if m:
            out.setdefault("date", f"{m.group(1).strip()} {m.group(2).strip()}")
        m = re.match(r"Date:\s*(.+?),\s*Time:\s*(.+)$", ln)
        if m:
            out.setdefault("date", f"{m.group(1).strip()} {m.group(2).strip()}")
        if re.match(r"Measurement \d+:?$", ln) or (
                cur is None and re.match(r"Measurement mode:", ln)):
            cur = {}
            out["measurements"].append(cur)
        m = re.match(r"Measurement mode:\s*(.+)$", ln)
        if m:
            if cur is None or "mode" in cur:
                cur = {}
                out["measurements"].append(cur)
            cur["mode"] = m.group(1).strip()
            out.setdefault("mode", cur["mode"])
        m = re.match(r"(Measurement|Excitation|Emission) wavelength:\s*(.+)$", ln)
        if m and cur is None:
            cur = {}
            out["measurements"].append(cur)
        if m and cur is not None:
            key = {"Measurement": "wavelength", "Excitation": "excitation",
                   "Emission": "emission"}[m.group(1)]
            cur[key] = m.group(2).strip()
            if "excitation" in cur and "emission" in cur:
                cur["wavelength"] = f"Ex {cur['excitation']} / Em {cur['emission']}"
        m = re.match(r"Unit:\s*(.+)$", ln)
        if m and cur is not None:
            cur["unit"] = m.group(1).strip()
        m = re.match(r"Meas\. temperature:\s*(.+?):\s*(.+)$", ln)
        if m:
            out["labels"].append(m.group(1).strip())
        m = re.match(r"Instrument serial number:\s*(.+)$", ln)
        if m:
            out["serial"] = m.group(1).strip()
        if ln.endswith(".mth") and "method" not in out:
            out["method"] = ln
    for k, lab in enumerate(out["labels"]):
        if k < len(out["measurements"]):
            out["label_settings"][lab] = out["measurements"][k]
    return out
