"""Varian Vista-PRO long CSV reader: real export (../shared) and a project fixture."""

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
from labtox.io import read_export, varian_vista
from labtox.io._common import Head

DATA = Path(__file__).resolve().parents[1] / "data" / "varian_vista"


def at(run, line, analyte):
    m = run.measurements
    hit = m[(m["source_line"] == str(line)) & (m["analyte"] == analyte)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_real_export(shared):
    path = shared("fixtures", "exports", "varian_icpexpert", "vistapro_export.csv")
    assert varian_vista.sniff(Head.of(path))
    run = read_export(path, dayfirst=True)
    assert run.format == "varian-vista"
    m = run.measurements
    assert len(m) == 287  # 288 lines, one header (EXPORTS.md: 287 rows)
    # line 2: "Blank",...,"Blk","Mn 257.610","",0,"mg/L",0,"mg/L",41.504,"-","08/02/2016","14:11:28"
    r = at(run, 2, "Mn")
    assert r["sample_type"] == "blank" and r["channel"] == "Mn 257.610"
    assert r["signal"] == 41.504 and r["reported"] == 0 and r["reported_unit"] == "mg/L"
    assert r["signal_sd"] == pytest.approx(2.94942)  # quoted number
    assert r["replicates"] == "43.5896|39.4185" and r["acquired"] == "2016-02-08T14:11:28"
    assert pd.isna(r["istd_channel"])  # "-" = no internal standard
    # line 79: flag x, Soln Conc and Corr Con '-', Int 3.78472E6
    r = at(run, 79, "Mn")
    assert r["signal"] == pytest.approx(3.78472e6)
    assert math.isnan(r["reported"]) and r["reported_flag"] == "x; -" and r["vendor_flags"] == "x"
    # line 98: flag uv with a number kept
    r = at(run, 98, "Fe")
    assert r["reported"] == pytest.approx(-0.0117905) and r["reported_flag"] == "uv"
    assert set(m["vendor_type"]) == {"Blk", "Std", "Samp", "LCS"}
    assert (m["reported_flag"] == "uv").sum() == 74  # 74 rows with "uv" (grep)


def test_real_export_ambiguous_dates_warn(shared):
    path = shared("fixtures", "exports", "varian_icpexpert", "vistapro_export.csv")
    run = varian_vista.read(path)
    assert run.measurements["acquired"].isna().all()
    assert run.measurements["acquired_raw"].iloc[0] == "08/02/2016 14:11:28"
    assert any("dayfirst" in w for w in run.warnings)


def test_project_fixture():
    run = read_export(DATA / "vista_small.csv")
    m = run.measurements
    # line 5: MNG-007 (trailing spaces trimmed), flag uv, Corr Con "-0.12" mg/kg, DF "1"
    r = at(run, 5, "Pb")
    assert r["sample_id"] == "MNG-007" and r["reported"] == -0.12
    assert r["reported_unit"] == "mg/kg" and r["measured_unit"] == "mg/L"
    assert r["reported_flag"] == "uv" and r["replicate_flags"] == "u|u|u"
    assert r["istd_channel"] == "Y 371.029" and r["sample_mass"] == 0.5
    assert r["acquired"] == "2024-03-21T10:07:02"
    # line 6: x with "-" concentrations; Int 1.25E6 in scientific notation
    r = at(run, 6, "Cd")
    assert r["signal"] == 1.25e6 and r["reported_flag"] == "x; -"
    # one injection per solution and time stamp
    assert list(m.drop_duplicates("sequence")["sample_id"]) == ["Blank", "Std 1", "MNG-007"]


def test_truncated_row(tmp_path):
    text = (DATA / "vista_small.csv").read_text()
    p = tmp_path / "t.csv"
    p.write_text(text[: text.index('"Y 371.029","21/03/2024","10:07:02"')])
    with pytest.raises(ParseError) as ei:
        varian_vista.read(p)
    e = ei.value
    # cut after "...,9.75," : 12 cells plus the empty one after the last comma
    assert e.line == 5 and e.found == "13 cells" and e.column == 14
    assert e.expected == "at least 24 cells as in the header (line 1)"


def test_missing_header(tmp_path):
    text = (DATA / "vista_small.csv").read_text().split("\n", 1)[1]
    p = tmp_path / "h.csv"
    p.write_text(text)
    assert not varian_vista.sniff(Head.of(p))
    with pytest.raises(ParseError) as ei:
        varian_vista.read(p)
    assert ei.value.line == 1 and "Solution Label" in ei.value.expected
    assert ei.value.found.startswith("Blank,MNG")


def test_bad_dilution(tmp_path):
    text = (DATA / "vista_small.csv").read_text().replace(',0.5,50,"1",3,', ",0.5,50,0,3,")
    p = tmp_path / "d.csv"
    p.write_text(text)
    with pytest.raises(ParseError) as ei:
        varian_vista.read(p)
    assert ei.value.line == 5 and ei.value.column == "DF" and "positive" in ei.value.expected


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutations_give_run_or_labtox_error(tmp_path_factory, data):
    """Truncated, garbled, column-dropped or re-encoded files: a valid Run or a LabtoxError."""
    raw = mutate((DATA / "vista_small.csv").read_bytes(), data, sep=b',')
    assert_run_or_labtox_error(varian_vista.read, raw, tmp_path_factory.mktemp("mut"), ".csv")


# ----------------------------------------------------------------- variants of other labs




def test_variant_semicolon_decimal_comma_fewer_columns():
    run = read_only_as(DATA / "vista_semicolon_decimal_comma.csv", "varian-vista")
    assert run.metadata["decimal"] == ","
    # line 4: MNG-007;Samp;Cd 228.802;;0,0031;mg/L;0,31;mg/kg;1,25E3;08.02.2016;14:20:02;2,5
    cd = at(run, 4, "Cd")
    assert cd["signal"] == 1250.0 and cd["reported"] == 0.31 and cd["reported_unit"] == "mg/kg"
    assert cd["measured"] == 0.0031 and cd["measured_unit"] == "mg/L" and cd["dilution"] == 2.5
    # line 3: flags 'uv' kept; a negative concentration is a number
    pb = at(run, 3, "Pb")
    assert pb["reported"] == -0.12 and pb["reported_flag"] == "uv"
    assert at(run, 5, "Cd")["sample_type"] == "qc"  # Type 'QC'
    # 08.02.2016 cannot tell day from month by its numbers: the dotted style is day-first,
    # and the run says that rule decided it
    assert pb["acquired"] == "2016-02-08T14:20:02"
    assert any("dd.mm.yyyy (dotted)" in w for w in run.warnings)
    assert read_export(DATA / "vista_semicolon_decimal_comma.csv", dayfirst=False
                       ).measurements.loc[0, "acquired"] == "2016-08-02T14:11:28"


def test_variant_minimal_columns_lowercase_header():
    # 'Solution label' (lower-case l), no Corr Con, no Flags, LF line ends
    run = read_only_as(DATA / "vista_minimal_columns_lf.csv", "varian-vista")
    # line 3: LCS-1,Mn 257.610,2000.1,0.08,ppm,LCS,2/13/2016,10:10:30
    mn = at(run, 3, "Mn")
    assert mn["signal"] == 2000.1 and mn["reported"] == 0.08 and mn["reported_unit"] == "ppm"
    assert mn["acquired"] == "2016-02-13T10:10:30" and mn["sample_type"] == "qc"
    assert any("no 'Corr Con' column" in w for w in run.warnings)


def test_variant_unknown_columns_kept_as_text():
    run = read_only_as(DATA / "vista_unknown_columns.csv", "varian-vista")
    # line 3: MNG-9,Samp,Pb 220.353,0.011,ppm,80.5,Milk Pb,diluted x2
    r = at(run, 3, "Pb")
    assert r["Method Name"] == "Milk Pb" and r["Comment"] == "diluted x2"
    assert r["reported"] == 0.011 and r["signal"] == 80.5


def test_variant_same_line_in_two_views_not_merged():
    run = read_only_as(DATA / "vista_same_line_two_views.csv", "varian-vista")
    m = run.measurements
    # lines 2 and 3: Mn 257.610 (R) 80.5 c/s and Mn 257.610 (A) 410.5 c/s stay two channels
    assert m.loc[m["channel"] == "Mn 257.610 (R)", "signal"].tolist() == [80.5]
    assert m.loc[m["channel"] == "Mn 257.610 (A)", "signal"].tolist() == [410.5]
    assert m.loc[m["source_line"] == "4", "channel"].tolist() == ["Fe 259.940"]
    assert any("resolve to the same channel" in w for w in run.warnings)
