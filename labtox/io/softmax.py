"""Molecular Devices SoftMax Pro plain-text export (plate format, ``.txt``).

Layout (``../shared/fixtures/EXPORTS.md`` §4.4): UTF-16LE with BOM, CRLF; ``##BLOCKS= n``; for
each plate a block ``Plate:<TAB>name<TAB>version<TAB>PlateFormat<TAB>Endpoint<TAB>Absorbance
<TAB>Raw<TAB>…<TAB>wavelengths<TAB>first column<TAB>columns<TAB>wells<TAB>…<TAB>rows``, a header
``<TAB>Temperature(°C)<TAB>1…12``, one line per plate row (the first carries the temperature),
optionally a blank line and a second grid of the same wells at full precision, then ``~End``;
then ``Group: <name>`` blocks (a table ``Sample, Standard Value ng/mL, BackCalcConc, Wells, OD
…, WellPlateName``, a ``Group Column`` formula table, ``Group Summaries``, ``~End``).
``Original Filename: …; Date …`` closes the file.

One measurement row per plate × well: ``signal`` = the plate grid value (``AU`` for
absorbance, ``RFU``/``RLU`` for fluorescence/luminescence), ``channel`` = the wavelength
(``"450"``), ``plate`` = the plate name, ``well``, ``temperature``. The second full-precision
grid, when present, replaces the rounded first one as ``signal`` (the rounded grid is kept in
``signal_rounded``) **[uncertain: the meaning of the second grid is inferred from a single
file in which both grids agree to 14 digits]**. Group tables give sample identity:
``sample_id`` = the ``Sample`` name when it contains a letter (``MNG-001``), else
``"<group> <Sample>"`` (``Standards 01``, ``UnknownsNoDiln 03``),
``sample_type`` from the group's name (``Standards`` → calibration, ``Unknowns…`` → sample,
``Blank…`` → blank, ``Control…`` → crm, else ``unknown`` with a warning); a ``Standard Value
<unit>``/``Concentration`` column → ``nominal``/``nominal_unit``; a ``Dilution``/``Factor`` column
→ ``dilution``; SoftMax's ``BackCalcConc``/``Conc``/``Result`` → ``reported``. The number of
blocks is checked against ``##BLOCKS`` so a truncated file is an error.
"""

from __future__ import annotations

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
    parse_number,
    read_text,
)
from labtox.io._tables import plate_analyte
from labtox.run import Run

__all__ = ["INFO", "sniff", "read"]

INFO = ReaderInfo(
    name="softmax",
    vendor="Molecular Devices",
    software="SoftMax Pro",
    instruments=("plate reader",),
    extensions=("txt",),
    signature="'##BLOCKS=' and 'Plate:' lines (SoftMax Pro text export)",
    priority=60,
)

_UNITS = {"absorbance": "AU", "fluorescence": "RFU", "luminescence": "RLU"}


def sniff(head: Head) -> bool:
    """``##BLOCKS=`` on the first line and a ``Plate:`` or ``Group:`` block."""
    lines = head.lines[:40]
    return bool(lines) and lines[0].lstrip("\ufeff").startswith("##BLOCKS=") and any(
        ln.startswith(("Plate:", "Group:")) for ln in lines)


def _group_type(name: str, mapper: SampleTypeMapper) -> str:
    low = name.casefold()
    for word, t in (("standard", "calibration"), ("std", "calibration"), ("unknown", "sample"),
                    ("sample", "sample"), ("blank", "blank"), ("control", "crm"), ("ctrl", "crm")):
        if low.startswith(word):
            return t
    return mapper(name)


