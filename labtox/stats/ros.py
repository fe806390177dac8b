"""Robust regression on order statistics (ROS) for data with one or more detection limits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from labtox.stats._common import (
    DEFAULT_PROBS,
    CensoredDataError,
    InsufficientDataError,
    prepare,
    quantile_label,
)

__all__ = ["ROSResult", "ros", "hc_plotting_positions"]


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a


def _ppoints(n: int) -> np.ndarray:
    """R's ``ppoints(n)``: (i - a)/(n + 1 - 2a), a = 3/8 for n <= 10 else 1/2."""
    a = 3.0 / 8.0 if n <= 10 else 0.5
    return (np.arange(1, n + 1) - a) / (n + 1 - 2 * a)


def hc_plotting_positions(x_sorted: np.ndarray, c_sorted: np.ndarray, a: float = 0.0
                          ) -> tuple[np.ndarray, np.ndarray]:
    """Helsel–Cohn (1988) plotting positions for sorted data with multiple detection limits.

    Vectorised form of NADA's ``cohn``/``hc.ppoints`` (Hirsch & Stedinger 1987,
    plotting-position constant 0). For limit j: ``A_j`` detects in ``[DL_j, DL_{j+1})``,
    ``B_j`` observations below ``DL_j`` (non-detects with limit <= ``DL_j`` plus detects
    < ``DL_j``; an older NADA source counted every observation <= ``DL_j``, which does not
    reproduce the published NADA or statsmodels numbers), ``P_j`` the probability of exceeding
    ``DL_j``: ``1 - P_j = Π_{i>=j} (1 - A_i/(A_i+B_i))``. Detects get
    ``(1-P_j) + (P_j - P_{j+1})·(r-a)/(A_j+1-2a)``, non-detects ``(1-P_j)·(r-a)/(C_j+1-2a)``
    with plotting-position constant ``a`` (0 in NADA and Helsel & Cohn; EnvStats
    ``ppointsCensored`` uses 0.375 by default). ``x_sorted`` must be sorted ascending (stably).

    Returns
    -------
    pp
        Plotting position of every observation (same order as the input).
    limits
        The detection limits used (a 0 is prepended when detects lie below the lowest limit).
    """
    n = x_sorted.size
    if not c_sorted.any():
        return _ppoints(n), np.array([])
    det = x_sorted[~c_sorted]
    cen = x_sorted[c_sorted]
    limits, C = np.unique(cen, return_counts=True)
    if det.size and det[0] < limits[0]:
        limits = np.concatenate(([0.0], limits))
        C = np.concatenate(([0], C))
    # A_j: detects in [limit_j, limit_{j+1});
    # B_j: observations below limit_j = non-detects with limit <= limit_j + detects < limit_j
    edges = np.searchsorted(det, limits, side="left")
    A = np.diff(np.concatenate((edges, [det.size])))
    B = np.searchsorted(cen, limits, side="right") + edges
    frac = A / (A + B)
    # 1 - P_j = prod_{i >= j} (1 - frac_i)   (P: probability of exceeding limit j)
    one_minus_p = np.cumprod((1.0 - frac)[::-1])[::-1]
    P = 1.0 - one_minus_p
    p_next = np.concatenate((P[1:], [0.0]))
    pp = np.empty(n)
    # detects: group = last limit <= value
    g = np.searchsorted(limits, det, side="right") - 1
    rank = np.arange(det.size) - edges[g] + 1
    pp_det = (1.0 - P[g]) + (P[g] - p_next[g]) * (rank - a) / (A[g] + 1 - 2 * a)
    # censored: group = its own limit; ranks 1..C_j in (stable) sorted order
    gc = np.searchsorted(limits, cen, side="left")
    first = np.searchsorted(cen, limits, side="left")
    rank_c = np.arange(cen.size) - first[gc] + 1
    pp_cen = (1.0 - P[gc]) * (rank_c - a) / (C[gc] + 1 - 2 * a)
    pp[~c_sorted] = pp_det
    pp[c_sorted] = pp_cen
    return pp, limits


