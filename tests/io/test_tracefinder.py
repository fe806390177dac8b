"""Thermo TraceFinder per-compound CSV reader: real fixture, project fixture, bad input.

Expected values are read off the raw files (line cited)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from claims import claims
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labtox.errors import LabtoxError, ParseError
from labtox.io import read_export
from labtox.io import tracefinder as tf
from labtox.io._common import Head

DATA = Path(__file__).resolve().parents[1] / "data" / "tracefinder"


def _at(run, line):
    m = run.measurements
    hit = m[m.source_line == str(line)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_real_serotonin_file(shared):
    path = shared("fixtures", "exports", "thermo_tracefinder", "tracefinder_serotonin.csv")
    assert tf.sniff(Head.of(path))
    run = read_export(path)
    assert run.format == "tracefinder" and run.metadata["encoding"] == "utf-8-sig"
    m = run.measurements
    assert len(m) == 42  # 43 lines = header + 42 injections
    # line 2: "serotonin,13.84,Target Compound,...AYW1130,1,Processed,T1,1V,Unknown,,B:A2,,,N/F,N/F"
    r = _at(run, 2)
    assert (r.sample_id, r.sequence, r.reported_flag) == ("B:A2", 1, "N/F")
    assert math.isnan(r.signal) and r.qc_flags == "PK=Fail; Confirm=NotFound"
    # line 9: "...AYW1137,8,...,B:A9,,,25400,123214,13.47,..., m/z 177.1022, M+H"
    r = _at(run, 9)
    assert (r.signal, r.sequence, r.channel, r.retention_time) == (123214, 8,
                                                                  "177.1022 (M+H)", 13.47)
    assert r.reported_flag == "N/A"  # Calculated Amt N/A: the compound is not calibrated
    assert (m.reported_flag == "N/F").sum() == 41


def test_project_file_types_nominal_istd():
    run = tf.read(DATA / "pcb153.csv")
    r = _at(run, 3)  # Cal Std L1: Area 10250, Calculated 0.49, Theoretical 0.5, ISTD 501200
    assert (r.sample_type, r.level, r.signal, r.reported, r.nominal, r.istd_signal) == (
        "calibration", "L1", 10250, 0.49, 0.5, 501200)
    assert r.reported_unit == "ng/mL" and r.nominal_unit == "ng/mL"
    assert _at(run, 4).excluded and not _at(run, 3).excluded
    r = _at(run, 2)  # Solvent blank, N/F everywhere
    assert r.sample_type == "blank" and r.reported_flag == "N/F"
    assert _at(run, 5).signal == 5120  # quoted thousands "5,120"
    assert _at(run, 6).signal == 41100 and _at(run, 6).sample_type == "qc"  # 4.11E+04
    assert not any("not in labtox's vocabulary (" in w for w in run.warnings)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "cp1252"])
def test_encodings(tmp_path, encoding):
    p = tmp_path / "x.csv"
    p.write_bytes((DATA / "pcb153.csv").read_text("utf-8-sig").encode(encoding))
    assert _at(tf.read(p), 3).signal == 10250


def test_bad_input(tmp_path):
    text = (DATA / "pcb153.csv").read_text("utf-8-sig")
    p = tmp_path / "cut.csv"
    p.write_text(text[: text.index("MNG-033") + 5], "utf-8")
    with pytest.raises(ParseError) as ei:
        tf.read(p)
    assert ei.value.line == 5 and ei.value.expected == "27 cells"
    p.write_text(text.replace(",True,True,", ",True,Perhaps,"), "utf-8")
    with pytest.raises(ParseError) as ei:
        tf.read(p)
    assert (ei.value.line, ei.value.column, ei.value.found) == (4, "Excluded", "Perhaps")
    p.write_text("Name,Area\nx,1\n", "utf-8")
    assert not tf.sniff(Head.of(p))
    with pytest.raises(ParseError, match="not a TraceFinder"):
        tf.read(p)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 1200), at=st.integers(0, 1200),
       junk=st.sampled_from(["", ",", "\n", "x", "\"", "N/F"]))
def test_mutations_give_run_or_labtox_error(tmp_path, cut, at, junk):
    raw = (DATA / "pcb153.csv").read_bytes()
    raw = raw[:cut] if cut < len(raw) else raw
    a = min(at, len(raw))
    raw = raw[:a] + junk.encode() + raw[a + 1:]
    p = tmp_path / "m.csv"
    p.write_bytes(raw)
    try:
        run = tf.read(p)
    except LabtoxError:
        return
    assert len(run.measurements) > 0


# ---- variants of other labs' exports (issue 3: the reader must generalise) -------------------



@pytest.mark.parametrize("name", ["other_template.csv", "semicolon_decimal_comma.csv"])
def test_variant_other_template_and_resave(name):
    # fewer columns in another order; 'File Name', 'Calculated Amount', 'Expected Amt',
    # 'Units' spellings; the second file is the same table re-saved with ';' and decimal commas
    p = DATA / name
    assert claims(p) == ["tracefinder"]
    run = read_export(p)
    m = run.measurements
    spike = m.iloc[0]  # line 2
    assert spike.sample_type == "qc" and spike.vendor_type == "Spiked Blank"
    assert spike.signal == 2210 and spike.istd_signal == 99110
    assert spike.reported == pytest.approx(0.052) and spike.nominal == pytest.approx(0.05)
    assert spike.reported_unit == "µg/kg" and spike.retention_time == pytest.approx(5.11)
    assert spike.data_file == "20240402_003" and spike.sample_id == "Blank spike"
    istd = m.iloc[1]  # line 3: Type 'Internal Standard'
    assert istd.is_istd and istd.analyte == "aflatoxin M1" and istd.reported_flag == "N/A"
    ms = m.iloc[2]  # line 4: peak not found, excluded
    assert ms.sample_type == "spike" and math.isnan(ms.signal) and ms.reported_flag == "N/F"
    assert bool(ms.excluded) and ms.qc_flags == "Confirm=NotFound"
    assert list(m.sequence) == [1, 1, 2, 2]  # no Batch Order: order of the file names


def test_variant_title_line_above_header(tmp_path):
    p = tmp_path / "titled.csv"
    p.write_bytes(b"Compound Summary,,\r\n" + (DATA / "other_template.csv").read_bytes())
    run = read_export(p)
    assert run.format == "tracefinder" and len(run.measurements) == 4
    assert run.measurements.iloc[0].source_line == "3"
    assert any("above the header" in w for w in run.warnings)


def test_real_file_claimed_by_tracefinder_only(shared):
    # its 'Protein Name' and 'Peptide Sequence' columns must not make Skyline claim it
    path = shared("fixtures", "exports", "thermo_tracefinder", "tracefinder_serotonin.csv")
    assert claims(path) == ["tracefinder"]


def test_semicolon_file_with_only_ambiguous_commas_reads_decimal_commas(tmp_path):
    # '2,210' fits both readings; a ';'-separated file comes from a decimal-comma locale
    p = tmp_path / "ambiguous.csv"
    p.write_text("Compound;Filename;Sample Type;Area;Calculated Amt\r\n"
                 "Aflatoxin M1;f_001;Unknown;2,210;N/F\r\n", "cp1252")
    run = read_export(p)
    assert run.format == "tracefinder"
    assert run.measurements.iloc[0].signal == pytest.approx(2.21)
    assert any("read as a decimal comma because the file is ';'-separated" in w
               for w in run.warnings)
