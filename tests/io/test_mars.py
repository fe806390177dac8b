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