@dataclass(frozen=True)
class ROSResult:
    """Result of :func:`ros` (robust regression on order statistics).

    Attributes
    ----------
    modeled
        Detected values kept as measured and non-detects replaced by their imputed values,
        **in input order**; NaN for rows not used (see ``dropped``).
    dropped
        Rows left out of the fit: non-detects whose limit exceeds the largest detect (NADA).
    plotting_positions
        Helsel–Cohn plotting position of each row, input order (NaN when dropped).
    intercept, slope
        Regression of ``log(detect)`` on the normal score of its plotting position.
    mean, sd, median, quantiles
        Sample statistics of the modeled values (sd with divisor n - 1, quantiles R type 7),
        as NADA ``mean/sd/median/quantile(ros)``.
    detection_limits
        Distinct limits of the non-detects used.
    """

    n: int
    n_censored: int
    n_used: int
    mean: float
    sd: float
    median: float
    quantiles: dict[float, float]
    intercept: float
    slope: float
    modeled: np.ndarray = field(repr=False)
    values: np.ndarray = field(repr=False)
    censored: np.ndarray = field(repr=False)
    plotting_positions: np.ndarray = field(repr=False)
    dropped: np.ndarray = field(repr=False)
    detection_limits: tuple[float, ...] = ()
    plotting_constant: float = 0.0
    transform: str = "log"
    method: str = ("robust ROS (Helsel & Cohn 1988 plotting positions, OLS of log detects on "
                   "normal scores; NADA ros)")
    warnings: tuple[str, ...] = ()

    @property
    def cv(self) -> float:
        """Coefficient of variation ``sd / mean`` of the modeled values."""
        return self.sd / self.mean

    def to_frame(self) -> pd.DataFrame:
        """One row per input observation (input order): value, censored, pp, modeled, dropped."""
        return pd.DataFrame({"value": self.values, "censored": self.censored,
                             "plotting_position": self.plotting_positions,
                             "modeled": self.modeled, "dropped": self.dropped})

    def summary_frame(self) -> pd.DataFrame:
        """One tidy row of the summary statistics."""
        row = {"method": "ros", "n": self.n, "n_censored": self.n_censored,
               "n_used": self.n_used, "mean": self.mean, "sd": self.sd, "median": self.median,
               "intercept": self.intercept, "slope": self.slope}
        row.update({quantile_label(p): v for p, v in self.quantiles.items()})
        return pd.DataFrame([row])


