"""Detection and quantification limits, each by a named convention with its parameters.

On the same data the conventions differ by a factor of three (the DIN 32645 example gives LODs
from 0.045 to 0.14), so every result says which convention, which α, β and k were used.

=================  ===========================================================================
function           convention
=================  ===========================================================================
:func:`from_blanks`  k·s of blank results (IUPAC/EURACHEM; JRC EUR 28099 blank approach)
:func:`ich`          ICH Q2(R2): DL = 3.3·σ/S, QL = 10·σ/S, σ = residual SD or intercept SE
:func:`din32645`     DIN 32645:2008 calibration (or blank) method: critical value x_NG, detection
                     limit x_EG, iterative quantification limit x_BG
:func:`iso11843`     ISO 11843-2 / Currie with the exact detection limit (chemCal ``lod``/``loq``)
:func:`epa_mdl`      US EPA 40 CFR 136 Appendix B rev. 2: MDL_s, MDL_b, MDL = max
=================  ===========================================================================

Each returns a frozen :class:`DetectionLimits` with ``.to_frame()``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize, stats

from labtox._frozen import FrozenMap
from labtox.calibration import Curve, fit_curve
from labtox.errors import CalibrationError

__all__ = ["DetectionLimits", "from_blanks", "ich", "din32645", "iso11843", "epa_mdl"]


@dataclass(frozen=True, eq=False)
class DetectionLimits:
    """Detection/quantification limits and how they were made.

    Attributes
    ----------
    method : str
        The convention (``"DIN 32645:2008 calibration method"``, ``"ICH Q2(R2)"`` ...).
    lod, loq : float
        Limit of detection and of quantification, in ``unit`` (concentration).
    critical_value : float or None
        Decision limit (x_C, "Nachweisgrenze") where the convention defines one.
    unit : str
    alpha, beta, k : float or None
        Error probabilities and the LOQ factor used (None where they do not apply).
    parameters : Mapping
        Every other parameter (sigma source, factors, replicates, confidence ...).
    details : Mapping
        Intermediate quantities (s, slope, n, y_C, MDL_s, MDL_b ...).
    analyte : str or None
    n : int
        Number of observations the limits rest on.
    dof : int or None
    notes : tuple of str
        Approximations, substitutions and warnings.
    """

    method: str
    lod: float
    loq: float
    critical_value: float | None = None
    unit: str = ""
    alpha: float | None = None
    beta: float | None = None
    k: float | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)
    analyte: str | None = None
    n: int = 0
    dof: int | None = None
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameters", FrozenMap(dict(self.parameters)))
        object.__setattr__(self, "details", FrozenMap(dict(self.details)))

    def to_frame(self):
        """One-row tidy table: analyte, method, lod, loq, critical value, unit, parameters."""
        import pandas as pd

        row = {"analyte": self.analyte or "", "method": self.method, "lod": self.lod,
               "loq": self.loq, "critical_value": self.critical_value, "unit": self.unit,
               "alpha": self.alpha, "beta": self.beta, "k": self.k, "n": self.n,
               "dof": self.dof,
               "parameters": "; ".join(f"{k}={v}" for k, v in self.parameters.items()),
               "notes": "; ".join(self.notes)}
        return pd.DataFrame([row])


def _err(msg: str, analyte: str | None, **kw: Any) -> CalibrationError:
    return CalibrationError(msg, analyte=analyte, **kw)


def _finite(values: Any, what: str, analyte: str | None, minimum: int = 2) -> np.ndarray:
    try:
        a = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise _err(f"{what} must be numbers.", analyte) from None
    if not np.all(np.isfinite(a)):
        raise _err(f"{what} contain non-finite values at positions "
                   f"{np.flatnonzero(~np.isfinite(a)).tolist()}.", analyte,
                   hint="Remove them or give them as numbers.")
    if a.size < minimum:
        raise _err(f"{what}: need at least {minimum} values, found {a.size}.", analyte)
    return a


def _prob(name: str, v: float, analyte: str | None) -> float:
    if not (isinstance(v, int | float) and 0 < v < 1):
        raise _err(f"{name} must be between 0 and 1 (exclusive), got {v!r}.", analyte)
    return float(v)


# --------------------------------------------------------------------------------------------


def from_blanks(values: Any, k: float = 3.0, k_loq: float = 10.0, *, curve: Curve | None = None,
                add_mean: bool = False, unit: str = "", analyte: str | None = None
                ) -> DetectionLimits:
    """LOD = k·s and LOQ = k_loq·s of blank results.

    Parameters
    ----------
    values : array_like
        Blank results: concentrations, or responses when ``curve`` is given (then converted
        with the curve's slope, s_x = s_y/b1).
    k, k_loq : float
        Multipliers of the blank standard deviation for the LOD (3) and LOQ (10).
    curve : Curve, optional
        Calibration to convert blank responses into concentrations. For 4PL/5PL curves the
        limits are read from the curve at the blank mean ± k·s (toward higher concentration),
        the usual immunoassay convention; a NaN limit means that response lies beyond the
        curve's plateau.
    add_mean : bool
        False (default): limits are k·s (for blank-corrected results, EURACHEM). True: the
        blank mean is added (x̄_b + k·s, the "mean + 3 s" form of EPA App. B §1(a)).
    unit : str
        Concentration unit (default: the curve's).

    Returns
    -------
    DetectionLimits

    Raises
    ------
    CalibrationError
        Fewer than two blanks, non-finite values, non-positive k.

    References
    ----------
    Currie L.A. (1995) Nomenclature in evaluation of analytical methods (IUPAC
    Recommendations 1995), Pure Appl. Chem. 67, 1699–1723; Eurachem Guide "The Fitness for
    Purpose of Analytical Methods", 2nd ed. (2014) §6.2–6.3 (LOD = 3·s0, LOQ = 10·s0); Wenzl
    T. et al. (2016) JRC guidance, EUR 28099 (blank approach); Commission Regulation (EC)
    No 333/2007 as amended (LOD = 3/10 of LOQ).

    Examples
    --------
    >>> d = from_blanks([0.011, 0.013, 0.009, 0.012, 0.010, 0.014, 0.008], unit="µg/L")
    >>> round(d.lod, 6), round(d.loq, 6), d.method
    (0.006481, 0.021602, 'blanks (k·s)')
    """
    a = _finite(values, "blank results", analyte)
    if not (k > 0 and k_loq > 0):
        raise _err(f"k and k_loq must be positive, got {k!r} and {k_loq!r}.", analyte)
    s = float(np.std(a, ddof=1))
    mean = float(a.mean())
    notes = []
    details: dict[str, Any] = {"mean": mean, "s": s}
    if curve is not None:
        slope = curve.slope
        details.update(slope=slope, response="signal" if curve.response == "signal" else "ratio")
        unit = unit or curve.unit
        if curve.model in ("4pl", "5pl"):
            # immunoassays: the concentration read at the blank mean ∓ k·s (direction of the
            # curve: absorbance falls with concentration in a competitive ELISA)
            sign = 1.0 if slope > 0 else -1.0
            lod = float(np.asarray(curve.inverse(mean + sign * k * s).estimate))
            loq = float(np.asarray(curve.inverse(mean + sign * k_loq * s).estimate))
            notes.append("logistic curve: limits read from the curve at the blank mean "
                         f"{'+' if sign > 0 else '−'} k·s")
            add_mean = True
        elif add_mean:
            lod = float(np.asarray(curve.inverse(mean + k * s).estimate))
            loq = float(np.asarray(curve.inverse(mean + k_loq * s).estimate))
        else:
            lod, loq = k * s / abs(slope), k_loq * s / abs(slope)
        notes.append("blank responses converted with the calibration slope")
    else:
        base = max(mean, 0.0) if add_mean else 0.0
        if add_mean and mean < 0:
            notes.append("negative blank mean replaced by 0")
        lod, loq = base + k * s, base + k_loq * s
    if s == 0:
        notes.append("all blank results are equal (s = 0): limits are not informative")
    return DetectionLimits(
        method="blanks (k·s)" if not add_mean else "blanks (mean + k·s)", lod=lod, loq=loq,
        unit=unit, k=k_loq, parameters={"k_lod": k, "k_loq": k_loq, "add_mean": add_mean},
        details=details, analyte=analyte or (curve.analyte if curve else None), n=a.size,
        dof=a.size - 1, notes=tuple(notes))


def ich(curve: Curve, sigma: str = "residual", *, factor_lod: float = 3.3,
        factor_loq: float = 10.0, blank_sd: float | None = None) -> DetectionLimits:
    """ICH Q2(R2) detection and quantitation limits from a calibration curve: 3.3·σ/S, 10·σ/S.

    Parameters
    ----------
    curve : Curve
        A linear or quadratic curve; S is its slope at x = 0 (b1).
    sigma : {"residual", "intercept", "blank"}
        σ = residual standard deviation s_y/x, standard error of the y-intercept, or the
        standard deviation of blank responses (``blank_sd``).
    factor_lod, factor_loq : float
        3.3 and 10 per ICH.

    Returns
    -------
    DetectionLimits

    Raises
    ------
    CalibrationError
        Logistic curves (no constant slope), a curve without intercept for ``intercept``, or
        ``blank`` without ``blank_sd``.

    References
    ----------
    ICH Q2(R1) (2005) Part II §6.3 and §7.3; ICH Q2(R2) (2023) §3.2.3 "Validation of lower
    range limits".

    Examples
    --------
    >>> from labtox.calibration import fit_curve
    >>> c = fit_curve([0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5],
    ...               [3060, 3522, 3707, 4280, 5058, 5510, 5703, 6205, 7156, 7178])
    >>> round(ich(c).lod, 6)
    0.065677
    """
    if curve.model in ("4pl", "5pl"):
        raise _err("ICH limits need a straight (or polynomial) calibration with a slope; "
                   f"the curve is {curve.model}.", curve.analyte,
                   hint="Use from_blanks or a fixed limit for immunoassays.")
    slope = float(curve.coefficients["slope"])
    notes = []
    if sigma == "residual":
        s = curve.s_yx
        if curve.weighting != "none":
            notes.append(f"σ is the weighted residual SD of a {curve.weighting}-weighted fit")
    elif sigma == "intercept":
        if "intercept" not in curve.coefficients:
            raise _err("sigma='intercept' needs a curve with an intercept.", curve.analyte)
        s = float(np.sqrt(curve.covariance[0, 0]))
    elif sigma == "blank":
        if blank_sd is None or not blank_sd >= 0:
            raise _err("sigma='blank' needs blank_sd (the SD of blank responses).",
                       curve.analyte)
        s = float(blank_sd)
    else:
        raise _err(f"sigma must be 'residual', 'intercept' or 'blank', got {sigma!r}.",
                   curve.analyte)
    return DetectionLimits(
        method="ICH Q2(R2)", lod=factor_lod * s / abs(slope), loq=factor_loq * s / abs(slope),
        unit=curve.unit, k=factor_loq,
        parameters={"sigma": sigma, "factor_lod": factor_lod, "factor_loq": factor_loq},
        details={"sigma_value": s, "slope": slope}, analyte=curve.analyte, n=curve.n,
        dof=curve.dof, notes=tuple(notes))


def _unweighted_linear(curve: Curve | None, x: Any, y: Any, analyte: str | None
                       ) -> tuple[Curve, list[str]]:
    notes: list[str] = []
    if curve is None:
        if x is None or y is None:
            raise _err("give a curve or both x and y.", analyte)
        return fit_curve(x, y, "linear", analyte=analyte), notes
    if curve.model != "linear" or curve.weighting != "none":
        notes.append(f"DIN 32645 assumes an unweighted straight line: refitted the "
                     f"{curve.n} standards of the {curve.model}/{curve.weighting} curve "
                     "unweighted")
        return fit_curve(curve.x, curve.y, "linear", analyte=curve.analyte, unit=curve.unit), notes
    return curve, notes


def din32645(curve: Curve | None = None, x: Any = None, y: Any = None, *, alpha: float = 0.01,
             beta: float = 0.01, k: float = 3.0, replicates: int = 1, blanks: Any = None,
             unit: str = "", analyte: str | None = None) -> DetectionLimits:
    """DIN 32645:2008 critical value, detection limit and quantification limit.

    Calibration method (f = n − 2, s_x0 = s_yx/b1, Q_x = Σ(x_i − x̄)², m = ``replicates``):

    * critical value  x_NG = s_x0·t(1−α, f)·sqrt(1/m + 1/n + x̄²/Q_x)
    * detection limit x_EG = s_x0·[t(1−α, f) + t(1−β, f)]·sqrt(1/m + 1/n + x̄²/Q_x)
      (= 2·x_NG when α = β)
    * quantification limit, solved by iteration,
      x_BG = k·s_x0·t(1−α/2, f)·sqrt(1/m + 1/n + (x_BG − x̄)²/Q_x)

    Blank method (``blanks`` = n_b blank responses, s_b their SD; f = n_b − 1):
    x_NG = (s_b/b1)·t(1−α, f)·sqrt(1/m + 1/n_b), x_EG with t(1−α) + t(1−β), and
    x_BG = k·(s_b/b1)·t(1−α/2, f)·sqrt(1/m + 1/n_b).

    Parameters
    ----------
    curve : Curve, optional
        Calibration (refitted unweighted and linear if it is not: noted in ``notes``).
    x, y : array_like, optional
        The calibration data instead of a curve.
    alpha, beta : float
        Error probabilities of the first and second kind (DIN default 0.01 each).
    k : float
        x_BG is the concentration with relative uncertainty 1/k (k = 3: 33.3 %).
    replicates : int
        m, the number of readings averaged per analysed sample.
    blanks : array_like, optional
        Blank responses: use the blank method.

    Returns
    -------
    DetectionLimits
        ``critical_value`` = x_NG, ``lod`` = x_EG, ``loq`` = x_BG.

    Raises
    ------
    CalibrationError
        Bad α/β/k, fewer than three levels, fewer than two blanks.

    References
    ----------
    DIN 32645:2008-11 Chemical analysis — Decision limit, detection limit and determination
    limit under repeatability conditions; ISO 11843-2:2000. Implementations compared:
    chemCal ``lod(method="din")``/``loq`` (Ranke) and envalysis ``lod``/``loq`` (Steinmetz);
    for replicated levels labtox keeps Q_x over all points (chemCal), while envalysis divides
    Q_x by the number of replicates per level.

    Examples
    --------
    The DIN 32645 example data (published: x_NG = 0.07, x_EG = 0.14, x_BG = 0.212):

    >>> x = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]
    >>> y = [3060, 3522, 3707, 4280, 5058, 5510, 5703, 6205, 7156, 7178]
    >>> d = din32645(x=x, y=y)
    >>> round(d.critical_value, 4), round(d.lod, 4), round(d.loq, 5)
    (0.0698, 0.1396, 0.21195)
    """
    alpha = _prob("alpha", alpha, analyte)
    beta = _prob("beta", beta, analyte)
    if not k > 0:
        raise _err(f"k must be positive, got {k!r}.", analyte)
    if not (isinstance(replicates, int) and replicates >= 1):
        raise _err(f"replicates must be an integer ≥ 1, got {replicates!r}.", analyte)
    c, notes = _unweighted_linear(curve, x, y, analyte)
    analyte = analyte or c.analyte
    b1 = float(c.coefficients["slope"])
    m = replicates
    if blanks is not None:
        bl = _finite(blanks, "blank responses", analyte)
        nb = bl.size
        f = nb - 1
        sb = float(np.std(bl, ddof=1))
        root = math.sqrt(1 / m + 1 / nb)
        s_x = sb / abs(b1)
        ta, tb = stats.t.ppf(1 - alpha, f), stats.t.ppf(1 - beta, f)
        x_ng = s_x * ta * root
        x_eg = s_x * (ta + tb) * root
        x_bg = k * s_x * stats.t.ppf(1 - alpha / 2, f) * root
        method = "DIN 32645:2008 blank method"
        details = {"s_blank": sb, "n_blank": nb, "slope": b1}
        n = nb
        notes.append("blank-method LOQ formula as summarised by envalysis; not checked "
                     "against the DIN text")
    else:
        n = c.n
        f = n - 2
        xbar = float(np.mean(c.x))
        qx = float(np.sum((c.x - xbar) ** 2))
        s_x0 = c.s_yx / abs(b1)
        ta, tb = stats.t.ppf(1 - alpha, f), stats.t.ppf(1 - beta, f)
        root0 = math.sqrt(1 / m + 1 / n + xbar**2 / qx)
        x_ng = s_x0 * ta * root0
        x_eg = s_x0 * (ta + tb) * root0
        t2 = stats.t.ppf(1 - alpha / 2, f)

        def g(xq: float) -> float:
            return k * s_x0 * t2 * math.sqrt(1 / m + 1 / n + (xq - xbar) ** 2 / qx)

        x_bg = k * x_ng
        for _ in range(200):  # fixed-point iteration (DIN 32645 "iterativ")
            new = g(x_bg)
            if abs(new - x_bg) <= 1e-14 * max(abs(new), 1e-300):
                x_bg = new
                break
            x_bg = new
        else:
            x_bg = optimize.brentq(lambda v: v - g(v), 0.0, 1e3 * max(c.x.max(), x_ng))
        method = "DIN 32645:2008 calibration method"
        details = {"s_yx": c.s_yx, "slope": b1, "s_x0": s_x0, "x_mean": xbar, "Qx": qx,
                   "y_critical": float(c.coefficients["intercept"]) + x_ng * b1}
    return DetectionLimits(
        method=method, lod=float(x_eg), loq=float(x_bg), critical_value=float(x_ng),
        unit=unit or c.unit, alpha=alpha, beta=beta, k=k, parameters={"replicates": m},
        details=details, analyte=analyte, n=n, dof=int(f), notes=tuple(notes))


def iso11843(curve: Curve, *, alpha: float = 0.05, beta: float = 0.05, k: float = 3.0,
             replicates: int = 1, weight: float | None = None) -> DetectionLimits:
    """Critical value, exact detection limit and LOQ from prediction intervals (ISO 11843-2,
    Currie), as chemCal's ``lod()`` (default method) and ``loq()`` compute them.

    * critical signal y_C = ŷ(0) + t(1−α, ν)·s_pred(0), critical value x_C = x(y_C);
    * detection limit x_D solves ŷ(x_D) − t(1−β, ν)·s_pred(x_D) = y_C;
    * LOQ x_Q solves x_Q = k·t(1−α/2, ν)·se(x̂ at x_Q), se from :meth:`Curve.inverse`
      with ``replicates`` readings.

    s_pred(x)² = s_yx²/w(x) + gᵀCov g is the prediction variance of one new reading
    (w(x) the weight at x; 1 for unweighted curves).

    Parameters
    ----------
    curve : Curve
        A linear, through-origin or quadratic curve.
    alpha, beta : float
    k : float
    replicates : int
        For the LOQ.
    weight : float, optional
        Weight of a reading at the LOQ (chemCal ``w.loq``); default: the curve's weight at x.

    Returns
    -------
    DetectionLimits

    References
    ----------
    ISO 11843-2:2000; Currie L.A. (1995) Pure Appl. Chem. 67, 1699; Massart et al. (1997)
    §13.7.8; chemCal ``lod``/``loq`` (Ranke).

    Examples
    --------
    >>> from labtox.calibration import fit_curve
    >>> c = fit_curve([0, 10, 20, 30, 40, 50], [4, 21.2, 44.6, 61.8, 78, 105.2])
    >>> round(iso11843(c).lod, 3)  # chemCal lod(m): 7.694
    7.694
    """
    alpha = _prob("alpha", alpha, curve.analyte)
    beta = _prob("beta", beta, curve.analyte)
    if curve.model in ("4pl", "5pl"):
        raise _err("iso11843 needs a polynomial calibration.", curve.analyte)
    from labtox.calibration import _grad

    p = curve.params
    cov = np.asarray(curve.covariance)

    def s_pred(x: float) -> float:
        g = _grad(curve.model, p, np.array(x))
        return math.sqrt(curve.s_yx**2 / float(curve.weight_at(x)) + float(g @ cov @ g))

    nu = curve.dof
    y_c = float(curve.predict(0.0)) + stats.t.ppf(1 - alpha, nu) * s_pred(0.0)
    sign = 1.0 if curve.slope > 0 else -1.0
    x_c = float(np.asarray(curve.inverse(y_c).estimate))
    hi = 10 * float(curve.x.max())

    def f_d(x: float) -> float:
        return sign * (float(curve.predict(x)) - y_c) - stats.t.ppf(1 - beta, nu) * s_pred(x)

    x_d = optimize.brentq(f_d, x_c, hi, xtol=1e-14, rtol=1e-14) if beta < 0.5 else x_c
    t2 = stats.t.ppf(1 - alpha / 2, nu)

    def f_q(x: float) -> float:
        pr = curve.inverse(float(curve.predict(x)), replicates=replicates, alpha=alpha,
                           weight=weight)
        return x - k * t2 * float(pr.standard_error)

    lo = 1e-12 * hi
    try:
        x_q = optimize.brentq(f_q, lo, hi, xtol=1e-14, rtol=1e-14)
    except ValueError:
        raise _err("no LOQ within 10× the highest standard.", curve.analyte) from None
    return DetectionLimits(
        method="ISO 11843-2 / Currie (exact x_D; LOQ = k × CI half-width)", lod=float(x_d),
        loq=float(x_q), critical_value=x_c, unit=curve.unit, alpha=alpha, beta=beta, k=k,
        parameters={"replicates": replicates, "weight": weight},
        details={"y_critical": y_c, "y_lod": float(curve.predict(x_d)),
                 "y_loq": float(curve.predict(x_q))},
        analyte=curve.analyte, n=curve.n, dof=nu)


def _numeric_blanks(blanks: Any) -> tuple[np.ndarray, int]:
    vals = []
    total = 0
    for b in list(blanks):
        total += 1
        if b is None:
            continue
        try:
            v = float(b)
        except (TypeError, ValueError):
            continue
        if math.isfinite(v):
            vals.append(v)
    return np.array(vals, dtype=float), total


def epa_mdl(spike_results: Any, blank_results: Any = None, *, confidence: float = 0.99,
            loq_factor: float = 3.18, unit: str = "", analyte: str | None = None
            ) -> DetectionLimits:
    """Method detection limit by US EPA 40 CFR Part 136 Appendix B, Revision 2 (2017).

    * MDL_s = t(n_s − 1, 0.99)·S_s from n_s spiked samples.
    * MDL_b from method blanks: if no blank gives a numerical result, MDL_b does not apply;
      if some (not all) do, MDL_b = the highest numerical blank result; if all do and there
      are fewer than 100, MDL_b = X̄ + t(n_b − 1, 0.99)·S_b with X̄ replaced by 0 when negative;
      with 100 or more, MDL_b = the blank result of rank round(0.99·n_b) (99th percentile).
    * MDL = max(MDL_s, MDL_b).

    Blank results of 0 are numerical results; ``None``, NaN or text (``"ND"``) are not.
    ``loq`` is the EPA minimum level ML = ``loq_factor``·MDL (3.18 = 10/3.143, the ratio of
    10σ to the 7-replicate MDL).

    Parameters
    ----------
    spike_results : array_like
        Measured concentrations of the low-level spiked samples (≥ 7 required by the rule;
        fewer are computed with a note).
    blank_results : sequence, optional
        Method-blank results; non-numerical entries allowed.
    confidence : float
        0.99 in the rule.
    loq_factor : float
        Multiplier for the quantification limit (minimum level).

    Returns
    -------
    DetectionLimits
        ``details`` holds ``mdl_s``, ``mdl_b`` (None when not applicable), ``blank_rule``,
        ``s_spikes``, ``n_spikes``, ``n_blanks``, ``n_numeric_blanks``.

    Raises
    ------
    CalibrationError
        Fewer than two spiked results or non-finite spike results.

    References
    ----------
    40 CFR Part 136 Appendix B, Definition and Procedure for the Determination of the Method
    Detection Limit — Revision 2, 82 FR 40836 (28 Aug 2017), sections 2(a)–(d) (the blank
    rules are transcribed from the rule text; the reference notes of this project could not
    re-check every clause against the eCFR). Student-t values: t(6) = 3.143, t(7) = 2.998,
    t(8) = 2.896 (App. B table).

    Examples
    --------
    >>> d = epa_mdl([1.9, 2.1, 2.0, 2.3, 1.8, 2.2, 2.05], [0.1, 0.0, 0.2, 0.05, 0.15, 0.1, 0.0])
    >>> round(d.details["mdl_s"], 4), round(d.details["mdl_b"], 4), round(d.lod, 4)
    (0.5367, 0.3208, 0.5367)
    """
    confidence = _prob("confidence", confidence, analyte)
    s_vals = _finite(spike_results, "spiked-sample results", analyte)
    notes = []
    ns = s_vals.size
    if ns < 7:
        notes.append(f"only {ns} spiked samples; App. B rev. 2 requires at least 7")
    ss = float(np.std(s_vals, ddof=1))
    mdl_s = float(stats.t.ppf(confidence, ns - 1)) * ss
    mdl_b: float | None = None
    rule = "no method blanks given"
    nb = nnum = 0
    if blank_results is not None:
        b_vals, nb = _numeric_blanks(blank_results)
        nnum = b_vals.size
        if nb and nb < 7:
            notes.append(f"only {nb} method blanks; App. B rev. 2 requires at least 7")
        if nnum == 0:
            rule = "no blank gave a numerical result: MDL_b does not apply"
        elif nnum < nb:
            mdl_b = float(b_vals.max())
            rule = "some blanks non-numerical: MDL_b = highest blank result"
        elif nb >= 100:
            rank = int(np.floor(0.99 * nb + 0.5))
            mdl_b = float(np.sort(b_vals)[rank - 1])
            rule = f"≥ 100 blanks: MDL_b = blank of rank {rank} (99th percentile)"
        elif nb < 2:
            mdl_b = float(b_vals.max())
            rule = "a single numerical blank: MDL_b = that result (no SD)"
            notes.append("one blank cannot give a standard deviation")
        else:
            xbar = float(b_vals.mean())
            sb = float(np.std(b_vals, ddof=1))
            mdl_b = max(xbar, 0.0) + float(stats.t.ppf(confidence, nb - 1)) * sb
            rule = "all blanks numerical: MDL_b = X̄ + t(n−1, 0.99)·S_b"
            if xbar < 0:
                rule += " (negative mean replaced by 0)"
    mdl = max(mdl_s, mdl_b) if mdl_b is not None else mdl_s
    if not loq_factor > 0:
        raise _err(f"loq_factor must be positive, got {loq_factor!r}.", analyte)
    return DetectionLimits(
        method="US EPA 40 CFR 136 App. B rev. 2 MDL", lod=mdl, loq=loq_factor * mdl, unit=unit,
        alpha=1 - confidence, k=loq_factor,
        parameters={"confidence": confidence, "loq_factor": loq_factor},
        details={"mdl_s": mdl_s, "mdl_b": mdl_b, "blank_rule": rule, "s_spikes": ss,
                 "n_spikes": ns, "n_blanks": nb, "n_numeric_blanks": nnum,
                 "governing": "MDL_b" if mdl_b is not None and mdl_b > mdl_s else "MDL_s"},
        analyte=analyte, n=ns, dof=ns - 1, notes=tuple(notes))
