"""Small table helpers behind the figures and captions (pure; no matplotlib).

They count, select and reshape; none of them estimates anything a statistics module should own,
except two textbook formulas kept here because figures need them when the caller has not
supplied them: the binomial confidence interval of an exceedance share (delegated to
:meth:`scipy.stats.binomtest` ``.proportion_ci``) and the confidence band of an unweighted
straight-line calibration (used only when the curve object does not provide its own band).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from labtox.errors import LabtoxError, SchemaError, SchemaProblem

__all__ = [
    "DECISIONS",
    "pick_column",
    "require_columns",
    "as_bool",
    "select_analyte",
    "worst_decision",
    "limits_of",
    "exceedance_table",
    "exceedance_table_from",
    "linear_confidence_band",
    "teq_table",
    "detection_summary",
]

DECISIONS: tuple[str, ...] = ("non-compliant", "inconclusive", "compliant", "not-decidable")
_RANK = {d: i for i, d in enumerate(DECISIONS)}
LIMIT_KEYS = ["analyte", "regime", "instrument", "provision", "limit", "limit_unit",
              "limit_basis", "status"]


def pick_column(df: pd.DataFrame, *names: str, required: bool = True,
                table: str = "table") -> str | None:
    """The first of ``names`` that is a column of ``df`` (tolerant adapters)."""
    for n in names:
        if n in df.columns:
            return n
    if required:
        raise SchemaError(table, [SchemaProblem(None, " | ".join(names), "column missing",
                                                sorted(map(str, df.columns)))])
    return None


def require_columns(df: pd.DataFrame, columns: Iterable[str], table: str) -> None:
    """Raise :class:`SchemaError` listing every missing column at once."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise SchemaError(table, [SchemaProblem(None, c, "column missing",
                                                sorted(map(str, df.columns))) for c in missing])


_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}


def as_bool(series: pd.Series, column: str = "censored") -> pd.Series:
    """A boolean column from bools or the strings a CSV round trip leaves (``True``/``false``/1)."""
    if series.dtype == bool:
        return series
    out = []
    bad = []
    for i, v in enumerate(series.tolist()):
        if isinstance(v, (bool, np.bool_)):
            out.append(bool(v))
            continue
        if v is None or (isinstance(v, float) and math.isnan(v)):
            bad.append(SchemaProblem(i, column, "missing value (expected true/false)", v))
            out.append(False)
            continue
        s = str(v).strip().lower()
        if s in _TRUE:
            out.append(True)
        elif s in _FALSE:
            out.append(False)
        else:
            bad.append(SchemaProblem(i, column, "not a boolean", v))
            out.append(False)
    if bad:
        raise SchemaError("results", bad)
    return pd.Series(out, index=series.index, dtype=bool)


def select_analyte(df: pd.DataFrame, analyte: str | None, table: str = "results") -> tuple[
        pd.DataFrame, str]:
    """Rows of one analyte (canonical names compared); the analyte is required when several."""
    require_columns(df, ["analyte"], table)
    present = list(dict.fromkeys(df["analyte"].astype(str)))
    if analyte is None:
        if len(present) != 1:
            raise LabtoxError(f"the {table} table holds several analytes; choose one.",
                              expected="analyte= one of " + ", ".join(present[:20]),
                              found=None)
        analyte = present[0]
    name = _canonical_name(analyte)
    mask = df["analyte"].astype(str).map(_canonical_name) == name
    if not mask.any():
        raise LabtoxError(f"no {table} rows for analyte {analyte!r}.",
                          expected="one of " + ", ".join(present[:20]), found=analyte)
    return df[mask], str(df.loc[mask, "analyte"].iloc[0])


def _canonical_name(label: str) -> str:
    from labtox.analytes import canonical
    from labtox.errors import AnalyteError

    try:
        return canonical(str(label)).name
    except AnalyteError:
        return str(label)


