"""One tidy row of censored-data statistics per group of a labtox results table."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from labtox.errors import SchemaError, SchemaProblem
from labtox.stats._common import CensoredDataError, PoolingError

__all__ = ["summarise", "choose_method", "SUMMARY_METHODS", "SUMMARY_COLUMNS"]

SUMMARY_METHODS = ("auto", "km", "ros", "mle", "LB", "MB", "UB")
SUMMARY_COLUMNS = (
    "n", "n_censored", "pct_censored", "n_detection_limits", "min_detection_limit",
    "max_detection_limit", "max_detect", "mean", "sd", "median", "p95", "ucl95",
    "ucl95_method", "mean_lb", "mean_ub", "method", "reason", "warnings")
_KEYS = ("analyte", "unit", "basis")
_SUM_KEYS = ("scheme", "bound")  # sum parameters (labtox.teq): one row per bound and scheme


def choose_method(n: int, n_censored: int, n_distinct_detects: int,
                  any_nonpositive: bool = False) -> tuple[str, str]:
    """Method suggested by Helsel's guidance for the sample size and share of non-detects.

    ================================  =====================================================
    situation                         method
    ================================  =====================================================
    no non-detects                    ``ordinary`` (sample mean, SD, quantiles, t-UCL)
    no detect, or < 2 distinct        ``counts`` (only n, non-detects, limits)
    > 80 % non-detects                ``counts`` (report the share above the limits)
    < 50 % non-detects                ``km`` (Kaplan–Meier)
    50–80 %, n < 50                   ``ros`` (robust ROS)
    50–80 %, n >= 50                  ``mle`` (lognormal censored MLE)
    ================================  =====================================================

    Lognormal methods (``ros``, ``mle``) need positive values; with zeros or negative
    detects ``km`` is used instead and the reason says so.

    References
    ----------
    Helsel, D.R. (2005). *Nondetects and Data Analysis*, Wiley, ch. 6 (summary of
    recommended methods by percentage of non-detects and sample size); Helsel, D.R. (2012).
    *Statistics for Censored Environmental Data*, 2nd ed., ch. 6. The thresholds are those
    commonly quoted from these books; the exact table was not available to us.

    Examples
    --------
    >>> choose_method(20, 4, 16)[0]
    'km'
    """
    pct = 100.0 * n_censored / n if n else float("nan")
    if n_censored == 0:
        return "ordinary", "no non-detects: ordinary sample statistics"
    if n_censored == n:
        return "counts", (f"all {n} values are non-detects: no distribution can be estimated; "
                          "only counts and detection limits are reported (Helsel 2012)")
    if pct > 80:
        return "counts", (f"{pct:.0f} % non-detects (> 80 %): Helsel (2012) advises reporting "
                          "only counts and the share above the limits, not a mean")
    if n_distinct_detects < 2:
        return "counts", (f"only {n_distinct_detects} distinct detected value: too few to "
                          "estimate a distribution")
    if pct < 50:
        return "km", f"{pct:.0f} % non-detects (< 50 %): Kaplan-Meier (Helsel 2012)"
    if any_nonpositive:
        return "km", (f"{pct:.0f} % non-detects; zero or negative values rule out the "
                      "lognormal methods (ROS, MLE): Kaplan-Meier used")
    if n < 50:
        return "ros", (f"{pct:.0f} % non-detects (50-80 %) and n = {n} < 50: robust ROS "
                       "(Helsel 2012)")
    return "mle", (f"{pct:.0f} % non-detects (50-80 %) and n = {n} >= 50: lognormal MLE "
                   "(Helsel 2012)")


def _censored_flags(col: pd.Series) -> np.ndarray:
    out = np.empty(len(col), dtype=bool)
    for i, v in enumerate(col.tolist()):
        if isinstance(v, (bool, np.bool_)):
            out[i] = bool(v)
        elif isinstance(v, (int, float, np.integer, np.floating)) and v in (0, 1):
            out[i] = bool(v)
        elif isinstance(v, str) and v.strip().lower() in ("true", "false", "1", "0", "yes",
                                                           "no"):
            out[i] = v.strip().lower() in ("true", "1", "yes")
        else:
            raise CensoredDataError(f"results row {i}: 'censored' is not a boolean.",
                                    column="censored", expected="True/False", found=v)
    return out


def _norm_unit(u: object) -> str:
    from labtox.units import normalise_unit

    s = str(u).strip()
    try:
        return normalise_unit(s)
    except Exception:
        return s


def _stats_for(x: np.ndarray, c: np.ndarray, method: str, conf_level: float
               ) -> tuple[dict[str, object], str, str, list[str]]:
    """Compute one row's statistics; returns (values, method used, extra reason, warnings)."""
    from scipy import stats

    from labtox.stats.km import kaplan_meier
    from labtox.stats.mle import censored_mle
    from labtox.stats.ros import ros
    from labtox.stats.substitution import substitution
    from labtox.stats.ucl import ucl95

    nan = float("nan")
    row: dict[str, object] = {"mean": nan, "sd": nan, "median": nan, "p95": nan,
                              "ucl95": nan, "ucl95_method": ""}
    warns: list[str] = []
    if method in ("ordinary", "bound"):
        n = x.size
        row.update(mean=float(x.mean()), sd=float(x.std(ddof=1)) if n > 1 else nan,
                   median=float(np.median(x)), p95=float(np.quantile(x, 0.95)))
        if n > 1:
            se = float(x.std(ddof=1) / np.sqrt(n))
            row.update(ucl95=float(x.mean() + stats.t.ppf(conf_level, n - 1) * se),
                       ucl95_method="student-t")
    elif method == "km":
        r = kaplan_meier(x, c)
        row.update(mean=r.mean, sd=r.sd, median=r.median, p95=r.quantiles[0.95])
        u = ucl95(x, c, "km-t", conf_level=conf_level)
        row.update(ucl95=u.ucl, ucl95_method="km-t")
        warns.extend(r.warnings)
        for label, v in (("median", r.median), ("p95", r.quantiles[0.95])):
            if np.isnan(v):
                warns.append(f"{label} not determined by the Kaplan-Meier steps (below the "
                             "lowest detect or beyond the last step)")
    elif method == "ros":
        r = ros(x, c)
        row.update(mean=r.mean, sd=r.sd, median=r.median, p95=r.quantiles[0.95])
        u = ucl95(x, c, "km-t", conf_level=conf_level)
        row.update(ucl95=u.ucl, ucl95_method="km-t")
        warns.extend(r.warnings)
    elif method == "mle":
        r = censored_mle(x, c, "lognorm")
        row.update(mean=r.mean, sd=r.sd, median=r.median, p95=r.quantiles[0.95])
        u = ucl95(x, c, "lognormal-mle", conf_level=conf_level)
        row.update(ucl95=u.ucl, ucl95_method="lognormal-mle")
        warns.extend(r.warnings)
    elif method in ("LB", "MB", "UB"):
        r = substitution(x, c, method, probs=(0.95,))
        row.update(mean=r.mean, sd=r.sd, median=r.median, p95=r.quantiles[0.95])
    return row, method, "", warns


