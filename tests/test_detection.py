"""Tests for labtox.detection against DIN 32645 published values, chemCal lod/loq outputs,
ICH formulas and the EPA MDL rule (t-table of 40 CFR 136 App. B)."""

from __future__ import annotations

import dataclasses
import math
import statistics

import numpy as np
import pandas as pd
import pytest

from labtox.calibration import fit_curve
from labtox.detection import DetectionLimits, din32645, epa_mdl, from_blanks, ich, iso11843
from labtox.errors import CalibrationError


@pytest.fixture
def ref(shared):
    def load(name: str) -> pd.DataFrame:
        return pd.read_csv(shared("reference", "calibration", name))

    return load


@pytest.fixture
def chemcal(ref):
    df = ref("expected_chemcal.csv")
    return {(r.dataset, r.model, r.call, r.quantity): r.value for r in df.itertuples()}


@pytest.fixture
def din(ref):
    d = ref("din32645.csv")
    return fit_curve(d.x, d.y, analyte="C", unit="mg/L")


LM = "lm(y ~ x, data = din32645)"


# ------------------------------------------------------------------------------------------
# DIN 32645


def test_din32645_published_values(din):
    d = din32645(din)
    # DIN 32645 example: x_NG = 0.07, x_EG = 0.14, x_BG = 0.212 (published, rounded)
    assert round(d.critical_value, 2) == 0.07
    assert round(d.lod, 2) == 0.14
    assert round(d.loq, 3) == 0.212
    assert d.method == "DIN 32645:2008 calibration method"
    assert (d.alpha, d.beta, d.k) == (0.01, 0.01, 3.0)
    assert d.unit == "mg/L" and d.analyte == "C"


def test_din32645_matches_chemcal_exact_quantities(din, chemcal):
    d = din32645(din, alpha=0.01, beta=0.01)
    # x_NG equals chemCal's critical value lod(m, alpha = 0.01, beta = 0.5)
    assert d.critical_value == pytest.approx(
        chemcal[("din32645", LM, "lod(m, alpha = 0.01, beta = 0.5)", "x")], rel=1e-6)
    assert d.details["y_critical"] == pytest.approx(
        chemcal[("din32645", LM, "predict(m, data.frame(x = 0), interval = 'prediction', "
                                 "level = 0.98)", "upr (critical signal y_c)")], rel=1e-6)
    assert d.lod == pytest.approx(
        chemcal[("din32645", LM, "lod(m, alpha = 0.01, beta = 0.01, method = 'din')", "x")],
        rel=1e-6)
    d5 = din32645(din, alpha=0.05, beta=0.05)
    assert d5.lod == pytest.approx(
        chemcal[("din32645", LM, "lod(m, alpha = 0.05, beta = 0.05, method = 'din')", "x")],
        rel=1e-6)
    # Currie's approximation LQ ≈ 3.04 LC, computed from x_NG
    assert 3.04 * d.critical_value == pytest.approx(
        chemcal[("din32645", LM, "3.04 * lod(m, alpha = 0.01, beta = 0.5)$x",
                 "Currie approx LQ = 3.04 LC")], rel=1e-6)


def test_din32645_iterative_loq_matches_closed_form_root(din):
    d = din32645(din, k=3)
    # x = K·sqrt(1/m + 1/n + (x − x̄)²/Qx) squared is a quadratic in x: solve it independently
    from scipy import stats

    x, y = din.x, din.y
    n = len(x)
    b1, b0 = np.polyfit(x, y, 1)
    s = math.sqrt(np.sum((y - b0 - b1 * x) ** 2) / (n - 2))
    xbar, qx = x.mean(), np.sum((x - x.mean()) ** 2)
    kk = 3 * (s / b1) * stats.t.ppf(0.995, n - 2)
    a2 = 1 - kk**2 / qx
    a1 = 2 * kk**2 * xbar / qx
    a0 = -(kk**2) * (1 + 1 / n + xbar**2 / qx)
    root = (-a1 + math.sqrt(a1**2 - 4 * a2 * a0)) / (2 * a2)
    assert d.loq == pytest.approx(root, rel=1e-10)
    assert d.loq == pytest.approx(0.2119500, rel=1e-6)  # reference notes, §1.3


