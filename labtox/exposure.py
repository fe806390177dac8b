"""Dietary exposure: intakes, hazard quotients, margins of exposure and cancer risk.

Deterministic point estimates (:func:`assess`) and a seeded, chunked Monte Carlo (:func:`simulate`)
turn concentrations in milk into intakes per kg body weight for a :class:`Scenario` (who drinks
how much), and compare them with the health-based guidance values of
``reference_limits/health_based_guidance_values.csv`` (:func:`guidance_values`).

Formulas (WHO IPCS EHC 240, chapter 6 "Dietary exposure assessment of chemicals in food";
US EPA 1989 RAGS Part A; ATSDR PHA guidance; EFSA Scientific Committee 2012 on default values):

* ``EDI = C × IR × EF / BW`` with ``EF = days per year / 365`` (mg/kg bw/day);
* ``HQ = EDI / HBGV`` (weekly and monthly values divided by 7 and 30); ``HI = Σ HQ``;
* ``MOE = reference point (BMDL) / EDI``, of concern below the value in ``moe_concern_below``;
* ``ILCR = EDI × ED / AT × CSF`` (ED exposure duration, AT averaging time, 70 years).

Non-detects enter at the lower bound (0) and the upper bound (the limit they lie below), and at
the medium bound (half of it) on request (EFSA 2010, "Management of left-censored data in
dietary exposure assessment").

Camel-milk and shubat intake is an assumption: no individual consumption survey exists for
Kazakhstan (``reference_limits/exposure_inputs.csv``). Every shipped scenario says where its
figures come from and which of them are assumptions.

References
----------
.. [1] WHO/IPCS (2009) Environmental Health Criteria 240: Principles and methods for the risk
   assessment of chemicals in food, chapter 6 (dietary exposure assessment) and chapter 5
   (dose-response, MOE).
.. [2] EFSA Scientific Committee (2012) Guidance on selected default values to be used by the
   EFSA Scientific Committee, Scientific Panels and Units in the absence of actual measured data.
   EFSA Journal 10(3):2579.
.. [3] EFSA (2010) Management of left-censored data in dietary exposure assessment of chemical
   substances. EFSA Journal 8(3):1557.
.. [4] US EPA (1989) Risk Assessment Guidance for Superfund, Vol. I Part A (EPA/540/1-89/002),
   chapters 6 and 8 (intake equation, HQ/HI, cancer risk).
.. [5] EFSA Scientific Committee (2005) Opinion on a harmonised approach for risk assessment of
   substances which are both genotoxic and carcinogenic (MOE of 10 000). EFSA Journal 282:1-31.
"""

from __future__ import annotations

import csv
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from labtox.errors import ExposureError, LabtoxError

__all__ = [
    "Distribution",
    "Scenario",
    "Assessment",
    "MonteCarloResult",
    "guidance_values",
    "select_guidance",
    "load_scenarios",
    "concentrations",
    "assess",
    "simulate",
    "DEFAULT_BODY_PREFERENCE",
    "THRESHOLD_TYPES",
]

THRESHOLD_TYPES = ("TDI", "TWI", "PTWI", "PTMI", "PTDI", "ADI", "RfD", "RSD", "UL")
"""Guidance values an intake is divided by to give a hazard quotient."""
DEFAULT_BODY_PREFERENCE = ("EFSA", "JECFA", "JMPR", "WHO", "US EPA IRIS", "Health Canada")
_DAYS = {"day": 1.0, "d": 1.0, "week": 7.0, "month": 30.0}
STATUS_WORDS = ("confirmed-primary", "confirmed-secondary", "unverified", "assumption")


def _ref_dir() -> Path:
    import labtox

    return Path(labtox.__file__).resolve().parents[1] / "reference_limits"




# ----------------------------------------------------------------------------- distributions

