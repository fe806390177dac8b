"""Thermo Scientific SkanIt exports: Multiskan GO CSV and SkanIt Software XLSX (plate format).

CSV (``../shared/fixtures/EXPORTS.md`` §4.3; Multiskan GO): ``;``-separated, decimal comma,
CR-only line ends, a first line of padded spaces; a step title (``Photometric1``), ``Plate 1:
Plate 1``, a layout grid ``Sample;1;…;12`` whose cells read ``Un_0001 1/1`` (type prefix
``Un``/``Std``/``Blank``/``Ctrl``, sample code, dilution ``1/n``) and a value grid ``Abs;1;…;12``.

XLSX (SkanIt Software 6/7): one sheet per result step (``Absorbance 1_01``, ``Blank
Subtraction 1_02``, ``Standard Curve 1_03`` …), each with a title, ``Wavelength: 450 nm``,
``Plate 1``, a value grid whose corner cell names it (``Abs``, ``Blank subtracted``,
``Conc. [microg/ml]``) and a ``Sample`` grid of ids (``Std0001``, ``Un0001``, ``Blank1``);
plus ``Layout definitions`` (per plate row: ids, group, ``1 microg/ml`` standard concentration or
``1:2`` dilution), ``Session information``, ``Instrument information``, ``Run log``.

One measurement row per well with a value: ``signal`` from the ``Abs`` grid (the raw
photometric read; ``AU``), ``channel`` = the grid name and wavelength (``Abs 450 nm``);
a ``Conc.`` grid goes to ``reported``/``reported_unit``/``reported_flag`` (tokens such as
``> Max``, ``< Min`` kept as written); other value grids become extra columns named by their
corner cell. Standards' concentrations → ``nominal``; dilutions ``1/n`` or ``1:n`` → ``dilution``
= n.

Grids are grouped by the ``Plate N`` line above them (several plates per file or sheet give
rows per plate, each with its own ``Sample`` grid) and labelled by the ``Wavelength:`` line
above them: a second wavelength's grid of the same plate becomes an extra column named with
its wavelength (``Abs 620 nm``). ``signal_unit`` follows the corner cell (``Abs`` → AU,
``RLU``/``Lum`` → RLU, ``RFU``/``Fl`` → RFU) or the step/sheet title; when neither names a
read mode the unit is assumed to be ``AU`` (absorbance units) and a warning says so. CSV
separators (``;``, ``,``, TAB) and decimal commas are decided from the file (the style of most
values, with a warning when both styles appear).
"""

from __future__ import annotations

import csv
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
    read_text,
    sniff_delimiter,
)
from labtox.io._tables import decimal_of, plate_analyte
from labtox.run import Run

__all__ = ["INFO", "sniff", "read", "parse_layout_cell"]

INFO = ReaderInfo(
    name="skanit",
    vendor="Thermo Fisher Scientific",
    software="SkanIt (Multiskan GO / Varioskan)",
    instruments=("plate reader",),
    extensions=("csv", "xlsx"),
    signature="SkanIt plate grids ('Sample;1;…;12' layout and 'Abs;1;…;12' values, or "
              "'Measurement results' sheets)",
    priority=60,
)


def sniff(head: Head) -> bool:
    """CSV: a ``Photometric``/``Plate 1:`` title and a ``Sample;1;2`` or ``Abs;1;2`` grid header.
    XLSX: a sheet starting with ``Measurement results`` (or named like ``Absorbance 1_01``) and
    one of SkanIt's ``Layout definitions``, ``General information``, ``Session information``,
    ``Instrument information`` sheets."""
    if head.is_zip:
        sheets = head.xlsx_sheets
        if not sheets:
            return False
        firsts = [rows[0][0] if rows and rows[0] else None for rows in sheets.values()]
        results = "Measurement results" in firsts or any(
            re.match(r"(Absorbance|Fluorescence|Luminescence|Photometric) \d+_\d+$", str(t))
            for t in sheets)
        return results and bool({"Layout definitions", "General information",
                                 "Session information", "Instrument information"} & set(sheets))
    lines = head.lines[:60]
    has_grid = any(re.match(r"^(Sample|Abs|RLU|RFU|Fl|Lum)[;,\t]1[;,\t]2[;,\t]", ln)
                   for ln in lines)
    has_title = any(re.match(r"^(Photometric\d*|Fluorometric\d*|Luminometric\d*|Plate \d+\b|"
                             r"(Absorbance|Fluorescence|Luminescence) \d+\b|Wavelength:)", ln)
                    for ln in lines)
    return has_grid and has_title


