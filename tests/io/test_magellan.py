"""Tests for the Tecan Magellan XLSX reader (labtox.io.magellan)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from labtox.errors import ParseError
from labtox.io import read_export, sniff_format

OWN = Path(__file__).resolve().parents[1] / "data" / "magellan" / "afm1_magellan_SYNTHETIC.xlsx"


def well(run, w):
    m = run.measurements
    return m[m["well"] == w].iloc[0]


def test_real_384_well_two_labels(shared):
    f = shared("fixtures", "exports", "tecan_magellan", "SLA01P01_ELISA.xlsx")
    assert sniff_format(f)[0].INFO.name == "magellan"
    run = read_export(f)
    m = run.measurements
    assert len(m) == 384
    a1 = well(run, "A1")  # raw sheet row 4: A1, 0.0557, 0.0509
    assert a1["signal"] == 0.0557 and a1["Label2 (560 nm)"] == 0.0509
    assert a1["channel"] == "Label1 (485 nm)" and a1["signal_unit"] == "AU"
    assert a1["source_line"] == "Magellan Sheet 1!R4"
    assert well(run, "P24")["signal"] == 0.0356
    assert run.acquired == "2021-07-08T14:34:46"
    assert run.metadata["temperatures"] == {"Label1": "24.8 °C", "Label2": "25.1 °C"}
    assert run.metadata["method"] == "210325_384ELISA.mth"


def test_own_file_token():
    run = read_export(OWN, analyte="Aflatoxin M1")
    a3 = well(run, "A3")
    assert math.isnan(a3["signal"]) and a3["reported_flag"] == "OVER"
    assert a3["Label2 (620 nm)"] == 0.07
    assert len(run.measurements) == 4


def test_not_a_workbook(tmp_path):
    p = tmp_path / "x.xlsx"
    p.write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(ParseError, match="cannot be opened"):
        read_export(p, format="magellan")


DATA = OWN.parent


def test_fluorescence_well_list_with_plate_and_sample_columns():
    # 'Well positions' is the 2nd column; the label is named 'GFP' (see 'Meas. temperature')
    f = DATA / "magellan_fluorescence_plate_column_SYNTHETIC.xlsx"
    assert sniff_format(f)[0].INFO.name == "magellan"
    run = read_export(f)
    m = run.measurements
    assert len(m) == 3
    a1 = well(run, "A1")
    assert a1["signal"] == 15023 and a1["signal_unit"] == "RFU"
    assert a1["channel"] == "GFP (Ex 485 nm / Em 535 nm)"
    assert a1["sample_id"] == "STD1" and a1["sample_type"] == "calibration" and a1["plate"] == "P-01"
    a2 = well(run, "A2")
    assert math.isnan(a2["signal"]) and a2["reported_flag"] == "OVER"
    assert a2["sample_type"] == "unknown"
    assert any("'SMP'" in w for w in run.warnings)
    assert well(run, "B1")["sample_type"] == "blank"
    assert any("sheet rows 7" in w for w in run.warnings)  # the 'Mean' row
    assert run.acquired == "2021-07-08T14:34:46"  # '08.07.2021': dotted style is day-first


def test_values_stored_as_text_with_decimal_commas():
    f = DATA / "magellan_decimal_comma_text_SYNTHETIC.xlsx"
    run = read_export(f)
    m = run.measurements
    assert len(m) == 3  # B2 empty: not measured
    assert well(run, "A2")["signal"] == 0.0557 and well(run, "A1")["signal"] == 1.95
    assert well(run, "B1")["reported_flag"] == "Invalid"
    assert well(run, "A1")["channel"] == "Label1 (450 nm)"
    assert run.acquired == "2021-07-28T09:05:00"  # 7/28/2021 9:05:00 AM
    assert any("decimal comma" in w for w in run.warnings)


def test_zero_padded_well_names(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (["Well positions", "Label1"], [None, "0s"], [None, "24.8 °C"], ["A01", 0.5],
                ["H12", 0.25], ["Measurement wavelength: 450 nm"], ["Unit: OD"]):
        ws.append(row)
    p = tmp_path / "m.xlsx"
    wb.save(p)
    run = read_export(p)
    assert run.measurements["well"].tolist() == ["A1", "H12"]
    assert run.measurements["source_line"].tolist() == ["Sheet!R4", "Sheet!R5"]


def test_dayfirst_option_and_one_decimal_point_text_cell():
    # 'Date of measurement: 08/07/2021/Time of measurement: 14:34:46'; text values
    # '1,950', '0,351', '0.812', '0,349'
    f = DATA / "magellan_ambiguous_date_one_dot_cell_SYNTHETIC.xlsx"
    run = read_export(f)
    assert run.acquired == ""
    assert ("date '08/07/2021 14:34:46' not read: the dates are ambiguous (every day and month "
            "is 12 or less) (pass dayfirst=)") in run.warnings
    assert read_export(f, dayfirst=True).acquired == "2021-07-08T14:34:46"
    assert read_export(f, dayfirst=False).acquired == "2021-08-07T14:34:46"
    assert well(run, "A1")["signal"] == 1.950 and well(run, "A4")["signal"] == 0.349
    a3 = well(run, "A3")
    assert math.isnan(a3["signal"]) and a3["signal_flag"] == "0.812"
    assert ("the values mix decimal commas ('1,950') and decimal points ('0.812'): read with "
            "decimal commas") in " | ".join(run.warnings)
