"""Tests for the Thermo SkanIt / Multiskan GO reader (labtox.io.skanit)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from labtox.errors import ParseError
from labtox.io import read_export, sniff_format
from labtox.io.skanit import parse_layout_cell

OWN = Path(__file__).resolve().parents[1] / "data" / "skanit" / "multiskan_SYNTHETIC.csv"


def well(run, w):
    m = run.measurements
    return m[m["well"] == w].iloc[0]


def test_multiskan_go_csv_semicolon_decimal_comma_cr_only(shared):
    f = shared("fixtures", "exports", "plate_reader_elisa", "thermo_multiskan_go_ELISA.csv")
    assert sniff_format(f)[0].INFO.name == "skanit"
    run = read_export(f)
    m = run.measurements
    assert len(m) == 24
    a1 = well(run, "A1")  # layout 'Un_0001 1/1', Abs '0,1225'
    assert a1["sample_id"] == "Un_0001" and a1["sample_type"] == "sample"
    assert a1["signal"] == 0.1225 and a1["dilution"] == 1.0
    assert well(run, "H3")["signal"] == 0.8244 and well(run, "H3")["sample_id"] == "Un_0024"
    assert a1["source_line"] == "17"


def test_skanit_xlsx(shared):
    f = shared("fixtures", "exports", "thermo_skanit", "skanit_data.xlsx")
    assert sniff_format(f)[0].INFO.name == "skanit"
    run = read_export(f, dayfirst=False)
    m = run.measurements
    assert len(m) == 96
    assert run.instrument == "Varioskan LUX"
    assert run.acquired == "2023-06-05T18:09:56"
    a1 = well(run, "A1")
    assert a1["signal"] == 1.7455 and a1["channel"] == "Abs 450 nm"
    assert a1["sample_id"] == "Std0001" and a1["sample_type"] == "calibration"
    assert a1["nominal"] == 1.0 and a1["nominal_unit"] == "µg/mL"  # '1 microg/ml'
    assert a1["reported_flag"] == "> Max" and math.isnan(a1["reported"])
    a2 = well(run, "A2")
    assert a2["reported"] == 0.9022 and a2["reported_unit"] == "µg/mL"
    assert a1["Blank Subtraction 1: Blank subtracted"] == 1.655
    b3 = well(run, "B3")
    assert b3["dilution"] == 25.0 and b3["reported"] == 0.0634
    assert well(run, "H1")["sample_type"] == "blank"
    assert a1["source_line"] == "Absorbance 1_01!R11"


def test_own_multiskan_file():
    run = read_export(OWN, analyte="Aflatoxin M1")
    m = run.measurements
    assert len(m) == 8
    assert well(run, "B2")["dilution"] == 2.0 and well(run, "B2")["signal"] == 0.702
    assert well(run, "B3")["sample_type"] == "blank"
    assert well(run, "A3")["sample_id"] == "Std_0002"


def test_truncated_grid(tmp_path):
    raw = OWN.read_bytes()
    p = tmp_path / "cut.csv"
    p.write_bytes(raw[: raw.index(b"B;1,2030") + 6])
    with pytest.raises(ParseError, match="plate row B of the 'Abs' grid is short"):
        read_export(p, format="skanit")


def test_parse_layout_cell():
    assert parse_layout_cell("Un_0002 1/10") == ("Un_0002", "Un", 10.0)
    assert parse_layout_cell("Blank1") == ("Blank1", "Blank", None)


DATA = OWN.parent


def pw(run, w, plate):
    m = run.measurements
    hit = m[(m["well"] == w) & (m["plate"] == plate)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_tab_csv_two_plates_dilutions_and_tokens():
    f = DATA / "skanit_two_plates_tab_SYNTHETIC.csv"
    assert sniff_format(f)[0].INFO.name == "skanit"
    run = read_export(f)
    m = run.measurements
    assert len(m) == 6 + 4  # plate 2: A3 and B2 empty
    assert pw(run, "A3", "Plate 1")["dilution"] == 4.0  # 'Un_0001 1/4'
    assert pw(run, "B3", "Plate 1")["dilution"] == 2.0  # 'Un_0002 1:2'
    b3 = pw(run, "B3", "Plate 1")
    assert math.isnan(b3["signal"]) and b3["reported_flag"] == "OVRFLW"
    assert pw(run, "B2", "Plate 1")["sample_id"] == "Ctrl_01"
    assert pw(run, "B2", "Plate 1")["sample_type"] == "crm"
    assert pw(run, "B1", "Plate 2")["signal"] == 0.049
    assert pw(run, "B1", "Plate 2")["sample_id"] == "B1"  # plate 2 has no Sample grid
    assert pw(run, "B3", "Plate 2")["source_line"] == "17"
    assert any("Plate 2 has no Sample grid" in w for w in run.warnings)


def test_xlsx_two_wavelengths_and_two_plates_on_one_sheet():
    f = DATA / "skanit_two_wavelengths_two_plates_SYNTHETIC.xlsx"
    assert sniff_format(f)[0].INFO.name == "skanit"
    run = read_export(f)
    m = run.measurements
    assert len(m) == 6 + 4
    a1 = pw(run, "A1", "Plate 1")
    assert a1["signal"] == 1.95 and a1["channel"] == "Abs 450 nm" and a1["Abs 620 nm"] == 0.052
    b2 = pw(run, "B2", "Plate 1")
    assert math.isnan(b2["signal"]) and b2["reported_flag"] == "NaN"
    p2 = pw(run, "B2", "Plate 2")
    assert p2["signal"] == 0.733 and p2["sample_id"] == "Un0004"
    assert p2["source_line"] == "Absorbance 1_01!R36"
    assert run.instrument == "Multiskan SkyHigh"
    assert run.acquired == "2024-10-22T09:15:00"  # '22.10.2024': dotted style is day-first


def test_xlsx_luminescence_rlu_grid():
    f = DATA / "skanit_luminescence_rlu_SYNTHETIC.xlsx"
    assert sniff_format(f)[0].INFO.name == "skanit"
    run = read_export(f)
    m = run.measurements
    assert len(m) == 4 and set(m["signal_unit"]) == {"RLU"}
    assert pw(run, "A1", "Plate 1")["signal"] == 125000
    assert run.acquired == "2024-10-21T14:05:11"  # 10/21/2024 is month-first


def test_comma_csv_with_wavelength_sections_and_plain_plate_title():
    f = DATA / "skanit_comma_two_wavelengths_SYNTHETIC.csv"
    assert sniff_format(f)[0].INFO.name == "skanit"
    run = read_export(f)
    m = run.measurements
    assert len(m) == 6
    a1 = pw(run, "A1", "Plate 1")
    assert a1["signal"] == 1.95 and a1["channel"] == "Abs 450 nm" and a1["Abs 620 nm"] == 0.052
    assert pw(run, "B3", "Plate 1")["sample_id"] == "Un0003"
    assert not any("decimal comma" in w for w in run.warnings)


def test_no_read_mode_and_one_decimal_point_cell():
    # grid corner 'Result' (no Abs/Fl/Lum, no step line); '1,950' ... use commas, A3 '0.812'
    f = DATA / "skanit_semicolon_no_mode_one_dot_cell_SYNTHETIC.csv"
    run = read_export(f, format="skanit")
    assert pw(run, "A1", "Plate 1")["signal"] == 1.950
    assert pw(run, "A3", "Plate 2")["signal"] == 0.349
    a3 = pw(run, "A3", "Plate 1")
    assert math.isnan(a3["signal"]) and a3["signal_flag"] == "0.812"
    assert set(run.measurements["signal_unit"]) == {"AU"}
    assert ("no read mode (Abs, Fl, Lum or a Photometric/Fluorometric/Luminometric step) for "
            "Plate 1, Plate 2: signal_unit assumed 'AU' (absorbance units)") in run.warnings
    assert ("the values mix decimal commas ('1,950') and decimal points ('0.812'): read with "
            "decimal commas") in " | ".join(run.warnings)
    assert ("Plate 1, Plate 2 have no Sample grid: every well is a sample named by its well"
            in run.warnings)


def test_dotted_ambiguous_run_date_is_day_first_unless_told():
    f = DATA / "skanit_dotted_ambiguous_date_SYNTHETIC.xlsx"  # run date '05.03.2024 09:15:00'
    run = read_export(f, format="skanit")
    assert run.acquired == "2024-03-05T09:15:00"
    assert "run date '05.03.2024 09:15:00' read day-first (dotted dd.mm.yyyy style)" in \
        run.warnings
    told = read_export(f, format="skanit", dayfirst=False)
    assert told.acquired == "2024-05-03T09:15:00"
    assert not any("dotted" in w for w in told.warnings)