def worst_decision(compliance: pd.DataFrame, by: Sequence[str] = ("sample_id",)) -> pd.Series:
    """Each group's worst decision (non-compliant > inconclusive > compliant > not-decidable)."""
    require_columns(compliance, [*by, "decision"], "compliance")
    unknown = set(compliance["decision"].astype(str)) - set(DECISIONS)
    if unknown:
        raise SchemaError("compliance", [SchemaProblem(None, "decision", "unknown decision",
                                                       sorted(unknown))])
    ranked = compliance.assign(_r=compliance["decision"].map(_RANK))
    best = ranked.groupby(list(by), sort=True)["_r"].min()
    return best.map(dict(enumerate(DECISIONS)))


def _limit_frame(compliance: pd.DataFrame) -> pd.DataFrame:
    c = compliance.copy()
    for col in ("regime", "instrument", "provision", "limit_unit", "status"):
        if col not in c.columns:
            c[col] = ""
    # the compliance table's ``basis`` is the comparison basis (that of the limit)
    c["limit_basis"] = c["basis"] if "basis" in c.columns else ""
    for col in ("regime", "instrument", "provision", "limit_unit", "status", "limit_basis"):
        c[col] = c[col].fillna("").astype(str)
    return c


def limits_of(compliance: pd.DataFrame, analyte: str | None = None) -> pd.DataFrame:
    """The distinct limits applied (one row each), optionally for one analyte."""
    require_columns(compliance, ["analyte", "limit"], "compliance")
    c = _limit_frame(compliance)
    if analyte is not None:
        c, _ = select_analyte(c, analyte, "compliance")
    return c[LIMIT_KEYS].drop_duplicates().reset_index(drop=True)


def exceedance_table(compliance: pd.DataFrame, *, level: float = 0.95,
                     method: str = "wilson") -> pd.DataFrame:
    """Share of samples above each limit, with counts and a binomial confidence interval.

    For every distinct limit (analyte × act × provision × value), each sample counts once with
    its worst decision. ``n`` is the number of samples compared, ``k`` those non-compliant,
    ``m`` inconclusive and ``nd`` not decidable; ``share = k / n``. Inconclusive and
    not-decidable samples are *not* counted as exceeding, so the share is the proven share.

    Parameters
    ----------
    compliance
        The compliance table (one row per result × limit).
    level
        Confidence level of the interval.
    method
        ``"wilson"`` (Wilson score), ``"exact"`` (Clopper–Pearson) or ``"wilsoncc"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``analyte, regime, instrument, provision, limit, limit_unit, limit_basis,
        status, n, k, m, nd, share, lower, upper, level, method``.

    References
    ----------
    Wilson EB. J Am Stat Assoc 1927;22:209-212. Clopper CJ, Pearson ES. Biometrika
    1934;26:404-413. Computed by :func:`scipy.stats.binomtest` ``.proportion_ci``.

    Examples
    --------
    >>> c = pd.DataFrame({"sample_id": list("abcd"), "analyte": "Pb", "limit": 0.02,
    ...                   "decision": ["non-compliant", "compliant", "compliant",
    ...                                "inconclusive"]})
    >>> t = exceedance_table(c)
    >>> int(t.loc[0, "k"]), int(t.loc[0, "n"]), int(t.loc[0, "m"])
    (1, 4, 1)
    """
    from scipy.stats import binomtest

    if method not in ("wilson", "exact", "wilsoncc"):
        raise LabtoxError("unknown confidence-interval method.",
                          expected="wilson, exact or wilsoncc", found=method)
    if not 0 < level < 1:
        raise LabtoxError("the confidence level must be between 0 and 1.",
                          expected="0 < level < 1", found=level)
    require_columns(compliance, ["sample_id", "analyte", "limit", "decision"], "compliance")
    c = _limit_frame(compliance)
    rows = []
    for key, g in c.groupby(LIMIT_KEYS, sort=False, dropna=False):
        per_sample = worst_decision(g)
        counts = per_sample.value_counts()
        n = int(per_sample.size)
        k = int(counts.get("non-compliant", 0))
        row = dict(zip(LIMIT_KEYS, key, strict=False))
        row.update(n=n, k=k, m=int(counts.get("inconclusive", 0)),
                   nd=int(counts.get("not-decidable", 0)), share=k / n if n else float("nan"))
        if n:
            ci = binomtest(k, n).proportion_ci(confidence_level=level, method=method)
            row.update(lower=float(ci.low), upper=float(ci.high))
        else:
            row.update(lower=float("nan"), upper=float("nan"))
        row.update(level=level, method=method)
        rows.append(row)
    cols = [*LIMIT_KEYS, "n", "k", "m", "nd", "share", "lower", "upper", "level", "method"]
    return pd.DataFrame(rows, columns=cols)


