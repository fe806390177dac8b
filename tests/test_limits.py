"""Compliance decisions on hand-worked cases (Eurachem/CITAC 2021, ILAC G8, EU fat rule)."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from labtox.errors import AnalyteError, LimitsError
from labtox.limits import (
    MATRICES,
    compare,
    decide,
    load_limits,
    loq_criterion,
    matrix_of,
    reference_dir,
    resolve_analyte,
)


def res(**kw):
    base = {"sample_id": "M1", "analyte": "Pb", "value": 0.01, "unit": "mg/kg", "basis": "wet",
            "censored": False, "detection": "detected", "lod": np.nan, "loq": np.nan,
            "u_expanded": np.nan, "coverage_k": 2.0, "product": "raw camel milk"}
    rows = kw.pop("rows", None)
    if rows is None:
        rows = [kw]
    return pd.DataFrame([{**base, **r} for r in rows])


# --------------------------------------------------------------------------- decision rules
# Exact binary fractions so that boundaries are tested exactly: L = 1, U = 0.25.

@pytest.mark.parametrize(("x", "expected"), [
    (0.5, "compliant"), (1.0, "compliant"),  # x = L is compliant ("not more than")
    (1.0 + 2 ** -20, "non-compliant"), (2.0, "non-compliant"),
])
def test_simple_acceptance(x, expected):
    # ILAC G8 simple acceptance: w = 0, uncertainty ignored
    assert decide(x, 0.25, 1.0, rule="simple") == expected


@pytest.mark.parametrize(("x", "expected"), [
    (0.5, "compliant"),
    (0.75, "compliant"),       # x + U = 1.00 = L -> compliant (boundary)
    (0.875, "inconclusive"),   # 0.875 +/- 0.25 straddles L
    (1.0, "inconclusive"),
    (1.25, "inconclusive"),    # x - U = 1.00 = L: not beyond the limit (boundary)
    (1.5, "non-compliant"),    # x - U = 1.25 > L
])
def test_guard_band(x, expected):
    assert decide(x, 0.25, 1.0, rule="guard-band") == expected


def test_guard_band_width_is_a_multiple_of_u():
    # g = 2U = 0.5: 0.75 + 0.5 > 1 -> no longer compliant
    assert decide(0.75, 0.25, 1.0, rule="guard-band", guard_band=2.0) == "inconclusive"
    assert decide(0.5, 0.25, 1.0, rule="guard-band", guard_band=2.0) == "compliant"


@pytest.mark.parametrize(("x", "expected"), [
    (0.875, "compliant"), (1.25, "compliant"),  # x - U = L: benefit of the doubt
    (1.25 + 2 ** -20, "non-compliant"),
])
def test_beyond_reasonable_doubt(x, expected):
    assert decide(x, 0.25, 1.0, rule="beyond-reasonable-doubt") == expected


@pytest.mark.parametrize("rule", ["simple", "guard-band", "beyond-reasonable-doubt"])
def test_non_detects(rule):
    # "< 0.5" against L = 1: true value below 0.5 -> compliant; "< 1" = L: compliant;
    # "< 2" against L = 1: could be either -> not-decidable, whatever the rule
    assert decide(0.5, np.nan, 1.0, censored=True, rule=rule) == "compliant"
    assert decide(1.0, np.nan, 1.0, censored=True, rule=rule) == "compliant"
    assert decide(2.0, np.nan, 1.0, censored=True, rule=rule) == "not-decidable"


def test_unknown_rule_message():
    with pytest.raises(LimitsError, match=r"unknown decision rule 'strict'.*Expected simple, "
                                          r"guard-band, beyond-reasonable-doubt"):
        decide(1, 0, 1, rule="strict")


@given(x=st.floats(0, 10), u=st.floats(0, 5), lim=st.floats(0.01, 10))
def test_rules_are_ordered(x, u, lim):
    """guard-band 'compliant' implies compliant under the others; its 'non-compliant' implies
    non-compliant under beyond-reasonable-doubt and simple."""
    g = decide(x, u, lim, rule="guard-band")
    s = decide(x, u, lim, rule="simple")
    b = decide(x, u, lim, rule="beyond-reasonable-doubt")
    if g == "compliant":
        assert s == b == "compliant"
    if g == "non-compliant":
        assert s == b == "non-compliant"
    if b == "non-compliant":
        assert s == "non-compliant"


# --------------------------------------------------------------------------- compare()

def test_compare_lead_all_regimes_units_and_ratio():
    # 25 ug/kg Pb, U = 5 ug/kg: EU/Codex 0.020 mg/kg -> ratio 1.25; EAEU 0.1 -> 0.25
    r = res(value=25.0, unit="µg/kg", u_expanded=5.0)
    c = compare(r, load_limits(), rule="guard-band")
    t = c.table.set_index("regime")
    assert t.loc["EU", "ratio"] == pytest.approx(1.25)
    assert t.loc["Codex", "ratio"] == pytest.approx(1.25)
    assert t.loc["EAEU", "ratio"] == pytest.approx(0.25)
    # EU: 0.025 - 0.005 = 0.020 = L -> not beyond: inconclusive
    assert t.loc["EU", "decision"] == "inconclusive"
    assert t.loc["EAEU", "decision"] == "compliant"
    assert t.loc["EU", "compared_value"] == pytest.approx(0.025)
    assert t.loc["EU", "compared_u"] == pytest.approx(0.005)
    assert t.loc["EU", "status"] == "confirmed-secondary"
    assert t.loc["EAEU", "status"] == "confirmed-primary"
    assert "does not distinguish" in t.loc["EU", "notes"]
    assert set(c.table.columns) >= {"regime", "instrument", "provision", "limit", "limit_unit",
                                    "basis", "ratio", "decision", "rule", "status"}
    assert c.to_frame().equals(c.table) and c.to_frame() is not c.table


def test_compare_beyond_reasonable_doubt_end_to_end():
    r = res(value=0.035, u_expanded=0.01)  # 0.035 - 0.010 = 0.025 > 0.020
    t = compare(r, load_limits(["EU"]), rule="beyond-reasonable-doubt").table
    assert t["decision"].tolist() == ["non-compliant"]
    r = res(value=0.028, u_expanded=0.01)  # 0.018 <= 0.020 -> compliant
    t = compare(r, load_limits(["EU"]), rule="beyond-reasonable-doubt").table
    assert t["decision"].tolist() == ["compliant"]


def test_missing_uncertainty_is_flagged_not_hidden():
    t = compare(res(value=0.03), load_limits(["EU"]), rule="guard-band").table
    assert t.loc[0, "decision"] == "non-compliant"
    assert "no expanded uncertainty" in t.loc[0, "flags"]


def test_non_detect_not_decidable_and_compliant():
    # "< 0.05 mg/kg": above the EU 0.020 -> not-decidable; below the EAEU 0.1 -> compliant
    r = res(value=0.05, censored=True, detection="<LOQ", loq=0.05)
    t = compare(r, load_limits(["EU", "EAEU"])).table.set_index("regime")
    assert t.loc["EU", "decision"] == "not-decidable"
    assert "non-detect" in t.loc["EU", "flags"]
    assert t.loc["EAEU", "decision"] == "compliant"


def test_method_fitness_lead_333_2007():
    # Reg. 333/2007 as replaced by 2022/2418: Pb ML <= 0.02 -> LOQ <= ML; ML >= 0.1 -> 1/5 ML
    assert loq_criterion("Pb", 0.02)[0] == pytest.approx(0.02)
    assert loq_criterion("Pb", 0.05)[0] == pytest.approx(0.05 * 2 / 3)
    assert loq_criterion("Pb", 0.1)[0] == pytest.approx(0.02)
    assert loq_criterion("Cd", 0.03)[0] == pytest.approx(0.012)   # 2/5
    assert loq_criterion("Hg", 0.005)[0] == pytest.approx(0.002)  # 2/5
    assert loq_criterion("As", 0.05)[0] == pytest.approx(0.05 * 2 / 3)
    assert "default" in loq_criterion("aflatoxin M1", 0.05)[1]
    r = res(value=0.01, loq=0.025)
    t = compare(r, load_limits(["EU", "EAEU"])).table.set_index("regime")
    assert t.loc["EU", "method_fit"] == "LOQ too high"       # 0.025 > 0.020
    assert t.loc["EAEU", "method_fit"] == "LOQ too high"     # 0.025 > 0.1/5
    assert "333/2007" in t.loc["EU", "flags"]
    r = res(value=0.01, loq=0.015)
    t = compare(r, load_limits(["EU", "EAEU"])).table
    assert set(t["method_fit"]) == {"ok"}
    r = res(analyte="Cd", value=0.005, loq=0.013)
    t = compare(r, load_limits(["EAEU"])).table
    assert t.loc[0, "method_fit"] == "LOQ too high"  # 0.013 > 0.4 * 0.03 = 0.012


def test_fat_basis_and_eu_two_percent_rule():
    # PCDD/F-TEQ 3.0 pg/g fat in a milk with 1.5 % fat (EU ML 2.0 pg/g fat):
    # fat < 2 %: ML on product basis = 2.0 x 0.02 = 0.04 pg/g; result = 3.0 x 0.015 = 0.045
    r = res(analyte="sum PCDD/F-TEQ", value=3.0, unit="pg/g", basis="fat", fat_pct=1.5)
    t = compare(r, load_limits(["EU"])).table.set_index("analyte")
    row = t.loc["sum PCDD/F-TEQ"]
    assert row["basis"] == "wet"
    assert row["limit"] == pytest.approx(0.04)
    assert row["compared_value"] == pytest.approx(0.045)
    assert row["ratio"] == pytest.approx(1.125)
    assert row["decision"] == "non-compliant"
    assert "0.02" in row["notes"]
    # 0.1 pg/g whole milk at 4 % fat = 2.5 pg/g fat: EU 2.0 -> non-compliant,
    # EAEU 0.000003 mg/kg fat = 3 pg/g fat -> ratio 2.5/3
    r = res(analyte="sum PCDD/F-TEQ", value=0.1, unit="pg/g", basis="wet", fat_pct=4.0)
    t = compare(r, load_limits(["EU", "EAEU"])).table.set_index("regime")
    assert t.loc["EU", "compared_value"] == pytest.approx(2.5)
    assert t.loc["EU", "decision"] == "non-compliant"
    assert t.loc["EAEU", "ratio"] == pytest.approx(2.5 / 3.0)
    assert t.loc["EAEU", "decision"] == "compliant"
    assert "unverified" in t.loc["EU", "flags"]  # the 2.0 value is unverified
    assert t.loc["EU", "status"] == "unverified"


def test_fat_basis_needs_fat_pct():
    r = res(analyte="sum ndl-PCB-6", value=1.0, unit="ng/g", basis="wet")
    t = compare(r, load_limits(["EU"])).table
    assert t.loc[0, "decision"] == "not-decidable"
    assert "fat %" in t.loc[0, "flags"]


def test_register_supplies_product_and_fat():
    r = res(analyte="sum ndl-PCB-6", value=1.8, unit="ng/g", basis="wet", product=None)
    reg = pd.DataFrame({"sample_id": ["M1"], "product": ["shubat"], "fat_pct": [4.5]})
    t = compare(r, load_limits(["EU"]), register=reg).table
    # 1.8 / 0.045 = 40 ng/g fat = L -> compliant; fermented milk is a 'dairy product' here
    assert t.loc[0, "compared_value"] == pytest.approx(40.0)
    assert t.loc[0, "decision"] == "compliant"
    assert t.loc[0, "matrix"] == "fermented-milk"


def test_shubat_in_eu_uses_milk_entry_with_stated_choice():
    t = compare(res(product="shubat", value=0.01), load_limits(["EU", "EAEU"])).table
    t = t.set_index("regime")
    assert "processing factor 1" in t.loc["EU", "notes"]
    assert "Art. 3" in t.loc["EU", "notes"]
    assert "Annex 3" in t.loc["EAEU", "provision"]   # EAEU lists fermented milk explicitly


def test_unmatched_results_are_reported_with_the_cited_no_limit():
    r = res(rows=[{"analyte": "Cd", "value": 0.001}, {"analyte": "Zn", "value": 5.0}])
    c = compare(r, load_limits(["EU"]))
    assert c.table.empty
    reasons = dict(zip(c.unmatched["analyte"], c.unmatched["reason"], strict=True))
    assert "no limit" in reasons["Cd"] and "2023/915" in reasons["Cd"]
    assert "no limit in the loaded regimes" in reasons["Zn"]


def test_unknown_matrix_goes_to_unmatched():
    c = compare(res(product="honey"), load_limits(["EU"]))
    assert c.table.empty and "matrix unknown" in c.unmatched.loc[0, "reason"]


def test_teq_20_percent_rule_downgrades_exceedance():
    # UB 2.5 > 2.0 but LB 1.5: gap 40 % > 20 % -> exceedance not confirmed
    r = res(analyte="sum PCDD/F-TEQ", value=2.5, unit="pg/g", basis="fat", fat_pct=4.0,
            bound="upper", scheme="WHO2005", ub_lb_gap_pct=40.0)
    t = compare(r, load_limits(["EU"])).table
    assert t.loc[0, "decision"] == "inconclusive"
    assert "2017/644" in t.loc[0, "flags"]
    r["ub_lb_gap_pct"] = 7.7
    assert compare(r, load_limits(["EU"])).table.loc[0, "decision"] == "non-compliant"


def test_sum_rows_at_other_bounds_are_not_judged_against_upper_bound_limits():
    r = res(rows=[{"analyte": "sum ndl-PCB-6", "value": v, "unit": "ng/g", "basis": "fat",
                   "bound": b, "fat_pct": 4.0} for v, b in ((30.0, "lower"), (41.0, "upper"))])
    t = compare(r, load_limits(["EU"])).table
    assert t["bound"].tolist() == ["upper"] and t["decision"].tolist() == ["non-compliant"]


def test_applicable_history_and_infant_formula_forms():
    ls = load_limits(["EU"])
    now = ls.applicable("sum PCDD/F-TEQ", "raw-milk")
    assert [x.limit for x in now] == [2.0]
    old = ls.applicable("sum PCDD/F-TEQ", "raw-milk", on="2020-06-01")
    assert [x.limit for x in old] == [2.5]
    powder = ls.applicable("Pb", "infant-formula", "infant formula, powder")
    liquid = ls.applicable("Pb", "infant-formula", "liquid infant formula")
    assert [x.limit for x in powder] == [0.02] and [x.limit for x in liquid] == [0.01]
    assert len(ls.applicable("Pb", "infant-formula")) == 2


def test_camel_species_note_and_unknown_matrix_error():
    ls = load_limits(["Codex"])
    (lim,) = ls.applicable("Pb", "raw-milk", "camel milk")
    assert "does not distinguish" in lim.derivation
    with pytest.raises(LimitsError, match="unknown matrix 'milk'"):
        ls.applicable("Pb", "milk")


def test_matrix_of():
    assert matrix_of("Шубат") == "fermented-milk"
    assert matrix_of("raw camel milk") == "raw-milk"
    assert matrix_of("UHT milk") == "heat-treated-milk"
    assert matrix_of(None) is None and matrix_of("honey") is None
    assert all(matrix_of(m) == m for m in MATRICES)


def test_resolve_analyte():
    assert resolve_analyte("Lead") == "Pb"
    assert resolve_analyte("sum DDT") == "sum DDT"
    with pytest.raises(AnalyteError, match="Did you mean sum DDT"):
        resolve_analyte("sum DDTs")


def test_load_limits_errors(tmp_path):
    with pytest.raises(LimitsError, match="unknown regime 'FDA'"):
        load_limits(["FDA"])
    d = tmp_path / "ref"
    shutil.copytree(reference_dir(), d)
    p = d / "eu_2023_915.csv"
    text = p.read_text(encoding="utf-8").replace(",0.020,mg/kg,wet,", ",0.020,mg/kgg,wet,", 1)
    p.write_text(text, encoding="utf-8")
    with pytest.raises(LimitsError) as exc:
        load_limits(["EU"], directory=d)
    msg = str(exc.value)
    assert "eu_2023_915.csv, line 2, column unit" in msg and "'mg/kgg'" in msg
    (d / "codex_cxs_193_1995.csv").unlink()
    with pytest.raises(LimitsError, match="a limit table is missing"):
        load_limits(["Codex"], directory=d)


def test_compare_input_errors():
    with pytest.raises(LimitsError, match="lacks columns compare"):
        compare(pd.DataFrame({"sample_id": ["a"]}), load_limits(["EU"]))
    with pytest.raises(LimitsError, match="unknown matrix"):
        compare(res(), load_limits(["EU"]), matrix="soup")


def test_volume_units_need_density():
    r = res(value=20.0, unit="µg/L")
    t = compare(r, load_limits(["EU"])).table
    assert t.loc[0, "decision"] == "not-decidable" and "density" in t.loc[0, "flags"]
    t = compare(r, load_limits(["EU"]), density=1.0).table
    assert t.loc[0, "ratio"] == pytest.approx(1.0) and t.loc[0, "decision"] == "compliant"
    assert not math.isnan(t.loc[0, "compared_value"])
