"""One batch through the method: responses → curves → concentrations → limits → results.

:func:`quantify_run` applies a :class:`~labtox.method.Method` to a :class:`~labtox.run.Run` and
returns a :class:`BatchResult` holding every intermediate table, so that nothing is hidden:

- ``measurements``: the run's rows with ``disposition`` (``result``, ``calibration``, ``blank``,
  ``crm``, ``spike``, ``duplicate``, ``ccv``, ``istd``, ``rejected``), ``reason``, the response
  used, the inverse-predicted concentration in the measured solution (``c_solution``, ``se_solution``),
  the preparation factor and the concentration in the sample (``c_sample``);
- ``results``: one row per sample × analyte (the labtox results table);
- ``curves``, ``detection``: per analyte;
- ``qc``: every QC verdict (see :mod:`labtox.qc`);
- ``rejected``: every input row not used, and why.

The formulas live in :mod:`labtox.quantify` (preparation, blank, censoring, uncertainty) and
:mod:`labtox.calibration` / :mod:`labtox.detection`; this module only composes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from labtox.errors import CalibrationError, LabtoxError, UnitError
from labtox.method import AnalyteSpec, Method
from labtox.qc import (
    QCCriterion,
    qc_frame,
    recovery_pct,
    rpd_pct,
    spike_recovery_pct,
    verdict_row,
    zeta_score,
)
from labtox.quantify import (
    Preparation,
    blank_level,
    censor,
    horwitz_thompson_rsd,
    nordtest_uncertainty,
    preparation_factor,
    recovery_correct,
)
from labtox.units import conversion_factor, convert_basis, normalise_unit

__all__ = ["BatchResult", "quantify_run", "RESULT_COLUMNS", "base_sample_id"]

RESULT_COLUMNS = ["sample_id", "analyte", "cas", "value", "unit", "basis", "censored",
                  "detection", "lod", "loq", "u_expanded", "coverage_k", "recovery", "qc_flags",
                  "run_id", "method_id", "measured", "n_replicates", "u_source", "lod_method",
                  "extrapolated", "source_lines"]

_SUFFIX = re.compile(r"[\s_-]*(dup(licate)?|d|spk|spike|ms|msd|rep\s*\d*|r\d)$", re.IGNORECASE)
NORDTEST_MIN_RESULTS = 6
"""Reference-material results a batch needs before labtox estimates u(Rw) and u(bias) from
them (Nordtest TR 537); with fewer, the uncertainty falls back to Thompson's Horwitz function
and says so. A labtox choice: two or three results cannot estimate a standard deviation that
a compliance decision may rest on."""

NO_PEAK_TOKENS = frozenset(t.casefold() for t in (
    "(empty)", "ND", "N/F", "NF", "Not Found", "NotFound", "No Peak", "Not Identified",
    "-----", "Response Low"))
"""Tokens meaning "the software found no peak": such a sample is a non-detect (< LOD), not a
missing value. Other tokens without a number (OVER, OVRFLW, N/A, MISSED ...) make the row
unusable and it goes to the rejection list with the token."""


def base_sample_id(name: str) -> str:
    """The sample a duplicate or spike belongs to: ``"MNG-005 DUP"`` → ``"MNG-005"``."""
    return _SUFFIX.sub("", str(name).strip()).strip()


@dataclass(frozen=True)
class BatchResult:
    """Everything one batch produced (see the module docstring)."""

    method: Method
    run_id: str
    source: str
    measurements: pd.DataFrame
    results: pd.DataFrame
    qc: pd.DataFrame
    rejected: pd.DataFrame
    curves: dict[str, Any] = field(default_factory=dict)
    detection: dict[str, Any] = field(default_factory=dict)
    uncertainty: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: tuple[str, ...] = ()


def _norm_channel(ch: object) -> str:
    s = re.sub(r"\(\s*ISTD\s*\)", "", str(ch or ""), flags=re.I)
    return re.sub(r"\s+", "", s).casefold()


def register_lookup(register: pd.DataFrame | None) -> dict[str, dict]:
    """Every id a sample carries in the exports (its ``sample_id`` and each alias, via
    :func:`labtox.io.register.alias_index`) → that sample's register record."""
    if register is None or len(register) == 0:
        return {}
    from labtox.io.register import alias_index

    records = {str(r["sample_id"]): r for r in register.to_dict("records")}
    return {alias: records[sid] for alias, sid in alias_index(register).items()}


def _num(v: object) -> float | None:
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


def _select_rows(m: pd.DataFrame, spec: AnalyteSpec) -> pd.Series:
    sel = m["analyte"] == spec.name
    if "is_istd" in m.columns:
        sel &= ~m["is_istd"].fillna(False).astype(bool)
    if spec.channel:
        sel &= m["_chan"] == _norm_channel(spec.channel)
    return sel


def _istd_signal(m: pd.DataFrame, spec: AnalyteSpec, sel: pd.Series) -> pd.Series:
    """Internal-standard response for the selected rows: the row's own ``istd_signal`` when the
    reader paired it, else the ISTD row of the same injection named by the method."""
    own = pd.to_numeric(m.loc[sel, "istd_signal"], errors="coerce")
    if own.notna().all() and len(own):
        return own
    cand = pd.Series(False, index=m.index)
    if spec.istd_channel:
        cand |= m["_chan"] == _norm_channel(spec.istd_channel)
    elif spec.istd_analyte:
        cand |= m["analyte"] == spec.istd_analyte
    if "is_istd" in m.columns and spec.istd_analyte:
        cand |= m["is_istd"].fillna(False).astype(bool) & (m["analyte"] == spec.istd_analyte) & (
            m["_chan"] == _norm_channel(spec.istd_channel)
            if spec.istd_channel else True)
    istd = m.loc[cand, ["sequence", "signal"]].drop_duplicates("sequence")
    mapping = dict(zip(istd["sequence"], pd.to_numeric(istd["signal"], errors="coerce"), strict=True))
    return m.loc[sel, "sequence"].map(mapping).astype(float).where(own.isna(), own)


