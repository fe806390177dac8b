"""TargetLynx XML reader: real fixture, project fixture, malformed XML.

Expected values are the attribute values printed in the files (line cited)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labtox.errors import LabtoxError, ParseError
from labtox.io import read_export
from labtox.io import targetlynx_xml as tl
from labtox.io._common import Head

DATA = Path(__file__).resolve().parents[1] / "data" / "targetlynx_xml"
FIX = ("fixtures", "exports", "waters_masslynx_targetlynx")


def test_quandata_real_file(shared):
    path = shared(*FIX, "quandata.xml")
    assert tl.sniff(Head.of(path))
    run = read_export(path)
    assert run.format == "targetlynx-xml"
    m = run.measurements
    assert list(m.analyte) == ["CAT", "EC", "PLZ", "CAT_MS", "EC_MS", "PLZ_MS"]
    # first PEAK: area="1728.5430000000" pkflags="MM" analconc="0.0000000000" chromtrace="280"
    r = m.iloc[0]
    assert (r.signal, r.channel, r.peak_flags, r.reported) == (1728.543, "280", "MM", 0.0)
    assert math.isnan(r.istd_signal)  # ISPEAK area="" (no internal standard)
    # SAMPLE name="130522_Std290920_96_Inj01" type="Analyte" createdate="13-May-22"
    assert (r.sample_id, r.sample_type, r.vendor_type) == ("130522_Std290920_96_Inj01",
                                                         "sample", "Analyte")
    assert r.acquired == "2022-05-13T10:38:48"
    assert math.isnan(r.nominal) and math.isnan(r.dilution)  # dilutionfac="0.0000000000"
    assert "130522_Std290920_96.qld" in run.metadata["dataset"]["filename"]


def test_project_batch_types_istd_nominal_flags():
    run = tl.read(DATA / "afm1_batch.xml", conc_unit="µg/L")
    m = run.measurements
    assert run.instrument == "XEVO-TQS#KZ01"
    r = m[m.sample_id == "STD 0.20"].iloc[0]  # line 18
    assert (r.sample_type, r.nominal, r.nominal_unit, r.signal, r.istd_signal) == (
        "calibration", 0.2, "µg/L", 8120.25, 99800.0)
    assert (r.source_line, r.peak_flags, r.channel) == ("18", "MM", "329 > 273")
    r = m[m.sample_id == "PB-01"].iloc[0]  # line 26: area="" peakmissing="1"
    assert r.sample_type == "blank" and math.isnan(r.signal)
    assert r.reported_flag == "(empty); peakmissing=1"
    r = m[m.sample_id == "MNG-021"].iloc[0]  # line 34: detectionflag="1", dilutionfac 2
    assert (r.reported_flag, r.dilution, r.reported) == ("detectionflag=1", 2.0, 0.0071)
    assert math.isnan(r.nominal)  # stdconc on an Analyte sample is not a nominal value
    assert m[m.sample_id == "QC-mid"].iloc[0].nominal == 0.1
    cal = run.metadata["calibration"]["Aflatoxin M1"]
    assert cal["CALIBRATIONCURVE"]["curve"] == "40812.3 * x + 12.7"
    assert cal["CURVE"]["weighting"] == "1/x"


def test_utf16_copy(tmp_path):
    text = (DATA / "afm1_batch.xml").read_text("utf-8")
    p = tmp_path / "u16.xml"
    p.write_bytes(text.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
                  .encode("utf-16"))
    run = tl.read(p)
    assert run.measurements.iloc[1].signal == 8120.25


def test_truncated_xml(tmp_path):
    raw = (DATA / "afm1_batch.xml").read_bytes()
    p = tmp_path / "cut.xml"
    p.write_bytes(raw[:2500])
    with pytest.raises(ParseError) as ei:
        tl.read(p)
    e = ei.value
    assert e.line is not None and e.column is not None
    assert "malformed" in str(e) and e.expected == "well-formed TargetLynx XML"


def test_other_xml_is_refused(tmp_path):
    p = tmp_path / "x.xml"
    p.write_text("<?xml version='1.0'?><GAML><experiment/></GAML>", "utf-8")
    assert not tl.sniff(Head.of(p))
    with pytest.raises(ParseError) as ei:
        tl.read(p)
    assert ei.value.found == "<GAML>"


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 6000), at=st.integers(0, 6000),
       junk=st.sampled_from(["", "<", ">", '"', "x", "&", "\x00"]))
def test_mutations_give_run_or_labtox_error(tmp_path, cut, at, junk):
    raw = (DATA / "afm1_batch.xml").read_bytes()
    raw = raw[:cut] if cut < len(raw) else raw
    a = min(at, len(raw))
    raw = raw[:a] + junk.encode() + raw[a + 1:]
    p = tmp_path / "m.xml"
    p.write_bytes(raw)
    try:
        run = tl.read(p)
    except LabtoxError:
        return
    assert len(run.measurements) > 0


# ---- variants of other labs' exports (issue 3: the reader must generalise) -------------------

def test_variant_cp1252_without_declaration_and_missing_peak_zeros():

    run = read_export(DATA / "cp1252_undeclared.xml")
    assert run.format == "targetlynx-xml"
    assert any("cp1252" in w for w in run.warnings)
    assert run.metadata["dataset"]["filename"] == "D:\\Contrôle_Qualité\\AFM1_lait.qld"
    m = run.measurements
    blank = m[m.data_file == "LAIT_001"].iloc[0]  # line 9: peakmissing="1", area="0.0000000000"
    assert blank.sample_type == "blank" and blank.sample_id == "LAIT_001"  # sampleid=""
    assert math.isnan(blank.signal) and math.isnan(blank.reported)
    assert blank.reported_flag == "area=0.0000000000; analconc=0.0000000000; peakmissing=1"
    assert blank.istd_signal == 98000
    qc = m[m.sample_id == "QC-L"].iloc[0]  # line 17
    assert qc.sample_type == "qc" and qc.nominal == 0.05 and qc.dilution == 2
    assert qc.signal == 2011.25 and qc.reported == pytest.approx(0.0483)
    assert qc.peak_flags == "MM" and qc.channel == "329 > 273"


def test_variant_utf16_with_declaration(tmp_path):

    text = (DATA / "cp1252_undeclared.xml").read_bytes().decode("cp1252")
    p = tmp_path / "u16.xml"
    p.write_bytes(text.replace('<?xml version="1.0"?>',
                               '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16"))
    run = read_export(p)
    assert len(run.measurements) == 2 and not any("cp1252" in w for w in run.warnings)
    assert run.metadata["dataset"]["filename"].startswith("D:\\Contrôle")


def test_variant_nested_confirmation_peaks_are_not_the_quantitation_peak(tmp_path):
    text = (DATA / "cp1252_undeclared.xml").read_bytes().decode("cp1252")
    nested = ('<ISPEAK area="98100.0000000000" foundrt="5.1000000000"/>\r\n'
              '              <CONFIRMIONS><PEAK area="777.0" chromtrace="329 &gt; 259"/>'
              '</CONFIRMIONS>')
    text = text.replace('<ISPEAK area="98100.0000000000" foundrt="5.1000000000"/>', nested)
    p = tmp_path / "nested.xml"
    p.write_bytes(text.encode("cp1252"))
    run = read_export(p)
    qc = run.measurements[run.measurements.sample_id == "QC-L"].iloc[0]
    assert qc.signal == 2011.25 and qc.istd_signal == 98100 and qc.channel == "329 > 273"
    assert any("confirmation ions" in w for w in run.warnings)
