"""Waters MassLynx / TargetLynx "Quantify" summary reports (TXT, TAB-separated, usually cp1252).

Two layouts are read (``../shared/fixtures/EXPORTS.md`` section 3.6 a, b):

(a) **Quantify Compound Summary Report**: ``Compound N:  <name>`` blocks (two spaces after the
    colon), a header starting with a TAB (``<TAB>Name<TAB>Inj. Vol<TAB>Acq.Date ...``; the
    columns are user-configurable, up to ~210), rows ``<#><TAB><sample name><TAB>...``;
(b) **Quantify Sample Summary Report**: ``Sample Name: <name>   Sample ID: <id>`` blocks, a
    header ``<TAB>#<TAB>Name<TAB>Trace<TAB>RT<TAB>Area<TAB>IS Area ...``, one row per compound.

Choices

- ``signal`` = ``Area`` (else ``Response``, else ``Height``: the columns are the user's
  choice; a report with concentrations only gets an empty signal flagged
  ``"(no response exported)"``); ``istd_signal`` = ``IS Area``; ``channel`` = ``Trace`` (``280``,
  ``311 > 267``) when exported, else the compound name.
- ``reported`` = ``Conc.``. When the report has no ``Conc.`` column but a column whose title is
  a concentration unit (MassLynx titles the column with the method's unit, e.g. ``uM``), that
  column is used and its title becomes ``reported_unit``.
- ``nominal`` = ``Std. Conc`` on standards and QC samples; ``Type`` (``Analyte``, ``Standard``,
  ``QC``, ``Blank``) gives the sample type; an empty ``Type`` is taken as a sample, with a
  warning counting such injections.
- ``Acq.Date`` + ``Acq.Time`` give ``acquired`` (``07-Jan-20``, and localised month names
  such as ``17-sept-19``).
- Peak integration flags (``Detection Flags`` / ``Primary Flags``: ``bb``, ``MM`` ...) go to the
  extra column ``peak_flags``; non-numeric area or concentration text goes to
  ``reported_flag``; an empty area is flagged ``"(empty)"``.
"""

from __future__ import annotations

import math
import re
from functools import cache
from os import PathLike
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd

from labtox.errors import ParseError
from labtox.io._chrom import EMPTY, ChromResolver, fast_number, iso_dates, join_flags
from labtox.io._common import Head, ReaderInfo, SampleTypeMapper, read_text
from labtox.run import Run

__all__ = ["INFO", "sniff", "read"]

INFO = ReaderInfo(
    name="masslynx",
    vendor="Waters",
    software="MassLynx / TargetLynx (Quantify)",
    instruments=("LC-MS/MS", "GC-MS/MS", "UPLC-MS"),
    extensions=("txt",),
    signature="'Quantify Compound Summary Report' / 'Quantify Sample Summary Report' text, or "
              "'Compound N:  <name>' blocks",
    priority=65,
)

_TITLE = re.compile(r"^Quantify (Compound|Sample) Summary Report")
_COMPOUND = re.compile(r"^Compound\s+(\d+):\s+(.*?)\s*$")
_SAMPLE = re.compile(r"^Sample Name:\s*(?P<name>.*?)\s+Sample ID:\s*(?P<id>.*?)\s*$"
                     r"|^Sample Name:\s*(?P<name2>.*?)\s*$")
NO_SIGNAL = "(no response exported)"
"""Flag written when the report carries concentrations only (no Area/Response/Height column)."""
_NOMINAL_TYPES = {"calibration", "calibration_blank", "qc", "ccv", "icv", "spike"}
_KNOWN = {"Name", "#", "Trace", "Type", "Std. Conc", "RT", "Area", "IS Area", "Response", "Conc.",
          "%Dev", "S/N", "Vial", "Height", "Height/Area", "Acq.Date", "Acq.Time", "Inj. Vol",
          "ID", "Detection Flags", "Primary Flags", "Mod.Date", "Mod.Time", "LOD", "LOQ", "a",
          "b", "RRF", "%Rec"}


def _strip(line: str) -> str:
    return line.rstrip("\t ").rstrip("\r")


def _layout(lines: list[str]) -> str | None:
    head = [_strip(ln) for ln in lines[:30] if _strip(ln)]
    if not head:
        return None
    m = _TITLE.match(head[0])
    if m:
        return m.group(1).lower()
    if any(_COMPOUND.match(ln) for ln in head[:6]) and any(
            ln.startswith("\tName\t") for ln in lines[:30]):
        return "compound"
    return None


def sniff(head: Head) -> bool:
    """True for MassLynx Quantify compound/sample summary reports."""
    return bool(head.text) and _layout(head.lines) is not None