def parse_layout_cell(cell: str) -> tuple[str, str, float | None]:
    """``"Un_0001 1/2"`` → ``("Un_0001", "Un", 2.0)``: sample code, type prefix, dilution.

    Examples
    --------
    >>> parse_layout_cell("Un_0001 1/1")
    ('Un_0001', 'Un', 1.0)
    >>> parse_layout_cell("Std0003")
    ('Std0003', 'Std', None)
    """
    s = str(cell).strip()
    dil = None
    m = re.match(r"^(.*?)\s+1\s*[/:]\s*(\d+(?:[.,]\d+)?)$", s)
    if m:
        s, dil = m.group(1).strip(), float(m.group(2).replace(",", "."))
    prefix = re.match(r"^([A-Za-z]+)", s)
    return s, prefix.group(1) if prefix else s, dil


def _dilution(text: str) -> float | None:
    m = re.fullmatch(r"\s*1\s*[:/]\s*(\d+(?:[.,]\d+)?)\s*", str(text or ""))
    return float(m.group(1).replace(",", ".")) if m else None


def _grid_at(rows: list[list[object]], i: int, corner: bool = True) -> tuple[str, int] | None:
    """``(corner name, number of columns)`` if row ``i`` is a grid header ``X;1;2;…``
    (``corner=False``: the corner cell may be empty)."""
    r = rows[i]
    if len(r) < 3 or (corner and (r[0] is None or str(r[0]).strip() == "")):
        return None
    n = 0
    for c in r[1:]:
        try:
            ok = c is not None and float(str(c).replace(",", ".")) == n + 1
        except ValueError:
            ok = False
        if not ok:
            break
        n += 1
    return (str(r[0]).strip(), n) if n >= 2 else None


def _grids(rows: list[list[object]], locate) -> list[dict[str, Any]]:
    out = []
    plate, wl, step = "", "", ""
    i = 0
    while i < len(rows):
        g = _grid_at(rows, i)
        if g is None:
            first = _text_cell(rows[i][0]) if rows[i] else ""
            m = re.fullmatch(r"Plate (\d+)(?::\s*(.*))?", first)
            if m:
                plate = (m.group(2) or "").strip() or f"Plate {m.group(1)}"
            m = re.fullmatch(r"Wavelength:\s*(.+)", first)
            if m:
                wl = m.group(1).strip()
            if re.fullmatch(r"(Photometric|Fluorometric|Luminometric|Absorbance|Fluorescence|"
                            r"Luminescence)\s*\d*", first):
                step = first
            i += 1
            continue
        name, n = g
        cells: dict[str, tuple[list[object], str]] = {}
        j = i + 1
        while j < len(rows) and rows[j] and rows[j][0] is not None and re.fullmatch(
                r"[A-Z]{1,2}", str(rows[j][0]).strip()):
            vals = list(rows[j][1:1 + n])
            if len(vals) < n:
                raise ParseError(f"plate row {rows[j][0]} of the {name!r} grid is short "
                                 "(truncated file?).", path=locate.path, line=locate(j),
                                 expected=f"{n} cells", found=len(vals))
            cells[str(rows[j][0]).strip()] = (vals, locate.loc(j))
            j += 1
        if not cells:
            raise ParseError(f"the {name!r} grid has no plate rows.", path=locate.path,
                             line=locate(i), expected="rows A, B, …")
        out.append({"name": name, "ncols": n, "cells": cells, "row": i, "plate": plate,
                    "wavelength": wl, "step": step})
        i = j
    return out


class _Loc:
    def __init__(self, path: Path, sheet: str | None = None) -> None:
        self.path, self.sheet = path, sheet

    def __call__(self, i: int) -> int:
        return i + 1

    def loc(self, i: int) -> str:
        return f"{self.sheet}!R{i + 1}" if self.sheet else str(i + 1)


