"""Agilent ICP Expert wide export reader: real export (../shared) and project fixtures."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from claims import read_only_as
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutations import assert_run_or_labtox_error, mutate

from labtox.errors import ParseError
from labtox.io import icpexpert, read_export
from labtox.io._common import Head

DATA = Path(__file__).resolve().parents[1] / "data" / "icpexpert"


def at(run, line, channel):
    m = run.measurements
    hit = m[(m["source_line"] == str(line)) & (m["channel"] == channel)]
    assert len(hit) == 1, (line, channel, len(hit))
    return hit.iloc[0]


def test_real_seawater_export(shared):
    path = shared("fixtures", "exports", "agilent_icpexpert", "250130_Seawaters.csv")
    assert icpexpert.sniff(Head.of(path))
    run = read_export(path)
    assert run.format == "icpexpert"
    # line 2: 01:18:00,Blank,444.14,133.8,33.24993,...  (B Ax 249.678, B R 249.772, Ba Ax 230.424)
    b = at(run, 2, "B 249.678 (Axial)")
    assert b["signal"] == 444.14 and b["signal_unit"] == "c/s" and b["sample_type"] == "blank"
    assert at(run, 2, "B 249.772 (Radial)")["signal"] == 133.8
    assert at(run, 2, "Ba 230.424 (Axial)")["signal"] == pytest.approx(33.24993)
    assert b["rack_tube"] == "01:18:00"
    # line 3: IAPSOf0.599832545311269 has no value at all: no rows, and a warning says so
    assert not (run.measurements["source_line"] == "3").any()
    assert any("IAPSOf0.599832545311269" in w and "no value at all" in w for w in run.warnings)
    # 35 element lines (header: 37 columns minus Rack:Tube and Solution Label)
    assert run.measurements["channel"].nunique() == 35


def test_project_fixture_flags():
    run = read_export(DATA / "icpexpert_small.csv")
    m = run.measurements
    # line 2: Blank, Cd ppb '0.00 u' (number kept, flag kept), Pb ppb 'Uncal'
    cd = at(run, 2, "Cd 228.802 (Axial)")
    assert cd["reported"] == 0.0 and cd["reported_flag"] == "0.00 u" and cd["signal"] == 120.5
    pb = at(run, 2, "Pb 220.353 (Radial)")
    assert math.isnan(pb["reported"]) and pb["reported_flag"] == "Uncal"
    # line 4: '####'
    assert at(run, 4, "Pb 220.353 (Radial)")["reported_flag"] == "####"
    # line 5: 2.51E5 (scientific), '164.3 o', quoted thousands "1,250.5", '2834.76 !'
    cd = at(run, 5, "Cd 228.802 (Axial)")
    assert cd["signal"] == 251000 and cd["reported"] == 164.3 and cd["reported_flag"] == "164.3 o"
    pb = at(run, 5, "Pb 220.353 (Radial)")
    assert pb["signal"] == 1250.5 and pb["reported"] == 2834.76 and pb["reported_flag"] == "2834.76 !"
    assert pb["reported_unit"] == "ppb"
    # types from label words: 'Std 10 ppb' -> calibration; 'Rinse' row is empty -> dropped, warned
    assert at(run, 3, "Cd 228.802 (Axial)")["sample_type"] == "calibration"
    assert not (m["source_line"] == "6").any()
    assert any("Rinse" in w for w in run.warnings)


def test_xlsx_two_sheets_merged(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Intensity"
    ws.append(["Rack:Tube", "Solution Label", "Pb R 220.353 nm c/s"])
    ws.append(["1:01", "Blank", 88.25])
    ws.append(["1:02", "MNG-011", 402.7])
    ws2 = wb.create_sheet("ppm")
    ws2.append(["Rack:Tube", "Solution Label", "Pb R 220.353 nm ppm"])
    ws2.append(["1:01", "Blank", "0.000 u"])
    ws2.append(["1:02", "MNG-011", 0.0123])
    p = tmp_path / "oes.xlsx"
    wb.save(p)
    run = read_export(p)
    m = run.measurements
    assert len(m) == 2
    r = m[m["sample_id"] == "MNG-011"].iloc[0]
    assert r["signal"] == 402.7 and r["reported"] == 0.0123 and r["reported_unit"] == "ppm"
    r = m[m["sample_id"] == "Blank"].iloc[0]
    assert r["reported_flag"] == "0.000 u" and r["source_line"] == "Intensity!R2"


def test_truncated(tmp_path):
    text = (DATA / "icpexpert_small.csv").read_text()
    p = tmp_path / "t.csv"
    p.write_text(text[: text.index("164.3 o")])
    with pytest.raises(ParseError) as ei:
        icpexpert.read(p)
    e = ei.value
    assert e.line == 5 and e.found == "4 cells" and e.expected == "6 cells as in the header (line 1)"


def test_missing_header(tmp_path):
    p = tmp_path / "h.csv"
    p.write_text("\n".join((DATA / "icpexpert_small.csv").read_text().splitlines()[1:]))
    assert not icpexpert.sniff(Head.of(p))
    with pytest.raises(ParseError) as ei:
        icpexpert.read(p)
    assert ei.value.line == 1 and "Solution Label" in ei.value.expected
    assert ei.value.found == "1:01,Blank,120.5,0.00 u,88.25,Uncal"


def test_parse_column():
    assert icpexpert.parse_column("Ba R 455.403 nm ppb") == ("Ba", "455.403", "Radial", "ppb")
    assert icpexpert.parse_column("Rack:Tube") is None


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutations_give_run_or_labtox_error(tmp_path_factory, data):
    """Truncated, garbled, column-dropped or re-encoded files: a valid Run or a LabtoxError."""
    raw = mutate((DATA / "icpexpert_small.csv").read_bytes(), data, sep=b',')
    assert_run_or_labtox_error(icpexpert.read, raw, tmp_path_factory.mktemp("mut"), ".csv")


def test_native_information_columns(tmp_path):
    """Type, Date Time and Dilution columns, when the export has them, are read."""
    p = tmp_path / "native.csv"
    p.write_text(
        "Solution Label,Type,Date Time,Dilution,Pb 220.353 nm c/s,Pb 220.353 nm ppb\n"
        "Cal Blank,Blk,21/03/2024 10:02:11,1,88.25,0.00 u\n"
        "MNG-070,Sample,21/03/2024 10:05:40,50,402.7,0.0123\n")
    run = icpexpert.read(p)
    m = run.measurements
    r = m[m["sample_id"] == "MNG-070"].iloc[0]
    assert r["dilution"] == 50 and r["acquired"] == "2024-03-21T10:05:40"
    assert r["sample_type"] == "sample" and m.iloc[0]["sample_type"] == "blank"
    assert r["channel"] == "Pb 220.353"


# ----------------------------------------------------------------- variants of other labs




def test_variant_semicolon_decimal_comma_cp1252_preamble_no_view():
    run = read_only_as(DATA / "icpexpert_semicolon_cp1252_preamble.csv", "icpexpert")
    assert run.metadata["decimal"] == "," and run.metadata["encoding"] == "cp1252"
    assert run.metadata["preamble"][1] == "Worksheet: MNG milk 2024.esws"
    assert any("2 line(s) above the header" in w for w in run.warnings)
    # line 7: MNG-011;1:03;Sample;21.03.2024 13:09:02;402,7;0,410 r;51000;2,1 x
    pb = at(run, 7, "Pb 220.353")  # no view word in the column name: no view in the channel
    assert pb["signal"] == 402.7 and pb["reported"] == 0.41 and pb["reported_unit"] == "µg/L"
    assert pb["reported_flag"] == "0,410 r" and pb["acquired"] == "2024-03-21T13:09:02"
    cd = at(run, 7, "Cd 228.802")
    assert cd["reported"] == 2.1 and cd["reported_flag"] == "2,1 x"
    # line 5: Blank ... 0,00 u; Uncal
    assert at(run, 5, "Pb 220.353")["reported_flag"] == "0,00 u"
    assert at(run, 5, "Cd 228.802")["reported_flag"] == "Uncal"
    assert at(run, 5, "Y 371.029")["signal"] == 50000.5
    # Type column words: Standard -> calibration, QC -> qc
    assert at(run, 6, "Pb 220.353")["sample_type"] == "calibration"
    assert at(run, 8, "Pb 220.353")["sample_type"] == "qc"


def test_variant_two_sheets_keep_both_tokens():
    run = read_only_as(DATA / "icpexpert_two_sheets.xlsx", "icpexpert")
    # Intensity!R3 MNG-012 Cd '1.2E5 o'; Concentration!R3 Cd '####'
    cd = at(run, "Intensity!R3", "Cd 228.802 (Radial)")
    assert cd["signal"] == 120000.0 and math.isnan(cd["reported"])
    assert cd["reported_flag"] == "####; 1.2E5 o"
    pb = at(run, "Intensity!R3", "Pb 220.353 (Radial)")
    assert pb["reported"] == 0.041 and pb["acquired"] == "2024-03-21T13:09:02"
    assert at(run, "Intensity!R2", "Cd 228.802 (Radial)")["reported_flag"] == "0.00 u"


def test_variant_opendocument_spreadsheet():
    # an export re-saved as .ods (LibreOffice), sheets 'Intensity' (c/s) and 'ppm'; Rack:Tube
    # turned into times; the header in <table:table-header-rows>, a label split by a text
    # span ('IAPSO' + 'f0.6'), one value written once with number-columns-repeated="2", and
    # 1 048 570 repeated empty rows after the data (as LibreOffice writes)
    run = read_only_as(DATA / "icpexpert_resaved.ods", "icpexpert")
    # Intensity!R4 'Seawater 3': B 1585.36 c/s, 4.41 ppm; Ca 315.887 2834.76 c/s, 'Uncal' ppm;
    # Ca 422.673 (the repeated cell) 2834.76 c/s, 412.3 ppm
    b = at(run, "Intensity!R4", "B 249.678 (Axial)")
    assert b["signal"] == 1585.36 and b["reported"] == 4.41 and b["reported_unit"] == "ppm"
    assert b["rack_tube"] == "01:02:00"
    ca = at(run, "Intensity!R4", "Ca 315.887 (Axial)")
    assert ca["signal"] == 2834.76 and math.isnan(ca["reported"]) and ca["reported_flag"] == "Uncal"
    ca2 = at(run, "Intensity!R4", "Ca 422.673 (Radial)")
    assert ca2["signal"] == 2834.76 and ca2["reported"] == 412.3
    # the float cell's value, not its rounded display ('444.1'), is read
    assert at(run, "Intensity!R2", "B 249.678 (Axial)")["signal"] == 444.14
    assert at(run, "Intensity!R2", "Ca 315.887 (Axial)")["reported_flag"] == "0.00 u"
    # the row without values is counted, not silently dropped
    assert any("1 solution row(s) have no value at all (IAPSOf0.6)" in w for w in run.warnings)
    assert sum("look like times" in w for w in run.warnings) == 1
    assert len(run.measurements) == 6


def test_variant_qc_and_error_flag_letters():
    # letters from Agilent's ICP-OES help page "Error flags": Q (CCV failure), e (edited),
    # # (overrange in a replicate), * (duplicate failure), A1 (all-sample QC), x, m; 'Error'
    # and '--' (all replicates excluded) replace the number
    run = read_only_as(DATA / "icpexpert_qc_failure_flags.csv", "icpexpert")
    assert at(run, 2, "Cd 228.802")["reported"] == 10.9
    assert at(run, 2, "Cd 228.802")["reported_flag"] == "10.9 Q"
    pb3 = at(run, 3, "Pb 220.353")
    assert math.isnan(pb3["reported"]) and pb3["signal"] == 402.7
    assert pb3["reported_flag"] == "Error; 402.7 #"
    assert at(run, 4, "Pb 220.353")["reported_flag"] == "--"
    assert at(run, 4, "Cd 228.802")["sample_type"] == "duplicate"  # Type 'DUP'
    assert at(run, 5, "Cd 228.802")["reported"] == 0.12
    assert at(run, 5, "Pb 220.353")["reported_flag"] == "0.07 x; 88.0 m"


def test_variant_information_columns_kept_as_text():
    # 'Comment' and 'Weight (g)' are not interpreted; their cells stay with each measurement
    run = read_only_as(DATA / "icpexpert_extra_information_columns.csv", "icpexpert")
    r = at(run, 3, "Cd 228.802")
    assert r["Comment"] == "re-run" and r["Weight (g)"] == "0.5012" and r["reported"] == 0.21
    assert pd.isna(at(run, 2, "Cd 228.802")["Comment"])


def test_units_in_brackets():
    # unit cells written in brackets read as the same units
    assert icpexpert.parse_column("Ca R 317.933 nm (c/s)") == ("Ca", "317.933", "Radial", "c/s")
    assert icpexpert.parse_column("Ca R 317.933 nm [mg/kg]")[3] == "mg/kg"


def _write_ods(path, table_xml):
    import zipfile

    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
        f'<office:body><office:spreadsheet>{table_xml}</office:spreadsheet></office:body>'
        '</office:document-content>')
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content)


def test_ods_blank_run_mid_row_is_not_capped(tmp_path):
    # row 1: 'a', 1500 empty cells, 'b', then 2000 trailing empty cells: 'b' is the
    # 1502nd cell (column 1502); only the trailing run is dropped
    p = tmp_path / "wide.ods"
    _write_ods(p, '<table:table table:name="S"><table:table-row>'
                  '<table:table-cell office:value-type="string"><text:p>a</text:p>'
                  '</table:table-cell><table:table-cell table:number-columns-repeated="1500"/>'
                  '<table:table-cell office:value-type="string"><text:p>b</text:p>'
                  '</table:table-cell><table:table-cell table:number-columns-repeated="2000"/>'
                  '</table:table-row></table:table>')
    (t,) = icpexpert._ods_tables(p)
    assert len(t.rows[0]) == 1502
    assert t.rows[0][0] == "a" and t.rows[0][1501] == "b"
    assert all(c is None for c in t.rows[0][1:1501])


def test_ods_garbled_repeat_attribute_names_sheet_and_row(tmp_path):
    # icpexpert_resaved.ods, sheet 'Intensity', row 3 ('IAPSO f0.6'): its third cell says
    # number-columns-repeated="3"; garbled to "3x" it is a ParseError, not a bare ValueError
    import zipfile

    src = DATA / "icpexpert_resaved.ods"
    p = tmp_path / "garbled.ods"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(p, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "content.xml":
                old = b'<table:table-cell table:number-columns-repeated="3"/>'
                # the first of them sits in row 3 of 'Intensity' (the sheet that comes first)
                data = data.replace(old, old.replace(b'"3"', b'"3x"'), 1)
            zout.writestr(item, data)
    with pytest.raises(ParseError) as ei:
        icpexpert.read(p)
    e = ei.value
    assert e.line == 3 and e.column == 3 and e.found == "'3x'"
    assert "sheet 'Intensity', row 3" in e.message and "not a positive whole number" in e.message
