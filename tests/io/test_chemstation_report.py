"""ChemStation / OpenLab Report.TXT reader: real fixtures, project fixture (UTF-16, two signals),
bad input. Expected values are read off the raw files (line cited)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labtox.errors import LabtoxError, ParseError
from labtox.io import chemstation_report as cs
from labtox.io import read_export
from labtox.io._common import Head

DATA = Path(__file__).resolve().parents[1] / "data" / "chemstation_report"
FIX = ("fixtures", "exports", "agilent_chemstation_openlab")


def _at(run, line):
    m = run.measurements
    hit = m[m.source_line == str(line)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_real_internal_standard_report(shared):
    path = shared(*FIX, "Report.txt")
    assert cs.sniff(Head.of(path))
    run = read_export(path)
    assert run.format == "chemstation-report" and len(run.measurements) == 37
    # line 41: "  8.335 MF        1   10.97505    5.42183  531.23458    Glyoxylate"
    r = _at(run, 41)
    assert (r.analyte, r.signal, r.reported, r.peak_flags, r.retention_time) == (
        "Glyoxylate", 10.97505, 531.23458, "MF", 8.335)
    assert (r.signal_unit, r.reported_unit, r.channel) == ("pA*s", "ng/µL", "FID1 A")
    # line 51: " 18.803 FM   I    1   11.20124    1.00000  100.00000    Adonitol" (the ISTD)
    r = _at(run, 51)
    assert r.is_istd and r.signal == 11.20124 and r.peak_flags == "FM"
    # ISTD #1 is Adonitol (ISTD table, line 31): its area is every target's istd_signal
    assert _at(run, 62).istd_signal == 11.20124 and _at(run, 62).istd_channel == "Adonitol"
    # line 62: " 22.825 MF        1   66.80258 9.08191e-1  541.63209    Mannitol"
    assert _at(run, 62).reported == 541.63209
    # Injection Date 10/11/2021 11:03:47 PM, read month-first because of 'Last changed
    # 2/25/2021' in the same header; Seq. Line 8; instrument MPSr-GCFID
    assert r.acquired == "2021-10-11T23:03:47" and r.sequence == 8
    assert run.instrument == "MPSr-GCFID" and run.metadata["report"] == "Internal Standard Report"


def test_real_short_report(shared):
    run = cs.read(shared(*FIX, "Report_Ex1.txt"))
    assert len(run.measurements) == 4 and set(run.measurements.sample_id) == {"EX1"}


def test_project_utf16_two_signals():
    run = cs.read(DATA / "MNG-040_Report.TXT")
    assert run.metadata["encoding"] == "utf-16"
    r = _at(run, 33)  # PCB 153 on ECD1 A: area 98.76540, amount 1.12040, ratio 9.08191e-1
    assert (r.analyte, r.channel, r.signal, r.reported, r.istd_signal) == (
        "PCB 153", "ECD1 A", 98.7654, 1.1204, 501.2)
    r = _at(run, 34)  # unnamed peak, no amount
    assert r.analyte == "peak 21.007" and math.isnan(r.reported) and r.signal == 3.21
    r = _at(run, 43)  # second signal uses its own ISTD peak
    assert (r.channel, r.istd_signal) == ("ECD2 B", 480.0)
    assert r.dilution == 2.0 and r.acquired == "2024-03-19T22:41:10" and r.sequence == 12


def test_truncated_report(tmp_path):
    text = (DATA / "MNG-040_Report.TXT").read_text("utf-16")
    p = tmp_path / "cut.txt"
    p.write_text(text[: text.index("PCB 153") - 33], "utf-8")
    with pytest.raises(ParseError) as ei:
        cs.read(p)
    assert "End of Report" in ei.value.expected and "truncated" in str(ei.value)
    # without the end check, the short row is still refused
    with pytest.raises(ParseError) as ei:
        cs.read(p, require_end=False)
    assert ei.value.line == 33 and ei.value.column == "Area"


def test_not_a_report(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("hello\n*** End of Report ***\n", "utf-8")
    assert not cs.sniff(Head.of(p))
    with pytest.raises(ParseError, match="no peak table"):
        cs.read(p)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 3000), at=st.integers(0, 3000),
       junk=st.sampled_from(["", " ", "\n", "|", "-", "x", "I"]))
def test_mutations_give_run_or_labtox_error(tmp_path, cut, at, junk):
    text = (DATA / "MNG-040_Report.TXT").read_text("utf-16")
    text = text[:cut] if cut < len(text) else text
    a = min(at, len(text))
    text = text[:a] + junk + text[a + 1:]
    p = tmp_path / "m.txt"
    p.write_text(text, "utf-8")
    try:
        run = cs.read(p)
    except LabtoxError:
        return
    assert len(run.measurements) > 0


# ---- variants of other labs' reports (issue 3: the reader must generalise) -------------------

def test_variant_area_percent_report_utf16():
    # 'Peak RetTime ...' header, a ruler ending in '|', two 'Area' columns ([LU*s] and %),
    # no Amount and no Name column; UTF-16 with BOM and CRLF.

    run = read_export(DATA / "area_percent_fld.txt")
    assert run.format == "chemstation-report" and run.metadata["report"] == "Area Percent Report"
    m = run.measurements
    assert list(m.signal) == [25.4187, 180.472]  # lines 24-25, the [LU*s] column, not %
    assert set(m.signal_unit) == {"LU*s"} and list(m.analyte) == ["peak 6.512", "peak 8.004"]
    assert m.reported.isna().all() and m.reported_flag.isna().all()
    assert list(m.source_line) == ["24", "25"] and set(m.sequence) == {3}
    assert set(m.channel) == {"FLD1 A, Ex=365, Em=435"}
    assert run.acquired == "2024-03-12T09:15:41"


def test_variant_external_standard_with_compound_not_found():

    run = read_export(DATA / "estd_not_found.txt")
    m = run.measurements
    assert len(m) == 3
    hch = m[m.analyte == "gamma-HCH"].iloc[0]  # line 23
    assert hch.signal == pytest.approx(150.2103) and hch.reported == pytest.approx(0.95309)
    assert hch.reported_unit == "ng/mL" and hch.peak_flags == "BB"
    hcb = m[m.analyte == "HCB"].iloc[0]  # line 25: calibrated compound not found, '-' cells
    assert math.isnan(hcb.signal) and math.isnan(hcb.reported) and hcb.reported_flag == "-"
    assert run.acquired == "2024-03-19T23:02:45"  # 3/19/2024 11:02:45 PM: month first


def test_variant_sorted_by_retention_time_with_sig_column():
    # one table for all signals ('Sig' column), no 'Signal n:' line, no ISTD table
    run = read_export(DATA / "sorted_by_rt_sig_column.txt")
    m = run.measurements
    s1, s2, istd = m.iloc[0], m.iloc[1], m.iloc[2]  # lines 18-20
    assert s1.channel == "Signal 1" and s2.channel == "Signal 2"
    assert s1.analyte == s2.analyte == "gamma-HCH"
    assert s1.signal == pytest.approx(150.2103) and s2.reported == pytest.approx(0.899)
    assert istd.is_istd and istd.signal == pytest.approx(501.2)
    assert s1.istd_signal == pytest.approx(501.2) and s1.istd_channel == "PCB 209"
    assert math.isnan(s2.istd_signal)  # signal 2 has no ISTD peak
    assert s1.reported_unit == "ng/µL" and s1.sequence == 14
