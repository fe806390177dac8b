"""PerkinElmer Syngistix workbook reader: real workbooks (../shared) and a project fixture."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from claims import read_only_as

from labtox.errors import ParseError
from labtox.io import read_export, syngistix
from labtox.io._common import Head

DATA = Path(__file__).resolve().parents[1] / "data" / "syngistix"
EXPORTS = ("fixtures", "exports", "perkinelmer_syngistix")


def at(run, where, channel):
    m = run.measurements
    hit = m[(m["source_line"] == where) & (m["channel"] == channel)]
    assert len(hit) == 1, (where, channel, len(hit))
    return hit.iloc[0]


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_nexion_workbook(shared):
    path = shared(*EXPORTS, "nexion350x.xlsx")
    assert syngistix.sniff(Head.of(path))
    run = read_export(path)
    assert run.format == "syngistix" and run.instrument == "ICP-MS"
    # Raw Intensities row 2: 1, BLK, 13/09/19 11:47:11 AM, Ag 107 198.001403043462
    r = at(run, "Raw Intensities!R2", "107Ag")
    assert r["signal"] == pytest.approx(198.001403043462) and r["sample_type"] == "blank"
    assert r["acquired"] == "2019-09-13T11:47:11"
    # RSD sheet, row 2: Ag 107 0.1837728819112
    assert r["signal_rsd"] == pytest.approx(0.1837728819112)
    # row 9 (Oreas 45d): the last column, Fe 56, holds 'S' in every sheet; each sheet's
    # token is kept, named after its sheet
    fe = at(run, "Raw Intensities!R9", "56Fe")
    assert math.isnan(fe["signal"]) and fe["reported_flag"].split("; ")[0] == "S"
    assert "signal_rsd: S" in fe["reported_flag"]
    assert "Net Intensities: S" in fe["reported_flag"]
    # second header block: row 23 rBLK, Ce 140 254.668941617033
    assert at(run, "Raw Intensities!R23", "140Ce")["signal"] == pytest.approx(254.668941617033)
    # 'Calibration Curves' rows 7 and 28 are pseudo-rows
    assert not run.measurements["sample_id"].eq("Calibration Curves").any()
    # the Concentrations sheet was edited upstream (other sample ids): the run says so
    assert any("different Sample Id" in w for w in run.warnings)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_avio_repeated_headers(shared):
    run = read_export(shared(*EXPORTS, "avio_syngistix.xlsx"))
    assert run.instrument == "ICP-OES"
    # Corrected Intensities row 2: BLANK, U 424.167 2225.9522137658787 (date 2026/07/23 01:34:00)
    r = at(run, "Corrected Intensities!R2", "U 424.167")
    assert r["signal"] == pytest.approx(2225.9522137658787)
    assert r["acquired"] == "2026-07-23T01:34:00"
    # row 4 (after the repeated header on row 3): STD 1, U 6569.913132894166; calib conc 1.0
    s = at(run, "Corrected Intensities!R4", "U 424.167")
    assert s["signal"] == pytest.approx(6569.913132894166) and s["measured"] == 1.0
    assert s["sample_type"] == "calibration" and s["measured_unit"] == "mg/L"


def test_project_fixture():
    run = read_export(DATA / "nexion_small.xlsx")
    m = run.measurements
    assert run.n_injections == 4  # sequence 3 is a 'Calibration Curves' pseudo-row
    b = at(run, "Raw Intensities!R2", "111Cd")
    assert b["signal"] == 35.5 and b["reported_flag"] == "<0.000" and math.isnan(b["reported"])
    assert b["reported_unit"] == "µg/L"
    pb = at(run, "Raw Intensities!R5", "208Pb")
    assert pb["reported_flag"] == "S; signal_rsd: S" and math.isnan(pb["signal"])
    hg = at(run, "Raw Intensities!R7", "202Hg")  # second block, afternoon time
    assert hg["reported"] == 0.0043 and hg["acquired"] == "2024-03-21T13:15:30"
    assert set(m.loc[m["sample_id"] == "STD 1 PPB", "sample_type"]) == {"calibration"}


def test_not_a_workbook(tmp_path):
    p = tmp_path / "x.xlsx"
    p.write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(ParseError) as ei:
        syngistix.read(p)
    assert "workbook cannot be opened" in ei.value.message and ei.value.path == str(p)


def test_no_header_block(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Raw Intensities"
    wb.active.append([1, "BLK", None, "21/03/24 10:02:11 AM", 35.5])
    p = tmp_path / "nohead.xlsx"
    wb.save(p)
    assert not syngistix.sniff(Head.of(p))
    with pytest.raises(ParseError) as ei:
        syngistix.read(p)
    assert "no Syngistix measure sheet" in ei.value.message and "Sample Id" in ei.value.expected


def test_bad_sequence_cell(tmp_path):
    import openpyxl

    wb = openpyxl.load_workbook(DATA / "nexion_small.xlsx")
    wb["Raw Intensities"]["A4"] = "three"
    p = tmp_path / "seq.xlsx"
    wb.save(p)
    with pytest.raises(ParseError) as ei:
        syngistix.read(p)
    e = ei.value
    assert e.line == 4 and e.column == 1 and e.found == "three" and "Raw Intensities" in e.hint


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_avio_entered_concentrations(shared):
    run = syngistix.read(shared(*EXPORTS, "avio_syngistix.xlsx"))
    m = run.measurements
    # Calibration Curves rows 3-11: U 424.167, 'y = 4362,6010x + 785,3631', STD 2 Entered Conc. 5
    std2 = m[(m["sample_id"] == "STD 2") & (m["channel"] == "U 424.167")]
    assert (std2["nominal"] == 5.0).all() and (std2["nominal_unit"] == "mg/L").all()
    assert run.metadata["calibration_equations"]["U 424.167"] == "y = 4362,6010x + 785,3631"
    blank = m[(m["sample_id"] == "BLANK") & (m["channel"] == "U 424.167")]
    assert (blank["nominal"] == 0.0).all()
    assert m.loc[m["sample_type"] == "sample", "nominal"].isna().all()


def test_no_sequence_column_other_sheet_names(tmp_path):
    """Sample Id first (no sequence column), extra sheets: rows numbered in sheet order."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Notes"
    ws.append(["exported 2024-03-21"])
    ws = wb.create_sheet("Net Intensities")
    ws.append(["Sample Id", "Acquisition Time", "A/S Loc", "Pb 208\n(cps)"])
    ws.append(["BLK", "2024/03/21 10:02:11", 1, 410.25])
    ws.append(["MNG-080", "2024/03/21 10:05:40", 2, 2150.5])
    p = tmp_path / "noseq.xlsx"
    wb.save(p)
    run = read_export(p)
    m = run.measurements
    assert list(m["sequence"]) == [1, 2] and list(m["signal"]) == [410.25, 2150.5]
    assert m.iloc[1]["source_line"] == "Net Intensities!R3"


