"""Agilent ChemStation / OpenLab CDS ChemStation Edition ``Report.TXT`` (fixed-width text).

Layout (``../shared/fixtures/EXPORTS.md`` section 3.3): a header of ``key : value`` pairs
(``Data File``, ``Sample Name:``, ``Acq. Operator``, ``Seq. Line``, ``Acq. Instrument``,
``Injection Date``, ``Inj Volume``, ``Acq. Method`` ...), ``=====`` rulers, the report title
(``Internal Standard Report``, ``External Standard Report``, ``Area Percent Report`` ...),
``Multiplier``, ``Dilution``, ``Sample Amount``, an optional ISTD table, then per detector signal
``Signal 1: FID1 A,`` with a two-line column header (names, then units such as ``[min]``,
``[pA*s]``, ``[ng/ul]``), a ``-------|------|...`` ruler whose dash groups give the column
widths, fixed-width rows, ``Totals ...`` and finally ``*** End of Report ***``. Native files are
often UTF-16.

Choices

- Internal Standard, External Standard and Area Percent reports are read: the RetTime column
  may follow a ``Peak #`` column, the ruler may end in ``|``, and a second column of the same
  name (``Area`` in [pA*s], then ``Area`` in %) is told apart by its unit (``Area %``); the
  signal is the first (absolute) one. Peaks without a name are ``peak <RetTime>``.
- Column widths come from the ruler; header words are assigned to the column they start in
  (titles such as ``Grp`` overflow their column); each row is sliced from one column's start to
  the next column's start, the last column (``Name``) running to the end of the line.
- ``signal`` = ``Area`` in the unit of its header (``pA*s``); ``reported`` = ``Amount`` in its
  unit (``ng/ul`` -> ``ng/µL``); ``channel`` = the signal description (``FID1 A``).
- ISTD peaks carry ``I`` in the type column (``is_istd``); ``istd_signal`` is the area of the
  ISTD named in the ``Sample ISTD Information`` table for the row's ``ISTD used`` number.
- The peak type code (``BB``, ``MF``, ``VV`` ...) goes to the extra column ``peak_flags``.
- ``sequence`` = ``Seq. Line`` (1 when absent); the report has no sample type, so every
  injection is a sample (with a warning); ``dilution`` = ``Dilution`` (``Multiplier`` is kept in
  ``metadata``).
- A report without its ``*** End of Report ***`` line is taken as truncated (a fixed-width row
  cut mid-number would otherwise be read as a different number) and raises ``ParseError``.
"""

from __future__ import annotations

import math
import re
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
    name="chemstation-report",
    vendor="Agilent",
    software="ChemStation / OpenLab CDS ChemStation Edition",
    instruments=("GC", "GC-FID", "GC-MS", "HPLC"),
    extensions=("txt",),
    signature="ChemStation Report.TXT ('RetTime' column header over a '---|---' ruler)",
    priority=60,
)

_RULER = re.compile(r"^\s*-+(?:\|-+)+\|?\s*$")
_PAIR_SPLIT = re.compile(r"\s{2,}(?=[A-Z][\w.#&/ -]{0,30}?\s*:\s)")
_SIGNAL = re.compile(r"^Signal\s+(\d+)\s*:\s*(.*?),?\s*$")
_END = "*** End of Report ***"
_RETTIME = re.compile(r"^\s*(?:Peak\s+)?(?:#\s+)?Ret\.?\s*Time\b", re.I)


def sniff(head: Head) -> bool:
    """True when the head has a ``RetTime`` column header above a ``---|---`` ruler."""
    lines = head.lines
    for i, ln in enumerate(lines[:400]):
        if _RULER.match(ln) and any(_RETTIME.search(x) for x in lines[max(i - 3, 0):i]):
            return True
    return False


def _spans(ruler: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"-+", ruler)]


def _columns(header_lines: list[str], spans: list[tuple[int, int]]) -> list[tuple[str, str]]:
    """(name, unit) per span from the header lines (words go to the span they start in)."""
    parts: list[list[list[str]]] = [[[] for _ in spans] for _ in header_lines]
    for k, hl in enumerate(header_lines):
        for m in re.finditer(r"\S+", hl):
            j = max((i for i, (s, _) in enumerate(spans) if s <= m.start()), default=0)
            parts[k][j].append(m.group())
    out = []
    for j in range(len(spans)):
        words = [w for k in range(len(header_lines)) for w in parts[k][j]]
        unit = next((w.strip("[]") for w in words if w.startswith("[") and w.endswith("]")), "")
        name = " ".join(w for w in words if not (w.startswith("[") and w.endswith("]")))
        taken = [n for n, _ in out]
        if name and name in taken:  # Area [pA*s] and Area [%] in an Area Percent report
            name = f"{name} {unit}".strip() if unit else f"{name} ({j + 1})"
        out.append((name, unit))
    return out


