"""Share of samples above a limit, with binomial confidence intervals and censoring bounds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from labtox.stats._common import CensoredDataError, prepare

__all__ = ["ExceedanceResult", "exceedance"]


@dataclass(frozen=True)
class ExceedanceResult:
    """Result of :func:`exceedance`.

    Attributes
    ----------
    n_above_lb, n_above_ub
        Samples certainly above the limit (detects ``> limit``) and possibly above it (plus
        non-detects whose detection limit is above the limit: their true value is unknown).
    proportion_lb, proportion_ub
        The same as shares of ``n``; equal when no non-detect is ambiguous.
    ci_clopper_pearson, ci_wilson
        Intervals covering the whole range: lower end from ``n_above_lb``, upper end from
        ``n_above_ub`` (each at the two-sided ``conf_level``).
    ci_lb, ci_ub
        ``{"clopper-pearson": (lo, hi), "wilson": (lo, hi)}`` for each bound separately.
    """

    limit: float
    n: int
    n_censored: int
    n_above_lb: int
    n_above_ub: int
    n_uncertain: int
    proportion_lb: float
    proportion_ub: float
    conf_level: float
    ci_clopper_pearson: tuple[float, float]
    ci_wilson: tuple[float, float]
    ci_lb: dict[str, tuple[float, float]]
    ci_ub: dict[str, tuple[float, float]]
    method: str = "binomial proportion above the limit (value > limit)"

    @property
    def proportion(self) -> float | tuple[float, float]:
        """The share above the limit, or its (LB, UB) range when non-detects make it uncertain."""
        if self.n_uncertain == 0:
            return self.proportion_lb
        return (self.proportion_lb, self.proportion_ub)

    def to_frame(self) -> pd.DataFrame:
        """One tidy row."""
        return pd.DataFrame([{
            "limit": self.limit, "n": self.n, "n_censored": self.n_censored,
            "n_above_lb": self.n_above_lb, "n_above_ub": self.n_above_ub,
            "n_uncertain": self.n_uncertain, "proportion_lb": self.proportion_lb,
            "proportion_ub": self.proportion_ub,
            "cp_low": self.ci_clopper_pearson[0], "cp_high": self.ci_clopper_pearson[1],
            "wilson_low": self.ci_wilson[0], "wilson_high": self.ci_wilson[1],
            "conf_level": self.conf_level}])


def _cis(k: int, n: int, conf: float) -> dict[str, tuple[float, float]]:
    from scipy import stats

    b = stats.binomtest(k, n)
    out = {}
    for name, meth in (("clopper-pearson", "exact"), ("wilson", "wilson")):
        ci = b.proportion_ci(confidence_level=conf, method=meth)
        out[name] = (float(ci.low), float(ci.high))
    return out


def exceedance(values: Sequence[float] | np.ndarray, censored: Sequence[bool] | np.ndarray,
               limit: float, *, conf_level: float = 0.95) -> ExceedanceResult:
    """Share of samples above ``limit`` with Clopper–Pearson and Wilson intervals.

    A detect exceeds when ``value > limit``. A non-detect exceeds never if its detection limit
    is ``<= limit``; if its detection limit is above ``limit`` it *may* exceed, so the count
    is reported as a range [LB, UB] and the intervals span both ends.

    Parameters
    ----------
    values, censored
        Observations (limits for non-detects) and non-detect flags.
    limit
        The regulatory or guidance limit, in the units of ``values``.
    conf_level
        Two-sided confidence level.

    Returns
    -------
    ExceedanceResult

    References
    ----------
    Clopper, C.J. & Pearson, E.S. (1934) Biometrika 26:404-413. Wilson, E.B. (1927) JASA
    22:209-212. Helsel, D.R. (2012), ch. 8 (binomial methods for censored data).

    Examples
    --------
    >>> r = exceedance([0.5, 2, 3, 10], [True, False, False, False], limit=2.5)
    >>> r.n_above_lb, r.n_above_ub
    (2, 2)
    """
    x, c = prepare(values, censored, name="exceedance")
    lim = float(limit)
    if not np.isfinite(lim):
        raise CensoredDataError("The exceedance limit must be a finite number.",
                                expected="a finite number", found=limit)
    lb = int(np.sum(~c & (x > lim)))
    unc = int(np.sum(c & (x > lim)))
    ub = lb + unc
    n = int(x.size)
    ci_lb, ci_ub = _cis(lb, n, conf_level), _cis(ub, n, conf_level)
    return ExceedanceResult(
        limit=lim, n=n, n_censored=int(c.sum()), n_above_lb=lb, n_above_ub=ub, n_uncertain=unc,
        proportion_lb=lb / n, proportion_ub=ub / n, conf_level=conf_level,
        ci_clopper_pearson=(ci_lb["clopper-pearson"][0], ci_ub["clopper-pearson"][1]),
        ci_wilson=(ci_lb["wilson"][0], ci_ub["wilson"][1]), ci_lb=ci_lb, ci_ub=ci_ub)
