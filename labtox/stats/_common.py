"""Input validation, errors and small helpers shared by the censored-data statistics.

Conventions used by every function in :mod:`labtox.stats`:

* ``values`` holds a number for every observation; for a non-detect it is the detection
  (or reporting) limit the true value lies below, and ``censored`` is ``True``.
* Nothing is dropped silently: NaN or infinite values are refused (naming the position), and a
  method that cannot use a row says so in the result (``dropped``, ``warnings``).
* Non-detects must carry a positive limit; lognormal methods also refuse zero or negative
  detected values (the log is undefined).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from labtox.errors import LabtoxError

__all__ = [
    "CensoredDataError",
    "InsufficientDataError",
    "PoolingError",
    "DEFAULT_PROBS",
    "prepare",
    "quantile_label",
]

DEFAULT_PROBS: tuple[float, ...] = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)
"""Quantile probabilities reported by default (NADA's ``NADAprobs``)."""


class CensoredDataError(LabtoxError, ValueError):
    """Censored data given to a statistic are malformed (NaN, wrong length, bad limit ...)."""


class InsufficientDataError(CensoredDataError):
    """Too few detected values for the requested method (e.g. ROS with fewer than 2 detects)."""


class PoolingError(LabtoxError, ValueError):
    """Rows with different units or bases would be pooled into one statistic."""


def quantile_label(p: float) -> str:
    """``0.05 -> 'q05'``, ``0.5 -> 'q50'``, ``0.975 -> 'q97.5'``."""
    v = round(100 * float(p), 6)
    return f"q{int(v):02d}" if v == int(v) else f"q{v:g}"


def _as_bool(censored: Any, n: int, name: str) -> np.ndarray:
    arr = np.asarray(censored)
    if arr.ndim != 1:
        raise CensoredDataError(f"The 'censored' argument of {name} must be one-dimensional.",
                                expected="a 1-D sequence of booleans", found=f"shape {arr.shape}")
    if arr.shape[0] != n:
        raise CensoredDataError(
            f"The 'censored' argument of {name} must have one flag per value.",
            expected=f"{n} flags", found=f"{arr.shape[0]} flags")
    if arr.dtype == bool:
        return arr
    out = np.empty(n, dtype=bool)
    for i, v in enumerate(arr.tolist()):
        if isinstance(v, (bool, np.bool_)):
            out[i] = bool(v)
        elif isinstance(v, (int, float, np.integer, np.floating)) and v in (0, 1):
            out[i] = bool(v)
        elif isinstance(v, str) and v.strip().lower() in ("true", "false", "1", "0"):
            out[i] = v.strip().lower() in ("true", "1")
        else:
            raise CensoredDataError(
                f"censored[{i}] passed to {name} is not a boolean.",
                expected="True/False (or 1/0)", found=v)
    return out


def prepare(values: Sequence[float] | np.ndarray, censored: Sequence[bool] | np.ndarray, *,
            name: str, positive: bool = False, min_n: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Validate ``values``/``censored`` and return them as float and bool arrays.

    Parameters
    ----------
    values, censored
        Observations (limits for non-detects) and the non-detect flags.
    name
        Name of the calling function, used in messages.
    positive
        Refuse zero or negative values (lognormal methods).
    min_n
        Minimum number of observations.

    Raises
    ------
    CensoredDataError
        Naming the first offending position: NaN/infinite value, non-detect with a limit
        <= 0, a value <= 0 when ``positive``, or mismatched lengths.
    """
    try:
        x = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise CensoredDataError(f"The 'values' argument of {name} must be numeric.",
                                expected="numbers", found=str(exc)) from None
    if x.ndim != 1:
        raise CensoredDataError(f"The 'values' argument of {name} must be one-dimensional.",
                                expected="a 1-D sequence of numbers", found=f"shape {x.shape}")
    c = _as_bool(censored, x.shape[0], name)
    if x.shape[0] < min_n:
        raise InsufficientDataError(f"{name} needs at least {min_n} observation(s).",
                                    expected=f">= {min_n} values", found=int(x.shape[0]))
    bad = ~np.isfinite(x)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CensoredDataError(
            f"values[{i}] passed to {name} is {float(x[i])!r}; missing results cannot be used.",
            hint="Remove the row or give the detection limit with censored=True "
                 f"({int(bad.sum())} non-finite value(s) in total).")
    badlim = c & (x <= 0)
    if badlim.any():
        i = int(np.flatnonzero(badlim)[0])
        raise CensoredDataError(
            f"values[{i}] passed to {name} is a non-detect with limit {float(x[i])!r}.",
            expected="a positive detection limit for every non-detect", found=float(x[i]))
    if positive:
        neg = x <= 0
        if neg.any():
            i = int(np.flatnonzero(neg)[0])
            raise CensoredDataError(
                f"values[{i}] passed to {name} is {float(x[i])!r}, but this method works on the "
                "logarithm of the data.",
                expected="values > 0", found=float(x[i]),
                hint="Use kaplan_meier() or substitution(), or censored_mle(dist='norm').")
    return x, c


def t_quantile(p: float, df: float) -> float:
    from scipy import stats

    return float(stats.t.ppf(p, df))