def summarise(results: pd.DataFrame, by: Sequence[str] = (), method: str = "auto", *,
              split_units: bool = False, conf_level: float = 0.95) -> pd.DataFrame:
    """Summarise a labtox results table: one tidy row per analyte × unit × basis × ``by``.

    Parameters
    ----------
    results
        The results table (``analyte, value, unit, basis, censored`` are required; for a
        non-detect ``value`` is its limit).
    by
        Extra grouping columns (e.g. ``["site"]``). ``analyte``, ``unit`` and ``basis`` are
        always grouping keys.
    method
        ``"auto"`` (Helsel's guidance, see :func:`choose_method`), ``"km"``, ``"ros"``,
        ``"mle"`` (lognormal) or a substitution bound ``"LB"``/``"MB"``/``"UB"``. When the
        requested method cannot be used for a group, the row falls back (to ``km``, else
        ``counts``) and ``reason`` says so; nothing is switched silently.
    split_units
        If an analyte appears in more than one unit or basis within a group, raise
        :class:`PoolingError` (default) or, when ``True``, report each unit/basis separately.
    conf_level
        Level of the one-sided UCL.

    Sum parameters (rows with a ``bound``, e.g. TEQ at the lower/medium/upper bound, as
    written by :mod:`labtox.teq`) are grouped by ``scheme`` and ``bound`` too and summarised
    with ordinary statistics (method ``bound``): the substitution is part of each sum.

    Returns
    -------
    pandas.DataFrame
        Keys, then ``SUMMARY_COLUMNS``: counts, detection limits, ``mean, sd, median, p95,
        ucl95`` (NaN for ``counts``), ``mean_lb``/``mean_ub`` (substitution bounds, always
        given), ``method`` used and ``reason``. The UCL is the Student-t UCL for ``ordinary``,
        KM-t for ``km`` and ``ros`` (ProUCL favours KM-based UCLs), the profile-likelihood
        lognormal UCL for ``mle``; see :func:`labtox.stats.ucl95`.

    Raises
    ------
    SchemaError
        A required or ``by`` column is missing.
    PoolingError
        Units or bases would be mixed, or a row has no unit/basis.
    CensoredDataError
        A value is missing or a ``censored`` flag is not boolean.

    References
    ----------
    Helsel, D.R. (2012). *Statistics for Censored Environmental Data Using Minitab and R*,
    2nd ed., Wiley. EFSA (2010) EFSA Journal 8(3):1557 (LB/UB).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"analyte": "Pb", "unit": "µg/kg", "basis": "wet",
    ...                   "value": [1, 2, 3, 4], "censored": [True, False, False, False]})
    >>> summarise(t)[["analyte", "n", "n_censored", "method"]].to_dict("records")
    [{'analyte': 'Pb', 'n': 4, 'n_censored': 1, 'method': 'km'}]
    """
    if method not in SUMMARY_METHODS:
        raise CensoredDataError(f"Unknown summary method {method!r}.",
                                expected=", ".join(repr(m) for m in SUMMARY_METHODS),
                                found=method)
    by = [b for b in dict.fromkeys(by) if b not in (*_KEYS, *_SUM_KEYS)]
    sum_keys = [k for k in _SUM_KEYS if k in results.columns]
    required = ["analyte", "value", "unit", "basis", "censored", *by]
    missing = [col for col in required if col not in results.columns]
    if missing:
        raise SchemaError("results", [SchemaProblem(None, col, "missing column", None)
                                      for col in missing])
    df = results.reset_index(drop=True)
    vals = pd.to_numeric(df["value"], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(vals)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        sid = df["sample_id"].iloc[i] if "sample_id" in df.columns else None
        raise CensoredDataError(
            f"results row {i} ({df['analyte'].iloc[i]}, sample {sid}) has no numeric value.",
            column="value", found=df["value"].iloc[i],
            hint=f"{int(bad.sum())} row(s) without a value; a non-detect carries its limit.")
    cen = _censored_flags(df["censored"])
    unit = df["unit"]
    basis = df["basis"]
    nounit = unit.isna().to_numpy() | (unit.astype(str).str.strip() == "").to_numpy()
    nobasis = basis.isna().to_numpy() | (basis.astype(str).str.strip() == "").to_numpy()
    if (nounit | nobasis).any():
        rows = np.flatnonzero(nounit | nobasis)
        raise PoolingError(
            f"{rows.size} result row(s) have no unit or basis (first: row {int(rows[0])}); "
            "values without unit and basis cannot be pooled into statistics.",
            column="unit" if nounit.any() else "basis", expected="a unit and a basis")
    work = pd.DataFrame({"analyte": df["analyte"].astype(str),
                         "unit": [_norm_unit(u) for u in unit],
                         "basis": basis.astype(str).str.strip().str.lower()})
    for b in (*sum_keys, *by):
        work[b] = df[b].astype(str).where(df[b].notna(), "")
    is_bound = (work["bound"] != "").to_numpy() if "bound" in work else np.zeros(len(df), bool)
    badlim = cen & (vals <= 0) & ~is_bound
    if badlim.any():
        i = int(np.flatnonzero(badlim)[0])
        sid = df["sample_id"].iloc[i] if "sample_id" in df.columns else None
        raise CensoredDataError(
            f"results row {i} ({df['analyte'].iloc[i]}, sample {sid}) is a non-detect with "
            f"limit {float(vals[i])!r}.", column="value",
            expected="a positive detection limit for every non-detect", found=float(vals[i]),
            hint=f"{int(badlim.sum())} such row(s) in total.")
    work["_value"] = vals
    work["_cen"] = cen
    outer = [*by, "analyte", *sum_keys]
    ub = work.groupby(outer, sort=True, dropna=False)[["unit", "basis"]].nunique()
    mixed = ub[(ub["unit"] > 1) | (ub["basis"] > 1)]
    if len(mixed) and not split_units:
        key = mixed.index[0]
        key = key if isinstance(key, tuple) else (key,)
        sel = np.ones(len(work), dtype=bool)
        for col, v in zip(outer, key, strict=True):
            sel &= (work[col] == v).to_numpy()
        combos = work[sel].groupby(["unit", "basis"]).size()
        listing = ", ".join(f"'{u} {b}' ({k} rows)" for (u, b), k in combos.items())
        where = ", ".join(f"{col}={v}" for col, v in zip(outer, key, strict=True))
        raise PoolingError(
            f"{where} is reported in {len(combos)} units/bases: {listing}; statistics never "
            "pool different units or bases.",
            hint="Convert to one unit and basis first (labtox.units.convert / convert_basis), "
                 "or pass split_units=True to summarise each separately.")
    keys = ["analyte", "unit", "basis", *sum_keys, *by]
    rows = []
    for gkey, grp in work.groupby(keys, sort=True, dropna=False):
        x = grp["_value"].to_numpy()
        c = grp["_cen"].to_numpy()
        n, ncen = int(x.size), int(c.sum())
        det = x[~c]
        ndist = int(np.unique(det).size)
        nonpos = bool(np.any(x <= 0))
        auto_m, auto_reason = choose_method(n, ncen, ndist, nonpos)
        reason_parts: list[str] = []
        bound = str(grp["bound"].iloc[0]) if "bound" in grp else ""
        if bound:
            use = "bound"
            if method != "auto":
                reason_parts.append(f"requested: {method}; not applicable")
            reason_parts.append(
                f"sum parameter at the {bound} bound: non-detects are already substituted "
                "in each sum, so ordinary statistics of the bound values are reported "
                f"(EFSA 2010); {ncen} sum(s) have no detected contributor")
        elif method == "auto":
            use, reason_parts = auto_m, [auto_reason]
        elif method in ("LB", "MB", "UB"):
            use = method
            reason_parts = [f"requested: substitution {method}"]
        else:
            use = method
            reason_parts = [f"requested: {method}"]
            if ncen == 0 and method in ("km", "ros"):
                reason_parts.append("no non-detects, so this equals ordinary statistics")
            lognormal = method in ("ros", "mle")
            if lognormal and nonpos:
                use = "km" if ndist >= 2 else "counts"
                reason_parts.append(f"zero or negative values: {method} not applicable; "
                                    f"fell back to {use}")
            elif lognormal and ndist < 2:
                use = "counts"
                reason_parts.append(f"fewer than 2 distinct detects: {method} not "
                                    f"applicable; fell back to {use}")
            elif method == "km" and ndist < 1:
                use = "counts"
                reason_parts.append("no detected value: Kaplan-Meier undefined; fell back to "
                                    "counts")
        stats_row, used, _, warns = _stats_for(x, c, use, conf_level)
        limits = np.unique(x[c])
        rec = dict(zip(keys, gkey if isinstance(gkey, tuple) else (gkey,), strict=True))
        rec.update({
            "n": n, "n_censored": ncen, "pct_censored": 100.0 * ncen / n,
            "n_detection_limits": int(limits.size),
            "min_detection_limit": float(limits.min()) if limits.size else np.nan,
            "max_detection_limit": float(limits.max()) if limits.size else np.nan,
            "max_detect": float(det.max()) if det.size else np.nan,
            **stats_row,
            "mean_lb": float(np.where(c, 0.0, x).mean()),
            "mean_ub": float(x.mean()),
            "method": used, "reason": "; ".join(reason_parts), "warnings": "; ".join(warns),
        })
        rows.append(rec)
    out = pd.DataFrame(rows, columns=[*keys, *SUMMARY_COLUMNS])
    return out
