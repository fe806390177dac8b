"""Skyline report exports (CSV or TSV), long format: one row per replicate x transition
(or x precursor / x molecule, depending on the report template).

Layout (``../shared/fixtures/EXPORTS.md`` section 3.11): a header row with Skyline's column
names (``Molecule Name``/``Peptide``, ``Replicate Name``, ``Precursor Mz``, ``Product Mz``,
``Area``/``Total Area``, ``Retention Time`` ...) then rows. Skyline writes the report with
the Windows culture of the PC: ``,`` separator and ``.`` decimals in English, ``;`` separator and
``,`` decimals in most European cultures (both are read; ``decimal=`` forces it); missing values
are ``#N/A``.

Choices

- ``analyte`` = ``Molecule Name`` (small molecules) or the peptide sequence; ``channel`` =
  ``<Precursor Mz> > <Product Mz>`` for transition rows, else the precursor m/z.
- ``signal`` = ``Area`` (transition), else ``Total Area``; ``signal_unit`` ``"area"``.
- ``sample_id`` = ``Replicate Name``; ``sample_type`` from the replicate's ``Sample Type``
  annotation (``Unknown``, ``Standard``, ``Quality Control``, ``Solvent``, ``Blank``,
  ``Double Blank``); ``nominal`` = ``Analyte Concentration``; ``reported`` =
  ``Calculated Concentration``; ``dilution`` = ``Dilution Factor`` when present.
- ``#N/A`` and any non-numeric area/concentration text is kept in ``reported_flag``.
- Column names are matched without case, spaces, dots or underscores, so reports exported with
  Skyline's invariant names (``ReplicateName``, ``TotalArea``) read like display-name reports.
- ``is_istd`` is set from Skyline's ``Standard Type`` (``Internal Standard``, ``Surrogate
  Standard``), from a ``heavy`` (non-``light``) ``Isotope Label Type``, and from labelled names
  (``13C17``, ``d5``); the label type is appended to the ``channel`` of such precursors.
"""

from __future__ import annotations

import csv
import math
import re
from os import PathLike
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd

from labtox.errors import ParseError
from labtox.io._chrom import (
    EMPTY,
    ChromResolver,
    column_key,
    detect_decimal,
    fast_number,
    header_rows,
    iso_dates,
    join_flags,
)
from labtox.io._common import (
    Head,
    ReaderInfo,
    SampleTypeMapper,
    read_text,
    sniff_delimiter,
)
from labtox.run import Run

__all__ = ["INFO", "sniff", "read"]

INFO = ReaderInfo(
    name="skyline",
    vendor="MacCoss Lab (University of Washington)",
    software="Skyline",
    instruments=("LC-MS/MS", "GC-MS/MS", "LC-HRMS"),
    extensions=("csv", "tsv", "txt"),
    signature="Skyline report header ('Replicate Name' with 'Molecule Name'/'Peptide' and "
              "'Area'/'Total Area')",
    priority=62,
)

_ANALYTE = ("Molecule Name", "Molecule", "Peptide Modified Sequence", "Peptide Sequence",
            "Peptide", "Modified Sequence")
_REPLICATE = ("Replicate Name", "Replicate", "File Name", "Result File")
_SIGNAL = ("Area", "Total Area", "Total Area Fragment", "Total Area MS1")
_SKYLINE_WORDS = {"Molecule Name", "Molecule List Name", "Replicate Name", "Precursor Mz",
                  "Product Mz", "Fragment Ion", "Precursor Charge", "Product Charge",
                  "Peak Rank", "Precursor Adduct", "Product Adduct", "Peptide Modified Sequence",
                  "Protein Name", "Isotope Label Type", "Molecule Formula", "Precursor Name",
                  "Product Name", "Total Area Fragment", "Total Area MS1", "Peptide Sequence",
                  "Standard Type", "Ratio To Standard", "Molecule List", "Protein"}




_WORDS_N = {column_key(w) for w in _SKYLINE_WORDS}
_SIGNAL_N = {column_key(w) for w in _SIGNAL}
_REPLICATE_N = {column_key(w) for w in _REPLICATE}