def test_din32645_from_x_y_and_weighted_curve_note(ref):
    d = ref("din32645.csv")
    a = din32645(x=d.x, y=d.y)
    w = fit_curve(d.x, d.y, weights="1/x")
    b = din32645(w)
    assert b.loq == pytest.approx(a.loq, rel=1e-12)
    assert any("refitted" in n and "unweighted" in n for n in b.notes)


def test_din32645_blank_method_formula():
    c = fit_curve([0.1, 0.2, 0.3, 0.4, 0.5], [110, 205, 290, 410, 500])
    blanks = [1.0, 2.0, 1.5, 0.5, 1.2, 0.8, 1.7, 1.1, 0.9, 1.3]
    d = din32645(c, blanks=blanks, alpha=0.01)
    from scipy import stats

    sb = statistics.stdev(blanks)
    expect = sb / c.slope * stats.t.ppf(0.99, 9) * math.sqrt(1 + 1 / 10)
    assert d.critical_value == pytest.approx(expect, rel=1e-10)
    assert d.lod == pytest.approx(2 * expect, rel=1e-10)
    assert d.method == "DIN 32645:2008 blank method"


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [({"alpha": 0}, r"^C: alpha must be between 0 and 1"),
     ({"beta": 1.2}, r"^C: beta must be between 0 and 1"),
     ({"k": -1}, r"^C: k must be positive"),
     ({"replicates": 0}, r"^C: replicates must be an integer ≥ 1")],
)
def test_din32645_bad_parameters(din, kwargs, pattern):
    with pytest.raises(CalibrationError, match=pattern):
        din32645(din, analyte="C", **kwargs)


def test_din32645_needs_data():
    with pytest.raises(CalibrationError, match="give a curve or both x and y"):
        din32645(x=[1, 2, 3])


# ------------------------------------------------------------------------------------------
# ISO 11843-2 / Currie, against chemCal lod()/loq() (chemCal uses optimize(): ~1e-4 relative)


@pytest.mark.parametrize(
    ("dataset", "kwargs", "call", "what", "rel"),
    [
        ("din32645", {}, "lod(m)", "lod", 2e-4),
        ("din32645", {"alpha": 0.01, "beta": 0.01}, "lod(m, alpha = 0.01, beta = 0.01)", "lod",
         2e-4),
        ("din32645", {}, "loq(m)", "loq", 1e-5),
        ("din32645", {"alpha": 0.01}, "loq(m, alpha = 0.01)", "loq", 5e-5),
        ("massart97ex1", {}, "lod(m)", "lod", 2e-5),
        ("massart97ex1", {"beta": 0.5}, "lod(m, beta = 0.5)", "lod", 1e-6),
        ("massart97ex1", {}, "loq(m)", "loq", 1e-5),
        ("massart97ex1", {"replicates": 3}, "loq(m, n = 3)", "loq", 1e-4),
        ("massart97ex3", {}, "lod(m)", "lod", 1e-4),
        ("massart97ex3", {}, "loq(m)", "loq", 1e-4),
    ],
)
def test_iso11843_matches_chemcal(ref, chemcal, dataset, kwargs, call, what, rel):
    d = ref(f"{dataset}.csv")
    c = fit_curve(d.x, d.y)
    r = iso11843(c, **kwargs)
    expected = chemcal[(dataset, f"lm(y ~ x, data = {dataset})", call, "x")]
    assert getattr(r, what) == pytest.approx(expected, rel=rel)


def test_iso11843_weighted_loq_with_chemcal_weight(ref, chemcal):
    d = ref("massart97ex3_means_weights.csv")
    c = fit_curve(d.x, d.y, weights=d.w)
    r = iso11843(c, weight=1.67)
    expected = chemcal[("massart97ex3.means", "lm(y ~ x, w = weights, data = massart97ex3.means)",
                        "loq(m, w.loq = 1.67)", "x")]
    assert r.loq == pytest.approx(expected, rel=1e-4)


# ------------------------------------------------------------------------------------------
# ICH Q2


