"""Shimadzu ICPE-9000 series (ICPEsolution) long TSV export, **without a header row**.

Layout (``../shared/fixtures/EXPORTS.md`` §2.9; one real file read): 44 TAB-separated fields
per line, one line per sample × element line. Field positions (0-based) as labtox reads them:

====  ==============================================  ===========================
0     method name                                     ``metadata['methods']``
1     sample kind (``CAL1`` … ``CAL8``, ``UNK`` …)    ``vendor_type``, ``level``
2     sample name                                     ``sample_id``
3     date-time (``9/23/2016 11:54:59 AM``)           ``acquired``
6     element; 8 wavelength (nm)                      ``analyte``, ``channel``
10    concentration unit (``ppb``)                    ``reported_unit``
11–20 replicate concentrations                        ``replicates`` (text)
21    mean concentration; 22 SD; 23 %RSD              ``reported``, ``reported_sd``, ``reported_rsd``
25    flag (`` L``; meaning not documented)           ``reported_flag``
30    intensity basis (``After Drift Correction``)    ``signal_basis``
31–40 replicate intensities                           ``replicate_signals`` (text)
41    mean intensity; 42 SD; 43 %RSD                  ``signal``, ``signal_sd``, ``signal_rsd``
====  ==============================================  ===========================

Fields 4, 5 (``MRC``), 7 (``QUANT``), 9, 24 and 26–29 carry no documented meaning; 5, 7, 9
and 24 are kept verbatim as ``aux_5``, ``aux_7``, ``aux_9``, ``aux_24``. The intensity unit
is not stated in the file: ``signal_unit`` is ``"a.u."``. Sample kinds map through the vendor
vocabulary (``CAL3`` → calibration, level ``3``; ``UNK`` → sample). Because the file has no
header, the reader checks every line's shape (field count, a date in field 3, an element in
field 6, a wavelength in field 8) and refuses files that do not match. A column-title line
above the data, when a version writes one, is kept in ``metadata['header']`` and the fields
are still read by position; decimal commas are detected from the number fields.
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from labtox.errors import ParseError
from labtox.io._common import (
    HEAD_BYTES,
    AnalyteResolver,
    Head,
    ReaderInfo,
    SampleTypeMapper,
)
from labtox.io._tables import (
    csv_table,
    dates_or_raw,
    detect_decimal,
    unit_of,
    vector_numbers,
)
from labtox.run import Run

__all__ = ["INFO", "sniff", "read"]

INFO = ReaderInfo(
    name="shimadzu-icpe",
    vendor="Shimadzu",
    software="ICPEsolution",
    instruments=("ICP-OES",),
    extensions=("txt", "tsv"),
    signature="headerless TAB-separated lines of 44 fields: method, kind (CAL1/UNK), name, "
    "date, ..., element, QUANT, wavelength, unit",
    priority=45,
)

N_FIELDS = 44
_EL = re.compile(r"^[A-Z][a-z]?$")
_WL = re.compile(r"^\d{2,3}\.\d{1,4}$")
_DATE = re.compile(r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}")


def _line_ok(f: list[str]) -> str | None:
    """``None`` when a split line has the ICPE shape, else what is wrong."""
    if len(f) < N_FIELDS:
        return f"{N_FIELDS} fields"
    if not _DATE.match(f[3].strip()):
        return "a date in field 4"
    if not _EL.match(f[6].strip()):
        return "an element symbol in field 7"
    if not _WL.match(f[8].strip()):
        return "a wavelength in field 9"
    return None


def _is_header_line(f: list[str]) -> bool:
    """A first line with the field count of the export but words where the first data line
    has a date, an element and a wavelength: a column-title line (not written by every
    version; kept in the metadata)."""
    return len(f) >= N_FIELDS and not _DATE.match(f[3].strip()) \
        and not _WL.match(f[8].strip())


def sniff(head: Head) -> bool:
    """True when the first lines are 44-field TAB lines with the ICPE shape (a column-title
    line above them is allowed)."""
    if not head.text:
        return False
    lines = [ln for ln in head.lines[:7] if ln.strip()]
    if len(head.raw) >= HEAD_BYTES and len(head.lines) <= 7:
        lines = lines[:-1]  # the last line of a cut head may be partial
    if lines and _is_header_line(lines[0].split("\t")) and len(lines) > 1:
        lines = lines[1:]
    return bool(lines) and all(_line_ok(ln.split("\t")) is None for ln in lines[:5])


def read(path: str | PathLike[str], *, dayfirst: bool | None = None) -> Run:
    """Read a Shimadzu ICPE-9000 TSV export into a :class:`~labtox.run.Run`.

    Parameters
    ----------
    path
        The export (TAB-separated, no header).
    dayfirst
        Date style when the dates cannot tell.

    Raises
    ------
    ParseError
        A line without the ICPE shape (too few fields — e.g. a truncated file —, no date,
        element or wavelength where expected).

    References
    ----------
    Shimadzu Corporation, *ICPEsolution software*, data export; field positions read off a
    real export (``../shared/fixtures/EXPORTS.md`` §2.9; senaite.core ICPE importer).

    Examples
    --------
    >>> from pathlib import Path
    >>> import labtox
    >>> from labtox.io import shimadzu_icpe
    >>> path = Path(labtox.__file__).parents[1] / "tests" / "data" / "shimadzu_icpe" / "icpe_small.txt"
    >>> run = shimadzu_icpe.read(path)
    >>> m = run.measurements
    >>> print(m.loc[0, "vendor_type"], m.loc[0, "level"], m.loc[0, "signal"])
    CAL1 1 0.01
    """
    p = Path(path)
    t = csv_table(p, "\t")
    body = [i for i, r in enumerate(t.rows) if any(c.strip() for c in r)]
    if not body:
        raise ParseError("the file is empty.", path=p, line=1,
                         expected=f"TAB-separated lines of {N_FIELDS} fields", found="no data")
    header = None
    if len(body) > 1 and _is_header_line(t.rows[body[0]]) and _line_ok(t.rows[body[1]]) is None:
        header = [c.strip() for c in t.rows[body[0]]]
        body = body[1:]
    for i in body:
        bad = _line_ok(t.rows[i])
        if bad is not None:
            r = t.rows[i]
            col = len(r) + 1 if len(r) < N_FIELDS else {"a date in field 4": 4,
                                                         "an element symbol in field 7": 7,
                                                         "a wavelength in field 9": 9}[bad]
            found = f"{len(r)} fields" if len(r) < N_FIELDS else r[col - 1]
            raise ParseError("the line does not have the ICPE export shape"
                             + (" (the file looks truncated)" if len(r) < N_FIELDS else "") + ".",
                             path=p, line=t.lines[i], column=col, expected=bad, found=found)
    g = np.array([t.rows[i][:N_FIELDS] for i in body], dtype=object)
    n = len(body)
    lines = [t.lines[i] for i in body]
    warnings: list[str] = []
    if header is not None:
        warnings.append(f"line {t.lines[0] if t.lines else 1} holds column titles; the fields are "
                        "read by position as documented (titles kept in metadata['header'])")
    s = np.vectorize(lambda c: c.strip(), otypes=[object])(g)
    mapper = SampleTypeMapper()
    kinds = list(s[:, 1])
    stype = mapper.map_all(list(kinds))
    level = [m[1] if (m := re.match(r"^[A-Za-z]+\s*(\d+)$", k)) and st.startswith("cal") else None
             for k, st in zip(kinds, stype, strict=True)]
    resolver = AnalyteResolver()
    res = [resolver(f"{el} {wl}") for el, wl in zip(s[:, 6], s[:, 8], strict=True)]
    # decimal commas (ICPEsolution on a European Windows) decided from the number fields
    decimal = detect_decimal(np.concatenate([g[:, 11:24].ravel(), g[:, 31:44].ravel()]), "\t")

    def nums(j: int) -> tuple[np.ndarray, np.ndarray]:
        return vector_numbers(g[:, j], decimal)

    conc, conc_f = nums(21)
    sig, sig_f = nums(41)
    flag = []
    for k in range(n):
        parts = [x for x in (s[k, 25], conc_f[k], sig_f[k]) if x]
        flag.append("; ".join(dict.fromkeys(parts)) if parts else None)
    stamps = list(s[:, 3])
    acquired, acquired_raw, date_rule = dates_or_raw(stamps, dayfirst=dayfirst, path=p, column=4,
                                                     lines=lines, warnings=warnings)

    def join(a: int, b: int) -> list[str]:
        return ["|".join(x for x in row if x) for row in s[:, a:b]]

    df = pd.DataFrame({
        "sample_id": [x or f"injection {k + 1}" for k, x in enumerate(s[:, 2])],
        "sample_type": stype, "vendor_type": kinds, "level": level,
        "analyte": [r[0] for r in res], "channel": [r[1] for r in res],
        "signal": sig, "signal_unit": "a.u.", "signal_basis": [x or None for x in s[:, 30]],
        "reported": conc, "reported_unit": [unit_of(u) for u in s[:, 10]],
        "reported_flag": flag, "acquired": acquired, "source_line": [str(x) for x in lines],
        **({"acquired_raw": acquired_raw} if acquired_raw is not None else {}),
        "reported_sd": nums(22)[0], "reported_rsd": nums(23)[0],
        "signal_sd": nums(42)[0], "signal_rsd": nums(43)[0],
        "replicates": join(11, 21), "replicate_signals": join(31, 41),
        "aux_5": s[:, 5], "aux_7": s[:, 7], "aux_9": s[:, 9], "aux_24": s[:, 24],
    })
    key = pd.Series([f"{a}\x00{b}\x00{c}" for a, b, c in zip(s[:, 1], s[:, 2], s[:, 3],
                                                             strict=True)])
    df["sequence"] = (key != key.shift()).cumsum().to_numpy()
    empty = ~np.isfinite(df["signal"].to_numpy()) & df["reported_flag"].isna().to_numpy()
    if empty.any():
        warnings.append(f"{int(empty.sum())} line(s) have no mean intensity and no flag; they "
                        "carry no measurement and are not in the table")
        df = df[~empty].reset_index(drop=True)
    extra = sum(1 for i in body if len(t.rows[i]) > N_FIELDS and any(
        c.strip() for c in t.rows[i][N_FIELDS:]))
    if extra:
        warnings.append(f"{extra} line(s) have fields beyond the 44 labtox knows; not read")
    warnings += mapper.warnings() + resolver.warnings()
    first = next((a for a in acquired if a), "")
    if df.empty:
        raise ParseError("the file holds no measurement: every value cell is empty.", path=p,
                         expected="at least one number or flag token", found="only empty cells")
    return Run.from_path(df, p, INFO.name, instrument="ICP-OES",
                         software="Shimadzu ICPEsolution", acquired=first, warnings=warnings,
                         encoding=t.encoding, date_rule=date_rule, decimal=decimal, header=header,
                         methods=sorted(set(s[:, 0])))