@cache
def _unit_title(title: str) -> str | None:
    """The normalised unit when a column title is a concentration unit (``uM``, ``ng/mL``)."""
    t = title.strip()
    if not t or t in _KNOWN or not re.fullmatch(r"[A-Za-zµμ/%0-9.\s]+", t):
        return None
    try:
        from labtox.units import normalise_unit, ureg

        q = ureg(normalise_unit(t))
        dims = dict(q.dimensionality)
    except Exception:  # pint raises many kinds; a title that is not a unit is simply not one
        return None
    ok = ({"[substance]": 1, "[length]": -3}, {"[mass]": 1, "[length]": -3},
          {"[substance]": 1, "[mass]": -1})
    mass_fraction = re.fullmatch(r"[pnuµμm]?g\s*/\s*[pnuµμmk]?g", t) is not None
    if dims in ok or (dims == {} and (t.lower() in ("ppm", "ppb", "ppt") or mass_fraction)):
        return normalise_unit(t)
    return None


def read(path: str | PathLike[str], *, dayfirst: bool | None = None,
         conc_unit: str | None = None, **options: Any) -> Run:
    """Read a MassLynx Quantify summary report into a :class:`~labtox.run.Run`.

    Parameters
    ----------
    path
        The TXT report.
    dayfirst
        Date style for numeric dates (MassLynx normally writes ``07-Jan-20``).
    conc_unit
        Unit of ``Conc.``/``Std. Conc`` when the report does not name it.

    Raises
    ------
    ParseError
        Not a Quantify report, rows before any block header, truncated rows; with line,
        column, expectation and what was found.

    References
    ----------
    Waters, *MassLynx 4.1 TargetLynx Application Manager User's Guide* (71500103103),
    "Quantify summary reports". Layout as in ``../shared/fixtures/EXPORTS.md`` 3.6.

    Examples
    --------
    >>> from labtox.io import masslynx
    >>> run = masslynx.read("tests/data/masslynx/afm1_compound_summary.txt")  # doctest: +SKIP
    """
    p = Path(path)
    text, encoding = read_text(p)
    lines = text.split("\n")
    layout = _layout(lines)
    if layout is None:
        raise ParseError("this is not a MassLynx Quantify summary report.", path=p, line=1,
                         expected=INFO.signature, found=lines[0][:80] if lines else "")
    ctx = SimpleNamespace(path=p, dayfirst=dayfirst, warnings=[], types=SampleTypeMapper(),
                          resolver=ChromResolver(), conc_unit=conc_unit)
    rows, printed = _blocks(ctx, lines, layout)
    if not rows:
        raise ParseError("the report holds no result rows.", path=p, line=len(lines),
                         expected="'Compound N:' or 'Sample Name:' blocks with rows",
                         found="none")
    stamps = [f"{d} {t}".strip() for d, t in ((r["_date"], r["_time"]) for r in rows)]
    iso = iso_dates(ctx, stamps, [int(r["source_line"]) for r in rows], "Acq.Date")
    untyped = 0
    records = []
    for r, acq in zip(rows, iso, strict=True):
        vendor_type = r.pop("_type")
        if not vendor_type:
            untyped += 1
        stype = ctx.types(vendor_type, default="sample")
        if stype not in _NOMINAL_TYPES:
            r["nominal"] = math.nan
        r.pop("_date")
        r.pop("_time")
        r.update({"sample_type": stype, "vendor_type": vendor_type or None, "acquired": acq,
                  "nominal_unit": r["reported_unit"] if not math.isnan(r["nominal"]) else None})
        records.append(r)
    if untyped:
        ctx.warnings.append(f"{untyped} row(s) have an empty Type (or no Type column): taken as "
                            "samples")
    df = pd.DataFrame.from_records(records)
    iso_printed = iso_dates(ctx, [printed], [0], "Printed")[0] if printed else ""
    return Run.from_path(df, p, INFO.name, software=INFO.software,
                         acquired=next((a for a in iso if a), ""),
                         warnings=ctx.warnings + ctx.types.warnings() + ctx.resolver.warnings(),
                         layout=layout, encoding=encoding, printed=iso_printed or printed)


