"""Agilent flame AAS worksheet reader: real exports (../shared) and a project fixture."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from claims import read_only_as
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutations import assert_run_or_labtox_error, mutate

from labtox.errors import ParseError
from labtox.io import agilent_aas, read_export
from labtox.io._common import Head

DATA = Path(__file__).resolve().parents[1] / "data" / "agilent_aas"
EXPORTS = ("fixtures", "exports", "agilent_aas")


def at(run, line):
    m = run.measurements
    hit = m[m["source_line"] == str(line)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_real_utf16_french(shared):
    path = shared(*EXPORTS, "flameatomic_OVER_csv.csv")
    assert agilent_aas.sniff(Head.of(path))
    run = read_export(path)
    assert run.format == "agilent-aas" and run.metadata["encoding"] == "utf-16"
    assert run.metadata["worksheet"] == "Au21-72402-72403-72404-72405-72408"
    # line 9: DU-0001,OVER,,mg/L,"41.9",...  (Méthode: Au Aqua Regia Echelle1 (Flamme))
    r = at(run, 9)
    assert r["analyte"] == "Au" and r["channel"] == "Au Aqua Regia Echelle1 (Flamme)"
    assert math.isnan(r["reported"]) and r["reported_flag"] == "OVER"
    assert r["aas_fields"] == "41.9|-0.0005|0.0013|-0.0007|0.5|-0.0003"
    # line 16: DU-0002,"1.5",,mg/L ... (Echelle2)
    r = at(run, 16)
    assert r["reported"] == 1.5 and r["reported_unit"] == "mg/L" and r["sample_id"] == "DU-0002"
    assert len(run.measurements) == 8
    # '01.03.21 23:25' cannot tell day from month by its numbers; the dotted style is
    # day-first (dd.mm.yy), and the run says that rule decided it
    assert run.acquired == "2021-03-01T23:25:00"
    assert any("dd.mm.yyyy (dotted)" in w for w in run.warnings)
    assert agilent_aas.read(path, dayfirst=False).acquired == "2021-01-03T23:25:00"


def test_real_prn(shared):
    run = read_export(shared(*EXPORTS, "flameatomic_OVER_utf8.prn"))
    # line 2: "Date d\ufffdpart","15/03/2022 21:28  GMT: 15/03/2022 21:28"
    assert run.acquired == "2022-03-15T21:28:00"
    assert at(run, 21)["reported"] == 2.0  # "DU-0001","2",...  (Echelle3)


def test_project_fixture_and_utf16(tmp_path):
    run = read_export(DATA / "aas_small.csv")
    assert run.acquired == "2024-03-21T10:02:00"
    assert at(run, 9)["sample_type"] == "calibration_blank"
    r = at(run, 10)
    assert r["reported"] == 0.152 and r["analyte"] == "Pb"
    assert at(run, 11)["reported_flag"] == "OVER"
    assert at(run, 15)["analyte"] == "Cd" and at(run, 15)["reported"] == 0.012
    p = tmp_path / "u16.csv"
    p.write_bytes((DATA / "aas_small.csv").read_text().encode("utf-16"))
    assert at(read_export(p), 10)["reported"] == 0.152


def test_truncated(tmp_path):
    text = (DATA / "aas_small.csv").read_text()
    p = tmp_path / "t.csv"
    p.write_text(text[: text.rindex('"","mg/L","5.0"')])
    with pytest.raises(ParseError) as ei:
        agilent_aas.read(p)
    e = ei.value
    assert e.line == 15 and e.found == "3 cells" and "truncated" in e.message


def test_no_method_block(tmp_path):
    p = tmp_path / "n.csv"
    p.write_text("\n".join((DATA / "aas_small.csv").read_text().splitlines()[:6]))
    assert not agilent_aas.sniff(Head.of(p))
    with pytest.raises(ParseError) as ei:
        agilent_aas.read(p)
    assert ei.value.line == 1 and "Method" in ei.value.expected
    assert ei.value.found.startswith("Analyst,A. Technician")


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutations_give_run_or_labtox_error(tmp_path_factory, data):
    """Truncated, garbled, column-dropped or re-encoded files: a valid Run or a LabtoxError."""
    raw = mutate((DATA / "aas_small.csv").read_bytes(), data, sep=b',')
    assert_run_or_labtox_error(agilent_aas.read, raw, tmp_path_factory.mktemp("mut"), ".csv")


# ----------------------------------------------------------------- variants of other labs




def test_variant_english_semicolon_decimal_comma_cp1252():
    run = read_only_as(DATA / "aas_semicolon_decimal_comma_cp1252.csv", "agilent-aas")
    assert run.metadata["delimiter"] == ";" and run.metadata["decimal"] == ","
    assert run.metadata["encoding"] == "cp1252" and run.metadata["analyst"] == "A. Technician"
    m = run.measurements
    # line 10: "MNG-050";"15,2";"";"µg/L";...
    r = m[m["source_line"] == "10"].iloc[0]
    assert r["reported"] == 15.2 and r["reported_unit"] == "µg/L" and r["analyte"] == "Pb"
    # line 11: OVER kept as the flag, no number invented
    r = m[m["source_line"] == "11"].iloc[0]
    assert math.isnan(r["reported"]) and r["reported_flag"] == "OVER"
    assert m.loc[m["source_line"] == "9", "sample_type"].iloc[0] == "calibration_blank"
    assert run.acquired.startswith("2024-03-21T10:02")


def test_variant_spanish_ui_tab_bom():
    run = read_only_as(DATA / "aas_spanish_tab_bom.txt", "agilent-aas")
    assert run.metadata["analyst"] == "M. Pérez" and run.metadata["worksheet"] == "leche"
    m = run.measurements
    # line 10: "MNG-052" "0.0120" "" "mg/L" ...; method 'Método: Cd Leche (Llama)'
    r = m[m["source_line"] == "10"].iloc[0]
    assert r["reported"] == 0.012 and r["analyte"] == "Cd" and r["channel"] == "Cd Leche (Llama)"
    assert run.acquired.startswith("2024-03-21T10:02")
    assert not any("not a known key" in w for w in run.warnings)


def test_variant_column_title_row_is_not_a_sample():
    # line 7 "Sample ID","Conc","","Units","Mean Abs",... are titles, not a measurement
    run = read_only_as(DATA / "aas_column_titles.csv", "agilent-aas")
    m = run.measurements
    assert list(m["sample_id"]) == ["MNG-060"] and m.loc[0, "reported"] == 0.152
    assert m.loc[0, "source_line"] == "8"
    assert any("1 row(s) of column titles" in w and "line 7" in w for w in run.warnings)
    assert run.metadata["column_titles"].startswith("Sample ID | Conc")


def test_sample_row_with_title_like_id_and_only_flags_is_read():
    # aas_sample_named_sample_over.csv: line 7 holds the column titles; line 8
    # "Sample 12","OVER","","mg/L","OVER",,,,, and line 9 "ACID BLANK","OVER",... are results
    # (their IDs contain 'sample'/'id' and no cell holds a number, but OVER is a flag token)
    run = read_only_as(DATA / "aas_sample_named_sample_over.csv", "agilent-aas")
    m = run.measurements
    assert m["sample_id"].tolist() == ["Sample 12", "ACID BLANK", "MNG-061"]
    assert m["source_line"].tolist() == ["8", "9", "10"]
    r = at(run, 8)
    assert math.isnan(r["reported"]) and r["reported_flag"] == "OVER"
    assert r["reported_unit"] == "mg/L" and r["aas_fields"] == "OVER"
    r = at(run, 9)
    assert math.isnan(r["reported"]) and r["reported_flag"] == "OVER"
    assert at(run, 10)["reported"] == 0.152
    assert any("1 row(s) of column titles" in w and "line 7" in w for w in run.warnings)


@pytest.mark.parametrize("cells,expected", [
    (["Sample ID", "Conc", "", "Units", "Mean Abs"], True),
    (["Échantillon", "Conc", "", "Unités"], True),
    (["Sample 12", "OVER", "", "mg/L", "OVER"], False),
    (["Sample", "OVER", "", "mg/L"], False),
    (["ACID DIGEST", "N/A", "", "mg/L"], False),
    (["Sample ID", "<0.01", "", "mg/L"], False),
])
def test_title_row_rule(cells, expected):
    assert agilent_aas._is_title_row(cells) is expected
