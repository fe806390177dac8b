"""PerkinElmer WinLab32-style results CSV reader: real exports (../shared) and a project fixture."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from claims import read_only_as
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutations import assert_run_or_labtox_error, mutate

from labtox.errors import ParseError
from labtox.io import read_export, winlab32
from labtox.io._common import Head

DATA = Path(__file__).resolve().parents[1] / "data" / "winlab32"
EXPORTS = ("fixtures", "exports", "perkinelmer_winlab32")


def at(run, line, analyte):
    m = run.measurements
    hit = m[(m["source_line"] == str(line)) & (m["analyte"] == analyte)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_real_export_variable_replicates(shared):
    path = shared(*EXPORTS, "pe_icpoes_rawDataDemo.csv")
    assert winlab32.sniff(Head.of(path))
    run = read_export(path, dayfirst=False)
    assert run.format == "winlab32"
    assert len(run.measurements) == 66  # 67 lines, one header
    # line 2: st5-1,S 181.975,4/7/2023,12:51:38 PM,S,181.973,493.3304008,1.160957879, , ...
    r = at(run, 2, "S")
    assert r["signal"] == pytest.approx(493.3304008) and r["signal_rsd"] == pytest.approx(1.160957879)
    assert r["acquired"] == "2023-04-07T12:51:38" and r["channel"] == "S 181.975"
    assert math.isnan(r["reported"]) and len(r["replicates"].split("|")) == 5
    # line 8: 20ppm,Sc 361.383,...,21300615.88,...,Conc (Calib) 100, Conc (Samp) " ",
    # only 3 replicate blocks (35 cells)
    r = at(run, 8, "Sc")
    assert r["signal"] == pytest.approx(21300615.88) and r["measured"] == 100.0
    assert math.isnan(r["reported"])
    assert r["replicates"] == "21238316|21322169.69|21341361.95"
    # line 36: blank,Cr 267.716, Conc (Calib) -0.0116428759, Reported Conc (Samp) -0.0116
    r = at(run, 36, "Cr")
    assert r["reported"] == -0.0116 and r["measured"] == pytest.approx(-0.0116428759)
    assert any("no units column" in w for w in run.warnings)


def test_real_short_variant(shared):
    run = read_export(shared(*EXPORTS, "winlab32.csv"))
    # line 2: " DU-0001,Ag 107,28-05-21,12:40:54 PM,0.111,mg/kg" (hand-edited upstream)
    r = at(run, 2, "Ag")
    assert r["sample_id"] == "DU-0001" and r["reported"] == 0.111 and r["reported_unit"] == "mg/kg"
    assert r["acquired"] == "2021-05-28T12:40:54"
    assert r["signal"] == 0.111 and r["signal_unit"] == "mg/kg"


def test_project_fixture():
    run = read_export(DATA / "optima_small.csv")
    m = run.measurements
    # line 4: MNG-030 Pb, Int (Corr) 410.25, Conc (Samp) 2.45, Conc (Calib) 0.0245, 13:09:02
    r = at(run, 4, "Pb")
    assert r["signal"] == 410.25 and r["reported"] == 2.45 and r["measured"] == 0.0245
    assert r["acquired"] == "2024-03-21T13:09:02" and r["replicates"] == "405.0|415.5|410.25"
    # line 5: Cd Int (Corr) in scientific notation
    assert at(run, 5, "Cd")["signal"] == 1200.0
    assert at(run, 2, "Pb")["sample_type"] == "calibration_blank"
    assert at(run, 3, "Pb")["sample_type"] == "calibration"
    # one injection per Sample ID and time stamp
    assert run.n_injections == 3 and m.loc[m["sample_id"] == "MNG-030", "sequence"].nunique() == 1


def test_cut_replicate_block(tmp_path):
    text = (DATA / "optima_small.csv").read_text()
    p = tmp_path / "t.csv"
    p.write_text(text[: text.rindex(",1210,")])
    with pytest.raises(ParseError) as ei:
        winlab32.read(p)
    e = ei.value
    assert e.line == 5 and e.found == "25 cells"  # 14 + one block + 4 cells of the next
    assert e.expected == "14 cells plus whole replicate blocks of 7 (header, line 1: 35 cells)"


def test_missing_header(tmp_path):
    p = tmp_path / "h.csv"
    p.write_text("\n".join((DATA / "optima_small.csv").read_text().splitlines()[1:]))
    assert not winlab32.sniff(Head.of(p))
    with pytest.raises(ParseError) as ei:
        winlab32.read(p)
    assert ei.value.line == 1 and "Analyte Name" in ei.value.expected
    assert ei.value.found.startswith("Cal Blank,Pb 220.353")


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutations_give_run_or_labtox_error(tmp_path_factory, data):
    """Truncated, garbled, column-dropped or re-encoded files: a valid Run or a LabtoxError."""
    raw = mutate((DATA / "optima_small.csv").read_bytes(), data, sep=b',')
    assert_run_or_labtox_error(winlab32.read, raw, tmp_path_factory.mktemp("mut"), ".csv")


# ----------------------------------------------------------------- variants of other labs




def test_variant_semicolon_decimal_comma_type_and_unit_columns():
    run = read_only_as(DATA / "optima_semicolon_decimal_comma.csv", "winlab32")
    assert run.metadata["decimal"] == "," and run.metadata["delimiter"] == ";"
    # line 3: MNG-030;Pb 220.353;21.03.2024;13:09:02;410,25;0,0245;mg/L;2,45;mg/kg;Sample
    pb = at(run, 3, "Pb")
    assert pb["signal"] == 410.25 and pb["reported"] == 2.45 and pb["reported_unit"] == "mg/kg"
    assert pb["measured"] == 0.0245 and pb["measured_unit"] == "mg/L"
    assert pb["acquired"] == "2024-03-21T13:09:02" and pb["vendor_type"] == "Sample"
    # line 4: a negative concentration is a number, not a token
    assert at(run, 4, "Cd")["reported"] == -0.31
    # line 2: the Sample Type column decides ('Calib Blank'), not the label words
    assert at(run, 2, "Pb")["sample_type"] == "calibration_blank"
    assert not any("typed 'sample'" in w for w in run.warnings)


def test_variant_tab_utf16_sample_id_spelling():
    run = read_only_as(DATA / "optima_tab_utf16.csv", "winlab32")
    assert run.metadata["encoding"].startswith("utf-16")
    # line 3: MNG-031<TAB>Cd 228.802<TAB>3/21/2024<TAB>1:15:40 PM<TAB>1500.5<TAB>2.5<TAB>ug/L
    cd = at(run, 3, "Cd")
    assert cd["sample_id"] == "MNG-031" and cd["signal"] == 1500.5 and cd["reported"] == 2.5
    assert cd["reported_unit"] == "µg/L" and cd["acquired"] == "2024-03-21T13:15:40"
    assert at(run, 2, "Cd")["sample_type"] == "blank"  # 'Reagent Blank'


def test_variant_xlsx_workbook():
    # sheet 'Results': row 3 MNG-032, Pb 220.353, 2024-03-21 (date cell), 13:09:02 (time cell),
    # Int (Corr) 410.25, Conc (Samp) 2.45 mg/kg; row 4 Cd Int (Corr) '####', Units (Samp) empty
    run = read_only_as(DATA / "optima_results.xlsx", "winlab32")
    pb = at(run, "Results!R3", "Pb")
    assert pb["signal"] == 410.25 and pb["reported"] == 2.45 and pb["reported_unit"] == "mg/kg"
    assert pb["acquired"] == "2024-03-21T13:09:02"
    cd = at(run, "Results!R4", "Cd")
    assert math.isnan(cd["signal"]) and cd["reported_flag"] == "####"
    assert at(run, "Results!R2", "Pb")["sample_type"] == "calibration_blank"


def test_uninterpreted_columns_kept_as_text():
    # optima_small.csv line 4: MNG-030,Pb 220.353,...,Elem Pb, Wavelength 220.353, Conc (Samp) 2.45
    r = at(read_export(DATA / "optima_small.csv"), 4, "Pb")
    assert r["Elem"] == "Pb" and r["Wavelength"] == "220.353" and r["Conc (Samp)"] == "2.45"


def test_variant_same_line_in_two_views_not_merged():
    run = read_only_as(DATA / "optima_same_line_two_views.csv", "winlab32")
    # line 2 'Pb 220.353 Ax' 410.25 / 2.45; line 3 'Pb 220.353 Rad' 120.5 / 2.41
    assert at(run, 2, "Pb")["channel"] == "Pb 220.353 Ax"
    assert at(run, 3, "Pb")["channel"] == "Pb 220.353 Rad"
    assert at(run, 3, "Pb")["reported"] == 2.41
