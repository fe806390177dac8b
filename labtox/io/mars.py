"""BMG Labtech MARS data-analysis CSV export (plate format).

Layout (``../shared/fixtures/EXPORTS.md`` §4.4): header lines of ``key: value`` cells
(``User: USER,Path: …,Test run no.: 3``, ``Test name: …,Date: 03/03/2016,Time: 16:54:03``,
``ID1: …``), the measurement mode (``Absorbance``), then titled plate grids: a title line
(``Raw Data (484)``, ``Blank corrected based on Raw Data (484)``, ``Content`` ...), a header
``,1,2,…,24`` and one line per plate row ``A``..``P``. Empty cells are wells that were not read.

One measurement row per read well: ``signal`` from the first ``Raw Data`` grid (else the first
numeric grid), ``channel`` = its title as written, ``signal_unit`` ``AU``/``RFU``/``RLU`` from the
mode; other numeric grids become extra columns named by their titles. A ``Content``/``Layout``
grid (``Standard S1``, ``Sample X1``, ``Blank B``) gives ``sample_id`` (the content text) and
``sample_type`` (its first word through ``labtox/data/sample_types.csv``); without one, wells are
samples named by their well (with a warning). The analyte is not in the file: ``analyte=``.
"""

from __future__ import annotations

import csv
import io
import re
from os import PathLike
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from labtox.errors import ParseError
from labtox.io._common import (
    DOTTED_DAYFIRST,
    AnalyteResolver,
    Head,
    ReaderInfo,
    SampleTypeMapper,
    map_sample_type,
    parse_dates,
    parse_number,
    read_text,
    sniff_delimiter,
)
from labtox.io._tables import decimal_of, plate_analyte
from labtox.run import Run

__all__ = ["INFO", "sniff", "read"]

INFO = ReaderInfo(
    name="mars",
    vendor="BMG Labtech",
    software="MARS Data Analysis",
    instruments=("plate reader",),
    extensions=("csv", "txt", "xlsx"),
    signature="MARS header cells ('User: …', 'Test name: …', 'Raw Data (…)' grid)",
    priority=60,
)

_MODES = {"absorbance": "AU", "fluorescence": "RFU", "luminescence": "RLU"}
_ROW = re.compile(r"[A-Z]{1,2}|[a-f]")  # 1536-well plates: rows A..Z then a..f


class _Grid(NamedTuple):
    title: str
    rows: dict[str, tuple[list[str], int]]
    ncols: int
    plate: str
    plate_no: int
    mode: str
    line: int
    meta: dict[str, str]


