"""Calibration curves, inverse prediction with confidence intervals, and their diagnostics.

Models: ``linear``, ``linear-through-origin``, ``quadratic`` (weighted least squares), ``4pl``
and ``5pl`` (logistic, for immunoassays such as the aflatoxin M1 ELISA; non-linear least
squares). Weights: ``None``, ``"1/x"``, ``"1/x2"``, ``"1/y"``, ``"1/y2"`` or an array
proportional to 1/variance of each standard's response.

Conventions (what labtox chose, and why)
---------------------------------------
* **Residual standard deviation** ``s_yx = sqrt(Σ w_i r_i² / (n − p))``: R's ``sigma`` for a
  weighted ``lm`` and statsmodels' ``sqrt(scale)``; the covariance of the coefficients is
  ``s_yx² (XᵀWX)⁻¹``. Estimates and intervals do not change when all weights are scaled.
* **Zero concentration with 1/x or 1/x² weights.** A calibration blank (x = 0) would get an
  infinite weight. labtox gives it the weight of the lowest non-zero standard (x replaced by
  the smallest positive x), so the blank stays in the fit without dominating it; the same floor
  is used for the weight of an unknown reading (its variance is never taken smaller than at the
  lowest standard). ``zero_weight="exclude"`` drops x = 0 points instead (listed in
  ``Curve.notes``). 1/y and 1/y² weights use the observed response with the same floor (the
  smallest non-zero |y|). This follows common chromatography-data-system practice; chemCal
  leaves the choice to the user (it needs an explicit ``ws``).
* **Inverse prediction** (Massart et al. 1997, eqs. 8.26/8.28 as generalised in chemCal ≥ 0.2.1;
  equivalently the delta method, exact for models linear in their parameters):
  ``Var(x̂) = [s_yx²/(w_s·m) + gᵀ Cov(b) g] / f′(x̂)²`` with ``g = ∂f/∂b`` at x̂, m the number
  of replicate readings averaged, and ``w_s`` the weight *at the estimate* (``1/x̂`` for 1/x
  weighting, with the floor above; for array weights the variance 1/w is interpolated linearly
  over the calibration levels; ``weight=`` or ``variance=`` override it, as chemCal's ``ws`` and
  ``var.s``). The interval is ``x̂ ± t(1 − α/2, n − p)·se`` (chemCal uses n − 2 even through the
  origin; labtox uses the model's residual degrees of freedom). Replicate readings use the
  chemCal variant: calibration variance, calibration degrees of freedom.
* **Extrapolation** is flagged (``InversePrediction.extrapolated``), never clamped. Readings
  beyond a logistic curve's asymptote have no estimate (NaN, ``status="beyond-asymptote"``).
* **Quadratic roots**: the root inside the calibrated range; outside it, the root on the same
  monotonic branch as the calibrated range (flagged extrapolated). No real root, or two roots
  inside the range (curve turns within the range), is a :class:`CalibrationError`.

References
----------
.. [1] Massart D.L., Vandeginste B.G.M., Buydens L.M.C., De Jong S., Lewi P.J.,
   Smeyers-Verbeke J. (1997) Handbook of Chemometrics and Qualimetrics, Part A, ch. 8
   (eqs. 8.26, 8.28) and ch. 13.
.. [2] Ranke J., chemCal: Calibration functions for analytical chemistry, R package
   (``inverse.predict``, ``lod``, ``loq``), https://github.com/jranke/chemCal
.. [3] EURACHEM/CITAC Guide CG4, Quantifying Uncertainty in Analytical Measurement, 3rd ed.
   (QUAM:2012), Example A5.
.. [4] DIN 38402-51:1986 / ISO 8466-1:1990 (linear calibration; Mandel's fitting test).
.. [5] Findlay J.W.A., Dillard R.F. (2007) Appropriate calibration curve fitting in ligand
   binding assays. AAPS J 9(2):E260–E267 (4PL/5PL).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize, special

from labtox.errors import CalibrationError

__all__ = [
    "MODELS",
    "WEIGHTINGS",
    "Curve",
    "CurveBatch",
    "InversePrediction",
    "MandelTest",
    "LackOfFitTest",
    "StandardAdditionResult",
    "DriftCorrection",
    "Calibrations",
    "fit_curve",
    "fit_curves",
    "istd_ratio",
    "fit_standard_addition",
    "drift_correction",
    "calibrate",
]

MODELS: tuple[str, ...] = ("linear", "linear-through-origin", "quadratic", "4pl", "5pl")
WEIGHTINGS: tuple[str, ...] = ("none", "1/x", "1/x2", "1/y", "1/y2")
_NPARAM = {"linear": 2, "linear-through-origin": 1, "quadratic": 3, "4pl": 4, "5pl": 5}
_MIN_LEVELS = {"linear": 3, "linear-through-origin": 3, "quadratic": 3, "4pl": 4, "5pl": 5}
_COEF_NAMES = {
    "linear": ("intercept", "slope"),
    "linear-through-origin": ("slope",),
    "quadratic": ("intercept", "slope", "curvature"),
    "4pl": ("a", "b", "c", "d"),
    "5pl": ("a", "b", "c", "d", "g"),
}


def _ro(a: Any, dtype: Any = float) -> np.ndarray:
    arr = np.array(a, dtype=dtype, copy=True)
    arr.setflags(write=False)
    return arr


def _t_ppf(q: float, df: Any) -> Any:
    """Student-t quantile (scipy.special.stdtrit: same values as scipy.stats.t.ppf, faster)."""
    return special.stdtrit(np.asarray(df, dtype=float), q)


def _scalar_or_array(a: np.ndarray, scalar: bool) -> Any:
    return a.item() if scalar and a.ndim == 0 else a


# ============================================================================================
# result objects


@dataclass(frozen=True, eq=False)
class MandelTest:
    """Mandel's fitting test: is a quadratic significantly better than the straight line?

    ``statistic`` PG = DS²/s_y2² with DS² = (n−2)s_y1² − (n−3)s_y2², compared with
    F(1 − alpha; 1, n − 3). ``linear_adequate`` is True when PG ≤ F.

    References
    ----------
    DIN 38402-51:1986; ISO 8466-1:1990; Mandel J. (1964) The Statistical Analysis of
    Experimental Data. PG equals the partial F of ``anova(lm1, lm2)``.
    """

    statistic: float
    critical_value: float
    p_value: float
    dof: tuple[int, int]
    alpha: float
    s_linear: float
    s_quadratic: float

    @property
    def linear_adequate(self) -> bool:
        """True when the straight line is adequate at level ``alpha``."""
        return bool(self.statistic <= self.critical_value)


@dataclass(frozen=True, eq=False)
class LackOfFitTest:
    """Lack-of-fit F test against pure (replicate) error.

    F = [(SSE − SSPE)/(k − p)] / [SSPE/(n − k)], k levels, n points, p parameters.

    References
    ----------
    Draper N.R., Smith H. (1998) Applied Regression Analysis, 3rd ed., §2.1; ICH Q2(R2) §3.2.2.
    """

    statistic: float
    p_value: float
    dof: tuple[int, int]
    alpha: float = 0.05

    @property
    def significant(self) -> bool:
        """True when the model lacks fit at level ``alpha``."""
        return bool(self.p_value < self.alpha)


@dataclass(frozen=True, eq=False)
class InversePrediction:
    """Concentrations estimated from readings, with standard errors and confidence limits.

    Attributes are numpy arrays of the readings' shape (floats for a scalar reading).

    Attributes
    ----------
    y : array
        The readings (each the mean of ``replicates`` readings).
    replicates : array of int
    estimate, standard_error, lower, upper : array
        x̂, its standard error and the (1 − alpha) confidence limits x̂ ± t·se.
    extrapolated : array of bool
        x̂ outside the calibrated range (or no estimate).
    status : array of str
        ``ok``, ``extrapolated``, ``beyond-asymptote`` (logistic models, no estimate) or
        ``not-determinable`` (inversion interval unbounded).
    weight : array
        Weight of the reading used for its variance (1 for unweighted fits).
    alpha : float
    dof : int
    analyte, unit : str
    """

    y: Any
    replicates: Any
    estimate: Any
    standard_error: Any
    lower: Any
    upper: Any
    extrapolated: Any
    status: Any
    weight: Any
    alpha: float
    dof: int
    analyte: str | None = None
    unit: str = ""

    @property
    def half_width(self) -> Any:
        """Half-width t·se of the confidence interval."""
        return (np.asarray(self.upper) - np.asarray(self.lower)) / 2

    def to_frame(self):
        """Tidy table, one row per reading."""
        import pandas as pd

        n = np.size(self.estimate)
        df = pd.DataFrame({
            "y": np.ravel(self.y), "replicates": np.ravel(self.replicates),
            "estimate": np.ravel(self.estimate), "standard_error": np.ravel(self.standard_error),
            "lower": np.ravel(self.lower), "upper": np.ravel(self.upper),
            "extrapolated": np.ravel(self.extrapolated), "status": np.ravel(self.status),
            "weight": np.ravel(self.weight),
        })
        df["alpha"] = self.alpha
        df["dof"] = self.dof
        df["analyte"] = self.analyte if self.analyte is not None else ""
        df["unit"] = self.unit
        return df.iloc[:n]


@dataclass(frozen=True, eq=False)
class Curve:
    """A fitted calibration curve with its diagnostics (immutable).

    Attributes
    ----------
    model : str
        One of :data:`MODELS`.
    weighting : str
        ``none``, ``1/x``, ``1/x2``, ``1/y``, ``1/y2`` or ``array``.
    coefficients : Mapping[str, float]
        ``intercept``/``slope``/``curvature`` or the logistic ``a, b, c, d (, g)``
        (4PL: f(x) = d + (a − d)/(1 + (x/c)^b); 5PL: … /(1 + (x/c)^b)^g).
    covariance : ndarray
        Covariance of the coefficients, in the order of ``coefficients``.
    s_yx : float
        Residual standard deviation (weighted: sqrt(Σ w r²/(n − p))).
    dof : int
        Residual degrees of freedom n − p.
    r2 : float
        Coefficient of determination (weighted like R's ``summary.lm``).
    x, y, weights, residuals, fitted : ndarray
        Standards used (x = concentration, y = response), weights, y − ŷ and ŷ.
    back_calculated, accuracy_pct : ndarray
        Concentration read back from each standard's response, and 100·back/x (NaN at x = 0).
    mandel : MandelTest or None
    lack_of_fit : LackOfFitTest or None
        Only when some level is replicated.
    x_range : tuple of float
        Calibrated range (lowest, highest standard).
    analyte, unit, response_unit : str
    response : str
        ``signal`` or ``ratio`` (analyte/internal-standard signal).
    notes : tuple of str
        What was excluded or substituted while fitting.
    source_lines : tuple of str
        Where the standards came from (when fitted by :func:`calibrate`).
    """

    model: str
    weighting: str
    coefficients: Mapping[str, float]
    covariance: np.ndarray
    s_yx: float
    dof: int
    r2: float
    x: np.ndarray
    y: np.ndarray
    weights: np.ndarray
    residuals: np.ndarray
    fitted: np.ndarray
    back_calculated: np.ndarray
    accuracy_pct: np.ndarray
    mandel: MandelTest | None
    lack_of_fit: LackOfFitTest | None
    x_range: tuple[float, float]
    analyte: str | None = None
    unit: str = ""
    response_unit: str = ""
    response: str = "signal"
    notes: tuple[str, ...] = ()
    source_lines: tuple[str, ...] = ()
    _weight_floor: tuple[float, float] = field(default=(np.nan, np.nan), repr=False)

    # -- convenience -----------------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of calibration points (replicates counted separately)."""
        return int(self.x.size)

    @property
    def n_levels(self) -> int:
        """Number of distinct concentrations."""
        return int(np.unique(self.x).size)

    @property
    def params(self) -> np.ndarray:
        """Coefficients as an array, in the order of :attr:`coefficients`."""
        return np.array(list(self.coefficients.values()))

    @property
    def slope(self) -> float:
        """dy/dx at x = 0 for polynomial models (b1); for logistic models at the inflection."""
        if self.model in ("4pl", "5pl"):
            return float(_dfdx(self.model, self.params, np.array(self.coefficients["c"])))
        return float(self.coefficients["slope"])

    @property
    def intercept(self) -> float:
        """Response at x = 0."""
        return float(self.predict(0.0))

    @property
    def s_x0(self) -> float:
        """Procedural standard deviation s_x0 = s_yx / b1 (DIN 32645 'Verfahrensstandardabweichung')."""
        return self.s_yx / self.slope

    # -- prediction --------------------------------------------------------------------------------
    def predict(self, x: Any) -> Any:
        """Response at concentration(s) ``x``."""
        xa = np.asarray(x, dtype=float)
        out = _predict(self.model, self.params, xa)
        return _scalar_or_array(np.asarray(out), np.ndim(x) == 0)

    def weight_at(self, x: Any, y: Any = None) -> np.ndarray:
        """Weight (∝ 1/variance) of a reading at concentration ``x`` (response ``y``), on the
        scale of the calibration weights; see the module notes for the floors used."""
        xa = np.asarray(x, dtype=float)
        xfloor, yfloor = self._weight_floor
        w = self.weighting
        if w == "none":
            return np.ones_like(xa)
        if w in ("1/x", "1/x2"):
            xe = np.where(np.isfinite(xa), np.maximum(np.abs(xa), xfloor), xfloor)
            return 1.0 / xe if w == "1/x" else 1.0 / xe**2
        if w in ("1/y", "1/y2"):
            ya = np.asarray(self.predict(xa) if y is None else y, dtype=float)
            ye = np.where(np.isfinite(ya), np.maximum(np.abs(ya), yfloor), yfloor)
            return 1.0 / ye if w == "1/y" else 1.0 / ye**2
        # array weights: interpolate the variance 1/w over the levels
        levels, inv = _level_means(self.x, 1.0 / self.weights)
        return 1.0 / np.interp(np.where(np.isfinite(xa), xa, levels[0]), levels, inv)

    def inverse(self, y: Any, replicates: Any = 1, alpha: float = 0.05, *,
                weight: Any = None, variance: Any = None,
                interval: str = "wald") -> InversePrediction:
        """Concentration from reading(s) ``y`` with standard error and confidence limits.

        Parameters
        ----------
        y : float or array
            Reading(s); each the mean of ``replicates`` readings (for an ISTD curve: the
            analyte/ISTD ratio).
        replicates : int or array of int
            Number of readings averaged into each ``y`` (m).
        alpha : float
            1 − confidence level of the two-sided interval.
        weight : float or array, optional
            Weight of the reading (chemCal ``ws``). Default: the weight at the estimate.
        variance : float or array, optional
            Variance of one reading (chemCal ``var.s``); overrides ``weight``.
        interval : {"wald", "inversion"}
            ``wald``: x̂ ± t·se (symmetric; chemCal, QUAM). ``inversion``: the Fieller /
            inversion limits, the x where |ȳ0 − ŷ(x)| = t·sqrt(σ²_s/m + gᵀCov g) (asymmetric,
            better near the LOD; investr ``calibrate(interval = "inversion")``, Graybill & Iyer
            1994); straight-line models only. When the slope is not significant enough for a
            bounded set (b1² ≤ t²·Var(b1)) the limits are NaN with status
            ``not-determinable``. ``standard_error`` is the Wald one either way.

        Returns
        -------
        InversePrediction

        Raises
        ------
        CalibrationError
            For a quadratic without a usable root, or invalid ``alpha``/``replicates``.

        References
        ----------
        Massart et al. (1997) eqs. 8.26 and 8.28; chemCal ``inverse.predict``; QUAM:2012
        Example A5.

        Examples
        --------
        DIN 32645 data (chemCal ``inverse.predict(m, 5000)``: 0.2607275, se 0.02088298):

        >>> x = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]
        >>> y = [3060, 3522, 3707, 4280, 5058, 5510, 5703, 6205, 7156, 7178]
        >>> p = fit_curve(x, y).inverse(5000)
        >>> round(p.estimate, 7), round(p.standard_error, 8)
        (0.2607275, 0.02088298)
        """
        if not 0 < alpha < 1:
            raise CalibrationError(f"alpha must be between 0 and 1, got {alpha!r}.",
                                   analyte=self.analyte)
        scalar = np.ndim(y) == 0
        ya = np.atleast_1d(np.asarray(y, dtype=float))
        m = np.broadcast_to(np.asarray(replicates), ya.shape)
        if not np.all(np.isfinite(m)) or np.any(m < 1) or np.any(m != np.round(m)):
            raise CalibrationError(f"replicates must be whole numbers ≥ 1, got {replicates!r}.",
                                   analyte=self.analyte)
        m = m.astype(float)
        params = self.params
        est, status = _invert(self, ya)
        lo, hi = self.x_range
        tol = 1e-9 * max(hi - lo, abs(hi), 1e-300)
        finite = np.isfinite(est)
        extrap = ~finite | (est < lo - tol) | (est > hi + tol)
        status = np.where(finite & extrap & (status == "ok"), "extrapolated", status)
        if variance is not None:
            var_s = np.broadcast_to(np.asarray(variance, dtype=float), ya.shape)
            w_s = self.s_yx**2 / var_s
        else:
            if weight is not None:
                w_s = np.broadcast_to(np.asarray(weight, dtype=float), ya.shape).astype(float)
            else:
                w_s = self.weight_at(np.where(finite, est, np.nan), ya)
            var_s = self.s_yx**2 / w_s
        g = _grad(self.model, params, np.where(finite, est, 0.0))
        quad = np.einsum("...i,ij,...j->...", g, np.asarray(self.covariance), g)
        deriv = _dfdx(self.model, params, np.where(finite, est, 0.0))
        se = np.sqrt(var_s / m + quad) / np.abs(deriv)
        se = np.where(finite, se, np.nan)
        t = _t_ppf(1 - alpha / 2, self.dof)
        if interval == "wald":
            lower, upper = est - t * se, est + t * se
        elif interval == "inversion":
            lower, upper, ok = self._inversion_limits(ya, np.broadcast_to(var_s / m, ya.shape), t)
            status = np.where(~ok & (status == "ok"), "not-determinable", status)
        else:
            raise CalibrationError(f"interval must be 'wald' or 'inversion', got {interval!r}.",
                                   analyte=self.analyte)
        out: dict[str, Any] = dict(
            y=ya, replicates=m.astype(int), estimate=est, standard_error=se, lower=lower,
            upper=upper, extrapolated=extrap.astype(bool), status=status.astype(str),
            weight=np.broadcast_to(w_s, ya.shape).astype(float))
        if scalar:
            out = {k: np.asarray(v).reshape(-1)[0].item() for k, v in out.items()}
        return InversePrediction(**out, alpha=alpha, dof=self.dof, analyte=self.analyte,
                                 unit=self.unit)

    def _inversion_limits(self, y0: np.ndarray, v_new: np.ndarray, t: float
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Fieller/inversion limits of a straight line: roots of
        (y0 − b0 − b1 x)² = t²(v_new + c00 + 2 c01 x + c11 x²)."""
        cov = np.asarray(self.covariance)
        if self.model == "linear":
            b0, b1 = self.params
            c00, c01, c11 = cov[0, 0], cov[0, 1], cov[1, 1]
        elif self.model == "linear-through-origin":
            b0, b1 = 0.0, self.params[0]
            c00 = c01 = 0.0
            c11 = cov[0, 0]
        else:
            raise CalibrationError(
                f"interval='inversion' is implemented for straight lines, not {self.model}.",
                analyte=self.analyte, hint="Use interval='wald'.")
        d = y0 - b0
        qa = b1**2 - t**2 * c11
        qb = -2 * (b1 * d + t**2 * c01)
        qc = d**2 - t**2 * (v_new + c00)
        disc = qb**2 - 4 * qa * qc
        ok = (qa > 0) & (disc >= 0)
        with np.errstate(invalid="ignore"):
            r = np.sqrt(np.where(ok, disc, np.nan))
        lo = np.where(ok, (-qb - r) / (2 * qa), np.nan)
        hi = np.where(ok, (-qb + r) / (2 * qa), np.nan)
        return lo, hi, ok

    # -- tables ------------------------------------------------------------------------------------
    def to_frame(self):
        """One row per standard: x, y, weight, fitted, residual, back-calculated, accuracy %."""
        import pandas as pd

        df = pd.DataFrame({
            "x": self.x, "y": self.y, "weight": self.weights, "fitted": self.fitted,
            "residual": self.residuals, "back_calculated": self.back_calculated,
            "accuracy_pct": self.accuracy_pct,
        })
        if self.source_lines and len(self.source_lines) == len(df):
            df["source_line"] = list(self.source_lines)
        df.insert(0, "analyte", self.analyte or "")
        return df

    def summary(self) -> dict[str, Any]:
        """Plain-data summary: model, weighting, coefficients, s_yx, dof, r², tests, range."""
        out: dict[str, Any] = {
            "analyte": self.analyte, "model": self.model, "weighting": self.weighting,
            "response": self.response, "n": self.n, "levels": self.n_levels,
            **{k: float(v) for k, v in self.coefficients.items()},
            "s_yx": self.s_yx, "dof": self.dof, "r2": self.r2,
            "x_min": self.x_range[0], "x_max": self.x_range[1], "unit": self.unit,
            "max_abs_deviation_pct": float(np.nanmax(np.abs(self.accuracy_pct - 100)))
            if np.any(np.isfinite(self.accuracy_pct)) else float("nan"),
        }
        if self.mandel is not None:
            out.update(mandel_pg=self.mandel.statistic, mandel_f=self.mandel.critical_value,
                       mandel_linear_adequate=self.mandel.linear_adequate)
        if self.lack_of_fit is not None:
            out.update(lof_f=self.lack_of_fit.statistic, lof_p=self.lack_of_fit.p_value)
        return out


# ============================================================================================
# model functions (vectorised over x; params as 1-D array)


def _predict(model: str, p: np.ndarray, x: np.ndarray) -> np.ndarray:
    if model == "linear":
        return p[0] + p[1] * x
    if model == "linear-through-origin":
        return p[0] * x
    if model == "quadratic":
        return p[0] + p[1] * x + p[2] * x**2
    a, b, c, d = p[:4]
    gexp = p[4] if model == "5pl" else 1.0
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        u = np.power(np.where(x > 0, x / c, 0.0), b)
        return d + (a - d) / np.power(1.0 + u, gexp)


def _grad(model: str, p: np.ndarray, x: np.ndarray) -> np.ndarray:
    """∂f/∂params at x, shape x.shape + (p,)."""
    x = np.asarray(x, dtype=float)
    if model == "linear":
        return np.stack([np.ones_like(x), x], axis=-1)
    if model == "linear-through-origin":
        return x[..., None]
    if model == "quadratic":
        return np.stack([np.ones_like(x), x, x**2], axis=-1)
    a, b, c, d = p[:4]
    gexp = p[4] if model == "5pl" else 1.0
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        xs = np.where(x > 0, x, np.nan)
        u = np.power(xs / c, b)
        lnu = b * np.log(xs / c)
        q = np.power(1.0 + u, -gexp)
        dq_du = -gexp * np.power(1.0 + u, -gexp - 1.0)
        da = q
        dd = 1.0 - q
        db = (a - d) * dq_du * u * np.log(xs / c)
        dc = (a - d) * dq_du * u * (-b / c)
        cols = [da, db, dc, dd]
        if model == "5pl":
            cols.append((a - d) * q * (-np.log1p(u)))
        g = np.stack(cols, axis=-1)
        # at x <= 0: f = a  ->  gradient (1, 0, 0, 0[, 0])
        zero = np.zeros(len(cols))
        zero[0] = 1.0
        del lnu
        return np.where(np.isfinite(xs)[..., None], np.nan_to_num(g), zero)


def _dfdx(model: str, p: np.ndarray, x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    if model == "linear":
        return np.full_like(x, p[1])
    if model == "linear-through-origin":
        return np.full_like(x, p[0])
    if model == "quadratic":
        return p[1] + 2 * p[2] * x
    a, b, c, d = p[:4]
    gexp = p[4] if model == "5pl" else 1.0
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        xs = np.where(x > 0, x, np.nan)
        u = np.power(xs / c, b)
        return (a - d) * (-gexp) * np.power(1.0 + u, -gexp - 1.0) * b * u / xs


def _invert(curve: Curve, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Point estimates and status for readings y (no uncertainty)."""
    p = curve.params
    model = curve.model
    status = np.full(y.shape, "ok", dtype=object)
    if model == "linear":
        return (y - p[0]) / p[1], status
    if model == "linear-through-origin":
        return y / p[0], status
    if model == "quadratic":
        return _quadratic_roots(curve, y), status
    a, b, c, d = p[:4]
    gexp = p[4] if model == "5pl" else 1.0
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        ratio = (a - d) / (y - d)
        inner = np.power(ratio, 1.0 / gexp) - 1.0
        est = c * np.power(inner, 1.0 / b)
    bad = ~np.isfinite(est) | ~(inner > 0)
    est = np.where(bad, np.nan, est)
    status = np.where(bad, "beyond-asymptote", status)
    return est, status


def _quadratic_roots(curve: Curve, y: np.ndarray) -> np.ndarray:
    b0, b1, b2 = curve.params
    lo, hi = curve.x_range
    if b2 == 0:
        return (y - b0) / b1
    disc = b1**2 - 4 * b2 * (b0 - y)
    with np.errstate(invalid="ignore"):
        sq = np.sqrt(disc)
    # numerically stable pair of roots
    qq = -0.5 * (b1 + np.copysign(1.0, b1) * sq)
    with np.errstate(divide="ignore", invalid="ignore"):
        r1 = qq / b2
        r2 = (b0 - y) / qq
    tol = 1e-9 * (hi - lo)
    in1 = (r1 >= lo - tol) & (r1 <= hi + tol)
    in2 = (r2 >= lo - tol) & (r2 <= hi + tol)
    # branch of the calibrated range: sign of the mean slope over the range
    sgn = np.sign(_predict("quadratic", curve.params, np.array(hi))
                  - _predict("quadratic", curve.params, np.array(lo)))
    on1 = np.sign(b1 + 2 * b2 * r1) == sgn
    on2 = np.sign(b1 + 2 * b2 * r2) == sgn
    est = np.where(in1 & ~in2, r1, np.where(in2 & ~in1, r2, np.nan))
    out_of_range = ~in1 & ~in2
    est = np.where(out_of_range & on1 & ~on2, r1, est)
    est = np.where(out_of_range & on2 & ~on1, r2, est)
    problems = []
    bad_disc = ~(disc >= 0)
    if np.any(bad_disc):
        problems.append(f"reading(s) {_fmt_list(y[bad_disc])} have no real root (beyond the "
                        "curve's turning point)")
    both = ~bad_disc & in1 & in2 & (np.abs(r1 - r2) > tol)
    if np.any(both):
        problems.append(f"reading(s) {_fmt_list(y[both])} have two roots inside the calibrated "
                        f"range {lo:g}–{hi:g} (the quadratic turns within the range)")
    none = ~bad_disc & ~np.isfinite(est) & ~both & np.isfinite(y)
    if np.any(none):
        problems.append(f"reading(s) {_fmt_list(y[none])} have no root in the calibrated range "
                        f"{lo:g}–{hi:g} or on its branch of the quadratic")
    if problems:
        raise CalibrationError(
            "quadratic without a root in range: " + "; ".join(problems) + ".",
            analyte=curve.analyte,
            hint="Dilute and re-measure the sample, narrow the calibrated range, or use a "
                 "linear model.")
    return est


def _fmt_list(a: np.ndarray, n: int = 5) -> str:
    vals = [f"{v:g}" for v in np.ravel(a)[:n]]
    more = np.size(a) - n
    return ", ".join(vals) + (f" and {more} more" if more > 0 else "")


# ============================================================================================
# fitting


def _as_weights(spec: Any, x: np.ndarray, y: np.ndarray, zero_weight: str,
                analyte: str | None) -> tuple[np.ndarray, str, tuple[float, float], list[str]]:
    notes: list[str] = []
    pos_x = np.abs(x[x != 0])
    pos_y = np.abs(y[y != 0])
    xfloor = float(pos_x.min()) if pos_x.size else np.nan
    yfloor = float(pos_y.min()) if pos_y.size else np.nan
    floors = (xfloor, yfloor)
    if spec is None or (isinstance(spec, str) and spec.lower() in ("none", "")):
        return np.ones_like(x), "none", floors, notes
    if isinstance(spec, str):
        key = spec.replace(" ", "").replace("^", "").replace("²", "2").lower()
        if key not in WEIGHTINGS:
            raise CalibrationError(
                f"unknown weighting {spec!r}.", analyte=analyte,
                expected=f"one of None, {', '.join(repr(w) for w in WEIGHTINGS[1:])} or an "
                         "array of weights")
        if key in ("1/x", "1/x2"):
            if np.any(x == 0):
                if zero_weight == "exclude":
                    notes.append(f"{int(np.sum(x == 0))} standard(s) at x = 0 excluded "
                                 f"(zero_weight='exclude', {key} weighting)")
                else:
                    notes.append(f"{int(np.sum(x == 0))} standard(s) at x = 0 weighted as the "
                                 f"lowest standard (x = {xfloor:g}) for {key} weighting")
            xe = np.where(x == 0, xfloor, np.abs(x))
            w = 1 / xe if key == "1/x" else 1 / xe**2
            if zero_weight == "exclude":
                w = np.where(x == 0, 0.0, w)
        else:
            if np.any(y == 0):
                notes.append(f"{int(np.sum(y == 0))} response(s) of 0 weighted as the smallest "
                             f"non-zero |y| = {yfloor:g} for {key} weighting")
            ye = np.where(y == 0, yfloor, np.abs(y))
            w = 1 / ye if key == "1/y" else 1 / ye**2
        return w, key, floors, notes
    w = np.asarray(spec, dtype=float)
    if w.shape != x.shape:
        raise CalibrationError(
            f"weights must have one value per standard ({x.size}), got shape {w.shape}.",
            analyte=analyte)
    if not np.all(np.isfinite(w)):
        raise CalibrationError(
            f"weights have non-finite values at positions {np.flatnonzero(~np.isfinite(w)).tolist()}.",
            analyte=analyte, hint="Give finite, non-negative weights (∝ 1/variance).")
    if np.any(w < 0):
        raise CalibrationError(
            f"negative weights at positions {np.flatnonzero(w < 0).tolist()} "
            f"({_fmt_list(w[w < 0])}).", analyte=analyte,
            hint="Weights are proportional to 1/variance and must be ≥ 0.")
    if not np.any(w > 0):
        raise CalibrationError("all weights are zero.", analyte=analyte)
    return w, "array", floors, notes


def _check_xy(x: Any, y: Any, model: str, analyte: str | None) -> tuple[np.ndarray, np.ndarray]:
    if model not in MODELS:
        raise CalibrationError(f"unknown calibration model {model!r}.", analyte=analyte,
                               expected=f"one of {', '.join(MODELS)}")
    try:
        xa = np.asarray(x, dtype=float).ravel()
        ya = np.asarray(y, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise CalibrationError(f"x and y must be numbers ({exc}).", analyte=analyte) from None
    if xa.size != ya.size:
        raise CalibrationError(f"x and y differ in length ({xa.size} vs {ya.size}).",
                               analyte=analyte)
    bad = ~np.isfinite(xa) | ~np.isfinite(ya)
    if np.any(bad):
        idx = np.flatnonzero(bad).tolist()
        raise CalibrationError(
            f"non-finite values in the calibration data at positions {idx} "
            f"(x = {_fmt_list(xa[bad])}; y = {_fmt_list(ya[bad])}).", analyte=analyte,
            hint="Remove or fix those standards (a rejected injection should be excluded, not "
                 "passed as NaN).")
    levels = np.unique(xa)
    if levels.size == 1 and xa.size > 0:
        raise CalibrationError(
            f"all {xa.size} standards have the same concentration (x = {levels[0]:g}): one "
            "distinct x cannot define a curve.", analyte=analyte,
            hint="Check the nominal concentrations / level table of the method.")
    need = _MIN_LEVELS[model]
    if levels.size < need:
        raise CalibrationError(
            f"a {model} curve needs at least {need} calibration levels (distinct "
            f"concentrations), found {levels.size} ({_fmt_list(levels)}).", analyte=analyte,
            hint="Add standards at more concentrations.")
    if xa.size <= _NPARAM[model]:
        raise CalibrationError(
            f"a {model} curve needs more than {_NPARAM[model]} standards to estimate its "
            f"residual variance, found {xa.size}.", analyte=analyte,
            hint="Add standards or replicates.")
    if model in ("4pl", "5pl") and np.any(xa < 0):
        raise CalibrationError("logistic models need non-negative concentrations.",
                               analyte=analyte)
    return xa, ya


def _wls_poly(x: np.ndarray, y: np.ndarray, w: np.ndarray, degree: int, origin: bool
              ) -> tuple[np.ndarray, np.ndarray, float, int]:
    cols = [x**k for k in range(0 if not origin else 1, degree + 1)]
    X = np.stack(cols, axis=1)
    sw = np.sqrt(w)
    beta, *_ = np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)
    r = y - X @ beta
    n_eff = int(np.sum(w > 0))
    dof = n_eff - X.shape[1]
    s2 = float(np.sum(w * r**2) / dof) if dof > 0 else np.nan
    xtwx = X.T @ (X * w[:, None])
    cov = s2 * np.linalg.inv(xtwx)
    return beta, cov, s2, dof


def _fit_logistic(model: str, x: np.ndarray, y: np.ndarray, w: np.ndarray,
                  analyte: str | None) -> tuple[np.ndarray, np.ndarray, float, int]:
    levels, ymeans = _level_means(x, y)
    a0, d0 = ymeans[0], ymeans[-1]
    pos = levels[levels > 0]
    mid = (a0 + d0) / 2
    # starting inflection: where the level means cross the mid response
    c0 = float(np.exp(np.mean(np.log(pos)))) if pos.size else 1.0
    for i in range(len(levels) - 1):
        if (ymeans[i] - mid) * (ymeans[i + 1] - mid) <= 0 and levels[i + 1] > 0:
            c0 = float(max(levels[i], pos.min() / 2) if levels[i] > 0 else levels[i + 1])
            break
    span = abs(a0 - d0) if a0 != d0 else (np.ptp(y) or 1.0)
    p0 = [a0, 1.0, c0, d0] + ([1.0] if model == "5pl" else [])
    lb = [-np.inf, 1e-3, pos.min() * 1e-3 if pos.size else 1e-12, -np.inf]
    ub = [np.inf, 50.0, (pos.max() if pos.size else 1.0) * 1e3, np.inf]
    if model == "5pl":
        lb.append(1e-2)
        ub.append(100.0)
    sw = np.sqrt(w)
    scale = span

    def resid(p: np.ndarray) -> np.ndarray:
        return sw * (y - _predict(model, p, x)) / scale

    def jac(p: np.ndarray) -> np.ndarray:
        return -sw[:, None] * _grad(model, p, x) / scale

    try:
        res = optimize.least_squares(resid, p0, jac=jac, bounds=(lb, ub), method="trf",
                                     x_scale="jac", max_nfev=2000, xtol=1e-12, ftol=1e-12,
                                     gtol=1e-12)
    except (ValueError, np.linalg.LinAlgError) as exc:
        raise CalibrationError(f"the {model.upper()} fit did not converge ({exc}).",
                               analyte=analyte,
                               hint="Check that the standards span both plateaus, or use "
                                    "another model.") from None
    p = res.x
    J = _grad(model, p, x)
    n_eff = int(np.sum(w > 0))
    dof = n_eff - len(p)
    r = y - _predict(model, p, x)
    s2 = float(np.sum(w * r**2) / dof)
    try:
        cov = s2 * np.linalg.inv(J.T @ (J * w[:, None]))
    except np.linalg.LinAlgError:
        cov = np.full((len(p), len(p)), np.nan)
    at_bound = np.any(np.isclose(p, lb, rtol=1e-6)) or np.any(np.isclose(p, ub, rtol=1e-6))
    if res.status <= 0 or not np.all(np.isfinite(cov)) or at_bound or not np.all(np.isfinite(p)):
        why = res.message if res.status <= 0 else (
            "a parameter ran into its bound" if at_bound else "singular covariance matrix")
        raise CalibrationError(
            f"the {model.upper()} fit did not converge ({why}).", analyte=analyte,
            hint="Check that the standards span both plateaus of the curve and that the "
                 "responses are monotonic in concentration, or use another model.")
    return p, cov, s2, dof


def _level_means(x: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    levels, inv = np.unique(x, return_inverse=True)
    sums = np.bincount(inv, weights=v)
    counts = np.bincount(inv)
    return levels, sums / counts


def _r2(y: np.ndarray, fitted: np.ndarray, w: np.ndarray, origin: bool) -> float:
    sse = float(np.sum(w * (y - fitted) ** 2))
    if origin:
        sst = float(np.sum(w * y**2))
    else:
        ybar = np.sum(w * y) / np.sum(w)
        sst = float(np.sum(w * (y - ybar) ** 2))
    return 1 - sse / sst if sst > 0 else float("nan")


def _mandel(x: np.ndarray, y: np.ndarray, w: np.ndarray, alpha: float = 0.01
            ) -> MandelTest | None:
    n = int(np.sum(w > 0))
    if n < 4 or np.unique(x[w > 0]).size < 3:
        return None
    _, _, s1, _ = _wls_poly(x, y, w, 1, False)
    _, _, s2, _ = _wls_poly(x, y, w, 2, False)
    if not s2 > 0:
        return None
    ds2 = (n - 2) * s1 - (n - 3) * s2
    pg = ds2 / s2
    fcrit = float(special.fdtri(1, n - 3, 1 - alpha))
    return MandelTest(float(pg), fcrit, float(special.fdtrc(1, n - 3, pg)), (1, n - 3), alpha,
                      math.sqrt(s1), math.sqrt(s2))


def _lack_of_fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, fitted: np.ndarray, p: int
                 ) -> LackOfFitTest | None:
    keep = w > 0
    x, y, w, fitted = x[keep], y[keep], w[keep], fitted[keep]
    n = x.size
    levels, inv = np.unique(x, return_inverse=True)
    k = levels.size
    if k >= n or k <= p:
        return None
    wsum = np.bincount(inv, weights=w)
    ymean = np.bincount(inv, weights=w * y) / wsum
    sspe = float(np.sum(w * (y - ymean[inv]) ** 2))
    sse = float(np.sum(w * (y - fitted) ** 2))
    if not sspe > 0:
        return None
    f = ((sse - sspe) / (k - p)) / (sspe / (n - k))
    return LackOfFitTest(float(f), float(special.fdtrc(k - p, n - k, f)), (k - p, n - k))


def fit_curve(x: Any, y: Any, model: str = "linear", weights: Any = None, *,
              analyte: str | None = None, istd_signal: Any = None, zero_weight: str = "lowest",
              unit: str = "", response_unit: str = "", source_lines: Sequence[str] = ()
              ) -> Curve:
    """Fit a calibration curve.

    Parameters
    ----------
    x : array_like
        Concentrations of the standards (replicates as separate points).
    y : array_like
        Responses (signal; or analyte signal when ``istd_signal`` is given).
    model : str
        ``linear``, ``linear-through-origin``, ``quadratic``, ``4pl`` or ``5pl``.
    weights : None, str or array_like
        ``None``/``"none"``, ``"1/x"``, ``"1/x2"``, ``"1/y"``, ``"1/y2"`` or weights ∝
        1/variance, one per standard.
    analyte : str, optional
        Named in errors and carried by the curve.
    istd_signal : array_like, optional
        Internal-standard signal of each standard: the curve is then fitted on the ratio
        y/istd (see :func:`istd_ratio`) and ``Curve.response == "ratio"``.
    zero_weight : {"lowest", "exclude"}
        How standards at x = 0 are weighted under 1/x and 1/x² weighting (module notes).
    unit, response_unit : str
        Concentration unit of x and unit of the response.
    source_lines : sequence of str
        Where each standard came from (kept for reports).

    Returns
    -------
    Curve

    Raises
    ------
    CalibrationError
        Naming the analyte and what to fix: fewer than three levels, non-finite values, one
        distinct x, negative weights, a logistic fit that does not converge.

    References
    ----------
    Massart et al. (1997) ch. 8; ISO 8466-1:1990 / DIN 38402-51 (linear calibration and
    Mandel's test); ISO 8466-2:2001 (second-order calibration); Findlay & Dillard (2007) (4PL/5PL).

    Examples
    --------
    Massart et al. (1997) example 1 (chemCal ``massart97ex1``):

    >>> c = fit_curve([0, 10, 20, 30, 40, 50], [4, 21.2, 44.6, 61.8, 78, 105.2])
    >>> round(c.coefficients["slope"], 6), round(c.s_yx, 6), c.dof
    (1.981714, 2.991162, 4)
    >>> round(c.inverse(90).estimate, 4)
    43.9398
    """
    if zero_weight not in ("lowest", "exclude"):
        raise CalibrationError(f"zero_weight must be 'lowest' or 'exclude', got {zero_weight!r}.",
                               analyte=analyte)
    response = "signal"
    if istd_signal is not None:
        y = istd_ratio(y, istd_signal, analyte=analyte)
        response = "ratio"
        response_unit = response_unit or "ratio"
    xa, ya = _check_xy(x, y, model, analyte)
    w, wname, floors, notes = _as_weights(weights, xa, ya, zero_weight, analyte)
    if wname in ("1/x", "1/x2") and not np.isfinite(floors[0]):
        raise CalibrationError("1/x weighting needs at least one standard with x ≠ 0.",
                               analyte=analyte)
    keep = w > 0
    if np.unique(xa[keep]).size < _MIN_LEVELS[model]:
        raise CalibrationError(
            f"a {model} curve needs at least {_MIN_LEVELS[model]} calibration levels with "
            f"non-zero weight, found {np.unique(xa[keep]).size}.", analyte=analyte)
    if model in ("linear", "linear-through-origin", "quadratic"):
        degree = 2 if model == "quadratic" else 1
        beta, cov, s2, dof = _wls_poly(xa, ya, w, degree, model == "linear-through-origin")
    else:
        beta, cov, s2, dof = _fit_logistic(model, xa, ya, w, analyte)
    if dof < 1:
        raise CalibrationError(f"no residual degrees of freedom for a {model} curve.",
                               analyte=analyte, hint="Add standards or replicates.")
    fitted = _predict(model, beta, xa)
    origin = model == "linear-through-origin"
    mandel = _mandel(xa, ya, w) if model in ("linear", "linear-through-origin",
                                             "quadratic") else None
    lof = _lack_of_fit(xa, ya, w, fitted, len(beta))
    lo, hi = float(xa[keep].min()), float(xa[keep].max())
    curve = Curve(
        model=model, weighting=wname,
        coefficients=dict(zip(_COEF_NAMES[model], (float(b) for b in beta), strict=True)),
        covariance=_ro(cov), s_yx=math.sqrt(s2), dof=int(dof),
        r2=_r2(ya[keep], fitted[keep], w[keep], origin),
        x=_ro(xa), y=_ro(ya), weights=_ro(w), residuals=_ro(ya - fitted), fitted=_ro(fitted),
        back_calculated=_ro(np.full_like(xa, np.nan)), accuracy_pct=_ro(np.full_like(xa, np.nan)),
        mandel=mandel, lack_of_fit=lof, x_range=(lo, hi), analyte=analyte, unit=unit,
        response_unit=response_unit, response=response, notes=tuple(notes),
        source_lines=tuple(str(s) for s in source_lines), _weight_floor=floors,
    )
    try:
        back, _ = _invert(curve, ya)
    except CalibrationError:
        back = np.full_like(xa, np.nan)
        for i, yi in enumerate(ya):
            try:
                back[i] = _invert(curve, np.array([yi]))[0][0]
            except CalibrationError:
                pass
    with np.errstate(divide="ignore", invalid="ignore"):
        acc = np.where(xa != 0, 100 * back / xa, np.nan)
    object.__setattr__(curve, "back_calculated", _ro(back))
    object.__setattr__(curve, "accuracy_pct", _ro(acc))
    object.__setattr__(curve, "coefficients", _MappingRO(curve.coefficients))
    return curve


class _MappingRO(Mapping[str, float]):
    """Read-only, ordered mapping of coefficients (repr like a dict)."""

    def __init__(self, d: Mapping[str, float]) -> None:
        self._d = dict(d)

    def __getitem__(self, k: str) -> float:
        return self._d[k]

    def __iter__(self):
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def __repr__(self) -> str:
        return repr(self._d)


def istd_ratio(signal: Any, istd_signal: Any, *, analyte: str | None = None) -> np.ndarray:
    """Response ratio analyte signal / internal-standard signal.

    Internal-standard calibration regresses R = A_analyte/A_IS on concentration (at a constant
    amount of internal standard) and inverts R for the samples.

    Raises
    ------
    CalibrationError
        When an internal-standard signal is missing, zero or negative.

    References
    ----------
    US EPA Method 200.8 rev. 5.4 (1994) §3 and §10 (internal standardisation); Harris D.C.,
    Quantitative Chemical Analysis, ch. 5 (internal standards).

    Examples
    --------
    >>> istd_ratio([100.0, 250.0], [50.0, 50.0]).tolist()
    [2.0, 5.0]
    """
    s = np.asarray(signal, dtype=float)
    i = np.asarray(istd_signal, dtype=float)
    if s.shape != i.shape:
        raise CalibrationError(f"signal and ISTD signal differ in shape ({s.shape} vs {i.shape}).",
                               analyte=analyte)
    bad = ~(np.isfinite(i) & (i > 0))
    if np.any(bad):
        raise CalibrationError(
            f"internal-standard signal missing or not positive at positions "
            f"{np.flatnonzero(bad).tolist()} (found {_fmt_list(i[bad])}).", analyte=analyte,
            hint="Check that the internal standard was measured in every injection used.")
    return s / i


# ============================================================================================
# batched linear fits


@dataclass(frozen=True, eq=False)
class CurveBatch:
    """Many straight-line curves fitted at once (vectorised; see :func:`fit_curves`).

    Arrays have a leading dimension B (one row per curve).
    """

    model: str
    weighting: str
    coefficients: np.ndarray  # (B, p): intercept, slope  |  slope
    covariance: np.ndarray  # (B, p, p)
    s_yx: np.ndarray
    dof: np.ndarray
    r2: np.ndarray
    x: np.ndarray
    y: np.ndarray
    weights: np.ndarray
    x_range: np.ndarray  # (B, 2)
    x_floor: np.ndarray
    y_floor: np.ndarray

    def __len__(self) -> int:
        return int(self.coefficients.shape[0])

    def inverse(self, y: Any, replicates: Any = 1, alpha: float = 0.05) -> InversePrediction:
        """Inverse-predict reading(s) per curve: ``y`` of shape (B,) or (B, k).

        Same formulas and weight-at-estimate rule as :meth:`Curve.inverse`; ``dof`` of the
        result is the common residual dof of the curves, or -1 when they differ (each row's
        own t quantile is used either way).
        """
        ya = np.asarray(y, dtype=float)
        squeeze = ya.ndim == 1
        if squeeze:
            ya = ya[:, None]
        m = np.broadcast_to(np.asarray(replicates, dtype=float), ya.shape)
        if self.model == "linear":
            b0, b1 = self.coefficients[:, :1], self.coefficients[:, 1:2]
        else:
            b0, b1 = np.zeros((len(self), 1)), self.coefficients[:, :1]
        est = (ya - b0) / b1
        wname = self.weighting
        xf, yf = self.x_floor[:, None], self.y_floor[:, None]
        if wname == "none":
            w_s = np.ones_like(est)
        elif wname in ("1/x", "1/x2"):
            xe = np.maximum(np.abs(est), xf)
            w_s = 1 / xe if wname == "1/x" else 1 / xe**2
        else:
            ye = np.maximum(np.abs(ya), yf)
            w_s = 1 / ye if wname == "1/y" else 1 / ye**2
        s2 = (self.s_yx**2)[:, None]
        cov = self.covariance
        if self.model == "linear":
            quad = cov[:, 0, 0][:, None] + 2 * est * cov[:, 0, 1][:, None] \
                + est**2 * cov[:, 1, 1][:, None]
        else:
            quad = est**2 * cov[:, 0, 0][:, None]
        se = np.sqrt(s2 / (w_s * m) + quad) / np.abs(b1)
        t = _t_ppf(1 - alpha / 2, self.dof)[:, None]
        lo, hi = self.x_range[:, :1], self.x_range[:, 1:]
        extrap = (est < lo) | (est > hi)
        status = np.where(extrap, "extrapolated", "ok")
        res = dict(y=ya, replicates=m.astype(int), estimate=est, standard_error=se,
                   lower=est - t * se, upper=est + t * se, extrapolated=extrap, status=status,
                   weight=w_s)
        if squeeze:
            res = {k: v[:, 0] for k, v in res.items()}
        dofs = np.unique(self.dof)
        return InversePrediction(**res, alpha=alpha, dof=int(dofs[0]) if dofs.size == 1 else -1)


def fit_curves(x: Any, y: Any, model: str = "linear", weights: Any = None) -> CurveBatch:
    """Fit many straight-line calibrations at once (vectorised closed-form WLS).

    Parameters
    ----------
    x, y : array_like, shape (B, n)
        One curve per row; NaN marks a missing standard (ignored).
    model : {"linear", "linear-through-origin"}
    weights : None, "1/x", "1/x2", "1/y", "1/y2" or array (B, n)

    Returns
    -------
    CurveBatch
        Coefficients, covariances, s_yx, dof, r² per curve; ``.inverse(y)`` inverse-predicts
        with the same formulas as :meth:`Curve.inverse`.

    Raises
    ------
    CalibrationError
        When any curve has fewer than three levels (listing the rows), negative weights or
        an unknown model.

    References
    ----------
    Massart et al. (1997) ch. 8 (weighted regression, closed forms).

    Examples
    --------
    >>> b = fit_curves([[0, 1, 2, 3], [0, 1, 2, 3]], [[0.1, 1.0, 2.1, 2.9], [0, 2, 4, 6.1]])
    >>> np.round(b.coefficients[:, 1], 3).tolist()
    [0.95, 2.03]
    """
    if model not in ("linear", "linear-through-origin"):
        raise CalibrationError(f"fit_curves supports 'linear' and 'linear-through-origin', not "
                               f"{model!r}; use fit_curve for other models.")
    xa = np.atleast_2d(np.asarray(x, dtype=float))
    ya = np.atleast_2d(np.asarray(y, dtype=float))
    if xa.shape != ya.shape:
        raise CalibrationError(f"x and y differ in shape ({xa.shape} vs {ya.shape}).")
    ok = np.isfinite(xa) & np.isfinite(ya)
    x0 = np.where(ok, xa, 0.0)
    y0 = np.where(ok, ya, 0.0)
    absx = np.where(ok & (x0 != 0), np.abs(x0), np.inf)
    absy = np.where(ok & (y0 != 0), np.abs(y0), np.inf)
    xf = absx.min(axis=1)
    yf = absy.min(axis=1)
    if weights is None or (isinstance(weights, str) and weights.lower() == "none"):
        w = ok.astype(float)
        wname = "none"
    elif isinstance(weights, str):
        wname = weights.replace("^", "").replace("²", "2").lower()
        if wname not in WEIGHTINGS:
            raise CalibrationError(f"unknown weighting {weights!r}.",
                                   expected=f"one of {', '.join(WEIGHTINGS)}")
        if wname in ("1/x", "1/x2"):
            xe = np.where(x0 == 0, xf[:, None], np.abs(x0))
            w = 1 / xe if wname == "1/x" else 1 / xe**2
        else:
            ye = np.where(y0 == 0, yf[:, None], np.abs(y0))
            w = 1 / ye if wname == "1/y" else 1 / ye**2
        w = np.where(ok, w, 0.0)
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != xa.shape:
            raise CalibrationError(f"weights must have the shape of x {xa.shape}, got {w.shape}.")
        if np.any(w[ok] < 0) or not np.all(np.isfinite(w[ok])):
            rows = np.unique(np.nonzero(ok & ~(w >= 0))[0]).tolist()
            raise CalibrationError(f"negative or non-finite weights in curve(s) {rows}.")
        w = np.where(ok, w, 0.0)
        wname = "array"
    # level counts per row
    xs = np.sort(np.where(w > 0, x0, np.nan), axis=1)
    nlev = np.sum(np.isfinite(xs), axis=1) - np.sum(np.diff(xs, axis=1) == 0, axis=1)
    bad = np.flatnonzero(nlev < 3)
    if bad.size:
        raise CalibrationError(
            f"curve(s) {_fmt_list(bad, 10)} have fewer than 3 calibration levels.",
            hint="Each row needs standards at three or more distinct concentrations.")
    n = np.sum(w > 0, axis=1)
    sw = w.sum(1)
    swx = (w * x0).sum(1)
    swy = (w * y0).sum(1)
    swxx = (w * x0 * x0).sum(1)
    swxy = (w * x0 * y0).sum(1)
    if model == "linear":
        den = sw * swxx - swx**2
        b1 = (sw * swxy - swx * swy) / den
        b0 = (swy - b1 * swx) / sw
        fitted = b0[:, None] + b1[:, None] * x0
        dof = n - 2
        coef = np.stack([b0, b1], axis=1)
    else:
        b1 = swxy / swxx
        fitted = b1[:, None] * x0
        dof = n - 1
        coef = b1[:, None]
    r = np.where(w > 0, y0 - fitted, 0.0)
    sse = (w * r * r).sum(1)
    s2 = sse / dof
    if model == "linear":
        cov = np.empty((len(b1), 2, 2))
        cov[:, 0, 0] = s2 * swxx / den
        cov[:, 0, 1] = cov[:, 1, 0] = -s2 * swx / den
        cov[:, 1, 1] = s2 * sw / den
        ybar = swy / sw
        sst = (w * (y0 - ybar[:, None]) ** 2).sum(1)
    else:
        cov = (s2 / swxx)[:, None, None]
        sst = (w * y0 * y0).sum(1)
    xr = np.stack([np.where(w > 0, x0, np.inf).min(1), np.where(w > 0, x0, -np.inf).max(1)],
                  axis=1)
    return CurveBatch(model, wname, coef, cov, np.sqrt(s2), dof.astype(int), 1 - sse / sst,
                      xa, ya, w, xr, xf, yf)


# ============================================================================================
# standard addition


@dataclass(frozen=True, eq=False)
class StandardAdditionResult:
    """Standard-addition estimate of the amount in the unspiked test solution.

    Attributes
    ----------
    x0 : float
        Estimated amount/concentration, ``intercept / slope`` (the magnitude of the
        x-intercept), in the unit of ``added``.
    standard_error, lower, upper : float
        Standard error (IUPAC formula) and the (1 − alpha) confidence limits x0 ± t·se.
    intercept, slope, s_yx : float
    dof : int
    alpha : float
    added, signal : ndarray
    r2 : float
    analyte, unit : str
    """

    x0: float
    standard_error: float
    lower: float
    upper: float
    intercept: float
    slope: float
    s_yx: float
    dof: int
    alpha: float
    added: np.ndarray
    signal: np.ndarray
    r2: float
    analyte: str | None = None
    unit: str = ""

    def to_frame(self):
        """One-row table of the estimate and its regression."""
        import pandas as pd

        return pd.DataFrame([{
            "analyte": self.analyte or "", "x0": self.x0, "standard_error": self.standard_error,
            "lower": self.lower, "upper": self.upper, "alpha": self.alpha,
            "intercept": self.intercept, "slope": self.slope, "s_yx": self.s_yx,
            "dof": self.dof, "r2": self.r2, "n": self.added.size, "unit": self.unit,
            "method": "standard addition (IUPAC extrapolation formula)",
        }])


def fit_standard_addition(added: Any, signal: Any, *, alpha: float = 0.05,
                          analyte: str | None = None, unit: str = ""
                          ) -> StandardAdditionResult:
    """Standard-addition calibration: regress signal on the amount added, x0 = b0/b1.

    The standard error is the extrapolation formula
    ``s_x0 = (s_yx/b1)·sqrt(1/n + ȳ²/(b1²·Σ(x_i − x̄)²))``.

    Parameters
    ----------
    added : array_like
        Amount (or concentration) of analyte added to each aliquot, 0 for the unspiked one.
    signal : array_like
        Responses.
    alpha : float
        For the two-sided confidence interval with t(1 − α/2, n − 2).

    Returns
    -------
    StandardAdditionResult

    Raises
    ------
    CalibrationError
        Fewer than three addition levels, non-finite values, or a non-positive slope.

    References
    ----------
    IUPAC Compendium of Analytical Nomenclature ("Orange Book"), standard addition
    (entry 1.150 of the 1998/2023 edition); Bruce G.R., Gill P.S. (1999) Estimates of precision
    in a standard additions analysis. J. Chem. Educ. 76, 805–807; Miller J.N., Miller J.C.
    Statistics and Chemometrics for Analytical Chemistry, §5.8.

    Examples
    --------
    Al in chewing gum ("Tutorial SAM 2"): V_std = 0, 0.1, 0.2, 0.3 mL.

    >>> r = fit_standard_addition([0, 0.1, 0.2, 0.3], [0.214, 0.386, 0.554, 0.728])
    >>> round(r.x0, 4), round(r.standard_error, 6)
    (0.1251, 0.001345)
    """
    xa, ya = _check_xy(added, signal, "linear", analyte)
    beta, cov, s2, dof = _wls_poly(xa, ya, np.ones_like(xa), 1, False)
    b0, b1 = float(beta[0]), float(beta[1])
    if not b1 > 0:
        raise CalibrationError(f"standard-addition slope must be positive, found {b1:g}.",
                               analyte=analyte,
                               hint="Check that the additions increase the signal.")
    n = xa.size
    s = math.sqrt(s2)
    sxx = float(np.sum((xa - xa.mean()) ** 2))
    se = (s / b1) * math.sqrt(1 / n + ya.mean() ** 2 / (b1**2 * sxx))
    x0 = b0 / b1
    t = float(_t_ppf(1 - alpha / 2, dof))
    fitted = b0 + b1 * xa
    return StandardAdditionResult(
        x0=x0, standard_error=se, lower=x0 - t * se, upper=x0 + t * se, intercept=b0, slope=b1,
        s_yx=s, dof=int(dof), alpha=alpha, added=_ro(xa), signal=_ro(ya),
        r2=_r2(ya, fitted, np.ones_like(xa), False), analyte=analyte, unit=unit)


# ============================================================================================
# drift correction


@dataclass(frozen=True, eq=False)
class DriftCorrection:
    """Drift correction of a sequence from continuing calibration verification (CCV) standards.

    Attributes
    ----------
    positions, values : ndarray
        Injection positions and the values corrected.
    recovery_pct : ndarray
        CCV recovery interpolated at each position.
    corrected : ndarray
        ``values / (recovery_pct / 100)``.
    bracketed : ndarray of bool
        True when a passing CCV precedes and follows the injection.
    ccv_positions, ccv_recovery_pct : ndarray
    outside : str
        How unbracketed injections were treated (``nearest``, ``none``).
    method : str
    """

    positions: np.ndarray
    values: np.ndarray
    recovery_pct: np.ndarray
    corrected: np.ndarray
    bracketed: np.ndarray
    ccv_positions: np.ndarray
    ccv_recovery_pct: np.ndarray
    outside: str
    method: str = "linear interpolation of CCV recovery between bracketing CCVs"

    def to_frame(self):
        """One row per injection corrected."""
        import pandas as pd

        return pd.DataFrame({"position": self.positions, "value": self.values,
                             "ccv_recovery_pct": self.recovery_pct, "corrected": self.corrected,
                             "bracketed": self.bracketed})


def drift_correction(positions: Any, values: Any, ccv_positions: Any, ccv_recovery_pct: Any, *,
                     outside: str = "nearest", analyte: str | None = None) -> DriftCorrection:
    """Correct results for instrument drift using the bracketing CCVs.

    The CCV recovery (measured/nominal × 100) is interpolated linearly in injection order
    between the CCV before and the CCV after each injection, and the value is divided by it.

    Parameters
    ----------
    positions : array_like
        Injection order (sequence numbers) of the values to correct.
    values : array_like
        Concentrations (or signals) to correct.
    ccv_positions, ccv_recovery_pct : array_like
        Injection order and recovery (%) of each CCV.
    outside : {"nearest", "none", "error"}
        Injections before the first or after the last CCV: use the nearest CCV's recovery,
        leave uncorrected (factor 1), or raise. Either way they are flagged ``bracketed=False``.

    Returns
    -------
    DriftCorrection

    Raises
    ------
    CalibrationError
        No CCV, non-finite or non-positive recoveries, or unbracketed injections with
        ``outside="error"``.

    References
    ----------
    US EPA SW-846 Method 6020B (2014) §9.3 and US EPA Method 200.8 §9.3.4 (CCVs every 10
    samples; results must be bracketed by passing CCVs — these methods *reject* rather than
    correct); SANTE/11312/2021 §C47 (bracketing calibration). The interpolated correction is
    the drift-correction practice of ICP-MS software (a laboratory choice: report it).

    Examples
    --------
    >>> d = drift_correction([2, 3, 4], [10.0, 10.0, 10.0], [1, 5], [100.0, 90.0])
    >>> np.round(d.recovery_pct, 1).tolist(), np.round(d.corrected, 3).tolist()
    ([97.5, 95.0, 92.5], [10.256, 10.526, 10.811])
    """
    pos = np.asarray(positions, dtype=float).ravel()
    val = np.asarray(values, dtype=float).ravel()
    cp = np.asarray(ccv_positions, dtype=float).ravel()
    cr = np.asarray(ccv_recovery_pct, dtype=float).ravel()
    if pos.shape != val.shape:
        raise CalibrationError("positions and values differ in length.", analyte=analyte)
    if cp.size == 0 or cp.shape != cr.shape:
        raise CalibrationError("drift correction needs at least one CCV (position and "
                               "recovery).", analyte=analyte)
    if not np.all(np.isfinite(cr) & (cr > 0)) or not np.all(np.isfinite(cp)):
        raise CalibrationError(f"CCV recoveries must be positive numbers, found "
                               f"{_fmt_list(cr)}.", analyte=analyte)
    if outside not in ("nearest", "none", "error"):
        raise CalibrationError(f"outside must be 'nearest', 'none' or 'error', got {outside!r}.",
                               analyte=analyte)
    order = np.argsort(cp, kind="stable")
    cp, cr = cp[order], cr[order]
    rec = np.interp(pos, cp, cr)
    bracketed = (pos >= cp[0]) & (pos <= cp[-1])
    if outside == "error" and not np.all(bracketed):
        raise CalibrationError(
            f"injection(s) at position {_fmt_list(pos[~bracketed])} are not bracketed by CCVs "
            f"({cp[0]:g}–{cp[-1]:g}).", analyte=analyte,
            hint="Run a CCV before the first and after the last sample.")
    if outside == "none":
        rec = np.where(bracketed, rec, 100.0)
    return DriftCorrection(_ro(pos), _ro(val), _ro(rec), _ro(val / (rec / 100)), _ro(bracketed,
                           bool), _ro(cp), _ro(cr), outside)


# ============================================================================================
# whole runs


class Calibrations(dict):
    """``{analyte: Curve}`` for a run, plus what could not be calibrated.

    Attributes
    ----------
    errors : dict[str, CalibrationError]
        Analytes whose curve failed (only with ``on_error="collect"``).
    excluded : list of dict
        Calibration rows not used (rejected injections), with analyte, source_line and reason.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.errors: dict[str, CalibrationError] = {}
        self.excluded: list[dict[str, Any]] = []


def _text(v: Any) -> str:
    if v is None:
        return ""
    try:
        if isinstance(v, float) and math.isnan(v):
            return ""
    except TypeError:
        pass
    s = str(v).strip()
    return "" if s.lower() in ("nan", "none", "<na>") else s


def _norm_channel(s: str) -> str:
    return re.sub(r"\s+", "", _text(s)).lower()


def _channel_mask(channels: Any, wanted: str) -> Any:
    """Rows whose channel is ``wanted``: exact (spaces and case ignored), else the same
    isotope/label before the tune mode (``208Pb [He]`` ~ ``208Pb [He Gas]``)."""
    norm = channels.map(_norm_channel)
    exact = norm == _norm_channel(wanted)
    if exact.any():
        return exact
    head = _norm_channel(re.split(r"[\[(]", _text(wanted))[0])
    return norm.map(lambda c: bool(head) and re.split(r"[\[(]", c)[0] == head)


def calibrate(run: Any, method: Any, *, on_error: str = "raise") -> Calibrations:
    """Fit the calibration curve of every analyte of ``method`` from a run's standards.

    Calibration rows are ``sample_type`` ``calibration`` or ``calibration_blank``, not
    ``rejected``. The concentration of each standard is the export's ``nominal`` (converted to
    the method's unit when ``nominal_unit`` differs) or, when absent, the method's
    concentration for the row's ``level`` (without a level: for its ``sample_id``, as plate
    layouts name standards, ``STD3`` → level ``3``); calibration blanks without either are 0.
    When the analyte has an internal standard, the response is the ratio to the ISTD signal of the same
    injection: the row's ``istd_signal`` if the reader paired it, else the signal of the row of
    the same ``sequence`` whose channel is the method's ``istd_channel`` or whose analyte is its
    ``istd_analyte``. Analytes with model ``reported`` are skipped.

    Parameters
    ----------
    run : labtox.run.Run
    method : labtox.method.Method
    on_error : {"raise", "collect"}
        Raise the first :class:`CalibrationError`, or collect them in ``result.errors``.

    Returns
    -------
    Calibrations
        ``dict`` analyte → :class:`Curve` with ``errors`` and ``excluded``.

    Raises
    ------
    CalibrationError
        Naming the analyte: no standards, a level the method does not define, a missing ISTD
        signal, or any fitting error.

    References
    ----------
    US EPA Method 200.8 §10 (calibration with internal standards); SANTE/11312/2021 (C.
    calibration); see :func:`fit_curve`.
    """
    if on_error not in ("raise", "collect"):
        raise CalibrationError(f"on_error must be 'raise' or 'collect', got {on_error!r}.")
    df = run.measurements
    out = Calibrations()
    is_cal = df["sample_type"].isin(["calibration", "calibration_blank"])
    rejected = df["rejected"].fillna(False).astype(bool) if "rejected" in df.columns \
        else is_cal & False
    for _, row in df[is_cal & rejected].iterrows():
        out.excluded.append({"analyte": row["analyte"], "source_line": row.get("source_line"),
                             "reason": "rejected injection"})
    cal = df[is_cal & ~rejected]
    for spec in method.analytes:
        if spec.model == "reported":
            continue
        try:
            out[spec.name] = _calibrate_one(cal, df, spec)
        except CalibrationError as exc:
            if on_error == "raise":
                raise
            out.errors[spec.name] = exc
    return out


def _calibrate_one(cal: Any, df: Any, spec: Any) -> Curve:
    import pandas as pd

    from labtox.units import convert

    rows = cal[cal["analyte"] == spec.name]
    if "is_istd" in rows.columns:
        rows = rows[~rows["is_istd"].fillna(False).astype(bool)]
    if spec.channel and len(rows):
        mask = _channel_mask(rows["channel"], spec.channel)
        if not mask.any():
            found = sorted({_text(c) for c in rows["channel"]})
            raise CalibrationError(
                f"the method's channel {spec.channel!r} is not in the run "
                f"(channels found: {', '.join(found)}).", analyte=spec.name,
                hint="Correct the channel in the method file.")
        rows = rows[mask]
    if rows.empty:
        raise CalibrationError(
            "no calibration standards in the run (sample_type 'calibration' or "
            f"'calibration_blank'{', channel ' + repr(spec.channel) if spec.channel else ''}).",
            analyte=spec.name,
            hint="Check the export's sample types and the method's channel.")
    lines = [str(s) for s in rows["source_line"]]
    x = np.full(len(rows), np.nan)
    nominal = pd.to_numeric(rows["nominal"], errors="coerce").to_numpy(float) \
        if "nominal" in rows.columns else np.full(len(rows), np.nan)
    nunit = rows["nominal_unit"].map(_text).to_numpy() if "nominal_unit" in rows.columns \
        else np.array([""] * len(rows))
    levels = rows["level"].map(_text).to_numpy() if "level" in rows.columns \
        else np.array([""] * len(rows))
    stypes = rows["sample_type"].to_numpy()
    ids = rows["sample_id"].map(_text).to_numpy()
    missing = []
    for i in range(len(rows)):
        if np.isfinite(nominal[i]):
            v = nominal[i]
            if nunit[i] and spec.unit and nunit[i] != spec.unit:
                v = float(convert(v, nunit[i], spec.unit))
            x[i] = v
        elif levels[i] and spec.level_concentration(levels[i]) is not None:
            x[i] = spec.level_concentration(levels[i])
        elif not levels[i] and spec.level_concentration(ids[i]) is not None:
            x[i] = spec.level_concentration(ids[i])  # plate layouts: STD3 → level "3"
        elif stypes[i] == "calibration_blank":
            x[i] = 0.0
        else:
            missing.append(f"line {lines[i]} (level {levels[i] or '?'})")
    if missing:
        raise CalibrationError(
            f"no concentration for standard(s) {', '.join(missing[:5])}"
            + (f" and {len(missing) - 5} more" if len(missing) > 5 else "") + ".",
            analyte=spec.name,
            hint="Give the export's nominal column or add the level to the method's levels "
                 f"table (defined: {', '.join(spec.levels) or 'none'}).")
    y = pd.to_numeric(rows["signal"], errors="coerce").to_numpy(float)
    istd = None
    if spec.has_istd:
        istd = _istd_signals(rows, df, spec)
    unit_sig = _text(rows["signal_unit"].iloc[0]) if "signal_unit" in rows.columns else ""
    return fit_curve(x, y, spec.model, None if spec.weighting == "none" else spec.weighting,
                     analyte=spec.name, istd_signal=istd, unit=spec.unit,
                     response_unit=unit_sig, source_lines=lines)


def _istd_signals(rows: Any, df: Any, spec: Any) -> np.ndarray:
    import pandas as pd

    own = pd.to_numeric(rows["istd_signal"], errors="coerce").to_numpy(float) \
        if "istd_signal" in rows.columns else np.full(len(rows), np.nan)
    if "istd_channel" in rows.columns and spec.istd_channel:
        own_ch = rows["istd_channel"].map(_norm_channel).to_numpy()
        own = np.where((own_ch == "") | (own_ch == _norm_channel(spec.istd_channel)), own,
                       np.nan)
    need = ~np.isfinite(own)
    if need.any():
        cand = df
        if "rejected" in cand.columns:
            cand = cand[~cand["rejected"].fillna(False).astype(bool)]
        sel = np.zeros(len(cand), dtype=bool)
        if spec.istd_channel:
            sel |= _channel_mask(cand["channel"], spec.istd_channel).to_numpy()
        if spec.istd_analyte and not sel.any():
            sel |= (cand["analyte"] == spec.istd_analyte).to_numpy()
        ist = cand[sel]
        by_seq = {}
        for seq, sig in zip(ist["sequence"], pd.to_numeric(ist["signal"], errors="coerce"),
                            strict=True):
            by_seq.setdefault(seq, sig)
        seqs = rows["sequence"].to_numpy()
        for i in np.flatnonzero(need):
            own[i] = by_seq.get(seqs[i], np.nan)
    bad = ~(np.isfinite(own) & (own > 0))
    if bad.any():
        lines = [str(s) for s in rows["source_line"].to_numpy()[bad]]
        raise CalibrationError(
            f"internal standard {spec.istd_channel or spec.istd_analyte!r} signal missing or not "
            f"positive for the standard(s) at line(s) {', '.join(lines[:8])}.",
            analyte=spec.name,
            hint="Check that the ISTD was acquired in every calibration injection and that the "
                 "method's istd_channel/istd_analyte match the export.")
    return own