def _inverse(curve: Any, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ip = curve.inverse(np.asarray(y, dtype=float))
    est = np.asarray(ip.estimate, dtype=float)
    se = np.asarray(getattr(ip, "se", getattr(ip, "standard_error", np.full_like(est, np.nan))),
                    dtype=float)
    extra = np.asarray(getattr(ip, "extrapolated", np.zeros_like(est, dtype=bool)), dtype=bool)
    return np.atleast_1d(est), np.atleast_1d(se), np.atleast_1d(extra)


def _detection_in_solution(spec: AnalyteSpec, curve: Any, blank_conc: np.ndarray,
                           unit: str) -> tuple[float, float, str, Any]:
    """LOD and LOQ in the measured solution's unit, the convention used, and the result object."""
    from labtox import detection as det

    rule = spec.detection.rule
    p = spec.detection.parameters
    if rule == "blanks":
        b = blank_conc[np.isfinite(blank_conc)]
        if b.size >= 2:
            r = det.from_blanks(b, k=float(p.get("k", 3.0)), k_loq=float(p.get("k_loq", 10.0)),
                                unit=unit)
            return float(r.lod), float(r.loq), f"blanks (k={p.get('k', 3.0):g}, n={b.size})", r
        r = det.ich(curve, sigma="residual")
        return (float(r.lod), float(r.loq),
                f"ICH Q2 residual SD (fallback: {b.size} method blank(s), blanks rule needs 2)", r)
    if rule == "ich":
        r = det.ich(curve, sigma=str(p.get("sigma", "residual")))
        return float(r.lod), float(r.loq), f"ICH Q2 ({p.get('sigma', 'residual')} SD)", r
    if rule == "din32645":
        r = det.din32645(curve, alpha=float(p.get("alpha", 0.01)), beta=float(p.get("beta", 0.01)),
                         k=float(p.get("k", 3.0)))
        return float(r.lod), float(r.loq), (
            f"DIN 32645 (alpha={p.get('alpha', 0.01)}, beta={p.get('beta', 0.01)}, "
            f"k={p.get('k', 3.0)})"), r
    if rule == "fixed":
        f = conversion_factor(p["unit"], unit) if p.get("unit") else 1.0
        return float(p["lod"]) * f, float(p["loq"]) * f, "fixed in method", None
    r = det.ich(curve, sigma="residual")
    return float(r.lod), float(r.loq), f"ICH Q2 residual SD (rule {rule!r} not applicable here)", r


def _prep_for(method: Method, reg: dict | None, dilution: float | None) -> Preparation:
    mp = method.preparation

    def pick(col: str, default: float | None) -> float | None:
        v = _num(reg.get(col)) if reg else None
        return v if v is not None else default

    return Preparation(
        mode=mp.mode,  # type: ignore[arg-type]
        sample_mass_g=pick("sample_mass_g", mp.sample_mass_g),
        sample_volume_ml=pick("sample_volume_ml", mp.sample_volume_ml),
        final_volume_ml=pick("final_volume_ml", mp.final_volume_ml),
        dilution=(dilution if dilution is not None else 1.0) * (mp.dilution or 1.0),
    )


def quantify_run(run: Any, method: Method, register: pd.DataFrame | None = None, *,
                 preparation_from_register: bool = True) -> BatchResult:
    """Apply ``method`` to ``run``: the whole quantification stage for one batch.

    Parameters
    ----------
    run : labtox.run.Run
    method : labtox.method.Method
    register : DataFrame, optional
        The sample register (:func:`labtox.io.read_register`): preparation masses/volumes, fat
        and dry-matter percentages, site metadata. Samples missing from it use the method's
        defaults and carry the flag ``no-register-entry``.
    preparation_from_register : bool
        Take each sample's test-portion mass/volume and final volume from the register (True)
        or always from the method (False: e.g. when the register's masses belong to another
        method of the same study).

    Returns
    -------
    BatchResult
    """
    m = run.measurements.copy()
    m["disposition"] = ""
    m["reason"] = ""
    m["response"] = np.nan
    m["c_solution"] = np.nan
    m["se_solution"] = np.nan
    m["factor"] = np.nan
    m["c_sample"] = np.nan
    reg = register_lookup(register)
    istd_fail: dict[str, set[int]] = {}
    warnings: list[str] = []
    qc_rows: list[dict] = []
    curves: dict[str, Any] = {}
    detection: dict[str, Any] = {}
    results: list[dict] = []
    unc_rows: list[dict] = []

    def reject(mask: pd.Series, reason: str) -> None:
        free = mask & (m["disposition"] == "")
        m.loc[free, "disposition"] = "rejected"
        m.loc[free, "reason"] = reason

    m["no_peak"] = False
    chans = {c: _norm_channel(c) for c in m["channel"].unique()}
    m["_chan"] = m["channel"].map(chans)
    crm_names = {s: method.qc.crm_for(str(s)) is not None for s in m["sample_id"].unique()}
    m["_named_crm"] = m["sample_id"].map(crm_names).astype(bool)
    reject(m["rejected"].astype(bool), "rejected in the instrument software (Rjct)")
    reject(m["sample_type"] == "unknown",
           "sample type not in labtox's vocabulary: kept out of calculations")
    reject(m["sample_type"] == "rinse", "rinse: not used")

    method_analytes = set(method.analyte_names)
    istd_keys = {_norm_channel(a.istd_channel) for a in method.analytes if a.istd_channel}
    istd_rows = m["_chan"].isin(istd_keys)
    if "is_istd" in m.columns:
        istd_rows |= m["is_istd"].fillna(False).astype(bool) & m["analyte"].isin(
            {a.istd_analyte for a in method.analytes if a.istd_analyte})
    m.loc[istd_rows & (m["disposition"] == ""), "disposition"] = "istd"
    reject(~m["analyte"].isin(method_analytes), f"analyte not in method {method.id}")

    present = set(m["analyte"].unique())
    missing = [a for a in method.analyte_names if a not in present]
    if missing:
        warnings.append(f"method {method.id} analytes absent from the export: {', '.join(missing)}")

    density = method.preparation.density_kg_per_l

    for spec in method.analytes:
        # Work on this analyte's rows only (a batch has tens of analytes and thousands of
        # injections: whole-table masks per analyte would be quadratic).
        m_full = m
        m = m_full.loc[_select_rows(m_full, spec) & (m_full["disposition"] == "")].copy()
        try:
            sel = pd.Series(True, index=m.index)  # m holds only this analyte's open rows
            if m.empty:
                continue
            if spec.model == "reported":
                _reported_analyte(m, sel, spec, method, reg, results, warnings)
                continue
            unit = spec.unit or method.calibration.unit
            signal = pd.to_numeric(m.loc[sel, "signal"], errors="coerce")
            if spec.has_istd:
                istd = _istd_signal(m_full, spec, m_full.index.isin(m.index[sel]))
                response = signal / istd
                bad = sel & m.index.isin(istd.index[~(istd > 0)])
                reject(bad, f"no internal-standard signal ({spec.istd_channel or spec.istd_analyte})")
                # ISTD recovery against the mean of the calibration standards (EPA 200.8 §9.4.4),
                # evaluated once per internal standard and injection, inherited by its analytes.
                key = _norm_channel(spec.istd_channel) or spec.istd_analyte
                if key not in istd_fail:
                    istd_fail[key] = set()
                    cal_mask = m.loc[sel, "sample_type"].isin(["calibration", "calibration_blank"])
                    ref = float(istd[cal_mask].mean()) if cal_mask.any() else float("nan")
                    if method.qc.istd is not None and np.isfinite(ref) and ref > 0:
                        lo, hi = method.qc.istd.recovery_pct
                        crit = QCCriterion("istd-recovery", lo, hi, "%", "ISTD response / mean of "
                                           "calibration standards", "US EPA 200.8 rev. 5.4 §9.4.4")
                        ev = istd.index[m.loc[istd.index, "sample_type"].isin(
                            ["sample", "duplicate", "spike", "crm", "blank"])]
                        name = spec.istd_channel or spec.istd_analyte
                        for val, sid, seq in zip((100 * istd[ev] / ref).tolist(),
                                                 m.loc[ev, "sample_id"].astype(str).tolist(),
                                                 m.loc[ev, "sequence"].astype(int).tolist(), strict=True):
                            row = verdict_row(crit, float(val), analyte=name, sample_id=sid,
                                              sequence=seq)
                            qc_rows.append(row)
                            if row["verdict"] == "fail":
                                istd_fail[key].add(seq)
                m.loc[sel & m["sequence"].isin(istd_fail[key]), "reason"] = "istd-recovery"
            else:
                response = signal
            sel = sel & (m["disposition"] == "")
            m.loc[sel, "response"] = response[sel[sel].index]
            no_signal = sel & m["response"].isna()
            flags = m["reported_flag"].fillna("(empty)").astype(str).str.strip().str.casefold()
            no_peak = no_signal & flags.isin(NO_PEAK_TOKENS) & m["sample_type"].isin(
                ["sample", "duplicate", "spike", "crm", "qc", "blank"])
            m.loc[no_peak, "no_peak"] = True
            reject(no_signal & ~no_peak, "no usable signal (the export has "
                   + m["reported_flag"].fillna("an empty cell").astype(str) + ")")
            sel = sel & (m["disposition"] == "")

            # --- calibration -------------------------------------------------------------------
            is_cal = sel & m["sample_type"].isin(["calibration", "calibration_blank"])
            nominal = pd.to_numeric(m.loc[is_cal, "nominal"], errors="coerce")
            if "nominal_unit" in m.columns:
                for idx in nominal.index[nominal.notna()]:
                    nu = m.at[idx, "nominal_unit"]
                    if isinstance(nu, str) and nu.strip():
                        try:
                            nominal[idx] *= conversion_factor(nu, unit)
                        except UnitError as exc:
                            raise UnitError(
                                f"{spec.name}: calibration standard in {nu!r} cannot be expressed "
                                f"in the method's unit {unit!r}.", path=run.source,
                                line=_line(m.at[idx, "source_line"]), hint=str(exc)) from None
            levels = m.loc[is_cal, "level"]
            from_method = nominal.isna()
            nominal[from_method] = [spec.level_concentration(lv) for lv in levels[from_method]]
            nominal = pd.to_numeric(nominal, errors="coerce")
            no_nom = nominal.index[nominal.isna()]
            reject(m.index.isin(no_nom), "calibration row without a nominal concentration "
                   "(no Exp. Conc. in the export and no level in the method)")
            cal_idx = nominal.index[nominal.notna()]
            m.loc[cal_idx, "disposition"] = "calibration"
            x = nominal[cal_idx].to_numpy(float)
            y = m.loc[cal_idx, "response"].to_numpy(float)
            try:
                from labtox.calibration import fit_curve

                sig_units = m.loc[cal_idx, "signal_unit"].dropna().astype(str).unique()
                resp_unit = sig_units[0] if len(sig_units) == 1 else ""
                if spec.has_istd and resp_unit:
                    resp_unit = f"{resp_unit}/{resp_unit}, ratio to ISTD"
                curve = fit_curve(x, y, model=spec.model,
                                  weights=None if spec.weighting == "none" else spec.weighting,
                                  analyte=spec.name, unit=unit, response_unit=resp_unit,
                                  source_lines=[str(v) for v in m.loc[cal_idx, "source_line"]])
            except CalibrationError as exc:
                qc_rows.append({"check": "calibration", "analyte": spec.name, "sample_id": "",
                                "sequence": None, "value": float("nan"), "unit": "",
                                "criterion": "a curve can be fitted", "threshold": None,
                                "verdict": "fail", "rule": str(exc), "reference": ""})
                reject(sel & (m["disposition"] == ""), f"no calibration for {spec.name}: {exc}")
                continue
            curves[spec.name] = curve
            qc_rows += _calibration_qc(curve, spec, method, x)

            # --- inverse prediction of everything else ----------------------------------------------
            other = sel & (m["disposition"] == "")
            est, se, extra = _inverse(curve, m.loc[other, "response"].to_numpy(float))
            m.loc[other, "c_solution"] = est
            m.loc[other, "se_solution"] = se
            m.loc[other, "extrapolated"] = extra

            blanks = other & (m["sample_type"] == "blank")
            blank_conc = m.loc[blanks, "c_solution"].to_numpy(float)
            lod_s, loq_s, lod_method, det_obj = _detection_in_solution(spec, curve, blank_conc, unit)
            detection[spec.name] = {"lod": lod_s, "loq": loq_s, "unit": unit, "method": lod_method,
                                    "object": det_obj}
            m.loc[blanks, "disposition"] = "blank"
            rule = method.preparation.blank_subtraction
            blank_sub, _ = (0.0, 0) if rule == "none" else blank_level(blank_conc, rule)
            if method.qc.blank is not None:
                lim = (loq_s if method.qc.blank.relative_to == "loq" else lod_s) * method.qc.blank.factor
                crit = QCCriterion("method-blank", None, lim, unit,
                                   f"method blank < {method.qc.blank.factor:g} × "
                                   f"{method.qc.blank.relative_to.upper()}", "US EPA 6020B §9.3")
                for idx in m.index[blanks]:
                    row = verdict_row(crit, float(m.at[idx, "c_solution"]), analyte=spec.name,
                                      sample_id=str(m.at[idx, "sample_id"]),
                                      sequence=int(m.at[idx, "sequence"]))
                    if bool(m.at[idx, "no_peak"]):
                        row["verdict"] = "pass"
                        row["rule"] += " (no peak in the blank)"
                    qc_rows.append(row)

            # Reference materials are recognised by the method's name pattern first, whatever the
            # vendor type (MassHunter has no CRM type: labs run them as QCS, Sample ...).
            named_crm = other & m["_named_crm"]
            # CCV / ICV: recovery against the nominal
            ccv = other & m["sample_type"].isin(["ccv", "icv"]) & ~named_crm
            m.loc[ccv, "disposition"] = "ccv"
            if method.qc.ccv is not None:
                tol = method.qc.ccv.tolerance_pct
                crit = QCCriterion("ccv", 100 - tol, 100 + tol, "%", "CCV recovery within "
                                   f"100 ± {tol:g} %", "US EPA 6020B §9.5 / EPA 200.8 §9.3.4")
                for idx in m.index[ccv]:
                    nom = _num(m.at[idx, "nominal"])
                    if nom is None:
                        nom = spec.ccv_concentration
                    if nom is None and method.qc.ccv.level:
                        nom = spec.level_concentration(method.qc.ccv.level)
                    val = recovery_pct(float(m.at[idx, "c_solution"]), nom) if nom else float("nan")
                    qc_rows.append(verdict_row(crit, val, analyte=spec.name,
                                               sample_id=str(m.at[idx, "sample_id"]),
                                               sequence=int(m.at[idx, "sequence"])))

            # --- samples, duplicates, spikes, CRMs: to sample concentrations ------------------------
            conc_rows = other & (m["sample_type"].isin(["sample", "duplicate", "spike", "crm", "qc"])
                                 | named_crm)
            idxs = m.index[conc_rows]
            factors = []
            no_entry = []
            for idx, sid, dil in zip(idxs, m.loc[idxs, "sample_id"].astype(str).str.strip().tolist(),
                                     m.loc[idxs, "dilution"].tolist(), strict=True):
                rec = reg.get(sid) or reg.get(base_sample_id(sid))
                prep = _prep_for(method, rec if preparation_from_register else None, _num(dil))
                try:
                    factors.append(preparation_factor(prep, unit, _report_unit(spec, method),
                                                      density_kg_per_l=density,
                                                      sample_id=sid))
                except LabtoxError as exc:
                    factors.append(float("nan"))
                    reject(m.index == idx, str(exc))
                if rec is None and reg:
                    no_entry.append(idx)
            m.loc[idxs, "factor"] = factors
            m.loc[idxs, "c_sample"] = (m.loc[idxs, "c_solution"] - blank_sub) * m.loc[idxs, "factor"]
            m.loc[no_entry, "reason"] = (m.loc[no_entry, "reason"] + ";no-register-entry").str.strip(";")
            conc_rows = conc_rows & (m["disposition"] == "")

            crm_rows = conc_rows & ((m["sample_type"] == "crm") | named_crm)
            m.loc[crm_rows, "disposition"] = "crm"
            spikes = conc_rows & (m["sample_type"] == "spike")
            dups = conc_rows & (m["sample_type"] == "duplicate")
            m.loc[spikes, "disposition"] = "spike"
            m.loc[dups, "disposition"] = "duplicate"
            samples = conc_rows & (m["disposition"] == "") & (m["sample_type"] == "sample")
            m.loc[samples, "disposition"] = "result"
            other_qc = conc_rows & (m["disposition"] == "")
            m.loc[other_qc, "disposition"] = "qc"
            m.loc[other_qc, "reason"] = "QC sample without a criterion in the method (reported in " \
                "measurements only)"

            crm_meas, crm_cert, crm_u = _crm_qc(m, crm_rows, spec, method,
                                                _report_unit(spec, method), qc_rows)
            _spike_qc(m, spikes, samples, spec, method, unit, qc_rows)
            recovery = _mean_recovery(qc_rows, spec.name)
            _duplicate_qc(m, dups, samples, spec, method, qc_rows, loq_s)

            # --- uncertainty (Nordtest TR 537, else a flagged fallback) ---------------------------
            u_rel, u_source = float("nan"), ""
            if len(crm_meas) >= NORDTEST_MIN_RESULTS:
                nt = nordtest_uncertainty(crm_meas, crm_meas, crm_cert, crm_u)
                u_rel = nt.u_c
                u_source = (f"Nordtest TR 537: u(Rw) {100 * nt.u_rw:.1f} % from {nt.n_rw} CRM "
                            f"results in this batch (within-batch: a lower bound of the "
                            f"long-term u(Rw)), u(bias) {100 * nt.u_bias:.1f} %")
                unc_rows.append({"analyte": spec.name, "u_rw": nt.u_rw, "rms_bias": nt.rms_bias,
                                 "u_cref": nt.u_cref, "u_bias": nt.u_bias, "u_c_rel": nt.u_c,
                                 "source": u_source})

            # --- results ------------------------------------------------------------------------
            crit_fail = {r["check"] for r in qc_rows
                         if r["analyte"] == spec.name and r["verdict"] == "fail"
                         and r["check"] in ("calibration-r2", "calibration-accuracy", "ccv",
                                            "method-blank", "crm-recovery", "crm-zeta",
                                            "spike-recovery")}
            results += _analyte_results(m.loc[samples], spec, method, run, lod_s, loq_s, lod_method,
                                        u_rel, u_source, crit_fail, recovery)
        finally:
            for col in m.columns:
                if col not in m_full.columns:
                    m_full[col] = pd.Series(np.nan, index=m_full.index, dtype=object)
            m_full.loc[m.index, list(m.columns)] = m
            m = m_full


    m.loc[m["disposition"] == "", "disposition"] = "rejected"
    m.loc[(m["disposition"] == "rejected") & (m["reason"] == ""), "reason"] = (
        "not used by the method (no matching analyte/channel or sample type)")
    res = pd.DataFrame(results, columns=[*RESULT_COLUMNS, "_target_basis"])
    res = _convert_basis_results(res, method, reg, m)
    rejected = m.loc[m["disposition"] == "rejected",
                     ["sequence", "sample_id", "sample_type", "analyte", "channel", "signal",
                      "reported_flag", "source_line", "reason"]].copy()
    rejected.insert(0, "source", run.source)
    return BatchResult(method, run.run_id, run.source, m, res, qc_frame(qc_rows), rejected,
                       curves, detection, pd.DataFrame(unc_rows), tuple(warnings))


def _report_unit(spec: AnalyteSpec, method: Method) -> str:
    """The unit results of this analyte are reported in (an analyte may override the method)."""
    return spec.reporting_unit or method.reporting.unit


def _line(source_line: object) -> int | None:
    try:
        return int(str(source_line))
    except ValueError:
        return None


def _calibration_qc(curve: Any, spec: AnalyteSpec, method: Method, x: np.ndarray) -> list[dict]:
    acc = method.calibration.acceptance
    rows = []
    r2 = float(getattr(curve, "r2", getattr(curve, "r_squared", float("nan"))))
    rows.append(verdict_row(QCCriterion("calibration-r2", acc.min_r2, None, "",
                                        f"r² ≥ {acc.min_r2:g}", "method file; "
                                        "SANTE/11312/2021 §C"), r2, analyte=spec.name))
    nlev = len(np.unique(x))
    rows.append(verdict_row(QCCriterion("calibration-levels", acc.min_levels, None, "levels",
                                        f"≥ {acc.min_levels} levels", "method file"), float(nlev),
                            analyte=spec.name))
    back = np.asarray(getattr(curve, "accuracy_pct", getattr(curve, "accuracy", [])), dtype=float)
    xs = np.asarray(getattr(curve, "x", x), dtype=float)
    if back.size == xs.size:
        nonzero = xs[xs > 0]
        lowest = nonzero.min() if nonzero.size else None
        for xi, acc_pct in zip(xs, back, strict=True):
            if xi <= 0 or not np.isfinite(acc_pct):
                continue
            tol = acc.max_deviation_pct
            if lowest is not None and xi == lowest and acc.max_deviation_lowest_pct is not None:
                tol = acc.max_deviation_lowest_pct
            rows.append(verdict_row(
                QCCriterion("calibration-accuracy", 100 - tol, 100 + tol, "%",
                            f"back-calculated standard within ±{tol:g} %",
                            "method file; SANTE/11312/2021 §C (±20 %)"),
                float(acc_pct), analyte=spec.name, sample_id=f"std {xi:g}"))
    return rows


def _crm_qc(m: pd.DataFrame, crm_rows: pd.Series, spec: AnalyteSpec, method: Method,
            rep_unit: str, qc_rows: list[dict]) -> tuple[list[float], list[float], list[float]]:
    meas, cert, ucert = [], [], []
    for idx in m.index[crm_rows]:
        crm = method.qc.crm_for(str(m.at[idx, "sample_id"]))
        if crm is None or spec.name not in crm.values:
            continue
        cv = crm.values[spec.name]
        f = conversion_factor(crm.unit, rep_unit) if crm.unit else 1.0
        x = float(m.at[idx, "c_sample"])
        ref, u_ref = cv.value * f, cv.standard_uncertainty * f
        meas.append(x)
        cert.append(ref)
        ucert.append(u_ref)
        lo, hi = crm.recovery_pct
        label = "assigned (in-house)" if crm.status == "in-house" else "certified"
        qc_rows.append(verdict_row(
            QCCriterion("crm-recovery", lo, hi, "%", f"recovery vs {label} value of "
                        f"{crm.material or crm.name_pattern}", crm.source or "method file"),
            recovery_pct(x, ref), analyte=spec.name, sample_id=str(m.at[idx, "sample_id"]),
            sequence=int(m.at[idx, "sequence"])))
        if crm.max_abs_zeta is not None:
            se = float(m.at[idx, "se_solution"]) * float(m.at[idx, "factor"])
            z = zeta_score(x, se, ref, u_ref)
            qc_rows.append(verdict_row(
                QCCriterion("crm-zeta", -crm.max_abs_zeta, crm.max_abs_zeta, "",
                            f"|ζ| ≤ {crm.max_abs_zeta:g}", "ISO 13528:2015 §9.6"),
                z, analyte=spec.name, sample_id=str(m.at[idx, "sample_id"]),
                sequence=int(m.at[idx, "sequence"]), warn=(-3.0, 3.0)))
    return meas, cert, ucert


def _spike_qc(m, spikes, samples, spec, method, unit, qc_rows) -> None:
    """Spike recovery, in the measured solution when the amount added is given per volume of
    solution (spiked digest), or in the sample (wet basis, reporting unit) when it is given per
    mass of sample (fortified sample)."""
    rule = method.qc.spike
    if rule is None:
        return
    added = rule.added.get(spec.name)
    if added is None:
        return
    column, scale = "c_solution", None
    if rule.added_unit:
        try:
            scale = conversion_factor(rule.added_unit, unit)
        except UnitError:
            column = "c_sample"
            scale = conversion_factor(rule.added_unit, _report_unit(spec, method))
    lo, hi = rule.range_for(spec.name)
    where = "solution" if column == "c_solution" else "sample, wet basis"
    crit = QCCriterion("spike-recovery", lo, hi, "%", f"(spiked − unspiked)/added ({where})",
                       "US EPA 6020B §9.7; SANTE/11312/2021; method file")
    base = {str(m.at[i, "sample_id"]).strip(): i for i in m.index[samples]}
    for idx in m.index[spikes]:
        parent = base.get(base_sample_id(str(m.at[idx, "sample_id"])))
        if parent is None:
            row = verdict_row(crit, float("nan"), analyte=spec.name,
                              sample_id=str(m.at[idx, "sample_id"]),
                              sequence=int(m.at[idx, "sequence"]))
            row["rule"] += " (not evaluated: unspiked sample not found in the batch)"
            qc_rows.append(row)
            continue
        val = spike_recovery_pct(float(m.at[idx, column]), float(m.at[parent, column]),
                                 added * (scale or 1.0))
        qc_rows.append(verdict_row(crit, val, analyte=spec.name,
                                   sample_id=str(m.at[idx, "sample_id"]),
                                   sequence=int(m.at[idx, "sequence"])))


def _duplicate_qc(m, dups, samples, spec, method, qc_rows, loq_s) -> None:
    rule = method.qc.duplicate
    if rule is None:
        return
    crit = QCCriterion("duplicate-rpd", None, rule.max_rpd_pct, "%", "RPD of duplicates",
                       "US EPA 6020B §9.6; method file")
    base = {str(m.at[i, "sample_id"]).strip(): i for i in m.index[samples]}
    for idx in m.index[dups]:
        parent = base.get(base_sample_id(str(m.at[idx, "sample_id"])))
        if parent is None:
            continue
        a, b = float(m.at[parent, "c_solution"]), float(m.at[idx, "c_solution"])
        if rule.min_loq_multiple and min(a, b) < rule.min_loq_multiple * loq_s:
            row = verdict_row(crit, float("nan"), analyte=spec.name,
                              sample_id=str(m.at[idx, "sample_id"]),
                              sequence=int(m.at[idx, "sequence"]))
            row["rule"] += f" (not evaluated: below {rule.min_loq_multiple:g} × LOQ)"
            qc_rows.append(row)
            continue
        qc_rows.append(verdict_row(crit, rpd_pct(a, b), analyte=spec.name,
                                   sample_id=str(m.at[idx, "sample_id"]),
                                   sequence=int(m.at[idx, "sequence"])))


def _mean_recovery(qc_rows: list[dict], analyte: str) -> float:
    """The analyte's mean apparent recovery in this batch (%): matrix spikes first, else the
    reference materials; NaN when the batch has neither."""
    for check in ("spike-recovery", "crm-recovery"):
        v = [r["value"] for r in qc_rows if r["analyte"] == analyte and r["check"] == check
             and np.isfinite(r["value"])]
        if v:
            return float(np.mean(v))
    return float("nan")


def _analyte_results(g: pd.DataFrame, spec: AnalyteSpec, method: Method, run: Any, lod_s: float,
                     loq_s: float, lod_method: str, u_rel: float, u_source: str,
                     crit_fail: set[str], recovery: float = float("nan")) -> list[dict]:
    """One result per sample of one analyte (vectorised over the samples).

    Replicate injections/wells of one sample are averaged; their calibration standard error is
    ``sqrt(Σ se²)/n``. A sample with no peak in any replicate is ``<LOD`` (censored at the LOD)
    whatever the censoring rule. The combined standard uncertainty is
    ``u_c = sqrt(u_cal² + (u_rel · x)²)`` with ``u_rel`` from Nordtest (CRM data in the batch) or,
    when QC data are too few, Thompson's Horwitz function — named in ``u_source``.

    ``recovery`` (the batch's mean spike or CRM recovery, %) is reported with every result;
    values are divided by it only when the method asks for recovery correction (IUPAC
    harmonised guidelines, Thompson et al. 1999), and such results carry the flag
    ``recovery-corrected``. Limits (LOD/LOQ) are not corrected.
    """
    from labtox.analytes import canonical

    if g.empty:
        return []
    rep_unit = _report_unit(spec, method)
    peak = ~g["no_peak"].fillna(False).astype(bool)
    f = g["factor"].astype(float)
    se = g["se_solution"].astype(float) * f
    extra = g["extrapolated"].fillna(False).astype(bool) if "extrapolated" in g else peak & False
    sids = g["sample_id"].astype(str).str.strip().to_numpy()
    codes, uniq = pd.factorize(sids)
    k = len(uniq)
    pk = peak.to_numpy(bool)
    c = g["c_sample"].to_numpy(float)
    npk = np.bincount(codes, weights=pk, minlength=k).astype(int)
    nrep = np.bincount(codes, minlength=k)
    csum = np.bincount(codes, weights=np.where(pk, c, 0.0), minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(npk > 0, csum / np.maximum(npk, 1), np.nan)
    se2 = np.bincount(codes, weights=np.where(pk, np.nan_to_num(se.to_numpy(float) ** 2), 0.0),
                      minlength=k)
    fmean = np.bincount(codes, weights=f.to_numpy(float), minlength=k) / nrep
    extra_any = np.bincount(codes, weights=extra.to_numpy(bool), minlength=k) > 0
    reasons: list[list[str]] = [[] for _ in range(k)]
    lines: list[list[str]] = [[] for _ in range(k)]
    for code, reason, line in zip(codes, g["reason"].astype(str).tolist(),
                                  g["source_line"].astype(str).tolist(), strict=True):
        if reason:
            reasons[code].append(reason)
        lines[code].append(line)
    lod, loq = lod_s * fmean, loq_s * fmean
    u_cal = np.where(npk > 0, np.sqrt(se2) / np.maximum(npk, 1), 0.0)
    corrected = bool(method.preparation.recovery_correction and np.isfinite(recovery)
                     and recovery > 0)
    if corrected:
        value, u_cal = recovery_correct(value, recovery), recovery_correct(u_cal, recovery)
    cens = censor(np.where(npk > 0, value, -np.inf), lod, loq, method.reporting.censoring)
    none = npk == 0
    cens.loc[none, "value"] = lod[none]
    cens.loc[none, "censored"] = True
    cens.loc[none, "detection"] = "<LOD"
    basis_value = np.where(np.isfinite(value), np.abs(value), lod)
    u_rel_v: np.ndarray
    if np.isfinite(u_rel):
        u_rel_v, src = np.full(k, u_rel), u_source
    else:
        try:
            frac = basis_value * conversion_factor(rep_unit, "kg/kg")
            u_rel_v = horwitz_thompson_rsd(np.maximum(frac, 1e-15))
            src = "Horwitz–Thompson fallback (too few QC data in the batch)"
        except UnitError:
            u_rel_v, src = np.full(k, np.nan), "no uncertainty model for this unit"
    u_c = np.hypot(np.nan_to_num(u_cal), u_rel_v * basis_value)
    cas = canonical(spec.name).cas
    unit = normalise_unit(rep_unit)
    base_flags = sorted(crit_fail)
    out = []
    cv, cc, cd = (cens["value"].to_numpy(float), cens["censored"].to_numpy(bool),
                  cens["detection"].astype(str).to_numpy())
    for i, sid in enumerate(uniq):
        reason = ";".join(reasons[i])
        flags = list(base_flags)
        if none[i]:
            flags.append("no-peak")
        if corrected and not none[i]:
            flags.append("recovery-corrected")
        if extra_any[i]:
            flags.append("extrapolated")
        if "istd-recovery" in reason:
            flags.append("istd-recovery")
        if "no-register-entry" in reason:
            flags.append("no-register-entry")
        out.append({
            "sample_id": sid, "analyte": spec.name, "cas": cas,
            "value": float(cv[i]), "unit": unit, "basis": "wet",
            "censored": bool(cc[i]), "detection": str(cd[i]),
            "lod": float(lod[i]), "loq": float(loq[i]),
            "u_expanded": float(2.0 * u_c[i]) if np.isfinite(u_c[i]) else float("nan"),
            "coverage_k": 2.0, "recovery": recovery, "qc_flags": ";".join(flags),
            "run_id": run.run_id, "method_id": method.id,
            "measured": float(value[i]) if npk[i] else float("nan"),
            "n_replicates": int(nrep[i]), "u_source": src, "lod_method": lod_method,
            "extrapolated": bool(extra_any[i]), "source_lines": ";".join(lines[i]),
            "_target_basis": method.reporting.basis,
        })
    return out


def _reported_analyte(m, sel, spec, method, reg, results, warnings) -> None:
    """Contract-lab values: final concentrations read as reported, with their LOQ."""
    from labtox.analytes import canonical

    rows = m.loc[sel & m["sample_type"].isin(["sample", "duplicate", "crm", "qc", "blank"])]
    rep_unit = _report_unit(spec, method)
    for idx, r in rows.iterrows():
        unit = r.get("reported_unit") or r.get("signal_unit")
        val = _num(r.get("reported"))
        if val is None:
            val = _num(r.get("signal"))
        flag = str(r.get("reported_flag") or "")
        loq = _num(r.get("reported_loq"))
        lod = _num(r.get("reported_lod"))
        censored = flag.strip().startswith("<") or (val is None and loq is not None)
        if censored and val is None:
            v2 = re.sub(r"^<\s*", "", flag.strip())
            val = _num(v2) if _num(v2) is not None else loq
        if val is None:
            m.at[idx, "disposition"] = "rejected"
            m.at[idx, "reason"] = f"no reported value ({flag or 'empty'})"
            continue
        try:
            f = conversion_factor(unit, rep_unit, density=method.preparation.density_kg_per_l)
        except (UnitError, TypeError) as exc:
            m.at[idx, "disposition"] = "rejected"
            m.at[idx, "reason"] = f"unit {unit!r}: {exc}"
            continue
        basis = str(r.get("reported_basis") or method.reporting.basis or "wet")
        m.at[idx, "disposition"] = "result" if r["sample_type"] == "sample" else r["sample_type"]
        m.at[idx, "c_sample"] = val * f
        if r["sample_type"] != "sample":
            continue
        value = val * f
        results.append({
            "sample_id": str(r["sample_id"]).strip(), "analyte": spec.name,
            "cas": canonical(spec.name).cas, "value": value, "unit": normalise_unit(rep_unit),
            "basis": basis, "censored": bool(censored),
            "detection": "<LOQ" if censored else "detected",
            "lod": lod * f if lod is not None else float("nan"),
            "loq": loq * f if loq is not None else (value if censored else float("nan")),
            "u_expanded": float("nan"), "coverage_k": 2.0, "recovery": float("nan"),
            "qc_flags": "", "run_id": r["run_id"], "method_id": method.id, "measured": value,
            "n_replicates": 1, "u_source": "as reported by the laboratory (none given)",
            "lod_method": "reported by the laboratory", "extrapolated": False,
            "source_lines": str(r["source_line"]), "_target_basis": method.reporting.basis,
        })


def _convert_basis_results(res: pd.DataFrame, method: Method, reg: dict,
                           m: pd.DataFrame) -> pd.DataFrame:
    """Express each result in the method's reporting basis using the register's fat % and dry
    matter %; a result that cannot be converted is kept in its measured basis and flagged
    ``no-<basis>-basis`` (never dropped)."""
    if res.empty:
        return res.drop(columns=["_target_basis"], errors="ignore")
    res = res.copy()
    todo = res.index[res["_target_basis"].notna() & (res["_target_basis"] != res["basis"])]
    cache: dict[tuple, float | None] = {}
    for idx in todo:
        src, target, sid = res.at[idx, "basis"], res.at[idx, "_target_basis"], res.at[idx, "sample_id"]
        r = reg.get(sid) or {}
        key = (src, target, _num(r.get("fat_pct")), _num(r.get("dry_matter_pct")))
        if key not in cache:
            try:
                cache[key] = convert_basis(1.0, src, target, fat_pct=key[2],
                                           dry_matter_pct=key[3])
            except UnitError:
                cache[key] = None
        f = cache[key]
        if f is None:
            flag = f"no-{target}-basis"
            old = res.at[idx, "qc_flags"]
            res.at[idx, "qc_flags"] = f"{old};{flag}" if old else flag
            continue
        for k in ("value", "lod", "loq", "u_expanded", "measured"):
            res.at[idx, k] = res.at[idx, k] * f
        res.at[idx, "basis"] = target
    return res.drop(columns=["_target_basis"])