def _slice(line: str, spans: list[tuple[int, int]]) -> list[str]:
    starts = [s for s, _ in spans]
    cells = []
    for j, s in enumerate(starts):
        e = starts[j + 1] if j + 1 < len(starts) else None
        cells.append(line[s:e].strip() if e is not None else line[s:].strip())
    return cells


def _header_pairs(lines: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for ln in lines:
        if ln.startswith("Data File ") and ":" not in ln[:10]:
            out.setdefault("Data File", ln[len("Data File "):].strip())
            continue
        for part in _PAIR_SPLIT.split(ln.strip()):
            m = re.match(r"^([A-Za-z][\w.#&/ -]*?)\s*:+(?:\s+(.*))?$", part.strip())
            if m and m.group(1).strip():
                out.setdefault(m.group(1).strip(), (m.group(2) or "").strip().lstrip(": "))
    return out


def read(path: str | PathLike[str], *, dayfirst: bool | None = None,
         require_end: bool = True, **options: Any) -> Run:
    """Read a ChemStation / OpenLab CDS ``Report.TXT`` into a :class:`~labtox.run.Run`.

    Parameters
    ----------
    path
        The report text file (UTF-8 or UTF-16).
    dayfirst
        Date style of ``Injection Date`` when it cannot tell (``10/11/2021``).
    require_end
        Refuse a report without its ``*** End of Report ***`` line (default), since a
        fixed-width row cut short would be read as a wrong number.

    Raises
    ------
    ParseError
        No peak table, a truncated report, a row shorter than the area column.

    References
    ----------
    Agilent Technologies, *Agilent ChemStation: Understanding Your ChemStation* (G2070-91126),
    chapter "Reports". Layout as in ``../shared/fixtures/EXPORTS.md`` 3.3.

    Examples
    --------
    >>> from labtox.io import chemstation_report
    >>> run = chemstation_report.read("tests/data/chemstation_report/Report.TXT")  # doctest: +SKIP
    """
    p = Path(path)
    text, encoding = read_text(p)
    lines = text.split("\n")
    if require_end and not any(ln.strip() == _END for ln in lines):
        raise ParseError("the report has no '*** End of Report ***' line (truncated file?).",
                         path=p, line=len(lines), expected=f"the line {_END!r}",
                         found=(lines[-1] or (lines[-2] if len(lines) > 1 else ""))[:60],
                         hint="Pass require_end=False to read an incomplete report anyway.")
    rulers = [i for i, ln in enumerate(lines) if _RULER.match(ln)]
    first_ruler = rulers[0] if rulers else len(lines)
    meta = _header_pairs(lines[:first_ruler])
    ctx = SimpleNamespace(path=p, dayfirst=dayfirst, warnings=[])
    istds: dict[str, tuple[float, str]] = {}
    tables = []
    for r in rulers:
        head = []
        k = r - 1
        while k >= 0 and lines[k].strip() and len(head) < 2 and not _SIGNAL.match(lines[k]):
            head.insert(0, lines[k])
            k -= 1
        signal = None
        while k >= 0 and k > r - 6:
            m = _SIGNAL.match(lines[k].strip())
            if m:
                signal = m.group(2).strip().rstrip(",").strip()
                break
            k -= 1
        spans = _spans(lines[r])
        cols = _columns(head, spans)
        rows = []
        i = r + 1
        while i < len(lines) and lines[i].strip() and not lines[i].lstrip().startswith(
                ("Totals", "====", "Sum")):
            rows.append((i + 1, lines[i]))
            i += 1
        names = [c[0] for c in cols]
        if any(_RETTIME.match(n) for n in names):
            rt_name = next(n for n in names if _RETTIME.match(n))
            cols = [("RetTime", u) if n == rt_name else (n, u) for n, u in cols]
            tables.append((signal, cols, spans, rows))
        elif names and names[0].startswith("ISTD") and "Name" in names:
            for _, row in rows:
                cells = _slice(row, spans)
                amount = next((c for n, c in zip(names, cells, strict=True)
                               if n.startswith("ISTD Amount")), "")
                istds[cells[0]] = (fast_number(amount)[0], cells[names.index("Name")])
    if not tables:
        raise ParseError("the report has no peak table.", path=p, line=len(lines),
                         expected="a 'RetTime ... Area ... Name' table over a '---|---' ruler",
                         found="none")
    sample = meta.get("Sample Name", "") or p.stem
    acq_raw = meta.get("Injection Date", "")
    # the header's other dates (Last changed 2/25/2021 ...) settle day/month order
    others = [v for ln in lines[:first_ruler]
              for v in re.findall(r"\b\d{1,2}/\d{1,2}/\d{4}\b", ln)]
    acquired = (iso_dates(ctx, [acq_raw] + others, [1] * (1 + len(others)),
                          "Injection Date")[0] if acq_raw else None)
    seq_raw = meta.get("Seq. Line", "")
    seq = int(seq_raw) if seq_raw.isdigit() else 1
    dil = fast_number(meta.get("Dilution", ""))[0]
    types, resolver = SampleTypeMapper(), ChromResolver()
    ctx.warnings.append("ChemStation reports carry no sample type: the injection is taken as a "
                        "sample")
    records = []
    for signal, cols, spans, rows in tables:
        names = [c[0] for c in cols]
        unit = dict(cols)
        area_col = next((n for n in names if n.startswith("Area")), None)
        if area_col is None:
            area_col = next((n for n in names if n.startswith("Height")), None)
        if area_col is None:
            raise ParseError("the peak table has no Area or Height column.", path=p,
                             line=rows[0][0] - 1 if rows else len(lines),
                             expected="an 'Area' column", found=" ".join(names))
        area_end = spans[names.index(area_col)][1]
        parsed = []
        for line, row in rows:
            if len(row.rstrip()) < area_end:
                raise ParseError("a peak row stops before its area column (truncated file?).",
                                 path=p, line=line, column=area_col,
                                 expected=f"at least {area_end} characters",
                                 found=f"{len(row.rstrip())} characters")
            parsed.append((line, dict(zip(names, _slice(row, spans), strict=True))))
        istd_area = {}
        by_sig: dict[str, list[str]] = {}
        for _, c in parsed:
            if re.search(r"\bI\b", c.get("Type", "")):
                istd_area[c.get("Name", "")] = fast_number(c.get(area_col, ""))[0]
                by_sig.setdefault(c.get("Sig", ""), []).append(c.get("Name", ""))
        for line, c in parsed:
            rt = c.get("RetTime", "")
            name = c.get("Name", "") or f"peak {rt}"
            analyte, channel, is_istd = resolver(name)
            ptype = c.get("Type", "")
            is_istd = is_istd or bool(re.search(r"\bI\b", ptype))
            area = c.get(area_col, "")
            sig, sflag = fast_number(area)
            amt_cell = c.get("Amount", "")
            reported, rflag = fast_number(amt_cell)
            istd_name = istds.get(c.get("ISTD used", ""), (math.nan, ""))[1]
            if not istd_name and not istds and len(by_sig.get(c.get("Sig", ""), [])) == 1:
                # no ISTD table: the signal's only ISTD peak (one per signal) is the ISTD
                istd_name = by_sig[c.get("Sig", "")][0]
            runit = _unit(unit.get("Amount", ""))
            records.append({
                "sequence": seq, "sample_id": sample, "sample_type": types("", "sample"),
                "vendor_type": None, "analyte": analyte,
                # 'Sorted By: Retention Time' reports list every signal in one table whose
                # 'Sig' column numbers the signal
                "channel": signal or (f"Signal {c['Sig']}" if c.get("Sig") else channel),
                "signal": sig, "signal_unit": unit.get(area_col) or "area",
                "istd_signal": (istd_area.get(istd_name, math.nan)
                                if istd_name and not is_istd else math.nan),
                "istd_channel": istd_name if istd_name and not is_istd else None,
                "dilution": dil if dil > 0 else math.nan, "acquired": acquired,
                "reported": reported, "reported_unit": runit if "Amount" in unit else None,
                "reported_flag": join_flags(sflag if area else EMPTY, rflag),
                "source_line": str(line), "is_istd": is_istd, "compound": name,
                "retention_time": fast_number(rt)[0],
                "peak_flags": re.sub(r"\s+I\b", "", ptype).strip() or None,
                "data_file": meta.get("Data File", ""),
            })
    if not records:
        raise ParseError("the peak tables hold no rows.", path=p, line=len(lines),
                         expected="at least one peak row", found="none")
    df = pd.DataFrame.from_records(records)
    title = next((ln.strip() for ln in lines[:first_ruler + 40]
                  if ln.strip().endswith("Report") and not ln.startswith("=")), "")
    return Run.from_path(df, p, INFO.name, instrument=meta.get("Acq. Instrument", ""),
                         software=INFO.software, acquired=acquired or "",
                         warnings=ctx.warnings + resolver.warnings(), encoding=encoding,
                         report=title, header={k: v for k, v in meta.items()},
                         istds={k: v[1] for k, v in istds.items()},
                         multiplier=fast_number(meta.get("Multiplier", ""))[0])


def _unit(text: str) -> str | None:
    if not text:
        return None
    try:
        from labtox.units import normalise_unit

        return normalise_unit(text)
    except Exception:  # a unit pint does not know is kept as written
        return text