def test_ich_residual_and_intercept(din, chemcal):
    s = chemcal[("din32645", LM, "summary(m)$sigma", "residual standard error s_y/x")]
    b1 = chemcal[("din32645", LM, "coef(summary(m))", "x estimate")]
    se0 = chemcal[("din32645", LM, "coef(summary(m))", "(Intercept) std.error")]
    r = ich(din)
    assert r.lod == pytest.approx(3.3 * s / b1, rel=1e-6)
    assert r.loq == pytest.approx(10 * s / b1, rel=1e-6)
    assert r.parameters["sigma"] == "residual" and r.method == "ICH Q2(R2)"
    i = ich(din, sigma="intercept")
    assert i.lod == pytest.approx(3.3 * se0 / b1, rel=1e-6)
    b = ich(din, sigma="blank", blank_sd=100.0)
    assert b.loq == pytest.approx(1000 / b1, rel=1e-6)


def test_ich_errors(din):
    with pytest.raises(CalibrationError, match="sigma must be 'residual', 'intercept' or 'blank'"):
        ich(din, sigma="noise")
    with pytest.raises(CalibrationError, match="needs blank_sd"):
        ich(din, sigma="blank")
    x = np.array([0, 5, 10, 20, 40, 80.0])
    c4 = fit_curve(x, 0.1 + 1.7 / (1 + (x / 15) ** 1.2), "4pl", analyte="aflatoxin M1")
    with pytest.raises(CalibrationError, match="^aflatoxin M1: ICH limits need a straight"):
        ich(c4)


# ------------------------------------------------------------------------------------------
# blanks


def test_from_blanks_concentrations():
    blanks = [0.011, 0.013, 0.009, 0.012, 0.010, 0.014, 0.008]
    s = statistics.stdev(blanks)
    d = from_blanks(blanks, unit="µg/L", analyte="Cd")
    assert d.lod == pytest.approx(3 * s, rel=1e-12)
    assert d.loq == pytest.approx(10 * s, rel=1e-12)
    assert d.unit == "µg/L" and d.n == 7 and d.dof == 6
    m = from_blanks(blanks, add_mean=True)
    assert m.lod == pytest.approx(statistics.mean(blanks) + 3 * s, rel=1e-12)
    assert m.method == "blanks (mean + k·s)"


def test_from_blanks_signals_via_curve(din):
    sig = [2470, 2510, 2490, 2455, 2530, 2480, 2500]
    d = from_blanks(sig, curve=din)
    assert d.lod == pytest.approx(3 * statistics.stdev(sig) / din.slope, rel=1e-12)
    assert d.unit == "mg/L" and d.analyte == "C"


def test_from_blanks_errors():
    with pytest.raises(CalibrationError, match=r"^Pb: blank results: need at least 2 values"):
        from_blanks([0.1], analyte="Pb")
    with pytest.raises(CalibrationError, match=r"^Pb: blank results contain non-finite values "
                                               r"at positions \[1\]"):
        from_blanks([0.1, np.nan, 0.2], analyte="Pb")
    with pytest.raises(CalibrationError, match="k and k_loq must be positive"):
        from_blanks([0.1, 0.2], k=0)


# ------------------------------------------------------------------------------------------
# EPA MDL (40 CFR 136 App. B rev. 2)

# App. B / Wisconsin NR 252 t-table (one-sided 99 %), n−1 degrees of freedom
T_TABLE = {7: 3.143, 8: 2.998, 9: 2.896, 10: 2.821, 11: 2.764, 16: 2.602, 21: 2.528}


@pytest.mark.parametrize(("n", "t"), sorted(T_TABLE.items()))
def test_epa_mdl_spikes_use_published_t(n, t):
    rng = np.random.default_rng(n)
    spikes = 2.0 + rng.normal(0, 0.1, n)
    d = epa_mdl(spikes)
    assert d.lod == pytest.approx(t * statistics.stdev(spikes), rel=2e-4)
    assert d.details["mdl_b"] is None
    assert d.loq == pytest.approx(3.18 * d.lod)


SPIKES = [1.9, 2.1, 2.0, 2.3, 1.8, 2.2, 2.05]