def _text_cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read(path: str | PathLike[str], *, analyte: str | None = None, dayfirst: bool | None = None,
         **options: Any) -> Run:
    r"""Read a SkanIt / Multiskan GO plate export (CSV or XLSX).

    Parameters
    ----------
    path
        The export.
    analyte
        The analyte measured (not in the file).
    dayfirst
        For an ambiguous run date (``6/5/2023``): ``None`` leaves it empty with a warning
        (a dotted ``05.03.2024`` is read day-first, with a warning).

    Raises
    ------
    ParseError
        No value grid, a short grid row, an unreadable workbook, an unknown option.

    References
    ----------
    Thermo Fisher Scientific (2019) *SkanIt Software for Microplate Readers, User Manual*
    (N16046), results export and plate layout sample types (Un, Std, Blank, Ctrl).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ms.csv"
    >>> _ = p.write_bytes(b"Photometric1;;\rPlate 1: Plate 1;;\rSample;1;2\rA;Un_0001 1/2;Std_0001\r"
    ...                   b";;\rAbs;1;2\rA;0,1225;0,8436\r")
    >>> m = read(p).measurements
    >>> m[["well", "sample_id", "sample_type", "signal", "dilution"]].values.tolist()
    [['A1', 'Un_0001', 'sample', 0.1225, 2.0], ['A2', 'Std_0001', 'calibration', 0.8436, nan]]
    """
    if options:
        raise ParseError(f"unknown option {next(iter(options))!r} for the SkanIt reader.",
                         path=path, expected="analyte=, dayfirst=")
    p = Path(path)
    with open(p, "rb") as fh:
        magic = fh.read(4)
    warnings: list[str] = []
    meta: dict[str, Any] = {}
    if magic == b"PK\x03\x04":
        grids, layout_defs, meta = _xlsx(p)
        delim = None
    else:
        text, enc = read_text(p)
        delim = sniff_delimiter(text.split("\n")[:60], ";,\t")
        rows = [list(r) for r in csv.reader(io.StringIO(text), delimiter=delim)]
        grids = _grids(rows, _Loc(p))
        layout_defs = {}
        meta["encoding"] = enc
        for r in rows[:40]:
            first = (r[0] if r else "").strip()
            if re.match(r"^(Photometric|Fluorometric|Luminometric)\d*$", first):
                meta.setdefault("step", first)
            m = re.match(r"^Plate \d+:\s*(.*)$", first)
            if m:
                meta.setdefault("plate", m.group(1).strip())
    if not any(g["name"].casefold() != "sample" for g in grids):
        raise ParseError("no plate value grid found.", path=p,
                         expected="a grid headed 'Abs;1;2;…' (rows A, B, …)")
    decimal = decimal_of([c for g in grids if g["name"].casefold() != "sample"
                          for vals, _ in g["cells"].values() for c in vals], delim, warnings)
    if decimal == ",":
        warnings.append("numbers are written with a decimal comma (read as such)")
    wl0 = meta.get("wavelength")
    for g in grids:
        g["wavelength"] = g.get("wavelength") or wl0 or ""
        g["plate"] = g.get("plate") or meta.get("plate") or "Plate 1"
    plates = list(dict.fromkeys(g["plate"] for g in grids))
    samples_all = [g for g in grids if g["name"].casefold() == "sample"]
    resolver = AnalyteResolver()
    an = plate_analyte(analyte, resolver, warnings, "SkanIt")
    acquired = None
    if meta.get("run_time"):
        stamp = meta["run_time"]
        try:
            (acquired,), rule = parse_dates([stamp], dayfirst=dayfirst, path=p)
            if rule == DOTTED_DAYFIRST:
                warnings.append(f"run date {stamp!r} read day-first (dotted dd.mm.yyyy style)")
        except ParseError as exc:
            warnings.append(f"run date {stamp!r} not read: {exc.message} (pass dayfirst=)")
    mapper = SampleTypeMapper()
    records = []
    seq = 0
    no_sample_grid: list[str] = []
    no_mode: list[str] = []
    channels: list[str] = []
    for plate in plates:
        pg = [g for g in grids if g["plate"] == plate]
        sample_grid = next((g for g in pg if g["name"].casefold() == "sample"), None)
        if sample_grid is None and len(samples_all) == 1 and len(plates) == 1:
            sample_grid = samples_all[0]
        values = [g for g in pg if g["name"].casefold() != "sample"]
        if not values:
            continue
        raw = next((g for g in values if g["name"].casefold() in _RAW_NAMES), values[0])
        conc = next((g for g in values if g["name"].casefold().startswith("conc")), None)
        conc_unit = None
        if conc is not None:
            m = re.search(r"\[(.+?)\]", conc["name"])
            if m:
                conc_unit = _unit(m.group(1), warnings)
        wl = raw["wavelength"]
        channel = f"{raw['name']} {wl}" if wl else raw["name"]
        channels.append(channel)
        unit = _signal_unit(raw["name"], raw.get("step", "") + " " + raw.get("sheet", ""))
        if unit is None:
            unit = "AU"
            no_mode.append(plate)
        extras = []
        for g in values:
            if g is raw or g is conc:
                continue
            col = g["name"]
            if g["wavelength"] and g["wavelength"] != wl:
                col = f"{col} {g['wavelength']}"
            extras.append((col, g))
        if sample_grid is None:
            no_sample_grid.append(plate)
        for r in sorted(raw["cells"], key=lambda x: (len(x), x)):
            vals, loc = raw["cells"][r]
            for j in range(raw["ncols"]):
                cell = vals[j]
                if cell is None or str(cell).strip() == "":
                    continue
                seq += 1
                well = f"{r}{j + 1}"
                v, flag = parse_number(cell, decimal)
                code = ""
                if sample_grid is not None and r in sample_grid["cells"]:
                    sc = sample_grid["cells"][r][0]
                    code = _text_cell(sc[j]) if j < len(sc) else ""
                sid, prefix, dil = parse_layout_cell(code) if code else (well, "", None)
                stype = mapper(prefix) if code else "sample"
                rec: dict[str, Any] = {
                    "sequence": seq, "sample_id": sid, "sample_type": stype,
                    "vendor_type": prefix or None, "analyte": an, "channel": channel,
                    "signal": v, "signal_unit": unit, "signal_flag": flag, "reported_flag": flag,
                    "well": well, "plate": plate, "acquired": acquired, "source_line": loc,
                }
                lay = layout_defs.get(well)
                if lay:
                    num = lay.get("nominal")
                    if num is not None and stype in ("calibration", "calibration_blank"):
                        rec["nominal"], rec["nominal_unit"] = num
                    if lay.get("dilution") is not None:
                        dil = lay["dilution"]
                    rec["group"] = lay.get("group")
                if dil is not None:
                    rec["dilution"] = dil
                dgrid = next((g for _, g in extras
                              if g["name"].casefold().endswith("dilution factor")), None)
                if dgrid is not None and r in dgrid["cells"]:
                    dv, _ = parse_number(dgrid["cells"][r][0][j], decimal)
                    if dv == dv and dv > 0:
                        rec["dilution"] = dv
                if conc is not None and r in conc["cells"]:
                    cv, cf = parse_number(conc["cells"][r][0][j], decimal)
                    rec["reported"], rec["reported_unit"] = cv, conc_unit
                    rec["reported_flag"] = cf if cf is not None else flag
                for col, g in extras:
                    if r not in g["cells"]:
                        continue
                    ev, ef = parse_number(g["cells"][r][0][j], decimal)
                    rec[col] = ev
                    if ef is not None:
                        rec[f"{col} flag"] = ef
                records.append(rec)
    if not records:
        raise ParseError("the value grid holds no wells.", path=p, expected="well values")
    if no_sample_grid:
        verb = "has" if len(no_sample_grid) == 1 else "have"
        where = "the export has" if len(plates) == 1 else f"{', '.join(no_sample_grid)} {verb}"
        warnings.append(f"{where} no Sample grid: every well is a sample named by its well")
    if no_mode:
        warnings.append(f"no read mode (Abs, Fl, Lum or a Photometric/Fluorometric/Luminometric "
                        f"step) for {', '.join(no_mode)}: signal_unit assumed 'AU' (absorbance "
                        "units)")
    warnings += mapper.warnings() + resolver.warnings()
    meta["grids"] = [g["name"] for g in grids]
    return Run.from_path(
        pd.DataFrame.from_records(records), p, INFO.name,
        instrument=meta.pop("instrument", ""), software=meta.pop("software", "SkanIt"),
        acquired=acquired or "", warnings=warnings, **meta,
    )