def _header(line: str) -> tuple[list[str], str] | None:
    """The header cells and delimiter when ``line`` looks like a Skyline report header."""
    for d in (",", ";", "\t"):
        if d in line:
            try:
                cells = [c.strip().strip('"') for c in next(csv.reader([line], delimiter=d))]
            except (StopIteration, csv.Error):
                continue
            keys = {column_key(c) for c in cells}
            # a replicate column; 'File Name' alone only when no 'Compound' column says
            # TraceFinder (whose exports also carry Protein Name / Peptide Sequence)
            replicate = keys & {"replicatename", "replicate"} or (
                keys & _REPLICATE_N and "compound" not in keys)
            if len(_WORDS_N & keys) >= 2 and (replicate or (keys & _SIGNAL_N
                                                            and "compound" not in keys)):
                return cells, d
    return None


def sniff(head: Head) -> bool:
    """True when the first line is a Skyline report header (two or more Skyline column names)."""
    lines = head.lines
    return bool(lines) and _header(lines[0].lstrip("\ufeff")) is not None


def read(path: str | PathLike[str], *, dayfirst: bool | None = None,
         decimal: str | None = None, conc_unit: str | None = None, **options: Any) -> Run:
    """Read a Skyline report (CSV/TSV) into a :class:`~labtox.run.Run`.

    Parameters
    ----------
    path
        The report file.
    dayfirst
        Date style of ``Acquired Time`` when the column cannot tell.
    decimal
        ``","`` or ``"."``; detected from the numbers when ``None``.
    conc_unit
        Unit of ``Analyte Concentration``/``Calculated Concentration`` (the report names it only
        in the molecule's ``Concentration Units`` column, when exported).

    Raises
    ------
    ParseError
        Not a Skyline report, rows with a different number of cells, malformed quoting.

    References
    ----------
    MacLean B. et al. (2010) Skyline: an open source document editor for creating and analyzing
    targeted proteomics experiments. *Bioinformatics* 26(7), 966-968. Skyline "Custom Reports"
    tutorial (skyline.ms). Layout as in ``../shared/fixtures/EXPORTS.md`` 3.11.

    Examples
    --------
    >>> from labtox.io import skyline
    >>> run = skyline.read("tests/data/skyline/ocp_transitions.csv")  # doctest: +SKIP
    """
    p = Path(path)
    text, encoding = read_text(p)
    lines = text.split("\n")
    found = _header(lines[0]) if lines else None
    if found is None:
        raise ParseError("this is not a Skyline report.", path=p, line=1,
                         expected=INFO.signature, found=lines[0][:80] if lines else "")
    header, delim = found
    delim = delim if delim != "," else sniff_delimiter(lines[:20], ",;\t")
    header, rows = header_rows(text, p, delim, what="one row per replicate x transition")
    col = {column_key(h): j for j, h in reversed(list(enumerate(header)))}
    ctx = SimpleNamespace(path=p, dayfirst=dayfirst, warnings=[])

    def j(*names: str) -> int | None:
        return next((col[column_key(n)] for n in names if column_key(n) in col), None)

    ja, jr, js = j(*_ANALYTE), j(*_REPLICATE), j(*_SIGNAL)
    for idx, what, names in ((ja, "molecule", _ANALYTE), (jr, "replicate", _REPLICATE),
                             (js, "area", _SIGNAL)):
        if idx is None:
            raise ParseError(f"the Skyline report has no {what} column.", path=p, line=1,
                             expected=" or ".join(repr(n) for n in names),
                             found=",".join(header[:8]),
                             hint="Add it to the report template in Skyline and export again.")
    # m/z columns, else Skyline's precursor / product names (a report without m/z columns)
    jprec, jprod = j("Precursor Mz", "Precursor Name"), j("Product Mz", "Product Name")
    jtype, jnom, jcalc = j("Sample Type"), j("Analyte Concentration"), j(
        "Calculated Concentration")
    jdil, jacq, jrt = j("Dilution Factor"), j("Acquired Time", "Result File Acquired Time"), j(
        "Retention Time", "Peak Rt", "Best Retention Time")
    junit = j("Concentration Units", "Units")
    jfrag, jlist = j("Fragment Ion"), j("Molecule List Name", "Molecule List", "Protein Name",
                                        "Protein")
    jlabel, jstd = j("Isotope Label Type"), j("Standard Type")
    numeric = [x for x in (js, jprec, jprod, jnom, jcalc, jrt) if x is not None]
    if decimal is None:
        decimal = "."
        if delim != ",":
            decimal, note = detect_decimal((r[k] for _, r in rows[:500] for k in numeric),
                                           prefer="," if delim == ";" else None)
            if note:
                ctx.warnings.append(note)
    elif decimal not in (",", "."):
        raise ParseError("the decimal option must be ',' or '.'.", path=p,
                         expected="',' or '.'", found=decimal)
    if jtype is None:
        ctx.warnings.append("the report has no 'Sample Type' column: every replicate is taken "
                            "as a sample")
    types, resolver = SampleTypeMapper(), ChromResolver()
    acq = (iso_dates(ctx, [r[jacq].strip() for _, r in rows], [ln for ln, _ in rows],
                     header[jacq]) if jacq is not None else [None] * len(rows))

    def num(r: list[str], k: int | None) -> tuple[float, str | None]:
        return fast_number(r[k], decimal) if k is not None else (math.nan, None)

    seqs: dict[str, int] = {}
    records = []
    for (line, r), acquired in zip(rows, acq, strict=True):
        name = r[ja].strip()
        rep = r[jr].strip()
        if not name or not rep:
            raise ParseError("a row has no molecule or replicate name.", path=p, line=line,
                             column=header[ja] if not name else header[jr],
                             expected="a name", found="")
        analyte, channel, is_istd = resolver(name)
        label = r[jlabel].strip() if jlabel is not None else ""
        std_type = r[jstd].strip() if jstd is not None else ""
        # Skyline's own marks of an internal standard: the molecule's Standard Type, or a
        # heavy isotope label type on a precursor of the native molecule
        if re.search(r"internal standard|surrogate standard", std_type, re.I) or (
                label and label.casefold() not in ("light", "#n/a", "")):
            is_istd = True
        prec = r[jprec].strip() if jprec is not None else ""
        prod = r[jprod].strip() if jprod is not None else ""
        if decimal == ",":  # m/z written with the culture's decimal comma
            prec, prod = prec.replace(",", "."), prod.replace(",", ".")
        if prec and prod:
            channel = f"{prec} > {prod}"
        elif prec:
            channel = prec
        if label and label.casefold() not in ("light", "#n/a") and label not in channel:
            channel = f"{channel} ({label})"
        signal, sflag = num(r, js)
        reported, rflag = num(r, jcalc)
        # Analyte Concentration is the molecule's (light) level, not its labelled standard's:
        # on an ISTD row it is kept as written in 'analyte_concentration', not as a nominal
        written_nominal = num(r, jnom)[0]
        nominal = written_nominal if not is_istd else math.nan
        dil, dflag = num(r, jdil)
        unit = (r[junit].strip() if junit is not None else "") or conc_unit
        vendor_type = r[jtype].strip() if jtype is not None else ""
        records.append({
            "sequence": seqs.setdefault(rep, len(seqs) + 1), "sample_id": rep,
            "sample_type": types(vendor_type, default="sample"),
            "vendor_type": vendor_type or None, "analyte": analyte, "channel": channel,
            "signal": signal, "signal_unit": "area", "analyte_concentration": written_nominal,
            "nominal": nominal, "nominal_unit": unit if not math.isnan(nominal) else None,
            "dilution": dil if dflag is None and dil > 0 else math.nan, "acquired": acquired,
            "reported": reported, "reported_unit": unit if jcalc is not None else None,
            "reported_flag": join_flags(sflag if r[js].strip() else EMPTY, rflag),
            "source_line": str(line), "is_istd": is_istd, "compound": name,
            "retention_time": num(r, jrt)[0],
            "fragment_ion": r[jfrag].strip() if jfrag is not None else None,
            "molecule_list": r[jlist].strip() if jlist is not None else None,
            "isotope_label": label or None, "standard_type": std_type or None,
        })
    df = pd.DataFrame.from_records(records)
    dup = df.duplicated(["sample_id", "analyte", "channel", "is_istd"], keep=False)
    if dup.any():
        ctx.warnings.append(
            f"{int(dup.sum())} row(s) share replicate, molecule and channel with another row "
            "(add Precursor Mz / Product Mz or Fragment Ion to the report to tell them apart); "
            "all are kept, see 'fragment_ion'")
    return Run.from_path(df, p, INFO.name, software=INFO.software,
                         acquired=next((a for a in acq if a), ""),
                         warnings=ctx.warnings + types.warnings() + resolver.warnings(),
                         encoding=encoding, delimiter=delim, decimal=decimal,
                         signal_column=header[js],
                         columns=[h for h in header if h and not re.match(r"^\s*$", h)])