@dataclass(frozen=True)
class Distribution:
    """A variability distribution for Monte Carlo.

    ``kind`` and parameters:

    * ``fixed``: ``value``;
    * ``lognormal``: ``meanlog``, ``sdlog`` (natural log), or ``median`` and ``gsd``;
    * ``normal``: ``mean``, ``sd``, optional ``lower``/``upper`` truncation (inverse-CDF
      sampling, so truncation does not distort the seed stream);
    * ``uniform``: ``low``, ``high``; ``triangular``: ``low``, ``mode``, ``high``;
    * ``empirical``: ``values`` (resampled with replacement);
    * ``discrete``: ``values`` with probabilities ``probs`` (e.g. a Kaplan–Meier distribution).

    Examples
    --------
    >>> d = Distribution.from_dict({"dist": "lognormal", "median": 0.38, "gsd": 2.0})
    >>> round(d.params["meanlog"], 4), round(d.params["sdlog"], 4)
    (-0.9676, 0.6931)
    """

    kind: str
    params: Mapping[str, float | tuple[float, ...]] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, spec: Mapping[str, object]) -> Distribution:
        """Build from a TOML/dict spec ``{"dist": "lognormal", "median": ..., "gsd": ...}``."""
        s = dict(spec)
        kind = str(s.pop("dist", s.pop("kind", ""))).lower()
        s.pop("source", None)
        s.pop("status", None)
        p: dict[str, object] = {k: v for k, v in s.items()}
        if kind == "lognormal":
            if "median" in p:
                med, gsd = float(p.pop("median")), float(p.pop("gsd"))
                if med <= 0 or gsd < 1:
                    raise ExposureError("lognormal needs median > 0 and gsd >= 1.",
                                        found={"median": med, "gsd": gsd})
                p = {"meanlog": math.log(med), "sdlog": math.log(gsd)}
            need = ("meanlog", "sdlog")
        elif kind == "normal":
            need = ("mean", "sd")
        elif kind == "uniform":
            need = ("low", "high")
        elif kind == "triangular":
            need = ("low", "mode", "high")
        elif kind == "fixed":
            need = ("value",)
        elif kind == "discrete":
            p["values"] = tuple(float(v) for v in p.get("values", ()))  # type: ignore[union-attr]
            p["probs"] = tuple(float(v) for v in p.get("probs", ()))  # type: ignore[union-attr]
            need = ("values", "probs")
        elif kind == "empirical":
            p["values"] = tuple(float(v) for v in p.get("values", ()))  # type: ignore[union-attr]
            need = ("values",)
        else:
            raise ExposureError(f"unknown distribution {kind!r}.",
                                expected="fixed, lognormal, normal, uniform, triangular, "
                                         "empirical, discrete")
        missing = [k for k in need if k not in p]
        if missing:
            raise ExposureError(f"the {kind} distribution lacks {', '.join(missing)}.",
                                expected=", ".join(need), found=sorted(p))
        out = {k: (v if k in ("values", "probs") else float(v))  # type: ignore[arg-type]
               for k, v in p.items()}
        return cls(kind, out)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws from ``rng``."""
        p = self.params
        if self.kind == "fixed":
            return np.full(n, float(p["value"]))
        if self.kind == "lognormal":
            z = rng.standard_normal(n)
            z *= p["sdlog"]
            z += p["meanlog"]
            return np.exp(z, out=z)
        if self.kind == "normal":
            lo, hi = p.get("lower"), p.get("upper")
            if lo is None and hi is None:
                z = rng.standard_normal(n)
                z *= p["sd"]
                z += p["mean"]
                return z
            from scipy.special import ndtr, ndtri

            a = ndtr((lo - p["mean"]) / p["sd"]) if lo is not None else 0.0
            b = ndtr((hi - p["mean"]) / p["sd"]) if hi is not None else 1.0
            u = rng.random(n)
            u *= b - a
            u += a
            z = ndtri(u, out=u)
            z *= p["sd"]
            z += p["mean"]
            return z
        if self.kind == "uniform":
            return rng.uniform(p["low"], p["high"], n)
        if self.kind == "triangular":
            return rng.triangular(p["low"], p["mode"], p["high"], n)
        vals = np.asarray(p["values"], dtype=float)
        if self.kind == "discrete":
            cum = np.cumsum(np.asarray(p["probs"], dtype=float))
            idx = np.searchsorted(cum / cum[-1], rng.random(n), side="right")
            return vals[np.minimum(idx, len(vals) - 1)]
        return vals[rng.integers(0, len(vals), n)]

    def mean(self) -> float:
        """Mean of the distribution (analytic; the truncated normal's is computed)."""
        p = self.params
        if self.kind == "fixed":
            return float(p["value"])
        if self.kind == "lognormal":
            return math.exp(p["meanlog"] + p["sdlog"] ** 2 / 2)
        if self.kind == "normal":
            lo, hi = p.get("lower"), p.get("upper")
            if lo is None and hi is None:
                return float(p["mean"])
            from scipy.stats import truncnorm

            a = (lo - p["mean"]) / p["sd"] if lo is not None else -np.inf
            b = (hi - p["mean"]) / p["sd"] if hi is not None else np.inf
            return float(truncnorm.mean(a, b, loc=p["mean"], scale=p["sd"]))
        if self.kind == "uniform":
            return (p["low"] + p["high"]) / 2
        if self.kind == "triangular":
            return (p["low"] + p["mode"] + p["high"]) / 3
        if self.kind == "discrete":
            pr = np.asarray(p["probs"], dtype=float)
            return float(np.dot(p["values"], pr / pr.sum()))
        return float(np.mean(p["values"]))


# ----------------------------------------------------------------------------- scenarios

@dataclass(frozen=True)
class Scenario:
    """Who is exposed, to how much milk, how often.

    Attributes
    ----------
    name, population, description, product
    body_weight_kg : float
        Point value used by :func:`assess` (e.g. EFSA 2012 default, 70 kg adults).
    body_weight_source, body_weight_status
    consumption : float
        Point intake of the product in ``consumption_unit`` (``L/day``, ``mL/day``, ``g/day``,
        ``kg/day``).
    consumption_unit, consumption_source, consumption_status
        ``consumption_status`` is ``assumption`` where no survey backs the figure.
    density_kg_per_l : float or None
        Needed for volume intakes (L/day); stated, never assumed silently.
    density_source : str
    exposure_frequency_days_per_year : float
    exposure_duration_years, averaging_time_years : float
        For lifetime cancer risk (``ILCR = EDI × ED/AT × CSF``).
    body_weight_distribution, consumption_distribution : Distribution or None
        For :func:`simulate` (consumption distribution in ``consumption_unit``).
    notes : str
    """

    name: str
    population: str
    body_weight_kg: float
    consumption: float
    consumption_unit: str = "L/day"
    density_kg_per_l: float | None = None
    density_source: str = ""
    description: str = ""
    product: str = "camel milk"
    body_weight_source: str = ""
    body_weight_status: str = "unverified"
    consumption_source: str = ""
    consumption_status: str = "assumption"
    exposure_frequency_days_per_year: float = 365.0
    exposure_duration_years: float = 70.0
    averaging_time_years: float = 70.0
    body_weight_distribution: Distribution | None = None
    consumption_distribution: Distribution | None = None
    notes: str = ""

    def __post_init__(self) -> None:
        if not self.body_weight_kg > 0:
            raise ExposureError(f"scenario {self.name!r}: body weight must be > 0 kg.",
                                found=self.body_weight_kg)
        if not self.consumption >= 0:
            raise ExposureError(f"scenario {self.name!r}: consumption must be >= 0.",
                                found=self.consumption)
        if not 0 <= self.exposure_frequency_days_per_year <= 366:
            raise ExposureError(f"scenario {self.name!r}: exposure frequency must be in "
                                "[0, 366] days per year.",
                                found=self.exposure_frequency_days_per_year)
        self.kg_per_unit()  # validates unit and density

    def kg_per_unit(self) -> float:
        """kg of product per unit of ``consumption_unit`` × day (density applied for volumes)."""
        from labtox.units import conversion_factor, parse_unit

        u = parse_unit(self.consumption_unit)
        try:
            return conversion_factor(u, "kg/day")
        except Exception:
            pass
        if self.density_kg_per_l is None:
            raise ExposureError(
                f"scenario {self.name!r}: a volume intake ({self.consumption_unit}) needs "
                "density_kg_per_l.", expected="density in kg/L with its source",
                hint="Camel milk is about 1.03 kg/L; state the figure and its source.")
        return conversion_factor(u, "kg/day", density=self.density_kg_per_l)

    @property
    def intake_kg_per_day(self) -> float:
        """Point intake in kg of product per day."""
        return self.consumption * self.kg_per_unit()

    @classmethod
    def from_dict(cls, name: str, spec: Mapping[str, object]) -> Scenario:
        """Build from one table of ``exposure_scenarios.toml``."""
        s = dict(spec)
        for key in ("body_weight_distribution", "consumption_distribution"):
            if key in s and s[key] is not None:
                s[key] = Distribution.from_dict(s[key])  # type: ignore[arg-type]
        known = set(cls.__dataclass_fields__)
        extra = sorted(set(s) - known)
        if extra:
            raise ExposureError(f"scenario {name!r}: unknown keys {extra}.",
                                expected=", ".join(sorted(known - {'name'})))
        s.pop("name", None)
        return cls(name=name, **s)  # type: ignore[arg-type]


def load_scenarios(path: str | Path | None = None) -> dict[str, Scenario]:
    """Scenarios from a TOML file (default: ``reference_limits/exposure_scenarios.toml``).

    Examples
    --------
    >>> sc = load_scenarios()
    >>> sc["camel-milk-adult"].body_weight_kg
    70.0
    """
    p = Path(path) if path is not None else _ref_dir() / "exposure_scenarios.toml"
    try:
        with p.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise ExposureError("scenario file not found.", path=p) from None
    except tomllib.TOMLDecodeError as exc:
        raise ExposureError(f"scenario file is not valid TOML: {exc}.", path=p) from None
    out = {}
    for name, spec in raw.items():
        try:
            out[name] = Scenario.from_dict(name, spec)
        except (ExposureError, TypeError) as exc:
            raise ExposureError(str(exc), path=p) from None
    return out


# ----------------------------------------------------------------------------- guidance values

def _daily_mg(value: float, unit: str) -> tuple[float, str]:
    """``value`` in ``unit`` (X/kg bw/period) as mg/kg bw/day, and the divisor used."""
    from labtox.units import conversion_factor

    m = re.fullmatch(r"\s*(\S+)\s*/\s*kg(?:\s*bw)?\s*/\s*(day|d|week|month)\s*", unit)
    if not m:
        raise ExposureError(f"unexpected guidance-value unit {unit!r}.",
                            expected="X/kg bw/day, /week or /month")
    f = conversion_factor(m.group(1), "mg")
    return value * f / _DAYS[m.group(2)], m.group(2)


def guidance_values(directory: str | Path | None = None) -> pd.DataFrame:
    """Health-based guidance values with a daily equivalent in mg/kg bw/day.

    Returns
    -------
    pandas.DataFrame
        The columns of ``health_based_guidance_values.csv`` plus ``value_num`` and ``daily``
        (TDI-like values and reference points in mg/kg bw/day; weekly values ÷ 7, monthly ÷ 30,
        as JECFA/EFSA convert), and ``slope`` (slope factors per mg/kg bw/day). Rows without a
        number (withdrawn values, cited absences) are kept with NaN.

    References
    ----------
    EFSA, JECFA/JMPR, US EPA IRIS and Health Canada values as listed in the file (see
    ``reference_limits/README.md``).

    Examples
    --------
    >>> g = guidance_values()
    >>> row = g[(g.body == "EFSA") & (g.substance == "Cd")].iloc[0]
    >>> round(float(row["daily"]) * 1000, 4)   # 2.5 µg/kg bw/week = 0.3571 µg/kg bw/day
    0.3571
    """
    d = Path(directory) if directory is not None else _ref_dir()
    return _guidance_cached(str(d)).copy()


@cache
def _guidance_cached(directory: str) -> pd.DataFrame:
    path = Path(directory) / "health_based_guidance_values.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        df = pd.DataFrame(list(csv.DictReader(fh)))
    value = pd.to_numeric(df["value"], errors="coerce")
    daily = np.full(len(df), np.nan)
    slope = np.full(len(df), np.nan)
    for i, (v, u, t) in enumerate(zip(value, df["unit"], df["value_type"], strict=True)):
        if not np.isfinite(v):
            continue
        if t == "slope factor":
            from labtox.units import conversion_factor

            slope[i] = v * conversion_factor(u, "kg*day/mg")
        elif t in THRESHOLD_TYPES or t == "BMDL":
            daily[i] = _daily_mg(v, u)[0]
    df["value_num"] = value
    df["daily"] = daily
    df["slope"] = slope
    df["moe_concern_below"] = pd.to_numeric(df["moe_concern_below"], errors="coerce")
    return df


def select_guidance(
    analyte: str,
    guidance: pd.DataFrame | None = None,
    *,
    bodies: Sequence[str] = DEFAULT_BODY_PREFERENCE,
    teq_scheme: str | None = None,
    allow_unverified: bool = False,
) -> pd.DataFrame:
    """The guidance values labtox uses for one analyte: at most one per kind.

    Kinds: ``threshold`` (TDI, TWI, PTWI, PTMI, ADI, RfD, …; gives HQ), ``reference point``
    (BMDL; gives MOE), ``slope factor`` (gives ILCR). Within a kind the first body in ``bodies``
    wins, then the first row of the file (the most sensitive endpoint is listed first, e.g. the
    EFSA lead BMDL01 for neurodevelopment, the EFSA methylmercury TWI for mercury). Drafts and
    drinking-water values are skipped; ``unverified`` values only with ``allow_unverified``. For
    TEQ sums the value must use the results' TEF scheme when one is given.

    Aflatoxin M1 has no value of its own: the EFSA 2020 approach is used, the AFB1 BMDL10
    divided by the AFM1 potency factor 0.1 (JECFA), i.e. 4.0 µg/kg bw/day.

    Examples
    --------
    >>> s = select_guidance("Cd")
    >>> s[["body", "value_type", "value"]].values.tolist()
    [['EFSA', 'TWI', '2.5']]
    """
    g = guidance if guidance is not None else guidance_values()
    sub = g[(g["substance"] == analyte) & g["value_num"].notna()].copy()
    sub = sub[~sub["value_detail"].str.contains("DRAFT|superseded", case=False)]
    sub = sub[~sub["form"].str.contains("water", case=False)]
    if not allow_unverified:
        sub = sub[sub["status"] != "unverified"]
    if teq_scheme and analyte.endswith("-TEQ"):
        sub = sub[(sub["teq_scheme"] == teq_scheme) | (sub["teq_scheme"] == "")]
    sub["kind"] = np.where(sub["value_type"] == "slope factor", "slope factor",
                           np.where(sub["value_type"] == "BMDL", "reference point",
                                    np.where(sub["value_type"].isin(THRESHOLD_TYPES),
                                             "threshold", "other")))
    rank = {b: i for i, b in enumerate(bodies)}
    sub = sub[sub["body"].isin(rank)]
    sub["_rank"] = sub["body"].map(rank)
    sub["_order"] = np.arange(len(sub))
    picked = (sub[sub["kind"] != "other"].sort_values(["kind", "_rank", "_order"])
              .groupby("kind", sort=False).head(1))
    if analyte == "aflatoxin M1" and "reference point" not in set(picked["kind"]):
        b1 = g[(g["substance"] == "aflatoxin B1") & (g["value_type"] == "BMDL")]
        pf = g[(g["substance"] == "aflatoxin M1") & (g["value_type"] == "potency factor")]
        if len(b1) and len(pf):
            row = b1.iloc[[0]].copy()
            factor = float(pf["value_num"].iloc[0])
            row["substance"] = "aflatoxin M1"
            row["daily"] = row["daily"] / factor
            row["value_num"] = row["value_num"] / factor
            row["value"] = f"{float(row['value_num'].iloc[0]):g}"
            row["value_detail"] = (f"AFB1 BMDL10 / AFM1 potency factor {factor:g} "
                                   "(EFSA 2020; JECFA)")
            row["kind"] = "reference point"
            row["status"] = "confirmed-primary"
            picked = pd.concat([picked, row])
    return picked.drop(columns=["_rank", "_order"], errors="ignore").reset_index(drop=True)


# ----------------------------------------------------------------------------- concentrations

def concentrations(
    results: pd.DataFrame,
    *,
    analytes: Sequence[str] | None = None,
    register: pd.DataFrame | None = None,
    density: float | None = None,
) -> pd.DataFrame:
    """Results as concentrations in mg/kg of whole product (wet basis), ready for intake.

    Fat- and dry-basis results are converted with the sample's ``fat_pct``/``dry_matter_pct``
    (results columns or the register); per-litre results need ``density``. Sum rows from
    :func:`labtox.teq.teq` are kept at their bound (``bound`` column) — pass one bound.

    Returns
    -------
    pandas.DataFrame
        ``sample_id, analyte, conc_mg_per_kg, censored, unit_in, basis_in, scheme``.

    Raises
    ------
    ExposureError
        Missing fat/dry-matter % or density, naming the samples.
    """
    from labtox.units import basis_factor, conversion_factor, normalise_basis

    need = ["sample_id", "analyte", "value", "unit", "censored"]
    miss = [c for c in need if c not in results.columns]
    if miss:
        raise ExposureError("the results table lacks columns.", expected=", ".join(need),
                            found=", ".join(miss))
    r = results.copy()
    if analytes is not None:
        r = r[r["analyte"].isin(list(analytes))]
    info = {}
    if register is not None and len(register):
        reg = register.drop_duplicates("sample_id").set_index(register["sample_id"].astype(str))
        info = reg.to_dict("index")
    out = []
    problems = []
    for _, row in r.iterrows():
        sid = str(row["sample_id"])
        basis = normalise_basis(row["basis"]) if "basis" in row.index and pd.notna(
            row["basis"]) else "wet"
        fat = row.get("fat_pct") if "fat_pct" in row.index else None
        dm = row.get("dry_matter_pct") if "dry_matter_pct" in row.index else None
        if (fat is None or pd.isna(fat)) and sid in info:
            fat = info[sid].get("fat_pct")
        if (dm is None or pd.isna(dm)) and sid in info:
            dm = info[sid].get("dry_matter_pct")
        try:
            f = conversion_factor(str(row["unit"]), "mg/kg", density=density)
            f *= basis_factor(basis, "wet",
                              fat_pct=None if fat is None or pd.isna(fat) else float(fat),
                              dry_matter_pct=None if dm is None or pd.isna(dm) else float(dm))
        except LabtoxError as exc:
            problems.append(f"{sid}/{row['analyte']}: {exc.message}")
            continue
        out.append({"sample_id": sid, "analyte": row["analyte"],
                    "conc_mg_per_kg": float(row["value"]) * f, "censored": bool(row["censored"]),
                    "unit_in": row["unit"], "basis_in": basis,
                    "scheme": row.get("scheme", "") if "scheme" in row.index else "",
                    "bound": (row["bound"] if "bound" in row.index and isinstance(
                        row["bound"], str) and row["bound"] else None)})
    if problems:
        raise ExposureError(
            f"{len(problems)} result(s) cannot be expressed per kg of product: "
            + "; ".join(problems[:10]) + ("; ..." if len(problems) > 10 else ""),
            hint="Add fat_pct / dry_matter_pct to the register, or pass density= for µg/L.")
    return pd.DataFrame(out, columns=["sample_id", "analyte", "conc_mg_per_kg", "censored",
                                      "unit_in", "basis_in", "scheme", "bound"])


def _at_bound(c: pd.DataFrame, bound: str) -> pd.DataFrame:
    """Rows usable at ``bound``: single results, and sum rows computed at that bound."""
    if "bound" not in c.columns:
        return c
    return c[c["bound"].isna() | (c["bound"] == bound)]


def _bound_values(c: pd.DataFrame, bound: str) -> np.ndarray:
    """Concentrations at a bound: non-detects 0 / half / the limit; sum rows as computed."""
    c = _at_bound(c, bound)
    x = c["conc_mg_per_kg"].to_numpy(dtype=float)
    cens = c["censored"].to_numpy(dtype=bool)
    if "bound" in c.columns:
        cens = cens & c["bound"].isna().to_numpy()
    f = {"lower": 0.0, "medium": 0.5, "upper": 1.0}[bound]
    return np.where(cens, f * x, x)


# ----------------------------------------------------------------------------- deterministic

@dataclass(frozen=True)
class Assessment:
    """Deterministic exposure assessment.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per analyte × bound × guidance value: ``analyte, bound, statistic, n,
        n_censored, concentration_mg_per_kg, intake_kg_per_day, body_weight_kg,
        edi_ug_per_kg_bw_day, metric`` (HQ, MOE, ILCR or '' when no value exists),
        ``metric_value, concern, guidance_body, guidance_type, guidance_detail,
        guidance_value, guidance_unit, guidance_status, effect, source, edi_in_guidance_unit,
        note``.
    hazard_index : pandas.DataFrame
        ``bound, HI, n_analytes, analytes``: Σ HQ over analytes — a screening sum across
        different critical effects (EHC 240 §6: add only same-effect HQs for a refined HI).
    scenario : Scenario
    statistic : str
    """

    table: pd.DataFrame
    hazard_index: pd.DataFrame
    scenario: Scenario
    statistic: str

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`table`."""
        return self.table.copy()


def _stat(x: np.ndarray, statistic: str) -> float:
    if x.size == 0:
        return float("nan")
    if statistic == "mean":
        return float(np.mean(x))
    if statistic == "median":
        return float(np.median(x))
    if statistic == "p95":
        return float(np.percentile(x, 95))
    if statistic == "max":
        return float(np.max(x))
    raise ExposureError(f"unknown statistic {statistic!r}.", expected="mean, median, p95, max")


def assess(
    results: pd.DataFrame,
    scenario: Scenario | str,
    *,
    statistic: str = "mean",
    bounds: Sequence[str] = ("lower", "upper"),
    analytes: Sequence[str] | None = None,
    guidance: pd.DataFrame | None = None,
    bodies: Sequence[str] = DEFAULT_BODY_PREFERENCE,
    allow_unverified: bool = False,
    register: pd.DataFrame | None = None,
) -> Assessment:
    """Deterministic intake (EDI), HQ, HI, MOE and lifetime cancer risk at LB and UB.

    Parameters
    ----------
    results
        Results table (or sums from :func:`labtox.teq.teq` at one bound).
    scenario
        A :class:`Scenario` or the name of a shipped one.
    statistic
        Concentration summary over samples: ``mean`` (chronic exposure, EHC 240 §6.3),
        ``median``, ``p95`` or ``max``.
    bounds
        Non-detect bounds: ``lower`` (0), ``medium`` (half the limit), ``upper`` (the limit).
    analytes, guidance, bodies, allow_unverified
        Which analytes, which guidance table and selection (:func:`select_guidance`).
    register
        Sample register with ``fat_pct``/``dry_matter_pct`` for basis conversion.

    Returns
    -------
    Assessment

    References
    ----------
    WHO EHC 240 (2009) ch. 6; US EPA RAGS A (1989); EFSA (2010) left-censored data; EFSA
    Scientific Committee (2012) default body weights.

    Examples
    --------
    0.02 mg/kg Cd in milk, 0.5 kg/day, 70 kg: EDI = 0.02 × 0.5 / 70 = 1.4286e-4 mg/kg bw/day;
    EFSA TWI 2.5 µg/kg bw/week = 3.5714e-4 mg/kg bw/day; HQ = 0.4.

    >>> import pandas as pd
    >>> r = pd.DataFrame({"sample_id": ["a"], "analyte": ["Cd"], "value": [0.02],
    ...                   "unit": ["mg/kg"], "basis": ["wet"], "censored": [False]})
    >>> sc = Scenario("x", "adults", body_weight_kg=70, consumption=0.5,
    ...               consumption_unit="kg/day")
    >>> a = assess(r, sc, bounds=["upper"])
    >>> round(float(a.table.loc[0, "metric_value"]), 6)
    0.4
    """
    sc = load_scenarios()[scenario] if isinstance(scenario, str) else scenario
    conc = concentrations(results, analytes=analytes, register=register,
                          density=sc.density_kg_per_l)
    g = guidance if guidance is not None else guidance_values()
    ir = sc.intake_kg_per_day
    ef = sc.exposure_frequency_days_per_year / 365.0
    rows = []
    for analyte, c in conc.groupby("analyte", sort=True):
        scheme = next((s for s in c["scheme"] if isinstance(s, str) and s), None)
        sel = select_guidance(str(analyte), g, bodies=bodies, teq_scheme=scheme,
                              allow_unverified=allow_unverified)
        for b in bounds:
            bb = {"lb": "lower", "mb": "medium", "ub": "upper"}.get(b.lower(), b.lower())
            cval = _stat(_bound_values(c, bb), statistic)
            edi = cval * ir * ef / sc.body_weight_kg  # mg/kg bw/day
            cb = _at_bound(c, bb)
            base = {"analyte": analyte, "bound": bb, "statistic": statistic, "n": len(cb),
                    "n_censored": int(cb["censored"].sum()), "concentration_mg_per_kg": cval,
                    "intake_kg_per_day": ir, "body_weight_kg": sc.body_weight_kg,
                    "edi_ug_per_kg_bw_day": edi * 1000.0}
            if sel.empty:
                rows.append({**base, "metric": "", "metric_value": np.nan, "concern": None,
                             "note": "no usable health-based guidance value shipped"})
                continue
            for _, gv in sel.iterrows():
                gcols = {"guidance_body": gv["body"], "guidance_type": gv["value_type"],
                         "guidance_detail": gv["value_detail"], "guidance_value": gv["value_num"],
                         "guidance_unit": gv["unit"], "guidance_status": gv["status"],
                         "effect": gv["effect"], "source": gv["source"]}
                if gv["kind"] == "threshold":
                    hq = edi / gv["daily"]
                    _, period = _daily_mg(1.0, gv["unit"])
                    in_unit = edi / _daily_mg(1.0, gv["unit"])[0]
                    rows.append({**base, **gcols, "metric": "HQ", "metric_value": hq,
                                 "concern": bool(hq > 1), "edi_in_guidance_unit": in_unit,
                                 "note": f"HQ = EDI / ({gv['value_type']} per day)"})
                elif gv["kind"] == "reference point":
                    moe = gv["daily"] / edi if edi > 0 else np.inf
                    thr = gv["moe_concern_below"]
                    rows.append({**base, **gcols, "metric": "MOE", "metric_value": moe,
                                 "concern": (bool(moe < thr) if np.isfinite(thr) else None),
                                 "edi_in_guidance_unit": edi / _daily_mg(1.0, gv["unit"])[0],
                                 "note": (f"MOE of concern below {thr:g}" if np.isfinite(thr)
                                          else "no MOE threshold shipped")})
                else:
                    ilcr = edi * sc.exposure_duration_years / sc.averaging_time_years \
                        * gv["slope"]
                    rows.append({**base, **gcols, "metric": "ILCR", "metric_value": ilcr,
                                 "concern": bool(ilcr > 1e-4),
                                 "edi_in_guidance_unit": edi,
                                 "note": ("ILCR = EDI x ED/AT x CSF; 1e-6..1e-4 is the usual "
                                          "target range; concern flagged above 1e-4")})
    table = pd.DataFrame(rows)
    cols = ["analyte", "bound", "statistic", "n", "n_censored", "concentration_mg_per_kg",
            "intake_kg_per_day", "body_weight_kg", "edi_ug_per_kg_bw_day", "metric",
            "metric_value", "concern", "guidance_body", "guidance_type", "guidance_detail",
            "guidance_value", "guidance_unit", "guidance_status", "effect", "source",
            "edi_in_guidance_unit", "note"]
    table = table.reindex(columns=cols)
    hq = table[table["metric"] == "HQ"]
    hq = hq[hq["analyte"].isin(hi_components(hq["analyte"]))]
    hi = (hq.groupby("bound")
          .agg(HI=("metric_value", "sum"), n_analytes=("analyte", "nunique"),
               analytes=("analyte", lambda s: "|".join(sorted(set(s)))))
          .reset_index()) if len(hq) else pd.DataFrame(
        columns=["bound", "HI", "n_analytes", "analytes"])
    return Assessment(table=table, hazard_index=hi, scenario=sc, statistic=statistic)


# ----------------------------------------------------------------------------- Monte Carlo

def _fit_lognormal(x: np.ndarray, cens: np.ndarray) -> tuple[float, float, np.ndarray, str]:
    """Censored lognormal MLE: (meanlog, sdlog, covariance, method)."""
    try:
        from labtox.stats import censored_mle  # the shared implementation, when present

        r = censored_mle(x, cens, dist="lognorm")
        return (float(r.params["meanlog"]), float(r.params["sdlog"]),
                np.asarray(r.covariance, dtype=float), "labtox.stats.censored_mle")
    except ImportError:
        pass
    return _local_lognormal_mle(x, cens)


def _local_lognormal_mle(x: np.ndarray, cens: np.ndarray) -> tuple[float, float, np.ndarray,
                                                                    str]:
    """Local fallback: ℓ = Σ_det log φ((ln x−μ)/σ)/(σx) + Σ_nd log Φ((ln DL−μ)/σ)."""
    from scipy import optimize, stats

    y = np.log(x)
    det = ~cens
    if len(np.unique(y[det])) < 2:
        raise ExposureError("a censored lognormal fit needs at least 2 distinct detects.",
                            found=int(det.sum()),
                            hint="Use concentration='empirical' (bound substitution).")

    def nll(t: np.ndarray) -> float:
        mu, ls = t
        s = math.exp(ls)
        ll = stats.norm.logpdf(y[det], mu, s).sum() - y[det].sum()
        if cens.any():
            ll += stats.norm.logcdf(y[cens], mu, s).sum()
        return -ll

    t0 = np.array([y[det].mean(), math.log(max(y[det].std(ddof=1), 1e-3))])
    res = optimize.minimize(nll, t0, method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 5000})
    mu, s = float(res.x[0]), float(math.exp(res.x[1]))
    h = 1e-4
    hess = np.zeros((2, 2))
    th = np.array([mu, s])

    def f(t: np.ndarray) -> float:
        return nll(np.array([t[0], math.log(t[1])]))

    for i in range(2):
        for j in range(2):
            e_i, e_j = np.eye(2)[i] * h, np.eye(2)[j] * h
            hess[i, j] = (f(th + e_i + e_j) - f(th + e_i - e_j) - f(th - e_i + e_j)
                          + f(th - e_i - e_j)) / (4 * h * h)
    try:
        cov = np.linalg.inv(hess)
    except np.linalg.LinAlgError:
        cov = np.full((2, 2), np.nan)
    return mu, s, cov, "labtox.exposure local censored lognormal MLE"


@dataclass(frozen=True)
class MonteCarloResult:
    """Monte Carlo exposure distribution.

    Attributes
    ----------
    intake : pandas.DataFrame
        One row per analyte (and ``HI``): ``mean`` and percentiles (``p50``, ``p90``, ``p95``,
        ``p99`` …) of the EDI in µg/kg bw/day (HI: dimensionless), ``guidance_daily_ug``,
        ``p_exceed`` (probability that the EDI exceeds the threshold guidance value, or HI > 1),
        ``contribution`` (share of the mean HI), ``moe_at_p95``, ``mean_ilcr``, concentration
        model and its parameters.
    uncertainty : pandas.DataFrame or None
        With ``uncertainty_iterations > 0``: 2.5th, 50th and 97.5th percentile over the outer
        (parameter-uncertainty) loop of each statistic.
    iterations, seed, chunk_size : int
    concentration_model : str
    scenario : Scenario
    """

    intake: pd.DataFrame
    uncertainty: pd.DataFrame | None
    iterations: int
    seed: int | None
    chunk_size: int
    concentration_model: str
    scenario: Scenario

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`intake`."""
        return self.intake.copy()


def _conc_models(conc: pd.DataFrame, concentration: str | Mapping[str, Distribution],
                 bound: str) -> dict[str, tuple[Distribution, str]]:
    models: dict[str, tuple[Distribution, str]] = {}
    if isinstance(concentration, Mapping):
        for a, d in concentration.items():
            models[a] = (d, "given")
        return models
    for a, c in conc.groupby("analyte", sort=True):
        # sum rows: the fit uses the upper-bound sums (all-censored sums are left-censored at
        # their UB); the bootstrap uses the sums computed at ``bound``
        c = _at_bound(c, "upper" if concentration in ("lognormal", "km-bootstrap") else bound)
        x = c["conc_mg_per_kg"].to_numpy(dtype=float)
        cens = c["censored"].to_numpy(dtype=bool)
        if concentration == "lognormal":
            if (x <= 0).any():
                raise ExposureError(f"{a}: a lognormal fit needs positive values.",
                                    found=float(x.min()))
            try:
                mu, s, _, how = _fit_lognormal(x, cens)
            except LabtoxError as exc:
                raise ExposureError(
                    f"{a}: the censored lognormal fit failed: {exc.message}",
                    hint="Use concentration='empirical' (bootstrap with bound substitution).",
                ) from None
            models[str(a)] = (Distribution("lognormal", {"meanlog": mu, "sdlog": s}),
                              f"censored lognormal MLE ({how})")
        elif concentration == "km-bootstrap":
            try:
                from labtox.stats import kaplan_meier
            except ImportError:  # pragma: no cover - labtox.stats ships with labtox
                raise ExposureError("km-bootstrap needs labtox.stats.kaplan_meier.") from None
            try:
                km = kaplan_meier(x, cens)
            except LabtoxError as exc:
                raise ExposureError(f"{a}: Kaplan-Meier failed: {exc.message}") from None
            tab = km.cdf_table
            vals = tab["value"].to_numpy(dtype=float)
            probs = tab["prob"].to_numpy(dtype=float).copy()
            below = float(km.prob_below_lowest_detect)
            if below > 0 and bound != "upper":
                # mass below the lowest detect: at 0 (LB) or half the lowest detect (MB)
                probs[0] -= below
                vals = np.concatenate([[0.0 if bound == "lower" else vals[0] / 2], vals])
                probs = np.concatenate([[below], probs])
            models[str(a)] = (Distribution("discrete", {"values": tuple(vals),
                                                        "probs": tuple(probs)}),
                              "Kaplan-Meier distribution (labtox.stats.kaplan_meier), mass "
                              f"below the lowest detect at the {bound} bound")
        elif concentration == "empirical":
            models[str(a)] = (Distribution("empirical",
                                           {"values": tuple(_bound_values(c, bound))}),
                              f"bootstrap of the sample values, non-detects at the {bound} "
                              "bound")
        else:
            raise ExposureError(f"unknown concentration model {concentration!r}.",
                                expected="'lognormal', 'empirical' or a dict of Distributions")
    return models


def hi_components(analytes) -> set[str]:
    """The analytes whose HQs enter the hazard index, each substance counted once.

    A congener or isomer is left out when a sum parameter containing it is also assessed
    (``p,p'-DDT`` when ``sum DDT`` is there; ``2,3,7,8-TCDD`` when a TEQ sum is), and a sum is
    left out when a wider sum covers it (``sum PCDD/F-TEQ`` inside ``sum PCDD/F+dl-PCB-TEQ``):
    adding both would count the same intake twice (WHO EHC 240 §6.2, additivity of
    components of one mixture).

    Examples
    --------
    >>> sorted(hi_components(["Pb", "p,p'-DDT", "sum DDT", "sum PCDD/F-TEQ",
    ...                       "sum PCDD/F+dl-PCB-TEQ"]))
    ['Pb', 'sum DDT', 'sum PCDD/F+dl-PCB-TEQ']
    """
    from labtox.teq import SUM_PARAMETERS

    present = set(map(str, analytes))
    sums = {n: set(SUM_PARAMETERS[n].members) for n in present if n in SUM_PARAMETERS}
    keep = set()
    for a in present:
        if a in sums:
            wider = [o for o in sums if o != a and sums[a] < sums[o]]
            if not wider:
                keep.add(a)
        elif not any(a in members for members in sums.values()):
            keep.add(a)
    return keep


def _run(models: dict[str, Distribution], sc: Scenario, daily: dict[str, float],
         n: int, chunk: int, seed: int | np.random.SeedSequence | None,
         probs: Sequence[float], keep: bool) -> dict[str, dict[str, float]]:
    """Inner loop: streaming sums, optional float32 storage for exact percentiles."""
    names = list(models)
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    gens = [np.random.default_rng(s) for s in ss.spawn(len(names) + 2)]
    kg_unit = sc.kg_per_unit()
    ef = sc.exposure_frequency_days_per_year / 365.0
    cons = sc.consumption_distribution or Distribution("fixed", {"value": sc.consumption})
    bw = sc.body_weight_distribution or Distribution("fixed", {"value": sc.body_weight_kg})
    with_hq = [a for a in names if np.isfinite(daily.get(a, np.nan))]
    with_hq = [a for a in with_hq if a in hi_components(with_hq)]
    store = {a: np.empty(n, dtype=np.float32) for a in names} if keep else {}
    if keep and with_hq:
        store["HI"] = np.empty(n, dtype=np.float32)
    sums = {a: 0.0 for a in [*names, "HI"]}
    exceed = {a: 0 for a in [*names, "HI"]}
    hq_sum = {a: 0.0 for a in with_hq}
    done = 0
    while done < n:
        m = min(chunk, n - done)
        ir = cons.sample(gens[-2], m) * kg_unit * ef
        w = bw.sample(gens[-1], m)
        if (w <= 0).any():
            raise ExposureError("the body-weight distribution produced values <= 0.",
                                hint="Truncate it (lower = ...).")
        np.maximum(ir, 0.0, out=ir)
        factor = np.divide(ir, w, out=ir)
        hi = np.zeros(m) if with_hq else None
        for k, a in enumerate(names):
            edi = models[a].sample(gens[k], m)
            edi *= factor  # mg/kg bw/day
            s_edi = float(edi.sum())
            sums[a] += s_edi
            if a in with_hq:
                # HQ > 1 <=> EDI > HBGV
                exceed[a] += int(np.count_nonzero(edi > daily[a]))
                hq_sum[a] += s_edi / daily[a]
                hi += edi * (1.0 / daily[a])  # type: ignore[operator]
            if keep:
                np.multiply(edi, 1000.0, out=store[a][done:done + m], casting="same_kind")
        if hi is not None:
            sums["HI"] += float(hi.sum())
            exceed["HI"] += int(np.count_nonzero(hi > 1))
            if keep:
                store["HI"][done:done + m] = hi
        done += m
    out: dict[str, dict[str, float]] = {}
    total_hq = sum(hq_sum.values())
    for a in [*names, "HI"]:
        if a == "HI" and not with_hq:
            continue
        scale = 1.0 if a == "HI" else 1000.0
        row = {"mean": sums[a] / n * scale,
               "p_exceed": exceed[a] / n if (a == "HI" or a in with_hq) else np.nan,
               "contribution": (hq_sum[a] / total_hq if a in hq_sum and total_hq > 0 else
                                (1.0 if a == "HI" else np.nan))}
        if keep:
            qs = np.percentile(store[a], [100 * p for p in probs])
            for p, q in zip(probs, qs, strict=True):
                row[f"p{100 * p:g}"] = float(q)
        out[a] = row
    return out


def simulate(
    results: pd.DataFrame | None,
    scenario: Scenario | str,
    *,
    iterations: int = 1_000_000,
    seed: int | None = None,
    concentration: str | Mapping[str, Distribution] = "lognormal",
    bound: str = "upper",
    analytes: Sequence[str] | None = None,
    guidance: pd.DataFrame | None = None,
    bodies: Sequence[str] = DEFAULT_BODY_PREFERENCE,
    chunk_size: int = 1_000_000,
    uncertainty_iterations: int = 0,
    probs: Sequence[float] = (0.5, 0.9, 0.95, 0.99),
    register: pd.DataFrame | None = None,
    max_memory_mb: float = 1024.0,
) -> MonteCarloResult:
    """Monte Carlo intake distribution (variability), optionally with parameter uncertainty.

    Each iteration draws a concentration per analyte, an intake and a body weight, and computes
    ``EDI = C × IR × EF / BW``. Means and exceedance probabilities are accumulated chunk by chunk
    in float64; percentiles are exact, from float32 copies (``4 × iterations × (analytes + 1)``
    bytes, checked against ``max_memory_mb``). Random streams are spawned per variable from
    ``seed`` (:class:`numpy.random.SeedSequence`), so results do not depend on ``chunk_size``.

    Parameters
    ----------
    results
        Results table (ignored when ``concentration`` is a dict of distributions).
    scenario
        :class:`Scenario` or the name of a shipped one; its distributions are used when given,
        else its point values.
    iterations, seed, chunk_size
        Number of iterations (10^7 runs in bounded memory), seed, iterations per chunk.
    concentration
        ``"lognormal"``: censored lognormal maximum likelihood per analyte
        (:func:`labtox.stats.censored_mle` when available, else a local fit, named in the
        output); ``"km-bootstrap"``: draws from the Kaplan–Meier distribution
        (:func:`labtox.stats.kaplan_meier`), the probability below the lowest detect placed at
        that detect (``bound="upper"``, NADA/EnvStats unrestricted convention), at half of it
        (``medium``) or at 0 (``lower``); ``"empirical"``: bootstrap of the sample values with
        non-detects at ``bound``; or a dict ``analyte -> Distribution`` (mg/kg of product).
    uncertainty_iterations
        Outer loop for parameter uncertainty (second dimension): each outer iteration refits
        the concentration model to a bootstrap resample of the samples and reruns the inner
        loop (of ``iterations``); the output gives the 2.5/50/97.5 % points of each statistic.
    probs
        Percentiles of intake to report.

    Returns
    -------
    MonteCarloResult

    References
    ----------
    WHO EHC 240 (2009) §6.3.4 (probabilistic exposure assessment); EFSA (2012) Guidance on the
    use of probabilistic methodology for modelling dietary exposure to pesticide residues, EFSA
    Journal 10(10):2839 (two-dimensional variability/uncertainty); Helsel (2012) ch. 7
    (censored MLE).

    Examples
    --------
    >>> sc = Scenario("x", "adults", body_weight_kg=70, consumption=0.5,
    ...               consumption_unit="kg/day")
    >>> mc = simulate(None, sc, iterations=10_000, seed=1,
    ...               concentration={"Cd": Distribution("fixed", {"value": 0.02})})
    >>> round(float(mc.intake.set_index("analyte").loc["Cd", "p95"]), 5)  # 0.02*0.5/70*1000
    0.14286
    """
    sc = load_scenarios()[scenario] if isinstance(scenario, str) else scenario
    if int(iterations) < 1 or int(chunk_size) < 1:
        raise ExposureError("iterations and chunk_size must be >= 1.",
                            found={"iterations": iterations, "chunk_size": chunk_size})
    n, chunk = int(iterations), int(chunk_size)
    bnd = {"lb": "lower", "ub": "upper", "mb": "medium"}.get(bound.lower(), bound.lower())
    conc = None
    if not isinstance(concentration, Mapping):
        if results is None:
            raise ExposureError("results are needed unless concentration distributions are "
                                "given.")
        conc = concentrations(results, analytes=analytes, register=register,
                              density=sc.density_kg_per_l)
        if conc.empty:
            raise ExposureError("no results to simulate.", hint="Check --analyte names.")
    models = _conc_models(conc, concentration, bnd)  # type: ignore[arg-type]
    need_mb = 4.0 * n * (len(models) + 1) / 2 ** 20
    if need_mb > max_memory_mb:
        raise ExposureError(
            f"{n} iterations x {len(models)} analytes need about {need_mb:.0f} MB for exact "
            f"percentiles (limit {max_memory_mb:.0f} MB).",
            hint="Lower iterations, select analytes, or raise max_memory_mb.")
    g = guidance if guidance is not None else guidance_values()
    daily: dict[str, float] = {}
    gv_info: dict[str, dict[str, object]] = {}
    for a in models:
        scheme = None
        if conc is not None:
            ss = conc.loc[conc["analyte"] == a, "scheme"]
            scheme = next((s for s in ss if isinstance(s, str) and s), None)
        sel = select_guidance(a, g, bodies=bodies, teq_scheme=scheme)
        thr = sel[sel["kind"] == "threshold"]
        rp = sel[sel["kind"] == "reference point"]
        sf = sel[sel["kind"] == "slope factor"]
        if len(thr):
            daily[a] = float(thr["daily"].iloc[0])
        gv_info[a] = {
            "guidance": (f"{thr['body'].iloc[0]} {thr['value_type'].iloc[0]} "
                         f"{thr['value'].iloc[0]} {thr['unit'].iloc[0]} "
                         f"({thr['status'].iloc[0]})" if len(thr) else ""),
            "guidance_daily_ug": daily.get(a, np.nan) * 1000.0,
            "bmdl_daily_ug": float(rp["daily"].iloc[0]) * 1000 if len(rp) else np.nan,
            "slope": float(sf["slope"].iloc[0]) if len(sf) else np.nan,
        }
    dists = {a: m[0] for a, m in models.items()}
    ss = np.random.SeedSequence(seed)
    inner_seed, outer_seed = ss.spawn(2)
    stats_ = _run(dists, sc, daily, n, chunk, inner_seed, probs, keep=True)
    rows = []
    for a, st in stats_.items():
        info = gv_info.get(a, {})
        d, how = models[a] if a in models else (None, "")
        row = {"analyte": a, "unit": "µg/kg bw/day" if a != "HI" else "1", **st,
               "guidance": info.get("guidance", "sum of HQ" if a == "HI" else ""),
               "guidance_daily_ug": info.get("guidance_daily_ug", np.nan),
               "moe_at_p95": (info["bmdl_daily_ug"] / st["p95"]
                              if a != "HI" and "p95" in st and np.isfinite(
                                  info.get("bmdl_daily_ug", np.nan)) else np.nan),
               "mean_ilcr": (st["mean"] / 1000 * info["slope"] * sc.exposure_duration_years
                             / sc.averaging_time_years
                             if a != "HI" and np.isfinite(info.get("slope", np.nan))
                             else np.nan),
               "concentration_model": how,
               "model_params": "" if d is None else ", ".join(
                   f"{k}={v:.6g}" for k, v in d.params.items() if k not in ("values", "probs"))}
        rows.append(row)
    intake = pd.DataFrame(rows)
    unc = None
    if uncertainty_iterations > 0:
        if conc is None:
            raise ExposureError("parameter uncertainty needs results to resample.")
        rng = np.random.default_rng(outer_seed)
        outer = []
        for j in range(int(uncertainty_iterations)):
            boot_parts = []
            for _a, c in conc.groupby("analyte", sort=True):
                idx = rng.integers(0, len(c), len(c))
                boot_parts.append(c.iloc[idx])
            boot = pd.concat(boot_parts)
            try:
                bm = _conc_models(boot, concentration, bnd)  # type: ignore[arg-type]
            except LabtoxError:
                continue  # a resample without two distinct detects: skipped and counted
            st = _run({a: m[0] for a, m in bm.items()}, sc, daily, n, chunk,
                      np.random.SeedSequence([0 if seed is None else seed, j + 1]), probs,
                      keep=True)
            for a, vals in st.items():
                outer.append({"analyte": a, "outer": j, **vals})
        o = pd.DataFrame(outer)
        if len(o):
            stat_cols = [c for c in o.columns if c not in ("analyte", "outer")]
            q = o.groupby("analyte")[stat_cols].quantile([0.025, 0.5, 0.975])
            q.index = q.index.set_names(["analyte", "quantile"])
            unc = q.reset_index()
            unc["n_outer"] = unc["analyte"].map(o.groupby("analyte")["outer"].nunique())
    name = concentration if isinstance(concentration, str) else "given"
    return MonteCarloResult(intake=intake, uncertainty=unc, iterations=n, seed=seed,
                            chunk_size=chunk, concentration_model=name, scenario=sc)
