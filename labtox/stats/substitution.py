"""Substitution (lower, medium and upper bound) statistics for data with non-detects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from labtox.stats._common import DEFAULT_PROBS, CensoredDataError, prepare, quantile_label

__all__ = ["SubstitutionResult", "substitution", "BOUND_FRACTIONS"]

BOUND_FRACTIONS: dict[str, float] = {"LB": 0.0, "MB": 0.5, "UB": 1.0}
"""Fraction of the limit substituted for a non-detect at each bound (EFSA 2010 convention)."""


@dataclass(frozen=True)
class SubstitutionResult:
    """Result of :func:`substitution`.

    Attributes
    ----------
    bound, fraction
        The bound (``"LB"``, ``"MB"``, ``"UB"``) and the fraction of the limit substituted.
    substituted
        The values used, in input order (detects unchanged).
    mean, sd, median, quantiles
        Ordinary sample statistics of ``substituted`` (sd with divisor n − 1; quantiles
        R type 7 / numpy ``linear``).
    """

    bound: str
    fraction: float
    n: int
    n_censored: int
    mean: float
    sd: float
    median: float
    quantiles: dict[float, float]
    substituted: np.ndarray = field(repr=False)
    method: str = ""

    @property
    def substitution(self) -> str:
        """Human-readable rule, e.g. ``'non-detect = 0.5 × limit (MB)'``."""
        return f"non-detect = {self.fraction:g} × limit ({self.bound})"

    def to_frame(self) -> pd.DataFrame:
        """One tidy row of the statistics and the substitution used."""
        row = {"method": "substitution", "bound": self.bound, "fraction": self.fraction,
               "n": self.n, "n_censored": self.n_censored, "mean": self.mean, "sd": self.sd,
               "median": self.median}
        row.update({quantile_label(p): v for p, v in self.quantiles.items()})
        return pd.DataFrame([row])


def substitution(values: Sequence[float] | np.ndarray, censored: Sequence[bool] | np.ndarray,
                 bound: str = "MB", fraction: float | None = None, *,
                 probs: Sequence[float] = DEFAULT_PROBS) -> SubstitutionResult:
    """Replace each non-detect by a fraction of its limit and compute ordinary statistics.

    Lower bound (LB): non-detect = 0; medium bound (MB): ½ × limit; upper bound (UB): the
    limit. These bracket the truth for sums and means (LB ≤ true ≤ UB) but bias the standard
    deviation and quantiles; Helsel (2012) advises against substitution for anything but such
    bounds. Prefer :func:`kaplan_meier`, :func:`ros` or :func:`censored_mle`.

    Parameters
    ----------
    values, censored
        Observations (limits for non-detects) and non-detect flags.
    bound
        ``"LB"``, ``"MB"`` or ``"UB"``.
    fraction
        Another fraction of the limit (e.g. ``1/sqrt(2)``); only with ``bound="MB"``.
    probs
        Quantile probabilities.

    Returns
    -------
    SubstitutionResult

    References
    ----------
    EFSA (2010). Management of left-censored data in dietary exposure assessment of chemical
    substances. EFSA Journal 8(3):1557. Helsel, D.R. (2012). *Statistics for Censored
    Environmental Data*, 2nd ed., ch. 1 ("substitution ... is not recommended").

    Examples
    --------
    >>> substitution([1, 2, 4], [True, False, False], bound="LB").mean
    2.0
    >>> substitution([1, 2, 4], [True, False, False], bound="UB").mean
    2.3333333333333335
    """
    if bound not in BOUND_FRACTIONS:
        raise CensoredDataError(f"Unknown substitution bound {bound!r}.",
                                expected="'LB', 'MB' or 'UB'", found=bound)
    if fraction is not None:
        if bound != "MB":
            raise CensoredDataError(
                "A custom 'fraction' replaces the medium bound only.",
                expected="bound='MB' with fraction", found=bound)
        if not (0.0 <= float(fraction) <= 1.0):
            raise CensoredDataError("The substitution fraction must lie between 0 and 1.",
                                    expected="0 <= fraction <= 1", found=fraction)
        f = float(fraction)
    else:
        f = BOUND_FRACTIONS[bound]
    x, c = prepare(values, censored, name="substitution")
    s = np.where(c, f * x, x)
    s.setflags(write=False)
    return SubstitutionResult(
        bound=bound, fraction=f, n=int(x.size), n_censored=int(c.sum()), mean=float(s.mean()),
        sd=float(s.std(ddof=1)) if s.size > 1 else float("nan"), median=float(np.median(s)),
        quantiles=dict(zip(map(float, probs), map(float, np.quantile(s, list(probs))), strict=True)),
        substituted=s,
        method=f"substitution {bound} (non-detect = {f:g} × limit)")
