"""Tests for labtox.calibration against published/peer values (chemCal, QUAM:2012 A5, Massart
1997, IUPAC standard addition) and invariants (hypothesis)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labtox.calibration import (
    Curve,
    drift_correction,
    fit_curve,
    fit_curves,
    fit_standard_addition,
    istd_ratio,
)
from labtox.errors import CalibrationError

REL = 1e-6


@pytest.fixture
def ref(shared):
    def load(name: str) -> pd.DataFrame:
        return pd.read_csv(shared("reference", "calibration", name))

    return load


# ------------------------------------------------------------------------------------------
# chemCal expectations (expected_chemcal.csv), 1e-6 relative


def _curve_for(ref, dataset: str, model: str) -> Curve:
    if dataset == "massart97ex3.means":
        d = ref("massart97ex3_means_weights.csv")
        return fit_curve(d.x, d.y, weights=d.w if "w = weights" in model else None)
    d = ref(f"{dataset}.csv")
    return fit_curve(d.x, d.y)


def _inverse_call(curve: Curve, call: str):
    m = re.fullmatch(r"inverse\.predict\(m, (.+?)(?:, alpha = ([\d.]+))?(?:, ws = ([\d.]+))?\)",
                     call)
    assert m, call
    arg, alpha, ws = m.groups()
    if arg.startswith("c("):
        readings = [float(v) for v in arg[2:-1].split(",")]
    elif arg.startswith("rep("):
        v, k = arg[4:-1].split(",")
        readings = [float(v)] * int(k)
    else:
        readings = [float(arg)]
    return curve.inverse(np.mean(readings), replicates=len(readings),
                         alpha=float(alpha) if alpha else 0.05,
                         weight=float(ws) if ws else None)


def _chemcal_rows():
    p = Path(__file__).resolve().parents[2] / "shared" / "reference" / "calibration" / \
        "expected_chemcal.csv"
    if not p.exists():
        return []
    df = pd.read_csv(p)
    keep = ~df["call"].str.match(r"^(lod|loq|3\.04|predict)")
    return [tuple(r) for r in df[keep].itertuples(index=False)]


@pytest.mark.parametrize(("dataset", "model", "call", "quantity", "value"), _chemcal_rows())
def test_matches_chemcal(ref, dataset, model, call, quantity, value):
    c = _curve_for(ref, dataset, model)
    if call == "coef(summary(m))":
        name = "intercept" if quantity.startswith("(Intercept)") else "slope"
        i = list(c.coefficients).index(name)
        got = c.coefficients[name] if quantity.endswith("estimate") else \
            np.sqrt(c.covariance[i, i])
    elif call == "summary(m)$sigma":
        got = c.s_yx
    elif call == "df.residual(m)":
        got = c.dof
    elif call == "summary(m)$r.squared":
        got = c.r2
    else:
        p = _inverse_call(c, call)
        got = {"Prediction": p.estimate, "Standard Error": p.standard_error,
               "Confidence (half-width)": p.half_width, "Lower limit": p.lower,
               "Upper limit": p.upper}[quantity]
    assert got == pytest.approx(value, rel=REL)


def test_chemcal_rows_were_found():
    assert len(_chemcal_rows()) >= 60 or not _chemcal_rows()


# ------------------------------------------------------------------------------------------
# QUAM:2012 example A5 (cadmium by AAS)


def test_quam_a5(ref):
    d = ref("quam2012_A5_cadmium.csv")
    exp = dict(ref("expected_quam2012_A5.csv").itertuples(index=False))
    c = fit_curve(d.conc_mg_L, d.absorbance)
    assert c.coefficients["intercept"] == pytest.approx(float(exp["B0"]), rel=REL)
    assert c.coefficients["slope"] == pytest.approx(float(exp["B1"]), rel=REL)
    assert c.s_yx == pytest.approx(float(exp["s_yx"]), rel=REL)
    cor = c.covariance[0, 1] / np.sqrt(c.covariance[0, 0] * c.covariance[1, 1])
    assert cor == pytest.approx(float(exp["cor(B0,B1)"]), rel=REL)
    # two readings of the sample: 0.0712 and 0.0716 (QUAM A5.4)
    p = c.inverse(np.mean([0.0712, 0.0716]), replicates=2)
    assert p.estimate == pytest.approx(float(exp["c0"]), rel=REL)
    assert p.standard_error == pytest.approx(float(exp["u(c0) QUAM formula"]), rel=REL)
    # replicate levels → lack-of-fit test exists; 5 levels, 15 points
    assert c.lack_of_fit is not None and c.lack_of_fit.dof == (3, 10)


# ------------------------------------------------------------------------------------------
# diagnostics against statsmodels (independent implementation)


def test_mandel_matches_partial_f_test(ref):
    import statsmodels.api as sm

    d = ref("din32645.csv")
    c = fit_curve(d.x, d.y)
    lin = sm.OLS(d.y, sm.add_constant(d.x)).fit()
    quad = sm.OLS(d.y, sm.add_constant(np.column_stack([d.x, d.x**2]))).fit()
    f, p, _ = quad.compare_f_test(lin)
    assert c.mandel.statistic == pytest.approx(f, rel=1e-9)
    assert c.mandel.p_value == pytest.approx(p, rel=1e-9)
    # values in the reference notes: PG = 0.0768 against F = 12.25, p = 0.79
    assert c.mandel.statistic == pytest.approx(0.0768, abs=5e-5)
    assert c.mandel.critical_value == pytest.approx(12.25, abs=5e-3)
    assert c.mandel.linear_adequate
    assert c.lack_of_fit is None  # no replicated levels


def test_lack_of_fit_matches_anova(ref):
    import statsmodels.formula.api as smf
    from statsmodels.stats.anova import anova_lm

    d = ref("massart97ex3.csv")
    c = fit_curve(d.x, d.y)
    full = smf.ols("y ~ C(x)", data=d).fit()
    red = smf.ols("y ~ x", data=d).fit()
    tab = anova_lm(red, full)
    assert c.lack_of_fit.statistic == pytest.approx(tab["F"].iloc[1], rel=1e-9)
    assert c.lack_of_fit.p_value == pytest.approx(tab["Pr(>F)"].iloc[1], rel=1e-6)
    assert c.lack_of_fit.dof == (4, 24)


def test_back_calculated_accuracy(ref):
    d = ref("massart97ex1.csv")
    c = fit_curve(d.x, d.y)
    b0, b1 = c.coefficients["intercept"], c.coefficients["slope"]
    np.testing.assert_allclose(c.back_calculated, (d.y - b0) / b1, rtol=1e-12)
    assert np.isnan(c.accuracy_pct[0])  # x = 0
    np.testing.assert_allclose(c.accuracy_pct[1:], 100 * ((d.y - b0) / b1)[1:] / d.x[1:],
                               rtol=1e-12)
    df = c.to_frame()
    assert list(df.columns[:4]) == ["analyte", "x", "y", "weight"]
    assert len(df) == 6


def test_quadratic_inverse_matches_delta_method_from_statsmodels():
    import statsmodels.api as sm

    x = np.array([0, 1, 2, 4, 6, 8, 10.0])
    y = np.array([0.02, 1.05, 2.02, 3.85, 5.5, 7.0, 8.3])
    c = fit_curve(x, y, "quadratic")
    res = sm.OLS(y, np.column_stack([np.ones_like(x), x, x**2])).fit()
    b0, b1, b2 = res.params
    np.testing.assert_allclose(c.params, res.params, rtol=1e-10)
    y0 = 5.0
    root = (-b1 + np.sqrt(b1**2 - 4 * b2 * (b0 - y0))) / (2 * b2)
    g = np.array([1, root, root**2])
    se = np.sqrt(res.scale + g @ res.cov_params() @ g) / (b1 + 2 * b2 * root)
    p = c.inverse(y0)
    assert p.estimate == pytest.approx(root, rel=1e-10)
    assert p.standard_error == pytest.approx(se, rel=1e-8)
    assert not p.extrapolated


def test_weighted_1_over_x_matches_statsmodels_wls_and_weight_at_estimate():
    import statsmodels.api as sm

    x = np.array([1, 2, 5, 10, 20, 50.0])
    y = np.array([1.1, 2.0, 5.3, 9.8, 20.5, 49.0])
    c = fit_curve(x, y, weights="1/x")
    res = sm.WLS(y, sm.add_constant(x), weights=1 / x).fit()
    np.testing.assert_allclose(c.params, res.params, rtol=1e-10)
    np.testing.assert_allclose(c.covariance, res.cov_params(), rtol=1e-10)
    p = c.inverse(30.0)
    x0 = (30.0 - res.params[0]) / res.params[1]
    pred = res.get_prediction(np.array([[1.0, x0]]), weights=1 / x0)
    se_obs = np.sqrt(pred.se_mean[0] ** 2 + res.scale * x0)
    assert p.estimate == pytest.approx(x0, rel=1e-12)
    assert p.weight == pytest.approx(1 / x0, rel=1e-12)
    assert p.standard_error == pytest.approx(se_obs / res.params[1], rel=1e-9)


def test_zero_concentration_with_1_over_x_weighting():
    x = np.array([0, 0.1, 0.5, 1, 5, 10.0])
    y = np.array([0.01, 0.21, 1.02, 2.05, 9.9, 20.1])
    c = fit_curve(x, y, weights="1/x", analyte="Pb")
    assert c.weights[0] == pytest.approx(1 / 0.1)  # blank weighted as the lowest standard
    assert any("x = 0 weighted as the lowest standard" in n for n in c.notes)
    ex = fit_curve(x, y, weights="1/x", zero_weight="exclude")
    assert ex.weights[0] == 0
    ref_fit = fit_curve(x[1:], y[1:], weights=1 / x[1:])
    np.testing.assert_allclose(ex.params, ref_fit.params, rtol=1e-12)
    assert ex.dof == ref_fit.dof
    # a reading at (or below) the blank gets the weight of the lowest standard, not infinity
    p = c.inverse(0.0)
    assert p.weight == pytest.approx(10.0)
    assert np.isfinite(p.standard_error)


def test_extrapolation_flagged_not_clamped(ref):
    d = ref("din32645.csv")
    c = fit_curve(d.x, d.y, analyte="C")
    p = c.inverse([2000.0, 5000.0, 9000.0])
    assert p.extrapolated.tolist() == [True, False, True]
    assert p.status.tolist() == ["extrapolated", "ok", "extrapolated"]
    b0, b1 = c.coefficients["intercept"], c.coefficients["slope"]
    assert p.estimate[2] == pytest.approx((9000 - b0) / b1, rel=1e-12)
    assert p.estimate[0] < 0.05  # below the lowest standard, returned as computed
    assert p.to_frame()["extrapolated"].tolist() == [True, False, True]


def test_through_origin_uses_n_minus_1_dof():
    import statsmodels.api as sm

    x = np.array([1, 2, 3, 4, 5.0])
    y = np.array([2.1, 3.9, 6.2, 7.8, 10.1])
    c = fit_curve(x, y, "linear-through-origin")
    res = sm.OLS(y, x[:, None]).fit()
    assert c.dof == 4
    assert c.coefficients["slope"] == pytest.approx(res.params[0], rel=1e-12)
    assert c.r2 == pytest.approx(res.rsquared, rel=1e-12)  # uncentred, like R
    p = c.inverse(6.0, alpha=0.05)
    assert p.dof == 4


# ------------------------------------------------------------------------------------------
# 4PL / 5PL


def _4pl(x, a, b, c, d):
    return d + (a - d) / (1 + (np.asarray(x) / c) ** b)


def test_4pl_recovers_parameters_and_matches_curve_fit():
    from scipy.optimize import curve_fit

    x = np.repeat([0, 5, 10, 20, 40, 80.0], 2)
    rng = np.random.default_rng(7)
    y = _4pl(x, 1.8, 1.3, 18.0, 0.15) + rng.normal(0, 0.01, x.size)
    c = fit_curve(x, y, "4pl", analyte="aflatoxin M1")
    popt, pcov = curve_fit(_4pl, x, y, p0=[1.8, 1, 20, 0.1])
    np.testing.assert_allclose(c.params, popt, rtol=1e-5)
    np.testing.assert_allclose(c.covariance, pcov, rtol=1e-3)
    # exact round trip on noiseless data
    y0 = _4pl(x, 1.8, 1.3, 18.0, 0.15)
    c0 = fit_curve(x, y0, "4pl")
    np.testing.assert_allclose(c0.params, [1.8, 1.3, 18.0, 0.15], rtol=1e-6)
    p = c.inverse(c.predict(np.array([7.0, 30.0])))
    np.testing.assert_allclose(p.estimate, [7.0, 30.0], rtol=1e-9)
    assert np.all(p.standard_error > 0)
    # a reading above the zero-standard plateau has no estimate: NaN, flagged
    beyond = c.inverse(5.0)
    assert np.isnan(beyond.estimate) and beyond.extrapolated
    assert beyond.status == "beyond-asymptote"


def test_5pl_fits_asymmetric_curve():
    x = np.array([0, 1, 2.5, 5, 10, 20, 40, 80, 160.0])
    a, b, c_, d, g = 2.0, 1.5, 15.0, 0.1, 0.6
    y = d + (a - d) / (1 + (x / c_) ** b) ** g
    c = fit_curve(x, y, "5pl")
    np.testing.assert_allclose(c.params, [a, b, c_, d, g], rtol=1e-5)
    assert c.inverse(float(c.predict(12.0))).estimate == pytest.approx(12.0, rel=1e-8)


# ------------------------------------------------------------------------------------------
# standard addition, ISTD, drift


def test_standard_addition_iupac_worked_example():
    # "Tutorial SAM 2" (Al in chewing gum) as recomputed in the reference notes (§1.8):
    # b0 = 0.2140, b1 = 1.7100, s = 1.7321e-3, V' = 0.1251 mL, IUPAC se = 1.345e-3
    r = fit_standard_addition([0, 0.1, 0.2, 0.3], [0.214, 0.386, 0.554, 0.728], analyte="Al")
    assert r.intercept == pytest.approx(0.2140, abs=5e-5)
    assert r.slope == pytest.approx(1.7100, abs=5e-5)
    assert r.s_yx == pytest.approx(1.7321e-3, rel=1e-4)
    assert r.x0 == pytest.approx(0.1251, abs=5e-5)
    assert r.standard_error == pytest.approx(1.345e-3, rel=5e-4)
    assert r.lower < r.x0 < r.upper
    assert r.to_frame()["x0"].iloc[0] == pytest.approx(r.x0)


def test_istd_ratio_curve_equals_ratio_fit():
    x = np.array([0, 1, 2, 5, 10.0])
    sig = np.array([50, 1050, 2100, 5200, 10100.0])
    ist = np.array([1000, 1010, 990, 1005, 995.0])
    c = fit_curve(x, sig, istd_signal=ist, analyte="Pb")
    d = fit_curve(x, sig / ist)
    np.testing.assert_allclose(c.params, d.params, rtol=1e-12)
    assert c.response == "ratio"
    with pytest.raises(CalibrationError, match=r"Pb: internal-standard signal missing or not "
                                               r"positive at positions \[2\]"):
        istd_ratio(sig, np.array([1000, 1010, 0, 1005, 995.0]), analyte="Pb")


def test_drift_correction_interpolates_between_bracketing_ccvs():
    d = drift_correction([1, 3, 6, 12], [10, 10, 10, 10], [2, 7, 10], [100, 90, 110])
    # position 3: 100 + (90-100)*(1/5) = 98; 6: 100 - 10*4/5 = 92; outside -> nearest
    np.testing.assert_allclose(d.recovery_pct, [100, 98, 92, 110])
    np.testing.assert_allclose(d.corrected, 10 / (np.array([100, 98, 92, 110]) / 100))
    assert d.bracketed.tolist() == [False, True, True, False]
    none = drift_correction([1, 3], [10, 10], [2, 7], [100, 90], outside="none")
    assert none.corrected[0] == 10
    with pytest.raises(CalibrationError, match="not bracketed by CCVs"):
        drift_correction([1], [10], [2, 7], [100, 90], outside="error")


# ------------------------------------------------------------------------------------------
# batch API


def test_fit_curves_matches_single_fits_and_statsmodels():
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    x = np.tile([0, 0.5, 1, 2, 5, 10.0], (5, 1))
    y = 0.02 + 1.5 * x * rng.uniform(0.9, 1.1, (5, 1)) + rng.normal(0, 0.05, x.shape)
    b = fit_curves(x, y, weights="1/x")
    y0 = np.array([1.0, 3.0, 7.0, 0.2, 25.0])
    p = b.inverse(y0)
    for i in range(5):
        c = fit_curve(x[i], y[i], weights="1/x")
        np.testing.assert_allclose(b.coefficients[i], c.params, rtol=1e-10)
        q = c.inverse(y0[i])
        assert p.estimate[i] == pytest.approx(q.estimate, rel=1e-10)
        assert p.standard_error[i] == pytest.approx(q.standard_error, rel=1e-10)
        assert p.lower[i] == pytest.approx(q.lower, rel=1e-10)
        w = 1 / np.where(x[i] == 0, 0.5, x[i])
        res = sm.WLS(y[i], sm.add_constant(x[i]), weights=w).fit()
        np.testing.assert_allclose(b.coefficients[i], res.params, rtol=1e-9)
        assert b.r2[i] == pytest.approx(c.r2, rel=1e-10)
    assert p.extrapolated.tolist() == [False, False, False, False, True]


def test_fit_curves_rejects_too_few_levels():
    with pytest.raises(CalibrationError, match=r"curve\(s\) 1 have fewer than 3"):
        fit_curves([[0, 1, 2], [1, 1, 2]], [[0, 1, 2], [1, 1, 2]])


# ------------------------------------------------------------------------------------------
# bad input: CalibrationError naming the analyte and what to fix


@pytest.mark.parametrize(
    ("x", "y", "kwargs", "pattern"),
    [
        ([0, 1], [0, 1], {}, r"^Cd: a linear curve needs at least 3 calibration levels .*found 2 "
                            r"\(0, 1\).*Add standards at more concentrations"),
        ([1, 2, np.nan, 4], [1, 2, 3, 4], {}, r"^Cd: non-finite values in the calibration data "
                                              r"at positions \[2\]"),
        ([1, 2, 3], [1, 2, np.inf], {}, r"^Cd: non-finite values"),
        ([5, 5, 5, 5], [1, 2, 3, 4], {}, r"^Cd: all 4 standards have the same concentration "
                                         r"\(x = 5\): one distinct x"),
        ([1, 2, 3, 4], [1, 2, 3, 4], {"weights": [1, -1, 1, 1]},
         r"^Cd: negative weights at positions \[1\].*must be ≥ 0"),
        ([1, 2, 3, 4], [1, 2, 3, 4], {"weights": "1/z"}, r"^Cd: unknown weighting '1/z'"),
        ([1, 2, 3], [1, 2, 3, 4], {}, r"^Cd: x and y differ in length"),
        ([0, 1, 2, 3], [1, 2, 3, 4], {"model": "cubic"}, r"^Cd: unknown calibration model"),
        ([0, 1, 2, 4], [0, 1, 2, 4], {"model": "5pl"},
         r"^Cd: a 5pl curve needs at least 5 calibration levels"),
    ],
)
def test_bad_input_errors(x, y, kwargs, pattern):
    with pytest.raises(CalibrationError, match=pattern) as exc:
        fit_curve(x, y, analyte="Cd", **kwargs)
    assert exc.value.analyte == "Cd"


def test_4pl_not_converging_is_reported():
    # a flat response: no sigmoid to fit
    x = np.array([0, 5, 10, 20, 40, 80.0])
    y = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    with pytest.raises(CalibrationError, match=r"^aflatoxin M1: the 4PL fit did not converge"
                                               r".*standards span both plateaus"):
        fit_curve(x, y, "4pl", analyte="aflatoxin M1")


def test_quadratic_without_root_in_range():
    x = np.array([0, 1, 2, 3, 4.0])
    y = -(x - 2.0) ** 2 + 4  # turns at x = 2 inside the range, maximum 4
    c = fit_curve(x, y + np.array([0, 0.01, -0.01, 0.01, 0]), "quadratic", analyte="Hg")
    with pytest.raises(CalibrationError, match=r"^Hg: quadratic without a root in range: "
                                               r"reading\(s\) 10 have no real root.*Dilute"):
        c.inverse([10.0])
    with pytest.raises(CalibrationError, match=r"two roots inside the calibrated range"):
        c.inverse(3.0)


def test_inverse_argument_errors():
    c = fit_curve([0, 1, 2, 3], [0, 1.1, 1.9, 3.0], analyte="Zn")
    with pytest.raises(CalibrationError, match=r"^Zn: alpha must be between 0 and 1"):
        c.inverse(1.0, alpha=1.5)
    with pytest.raises(CalibrationError, match=r"^Zn: replicates must be whole numbers ≥ 1"):
        c.inverse(1.0, replicates=0)


def test_curve_is_immutable():
    c = fit_curve([0, 1, 2, 3], [0, 1.1, 1.9, 3.0])
    with pytest.raises(AttributeError):
        c.s_yx = 1.0  # type: ignore[misc]
    with pytest.raises(ValueError):
        c.x[0] = 5.0
    with pytest.raises(TypeError):
        c.coefficients["slope"] = 2.0  # type: ignore[index]


# ------------------------------------------------------------------------------------------
# properties


X6 = np.array([0, 1, 2, 5, 10, 20.0])
Y6 = np.array([0.05, 1.02, 2.1, 4.9, 10.2, 19.8])


@settings(max_examples=60, deadline=None)
@given(x=st.floats(0.0, 20.0), model=st.sampled_from(["linear", "linear-through-origin",
                                                      "quadratic"]),
       weights=st.sampled_from([None, "1/x", "1/x2", "1/y", "1/y2"]))
def test_inverse_of_predict_is_identity(x, model, weights):
    c = fit_curve(X6, Y6, model, weights)
    est = c.inverse(c.predict(x)).estimate
    assert est == pytest.approx(x, rel=1e-9, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(scale=st.floats(1e-6, 1e6), y0=st.floats(0.5, 19.0))
def test_scaling_weights_leaves_estimates_unchanged(scale, y0):
    w = np.array([3.0, 2.0, 1.5, 1.0, 0.4, 0.1])
    a = fit_curve(X6, Y6, weights=w)
    b = fit_curve(X6, Y6, weights=w * scale)
    np.testing.assert_allclose(a.params, b.params, rtol=1e-9)
    np.testing.assert_allclose(a.covariance, b.covariance, rtol=1e-8)
    pa, pb = a.inverse(y0), b.inverse(y0)
    assert pa.estimate == pytest.approx(pb.estimate, rel=1e-9)
    assert pa.standard_error == pytest.approx(pb.standard_error, rel=1e-8)


@settings(max_examples=40, deadline=None)
@given(y0=st.floats(0.0, 20.0), weights=st.sampled_from([None, "1/x", "1/y2"]))
def test_intervals_widen_as_replicates_fall(y0, weights):
    c = fit_curve(X6, Y6, weights=weights)
    p = c.inverse(np.full(5, y0), replicates=np.array([5, 4, 3, 2, 1]))
    assert np.all(np.diff(p.half_width) > 0)


# ------------------------------------------------------------------------------------------
# calibrate(run, method)


def _run(rows):
    from labtox.run import Run

    df = pd.DataFrame(rows)
    return Run(df, "synthetic.csv", "0" * 64, "test")


def _icp_rows(pb_channel="208Pb [He]"):
    levels = {"1": 0.0, "2": 0.5, "3": 1.0, "4": 5.0, "5": 10.0}
    rows = []
    line = 10
    rng = np.random.default_rng(11)
    for seq, (lvl, conc) in enumerate(levels.items(), start=1):
        bi = 50000 * (1 + 0.02 * seq)
        stype = "calibration_blank" if lvl == "1" else "calibration"
        common = dict(run_id="r", sequence=seq, sample_id=f"Cal {lvl}", sample_type=stype,
                      level=lvl, signal_unit="cps", rejected=False)
        rows.append(dict(common, analyte="Pb", channel=pb_channel, is_istd=False,
                         signal=(120 + 20000 * conc) * bi / 50000 * (1 + rng.normal(0, 0.01)),
                         nominal=np.nan, nominal_unit=None, source_line=str(line)))
        rows.append(dict(common, analyte="Bi", channel="209Bi [He]", is_istd=True, signal=bi,
                         nominal=np.nan, nominal_unit=None, source_line=str(line)))
        rows.append(dict(common, analyte="Cd", channel="111Cd [He]", is_istd=False,
                         signal=30 + 9000 * conc * 2 + rng.normal(0, 20), nominal=conc * 2,
                         nominal_unit="ng/mL", source_line=str(line)))
        line += 1
    # a rejected calibration injection and a sample
    rows.append(dict(run_id="r", sequence=6, sample_id="Cal 3", sample_type="calibration",
                     level="3", signal_unit="cps", rejected=True, analyte="Pb",
                     channel=pb_channel, is_istd=False, signal=np.nan, nominal=np.nan,
                     nominal_unit=None, source_line="15"))
    rows.append(dict(run_id="r", sequence=7, sample_id="MNG-001", sample_type="sample",
                     level=None, signal_unit="cps", rejected=False, analyte="Pb",
                     channel=pb_channel, is_istd=False, signal=30000.0, nominal=np.nan,
                     nominal_unit=None, source_line="16"))
    return rows


@pytest.fixture
def two_metals():
    from labtox.method import Method

    return Method.load(Path(__file__).parent / "data" / "methods" / "icpms-two-metals.toml")


def test_calibrate_run(two_metals):
    from labtox.calibration import calibrate

    rows = _icp_rows()
    run = _run(rows)
    cals = calibrate(run, two_metals)
    assert set(cals) == {"Pb", "Cd"}  # PCB 126 is 'reported': no curve
    df = pd.DataFrame(rows)
    cal = df[df.sample_type.isin(["calibration", "calibration_blank"]) & ~df.rejected]
    pb = cal[cal.analyte == "Pb"].sort_values("sequence")
    bi = cal[cal.analyte == "Bi"].sort_values("sequence")
    expected = fit_curve([0, 0.5, 1, 5, 10], pb.signal.to_numpy() / bi.signal.to_numpy(),
                         weights="1/x")
    np.testing.assert_allclose(cals["Pb"].params, expected.params, rtol=1e-12)
    assert cals["Pb"].response == "ratio" and cals["Pb"].weighting == "1/x"
    assert cals["Pb"].unit == "µg/L"
    assert cals["Pb"].source_lines == ("10", "11", "12", "13", "14")
    # Cd: nominal from the export (ng/mL == µg/L), unweighted per the analyte override
    cd = cal[cal.analyte == "Cd"]
    np.testing.assert_allclose(cals["Cd"].x, cd.nominal.to_numpy())
    assert cals["Cd"].weighting == "none" and cals["Cd"].response == "signal"
    assert cals.excluded == [{"analyte": "Pb", "source_line": "15",
                              "reason": "rejected injection"}]
    assert cals.errors == {}


def test_calibrate_tolerates_tune_mode_spelling(two_metals):
    from labtox.calibration import calibrate

    cals = calibrate(_run(_icp_rows(pb_channel="208Pb [He Gas]")), two_metals)
    assert cals["Pb"].n == 5


def test_calibrate_errors_name_analyte_and_fix(two_metals):
    from labtox.calibration import calibrate

    rows = _icp_rows()
    for r in rows:
        if r["analyte"] == "Pb" and r["level"] == "4":
            r["level"] = "7"
    with pytest.raises(CalibrationError, match=r"^Pb: no concentration for standard\(s\) line 13 "
                                               r"\(level 7\).*add the level"):
        calibrate(_run(rows), two_metals)
    rows = [r for r in _icp_rows() if not (r["analyte"] == "Bi" and r["sequence"] == 2)]
    with pytest.raises(CalibrationError, match=r"^Pb: internal standard '209Bi \[He\]' signal "
                                               r"missing .* line\(s\) 11"):
        calibrate(_run(rows), two_metals)
    rows = [r for r in _icp_rows() if r["analyte"] != "Cd"]
    got = calibrate(_run(rows), two_metals, on_error="collect")
    assert set(got) == {"Pb"}
    assert "no calibration standards in the run" in str(got.errors["Cd"])
    rows = [dict(r, channel="114Cd [He]") if r["analyte"] == "Cd" else r for r in _icp_rows()]
    with pytest.raises(CalibrationError, match=r"^Cd: the method's channel '111Cd \[He\]' is not "
                                               r"in the run \(channels found: 114Cd \[He\]\)"):
        calibrate(_run(rows), two_metals)


def test_calibrate_elisa_plate_with_shipped_method():
    from labtox.calibration import calibrate
    from labtox.method import Method

    method = Method.load(Path(__file__).parents[1] / "methods" / "elisa-afm1-milk.toml")
    conc = [0, 5, 10, 20, 40, 80]
    rows = []
    for i, c in enumerate(conc, start=1):
        for rep in range(2):
            a = _4pl(c, 1.9, 1.2, 16.0, 0.12) * (1 + 0.01 * (-1) ** rep)
            rows.append(dict(run_id="r", sequence=2 * i + rep, sample_id=f"STD{i}",
                             sample_type="calibration", level=None, analyte="aflatoxin M1",
                             channel="450", signal=a, signal_unit="AU", nominal=np.nan,
                             rejected=False, source_line=f"A{2 * i + rep}"))
    cal = calibrate(_run(rows), method)["aflatoxin M1"]
    assert cal.model == "4pl" and cal.n == 12
    np.testing.assert_allclose(np.unique(cal.x), conc)
    p = cal.inverse(float(_4pl(30.0, 1.9, 1.2, 16.0, 0.12)))
    assert p.estimate == pytest.approx(30.0, rel=0.02)
    assert p.lower < p.estimate < p.upper


XE = np.repeat([0, 5, 10, 20, 40, 80.0], 2)
YE = _4pl(XE, 1.9, 1.2, 16.0, 0.12) * np.tile([1.01, 0.99], 6)
C4 = fit_curve(XE, YE, "4pl")


@settings(max_examples=40, deadline=None)
@given(x=st.floats(0.5, 80.0))
def test_4pl_inverse_of_predict_is_identity(x):
    assert C4.inverse(float(C4.predict(x))).estimate == pytest.approx(x, rel=1e-8)


def test_inversion_interval_matches_fieller_and_statsmodels_prediction_limits(ref):
    import statsmodels.api as sm
    from scipy import stats

    d = ref("din32645.csv")
    c = fit_curve(d.x, d.y)
    p = c.inverse([3500.0, 5000.0], interval="inversion")
    # Fieller closed form (reference notes §1.2, after Graybill & Iyer 1994 / investr)
    s, n = c.s_yx, len(d)
    t = stats.t.ppf(0.975, n - 2)
    sxx = np.sum((d.x - d.x.mean()) ** 2)
    b1 = c.coefficients["slope"]
    for i, y0 in enumerate([3500.0, 5000.0]):
        c1 = b1**2 - (s * t) ** 2 / sxx
        c2 = c1 * (1 + 1 / n) + (y0 - d.y.mean()) ** 2 / sxx
        c3, c4 = b1 * (y0 - d.y.mean()), t * s
        assert p.lower[i] == pytest.approx(d.x.mean() + (c3 - c4 * np.sqrt(c2)) / c1, rel=1e-10)
        assert p.upper[i] == pytest.approx(d.x.mean() + (c3 + c4 * np.sqrt(c2)) / c1, rel=1e-10)
    # the limits are where the reading sits on the 95 % prediction band (statsmodels)
    res = sm.OLS(d.y, sm.add_constant(d.x)).fit()
    band = res.get_prediction(np.column_stack([np.ones(4), [*p.lower, *p.upper]])
                              ).summary_frame(alpha=0.05)
    np.testing.assert_allclose(band["obs_ci_upper"].to_numpy()[:2], [3500, 5000], rtol=1e-10)
    np.testing.assert_allclose(band["obs_ci_lower"].to_numpy()[2:], [3500, 5000], rtol=1e-10)
    # asymmetric, unlike the Wald interval
    assert abs((p.upper[0] - p.estimate[0]) - (p.estimate[0] - p.lower[0])) > 1e-3


def test_inversion_interval_not_determinable_for_flat_line():
    c = fit_curve([1, 2, 3, 4], [10.0, 9.0, 11.0, 10.2], analyte="Ni")
    p = c.inverse(10.0, interval="inversion")
    assert np.isnan(p.lower) and p.status == "not-determinable"
    with pytest.raises(CalibrationError, match="^Ni: interval must be 'wald' or 'inversion'"):
        c.inverse(10.0, interval="bayes")
    q = fit_curve([0, 1, 2, 4], [0, 1.1, 1.9, 4.3], "quadratic", analyte="Ni")
    with pytest.raises(CalibrationError, match="implemented for straight lines, not quadratic"):
        q.inverse(2.0, interval="inversion")