def _blocks(ctx: SimpleNamespace, lines: list[str], layout: str) -> tuple[list[dict], str]:
    rows: list[dict] = []
    printed = ""
    block: dict[str, str] | None = None
    header: list[str] | None = None
    col: dict[str, int] = {}
    seqs: dict[str, int] = {}
    for idx, raw in enumerate(lines):
        ln = _strip(raw)
        lineno = idx + 1
        if not ln.strip():
            continue
        if _TITLE.match(ln):
            continue
        if ln.startswith("Printed "):
            printed = ln[len("Printed "):].strip()
            continue
        m = _COMPOUND.match(ln)
        if m:
            block, header = {"compound": m.group(2)}, None
            continue
        m = _SAMPLE.match(ln)
        if m:
            name = (m.group("name") if m.group("name") is not None else m.group("name2")).strip()
            sid = (m.group("id") or "").strip()
            block, header = {"sample": name, "sample_id": sid or name}, None
            seqs.setdefault(name, len(seqs) + 1)
            continue
        cells = raw.rstrip("\r").split("\t")
        if block is None:
            raise ParseError("a table row comes before any 'Compound N:' or 'Sample Name:' line.",
                             path=ctx.path, line=lineno, column=1,
                             expected="a block header", found=ln[:60])
        if header is None:
            if cells[0].strip() not in ("", "#", "No.", "Nr."):
                raise ParseError("the block has no column header.", path=ctx.path, line=lineno,
                                 column=1, expected="a header line starting with a TAB",
                                 found=ln[:60])
            header = [c.strip() for c in cells]
            col = {h: j for j, h in reversed(list(enumerate(header))) if h}
            for alias, name in (("Std. Conc.", "Std. Conc"), ("Std.Conc", "Std. Conc"),
                                ("Conc", "Conc."), ("Sample Text", "ID")):
                if alias in col and name not in col:
                    col[name] = col[alias]
            signal = next((f for f in ("Area", "Response", "Height") if f in col), None)
            block["_signal"] = signal
            conc_col, unit = col.get("Conc."), ctx.conc_unit
            if conc_col is None:
                for j, h in enumerate(header):
                    u = _unit_title(h)
                    if u:
                        conc_col, unit = j, u
                        break
            if "Name" not in col or (signal is None and conc_col is None):
                raise ParseError("the block header lacks 'Name' or a response column.",
                                 path=ctx.path, line=lineno,
                                 expected="a header with Name and Area (or Response, Height, "
                                          "Conc.) columns",
                                 found="\t".join(header[:8]))
            block["_conc"], block["_unit"] = conc_col, unit
            continue
        need = max(col.values()) + 1  # real rows fill every titled column
        if len(cells) < need:
            raise ParseError("the row is shorter than its header (truncated file?).",
                             path=ctx.path, line=lineno, column=len(cells) + 1,
                             expected=f"at least {need} cells", found=f"{len(cells)} cells")
        rows.append(_record(ctx, block, col, cells, lineno, layout, seqs))
    return rows, printed


def _record(ctx: SimpleNamespace, block: dict, col: dict[str, int], cells: list[str],
            lineno: int, layout: str, seqs: dict[str, int]) -> dict:
    def get(name: str) -> str:
        j = col.get(name)
        return cells[j].strip() if j is not None and j < len(cells) else ""

    conc_j = block.get("_conc")
    conc_cell = cells[conc_j].strip() if conc_j is not None and conc_j < len(cells) else ""
    if "compound" in block:  # a compound block (the report kind can change mid-file)
        compound, sample = block["compound"], get("Name")
        sample_id = get("ID") or sample
        first = cells[0].strip()
        seq = int(first) if first.isdigit() else seqs.setdefault(sample, len(seqs) + 1)
    else:
        compound, sample = get("Name"), block["sample"]
        sample_id = block["sample_id"]
        seq = seqs[sample]
    if not compound or not sample:
        raise ParseError("a row has no name.", path=ctx.path, line=lineno, column="Name",
                         expected="a sample or compound name", found="")
    analyte, channel, is_istd = ctx.resolver(compound)
    sig_field = block.get("_signal")
    area_cell = get(sig_field) if sig_field else ""
    signal, sflag = fast_number(area_cell)
    if sig_field is None:
        sflag = NO_SIGNAL
    elif not area_cell:
        sflag = EMPTY
    reported, rflag = fast_number(conc_cell)
    return {
        "sequence": seq, "sample_id": sample_id, "analyte": analyte,
        "channel": get("Trace") or channel, "signal": signal,
        "signal_unit": {"Height": "height", "Response": "response", None: "none"}.get(
            sig_field, "area"),
        "istd_signal": fast_number(get("IS Area"))[0],
        "nominal": fast_number(get("Std. Conc"))[0],
        "reported": reported, "reported_unit": block.get("_unit"),
        "reported_flag": join_flags(sflag, rflag),
        "source_line": str(lineno), "data_file": sample, "is_istd": is_istd,
        "compound": compound,
        "retention_time": fast_number(get("RT"))[0],
        "peak_flags": get("Detection Flags") or get("Primary Flags") or None,
        "_type": get("Type"), "_date": get("Acq.Date"), "_time": get("Acq.Time"),
    }
