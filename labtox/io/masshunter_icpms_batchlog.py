"""Agilent MassHunter ICP-MS ``BatchLog.csv`` (the acquisition log inside a ``.b`` folder).

This is **not an export reader**: the log lists acquisitions, not measurements (it has no
analyte, signal or concentration), so it cannot be a :class:`~labtox.run.Run` — the Run
schema requires an analyte and a signal per row. The module therefore defines no ``INFO``
(the registry skips it) and exposes :func:`read_batchlog`, which returns the log as a tidy
table that can be joined to a batch table on ``data_file`` (acquisition order, operator,
pass/fail, dilution results, QC failures).

Layout (``../shared/fixtures/EXPORTS.md`` §2.2, two real files): header ``#, Acq. Date-Time,
Sample Type, Sample Name, Vial#, File Name, Acquisition Result, Error Message, Dilution
Result, Comment, Operator, Error Action, Replicates, Level, ISTD Conc, Auto Dilution (ISIS 2),
Total Dil., Final Weight or Volume, Sample Weight or Volume, Dilution Multiplier, Sublist,
Total Acq Time, Max. Daily Dose, %J, User Def. 1..3, QC Failed Criteria, QC Failed
Elements,`` (trailing comma). ``-`` marks an empty field. The date style depends on the PC
(``2020/11/18 14:24:29`` or ``16/11/2020 1:08:48 PM``). Header names are matched without
regard to case or spacing, in any order, with fewer or more columns; the separator
(``,``, ``;`` or TAB) and decimal commas are detected.
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path

import pandas as pd

from labtox.errors import ParseError
from labtox.io._common import SampleTypeMapper
from labtox.io._tables import csv_table, dates_or_raw, detect_decimal, vector_numbers

__all__ = ["read_batchlog", "BATCHLOG_COLUMNS"]

BATCHLOG_COLUMNS = {
    "#": "sequence", "Acq. Date-Time": "acquired", "Sample Type": "vendor_type",
    "Sample Name": "sample_id", "Vial#": "vial", "File Name": "data_file",
    "Acquisition Result": "acquisition_result", "Error Message": "error_message",
    "Dilution Result": "dilution_result", "Comment": "comment", "Operator": "operator",
    "Error Action": "error_action", "Replicates": "replicates", "Level": "level",
    "ISTD Conc": "istd_conc", "Auto Dilution (ISIS 2)": "auto_dilution",
    "Total Dil.": "dilution", "Final Weight or Volume": "final_weight_or_volume",
    "Sample Weight or Volume": "sample_weight_or_volume",
    "Dilution Multiplier": "dilution_multiplier", "Sublist": "sublist",
    "Total Acq Time": "total_acq_time", "Max. Daily Dose": "max_daily_dose", "%J": "pct_j",
    "QC Failed Criteria": "qc_failed_criteria", "QC Failed Elements": "qc_failed_elements",
}
"""Log header → column name in the returned table (other headers become snake_case)."""

_NUMERIC = ("dilution", "dilution_result", "istd_conc", "final_weight_or_volume",
            "sample_weight_or_volume", "dilution_multiplier", "replicates")


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", str(name)).strip().casefold()


_KEYS = {_key(k): v for k, v in BATCHLOG_COLUMNS.items()}


def _snake(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.casefold()).strip("_") or "column"


def read_batchlog(path: str | PathLike[str], *, dayfirst: bool | None = None) -> pd.DataFrame:
    """Read a MassHunter ICP-MS ``BatchLog.csv`` into a table, one row per acquisition.

    Parameters
    ----------
    path
        The ``BatchLog.csv`` file.
    dayfirst
        Date style when the ``Acq. Date-Time`` column cannot tell.

    Returns
    -------
    pandas.DataFrame
        Columns from :data:`BATCHLOG_COLUMNS` (``sequence``, ``acquired`` in ISO 8601,
        ``vendor_type`` and the mapped ``sample_type``, ``sample_id``, ``data_file`` ...),
        ``-`` cells as missing, numbers as floats, plus ``source_line``. ``attrs`` holds
        ``date_rule`` and ``warnings``.

    Raises
    ------
    ParseError
        No ``#``/``Acq. Date-Time`` header; a truncated row; a ``#`` that is not a number.

    References
    ----------
    Agilent Technologies, *ICP-MS MassHunter* batch folder (``BatchLog.csv``); layout from
    real logs (``../shared/fixtures/EXPORTS.md`` §2.2; djdt/pewlib).

    Examples
    --------
    >>> from pathlib import Path
    >>> import labtox
    >>> from labtox.io.masshunter_icpms_batchlog import read_batchlog
    >>> log = read_batchlog(Path(labtox.__file__).parents[1] / "tests" / "data"
    ...                     / "masshunter_icpms_batchlog" / "BatchLog.csv")
    >>> print(log.loc[2, "sample_id"], log.loc[2, "acquisition_result"], log.loc[2, "acquired"])
    MNG-002 Fail 2024-03-21T13:29:40
    """
    p = Path(path)
    t = csv_table(p, None, ",;\t")
    h = next((i for i, r in enumerate(t.rows[:10])
              if r and r[0].strip() == "#" and "acq. date-time" in [_key(c) for c in r]), None)
    if h is None:
        first = next((",".join(r) for r in t.rows if any(c.strip() for c in r)), "")
        raise ParseError("no BatchLog header was found.", path=p,
                         line=t.lines[0] if t.lines else 1,
                         expected="a header starting '#,Acq. Date-Time,Sample Type,Sample Name'",
                         found=first[:80] or "an empty file")
    header = [c.strip() for c in t.rows[h]]
    width = max(j for j, c in enumerate(header) if c) + 1
    names = [_KEYS.get(_key(c), _snake(c)) for c in header[:width]]
    decimal = detect_decimal([c for i in range(h + 1, len(t.rows)) for c in t.rows[i]],
                             t.delimiter)
    body = [i for i in range(h + 1, len(t.rows)) if any(c.strip() for c in t.rows[i])]
    recs = []
    for i in body:
        r = t.rows[i]
        if len(r) < width:
            raise ParseError(
                "the row is shorter than the header: the file looks truncated or malformed.",
                path=p, line=t.lines[i], column=len(r) + 1,
                expected=f"{width} cells as in the header (line {t.lines[h]})",
                found=f"{len(r)} cells")
        recs.append([None if c.strip() in ("", "-") else c.strip() for c in r[:width]])
    df = pd.DataFrame(recs, columns=names)
    df["source_line"] = [t.where[i] for i in body]
    warnings: list[str] = []
    if "sequence" in df:
        v, f = vector_numbers(df["sequence"].tolist())
        for k, flag in enumerate(f):
            if flag is not None or v[k] != v[k]:
                raise ParseError("the acquisition number is not a number.", path=p,
                                 line=t.lines[body[k]], column="#",
                                 expected="an integer", found=df["sequence"].iloc[k])
        df["sequence"] = v.astype(int)
    for c in _NUMERIC:
        if c in df:
            v, f = vector_numbers(df[c].tolist(), decimal)
            if all(x is None for x in f):
                df[c] = v
    rule = None
    if "acquired" in df:
        df["acquired_raw"] = df["acquired"]
        df["acquired"], _raw, rule = dates_or_raw(
            df["acquired"].tolist(), dayfirst=dayfirst, path=p, column="Acq. Date-Time",
            lines=[t.lines[i] for i in body], warnings=warnings)
    if "vendor_type" in df:
        mapper = SampleTypeMapper()
        df["sample_type"] = mapper.map_all(list(df["vendor_type"]))
        warnings += mapper.warnings()
    df.attrs["date_rule"] = rule
    df.attrs["delimiter"] = t.delimiter
    df.attrs["decimal"] = decimal
    df.attrs["warnings"] = warnings
    return df