def test_epa_mdl_all_numeric_blanks():
    blanks = [0.5, 0.7, 0.6, 0.9, 0.4, 0.8, 0.65]
    d = epa_mdl(SPIKES, blanks)
    mdl_b = statistics.mean(blanks) + 3.143 * statistics.stdev(blanks)
    assert d.details["mdl_b"] == pytest.approx(mdl_b, rel=2e-4)
    assert d.lod == pytest.approx(max(mdl_b, 3.143 * statistics.stdev(SPIKES)), rel=2e-4)
    assert d.details["governing"] == "MDL_b"


def test_epa_mdl_negative_blank_mean_uses_zero():
    blanks = [-0.2, -0.1, -0.3, 0.0, -0.15, -0.05, -0.25]
    d = epa_mdl(SPIKES, blanks)
    assert d.details["mdl_b"] == pytest.approx(3.143 * statistics.stdev(blanks), rel=2e-4)
    assert "negative mean replaced by 0" in d.details["blank_rule"]


def test_epa_mdl_some_and_no_numeric_blanks():
    d = epa_mdl(SPIKES, [None, 0.12, "ND", 0.3, np.nan, None, 0.05])
    assert d.details["mdl_b"] == 0.3
    assert d.details["blank_rule"].startswith("some blanks non-numerical")
    n = epa_mdl(SPIKES, [None, "ND", np.nan, None, None, None, None])
    assert n.details["mdl_b"] is None
    assert n.lod == pytest.approx(3.143 * statistics.stdev(SPIKES), rel=2e-4)
    assert "does not apply" in n.details["blank_rule"]


def test_epa_mdl_all_zero_blanks_and_few_blanks():
    d = epa_mdl(SPIKES, [0.0] * 7)
    assert d.details["mdl_b"] == 0.0
    assert d.details["governing"] == "MDL_s"
    f = epa_mdl(SPIKES[:5], [0.1, 0.2, 0.15])
    assert any("only 5 spiked samples" in x for x in f.notes)
    assert any("only 3 method blanks" in x for x in f.notes)


def test_epa_mdl_hundred_blanks_99th_percentile():
    blanks = np.arange(1, 121) / 100.0  # 0.01 … 1.20
    d = epa_mdl(SPIKES, blanks)
    # rank round(0.99 × 120) = 119 → 1.19
    assert d.details["mdl_b"] == pytest.approx(1.19)


def test_epa_mdl_errors():
    with pytest.raises(CalibrationError, match=r"^Hg: spiked-sample results: need at least 2"):
        epa_mdl([1.0], analyte="Hg")
    with pytest.raises(CalibrationError, match="confidence must be between 0 and 1"):
        epa_mdl(SPIKES, confidence=99)


# ------------------------------------------------------------------------------------------
# result object


def test_detection_limits_frozen_and_tidy(din):
    d = din32645(din)
    assert isinstance(d, DetectionLimits)
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.lod = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        d.parameters["replicates"] = 2  # type: ignore[index]
    f = d.to_frame()
    assert list(f.columns[:6]) == ["analyte", "method", "lod", "loq", "critical_value", "unit"]
    assert f["method"].iloc[0] == "DIN 32645:2008 calibration method"
    assert f["alpha"].iloc[0] == 0.01


def test_from_blanks_on_a_competitive_elisa_curve():
    def f(x):
        return 0.12 + (1.9 - 0.12) / (1 + (np.asarray(x, float) / 16.0) ** 1.2)

    x = np.repeat([0, 5, 10, 20, 40, 80.0], 2)
    c = fit_curve(x, f(x) * np.tile([1.005, 0.995], 6), "4pl", analyte="aflatoxin M1",
                  unit="ng/L")
    blanks = [1.90, 1.86, 1.93, 1.88, 1.91, 1.87, 1.92]
    d = from_blanks(blanks, curve=c)
    s = statistics.stdev(blanks)
    # absorbance falls with concentration: LOD is read at mean − 3 s
    assert d.lod == pytest.approx(float(c.inverse(statistics.mean(blanks) - 3 * s).estimate),
                                  rel=1e-12)
    assert 0 < d.lod < d.loq
    assert any("blank mean − k·s" in n for n in d.notes)
