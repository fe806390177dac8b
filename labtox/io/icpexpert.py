"""Agilent ICP Expert (ICP-OES 5100/5110/5800/5900) wide export, CSV, XLSX or ODS.

Layout (``../shared/fixtures/EXPORTS.md`` §2.6, checked against real exports re-saved by a
spreadsheet): one row per solution; information columns (``Rack:Tube``,
``Solution Label``, and where exported ``Type``, ``Date Time``, ``Dilution`` ...) then one
column per element line and quantity, named ``<El> <view> <wavelength> nm <unit>``
(``Ca Ax 315.887 nm c/s``, ``Ba R 455.403 nm ppb``; ``Ax`` axial, ``R`` radial). Cells are
numbers, numbers followed by a space and a flag (``0.00 u`` under range, ``12.3 o`` over
range, ``2834.76 !`` error/warning; other flag letters of other software versions are
read the same way: the number is kept, the whole cell is the flag), or text (``Uncal``,
``####``). Separators ``,``, ``;`` or TAB, decimal points or commas; lines above the
header (worksheet name ...) are kept in ``metadata['preamble']``.

Mapping (one row per solution × element line): ``signal`` = the ``c/s`` column, ``reported``
= the concentration column (any other unit), each flagged cell's raw text in
``reported_flag`` (the concentration's, else the intensity's) while the number before the
flag stays in ``signal``/``reported``. An element line with concentrations only takes the
concentration as its signal (with its unit), and the run says so. ``channel`` is
``<El> <wavelength> (Axial|Radial)``.

Optional information columns of native exports are read when present: ``Type`` (or
``Sample Type``) → sample type, ``Date Time`` (or ``Date`` + ``Time``) → ``acquired``,
``Dilution``/``DF`` → ``dilution``.

Sample types: from a ``Type`` column when present; otherwise from the label words, by the
rule of :func:`labtox.io._tables.label_sample_type` (labels with no type word are samples,
listed in the warnings). ``Rack:Tube`` is kept as ``rack_tube``, verbatim (spreadsheets turn
``1:18`` into the time ``01:18:00``; labtox does not try to undo that).
"""

from __future__ import annotations

import re
import zipfile
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from labtox.errors import ParseError
from labtox.io._common import (
    AnalyteResolver,
    Head,
    ReaderInfo,
    SampleTypeMapper,
    header_line_in,
    parse_number,
)
from labtox.io._tables import (
    Table,
    cell_text,
    csv_table,
    dates_or_raw,
    detect_decimal,
    is_blank,
    label_sample_type,
    sheet_table,
    unit_of,
    vector_numbers,
    xlsx_workbook,
)
from labtox.run import MEASUREMENT_COLUMNS, Run

__all__ = ["INFO", "sniff", "read", "parse_column"]

INFO = ReaderInfo(
    name="icpexpert",
    vendor="Agilent",
    software="ICP Expert",
    instruments=("ICP-OES",),
    extensions=("csv", "xlsx", "ods"),
    signature="a 'Solution Label' column and element columns like 'Ca Ax 315.887 nm c/s'",
    priority=55,
)

_COLUMN = re.compile(
    r"^(?P<el>[A-Z][a-z]?)\s+(?:(?P<view>Ax|R|Rad|Axial|Radial|SVDV|DV)\s+)?"
    r"(?P<wl>\d{2,3}(?:\.\d{1,4})?)\s*nm(?:\s+(?P<unit>\S.*?))?\s*$")
_VIEWS = {"ax": "Axial", "axial": "Axial", "r": "Radial", "rad": "Radial", "radial": "Radial",
          "svdv": "SVDV", "dv": "DV"}
_RESERVED = {c.casefold() for c in (*MEASUREMENT_COLUMNS, "row", "sheet", "rack_tube",
                                     "vendor_type", "_conc_only")}
_INTENSITY_UNITS = {"c/s", "cps", "counts/s", "int", "intensity"}


