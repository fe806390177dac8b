"""labtox.stats: invariants (hypothesis) and documented edge-case behaviour."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labtox.errors import LabtoxError, SchemaError
from labtox.stats import (
    CensoredDataError,
    InsufficientDataError,
    PoolingError,
    censored_mle,
    compare_groups,
    exceedance,
    kaplan_meier,
    ros,
    substitution,
    summarise,
    ucl95,
)

# ------------------------------------------------------------------ hypothesis


@st.composite
def censored_samples(draw, min_detects: int = 2):
    """Positive values on a 0.1 grid (ties likely) with 1-3 detection limits."""
    n = draw(st.integers(min_value=4, max_value=40))
    vals = draw(st.lists(st.integers(1, 200), min_size=n, max_size=n))
    dls = draw(st.lists(st.integers(1, 60), min_size=1, max_size=3))
    which = draw(st.lists(st.integers(0, len(dls) - 1), min_size=n, max_size=n))
    x = np.array(vals, float) / 10
    dl = np.array([dls[i] for i in which], float) / 10
    c = x < dl
    x = np.where(c, dl, x)
    if np.unique(x[~c]).size < min_detects:
        x = np.concatenate([x, [30.0, 31.0]])
        c = np.concatenate([c, [False, False]])
    return x, c


@settings(max_examples=40, deadline=None)
@given(censored_samples())
def test_bounds_and_km_between_lb_and_ub(data):
    x, c = data
    lb, mb, ub = (substitution(x, c, b).mean for b in ("LB", "MB", "UB"))
    assert lb <= mb + 1e-12 <= ub + 2e-12
    km = kaplan_meier(x, c)
    # the restricted KM mean redistributes each non-detect below its limit: within [LB, UB]
    assert lb - 1e-9 <= km.restricted_mean <= ub + 1e-9
    # the unrestricted mean moves the mass below the lowest detect up to it
    assert km.mean >= km.restricted_mean - 1e-9
    assert km.sd >= 0 and (math.isnan(km.se_mean) or km.se_mean >= 0)


def test_unrestricted_km_mean_can_exceed_the_upper_bound():
    """Counter-example to 'LB <= KM mean <= UB': the brief's property holds only restricted."""
    km = kaplan_meier([1, 10], [True, False])
    assert km.mean == 10 and substitution([1, 10], [True, False], "UB").mean == 5.5
    assert km.restricted_mean == 5.5


@settings(max_examples=30, deadline=None)
@given(censored_samples(), st.randoms(use_true_random=False))
def test_permutation_invariance(data, rnd):
    x, c = data
    perm = np.array(rnd.sample(range(x.size), x.size))
    a, b = kaplan_meier(x, c), kaplan_meier(x[perm], c[perm])
    assert b.mean == pytest.approx(a.mean, rel=1e-12)
    assert b.sd == pytest.approx(a.sd, rel=1e-12, abs=1e-15)
    assert (math.isnan(a.se_mean) and math.isnan(b.se_mean)) or \
        b.se_mean == pytest.approx(a.se_mean, rel=1e-12)
    ra, rb = ros(x, c), ros(x[perm], c[perm])
    assert rb.mean == pytest.approx(ra.mean, rel=1e-12)
    assert rb.slope == pytest.approx(ra.slope, rel=1e-9)
    # imputed values: same multiset; detects stay at their (permuted) rows
    keep = ~ra.dropped
    assert np.sort(rb.modeled[~rb.dropped]) == pytest.approx(np.sort(ra.modeled[keep]))
    det = ~c[perm]
    assert rb.modeled[det] == pytest.approx(x[perm][det])


@settings(max_examples=40, deadline=None)
@given(censored_samples())
def test_ros_imputed_values_positive_and_ordered_within_a_limit(data):
    x, c = data
    r = ros(x, c)
    imp = r.modeled[c & ~r.dropped]
    assert np.all(np.isfinite(imp)) and np.all(imp > 0)
    assert np.all(np.isnan(r.modeled[r.dropped]))
    # within one limit, imputed values increase in input order (NADA stable sort)
    for dl in np.unique(x[c & ~r.dropped]):
        v = r.modeled[c & (x == dl)]
        if r.slope > 0:
            assert np.all(np.diff(v) > 0)


