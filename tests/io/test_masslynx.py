"""MassLynx Quantify summary report reader: real fixtures, project fixtures, bad input.

Expected values are read off the raw files (line cited)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labtox.errors import LabtoxError, ParseError
from labtox.io import masslynx as ml
from labtox.io import read_export
from labtox.io._common import Head

DATA = Path(__file__).resolve().parents[1] / "data" / "masslynx"
FIX = ("fixtures", "exports", "waters_masslynx_targetlynx")


def _at(run, line):
    m = run.measurements
    hit = m[m.source_line == str(line)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_compound_summary_default_columns(shared):
    path = shared(*FIX, "070120_Saturation_CQA.txt")
    assert ml.sniff(Head.of(path))
    run = read_export(path)
    assert run.format == "masslynx" and len(run.measurements) == 16
    # line 8: "1<TAB>070120_CQA_22,18µgmL<TAB>2.000<TAB>07-Jan-20<TAB>15:05:51<TAB>3.20<TAB>5.961
    #          <TAB>Analyte<TAB><TAB><TAB>bb"  (cp1252: µ is byte 0xB5)
    r = _at(run, 8)
    assert (r.sample_id, r.analyte, r.signal, r.peak_flags) == ("070120_CQA_22,18µgmL", "CAT",
                                                              5.961, "bb")
    assert r.acquired == "2020-01-07T15:05:51" and r.sample_type == "sample"
    assert run.metadata["encoding"] == "cp1252"
    assert run.metadata["printed"] == "2020-01-07T17:28:50"  # "Printed Tue Jan 07 17:28:50 2020"


def test_compound_summary_all_columns_uses_sample_numbers(shared):
    run = ml.read(shared(*FIX, "SortieMassLynxCompoundToutesColonnes.txt"))
    # line 8: "3<TAB>070120_CQA_500µgmL<TAB>2.000<TAB>07-Jan-20<TAB>15:45:44<TAB>3.24<TAB>9.188"
    r = _at(run, 8)
    assert (r.sequence, r.sample_id, r.signal, r.channel) == (3, "070120_CQA_500µgmL", 9.188,
                                                            "280")
    assert run.n_injections == 4


def test_sample_summary(shared):
    run = ml.read(shared(*FIX, "SortieMassLynxSampleToutesColonnes.txt"))
    assert run.metadata["layout"] == "sample"
    # line 10: "3<TAB>3<TAB>CAT_MS<TAB>289.15<TAB><TAB>..." (no peak: empty RT and Area)
    r = _at(run, 10)
    assert (r.analyte, r.channel, r.reported_flag) == ("CAT_MS", "289.15", "(empty)")
    assert math.isnan(r.signal)
    assert _at(run, 11).signal == 178859.953  # "4<TAB>4<TAB>CQA1_MS<TAB>353.15<TAB>3.47<TAB>178859.953"


def test_unit_titled_conc_column_and_localised_month(shared):
    run = ml.read(shared(*FIX, "mass_15Ngly.txt"))
    m = run.measurements
    assert set(m.reported_unit.dropna()) == {"µM"}  # the column is titled 'uM'
    # line 8: "1<TAB>SE1_GlyN15_3<TAB>188<TAB><TAB><TAB>1.76<TAB>113235<TAB>...<TAB>17-sept-19"
    r = _at(run, 8)
    assert (r.sample_id, r.analyte, r.signal, r.acquired) == ("SE1_GlyN15_3", "NH4+", 113235,
                                                            "2019-09-17")
    assert any("empty Type" in w for w in run.warnings)


def test_project_compound_summary():
    run = ml.read(DATA / "afm1_compound_summary.txt")
    r = _at(run, 9)  # STD 0.20: Std. Conc 0.200, Area 8120.3, IS Area 99800, Conc. 0.203, MM
    assert (r.sample_type, r.nominal, r.signal, r.istd_signal, r.reported, r.peak_flags) == (
        "calibration", 0.2, 8120.3, 99800, 0.203, "MM")
    assert r.acquired == "2024-03-19T09:30:00"  # '19-mars-24' (French month)
    r = _at(run, 10)  # blank, no peak
    assert r.sample_type == "blank" and math.isnan(r.signal) and r.reported_flag == "(empty)"
    assert _at(run, 11).sample_type == "sample" and math.isnan(_at(run, 11).nominal)
    assert _at(run, 17).is_istd
    assert run.sample_types().to_dict() == {"blank": 1, "calibration": 2, "qc": 1, "sample": 1}


def test_project_sample_summary_and_conc_unit_option():
    run = ml.read(DATA / "afm1_sample_summary.txt", conc_unit="µg/kg")
    r = _at(run, 8)
    assert (r.sample_id, r.reported, r.reported_unit, r.istd_signal) == ("MNG-021 shubat",
                                                                       0.0071, "µg/kg", 100900)
    assert _at(run, 14).reported_flag == "(empty)"
    assert run.n_injections == 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_encodings(tmp_path, encoding):
    text = (DATA / "afm1_compound_summary.txt").read_bytes().decode("cp1252")
    p = tmp_path / "x.txt"
    p.write_bytes(text.encode(encoding))
    assert _at(ml.read(p), 8).sample_id == "AFM1_STD_0,05µg"


def test_truncated_row(tmp_path):
    text = (DATA / "afm1_compound_summary.txt").read_bytes().decode("cp1252")
    p = tmp_path / "cut.txt"
    p.write_text(text[: text.index("MNG-021") + 10], "utf-8")
    with pytest.raises(ParseError) as ei:
        ml.read(p)
    assert ei.value.line == 11 and "shorter than its header" in str(ei.value)
    assert ei.value.expected == "at least 13 cells"


def test_rows_before_block_and_not_masslynx(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("Quantify Compound Summary Report\n\n1\tA\t2\n", "utf-8")
    with pytest.raises(ParseError) as ei:
        ml.read(p)
    assert (ei.value.line, ei.value.expected) == (3, "a block header")
    p.write_text("hello\n", "utf-8")
    assert not ml.sniff(Head.of(p))
    with pytest.raises(ParseError, match="not a MassLynx"):
        ml.read(p)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["afm1_compound_summary.txt", "afm1_sample_summary.txt"]),
       cut=st.integers(0, 2000), at=st.integers(0, 2000),
       junk=st.sampled_from(["", "\t", "\n", "x", "Compound 9:  Z", "\xb5"]))
def test_mutations_give_run_or_labtox_error(tmp_path, name, cut, at, junk):
    raw = (DATA / name).read_bytes()
    raw = raw[:cut] if cut < len(raw) else raw
    a = min(at, len(raw))
    raw = raw[:a] + junk.encode("latin-1") + raw[a + 1:]
    p = tmp_path / "m.txt"
    p.write_bytes(raw)
    try:
        run = ml.read(p)
    except LabtoxError:
        return
    assert len(run.measurements) > 0


# ---- variants of other labs' reports (issue 3: the reader must generalise) -------------------

def test_variant_response_height_and_unit_titled_conc():
    # header starting with '#', no Area (Response and Height chosen instead), 'Std. Conc.'
    # with a dot, the concentration column titled by its unit (µg/kg, cp1252), trailing TABs,
    # Standard / Blank / QC / Analyte types
    p = DATA / "response_height_unit_title.txt"
    run = read_export(p)
    assert run.format == "masslynx" and run.metadata["encoding"] == "cp1252"
    m = run.measurements
    std, blk, qc, milk = (m.iloc[i] for i in range(4))  # lines 8-11
    assert std.sample_id == "STD_0,05µg" and std.sample_type == "calibration"
    assert std.signal == 0.0204 and std.signal_unit == "response"
    assert std.nominal == 0.05 and std.nominal_unit == "µg/kg"
    assert std.reported == 0.0489 and std.reported_unit == "µg/kg"
    assert std.acquired == "2024-04-02T09:12:05"
    assert blk.sample_type == "blank" and blk.reported_flag == "(empty)"
    assert qc.sample_type == "qc" and qc.nominal == 0.05
    assert milk.sample_type == "sample" and math.isnan(milk.nominal)
    assert milk.reported == 0.0166 and list(m.source_line) == ["8", "9", "10", "11"]


def test_variant_concentrations_only(tmp_path):
    text = (DATA / "response_height_unit_title.txt").read_bytes().decode("cp1252")
    text = text.replace("\tResponse\tHeight\t", "\tX1\tX2\t")
    p = tmp_path / "conc_only.txt"
    p.write_bytes(text.encode("cp1252"))
    r = read_export(p).measurements.iloc[0]
    assert math.isnan(r.signal) and r.reported_flag == "(no response exported)"
    assert r.reported == 0.0489


def test_variant_sample_id_after_one_space(tmp_path):
    text = (DATA / "afm1_sample_summary.txt").read_bytes().decode("cp1252")
    text = text.replace("Sample Name: MNG-021   Sample ID: MNG-021 shubat",
                        "Sample Name: MNG-021 Sample ID: MNG-021 shubat")
    p = tmp_path / "one_space.txt"
    p.write_bytes(text.encode("cp1252"))
    m = read_export(p).measurements
    assert "MNG-021 shubat" in set(m.sample_id)
    assert not any("Sample ID" in s for s in m.sample_id)
