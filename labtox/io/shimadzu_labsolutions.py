"""Shimadzu LabSolutions / GCMSsolution ASCII exports (GC, GC-MS, GC-MS/MS, LC-MS/MS).

Three layouts are read (``../shared/fixtures/EXPORTS.md`` section 3.5). The ASCII output is
TAB-separated by default; LabSolutions also writes comma-separated output (read as well), and TAB
files written on a decimal-comma Windows print ``5,809`` (detected from the numbers).

(a) **per data file, INI-like**: ``[Header]``, ``[File Information]``, ``[Sample Information]``,
    then result tables ``[MS Quantitative Results]`` (GCMSsolution), ``[Compound Results(ChN)]``
    and ``[Peak Table(ChN)]`` (LabSolutions), each with a count line (``# of IDs``,
    ``# of Peaks``), a header and rows. One injection per file.
(b) **batch compound table** (LabSolutions LC/LCMS "compound" output): blocks ``ID#  n`` /
    ``Name  <compound>`` / a header starting with an empty cell / one row per injection / the
    summary rows ``Average``, ``%RSD``, ``Maximum``, ``Minimum``, ``Std. Dev.`` / a blank line.
(c) **headerless per-compound summary** (GCMS-TQ8030): a compound-name line, then rows
    ``<file.qgd>  <sample id>  RT  Conc.  "Area" ...  <level>  <type> ...``. The file has no
    column names: positions 2, 3 and 4 are taken as retention time, concentration and area,
    and the sample type is the right-most cell that is a known sample-type word [uncertain:
    layout documented from one peer parser]. A warning says so on every run.

Choices

- ``signal`` is ``Area`` (``signal_unit`` ``"area"``); ``reported`` is ``Conc.`` with ``Unit``
  when the row gives it; ``nominal`` is ``Std. Conc.`` where numeric.
- ``istd_signal``: ``ISTD Area`` in batch tables; in GCMSsolution files the area of the ``ISTD``
  row of the compound's ``ISTD Group#`` (when exactly one ISTD has that group).
- Tokens ``-----`` (no value), ``--`` (not calculable) and ``Not Identified`` from the
  retention-time, area and concentration cells are kept in ``reported_flag``; the ``Mark``
  column (``V``, ``M``, ``SV``) is kept in the extra column ``mark``.
- Summary rows of batch tables are not measurements: they are counted in
  ``metadata["summary_rows"]``.
- A LabSolutions file whose ``[Compound Results]`` is empty (``# of IDs 0``) yields its peak
  table instead, each unidentified peak named ``peak <R.Time>`` with a warning.
"""

from __future__ import annotations

import csv
import math
import re
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from labtox.errors import ParseError
from labtox.io._chrom import (
    ChromResolver,
    detect_decimal,
    fast_number,
    iso_dates,
    join_flags,
    unit_text,
)
from labtox.io._common import (
    Head,
    ReaderInfo,
    SampleTypeMapper,
    map_sample_type,
    read_text,
)
from labtox.run import Run

__all__ = ["INFO", "sniff", "read"]

INFO = ReaderInfo(
    name="shimadzu-labsolutions",
    vendor="Shimadzu",
    software="LabSolutions / GCMSsolution",
    instruments=("GC", "GC-MS", "GC-MS/MS", "LC-MS/MS", "LC"),
    extensions=("txt", "csv"),
    signature="Shimadzu ASCII export ('[Header]' sections, 'ID#'/'Name' compound blocks, "
              "or a compound line over '.qgd' rows)",
    priority=65,
)

_SUMMARY = {"Average", "%RSD", "Maximum", "Minimum", "Std. Dev.", "SD", "Std.Dev."}
_TABLE_SECTIONS = re.compile(r"^(MS Quantitative Results|Compound Results\(.*\)|Peak Table\(.*\))$")


def _cells(line: str, delim: str = "\t") -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delim))
    except (StopIteration, csv.Error):
        return line.split(delim)


def _delimiter(lines: list[str]) -> str:
    """TAB or comma: LabSolutions lets the user choose the ASCII-output delimiter."""
    for ln in lines[:12]:
        if ln.startswith(("Data File Name", "Application Name", "Output Date", "ID#", "Name")):
            rest = ln.split("\t", 1)
            return "\t" if len(rest) > 1 else ","
    for ln in lines[:40]:  # the first key/value line of whatever section comes first
        if ln.strip() and not ln.startswith("[") and ("\t" in ln or "," in ln):
            return "\t" if "\t" in ln else ","
    return "\t"


