"""Upper confidence limits of the mean for left-censored data (ProUCL definitions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from labtox.stats._common import CensoredDataError, prepare
from labtox.stats.km import _moments, kaplan_meier, km_core

__all__ = ["UCLResult", "ucl95", "UCL_METHODS"]

UCL_METHODS = ("km-t", "km-z", "km-bootstrap", "chebyshev", "lognormal-mle")


@dataclass(frozen=True)
class UCLResult:
    """Result of :func:`ucl95`.

    Attributes
    ----------
    method
        The UCL method (see :func:`ucl95`).
    ucl
        One-sided upper confidence limit of the mean at ``conf_level``.
    mean, se_mean
        The mean estimate the UCL is built on and its standard error (NaN where unused).
    seed, n_boot, n_boot_failed
        Bootstrap settings and the number of resamples without a detect (dropped, counted).
    """

    method: str
    ucl: float
    conf_level: float
    mean: float
    se_mean: float
    n: int
    n_censored: int
    description: str
    seed: int | None = None
    n_boot: int | None = None
    n_boot_failed: int = 0
    details: dict[str, float] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One tidy row."""
        return pd.DataFrame([{"method": self.method, "ucl": self.ucl,
                              "conf_level": self.conf_level, "mean": self.mean,
                              "se_mean": self.se_mean, "n": self.n,
                              "n_censored": self.n_censored, "seed": self.seed,
                              "n_boot": self.n_boot, "description": self.description}])


def ucl95(values: Sequence[float] | np.ndarray, censored: Sequence[bool] | np.ndarray,
          method: str = "km-t", *, conf_level: float = 0.95, n_boot: int = 2000,
          seed: int = 20100401) -> UCLResult:
    """Upper confidence limit of the mean (one-sided) for data with non-detects.

    Methods (USEPA ProUCL 5.2 technical guide definitions, as reproduced by EnvStats):

    * ``"km-t"``: ``mean_KM + t(1−α, n−1)·se_KM`` (ProUCL "95% KM (t) UCL"; EnvStats
      ``enparCensored(ci.type="upper", pivot.statistic="t")``); unrestricted KM mean and
      bias-corrected se.
    * ``"km-z"``: the same with the normal quantile.
    * ``"chebyshev"``: ``mean_KM + sqrt(1/α − 1)·se_KM`` (ProUCL "95% KM (Chebyshev) UCL").
    * ``"km-bootstrap"``: percentile bootstrap of the KM mean (ProUCL "95% KM Bootstrap
      percentile UCL"): ``n_boot`` resamples of the (value, censored) pairs with replacement,
      seeded; resamples without a detect are dropped and counted in ``n_boot_failed``.
    * ``"lognormal-mle"``: profile-likelihood upper limit of the lognormal mean
      ``exp(μ+σ²/2)`` fitted by censored MLE (EnvStats ``elnormAltCensored(method="mle",
      ci.method="profile.likelihood", ci.type="upper")``); critical value ``χ²₁(1−2α)``.

    With no non-detects ``"km-t"`` is the Student-t UCL of the sample mean.

    Parameters
    ----------
    values, censored
        Observations (limits for non-detects) and non-detect flags.
    method
        One of ``UCL_METHODS``.
    conf_level
        One-sided confidence level (0.95 for a 95 % UCL).
    n_boot, seed
        Bootstrap resamples and seed (``"km-bootstrap"`` only).

    Returns
    -------
    UCLResult

    References
    ----------
    USEPA (2022). ProUCL Version 5.2.0 Technical Guide, EPA/600/R-07/041, ch. 4 and 5.
    Singh, A., Maichle, R. & Lee, S.E. (2006). On the computation of a 95 % UCL of the mean
    of environmental data sets with non-detects. EPA/600/R-06/022.
    Millard, S.P. EnvStats ``enparCensored``, ``elnormAltCensored``.

    Examples
    --------
    >>> r = ucl95([1, 2, 3, 4, 5], [False] * 5)
    >>> round(r.ucl, 4)
    4.5074
    """
    from scipy import stats

    if method not in UCL_METHODS:
        raise CensoredDataError(f"Unknown UCL method {method!r}.",
                                expected=", ".join(repr(m) for m in UCL_METHODS), found=method)
    if not 0.5 < conf_level < 1:
        raise CensoredDataError("conf_level must lie between 0.5 and 1.",
                                expected="0.5 < conf_level < 1", found=conf_level)
    alpha = 1.0 - conf_level
    x, c = prepare(values, censored, name="ucl95", positive=method == "lognormal-mle")
    n, ncen = int(x.size), int(c.sum())
    warns: list[str] = []
    if method == "lognormal-mle":
        from labtox.stats.mle import censored_mle, lognormal_mean_profile_ci

        fit = censored_mle(x, c, "lognorm")
        y = np.log(x)
        theta = np.array([fit.params["meanlog"], np.log(fit.params["sdlog"])])
        crit = float(stats.chi2.ppf(1 - 2 * alpha, 1))
        ucl = lognormal_mean_profile_ci(y[~c], y[c], theta, fit.loglik, crit,
                                        extra=float(-np.sum(y[~c])), sides=(1.0,))[1]
        return UCLResult(method=method, ucl=ucl, conf_level=conf_level, mean=fit.mean,
                         se_mean=fit.se_mean, n=n, n_censored=ncen,
                         description="profile-likelihood UCL of the lognormal mean (censored "
                                     "MLE)", details={"chi2_crit": crit},
                         warnings=fit.warnings)
    km = kaplan_meier(x, c)
    warns.extend(km.warnings)
    if method in ("km-t", "km-z", "chebyshev"):
        if method == "km-t":
            q = float(stats.t.ppf(conf_level, n - 1)) if n > 1 else float("nan")
            desc = f"KM mean + t({conf_level:g}, n-1)·se (ProUCL KM (t))"
        elif method == "km-z":
            q = float(stats.norm.ppf(conf_level))
            desc = f"KM mean + z({conf_level:g})·se"
        else:
            q = float(np.sqrt(1.0 / alpha - 1.0))
            desc = "KM mean + sqrt(1/α − 1)·se (ProUCL KM (Chebyshev))"
        return UCLResult(method=method, ucl=km.mean + q * km.se_mean, conf_level=conf_level,
                         mean=km.mean, se_mean=km.se_mean, n=n, n_censored=ncen,
                         description=desc, details={"multiplier": q}, warnings=tuple(warns))
    # km-bootstrap
    rng = np.random.default_rng(seed)
    means = np.empty(n_boot)
    failed = 0
    for b in range(n_boot):  # loop over resamples (each KM is vectorised)
        idx = rng.integers(0, n, n)
        cb = c[idx]
        if cb.all():
            means[b] = np.nan
            failed += 1
            continue
        means[b] = _moments(km_core(x[idx], cb))[0]
    good = means[np.isfinite(means)]
    if failed:
        warns.append(f"{failed} of {n_boot} bootstrap resamples had no detect and were dropped")
    ucl = float(np.quantile(good, conf_level)) if good.size else float("nan")
    return UCLResult(method=method, ucl=ucl, conf_level=conf_level, mean=km.mean,
                     se_mean=km.se_mean, n=n, n_censored=ncen,
                     description="percentile bootstrap of the KM mean", seed=seed,
                     n_boot=n_boot, n_boot_failed=failed, warnings=tuple(warns))
