"""Agilent MassHunter Quantitative Analysis CSV exports (GC-MS/MS, LC-MS/MS, GC-HRMS).

Four layouts are read (``../shared/fixtures/EXPORTS.md`` section 3.1):

(a) **compound-in-columns batch table** (the default "export table"): row 1 holds group labels
    (``Sample``, ``<Name> Method``, ``<Name> Results``, ``Qualifier (<prec> -> <prod>) Results``;
    ISTDs carry ``(ISTD)``), row 2 the field names, then one row per injection;
(b) **compound table** (transposed): ``Compound Method,,<sample 1>,,,<sample 2>...`` over
    ``Name,Transition,RT,Area,FWHM,...``, one row per compound; a sample's info group
    (``Acq. Date-Time, Name, Data File, Type``) and results group (``RT, Area``) may carry the
    same label and are one injection;
(c) **long report** (Quant B.08): a ``key,value`` preamble, blank lines, then one row per
    sample x compound (``SampleName, Compound, CalculatedConcentration, FinalConcentration ...``);
    the same table without the preamble is recognised by its MassHunter field names
    (``Compound`` + ``Sample Name``/``Data File`` + ``Final Conc.``/``Calc. Conc.`` ...);
(d) **sectioned CSV** (2013): ``Batch Info``, ``Sequence Table``, ``Quantitation Results`` and one
    ``Target Compound,<name>`` block per compound.

Choices (what a reader of the Run needs to know)

- ``signal`` is the peak area (``Area``, else ``Resp.``/``Resp``/``Response``; ``Height`` only when
  no area is exported, with ``signal_unit`` ``"height"``). ``signal_unit`` is ``"area"``.
- ``reported`` is ``Final Conc.`` when exported, else ``Calc. Conc.``; both are kept
  (``calc_conc`` extra column). MassHunter CSVs do not print concentration units: pass
  ``conc_unit="ng/mL"`` to set ``reported_unit`` and ``nominal_unit``; otherwise they stay empty
  and the method supplies the unit (the raw header is recorded in ``metadata["conc_header"]``).
- ``nominal`` is ``Exp. Conc.`` wherever the file prints a number there (calibration rows, and QC
  rows where the method sets an expected value).
- ``istd_signal`` is the area of the compound's ISTD in the same injection: the ISTD named in an
  ``ISTD`` field when the file has one, else the only ISTD of the file. With several ISTDs and no
  assignment it is left empty and a warning says so (the method file assigns ISTDs).
- Qualifier-ion results are not analyte rows: each analyte row carries them in the extra column
  ``qualifiers`` (``"347.3 -> 329.3 [Ratio=25.3]"``); their number is in ``metadata["qualifiers"]``
  and in a warning.
- Every non-numeric cell of the signal or concentration columns is kept verbatim in
  ``reported_flag`` (``ND``, ``N/A`` ...); an empty area cell is flagged ``"(empty)"``; the
  leading outlier-summary columns (``!``) go to the extra column ``row_flags``, and the
  quantitation messages and a compound's own outlier fields to the extra column ``messages``.
  MassHunter writes a ``Quantitation Message`` ending in an unquoted line break; such rows are
  rejoined (with a warning) when that makes them exactly as wide as the header.
- Decimal commas (German Windows: ``"9,754"`` inside quotes) are detected from the numbers
  themselves (``decimal=","`` or ``"."`` forces it); ``;``-separated re-saves and TAB-separated
  text exports are read like the CSV.
- Internal standards are the compounds marked ``(ISTD)``, ``[ISTD]``, ``(IS)``, or named as
  isotope-labelled (``13C12``, ``d5``, ``[13C17]``; see :func:`labtox.io._chrom.isotope_label`):
  a labelled standard is read as its native analyte with ``is_istd`` true, the label in
  ``channel``, and a warning lists such compounds.

The helpers at the end of this module (:class:`ChromResolver`, :func:`join_flags`,
:func:`detect_decimal`, :func:`iso_dates`, :func:`check_width`) are shared by the other
chromatography readers.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from labtox.errors import ParseError
from labtox.io._chrom import (
    EMPTY,
    ChromResolver,
    check_width,
    detect_decimal,
    fast_number,
    iso_dates,
    join_flags,
)
from labtox.io._common import (
    Head,
    ReaderInfo,
    SampleTypeMapper,
    parse_bool,
    read_text,
    sniff_delimiter,
)
from labtox.run import Run

__all__ = ["INFO", "sniff", "read", "NO_SIGNAL"]

INFO = ReaderInfo(
    name="masshunter-quant",
    vendor="Agilent",
    software="MassHunter Quantitative Analysis",
    instruments=("GC-MS/MS", "LC-MS/MS", "GC-MS", "LC-MS", "GC-HRMS"),
    extensions=("csv",),
    signature="MassHunter Quant header ('<compound> Results' group row over 'Data File'/'Name', "
              "'Compound Method' table, 'Quant Batch Version' report or 'Batch Info' sections)",
    priority=65,
)

NO_SIGNAL = "(no response exported)"
"""Flag written when the export carries concentrations only (no area / response column)."""

_GROUP = re.compile(r"^(?P<name>.+?)\s+(?P<kind>Method|Results)$")
_QUALIFIER = re.compile(r"^Qualifier\s*\((?P<t>.*)\)\s*(?P<kind>Method|Results)?$")
_SIGNAL_FIELDS = (("Area", "area"), ("Resp.", "area"), ("Resp", "area"), ("Response", "area"),
                  ("Height", "height"))
_TEXT_FIELDS = {"Ion Polarity", "MI", "Name", "Data File", "Type", "Level", "Acq. Date-Time",
                "Pos.", "Sample Group", "Comment", "Quantitation Message", "ISTD", "Transition",
                "Approved", "Method File", "Acq. Method File", "Vial", "Outlier Summary"}


# --------------------------------------------------------------------------------------------
# sniffing
# --------------------------------------------------------------------------------------------

def _layout(lines: Sequence[str]) -> str | None:
    """Which MassHunter Quant layout the first lines show: 'wide', 'compound', 'long', 'sections'."""
    first = [ln for ln in lines[:40]]
    if not first:
        return None
    head = "\n".join(first)
    if first[0].startswith("Batch Info") and "Sequence Table" in head:
        return "sections"
    if first[0].startswith("Compound Method") and len(first) > 1 and first[1].startswith("Name"):
        return "compound"
    if re.search(r"^Quant (Batch|Report) Version,", head, re.M) or re.search(
            r"^SampleID,CompoundID,", head, re.M):
        return "long"
    for ln in first[:40]:  # a long table without the B.08 preamble, found by its names
        if "Compound" in ln and _is_long_header([c.strip() for c in _split_line(ln)]):
            return "long"
    for i, ln in enumerate(first[:5]):
        if i + 1 >= len(first):
            break
        if "Results" not in ln:  # no '<compound> Results' group cell: not split
            continue
        cells = [c.strip() for c in _split_line(ln)]
        if any(_GROUP.match(c) and c.endswith("Results") for c in cells):
            nxt = {c.strip() for c in _split_line(first[i + 1])}
            if nxt & {"Data File", "Name", "Acq. Date-Time"} and nxt & {
                    "Area", "Resp.", "RT", "Calc. Conc.", "Final Conc.", "Height"}:
                return "wide"
    return None


_LONG_COMPOUND = {"Compound", "CompoundName", "Compound Name"}
_LONG_SAMPLE = {"SampleName", "Sample Name", "Data File", "DataFileName", "Name"}
_LONG_MH_FIELDS = {"Final Conc.", "Calc. Conc.", "Exp. Conc.", "FinalConcentration",
                   "CalculatedConcentration", "ExpectedConcentration"}


def _is_long_header(cells: list[str]) -> bool:
    """A one-row header of a long MassHunter table: a compound and a sample column and a
    MassHunter concentration field (``Final Conc.``, ``CalculatedConcentration`` ...), which
    other vendors' long tables (TraceFinder's ``Calculated Amt``) do not use."""
    names = set(cells)
    return bool(names & _LONG_COMPOUND and names & _LONG_SAMPLE and names & _LONG_MH_FIELDS)


def _split_line(line: str) -> list[str]:
    delim = max(",;\t", key=line.count)  # ',' (default), ';' (European re-save) or TAB (.txt)
    try:
        return next(csv.reader([line], delimiter=delim))
    except (StopIteration, csv.Error):
        return []


def sniff(head: Head) -> bool:
    """True for the MassHunter Quant CSV layouts (a)-(d)."""
    if not head.text:
        return False
    return _layout(head.lines) is not None


# --------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------

def read(path: str | PathLike[str], *, dayfirst: bool | None = None, decimal: str | None = None,
         conc_unit: str | None = None, **options: Any) -> Run:
    """Read a MassHunter Quantitative Analysis CSV export into a :class:`~labtox.run.Run`.

    Parameters
    ----------
    path
        The CSV export.
    dayfirst
        Date style of ``Acq. Date-Time`` when the column itself cannot tell (all days <= 12).
    decimal
        ``","`` or ``"."``; detected from the numbers when ``None``.
    conc_unit
        Unit of ``Calc./Final/Exp. Conc.`` (MassHunter does not print it), e.g. ``"ng/mL"``.

    Returns
    -------
    Run
        One row per injection x compound (qualifier ions kept in the ``qualifiers`` column).

    Raises
    ------
    ParseError
        The file is not one of the four layouts, is truncated or has malformed cells; the error
        names the line, the column, what was expected and what was found.

    References
    ----------
    Agilent Technologies, *MassHunter Quantitative Analysis: Familiarization Guide* (G3335-90135),
    chapter "Export the batch table". Layouts as documented in ``../shared/fixtures/EXPORTS.md`` 3.1.

    Examples
    --------
    >>> from labtox.io import masshunter_quant
    >>> run = masshunter_quant.read("tests/data/masshunter_quant/gcmsms_wide.csv")  # doctest: +SKIP
    >>> run.measurements[["sample_id", "analyte", "signal", "nominal"]].head()  # doctest: +SKIP
    """
    p = Path(path)
    text, encoding = read_text(p)
    lines = text.split("\n")
    layout = _layout(lines)
    if layout is None:
        raise ParseError("this is not a MassHunter Quantitative Analysis CSV export.", path=p,
                         line=1, expected=INFO.signature, found=lines[0][:80] if lines else "")
    if decimal not in (None, ",", "."):
        raise ParseError("the decimal option must be ',' or '.'.", path=p, expected="',' or '.'",
                         found=decimal)
    ctx = _Ctx(p, dayfirst, decimal, conc_unit)
    delim = sniff_delimiter(lines[:10], ",;\t") if layout in ("wide", "long") else ","
    ctx.delim = delim
    rows = _rows_with_lines(text, delim, p)
    if layout == "wide":
        records, meta = _read_wide(ctx, rows)
    elif layout == "compound":
        records, meta = _read_compound_table(ctx, rows)
    elif layout == "long":
        records, meta = _read_long(ctx, rows)
    else:
        records, meta = _read_sections(ctx, rows)
    if not records:
        raise ParseError("the export holds no measurement rows.", path=p, line=len(lines),
                         expected="at least one injection x compound row", found="none")
    df = pd.DataFrame.from_records(records)
    acquired = next((a for a in df.get("acquired", pd.Series(dtype=object)) if a), "")
    warnings = ctx.warnings + ctx.types.warnings() + ctx.resolver.warnings()
    return Run.from_path(df, p, INFO.name, instrument=meta.pop("instrument", ""),
                         software=meta.pop("software", INFO.software), acquired=acquired,
                         warnings=warnings, layout=layout, encoding=encoding,
                         decimal=ctx.decimal or ".", **meta)


class _Ctx:
    """Per-file state: path, options, vocabularies and warnings."""

    def __init__(self, path: Path, dayfirst: bool | None, decimal: str | None,
                 conc_unit: str | None) -> None:
        self.path = path
        self.dayfirst = dayfirst
        self.decimal = decimal
        self.conc_unit = conc_unit
        self.types = SampleTypeMapper()
        self.resolver = ChromResolver()
        self.warnings: list[str] = []
        self.delim = ","

    def num(self, cell: str) -> tuple[float, str | None]:
        return fast_number(cell, self.decimal or ".")


def _rows_with_lines(text: str, delim: str, path: Path) -> list[tuple[int, list[str]]]:
    """CSV rows with the 1-based line each starts on (quoted newlines honoured)."""
    out = []
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    line = 1
    try:
        for row in reader:
            out.append((line, row))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ParseError(f"malformed CSV ({exc}).", path=path, line=reader.line_num,
                         expected="well-formed quoted cells", found=str(exc)) from None
    return out


def _blank(row: Sequence[str]) -> bool:
    return not any(c.strip() for c in row)


def _cell(row: Sequence[str], j: int | None) -> str:
    if j is None or j >= len(row):
        return ""
    return row[j].strip()


def _stem(data_file: str) -> str:
    s = data_file.strip().replace("\\", "/").rsplit("/", 1)[-1]
    return re.sub(r"\.d$", "", s, flags=re.I).strip()


# ---- (a) compound-in-columns --------------------------------------------------------------

def _read_wide(ctx: _Ctx, rows: list[tuple[int, list[str]]]) -> tuple[list[dict], dict]:
    h = next((i for i, (_, r) in enumerate(rows[:5])
              if any(_GROUP.match(c.strip()) and c.strip().endswith("Results") for c in r)), None)
    if h is None or h + 1 >= len(rows):
        raise ParseError("the two header rows are incomplete (truncated file?).", path=ctx.path,
                         line=len(rows) + 1, expected="a group row and a field-name row",
                         found="end of file")
    (gline, groups), (fline, fields) = rows[h], rows[h + 1]
    ncol = len(fields)
    groups = list(groups) + [""] * (ncol - len(groups))
    compounds: dict[str, dict[str, Any]] = {}
    sample: dict[str, int] = {}
    flag_cols: list[int] = []
    current = ""
    last_compound: str | None = None
    orphan_qualifiers = 0
    for j in range(ncol):
        if groups[j].strip():
            current = groups[j].strip()
        field = fields[j].strip()
        q = _QUALIFIER.match(current)
        g = _GROUP.match(current)
        if q and last_compound is not None:
            quals = compounds[last_compound]["qualifiers"]
            if not quals or quals[-1]["transition"] != q["t"]:
                quals.append({"transition": q["t"], "fields": {}})
            quals[-1]["fields"].setdefault(field, j)
        elif q:
            orphan_qualifiers += 1
        elif g:
            name = g["name"].strip()
            comp = compounds.setdefault(name, {"method": {}, "results": {}, "qualifiers": []})
            comp[g["kind"].lower()].setdefault(field, j)
            last_compound = name
        elif field:
            sample.setdefault(field, j)
        else:
            flag_cols.append(j)
    if orphan_qualifiers:
        ctx.warnings.append(f"{orphan_qualifiers} qualifier column(s) precede any compound and "
                            "were ignored")
    if not compounds:
        raise ParseError("no '<compound> Results' group in the header.", path=ctx.path,
                         line=gline, expected="a group label such as 'PCB 153 Results'",
                         found=",".join(groups[:6]))
    for comp in compounds.values():
        comp["signal"] = next(((comp["results"][f], u) for f, u in _SIGNAL_FIELDS
                               if f in comp["results"]), (None, "area"))
    if all(c["signal"][0] is None for c in compounds.values()):
        raise ParseError("no Area, Resp. or Height column under any compound's Results group.",
                         path=ctx.path, line=fline, expected="an 'Area' or 'Resp.' field",
                         found=",".join(f for f in fields if f)[:120])
    data = [(ln, r) for ln, r in rows[h + 2:] if not _blank(r)]
    if any("Message" in f for f in sample):
        data = _rejoin_messages(ctx, data, ncol)
    for ln, r in data:
        check_width(ctx.path, ln, r, ncol)
    if ctx.decimal is None:
        cols = [c for comp in compounds.values() for part in ("results", "method")
                for f, c in comp[part].items() if f not in _TEXT_FIELDS]
        ctx.decimal, rule = detect_decimal((_cell(r, j) for _, r in data[:400] for j in cols),
                                           prefer="," if ctx.delim == ";" else None)
        if rule:
            ctx.warnings.append(rule)
    # sample-level information
    info_lines = [ln for ln, _ in data]
    dates_col = sample.get("Acq. Date-Time")
    acquired = iso_dates(ctx, [_cell(r, dates_col) for _, r in data], info_lines,
                         "Acq. Date-Time") if dates_col is not None else [None] * len(data)
    if "Type" not in sample:
        ctx.warnings.append("the export has no 'Type' column: every injection is taken as a "
                            "sample (MassHunter's default type)")
    istds = [n for n in compounds if ctx.resolver(n)[2]]
    single_istd = istds[0] if len(istds) == 1 else None
    has_istd_field = any("ISTD" in c["method"] or "ISTD" in c["results"]
                         for c in compounds.values())
    if len(istds) > 1 and not has_istd_field:
        ctx.warnings.append(
            f"{len(istds)} ISTDs and the export does not say which one each compound uses: "
            "istd_signal left empty (assign ISTDs in the method file)")
    n_qual = sum(len(c["qualifiers"]) for c in compounds.values())
    if n_qual:
        ctx.warnings.append(f"{n_qual} qualifier ion(s) kept out of the analyte rows (see the "
                            "'qualifiers' column and metadata['qualifiers'])")
    # compile, once, where each compound's fields are (the row loop below is the hot path)
    specs = []
    conc_header = ""
    for cname, comp in compounds.items():
        res, meth = comp["results"], comp["method"]
        analyte, channel, is_istd = ctx.resolver(cname)
        conc_field = "Final Conc." if "Final Conc." in res else "Calc. Conc."
        conc_header = conc_header or (conc_field if conc_field in res else "")
        specs.append((
            cname, analyte, channel, is_istd, comp["signal"][0], comp["signal"][1],
            res.get(conc_field), res.get("Calc. Conc."),
            res.get("Exp. Conc.", meth.get("Exp. Conc.")),
            meth.get("Precursor Ion"), meth.get("Product Ion"),
            res.get("ISTD", meth.get("ISTD")), res.get("RT"), res.get("MI"),
            [(qd["transition"], [(f, j) for f, j in qd["fields"].items() if f])
             for qd in comp["qualifiers"]],
            [(f, j) for f, j in res.items() if "Outlier" in f or "Message" in f],
        ))
    istd_cols = {n: compounds[n]["signal"][0] for n in istds}
    j_name, j_file, j_type = sample.get("Name"), sample.get("Data File"), sample.get("Type")
    j_level, j_exp = sample.get("Level"), sample.get("Exp. Conc.")
    j_dil = sample.get("Dil.", sample.get("Dilution"))
    msg_cols = [(f, j) for f, j in sample.items() if "Message" in f]
    num, unit = ctx.num, ctx.conc_unit
    bools: dict[str, bool] = {}
    records: list[dict] = []
    for seq, ((ln, r), acq) in enumerate(zip(data, acquired, strict=True), start=1):
        name = _cell(r, j_name)
        data_file = _cell(r, j_file)
        sample_id = name or _stem(data_file)
        if not sample_id:
            raise ParseError("the injection has neither a Name nor a Data File.", path=ctx.path,
                             line=ln, column="Name", expected="a sample name", found="")
        vendor_type = _cell(r, j_type)
        stype = ctx.types(vendor_type, default="sample")
        row_flags = join_flags(*(_cell(r, j) for j in flag_cols))
        sample_notes = [f"{f}={_cell(r, j)}" for f, j in msg_cols if _cell(r, j)]
        dil, dil_flag = num(_cell(r, j_dil))
        dilution = dil if dil_flag is None and dil > 0 else math.nan
        sample_nominal = num(_cell(r, j_exp))[0]
        level = _cell(r, j_level) or None
        source = str(ln)
        areas = {n: num(_cell(r, j))[0] for n, j in istd_cols.items()}
        for (cname, analyte, channel, is_istd, j_sig, sig_unit, j_rep, j_calc, j_nom, j_prec,
             j_prod, j_istd, j_rt, j_mi, quals_spec, note_cols) in specs:
            sig_cell = _cell(r, j_sig)
            signal, sig_flag = num(sig_cell)
            if j_sig is None:
                sig_flag = NO_SIGNAL
            elif not sig_cell:
                sig_flag = EMPTY
            reported, rep_flag = num(_cell(r, j_rep))
            if j_nom is not None:
                nominal = num(_cell(r, j_nom))[0]
            else:  # a sample-level Exp. Conc. is the level of the targets, not of the ISTDs
                nominal = math.nan if is_istd else sample_nominal
            prec, prod = _cell(r, j_prec), _cell(r, j_prod)
            chan = f"{prec} -> {prod}" if prec and prod else channel
            istd_name = _cell(r, j_istd) or single_istd
            istd_signal, istd_channel = math.nan, None
            if istd_name and istd_name != cname and istd_name in areas:
                istd_signal, istd_channel = areas[istd_name], istd_name
            mi = _cell(r, j_mi)
            if mi and mi not in bools:
                bools[mi] = parse_bool(mi, path=ctx.path, line=ln, column="MI")
            notes = sample_notes + [f"{f}={_cell(r, j)}" for f, j in note_cols if _cell(r, j)]
            quals = []
            for transition, fields in quals_spec:
                vals = [f"{f}={_cell(r, j)}" for f, j in fields if _cell(r, j)]
                if vals:
                    quals.append(f"{transition} [{', '.join(vals)}]")
            has_nominal = nominal == nominal
            records.append({
                "sequence": seq, "sample_id": sample_id, "sample_type": stype,
                "vendor_type": vendor_type, "analyte": analyte, "channel": chan,
                "signal": signal, "signal_unit": sig_unit,
                "istd_signal": istd_signal, "istd_channel": istd_channel,
                "nominal": nominal, "nominal_unit": unit if has_nominal else None,
                "level": level, "dilution": dilution, "acquired": acq, "rejected": False,
                "reported": reported, "reported_unit": unit,
                "reported_flag": join_flags(sig_flag, rep_flag),
                "source_line": source, "data_file": data_file, "is_istd": is_istd,
                "compound": cname,
                "retention_time": num(_cell(r, j_rt))[0],
                "calc_conc": num(_cell(r, j_calc))[0] if j_calc is not None else math.nan,
                "manual_integration": bools[mi] if mi else None,
                "qualifiers": "; ".join(quals) or None,
                "row_flags": row_flags,
                "messages": "; ".join(notes) or None,
            })
    meta = {"qualifiers": n_qual, "conc_header": conc_header, "istds": istds,
            "compounds": list(compounds)}
    return records, meta


def _rejoin_messages(ctx: _Ctx, data: list[tuple[int, list[str]]],
                     ncol: int) -> list[tuple[int, list[str]]]:
    """Rejoin rows that MassHunter broke by writing an unquoted line break at the end of a
    ``Quantitation Message`` cell: a short row is merged with the following line(s) while
    that makes the row exactly as wide as the header (a short row at the end stays short and
    is reported as truncated)."""
    out: list[tuple[int, list[str]]] = []
    i, joined = 0, 0
    while i < len(data):
        ln, r = data[i]
        k, row = i, list(r)
        while len(row) < ncol and k + 1 < len(data) and len(row) + len(data[k + 1][1]) - 1 <= ncol:
            k += 1
            nxt = data[k][1]
            row = row[:-1] + [row[-1] + "\n" + nxt[0]] + nxt[1:]
        if k > i and len(row) == ncol:
            out.append((ln, row))
            joined += 1
            i = k + 1
        else:
            out.append((ln, r))
            i += 1
    if joined:
        ctx.warnings.append(f"{joined} row(s) had a line break inside a Quantitation Message "
                            "cell (written unquoted by MassHunter) and were rejoined")
    return out


# ---- (b) compound table ---------------------------------------------------------------------

def _read_compound_table(ctx: _Ctx, rows: list[tuple[int, list[str]]]) -> tuple[list[dict], dict]:
    if len(rows) < 2:
        raise ParseError("the compound table has no field-name row (truncated file?).",
                         path=ctx.path, line=len(rows) + 1,
                         expected="'Name,Transition,RT,Area,...'", found="end of file")
    (_gline, groups), (fline, fields) = rows[0], rows[1]
    ncol = len(fields)
    groups = list(groups) + [""] * (ncol - len(groups))
    samples: list[tuple[str, dict[str, int]]] = []
    method: dict[str, int] = {}
    current = None
    for j in range(ncol):
        label = groups[j].strip()
        field = fields[j].strip()
        if label and label != "Compound Method":
            # MassHunter labels a sample's info group and its results group with the same
            # sample name ('N8,,,,N8,,'): a repeated label continues the sample until one of
            # its fields comes again (the next injection of a sample with the same name)
            if not (samples and label == current and field not in samples[-1][1]):
                samples.append((label, {}))
            current = label
        if current is None:
            method.setdefault(field, j)
        else:
            samples[-1][1].setdefault(field, j)
    if "Name" not in method or not samples:
        raise ParseError("the compound table has no 'Name' column or no sample groups.",
                         path=ctx.path, line=fline, expected="'Name' then sample groups",
                         found=",".join(fields[:6]))
    sig_fields = {f for _, fs in samples for f in fs}
    sig_field = next((f for f, _ in _SIGNAL_FIELDS if f in sig_fields), None)
    if sig_field is None:
        raise ParseError("no Area or Resp. field under the sample groups.", path=ctx.path,
                         line=fline, expected="an 'Area' field", found=",".join(fields[:8]))
    data = [(ln, r) for ln, r in rows[2:] if not _blank(r)]
    for ln, r in data:
        check_width(ctx.path, ln, r, ncol)
    if ctx.decimal is None:
        ctx.decimal, rule = detect_decimal(
            _cell(r, j) for _, r in data for _, f in samples for k, j in f.items()
            if k not in _TEXT_FIELDS)
        if rule:
            ctx.warnings.append(rule)
    has_type = any("Type" in f for _, f in samples)
    if not has_type:
        ctx.warnings.append("the compound table has no sample types: every injection is taken "
                            "as a sample")
    # sample-level cells (Name, Data File, Type, Acq. Date-Time) repeat on every compound row:
    # they are read from the first row, and a later row that says otherwise is reported
    first = data[0][1] if data else []
    for sname, f in samples:
        for field_ in ("Name", "Data File", "Type", "Acq. Date-Time"):
            j = f.get(field_)
            odd = next(((ln, _cell(r, j)) for ln, r in data[1:]
                        if j is not None and _cell(r, j) and _cell(r, j) != _cell(first, j)), None)
            if odd is not None:
                ctx.warnings.append(
                    f"{sname}: {field_} {odd[1]!r} on line {odd[0]} differs from "
                    f"{_cell(first, j)!r} on line {data[0][0]}; the first row's value is used")
    dates = [_cell(first, f.get("Acq. Date-Time")) for _, f in samples]
    acquired = (iso_dates(ctx, dates, [data[0][0]] * len(dates), "Acq. Date-Time")
                if data and any(dates) else [None] * len(samples))
    info = []
    for (sname, f), acq in zip(samples, acquired, strict=True):
        vendor_type = _cell(first, f.get("Type"))
        info.append((_cell(first, f.get("Name")) or sname, _cell(first, f.get("Data File")),
                     vendor_type, ctx.types(vendor_type, "sample"), acq))
    j_prec, j_prod = method.get("Precursor Ion"), method.get("Product Ion")
    records = []
    for ln, r in data:
        cname = _cell(r, method["Name"])
        if not cname:
            raise ParseError("a compound row has no name.", path=ctx.path, line=ln,
                             column="Name", expected="a compound name", found="")
        analyte, channel, is_istd = ctx.resolver(cname)
        prec, prod = _cell(r, j_prec), _cell(r, j_prod)
        channel = _cell(r, method.get("Transition")) or (
            f"{prec} -> {prod}" if prec and prod else channel)
        for seq, ((_, f), (sid, dfile, vtype, stype, acq)) in enumerate(
                zip(samples, info, strict=True), start=1):
            j_sig = f.get(sig_field)
            cell = _cell(r, j_sig)
            signal, flag = ctx.num(cell)
            reported, rflag = ctx.num(_cell(r, f.get("Final Conc.", f.get("Calc. Conc."))))
            records.append({
                "sequence": seq, "sample_id": sid, "sample_type": stype,
                "vendor_type": vtype or None, "analyte": analyte, "channel": channel,
                "signal": signal, "signal_unit": dict(_SIGNAL_FIELDS)[sig_field],
                "reported": reported, "reported_unit": ctx.conc_unit,
                "reported_flag": join_flags(NO_SIGNAL if j_sig is None else (
                    flag if cell else EMPTY), rflag),
                "source_line": str(ln), "is_istd": is_istd, "data_file": dfile or None,
                "compound": cname,
                "acquired": acq,
                "retention_time": ctx.num(_cell(r, f.get("RT")))[0],
            })
    istds = list(dict.fromkeys(rec["channel"] for rec in records if rec["is_istd"]))
    if len(istds) == 1 and sum(rec["is_istd"] for rec in records) > len(samples):
        ctx.warnings.append(f"the ISTD {istds[0]} is on more than one row: istd_signal left "
                            "empty (assign ISTDs in the method)")
    elif len(istds) == 1:  # one ISTD in the table: its area is every compound's istd_signal
        area = {rec["sequence"]: rec["signal"] for rec in records if rec["is_istd"]}
        for rec in records:
            if not rec["is_istd"]:
                rec["istd_signal"], rec["istd_channel"] = area[rec["sequence"]], istds[0]
    elif len(istds) > 1:
        ctx.warnings.append(f"{len(istds)} ISTDs and the table does not say which one each "
                            "compound uses: istd_signal left empty (assign ISTDs in the "
                            "method file)")
    return records, {"samples": len(samples)}


# ---- (c) long report (B.08) -----------------------------------------------------------------

_LONG_ALIASES = {
    "sample": ("SampleName", "Sample Name", "Name"),
    "data_file": ("DataFileName", "Data File"),
    "compound": ("Compound", "CompoundName", "Compound Name"),
    "calc": ("CalculatedConcentration", "Calc. Conc."),
    "final": ("FinalConcentration", "Final Conc."),
    "expected": ("ExpectedConcentration", "Exp. Conc."),
    "signal": ("Response", "Area", "Resp."),
    "istd_signal": ("ISTDResponse", "ISTD Resp."),
    "istd": ("ISTDCompoundName", "ISTD", "ISTDName"),
    "type": ("SampleType", "Type"),
    "level": ("Level", "LevelName"),
    "dilution": ("Dilution", "Dil."),
    "acquired": ("AcqDateTime", "Acq. Date-Time"),
    "ctype": ("CompoundType",),
    "instrument": ("InstrumentName",),
}


def _index(header: Sequence[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, int]:
    low = {h.strip().casefold(): j for j, h in reversed(list(enumerate(header)))}
    out = {}
    for key, names in aliases.items():
        for n in names:
            if n.casefold() in low:
                out[key] = low[n.casefold()]
                break
    return out


def _read_long(ctx: _Ctx, rows: list[tuple[int, list[str]]]) -> tuple[list[dict], dict]:
    preamble: dict[str, str] = {}
    h = None
    for i, (_ln, r) in enumerate(rows):
        cells = [c.strip() for c in r]
        if _LONG_COMPOUND & set(cells):
            h = i
            break
        if cells and cells[0]:
            preamble[cells[0]] = next((c for c in cells[1:] if c), "")
    if h is None:
        raise ParseError("the report has no header row with a 'Compound' column.",
                         path=ctx.path, line=rows[-1][0] if rows else 1,
                         expected="a header such as 'SampleID,CompoundID,SampleName,Compound,...'",
                         found="end of file")
    hline, header = rows[h]
    ncol = len(header)
    col = _index(header, _LONG_ALIASES)
    if "sample" not in col and "data_file" not in col:
        raise ParseError("the report header names no sample.", path=ctx.path, line=hline,
                         expected="'SampleName' or 'DataFileName'", found=",".join(header[:8]))
    outlier_cols = [(j, c.strip()) for j, c in enumerate(header) if "outlier" in c.casefold()]
    data = [(ln, r) for ln, r in rows[h + 1:] if not _blank(r)]
    for ln, r in data:
        check_width(ctx.path, ln, r, ncol)
    if ctx.decimal is None:
        ctx.decimal, rule = detect_decimal(
            (_cell(r, col.get(k)) for _, r in data for k in ("calc", "final", "signal")),
            prefer="," if ctx.delim == ";" else None)
        if rule:
            ctx.warnings.append(rule)
    if "type" not in col:
        ctx.warnings.append("the report has no sample-type column: every injection is taken "
                            "as a sample")
    if "signal" not in col:
        ctx.warnings.append("the report exports concentrations only (no response column): "
                            f"signal is empty and flagged {NO_SIGNAL!r}")
    acquired = iso_dates(ctx, [_cell(r, col.get("acquired")) for _, r in data],
                         [ln for ln, _ in data], "AcqDateTime")
    injections: dict[tuple[str, str], int] = {}
    records = []
    for (ln, r), acq in zip(data, acquired, strict=False):
        sname = _cell(r, col.get("sample"))
        dfile = _cell(r, col.get("data_file"))
        key = (_cell(r, header.index("SampleID")) if "SampleID" in header else "", dfile or sname)
        seq = injections.setdefault(key, len(injections) + 1)
        cname = _cell(r, col.get("compound"))
        if not cname:
            raise ParseError("a row has no compound name.", path=ctx.path, line=ln,
                             column=header[col["compound"]] if "compound" in col else "Compound",
                             expected="a compound name", found="")
        analyte, channel, is_istd = ctx.resolver(cname)
        is_istd = is_istd or _cell(r, col.get("ctype")).upper() == "ISTD"
        final_cell = _cell(r, col.get("final"))
        calc_cell = _cell(r, col.get("calc"))
        rep_cell = final_cell if "final" in col else calc_cell
        reported, rep_flag = ctx.num(rep_cell)
        if "signal" in col:
            sig_cell = _cell(r, col["signal"])
            signal, sig_flag = ctx.num(sig_cell)
            sig_flag = sig_flag if sig_cell else EMPTY
        else:
            signal, sig_flag = math.nan, NO_SIGNAL
        outl = [f"{name}={_cell(r, j)}" for j, name in outlier_cols
                if _cell(r, j) and _cell(r, j).upper() not in ("FALSE", "0")]
        vendor_type = _cell(r, col.get("type"))
        nominal = ctx.num(_cell(r, col.get("expected")))[0]
        dil, dflag = ctx.num(_cell(r, col.get("dilution")))
        records.append({
            "sequence": seq, "sample_id": sname or _stem(dfile),
            "sample_type": ctx.types(vendor_type, default="sample"), "vendor_type": vendor_type,
            "analyte": analyte, "channel": channel, "signal": signal, "signal_unit":
            "area" if "signal" in col else "none",
            "istd_signal": ctx.num(_cell(r, col.get("istd_signal")))[0],
            "istd_channel": _cell(r, col.get("istd")) or None,
            "nominal": nominal, "nominal_unit": ctx.conc_unit if not math.isnan(nominal) else None,
            "level": _cell(r, col.get("level")) or None,
            "dilution": dil if dflag is None and dil > 0 else math.nan,
            "acquired": acq, "reported": reported, "reported_unit": ctx.conc_unit,
            "reported_flag": join_flags(sig_flag if "signal" in col else None, rep_flag,
                                        *outl, None if "signal" in col else NO_SIGNAL),
            "source_line": str(ln), "data_file": dfile, "is_istd": is_istd, "compound": cname,
            "calc_conc": ctx.num(calc_cell)[0],
        })
    instrument = next((_cell(r, col.get("instrument")) for _, r in data
                       if _cell(r, col.get("instrument"))), "")
    version = preamble.get("Quant Batch Version", "")
    meta = {"preamble": preamble, "instrument": instrument,
            "software": f"{INFO.software} {version}".strip(),
            "conc_header": header[col["final"]] if "final" in col else ""}
    return records, meta


# ---- (d) sectioned 2013 CSV -----------------------------------------------------------------

def _read_sections(ctx: _Ctx, rows: list[tuple[int, list[str]]]) -> tuple[list[dict], dict]:
    batch: dict[str, str] = {}
    seq_table: dict[str, tuple[int, dict[str, str]]] = {}
    records: list[dict] = []
    i, n = 0, len(rows)
    section = ""
    while i < n:
        ln, r = rows[i]
        first = r[0].strip() if r else ""
        if first in ("Batch Info", "Sequence Table", "Quantitation Results"):
            section = first
            if first == "Sequence Table":
                i += 1
                if i >= n:
                    raise ParseError("the Sequence Table has no header.", path=ctx.path,
                                     line=ln, expected="'Data File,Sample Name,...'",
                                     found="end of file")
                hdr = [c.strip() for c in rows[i][1]]
                i += 1
                while i < n and not _blank(rows[i][1]):
                    sln, sr = rows[i]
                    d = dict(zip(hdr, (c.strip() for c in sr), strict=False))
                    seq_table.setdefault(d.get("Data File", ""), (len(seq_table) + 1, d))
                    i += 1
                continue
            if first == "Batch Info":
                batch["Batch Info"] = ",".join(c for c in r[1:] if c.strip())
            i += 1
            continue
        if first == "Target Compound":
            cname = r[1].strip() if len(r) > 1 else ""
            i += 1
            if i >= n:
                raise ParseError("a Target Compound block has no header.", path=ctx.path,
                                 line=ln, expected="'Data File,Compound,ISTD,Resp,...'",
                                 found="end of file")
            hl, hdr_raw = rows[i]
            hdr = [c.strip() for c in hdr_raw]
            if "Data File" not in hdr or "Resp" not in hdr:
                raise ParseError("the Target Compound block header lacks 'Data File' or 'Resp'.",
                                 path=ctx.path, line=hl, column=1,
                                 expected="'Data File,Compound,ISTD,Resp,ISTD Resp,...'",
                                 found=",".join(hdr[:6]))
            i += 1
            while i < n and not _blank(rows[i][1]) and rows[i][1][0].strip() != "Target Compound":
                bl, br = rows[i]
                check_width(ctx.path, bl, br, len(hdr))
                d = dict(zip(hdr, (c.strip() for c in br), strict=False))
                records.append(_section_record(ctx, cname, d, seq_table, bl))
                i += 1
            continue
        if section == "Batch Info" and first:
            cells = [c.strip() for c in r]
            for k in range(0, len(cells) - 1, 2):
                if cells[k]:
                    batch[cells[k]] = cells[k + 1]
        i += 1
    return records, {"batch_info": batch}


def _section_record(ctx: _Ctx, cname: str, d: dict[str, str],
                    seq_table: dict[str, tuple[int, dict[str, str]]], line: int) -> dict:
    dfile = d.get("Data File", "")
    seq, info = seq_table.get(dfile, (None, {}))
    if seq is None:
        seq = len(seq_table) + 1
        seq_table[dfile] = (seq, {})
        ctx.warnings.append(f"data file {dfile!r} (line {line}) is not in the Sequence Table")
    label = d.get("Compound") or cname
    analyte, channel, is_istd = ctx.resolver(label)
    resp_cell = d.get("Resp", "")
    signal, sflag = ctx.num(resp_cell)
    reported, rflag = ctx.num(d.get("Final Conc", ""))
    nominal = ctx.num(d.get("Exp Conc", ""))[0]
    vendor_type = info.get("Sample Type", "")
    istd = d.get("ISTD", "")
    return {
        "sequence": seq, "sample_id": info.get("Sample Name") or _stem(dfile),
        "sample_type": ctx.types(vendor_type, default="sample"), "vendor_type": vendor_type,
        "analyte": analyte, "channel": channel, "signal": signal, "signal_unit": "area",
        "istd_signal": ctx.num(d.get("ISTD Resp", ""))[0], "istd_channel": istd or None,
        "nominal": nominal, "nominal_unit": ctx.conc_unit if not math.isnan(nominal) else None,
        "level": info.get("Level") or None, "reported": reported,
        "reported_unit": ctx.conc_unit,
        "reported_flag": join_flags(sflag if resp_cell else EMPTY, rflag),
        "source_line": str(line), "data_file": dfile, "is_istd": is_istd, "compound": label,
    }