_SECTION_NAMES = re.compile(r"^\[(Header|File Information|Sample Information|Original Files|"
                            r"File Description|Configuration|MS Quantitative Results|"
                            r"Compound Results\(.*\)|Peak Table\(.*\))\]\s*$")


def _layout(lines: list[str]) -> str | None:
    first = [ln for ln in lines[:6]]
    if not first:
        return None
    if first[0].strip() == "[Header]" and any(
            re.match(r"^(Data File Name|Application Name|Output Date)[\t,]", ln)
            for ln in lines[:8]):
        return "sections"
    # the ASCII output items are the user's choice: a file may start with another section
    lead = next((ln.strip() for ln in lines[:5] if ln.strip()), "")
    if _SECTION_NAMES.match(lead) and any(
            re.match(r"^\[(MS Quantitative Results|Compound Results\(.*\)|Peak Table\(.*\))\]",
                     ln) for ln in lines[:2000]):
        return "sections"
    if (len(first) > 2 and re.match(r"^ID#([\t,])\d+[\s,]*$", first[0])
            and re.match(r"^Name[\t,]", first[1]) and first[2][:1] in ("\t", ",")):
        return "batch"
    if len(first) > 1 and "\t" not in first[0].rstrip("\t") and first[0].strip():
        c = _cells(first[1])
        if c and c[0].strip().lower().endswith((".qgd", ".lcd", ".gcd")) and len(c) >= 5:
            return "tq8030"
    return None


def sniff(head: Head) -> bool:
    """True for the three Shimadzu ASCII layouts."""
    if not head.text:
        return False
    return _layout(head.lines) is not None


def read(path: str | PathLike[str], *, dayfirst: bool | None = None,
         decimal: str | None = None, **options: Any) -> Run:
    """Read a Shimadzu LabSolutions / GCMSsolution ASCII export into a :class:`~labtox.run.Run`.

    Parameters
    ----------
    path
        The ASCII (TAB-separated) export.
    dayfirst
        Date style of acquisition dates when the file itself cannot tell.
    decimal
        ``","`` or ``"."``; detected from the table numbers when ``None`` (TAB files written on
        a decimal-comma Windows print ``5,809``).

    Raises
    ------
    ParseError
        Unknown layout, truncated tables (a row shorter than its header), a count line that is
        not a number; the error names the line, column, expectation and what was found.

    References
    ----------
    Shimadzu, *GCMSsolution Operation Guide* ("ASCII Output" of data files); *LabSolutions
    Data Browser: Compound Table output*. Layouts as in ``../shared/fixtures/EXPORTS.md`` 3.5.

    Examples
    --------
    >>> from labtox.io import shimadzu_labsolutions as sh
    >>> run = sh.read("tests/data/shimadzu_labsolutions/gcms_quant.txt")  # doctest: +SKIP
    >>> run.measurements[["analyte", "signal", "reported", "reported_flag"]]  # doctest: +SKIP
    """
    p = Path(path)
    text, encoding = read_text(p)
    lines = text.split("\n")
    layout = _layout(lines)
    if layout is None:
        raise ParseError("this is not a Shimadzu LabSolutions/GCMSsolution ASCII export.",
                         path=p, line=1, expected=INFO.signature,
                         found=lines[0][:80] if lines else "")
    if decimal not in (None, ",", "."):
        raise ParseError("the decimal option must be ',' or '.'.", path=p,
                         expected="',' or '.'", found=decimal)
    ctx = _Ctx(p, dayfirst, _delimiter(lines), decimal)
    if layout == "sections":
        records, meta = _read_sections(ctx, lines)
    elif layout == "batch":
        records, meta = _read_batch(ctx, lines)
    else:
        records, meta = _read_tq8030(ctx, lines)
    if not records:
        raise ParseError("the export holds no result rows.", path=p, line=len(lines),
                         expected="at least one compound or peak row", found="none")
    df = pd.DataFrame.from_records(records)
    acquired = next((a for a in df["acquired"] if a), "") if "acquired" in df else ""
    warnings = ctx.warnings + ctx.types.warnings() + ctx.resolver.warnings()
    return Run.from_path(df, p, INFO.name, instrument=meta.pop("instrument", ""),
                         software=meta.pop("software", INFO.software), acquired=acquired,
                         warnings=warnings, layout=layout, encoding=encoding, **meta)


