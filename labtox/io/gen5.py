"""BioTek (Agilent) Gen5 plate export: TAB-separated ``.txt`` (also ``,``/``;``-separated text
and the Excel workbook export, read through the same layout).

Layout (see ``../shared/fixtures/EXPORTS.md`` §4.1): header lines ``key<TAB>value``
(``Software Version``, ``Plate Number``, ``Date``, ``Time``, ``Reader Type:``, ``Reading Type``
...), ``Procedure Details``, then titled plate grids: ``Layout`` (per plate row a ``Well ID`` line
and continuation lines such as ``Conc/Dil``, labelled in the last column) and ``Results`` (per
plate row one line per data set, labelled in the last column: ``450``,
``450nmAbsRead:450``, ``Blank 450``, ``[Concentration]`` ...). Kinetic exports add a trace table
(``Time<TAB>T° 420<TAB>A1<TAB>A2 ...``) and ``Mean V`` data sets; ``Curve Fitting Results``
tables close the file. The table ("column") export, one line per well under a header
``Well<TAB>Well ID<TAB>Name<TAB>Conc/Dil<TAB>450<TAB>Blank 450<TAB>[Concentration]``, is read
into the same structures (layout columns by name, every other column a data set).

One measurement row per well:

- ``signal`` = the raw read data set (the first label that names a read, e.g. ``450`` or
  ``450nmAbsRead:450``; for kinetic exports the first data set, e.g. ``Mean V [420]``),
  ``signal_unit`` ``AU`` for absorbance (``RFU``/``RLU`` for fluorescence/luminescence,
  ``mOD/min`` for kinetic ``V``/``Vmax`` rates; assumed ``AU``, with a warning, when the
  Procedure Details name no read mode), ``channel`` = that label as written;
- ``reported``/``reported_flag`` = Gen5's own ``[Concentration]`` for the same well (unit from
  ``conc_unit=``, which Gen5 does not write); every token (``OVRFLW``, ``MISSED``, ``?????``,
  ``<0.000``, ``>80.000``) is kept as written. When the raw read itself is a token and the
  concentration cell is empty, ``reported_flag`` carries the raw token; ``signal_flag`` always
  holds the raw read's token;
- every other data set (``Blank 450``, ``Conc*Dil`` ...) becomes an extra column named by its
  label (``<label> flag`` holds its tokens when there are any);
- ``well`` (``A1`` … ``P24``), ``plate``, ``well_id`` (the Gen5 ID as written: ``SPL1:2``).

Sample identities come from the ``Layout``: ``sample_id`` is the name when the layout carries a
``Name``/``Sample ID`` line, else the ID without its dilution suffix (``SPL1:2`` → ``SPL1``);
``sample_type`` from the ID's prefix through ``labtox/data/sample_types.csv`` (``STD`` →
calibration, ``BLK`` → blank, ``SPL`` → sample, ``CTL`` → crm). Wells with no layout ID are
kept as ``sample_type="unknown"`` named by their well; without any ``Layout`` every well is read
as a sample named by its well (with a warning).

Conc/Dil interpretation: for standards the value is the standard's concentration → ``nominal``
(unit ``conc_unit=``); for samples and controls it is Gen5's dilution → ``dilution`` when ≥ 1;
a value below 1 (``0.5``, ``0.25`` in serial-dilution layouts) is read as the *fraction* of
sample in the well, so ``dilution = 1/value`` (with a warning saying so). The number after the
colon in ``SPL1:2`` is Gen5's dilution *index* (the 2nd dilution of sample 1), kept in
``dilution_index``, never used as a factor. The raw number is kept in ``layout_value``.

Variations handled: several plates per file (``Plate Number`` blocks; a plate without its
own Layout uses the previous one, with a warning); 96/384-well grids; one titled grid per data
set (``660``, ``Conc``) or several data sets per plate row; the concentration data set named
``[Concentration]``, ``Concentration`` or ``Conc``; multiple read steps (``od:600``,
``fluor:579,616``) as extra columns; masked wells (``*0.356*``) kept as tokens; decimal commas
(decided from the values); a ``Date`` written ``dd.mm.yyyy`` read day-first (an ambiguous slashed
date is left empty with a warning unless ``dayfirst=`` is given).

The analyte is not in Gen5 exports: pass ``analyte=`` (e.g. ``"Aflatoxin M1"``); a header line
``Analyte<TAB>name`` is used when present; otherwise ``"unknown"`` with a warning. The kinetic
trace (if any) is kept in ``Run.metadata["kinetic"]`` (long table), curve fits in
``Run.metadata["curve_fits"]``.
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from labtox.errors import ParseError
from labtox.io._common import (
    DOTTED_DAYFIRST,
    AnalyteResolver,
    Head,
    ReaderInfo,
    SampleTypeMapper,
    parse_dates,
    parse_number,
    read_text,
)
from labtox.io._tables import decimal_of
from labtox.run import Run

__all__ = ["INFO", "sniff", "read", "well_sample"]

INFO = ReaderInfo(
    name="gen5",
    vendor="BioTek (Agilent)",
    software="Gen5",
    instruments=("plate reader",),
    extensions=("txt", "csv", "xlsx"),
    signature="Gen5 text-export lines ('Software Version', 'Plate Number'/'Procedure Details', "
              "plate grids with row letters)",
    priority=60,
)

_ROW_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_HEADER_KEYS = {"software version", "experiment file path", "protocol file path", "plate number",
                "date", "time", "reader type", "reader serial number", "reading type", "analyte"}
_SECTION_END = {"procedure details", "layout", "results"}


def sniff(head: Head) -> bool:
    """A line ``Software Version<TAB>…`` (or ``,``/``;``-separated, or a workbook row
    ``Software Version | …``) plus ``Plate Number``, ``Procedure Details``, ``Layout`` or
    ``Results`` in the first lines."""
    if head.is_zip:
        for rows in head.xlsx_sheets.values():
            firsts = [str(r[0]).strip() for r in rows if r and r[0] is not None]
            if "Software Version" in firsts and any(
                    f in ("Plate Number", "Procedure Details", "Results", "Layout")
                    for f in firsts):
                return True
        return False
    lines = [ln.strip("\r") for ln in head.lines[:200]]
    sep = next((ln[len("Software Version")] for ln in lines
                if ln.startswith("Software Version") and len(ln) > 16
                and ln[16] in "\t,;"), None)
    if sep is None:
        return False
    return any(ln.startswith("Plate Number" + sep) or ln.strip().strip(sep) in (
        "Procedure Details", "Results", "Layout") for ln in lines)


def _lines(p: Path) -> tuple[list[list[str]], str, str | None]:
    """The export as lists of cells: TAB text, ``,``/``;``-separated text, or a workbook;
    with the encoding and the delimiter (``None`` for a workbook)."""
    with open(p, "rb") as fh:
        magic = fh.read(4)
    if magic == b"PK\x03\x04":
        return _xlsx_lines(p), "xlsx", None
    text, encoding = read_text(p)
    raw = text.split("\n")
    first = next((ln for ln in raw if ln.startswith("Software Version")), "")
    sep = first[16] if len(first) > 16 and first[16] in ",;" else "\t"
    if sep == "\t":
        return [ln.split("\t") for ln in raw], encoding, sep
    import csv
    import io as _io

    try:
        return ([list(r) or [""] for r in csv.reader(_io.StringIO(text), delimiter=sep)],
                encoding, sep)
    except csv.Error as exc:
        raise ParseError(f"the {sep!r}-separated export is not valid CSV ({exc}).", path=p,
                         expected="well-formed quoting") from None


_SHEET: dict[str, str] = {}


def _xlsx_lines(p: Path) -> list[list[str]]:
    import datetime as _dt
    import io as _io

    import openpyxl

    def text(v: object) -> str:
        if v is None:
            return ""
        if isinstance(v, bool):
            return str(v)
        if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        if isinstance(v, _dt.datetime):  # a date cell is a datetime at midnight
            return (v.date().isoformat() if v.time() == _dt.time(0)
                    else v.isoformat(sep=" ", timespec="seconds"))
        if isinstance(v, (_dt.date, _dt.time)):
            return v.isoformat()
        return str(v)

    try:
        wb = openpyxl.load_workbook(_io.BytesIO(p.read_bytes()), read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError ...
        raise ParseError(f"the workbook cannot be opened ({exc.__class__.__name__}).", path=p,
                         expected="a Gen5 .xlsx export") from None
    try:
        for ws in wb.worksheets:
            rows = [[text(c) for c in r] for r in ws.iter_rows(values_only=True)]
            if any(r and r[0].strip() == "Software Version" for r in rows):
                _SHEET[str(p)] = ws.title
                return [r or [""] for r in rows]
    except Exception as exc:
        raise ParseError(f"the workbook cannot be read ({exc.__class__.__name__}: {exc}).",
                         path=p, expected="a Gen5 .xlsx export") from None
    finally:
        wb.close()
    raise ParseError("no sheet holds a Gen5 export.", path=p,
                     expected="a sheet with a 'Software Version' row")


def well_sample(well_id: str) -> tuple[str, int | None]:
    """Split a Gen5 well ID into ``(sample id, dilution index)``.

    Examples
    --------
    >>> well_sample("SPL1:2")
    ('SPL1', 2)
    >>> well_sample("STD3")
    ('STD3', None)
    """
    m = re.match(r"^(.*?):(\d+)$", well_id.strip())
    if m:
        return m.group(1), int(m.group(2))
    return well_id.strip(), None


def _is_grid_header(cells: list[str]) -> bool:
    if len(cells) < 3 or cells[0].strip():
        return False
    nums = [c.strip() for c in cells[1:] if c.strip()]
    return bool(nums) and nums == [str(i) for i in range(1, len(nums) + 1)]


class _Plate:
    def __init__(self, name: str) -> None:
        self.name = name
        self.layout: dict[str, dict[str, list[str]]] = {}  # row -> label -> cells
        self.results: dict[str, list[tuple[str, list[str], int]]] = {}  # row -> [(label, cells, line)]
        self.ncols = 0
        self.layout_ncols = 0
        self.layout_line: dict[str, int] = {}
        self.header: dict[str, str] = {}
        self.inherited = False
        self.well_lines: dict[str, int] = {}  # table-format exports: one line per well


def _parse_grid(lines: list[list[str]], start: int, path: Path, title: str
                ) -> tuple[int, int, list[tuple[str, str, list[str], int]]]:
    """Parse a titled grid whose column header is at ``start``.

    Returns ``(next index, number of columns, [(row letter, label, cells, line)])``.
    """
    header = lines[start]
    nums = [c.strip() for c in header[1:] if c.strip()]
    ncols = len(nums)
    out: list[tuple[str, str, list[str], int]] = []
    row = None
    i = start + 1
    while i < len(lines):
        cells = lines[i]
        if not any(c.strip() for c in cells):
            break
        first = cells[0].strip()
        if first and not (len(first) <= 2 and first.isalpha() and first.isupper()):
            break  # next section or a table
        if first:
            row = first
        elif row is None:
            raise ParseError(f"the {title} grid has a continuation line before any row letter.",
                             path=path, line=i + 1, column=1, expected="a row letter (A, B, ...)",
                             found=cells[0])
        values = cells[1:1 + ncols]
        if len(values) < ncols:
            raise ParseError(
                f"the {title} grid row {row} is short (truncated file?).", path=path,
                line=i + 1, column=len(cells) + 1,
                expected=f"{ncols} well cells and a data-set label", found=len(cells) - 1)
        label = cells[1 + ncols].strip() if len(cells) > 1 + ncols else ""
        extra = [c for c in cells[2 + ncols:] if c.strip()]
        if extra:
            raise ParseError(f"the {title} grid row {row} has cells beyond its label.",
                             path=path, line=i + 1, column=3 + ncols,
                             expected=f"{ncols} well cells and one label", found=extra[0])
        out.append((row, label, values, i + 1))
        i += 1
    return i, ncols, out


def _signal_unit(label: str, read_kind: str) -> str:
    if re.search(r"\b(mean\s*v|vmax|v)\b", label, re.I) and "[" in label:
        return "mOD/min"
    kind = read_kind.casefold()
    if "fluorescence" in kind:
        return "RFU"
    if "luminescence" in kind:
        return "RLU"
    return "AU"


def _pick_raw(labels: list[str], wavelengths: list[str]) -> str:
    def derived(lab: str) -> bool:
        return lab.startswith("[") or lab.casefold().startswith("blank ") or not lab

    for lab in labels:
        if derived(lab):
            continue
        tail = lab.rsplit(":", 1)[-1].strip()
        if tail in wavelengths or re.fullmatch(r"\d{3}(\.\d+)?", lab.strip()):
            return lab
    for lab in labels:
        if not derived(lab):
            return lab
    return labels[0]


def read(path: str | PathLike[str], *, analyte: str | None = None, conc_unit: str | None = None,
         dayfirst: bool | None = None, decimal: str | None = None, **options: Any) -> Run:
    r"""Read a Gen5 plate text export.

    Parameters
    ----------
    path
        The ``.txt`` export (any encoding :func:`~labtox.io._common.read_text` decodes).
    analyte
        The analyte measured (Gen5 does not write it), e.g. ``"Aflatoxin M1"``.
    conc_unit
        Unit of the layout's standard concentrations and of Gen5's ``[Concentration]``
        (e.g. ``"ng/L"``); Gen5 does not write it.
    dayfirst
        For the ``Date`` line when it is ambiguous (``4/11/2024``); when ``None`` an ambiguous
        date leaves ``acquired`` empty with a warning.
    decimal
        ``"."`` or ``","``; by default decided from the data grids (the style of most values,
        by :func:`labtox.io._tables.detect_decimal`), with a warning when commas are used and
        another when both styles appear.

    Returns
    -------
    Run
        One measurement row per well and plate.

    Raises
    ------
    ParseError
        No plate grid, a short or overlong grid row, a layout row without results, an unknown
        option.

    References
    ----------
    BioTek Instruments (2007) *Gen5 & Gen5 Secure User's Guide*, PN 5321001 rev. C: plate
    layout well IDs (STD, SPL, BLK, CTL), data sets and text export.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "plate.txt"
    >>> _ = p.write_text("Software Version\t3.12\nPlate Number\tPlate 1\n\nLayout\n\t1\t2\n"
    ...     "A\tSTD1\tSPL1\tWell ID\n\t0\t1\tConc/Dil\n\nResults\n\t1\t2\n"
    ...     "A\t1.977\tOVRFLW\t450\n\t0.841\t?????\t[Concentration]\n")
    >>> run = read(p, analyte="Aflatoxin M1", conc_unit="ng/L")
    >>> run.measurements[["well", "sample_id", "sample_type", "signal", "reported_flag"]].values.tolist()
    [['A1', 'STD1', 'calibration', 1.977, nan], ['A2', 'SPL1', 'sample', nan, '?????']]
    """
    if options:
        k = next(iter(options))
        raise ParseError(f"unknown option {k!r} for the Gen5 reader.", path=path,
                         expected="analyte=, conc_unit=, dayfirst=, decimal=")
    if decimal not in (None, ".", ","):
        raise ParseError("decimal must be '.' or ','.", path=path, found=decimal)
    p = Path(path)
    lines, encoding, sep = _lines(p)
    header: dict[str, str] = {}
    procedure: list[str] = []
    plates: list[_Plate] = []
    kinetic_rows: list[dict[str, Any]] = []
    curve_fits: list[dict[str, str]] = []
    warnings: list[str] = []

    def plate() -> _Plate:
        if not plates:
            plates.append(_Plate(header.get("plate number", "Plate 1")))
        return plates[-1]

    title = ""
    in_procedure = False
    i = 0
    while i < len(lines):
        cells = lines[i]
        first = cells[0].strip()
        nonempty = [c for c in cells if c.strip()]
        if not nonempty:
            i += 1
            continue
        key = first.rstrip(":").strip().casefold()
        if key in _HEADER_KEYS and len(cells) >= 2 and len(nonempty) <= 2 and not in_procedure:
            if key == "plate number":
                plates.append(_Plate(cells[1].strip() or f"Plate {len(plates) + 1}"))
            header.setdefault(key, cells[1].strip())
            if plates:
                plates[-1].header[key] = cells[1].strip()
            i += 1
            continue
        if _is_grid_header(cells):
            nxt, ncols, rows = _parse_grid(lines, i, p, title or "plate")
            pl = plate()
            if title.casefold() == "layout":
                pl.layout_ncols = ncols
                for r, label, vals, ln in rows:
                    pl.layout.setdefault(r, {})[label or "Well ID"] = vals
                    pl.layout_line.setdefault(r, ln)
            else:
                if pl.ncols and pl.ncols != ncols:
                    raise ParseError("two data grids of one plate have different widths.",
                                     path=p, line=i + 1, expected=f"{pl.ncols} columns",
                                     found=ncols)
                pl.ncols = ncols
                for r, label, vals, ln in rows:
                    pl.results.setdefault(r, []).append((label or title, vals, ln))
            i = nxt
            continue
        if first == "Well" and len(cells) >= 2 and i + 1 < len(lines) and re.fullmatch(
                r"[A-Z]{1,2}\d{1,2}", lines[i + 1][0].strip()):
            i = _parse_table(lines, i, p, plate(), title)
            continue
        if first.casefold() == "time" and len(cells) > 3 and re.fullmatch(r"[A-P]\d{1,2}",
                                                                          cells[2].strip() or "x"):
            i = _parse_kinetic(lines, i, p, title, kinetic_rows)
            continue
        if first.casefold() == "curve name":
            names = [c.strip() for c in cells]
            i += 1
            while i < len(lines) and any(c.strip() for c in lines[i]):
                vals = lines[i]
                curve_fits.append({n: (vals[j].strip() if j < len(vals) else "")
                                   for j, n in enumerate(names) if n})
                i += 1
            continue
        if len(nonempty) == 1 and first and _is_title(first, lines, i):
            title = first
            in_procedure = first.casefold() == "procedure details"
            i += 1
            continue
        if in_procedure:
            procedure.append(" ".join(c.strip() for c in cells if c.strip()))
        i += 1

    plates = [pl for pl in plates if pl.results or pl.layout]
    if not plates or not any(pl.results for pl in plates):
        raise ParseError("no plate data grid found.", path=p,
                         expected="a 'Results' grid (TAB header 1..12, rows A..H, labels last)")
    wavelengths = []
    read_kind = ""
    for ln in procedure:
        m = re.search(r"Wavelengths?:\s*([\d,\s]+)", ln)
        if m:
            wavelengths += [w.strip() for w in m.group(1).split(",") if w.strip()]
        if re.search(r"(Absorbance|Fluorescence|Luminescence)", ln):
            read_kind = read_kind or ln

    # analyte
    resolver = AnalyteResolver()
    label = analyte or header.get("analyte")
    if not label:
        label = "unknown"
        warnings.append("Gen5 exports do not name the analyte: read as 'unknown' "
                        "(pass analyte='Aflatoxin M1' or similar)")
    an_name = resolver(label)[0] if label != "unknown" else "unknown"

    for k, pl in enumerate(plates):  # plates of one experiment share the protocol's layout
        if not pl.layout and k > 0 and plates[k - 1].layout:
            pl.layout, pl.layout_line, pl.inherited = plates[k - 1].layout, {}, True
    inherited = [pl.name for pl in plates if pl.inherited]
    if inherited:
        verb = "has" if len(inherited) == 1 else "have"
        warnings.append(f"{', '.join(inherited)} {verb} no Layout of its own: the previous "
                        "plate's layout is used")
    acquired = _acquired(plates[0].header or header, dayfirst, p, warnings)
    dec = decimal or decimal_of([c for pl in plates for rows in pl.results.values()
                                 for _, vals, _ in rows for c in vals], sep, warnings)
    if dec == ",":
        warnings.append("numbers are written with a decimal comma (read as such)")
    mapper = SampleTypeMapper()
    records: list[dict[str, Any]] = []
    frac_dil: set[str] = set()
    extra_labels: list[str] = []
    seq = 0
    unassigned = 0
    raw_label_used = ""
    for pl in plates:
        labels = list(dict.fromkeys(lab for rows in pl.results.values() for lab, _, _ in rows))
        if not labels:
            continue
        raw_label = _pick_raw(labels, wavelengths)
        raw_label_used = raw_label_used or raw_label
        conc_label = next((lab for lab in labels if _CONC.fullmatch(lab.strip())), None)
        for lab in labels:
            if lab not in (raw_label, conc_label) and lab not in extra_labels:
                extra_labels.append(lab)
        for r, ids in pl.layout.items():
            if (not pl.inherited and any(c.strip() for c in ids.get("Well ID", []))
                    and r not in pl.results):
                raise ParseError(
                    f"the Layout names wells in row {r} but the data grid has no row {r} "
                    "(truncated file?).", path=p, line=pl.layout_line.get(r),
                    expected=f"data for row {r}")
        has_layout = bool(pl.layout)
        if not has_layout and not any("no Layout" in w for w in warnings):
            warnings.append("the export has no Layout section: every well is read as a sample "
                            "named by its well")
        unit = _signal_unit(raw_label, read_kind)
        if not read_kind and unit == "AU" and not any("signal_unit assumed" in w
                                                      for w in warnings):
            warnings.append("the Procedure Details name no read mode (Absorbance, Fluorescence, "
                            "Luminescence): signal_unit assumed 'AU' (absorbance units)")
        pl_acquired = _acquired(pl.header, dayfirst, p, []) if pl.header.get("date") else acquired
        for r in sorted(pl.results, key=_row_order):
            sets = {lab: (vals, ln) for lab, vals, ln in pl.results[r]}
            if raw_label not in sets:
                raise ParseError(f"row {r} has no {raw_label!r} data set.", path=p,
                                 line=pl.results[r][0][2], expected=f"a line labelled {raw_label!r}")
            lay = pl.layout.get(r, {})
            for j in range(pl.ncols):
                well = f"{r}{j + 1}"
                vals, ln = sets[raw_label]
                ln = pl.well_lines.get(well, ln)
                cell = vals[j]
                sig, sflag = parse_number(cell, dec)
                if not cell.strip() and not has_layout:
                    continue  # well not read
                wid = _cell(lay.get("Well ID"), j)
                name = ""
                for key_, v in lay.items():
                    if re.search(r"name|sample id", key_, re.I):
                        name = _cell(v, j)
                lay_raw = ""
                for key_, v in lay.items():
                    if re.fullmatch(r"conc/dil|conc|dil|dilution|concentration", key_, re.I):
                        lay_raw = _cell(v, j) or lay_raw
                if not cell.strip() and not wid:
                    continue  # unused, unread well
                seq += 1
                base, dil_index = well_sample(wid) if wid else ("", None)
                if wid:
                    stype = mapper(base)
                    sid = name or base
                elif has_layout:
                    stype, sid = "unknown", well
                    unassigned += 1
                else:
                    stype, sid = "sample", well
                rec: dict[str, Any] = {
                    "sequence": seq, "sample_id": sid, "sample_type": stype,
                    "vendor_type": re.sub(r"\d+$", "", base) if wid else None,
                    "analyte": an_name, "channel": raw_label, "signal": sig, "signal_unit": unit,
                    "signal_flag": sflag, "well": well, "plate": pl.name, "well_id": wid or None,
                    "dilution_index": dil_index, "layout_value": lay_raw or None,
                    "acquired": pl_acquired, "source_line": str(ln),
                }
                lv, lflag = parse_number(lay_raw, dec) if lay_raw else (np.nan, None)
                if lflag is not None:
                    raise ParseError("a Conc/Dil cell is not a number.", path=p,
                                     line=pl.layout_line.get(r), column=j + 2,
                                     expected="a number", found=lay_raw)
                if stype in ("calibration", "calibration_blank") and np.isfinite(lv):
                    rec["nominal"], rec["nominal_unit"] = lv, conc_unit
                elif np.isfinite(lv) and lv > 0:
                    if lv < 1:
                        frac_dil.add(lay_raw)
                        rec["dilution"] = 1.0 / lv
                    else:
                        rec["dilution"] = lv
                if conc_label is not None and conc_label in sets:
                    cv, cflag = parse_number(sets[conc_label][0][j], dec)
                    rec["reported"], rec["reported_flag"] = cv, cflag
                    rec["reported_unit"] = conc_unit
                if rec.get("reported_flag") is None and sflag is not None:
                    rec["reported_flag"] = sflag
                for lab in extra_labels:
                    if lab in sets:
                        v, f = parse_number(sets[lab][0][j], dec)
                        rec[lab] = v
                        if f is not None:
                            rec[f"{lab} flag"] = f
                records.append(rec)
    if unassigned:
        warnings.append(f"{unassigned} well(s) with data but no Layout ID kept as sample type "
                        "'unknown', named by their well")
    if frac_dil:
        warnings.append(
            "Conc/Dil values below 1 for samples (" + ", ".join(sorted(frac_dil, key=float)) +
            ") read as the fraction of sample in the well: dilution = 1/value")
    if conc_unit is None and any(pl.layout for pl in plates):
        warnings.append("Gen5 does not write concentration units: nominal/reported units are "
                        "empty (pass conc_unit='ng/L' or similar)")
    if not records:
        raise ParseError("the plate grids hold no wells.", path=p, expected="well values")
    df = pd.DataFrame.from_records(records)
    sheet = _SHEET.pop(str(p), None)
    if sheet is not None:  # workbook export: 'Sheet!R12'
        df["source_line"] = [f"{sheet}!R{ln}" for ln in df["source_line"]]
    if "reported_flag" not in df.columns:
        df["reported_flag"] = None
    warnings += mapper.warnings() + resolver.warnings()
    kinetic = pd.DataFrame.from_records(kinetic_rows) if kinetic_rows else None
    if kinetic is not None:
        warnings.append(f"kinetic trace ({kinetic['time'].nunique()} reads per well) kept in "
                        "metadata['kinetic'], not as measurements")
    instrument = header.get("reader type", "")
    if instrument.casefold() in ("n/a", "unknown"):
        instrument = ""
    return Run.from_path(
        df, p, INFO.name, instrument=instrument,
        software=f"Gen5 {header.get('software version', '')}".strip(), acquired=acquired or "",
        warnings=warnings, encoding=encoding, header=header, procedure=procedure,
        reading_type=header.get("reading type", ""), curve_fits=curve_fits, kinetic=kinetic,
        data_sets=[raw_label_used, *extra_labels], plates=[pl.name for pl in plates],
    )


# Gen5's calculated concentration data set: '[Concentration]' (Gen5 3.x default), 'Conc' or
# 'Concentration' (older protocols); 'Conc*Dil' and others stay extra columns
_CONC = re.compile(r"\[?\s*conc(entration)?\s*\]?", re.I)

_TITLES = {"procedure details", "layout", "results", "stdcurve fitting results",
           "curve fitting results"}


def _is_title(first: str, lines: list[list[str]], i: int) -> bool:
    """A one-cell line is a section title when it is a known title or a grid/table follows."""
    if first.casefold() in _TITLES:
        return True
    j = i + 1
    while j < len(lines) and not any(c.strip() for c in lines[j]):
        j += 1
    if j >= len(lines):
        return False
    nxt = lines[j]
    return _is_grid_header(nxt) or nxt[0].strip().casefold() in ("time", "curve name")


def _row_order(r: str) -> tuple[int, str]:
    return (len(r), r)


def _cell(vals: list[str] | None, j: int) -> str:
    if not vals or j >= len(vals):
        return ""
    return vals[j].strip()


def _acquired(header: dict[str, str], dayfirst: bool | None, path: Path,
              warnings: list[str]) -> str | None:
    date = header.get("date", "")
    if not date:
        return None
    stamp = f"{date} {header.get('time', '')}".strip()
    try:
        iso, rule = parse_dates([stamp], dayfirst=dayfirst, path=path, column="Date")
        if rule == DOTTED_DAYFIRST:
            warnings.append(f"date {date!r} read day-first (dotted dd.mm.yyyy style)")
    except ParseError as exc:
        warnings.append(f"acquisition date {stamp!r} not read: {exc.message} "
                        "(pass dayfirst=True or False)")
        return None
    return iso[0]


_LAYOUT_COLUMNS = re.compile(r"well id|name|sample id|conc/dil|conc|dil|dilution|concentration",
                             re.I)


def _parse_table(lines: list[list[str]], i: int, path: Path, pl: _Plate, title: str) -> int:
    """A table-format export (``Well<TAB>Well ID<TAB>Conc/Dil<TAB>450<TAB>…``, one line per well),
    stored in the plate's grid structures."""
    header = [c.strip() for c in lines[i]]
    start = i
    i += 1
    rows: list[tuple[str, int, list[str], int]] = []
    while i < len(lines) and lines[i] and re.fullmatch(r"[A-Z]{1,2}\d{1,2}", lines[i][0].strip()):
        cells = lines[i]
        if len(cells) < len(header):
            raise ParseError("a well line of the table is short (truncated file?).", path=path,
                             line=i + 1, expected=f"{len(header)} cells", found=len(cells))
        m = re.fullmatch(r"([A-Z]{1,2})(\d{1,2})", cells[0].strip())
        rows.append((m.group(1), int(m.group(2)), cells, i + 1))
        i += 1
    ncols = max(c for _, c, _, _ in rows)
    if pl.ncols and pl.ncols != ncols:
        ncols = max(ncols, pl.ncols)
    pl.ncols = ncols
    for k, name in enumerate(header[1:], start=1):
        if not name:
            continue
        target_layout = bool(_LAYOUT_COLUMNS.fullmatch(name))
        for r in dict.fromkeys(r for r, _, _, _ in rows):
            vals = [""] * ncols
            line = start + 1
            for rr, c, cells, ln in rows:
                if rr == r:
                    vals[c - 1] = cells[k] if k < len(cells) else ""
                    line = ln
                    pl.well_lines[f"{rr}{c}"] = ln
            if target_layout:
                pl.layout.setdefault(r, {})[name] = vals
                pl.layout_line.setdefault(r, line)
            else:
                pl.results.setdefault(r, []).append((name, vals, line))
    return i


def _parse_kinetic(lines: list[list[str]], i: int, path: Path, title: str,
                   out: list[dict[str, Any]]) -> int:
    header = [c.strip() for c in lines[i]]
    start = i
    i += 1
    while i < len(lines) and any(c.strip() for c in lines[i]):
        cells = lines[i]
        if len(cells) < len(header):
            raise ParseError("a kinetic trace line is short (truncated file?).", path=path,
                             line=i + 1, expected=f"{len(header)} cells", found=len(cells))
        t = cells[0].strip()
        for j in range(2, len(header)):
            if not header[j]:
                continue
            v, f = parse_number(cells[j])
            out.append({"channel": title, "time": t, "well": header[j], "value": v, "flag": f,
                        "source_line": str(i + 1)})
        i += 1
    if i == start + 1:
        raise ParseError("a kinetic trace table has no rows.", path=path, line=start + 1,
                         expected="time rows")
    return i