def _xlsx_rows(p: Path) -> tuple[list[list[str]], str]:
    """The first sheet with MARS header cells, as rows of text cells."""
    import openpyxl

    def text(v: object) -> str:
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return str(v)

    try:
        wb = openpyxl.load_workbook(io.BytesIO(p.read_bytes()), read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError ...
        raise ParseError(f"the workbook cannot be opened ({exc.__class__.__name__}).", path=p,
                         expected="a MARS .xlsx export") from None
    try:
        for ws in wb.worksheets:
            rows = [[text(c) for c in r] for r in ws.iter_rows(values_only=True)]
            if any(c.startswith("User: ") for r in rows[:12] for c in r):
                return [r or [""] for r in rows], ws.title
    except Exception as exc:
        raise ParseError(f"the workbook cannot be read ({exc.__class__.__name__}: {exc}).",
                         path=p, expected="a MARS .xlsx export") from None
    finally:
        wb.close()
    raise ParseError("no sheet holds a MARS export.", path=p,
                     expected="a sheet with 'User: …' and 'Test name: …' cells")


def _is_grid_header(cells: list[str]) -> bool:
    """``,1,2,3,…`` (a trailing empty cell allowed)."""
    return len(cells) > 2 and cells[0] == "" and cells[1] == "1" and cells[2] in ("2", "")


def _is_layout(title: str) -> bool:
    return bool(re.match(r"(content|layout|well content)", title, re.I))





def sniff(head: Head) -> bool:
    """``User:`` and ``Test name:``/``Test run no.:`` cells near the top of a delimited file
    (or of a workbook sheet: MARS exports to Excel in the same layout)."""
    if head.is_zip:
        for rows in head.xlsx_sheets.values():
            cells = [str(c) for r in rows[:12] for c in (r or []) if c is not None]
            if any(c.startswith("User: ") for c in cells) and any(
                    c.startswith(("Test name:", "Test run no.:")) for c in cells):
                return True
        return False
    top = "\n".join(head.lines[:12])
    return bool(re.search(r"^User: ", top, re.M)) and (
        "Test name:" in top or "Test run no.:" in top)


def read(path: str | PathLike[str], *, analyte: str | None = None, dayfirst: bool | None = None,
         **options: Any) -> Run:
    """Read a BMG MARS plate CSV export.

    Parameters
    ----------
    path
        The ``.csv`` export.
    analyte
        The analyte measured (not in the file).
    dayfirst
        For an ambiguous ``Date:`` (``03/04/2016``); ``None`` leaves it empty with a warning.

    Notes
    -----
    Each plate keeps its own header: a ``User:`` or ``ID1:`` line after a grid starts the next
    plate's header (fields it does not repeat carry over from the previous plate), and each
    measurement's ``acquired`` comes from its plate's ``Date:``/``Time:``. The run's
    ``header``/``acquired`` are the first plate's; ``metadata["plate_headers"]`` holds every
    plate's header when there are several. Without a measurement mode line the signal unit is
    assumed to be ``AU`` (absorbance units) and a warning says so. The decimal mark is the
    style of most value cells, with a warning when both styles appear.

    Raises
    ------
    ParseError
        No plate grid, a grid row of the wrong width, an unknown option.

    References
    ----------
    BMG Labtech, *MARS Data Analysis Software, Operating Manual* (export of plate-format
    tables as CSV).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.csv"
    >>> _ = p.write_text("User: U,Path: C:\\\\,Test run no.: 1\\nTest name: T,Date: 03/03/2016,"
    ...                  "Time: 16:54:03\\nAbsorbance\\n\\nRaw Data (450)\\n,1,2\\nA,0.5,\\n")
    >>> run = read(p, analyte="Aflatoxin M1")
    >>> run.measurements[["well", "signal", "channel"]].values.tolist()
    [['A1', 0.5, 'Raw Data (450)']]
    """
    if options:
        raise ParseError(f"unknown option {next(iter(options))!r} for the MARS reader.",
                         path=path, expected="analyte=, dayfirst=")
    p = Path(path)
    with open(p, "rb") as fh:
        magic = fh.read(4)
    sheet = None
    if magic == b"PK\x03\x04":
        rows, sheet = _xlsx_rows(p)
        encoding, delim, last_line, cut = "xlsx", "", len(rows), False
    else:
        text, encoding = read_text(p)
        raw_lines = text.split("\n")
        delim = sniff_delimiter(raw_lines[:30], ",;\t")
        rows = list(csv.reader(io.StringIO(text), delimiter=delim))
        last_line = len(text.rstrip("\n").split("\n"))
        cut = not text.endswith("\n")  # a last line without its line end: maybe truncated
    meta: dict[str, str] = {}  # the header of the plate being read
    mode = ""
    grids: list[_Grid] = []
    plate_id = ""
    plate_no = 1
    short_rows = 0
    title = ""
    i = 0
    while i < len(rows):
        cells = [c.strip() for c in rows[i]]
        nonempty = [c for c in cells if c]
        if not nonempty:
            i += 1
            continue
        if _is_grid_header(cells):
            ncols = 0
            for c in cells[1:]:
                if c == str(ncols + 1):
                    ncols += 1
                else:
                    break
            grid: dict[str, tuple[list[str], int]] = {}
            j = i + 1
            while j < len(rows) and rows[j] and _ROW.fullmatch(rows[j][0].strip()):
                r = rows[j][0].strip()
                vals = [c for c in rows[j][1:1 + ncols]]
                if len(vals) < ncols:
                    if cut and j + 1 >= last_line:
                        raise ParseError(f"plate row {r} of grid {title!r} is short "
                                         "(truncated file?).", path=p, line=j + 1,
                                         column=len(rows[j]) + 1,
                                         expected=f"{ncols} cells", found=len(vals))
                    short_rows += 1  # MARS <= 4.0 leaves out trailing empty cells
                    vals = vals + [""] * (ncols - len(vals))
                extra = [c for c in rows[j][1 + ncols:] if c.strip()]
                if extra:
                    raise ParseError(f"plate row {r} of grid {title!r} has more cells than the "
                                     "column header.", path=p, line=j + 1, column=ncols + 2,
                                     expected=f"{ncols} cells", found=extra[0])
                if r in grid:
                    raise ParseError(f"plate row {r} appears twice in grid {title!r}.", path=p,
                                     line=j + 1, column=1, expected="each row letter once",
                                     found=r)
                grid[r] = (vals, j + 1)
                j += 1
            if not grid:
                raise ParseError(f"the grid {title!r} has no plate rows.", path=p, line=i + 2,
                                 column=1, expected="rows A, B, ...",
                                 found=rows[i + 1][0] if i + 1 < len(rows) and rows[i + 1]
                                 else "end of file")
            gtitle = title or f"grid {len(grids) + 1}"
            if any(g.plate_no == plate_no and g.title == gtitle for g in grids):
                plate_no += 1  # the same data set again: the next plate of a multi-plate file
            grids.append(_Grid(gtitle, grid, ncols, plate_id, plate_no, mode, i + 1, meta))
            i = j
            continue
        for c in nonempty:
            m = re.match(r"^([^:]{1,40}):\s*(.*)$", c)
            if m and not re.fullmatch(r"[A-Za-z]:\\.*", c):
                key, val = m.group(1).strip(), m.group(2).strip()
                if key in ("User", "ID1") and grids and grids[-1].meta is meta:
                    # the next plate's own header: fields it does not repeat carry over
                    meta = dict(meta)
                if key == "ID1":
                    if grids and grids[-1].plate_no == plate_no and val != plate_id:
                        plate_no += 1
                    plate_id = val
                meta[key] = val
        if len(nonempty) == 1:
            first = nonempty[0]
            if first.split()[0].casefold() in _MODES:
                mode = first
            title = re.sub(r"\s+", " ", first)
        i += 1
    if not grids:
        raise ParseError("no plate grid found.", path=p,
                         expected="a title line, a ',1,2,…' header and rows A, B, …")
    warnings: list[str] = []
    if short_rows:
        warnings.append(f"{short_rows} plate row(s) end before the last column (MARS leaves out "
                        "trailing empty cells): the missing wells are read as not read")
    dec = decimal_of([c for g in grids if not _is_layout(g.title)
                      for vals, _ in g.rows.values() for c in vals], delim or None, warnings)
    if dec == ",":
        warnings.append("numbers are written with a decimal comma (read as such)")
    resolver = AnalyteResolver()
    an = plate_analyte(analyte, resolver, warnings, "MARS")
    stamps: dict[str, str | None] = {}

    def acquired_of(hdr: dict[str, str]) -> str | None:
        """The plate's own ``Date:``/``Time:`` as ISO (each distinct stamp parsed once)."""
        if not hdr.get("Date"):
            return None
        stamp = f"{hdr['Date']} {hdr.get('Time', '')}".strip()
        if stamp not in stamps:
            stamps[stamp] = None
            try:
                (stamps[stamp],), rule = parse_dates([stamp], dayfirst=dayfirst, path=p,
                                                     column="Date")
                if rule == DOTTED_DAYFIRST:
                    warnings.append(f"date {hdr['Date']!r} read day-first "
                                    "(dotted dd.mm.yyyy style)")
            except ParseError as exc:
                warnings.append(f"date {stamp!r} not read: {exc.message} (pass dayfirst=)")
        return stamps[stamp]

    mapper = SampleTypeMapper()
    records = []
    seq = 0
    unread = 0
    no_layout: list[str] = []
    no_mode: list[str] = []
    headers: dict[str, dict[str, str]] = {}
    plates = list(dict.fromkeys(g.plate_no for g in grids))
    for pno in plates:
        pgrids = [g for g in grids if g.plate_no == pno]
        layout = next((g for g in pgrids if _is_layout(g.title)), None)
        numeric = [g for g in pgrids if g is not layout]
        if not numeric:
            continue
        raw = next((g for g in numeric if g.title.casefold().startswith("raw data")), numeric[0])
        pname = raw.plate or (f"Plate {pno}" if len(plates) > 1 else "")
        acquired = acquired_of(raw.meta)
        headers[pname] = raw.meta
        unit = _MODES.get(raw.mode.split()[0].casefold(), "AU") if raw.mode else "AU"
        if not raw.mode:
            no_mode.append(pname or "the plate")
        if layout is None:
            no_layout.append(pname or "the plate")
        for r, (vals, ln) in raw.rows.items():
            for j in range(raw.ncols):
                cell = vals[j].strip()
                well = f"{r}{j + 1}"
                if not cell:
                    unread += 1
                    continue
                seq += 1
                v, flag = parse_number(cell, dec)
                content = ""
                if layout is not None and r in layout.rows:
                    lv = layout.rows[r][0]
                    content = lv[j].strip() if j < len(lv) else ""
                if content:
                    # 'Standard S1', 'Sample X12', 'Blank B', 'Negative control N'
                    word = re.sub(r"\s+[A-Z]{1,2}\d*$", "", content).strip() or content
                    if map_sample_type(word) is None and map_sample_type(word.split()[0]):
                        word = word.split()[0]
                    sid, stype, vtype = content, mapper(word), word
                else:
                    sid, stype, vtype = well, "sample", None
                rec: dict[str, Any] = {
                    "sequence": seq, "sample_id": sid, "sample_type": stype,
                    "vendor_type": vtype, "analyte": an, "channel": raw.title, "signal": v,
                    "signal_unit": unit, "reported_flag": flag, "signal_flag": flag,
                    "well": well, "plate": pname, "acquired": acquired,
                    "source_line": f"{sheet}!R{ln}" if sheet else str(ln),
                }
                for g in numeric:
                    if g is raw or r not in g.rows:
                        continue
                    ev, ef = parse_number(g.rows[r][0][j], dec)
                    rec[g.title] = ev
                    if ef is not None:
                        rec[f"{g.title} flag"] = ef
                records.append(rec)
    if not records:
        raise ParseError("the plate grid holds no read wells.", path=p, expected="well values")
    if no_layout:
        where = ("the export has" if len(plates) == 1 else
                 f"{', '.join(no_layout)} {'has' if len(no_layout) == 1 else 'have'}")
        warnings.append(f"{where} no Content grid: every read well is a sample named by its well")
    if no_mode:
        warnings.append(f"no measurement mode line (Absorbance, Fluorescence, Luminescence) "
                        f"before {', '.join(no_mode)}: signal_unit assumed 'AU' (absorbance "
                        "units)")
    warnings += mapper.warnings() + resolver.warnings()
    first = records[0]
    return Run.from_path(
        pd.DataFrame.from_records(records), p, INFO.name, instrument="", software="BMG MARS",
        acquired=first["acquired"] or "", warnings=warnings, encoding=encoding,
        header=headers[first["plate"]],
        plate_headers=headers if len(headers) > 1 else {},
        mode=mode, grids=[g.title for g in grids], unread_wells=unread,
        plates=list(dict.fromkeys(r["plate"] for r in records)),
    )
