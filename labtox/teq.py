"""TEF tables, toxic equivalents (TEQ) and the sum parameters the acts regulate.

Sum parameters are results of their own: one row per sample and sum, in the shape of the
results table, so that :func:`labtox.limits.compare` can judge them against a limit. Their
canonical names (used in ``reference_limits/`` and every labtox table) are defined here:

======================== ===================================================================
name                     definition
======================== ===================================================================
``sum PCDD/F-TEQ``       Σ C·TEF over the 7 PCDDs and 10 PCDFs (WHO-PCDD/F-TEQ)
``sum dl-PCB-TEQ``       Σ C·TEF over the 4 non-ortho and 8 mono-ortho PCBs
``sum PCDD/F+dl-PCB-TEQ`` Σ C·TEF over all 29 congeners (WHO-PCDD/F-PCB-TEQ)
``sum ndl-PCB-6``        PCB 28 + 52 + 101 + 138 + 153 + 180 (ICES-6), Reg. (EU) 2023/915
``sum DDT``              "DDT and its metabolites": p,p'-DDT, o,p'-DDT, p,p'-DDE, o,p'-DDE,
                         p,p'-DDD, o,p'-DDD, as measured (CU Decision 299 / TR CU 021;
                         the Codex residue definition is p,p'-DDT + o,p'-DDT + p,p'-DDE +
                         p,p'-TDE, a subset)
``sum HCH``              alpha-HCH + beta-HCH + gamma-HCH ("HCH (α, β, γ isomers)",
                         CU Decision 299)
``sum PFAS-4``           PFOS + PFOA + PFNA + PFHxS (EFSA 2020 group TWI; Reg. (EU) 2022/2388)
======================== ===================================================================

Bounds (Commission Regulation (EU) 2017/644, Annex III): a congener below the limit of
quantification contributes 0 (lower bound, ``LB``), half its LOQ (medium bound, ``MB``) or its
LOQ (upper bound, ``UB``). A censored result's ``value`` is the limit it lies below (labtox
results convention); when that limit is an LOD and the row also carries an LOQ, the LOQ is
used, as the Regulation speaks of the LOQ. To confirm an exceedance of a maximum level the UB
and LB may differ by at most 20 % (Annex III, point 6.1); labtox reports the gap as
``(UB − LB) / UB × 100`` on every TEQ row.

References
----------
.. [1] Van den Berg M et al. (2006) The 2005 World Health Organization reevaluation of human and
   mammalian toxic equivalency factors for dioxins and dioxin-like compounds. Toxicol Sci
   93(2):223-241.
.. [2] DeVito M et al. (2024) The 2022 World Health Organization reevaluation of human and
   mammalian toxic equivalency factors for polychlorinated dioxins, dibenzofurans and
   biphenyls. Regul Toxicol Pharmacol 146:105525.
.. [3] Commission Regulation (EU) 2017/644, Annex III, points 2 and 6.1 (lower, medium and upper
   bound; the 20 % UB/LB rule).
.. [4] Commission Regulation (EU) 2023/915, Annex I, section 4.1 (ICES-6 definition, upper bound).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from labtox.errors import LimitsError, close_matches

__all__ = [
    "SumDefinition",
    "SUM_PARAMETERS",
    "SCHEMES",
    "BOUNDS",
    "tef_table",
    "teq",
    "sum_parameter",
    "reference_dir",
    "UB_LB_MAX_GAP_PCT",
]

SCHEMES: tuple[str, ...] = ("WHO2005", "WHO2022")
"""TEF schemes shipped in ``reference_limits/tef_who1998_2005_2022.csv`` (WHO-1998: see README)."""

BOUNDS: dict[str, str] = {
    "lower": "lower", "lb": "lower", "upper": "upper", "ub": "upper",
    "medium": "medium", "mb": "medium", "middle": "medium",
}
UB_LB_MAX_GAP_PCT = 20.0
"""Reg. (EU) 2017/644 Annex III 6.1: UB and LB may differ by at most 20 % to confirm an exceedance."""


def reference_dir() -> Path:
    """The shipped ``reference_limits/`` folder (beside the ``labtox`` package)."""
    import labtox

    return Path(labtox.__file__).resolve().parents[1] / "reference_limits"


@dataclass(frozen=True)
class SumDefinition:
    """A regulated sum parameter.

    Attributes
    ----------
    name : str
        Canonical name (``"sum PCDD/F-TEQ"``).
    members : tuple of str
        Canonical analytes summed.
    weighted : bool
        True for TEQ sums (Σ C·TEF), False for plain sums.
    unit : str
        Unit labtox reports the sum in.
    definition : str
        The definition and the act it is taken from.
    """

    name: str
    members: tuple[str, ...]
    weighted: bool
    unit: str
    definition: str


_PCDD = ("2,3,7,8-TCDD", "1,2,3,7,8-PeCDD", "1,2,3,4,7,8-HxCDD", "1,2,3,6,7,8-HxCDD",
         "1,2,3,7,8,9-HxCDD", "1,2,3,4,6,7,8-HpCDD", "OCDD")
_PCDF = ("2,3,7,8-TCDF", "1,2,3,7,8-PeCDF", "2,3,4,7,8-PeCDF", "1,2,3,4,7,8-HxCDF",
         "1,2,3,6,7,8-HxCDF", "1,2,3,7,8,9-HxCDF", "2,3,4,6,7,8-HxCDF", "1,2,3,4,6,7,8-HpCDF",
         "1,2,3,4,7,8,9-HpCDF", "OCDF")
_DLPCB = ("PCB 77", "PCB 81", "PCB 126", "PCB 169", "PCB 105", "PCB 114", "PCB 118", "PCB 123",
          "PCB 156", "PCB 157", "PCB 167", "PCB 189")

SUM_PARAMETERS: dict[str, SumDefinition] = {
    d.name: d
    for d in (
        SumDefinition("sum PCDD/F-TEQ", _PCDD + _PCDF, True, "pg/g",
                      "WHO-PCDD/F-TEQ: sum of C x TEF over the 17 2,3,7,8-substituted PCDD/Fs "
                      "(Reg. (EU) 2023/915 Annex I 4.1; Reg. (EU) 2017/644)"),
        SumDefinition("sum dl-PCB-TEQ", _DLPCB, True, "pg/g",
                      "WHO-PCB-TEQ: sum of C x TEF over the 12 dioxin-like PCBs"),
        SumDefinition("sum PCDD/F+dl-PCB-TEQ", _PCDD + _PCDF + _DLPCB, True, "pg/g",
                      "WHO-PCDD/F-PCB-TEQ: sum of C x TEF over 17 PCDD/Fs and 12 dl-PCBs "
                      "(Reg. (EU) 2023/915 Annex I 4.1)"),
        SumDefinition("sum ndl-PCB-6", ("PCB 28", "PCB 52", "PCB 101", "PCB 138", "PCB 153",
                                        "PCB 180"), False, "ng/g",
                      "ICES-6: PCB 28 + 52 + 101 + 138 + 153 + 180 (Reg. (EU) 2023/915 Annex I "
                      "4.1; upper bound)"),
        SumDefinition("sum DDT", ("p,p'-DDT", "o,p'-DDT", "p,p'-DDE", "o,p'-DDE", "p,p'-DDD",
                                  "o,p'-DDD"), False, "µg/kg",
                      "'DDT and its metabolites' (CU Commission Decision 299, 2.1; TR CU 021): "
                      "every DDT, DDE and DDD isomer measured. Codex residue definition (p,p'-DDT "
                      "+ o,p'-DDT + p,p'-DDE + p,p'-TDE) is the subset without o,p'-DDE/o,p'-DDD"),
        SumDefinition("sum HCH", ("alpha-HCH", "beta-HCH", "gamma-HCH"), False, "µg/kg",
                      "'HCH (alpha, beta, gamma isomers)' (CU Commission Decision 299, 2.1)"),
        SumDefinition("sum PFAS-4", ("PFOS", "PFOA", "PFNA", "PFHxS"), False, "µg/kg",
                      "PFOS + PFOA + PFNA + PFHxS (EFSA 2020 group TWI; Reg. (EU) 2022/2388)"),
    )
}
"""The sum parameters labtox computes, by canonical name."""


def _norm_bound(bound: str) -> str:
    key = str(bound).strip().lower()
    if key not in BOUNDS:
        raise LimitsError(
            f"unknown bound {bound!r}.",
            expected="'lower', 'medium' or 'upper' (or LB, MB, UB)", found=bound,
        )
    return BOUNDS[key]


def _norm_scheme(scheme: str) -> str:
    key = str(scheme).strip().upper().replace("-", "").replace(" ", "")
    if key not in SCHEMES:
        hint = ("WHO-1998 TEFs are not shipped: no stored source confirmed them "
                "(see reference_limits/README.md)." if "1998" in key or "1997" in key else None)
        raise LimitsError(f"unknown TEF scheme {scheme!r}.", expected=" or ".join(SCHEMES),
                          found=scheme, hint=hint)
    return key


@cache
def _tef_rows(directory: str) -> tuple[dict[str, str], ...]:
    path = Path(directory) / "tef_who1998_2005_2022.csv"
    if not path.exists():
        raise LimitsError("the TEF table is missing.", path=path,
                          expected="reference_limits/tef_who1998_2005_2022.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def tef_table(scheme: str = "WHO2005", directory: str | Path | None = None) -> pd.DataFrame:
    """The TEF table of one scheme: one row per congener with TEF, status and source.

    Parameters
    ----------
    scheme
        ``"WHO2005"`` (Van den Berg et al. 2006) or ``"WHO2022"`` (DeVito et al. 2024).
    directory
        A ``reference_limits`` folder; the shipped one by default.

    Returns
    -------
    pandas.DataFrame
        Columns ``analyte, group, subgroup, cas, scheme, tef, status, reference, source_url``.

    References
    ----------
    Van den Berg et al. (2006) Toxicol Sci 93:223; DeVito et al. (2024) Regul Toxicol Pharmacol
    146:105525.

    Examples
    --------
    >>> t = tef_table("WHO2005").set_index("analyte")
    >>> float(t.loc["2,3,4,7,8-PeCDF", "tef"]), float(t.loc["PCB 126", "tef"])
    (0.3, 0.1)
    """
    sch = _norm_scheme(scheme)
    d = str(Path(directory) if directory is not None else reference_dir())
    rows = [r for r in _tef_rows(d) if r["scheme"] == sch]
    df = pd.DataFrame(rows)
    df["tef"] = df["tef"].astype(float)
    return df.drop(columns=["status_detail"], errors="ignore").reset_index(drop=True)


def _substitutes(df: pd.DataFrame, bound: str) -> np.ndarray:
    """Per-row contribution before weighting: detected value, or 0 / LOQ/2 / LOQ if censored."""
    value = df["value"].to_numpy(dtype=float)
    censored = df["censored"].to_numpy(dtype=bool)
    limit = value.copy()
    if "loq" in df.columns:
        loq = pd.to_numeric(df["loq"], errors="coerce").to_numpy(dtype=float)
        det = df["detection"].astype(str).to_numpy() if "detection" in df.columns else None
        use_loq = censored & np.isfinite(loq) & (loq > 0)
        if det is not None:
            use_loq &= det == "<LOD"
        limit = np.where(use_loq, loq, limit)
    factor = {"lower": 0.0, "medium": 0.5, "upper": 1.0}[bound]
    return np.where(censored, factor * limit, value)


def _check_results(results: pd.DataFrame) -> None:
    missing = [c for c in ("sample_id", "analyte", "value", "unit", "censored")
               if c not in results.columns]
    if missing:
        raise LimitsError(
            "the results table lacks columns needed for sums.",
            expected="columns sample_id, analyte, value, unit, basis, censored",
            found=", ".join(missing),
        )


def _unit_factors(units: Iterable[str], target: str) -> np.ndarray:
    from labtox.units import conversion_factor

    cache_: dict[str, float] = {}
    out = []
    for u in units:
        if u not in cache_:
            cache_[u] = conversion_factor(u, target)
        out.append(cache_[u])
    return np.asarray(out, dtype=float)


def teq(
    results: pd.DataFrame,
    scheme: str = "WHO2005",
    bound: str | Sequence[str] = "upper",
    *,
    sums: Sequence[str] | None = None,
    directory: str | Path | None = None,
) -> pd.DataFrame:
    """TEQ and the other regulated sums per sample, at the lower, medium or upper bound.

    Parameters
    ----------
    results
        A labtox results table (``sample_id, analyte, value, unit, basis, censored`` and
        optionally ``detection, loq, u_expanded, coverage_k, run_id, method_id, product,
        species, site``). Congener rows are found by canonical analyte name.
    scheme
        TEF scheme for TEQ sums: ``"WHO2005"`` (the EU maximum levels use it) or ``"WHO2022"``.
    bound
        ``"lower"``, ``"medium"``, ``"upper"`` (or ``LB``/``MB``/``UB``), or a sequence of them,
        or ``"all"``.
    sums
        Names from :data:`SUM_PARAMETERS`; by default every sum with at least one member present.
    directory
        ``reference_limits`` folder holding the TEF table (the shipped one by default).

    Returns
    -------
    pandas.DataFrame
        Results-shaped rows, one per sample × sum × bound: ``sample_id, analyte`` (the sum's name),
        ``cas`` (empty), ``value, unit, basis, censored`` (True when every member present is
        censored), ``detection, lod, loq, u_expanded, coverage_k, bound, scheme, n_congeners``
        (members present), ``n_censored, n_expected, missing`` (members absent, ``|``-joined),
        ``ub_lb_gap_pct`` and ``ub_lb_check`` (TEQ sums only), ``definition``. The expanded
        uncertainty combines the members' ``u_expanded`` (weighted by TEF) in quadrature,
        assuming uncorrelated errors; censored members add none.

    Raises
    ------
    LimitsError
        Missing columns, unknown scheme or bound, units that cannot be converted, or one sample
        whose members are reported on different bases (wet/fat/dry).

    References
    ----------
    Commission Regulation (EU) 2017/644, Annex III (bounds; 20 % rule); Van den Berg et al.
    (2006); DeVito et al. (2024); Reg. (EU) 2023/915 Annex I 4.1 (ICES-6).

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"sample_id": ["S1", "S1"], "analyte": ["2,3,7,8-TCDD", "PCB 126"],
    ...                   "value": [0.10, 1.0], "unit": ["pg/g", "pg/g"], "basis": ["fat", "fat"],
    ...                   "censored": [False, True]})
    >>> t = teq(r, bound="all", sums=["sum PCDD/F+dl-PCB-TEQ"])
    >>> [round(v, 4) for v in t["value"]]      # LB 0.1; MB 0.1 + 0.5*0.1; UB 0.1 + 0.1
    [0.1, 0.15, 0.2]
    """
    _check_results(results)
    sch = _norm_scheme(scheme)
    if isinstance(bound, str):
        bounds = ["lower", "medium", "upper"] if bound.strip().lower() == "all" else [
            _norm_bound(bound)]
    else:
        bounds = [_norm_bound(b) for b in bound]
    if sums is None:
        present = set(results["analyte"].astype(str))
        names = [n for n, d in SUM_PARAMETERS.items() if present.intersection(d.members)]
    else:
        names = []
        for n in sums:
            if n not in SUM_PARAMETERS:
                raise LimitsError(
                    f"unknown sum parameter {n!r}.", expected=", ".join(SUM_PARAMETERS),
                    hint="Did you mean " + ", ".join(close_matches(n, SUM_PARAMETERS)) + "?"
                    if close_matches(n, SUM_PARAMETERS) else None,
                )
            names.append(n)
    tefs = dict(zip(*[tef_table(sch, directory)[c] for c in ("analyte", "tef")], strict=True))
    rows: list[dict[str, object]] = []
    df = results.reset_index(drop=True)
    basis_col = df["basis"].astype(str) if "basis" in df.columns else pd.Series(
        ["wet"] * len(df))
    for name in names:
        d = SUM_PARAMETERS[name]
        sub = df[df["analyte"].astype(str).isin(d.members)]
        if sub.empty:
            continue
        try:
            factors = _unit_factors(sub["unit"].astype(str), d.unit)
        except Exception as exc:  # UnitError: name the sum
            raise LimitsError(f"{name}: member units cannot be converted to {d.unit}: {exc}") \
                from None
        weights = (np.array([tefs[a] for a in sub["analyte"]], dtype=float)
                   if d.weighted else np.ones(len(sub)))
        u = (pd.to_numeric(sub["u_expanded"], errors="coerce").to_numpy(dtype=float)
             if "u_expanded" in sub.columns else np.full(len(sub), np.nan))
        k = (pd.to_numeric(sub["coverage_k"], errors="coerce").to_numpy(dtype=float)
             if "coverage_k" in sub.columns else np.full(len(sub), np.nan))
        contrib = {b: _substitutes(sub, b) * factors * weights for b in bounds}
        full = {b: _substitutes(sub, b) * factors * weights for b in ("lower", "upper")}
        cens = sub["censored"].to_numpy(dtype=bool)
        for sid, idx in sub.groupby(sub["sample_id"].astype(str), sort=True).indices.items():
            members = sub["analyte"].iloc[idx].tolist()
            dup = sorted({m for m in members if members.count(m) > 1})
            if dup:
                raise LimitsError(
                    f"{name}: sample {sid!r} has more than one result for {', '.join(dup)}.",
                    expected="one result per sample and congener",
                    hint="Average replicates (or choose one) before summing.",
                )
            bases = sorted(set(basis_col.loc[sub.index[idx]]))
            if len(bases) > 1:
                raise LimitsError(
                    f"{name}: sample {sid!r} mixes bases {bases}.",
                    expected="all members on one basis (wet, fat or dry)",
                    hint="Convert with labtox.units.convert_basis and the register's fat_pct.",
                )
            lb = float(full["lower"][idx].sum())
            ub = float(full["upper"][idx].sum())
            gap = (ub - lb) / ub * 100.0 if ub > 0 else 0.0
            ui = u[idx] * factors[idx] * weights[idx]
            ui = np.where(cens[idx], 0.0, ui)
            det_u = ~cens[idx]
            u_sum = (float(np.sqrt(np.nansum(ui ** 2)))
                     if det_u.any() and np.isfinite(ui[det_u]).all() else np.nan)
            kk = k[idx][det_u]
            k_sum = float(kk[0]) if kk.size and np.all(kk == kk[0]) else np.nan
            missing = [m for m in d.members if m not in members]
            extra: dict[str, object] = {}
            for col in ("run_id", "method_id", "product", "species", "site", "sampling_date"):
                if col in sub.columns:
                    vals = sub[col].iloc[idx].dropna().astype(str).unique()
                    extra[col] = vals[0] if len(vals) == 1 else ("|".join(sorted(vals)) or None)
            for b in bounds:
                all_cens = bool(cens[idx].all())
                rows.append({
                    "sample_id": sid, "analyte": name, "cas": "",
                    "value": float(contrib[b][idx].sum()), "unit": d.unit, "basis": bases[0],
                    "censored": all_cens,
                    "detection": "<LOQ" if all_cens else "detected",
                    "lod": np.nan, "loq": np.nan,
                    "u_expanded": u_sum, "coverage_k": k_sum,
                    "bound": b, "scheme": sch if d.weighted else "",
                    "n_congeners": len(members), "n_censored": int(cens[idx].sum()),
                    "n_expected": len(d.members), "missing": "|".join(missing),
                    "ub_lb_gap_pct": gap if d.weighted else np.nan,
                    "ub_lb_check": ("n/a" if not d.weighted else
                                    "ok" if gap <= UB_LB_MAX_GAP_PCT else "exceeds 20 %"),
                    "definition": d.definition,
                    **extra,
                })
    columns = ["sample_id", "analyte", "cas", "value", "unit", "basis", "censored", "detection",
               "lod", "loq", "u_expanded", "coverage_k", "bound", "scheme", "n_congeners",
               "n_censored", "n_expected", "missing", "ub_lb_gap_pct", "ub_lb_check",
               "definition"]
    out = pd.DataFrame(rows)
    if out.empty:
        return pd.DataFrame(columns=columns)
    rest = [c for c in out.columns if c not in columns]
    return out[columns + rest]


def sum_parameter(
    results: pd.DataFrame,
    name: str,
    bound: str = "upper",
    *,
    scheme: str = "WHO2005",
    directory: str | Path | None = None,
) -> pd.DataFrame:
    """One sum parameter per sample (see :func:`teq` for the columns and the bounds).

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"sample_id": ["S1"] * 2, "analyte": ["PCB 28", "PCB 153"],
    ...                   "value": [1.0, 2.0], "unit": ["ng/g"] * 2, "basis": ["fat"] * 2,
    ...                   "censored": [True, False]})
    >>> float(sum_parameter(r, "sum ndl-PCB-6", "lower")["value"].iloc[0])
    2.0
    """
    return teq(results, scheme=scheme, bound=bound, sums=[name], directory=directory)
