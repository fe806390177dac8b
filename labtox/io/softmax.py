"""Molecular Devices SoftMax Pro plain-text export (plate format, ``.txt``).

Layout (``../shared/fixtures/EXPORTS.md`` §4.4): UTF-16LE with BOM, CRLF; ``##BLOCKS= n``; for
each plate a block ``Plate:<TAB>name<TAB>version<TAB>PlateFormat<TAB>Endpoint<TAB>Absorbance
<TAB>Raw<TAB>…<TAB>wavelengths<TAB>first column<TAB>columns<TAB>wells<TAB>…<TAB>rows``, a header
``<TAB>Temperature(°C)<TAB>1…12``, one line per plate row (the first carries the temperature),
optionally a blank line and a second grid of the same wells at full precision, then ``~End``;
then ``Group: <name>`` blocks (a table ``Sample, Standard Value ng/mL, BackCalcConc, Wells, OD
…, WellPlateName``, a ``Group Column`` formula table, ``Group Summaries``, ``~End``).
``Original Filename: …; Date …`` closes the file.

One measurement row per plate × well read:

- ``PlateFormat`` blocks: a header ``<TAB>Temperature(°C)<TAB>1…n`` (with several wavelengths
  the grids sit side by side, separated by an empty column), one line per plate row, then
  optionally the *reduced* grid (its own header ``<TAB><TAB>1…n``). ``TimeFormat`` (column)
  blocks: a header ``<TAB>Temperature(°C)<TAB>A1<TAB>A2…``, one line per read and one group of
  lines per wavelength, then the reduced header and line. The ``Plate:`` line is read by field
  position for export version 1.3 (fluorescence lines carry an extra scan-position field), which
  gives the first column, the number of columns, the first row and the number of rows of the
  area read (partial plates).
- ``signal``: with one wavelength, the reduced value at full precision when SoftMax wrote one
  (the raw grid is kept in ``signal_rounded``), ``channel`` = the wavelength (``"450"``);
  with several wavelengths (e.g. ``450 650`` reference reads) the reduced value, ``channel``
  ``"reduced (450 650)"``, and every raw read in ``raw 450``/``raw 650`` (``… flag`` for
  tokens); without a reduced value, the first read. ``signal_unit`` ``AU``/``RFU``/``RLU``.
- Grids written with decimal commas (SoftMax on a European Windows) are read as such (decided
  per plate by the style of most values, with a warning when both styles appear; the group
  tables keep points).
- A token in the reduced grid of a single-read plate (``Range?``) is kept in
  ``reported_flag`` and ``reduced flag``; ``signal`` is then the read itself.
- ``Note:`` blocks count towards ``##BLOCKS`` and are otherwise skipped.

Group tables give sample identity:
``sample_id`` = the ``Sample`` name when it contains a letter (``MNG-001``), else
``"<group> <Sample>"`` (``Standards 01``, ``UnknownsNoDiln 03``),
``sample_type`` from the group's name (``Standards`` → calibration, ``Unknowns…`` → sample,
``Blank…`` → blank, ``PositiveControl``/``NegativeControl`` → qc, ``Control…`` → crm, else
``unknown`` with a warning); a ``Standard Value <unit>``/``Concentration <unit>`` column →
``nominal``/``nominal_unit``; a ``Dilution``/``Factor`` column → ``dilution``; SoftMax's
``BackCalcConc``/``Conc``/``Result`` → ``reported``. The well column is ``Wells`` or ``Well``.
The number of blocks is checked against ``##BLOCKS`` so a truncated file is an error.
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
from labtox.io._tables import decimal_of, plate_analyte
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
                    ("sample", "sample"), ("blank", "blank"), ("positive", "qc"),
                    ("negative", "qc"), ("control", "crm"), ("ctrl", "crm")):
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
        if head == "Note:" or head.startswith("Note:"):
            blocks += 1  # protocol notes: counted, not read
            while i < len(lines) and lines[i][0].strip() != "~End":
                i += 1
            i += 1
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
        for well, (v, flag, ln, rounded, channel, extra) in pl["cells"].items():
            seq += 1
            idn = ident.get((pl["name"], well))
            rec: dict[str, Any] = {
                "sequence": seq, "sample_id": well, "sample_type": "sample", "vendor_type": None,
                "analyte": an, "channel": channel, "signal": v,
                "signal_unit": _UNITS.get(pl["mode"].casefold(), "AU"), "signal_flag": flag,
                "signal_rounded": rounded, "well": well, "plate": pl["name"],
                "temperature": pl["temperature"], "source_line": str(ln), **extra,
            }
            if idn:
                rec.update(idn)
            elif groups:
                rec["sample_type"] = "unknown"
            if rec.get("reported_flag") is None:
                rec["reported_flag"] = flag if flag is not None else extra.get("reduced flag")
            records.append(rec)
    for pl in plates:
        if (pl["reads"] > 1 or pl["read_type"] == "Spectrum") and not pl["reduced"]:
            warnings.append(f"plate {pl['name']!r} is a {pl['read_type'].lower()} read without "
                            "reduced values: signal is the first read; every read is kept in "
                            "the 'raw …' columns")
        elif len(pl["wavelengths"]) > 1 and not pl["reduced"]:
            warnings.append(f"plate {pl['name']!r} has {len(pl['wavelengths'])} wavelengths and "
                            "no reduced values: signal is the first wavelength; each is kept in "
                            "the 'raw …' columns")
    if not groups:
        warnings.append("the export has no Group tables: every well is a sample named by its well")
    else:
        unassigned = sum(1 for r in records if r["sample_type"] == "unknown"
                         and r["vendor_type"] is None)
        if unassigned:
            warnings.append(f"{unassigned} well(s) in no group kept as sample type 'unknown'")
    warnings += [w for pl in plates for w in pl.get("warnings", [])]
    warnings += mapper.warnings() + resolver.warnings()
    return Run.from_path(
        pd.DataFrame.from_records(records), p, INFO.name, instrument="",
        software="SoftMax Pro", warnings=warnings, encoding=encoding, footer=footer,
        plates=[{k: v for k, v in pl.items() if k not in ("cells", "warnings")} for pl in plates],
        groups=[g["name"] for g in groups],
    )


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# field index of the number of plate rows on the 'Plate:' line, by read mode (export version 1.3;
# fluorescence lines carry an extra scan-position field after the mode)
_NROWS_FIELD = {"absorbance": 20, "luminescence": 29, "fluorescence": 30}


def _row_letter(k: int) -> str:
    return _LETTERS[k] if k < 26 else "A" + _LETTERS[k - 26]


def _plate_block(lines: list[list[str]], i: int, p: Path) -> tuple[int, dict[str, Any]]:
    f = [c.strip() for c in lines[i]]
    start = i

    def field(k: int) -> str:
        return f[k] if k < len(f) else ""

    def int_field(k: int, what: str, default: int | None = None) -> int:
        try:
            return int(field(k))
        except ValueError:
            if default is not None and not field(k):
                return default
            raise ParseError(f"the 'Plate:' line does not give the {what}.", path=p,
                             line=start + 1, column=k + 1, expected=f"an integer ({what})",
                             found=field(k) or "an empty field") from None

    mode = field(5)
    off = 1 if mode.casefold() == "fluorescence" else 0
    fmt = field(3)
    if fmt not in ("PlateFormat", "TimeFormat"):
        raise ParseError("unknown SoftMax Pro export format on the 'Plate:' line.", path=p,
                         line=i + 1, column=4, expected="PlateFormat or TimeFormat", found=fmt)
    points = int_field(8 + off, "number of reads", 1) or 1
    wavelengths = field(15 + off).split() or [""]
    first_col = int_field(16 + off, "first column", 1) or 1
    ncols = int_field(17 + off, "number of columns")
    nrows_k = _NROWS_FIELD.get(mode.casefold(), 20)
    nrows = int_field(nrows_k, "number of rows", 0)
    first_row = int_field(nrows_k - 1, "first row", 1) or 1
    plate: dict[str, Any] = {
        "name": field(1), "format": fmt, "read_type": field(4), "mode": mode,
        "data_type": field(6 + off), "wavelength": " ".join(wavelengths).strip(),
        "wavelengths": wavelengths, "reads": points, "ncols": ncols, "nrows": nrows,
        "first_column": first_col, "temperature": None, "cells": {}, "extra": {},
        "kinetic": [], "reduced": False,
    }
    # the block's lines up to '~End', cut into groups at blank lines
    i += 1
    groups: list[list[tuple[list[str], int]]] = [[]]
    while i < len(lines) and lines[i][0].strip() != "~End":
        if any(c.strip() for c in lines[i]):
            groups[-1].append((lines[i], i + 1))
        elif groups[-1]:
            groups.append([])
        i += 1
    if i >= len(lines):
        raise ParseError(f"plate {plate['name']!r} has no '~End' (truncated file?).", path=p,
                         line=len(lines), expected="'~End'", found="end of file")
    end = i + 1
    groups = [g for g in groups if g]
    if not groups or not groups[0][0][0][1:2] or not groups[0][0][0][1].strip().casefold(
            ).startswith("temperature"):
        raise ParseError(f"plate {plate['name']!r} has no value grid.", path=p, line=start + 2,
                         expected="a header '<TAB>Temperature(°C)<TAB>1<TAB>2…'",
                         found="\t".join(groups[0][0][0])[:60] if groups else "'~End'")
    header, hline = groups[0][0]
    groups[0] = groups[0][1:]
    raw_groups: list[list[tuple[list[str], int]]] = []
    reduced: list[tuple[list[str], int]] | None = None
    for g in groups:
        if not g:
            continue
        c0 = [c.strip() for c in g[0][0]]
        nums = [str(first_col + k) for k in range(ncols)]
        if len(c0) > 2 and c0[0] == "" and c0[1] == "" and (
                c0[2:2 + ncols] == nums or re.fullmatch(r"[A-Z]{1,2}\d{1,2}", c0[2])):
            reduced = g  # the reduced-data grid: its own column header, no temperature
            break
        raw_groups.append(g)
    grid_cells = [c for g in raw_groups + ([reduced] if reduced else []) for cells, _ in g
                  for c in cells[2:]]
    mixed: list[str] = []
    dec = decimal_of(grid_cells, "\t", mixed)  # the style of most cells, warned when mixed
    plate["decimal"] = dec
    plate["warnings"] = [f"plate {plate['name']!r}: {w}" for w in mixed]
    if fmt == "PlateFormat":
        if not nrows:
            nrows = len(raw_groups[0]) if raw_groups else 0
            plate["nrows"] = nrows
        wells: list[tuple[int, int, str]] = []  # (row index in grid, value offset, well)
        for r in range(nrows):
            for j in range(ncols):
                wells.append((r, j, f"{_row_letter(first_row - 1 + r)}{first_col + j}"))
        for g in raw_groups:
            if len(g) < nrows:
                raise ParseError(f"plate {plate['name']!r} has {len(g)} rows, not {nrows} "
                                 "(truncated file?).", path=p, line=g[-1][1] + 1,
                                 expected=f"{nrows} plate rows", found=len(g))
        per_point = len(wavelengths) if plate["read_type"] == "Spectrum" else 1
        for g in raw_groups:
            for cells, ln in g[:nrows]:
                need = 2 + (len(wavelengths) if per_point == 1 else 1) * (ncols + 1) - 1
                if len(cells) < need:
                    raise ParseError("a plate row is short (truncated file?).", path=p, line=ln,
                                     column=len(cells) + 1, expected=f"{need} cells",
                                     found=len(cells))
        if raw_groups and raw_groups[0]:
            t, _ = parse_number(raw_groups[0][0][0][1], dec)
            plate["temperature"] = None if t != t else t

        def raw_value(g: list[tuple[list[str], int]], r: int, k: int, j: int
                      ) -> tuple[float, str | None, int, str]:
            cells, ln = g[r]
            k_off = 2 + k * (ncols + 1) + j
            cell = cells[k_off] if k_off < len(cells) else ""
            v, fl = parse_number(cell, dec)
            return v, fl, ln, cell

        for r, j, well in wells:
            reads = []  # (label, value, flag, line, raw cell)
            if plate["read_type"] == "Spectrum" or points > 1:
                for gi, g in enumerate(raw_groups):
                    label = g[0][0][0].strip() or str(gi + 1)  # read time, or wavelength
                    spectrum = plate["read_type"] == "Spectrum"
                    for k in range(1 if spectrum else len(wavelengths)):
                        v, fl, ln, cell = raw_value(g, r, k, j)
                        lab = label if spectrum else f"{wavelengths[k]} {label}".strip()
                        reads.append((lab, v, fl, ln, cell))
            else:
                for k, wl in enumerate(wavelengths):
                    v, fl, ln, cell = raw_value(raw_groups[0], r, k, j)
                    reads.append((wl, v, fl, ln, cell))
            red = None
            if reduced is not None and len(reduced) > r + 1:
                cells, ln = reduced[r + 1]
                cell = cells[2 + j] if 2 + j < len(cells) else ""
                v, fl = parse_number(cell, dec)
                red = (v, fl, ln, cell)
            _store(plate, well, reads, red)
    else:  # TimeFormat: one column per well read, one line per read, one group per wavelength
        wnames = [c.strip() for c in header[2:]]
        wnames = [w for w in wnames if w]
        for g in raw_groups:
            for cells, ln in g:
                if len(cells) < 2 + len(wnames):
                    raise ParseError("a read line is short (truncated file?).", path=p,
                                     line=ln, column=len(cells) + 1,
                                     expected=f"{2 + len(wnames)} cells", found=len(cells))
        if raw_groups and raw_groups[0]:
            t, _ = parse_number(raw_groups[0][0][0][1], dec)
            plate["temperature"] = None if t != t else t
        for j, well in enumerate(wnames):
            reads = []
            for gi, g in enumerate(raw_groups):
                wl = wavelengths[gi] if gi < len(wavelengths) else str(gi + 1)
                for cells, ln in g:
                    label = wl if len(g) == 1 else f"{wl} {cells[0].strip()}".strip()
                    v, fl = parse_number(cells[2 + j], dec)
                    reads.append((label, v, fl, ln, cells[2 + j]))
            red = None
            if reduced is not None and len(reduced) > 1:
                rh = [c.strip() for c in reduced[0][0]]
                cells, ln = reduced[1]
                if well in rh:
                    k = rh.index(well)
                    cell = cells[k] if k < len(cells) else ""
                    v, fl = parse_number(cell, dec)
                    red = (v, fl, ln, cell)
            _store(plate, well, reads, red)
    plate["reduced"] = reduced is not None
    return end, plate


def _store(plate: dict[str, Any], well: str, reads: list[tuple[str, float, str | None, int, str]],
           red: tuple[float, str | None, int, str] | None) -> None:
    """One well: ``signal`` is the reduced value when SoftMax wrote one (the value its group
    tables and curves use), else the first read; every read is kept."""
    if not reads:
        return
    first = reads[0]
    if all(not cell.strip() for *_, cell in reads) and (red is None or not red[3].strip()):
        return  # well not read
    single = len(reads) == 1
    extra: dict[str, Any] = {}
    if red is not None and single and red[1] is None and red[0] == red[0]:
        # the reduced grid at full precision; the raw cell's token (if any) is kept
        value, flag, line, channel = red[0], first[2], red[2], first[0]
    elif red is not None and not single and red[3].strip():
        value, flag, line = red[0], red[1], red[2]
        channel = f"reduced ({plate['wavelength'] or plate['mode']})"
    else:
        lab, value, flag, line, _ = next(r for r in reads if r[4].strip()) if any(
            r[4].strip() for r in reads) else first
        channel = lab
        if single and red is not None and red[1] is not None:
            # a token in the reduced grid (``Range?``): signal is the read, the token is kept
            # (as ``reported_flag`` and ``reduced flag``)
            extra = {"reduced": red[0], "reduced flag": red[1]}
    channel = channel or plate["mode"] or "signal"
    if not single:
        for label, v, fl, _ln, _c in reads:
            extra[f"raw {label}"] = v
            if fl is not None:
                extra[f"raw {label} flag"] = fl
        if red is not None and red[3].strip():
            extra["reduced"] = red[0]
            if red[1] is not None:
                extra["reduced flag"] = red[1]
    plate["cells"][well] = (value, flag, line, first[1], channel, extra)


def _group_block(lines: list[list[str]], i: int, p: Path) -> tuple[int, dict[str, Any]]:
    name = lines[i][0].split(":", 1)[1].strip()
    if not name and len(lines[i]) > 1:
        name = lines[i][1].strip()  # 'Group:<TAB>Standards<TAB>1' (SoftMax Pro 5 style)
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