class _Ctx:
    def __init__(self, path: Path, dayfirst: bool | None, delim: str,
                 decimal: str | None) -> None:
        self.path = path
        self.dayfirst = dayfirst
        self.delim = delim
        self.decimal = decimal
        self.types = SampleTypeMapper()
        self.resolver = ChromResolver()
        self.warnings: list[str] = []

    def num(self, cell: str) -> tuple[float, str | None]:
        return fast_number(cell, self.decimal or ".")

    def cells(self, line: str) -> list[str]:
        return _cells(line, self.delim)

    def settle_decimal(self, cells: Any) -> None:
        """Decide the decimal mark from the numbers (TAB files only: a comma-delimited file
        cannot use decimal commas)."""
        if self.decimal is None:
            if self.delim == ",":
                self.decimal = "."
            else:
                self.decimal, note = detect_decimal(cells)
                if note:
                    self.warnings.append(note)


def _get(row: list[str], col: dict[str, int], *names: str) -> str:
    for n in names:
        j = col.get(n)
        if j is not None:
            return row[j].strip() if j < len(row) else ""
    return ""


def _vendor_type(word: str) -> str:
    return re.sub(r"^\d+\s*:\s*", "", word.strip())


# ---- (a) per data file ----------------------------------------------------------------------

def _read_sections(ctx: _Ctx, lines: list[str]) -> tuple[list[dict], dict]:
    keyvals: dict[str, dict[str, str]] = {}
    tables: list[tuple[str, int, list[str], list[tuple[int, list[str]]]]] = []
    section = ""
    i, n = 0, len(lines)
    while i < n:
        ln = lines[i]
        m = re.match(r"^\[(.+)\]\s*$", ln)
        if m:
            section = m.group(1)
            i += 1
            if _TABLE_SECTIONS.match(section):
                i = _read_table(ctx, lines, i, section, tables)
            continue
        if ln.strip() and section and ctx.delim in ln:
            k, _, v = ln.partition(ctx.delim)
            keyvals.setdefault(section, {}).setdefault(k.strip(), v.strip().rstrip(ctx.delim))
        i += 1
    numeric = ("Area", "Height", "Conc.", "R.Time", "Ret.Time", "Ret. Time", "A/H")
    ctx.settle_decimal(r[j] for _, _, hdr, rows in tables for _, r in rows
                       for j, h in enumerate(hdr) if h.strip() in numeric and j < len(r))
    header = keyvals.get("Header", {})
    info = keyvals.get("Sample Information", {})
    finfo = keyvals.get("File Information", {})
    vendor_type = _vendor_type(info.get("Sample Type", info.get("Type", "")))
    stype = ctx.types(vendor_type, default="sample")
    data_file = header.get("Data File Name", "")
    stem = re.sub(r"\.\w+$", "", data_file.replace("\\", "/").rsplit("/", 1)[-1])
    sample_id = info.get("Sample ID") or info.get("Sample Name") or stem or ctx.path.stem
    acq_raw = info.get("Acquired") or info.get("Analyzed") or finfo.get("Generated") or ""
    acquired = iso_dates(ctx, [acq_raw], [0], "Acquired")[0] if acq_raw else None
    dil, dflag = ctx.num(info.get("Dilution Factor", ""))
    base = {"sequence": 1, "sample_id": sample_id, "sample_type": stype,
            "vendor_type": vendor_type or None, "level": info.get("Level") or None,
            "dilution": dil if dflag is None and dil > 0 else math.nan, "acquired": acquired,
            "data_file": data_file}
    quant = [t for t in tables if not t[0].startswith("Peak Table")]
    use = [t for t in quant if t[3]]
    if use:
        unnamed = 0
        for section, _, hdr, rows in tables:
            if section.startswith("Peak Table") and "Name" in [h.strip() for h in hdr]:
                j = [h.strip() for h in hdr].index("Name")
                unnamed += sum(1 for _, r in rows if j >= len(r) or not r[j].strip())
        if unnamed:
            ctx.warnings.append(f"{unnamed} unidentified peak(s) of the peak table are not "
                                "compound results and were not read as measurements")
    if not use:
        use = [t for t in tables if t[0].startswith("Peak Table") and t[3]]
        if use:
            ctx.warnings.append("no identified compounds in the file: the peak table is read "
                                "instead, each peak named by its retention time")
    records = []
    for section, _hline, hdr, rows in use:
        col = {h.strip(): j for j, h in reversed(list(enumerate(hdr)))}
        chan = re.search(r"\((.+)\)\s*$", section)
        records += _section_rows(ctx, section, col, rows, base, chan.group(1) if chan else None)
    meta = {"header": header, "sample_information": info,
            "tables": {t[0]: len(t[3]) for t in tables},
            "software": " ".join(x for x in (header.get("Application Name", "GCMSsolution"
                                                        if any(t[0] == "MS Quantitative Results"
                                                               for t in tables) else ""),
                                             header.get("Version", "")) if x) or INFO.software}
    return records, meta


