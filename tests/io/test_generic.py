"""Tests for the generic mapped-table reader (labtox.io.generic)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from labtox.errors import MethodError, ParseError, SchemaError
from labtox.io import read_export, sniff_format
from labtox.io.generic import load_mapping

DATA = Path(__file__).resolve().parents[1] / "data" / "generic"


@pytest.fixture
def dioxins():
    return read_export(DATA / "dioxins_contract_lab.csv", format="generic",
                       mapping=DATA / "dioxins_mapping.toml")


def row(run, sample, analyte):
    m = run.measurements
    hit = m[(m["sample_id"] == sample) & (m["analyte"] == analyte)]
    assert len(hit) == 1, (sample, analyte)
    return hit.iloc[0]


def test_dioxin_report_values_units_basis(dioxins):
    m = dioxins.measurements
    # 10 data lines, one with an empty result cell (OCDD of MNG-002) -> 9 measurements
    assert len(m) == 9
    r = row(dioxins, "MNG-001", "PCB 126")
    assert r["reported"] == 3.81 and r["signal"] == 3.81
    assert r["reported_unit"] == "pg/g" and r["signal_unit"] == "pg/g"
    assert r["reported_basis"] == "fat"
    assert r["reported_loq"] == 0.05
    assert r["source_line"] == "7"
    assert r["sample_type"] == "sample"
    # '2.3.7.8-TCDD' renamed through [analytes]; channel keeps the label as written
    r = row(dioxins, "MNG-002", "2,3,7,8-TCDD")
    assert r["reported"] == 0.035 and r["channel"] == "2.3.7.8-TCDD"
    # quoted thousands separator
    assert row(dioxins, "MNG-002", "PCB 126")["reported"] == 1204.5
    assert dioxins.metadata["laboratory"] == "Example Analytics GmbH"


def test_non_detects_keep_qualifier_and_limit(dioxins):
    r = row(dioxins, "MNG-001", "PCB 169")
    assert math.isnan(r["reported"]) and math.isnan(r["signal"])
    assert r["reported_flag"] == "<0.06"
    assert r["reported_limit"] == 0.06
    assert bool(r["reported_censored"])
    r = row(dioxins, "MNG-002", "PCB 169")  # 'ND' written in the value cell
    assert r["reported_flag"] == "ND" and bool(r["reported_censored"])
    assert r["reported_loq"] == 0.06
    detected = row(dioxins, "MNG-001", "OCDD")
    assert not bool(detected["reported_censored"])


def test_empty_cell_is_listed_not_dropped_silently(dioxins):
    assert dioxins.metadata["skipped"] == [{"source_line": "12", "reason": "empty value cell"}]
    assert any("1 empty value cell(s) skipped" in w for w in dioxins.warnings)


def test_summary_counts(dioxins):
    s = dioxins.summary()
    assert s["format"] == "generic"
    assert s["injections"] == 2
    assert s["flags"] == {"<0.021": 1, "<0.06": 1, "<0.031": 1, "ND": 1}


def test_wide_semicolon_decimal_comma():
    run = read_export(DATA / "metals_wide_semicolon.csv", format="generic",
                      mapping=DATA / "metals_wide_mapping.toml")
    m = run.measurements
    assert len(m) == 5  # Hg of MNG-001 is empty
    assert row(run, "MNG-001", "Pb")["reported"] == pytest.approx(0.012)
    cd = row(run, "MNG-001", "Cd")
    assert cd["reported_flag"] == "<0,002" and cd["reported_limit"] == pytest.approx(0.002)
    assert row(run, "MNG-002", "Hg")["source_line"] == "3"
    assert set(m["reported_basis"]) == {"wet"}
    assert set(m["reported_unit"]) == {"mg/kg"}


def test_mapping_as_dict_and_options_override(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("ID,Analyte,Conc,Type\nB1,Pb,0.1,Blank\nS1,Pb,2.5,Unknown\nQ1,Pb,1.0,Zebra\n")
    run = read_export(p, format="generic",
                      mapping={"sample_id": "ID", "analyte": "Analyte", "value": "Conc",
                               "unit": "µg/L", "sample_type": "Type"})
    assert run.measurements["sample_type"].tolist() == ["blank", "sample", "unknown"]
    assert run.measurements["vendor_type"].tolist() == ["Blank", "Unknown", "Zebra"]
    assert any("'Zebra'" in w for w in run.warnings)
    assert run.measurements["sequence"].tolist() == [1, 2, 3]


def test_xlsx_with_header_row_and_sheet(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Cover"
    ws = wb.create_sheet("Results")
    ws.append(["Report 12"])
    ws.append([])
    ws.append(["Sample", "Analyte", "Value", "Unit"])
    ws.append(["MNG-001", "Cd", 0.004, "mg/kg"])
    ws.append(["MNG-001", "Pb", "<0.01", "mg/kg"])
    p = tmp_path / "r.xlsx"
    wb.save(p)
    run = read_export(p, format="generic", mapping={
        "sample_id": "Sample", "analyte": "Analyte", "value": "Value", "unit": "Unit",
        "sheet": "Results", "header_row": 3})
    m = run.measurements
    assert m["source_line"].tolist() == ["Results!R4", "Results!R5"]
    assert m["reported"].iloc[0] == 0.004
    assert m["reported_flag"].iloc[1] == "<0.01"


def test_unknown_mapping_key_names_key_and_file(tmp_path):
    bad = tmp_path / "m.toml"
    bad.write_text('sample_id = "A"\nanalyte = "B"\nvalue = "C"\nunit = "ng/g"\nqualifer = "Q"\n')
    with pytest.raises(MethodError) as info:
        load_mapping(bad)
    text = str(info.value)
    assert "unknown column-mapping key 'qualifer'" in text
    assert str(bad) in text
    assert "Did you mean 'qualifier'?" in text


def test_mapping_missing_required_keys():
    with pytest.raises(MethodError, match="lacks 'analyte', 'value'"):
        load_mapping({"sample_id": "A", "unit": "ng/g"})


def test_no_mapping_is_an_error():
    with pytest.raises(MethodError, match="needs a column mapping"):
        read_export(DATA / "dioxins_contract_lab.csv", format="generic")


def test_mapped_column_missing_names_candidates():
    with pytest.raises(ParseError) as info:
        read_export(DATA / "dioxins_contract_lab.csv", format="generic", mapping={
            "sample_id": "Client ID", "analyte": "Congner", "value": "Result", "unit": "Unit"})
    text = str(info.value)
    assert "the mapping's analyte column 'Congner' is not in the table" in text
    assert "Did you mean 'Congener'?" in text


def test_bad_loq_cell(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("S,A,V,L\nx,Pb,1,abc\n")
    with pytest.raises(ParseError, match="the loq cell is not a number") as info:
        read_export(p, format="generic", mapping={"sample_id": "S", "analyte": "A", "value": "V",
                                                  "loq": "L", "unit": "ng/g"})
    assert info.value.line == 2


def test_missing_sample_id_fails_schema(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("S,A,V\n,Pb,1\n")
    with pytest.raises(SchemaError, match="line 2, column 'sample_id': must not be empty"):
        read_export(p, format="generic", mapping={"sample_id": "S", "analyte": "A", "value": "V",
                                                  "unit": "ng/g"})


def test_generic_is_never_sniffed():
    mod, tried = sniff_format(DATA / "dioxins_contract_lab.csv")
    assert mod is None or mod.INFO.name != "generic"


def test_basis_conflict(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("S,A,V\nx,Pb,1\n")
    with pytest.raises(MethodError, match="says basis 'wet' but the unit says 'fat'"):
        read_export(p, format="generic", mapping={"sample_id": "S", "analyte": "A", "value": "V",
                                                  "unit": "pg/g fat", "basis": "wet"})


def test_line_longer_than_header_is_an_error_not_a_cut(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("S,A,V\nx,Pb,1\ny,Cd,2,extra\n")
    with pytest.raises(ParseError, match="malformed|more cells than the header") as info:
        read_export(p, format="generic", mapping={"sample_id": "S", "analyte": "A", "value": "V",
                                                  "unit": "ng/g"})
    assert info.value.line == 3


def test_first_row_longer_than_header(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("S,A,V\nx,Pb,1,extra\ny,Cd,2\n")
    with pytest.raises(ParseError, match="line 2, column 4: a line has more cells than the header"):
        read_export(p, format="generic", mapping={"sample_id": "S", "analyte": "A", "value": "V",
                                                  "unit": "ng/g"})


# ---------------------------------------------------------------------------- property-based
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@st.composite
def long_tables(draw):
    n = draw(st.integers(1, 30))
    rows = []
    for _ in range(n):
        nd = draw(st.booleans())
        rows.append((draw(st.sampled_from(["MNG-001", "MNG-002", "B-1"])),
                     draw(st.sampled_from(["Pb", "Cd", "PCB 126", "OCDD"])),
                     "<" if nd else "",
                     draw(st.decimals("0.0001", "100000", places=4))))
    style = draw(st.sampled_from([(",", "."), (";", ",")]))
    return rows, style


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(long_tables())
def test_long_table_round_trip(table):
    """Every value written comes back: detected as `reported`, non-detects as flag + limit."""
    import tempfile

    rows, (delim, dec) = table
    text = delim.join(["id", "analyte", "q", "value"]) + "\n" + "\n".join(
        delim.join([s, a, q, str(v).replace(".", dec)]) for s, a, q, v in rows) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "t.csv"
        p.write_text(text)
        run = read_export(p, format="generic", mapping={
            "sample_id": "id", "analyte": "analyte", "qualifier": "q", "value": "value",
            "unit": "ng/g", "delimiter": delim, "decimal": dec})
    m = run.measurements
    assert len(m) == len(rows)
    for (s, a, q, v), (_, r) in zip(rows, m.iterrows(), strict=True):
        assert r["sample_id"] == s and r["analyte"] == a
        if q:
            assert math.isnan(r["reported"]) and r["reported_limit"] == pytest.approx(float(v))
            assert r["reported_flag"].startswith("<") and bool(r["reported_censored"])
        else:
            assert r["reported"] == pytest.approx(float(v)) and r["signal"] == r["reported"]
    assert m["source_line"].tolist() == [str(i) for i in range(2, len(rows) + 2)]


def test_qualified_values_keep_their_written_text(tmp_path):
    """'<' with 0.050 is the token '<0.050' (three decimals as reported), not '<0.05'."""
    from labtox.io import generic

    p = tmp_path / "q.csv"
    p.write_text("Sample,Congener,Q,Result\nM1,PCB 126,<,0.050\nM1,OCDD,<,1.0E-03\n"
                 "M2,PCB 126,,0.120\n")
    m = generic.read(p, mapping={"sample_id": "Sample", "analyte": "Congener", "value": "Result",
                                 "qualifier": "Q", "unit": "pg/g fat"}).measurements
    assert m["reported_flag"].tolist()[:2] == ["<0.050", "<1.0E-03"]
    assert m["reported_limit"].tolist()[:2] == [0.05, 0.001]
    assert m["reported"].tolist()[2] == 0.12
    assert not isinstance(m["reported_flag"].tolist()[2], str)  # no token on that line


@pytest.mark.parametrize("order, expected", [
    (["S2", "S2", "S1", "S3", "S1", " S2 "], [1, 1, 2, 3, 2, 1]),  # unsorted: first appearance
    (["A", "A", "B", "C", "C", "C"], [1, 1, 2, 3, 3, 3]),  # sorted: the fast path
])
def test_sequence_numbers_follow_first_appearance(tmp_path, order, expected):
    """Without a sequence column, each sample is numbered by where it first appears (spaces
    around an id do not make another sample); worked out by hand from the rows."""
    p = tmp_path / "t.csv"
    p.write_text("ID,Analyte,Conc\n" + "".join(f"{s},Pb,{k + 1}\n" for k, s in enumerate(order)))
    run = read_export(p, format="generic",
                      mapping={"sample_id": "ID", "analyte": "Analyte", "value": "Conc",
                               "unit": "µg/L"})
    assert run.measurements["sequence"].tolist() == expected
    assert run.measurements["sample_id"].tolist() == [s.strip() for s in order]


def test_line_longer_than_its_header_is_refused(tmp_path):
    """A cell beyond the header would shift the values: the reader refuses the line."""
    p = tmp_path / "t.csv"
    p.write_text("ID,Analyte,Value,Other\nS1,Pb,1,5,x\nS2,Cd,2.5,y\n")
    with pytest.raises(ParseError, match="more cells than the header") as err:
        read_export(p, format="generic", mapping={"sample_id": "ID", "analyte": "Analyte",
                                                   "value": "Value", "unit": "ng/g"})
    assert err.value.line == 2