def exceedance_table_from(results: Any, *, method: str = "wilson",
                          analyte: str = "", instrument: str = "", limit_unit: str = "",
                          status: str = "") -> pd.DataFrame:
    """The :func:`exceedance_table` layout from precomputed exceedance results.

    Parameters
    ----------
    results
        One result or a mapping ``label → result`` of objects like
        ``labtox.stats.exceedance.ExceedanceResult`` (``limit``, ``n``, ``n_above_lb``,
        ``n_above_ub``, ``conf_level``, ``ci_lb`` = ``{"wilson": (lo, hi),
        "clopper-pearson": (lo, hi)}``). With a mapping, each label is shown as the analyte.
    method
        ``"wilson"`` or ``"exact"`` (Clopper–Pearson) interval of the proven share.
    analyte, instrument, limit_unit, status
        Labels for a single result.

    Samples certainly above the limit are ``k``; those possibly above it (non-detects whose
    detection limit is above the limit) are ``m`` and drawn like inconclusive ones.
    """
    items = results.items() if isinstance(results, Mapping) else [(analyte, results)]
    key = {"wilson": "wilson", "exact": "clopper-pearson"}.get(method)
    if key is None:
        raise LabtoxError("unknown confidence-interval method.", expected="wilson or exact",
                          found=method)
    rows = []
    for label, r in items:
        lo, hi = r.ci_lb[key]
        rows.append({"analyte": str(label), "regime": "", "instrument": instrument,
                     "provision": "", "limit": r.limit, "limit_unit": limit_unit,
                     "limit_basis": "", "status": status, "n": int(r.n),
                     "k": int(r.n_above_lb), "m": int(r.n_above_ub - r.n_above_lb), "nd": 0,
                     "share": r.n_above_lb / r.n if r.n else float("nan"),
                     "lower": float(lo), "upper": float(hi), "level": float(r.conf_level),
                     "method": method})
    return pd.DataFrame(rows)


