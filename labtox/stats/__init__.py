"""Statistics for left-censored data (non-detects).

Every function takes ``values`` (a number for every observation; for a non-detect the
detection limit it lies below) and ``censored`` (``True`` for a non-detect) and returns a
frozen result object with named attributes, the method used and ``to_frame()``.

==================  ==========================================================================
function            method
==================  ==========================================================================
``substitution``    LB / MB / UB substitution (EFSA 2010), ordinary statistics
``kaplan_meier``    left-censored Kaplan–Meier (NADA ``cenfit``, EnvStats ``enparCensored``)
``ros``             robust regression on order statistics (Helsel & Cohn 1988; NADA ``ros``)
``censored_mle``    lognormal / normal / gamma maximum likelihood (NADA ``cenmle``, EnvStats)
``ucl95``           UCL of the mean: KM-t, KM-z, KM bootstrap, KM Chebyshev, lognormal MLE
``exceedance``      share above a limit with Clopper–Pearson / Wilson intervals, LB–UB range
``compare_groups``  log-rank, Peto–Prentice, Fleming–Harrington tests on flipped data
``summarise``       one tidy row per analyte × unit × basis × group, method chosen by guidance
==================  ==========================================================================

Agreement with the reference tools (``../shared/reference/censored/``: NADA, EnvStats, scipy,
lifelines) is tested to 1e-6 relative (KM, ROS, group tests) and 1e-4 (MLE).

Choices where the tools disagree (each tested in ``tests/test_stats*.py``):

1. KM ``sd`` is the SD of the KM distribution (EnvStats, NADA2); NADA's ``sd(cenfit)`` is
   ``sqrt(n)·se`` and is given as ``sd_nada`` only.
2. KM ``mean`` is the unrestricted mean (NADA, EnvStats default, ProUCL documentation); the
   restricted mean (EnvStats ``restricted=TRUE``, USEPA 2009) is ``restricted_mean``.
3. KM quantiles that fall below the lowest detect, or at/after the last step, are NaN (NADA),
   never 0 (lifelines).
4. ROS with > 80 % non-detects is computed with a warning (NADA); statsmodels silently
   substitutes ½·DL instead. ``summarise(method="auto")`` reports counts only above 80 %.
5. ROS plotting positions: Hirsch–Stedinger/Helsel–Cohn with constant 0 (NADA, statsmodels,
   Helsel 2012) by default; EnvStats' rROS (constant 0.375) is ``ros(plotting_constant=0.375)``
   for data with several limits (EnvStats uses ``ppoints(N)`` for one limit; labtox does not).
   The count of observations
   "below" a limit is non-detects at or below it plus detects strictly below it, as in the NADA
   release and statsmodels that produced the reference values.
6. Non-detects above the largest detect are left out of ROS (NADA, statsmodels) and reported in
   ``ROSResult.dropped``; imputed values keep input order and are not clipped to their limit.
7. Normal MLE: non-detects lie in ``[0, DL]`` by default (NADA); ``lower_bound=None`` gives the
   ``(-inf, DL]`` model of EnvStats and scipy.
8. "Peto–Peto": the Peto–Prentice weights (lifelines ``peto``, EnvStats) and survival's
   ``rho=1`` (NADA ``cendiff`` default) are offered under the names of their weights.
9. UCLs are one-sided (EnvStats/ProUCL); NADA's two-sided z interval is
   ``KaplanMeierResult.mean_ci_z``. The lognormal profile-likelihood UCL solves the likelihood
   ratio equation exactly (EnvStats 3.1 stops early on one reference set).
10. Lognormal MLE: ``se_mean`` is the delta-method SE; the reference NADA tables give
    ``sd/sqrt(n)`` (``se_mean_nada``). EnvStats' quasi-MVUE is ``mean_qmvue``/``sd_qmvue``.
11. All non-detects, or one detect: the estimators raise :class:`InsufficientDataError`
    (NADA returns a mean of 0); :func:`summarise` reports counts with the reason.
"""

from labtox.stats._common import (
    DEFAULT_PROBS,
    CensoredDataError,
    InsufficientDataError,
    PoolingError,
)
from labtox.stats.exceedance import ExceedanceResult, exceedance
from labtox.stats.groups import GroupComparisonResult, compare_groups
from labtox.stats.km import KaplanMeierResult, kaplan_meier
from labtox.stats.mle import CensoredMLEResult, censored_mle
from labtox.stats.ros import ROSResult, hc_plotting_positions, ros
from labtox.stats.substitution import SubstitutionResult, substitution
from labtox.stats.summarise import SUMMARY_COLUMNS, SUMMARY_METHODS, choose_method, summarise
from labtox.stats.ucl import UCL_METHODS, UCLResult, ucl95

__all__ = [
    "DEFAULT_PROBS",
    "CensoredDataError",
    "InsufficientDataError",
    "PoolingError",
    "substitution",
    "SubstitutionResult",
    "kaplan_meier",
    "KaplanMeierResult",
    "ros",
    "ROSResult",
    "hc_plotting_positions",
    "censored_mle",
    "CensoredMLEResult",
    "ucl95",
    "UCLResult",
    "UCL_METHODS",
    "exceedance",
    "ExceedanceResult",
    "compare_groups",
    "GroupComparisonResult",
    "summarise",
    "choose_method",
    "SUMMARY_COLUMNS",
    "SUMMARY_METHODS",
]