_RAW_NAMES = {"abs", "absorbance", "fl", "fluorescence", "rfu", "lum", "luminescence", "rlu"}


def _signal_unit(name: str, context: str) -> str | None:
    """``RLU``/``RFU``/``AU`` from the grid's corner cell, else its step or sheet title;
    ``None`` when none names a read mode."""
    for text in (name, context):
        low = text.casefold()
        if re.search(r"\b(rlu|lum|luminescence|luminometric)", low):
            return "RLU"
        if re.search(r"\b(rfu|fl|fluorescence|fluorometric)\b", low):
            return "RFU"
        if re.search(r"\b(abs|absorbance|photometric|od)\b", low):
            return "AU"
    return None


def _unit(text: str, warnings: list[str]) -> str:
    from labtox.units import normalise_unit

    t = text.replace("microg", "µg").replace("microg", "µg").replace("nanog", "ng")
    try:
        return normalise_unit(t)
    except LabtoxError:
        warnings.append(f"unit {text!r} not understood; kept as written")
        return text


def _xlsx(p: Path) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], dict[str, Any]]:

    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(p.read_bytes()), read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError ...
        raise ParseError(f"the workbook cannot be opened ({exc.__class__.__name__}).", path=p,
                         expected="a SkanIt .xlsx export") from None
    meta: dict[str, Any] = {}
    grids: list[dict[str, Any]] = []
    layout: dict[str, dict[str, Any]] = {}
    first_sheet = ""
    try:
        for ws in wb.worksheets:
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            first = _text_cell(rows[0][0]) if rows and rows[0] else ""
            if first == "Measurement results":
                step = _text_cell(rows[4][0]) if len(rows) > 4 and rows[4] else ws.title
                if len(rows) > 2 and rows[2] and rows[2][0]:
                    meta.setdefault("run_time", _text_cell(rows[2][0]))
                for r in rows[:15]:
                    c = _text_cell(r[0]) if r else ""
                    m = re.match(r"^Wavelength:\s*(.+)$", c)
                    if m:
                        meta.setdefault("wavelength", m.group(1).strip())
                    if re.fullmatch(r"Plate \d+", c):
                        meta.setdefault("plate", c)
                first_sheet = first_sheet or ws.title
                for g in _grids(rows, _Loc(p, ws.title)):
                    g["sheet"] = ws.title
                    if g["name"].casefold() == "sample":
                        if any(x["name"].casefold() == "sample" and x["plate"] == g["plate"]
                               for x in grids):
                            continue  # the Sample grid is repeated on every sheet
                    elif ws.title != first_sheet and not g["name"].casefold().startswith("conc"):
                        g["name"] = f"{step}: {g['name']}"
                    grids.append(g)
            elif ws.title == "Layout definitions":
                layout = _layout_defs(rows, p, meta)
            elif ws.title in ("General information", "Session information",
                              "Instrument information"):
                for r in rows:
                    vals = [_text_cell(c) for c in r if _text_cell(c)]
                    if len(vals) >= 2:
                        meta.setdefault(vals[0].casefold().replace(" ", "_"), vals[-1])
    except LabtoxError:
        raise
    except Exception as exc:
        raise ParseError(f"the workbook cannot be read ({exc.__class__.__name__}: {exc}).",
                         path=p, expected="a SkanIt .xlsx export") from None
    finally:
        wb.close()
    meta["instrument"] = meta.pop("name", "")
    sw = meta.pop("report_generated_with_sw_version", "") or meta.get("executed_with", "")
    meta["software"] = sw or "SkanIt"
    return grids, layout, meta


