"""Skyline report reader: real fixture, project fixture (European culture), bad input.

Expected values are read off the raw files (line cited)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labtox.errors import LabtoxError, ParseError
from labtox.io import read_export
from labtox.io import skyline as sk
from labtox.io._common import Head

DATA = Path(__file__).resolve().parents[1] / "data" / "skyline"


def _at(run, line):
    m = run.measurements
    hit = m[m.source_line == str(line)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_real_transition_results(shared):
    path = shared("fixtures", "exports", "skyline", "Skyline_MoleculeTransitionResults.csv")
    assert sk.sniff(Head.of(path))
    run = read_export(path)
    assert run.format == "skyline"
    assert len(run.measurements) == 109  # 110 lines = header + 109 transition rows
    # line 4: "Aldosterone,Steroids,SBLK1,361.2,361,[M+H],1,Ion [343.100549/343.100549],343.1,
    #          343,[M+],1,2.49,121860,2902,2"
    r = _at(run, 4)
    assert (r.analyte, r.sample_id, r.channel, r.signal, r.retention_time) == (
        "Aldosterone", "SBLK1", "361.2 > 343.1", 121860, 2.49)
    assert r.molecule_list == "Steroids"
    assert run.n_injections == 6  # SBLK1, SBLK2, SST1, SST2, SST4, SST5
    assert any("no 'Sample Type'" in w for w in run.warnings)


def test_european_culture_semicolon_decimal_comma():
    run = sk.read(DATA / "afm1_eu_locale.csv")
    assert (run.metadata["delimiter"], run.metadata["decimal"]) == (";", ",")
    r = _at(run, 2)  # Cal_1 Standard 0,05 ... Area 2050,5, Calc 0,0491, 19.03.2024 09:12
    assert (r.sample_type, r.nominal, r.signal, r.reported) == ("calibration", 0.05, 2050.5,
                                                               0.0491)
    assert r.channel == "329.0680 > 273.0757" and r.acquired == "2024-03-19T09:12:00"
    r = _at(run, 4)  # MNG-030: '#N/A' area kept as a token, not 0
    assert math.isnan(r.signal) and r.reported_flag == "#N/A"
    assert _at(run, 3).reported_flag == "#N/A" and _at(run, 3).signal == 1210
    assert _at(run, 6).signal == 4010 and _at(run, 6).sample_type == "qc"  # 4,01E+03


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
def test_encodings(tmp_path, encoding):
    p = tmp_path / "x.csv"
    p.write_bytes((DATA / "afm1_eu_locale.csv").read_text("utf-8").encode(encoding))
    assert _at(sk.read(p), 2).signal == 2050.5


def test_ragged_row_and_not_skyline(tmp_path):
    text = (DATA / "afm1_eu_locale.csv").read_text("utf-8")
    p = tmp_path / "cut.csv"
    p.write_text(text[: text.index("QC-2") + 20], "utf-8")
    with pytest.raises(ParseError) as ei:
        sk.read(p)
    assert ei.value.line == 6 and ei.value.expected == "12 cells"
    p.write_text("Name,Area\nx,1\n", "utf-8")
    assert not sk.sniff(Head.of(p))
    with pytest.raises(ParseError, match="not a Skyline report"):
        sk.read(p)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 900), at=st.integers(0, 900),
       junk=st.sampled_from(["", ";", "\n", "x", "\"", "#N/A", ","]))
def test_mutations_give_run_or_labtox_error(tmp_path, cut, at, junk):
    raw = (DATA / "afm1_eu_locale.csv").read_bytes()
    raw = raw[:cut] if cut < len(raw) else raw
    a = min(at, len(raw))
    raw = raw[:a] + junk.encode() + raw[a + 1:]
    p = tmp_path / "m.csv"
    p.write_bytes(raw)
    try:
        run = sk.read(p)
    except LabtoxError:
        return
    assert len(run.measurements) > 0


def test_missing_molecule_column_is_named(tmp_path):
    text = (DATA / "afm1_eu_locale.csv").read_text("utf-8").replace("Molecule Name;", "Name;")
    p = tmp_path / "x.csv"
    p.write_text(text, "utf-8")
    assert sk.sniff(Head.of(p))
    with pytest.raises(ParseError) as ei:
        sk.read(p)
    assert "no molecule column" in str(ei.value) and "'Molecule Name'" in ei.value.expected


# ---- variants of other labs' reports (issue 3: the reader must generalise) -------------------

def test_variant_invariant_names_with_heavy_internal_standard():
    run = read_export(DATA / "invariant_names_heavy_istd.csv")
    assert run.format == "skyline"
    light, heavy = _at(run, 2), _at(run, 3)
    assert light.analyte == heavy.analyte == "aflatoxin M1"
    assert not light.is_istd and heavy.is_istd  # IsotopeLabelType heavy, Internal Standard
    assert light.signal == 4101.5 and light.nominal == 0.1 and light.reported == 0.0987
    assert light.channel == "329.0680 > 273.0757"
    assert heavy.channel == "346.1250 > 288.1130 (heavy)" and heavy.signal == 98011
    assert math.isnan(heavy.nominal) and heavy.reported_flag == "#N/A"
    assert heavy.analyte_concentration == 0.1  # line 3: AnalyteConcentration 0.1, as written
    assert light.sample_type == "calibration" and light.acquired == "2024-03-19T09:12:05"
    nd = _at(run, 4)  # no peak: #N/A in RetentionTime, Area and CalculatedConcentration
    assert math.isnan(nd.signal) and nd.reported_flag == "#N/A"
    assert nd.acquired == "2024-03-19T13:30:44"


def test_variant_tab_separated_precursor_report():
    run = read_export(DATA / "precursor_total_area.tsv")
    assert run.format == "skyline" and run.metadata["delimiter"] == "\t"
    assert run.metadata["signal_column"] == "Total Area"
    assert list(run.measurements.sample_type) == ["blank"] * 4  # Double Blank, Blank
    native, labelled = _at(run, 4), _at(run, 5)
    assert native.analyte == labelled.analyte == "PCB 153" and labelled.is_istd
    assert labelled.compound == "13C12-PCB 153" and native.compound == "PCB 153"
    assert native.signal == 1520 and labelled.signal == 80211
    assert native.channel == "359.8415" and native.retention_time == 17.21
    assert _at(run, 2).reported_flag == "#N/A"


def test_variant_report_without_mz_columns():
    # no Precursor Mz / Product Mz: the channel comes from Precursor Name > Product Name
    run = read_export(DATA / "no_mz_columns.csv")
    m = run.measurements
    assert list(m.channel) == ["329 > 273", "329 > 259"] * 2  # lines 2-5
    assert _at(run, 4).signal == 4101 and _at(run, 5).fragment_ion == "Ion [259.060/259.060]"
    assert not any("share replicate" in w for w in run.warnings)


def test_indistinguishable_rows_are_kept_and_warned(tmp_path):
    text = (DATA / "no_mz_columns.csv").read_text("utf-8")
    text = text.replace("Precursor Name,", "Precursor X,").replace("Product Name,", "Product X,")
    p = tmp_path / "same_channel.csv"
    p.write_text(text, "utf-8")
    run = read_export(p)
    assert len(run.measurements) == 4
    assert any("4 row(s) share replicate" in w for w in run.warnings)