def test_ros_imputed_values_can_exceed_their_limit():
    """Helsel & Cohn (1988) App. B: "<1" values are imputed up to 3.04 (not clipped)."""
    x = [1] * 6 + [10] * 3 + [3, 7, 9, 12, 15, 20, 27, 33, 50]
    c = [True] * 9 + [False] * 9
    r = ros(x, c)
    assert r.modeled[:6].max() > 1
    assert r.modeled[:6].max() == pytest.approx(3.0394, abs=1e-4)


@settings(max_examples=40, deadline=None)
@given(censored_samples(), st.floats(0.05, 25))
def test_exceedance_range_contains_truth_bounds(data, limit):
    x, c = data
    r = exceedance(x, c, limit)
    assert r.n_above_lb <= r.n_above_ub
    lo, hi = r.ci_clopper_pearson
    assert lo <= r.proportion_lb <= r.proportion_ub <= hi
    wl, wh = r.ci_wilson
    assert 0 <= wl <= r.proportion_lb and r.proportion_ub <= wh <= 1


# ------------------------------------------------------------------ edge cases


def test_nan_is_refused_naming_the_position():
    with pytest.raises(CensoredDataError, match=r"values\[2\] passed to kaplan_meier is nan"):
        kaplan_meier([1, 2, float("nan"), 4], [False] * 4)
    with pytest.raises(CensoredDataError, match=r"values\[1\].*ros"):
        ros([1, float("inf"), 3], [True, False, False])


def test_length_mismatch_and_bad_flags():
    with pytest.raises(CensoredDataError, match="one flag per value") as e:
        substitution([1, 2, 3], [True, False])
    assert e.value.expected == "3 flags"
    with pytest.raises(CensoredDataError, match=r"censored\[1\].*not a boolean"):
        kaplan_meier([1, 2], [True, "maybe"])
    assert kaplan_meier([1, 2, 3], ["true", "false", "0"]).n_censored == 1


def test_negative_and_zero_values():
    # lognormal methods refuse, saying why
    for f in (lambda: ros([0.0, 1, 2, 3], [False, False, True, False]),
              lambda: censored_mle([-1.0, 1, 2, 3], [False, False, True, False]),
              lambda: ucl95([0.0, 1, 2, 3], [False, False, True, False], "lognormal-mle")):
        with pytest.raises(CensoredDataError, match=r"values\[0\].*logarithm.*values > 0"):
            f()
    # Kaplan-Meier, substitution and the normal MLE accept zero / negative detects
    km = kaplan_meier([0.0, -0.5, 2, 3], [False, False, True, False])
    assert km.mean == pytest.approx(np.mean([0.0, -0.5, 3]) * 0 + km.mean)
    assert substitution([0.0, -0.5, 2, 3], [False, False, True, False], "LB").mean == 0.625
    censored_mle([0.0, -0.5, 2, 3, 4], [False, False, True, False, False], "norm",
                 lower_bound=None)
    # a non-detect needs a positive limit
    with pytest.raises(CensoredDataError, match="non-detect with limit 0.0"):
        kaplan_meier([0.0, 1, 2], [True, False, False])


def test_all_censored():
    x, c = [1, 1, 2], [True, True, True]
    with pytest.raises(InsufficientDataError, match="at least one detected value"):
        kaplan_meier(x, c)
    with pytest.raises(InsufficientDataError, match="at least 2 distinct detected"):
        ros(x, c)
    with pytest.raises(InsufficientDataError, match="at least 2 distinct detected"):
        censored_mle(x, c)
    assert substitution(x, c, "UB").mean == pytest.approx(4 / 3)
    assert exceedance(x, c, 1.5).n_above_ub == 1
    assert isinstance(InsufficientDataError("x"), LabtoxError)


