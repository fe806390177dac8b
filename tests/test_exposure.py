"""Exposure: EDI, HQ, HI, MOE and ILCR by hand arithmetic; Monte Carlo against analytic
lognormal results (a product/quotient of independent lognormals is lognormal)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from labtox.exposure import (
    Distribution,
    ExposureError,
    Scenario,
    assess,
    guidance_values,
    load_scenarios,
    select_guidance,
    simulate,
)


def results(rows):
    return pd.DataFrame([{"sample_id": s, "analyte": a, "value": v, "unit": u, "basis": b,
                          "censored": c, **extra} for s, a, v, u, b, c, *extra_ in rows
                         for extra in [extra_[0] if extra_ else {}]])


def adult(**kw):
    base = dict(name="t", population="adults", body_weight_kg=70.0, consumption=0.5,
                consumption_unit="L/day", density_kg_per_l=1.03)
    return Scenario(**{**base, **kw})


def row(a, analyte, bound, metric):
    t = a.table
    sel = t[(t.analyte == analyte) & (t.bound == bound) & (t.metric == metric)]
    assert len(sel) == 1, sel
    return sel.iloc[0]


def test_cd_edi_and_hq_by_hand():
    # Cd 0.010, 0.020 and <0.006 mg/kg. Mean LB = 0.030/3 = 0.010; UB = 0.036/3 = 0.012.
    # Intake 0.5 L/day x 1.03 kg/L = 0.515 kg/day; BW 70 kg.
    # EDI_LB = 0.010 x 0.515 / 70 = 7.3571e-5 mg/kg bw/day = 0.073571 µg/kg bw/day
    # EFSA TWI 2.5 µg/kg bw/week = 2.5/7 µg/kg bw/day -> HQ_LB = 0.00515/70 * 7/0.0025 = 0.206
    # HQ_UB = 0.012 x 0.515 x 7 / (70 x 0.0025) = 0.2472
    r = results([("a", "Cd", 0.010, "mg/kg", "wet", False),
                 ("b", "Cd", 0.020, "mg/kg", "wet", False),
                 ("c", "Cd", 0.006, "mg/kg", "wet", True)])
    a = assess(r, adult())
    lb, ub = row(a, "Cd", "lower", "HQ"), row(a, "Cd", "upper", "HQ")
    assert lb["edi_ug_per_kg_bw_day"] == pytest.approx(0.010 * 0.515 / 70 * 1000)
    assert lb["metric_value"] == pytest.approx(0.206)
    assert ub["metric_value"] == pytest.approx(0.2472)
    assert lb["guidance_body"] == "EFSA" and lb["guidance_type"] == "TWI"
    assert lb["edi_in_guidance_unit"] == pytest.approx(0.010 * 0.515 / 70 * 1000 * 7)
    assert not lb["concern"] and lb["n"] == 3 and lb["n_censored"] == 1
    # 180 days a year: HQ scales by 180/365
    a2 = assess(r, adult(exposure_frequency_days_per_year=180))
    assert row(a2, "Cd", "lower", "HQ")["metric_value"] == pytest.approx(0.206 * 180 / 365)
    # medium bound: 0.033/3 = 0.011 -> HQ 0.2266
    a3 = assess(r, adult(), bounds=["MB"])
    assert row(a3, "Cd", "medium", "HQ")["metric_value"] == pytest.approx(0.2266)


def test_lead_moe_toddler():
    # Pb 0.025 mg/kg, 0.5 kg/day, 12 kg: EDI = 0.025 x 0.5 / 12 = 1.0417 µg/kg bw/day;
    # EFSA BMDL01 0.50 µg/kg bw/day -> MOE = 0.48 < 1: concern
    r = results([("a", "Pb", 25.0, "µg/kg", "wet", False)])
    sc = adult(body_weight_kg=12.0, consumption=0.5, consumption_unit="kg/day")
    x = row(assess(r, sc), "Pb", "upper", "MOE")
    assert x["edi_ug_per_kg_bw_day"] == pytest.approx(0.025 * 0.5 / 12 * 1000)
    assert x["metric_value"] == pytest.approx(0.48)
    assert bool(x["concern"]) and x["guidance_detail"].startswith("BMDL01")


def test_arsenic_hq_moe_ilcr_and_hazard_index():
    # As 0.01 mg/kg, 0.5 kg/day, 70 kg: EDI = 7.142857e-5 mg/kg bw/day
    # IRIS RfD 6e-5 -> HQ = 1.190476; EFSA BMDL05 0.06 µg -> MOE = 0.84;
    # IRIS CSF 32 per mg/kg/day, ED 35 of AT 70 years -> ILCR = 7.142857e-5 x 0.5 x 32 = 1.142857e-3
    r = results([("a", "As", 0.01, "mg/kg", "wet", False),
                 ("a", "Cd", 0.02, "mg/kg", "wet", False)])
    sc = adult(consumption=0.5, consumption_unit="kg/day", exposure_duration_years=35.0)
    a = assess(r, sc, bounds=["upper"])
    edi = 0.01 * 0.5 / 70
    assert row(a, "As", "upper", "HQ")["metric_value"] == pytest.approx(edi / 6e-5)
    assert row(a, "As", "upper", "MOE")["metric_value"] == pytest.approx(0.06e-3 / edi)
    ilcr = row(a, "As", "upper", "ILCR")
    assert ilcr["metric_value"] == pytest.approx(edi * 0.5 * 32)
    assert bool(ilcr["concern"])  # 1.1e-3 > 1e-4
    # Cd HQ = 0.02 x 0.5/70 / (2.5e-3/7) = 0.4; HI = 1.190476 + 0.4
    hi = a.hazard_index.set_index("bound").loc["upper"]
    assert hi["HI"] == pytest.approx(edi / 6e-5 + 0.4)
    assert hi["n_analytes"] == 2 and hi["analytes"] == "As|Cd"


def test_teq_fat_basis_and_scheme_selection():
    # 2.0 pg TEQ/g fat at 4 % fat = 0.08 pg/g milk; 0.5 kg/day, 70 kg:
    # EDI = 0.08 x 500 / 70 = 0.571429 pg/kg bw/day; EFSA 2018 TWI 2 pg/kg bw/week -> HQ = 2.0
    r = results([("a", "sum PCDD/F+dl-PCB-TEQ", 2.0, "pg/g", "fat", False,
                  {"scheme": "WHO2005", "fat_pct": 4.0})])
    sc = adult(consumption=0.5, consumption_unit="kg/day")
    x = row(assess(r, sc), "sum PCDD/F+dl-PCB-TEQ", "upper", "HQ")
    assert x["metric_value"] == pytest.approx(2.0)
    assert x["guidance_body"] == "EFSA" and x["edi_in_guidance_unit"] == pytest.approx(4.0)
    # with WHO-2022 TEQ the EFSA draft is skipped: Health Canada TDI 2.3e-9 mg/kg bw/day
    r["scheme"] = "WHO2022"
    x = row(assess(r, sc), "sum PCDD/F+dl-PCB-TEQ", "upper", "HQ")
    assert x["guidance_body"] == "Health Canada"
    assert x["metric_value"] == pytest.approx(0.08 * 500 / 70 / 2.3)


def test_fat_basis_without_fat_pct_is_an_error():
    r = results([("a", "sum ndl-PCB-6", 5.0, "ng/g", "fat", False)])
    with pytest.raises(ExposureError, match=r"cannot be expressed per kg of product.*fat"):
        assess(r, adult())
    reg = pd.DataFrame({"sample_id": ["a"], "fat_pct": [5.0]})
    a = assess(r, adult(consumption_unit="kg/day"), register=reg, bounds=["upper"])
    # 5 ng/g fat x 5 % = 0.25 ng/g = 2.5e-4 mg/kg
    assert a.table.loc[0, "concentration_mg_per_kg"] == pytest.approx(2.5e-4)


def test_aflatoxin_m1_uses_afb1_bmdl_and_potency_factor():
    # AFM1 0.05 µg/kg, 0.5 kg/day, 12 kg: EDI = 2.0833e-3 µg/kg bw/day;
    # reference point 0.4 / 0.1 = 4 µg/kg bw/day -> MOE = 1920 < 10 000 -> concern
    r = results([("a", "aflatoxin M1", 0.05, "µg/kg", "wet", False)])
    sc = adult(body_weight_kg=12.0, consumption_unit="kg/day")
    x = row(assess(r, sc), "aflatoxin M1", "upper", "MOE")
    assert x["metric_value"] == pytest.approx(4.0 / (0.05 * 0.5 / 12))
    assert bool(x["concern"]) and "potency factor" in x["guidance_detail"]


def test_analyte_without_guidance_is_reported_not_dropped():
    r = results([("a", "PCB 209", 1.0, "ng/g", "wet", False)])
    a = assess(r, adult())
    assert len(a.table) == 2 and set(a.table["metric"]) == {""}
    assert "no usable" in a.table.loc[0, "note"]


def test_guidance_values_table():
    g = guidance_values()
    # JECFA PTMI 70 pg/kg bw/month = 70/30 pg/kg bw/day
    j = g[(g.body == "JECFA") & (g.value_type == "PTMI") & (g.unit.str.startswith("pg"))]
    assert float(j["daily"].iloc[0]) == pytest.approx(70 / 30 * 1e-9)
    sf = g[(g.body == "US EPA IRIS") & (g.substance == "As") & (g.value_type == "slope factor")]
    assert float(sf["slope"].iloc[0]) == 32.0
    hg = select_guidance("Hg")
    assert hg.loc[0, "form"] == "methylmercury"  # the more sensitive EFSA TWI is listed first
    assert select_guidance("gamma-HCH", allow_unverified=True)["body"].tolist()[0] == "JMPR"
    assert select_guidance("gamma-HCH")["body"].tolist()[0] == "US EPA IRIS"


def test_scenarios_shipped_and_errors(tmp_path):
    sc = load_scenarios()
    assert {"camel-milk-adult", "camel-milk-child"} <= set(sc)
    a = sc["camel-milk-adult"]
    assert a.consumption_status == "assumption" and "EFSA" in a.body_weight_source
    assert a.intake_kg_per_day == pytest.approx(0.38 * 1.03)
    with pytest.raises(ExposureError, match="needs density_kg_per_l"):
        Scenario("x", "adults", body_weight_kg=70, consumption=0.3, consumption_unit="L/day")
    with pytest.raises(ExposureError, match="body weight must be > 0"):
        Scenario("x", "adults", body_weight_kg=0, consumption=0.3, consumption_unit="kg/day")
    bad = tmp_path / "s.toml"
    bad.write_text('[x]\npopulation = "a"\nbody_weight_kg = 60\nconsumption = 1\n'
                   'consumption_unit = "kg/day"\nbodyweight = 3\n', encoding="utf-8")
    with pytest.raises(ExposureError, match=r"s.toml: scenario 'x': unknown keys \['bodyweight'\]"):
        load_scenarios(bad)
    with pytest.raises(ExposureError, match="unknown distribution 'weibull'"):
        Distribution.from_dict({"dist": "weibull"})


# ------------------------------------------------------------------------------ Monte Carlo

def _lognormal_case():
    # C ~ LN(ln 0.05, 0.5) mg/kg; IR ~ LN(ln 0.5, 0.4) kg/day; BW ~ LN(ln 70, 0.2) kg
    # EDI = C IR / BW ~ LN(mu, s), mu = ln(0.05 x 0.5 / 70), s = sqrt(0.25 + 0.16 + 0.04)
    # median EDI = 0.05 x 0.5 / 70 mg = 2.5/7 µg/kg bw/day = the EFSA Cd TWI per day,
    # so P(EDI > TWI/7) = 0.5 exactly.
    sc = Scenario("mc", "adults", body_weight_kg=70, consumption=0.5, consumption_unit="kg/day",
                  body_weight_distribution=Distribution("lognormal",
                                                        {"meanlog": math.log(70), "sdlog": 0.2}),
                  consumption_distribution=Distribution("lognormal",
                                                        {"meanlog": math.log(0.5),
                                                         "sdlog": 0.4}))
    conc = {"Cd": Distribution("lognormal", {"meanlog": math.log(0.05), "sdlog": 0.5})}
    mu = math.log(0.05 * 0.5 / 70 * 1000)  # µg/kg bw/day
    s = math.sqrt(0.25 + 0.16 + 0.04)
    return sc, conc, mu, s


def test_monte_carlo_matches_analytic_lognormal():
    sc, conc, mu, s = _lognormal_case()
    mc = simulate(None, sc, iterations=1_000_000, seed=20240501, concentration=conc,
                  chunk_size=300_000)
    cd = mc.intake.set_index("analyte").loc["Cd"]
    assert cd["mean"] == pytest.approx(math.exp(mu + s * s / 2), rel=5e-3)
    assert cd["p50"] == pytest.approx(math.exp(mu), rel=5e-3)
    assert cd["p95"] == pytest.approx(math.exp(mu + stats.norm.ppf(0.95) * s), rel=1e-2)
    assert cd["p99"] == pytest.approx(math.exp(mu + stats.norm.ppf(0.99) * s), rel=2e-2)
    assert cd["p_exceed"] == pytest.approx(0.5, abs=3e-3)
    hi = mc.intake.set_index("analyte").loc["HI"]
    assert hi["p_exceed"] == pytest.approx(cd["p_exceed"])
    assert hi["mean"] == pytest.approx(cd["mean"] / (2.5 / 7))
    assert cd["contribution"] == 1.0


def test_monte_carlo_is_seeded_and_chunk_invariant():
    sc, conc, _, _ = _lognormal_case()
    a = simulate(None, sc, iterations=50_000, seed=7, concentration=conc, chunk_size=50_000)
    b = simulate(None, sc, iterations=50_000, seed=7, concentration=conc, chunk_size=12_345)
    c = simulate(None, sc, iterations=50_000, seed=8, concentration=conc)
    num = ["mean", "p50", "p95", "p_exceed"]
    pd.testing.assert_frame_equal(a.intake[num], b.intake[num])
    assert not np.allclose(a.intake["mean"], c.intake["mean"])


def test_monte_carlo_fits_censored_lognormal_from_results():
    # 300 samples from LN(ln 0.01, 0.8), non-detects below 0.006: the fit recovers the
    # parameters within sampling error (sd of meanlog ~ 0.8/sqrt(300) = 0.046)
    rng = np.random.default_rng(3)
    x = np.exp(math.log(0.01) + 0.8 * rng.standard_normal(300))
    cens = x < 0.006
    vals = np.where(cens, 0.006, x)
    r = pd.DataFrame({"sample_id": [f"s{i}" for i in range(300)], "analyte": "Pb",
                      "value": vals, "unit": "mg/kg", "basis": "wet", "censored": cens})
    sc = Scenario("f", "adults", body_weight_kg=70, consumption=1.0, consumption_unit="kg/day")
    mc = simulate(r, sc, iterations=200_000, seed=1)
    pb = mc.intake.set_index("analyte").loc["Pb"]
    params = dict(p.split("=") for p in pb["model_params"].split(", "))
    m, sd = float(params["meanlog"]), float(params["sdlog"])
    assert m == pytest.approx(math.log(0.01), abs=0.15)
    assert sd == pytest.approx(0.8, abs=0.12)
    assert "censored lognormal" in pb["concentration_model"]
    # fixed intake 1 kg/day and 70 kg: mean EDI = exp(m + sd²/2) / 70 mg -> µg
    assert pb["mean"] == pytest.approx(math.exp(m + sd * sd / 2) / 70 * 1000, rel=1e-2)
    # threshold for lead: Health Canada risk-specific dose 5e-4 mg/kg bw/day = 0.5 µg (EFSA and
    # JECFA give none); P(EDI > 0.5) = 1 - Phi((ln 0.5 - (m + ln(1000/70))) / sd)
    expected = 1 - stats.norm.cdf((math.log(0.5) - (m + math.log(1000 / 70))) / sd)
    assert pb["p_exceed"] == pytest.approx(expected, abs=5e-3)
    assert "Health Canada" in pb["guidance"]
    assert pb["moe_at_p95"] == pytest.approx(0.5 / pb["p95"])


def test_monte_carlo_second_dimension_and_empirical():
    rng = np.random.default_rng(4)
    x = np.exp(math.log(0.02) + 0.5 * rng.standard_normal(40))
    r = pd.DataFrame({"sample_id": [f"s{i}" for i in range(40)], "analyte": "Cd", "value": x,
                      "unit": "mg/kg", "basis": "wet", "censored": False})
    sc = load_scenarios()["camel-milk-child"]
    mc = simulate(r, sc, iterations=20_000, seed=2, uncertainty_iterations=5)
    u = mc.uncertainty
    assert set(u["quantile"]) == {0.025, 0.5, 0.975}
    cd = u[u.analyte == "Cd"].set_index("quantile")["mean"]
    assert cd[0.025] <= cd[0.5] <= cd[0.975]
    emp = simulate(r, sc, iterations=20_000, seed=2, concentration="empirical")
    assert "bootstrap" in emp.intake.loc[0, "concentration_model"]


def test_monte_carlo_errors():
    sc, conc, _, _ = _lognormal_case()
    with pytest.raises(ExposureError, match="need about .* MB"):
        simulate(None, sc, iterations=10_000_000, concentration=conc, max_memory_mb=10)
    with pytest.raises(ExposureError, match="results are needed"):
        simulate(None, sc, iterations=10)
    r = results([("a", "Cd", 0.01, "mg/kg", "wet", False), ("b", "Cd", 0.01, "mg/kg", "wet",
                                                            True)])
    with pytest.raises(ExposureError, match=r"Cd: the censored lognormal fit failed.*2 "
                                             r"distinct detect.*empirical"):
        simulate(r, sc, iterations=10)


def test_sum_rows_from_teq_are_used_at_their_own_bound():
    # two congeners: TCDD 1.0 pg/g wet (detected), PeCDD < 0.5 (TEF 1):
    # LB TEQ 1.0, MB 1.25, UB 1.5 pg/g; 0.5 kg/day, 70 kg, EFSA TWI 2 pg/kg bw/week:
    # HQ_b = TEQ_b x 500 / 70 / (2/7) -> LB 25.0, MB 31.25, UB 37.5
    from labtox.teq import teq

    r = pd.DataFrame({"sample_id": ["a", "a"], "analyte": ["2,3,7,8-TCDD", "1,2,3,7,8-PeCDD"],
                      "value": [1.0, 0.5], "unit": "pg/g", "basis": "wet",
                      "censored": [False, True]})
    t = teq(r, bound="all", sums=["sum PCDD/F+dl-PCB-TEQ"])
    sc = adult(consumption=0.5, consumption_unit="kg/day")
    a = assess(t, sc, bounds=["lower", "medium", "upper"])
    got = [row(a, "sum PCDD/F+dl-PCB-TEQ", b, "HQ")["metric_value"]
           for b in ("lower", "medium", "upper")]
    assert got == pytest.approx([25.0, 31.25, 37.5])


@pytest.mark.parametrize(("bound", "expected"), [
    # KM by hand for 0.5*, 0.5, 1, 1.5*, 5, 10, 100 (* non-detect), stepping down from the top:
    # F(100) = 1, F(10) = 6/7, F(5) = 6/7 x 5/6 = 5/7, F(1) = 5/7 x 4/5 = 4/7,
    # F(0.5) = 4/7 x 2/3 = 8/21: masses 1/7 at 100, 10 and 5, 4/21 at 1, 4/21 at 0.5 and
    # 4/21 below 0.5. Upper bound (below-mass at 0.5): mean = 115/7 + 4/21 + 0.5 x 8/21
    # = 16.8095 (NADA mean(cenfit)); lower bound (at 0): 16.8095 - 0.5 x 4/21 = 16.7143.
    ("upper", 115 / 7 + 4 / 21 + 0.5 * 8 / 21),
    ("lower", 115 / 7 + 4 / 21 + 0.5 * 4 / 21),
])
def test_km_bootstrap_mean(bound, expected):
    r = pd.DataFrame({"sample_id": list("abcdefg"), "analyte": "Pb",
                      "value": [0.5, 0.5, 1, 1.5, 5, 10, 100], "unit": "mg/kg", "basis": "wet",
                      "censored": [True, False, False, True, False, False, False]})
    sc = Scenario("u", "unit", body_weight_kg=1.0, consumption=1.0, consumption_unit="kg/day")
    mc = simulate(r, sc, iterations=400_000, seed=11, concentration="km-bootstrap", bound=bound)
    pb = mc.intake.set_index("analyte").loc["Pb"]
    # EDI = C x 1 kg/day / 1 kg, in µg/kg bw/day = 1000 x mg/kg; MC s.e. ~ 34/sqrt(4e5) = 0.05
    assert pb["mean"] / 1000 == pytest.approx(expected, rel=1.5e-2)
    assert "Kaplan-Meier" in pb["concentration_model"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(1e-4, 1.0), st.booleans()), min_size=1, max_size=8),
       st.floats(0.01, 2.0), st.floats(5.0, 120.0))
def test_bounds_are_ordered_and_edi_scales(data, intake, bw):
    r = pd.DataFrame([{"sample_id": f"s{i}", "analyte": "Cd", "value": v, "unit": "mg/kg",
                       "basis": "wet", "censored": c} for i, (v, c) in enumerate(data)])
    sc = Scenario("h", "x", body_weight_kg=bw, consumption=intake, consumption_unit="kg/day")
    t = assess(r, sc, bounds=["lower", "medium", "upper"]).table.set_index("bound")
    lb, mb, ub = (t.loc[b, "edi_ug_per_kg_bw_day"] for b in ("lower", "medium", "upper"))
    assert lb <= mb <= ub
    ub_hand = np.mean([v for v, _ in data]) * intake / bw * 1000
    assert ub == pytest.approx(ub_hand)


def test_hazard_index_counts_each_substance_once():
    # A congener inside an assessed sum, and a sum inside a wider sum, would count the same
    # intake twice (WHO EHC 240 §6.2): only Pb, the DDT sum and the widest TEQ sum remain.
    from labtox.exposure import hi_components

    kept = hi_components(["Pb", "p,p'-DDT", "p,p'-DDE", "sum DDT", "2,3,7,8-TCDD",
                          "sum PCDD/F-TEQ", "sum dl-PCB-TEQ", "sum PCDD/F+dl-PCB-TEQ"])
    assert kept == {"Pb", "sum DDT", "sum PCDD/F+dl-PCB-TEQ"}
    # without the sums, the members themselves count
    assert hi_components(["p,p'-DDT", "2,3,7,8-TCDD"]) == {"p,p'-DDT", "2,3,7,8-TCDD"}
