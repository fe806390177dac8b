"""From concentrations in the measured solution to concentrations in the sample.

Pure functions used by :mod:`labtox.pipeline`; each formula cites its source.

1. **Preparation** (:func:`preparation_factor`): a digest or extract of ``m`` g of sample made up
   to ``V_f`` mL and diluted ``d``-fold before measurement gives
   ``c_sample = c_measured · d · V_f / m`` (mass mode) or ``c_measured · d · V_f / V_s``
   (volume mode); see e.g. EN 15763:2009 §9 and EPA 6020B §12 (calculations).
2. **Blank correction** (:func:`blank_correct`): subtract the mean of the batch's method blanks,
   in the measured solution, before preparation factors (EN 15763 §9; Eurachem "Fitness for
   Purpose" guide 2nd ed. §6.2: the blank must be run through the whole procedure).
3. **Censoring** (:func:`censor`): below LOD → ``<LOD`` (censored, value = LOD); LOD ≤ x < LOQ →
   ``<LOQ`` (value kept and flagged, or censored at the LOQ, per the method's rule); the
   detection limits are carried into the sample's own units with the same factors.
4. **Uncertainty** (:func:`nordtest_uncertainty`, :func:`horwitz_thompson_rsd`,
   :func:`eu_fitness_uncertainty`): Nordtest TR 537 (ed. 4, 2017) combination of
   within-laboratory reproducibility and bias; fallbacks when QC data are too few: Thompson's
   modification of the Horwitz function (Thompson 2000, Analyst 125:385) and the EU
   fitness-for-purpose maximum standard uncertainty ``U_f`` (Reg. (EU) No 836/2011 amending
   Reg. (EC) No 333/2007, Annex, point C.3.3.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd

from labtox.errors import LabtoxError, UnitError
from labtox.units import Q_, format_unit, parse_unit

__all__ = [
    "Preparation",
    "preparation_factor",
    "blank_level",
    "blank_correct",
    "censor",
    "CensoringRule",
    "nordtest_uncertainty",
    "NordtestUncertainty",
    "horwitz_thompson_rsd",
    "eu_fitness_uncertainty",
    "recovery_correct",
]

CensoringRule = Literal["censor-at-lod", "censor-at-loq", "keep-flagged"]


@dataclass(frozen=True)
class Preparation:
    """How a sample became the measured solution.

    Attributes
    ----------
    mode : {"mass", "volume", "none"}
        ``mass``: ``sample_mass_g`` made up to ``final_volume_ml``; ``volume``: ``sample_volume_ml``
        made up to ``final_volume_ml``; ``none``: measured as is (only ``dilution`` applies).
    sample_mass_g, sample_volume_ml, final_volume_ml : float or None
    dilution : float
        Further dilution of the digest/extract before measurement (instrument "Total Dil.").
    """

    mode: Literal["mass", "volume", "none"]
    sample_mass_g: float | None = None
    sample_volume_ml: float | None = None
    final_volume_ml: float | None = None
    dilution: float = 1.0

    def check(self, sample_id: str = "") -> None:
        """Raise :class:`LabtoxError` naming the sample when a needed quantity is missing."""
        who = f"sample {sample_id!r}: " if sample_id else ""

        def positive(name: str, v: float | None) -> None:
            if v is None or not np.isfinite(v) or v <= 0:
                raise LabtoxError(
                    f"{who}{name} is missing or not positive.",
                    expected=f"a positive {name} (register column or method default)", found=v)

        positive("dilution", self.dilution)
        if self.mode == "mass":
            positive("sample_mass_g", self.sample_mass_g)
            positive("final_volume_ml", self.final_volume_ml)
        elif self.mode == "volume":
            positive("sample_volume_ml", self.sample_volume_ml)
            positive("final_volume_ml", self.final_volume_ml)
        elif self.mode != "none":
            raise LabtoxError(f"{who}unknown preparation mode {self.mode!r}.",
                              expected="'mass', 'volume' or 'none'")


def preparation_factor(
    prep: Preparation,
    measured_unit: str,
    report_unit: str,
    *,
    density_kg_per_l: float | None = None,
    sample_id: str = "",
) -> float:
    """Factor ``f`` with ``c_sample[report_unit] = f · c_measured[measured_unit]``.

    ``f = d · V_f / m`` (mass mode), ``d · V_f / V_s`` (volume mode) or ``d`` (none), with the
    unit conversion done by pint; converting between per-volume and per-mass needs the sample's
    density (never assumed).

    References
    ----------
    EN 15763:2009 Foodstuffs — Determination of trace elements — Determination of arsenic,
    cadmium, mercury and lead in foodstuffs by ICP-MS after pressure digestion, §9.
    US EPA Method 6020B (2014), §12.

    Examples
    --------
    0.5 g of milk digested to 50 mL, measured at 1.0 µg/L: 1.0 µg/L · 0.050 L / 0.0005 kg
    = 100 µg/kg = 0.1 mg/kg.

    >>> prep = Preparation("mass", sample_mass_g=0.5, final_volume_ml=50.0)
    >>> round(preparation_factor(prep, "µg/L", "mg/kg"), 12)
    0.1
    """
    prep.check(sample_id)
    try:
        return _prep_factor(prep, str(measured_unit), str(report_unit), density_kg_per_l)
    except UnitError as exc:
        if sample_id:
            raise UnitError(f"sample {sample_id!r}: {exc.message}", hint=exc.hint) from None
        raise


@lru_cache(maxsize=65536)
def _prep_factor(prep: Preparation, measured_unit: str, report_unit: str,
                 density_kg_per_l: float | None) -> float:
    mu, ru = parse_unit(measured_unit), parse_unit(report_unit)
    q = Q_(1.0, mu) * prep.dilution
    if prep.mode == "mass":
        q = q * Q_(prep.final_volume_ml, "mL") / Q_(prep.sample_mass_g, "g")
    elif prep.mode == "volume":
        q = q * Q_(prep.final_volume_ml, "mL") / Q_(prep.sample_volume_ml, "mL")
    try:
        return float(q.to(ru).magnitude)
    except Exception:
        pass
    if density_kg_per_l is None:
        raise UnitError(
            f"the result is per {format_unit(q.units)} but the method reports in "
            f"{format_unit(ru)}; converting needs the sample's density.",
            hint="Set sample_preparation.density_kg_per_l in the method file.",
        )
    rho = Q_(density_kg_per_l, "kg/L")
    for cand in (q / rho, q * rho):
        try:
            return float(cand.to(ru).magnitude)
        except Exception:
            continue
    raise UnitError(f"cannot express {format_unit(q.units)} in {format_unit(ru)}.")


def blank_level(blank_values: np.ndarray, how: str = "mean") -> tuple[float, int]:
    """The method-blank level to subtract: mean or median of the finite blank results.

    Returns ``(level, n_blanks)``; with no finite blank the level is 0 and ``n_blanks`` 0 (the
    caller records that nothing was subtracted).

    References
    ----------
    Eurachem Guide "The Fitness for Purpose of Analytical Methods", 2nd ed. (2014), §6.2;
    US EPA Method 200.8 rev. 5.4 §9.3.1 (laboratory reagent blank).

    Examples
    --------
    >>> blank_level(np.array([0.03, 0.05, np.nan]))
    (0.04, 2)
    """
    if how not in ("mean", "median"):
        raise LabtoxError(f"unknown blank subtraction {how!r}.", expected="'mean' or 'median'")
    b = np.asarray(blank_values, dtype=float)
    b = b[np.isfinite(b)]
    if b.size == 0:
        return 0.0, 0
    return round(float(np.mean(b) if how == "mean" else np.median(b)), 15), int(b.size)


def blank_correct(values: np.ndarray, blank_values: np.ndarray, how: str = "mean"
                  ) -> tuple[np.ndarray, float, int]:
    """Subtract the method-blank level (:func:`blank_level`) from measured concentrations.

    Returns ``(corrected, blank_level, n_blanks)``. Negative corrected values are kept (they
    are real information about noise) and are censored later, never clipped to 0.
    """
    level, n = blank_level(blank_values, how)
    return np.asarray(values, dtype=float) - level, level, n


def recovery_correct(values: np.ndarray, recovery_pct: float) -> np.ndarray:
    """Divide by the mean recovery (as a fraction): ``c / (R/100)``.

    References
    ----------
    IUPAC/ISO/AOAC/EURACHEM "Harmonised guidelines for the use of recovery information in
    analytical measurement", Thompson et al., Pure Appl. Chem. 71 (1999) 337–348.
    """
    if not np.isfinite(recovery_pct) or recovery_pct <= 0:
        raise LabtoxError("recovery must be a positive percentage.", found=recovery_pct)
    return np.asarray(values, dtype=float) / (recovery_pct / 100.0)


def censor(
    values: np.ndarray,
    lod: np.ndarray,
    loq: np.ndarray,
    rule: CensoringRule = "censor-at-lod",
) -> pd.DataFrame:
    """Classify results against their LOD and LOQ.

    Parameters
    ----------
    values, lod, loq
        Arrays in the same unit (the sample's reporting unit).
    rule
        The method's ``reporting.censoring`` (see :data:`labtox.method.CENSORING_RULES`):
        ``censor-at-lod``: x < LOD → ``<LOD``, censored at the LOD; LOD ≤ x < LOQ → ``<LOQ`` with
        the value kept (not censored); ``censor-at-loq``: x < LOQ → censored at the LOQ
        (``<LOQ``) and x < LOD → censored at the LOD; ``keep-flagged``: nothing is censored,
        values below the limits keep their measured value and are flagged ``<LOD``/``<LOQ``.

    Returns
    -------
    DataFrame with ``value``, ``censored``, ``detection`` (``detected``, ``<LOD``, ``<LOQ``)
    and ``measured`` (the uncensored estimate, kept for audit).

    References
    ----------
    ISO 11843-1:1997 and IUPAC (Currie 1995, Pure Appl. Chem. 67:1699) for the meaning of the
    limits; EFSA (2010) "Management of left-censored data in dietary exposure assessment",
    EFSA Journal 8(3):1557, for reporting ``<LOD``/``<LOQ`` with the limit value.
    """
    x = np.asarray(values, dtype=float)
    lod_a = np.broadcast_to(np.asarray(lod, dtype=float), x.shape)
    loq_a = np.broadcast_to(np.asarray(loq, dtype=float), x.shape)
    below_lod = np.isfinite(lod_a) & (x < lod_a)
    below_loq = np.isfinite(loq_a) & (x < loq_a) & ~below_lod
    value = x.copy()
    censored = below_lod.copy()
    value[below_lod] = lod_a[below_lod]
    detection = np.where(below_lod, "<LOD", np.where(below_loq, "<LOQ", "detected"))
    if rule == "censor-at-loq":
        censored |= below_loq
        value[below_loq] = loq_a[below_loq]
    elif rule == "keep-flagged":
        censored[:] = False
        value = x.copy()
    elif rule != "censor-at-lod":
        raise LabtoxError(f"unknown censoring rule {rule!r}.",
                          expected="'censor-at-lod', 'censor-at-loq' or 'keep-flagged'")
    # A non-finite estimate (e.g. no signal) cannot be classified: keep it visible.
    return pd.DataFrame({"value": value, "censored": censored, "detection": detection,
                         "measured": x})


@dataclass(frozen=True)
class NordtestUncertainty:
    """Relative standard uncertainties (fractions) per Nordtest TR 537.

    Attributes
    ----------
    u_rw : float
        Within-laboratory reproducibility (relative SD of QC/CRM results).
    rms_bias : float
        Root mean square of the relative biases against reference values.
    u_cref : float
        Mean relative standard uncertainty of the reference values.
    u_bias : float
        ``sqrt(rms_bias² + u_cref²)``.
    u_c : float
        ``sqrt(u_rw² + u_bias²)``.
    n_rw, n_bias : int
        Numbers of results behind each component.
    """

    u_rw: float
    rms_bias: float
    u_cref: float
    u_bias: float
    u_c: float
    n_rw: int
    n_bias: int

    def expanded(self, k: float = 2.0) -> float:
        """Relative expanded uncertainty ``U = k · u_c``."""
        return k * self.u_c


def nordtest_uncertainty(
    rw_values: np.ndarray,
    measured_ref: np.ndarray,
    certified_ref: np.ndarray,
    u_cert: np.ndarray,
) -> NordtestUncertainty:
    """Combine within-lab reproducibility and bias into a relative standard uncertainty.

    Parameters
    ----------
    rw_values
        Repeated results on one control material (or CRM) across runs; ``u_Rw = s/mean``.
    measured_ref, certified_ref, u_cert
        Results on reference materials, their certified values, and the certified values'
        *standard* uncertainties (U_cert / k).

    Notes
    -----
    ``u_c = sqrt(u_Rw² + u_bias²)``, ``u_bias = sqrt(RMS_bias² + u(Cref)²)``,
    ``RMS_bias = sqrt(Σ b_i² / n)`` with relative biases ``b_i = (x_i − c_i)/c_i``.

    References
    ----------
    Magnusson B., Näykki T., Hovind H., Krysell M., Sahlin E., "Handbook for calculation of
    measurement uncertainty in environmental laboratories", Nordtest Report TR 537, ed. 4 (2017),
    §3–§5, equations (1)–(5).

    Examples
    --------
    Three control results 9.8, 10.0, 10.2 (s = 0.2, mean 10 → u_Rw = 2 %); two CRM results
    0.95 and 1.05 of certified 1.0 with u_cert 0.02 (biases ±5 %, RMS 5 %):
    u_bias = sqrt(0.05² + 0.02²) = 5.385 %, u_c = sqrt(0.02² + 0.05385²) = 5.745 %.

    >>> r = nordtest_uncertainty([9.8, 10.0, 10.2], [0.95, 1.05], [1.0, 1.0], [0.02, 0.02])
    >>> round(r.u_c, 5)
    0.05745
    """
    rw = np.asarray(rw_values, dtype=float)
    rw = rw[np.isfinite(rw)]
    if rw.size < 2:
        raise LabtoxError("Nordtest u(Rw) needs at least two control results.", found=int(rw.size))
    u_rw = float(np.std(rw, ddof=1) / np.mean(rw))
    x = np.asarray(measured_ref, dtype=float)
    c = np.asarray(certified_ref, dtype=float)
    u = np.asarray(u_cert, dtype=float)
    ok = np.isfinite(x) & np.isfinite(c) & (c > 0)
    if not ok.any():
        raise LabtoxError("Nordtest u(bias) needs at least one reference-material result.")
    b = (x[ok] - c[ok]) / c[ok]
    rms = float(np.sqrt(np.mean(b**2)))
    ucref = float(np.mean(u[ok] / c[ok]))
    ub = float(np.hypot(rms, ucref))
    return NordtestUncertainty(u_rw, rms, ucref, ub, float(np.hypot(u_rw, ub)), int(rw.size),
                               int(ok.sum()))


def horwitz_thompson_rsd(mass_fraction: np.ndarray | float) -> np.ndarray:
    """Predicted reproducibility RSD (fraction) from Thompson's modified Horwitz function.

    ``σ_R = 0.22 c`` for ``c < 1.2·10⁻⁷``; ``0.02 c^0.8495`` for ``1.2·10⁻⁷ ≤ c ≤ 0.138``;
    ``0.01 c^0.5`` for ``c > 0.138``, with ``c`` a dimensionless mass fraction.

    References
    ----------
    Thompson M. (2000) "Recent trends in inter-laboratory precision at ppb and sub-ppb
    concentrations in relation to fitness for purpose criteria in proficiency testing",
    Analyst 125:385–386. Horwitz W. (1982) Anal. Chem. 54:67A.

    Examples
    --------
    >>> round(float(horwitz_thompson_rsd(1e-8)), 6)   # 10 µg/kg: Thompson 22 %
    0.22
    """
    c = np.asarray(mass_fraction, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.where(c < 1.2e-7, 0.22 * c,
                         np.where(c <= 0.138, 0.02 * c**0.8495, 0.01 * c**0.5))
        return sigma / c


def eu_fitness_uncertainty(c_ug_per_kg: np.ndarray | float, lod_ug_per_kg: np.ndarray | float
                           ) -> np.ndarray:
    """Maximum standard uncertainty ``U_f`` (µg/kg) from the EU fitness-for-purpose approach.

    ``U_f = sqrt((LOD/2)² + (α·C)²)`` with α = 0.2 (C ≤ 50 µg/kg), 0.18 (51–500), 0.15
    (501–1000), 0.12 (1001–10000), 0.1 (> 10000).

    References
    ----------
    Commission Regulation (EU) No 836/2011 amending Regulation (EC) No 333/2007, Annex,
    point C.3.3.2 (methods of analysis for lead, cadmium, mercury, inorganic tin, 3-MCPD and
    benzo(a)pyrene); the same formula in Reg. (EC) No 401/2006 Annex II, 4.4 for mycotoxins.

    Examples
    --------
    C = 20 µg/kg, LOD = 2 µg/kg: sqrt(1² + 4²) = 4.123 µg/kg.

    >>> round(float(eu_fitness_uncertainty(20.0, 2.0)), 3)
    4.123
    """
    c = np.asarray(c_ug_per_kg, dtype=float)
    lod = np.asarray(lod_ug_per_kg, dtype=float)
    alpha = np.select([c <= 50, c <= 500, c <= 1000, c <= 10000], [0.2, 0.18, 0.15, 0.12], 0.1)
    return np.sqrt((lod / 2.0) ** 2 + (alpha * c) ** 2)
