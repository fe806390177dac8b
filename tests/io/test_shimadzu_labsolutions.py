"""Shimadzu LabSolutions / GCMSsolution ASCII reader: real fixtures, project fixtures, bad input.

Expected values are read off the raw files (line cited next to each check).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from claims import claims
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labtox.errors import LabtoxError, ParseError
from labtox.io import read_export
from labtox.io import shimadzu_labsolutions as sh
from labtox.io._common import Head

DATA = Path(__file__).resolve().parents[1] / "data" / "shimadzu_labsolutions"
FIX = ("fixtures", "exports", "shimadzu_labsolutions")


def _one(run, **eq):
    m = run.measurements
    mask = True
    for k, v in eq.items():
        mask = mask & (m[k] == v)
    hit = m[mask]
    assert len(hit) == 1, (eq, len(hit))
    return hit.iloc[0]


# ---- real files -------------------------------------------------------------------------

def test_qp2010_ms_quantitative_results(shared):
    path = shared(*FIX, "QP2010.txt")
    assert sh.sniff(Head.of(path))
    run = sh.read(path)
    assert run.metadata["layout"] == "sections" and len(run.measurements) == 23
    # line 9: "1 alpha-Pinene Target 0 93.00 7.738 7.680 7.795 2.480 344488 138926 0.02604 ..."
    r = _one(run, source_line="9")
    assert (r.analyte, r.channel, r.signal, r.reported, r.reported_unit) == (
        "alpha-Pinene", "93.00", 344488, 0.02604, "mg")
    # line 10: Camphene, negative Conc. -0.07825 kept as printed
    assert _one(run, source_line="10").reported == pytest.approx(-0.07825)
    # line 30: "22 Caryophyllene oxide Target 0 79.00 Not Identified ..."
    r = _one(run, source_line="30")
    assert math.isnan(r.signal) and r.reported_flag == "Not Identified"


def test_gc_qqq_sample_information(shared):
    run = sh.read(shared(*FIX, "GC-QQQ_output.txt"))
    r = _one(run, source_line="72")  # "1 Diazinone Target 1 153.00>138.10 Not Identified"
    assert (r.analyte, r.channel, r.reported_flag) == ("Diazinone", "153.00>138.10",
                                                       "Not Identified")
    # [Sample Information]: Sample ID 1-16-02258-001, Dilution Factor 10, Analyzed
    # 10/17/2016 4:29:47 PM (lines 15-19, 54)
    assert r.sample_id == "1-16-02258-001" and r.dilution == 10
    assert r.acquired == "2016-10-17T16:29:47" and run.acquired == "2016-10-17T16:29:47"
    assert (run.measurements.reported_flag == "Not Identified").all()


def test_gcmssolution_count_mismatch_is_reported(shared):
    run = sh.read(shared(*FIX, "13CPROT1_gcmssolution.txt"))
    assert len(run.measurements) == 259  # IDs 138, 139 and 179 are absent from the table
    assert any("declares 262 rows and holds 259" in w for w in run.warnings)
    r = _one(run, source_line="9")  # "1 Glyoxylate (1MEOX) _TMS 1_m0 ... 388 147 0.00598 ... mg/L"
    assert (r.signal, r.reported, r.reported_unit) == (388, 0.00598, "mg/L")


def test_lcms8050_batch_compound_table(shared):
    run = sh.read(shared(*FIX, "LCMS-8050.txt"))
    assert run.metadata["layout"] == "batch"
    assert len(run.measurements) == 27 * 13  # 27 'ID#' blocks x 13 injections
    assert run.metadata["summary_rows"] == 27 * 5
    # line 4: "1 10172016_Blank_Blank_001.lcd Blank Blank Unknown 0 ----- 6163 1083 1075 293225"
    r = _one(run, source_line="4")
    assert (r.analyte, r.signal, r.istd_signal, r.reported_flag) == ("Okratoxin", 6163, 293225,
                                                                     "-----")
    assert r.channel == "404.20>239.00" and r.acquired == "2016-10-17T13:20:57"
    # line 10: SIN CITY BUBBA KUSH, RT 4.007, Area 14582, Conc. 0.002, Mark '   M'
    r = _one(run, source_line="10")
    assert (r.sample_id, r.signal, r.reported, r.mark) == ("1-16-02255-001", 14582, 0.002, "M")
    assert r.retention_time == pytest.approx(4.007)
    assert set(run.sample_types().index) == {"sample", "qc"}  # Unknown, Unknown(QA/QC)
    assert "aflatoxin B1" in run.analytes


def test_labsolutions_gc_peak_table(shared):
    run = sh.read(shared(*FIX, "labsolutions_gc_ladder.txt"))
    assert len(run.measurements) == 83  # '# of Peaks 83', '# of IDs 0'
    r = _one(run, source_line="82")  # "1 1.843 1.774 1.876 2042 505 4.044 0.000  V ..."
    assert (r.analyte, r.signal, r.channel, r.mark) == ("peak 1.843", 2042, "Ch1", "V")
    assert run.software == "LabSolutions 5.82"
    assert r.acquired == "2019-07-18T19:45:56"  # Acquired 7/18/2019 7:45:56 PM (line 17)


@pytest.mark.parametrize("name", ["QP2010.txt", "GC-QQQ_output.txt", "LCMS-8050.txt",
                                  "13CPROT1_gcmssolution.txt", "labsolutions_gc_ladder.txt"])
def test_read_export_sniffs(shared, name):
    assert read_export(shared(*FIX, name)).format == "shimadzu-labsolutions"


# ---- project fixtures ---------------------------------------------------------------------

def test_gcms_istd_group_and_units():
    run = sh.read(DATA / "gcms_quant.txt")
    r = _one(run, analyte="PCB 153")  # line 27
    assert (r.signal, r.istd_signal, r.istd_channel) == (10250, 501200, "PCB 209")
    assert (r.reported, r.reported_unit, r.dilution, r.sample_id) == (0.49012, "ng/mL", 5,
                                                                     "MNG-005")
    assert _one(run, analyte="PCB 209").is_istd
    r = _one(run, analyte="gamma-HCH")  # line 28: Not Identified, empty cells
    assert math.isnan(r.signal) and r.reported_flag == "Not Identified"
    assert _one(run, analyte="p,p'-DDE").reported == pytest.approx(-0.012)
    assert run.acquired == "2024-03-19T14:29:47"  # Analyzed 19/03/2024 (day-first evident)


def test_batch_standards_nominal_and_tokens():
    run = sh.read(DATA / "lcms_batch.txt")
    r = _one(run, analyte="aflatoxin M1", sample_id="STD2")  # line 5
    assert (r.sample_type, r.nominal, r.signal, r.level) == ("calibration", 0.1, 20110, "2")
    r = _one(run, analyte="aflatoxin M1", sample_id="MNG-012")  # line 6: all '-----'
    assert math.isnan(r.signal) and r.reported_flag == "-----" and r.dilution == 2
    r = _one(run, analyte="aflatoxin M1", sample_id="QC")  # line 7: quoted thousands
    assert r.signal == 5012 and r.sample_type == "qc" and math.isnan(r.nominal)
    assert _one(run, analyte="aflatoxin B1", sample_id="MNG-012").signal == 150  # 1.5e+02
    assert run.metadata["summary_rows"] == 4
    assert sorted(set(run.measurements.sequence)) == [1, 2, 3, 4]


def test_tq8030_headerless_summary():
    run = sh.read(DATA / "tq8030_summary.txt")
    assert any("by position" in w for w in run.warnings)
    r = _one(run, analyte="gamma-HCH", sample_id="MNG-001")  # line 2: "3,794" quoted
    assert (r.signal, r.reported, r.retention_time) == (3794, 0.0123, 12.041)
    r = _one(run, analyte="HCB", sample_id="STD-05")  # line 11
    assert (r.signal, r.sample_type, r.level) == (99870, "calibration", "3")
    r = _one(run, analyte="gamma-HCH", sample_id="MNG-002")
    assert math.isnan(r.signal) and r.reported_flag == "-----"
    assert run.metadata["summary_rows"] == 3


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_encodings(tmp_path, encoding, newline):
    text = (DATA / "lcms_batch.txt").read_text("utf-8").replace("\r\n", "\n")
    p = tmp_path / "x.txt"
    p.write_bytes(text.replace("\n", newline).encode(encoding))
    r = _one(sh.read(p), analyte="aflatoxin M1", sample_id="STD2")
    assert r.signal == 20110 and r.source_line == "5"


# ---- bad input ---------------------------------------------------------------------------

def test_truncated_row(tmp_path):
    text = (DATA / "lcms_batch.txt").read_text("utf-8")
    p = tmp_path / "cut.txt"
    p.write_text(text[: text.index("20240319_QC_004.lcd") + 30], "utf-8")
    with pytest.raises(ParseError) as ei:
        sh.read(p)
    e = ei.value
    assert e.line == 7 and e.expected.startswith("at least") and "truncated" in str(e)


def test_bad_count_line(tmp_path):
    text = (DATA / "gcms_quant.txt").read_text("utf-8").replace("# of IDs\t4", "# of IDs\tfour")
    p = tmp_path / "c.txt"
    p.write_text(text, "utf-8")
    with pytest.raises(ParseError) as ei:
        sh.read(p)
    assert ei.value.line == 24 and ei.value.found == "four" and "count" in ei.value.expected


def test_not_shimadzu(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("hello\tworld\n1\t2\n", "utf-8")
    assert not sh.sniff(Head.of(p))
    with pytest.raises(ParseError, match="not a Shimadzu"):
        sh.read(p)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["gcms_quant.txt", "lcms_batch.txt", "tq8030_summary.txt"]),
       cut=st.integers(0, 3000), at=st.integers(0, 3000),
       junk=st.sampled_from(["", "\t", "\n", "[", "-----", "x", "\"", "ID#\t"]))
def test_mutations_give_run_or_labtox_error(tmp_path, name, cut, at, junk):
    raw = (DATA / name).read_bytes()
    raw = raw[:cut] if cut < len(raw) else raw
    a = min(at, len(raw))
    raw = raw[:a] + junk.encode() + raw[a + 1:]
    p = tmp_path / "m.txt"
    p.write_bytes(raw)
    try:
        run = sh.read(p)
    except LabtoxError:
        return
    assert len(run.measurements) > 0


def test_comma_delimited_labsolutions_lc_file():
    run = sh.read(DATA / "lc_comma_sections.txt")
    r = run.measurements.iloc[0]  # line 30: "1,Aflatoxin M1,5.102,20110,3900,0.2030,Linear,..."
    assert (r.analyte, r.signal, r.reported, r.channel) == ("aflatoxin M1", 20110, 0.203,
                                                            "Detector A")
    assert (r.sample_type, r.vendor_type, r.level, r.sample_id) == ("calibration", "Standard",
                                                                   "2", "STD2")
    assert r.acquired == "2024-03-19T21:15:40" and len(run.measurements) == 1
    assert any("1 unidentified peak" in w for w in run.warnings)


def test_tab_file_with_decimal_commas():
    run = sh.read(DATA / "gc_tab_decimal_comma.txt")
    r = run.measurements.iloc[0]  # line 19: "1 HCB 8,063 2838883 74297 38,2100 ..."
    assert (r.analyte, r.signal, r.reported, r.retention_time) == ("HCB", 2838883, 38.21, 8.063)
    assert r.dilution == 2.5 and r.acquired == "2024-03-19T21:15:40"
    assert run.measurements.iloc[1].reported == pytest.approx(20.57)


# ---- variants of other labs' exports (issue 3: the reader must generalise) -------------------



def test_variant_gc_dual_channel_utf16():
    p = DATA / "gc_dual_channel_utf16.txt"
    assert claims(p) == ["shimadzu-labsolutions"]
    run = read_export(p)
    assert run.metadata["encoding"] == "utf-16" and run.software == "LabSolutions 5.92"
    m = run.measurements
    assert len(m) == 4  # two compounds x two channels; the peak table is not read twice
    ch1 = m[(m.analyte == "PCB 153") & (m.channel == "Ch1")].iloc[0]  # line 25
    assert ch1.signal == 9876 and ch1.reported == pytest.approx(1.1204)
    assert ch1.reported_unit == "ng/mL" and ch1.mark == "V" and ch1.dilution == 2
    assert ch1.sample_id == "MNG-050" and ch1.sample_type == "sample"
    ch2 = m[(m.analyte == "PCB 153") & (m.channel == "Ch2")].iloc[0]  # line 31: not found
    assert math.isnan(ch2.signal) and ch2.reported_flag == "-----"
    assert not any("unidentified" in w for w in run.warnings)


def test_variant_lc_batch_cr_only_abbreviated_names():
    p = DATA / "lc_batch_cr_only.txt"
    # masshunter-icpms's sniff also accepts batch tables (reported to its owner); the
    # Shimadzu reader comes first and is the one read_export picks
    assert claims(p)[0] == "shimadzu-labsolutions"
    run = read_export(p)
    assert run.format == "shimadzu-labsolutions"
    m = run.measurements
    assert len(m) == 4 and run.metadata["summary_rows"] == 1
    std = m.iloc[0]  # line 4; 'Aflatoxin M1 - AFM1' names one analyte
    assert std.analyte == "aflatoxin M1" and std.channel == "Aflatoxin M1 - AFM1"
    assert std.signal == 2050 and std.reported == pytest.approx(0.0103)
    assert std.reported_unit == "µg/L" and std.acquired == "2024-03-19T13:20:57"
    assert std.sample_type == "calibration" and std.level == "1"
    istd = m.iloc[2]  # line 11: the labelled ISTD's own block, '--' concentration
    assert istd.is_istd and istd.analyte == "aflatoxin M1" and istd.reported_flag == "--"
    assert list(m.sequence) == [1, 2, 1, 2]


def test_variant_sections_without_header_section():
    # the ASCII-output items are the user's choice: this file starts at [Sample Information]
    p = DATA / "gcms_no_header_section.txt"
    assert claims(p) == ["shimadzu-labsolutions"]
    run = read_export(p)
    m = run.measurements
    pcb = m[m.analyte == "PCB 153"].iloc[0]  # line 11 (two extra Ref.Ion cells)
    assert pcb.signal == 20112 and pcb.reported == pytest.approx(0.812)
    assert pcb.istd_signal == 150231 and pcb.istd_channel == "PCB 209"
    assert pcb.sample_id == "MNG-061" and pcb.channel == "359.80"
    hcb = m[m.analyte == "HCB"].iloc[0]  # line 12
    assert math.isnan(hcb.signal) and hcb.reported_flag == "Not Identified"
    assert m[m.analyte == "PCB 209"].iloc[0].is_istd