# ----------------------------------------------------------------- variants of other labs
# Small workbooks in the Syngistix layout written by the project (openpyxl). Each has the
# sheets 'Raw Intensities' (cps), 'Concentrations' (µg/L) and 'Concentrations RSDs', rows
#   1 'Calib Blank'   Pb 208: 150.5 cps / 0.0     AsO 91: 300.25 / 0.0     Rh 103: 90000.0
#   2 'Std 1 10 ppb'  Pb 208: 15230.75 / 10.02   AsO 91: 41000.5 / 9.98   Rh 103: 89500.0
#   3 'MNG-060 milk'  Pb 208: 410.25 / 0.152     AsO 91: 'S' / '<0.000' (RSD 'N/A')
#                     Rh 103: 91000.0 (no concentration)




def _check_variant_values(run, first_row):
    r = first_row
    pb = at(run, f"Raw Intensities!R{r + 2}", "208Pb")
    assert pb["sample_id"] == "MNG-060 milk" and pb["signal"] == 410.25
    assert pb["reported"] == 0.152 and pb["reported_unit"] == "µg/L"
    assert pb["signal_unit"] == "cps"
    # every raw token of the cell kept: the concentration's, the intensity's, the RSD's
    aso = at(run, f"Raw Intensities!R{r + 2}", "AsO 91")
    assert math.isnan(aso["signal"]) and math.isnan(aso["reported"])
    assert aso["reported_flag"] == "<0.000; S; reported_rsd: N/A"
    assert at(run, f"Raw Intensities!R{r}", "208Pb")["sample_type"] == "calibration_blank"
    assert at(run, f"Raw Intensities!R{r + 1}", "208Pb")["sample_type"] == "calibration"
    # an analyte label outside the vocabulary is kept as written, with a warning
    assert any("'AsO 91'" in w for w in run.warnings)
    assert run.n_injections == 3


def test_variant_units_on_the_header_line_and_title_rows():
    # header on row 3 below a title line and a blank row; 'Pb 208 (µg/L)' on one line
    run = read_only_as(DATA / "nexion_inline_units_title_rows.xlsx", "syngistix")
    _check_variant_values(run, 4)
    assert at(run, "Raw Intensities!R6", "208Pb")["acquired"] == "2024-03-21T13:09:02"


def test_variant_excel_dates_and_sample_ID_spelling():
    # 'Sample ID' (capital D); Acquisition Time as Excel date-times; unit after CR LF
    run = read_only_as(DATA / "nexion_excel_dates_sample_ID.xlsx", "syngistix")
    _check_variant_values(run, 2)
    assert at(run, "Raw Intensities!R2", "208Pb")["acquired"] == "2024-03-21T10:02:11"


def test_variant_without_acquisition_time():
    run = read_only_as(DATA / "nexion_no_acquisition_time.xlsx", "syngistix")
    _check_variant_values(run, 2)
    assert run.measurements["acquired"].isna().all()


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_sheet_of_another_layout_is_reported_not_silently_skipped(shared):
    # the real NexION workbook's 'Internal Standards' sheet holds a 'Row Index Number' column
    # (rows 1..45) and no 'Sample Id' header: it is named in the warnings
    run = read_export(shared(*EXPORTS, "nexion350x.xlsx"))
    assert any(w.startswith("sheet 'Internal Standards': 45 non-empty row(s)")
               for w in run.warnings)


def test_information_columns_kept_as_text():
    # 'A/S Loc' 11 and 'Method File' 'milk.mth' of row 2 ('Calib Blank') stay with its values
    run = read_export(DATA / "nexion_excel_dates_sample_ID.xlsx")
    r = at(run, "Raw Intensities!R2", "208Pb")
    assert r["A/S Loc"] == "11" and r["Method File"] == "milk.mth"
    assert r["Dataset File"] == "C:\\data\\Calib Blank.1"


def test_sheet_with_one_unreadable_row_is_reported(tmp_path):
    # a sheet 'Notes' holding the single row ["Torch serviced 20/03/24"] (no 'Sample Id'
    # header): exactly one unreadable row is still named in the warnings
    import openpyxl

    wb = openpyxl.load_workbook(DATA / "nexion_small.xlsx")
    wb.create_sheet("Notes").append(["Torch serviced 20/03/24"])
    p = tmp_path / "notes.xlsx"
    wb.save(p)
    run = syngistix.read(p)
    assert any(w.startswith("sheet 'Notes': 1 non-empty row(s) without a 'Sample Id' header")
               and w.endswith("not read") for w in run.warnings)