def parse_column(name: str) -> tuple[str, str, str | None, str | None] | None:
    """``(element, wavelength, view, unit)`` of an element column name, else ``None``.

    Examples
    --------
    >>> parse_column("Ca Ax 315.887 nm c/s")
    ('Ca', '315.887', 'Axial', 'c/s')
    >>> parse_column("Pb 220.353 nm (ppb)")
    ('Pb', '220.353', None, 'ppb')
    >>> parse_column("Solution Label") is None
    True
    """
    m = _COLUMN.match(str(name).strip())
    if not m:
        return None
    view = _VIEWS.get((m["view"] or "").casefold())
    unit = m["unit"]
    if unit and re.fullmatch(r"[(\[].*[)\]]", unit):  # 'Ca 317.933 nm (ppm)'
        unit = unit[1:-1].strip() or None
    return m["el"], m["wl"], view, unit


# a number followed by a space and a short flag: ICP Expert writes 'u', 'o', '!', 'e', 'x',
# 'i', '#', 'm' and the QC failure letters ('Q', 'Z', 'L', 'W', '*', 'A1' ...) listed in the
# Agilent ICP-OES help page "Error flags"; the number stays, the whole cell is the flag
_FLAGGED = re.compile(r"^(?P<num>[+-]?[\d.,]+(?:[eE][+-]?\d+)?)\s+"
                      r"(?P<flag>[A-Za-z!#*?][A-Za-z0-9!#*?]{0,2})$")


