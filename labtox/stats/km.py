"""Kaplan–Meier estimate of the distribution of left-censored data (non-detects)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from labtox.stats._common import DEFAULT_PROBS, InsufficientDataError, prepare, quantile_label

__all__ = ["KaplanMeierResult", "kaplan_meier", "km_core"]

_ALL_EQUAL_TOL = 1.5e-8  # R's all.equal() tolerance, used by NADA's stepfind()


@dataclass(frozen=True)
class _KM:
    y: np.ndarray        # distinct detected values, ascending
    m: np.ndarray        # number of detects at each y
    r: np.ndarray        # number of observations <= y (at risk, in the flipped time scale)
    cdf: np.ndarray      # F(y_j) = P(X <= y_j)
    below: float         # F(y_1-) = mass below the lowest detect
    n: int
    n_detect: int
    top: float           # largest observation (detect or limit)


def km_core(x: np.ndarray, c: np.ndarray) -> _KM:
    """Vectorised left-censored Kaplan–Meier (flipped right-censored KM); no validation."""
    det = np.sort(x[~c])
    if det.size == 0:
        raise InsufficientDataError("Kaplan–Meier needs at least one detected value.",
                                    expected=">= 1 detect", found=0)
    y, m = np.unique(det, return_counts=True)
    allx = np.sort(x)
    r = np.searchsorted(allx, y, side="right")
    s = 1.0 - m / r
    # F(y_j) = prod_{i > j} s_i
    rev = np.cumprod(s[::-1])[::-1]
    cdf = np.empty_like(s)
    cdf[-1] = 1.0
    cdf[:-1] = rev[1:]
    below = float(rev[0])
    return _KM(y=y, m=m, r=r, cdf=cdf, below=below, n=int(x.size), n_detect=int(det.size),
               top=float(allx[-1]))


def _moments(k: _KM) -> tuple[float, float, float]:
    """Unrestricted KM mean, SD of the KM distribution and the uncorrected SE of the mean.

    The mass below the lowest detect is placed at the lowest detect (EnvStats
    ``enparCensored`` and NADA ``mean(cenfit)``); the SE is the Greenwood-type formula of
    EnvStats ``enparCensored.km`` (identical to NADA's ``.mean.cenfit``).
    """
    prob = np.diff(np.concatenate(([0.0], k.cdf)))
    mean = float(np.sum(k.y * prob))
    sd = float(np.sqrt(np.sum((k.y - mean) ** 2 * prob)))
    if k.y.size > 1:
        a = np.cumsum(k.cdf[:-1] * np.diff(k.y))
        rr, mm = k.r[1:], k.m[1:]
        var = float(np.sum(a ** 2 * mm / (rr * (rr - mm))))
    else:
        var = 0.0
    return mean, sd, float(np.sqrt(var))


def _nada_quantile(k: _KM, p: float) -> float:
    """NADA ``quantile(cenfit)``: smallest detect y with F(y) >= p, NaN off the step function.

    NaN when ``p <= F(lowest detect-)`` (the quantile lies among the non-detects) or when
    ``p >= F(largest observation-)`` (beyond the last step), as NADA's ``stepfind``.
    """
    hi = 1.0 if k.top > k.y[-1] else (float(k.cdf[-2]) if k.y.size > 1 else k.below)
    lo = k.below
    if p >= hi or p <= lo:
        return float("nan")
    j = int(np.searchsorted(k.cdf, p * (1 - _ALL_EQUAL_TOL), side="left"))
    return float(k.y[min(j, k.y.size - 1)])


@dataclass(frozen=True)
class KaplanMeierResult:
    """Kaplan–Meier summary of left-censored data (see :func:`kaplan_meier`).

    Attributes
    ----------
    mean
        Unrestricted KM mean: the mass below the lowest detect is put at the lowest detect
        (NADA ``mean(cenfit)``, EnvStats ``enparCensored(restricted=FALSE)``, ProUCL).
    se_mean
        Standard error of ``mean`` with the bias correction ``sqrt(d/(d-1))``, d = number of
        detects (NADA, EnvStats ``correct.se=TRUE``). NaN with a single detect.
    sd
        Standard deviation of the KM distribution (EnvStats, NADA2 ``cfit``).
    sd_nada
        NADA's ``sd(cenfit)``, which is ``sqrt(n) * se_mean`` (not a standard deviation of the
        data); given for comparison only.
    restricted_mean, restricted_se_mean, restricted_sd
        EnvStats ``restricted=TRUE``: when the lowest limit is at or below the lowest detect,
        the non-detects at that limit are treated as detected at the limit (USEPA 2009).
    median, quantiles
        NADA ``quantile(cenfit)`` convention (NaN where the step function does not determine
        the quantile: below the lowest detect, or at/after the last step).
    cdf_table
        One row per distinct detected value: ``value, n_at_risk, n_detected, cdf, prob``.
    """

    n: int
    n_censored: int
    mean: float
    se_mean: float
    sd: float
    sd_nada: float
    restricted_mean: float
    restricted_se_mean: float
    restricted_sd: float
    median: float
    quantiles: dict[float, float]
    conf_level: float
    mean_ci_z: tuple[float, float]
    cdf_table: pd.DataFrame = field(repr=False)
    prob_below_lowest_detect: float = 0.0
    mean_definition: str = ("unrestricted: mass below the lowest detect placed at the lowest "
                            "detect (NADA, EnvStats default)")
    sd_definition: str = "SD of the Kaplan-Meier distribution, divisor 1 (EnvStats, NADA2)"
    se_definition: str = "Greenwood-type SE of the mean x sqrt(d/(d-1)), d = detects"
    quantile_definition: str = "NADA stepfind: smallest detect with F >= p; NaN off the steps"
    method: str = "Kaplan-Meier (left-censored, flipped; NADA cenfit / EnvStats enparCensored)"
    warnings: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The CDF table (one row per distinct detected value)."""
        return self.cdf_table.copy()

    def summary_frame(self) -> pd.DataFrame:
        """One tidy row of the summary statistics."""
        row = {"method": "kaplan-meier", "n": self.n, "n_censored": self.n_censored,
               "mean": self.mean, "se_mean": self.se_mean, "sd": self.sd,
               "sd_nada": self.sd_nada, "restricted_mean": self.restricted_mean,
               "median": self.median}
        row.update({quantile_label(p): v for p, v in self.quantiles.items()})
        return pd.DataFrame([row])


