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
from typing import Any

import pandas as pd

from labtox.errors import ParseError
from labtox.io._common import (
    AnalyteResolver,
    Head,
    ReaderInfo,
    SampleTypeMapper,
    parse_dates,
    parse_number,
    read_text,
    sniff_delimiter,
)
from labtox.io._tables import plate_analyte
from labtox.run import Run

__all__ = ["INFO", "sniff", "read"]

INFO = ReaderInfo(
    name="mars",
    vendor="BMG Labtech",
    software="MARS Data Analysis",
    instruments=("plate reader",),
    extensions=("csv", "txt"),
    signature="MARS header cells ('User: …', 'Test name: …', 'Raw Data (…)' grid)",
    priority=60,
)

_MODES = {"absorbance": "AU", "fluorescence": "RFU", "luminescence": "RLU"}


def sniff(head: Head) -> bool:
    """``User:`` and ``Test name:``/``Test run no.:`` cells near the top of a delimited file."""
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
    text, encoding = read_text(p)
    raw_lines = text.split("\n")
    delim = sniff_delimiter(raw_lines[:30], ",;\t")
    rows = list(csv.reader(io.StringIO(text), delimiter=delim))
    meta: dict[str, str] = {}
    mode = ""
    grids: list[tuple[str, dict[str, tuple[list[str], int]], int]] = []
    title = ""
    i = 0
    while i < len(rows):
        cells = [c.strip() for c in rows[i]]
        nonempty = [c for c in cells if c]
        if not nonempty:
            i += 1
            continue
        if cells[0] == "" and len(cells) > 2 and cells[1] == "1" and cells[2] in ("2", ""):
            ncols = 0
            for c in cells[1:]:
                if c == str(ncols + 1):
                    ncols += 1
                else:
                    break
            grid: dict[str, tuple[list[str], int]] = {}
            j = i + 1
            while j < len(rows) and rows[j] and re.fullmatch(r"[A-Z]{1,2}", rows[j][0].strip()):
                vals = rows[j][1:1 + ncols]
                if len(vals) < ncols:
                    raise ParseError(f"plate row {rows[j][0].strip()} of grid {title!r} is short "
                                     "(truncated file?).", path=p, line=j + 1,
                                     expected=f"{ncols} cells", found=len(vals))
                grid[rows[j][0].strip()] = (vals, j + 1)
                j += 1
            if not grid:
                raise ParseError(f"the grid {title!r} has no plate rows.", path=p, line=i + 1,
                                 expected="rows A, B, ...")
            grids.append((title or f"grid {len(grids) + 1}", grid, ncols))
            i = j
            continue
        for c in nonempty:
            m = re.match(r"^([^:]{1,40}):\s*(.*)$", c)
            if m and not re.fullmatch(r"[A-Za-z]:\\.*", c):
                meta.setdefault(m.group(1).strip(), m.group(2).strip())
        if len(nonempty) == 1:
            low = nonempty[0].casefold()
            if low.split()[0] in _MODES and not mode:
                mode = nonempty[0]
            title = nonempty[0]
        i += 1
    if not grids:
        raise ParseError("no plate grid found.", path=p,
                         expected="a title line, a ',1,2,…' header and rows A, B, …")
    layout = next((g for g in grids if re.match(r"(content|layout)", g[0], re.I)), None)
    numeric = [g for g in grids if g is not layout]
    if not numeric:
        raise ParseError("no numeric plate grid found.", path=p, expected="a 'Raw Data' grid")
    raw = next((g for g in numeric if g[0].casefold().startswith("raw data")), numeric[0])
    unit = _MODES.get(mode.split()[0].casefold(), "AU") if mode else "AU"
    warnings: list[str] = []
    resolver = AnalyteResolver()
    an = plate_analyte(analyte, resolver, warnings, "MARS")
    acquired = None
    if meta.get("Date"):
        stamp = f"{meta['Date']} {meta.get('Time', '')}".strip()
        m = re.match(r"^(\d{1,2})[/.-](\d{1,2})[/.-]", stamp)
        df_ = True if dayfirst is None and m and m.group(1) == m.group(2) else dayfirst
        try:
            acquired = parse_dates([stamp], dayfirst=df_, path=p, column="Date")[0][0]
        except ParseError as exc:
            warnings.append(f"date {stamp!r} not read: {exc.message} (pass dayfirst=)")
    mapper = SampleTypeMapper()
    records = []
    seq = 0
    unread = 0
    title_raw, grid_raw, ncols = raw
    for r in sorted(grid_raw, key=lambda x: (len(x), x)):
        vals, ln = grid_raw[r]
        for j in range(ncols):
            cell = vals[j].strip()
            well = f"{r}{j + 1}"
            if not cell:
                unread += 1
                continue
            seq += 1
            v, flag = parse_number(cell, "," if delim == ";" else ".")
            content = ""
            if layout is not None and r in layout[1]:
                content = layout[1][r][0][j].strip() if j < len(layout[1][r][0]) else ""
            if content:
                sid, stype, vtype = content, mapper(content.split()[0]), content.split()[0]
            else:
                sid, stype, vtype = well, "sample", None
            rec: dict[str, Any] = {
                "sequence": seq, "sample_id": sid, "sample_type": stype, "vendor_type": vtype,
                "analyte": an, "channel": title_raw, "signal": v, "signal_unit": unit,
                "reported_flag": flag, "signal_flag": flag, "well": well, "plate": meta.get("ID1", ""),
                "acquired": acquired, "source_line": str(ln),
            }
            for gtitle, grid, _n in numeric:
                if gtitle == title_raw or r not in grid:
                    continue
                ev, ef = parse_number(grid[r][0][j], "," if delim == ";" else ".")
                rec[gtitle] = ev
                if ef is not None:
                    rec[f"{gtitle} flag"] = ef
            records.append(rec)
    if not records:
        raise ParseError("the plate grid holds no read wells.", path=p, expected="well values")
    if layout is None:
        warnings.append("the export has no Content grid: every read well is a sample named by "
                        "its well")
    warnings += mapper.warnings() + resolver.warnings()
    return Run.from_path(
        pd.DataFrame.from_records(records), p, INFO.name, instrument="", software="BMG MARS",
        acquired=acquired or "", warnings=warnings, encoding=encoding, header=meta,
        mode=mode, grids=[g[0] for g in grids], unread_wells=unread,
    )
