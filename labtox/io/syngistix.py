"""PerkinElmer Syngistix "export to Excel" workbook (NexION ICP-MS, Avio ICP-OES).

Layout (``../shared/fixtures/EXPORTS.md`` §2.5, checked against real workbooks): **one sheet
per measure** (NexION: ``Raw Intensities``, ``Net Intensities``, ``Concentrations``,
``Unfactored Concentrations``, their ``... RSDs``; Avio: ``Corrected Intensities``,
``Conc. in Calib Units``, ``Conc. in Sample Units``, their ``... RSDs``). In every sheet a
header row — ``' '`` (sequence), ``Sample Id``, ``R``, ``Acquisition Time``, [``A/S Loc``],
``QC Status``, ``Dataset File``, ``Method File``, then analytes with their unit on a second
line of the same cell (``Ag 107\\n(cps)``, ``Li 610.362\\n(mg/L)``) — is **repeated before
each block** of rows measured with another analyte list.

Mapping (one row per sequence number × analyte):

- ``signal``: ``Raw Intensities`` (NexION) or ``Corrected Intensities`` (Avio), else the
  first sheet whose name ends in ``Intensities``; ``signal_rsd`` from its ``RSDs`` sheet.
- ``reported``: ``Concentrations`` or ``Conc. in Sample Units``; ``measured`` (concentration in
  the measured solution): ``Unfactored Concentrations`` or ``Conc. in Calib Units``;
  ``reported_rsd`` from the reported sheet's ``RSDs``.
- every other measure sheet becomes an extra column named after the sheet
  (``Net Intensities``, ``Org Concentrations`` ...).
- sheets are joined on the sequence number and analyte; a sample id that differs between
  sheets for the same sequence number is reported in the warnings (the signal sheet wins).
- pseudo-rows ``Calibration Curves`` (no values) are skipped and counted in the warnings.
- tokens (``S`` — probably saturation) stay in ``reported_flag``.
- sample types come from the label words (rule of :func:`labtox.io._tables.label_sample_type`:
  no type word → sample, listed in the warnings); the export has no type column.
- ``nominal``: the ``Entered Conc.`` of the ``Calibration Curves`` sheet (Avio), matched on
  analyte and sample id, in calibration units; the curve equations are kept as written
  (decimal commas included) in ``metadata['calibration_equations']``.
- ``source_line`` is ``"<signal sheet>!R<n>"``.
- the header is found by name (``Sample Id``/``Sample ID``/``Sample Name`` with at least one
  Syngistix information column; ``Acquisition Time`` optional; units on a second line of the
  cell or in brackets on the same line); information columns labtox does not interpret
  (``R``, ``A/S Loc``, ``QC Status``, ``Dataset File``, ``Method File``) are kept as text;
  sheets of another layout (``Internal Standards`` as exported) are named in the warnings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from labtox.errors import ParseError
from labtox.io._common import (
    AnalyteResolver,
    Head,
    ReaderInfo,
    parse_number,
)
from labtox.io._tables import (
    cell_text,
    dates_or_raw,
    defaulted_types_note,
    is_blank,
    label_sample_type,
    unit_of,
    xlsx_workbook,
)
from labtox.run import MEASUREMENT_COLUMNS, Run
from labtox.units import normalise_unit

__all__ = ["INFO", "sniff", "read"]

INFO = ReaderInfo(
    name="syngistix",
    vendor="PerkinElmer",
    software="Syngistix",
    instruments=("ICP-MS", "ICP-OES"),
    extensions=("xlsx",),
    signature="worksheets named like 'Raw Intensities' / 'Concentrations' with a 'Sample Id' "
    "header row",
    priority=55,
)

_ANALYTE = re.compile(r"^[A-Z][a-z]?(?:[A-Z][a-z]?){0,2}\s*-?\s*\d[\d.]*\b")
_UNIT_WORDS = {"cps", "c/s", "counts", "%", "ratio", "intensity"}


def _norm(text: object) -> str:
    return re.sub(r"\s+", " ", cell_text(text)).strip().casefold()


def _is_unit(text: str) -> bool:
    t = text.strip()
    if not t:
        return False
    if t.casefold() in _UNIT_WORDS:
        return True
    try:
        normalise_unit(t)
    except Exception:  # noqa: BLE001 - pint raises several kinds; not a unit is the answer
        return False
    return True


def _analyte_cell(text: str) -> tuple[str, str | None] | None:
    """``("Ag 107", "cps")`` for a header cell ``"Ag 107\\n(cps)"`` (or ``"Ag 107 (cps)"`` on
    one line, when the bracket holds a unit); ``None`` if not an analyte."""
    text = text.replace("\r", "\n")
    first, _, rest = text.strip().partition("\n")
    first = first.strip()
    if not _ANALYTE.match(first):
        return None
    mu = re.match(r"^\s*\((?P<u>[^)]*)\)\s*$", rest.strip())
    unit = mu["u"].strip() if mu else None
    if not rest.strip():
        mi = re.match(r"^(?P<lab>.+?)\s*\((?P<u>[^()]*)\)$", first)
        if mi and _is_unit(mi["u"]):
            first, unit = mi["lab"], mi["u"].strip()
    return re.sub(r"\s+", " ", first).strip(), unit


_TAKEN = {c.casefold() for c in (*MEASUREMENT_COLUMNS, "vendor_type", "measured",
                                  "measured_unit", "acquired_raw", "is_istd")}
_SIGNAL = ("raw intensities", "corrected intensities")
_REPORTED = ("concentrations", "conc. in sample units")
_MEASURED = ("unfactored concentrations", "conc. in calib units")
_SID = ("sample id", "sample name")
_TIME = ("acquisition time", "acquisition date", "date/time", "date time", "date")
# information columns of Syngistix exports: a header needs one of them besides the sample id
_INFO = {"r", "acquisition time", "a/s loc", "qc status", "dataset file", "method file",
         "acquisition date", "date/time", "date time"}


def _is_header(row) -> bool:
    names = [_norm(c) for c in row]
    at = next((j for j, c in enumerate(names) if c in _SID), None)
    if at is None or not (set(names) & _INFO):
        return False
    return any(_analyte_cell(cell_text(c)) for c in row[at + 1:] if not is_blank(c))


def sniff(head: Head) -> bool:
    """True for a workbook with a Syngistix measure sheet (see module docstring)."""
    if not head.is_zip:
        return False
    for name, rows in head.xlsx_sheets.items():
        if "intensit" in name.casefold() or "conc" in name.casefold():
            if any(_is_header(r) for r in rows[:10]):
                return True
    return False


@dataclass
class _Cell:
    seq: float
    sample_id: str
    acquired: object
    value: object
    unit: str | None
    where: str
    extra: dict | None = None  # information columns labtox does not interpret, as text


def _read_sheet(ws) -> tuple[dict[tuple[float, str], _Cell], list[str], int, int]:
    """Cells of one measure sheet keyed by (sequence, analyte label); analyte order; skipped
    pseudo-rows; non-empty rows above the first header (not read)."""
    title = ws.title
    out: dict[tuple[float, str], _Cell] = {}
    order: list[str] = []
    header: list[str] | None = None
    cols: dict[int, tuple[str, str | None]] = {}
    info: dict[str, int] = {}
    skipped = 0
    unread = 0
    counter = 0
    has_seq = True
    for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
        row = list(row)
        if not any(not is_blank(c) for c in row):
            continue
        if _is_header(row):
            header = [cell_text(c) for c in row]
            normed = [_norm(h) for h in header]
            sid_at = next(j for j, c in enumerate(normed) if c in _SID)
            has_seq = sid_at > 0 and header[0].strip() in ("", "#", "Seq", "Seq.", "Sequence")
            cols, info = {}, {}
            for j, h in enumerate(header):
                hs = h.strip()
                m = _analyte_cell(h) if j > sid_at else None
                if m:
                    lab = m[0]
                    cols[j] = m
                    if lab not in order:
                        order.append(lab)
                else:
                    info.setdefault(_norm(hs) or "#", j)
            info.setdefault("sample id", sid_at)
            tcol = next((info[c] for c in _TIME if c in info), None)
            # e.g. R, A/S Loc, QC Status, Dataset File, Method File: kept under their name
            names = {j: h.strip() for j, h in enumerate(header)}
            other = [j for j in names if j not in cols and names[j] and j not in
                     (sid_at, tcol) and not (j == 0 and has_seq)]
            if tcol is not None:
                info["acquisition time"] = tcol
            continue
        if header is None:
            unread += 1  # title lines above the first header (or a sheet of another layout)
            continue
        counter += 1
        if not has_seq:  # no sequence column: rows are numbered in sheet order
            seq_v, seq_f = float(counter), None
        else:
            seq_v, seq_f = parse_number(row[0] if row else None)
        if seq_f is not None or not np.isfinite(seq_v):
            raise ParseError("the sequence number is not a number.", path=None, line=i,
                             column=1, expected="a sequence number", found=cell_text(row[0]),
                             hint=f"(sheet {title!r})")
        sid = cell_text(row[info["sample id"]]).strip() if info["sample id"] < len(row) else ""
        acq = row[info["acquisition time"]] if info.get("acquisition time", 10**6) < len(row) \
            else None
        vals = [(j, row[j] if j < len(row) else None) for j in cols]
        if sid == "Calibration Curves" and all(is_blank(v) for _, v in vals):
            skipped += 1
            continue
        extra = {names[j]: (cell_text(row[j]).strip() or None) if j < len(row) else None
                 for j in other}
        for j, v in vals:
            lab, unit = cols[j]
            out[(seq_v, lab)] = _Cell(seq_v, sid, acq, v, unit, f"{title}!R{i}", extra)
    return out, order, skipped, unread


def _read_curves(ws) -> tuple[dict[tuple[str, str], float], dict[str, str]]:
    """Entered concentrations ``{(analyte label, sample id): conc}`` and the equations as
    written (``{"U 424.167": "y = 4362,6010x + 785,3631"}``) of a Calibration Curves sheet."""
    nominal: dict[tuple[str, str], float] = {}
    equations: dict[str, str] = {}
    label = None
    cols: dict[str, int] | None = None
    for row in ws.iter_rows(values_only=True):
        cells = [cell_text(c).strip() for c in row]
        if len(cells) < 3 or not any(cells):
            continue
        if _analyte_cell(cells[1]) and cells[2].startswith("y"):
            label, cols = _analyte_cell(cells[1])[0], None
            equations[label] = cells[2]
            continue
        if cells[1] == "Sample Id" and label:
            cols = {c: j for j, c in enumerate(cells)}
            continue
        if label and cols and "Entered Conc." in cols and cells[1]:
            v, f = parse_number(row[cols["Entered Conc."]])
            if f is None and np.isfinite(v):
                nominal.setdefault((label, cells[1]), v)
    return nominal, equations


def read(path: str | PathLike[str], *, dayfirst: bool | None = None) -> Run:
    """Read a PerkinElmer Syngistix workbook into a :class:`~labtox.run.Run`.

    Parameters
    ----------
    path
        The ``.xlsx`` workbook.
    dayfirst
        Date style of ``Acquisition Time`` when the column cannot tell.

    Raises
    ------
    ParseError
        Not a workbook; no measure sheet with a ``Sample Id`` header; a sequence cell that is
        not a number.

    References
    ----------
    PerkinElmer, *Syngistix for ICP-MS / ICP-OES software*, "Export to Excel"; layout from
    real workbooks (``../shared/fixtures/EXPORTS.md`` §2.5; senaite.instruments importers).

    Examples
    --------
    >>> from pathlib import Path
    >>> import labtox
    >>> from labtox.io import syngistix
    >>> path = Path(labtox.__file__).parents[1] / "tests" / "data" / "syngistix" / "nexion_small.xlsx"
    >>> run = syngistix.read(path)
    >>> m = run.measurements
    >>> print(m.loc[0, "channel"], m.loc[0, "signal"], m.loc[0, "reported_flag"])
    111Cd 35.5 <0.000
    """
    p = Path(path)
    wb = xlsx_workbook(p)
    sheets: dict[str, tuple[dict, list[str]]] = {}
    skipped: dict[str, int] = {}
    nominal: dict[tuple[str, str], float] = {}
    equations: dict[str, str] = {}
    ignored: dict[str, int] = {}
    try:
        for ws in wb.worksheets:
            if "calibration curve" in ws.title.casefold():
                nominal, equations = _read_curves(ws)
                continue
            try:
                cells, order, sk, unread = _read_sheet(ws)
            except ParseError as exc:
                raise ParseError(exc.message, path=p, line=exc.line, column=exc.column,
                                 expected=exc.expected, found=exc.found, hint=exc.hint) from None
            if cells:
                sheets[ws.title.strip()] = (cells, order)
                skipped[ws.title.strip()] = sk
            elif unread >= 1:
                ignored[ws.title.strip()] = unread
    finally:
        wb.close()
    if not sheets:
        raise ParseError("no Syngistix measure sheet was found.", path=p,
                         expected="sheets such as 'Raw Intensities' with a header row "
                         "(' ', 'Sample Id', 'R', 'Acquisition Time', ..., 'Ag 107\\n(cps)')",
                         found="no 'Sample Id' header row with analyte columns")
    low = {k.casefold(): k for k in sheets}

    def pick(names: tuple[str, ...]) -> str | None:
        return next((low[n] for n in names if n in low), None)

    sig_name = pick(_SIGNAL) or next((k for k in sheets if k.casefold().endswith("intensities")),
                                     None)
    rep_name = pick(_REPORTED)
    meas_name = pick(_MEASURED)
    warnings: list[str] = [
        f"sheet {name!r}: {n} non-empty row(s) without a 'Sample Id' header with analyte "
        "columns; not read" for name, n in ignored.items()]
    base_name = sig_name or rep_name or meas_name or next(iter(sheets))
    if sig_name is None:
        warnings.append(f"no intensity sheet: the signal is taken from {base_name!r}")
    base, order = sheets[base_name]
    roles = {base_name: "signal"}
    if rep_name and rep_name != base_name:
        roles[rep_name] = "reported"
    if meas_name and meas_name != base_name:
        roles[meas_name] = "measured"
    for name in list(roles):
        rsd = low.get(f"{name.casefold()} rsds")
        if rsd:
            roles[rsd] = {"signal": "signal_rsd", "reported": "reported_rsd",
                          "measured": "measured_rsd"}[roles[name]]
    for name in sheets:
        roles.setdefault(name, name)

    keys = sorted(base, key=lambda k: (k[0], order.index(k[1])))
    resolver = AnalyteResolver()
    recs = {k: {} for k in keys}
    mismatched = 0
    unmatched: dict[str, int] = {}
    for name, role in roles.items():
        cells, _ = sheets[name]
        for k, c in cells.items():
            if k not in recs:
                unmatched[name] = unmatched.get(name, 0) + 1
                continue
            if name != base_name and c.sample_id != base[k].sample_id:
                mismatched += 1
            v, f = parse_number(c.value)
            recs[k][role] = (v, f, c.unit)
    if mismatched:
        warnings.append(f"{mismatched} value(s) in other sheets carry a different Sample Id than "
                        f"the {base_name!r} sheet for the same sequence number; the "
                        f"{base_name!r} id is kept")
    for name, nmiss in unmatched.items():
        warnings.append(f"{nmiss} value(s) of sheet {name!r} have no counterpart (sequence × "
                        f"analyte) in {base_name!r}; they are not in the table")
    n_cal = sum(skipped.values())
    if n_cal:
        warnings.append(f"{skipped.get(base_name, 0)} 'Calibration Curves' pseudo-row(s) without "
                        "values are skipped")

    rows = []
    defaulted: list[str] = []
    for k in keys:
        c = base[k]
        r = recs[k]
        analyte, channel, is_istd = resolver(k[1])
        sig = r.get("signal", (np.nan, None, None))
        rep = r.get("reported", (np.nan, None, None))
        meas = r.get("measured", (np.nan, None, None))
        # every raw token is kept: the reported sheet's, then the signal sheet's
        flag = "; ".join(dict.fromkeys(f for f in (rep[1], sig[1]) if f)) or None
        typ, word = label_sample_type(c.sample_id)
        if word is None:
            defaulted.append(c.sample_id)
        rec = {
            "sequence": int(k[0]), "sample_id": c.sample_id or f"injection {int(k[0])}",
            "sample_type": typ, "vendor_type": word, "analyte": analyte, "channel": channel,
            "signal": sig[0], "signal_unit": unit_of(sig[2]) or "cps",
            "reported": rep[0], "reported_unit": unit_of(rep[2]), "reported_flag": flag,
            "measured": meas[0], "measured_unit": unit_of(meas[2]),
            "nominal": nominal.get((k[1], c.sample_id), np.nan),
            "nominal_unit": unit_of(meas[2]) if (k[1], c.sample_id) in nominal else None,
            "acquired_raw": c.acquired, "source_line": c.where, "is_istd": is_istd,
        }
        for name, v in (c.extra or {}).items():
            rec.setdefault(name if name.casefold() not in _TAKEN else f"{name} (export)", v)
        for role, (v, f, _u) in r.items():
            if role in ("signal", "reported", "measured"):
                continue
            rec[role] = v
            if f is not None:
                extra = f"{role}: {f}"
                rec["reported_flag"] = (f"{rec['reported_flag']}; {extra}"
                                        if rec["reported_flag"] else extra)
        rows.append(rec)
    df = pd.DataFrame(rows)
    acq_cells = list(df["acquired_raw"])
    lines = [int(w.rsplit("!R", 1)[1]) for w in df["source_line"]]
    df["acquired"], raw, date_rule = dates_or_raw(
        acq_cells, dayfirst=dayfirst, path=p, column="Acquisition Time", lines=lines,
        warnings=warnings)
    df = df.drop(columns=["acquired_raw"]) if raw is None else df.assign(acquired_raw=raw)
    empty = ~np.isfinite(df["signal"].to_numpy(dtype=float)) & df["reported_flag"].isna().to_numpy()
    if empty.any():
        warnings.append(f"{int(empty.sum())} sequence × analyte cell(s) of {base_name!r} are "
                        "empty and carry no measurement; they are not in the table")
        df = df[~empty].reset_index(drop=True)
    warnings += defaulted_types_note(defaulted)
    warnings += resolver.warnings()
    kind = "ICP-OES" if any(re.search(r"\d+\.\d+", a) for a in order) else "ICP-MS"
    first = next((a for a in df.get("acquired", []) if isinstance(a, str) and a), "")
    if df.empty:
        raise ParseError("the file holds no measurement: every value cell is empty.", path=p,
                         expected="at least one number or flag token", found="only empty cells")
    return Run.from_path(df, p, INFO.name, instrument=kind, software="PerkinElmer Syngistix",
                         acquired=first, warnings=warnings, date_rule=date_rule,
                         sheets={k: v for k, v in roles.items()},
                         calibration_equations=equations)
