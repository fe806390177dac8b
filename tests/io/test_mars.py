"""Tests for the BMG MARS CSV reader (labtox.io.mars)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from labtox.errors import ParseError
from labtox.io import read_export, sniff_format

OWN = Path(__file__).resolve().parents[1] / "data" / "mars" / "afm1_mars_SYNTHETIC.csv"


def well(run, w):
    m = run.measurements
    return m[m["well"] == w].iloc[0]


def test_real_384_qc_plate(shared):
    f = shared("fixtures", "exports", "bmg_mars", "bmg_mars_abs384_QC.csv")
    assert sniff_format(f)[0].INFO.name == "mars"
    run = read_export(f)
    m = run.measurements
    # read wells counted in the raw grid: rows A,B,O,P 14 each, C-H 6 each, I 7
    assert len(m) == 99
    assert run.metadata["unread_wells"] == 384 - 99
    assert well(run, "A1")["signal"] == 0.031
    assert well(run, "C2")["signal"] == 2.496
    assert well(run, "P24")["signal"] == 0.032
    assert well(run, "C2")["channel"] == "Raw Data (484)"
    assert well(run, "C2")["signal_unit"] == "AU"
    assert well(run, "C2")["source_line"] == "12"
    assert run.acquired == "2016-03-03T16:54:03"
    assert run.metadata["header"]["Test name"] == "472 ABS 384 QC"
    assert set(m["plate"]) == {"472-0016"}


def test_own_file_content_grid_and_tokens():
    run = read_export(OWN, analyte="Aflatoxin M1")
    m = run.measurements
    assert len(m) == 7  # B4 not read
    a1 = well(run, "A1")
    assert a1["sample_id"] == "Standard S1" and a1["sample_type"] == "calibration"
    assert a1["Blank corrected based on Raw Data (450)"] == 1.9
    b3 = well(run, "B3")
    assert b3["sample_type"] == "blank" and b3["reported_flag"] == "OVER"
    assert math.isnan(b3["signal"])
    assert well(run, "B1")["sample_type"] == "sample"
    assert run.acquired == "2024-10-21T14:05:11"  # 21/10/2024 is day-first
    assert set(m["analyte"]) == {"aflatoxin M1"}


def test_truncated_row(tmp_path):
    text = OWN.read_text()
    p = tmp_path / "cut.csv"
    p.write_text(text[: text.index("B,1.203") + 9])
    with pytest.raises(ParseError, match="plate row B of grid 'Raw Data \\(450\\)' is short"):
        read_export(p, format="mars")


def test_no_grid(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("User: U,Path: P,Test run no.: 1\nTest name: T\n")
    with pytest.raises(ParseError, match="no plate grid"):
        read_export(p)


DATA = OWN.parent


def test_1536_plate_lowercase_rows_and_trailing_header_comma():
    # rows A, Y and e (BMG names 1536-plate rows 27-32 a-f); header ends with 48
    f = DATA / "mars_1536_lowercase_rows_SYNTHETIC.csv"
    assert sniff_format(f)[0].INFO.name == "mars"
    run = read_export(f)
    m = run.measurements
    assert len(m) == 3 * 48
    assert well(run, "e48")["signal"] == 3047.0  # last cell of the 'e' line
    assert well(run, "Y1")["signal"] == 2000.0
    assert well(run, "e1")["source_line"] == "12"
    assert set(m["signal_unit"]) == {"RLU"}
    assert run.acquired == "2024-10-16T15:09:52"  # 10/16/2024 3:09:52 PM is month-first


def test_rows_without_trailing_separators_are_padded_with_a_warning():
    f = DATA / "mars_384_short_rows_SYNTHETIC.csv"
    run = read_export(f)
    m = run.measurements
    # A: 20 values, B: 3, O: 11 values (cell 11 empty), P: none
    assert len(m) == 20 + 3 + 11
    assert well(run, "A20")["signal"] == 24361
    assert "A21" not in set(m["well"])
    assert well(run, "O12")["signal"] == 59
    assert well(run, "B3")["signal"] == 34758
    assert run.metadata["unread_wells"] == 4 * 24 - 34  # empty cells of the rows written
    assert set(m["signal_unit"]) == {"RFU"} and set(m["channel"]) == {"Raw Data (485/520)"}
    assert run.acquired == "2016-02-29T14:34:46"
    assert any("end before the last column" in w for w in run.warnings)


def test_semicolon_decimal_comma_cp1252_two_plates():
    f = DATA / "mars_semicolon_cp1252_two_plates_SYNTHETIC.csv"
    assert sniff_format(f)[0].INFO.name == "mars"
    run = read_export(f, analyte="Aflatoxin M1")
    m = run.measurements
    assert run.metadata["encoding"] == "cp1252"
    assert run.metadata["header"]["ID2"] == "100 µl"
    assert run.acquired == "2024-04-03T09:12:30"  # 03.04.2024: dotted style is day-first
    p1 = m[m["plate"] == "MILCH-01"]
    p2 = m[m["plate"] == "MILCH-02"]
    assert len(p1) == 7 and len(p2) == 2
    a1 = p1[p1["well"] == "A1"].iloc[0]
    assert a1["signal"] == 1.950 and a1["Raw Data (630)"] == 0.052
    assert a1["sample_type"] == "calibration" and a1["sample_id"] == "Standard S1"
    a3 = p1[p1["well"] == "A3"].iloc[0]
    assert math.isnan(a3["signal"]) and a3["reported_flag"] == "OVRFLW"
    assert a3["sample_type"] == "sample"
    b1 = p1[p1["well"] == "B1"].iloc[0]
    assert b1["sample_id"] == "Negative control N" and b1["sample_type"] == "qc"
    assert p1[p1["well"] == "B3"].iloc[0]["sample_type"] == "blank"
    assert p2[p2["well"] == "A2"].iloc[0]["signal"] == 0.655
    assert p2[p2["well"] == "A2"].iloc[0]["sample_id"] == "A2"
    assert any("MILCH-02 has no Content grid" in w for w in run.warnings)
    assert any("decimal comma" in w for w in run.warnings)


def test_row_with_more_cells_than_header(tmp_path):
    p = tmp_path / "wide.csv"
    p.write_text("User: U,Path: P,Test run no.: 1\nTest name: T,Date: 21/10/2024\nAbsorbance\n"
                 "Raw Data (450)\n,1,2\nA,0.1,0.2,0.3\n")
    with pytest.raises(ParseError, match="more cells than the column header") as e:
        read_export(p)
    assert e.value.line == 6 and e.value.found == "0.3"


def test_workbook_export_same_layout():
    f = DATA / "mars_workbook_export_SYNTHETIC.xlsx"
    assert sniff_format(f)[0].INFO.name == "mars"
    run = read_export(f)
    m = run.measurements
    assert len(m) == 5  # B2 not read
    assert well(run, "A2")["signal"] == 1.902
    assert well(run, "A3")["reported_flag"] == "OVER" and math.isnan(well(run, "A3")["signal"])
    assert well(run, "B3")["sample_type"] == "blank"
    assert well(run, "B1")["source_line"] == "Microplate End point!R11"
    assert run.acquired == "2024-10-22T10:15:02"


def test_one_decimal_point_cell_does_not_flip_a_decimal_comma_file():
    # 7 cells with decimal commas, one ('0.812', A3) with a decimal point: commas win
    run = read_export(DATA / "mars_semicolon_one_dot_cell_SYNTHETIC.csv")
    assert well(run, "A1")["signal"] == 1.950
    assert well(run, "A4")["signal"] == 0.349
    assert well(run, "B4")["signal"] == 0.655
    a3 = well(run, "A3")
    assert math.isnan(a3["signal"]) and a3["reported_flag"] == "0.812"  # kept, not misread
    assert ("the values mix decimal commas ('1,950') and decimal points ('0.812'): read with "
            "decimal commas") in " | ".join(run.warnings)


def test_each_plate_keeps_its_own_header_date_and_unit_warning():
    run = read_export(DATA / "mars_two_plates_own_dates_no_mode_SYNTHETIC.csv")
    m = run.measurements
    p1, p2 = m[m["plate"] == "P1"], m[m["plate"] == "P2"]
    assert set(p1["acquired"]) == {"2024-10-21T14:05:11"}
    assert set(p2["acquired"]) == {"2024-10-22T09:30:00"}
    assert p2[p2["well"] == "A1"].iloc[0]["signal"] == 1.204
    assert run.acquired == "2024-10-21T14:05:11"
    assert run.metadata["plate_headers"]["P2"]["Test name"] == "T2"
    assert run.metadata["plate_headers"]["P1"]["Test run no."] == "4"
    assert set(m["signal_unit"]) == {"AU"}
    assert any("no measurement mode line" in w and "signal_unit assumed 'AU' (absorbance units)"
               in w for w in run.warnings)
    assert "P1, P2 have no Content grid: every read well is a sample named by its well" in \
        run.warnings
