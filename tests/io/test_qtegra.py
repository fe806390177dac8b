"""Thermo Qtegra export reader: real exports (../shared) and project fixtures."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from claims import read_only_as
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutations import assert_run_or_labtox_error, mutate

from labtox.errors import LabtoxError, ParseError
from labtox.io import _tables, qtegra, read_export
from labtox.io._common import Head

DATA = Path(__file__).resolve().parents[1] / "data" / "qtegra"
EXPORTS = ("fixtures", "exports", "thermo_qtegra")


def pick(run, line, channel):
    m = run.measurements
    hit = m[(m["source_line"] == str(line)) & (m["channel"] == channel)]
    assert len(hit) == 1, (line, channel, len(hit))
    return hit.iloc[0]


def test_icpms_ked_bom_semicolon_pipes(shared):
    path = shared(*EXPORTS, "qtegra_icpms_KED.csv")
    assert qtegra.sniff(Head.of(path))
    run = read_export(path)
    assert run.format == "qtegra" and run.instrument == "ICP-MS"
    # line 5: 1;ZERO;4325.8505590203376;|;0.38650165839782774;|;...
    r = pick(run, 5, "52Cr [KED]")
    assert r["sample_id"] == "ZERO" and r["sample_type"] == "calibration_blank"
    assert r["signal"] == pytest.approx(4325.8505590203376)
    assert r["reported"] == pytest.approx(0.38650165839782774) and r["reported_unit"] == "ppb"
    # 38 sample rows (lines 5-42); survey channels are kept apart from the main one
    assert run.n_injections == 38
    assert (run.measurements["channel"] == "7Li [KED] survey").sum() == 38
    # labels without a type word are samples, and the run says so
    assert pick(run, 6, "52Cr [KED]")["sample_type"] == "sample"  # 'USP 1-1'
    assert any("typed 'sample'" in w and "'USP 1-1'" in w for w in run.warnings)
    # 'CAN17-00180-DUP' carries DUP
    m = run.measurements
    assert set(m.loc[m["sample_id"] == "CAN17-00180-DUP", "sample_type"]) == {"duplicate"}
    # QC recoveries of analytes outside the main list are kept (line 23: 9Be recovery 0)
    un = run.metadata["unplaced"]
    assert ((un["label"] == "44Ca (KED)") | (un["label"] == "9Be (KED)")).any()


def test_oes_semicolon_standard_concentration(shared):
    run = read_export(shared(*EXPORTS, "qtegra_oes_AR20200205Aliquots.csv"))
    assert run.instrument == "ICP-OES"
    # line 5: 1;BLANK;-0.203;...  (Be 234.861 Raw.Average)
    r = pick(run, 5, "Be 234.861 (Radial)")
    assert r["signal"] == pytest.approx(-0.203) and r["sample_type"] == "blank"
    # line 6: 930ppb, ExtCal.StandardConcentration (Be 234.861) 0.922849767347765,
    # ExtCal.Average 1.00400890083285 -> a calibration standard by the software's own use
    r = pick(run, 6, "Be 234.861 (Radial)")
    assert r["nominal"] == pytest.approx(0.922849767347765) and r["nominal_unit"] == "ppm"
    assert r["reported"] == pytest.approx(1.00400890083285)
    assert r["sample_type"] == "calibration" and r["vendor_type"] == "ExtCal.StandardConcentration"


def test_oes_tab_separated(shared):
    run = read_export(shared(*EXPORTS, "qtegra_oes_icp_oes_data.tsv"))
    # line 6: 2<TAB>STD0.05 ... Sc 424.683 Raw.Average 38347.16172; Fe 238.204 IS-corrected 481.1833316
    sc = pick(run, 6, "Sc 424.683 (Axial)")
    assert sc["signal"] == pytest.approx(38347.16172) and sc["sample_type"] == "calibration"
    fe = pick(run, 6, "Fe 238.204 (Axial)")
    assert fe["ISCorrectedIntensity.Average"] == pytest.approx(481.1833316)
    assert fe["reported_unit"] == "ppm"


def test_time_resolved_variant_is_refused(shared):
    path = shared(*EXPORTS, "qtegra_icap_rows.csv")
    assert not qtegra.sniff(Head.of(path))
    with pytest.raises(ParseError, match="time-resolved"):
        qtegra.read(path)


def test_project_icpms_fixture():
    run = read_export(DATA / "icpms_semicolon.csv")
    assert run.format == "qtegra"
    # line 7: 3;MNG-003;120.4;2150.0;|;0.0107;0.0182
    pb = pick(run, 7, "208Pb [KED]")
    assert pb["signal"] == 2150.0 and pb["reported"] == 0.0182 and pb["sample_id"] == "MNG-003"
    assert pick(run, 6, "111Cd [KED]")["sample_type"] == "calibration"  # 'STD 1'
    assert pick(run, 8, "111Cd [KED]")["sample_type"] == "duplicate"  # 'MNG-003-DUP'
    assert pick(run, 9, "208Pb [KED]")["sample_type"] == "qc"  # 'QC 5ppb'
    assert pick(run, 9, "208Pb [KED]")["ExtCal.QC.RecoveryPercentage"] == 101.0


def test_project_oes_fixture_empty_cells_counted():
    run = qtegra.read(DATA / "oes_tab.tsv")
    # line 7: 930ppb has no standard concentration and no type word -> sample
    assert pick(run, 7, "Pb 220.353 (Axial)")["sample_type"] == "sample"
    assert pick(run, 6, "Pb 220.353 (Axial)")["nominal"] == 0.5
    # line 8: Pb cells empty -> no measurement, counted in the warnings
    m = run.measurements
    assert not ((m["source_line"] == "8") & (m["analyte"] == "Pb")).any()
    assert any("1 sample × channel cell(s) are empty" in w for w in run.warnings)
    assert pick(run, 8, "Cd 228.802 (Axial)")["Raw.RSD"] == 5.5


def test_label_rule():
    assert _tables.label_sample_type("matrix blank") == ("blank", "matrix blank")
    assert _tables.label_sample_type("STD0.05")[0] == "calibration"
    assert _tables.label_sample_type("Calcium 3") == ("sample", None)
    assert _tables.label_sample_type("0.1") == ("sample", None)


def test_truncated(tmp_path):
    raw = (DATA / "icpms_semicolon.csv").read_bytes()
    p = tmp_path / "t.csv"
    p.write_bytes(raw[: raw.index(b"MNG-003-DUP") + 16])  # cut inside "118.9": 3 cells
    with pytest.raises(ParseError) as ei:
        qtegra.read(p)
    e = ei.value
    assert e.line == 8 and e.expected == "9 cells as in the header (line 1)"
    assert e.found == "3 cells" and e.column == 4 and "truncated" in e.message


def test_missing_header(tmp_path):
    lines = (DATA / "oes_tab.tsv").read_text().splitlines()
    p = tmp_path / "h.tsv"
    p.write_text("\n".join(lines[4:]))
    with pytest.raises(ParseError) as ei:
        qtegra.read(p)
    e = ei.value
    assert e.line == 1 and "four-row header" in e.message and e.found.startswith("1\tmatrix blank")
    with pytest.raises(LabtoxError):
        read_export(p)


def test_missing_analyte_label(tmp_path):
    text = (DATA / "oes_tab.tsv").read_text().replace("\tPb 220.353 {153} (Axial)\tCd", "\t\tCd", 1)
    p = tmp_path / "l.tsv"
    p.write_text(text)
    with pytest.raises(ParseError) as ei:
        qtegra.read(p)
    assert ei.value.line == 3 and ei.value.column == 4 and math.isfinite(ei.value.line)


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutations_give_run_or_labtox_error(tmp_path_factory, data):
    """Truncated, garbled, column-dropped or re-encoded files: a valid Run or a LabtoxError."""
    raw = mutate((DATA / "icpms_semicolon.csv").read_bytes(), data, sep=b';')
    assert_run_or_labtox_error(qtegra.read, raw, tmp_path_factory.mktemp("mut"), ".csv")


def test_decimal_comma_semicolon(tmp_path):
    """A European re-save: ';' separator and decimal commas read to the same numbers."""
    text = (DATA / "oes_tab.tsv").read_text()
    lines = text.splitlines()
    conv = lines[:4] + [ln.replace(".", ",") for ln in lines[4:]]
    p = tmp_path / "eu.csv"
    p.write_text("\n".join(ln.replace("\t", ";") for ln in conv), encoding="utf-8-sig")
    run = qtegra.read(p)
    assert run.metadata["decimal"] == ","
    r = pick(run, 6, "Cd 228.802 (Axial)")
    assert r["signal"] == 1530.75 and r["reported"] == 0.5012 and r["nominal"] == 0.5


def test_unlisted_attribute_names(tmp_path):
    """Attributes labtox has no name for: '.Average' in counts is the signal, '.Average' in a
    concentration unit the reported value; the rest become extra columns."""
    rows = [
        ["", "", "Raw.Average", "StdAdd.Average", "StdAdd.Slope"],
        ["", "", "0", "0", "0"],
        ["", "", "208Pb (STD)", "208Pb (STD)", "208Pb (STD)"],
        ["", "", "Y (cps)", "Y (ppb)", "Y (cps/ppb)"],
        ["1", "MNG-060", "2150.5", "0.0182", "118000"],
    ]
    p = tmp_path / "sa.csv"
    p.write_text("\n".join(";".join(r) for r in rows))
    run = read_export(p)
    r = run.measurements.iloc[0]
    assert run.format == "qtegra"
    assert r["signal"] == 2150.5 and r["reported"] == 0.0182 and r["reported_unit"] == "ppb"
    assert r["StdAdd.Slope"] == 118000


# ----------------------------------------------------------------- variants of other labs
# Small files in the same layout written by the project; expected values read off the raw
# files (line numbers are text lines of each file).




def test_variant_comma_separated_crlf_trailing_delimiter():
    run = read_only_as(DATA / "icpms_comma_crlf.csv", "qtegra")
    assert run.metadata["delimiter"] == ","
    # line 7: 3,MNG-101 milk,800.25,45.5,251000.0,0.151,<0.000,
    cd = pick(run, 7, "111Cd [KED]")
    assert cd["signal"] == 45.5 and math.isnan(cd["reported"])
    assert cd["reported_flag"] == "<0.000" and cd["reported_unit"] == "µg/L"
    # an internal-standard channel with no concentration is still a measurement (line 5 Rh)
    assert pick(run, 5, "103Rh [KED]")["signal"] == 250000.0
    assert pick(run, 6, "75As [KED]")["sample_type"] == "ccv"  # 'CCV 10ppb'
    assert pick(run, 8, "75As [KED]")["sample_type"] == "spike"  # 'Spike MNG-101'
    assert pick(run, 5, "75As [KED]")["sample_type"] == "calibration_blank"  # 'Cal Blank'
    assert run.n_injections == 4


def test_variant_utf16_decimal_comma():
    run = read_only_as(DATA / "icpms_utf16_decimal_comma.csv", "qtegra")
    assert run.metadata["encoding"].startswith("utf-16") and run.metadata["decimal"] == ","
    # line 6: 2;Probe 1;2150,0;120,4;0,0182;0,0107
    pb = pick(run, 6, "208Pb [STD]")
    assert pb["signal"] == 2150.0 and pb["reported"] == pytest.approx(0.0182)
    assert pick(run, 6, "111Cd [KED]")["reported"] == pytest.approx(0.0107)


def test_variant_tab_cr_only_cp1252_mg_per_kg():
    run = read_only_as(DATA / "oes_cr_cp1252.txt", "qtegra")
    assert run.metadata["encoding"] == "cp1252" and run.instrument == "ICP-OES"
    # line 6: 2<TAB>Lait µ 7<TAB>20.1<TAB>5.5<TAB>49800<TAB>0.0025<TAB>0.0011
    pb = pick(run, 6, "Pb 220.353 (Axial)")
    assert pb["sample_id"] == "Lait µ 7" and pb["signal"] == 20.1
    assert pb["reported"] == 0.0025 and pb["reported_unit"] == "mg/kg"
    assert pick(run, 6, "Y 371.030 (Radial)")["signal"] == 49800.0
    assert run.n_injections == 2  # the trailing empty line is not a sample


def test_variant_quoted_cells_with_the_delimiter_in_a_label():
    run = read_only_as(DATA / "icpms_quoted.csv", "qtegra")
    r = pick(run, 5, "208Pb [KED]")
    assert r["sample_id"] == "MNG-7; rerun" and r["signal"] == 48900.0 and r["reported"] == 4.9
    assert pick(run, 6, "208Pb [KED]")["sample_type"] == "crm"  # 'CRM 1643f'


def test_variant_samples_in_columns():
    run = read_only_as(DATA / "icpms_samples_in_columns.csv", "qtegra")
    assert run.metadata["orientation"] == "samples in columns"
    m = run.measurements
    # column 7 (MNG-201): Raw.Average 208Pb 2150.0 (line 4), ExtCal.Average 208Pb N/A (line 6)
    r = m[(m["sample_id"] == "MNG-201") & (m["channel"] == "208Pb [KED]")].iloc[0]
    assert r["signal"] == 2150.0 and math.isnan(r["reported"]) and r["reported_flag"] == "N/A"
    assert r["source_line"] == "C7"
    # column 6 (STD 1): Raw.Average 111Cd 10450.25, ExtCal.Average 111Cd 1.002
    s = m[(m["sample_id"] == "STD 1") & (m["channel"] == "111Cd [KED]")].iloc[0]
    assert s["signal"] == 10450.25 and s["reported"] == 1.002 and s["sample_type"] == "calibration"
    assert run.n_injections == 3


def test_variant_samples_in_columns_truncated(tmp_path):
    p = tmp_path / "cut.csv"
    raw = (DATA / "icpms_samples_in_columns.csv").read_bytes()
    p.write_bytes(raw + b"ExtCal.Average,0\r\n")
    with pytest.raises(ParseError) as ei:
        qtegra.read(p)
    assert ei.value.line == 7 and "truncated" in str(ei.value)
    assert "attribute, run, analyte" in str(ei.value)


def test_variant_untitled_column_kept_and_bracket_units():
    # a third leading column with no header cells ('Blk', 'Sample'); units 'Y [cps]'
    run = read_only_as(DATA / "icpms_untitled_column_brackets.csv", "qtegra")
    r = pick(run, 6, "208Pb [KED]")
    assert r["signal"] == 2150.0 and r["reported"] == 0.0182 and r["reported_unit"] == "ppb"
    assert r["column_3"] == "Sample" and pick(run, 5, "208Pb [KED]")["column_3"] == "Blk"
    assert any("without header cells hold values" in w for w in run.warnings)


def test_variant_more_attributes_and_a_bare_unit_cell():
    # attributes as a newer Qtegra export writes them: BlankCorrectedIntensity.Average and a
    # dimensionless ExtCal.CoefficientOfDetermination whose unit cell is a bare 'Y'
    run = read_only_as(DATA / "oes_more_attributes_bare_unit.tsv", "qtegra")
    # line 6: STD0.2  Fe Raw 4478.97, blank-corrected 2886.27, ExtCal 0.1908, R² 0.99982, std 0.2
    fe = pick(run, 6, "Fe 238.204 (Axial)")
    assert fe["signal"] == 4478.97 and fe["reported"] == 0.1908 and fe["nominal"] == 0.2
    assert fe["BlankCorrectedIntensity.Average"] == 2886.27
    assert fe["ExtCal.CoefficientOfDetermination"] == 0.99982
    # line 7: N/A tokens kept (concentration first, then the attribute's)
    fe7 = pick(run, 7, "Fe 238.204 (Axial)")
    assert math.isnan(fe7["reported"])
    assert fe7["reported_flag"] == "N/A; BlankCorrectedIntensity.Average: N/A"
    # line 5: 'BLK' with a standard concentration 0 was the software's calibration zero
    blk = pick(run, 5, "Fe 238.204 (Axial)")
    assert blk["sample_type"] == "calibration_blank" and blk["nominal"] == 0.0
    # the internal standard's ExtCal.Average is a recovery in %
    assert pick(run, 7, "Sc 424.683 (Axial)")["reported_unit"] == "%"


def test_wide_header_longer_than_the_sniffed_head(tmp_path):
    # 2 x 1500 value columns: the four header rows (about 90 kB) do not fit in the 64 kB head
    # that sniffing sees; the complete attribute row is enough to recognise the export
    labs = [f"{m}Pb (KED)" for m in (206, 207, 208)] * 500
    attrs = ["Raw.Average"] * len(labs) + ["ExtCal.Average"] * len(labs)
    lines = [";;" + ";".join(attrs), ";;" + ";".join("0" for _ in attrs),
             ";;" + ";".join(labs + labs),
             ";;" + ";".join(["Y (cps)"] * len(labs) + ["Y (ppb)"] * len(labs)),
             "1;Blank;" + ";".join("1.5" for _ in attrs)]
    p = tmp_path / "wide.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert p.stat().st_size > 65536
    from labtox.io import sniff_format

    assert sniff_format(p)[0] is qtegra


def test_variant_every_attribute_ticked_with_scans():
    # the layout of an export with every attribute ticked: undotted per-run attributes
    # (ISCorrectedIntensity, MeasuredConcentration) and MainRuns scan points whose unit
    # cells are 'X[0] (Wavelength)', 'Y[0]', 'Time[0]'
    run = read_only_as(DATA / "oes_all_attributes_scans.tsv", "qtegra")
    # line 6: 4  ferrozine A  Fe Raw.Average 1112.2 ... ExtCal.Average 0.1291,
    # MeasuredConcentration run 0 'N/A', run 1 0.1290
    fe = pick(run, 6, "Fe 238.204 (Axial)")
    assert fe["signal"] == 1112.2 and fe["reported"] == 0.1291 and fe["reported_unit"] == "ppm"
    assert fe["ISCorrectedIntensity[1]"] == 1114.4 and fe["MeasuredConcentration[1]"] == 0.129
    assert fe["reported_flag"] == "MeasuredConcentration: N/A"
    # line 5: STD0.08 has a standard concentration 0.08
    assert pick(run, 5, "Fe 238.204 (Axial)")["nominal"] == 0.08
    sp = run.metadata["spectra"]
    assert len(sp) == 12 and set(sp["attribute"]) == {"MainRuns"}
    y0 = sp[(sp["point"] == "Y[0]") & (sp["source_line"] == "6")]
    assert y0["value"].tolist() == [1210.5]
    assert any("12 scan point(s)" in w for w in run.warnings)


def test_variant_triple_quad_labels_do_not_merge():
    # iCAP TQ labels '<Q1 isotope> | <Q3 ion> (<mode>)': two As channels must stay apart
    run = read_only_as(DATA / "icpms_tq_modes.csv", "qtegra")
    # line 6: MNG-70 ... As O2 2500.5 / 0.52, As H2 2410.0 / 0.49
    o2 = pick(run, 6, "75As | 75As.16O (TQ-O2)")
    h2 = pick(run, 6, "75As | 75As (TQ-H2)")
    assert (o2["signal"], o2["reported"]) == (2500.5, 0.52)
    assert (h2["signal"], h2["reported"]) == (2410.0, 0.49)
    assert o2["analyte"] == h2["analyte"] == "As"
    assert any("resolve to the same channel" in w for w in run.warnings)


def test_variant_exponent_decimal_commas_and_cells_past_the_header():
    # icpms_semicolon_exponent_commas_extra_cells.csv: ';'-separated, decimal commas written
    # with exponents ('2,15E+03'), one stray decimal-point cell ('0.5', line 8) that must
    # not flip the file to decimal points; line 7 has two cells past the last header column
    run = read_only_as(DATA / "icpms_semicolon_exponent_commas_extra_cells.csv", "qtegra")
    assert run.metadata["decimal"] == ","
    # line 7: 3;MNG-003;1,204E+02;2,15E+03;|;1,07E-02;1,82E-02;rerun 2x;tube 7
    pb = pick(run, 7, "208Pb [KED]")
    assert pb["signal"] == 2150.0 and pb["reported"] == 0.0182
    assert pick(run, 5, "111Cd [KED]")["signal"] == 35.2
    assert pb["column_8"] == "rerun 2x" and pb["column_9"] == "tube 7"
    import pandas as pd

    assert pd.isna(pick(run, 8, "208Pb [KED]")["column_8"])
    assert any("1 row(s) have values in cells past the last header column (first: line 7)"
               in w and "column_8, column_9" in w for w in run.warnings)