def test_one_detect():
    r = kaplan_meier([1, 1, 5], [True, True, False])
    assert r.mean == 5 and math.isnan(r.se_mean)
    assert any("one detected value" in w for w in r.warnings)
    with pytest.raises(InsufficientDataError, match="found 1"):
        ros([1, 1, 5], [True, True, False])


def test_nothing_censored_gives_ordinary_statistics():
    x = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])
    c = np.zeros(8, bool)
    km = kaplan_meier(x, c)
    assert km.mean == pytest.approx(x.mean())
    assert km.sd == pytest.approx(x.std(ddof=0))
    assert km.se_mean == pytest.approx(x.std(ddof=1) / np.sqrt(8))
    r = ros(x, c)
    assert r.modeled.tolist() == x.tolist() and r.mean == pytest.approx(x.mean())
    assert r.sd == pytest.approx(x.std(ddof=1))
    u = ucl95(x, c, "km-t")
    from scipy import stats

    assert u.ucl == pytest.approx(x.mean() + stats.t.ppf(0.95, 7) * x.std(ddof=1) / np.sqrt(8))


def test_limits_above_the_largest_detect():
    x = np.array([0.5, 1.0, 2.0, 3.0, 10.0, 0.2, 4.0])
    c = np.array([False, False, False, False, True, True, False])
    r = ros(x, c)
    assert r.dropped.tolist() == [False] * 4 + [True, False, False]
    assert math.isnan(r.modeled[4]) and r.n_used == 6
    assert any("above the largest detect were dropped" in w for w in r.warnings)
    km = kaplan_meier(x, c)
    km_without = kaplan_meier(np.delete(x, 4), np.delete(c, 4))
    assert km.mean == pytest.approx(km_without.mean)  # no information for KM
    assert km.n == 7 and any("carry no information" in w for w in km.warnings)


def test_ties_between_detects_and_limits():
    """A non-detect '<2' tied with a detect 2 lies below it (standard KM convention)."""
    r = kaplan_meier([2, 2, 3], [True, False, False])
    # r(2) = 2 at risk, 1 detect -> F(2-) = 1/3 * ... : F(3)=1, F(2)=2/3, below = 1/3
    assert r.cdf_table["cdf"].tolist() == pytest.approx([2 / 3, 1.0])
    assert r.prob_below_lowest_detect == pytest.approx(1 / 3)


def test_unknown_options_are_refused():
    with pytest.raises(CensoredDataError, match="Unknown substitution bound 'XB'"):
        substitution([1, 2], [True, False], "XB")
    with pytest.raises(CensoredDataError, match="'fraction' replaces the medium bound"):
        substitution([1, 2], [True, False], "UB", fraction=0.3)
    with pytest.raises(CensoredDataError, match="Unknown distribution 'weibull'"):
        censored_mle([1, 2, 3], [True, False, False], "weibull")
    with pytest.raises(CensoredDataError, match="Unknown UCL method 'km-x'"):
        ucl95([1, 2, 3], [True, False, False], "km-x")
    with pytest.raises(CensoredDataError, match="Unknown test 'wilcoxon'"):
        compare_groups([1, 2, 3, 4], [True, False, False, False], list("aabb"), "wilcoxon")
    with pytest.raises(InsufficientDataError, match="at least two groups"):
        compare_groups([1, 2, 3], [True, False, False], list("aaa"))