def kaplan_meier(values: Sequence[float] | np.ndarray, censored: Sequence[bool] | np.ndarray,
                 *, probs: Sequence[float] = DEFAULT_PROBS,
                 conf_level: float = 0.95) -> KaplanMeierResult:
    """Kaplan–Meier estimate for left-censored data (non-detects), as NADA ``cenfit``.

    The data are flipped (``M - x``) into right-censored survival times and the product-limit
    estimator is applied; a non-detect tied with a detect is treated as lying below it.
    ``F(y_j) = prod_{y_i > y_j} (1 - d_i / r_i)`` with ``r_i`` the number of observations
    (detects and limits) ``<= y_i``. Non-detects whose limit exceeds the largest detect carry
    no information about the distribution and do not change it.

    Parameters
    ----------
    values
        Detected values, and the detection limit for each non-detect.
    censored
        ``True`` for a non-detect (``value`` is then its limit).
    probs
        Quantile probabilities.
    conf_level
        Level of the two-sided normal interval on the mean (NADA ``mean(cenfit)``).

    Returns
    -------
    KaplanMeierResult
        ``mean`` is the **unrestricted** mean; ``restricted_mean`` is also given. ``sd`` is
        the SD of the KM distribution (EnvStats); ``sd_nada`` is NADA's ``sqrt(n)*se``.

    Raises
    ------
    CensoredDataError
        NaN input, a limit <= 0, mismatched lengths.
    InsufficientDataError
        No detected value (the KM distribution is undefined).

    Notes
    -----
    Edge cases: nothing censored gives the empirical distribution (mean = sample mean, sd with
    divisor n); one detect gives ``se_mean = NaN``; quantiles below the lowest detect are NaN
    (NADA returns NA, lifelines returns 0, which is wrong for concentrations).

    References
    ----------
    Helsel, D.R. (2012). *Statistics for Censored Environmental Data Using Minitab and R*,
    2nd ed., Wiley, ch. 6. Lee, L. & Helsel, D. NADA R package, ``cenfit``. Millard, S.P.
    EnvStats ``enparCensored``. Kaplan, E.L. & Meier, P. (1958) JASA 53:457-481.

    Examples
    --------
    >>> r = kaplan_meier([1, 2, 3, 4], [True, False, False, False])
    >>> round(r.mean, 4)
    2.75
    """
    x, c = prepare(values, censored, name="kaplan_meier")
    k = km_core(x, c)
    warns: list[str] = []
    mean, sd, se_raw = _moments(k)
    d = k.n_detect
    if d > 1:
        se = se_raw * np.sqrt(d / (d - 1))
    else:
        se = float("nan")
        warns.append("only one detected value: the standard error of the mean is undefined")
    # restricted mean (EnvStats restricted=TRUE)
    cen_levels = x[c]
    if cen_levels.size and cen_levels.min() <= k.y[0]:
        c2 = c & ~(x == cen_levels.min())
        k2 = km_core(x, c2)
        rmean, rsd, rse_raw = _moments(k2)
        d2 = k2.n_detect
        rse = rse_raw * np.sqrt(d2 / (d2 - 1)) if d2 > 1 else float("nan")
    else:
        rmean, rsd, rse = mean, sd, se
    from scipy import stats

    z = float(stats.norm.ppf(1 - (1 - conf_level) / 2))
    quants = {float(p): _nada_quantile(k, float(p)) for p in probs}
    prob = np.diff(np.concatenate(([0.0], k.cdf)))
    table = pd.DataFrame({"value": k.y, "n_at_risk": k.r, "n_detected": k.m, "cdf": k.cdf,
                          "prob": prob})
    if k.below > 0:
        warns.append(f"{k.below:.3g} of the probability lies below the lowest detect "
                     f"({k.y[0]:g}); the unrestricted mean places it at that detect")
    n_above = int(np.sum(c & (x > k.y[-1])))
    if n_above:
        warns.append(f"{n_above} non-detect(s) with a limit above the largest detect carry "
                     "no information for Kaplan-Meier")
    return KaplanMeierResult(
        n=k.n, n_censored=int(c.sum()), mean=mean, se_mean=float(se), sd=sd,
        sd_nada=float(np.sqrt(k.n) * se), restricted_mean=rmean, restricted_se_mean=float(rse),
        restricted_sd=rsd, median=_nada_quantile(k, 0.5), quantiles=quants,
        conf_level=conf_level, mean_ci_z=(mean - z * se, mean + z * se), cdf_table=table,
        prob_below_lowest_detect=k.below, warnings=tuple(warns))
