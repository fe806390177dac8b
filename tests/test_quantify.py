"""Quantification formulas against hand-worked values."""

import numpy as np
import pytest

from labtox.errors import LabtoxError, UnitError
from labtox.quantify import (
    Preparation,
    blank_correct,
    censor,
    eu_fitness_uncertainty,
    horwitz_thompson_rsd,
    nordtest_uncertainty,
    preparation_factor,
    recovery_correct,
)


def test_mass_mode_factor():
    # 0.5 g digested to 50 mL, further diluted 2x: 1 µg/L -> 2 * 0.050 L / 0.0005 kg = 200 µg/kg
    prep = Preparation("mass", sample_mass_g=0.5, final_volume_ml=50.0, dilution=2.0)
    assert preparation_factor(prep, "µg/L", "µg/kg") == pytest.approx(200.0)
    assert preparation_factor(prep, "ug/L", "mg/kg") == pytest.approx(0.2)


def test_volume_mode_needs_density_for_mass_units():
    # 10 mL milk to 25 mL: 1 ng/mL in extract -> 2.5 ng/mL milk -> 2.5/1.03 ng/g
    prep = Preparation("volume", sample_volume_ml=10.0, final_volume_ml=25.0)
    assert preparation_factor(prep, "ng/mL", "µg/L") == pytest.approx(2.5)
    with pytest.raises(UnitError, match="needs the sample's density"):
        preparation_factor(prep, "ng/mL", "ng/g", sample_id="MNG-001")
    assert preparation_factor(prep, "ng/mL", "ng/g", density_kg_per_l=1.03) == pytest.approx(
        2.5 / 1.03)


def test_none_mode_elisa():
    # ELISA on milk diluted 1:10, 4 ng/L read -> 40 ng/L -> 40/1.03 ng/kg = 0.038835 µg/kg
    prep = Preparation("none", dilution=10.0)
    f = preparation_factor(prep, "ng/L", "µg/kg", density_kg_per_l=1.03)
    assert 4.0 * f == pytest.approx(0.040 / 1.03)


def test_missing_preparation_is_named():
    with pytest.raises(LabtoxError, match="sample 'MNG-007': sample_mass_g is missing"):
        preparation_factor(Preparation("mass", final_volume_ml=50.0), "µg/L", "mg/kg",
                           sample_id="MNG-007")


def test_blank_correct_keeps_negatives():
    out, mean, n = blank_correct(np.array([0.10, 0.02]), np.array([0.03, 0.05, np.nan]))
    assert (mean, n) == (pytest.approx(0.04), 2)
    np.testing.assert_allclose(out, [0.06, -0.02])
    out, mean, n = blank_correct(np.array([1.0]), np.array([]))
    assert n == 0 and out[0] == 1.0


def test_recovery_correct():
    np.testing.assert_allclose(recovery_correct(np.array([8.0]), 80.0), [10.0])
    with pytest.raises(LabtoxError):
        recovery_correct(np.array([1.0]), 0.0)


def test_censor_rules():
    x = np.array([0.5, 1.5, 4.0, -0.2])
    lod, loq = np.full(4, 1.0), np.full(4, 3.0)
    t = censor(x, lod, loq, "censor-at-lod")
    assert t["detection"].tolist() == ["<LOD", "<LOQ", "detected", "<LOD"]
    assert t["censored"].tolist() == [True, False, False, True]
    assert t["value"].tolist() == [1.0, 1.5, 4.0, 1.0]
    assert t["measured"].tolist() == x.tolist()
    t = censor(x, lod, loq, "censor-at-loq")
    assert t["censored"].tolist() == [True, True, False, True]
    assert t["value"].tolist() == [1.0, 3.0, 4.0, 1.0]
    t = censor(x, lod, loq, "keep-flagged")
    assert t["detection"].tolist() == ["<LOD", "<LOQ", "detected", "<LOD"]
    assert not t["censored"].any() and t["value"].tolist() == x.tolist()
    with pytest.raises(LabtoxError, match="unknown censoring rule"):
        censor(x, lod, loq, "half")


def test_nordtest_hand_worked():
    r = nordtest_uncertainty([9.8, 10.0, 10.2], [0.95, 1.05], [1.0, 1.0], [0.02, 0.02])
    assert r.u_rw == pytest.approx(0.02)
    assert r.rms_bias == pytest.approx(0.05)
    assert r.u_bias == pytest.approx(np.sqrt(0.05**2 + 0.02**2))
    assert r.u_c == pytest.approx(np.sqrt(0.02**2 + 0.05**2 + 0.02**2))
    assert r.expanded() == pytest.approx(2 * r.u_c)
    with pytest.raises(LabtoxError, match="at least two"):
        nordtest_uncertainty([1.0], [1.0], [1.0], [0.1])


def test_horwitz_thompson():
    # Thompson 2000: 22 % below 120 ppb (1.2e-7)
    assert horwitz_thompson_rsd(1e-8) == pytest.approx(0.22)
    # Horwitz region: c = 1e-6 (1 mg/kg): 0.02 c^0.8495 / c = 0.02 * 10^(6*0.1505) = 0.15998
    assert horwitz_thompson_rsd(1e-6) == pytest.approx(0.02 * 10 ** (6 * 0.1505))
    # The classical Horwitz RSD 2^(1-0.5 log10 c) = 16 % at 1e-6 agrees to within 0.02 %
    assert horwitz_thompson_rsd(1e-6) == pytest.approx(0.16, rel=2e-3)
    # Upper region c = 0.25: 0.01 * 0.5 / 0.25 = 0.02
    assert horwitz_thompson_rsd(0.25) == pytest.approx(0.02)


def test_eu_fitness_uncertainty_bands():
    assert eu_fitness_uncertainty(20.0, 2.0) == pytest.approx(np.sqrt(1 + 16))
    assert eu_fitness_uncertainty(100.0, 10.0) == pytest.approx(np.sqrt(25 + 18**2))
    assert eu_fitness_uncertainty(800.0, 0.0) == pytest.approx(120.0)
    assert eu_fitness_uncertainty(2000.0, 0.0) == pytest.approx(240.0)
    assert eu_fitness_uncertainty(20000.0, 0.0) == pytest.approx(2000.0)