def test_result_objects_are_frozen_with_frames():
    r = kaplan_meier([1, 2, 3, 4], [True, False, False, False])
    with pytest.raises(AttributeError):
        r.mean = 0  # type: ignore[misc]
    assert {"value", "cdf", "n_at_risk"} <= set(r.to_frame().columns)
    assert "restricted_mean" in r.summary_frame().columns
    rr = ros([0.5, 0.5, 1, 1.5, 5, 10, 100], [True, False, False, True, False, False, False])
    assert len(rr.to_frame()) == 7 and "modeled" in rr.to_frame()
    assert rr.to_frame()["value"].tolist() == [0.5, 0.5, 1, 1.5, 5, 10, 100]
    with pytest.raises(ValueError):
        rr.modeled[0] = 1.0  # result arrays are read-only
    m = censored_mle([0.5, 0.5, 1, 1.5, 5, 10, 100],
                     [True, False, False, True, False, False, False])
    f = m.to_frame()
    assert set(f["statistic"]) >= {"meanlog", "sdlog", "mean", "q95", "loglik"}
    assert m.mean_ci_method == "profile likelihood"
    g = compare_groups([1, 2, 3, 4, 5, 6], [True] + [False] * 5, list("aaabbb"))
    assert g.to_frame()["pvalue"].nunique() == 1
    assert ucl95([1, 2, 3, 4], [True, False, False, False]).to_frame().loc[0, "method"] == "km-t"


# ------------------------------------------------------------------ summarise


def _table(**cols) -> pd.DataFrame:
    base = {"sample_id": [f"S{i}" for i in range(len(cols["value"]))], "unit": "µg/kg",
            "basis": "wet"}
    base.update(cols)
    return pd.DataFrame(base)


def test_summarise_methods_follow_guidance():
    rng = np.random.default_rng(5)
    rows = []
    # Pb: 20 % non-detects -> km; Cd: 60 %, n = 20 -> ros; Hg: 60 %, n = 60 -> mle;
    # As: 90 % -> counts; Cu: none censored -> ordinary; Zn: all censored -> counts
    for analyte, n, frac in (("Pb", 20, 0.2), ("Cd", 20, 0.6), ("Hg", 60, 0.6),
                             ("As", 20, 0.9), ("Cu", 10, 0.0), ("Zn", 5, 1.0)):
        x = np.round(rng.lognormal(0, 1, n), 3) + 0.01
        k = int(round(frac * n))
        cen = np.zeros(n, bool)
        cen[:k] = True
        x[:k] = 0.5
        if frac < 1:
            x[k:] = np.maximum(x[k:], 0.6) + np.arange(n - k) * 1e-3
        rows.append(pd.DataFrame({"analyte": analyte, "value": x, "censored": cen}))
    t = _table(**pd.concat(rows).to_dict("list"))
    s = summarise(t).set_index("analyte")
    assert s.loc["Pb", "method"] == "km" and "< 50 %" in s.loc["Pb", "reason"]
    assert s.loc["Cd", "method"] == "ros" and "n = 20 < 50" in s.loc["Cd", "reason"]
    assert s.loc["Hg", "method"] == "mle" and s.loc["Hg", "ucl95_method"] == "lognormal-mle"
    assert s.loc["As", "method"] == "counts" and "> 80 %" in s.loc["As", "reason"]
    assert math.isnan(s.loc["As", "mean"]) and s.loc["As", "n_censored"] == 18
    assert s.loc["Cu", "method"] == "ordinary" and s.loc["Cu", "ucl95_method"] == "student-t"
    assert s.loc["Zn", "method"] == "counts" and "all 5 values" in s.loc["Zn", "reason"]
    assert (s["mean_lb"] <= s["mean_ub"]).all()
    # the statistics are those of the functions
    pb = t[t.analyte == "Pb"]
    assert s.loc["Pb", "mean"] == pytest.approx(kaplan_meier(pb.value, pb.censored).mean)
    assert s.loc["Pb", "pct_censored"] == 20.0


def test_summarise_groups_by_columns_and_records_fallbacks():
    t = _table(analyte=["Pb"] * 6 + ["Cd"] * 3, site=list("AAABBBAAA"),
               value=[0.5, 2.1, 3.3, 1.0, 4.2, 7.0, 0.2, 0.2, 0.3],
               censored=[True, False, False, True, False, False, True, True, False])
    s = summarise(t, by=["site", "analyte"], method="ros")
    assert list(s.columns[:4]) == ["analyte", "unit", "basis", "site"]
    assert len(s) == 3
    cd = s[s.analyte == "Cd"].iloc[0]
    assert cd["method"] == "counts"
    assert "requested: ros" in cd["reason"] and "fell back to counts" in cd["reason"]
    pb_a = s[(s.analyte == "Pb") & (s.site == "A")].iloc[0]
    assert pb_a["method"] == "ros" and pb_a["n"] == 3