def _values(cells, dec: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`labtox.io._tables.vector_numbers`, plus ``<number> <flag letters>`` cells whose
    letters the shared parser does not know (``0.410 r``, ``2.1 x``): the number is kept as the
    value and the whole cell as the flag."""
    v, f = vector_numbers(cells, dec)
    for k in np.flatnonzero(~np.isfinite(v)):
        if f[k] is None:
            continue
        m = _FLAGGED.match(str(f[k]).strip())
        if m:
            num, flag = parse_number(m["num"], dec)
            if flag is None and np.isfinite(num):
                v[k] = num
    return v, f


def _is_header(cells) -> bool:
    names = [cell_text(c).strip() for c in cells]
    return "Solution Label" in names and sum(parse_column(c) is not None for c in names) >= 1


def sniff(head: Head) -> bool:
    """True when a header row has ``Solution Label`` and ``<El> <view> <wl> nm`` columns (in
    a CSV, an XLSX workbook or an OpenDocument spreadsheet)."""
    if head.is_zip:
        if _is_ods(head.path):
            try:
                return any(_is_header(r) for t in _ods_tables(head.path, max_rows=40)
                           for r in t.rows[:20])
            except ParseError:
                return False
        return any(_is_header(r) for rows in head.xlsx_sheets.values() for r in rows[:20])
    return header_line_in(head, ("Solution Label", " nm"), _is_header, n=20)


_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_TNS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ONS = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_XNS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def _is_ods(p: Path) -> bool:
    try:
        with zipfile.ZipFile(p) as zf:
            names = zf.namelist()
            return "content.xml" in names and "mimetype" in names \
                and zf.read("mimetype").startswith(_ODS_MIME)
    except (OSError, zipfile.BadZipFile):
        return False


def _ods_text(cell) -> str:
    """The displayed text of an ODS cell: its paragraphs joined by newlines, ``text:s``
    elements as the spaces they stand for."""
    paras = []
    for para in cell.iter(f"{_XNS}p"):
        parts = [para.text or ""]
        for node in para.iter():
            if node is para:
                continue
            if node.tag == f"{_XNS}s":
                parts.append(" " * int(node.get(f"{_XNS}c", "1")))
            elif node.text:
                parts.append(node.text)
            if node.tail:
                parts.append(node.tail)
        paras.append("".join(parts))
    return "\n".join(paras)


_ODS_MAX_COLUMNS = 16384  # LibreOffice Calc's widest sheet (column XFD)


def _ods_repeat(node, attr: str, p: Path, title: str, row: int, column: int | None) -> int:
    """A ``table:number-columns-repeated``/``number-rows-repeated`` count (1 when absent);
    anything but a positive whole number is a :class:`ParseError` naming sheet and row."""
    raw = node.get(f"{_TNS}{attr}")
    if raw is None:
        return 1
    try:
        n = int(raw)
    except ValueError:
        n = 0
    if n < 1:
        raise ParseError(f"sheet {title!r}, row {row}: the {attr} attribute is not a positive "
                         "whole number.", path=p, line=row, column=column,
                         expected=f"table:{attr} as a whole number of at least 1",
                         found=repr(raw), hint=f"(sheet {title!r})")
    return n


def _ods_tables(p: Path, max_rows: int | None = None) -> list[Table]:
    """Every sheet of an OpenDocument spreadsheet (``.ods``) as a table: numbers as floats,
    every other cell as its displayed text (a re-saved ``Rack:Tube`` stays ``01:18:00``);
    repeated rows and cells expanded, trailing empty ones dropped."""
    import xml.etree.ElementTree as ET

    try:
        with zipfile.ZipFile(p) as zf:
            root = ET.fromstring(zf.read("content.xml"))
    except (OSError, zipfile.BadZipFile, KeyError, ET.ParseError) as exc:
        raise ParseError(f"the OpenDocument spreadsheet cannot be read ({exc}).", path=p,
                         expected="an .ods workbook with content.xml") from None
    out = []
    for tab in root.iter(f"{_TNS}table"):
        title = tab.get(f"{_TNS}name", "Sheet")
        rows: list[list[object]] = []
        for row in tab.iter(f"{_TNS}table-row"):
            cells: list[object] = []
            blanks = 0  # a run of empty cells, written out only when a value follows it
            for c in row:
                if c.tag not in (f"{_TNS}table-cell", f"{_TNS}covered-table-cell"):
                    continue
                v: object = None
                if c.get(f"{_ONS}value-type") in ("float", "percentage", "currency"):
                    try:
                        v = float(c.get(f"{_ONS}value", "nan"))
                    except ValueError:
                        v = None
                if v is None:
                    v = _ods_text(c) or None
                rep = _ods_repeat(c, "number-columns-repeated", p, title, len(rows) + 1,
                                  len(cells) + blanks + 1)
                if v is None or is_blank(v):
                    blanks += rep  # trailing empty cells are never written out
                    continue
                if len(cells) + blanks + rep > _ODS_MAX_COLUMNS:
                    raise ParseError(
                        f"sheet {title!r}, row {len(rows) + 1}: the cells run past the last "
                        "column an OpenDocument sheet can have.", path=p, line=len(rows) + 1,
                        column=len(cells) + blanks + 1,
                        expected=f"at most {_ODS_MAX_COLUMNS} columns",
                        found=f"{len(cells) + blanks + rep} columns", hint=f"(sheet {title!r})")
                cells.extend([None] * blanks)
                blanks = 0
                cells.extend([v] * rep)
            rep = _ods_repeat(row, "number-rows-repeated", p, title, len(rows) + 1, None)
            rows.extend([cells] * (min(rep, 100000) if cells else 1))
            if max_rows is not None and len(rows) >= max_rows:
                break
        while rows and not rows[-1]:
            rows.pop()
        n = len(rows)
        out.append(Table(rows, [f"{title}!R{i}" for i in range(1, n + 1)],
                         list(range(1, n + 1)), sheet=title))
    return out


def _tables(p: Path, sheet: str | None) -> list[Table]:
    with open(p, "rb") as fh:
        magic = fh.read(4)
    if magic != b"PK\x03\x04":
        return [csv_table(p, None, ",;\t")]
    if _is_ods(p):
        tables = _ods_tables(p)
        if sheet is not None:
            hit = [t for t in tables if t.sheet == sheet]
            if not hit:
                raise ParseError(f"the workbook has no sheet {sheet!r}.", path=p,
                                 expected=f"one of {', '.join(t.sheet or '' for t in tables)}",
                                 found=sheet)
            return hit
        return [t for t in tables if any(_is_header(r) for r in t.rows[:20])]
    wb = xlsx_workbook(p)
    try:
        if sheet is not None:
            if sheet not in wb.sheetnames:
                raise ParseError(f"the workbook has no sheet {sheet!r}.", path=p,
                                 expected=f"one of {', '.join(wb.sheetnames)}", found=sheet)
            return [sheet_table(wb[sheet])]
        out = []
        for ws in wb.worksheets:
            t = sheet_table(ws)
            if any(_is_header(r) for r in t.rows[:20]):
                out.append(t)
        return out
    finally:
        wb.close()


def read(path: str | PathLike[str], *, sheet: str | None = None,
         decimal: str | None = None, dayfirst: bool | None = None) -> Run:
    """Read an Agilent ICP Expert wide export into a :class:`~labtox.run.Run`.

    Parameters
    ----------
    path
        CSV, XLSX or ODS export (a workbook may hold intensities and concentrations on
        separate sheets: all sheets with the header are read).
    sheet
        Read only this worksheet.
    decimal
        ``"."`` or ``","``; detected when ``None``.
    dayfirst
        Date style of a ``Date Time`` column when it cannot tell.

    Raises
    ------
    ParseError
        No header with ``Solution Label`` and element columns; truncated rows.

    References
    ----------
    Agilent Technologies, *ICP Expert software* (5100/5110/5800/5900 ICP-OES), export to
    CSV/Excel; flag suffixes as read by PratyushaMadhnure/ICPOES (MIT) and seen in real files
    (``../shared/fixtures/EXPORTS.md`` §2.6). Agilent Technologies, *ICP-OES software help*,
    "Error flags" (https://icp-oes.help.agilent.com/en/Troubleshooting/ErrorFlags.htm).

    Examples
    --------
    >>> from pathlib import Path
    >>> import labtox
    >>> from labtox.io import icpexpert
    >>> path = Path(labtox.__file__).parents[1] / "tests" / "data" / "icpexpert" / "icpexpert_small.csv"
    >>> run = icpexpert.read(path)
    >>> m = run.measurements
    >>> print(m.loc[0, "channel"], m.loc[0, "reported"], m.loc[0, "reported_flag"])
    Cd 228.802 (Axial) 0.0 0.00 u
    """
    p = Path(path)
    tables = _tables(p, sheet)
    frames = []
    warnings: list[str] = []
    resolver = AnalyteResolver()
    mapper = SampleTypeMapper()
    defaulted: dict[int, str] = {}  # row -> label (sheets of one workbook share rows)
    meta: dict = {}
    for t in tables:
        h = next((i for i, r in enumerate(t.rows[:20]) if _is_header(r)), None)
        if h is None:
            first = next((r for r in t.rows if any(not is_blank(c) for c in r)), [])
            raise ParseError("no ICP Expert header row was found.", path=p,
                             line=t.lines[0] if t.lines else 1,
                             expected="a header with 'Solution Label' and element columns such "
                             "as 'Ca Ax 315.887 nm c/s'",
                             found=(t.delimiter or ",").join(cell_text(c) for c in first)[:80]
                             or "an empty file")
        header = [cell_text(c).strip() for c in t.rows[h]]
        width = max(j for j, c in enumerate(header) if c) + 1
        pre = [" ".join(cell_text(c).strip() for c in r if not is_blank(c)) for r in t.rows[:h]]
        pre = [x for x in pre if x]
        if pre:
            meta.setdefault("preamble", pre)
            warnings.append(f"{len(pre)} line(s) above the header are not a table; kept in "
                            "metadata['preamble']")
        info = {c: j for j, c in enumerate(header) if c and parse_column(c) is None}
        chans: dict[tuple[str, str, str | None], dict[str, tuple[int, str | None]]] = {}
        for j, c in enumerate(header):
            pc = parse_column(c)
            if pc is None:
                continue
            el, wl, view, unit = pc
            kind = "signal" if (unit or "").casefold() in _INTENSITY_UNITS else "conc"
            d = chans.setdefault((el, wl, view), {})
            if kind in d:
                warnings.append(f"column {j + 1} {c!r} repeats an element line; ignored")
                continue
            d[kind] = (j, unit)
        body = [i for i in range(h + 1, len(t.rows)) if any(not is_blank(c) for c in t.rows[i])]
        grid = []
        for i in body:
            r = list(t.rows[i])
            if len(r) < width and t.sheet is not None:
                r += [None] * (width - len(r))
            if len(r) < width:
                raise ParseError(
                    "the row is shorter than the header: the file looks truncated or malformed.",
                    path=p, line=t.lines[i], column=len(r) + 1,
                    expected=f"{width} cells as in the header (line {t.lines[h]})",
                    found=f"{len(r)} cells")
            grid.append(r[:width])
        if not grid:
            raise ParseError("the export has a header but no solution rows.", path=p,
                             line=t.lines[h] + 1, expected="at least one row", found="end of file")
        g = np.empty((len(grid), width), dtype=object)
        g[:] = grid
        n = len(grid)
        vcols = [v[0] for d in chans.values() for v in d.values()]
        dec = decimal or detect_decimal(g[:, vcols].ravel(), t.delimiter)
        labels = [cell_text(c).strip() for c in g[:, info["Solution Label"]]]
        type_col = next((c for c in ("Type", "Sample Type", "Solution Type") if c in info), None)
        if type_col:
            vtype = [cell_text(c).strip() or None for c in g[:, info[type_col]]]
            stype = mapper.map_all(list(vtype))
        else:
            vtype, stype = [], []
            for k, lab in enumerate(labels):
                typ, word = label_sample_type(lab)
                stype.append(typ)
                vtype.append(word)
                if word is None:
                    defaulted[k] = lab
        rack = [cell_text(c) or None for c in g[:, info["Rack:Tube"]]] if "Rack:Tube" in info \
            else [None] * n
        if any(r and re.fullmatch(r"\d{1,2}:\d{2}:00", r) for r in rack):
            warnings.append("Rack:Tube values look like times (e.g. 01:18:00): the file was "
                            "re-saved by a spreadsheet; kept as written in 'rack_tube'")
        where = [t.where[i] for i in body]
        # optional information columns of native exports
        acquired: list[str | None] = [None] * n
        acquired_raw: list[str | None] | None = None
        date_col = next((c for c in ("Date Time", "Date/Time", "Acquisition Date", "Date")
                         if c in info), None)
        if date_col:
            stamps = [cell_text(c).strip() for c in g[:, info[date_col]]]
            if date_col == "Date" and "Time" in info:
                stamps = [f"{d} {cell_text(tm).strip()}".strip()
                          for d, tm in zip(stamps, g[:, info["Time"]], strict=True)]
            acquired, acquired_raw, rule = dates_or_raw(
                stamps, dayfirst=dayfirst, path=p, column=date_col,
                lines=[t.lines[i] for i in body], warnings=warnings)
            if rule is not None:
                meta.setdefault("date_rule", rule)
        dil_col = next((c for c in ("Dilution", "Dilution Factor", "DF") if c in info), None)
        dilution = np.full(n, np.nan)
        if dil_col:
            dv, dfl = vector_numbers(g[:, info[dil_col]], dec)
            for k in range(n):
                if dfl[k] is not None or (np.isfinite(dv[k]) and dv[k] <= 0):
                    raise ParseError("the dilution factor is not a positive number.", path=p,
                                     line=t.lines[body[k]], column=dil_col,
                                     expected="a positive number", found=cell_text(g[k, info[dil_col]]))
            dilution = dv
        # information columns labtox does not interpret are kept, as text, under their name
        used = {"Solution Label", "Rack:Tube", type_col, date_col, dil_col,
                "Time" if date_col == "Date" else None}
        extra = {(c if c.casefold() not in _RESERVED else f"{c} (export)"):
                 [cell_text(x).strip() or None for x in g[:, j]]
                 for c, j in info.items() if c not in used and j < width}
        for (el, wl, view), d in chans.items():
            label = f"{el} {wl}"
            analyte, channel, _istd = resolver(label)
            if view:
                channel = f"{channel} ({view})"
            if "signal" in d:
                sv, sf = _values(g[:, d["signal"][0]], dec)
                sunit = unit_of(d["signal"][1]) or "c/s"
            else:
                sv, sf = _values(g[:, d["conc"][0]], dec)
                sunit = unit_of(d["conc"][1]) or "unknown"
            if "conc" in d:
                rv, rf = _values(g[:, d["conc"][0]], dec)
                runit = unit_of(d["conc"][1])
            else:
                rv, rf = np.full(n, np.nan), np.full(n, None, dtype=object)
                runit = None
            # every raw token kept: the concentration's, then the intensity's
            flag = rf.copy()
            take = pd.isna(flag) & ~pd.isna(sf)
            flag[take] = sf[take]
            both = ~pd.isna(rf) & ~pd.isna(sf) & (rf != sf)
            if both.any():
                flag[both] = [f"{a}; {b}" for a, b in zip(rf[both], sf[both], strict=True)]
            frames.append(pd.DataFrame({
                "row": np.arange(n), "sheet": t.sheet, "sample_id": labels,
                "sample_type": stype, "vendor_type": vtype, "analyte": analyte,
                "channel": channel, "signal": sv, "signal_unit": sunit, "reported": rv,
                "reported_unit": runit, "reported_flag": flag, "rack_tube": rack,
                "source_line": where, "_conc_only": "signal" not in d,
                "acquired": acquired, "dilution": dilution, **extra,
                **({"acquired_raw": acquired_raw} if acquired_raw is not None else {}),
            }))
        meta.setdefault("encoding", t.encoding)
        meta.setdefault("delimiter", t.delimiter)
        meta.setdefault("decimal", dec)
    if not frames:
        raise ParseError("the export names no element line.", path=p,
                         expected="columns such as 'Ca Ax 315.887 nm c/s'")
    df = pd.concat(frames, ignore_index=True)
    if len(tables) > 1:
        df = _merge_sheets(df, warnings)
    conc_only = sorted(set(df.loc[df["_conc_only"], "channel"]))
    if conc_only:
        warnings.append(f"{len(conc_only)} element line(s) have concentrations only "
                        f"({', '.join(conc_only[:5])}{' ...' if len(conc_only) > 5 else ''}): "
                        "their signal is the concentration, with its unit")
    df = df.drop(columns=["_conc_only", "sheet"])
    # one injection per solution row
    df = df.sort_values(["row"], kind="stable").reset_index(drop=True)
    df["sequence"] = df["row"] + 1
    df = df.drop(columns=["row"])
    empty = ~np.isfinite(df["signal"].to_numpy()) & df["reported_flag"].isna().to_numpy()
    if empty.any():
        blank_rows = df.loc[empty].groupby("sequence").size()
        full = df.groupby("sequence").size()
        all_empty = [s for s in blank_rows.index if blank_rows[s] == full[s]]
        warnings.append(
            f"{int(empty.sum())} solution × element cell(s) are empty and carry no measurement"
            + (f"; {len(all_empty)} solution row(s) have no value at all "
               f"({', '.join(df.loc[df['sequence'].isin(all_empty), 'sample_id'].unique()[:5])})"
               if all_empty else ""))
        df = df[~empty].reset_index(drop=True)
    if defaulted:
        uniq = list(dict.fromkeys(defaulted.values()))
        warnings.append(f"no Type column: {len(defaulted)} row(s) whose label has no sample-type "
                        f"word are typed 'sample' ({', '.join(repr(u) for u in uniq[:8])}"
                        f"{' ...' if len(uniq) > 8 else ''})")
    warnings += mapper.warnings() + resolver.warnings()
    warnings = list(dict.fromkeys(warnings))  # one line per finding, not one per sheet
    if df.empty:
        raise ParseError("the file holds no measurement: every value cell is empty.", path=p,
                         expected="at least one number or flag token", found="only empty cells")
    return Run.from_path(df, p, INFO.name, instrument="ICP-OES", software="Agilent ICP Expert",
                         warnings=warnings, **meta)


def _merge_sheets(df: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    """Intensity and concentration sheets of one workbook → one row per solution × line."""
    sig = df[~df["_conc_only"]]
    conc = df[df["_conc_only"]]
    if sig.empty or conc.empty:
        return df
    key = ["row", "sample_id", "channel"]
    merged = sig.merge(conc[key + ["reported", "reported_unit", "reported_flag"]], on=key,
                       how="outer", suffixes=("", "_c"), indicator=True)
    only_c = merged["_merge"] == "right_only"
    if only_c.any():
        warnings.append(f"{int(only_c.sum())} concentration cell(s) have no matching intensity "
                        "row; kept with the concentration as signal")
        back = conc.set_index(key)
        idx = merged.loc[only_c, key].apply(tuple, axis=1)
        for col in ("sample_type", "vendor_type", "analyte", "signal", "signal_unit",
                    "rack_tube", "source_line", "_conc_only", "sheet"):
            merged.loc[only_c, col] = back.loc[list(idx), col].to_numpy()
    for col in ("reported", "reported_unit"):
        merged[col] = merged[f"{col}_c"].where(merged["_merge"] != "left_only", merged[col])
    # every raw token kept: the concentration sheet's, then the intensity sheet's
    fc, fs = merged["reported_flag_c"], merged["reported_flag"]
    merged["reported_flag"] = [
        "; ".join(dict.fromkeys(x for x in (a, b) if isinstance(x, str) and x)) or None
        for a, b in zip(fc, fs, strict=True)]
    merged["_conc_only"] = merged["_conc_only"].astype(bool) & only_c
    return merged.drop(columns=[c for c in merged.columns if c.endswith("_c")] + ["_merge"])