def linear_confidence_band(x: Sequence[float], y: Sequence[float], grid: Sequence[float],
                           level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fitted line and its two-sided confidence band for an unweighted straight-line fit.

    ŷ(x0) ± t(1 − α/2, n − 2) · s · sqrt(1/n + (x0 − x̄)² / Sxx), with s the residual standard
    deviation (Draper & Smith 1998, eq. 3.1.21; Massart et al. 1997, section 8.2.3).

    Used by the calibration figure only when the curve object offers no band of its own.

    References
    ----------
    Draper NR, Smith H. Applied Regression Analysis, 3rd ed. Wiley 1998.
    Massart DL et al. Handbook of Chemometrics and Qualimetrics, Part A. Elsevier 1997.
    """
    from scipy.stats import t as student_t

    x = np.asarray(x, float)
    y = np.asarray(y, float)
    g = np.asarray(grid, float)
    n = x.size
    if n < 3:
        raise LabtoxError("a confidence band needs at least 3 standards.", expected="n >= 3",
                          found=n)
    xm = x.mean()
    sxx = float(((x - xm) ** 2).sum())
    b1 = float(((x - xm) * (y - y.mean())).sum() / sxx)
    b0 = float(y.mean() - b1 * xm)
    s = math.sqrt(float(((y - (b0 + b1 * x)) ** 2).sum()) / (n - 2))
    half = student_t.ppf(1 - (1 - level) / 2, n - 2) * s * np.sqrt(1 / n + (g - xm) ** 2 / sxx)
    fit = b0 + b1 * g
    return fit, fit - half, fit + half


_DESIGN = {
    "linear": lambda g: np.stack([np.ones_like(g), g], axis=-1),
    "linear-through-origin": lambda g: g[:, None],
    "quadratic": lambda g: np.stack([np.ones_like(g), g, g * g], axis=-1),
}


def polynomial_confidence_band(model: str, predict: Any, covariance: Any, dof: int,
                               grid: Sequence[float], level: float = 0.95
                               ) -> tuple[np.ndarray, np.ndarray] | None:
    """Confidence band of a fitted polynomial calibration from its parameter covariance.

    ŷ(x0) ± t(1 − α/2, ν) · sqrt(gᵀ Cov(b) g), g = (1, x0[, x0²]) (``linear``,
    ``quadratic``) or (x0) (``linear-through-origin``), parameters ordered intercept, slope,
    curvature. Valid for ordinary and weighted least squares when ``covariance`` is the fit's
    Cov(b) (Draper & Smith 1998, sections 3.1 and 9.2). ``None`` for other models.

    References
    ----------
    Draper NR, Smith H. Applied Regression Analysis, 3rd ed. Wiley 1998.
    """
    from scipy.stats import t as student_t

    design = _DESIGN.get(str(model))
    cov = np.asarray(covariance, float) if covariance is not None else None
    g = np.asarray(grid, float)
    if design is None or cov is None or cov.ndim != 2 or not dof or dof < 1:
        return None
    x = design(g)
    if x.shape[1] != cov.shape[0]:
        return None
    se = np.sqrt(np.einsum("ij,jk,ik->i", x, cov, x))
    half = student_t.ppf(1 - (1 - level) / 2, dof) * se
    fit = np.asarray(predict(g), float)
    return fit - half, fit + half


def teq_table(teq: pd.DataFrame) -> pd.DataFrame:
    """TEQ contributions normalised to ``sample_id, congener, teq, unit, basis, share``.

    Accepts ``congener`` or ``analyte`` for the congener and ``teq``, ``teq_contribution``,
    ``contribution`` or ``value`` for the contribution; ``share`` is each congener's fraction of
    its sample's total.
    """
    cong = pick_column(teq, "congener", "analyte", table="teq")
    val = pick_column(teq, "teq", "teq_contribution", "contribution", "value", table="teq")
    out = pd.DataFrame({
        "sample_id": teq["sample_id"].astype(str) if "sample_id" in teq.columns else "all",
        "congener": teq[cong].astype(str),
        "teq": pd.to_numeric(teq[val], errors="coerce"),
        "unit": teq["unit"].astype(str) if "unit" in teq.columns else "",
        "basis": teq["basis"].astype(str) if "basis" in teq.columns else "",
    })
    bad = out.index[out["teq"].isna()].tolist()
    if bad:
        raise SchemaError("teq", [SchemaProblem(int(i), val, "not a number", teq[val].iloc[i])
                                  for i in bad])
    total = out.groupby("sample_id")["teq"].transform("sum")
    out["share"] = np.where(total > 0, out["teq"] / total.where(total > 0, 1.0), 0.0)
    return out


def detection_summary(results: pd.DataFrame) -> dict[str, Any]:
    """Counts for footers and caveats: samples, results, censored results and their share."""
    require_columns(results, ["sample_id", "censored"], "results")
    cens = as_bool(results["censored"])
    n = int(len(results))
    return {
        "n_samples": int(results["sample_id"].nunique()),
        "n_results": n,
        "n_censored": int(cens.sum()),
        "share_censored": float(cens.sum() / n) if n else float("nan"),
    }