def _read_table(ctx: _Ctx, lines: list[str], i: int, section: str,
                tables: list) -> int:
    """Read '# of IDs N', the header and the rows of one result section; return next index."""
    n = len(lines)
    declared = None
    while i < n and lines[i].startswith("#"):
        k, _, v = lines[i].partition(ctx.delim)
        if k.strip() in ("# of IDs", "# of Peaks", "# of Groups"):
            val = v.strip().rstrip(ctx.delim).strip()
            if not val.isdigit():
                raise ParseError("the count line is not a whole number.", path=ctx.path,
                                 line=i + 1, column=2, expected="a count such as 23", found=val)
            declared = int(val)
        i += 1
    if declared == 0 or i >= n or not lines[i].strip() or lines[i].startswith("["):
        tables.append((section, i + 1, [], []))
        return i
    hline, hdr = i + 1, ctx.cells(lines[i])
    i += 1
    rows = []
    known = [j for j, h in enumerate(hdr) if h.strip() in (
        "Area", "Conc.", "Name", "R.Time", "Ret.Time", "Peak#", "ID#")]
    if "Area" not in (h.strip() for h in hdr) or not known:
        raise ParseError(f"the [{section}] table header has no 'Area' column.", path=ctx.path,
                         line=hline, expected="a header such as 'ID#<TAB>Name<TAB>...<TAB>Area'",
                         found="\t".join(hdr[:6]))
    need = max(j for j, h in enumerate(hdr) if h.strip()) + 1  # every cell up to the last title
    while i < n and lines[i].strip() and not lines[i].startswith("["):
        row = ctx.cells(lines[i])
        if len(row) < need:
            raise ParseError(f"a row of [{section}] is shorter than its header (truncated file?).",
                             path=ctx.path, line=i + 1, column=len(row) + 1,
                             expected=f"at least {need} cells", found=f"{len(row)} cells")
        rows.append((i + 1, row))
        i += 1
    if declared is not None and len(rows) != declared:
        ctx.warnings.append(f"[{section}] declares {declared} rows and holds {len(rows)}")
        if i >= n and len(rows) < declared and not lines[-1] == "":
            raise ParseError(f"[{section}] ends early (truncated file?).", path=ctx.path,
                             line=i, expected=f"{declared} rows", found=f"{len(rows)} rows")
    tables.append((section, hline, hdr, rows))
    return i


def _section_rows(ctx: _Ctx, section: str, col: dict[str, int], rows: list, base: dict,
                  chan: str | None) -> list[dict]:
    peak_table = section.startswith("Peak Table")
    # ISTD areas per ISTD group (GCMSsolution)
    istd_area: dict[str, list[tuple[str, float]]] = {}
    for _, r in rows:
        if _get(r, col, "Type").upper() == "ISTD":
            istd_area.setdefault(_get(r, col, "ISTD Group#"), []).append(
                (_get(r, col, "Name"), ctx.num(_get(r, col, "Area"))[0]))
    out = []
    for line, r in rows:
        name = _get(r, col, "Name")
        rt = _get(r, col, "Ret.Time", "R.Time", "Ret. Time")
        if not name:
            if not peak_table:
                raise ParseError("a compound row has no name.", path=ctx.path, line=line,
                                 column="Name", expected="a compound name", found="")
            name = f"peak {rt}"
        analyte, channel, is_istd = ctx.resolver(name)
        is_istd = is_istd or _get(r, col, "Type").upper() == "ISTD"
        mass = _get(r, col, "Mass", "m/z")
        channel = mass or (f"{chan}" if chan and channel == name else channel)
        area_cell = _get(r, col, "Area")
        signal, sflag = ctx.num(area_cell)
        rt_flag = ctx.num(rt)[1]
        conc_cell = _get(r, col, "Conc.")
        reported, cflag = ctx.num(conc_cell)
        istd_signal, istd_channel = math.nan, None
        group = _get(r, col, "ISTD Group#")
        if not is_istd and len(istd_area.get(group, [])) == 1:
            istd_channel, istd_signal = istd_area[group][0]
        nominal = ctx.num(_get(r, col, "Std. Conc.", "Std.Conc."))[0]
        unit = unit_text(_get(r, col, "Unit", "Units"))
        rec = dict(base)
        rec.update({
            "analyte": analyte, "channel": channel or name, "signal": signal,
            "signal_unit": "area", "istd_signal": istd_signal, "istd_channel": istd_channel,
            "nominal": nominal, "nominal_unit": unit if not math.isnan(nominal) else None,
            "reported": reported, "reported_unit": unit,
            "reported_flag": join_flags(rt_flag, sflag if area_cell else (
                None if rt_flag else "(empty)"), cflag),
            "source_line": str(line), "is_istd": is_istd, "compound": name,
            "retention_time": ctx.num(rt)[0], "mark": _get(r, col, "Mark").strip() or None,
        })
        out.append(rec)
    return out