def test_summarise_refuses_to_pool_units_and_bases():
    t = _table(analyte=["Pb"] * 4, value=[1.0, 2.0, 3.0, 4.0], censored=[False] * 4)
    t.loc[3, "unit"] = "mg/kg"
    with pytest.raises(PoolingError, match=r"analyte=Pb is reported in 2 units/bases: "
                                           r"'mg/kg wet' \(1 rows\), 'µg/kg wet' \(3 rows\)"):
        summarise(t)
    s = summarise(t, split_units=True)
    assert sorted(s["unit"]) == ["mg/kg", "µg/kg"]
    t2 = _table(analyte=["Pb"] * 3, value=[1.0, 2.0, 3.0], censored=[False] * 3)
    t2.loc[1, "basis"] = "fat"
    with pytest.raises(PoolingError, match="units/bases"):
        summarise(t2)
    # spellings of the same unit pool together
    t3 = _table(analyte=["Pb"] * 3, value=[1.0, 2.0, 3.0], censored=[False] * 3)
    t3.loc[0, "unit"] = "ug/kg"
    assert summarise(t3).loc[0, "n"] == 3
    t4 = t3.copy()
    t4.loc[1, "unit"] = None
    with pytest.raises(PoolingError, match="no unit or basis"):
        summarise(t4)


def test_summarise_input_errors():
    t = _table(analyte=["Pb"] * 2, value=[1.0, None], censored=[False, False])
    with pytest.raises(CensoredDataError, match=r"row 1 \(Pb, sample S1\) has no numeric"):
        summarise(t)
    with pytest.raises(SchemaError, match="'site': missing column"):
        summarise(_table(analyte=["Pb"], value=[1.0], censored=[False]), by=["site"])
    with pytest.raises(CensoredDataError, match="Unknown summary method"):
        summarise(_table(analyte=["Pb"], value=[1.0], censored=[False]), method="median")


def test_summarise_lognormal_request_with_zeros_falls_back_to_km():
    t = _table(analyte=["Pb"] * 5, value=[0.0, 1.0, 2.0, 3.0, 0.5],
               censored=[False, False, False, False, True])
    s = summarise(t, method="mle").iloc[0]
    assert s["method"] == "km" and "fell back to km" in s["reason"]


def test_summarise_sum_parameters_by_bound():
    """TEQ/sum rows (labtox.teq) carry a bound: never pooled across bounds, no KM on them."""
    t = _table(analyte=["sum TEQ"] * 6 + ["Pb"] * 3,
               value=[0.0, 0.5, 0.3, 0.9, 1.2, 1.0, 1.0, 2.0, 3.0],
               censored=[True, False, False, True, False, False, True, False, False],
               bound=["lower"] * 3 + ["upper"] * 3 + [None] * 3,
               scheme=["WHO2005"] * 6 + [None] * 3)
    s = summarise(t)
    assert list(s.columns[:5]) == ["analyte", "unit", "basis", "scheme", "bound"]
    lower = s[s.bound == "lower"].iloc[0]
    assert lower["method"] == "bound" and lower["mean"] == pytest.approx(0.8 / 3)
    assert "lower bound" in lower["reason"] and lower["n_censored"] == 1
    upper = s[s.bound == "upper"].iloc[0]
    assert upper["mean"] == pytest.approx(3.1 / 3)
    assert s[s.analyte == "Pb"].iloc[0]["method"] == "km"


def test_summarise_names_a_zero_limit_row():
    t = _table(analyte=["Pb"] * 3, value=[0.0, 2.0, 3.0], censored=[True, False, False])
    with pytest.raises(CensoredDataError,
                       match=r"results row 0 \(Pb, sample S0\) is a non-detect with limit 0.0"):
        summarise(t)
