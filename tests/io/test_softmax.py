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
    with pytest.raises(ParseError, match="has 1 rows, not 2"):
        read_export(p, format="softmax")
