"""Quality-control checks and verdicts.

Each check is a pure function returning plain numbers; :func:`verdict_row` turns a number and its
criterion into one row of the QC table (``check, analyte, sample_id, sequence, value, unit,
criterion, threshold, verdict, rule, reference``). :func:`labtox.batch.quantify_run` applies a
method's criteria with them while it quantifies a batch (calibration r² and back-calculated
standards, method blanks, CCV/ICV, CRM recovery and ζ, spike recovery, duplicate RPD, ISTD
recovery); Westgard rules for control charts are in :mod:`labtox.qc_rules`.

Verdicts are ``pass``, ``fail``, ``warn`` (a warning limit exceeded, e.g. |z| between 2 and 3)
and ``not-evaluated`` (the data needed were absent — said, never skipped silently).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "QC_COLUMNS",
    "en_score",
    "zeta_score",
    "recovery_pct",
    "spike_recovery_pct",
    "rpd_pct",
    "verdict_row",
    "within",
    "QCCriterion",
]

QC_COLUMNS = ["check", "analyte", "sample_id", "sequence", "value", "unit", "criterion",
              "threshold", "verdict", "rule", "reference"]


def en_score(x_lab: float, U_lab: float, x_ref: float, U_ref: float) -> float:
    """E_n number ``(x − X) / sqrt(U_lab² + U_ref²)`` with *expanded* uncertainties (k = 2);
    |E_n| ≤ 1 is satisfactory.

    References
    ----------
    ISO 13528:2015 "Statistical methods for use in proficiency testing", §9.7.

    Examples
    --------
    >>> round(en_score(0.105, 0.010, 0.100, 0.005), 4)
    0.4472
    """
    den = np.hypot(U_lab, U_ref)
    return float((x_lab - x_ref) / den) if den > 0 else float("nan")


def zeta_score(x_lab: float, u_lab: float, x_ref: float, u_ref: float) -> float:
    """ζ score ``(x − X) / sqrt(u_lab² + u_ref²)`` with *standard* uncertainties;
    |ζ| ≤ 2 satisfactory, 2 < |ζ| < 3 questionable, ≥ 3 unsatisfactory.

    References
    ----------
    ISO 13528:2015, §9.6.
    """
    den = np.hypot(u_lab, u_ref)
    return float((x_lab - x_ref) / den) if den > 0 else float("nan")


def recovery_pct(measured: float, reference: float) -> float:
    """Apparent recovery ``100 · measured / reference`` (CRM, CCV, ISTD).

    References
    ----------
    IUPAC Harmonised guidelines for the use of recovery information, Thompson et al.,
    Pure Appl. Chem. 71 (1999) 337, §3.
    """
    return float(100.0 * measured / reference) if reference else float("nan")


def spike_recovery_pct(spiked: float, unspiked: float, added: float) -> float:
    """Matrix-spike recovery ``100 · (C_spiked − C_unspiked) / C_added``.

    References
    ----------
    US EPA Method 6020B (2014) §9.7; SANTE/11312/2021 Annex, D (recovery).

    Examples
    --------
    >>> spike_recovery_pct(0.145, 0.050, 0.100)
    95.0
    """
    return float(round(100.0 * (spiked - unspiked) / added, 12)) if added else float("nan")


def rpd_pct(a: float, b: float) -> float:
    """Relative percent difference of duplicates ``100 · |a − b| / ((a + b)/2)``.

    References
    ----------
    US EPA SW-846 Chapter One (2014), §1.5 (duplicate precision); EPA Method 6020B §9.6.

    Examples
    --------
    >>> round(rpd_pct(10.0, 12.0), 4)
    18.1818
    """
    m = (a + b) / 2.0
    return float(100.0 * abs(a - b) / m) if m else float("nan")


def within(value: float, low: float | None, high: float | None) -> bool:
    """``low ≤ value ≤ high`` with ``None`` meaning unbounded."""
    if not np.isfinite(value):
        return False
    return (low is None or value >= low) and (high is None or value <= high)


@dataclass(frozen=True)
class QCCriterion:
    """One acceptance criterion: ``low ≤ value ≤ high`` (None = unbounded), with its source."""

    check: str
    low: float | None
    high: float | None
    unit: str
    rule: str
    reference: str

    def threshold_text(self) -> str:
        if self.low is not None and self.high is not None:
            return f"{self.low:g}–{self.high:g} {self.unit}".strip()
        if self.high is not None:
            return f"≤ {self.high:g} {self.unit}".strip()
        if self.low is not None:
            return f"≥ {self.low:g} {self.unit}".strip()
        return "none"


def verdict_row(
    criterion: QCCriterion,
    value: float,
    *,
    analyte: str = "",
    sample_id: str = "",
    sequence: int | None = None,
    warn: tuple[float | None, float | None] | None = None,
) -> dict:
    """One QC-table row: ``pass`` when the value meets the criterion; ``warn`` when it misses
    the criterion but lies within the optional ``warn`` bounds (ζ scores: |ζ| ≤ 2 pass,
    ≤ 3 warn, beyond fail); else ``fail``. A non-finite value is ``not-evaluated``.

    Examples
    --------
    >>> c = QCCriterion("crm-zeta", -2, 2, "", "|ζ| ≤ 2", "ISO 13528:2015 §9.6")
    >>> [verdict_row(c, z, warn=(-3, 3))["verdict"] for z in (1.5, -2.5, 3.5, float("nan"))]
    ['pass', 'warn', 'fail', 'not-evaluated']
    """
    if value is None or not np.isfinite(value):
        verdict = "not-evaluated"
    elif within(value, criterion.low, criterion.high):
        verdict = "pass"
    elif warn is not None and within(value, *warn):
        verdict = "warn"
    else:
        verdict = "fail"
    return {
        "check": criterion.check, "analyte": analyte, "sample_id": sample_id,
        "sequence": sequence, "value": value, "unit": criterion.unit,
        "criterion": criterion.threshold_text(), "threshold": criterion.high
        if criterion.high is not None else criterion.low,
        "verdict": verdict, "rule": criterion.rule, "reference": criterion.reference,
    }


def qc_frame(rows: Iterable[dict]) -> pd.DataFrame:
    """The QC table from rows, with every column present and a stable order."""
    df = pd.DataFrame(list(rows), columns=QC_COLUMNS)
    return df