# ---- (b) batch compound table ---------------------------------------------------------------

def _read_batch(ctx: _Ctx, lines: list[str]) -> tuple[list[dict], dict]:
    records: list[dict] = []
    injections: dict[str, int] = {}
    summary = 0
    compounds = []
    numeric_cols: list[int] = []
    cells = []
    for ln in lines:  # first pass: the numbers decide the decimal mark
        if ln[:1] == ctx.delim and "Area" in ln:
            hdr = ctx.cells(ln)
            numeric_cols = [j for j, h in enumerate(hdr) if h.strip() in (
                "Ret. Time", "Area", "Height", "Conc.", "ISTD Area")]
        elif ln[:1].isdigit():
            row = ctx.cells(ln)
            cells += [row[j] for j in numeric_cols if j < len(row)]
    ctx.settle_decimal(cells)
    i, n = 0, len(lines)
    while i < n:
        ln = lines[i]
        if not ln.strip():
            i += 1
            continue
        m = re.match(r"^ID#[\t,](.*)$", ln)
        if not m:
            raise ParseError("expected the start of a compound block.", path=ctx.path,
                             line=i + 1, column=1, expected="'ID#<TAB><number>'",
                             found=ln[:60])
        if i + 2 >= n or not re.match(r"^Name[\t,]", lines[i + 1]):
            raise ParseError("a compound block lacks its Name line or header.", path=ctx.path,
                             line=i + 2, column=1, expected="'Name<TAB><compound>' then a header",
                             found=lines[i + 1][:60] if i + 1 < n else "end of file")
        cname = ctx.cells(lines[i + 1])[1].strip() if len(ctx.cells(lines[i + 1])) > 1 else ""
        compounds.append(cname)
        hdr = ctx.cells(lines[i + 2])
        col = {h.strip(): j for j, h in reversed(list(enumerate(hdr))) if h.strip()}
        for required in ("Area", "Data Filename"):
            if required not in col:
                raise ParseError(f"the compound block header has no {required!r} column.",
                                 path=ctx.path, line=i + 3, expected=f"a {required!r} column",
                                 found="\t".join(hdr[:6]))
        need = max(col.values()) + 1  # real rows fill every titled column
        i += 3
        block = []
        while i < n and lines[i].strip() and not re.match(r"^ID#[\t,]", lines[i]):
            row = ctx.cells(lines[i])
            label = row[1].strip() if len(row) > 1 else ""
            if not row[0].strip() and label in _SUMMARY:
                summary += 1
            else:
                if len(row) < need:
                    raise ParseError("a row is shorter than its header (truncated file?).",
                                     path=ctx.path, line=i + 1, column=len(row) + 1,
                                     expected=f"at least {need} cells",
                                     found=f"{len(row)} cells")
                block.append((i + 1, row))
            i += 1
        dates = iso_dates(ctx, [_get(r, col, "Date Acquired") for _, r in block],
                          [ln for ln, _ in block], "Date Acquired")
        analyte, channel, is_istd = ctx.resolver(cname)
        for (line, r), acq in zip(block, dates, strict=True):
            dfile = _get(r, col, "Data Filename")
            seq = injections.setdefault(dfile, len(injections) + 1)
            vendor_type = _get(r, col, "Sample Type")
            area_cell, conc_cell = _get(r, col, "Area"), _get(r, col, "Conc.")
            rt = _get(r, col, "Ret. Time", "Ret.Time", "R.Time")
            signal, sflag = ctx.num(area_cell)
            reported, cflag = ctx.num(conc_cell)
            nominal = ctx.num(_get(r, col, "Std. Conc."))[0]
            dil, dflag = ctx.num(_get(r, col, "Dilution Factor"))
            mz = _get(r, col, "m/z")
            unit = unit_text(_get(r, col, "Unit", "Units"))
            records.append({
                "sequence": seq,
                "sample_id": _get(r, col, "Sample ID") or _get(r, col, "Sample Name")
                or re.sub(r"\.\w+$", "", dfile),
                "sample_type": ctx.types(vendor_type, default="sample"),
                "vendor_type": vendor_type or None, "analyte": analyte,
                "channel": mz if mz and mz not in ("-----", "--") else channel,
                "signal": signal, "signal_unit": "area",
                "istd_signal": ctx.num(_get(r, col, "ISTD Area"))[0],
                "nominal": nominal, "nominal_unit": unit if not math.isnan(nominal) else None,
                "level": _get(r, col, "Level#", "Level") or None,
                "dilution": dil if dflag is None and dil > 0 else math.nan,
                "acquired": acq, "reported": reported, "reported_unit": unit,
                "reported_flag": join_flags(ctx.num(rt)[1], sflag if area_cell else "(empty)",
                                            cflag),
                "source_line": str(line), "data_file": dfile, "is_istd": is_istd,
                "compound": cname,
                "sample_name": _get(r, col, "Sample Name"),
                "retention_time": ctx.num(rt)[0], "mark": _get(r, col, "Mark").strip() or None,
            })
    if summary:
        ctx.warnings.append(f"{summary} summary row(s) (Average, %RSD, ...) are not "
                            "measurements and were not read as such")
    return records, {"summary_rows": summary, "compounds": compounds,
                     "software": "LabSolutions"}


