"""Tests for the SoftMax Pro text reader (labtox.io.softmax)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from labtox.errors import ParseError
from labtox.io import read_export, sniff_format

OWN = Path(__file__).resolve().parents[1] / "data" / "softmax" / "afm1_softmax_SYNTHETIC.txt"


def well(run, w, plate):
    m = run.measurements
    return m[(m["well"] == w) & (m["plate"] == plate)].iloc[0]


def test_real_two_plates_with_groups(shared):
    f = shared("fixtures", "exports", "moldev_softmax_pro", "MD_SMP_absorbance_endpoint_example01.txt")
    assert sniff_format(f)[0].INFO.name == "softmax"
    run = read_export(f)
    m = run.measurements
    assert len(m) == 192
    a1 = well(run, "A1", "Plate01")
    # grid: 3.41797666666667 (rounded) / 3.4179766666666667 (full); group: Standards 01, 320 ng/mL
    assert a1["signal"] == pytest.approx(3.4179766666666667, rel=1e-15)
    assert a1["signal_rounded"] == pytest.approx(3.41797666666667)
    assert a1["sample_id"] == "Standards 01" and a1["sample_type"] == "calibration"
    assert a1["nominal"] == 320.0 and a1["nominal_unit"] == "ng/mL"
    assert a1["reported"] == 315.067
    assert a1["channel"] == "450"
    a4 = well(run, "A4", "Plate02")
    assert a4["sample_id"] == "UnknownsNoDiln 01" and a4["reported"] == 117.773
    assert run.sample_types().to_dict() == {"calibration": 42, "sample": 144, "unknown": 6}


def test_own_utf16_file():
    run = read_export(OWN, analyte="Aflatoxin M1")
    b2 = well(run, "B2", "PlateA")
    assert b2["sample_id"] == "MNG-002" and b2["dilution"] == 2.0
    assert b2["reported_flag"] == "Range?" and math.isnan(b2["reported"])
    a3 = well(run, "A3", "PlateA")
    assert a3["nominal"] == 80.0 and a3["nominal_unit"] == "ng/L" and a3["signal"] == 0.3511
    assert a3["temperature"] == 22.5


def test_truncated_blocks(tmp_path):
    text = OWN.read_text(encoding="utf-16")
    p = tmp_path / "cut.txt"
    p.write_text(text[: text.index("Group: UnknownsDil")], encoding="utf-16")
    with pytest.raises(ParseError, match="announces 3 blocks but holds 2"):
        read_export(p, format="softmax")


def test_truncated_plate(tmp_path):
    text = OWN.read_text(encoding="utf-16")
    p = tmp_path / "cut.txt"
    p.write_text(text[: text.index("\t\t1.20\t")], encoding="utf-16")
    with pytest.raises(ParseError, match="plate 'PlateA' has no '~End' \\(truncated file\\?\\)"):
        read_export(p, format="softmax")


DATA = OWN.parent


def test_two_wavelengths_side_by_side_decimal_commas_and_note_block():
    f = DATA / "softmax_two_wavelengths_decimal_comma_SYNTHETIC.txt"
    assert sniff_format(f)[0].INFO.name == "softmax"
    run = read_export(f, analyte="Aflatoxin M1")
    m = run.measurements
    assert len(m) == 7  # B4 empty in every grid
    a1 = well(run, "A1", "PlateA")
    # raw 450 / raw 650 side by side ('1,9502', '0,0502'); reduced grid '1,9000'
    assert a1["raw 450"] == 1.9502 and a1["raw 650"] == 0.0502
    assert a1["signal"] == 1.9 and a1["channel"] == "reduced (450 650)"
    assert a1["temperature"] == 22.4
    assert a1["sample_id"] == "Standards 01" and a1["nominal"] == 0.0
    a3 = well(run, "A3", "PlateA")
    assert a3["nominal"] == 80.0 and a3["nominal_unit"] == "ng/L" and a3["signal"] == 0.3609
    b2 = well(run, "B2", "PlateA")
    assert math.isnan(b2["signal"]) and b2["reported_flag"] == "Range?"
    assert b2["raw 450 flag"] == "OVRFLW" and b2["raw 650"] == 0.049
    assert b2["sample_type"] == "unknown"
    b3 = well(run, "B3", "PlateA")
    assert b3["sample_id"] == "CTRL-7" and b3["sample_type"] == "qc" and b3["signal"] == 0.0087
    assert run.metadata["plates"][0]["decimal"] == ","


def test_time_format_fluorescence_export():
    f = DATA / "softmax_timeformat_fluorescence_SYNTHETIC.txt"
    assert sniff_format(f)[0].INFO.name == "softmax"
    run = read_export(f)
    m = run.measurements
    assert run.metadata["encoding"].startswith("utf-16")
    assert len(m) == 4
    a3 = well(run, "A3", "PlateF")
    assert a3["raw 535"] == 47767 and a3["raw 620"] == 202843 and a3["signal"] == 0.2355
    assert a3["sample_id"] == "MNG-102" and a3["sample_type"] == "sample"
    assert a3["signal_unit"] == "RFU" and a3["temperature"] == 23.1
    b1 = well(run, "B1", "PlateF")  # read at 620 only, no reduced value: the 620 read
    assert b1["signal"] == 999 and b1["channel"] == "620"


def test_luminescence_partial_384_plate_without_groups():
    f = DATA / "softmax_luminescence_384_partial_SYNTHETIC.txt"
    run = read_export(f)
    m = run.measurements
    # first column 3, 3 columns, first row 15 (O), 2 rows; P4 not read
    assert sorted(m["well"]) == ["O3", "O4", "O5", "P3", "P5"]
    assert well(run, "P5", "Lum384")["signal"] == 1005
    assert set(m["signal_unit"]) == {"RLU"} and set(m["channel"]) == {"Luminescence"}
    assert any("no Group tables" in w for w in run.warnings)


def test_plate_with_fewer_rows_than_announced(tmp_path):
    text = OWN.read_text(encoding="utf-16")
    start = text.index("\t\t1.20\t")
    p = tmp_path / "short.txt"
    p.write_text(text[:start] + text[text.index("\n", start) + 1:], encoding="utf-16")
    with pytest.raises(ParseError, match="plate 'PlateA' has 1 rows, not 2") as e:
        read_export(p, format="softmax")
    assert e.value.expected == "2 plate rows"


def test_bad_plate_line_field(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_text("##BLOCKS= 1\nPlate:\tP\t1.3\tPlateFormat\tEndpoint\tAbsorbance\tRaw\tFALSE\t1"
                 "\t\t\t\t\t\t1\t450\t1\ttwelve\t96\t1\t8\n~End\n")
    with pytest.raises(ParseError, match="does not give the number of columns") as e:
        read_export(p, format="softmax")
    assert e.value.column == 18 and e.value.found == "twelve"


def test_kinetic_plate_with_group_name_in_second_cell():
    f = DATA / "softmax_kinetic_group_tab_name_SYNTHETIC.txt"
    assert sniff_format(f)[0].INFO.name == "softmax"
    run = read_export(f)
    m = run.measurements
    assert len(m) == 6  # columns 2-4 of rows A, B; column 1 not read
    a2 = well(run, "A2", "Plate#1")
    assert a2["sample_id"] == "Smpl01" and a2["sample_type"] == "sample"  # 'Group:<TAB>Unknowns'
    assert a2["signal"] == 0.05 and a2["channel"] == "405 0:00"
    assert a2["raw 405 0:30"] == 0.06 and a2["raw 405 1:00"] == 0.07
    assert a2["temperature"] == 37.0
    assert run.metadata["groups"] == ["Standards", "Unknowns"]
    assert any("kinetic read without reduced values" in w for w in run.warnings)


def test_single_read_reduced_token_kept_and_mixed_decimal_warning():
    # one wavelength (450); reduced grid B row: '1,9502', 'Range?'; raw A2 '1,902';
    # raw A3 is the only cell with a decimal point ('0.812'), the others use commas
    f = DATA / "softmax_single_read_reduced_token_SYNTHETIC.txt"
    run = read_export(f)
    a2 = well(run, "A2", "PlateR")
    assert a2["signal"] == 1.902 and a2["reported_flag"] == "Range?"
    assert a2["reduced flag"] == "Range?"
    assert a2["signal_flag"] is None or a2["signal_flag"] != a2["signal_flag"]
    a1 = well(run, "A1", "PlateR")
    assert a1["signal"] == 1.9502 and a1["signal_rounded"] == 1.95
    assert well(run, "A4", "PlateR")["signal"] == 0.3489
    assert ("plate 'PlateR': the values mix decimal commas ('1,950') and decimal points "
            "('0.812'): read with decimal commas") in " | ".join(run.warnings)
