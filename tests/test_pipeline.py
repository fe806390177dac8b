"""The pipeline on a small batch whose every number is worked by hand.

Calibration: signal = 100 + 1000·c (c in µg/L) exactly, so inverse prediction is c = (s − 100)/1000
with zero residuals. Method blanks read 110 and 130 cps → 0.01 and 0.03 µg/L: mean 0.02 µg/L is
subtracted; s = 0.0141421 µg/L, LOD = 3s = 0.0424264 µg/L, LOQ = 10s = 0.141421 µg/L (solution).
Preparation: 0.5 g to 50 mL → factor 0.050 L / 0.0005 kg = 100 (µg/L → µg/kg) = 0.1 (→ mg/kg).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from labtox.method import Method
from labtox.pipeline import analyse
from labtox.run import Run

DATA = Path(__file__).parent / "data" / "pipeline"
S = np.std([0.01, 0.03], ddof=1)  # 0.0141421356 µg/L


def _run(tmp_path) -> Run:
    rows = [
        # sequence, sample_id, type, analyte, channel, signal, level, rejected
        (1, "CalBlk", "calibration_blank", "Pb", "208Pb [He]", 100.0, "1", False),
        (2, "Std 1", "calibration", "Pb", "208Pb [He]", 1100.0, "2", False),
        (3, "Std 2", "calibration", "Pb", "208Pb [He]", 2100.0, "3", False),
        (4, "Std 5", "calibration", "Pb", "208Pb [He]", 5100.0, "4", False),
        (5, "Blank 1", "blank", "Pb", "208Pb [He]", 110.0, None, False),
        (6, "Blank 2", "blank", "Pb", "208Pb [He]", 130.0, None, False),
        (7, "A", "sample", "Pb", "208Pb [He]", 600.0, None, False),
        (8, "B", "sample", "Pb", "208Pb [He]", 120.0, None, False),
        (9, "C", "sample", "Pb", "208Pb [He]", 300.0, None, False),
        (10, "A DUP", "duplicate", "Pb", "208Pb [He]", 650.0, None, False),
        (11, "A SPK", "spike", "Pb", "208Pb [He]", 1600.0, None, False),
        (12, "CCV", "ccv", "Pb", "208Pb [He]", 1100.0, None, False),
        (13, "D", "sample", "Pb", "208Pb [He]", float("nan"), None, True),
        (7, "A", "sample", "Li", "7Li [No Gas]", 5000.0, None, False),
    ]
    df = pd.DataFrame(rows, columns=["sequence", "sample_id", "sample_type", "analyte", "channel",
                                     "signal", "level", "rejected"])
    df["signal_unit"] = "cps"
    df["source_line"] = [str(i + 3) for i in range(len(df))]
    f = tmp_path / "tiny.csv"
    f.write_text("synthetic\n")
    return Run.from_path(df, f, "test")


@pytest.fixture
def analysis(tmp_path):
    return analyse(_run(tmp_path), method=Method.load(DATA / "tiny-method.toml"),
                   register=DATA / "tiny-register.csv")


def test_results_by_hand(analysis):
    r = analysis.results.set_index("sample_id")
    assert list(r.index) == ["A", "B", "C"]
    # A: (0.5 − 0.02) µg/L × 100 = 48 µg/kg = 0.048 mg/kg, detected (LOQ 0.0141421 mg/kg)
    assert r.at["A", "value"] == pytest.approx(0.048, rel=1e-9)
    assert r.at["A", "detection"] == "detected" and not r.at["A", "censored"]
    assert r.at["A", "lod"] == pytest.approx(3 * S * 0.1, rel=1e-9)
    assert r.at["A", "loq"] == pytest.approx(10 * S * 0.1, rel=1e-9)
    # B: (0.02 − 0.02) = 0 < LOD → censored at the LOD, 0.00424264 mg/kg
    assert r.at["B", "censored"] and r.at["B", "detection"] == "<LOD"
    assert r.at["B", "value"] == pytest.approx(3 * S * 0.1, rel=1e-9)
    assert r.at["B", "measured"] == pytest.approx(0.0, abs=1e-12)
    # C: register mass 0.25 g → factor 0.2: (0.2 − 0.02) × 200 µg/kg = 0.036 mg/kg
    assert r.at["C", "value"] == pytest.approx(0.036, rel=1e-9)
    assert r.at["C", "lod"] == pytest.approx(3 * S * 0.2, rel=1e-9)
    assert set(r["unit"]) == {"mg/kg"} and set(r["basis"]) == {"wet"}
    assert r.at["C", "site"] == "Kuryk"


def test_uncertainty_fallback_is_named(analysis):
    r = analysis.results.set_index("sample_id")
    # No CRM in the batch: Thompson (2000) 22 % below 1.2e-7 mass fraction (0.048 mg/kg = 4.8e-8);
    # the perfect calibration adds nothing: U = 2 × 0.22 × 0.048 = 0.02112 mg/kg.
    assert r.at["A", "u_expanded"] == pytest.approx(0.02112, rel=1e-6)
    assert "Horwitz" in r.at["A", "u_source"]


def test_qc_by_hand(analysis):
    qc = analysis.qc
    def one(check, sid=None):
        q = qc[qc["check"] == check]
        if sid is not None:
            q = q[q["sample_id"] == sid]
        assert len(q) == 1, q
        return q.iloc[0]
    assert one("calibration-r2")["value"] == pytest.approx(1.0)
    assert one("ccv")["value"] == pytest.approx(100.0) and one("ccv")["verdict"] == "pass"
    # spike: (1.5 − 0.5)/1.0 = 100 %
    assert one("spike-recovery")["value"] == pytest.approx(100.0)
    # duplicate: |0.5 − 0.55| / 0.525 = 9.5238 %
    assert one("duplicate-rpd")["value"] == pytest.approx(100 * 0.05 / 0.525)
    # blanks below the LOQ (0.141 µg/L)
    assert set(qc[qc["check"] == "method-blank"]["verdict"]) == {"pass"}


def test_every_row_accounted_for(analysis):
    acc = analysis.accounting()
    assert sum(acc.values()) == 14
    assert acc == {"blank": 2, "calibration": 4, "ccv": 1, "duplicate": 1, "rejected": 2,
                   "result": 3, "spike": 1}
    rej = analysis.rejected.set_index("sequence")
    assert "Rjct" in rej.loc[13, "reason"]
    assert "not in method" in rej[rej["analyte"] == "Li"]["reason"].iloc[0]


def test_nordtest_uncertainty_from_six_crm_results(tmp_path):
    """Six CRM results in the batch: U from Nordtest TR 537 (u(Rw) and u(bias)), by hand."""
    method_text = (DATA / "tiny-method.toml").read_text(encoding="utf-8") + (
        '\n[[qc.crm]]\nname_pattern = "CRM*"\nmaterial = "test material"\nstatus = "certified"\n'
        'source = "test"\nunit = "mg/kg"\nbasis = "wet"\nrecovery_pct = [80.0, 120.0]\n'
        'values = { Pb = { value = 0.050, U = 0.004, k = 2.0 } }\n')
    mfile = tmp_path / "m.toml"
    mfile.write_text(method_text, encoding="utf-8")
    run = _run(tmp_path)
    x = np.array([0.048, 0.050, 0.052, 0.049, 0.051, 0.050])  # CRM results, mg/kg
    signal = 100 + 1000 * (x / 0.1 + 0.02)  # back through blank (0.02 µg/L) and factor 0.1
    extra = pd.DataFrame({"sequence": range(20, 26), "sample_id": [f"CRM-{i}" for i in range(6)],
                          "sample_type": "sample", "analyte": "Pb", "channel": "208Pb [He]",
                          "signal": signal, "signal_unit": "cps",
                          "source_line": [str(100 + i) for i in range(6)]})
    m = pd.concat([run.measurements, extra], ignore_index=True)
    m["rejected"] = m["rejected"].fillna(False).astype(bool)
    f = tmp_path / "tiny2.csv"
    f.write_text("synthetic 2\n")
    run2 = Run.from_path(m[[c for c in m.columns if c != "run_id"]], f, "test")
    a = analyse(run2, method=Method.load(mfile), register=DATA / "tiny-register.csv")
    # Nordtest TR 537 eq. (1)-(5), computed here independently of labtox.quantify
    u_rw = x.std(ddof=1) / x.mean()
    rms_bias = np.sqrt(np.mean(((x - 0.050) / 0.050) ** 2))
    u_bias = np.sqrt(rms_bias**2 + (0.002 / 0.050) ** 2)
    u_c = np.sqrt(u_rw**2 + u_bias**2)
    r = a.results.set_index("sample_id")
    assert "CRM-0" not in r.index  # reference materials are QC, not results
    assert r.at["A", "u_expanded"] == pytest.approx(2 * u_c * 0.048, rel=1e-9)
    assert r.at["A", "u_source"].startswith("Nordtest TR 537")
    crm = a.qc[a.qc["check"] == "crm-recovery"]
    assert len(crm) == 6 and crm["value"].tolist() == pytest.approx(list(100 * x / 0.050))


def test_analysis_pickles(analysis):
    # Result objects can be cached or sent to worker processes (read-only maps pickle).
    import pickle

    back = pickle.loads(pickle.dumps(analysis))
    assert back.results.equals(analysis.results)
    assert back.batches[0].method == analysis.batches[0].method
    with pytest.raises(TypeError, match="read-only"):
        back.batches[0].method.calibration.levels["1"] = 5.0


def test_recovery_reported_and_corrected_only_when_asked(tmp_path, analysis):
    # The tiny batch's spike recovers (1.5 − 0.5)/1.0 = 100 %: reported with every Pb result.
    assert analysis.results["recovery"].tolist() == pytest.approx([100.0] * 3)
    run = _run(tmp_path)
    m = run.measurements.copy()
    m.loc[m["sample_id"] == "A SPK", "signal"] = 1400.0  # (1.3 − 0.5)/1.0 = 80 %
    f = tmp_path / "tiny3.csv"
    f.write_text("synthetic 3\n")
    run3 = Run.from_path(m.drop(columns=["run_id"]), f, "test")
    text = (DATA / "tiny-method.toml").read_text(encoding="utf-8").replace(
        'blank_subtraction = "mean"', 'blank_subtraction = "mean"\nrecovery_correction = true')
    mfile = tmp_path / "m.toml"
    mfile.write_text(text, encoding="utf-8")
    r = analyse(run3, method=Method.load(mfile),
                register=DATA / "tiny-register.csv").results.set_index("sample_id")
    assert r.at["A", "recovery"] == pytest.approx(80.0)
    assert r.at["A", "value"] == pytest.approx(0.048 / 0.8, rel=1e-9)  # IUPAC 1999: x / R
    assert "recovery-corrected" in r.at["A", "qc_flags"]
    # a censored result stays at its (uncorrected) limit
    assert r.at["B", "censored"] and r.at["B", "value"] == pytest.approx(3 * S * 0.1, rel=1e-9)