def read(path: str | PathLike[str], *, analyte: str | None = None, **options: Any) -> Run:
    r"""Read a SoftMax Pro plate-format text export.

    Parameters
    ----------
    path
        The ``.txt`` export (UTF-16 or UTF-8).
    analyte
        The analyte measured (not in the file).

    Raises
    ------
    ParseError
        No ``Plate:`` block, fewer blocks than ``##BLOCKS`` announces (truncated file), a short
        grid row, an unknown option.

    References
    ----------
    Molecular Devices (2014) *SoftMax Pro 7 Software User Guide*, "Exporting data: plate
    format, time format"; group tables and the ``!WellIDs``/``!SampleNames`` formulas.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.txt"
    >>> _ = p.write_text("##BLOCKS= 1\r\nPlate:\tP1\t1.3\tPlateFormat\tEndpoint\tAbsorbance\tRaw"
    ...     "\tFALSE\t1\t\t\t\t\t\t1\t450 \t1\t2\t2\t1\t1\t\r\n\tTemperature(°C)\t1\t2\t\r\n"
    ...     "\t22.5\t0.125\t1.5\t\r\n~End\r\n", encoding="utf-16")
    >>> read(p).measurements[["plate", "well", "signal", "channel"]].values.tolist()
    [['P1', 'A1', 0.125, '450'], ['P1', 'A2', 1.5, '450']]
    """
    if options:
        raise ParseError(f"unknown option {next(iter(options))!r} for the SoftMax Pro reader.",
                         path=path, expected="analyte=")
    p = Path(path)
    text, encoding = read_text(p)
    lines = [ln.split("\t") for ln in text.split("\n")]
    first = lines[0][0].lstrip("\ufeff").strip() if lines and lines[0] else ""
    m = re.match(r"##BLOCKS=\s*(\d+)", first)
    if not m:
        raise ParseError("the export does not start with '##BLOCKS='.", path=p, line=1,
                         expected="'##BLOCKS= n'", found=first[:40])
    n_blocks = int(m.group(1))
    plates: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    blocks = 0
    footer = ""
    i = 1
    while i < len(lines):
        cells = lines[i]
        head = cells[0].strip()
        if head == "Plate:":
            i, plate = _plate_block(lines, i, p)
            plates.append(plate)
            blocks += 1
            continue
        if head.startswith("Group:"):
            i, grp = _group_block(lines, i, p)
            groups.append(grp)
            blocks += 1
            continue
        if head.startswith("Original Filename:"):
            footer = "\t".join(cells).strip()
        i += 1
    if blocks < n_blocks:
        raise ParseError(f"the export announces {n_blocks} blocks but holds {blocks} "
                         "(truncated file?).", path=p, line=len(lines),
                         expected=f"{n_blocks} blocks ending in '~End'", found=blocks)
    if not plates:
        raise ParseError("no 'Plate:' block found.", path=p, expected="a plate-format block")
    warnings: list[str] = []
    resolver = AnalyteResolver()
    an = plate_analyte(analyte, resolver, warnings, "SoftMax Pro")
    mapper = SampleTypeMapper()
    ident: dict[tuple[str, str], dict[str, Any]] = {}
    single_plate = plates[0]["name"] if len(plates) == 1 else None
    for g in groups:
        stype = _group_type(g["name"], mapper)
        for row in g["rows"]:
            plate = row.get("plate") or single_plate or plates[0]["name"]
            sid = row["sample"] if re.search(r"[A-Za-z]", row["sample"]) else (
                f"{g['name']} {row['sample']}".strip())
            ident[(plate, row["well"])] = {"sample_id": sid,
                                          "sample_type": stype, "vendor_type": g["name"],
                                          **{k: row[k] for k in ("nominal", "nominal_unit",
                                                                 "dilution", "reported",
                                                                 "reported_flag") if k in row}}
    records = []
    seq = 0
    for pl in plates:
        for (r, j), (v, flag, ln, rounded) in pl["cells"].items():
            well = f"{r}{j}"
            seq += 1
            idn = ident.get((pl["name"], well))
            rec: dict[str, Any] = {
                "sequence": seq, "sample_id": well, "sample_type": "sample", "vendor_type": None,
                "analyte": an, "channel": pl["wavelength"], "signal": v,
                "signal_unit": _UNITS.get(pl["mode"].casefold(), "AU"), "signal_flag": flag,
                "signal_rounded": rounded, "well": well, "plate": pl["name"],
                "temperature": pl["temperature"], "source_line": str(ln),
            }
            if idn:
                rec.update(idn)
            elif groups:
                rec["sample_type"] = "unknown"
            if rec.get("reported_flag") is None and flag is not None:
                rec["reported_flag"] = flag
            records.append(rec)
    if not groups:
        warnings.append("the export has no Group tables: every well is a sample named by its well")
    else:
        unassigned = sum(1 for r in records if r["sample_type"] == "unknown"
                         and r["vendor_type"] is None)
        if unassigned:
            warnings.append(f"{unassigned} well(s) in no group kept as sample type 'unknown'")
    warnings += mapper.warnings() + resolver.warnings()
    return Run.from_path(
        pd.DataFrame.from_records(records), p, INFO.name, instrument="",
        software="SoftMax Pro", warnings=warnings, encoding=encoding, footer=footer,
        plates=[{k: v for k, v in pl.items() if k != "cells"} for pl in plates],
        groups=[g["name"] for g in groups],
    )


