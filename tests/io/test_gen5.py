"""Tests for the BioTek Gen5 plate text reader (labtox.io.gen5)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from labtox.errors import ParseError
from labtox.io import read_export, sniff_format
from labtox.io.gen5 import well_sample

DATA = Path(__file__).resolve().parents[1] / "data" / "gen5"
OWN = DATA / "afm1_two_plates_SYNTHETIC.txt"
STUDY = Path(__file__).resolve().parents[2] / "samples" / "mangystau-2024" / "afm1_elisa_gen5.txt"


def well(run, w, plate="Plate 1"):
    m = run.measurements
    hit = m[(m["well"] == w) & (m["plate"] == plate)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_sniffed_as_gen5(shared):
    f = shared("fixtures", "exports", "biotek_gen5", "endpoint_stdcurve_singleplate.txt")
    mod, _ = sniff_format(f)
    assert mod.INFO.name == "gen5"
    assert sniff_format(OWN)[0].INFO.name == "gen5"


def test_endpoint_stdcurve_fixture(shared):
    f = shared("fixtures", "exports", "biotek_gen5", "endpoint_stdcurve_singleplate.txt")
    run = read_export(f, analyte="Aflatoxin M1")
    m = run.measurements
    assert len(m) == 96
    assert run.software == "Gen5 3.12.08"
    assert run.acquired == "2022-10-10T21:00:04"  # 10/10/2022 9:00:04 PM
    assert run.instrument == ""  # 'Reader Type: n/a'
    a1 = well(run, "A1")
    # raw file, Results row A: 3.337 / Blank 3.336 / [Concentration] 1980.423; Layout STD1 2000
    assert a1["signal"] == 3.337 and a1["signal_unit"] == "AU"
    assert a1["channel"] == "630nmAbsRead:630"
    assert a1["Blank 630nmAbsRead:630"] == 3.336
    assert a1["reported"] == 1980.423
    assert a1["sample_id"] == "STD1" and a1["sample_type"] == "calibration"
    assert a1["nominal"] == 2000.0
    assert a1["source_line"] == "50"
    assert a1["analyte"] == "aflatoxin M1"
    h1 = well(run, "H1")
    assert h1["sample_type"] == "blank" and math.isnan(h1["nominal"])
    # SPL1:2 at B4, Conc/Dil 0.5 -> dilution factor 2, index 2
    b4 = well(run, "B4")
    assert b4["sample_id"] == "SPL1" and b4["well_id"] == "SPL1:2"
    assert b4["dilution"] == 2.0 and b4["dilution_index"] == 2 and b4["layout_value"] == "0.5"
    assert any("fraction of sample in the well" in w for w in run.warnings)
    assert run.sample_types().to_dict() == {"blank": 3, "calibration": 21, "sample": 72}
    fit = run.metadata["curve_fits"][0]
    assert fit["Curve Formula"] == "Y=A*X+B" and fit["A"] == "0.00168" and fit["Fit F Prob"] == "?????"


def test_non_numeric_tokens_fixture(shared):
    f = shared("fixtures", "exports", "biotek_gen5",
               "240411_172731_BNCH2345883_abs450_96well_non_numeric_values.txt")
    run = read_export(f)
    m = run.measurements
    assert len(m) == 96
    a8 = well(run, "A8")
    assert math.isnan(a8["signal"]) and a8["signal_flag"] == "OVRFLW"
    assert a8["reported_flag"] == "OVRFLW"
    d12 = well(run, "D12")
    assert d12["signal_flag"] == "MISSED"
    assert run.summary()["flags"] == {"OVRFLW": 8, "MISSED": 5}
    assert well(run, "H12")["signal"] == 2.5
    assert run.instrument == "Synergy H1"
    # 4/11/2024 cannot be read without a date style; the reader says so
    assert run.acquired == ""
    assert any("ambiguous" in w for w in run.warnings)
    assert any("analyte" in w for w in run.warnings)
    assert set(m["analyte"]) == {"unknown"}
    run2 = read_export(f, dayfirst=False)
    assert run2.acquired == "2024-04-11T17:27:15"


def test_kinetic_fixture(shared):
    f = shared("fixtures", "exports", "biotek_gen5",
               "Kinetic_Analysis_Mean_Slope_and_Standard_Curve_tab.txt")
    run = read_export(f, dayfirst=False)
    a1 = well(run, "A1")
    assert a1["channel"] == "Mean V [420]" and a1["signal"] == 31.303
    assert a1["signal_unit"] == "mOD/min"
    assert a1["nominal"] == 40.0 and a1["sample_id"] == "STD12"
    a2 = well(run, "A2")
    assert a2["reported_flag"] == ">40.000" and math.isnan(a2["reported"])
    assert well(run, "A11")["reported_flag"] == "<0.000"
    kin = run.metadata["kinetic"]
    assert kin["time"].nunique() == 13
    first = kin[(kin["well"] == "A1") & (kin["time"] == "0:00:00")].iloc[0]
    assert first["value"] == 0.069
    assert run.acquired == "2006-02-09T06:14:21"


def test_own_two_plate_file_names_controls_and_tokens():
    run = read_export(OWN, conc_unit="ng/L")
    m = run.measurements
    assert len(m) == 16
    assert run.metadata["plates"] == ["Plate 1", "Plate 2"]
    # 'Analyte' header line names the analyte
    assert set(m["analyte"]) == {"aflatoxin M1"}
    a1 = well(run, "A1")
    assert a1["reported_flag"] == "<0.000" and math.isnan(a1["reported"])
    assert a1["nominal"] == 0.0 and a1["nominal_unit"] == "ng/L"
    assert well(run, "A2")["reported"] == 80.512 and well(run, "A2")["reported_unit"] == "ng/L"
    ctl = well(run, "A4")
    assert ctl["sample_id"] == "Kit control" and ctl["sample_type"] == "crm"
    assert ctl["signal_flag"] == "OVRFLW" and ctl["reported_flag"] == "?????"
    assert ctl["Blank 450 flag"] == "OVRFLW"
    b2 = well(run, "B2")
    assert b2["sample_id"] == "MNG-001" and b2["dilution"] == 2.0  # Conc/Dil 2 >= 1: a factor
    assert well(run, "B4")["sample_type"] == "unknown"
    assert run.acquired == "2024-10-21T14:05:11"  # 21/10/2024 is day-first
    p2 = well(run, "B1", "Plate 2")
    assert p2["sample_id"] == "MNG-001" and p2["acquired"] == "2024-10-21T14:15:40"
    assert any("previous plate's layout" in w for w in run.warnings)
    assert m["sequence"].tolist() == list(range(1, 17))


def test_study_plate_if_present():
    if not STUDY.exists():
        pytest.skip("example study not generated")
    run = read_export(STUDY, analyte="Aflatoxin M1", conc_unit="ng/L")
    m = run.measurements
    cal = m[m["sample_type"] == "calibration"]
    assert sorted(set(cal["nominal"])) == [0.0, 5.0, 10.0, 20.0, 40.0, 80.0]
    assert (cal.groupby("nominal").size() == 2).all()
    assert m[m["sample_type"] == "sample"]["sample_id"].str.match(r"SPL\d+$").all()


def test_truncated_grid_row(tmp_path):
    text = OWN.read_text()
    cut = text[: text.index("\t1.151")]  + "\t1.15"
    p = tmp_path / "cut.txt"
    p.write_text(cut)
    with pytest.raises(ParseError, match="grid row B is short") as info:
        read_export(p, format="gen5")
    assert info.value.line == 39


def test_layout_row_without_results(tmp_path):
    text = OWN.read_text()
    start = text.index("B\t1.203")
    end = text.index("\n", text.index("\t10.112"))
    p = tmp_path / "norowb.txt"
    p.write_text(text[:start] + text[end + 1:])
    with pytest.raises(ParseError, match="Layout names wells in row B but the data grid has no row B"):
        read_export(p, format="gen5")


def test_no_grid(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("Software Version\t3.12\nPlate Number\tPlate 1\n")
    with pytest.raises(ParseError, match="no plate data grid"):
        read_export(p, format="gen5")


def test_unknown_option():
    with pytest.raises(ParseError, match="unknown option 'analyt'"):
        read_export(OWN, format="gen5", analyt="x")


def test_utf16_and_cr_only(tmp_path):
    text = OWN.read_text()
    p = tmp_path / "u16.txt"
    p.write_bytes(text.replace("\n", "\r").encode("utf-16"))
    run = read_export(p)
    assert run.format == "gen5" and len(run.measurements) == 16


def test_well_sample():
    assert well_sample("SPL12:3") == ("SPL12", 3)
    assert well_sample("BLK") == ("BLK", None)


def test_table_format_export_matches_grid_export():
    """Gen5 can export one line per well (Well, Well ID, Name, Conc/Dil, data sets); the same
    plate read from the grid export must give the same wells, ids, values and tokens."""
    table = read_export(DATA / "afm1_table_format_SYNTHETIC.txt", conc_unit="ng/L").measurements
    grid = read_export(OWN, conc_unit="ng/L").measurements
    grid = grid[(grid["plate"] == "Plate 1") & (grid["well"] != "B4")].reset_index(drop=True)
    cols = ["well", "sample_id", "sample_type", "signal", "signal_flag", "nominal", "dilution",
            "reported", "reported_flag", "Blank 450"]
    assert table[cols].astype(str).values.tolist() == grid[cols].astype(str).values.tolist()
    assert table["source_line"].tolist() == [str(n) for n in range(15, 22)]


def test_table_format_short_line(tmp_path):
    text = (DATA / "afm1_table_format_SYNTHETIC.txt").read_text()
    p = tmp_path / "cut.txt"
    p.write_text(text[: text.index("B2\tSPL1:2") + 12])
    with pytest.raises(ParseError, match="a well line of the table is short"):
        read_export(p, format="gen5")


def test_decimal_comma_export(tmp_path):
    """A Gen5 export from a decimal-comma locale reads to the same numbers."""
    text = OWN.read_text()
    import re as _re

    p = tmp_path / "comma.txt"
    p.write_text(_re.sub(r"(?<=\d)\.(?=\d)", ",", text))
    run = read_export(p, conc_unit="ng/L")
    ref = read_export(OWN, conc_unit="ng/L")
    assert run.measurements["signal"].equals(ref.measurements["signal"])
    assert run.measurements["reported"].equals(ref.measurements["reported"])
    assert any("decimal comma" in w for w in run.warnings)
    assert well(run, "A1")["reported_flag"] == "<0,000"


def test_separate_titled_grids_with_conc_data_set():
    # Lowry-style export: one titled grid per data set ('660', then 'Conc' after the curve fit)
    f = DATA / "gen5_separate_grids_conc_SYNTHETIC.txt"
    assert sniff_format(f)[0].INFO.name == "gen5"
    run = read_export(f, conc_unit="µg/mL")
    assert run.acquired == "2006-02-28T05:27:40"  # 2/28/2006: month-first
    a2 = well(run, "A2")
    assert a2["signal"] == 0.069 and a2["reported"] == 6.722 and a2["channel"] == "660"
    assert a2["nominal"] == 10 and a2["sample_type"] == "calibration"
    a1 = well(run, "A1")
    assert math.isnan(a1["reported"]) and a1["reported_flag"] == "<0.000"
    b9 = well(run, "B9")  # masked well '*0.356*', its concentration '?????'
    assert math.isnan(b9["signal"]) and b9["signal_flag"] == "*0.356*"
    assert b9["reported_flag"] == "?????"
    assert well(run, "A11")["sample_type"] == "qc" and well(run, "B12")["sample_id"] == "NEGCON"
    assert "Conc" not in run.measurements.columns  # used as 'reported', not an extra column
    assert run.metadata["curve_fits"][0]["Fit F Prob"] == "?????"
    assert len(run.measurements) == 24


def test_384_well_luminescence_without_layout():
    f = DATA / "gen5_384_no_layout_lum_SYNTHETIC.txt"
    assert sniff_format(f)[0].INFO.name == "gen5"
    run = read_export(f)
    m = run.measurements
    assert len(m) == 3 * 24
    assert well(run, "P24")["signal"] == 1623 and well(run, "A13")["signal"] == 112
    b24 = well(run, "B24")
    assert math.isnan(b24["signal"]) and b24["reported_flag"] == "OVRFLW"
    assert set(m["signal_unit"]) == {"RLU"} and set(m["channel"]) == {"Lum"}
    assert set(m["sample_type"]) == {"sample"}
    assert run.acquired == "2024-07-19T16:15:21"
    assert any("no Layout" in w for w in run.warnings)


def test_utf16_multi_read_decimal_comma_dotted_date():
    f = DATA / "gen5_multi_read_decimal_comma_SYNTHETIC.txt"
    assert sniff_format(f)[0].INFO.name == "gen5"
    run = read_export(f, analyte="Aflatoxin M1", conc_unit="ng/L")
    m = run.measurements
    assert run.acquired == "2024-06-12T17:47:49"  # 12.06.2024: dotted style is day-first
    assert len(m) == 10  # A11, A12: no ID and no read
    a1 = well(run, "A1")
    assert a1["signal"] == 1.234 and a1["channel"] == "od:450"
    assert a1["od:630"] == 0.052 and a1["fluor:579,616"] == 75
    assert a1["nominal"] == 0.5 and a1["nominal_unit"] == "ng/L"
    a8 = well(run, "A8")
    assert math.isnan(a8["signal"]) and a8["reported_flag"] == "OVRFLW"
    assert a8["dilution"] == 1 and a8["sample_id"] == "SPL2"
    assert well(run, "A9")["sample_type"] == "blank"
    assert any("decimal comma" in w for w in run.warnings)


def test_workbook_export():
    f = DATA / "gen5_workbook_export_SYNTHETIC.xlsx"
    assert sniff_format(f)[0].INFO.name == "gen5"
    run = read_export(f, analyte="Aflatoxin M1", conc_unit="ng/L")
    m = run.measurements
    assert len(m) == 5
    assert run.acquired == "2024-10-21T14:05:11"  # date cell + time cell
    assert run.instrument == "Synergy HTX"
    a2 = well(run, "A2")
    assert a2["signal"] == 0.351 and a2["630"] == 0.049 and a2["reported"] == 80.512
    assert a2["nominal"] == 80 and a2["source_line"] == "Plate 1 - Sheet1!R24"
    assert well(run, "A1")["reported_flag"] == "<0.000"
    assert well(run, "A5")["sample_type"] == "blank" and well(run, "A5")["reported_flag"] == "?????"


def test_semicolon_separated_export_with_decimal_commas():
    f = DATA / "gen5_semicolon_decimal_comma_SYNTHETIC.csv"
    assert sniff_format(f)[0].INFO.name == "gen5"
    run = read_export(f, analyte="Aflatoxin M1", conc_unit="ng/L")
    assert run.acquired == "2024-10-21T14:05:11"
    a1 = well(run, "A1")
    assert a1["signal"] == 1.95 and a1["reported_flag"] == "<0,000"
    a3 = well(run, "A3")
    assert math.isnan(a3["signal"]) and a3["signal_flag"] == "OVRFLW" and a3["reported_flag"] == "?????"
    a4 = well(run, "A4")
    assert a4["reported"] == 10.112 and a4["dilution"] == 2 and a4["dilution_index"] == 2


def test_one_decimal_point_cell_and_no_read_mode():
    # ';'-separated: '1,950', '0,351', '0,349' use commas, only A3 '0.812' a point; no
    # Procedure Details, so no read mode
    run = read_export(DATA / "gen5_semicolon_one_dot_cell_no_procedure_SYNTHETIC.csv")
    assert well(run, "A1")["signal"] == 1.950 and well(run, "A4")["signal"] == 0.349
    a3 = well(run, "A3")
    assert math.isnan(a3["signal"]) and a3["signal_flag"] == "0.812"
    assert ("the values mix decimal commas ('1,950') and decimal points ('0.812'): read with "
            "decimal commas") in " | ".join(run.warnings)
    assert set(run.measurements["signal_unit"]) == {"AU"}
    assert ("the Procedure Details name no read mode (Absorbance, Fluorescence, Luminescence): "
            "signal_unit assumed 'AU' (absorbance units)") in run.warnings
