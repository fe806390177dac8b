"""TEQ and sum parameters against a congener set worked by hand (WHO-2005 and WHO-2022 TEFs)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from labtox.errors import LimitsError
from labtox.limits import compare, load_limits
from labtox.teq import SUM_PARAMETERS, sum_parameter, tef_table, teq


def congeners() -> pd.DataFrame:
    """Sample S1, pg/g fat (WHO-2005 TEF in brackets):

    2,3,7,8-TCDD       0.20          [1]       -> 0.200
    1,2,3,7,8-PeCDD    < 0.10 (LOQ)  [1]       -> LB 0, MB 0.050, UB 0.100
    2,3,4,7,8-PeCDF    0.50          [0.3]     -> 0.150
    OCDD               10.0          [0.0003]  -> 0.003
    PCB 126            2.0           [0.1]     -> 0.200
    PCB 169            < 1.0         [0.03]    -> LB 0, MB 0.015, UB 0.030
    PCB 118            500 pg/g = 0.5 ng/g (given in ng/g) [0.00003] -> 0.015
    """
    rows = [
        ("2,3,7,8-TCDD", 0.20, "pg/g", False, "detected", 0.05),
        ("1,2,3,7,8-PeCDD", 0.10, "pg/g", True, "<LOQ", 0.10),
        ("2,3,4,7,8-PeCDF", 0.50, "pg/g", False, "detected", 0.05),
        ("OCDD", 10.0, "pg/g", False, "detected", 0.5),
        ("PCB 126", 2.0, "pg/g", False, "detected", 0.2),
        ("PCB 169", 1.0, "pg/g", True, "<LOQ", 1.0),
        ("PCB 118", 0.5, "ng/g", False, "detected", 0.01),
    ]
    return pd.DataFrame([{"sample_id": "S1", "analyte": a, "cas": "", "value": v, "unit": u,
                          "basis": "fat", "censored": c, "detection": d, "lod": np.nan,
                          "loq": q, "u_expanded": np.nan, "coverage_k": 2.0,
                          "product": "raw milk"} for a, v, u, c, d, q in rows])


def _get(t: pd.DataFrame, name: str, bound: str) -> pd.Series:
    sel = t[(t["analyte"] == name) & (t["bound"] == bound)]
    assert len(sel) == 1
    return sel.iloc[0]


def test_teq_who2005_hand_worked():
    t = teq(congeners(), "WHO2005", bound="all")
    # PCDD/F: LB 0.200 + 0.150 + 0.003 = 0.353; MB + 0.050 = 0.403; UB + 0.100 = 0.453
    assert _get(t, "sum PCDD/F-TEQ", "lower")["value"] == pytest.approx(0.353)
    assert _get(t, "sum PCDD/F-TEQ", "medium")["value"] == pytest.approx(0.403)
    assert _get(t, "sum PCDD/F-TEQ", "upper")["value"] == pytest.approx(0.453)
    # dl-PCB: LB 0.200 + 0.015 = 0.215; MB + 0.015 = 0.230; UB + 0.030 = 0.245
    assert _get(t, "sum dl-PCB-TEQ", "lower")["value"] == pytest.approx(0.215)
    assert _get(t, "sum dl-PCB-TEQ", "medium")["value"] == pytest.approx(0.230)
    assert _get(t, "sum dl-PCB-TEQ", "upper")["value"] == pytest.approx(0.245)
    # total: LB 0.568, MB 0.633, UB 0.698
    tot = "sum PCDD/F+dl-PCB-TEQ"
    assert _get(t, tot, "lower")["value"] == pytest.approx(0.568)
    assert _get(t, tot, "medium")["value"] == pytest.approx(0.633)
    assert _get(t, tot, "upper")["value"] == pytest.approx(0.698)
    # 2017/644 20 % rule: total (0.698 - 0.568)/0.698 = 18.6 % ok; PCDD/F 0.1/0.453 = 22.1 %
    assert _get(t, tot, "upper")["ub_lb_gap_pct"] == pytest.approx(0.130 / 0.698 * 100)
    assert _get(t, tot, "upper")["ub_lb_check"] == "ok"
    assert _get(t, "sum PCDD/F-TEQ", "lower")["ub_lb_check"] == "exceeds 20 %"
    row = _get(t, tot, "upper")
    assert (row["n_congeners"], row["n_censored"], row["n_expected"]) == (7, 2, 29)
    assert row["unit"] == "pg/g" and row["basis"] == "fat" and row["scheme"] == "WHO2005"
    assert not row["censored"] and "OCDF" in row["missing"]


def test_teq_who2022_hand_worked():
    # WHO-2022: TCDD 1, PeCDD 0.4, 2,3,4,7,8-PeCDF 0.1, OCDD 0.001
    # LB 0.20 + 0.05 + 0.01 = 0.26; UB + 0.4*0.10 = 0.30
    t = teq(congeners(), "WHO2022", bound=["LB", "UB"], sums=["sum PCDD/F-TEQ"])
    assert t["value"].tolist() == pytest.approx([0.26, 0.30])
    assert set(t["scheme"]) == {"WHO2022"}


def test_ndl_pcb_6_bounds_and_units():
    # ng/g fat: PCB 28 < 0.5, 52 1.0, 101 2.0, 138 3.0, 153 4000 pg/g (= 4.0 ng/g), 180 < 0.5
    # LB = 10.0; MB = 10.5; UB = 11.0
    vals = [("PCB 28", 0.5, "ng/g", True), ("PCB 52", 1.0, "ng/g", False),
            ("PCB 101", 2.0, "ng/g", False), ("PCB 138", 3.0, "ng/g", False),
            ("PCB 153", 4000.0, "pg/g", False), ("PCB 180", 0.5, "ng/g", True)]
    r = pd.DataFrame([{"sample_id": "S9", "analyte": a, "value": v, "unit": u, "basis": "fat",
                       "censored": c} for a, v, u, c in vals])
    out = {b: sum_parameter(r, "sum ndl-PCB-6", b)["value"].iloc[0]
           for b in ("lower", "medium", "upper")}
    assert out == pytest.approx({"lower": 10.0, "medium": 10.5, "upper": 11.0})
    row = sum_parameter(r, "sum ndl-PCB-6", "upper").iloc[0]
    assert row["unit"] == "ng/g" and row["missing"] == "" and row["ub_lb_check"] == "n/a"


def test_ddt_and_hch_with_lod_uses_loq_for_upper_bound():
    # p,p'-DDE 5 detected; p,p'-DDT < 1 -> DDT LB 5, UB 6; four isomers missing
    # gamma-HCH '<LOD' value 0.3 (the LOD) with LOQ 1.0: 2017/644 upper bound uses the LOQ
    r = pd.DataFrame([
        {"sample_id": "A", "analyte": "p,p'-DDE", "value": 5.0, "unit": "µg/kg",
         "basis": "wet", "censored": False, "detection": "detected", "loq": 1.0},
        {"sample_id": "A", "analyte": "p,p'-DDT", "value": 1.0, "unit": "µg/kg",
         "basis": "wet", "censored": True, "detection": "<LOQ", "loq": 1.0},
        {"sample_id": "A", "analyte": "gamma-HCH", "value": 0.3, "unit": "µg/kg",
         "basis": "wet", "censored": True, "detection": "<LOD", "loq": 1.0},
    ])
    t = teq(r, bound="all")
    assert _get(t, "sum DDT", "lower")["value"] == pytest.approx(5.0)
    assert _get(t, "sum DDT", "upper")["value"] == pytest.approx(6.0)
    assert _get(t, "sum DDT", "upper")["n_congeners"] == 2
    assert "o,p'-DDT" in _get(t, "sum DDT", "upper")["missing"]
    hch = _get(t, "sum HCH", "upper")
    assert hch["value"] == pytest.approx(1.0) and bool(hch["censored"])
    assert _get(t, "sum HCH", "medium")["value"] == pytest.approx(0.5)
    assert _get(t, "sum HCH", "lower")["value"] == 0.0


def test_uncertainty_propagates_in_quadrature():
    # U(TCDD) = 0.04 (TEF 1); U(2,3,4,7,8-PeCDF) = 0.1 -> 0.03 after TEF 0.3: sqrt(.04²+.03²)=.05
    r = congeners()
    r = r[r["analyte"].isin(["2,3,7,8-TCDD", "2,3,4,7,8-PeCDF", "1,2,3,7,8-PeCDD"])].copy()
    r["u_expanded"] = [0.04, np.nan, 0.1]  # the censored PeCDD contributes no U
    t = teq(r, sums=["sum PCDD/F-TEQ"])
    assert t.loc[0, "u_expanded"] == pytest.approx(0.05)
    assert t.loc[0, "coverage_k"] == 2.0


def test_teq_feeds_compare():
    # S2: TCDD 1.5, PeCDD < 1.0: UB 2.5 > 2.0 but LB 1.5 (gap 40 %) -> inconclusive;
    # S3: TCDD 2.4, PeCDD < 0.2: UB 2.6, LB 2.4 (gap 7.7 %) -> non-compliant
    rows = []
    for sid, tcdd, pecdd in (("S2", 1.5, 1.0), ("S3", 2.4, 0.2)):
        rows += [{"sample_id": sid, "analyte": "2,3,7,8-TCDD", "value": tcdd, "unit": "pg/g",
                  "basis": "fat", "censored": False, "product": "raw milk", "fat_pct": 4.0},
                 {"sample_id": sid, "analyte": "1,2,3,7,8-PeCDD", "value": pecdd,
                  "unit": "pg/g", "basis": "fat", "censored": True, "product": "raw milk",
                  "fat_pct": 4.0}]
    sums = teq(pd.DataFrame(rows), bound="all", sums=["sum PCDD/F-TEQ"])
    c = compare(sums, load_limits(["EU"]))
    d = dict(zip(c.table["sample_id"], c.table["decision"], strict=True))
    assert d == {"S2": "inconclusive", "S3": "non-compliant"}
    assert set(c.table["bound"]) == {"upper"}


def test_errors():
    r = congeners()
    with pytest.raises(LimitsError, match="unknown TEF scheme 'WHO1998'.*not shipped"):
        teq(r, "WHO1998")
    with pytest.raises(LimitsError, match="unknown bound 'max'"):
        teq(r, bound="max")
    with pytest.raises(LimitsError, match="unknown sum parameter"):
        teq(r, sums=["sum PCBs"])
    dup = pd.concat([r, r.iloc[[0]]])
    with pytest.raises(LimitsError, match="more than one result for 2,3,7,8-TCDD"):
        teq(dup)
    mixed = r.copy()
    mixed.loc[0, "basis"] = "wet"
    with pytest.raises(LimitsError, match="mixes bases"):
        teq(mixed, sums=["sum PCDD/F-TEQ"])
    with pytest.raises(LimitsError, match="lacks columns"):
        teq(r.drop(columns=["censored"]))


def test_tef_tables_match_published_values():
    # Van den Berg et al. 2006 and DeVito et al. 2024 (Health Canada TRV v4.0 Table 4)
    t05 = tef_table("WHO2005").set_index("analyte")["tef"]
    t22 = tef_table("WHO2022").set_index("analyte")["tef"]
    assert (t05["OCDD"], t05["1,2,3,7,8-PeCDF"], t05["PCB 169"]) == (0.0003, 0.03, 0.03)
    assert (t22["1,2,3,7,8-PeCDD"], t22["1,2,3,4,7,8-HxCDF"], t22["PCB 126"]) == (0.4, 0.3, 0.05)
    assert len(t05) == len(t22) == 29
    for name in ("sum PCDD/F-TEQ", "sum dl-PCB-TEQ", "sum PCDD/F+dl-PCB-TEQ"):
        assert set(SUM_PARAMETERS[name].members) <= set(t05.index)


@given(st.lists(st.tuples(st.floats(0.01, 100), st.booleans()), min_size=1, max_size=6))
def test_bounds_are_ordered(data):
    names = SUM_PARAMETERS["sum ndl-PCB-6"].members
    r = pd.DataFrame([{"sample_id": "X", "analyte": names[i], "value": v, "unit": "ng/g",
                       "basis": "fat", "censored": c} for i, (v, c) in enumerate(data)])
    t = teq(r, bound="all")
    lb, mb, ub = (t[t["bound"] == b]["value"].iloc[0] for b in ("lower", "medium", "upper"))
    assert lb <= mb <= ub
    assert ub == pytest.approx(sum(v for v, _ in data))