def _plate_block(lines: list[list[str]], i: int, p: Path) -> tuple[int, dict[str, Any]]:
    f = [c.strip() for c in lines[i]]

    def field(k: int) -> str:
        return f[k] if k < len(f) else ""

    try:
        ncols = int(field(17))
        nrows = int(field(20))
    except ValueError:
        raise ParseError("the 'Plate:' line does not give the plate size.", path=p, line=i + 1,
                         expected="column and row counts in fields 18 and 21",
                         found="\t".join(f)[:80]) from None
    plate = {"name": field(1), "format": field(3), "read_type": field(4), "mode": field(5),
             "data_type": field(6), "wavelength": " ".join(field(15).split()),
             "ncols": ncols, "nrows": nrows, "temperature": None, "cells": {}}
    if field(3) != "PlateFormat":
        raise ParseError("only plate-format SoftMax exports are supported.", path=p,
                         line=i + 1, expected="PlateFormat", found=field(3))
    i += 1
    grids: list[list[tuple[list[str], int]]] = []
    while i < len(lines):
        cells = lines[i]
        if cells[0].strip() == "~End":
            i += 1
            break
        if len(cells) > 2 and [c.strip() for c in cells[2:2 + ncols]] == [
                str(k) for k in range(1, ncols + 1)]:
            grid = []
            i += 1
            while i < len(lines) and len(grid) < nrows and any(c.strip() for c in lines[i]):
                grid.append((lines[i], i + 1))
                i += 1
            if len(grid) < nrows:
                raise ParseError(f"plate {plate['name']!r} has {len(grid)} rows, not {nrows} "
                                 "(truncated file?).", path=p, line=i + 1,
                                 expected=f"{nrows} plate rows", found=len(grid))
            grids.append(grid)
            continue
        i += 1
    else:
        raise ParseError(f"plate {plate['name']!r} has no '~End' (truncated file?).", path=p,
                         line=len(lines), expected="'~End'")
    if not grids:
        raise ParseError(f"plate {plate['name']!r} has no value grid.", path=p, line=i,
                         expected="a header with columns 1..n and n rows")
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    first = grids[0]
    precise = grids[1] if len(grids) > 1 else None
    for r, (cells, ln) in enumerate(first):
        if len(cells) < 2 + ncols:
            raise ParseError("a plate row is short (truncated file?).", path=p, line=ln,
                             expected=f"{2 + ncols} cells", found=len(cells))
        if r == 0:
            t, _ = parse_number(cells[1])
            plate["temperature"] = None if t != t else t
        for j in range(ncols):
            rounded, flag = parse_number(cells[2 + j])
            value, line = rounded, ln
            if precise is not None:
                pc, pln = precise[r]
                if len(pc) >= 2 + ncols:
                    pv, pflag = parse_number(pc[2 + j])
                    if pflag is None and pv == pv:
                        value, line = pv, pln
            if value != value and flag is None and not cells[2 + j].strip():
                continue  # well not read
            plate["cells"][(letters[r], j + 1)] = (value, flag, line, rounded)
    return i, plate


def _group_block(lines: list[list[str]], i: int, p: Path) -> tuple[int, dict[str, Any]]:
    name = lines[i][0].split(":", 1)[1].strip()
    header = [c.strip() for c in lines[i + 1]] if i + 1 < len(lines) else []
    grp: dict[str, Any] = {"name": name, "rows": []}
    i += 2
    col = {h.casefold(): k for k, h in enumerate(header) if h}
    wells_k = col.get("wells") if "wells" in col else col.get("well")
    sample_k = col.get("sample")
    plate_k = col.get("wellplatename")
    nominal_k, nominal_unit = None, None
    for k, h in enumerate(header):
        m = re.match(r"^(Standard Value|Concentration|Conc\.? Std)\s*(.*)$", h, re.I)
        if m:
            nominal_k, nominal_unit = k, (m.group(2).strip() or None)
    dil_k = next((k for k, h in enumerate(header) if re.match(r"^(dilution|factor)", h, re.I)),
                 None)
    rep_k = next((k for k, h in enumerate(header)
                  if re.fullmatch(r"(BackCalcConc|Conc|Result|Concentration)", h, re.I)
                  and k != nominal_k), None)
    sample = ""
    nominal = None
    while i < len(lines):
        cells = lines[i]
        head = cells[0].strip()
        if head in ("~End",) or head.startswith("Group Column") or not any(
                c.strip() for c in cells):
            break
        if wells_k is None or wells_k >= len(cells):
            i += 1
            continue

        def cell(k: int | None, cells: list[str] = cells) -> str:
            return cells[k].strip() if k is not None and k < len(cells) else ""

        if cell(sample_k):
            sample = cell(sample_k)
            nominal = None
            if nominal_k is not None and cell(nominal_k):
                nv, nf = parse_number(cell(nominal_k))
                nominal = nv if nf is None else None
        well = cell(wells_k)
        if re.fullmatch(r"[A-Z]{1,2}\d{1,2}", well):
            row: dict[str, Any] = {"well": well, "sample": sample, "plate": cell(plate_k),
                                   "line": i + 1}
            if nominal is not None:
                row["nominal"], row["nominal_unit"] = nominal, _unit(nominal_unit)
            if dil_k is not None and cell(dil_k):
                dv, df_ = parse_number(cell(dil_k))
                if df_ is None and dv > 0:
                    row["dilution"] = dv
            if rep_k is not None and cell(rep_k):
                rv, rf = parse_number(cell(rep_k))
                row["reported"], row["reported_flag"] = rv, rf
            grp["rows"].append(row)
        i += 1
    while i < len(lines) and lines[i][0].strip() != "~End":
        i += 1
    return i + 1, grp


def _unit(text: str | None) -> str | None:
    if not text:
        return None
    from labtox.units import normalise_unit

    try:
        return normalise_unit(text)
    except LabtoxError:
        return text
