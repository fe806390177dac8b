"""Thermo Scientific Qtegra ISDS data export ("samples in rows"), ICP-MS and ICP-OES.

Layout (``../shared/fixtures/EXPORTS.md`` §2.4, checked against real exports): UTF-8 with or
without BOM, separator ``;`` or TAB (even in files named ``.csv``), then **four header rows**
whose first two cells are empty:

1. result attribute: ``Raw.Average``, ``Raw.STD``, ``Raw.RSD``, ``ExtCal.Average``,
   ``ExtCal.STD``, ``ExtCal.StandardConcentration``, ``ISCorrectedIntensity.Average``,
   ``MeasuredConcentration.Average``, ``Raw.Survey.*``, ``ExtCal.Survey.Concentration.*``,
   ``ExtCal.QC.RecoveryPercentage``, ``ExtCal.QC.ReferenceAmount`` ...;
2. run index (``0``; ``0/1/2`` for per-replicate columns; ``Calibration Test``);
3. analyte: ICP-MS ``52Cr (KED)``; ICP-OES ``Be 234.861 {144} (Radial)``;
4. unit: ``Y (cps)``, ``Y (%)``, ``Y (ppb)``, ``Y (ppm)``.

Exports with more attributes ticked also carry undotted ones (``ISCorrectedIntensity``,
``BlankCorrectedIntensity``, ``MeasuredConcentration`` per run, ``MainRuns``); a bare ``Y``
unit marks a dimensionless attribute; ``MainRuns`` columns whose unit cells are scan points
(``X[0] (Wavelength)``, ``Y[0]``, ``Time[0]``) are spectra, kept long in
``metadata['spectra']`` (the run says how many). Columns with no header cells but values are
kept as text (``column_<n>``), and so are cells past the last header column.

Columns whose four header cells are all ``|`` separate attribute groups and are skipped.
Data rows are ``<sample #>;<label>;values...``. The separator may also be ``,`` (English
Windows list separator) and decimals may be commas (``;``-separated exports); cells may be
quoted; encodings and line ends are those of :func:`labtox.io._common.decode_bytes`.

The same export written **"samples in columns"** (the other orientation of Qtegra's export
dialog) is read too: two rows of sample number and label after four empty cells, then one
row per attribute × analyte (``Raw.Average, 0, 52Cr (KED), Y (cps), values...``); it is
transposed to the layout above and a sample's ``source_line`` is its column (``C5``).

Mapping (one row per sample × channel): ``signal`` = ``Raw.Average`` (``signal_unit`` from
row 4), ``reported`` = ``ExtCal.Average`` or ``MeasuredConcentration.Average``,
``nominal`` = ``ExtCal.StandardConcentration``. Survey-scan attributes (``*.Survey.*``) give
their own channels, suffixed ``survey``. Every other attribute becomes an extra column named
after it (``Raw.STD``, ``Raw.RSD``, ``ISCorrectedIntensity.Average``,
``ExtCal.QC.RecoveryPercentage`` ...; per-replicate columns as ``Raw.Intensity[1]``).

**Sample types.** Qtegra exports have no sample-type column, so the type comes from the
label, by this rule: the whole label, else each of its words (split at spaces, ``-``, ``_``;
trailing numbers stripped, so ``STD0.05`` → ``STD``, ``CAN17-00180-DUP`` → ``DUP``) is looked
up in labtox's vendor-word vocabulary (``labtox/data/sample_types.csv``); the first word found
gives the type. A row with an ``ExtCal.StandardConcentration`` value is a calibration
standard (the software used it as one) — a calibration blank when its label is a blank word. **Labels with no type word are samples** (``930ppb``,
``USP 1-1``, ``0.1``); the run's warnings list them, so a reviewer can see which labels were
typed by that default.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from labtox.errors import ParseError
from labtox.io._common import HEAD_BYTES, AnalyteResolver, Head, ReaderInfo
from labtox.io._tables import (
    Table,
    csv_table,
    detect_decimal,
    label_sample_type,
    unit_of,
    vector_numbers,
)
from labtox.run import Run

__all__ = ["INFO", "sniff", "read", "label_sample_type"]

INFO = ReaderInfo(
    name="qtegra",
    vendor="Thermo Fisher Scientific",
    software="Qtegra ISDS",
    instruments=("ICP-MS", "ICP-OES"),
    extensions=("csv", "tsv", "txt"),
    signature="four header rows (attribute such as Raw.Average / run index / analyte / "
    "'Y (unit)') with two empty leading cells",
    priority=55,
)

# result attributes are dotted identifiers (Raw.Average, ExtCal.QC.RecoveryPercentage ...)
_ATTR = re.compile(r"^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9()%/ -]+)+$")
# undotted attributes of exports with every attribute ticked (ISCorrectedIntensity,
# MeasuredConcentration, StandardConcentrationRelativeDifference, MainRuns ...)
_WORD_ATTR = re.compile(r"^[A-Z][A-Za-z0-9]+$")
# units of the scan points of MainRuns columns: 'X[0] (Wavelength)', 'Y[3]', 'Time[12]'
_SCAN_UNIT = re.compile(r"^\s*[A-Za-z]+\[\d+\](?:\s*\([^)]*\))?\s*$")


def _attr_row(attrs: Sequence[str]) -> bool:
    """Cells of an attribute row: dotted attributes (at least one) and CamelCase words."""
    return bool(attrs) and any(_ATTR.match(a) for a in attrs) and \
        all(_ATTR.match(a) or _WORD_ATTR.match(a) for a in attrs)
_INTENSITY_UNITS = {"cps", "c/s", "counts"}
# Y (cps), Y [ppb]; a bare Y for dimensionless attributes (ExtCal.ParameterA, ...)
_UNIT = re.compile(r"^\s*[A-Za-z]\s*(?:[(\[](?P<u>[^)\]]*)[)\]])?\s*$")




def _header_start(rows: Sequence[Sequence[str]]) -> int | None:
    for i in range(min(len(rows) - 3, 20)):
        r = rows[i]
        if len(r) < 3 or any(c.strip() for c in r[:2]):
            continue
        attrs = [c.strip() for c in r[2:] if c.strip() and c.strip() != "|"]
        if _attr_row(attrs):
            units = [c.strip() for c in rows[i + 3][2:] if c.strip() and c.strip() != "|"]
            if units and any(_UNIT.match(u) for u in units[:50]) and \
                    all(_UNIT.match(u) or _SCAN_UNIT.match(u) for u in units[:50]):
                return i
    return None


def _columns_start(rows: Sequence[Sequence[str]]) -> int | None:
    """Index of the first of the two sample rows of a "samples in columns" export (sample
    number/name, then label, both after four empty cells; below them one row per
    attribute × analyte: ``attribute, run, analyte, 'Y (unit)', values...``), else ``None``."""
    for i in range(min(len(rows) - 2, 20)):
        a, b = rows[i], rows[i + 1]
        if len(a) < 5 or len(b) < 5 or any(c.strip() for c in a[:4]) \
                or any(c.strip() for c in b[:4]) or not any(c.strip() for c in a[4:]):
            continue
        below = [r for r in rows[i + 2: i + 40] if any(c.strip() for c in r)]
        ok = [len(r) >= 4 and bool(_ATTR.match(r[0].strip())) and bool(_UNIT.match(r[3]))
              for r in below[:30]]
        if ok and ok[0] and sum(ok) * 2 > len(ok):  # a cut last row is the reader's to report
            return i
    return None


def _split_head(lines: Sequence[str], d: str) -> list[list[str]]:
    try:
        return list(csv.reader(lines, delimiter=d))
    except csv.Error:
        return [ln.split(d) for ln in lines]


def sniff(head: Head) -> bool:
    """True when the head has Qtegra's four-row header, in rows or in columns (see module
    docstring)."""
    if not head.text:
        return False
    lines = head.lines[:44]
    for d in (";", "\t", ","):
        rows = _split_head(lines, d)
        if _header_start(rows) is not None or _columns_start(rows) is not None:
            return True
    # a wide export whose four header rows do not fit in the head: the complete first row
    # alone must be an attribute row (two empty cells, then dotted attribute names)
    if len(head.raw) >= HEAD_BYTES and len(lines) >= 2:
        for d in (";", "\t", ","):
            first = _split_head(lines[:1], d)[0]
            attrs = [c.strip() for c in first[2:] if c.strip() and c.strip() != "|"]
            if len(first) > 3 and not any(c.strip() for c in first[:2]) and len(attrs) >= 3 \
                    and _attr_row(attrs):
                return True
    return False


def _transpose(t: Table, c: int) -> Table:
    """A "samples in columns" table turned into the "samples in rows" layout: four header
    rows (attribute, run, analyte, unit) and one row per sample column. A sample's
    ``source_line`` is ``C<column>`` (its values run down that column, one line per
    attribute × analyte, from the line of its sample number)."""
    rows = t.rows
    data = [k for k in range(c + 2, len(rows)) if any(x.strip() for x in rows[k])]
    for k in data:
        if len(rows[k]) < 4:
            raise ParseError("the attribute row is shorter than its four leading cells: the "
                             "file looks truncated or malformed.", path=None, line=t.lines[k],
                             column=len(rows[k]) + 1,
                             expected="attribute, run, analyte, 'Y (unit)', values",
                             found=f"{len(rows[k])} cells")
    width = max(len(rows[c]), len(rows[c + 1]), *(len(rows[k]) for k in data))

    def cell(k: int, j: int) -> str:
        return rows[k][j] if j < len(rows[k]) else ""

    head = [["", ""] + [cell(k, q) for k in data] for q in range(4)]
    samples = [j for j in range(4, width)
               if cell(c, j).strip() or cell(c + 1, j).strip()
               or any(cell(k, j).strip() for k in data)]
    body = [[cell(c, j), cell(c + 1, j)] + [cell(k, j) for k in data] for j in samples]
    hl = t.lines[data[0]] if data else t.lines[c]
    return Table(head + body, [str(hl)] * 4 + [f"C{j + 1}" for j in samples],
                 [hl] * 4 + [t.lines[c]] * len(samples), encoding=t.encoding,
                 delimiter=t.delimiter, meta={"orientation": "samples in columns"})


def read(path: str | PathLike[str], *, delimiter: str | None = None) -> Run:
    """Read a Qtegra ISDS "samples in rows" export into a :class:`~labtox.run.Run`.

    Parameters
    ----------
    path
        The export (``;``- or TAB-separated; UTF-8 with or without BOM).
    delimiter
        Separator; sniffed when ``None``.

    Raises
    ------
    ParseError
        Missing or incomplete four-row header; truncated rows; the time-resolved
        (LA-ICP-MS, ``MainRuns``) variant, which holds no quantitative results.

    References
    ----------
    Thermo Fisher Scientific, *Qtegra Intelligent Scientific Data Solution (ISDS) Software*,
    data export ("samples in rows"); layout from real exports in
    ``../shared/fixtures/EXPORTS.md`` §2.4.

    Examples
    --------
    >>> from pathlib import Path
    >>> import labtox
    >>> from labtox.io import qtegra
    >>> path = Path(labtox.__file__).parents[1] / "tests" / "data" / "qtegra" / "icpms_semicolon.csv"
    >>> run = qtegra.read(path)
    >>> m = run.measurements
    >>> print(m.loc[0, "sample_id"], m.loc[0, "channel"], m.loc[0, "signal"])
    BLANK 111Cd [KED] 35.2
    """
    p = Path(path)
    t = csv_table(p, delimiter, ";\t,")
    h = _header_start(t.rows)
    orientation = "samples in rows"
    if h is None and (c := _columns_start(t.rows)) is not None:
        try:
            t = _transpose(t, c)
        except ParseError as exc:
            raise ParseError(exc.message, path=p, line=exc.line, column=exc.column,
                             expected=exc.expected, found=exc.found) from None
        h, orientation = 0, "samples in columns"
    rows = t.rows
    if h is None:
        first = next((r for r in rows if any(c.strip() for c in r)), [])
        found = (t.delimiter or ";").join(first)[:80] if first else "an empty file"
        if any("MainRuns" in c for r in rows[:6] for c in r):
            raise ParseError("this is a time-resolved (MainRuns) Qtegra export, not a "
                             "quantitative one.", path=p, line=1,
                             expected="the 'samples in rows' export with Raw.Average / "
                             "ExtCal.Average attributes", found=found)
        raise ParseError("no Qtegra four-row header was found.", path=p,
                         line=t.lines[0] if t.lines else 1,
                         expected="four header rows: attribute (Raw.Average ...), run index, "
                         "analyte, unit 'Y (cps)'", found=found)
    attrs, runs, labels, units = (rows[h + k] for k in range(4))
    width = max(len(attrs), len(runs), len(labels), len(units))
    for k, r in enumerate((attrs, runs, labels, units)):
        if len(r) < width:
            raise ParseError("the four header rows have different lengths.", path=p,
                             line=t.lines[h + k], column=len(r) + 1,
                             expected=f"{width} cells", found=f"{len(r)} cells")
    warnings: list[str] = []

    # columns -> (channel key, attribute)
    resolver = AnalyteResolver()
    untitled: list[int] = []  # columns without header cells: kept as text if they hold data
    scans: list[tuple[int, str, str, str, str]] = []  # MainRuns scan points (column, label ...)
    chans: dict[tuple[str, bool], dict[str, tuple[int, str | None]]] = {}
    for j in range(2, width):
        a = attrs[j].strip()
        lab = labels[j].strip()
        if a == "|" or (not a and not lab):
            if a != "|" and not units[j].strip() and not runs[j].strip():
                untitled.append(j)
            continue
        if not lab:
            raise ParseError("a value column has no analyte in the third header row.", path=p,
                             line=t.lines[h + 2], column=j + 1,
                             expected="an analyte such as '52Cr (KED)'", found="an empty cell")
        if _SCAN_UNIT.match(units[j]):  # a point of a MainRuns scan, not a result
            scans.append((j, lab, a, runs[j].strip(), units[j].strip()))
            continue
        survey = ".Survey." in a or a.startswith("Survey.")
        attr = a.replace(".Survey.", ".")
        run = runs[j].strip()
        if run not in ("", "0") and run.isdigit():
            attr = f"{attr}[{run}]"
        mu = _UNIT.match(units[j])
        unit = unit_of(mu.group("u")) if mu else (units[j].strip() or None)
        d = chans.setdefault((lab, survey), {})
        if attr in d:
            attr = f"{attr}[{run or len(d)}]"
        d[attr] = (j, unit)

    # attributes of a label with no intensity/concentration of its own (e.g. QC recoveries
    # next to a survey scan) join that label's survey channel
    _main = ("Raw.Average", "Raw.Intensity", "ISCorrectedIntensity.Average", "ExtCal.Average",
             "MeasuredConcentration.Average", "ExtCal.Concentration.Average",
             "ExtCal.Concentration")
    for (lab, survey), d in list(chans.items()):
        if not survey and not any(k in d for k in _main) and (lab, True) in chans:
            for key, v in d.items():
                chans[(lab, True)].setdefault(key, v)
            del chans[(lab, False)]

    body = [i for i in range(h + 4, len(rows)) if any(c.strip() for c in rows[i])]
    if not body:
        raise ParseError("the export has a header but no sample rows.", path=p,
                         line=t.lines[h + 3] + 1, expected="at least one sample row",
                         found="end of file")
    grid = []
    beyond: list[int | None] = []  # rows with values past the header
    for i in body:
        r = rows[i]
        if len(r) < width:
            raise ParseError(
                "the row is shorter than the header: the file looks truncated or malformed.",
                path=p, line=t.lines[i], column=len(r) + 1,
                expected=f"{width} cells as in the header (line {t.lines[h]})",
                found=f"{len(r)} cells")
        grid.append(r)
        if any(c.strip() not in ("", "|") for c in r[width:]):
            beyond.append(t.lines[i])
    # cells past the last header column are kept, like untitled columns, as column_<n> text
    full = max(len(r) for r in grid) if beyond else width
    grid = [r[:full] + [""] * (full - len(r)) if len(r) != full else r for r in grid]
    g = np.empty((len(grid), full), dtype=object)
    g[:] = grid
    past = [j for j in range(width, full) if any(c.strip() and c.strip() != "|" for c in g[:, j])]
    if beyond:
        warnings.append(f"{len(beyond)} row(s) have values in cells past the last "
                        f"header column (first: line {beyond[0]}); kept as text in "
                        f"{', '.join(f'column_{j + 1}' for j in past)}")
    n = len(body)
    lines = [t.where[i] for i in body]
    labels_col = [c.strip() for c in g[:, 1]]
    seq_vals, seq_flags = vector_numbers(g[:, 0])

    decimal = detect_decimal(g[:, 2:width].ravel().tolist(), t.delimiter)
    vals_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def values(j: int) -> tuple[np.ndarray, np.ndarray]:
        if j not in vals_cache:
            vals_cache[j] = vector_numbers(g[:, j], decimal)
        return vals_cache[j]

    # sample types (label rule, overridden by a standard concentration)
    std_conc = np.zeros(n, dtype=bool)
    for (_lab, _s), d in chans.items():
        if "ExtCal.StandardConcentration" in d:
            v, _f = values(d["ExtCal.StandardConcentration"][0])
            std_conc |= np.isfinite(v)
    stype, vtype, defaulted = [], [], []
    for k, lab in enumerate(labels_col):
        typ, word = label_sample_type(lab)
        if std_conc[k] and typ in ("sample",):
            typ, word = "calibration", "ExtCal.StandardConcentration"
        elif std_conc[k] and typ == "blank":  # a blank the software used as calibration zero
            typ, word = "calibration_blank", "ExtCal.StandardConcentration"
        stype.append(typ)
        vtype.append(word)
        if word is None:
            defaulted.append(lab)
    if defaulted:
        uniq = list(dict.fromkeys(defaulted))
        warnings.append(
            f"Qtegra has no sample-type column: {len(defaulted)} row(s) whose label has no "
            f"sample-type word are typed 'sample' ({', '.join(repr(u) for u in uniq[:8])}"
            f"{' ...' if len(uniq) > 8 else ''})")

    frames = []
    unplaced: list[dict] = []
    extra_names: list[str] = []
    # two labels resolving to one channel (e.g. iCAP TQ '75As | 75As.16O (TQ-O2)' and
    # '75As | 75As (TQ-H2)' both -> '75As') would merge measurements: keep the labels instead
    by_channel: dict[str, set[str]] = {}
    for lab, _s in chans:
        by_channel.setdefault(resolver(lab)[1], set()).add(lab)
    clashing = {lab for labs in by_channel.values() if len(labs) > 1 for lab in labs}
    if clashing:
        warnings.append(f"{len(clashing)} analyte label(s) resolve to the same channel "
                        f"({', '.join(sorted(clashing)[:6])}); their channel is the label "
                        "as written")
    for (lab, survey), d in chans.items():
        analyte, channel, is_istd = resolver(lab)
        if lab in clashing:
            channel = re.sub(r"\s+", " ", lab).strip()
        if survey:
            channel = f"{channel} survey"
        # known attributes first; otherwise the first '.Average' in counts (signal) and the
        # first '.Average' in a concentration unit (reported)
        sig_key = next((k for k in ("Raw.Average", "Raw.Intensity", "ISCorrectedIntensity.Average")
                        if k in d), None) or next(
            (k for k, (_j, u) in d.items() if k.endswith(".Average") and u in _INTENSITY_UNITS),
            None)
        rep_key = next((k for k in ("ExtCal.Average", "MeasuredConcentration.Average",
                                    "ExtCal.Concentration.Average", "ExtCal.Concentration")
                        if k in d), None) or next(
            (k for k, (_j, u) in d.items() if k.endswith(".Average") and k != sig_key
             and u not in _INTENSITY_UNITS and u not in (None, "%")), None)
        cols: dict[str, object] = {}
        flag_parts: list[np.ndarray] = []
        if sig_key is not None:
            sv, sf = values(d[sig_key][0])
            sunit = d[sig_key][1] or "cps"
        elif rep_key is not None:
            sv, sf = values(d[rep_key][0])
            sunit = d[rep_key][1] or "unknown"
            warnings.append(f"{lab}{' survey' if survey else ''}: no intensity attribute; the "
                            "signal is the reported concentration")
        else:
            # attributes with no measurement of their own (e.g. QC recoveries of an analyte
            # outside the main list): kept, long, in the run metadata
            for key, (j, u) in d.items():
                ev, ef = values(j)
                for k in range(n):
                    if np.isfinite(ev[k]) or ef[k] is not None:
                        unplaced.append({"sample_id": labels_col[k], "label": lab,
                                         "attribute": key, "value": ev[k], "unit": u,
                                         "flag": ef[k], "source_line": lines[k]})
            continue
        if rep_key is not None:
            rv, rf = values(d[rep_key][0])
            runit = d[rep_key][1]
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
        if "ExtCal.StandardConcentration" in d:
            nv, _nf = values(d["ExtCal.StandardConcentration"][0])
            nunit = d["ExtCal.StandardConcentration"][1]
        else:
            nv, nunit = np.full(n, np.nan), None
        for key, (j, _u) in d.items():
            if key in (sig_key, rep_key, "ExtCal.StandardConcentration"):
                continue
            ev, ef = values(j)
            cols[key] = ev
            if key not in extra_names:
                extra_names.append(key)
            flag_parts.append(np.array([None if f is None else f"{key}: {f}" for f in ef],
                                       dtype=object))
        for part in flag_parts:
            has = ~pd.isna(part)
            if has.any():
                flag[has] = [p if pd.isna(f) else f"{f}; {p}" for f, p in
                             zip(flag[has], part[has], strict=True)]
        frame = pd.DataFrame({
            "sequence": np.arange(1, n + 1),
            "sample_number": seq_vals,
            "sample_id": labels_col,
            "sample_type": stype,
            "vendor_type": vtype,
            "analyte": analyte,
            "channel": channel,
            "signal": sv,
            "signal_unit": sunit,
            "reported": rv,
            "reported_unit": runit,
            "reported_flag": flag,
            "nominal": nv,
            "nominal_unit": nunit,
            "is_istd": is_istd,
            "source_line": lines,
            **cols,
        })
        frames.append(frame)
    # QC-only attributes under a label with no main channel
    if not frames:
        raise ParseError("no channel has an intensity or concentration attribute.", path=p,
                         line=t.lines[h], expected="Raw.Average or ExtCal.Average columns")
    df = pd.concat(frames, ignore_index=True).sort_values(["sequence"], kind="stable")
    df = df.reset_index(drop=True)
    kept = []
    for j in untitled + past:
        cells = np.array([c.strip() for c in g[:, j]], dtype=object)
        if any(c and c != "|" for c in cells):
            df[f"column_{j + 1}"] = [cells[q - 1] or None for q in df["sequence"]]
            if j < width:
                kept.append(j + 1)
    if kept:
        warnings.append(f"{len(kept)} column(s) without header cells hold values "
                        f"(column(s) {', '.join(map(str, kept))}); kept as text in "
                        f"{', '.join(f'column_{k}' for k in kept)}")
    empty = ~np.isfinite(df["signal"].to_numpy()) & df["reported_flag"].isna().to_numpy()
    if empty.any():
        warnings.append(f"{int(empty.sum())} sample × channel cell(s) are empty and carry no "
                        "measurement; they are not in the table")
        df = df[~empty].reset_index(drop=True)
    warnings += resolver.warnings()
    if unplaced:
        labs = sorted({u["label"] for u in unplaced})
        warnings.append(f"{len(unplaced)} value(s) of attributes without an intensity or "
                        f"concentration ({', '.join(labs[:6])}{' ...' if len(labs) > 6 else ''}) "
                        "are kept in metadata['unplaced'], not in the measurements")
    spectra = []
    for j, lab, a, run, u in scans:
        sv_, sf_ = values(j)
        for k in np.flatnonzero(np.isfinite(sv_) | ~pd.isna(sf_)):
            spectra.append({"sample_id": labels_col[k], "label": lab, "attribute": a,
                            "run": run, "point": u, "value": sv_[k], "flag": sf_[k],
                            "source_line": lines[k]})
    if spectra:
        warnings.append(f"{len(spectra)} scan point(s) of {len({s[1] for s in scans})} "
                        "channel(s) (MainRuns attributes: wavelength / intensity / time per "
                        "point) are kept in metadata['spectra'], not in the measurements")
    kind = "ICP-OES" if any(re.search(r"\d+\.\d+", lab) for lab, _ in chans) else "ICP-MS"
    if df.empty:
        raise ParseError("the file holds no measurement: every value cell is empty.", path=p,
                         expected="at least one number or flag token", found="only empty cells")
    return Run.from_path(df, p, INFO.name, instrument=kind, software="Thermo Qtegra ISDS",
                         warnings=warnings, encoding=t.encoding, delimiter=t.delimiter,
                         decimal=decimal, header_line=t.where[h], orientation=orientation,
                         unplaced=pd.DataFrame(unplaced), spectra=pd.DataFrame(spectra),
                         sample_type_rule="label words (see labtox.io.qtegra); no word -> sample")