# ---- (c) headerless TQ8030 summary ----------------------------------------------------------

def _read_tq8030(ctx: _Ctx, lines: list[str]) -> tuple[list[dict], dict]:
    ctx.warnings.append("headerless Shimadzu summary: columns 3-5 read as retention time, "
                        "concentration and area by position (the file names no columns)")
    records: list[dict] = []
    injections: dict[str, int] = {}
    summary = 0
    cname = None
    ctx.settle_decimal(c for ln in lines if ln.strip() for c in ctx.cells(ln)[2:5])
    for idx, ln in enumerate(lines):
        if not ln.strip():
            continue
        row = ctx.cells(ln)
        filled = [c for c in row if c.strip()]
        if len(filled) == 1 and not row[0].strip().lower().endswith((".qgd", ".lcd", ".gcd")):
            cname = filled[0].strip()
            continue
        first = row[0].strip()
        if first in _SUMMARY:
            summary += 1
            continue
        if cname is None:
            raise ParseError("a result row comes before any compound name.", path=ctx.path,
                             line=idx + 1, column=1, expected="a compound-name line",
                             found=ln[:60])
        if len(row) < 5:
            raise ParseError("a result row is too short (truncated file?).", path=ctx.path,
                             line=idx + 1, column=len(row) + 1, expected="at least 5 cells",
                             found=f"{len(row)} cells")
        analyte, channel, is_istd = ctx.resolver(cname)
        signal, sflag = ctx.num(row[4])
        reported, cflag = ctx.num(row[3])
        type_j = next((j for j in range(len(row) - 1, 4, -1)
                       if map_sample_type(row[j].strip()) is not None), None)
        vendor_type = row[type_j].strip() if type_j is not None else ""
        level = row[type_j - 1].strip() if type_j is not None and type_j > 5 else ""
        seq = injections.setdefault(first, len(injections) + 1)
        records.append({
            "sequence": seq, "sample_id": row[1].strip() or re.sub(r"\.\w+$", "", first),
            "sample_type": ctx.types(vendor_type, default="sample"),
            "vendor_type": vendor_type or None, "analyte": analyte, "channel": channel,
            "signal": signal, "signal_unit": "area", "level": level or None,
            "reported": reported,
            "reported_flag": join_flags(ctx.num(row[2])[1], sflag if row[4].strip() else "(empty)",
                                        cflag),
            "source_line": str(idx + 1), "data_file": first, "is_istd": is_istd,
            "compound": cname,
            "retention_time": ctx.num(row[2])[0],
        })
    return records, {"summary_rows": summary, "software": "GCMSsolution"}