def ros(values: Sequence[float] | np.ndarray, censored: Sequence[bool] | np.ndarray, *,
        plotting_constant: float = 0.0,
        probs: Sequence[float] = DEFAULT_PROBS) -> ROSResult:
    """Robust regression on order statistics for left-censored data (NADA ``ros``).

    1. Non-detects whose limit exceeds the largest detect are dropped (as NADA and statsmodels
       do); they are reported in ``dropped`` and ``warnings``, never silently.
    2. Plotting positions by Helsel & Cohn (1988) for multiple detection limits.
    3. OLS of ``log(detects)`` on ``Φ⁻¹(pp)``; each non-detect is imputed as
       ``exp(intercept + slope·Φ⁻¹(pp))``; detects keep their measured values.

    Within one detection limit the imputed values (increasing with plotting position) go to the
    non-detects in their input order, as NADA's stable sort does; they are exchangeable.

    Differences from ``statsmodels.imputation.ros.impute_ros`` (chosen: NADA): statsmodels
    silently substitutes ½·DL when more than 80 % are censored or fewer than 2 detects exist,
    and returns values re-ordered (censored first). Here ROS is always computed (a warning is
    recorded above 80 % censoring) and values are returned in input order. Imputed values can
    exceed their own limit (Helsel & Cohn 1988, App. B); they are not clipped.

    Parameters
    ----------
    values
        Detected values and, for non-detects, their detection limits; all must be > 0.
    censored
        ``True`` for a non-detect.
    plotting_constant
        ``a`` in the Hirsch–Stedinger plotting positions ``(r - a)/(m + 1 - 2a)``. 0 (default)
        is NADA / Helsel & Cohn (1988) / statsmodels; 0.375 reproduces EnvStats
        ``elnormAltCensored(method="rROS")`` for data with several limits (for a single limit
        EnvStats switches to ``ppoints(N, a)`` over all N, which labtox does not).
    probs
        Quantile probabilities (R type 7 on the modeled values).

    Returns
    -------
    ROSResult

    Raises
    ------
    CensoredDataError
        NaN, zero or negative values (the log is undefined), mismatched lengths.
    InsufficientDataError
        Fewer than 2 distinct detected values (the regression is undefined).

    References
    ----------
    Helsel, D.R. & Cohn, T.A. (1988). Estimation of descriptive statistics for multiply
    censored water quality data. *Water Resour. Res.* 24(12):1997-2004.
    Hirsch, R.M. & Stedinger, J.R. (1987). *Water Resour. Res.* 23(4):715-727.
    Helsel, D.R. (2012). *Statistics for Censored Environmental Data*, 2nd ed., ch. 6.
    Lee, L. & Helsel, D. NADA R package, ``ros``.

    Examples
    --------
    >>> r = ros([0.5, 0.5, 1, 1.5, 5, 10, 100], [True, False, False, True, False, False, False])
    >>> round(r.mean, 6)
    16.689773
    """
    x, c = prepare(values, censored, name="ros", positive=True)
    n = x.size
    warns: list[str] = []
    det = x[~c]
    if np.unique(det).size < 2:
        raise InsufficientDataError(
            "ROS needs at least 2 distinct detected values to fit its regression line.",
            expected=">= 2 distinct detects", found=int(np.unique(det).size),
            hint="Report counts, or use kaplan_meier()/substitution().")
    if c.mean() > 0.8:
        warns.append(f"{100 * c.mean():.0f} % non-detects (> 80 %): ROS results are tenuous "
                     "(NADA); no substitution fallback is applied")
    dropped = c & (x > det.max())
    if dropped.any():
        warns.append(f"{int(dropped.sum())} non-detect(s) with a limit above the largest "
                     "detect were dropped from ROS (NADA convention)")
    keep = np.flatnonzero(~dropped)
    xk, ck = x[keep], c[keep]
    order = np.argsort(xk, kind="stable")
    xs, cs = xk[order], ck[order]
    if not 0.0 <= plotting_constant < 0.5:
        raise CensoredDataError("plotting_constant must lie in [0, 0.5).",
                                expected="0 <= a < 0.5", found=plotting_constant)
    pp, limits = hc_plotting_positions(xs, cs, plotting_constant)
    from scipy import special

    zq = special.ndtri(pp)
    ylog = np.log(xs[~cs])
    zd = zq[~cs]
    zbar, ybar = zd.mean(), ylog.mean()
    slope = float(np.sum((zd - zbar) * (ylog - ybar)) / np.sum((zd - zbar) ** 2))
    intercept = float(ybar - slope * zbar)
    mod_sorted = xs.copy()
    mod_sorted[cs] = np.exp(intercept + slope * zq[cs])
    modeled = np.full(n, np.nan)
    pps = np.full(n, np.nan)
    idx = keep[order]
    modeled[idx] = mod_sorted
    pps[idx] = pp
    used = mod_sorted
    quants = dict(zip(map(float, probs), map(float, np.quantile(used, list(probs))), strict=True))
    return ROSResult(
        n=n, n_censored=int(c.sum()), n_used=int(used.size), mean=float(used.mean()),
        sd=float(used.std(ddof=1)) if used.size > 1 else float("nan"),
        median=float(np.median(used)), quantiles=quants, intercept=intercept, slope=slope,
        modeled=_frozen(modeled), values=_frozen(x), censored=_frozen(c),
        plotting_positions=_frozen(pps), dropped=_frozen(dropped),
        detection_limits=tuple(float(v) for v in limits if v > 0),
        plotting_constant=float(plotting_constant), warnings=tuple(warns))
