"""Unit and basis conversions against hand-worked values."""

import math

import numpy as np
import pytest

from labtox.errors import UnitError
from labtox.units import (
    basis_factor,
    convert,
    convert_basis,
    normalise_basis,
    normalise_unit,
    parse_unit,
    split_unit_basis,
    ureg,
)


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [
        (0.020, "mg/kg", "µg/kg", 20.0),  # 0.020 mg/kg = 20 µg/kg (EU Pb ML in milk)
        (0.050, "µg/kg", "ng/g", 0.050),  # 1 µg/kg = 1 ng/g
        (5.5, "pg/g", "ng/kg", 5.5),  # 1 pg/g = 1 ng/kg
        (1.0, "ppm", "mg/kg", 1.0),  # ppm as a mass fraction
        (1.0, "ppb", "µg/kg", 1.0),
        (1.0, "ppt", "ng/kg", 1.0),
        (2.5, "ug/L", "ng/mL", 2.5),  # 1 µg/L = 1 ng/mL
        (1.0, "mg/L", "µg/L", 1000.0),
        (100.0, "Bq/kg", "kBq/kg", 0.1),
    ],
)
def test_convert_hand_worked(value, src, dst, expected):
    assert convert(value, src, dst) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("spelling", ["ug/L", "µg/L", "μg/L", "ug / L", "mcg/L"])
def test_vendor_spellings_of_micrograms_per_litre(spelling):
    assert parse_unit(spelling) == ureg.parse_units("microgram/liter")
    assert normalise_unit(spelling) == "µg/L"


@pytest.mark.parametrize("spelling", ["ppb", "[ ppb ]", "Y (ppb)", " [ppb] "])
def test_bracketed_vendor_units(spelling):
    assert parse_unit(spelling) == ureg.ppb


def test_cps_is_counts_per_second():
    assert convert(60.0, "cps", "cpm") == pytest.approx(3600.0)


def test_mass_concentration_to_mass_fraction_needs_density():
    with pytest.raises(UnitError, match="without a density"):
        convert(10.0, "µg/L", "µg/kg")
    # 10 µg/L milk at 1.03 kg/L -> 10 / 1.03 µg/kg
    assert convert(10.0, "µg/L", "µg/kg", density=1.03) == pytest.approx(10.0 / 1.03)
    assert convert(10.0, "µg/kg", "µg/L", density=1.03) == pytest.approx(10.3)
    q = 1.03 * ureg("kg/L")
    assert convert(1.0, "mg/L", "mg/kg", density=q) == pytest.approx(1 / 1.03)


def test_incompatible_units_are_refused():
    with pytest.raises(UnitError, match="cannot convert"):
        convert(1.0, "Bq/kg", "mg/kg", density=1.0)


def test_unknown_unit_names_the_unit_and_suggests():
    with pytest.raises(UnitError) as info:
        parse_unit("mg/kgg")
    msg = str(info.value)
    assert "'mg/kgg'" in msg and "unknown unit" in msg
    assert "Did you mean" in msg or "Write units like" in msg


def test_missing_unit():
    for missing in (None, "", "  ", math.nan):
        with pytest.raises(UnitError, match="unit is missing"):
            parse_unit(missing)


def test_fat_to_wet_hand_worked():
    # 40 ng/g fat in milk with 4.5 % fat = 40 * 0.045 = 1.8 ng/g whole milk
    assert convert_basis(40.0, "fat", "wet", fat_pct=4.5) == pytest.approx(1.8)
    assert convert_basis(1.8, "wet", "fat", fat_pct=4.5) == pytest.approx(40.0)
    # dry matter 12 %: 0.6 mg/kg dw = 0.072 mg/kg ww
    assert convert_basis(0.6, "dry", "wet", dry_matter_pct=12.0) == pytest.approx(0.072)
    # fat -> dry: 40 ng/g fat, 4.5 % fat, 12 % DM -> 40*0.045/0.12 = 15 ng/g dw
    assert basis_factor("fat", "dry", fat_pct=4.5, dry_matter_pct=12) == pytest.approx(0.375)
    arr = convert_basis(np.array([10.0, 20.0]), "fat", "wet", fat_pct=5.0)
    np.testing.assert_allclose(arr, [0.5, 1.0])


def test_basis_conversion_without_fat_is_a_clear_error():
    with pytest.raises(UnitError) as info:
        convert_basis(40.0, "fat", "wet")
    assert "needs the sample's fat %" in str(info.value)
    assert "fat_pct" in str(info.value)
    with pytest.raises(UnitError, match="dry matter %"):
        convert_basis(1.0, "dry", "wet", fat_pct=3.0)
    with pytest.raises(UnitError, match=r"\(0, 100\]"):
        convert_basis(1.0, "fat", "wet", fat_pct=130)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("ng/g fat", ("ng/g", "fat")), ("pg TEQ/g fat", ("pg TEQ/g", "fat")),
     ("mg/kg (wet weight)", ("mg/kg", "wet")), ("µg/kg", ("µg/kg", None)),
     ("mg/kg dw", ("mg/kg", "dry"))],
)
def test_split_unit_basis(text, expected):
    assert split_unit_basis(text) == expected


def test_normalise_basis():
    assert normalise_basis("wet weight") == "wet"
    assert normalise_basis("Lipid") == "fat"
    assert normalise_basis("DM") == "dry"
    with pytest.raises(UnitError, match="unknown basis"):
        normalise_basis("moist")