def _layout_defs(rows: list[list[object]], p: Path, meta: dict[str, Any]) -> dict[str, dict]:
    """Per well: group, standard concentration (value, unit) or dilution."""
    from labtox.units import normalise_unit

    out: dict[str, dict[str, Any]] = {}
    hdr = next((i for i in range(len(rows)) if _grid_at(rows, i, corner=False)), None)
    if hdr is None:
        return out
    n = _grid_at(rows, hdr, corner=False)[1]
    i = hdr + 1
    while i < len(rows):
        r = rows[i]
        letter = _text_cell(r[0]) if r else ""
        if not re.fullmatch(r"[A-Z]{1,2}", letter):
            i += 1
            continue
        group = rows[i + 1] if i + 1 < len(rows) else []
        third = rows[i + 2] if i + 2 < len(rows) else []
        for j in range(n):
            well = f"{letter}{j + 1}"
            info: dict[str, Any] = {"group": _text_cell(group[j + 1]) if j + 1 < len(group) else ""}
            t = _text_cell(third[j + 1]) if j + 1 < len(third) else ""
            d = _dilution(t)
            m = re.fullmatch(r"([-+]?\d+(?:[.,]\d+)?)\s*(.+)", t)
            if d is not None:
                info["dilution"] = d
            elif m:
                u = m.group(2).replace("microg", "µg").replace("nanog", "ng")
                try:
                    u = normalise_unit(u)
                except LabtoxError:
                    pass
                info["nominal"] = (float(m.group(1).replace(",", ".")), u)
            out[well] = info
        i += 3
    return out
