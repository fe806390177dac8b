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

Agreement with the reference tools (``../shared/reference/censored/``) is tested to 1e-6
relative (KM, ROS, group tests) and 1e-4 (MLE). Where the tools disagree labtox chooses and
says so in the function's docstring (KM SD, restricted mean, quantiles at the ends, ROS above
80 % non-detects, "gaussian" MLE bounds, "Peto" tests).
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
