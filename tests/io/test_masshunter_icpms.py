"""Agilent MassHunter ICP-MS batch table reader: real exports (../shared) and project fixtures.

Expected values are read off the raw files by eye (line numbers given in comments), never
from the reader itself.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutations import assert_run_or_labtox_error, mutate

from labtox.errors import ParseError
from labtox.io import _tables, read_export
from labtox.io import masshunter_icpms as mh
from labtox.io._common import Head

DATA = Path(__file__).resolve().parents[1] / "data" / "masshunter_icpms"
EXPORTS = ("fixtures", "exports", "agilent_masshunter_icpms")


def row(run, sample_id, channel):
    m = run.measurements
    hit = m[(m["sample_id"] == sample_id) & (m["channel"] == channel)]
    assert len(hit) == 1, (sample_id, channel, len(hit))
    return hit.iloc[0]


# ----------------------------------------------------------------------------- real files

def test_user_raw_french_excel_resave(shared):
    path = shared(*EXPORTS, "User_Raw.csv")
    assert mh.sniff(Head.of(path))
    run = read_export(path)
    assert run.format == "masshunter-icpms"
    m = run.measurements
    # 110 acquisitions (lines 3-112), 69 analytes + 2 ISTDs (SOURCE.txt)
    assert run.n_injections == 110
    assert m["channel"].nunique() == 71
    assert m["is_istd"].groupby(m["channel"]).first().sum() == 2
    # line 3: ;FAUX;001SMPL.d;19/12/2018 10:42;Sample;;0;341.13;4.820370923;;;
    r = m[(m["source_line"] == "3") & (m["channel"] == "7Li [No Gas]")].iloc[0]
    assert r["sample_id"] == "0" and r["sample_type"] == "sample"
    assert r["signal"] == pytest.approx(341.13)
    assert r["signal_rsd"] == pytest.approx(4.820370923)
    assert math.isnan(r["reported"]) and pd.isna(r["reported_flag"])
    assert r["acquired"] == "2018-12-19T10:42:00"
    assert not r["rejected"]
    # line 3, last four cells: 45 Sc ISTD CPS 35278.59667 ... 115 In ISTD CPS 274124.3567
    sc = m[(m["source_line"] == "3") & (m["analyte"] == "Sc")].iloc[0]
    assert sc["is_istd"] and sc["channel"].endswith("(ISTD)")
    assert sc["signal"] == pytest.approx(35278.59667)
    ind = m[(m["source_line"] == "3") & (m["analyte"] == "In") & m["is_istd"]].iloc[0]
    assert ind["signal"] == pytest.approx(274124.3567)
    # no ISTD pairing in the file: istd_signal stays empty
    assert m["istd_signal"].isna().all()
    # line 50 (048SMPL.d, TB12): 28 Si [He] CPS 11281.58333, Conc. '<0.000', Conc. RSD 'N/A'
    si = m[(m["source_line"] == "50") & (m["channel"] == "28Si [He]")].iloc[0]
    assert si["sample_id"] == "TB12"
    assert si["signal"] == pytest.approx(11281.58333)
    assert math.isnan(si["reported"]) and si["reported_flag"] == "<0.000"
    assert si["rsd_flag"] == "N/A"
    # line 7: 005CALB.d CalBlk level 1, Li CPS 274.4566667, Conc. 0, Conc. RSD N/A
    cb = m[(m["source_line"] == "7") & (m["channel"] == "7Li [No Gas]")].iloc[0]
    assert cb["sample_type"] == "calibration_blank" and cb["vendor_type"] == "CalBlk"
    assert cb["level"] == "1"
    assert cb["signal"] == pytest.approx(274.4566667) and cb["reported"] == 0.0
    assert cb["reported_unit"] == "ppb"
    # '<0.000' occurs 608 times in the file (EXPORTS.md section 1); every one is kept
    assert (m["reported_flag"] == "<0.000").sum() == 608
    assert run.metadata["date_rule"].startswith("day-first")


def test_project_name_xlsx(shared):
    path = shared(*EXPORTS, "PROJECT_NAME.xlsx")
    run = read_export(path)
    m = run.measurements
    # Sheet1 row 4: PROJECTNAME_1_1in10_1, Sample, Total Dil. 10.1461212856184,
    # 7 Li [ No Gas ]: Conc. 11797.4438694857, Conc. RSD 1.637..., CPS 1653533.12694172
    r = row(run, "PROJECTNAME_1_1in10_1", "7Li [No Gas]")
    assert r["source_line"] == "Sheet1!R4"
    assert r["signal"] == pytest.approx(1653533.12694172)
    assert r["reported"] == pytest.approx(11797.4438694857)
    assert r["dilution"] == pytest.approx(10.1461212856184)
    # row 3: BLANK is FQBlk -> blank
    assert row(run, "BLANK", "7Li [No Gas]")["sample_type"] == "blank"
    # the Acq. Date-Time column was blanked by the uploader (SOURCE.txt)
    assert m["acquired"].isna().all()


@pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl: Data Validation extension
def test_foliar_sprays_xlsx_rejected_rows_and_no_cps(shared):
    path = shared(*EXPORTS, "20200716_ICPMS_FoliarSprays.xlsx")
    run = read_export(path)
    m = run.measurements
    # rows 7, 13-18 have Rjct True (7 acquisitions); kept with rejected=True
    rej = m.loc[m["rejected"], "source_line"].unique()
    assert sorted(rej) == sorted(f"Sheet1!R{i}" for i in (7, 13, 14, 15, 16, 17, 18))
    # the hidden ValueList_Helper sheet is not read; the 7 ISTDs (CPS only) are
    assert m.loc[m["is_istd"], "analyte"].nunique() == 7
    # row 4: 45 Sc ISTD CPS 244825.633333333 (column BL)
    sc = m[(m["source_line"] == "Sheet1!R4") & (m["analyte"] == "Sc")].iloc[0]
    assert sc["signal"] == pytest.approx(244825.633333333)
    # analytes without CPS: the signal is Meas. Conc. in ppb, said in the warnings
    na = m[(m["source_line"] == "Sheet1!R4") & (m["analyte"] == "Na")].iloc[0]
    assert na["signal_unit"] == "ppb" and na["signal"] == pytest.approx(23.0575175636155)
    assert any("no CPS column" in w for w in run.warnings)
    assert set(m["sample_type"]) >= {"calibration", "calibration_blank", "icv", "ccv", "qc", "blank"}


# ----------------------------------------------------------------------------- project files

@pytest.mark.parametrize("name", ["semicolon_point.csv", "comma_point.csv", "semicolon_comma_fr.csv"])
def test_project_fixtures_read_identically(name):
    run = read_export(DATA / name)
    m = run.measurements
    assert run.format == "masshunter-icpms"
    assert run.n_injections == 10
    # line 3 (001CALB.d): Pb CPS 152.3, Conc. 0.000, Conc. RSD N/A; CalBlk level 1
    pb = m[(m["source_line"] == "3") & (m["analyte"] == "Pb")].iloc[0]
    assert pb["signal"] == pytest.approx(152.3) and pb["reported"] == 0.0
    assert pb["rsd_flag"] == "N/A" and pb["sample_type"] == "calibration_blank"
    assert pb["level"] == "1" and pb["channel"] == "208Pb [He]"
    assert pb["acquired"].startswith("2024-03-14T09:01")
    # line 6 (004BLK.d): Pb Conc. '<0.000' (or '<0,000'): a bound, not a number
    blk = m[(m["source_line"] == "6") & (m["analyte"] == "Pb")].iloc[0]
    assert math.isnan(blk["reported"]) and blk["reported_flag"] in ("<0.000", "<0,000")
    assert blk["sample_type"] == "blank" and blk["dilution"] == 100
    # line 8 (006SMPL.d): MNG-001, Total Dil. 100.4, As Conc 0.120
    s = m[(m["source_line"] == "8") & (m["analyte"] == "As")].iloc[0]
    assert s["sample_id"] == "MNG-001" and s["dilution"] == pytest.approx(100.4)
    assert s["reported"] == pytest.approx(0.120) and s["signal"] == pytest.approx(399.9)
    # line 11 (009SMPL.d): Rjct TRUE, every value cell empty: kept, rejected
    rj = m[m["source_line"] == "11"]
    assert len(rj) == 6 and rj["rejected"].all() and rj["signal"].isna().all()
    # ISTD rows: Ge, In, Bi, each with CPS, marked is_istd, no pairing given
    ist = m[(m["source_line"] == "3") & m["is_istd"]]
    assert list(ist["analyte"]) == ["Ge", "In", "Bi"]
    assert list(ist["signal"]) == [250100, 180200, 95100]
    assert m["istd_signal"].isna().all()
    # study Type words
    types = m.drop_duplicates("sequence").set_index("sample_id")["sample_type"].to_dict()
    assert types["ERM-BD151"] == "icv" and types["MNG-001 DUP"] == "duplicate"
    assert types["MNG-001 SPK"] == "spike" and types["CCV 5 ppb"] == "ccv"
    assert types["Std 5 ppb"] == "calibration"


def test_istd_pairing_option():
    run = mh.read(DATA / "semicolon_point.csv", istd={"Pb": "Bi", "Cd": "115In"})
    m = run.measurements
    pb = m[(m["source_line"] == "4") & (m["analyte"] == "Pb")].iloc[0]
    assert pb["istd_signal"] == 95300 and pb["istd_channel"] == "209Bi [He] (ISTD)"
    cd = m[(m["source_line"] == "4") & (m["analyte"] == "Cd")].iloc[0]
    assert cd["istd_signal"] == 179900
    assert math.isnan(m[(m["source_line"] == "4") & (m["analyte"] == "As")].iloc[0]["istd_signal"])
    with pytest.raises(ParseError, match="ISTD 'Rh'"):
        mh.read(DATA / "semicolon_point.csv", istd={"Pb": "Rh"})


def test_sniff_project_fixtures():
    for name in ("semicolon_point.csv", "comma_point.csv", "semicolon_comma_fr.csv"):
        assert mh.sniff(Head.of(DATA / name))


def test_encodings_and_line_endings(tmp_path):
    text = (DATA / "comma_point.csv").read_text("utf-8")
    variants = {
        "utf16.csv": text.encode("utf-16"),
        "bom.csv": text.encode("utf-8-sig"),
        "cr.csv": text.replace("\r\n", "\r").encode("cp1252"),
    }
    for name, raw in variants.items():
        p = tmp_path / name
        p.write_bytes(raw)
        run = read_export(p)
        pb = run.measurements
        pb = pb[(pb["source_line"] == "8") & (pb["analyte"] == "As")].iloc[0]
        assert pb["reported"] == pytest.approx(0.120), name


def test_xlsx_other_sheet_name(tmp_path):
    import csv

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Notes"
    ws.append(["exported by hand"])
    ws2 = wb.create_sheet("Batch 2024")
    with open(DATA / "comma_point.csv", newline="") as fh:
        for r in csv.reader(fh):
            ws2.append([float(c) if c.replace(".", "", 1).isdigit() else c for c in r])
    p = tmp_path / "batch.xlsx"
    wb.save(p)
    run = read_export(p)
    m = run.measurements
    pb = m[(m["source_line"] == "Batch 2024!R8") & (m["analyte"] == "As")].iloc[0]
    assert pb["sample_id"] == "MNG-001" and pb["reported"] == pytest.approx(0.120)
    assert run.metadata["sheet"] == "Batch 2024"


# ----------------------------------------------------------------------------- bad input

def test_truncated_file(tmp_path):
    raw = (DATA / "semicolon_point.csv").read_bytes()
    cut = raw[: raw.index(b"MNG-001 DUP") + 20]
    p = tmp_path / "cut.csv"
    p.write_bytes(cut)
    with pytest.raises(ParseError) as ei:
        mh.read(p)
    e = ei.value
    assert e.path == str(p) and e.line == 9
    assert e.expected.startswith("26 cells as in the header (line 2)")
    assert e.found.endswith("cells") and e.column is not None
    assert "truncated" in str(e)


def test_missing_header_row(tmp_path):
    lines = (DATA / "semicolon_point.csv").read_text().splitlines()
    p = tmp_path / "nohead.csv"
    p.write_text("\n".join(lines[2:]))
    assert not mh.sniff(Head.of(p))
    with pytest.raises(ParseError) as ei:
        mh.read(p)
    e = ei.value
    assert e.line == 1 and "header row" in e.message
    assert "Sample Name" in e.expected and e.found.startswith(";FALSE;001CALB.d")


def test_missing_group_row(tmp_path):
    lines = (DATA / "semicolon_point.csv").read_text().splitlines()
    p = tmp_path / "nogroup.csv"
    p.write_text("\n".join(lines[1:]))
    with pytest.raises(ParseError) as ei:
        mh.read(p)
    assert ei.value.line == 1 and "label row" in ei.value.message


def test_bad_boolean_names_line_and_column(tmp_path):
    text = (DATA / "semicolon_point.csv").read_text().replace(";FALSE;005SMPL.d", ";PERHAPS;005SMPL.d")
    p = tmp_path / "bool.csv"
    p.write_text(text)
    with pytest.raises(ParseError) as ei:
        mh.read(p)
    assert ei.value.line == 7 and ei.value.column == "Rjct" and ei.value.found == "PERHAPS"


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutations_give_run_or_labtox_error(tmp_path_factory, data):
    """Truncated, garbled, column-dropped or re-encoded files: a valid Run or a LabtoxError."""
    raw = mutate((DATA / "semicolon_point.csv").read_bytes(), data, sep=b';')
    assert_run_or_labtox_error(mh.read, raw, tmp_path_factory.mktemp("mut"), ".csv")


def test_other_analyte_fields_kept(tmp_path):
    """A field labtox has no name for (ISTD recovery, not seen in real files) is kept as is."""
    lines = (DATA / "semicolon_point.csv").read_text().splitlines()
    out = [lines[0] + ";", lines[1] + ";ISTD Recovery %"]
    out += [ln + (";N/A" if "009SMPL" in ln else ";98.5") for ln in lines[2:]]
    p = tmp_path / "rec.csv"
    p.write_text("\n".join(out))
    run = mh.read(p)
    m = run.measurements
    bi = m[(m["source_line"] == "3") & (m["analyte"] == "Bi")].iloc[0]
    assert bi["ISTD Recovery %"] == 98.5
    rj = m[(m["source_line"] == "11") & (m["analyte"] == "Bi")].iloc[0]
    assert rj["ISTD Recovery % (raw)"] == "N/A" and math.isnan(rj["ISTD Recovery %"])
    assert math.isnan(m[(m["source_line"] == "3") & (m["analyte"] == "Pb")].iloc[0]["ISTD Recovery %"])


def test_optional_columns_missing_and_reordered(tmp_path):
    """Only Sample Name and the analyte blocks: still a Run; the missing Type is said."""
    import csv

    rows = list(csv.reader((DATA / "comma_point.csv").read_text().splitlines()))
    keep = [0, 6] + list(range(8, len(rows[1])))  # drop Rjct, Data File, date, Type, Level, Dil.
    out = [[r[j] for j in keep] for r in rows if not (len(r) > 1 and r[1] == "True")]
    p = tmp_path / "minimal.csv"
    p.write_text("\n".join(",".join(r) for r in out))
    run = mh.read(p)
    m = run.measurements
    assert set(m["sample_type"]) == {"unknown"} and any("no Type column" in w for w in run.warnings)
    pb = m[(m["sample_id"] == "MNG-001") & (m["analyte"] == "Pb")].iloc[0]
    assert pb["signal"] == 520.7 and pb["reported"] == 0.018 and pb["source_line"] == "8"


def test_dash_dilution_is_no_dilution(tmp_path):
    text = (DATA / "semicolon_point.csv").read_text().replace(";MNG-001;100.4;", ";MNG-001;-;")
    p = tmp_path / "dash.csv"
    p.write_text(text)
    run = mh.read(p)
    m = run.measurements
    assert m.loc[m["sample_id"] == "MNG-001", "dilution"].isna().all()
    assert any("Total Dil." in w for w in run.warnings)
    p.write_text(text.replace(";MNG-001;-;", ";MNG-001;ten;"))
    with pytest.raises(ParseError) as ei:
        mh.read(p)
    assert ei.value.line == 8 and ei.value.column == "Total Dil." and ei.value.found == "ten"


@pytest.mark.parametrize("token", [None, "<0.000", "N/A", "nan", "inf", "1_000", "1,250.5"])
def test_vector_numbers_agrees_with_parse_number(token):
    """The fast paths (C parser for long columns, float() otherwise) give exactly what
    parse_number gives cell by cell, tokens included."""
    from labtox.io._common import parse_number

    rng = np.random.default_rng(7)
    cells = [f"{v:.6g}" for v in rng.normal(0, 1e4, 25_000)]
    cells[5] = ""
    cells[17] = "1.5e-3"
    if token is not None:
        cells[1000] = token
    for n in (25_000, 300):
        part = cells[:n] if token is None or n > 1000 else cells[:n] + [token]
        vals, flags = _tables.vector_numbers(part)
        exp = [parse_number(c) for c in part]
        assert [f for f in flags] == [e[1] for e in exp]
        np.testing.assert_array_equal(vals, np.array([e[0] for e in exp]))


@pytest.mark.parametrize("name", ["semicolon_point.csv", "comma_point.csv",
                                  "semicolon_comma_fr.csv", "User_Raw.csv"])
def test_c_parser_path_matches_cell_by_cell(name, shared, monkeypatch):
    """Plain CSV bodies go through pandas' C parser; the result must be identical to the
    csv-module, cell-by-cell reading."""
    path = shared(*EXPORTS, name) if name == "User_Raw.csv" else DATA / name
    calls = []
    real = mh._fast_body
    monkeypatch.setattr(mh, "_fast_body", lambda *a: calls.append(real(*a)) or calls[-1])
    fast = mh.read(path).measurements
    assert calls and calls[0] is not None  # the C parser path was taken
    monkeypatch.setattr(mh, "_fast_body", lambda *a: None)
    slow = mh.read(path).measurements
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)


_CELLS = st.sampled_from(["1.5", "0", "12", "-3.25", "2.5e-05", "", "", " ", "<0.000", "N/A",
                          "12.3 o", "OVER", "-----", "inf", "1_000", "7.", ".5", "ND",
                          "A<0.000", "1N/A", ".", "-", "5.", "N/A N/A", "TRUE", "False"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(grid=st.lists(st.lists(_CELLS, min_size=6, max_size=6), min_size=1, max_size=12),
       sep=st.sampled_from([",", ";", ";,"]), blank_line=st.booleans(), trailing=st.booleans(),
       late=st.booleans(), name=st.sampled_from(["S", "Шұбат-", "Проба ", "", " "]),
       end=st.sampled_from(["\n", "", "\n\n", "\r\n"]))
def test_c_parser_path_agrees_on_any_cells(tmp_path, monkeypatch, grid, sep, blank_line, trailing,
                                           late, name, end):
    """Whatever the value cells hold (tokens, spaces, empty, inf, suffixes, words the parser
    would take for booleans), both readings agree, including blank lines, empty trailing
    cells, sample names in Cyrillic or missing, and tokens first seen only after the rows the
    C-parser reading learns its tokens from (``late``)."""
    if late:
        grid = [["1.5"] * 6] * (mh._TOKEN_ROWS + 3) + grid
    if sep == ";,":  # ';'-separated with decimal commas
        sep = ";"
        grid = [[c.replace(".", ",") for c in r] for r in grid]
    head = [sep.join(["Sample", "", "", "208  Pb  [ He ] ", "", "", "111  Cd  [ He ] ", "", ""]),
            sep.join(["", "Type", "Sample Name", "CPS", "Conc. [ ppb ]", "Conc. RSD",
                      "CPS", "Conc. [ ppb ]", "Conc. RSD"])]
    body = [sep.join(["", "Sample", f"{name}{i}" if name.strip() else name] + cells)
            + (sep if trailing else "")
            for i, cells in enumerate(grid)]
    if blank_line:
        body.insert(len(body) // 2, sep * 8)
    path = tmp_path / "batch.csv"
    newline = "\r\n" if end == "\r\n" else "\n"  # CRLF files: every line
    path.write_bytes((newline.join(head + body) + end).encode("utf-8"))

    def read(fast: bool):
        if not fast:
            monkeypatch.setattr(mh, "_fast_body", lambda *a: None)
        try:
            return mh.read(path).measurements
        except ParseError as exc:
            return (exc.message, exc.line, exc.column)
        finally:
            monkeypatch.undo()

    fast, slow = read(True), read(False)
    if isinstance(fast, pd.DataFrame) and isinstance(slow, pd.DataFrame):
        pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    else:
        assert fast == slow


def test_sniff_claims_no_other_format(shared):
    """Chromatography batch tables also have 'Sample Name' and 'Conc.' columns (LabSolutions);
    only a table under isotope labels is a MassHunter ICP-MS export."""
    root = shared("fixtures", "exports")
    claimed = sorted(str(f.relative_to(root)) for f in root.rglob("*")
                     if f.is_file() and f.suffix.lower() in (".csv", ".txt", ".xlsx", ".tsv")
                     and mh.sniff(Head.of(f)))
    assert claimed == ["agilent_masshunter_icpms/20200716_ICPMS_FoliarSprays.xlsx",
                       "agilent_masshunter_icpms/PROJECT_NAME.xlsx",
                       "agilent_masshunter_icpms/User_Raw.csv"]


def test_many_distinct_tokens_read_cell_by_cell(tmp_path, monkeypatch):
    """ICP Expert-style suffixed values ('3.5 u') are a distinct token per cell: the C parser
    leaves such a column as text, which is parsed cell by cell, and the result is exactly the
    csv-module reading."""
    head = ["Sample,,,208  Pb  [ He ] ,,111  Cd  [ He ] ,",
            ",Type,Sample Name,CPS,Conc. [ ppb ],CPS,Conc. [ ppb ]"]
    body = [f",Sample,S{i},{100 + i},{i}.5 u,{200 + i},{i}.25 o" for i in range(80)]
    path = tmp_path / "suffixed.csv"
    path.write_text("\n".join(head + body) + "\n")
    calls = []
    real = mh._fast_body
    monkeypatch.setattr(mh, "_fast_body", lambda *a: calls.append(real(*a)) or calls[-1])
    m = mh.read(path).measurements
    assert calls and calls[0] is not None  # the C parser path was taken
    # line 3: ',Sample,S0,100,0.5 u,200,0.25 o'; line 4: ',Sample,S1,101,1.5 u,201,1.25 o'
    assert m["reported"].tolist()[:4] == [0.5, 0.25, 1.5, 1.25]
    assert m["reported_flag"].tolist()[:4] == ["0.5 u", "0.25 o", "1.5 u", "1.25 o"]
    monkeypatch.setattr(mh, "_fast_body", lambda *a: None)
    pd.testing.assert_frame_equal(m, mh.read(path).measurements, check_exact=True)


def test_every_token_of_a_row_is_kept(tmp_path):
    """CPS 'OVER' next to Conc. '<0.000': reported_flag keeps the Conc. token, signal_flag the
    CPS one; a Meas. token goes to measured_flag."""
    path = tmp_path / "tokens.csv"
    path.write_text("Sample,,,208  Pb  [ He ] ,,\n"
                    ",Type,Sample Name,CPS,Conc. [ ppb ],Meas. Conc. [ ppb ]\n"
                    ",Sample,S1,OVER,<0.000,N/A\n,Sample,S2,150.2,1.25,1.3\n")
    m = mh.read(path).measurements
    assert m["reported_flag"].tolist()[0] == "<0.000"
    assert m["signal_flag"].tolist()[0] == "OVER"
    assert m["measured_flag"].tolist()[0] == "N/A"
    assert m["signal"].tolist()[1] == 150.2 and pd.isna(m["signal_flag"].tolist()[1])


@pytest.mark.parametrize("end", ["", "\n", "\n\n\n", "\n,,,,\n"])
def test_header_without_rows_is_an_error_on_both_paths(tmp_path, monkeypatch, end):
    """A batch table cut after its header (with or without a final line end, or followed by
    blank lines) has no acquisition: both readings say so, naming the line after the header."""
    path = tmp_path / "cut.csv"
    path.write_text("Sample,,,208  Pb  [ He ] ,\n,Type,Sample Name,CPS,Conc. [ ppb ]" + end)
    for fast in (True, False):
        if not fast:
            monkeypatch.setattr(mh, "_fast_body", lambda *a: None)
        with pytest.raises(ParseError, match="header but no acquisition rows") as err:
            mh.read(path)
        assert err.value.line == 3


@pytest.mark.parametrize("body, expected", [
    (",Sample,S1,100.5\n,Sample,S2,\n", [100.5]),  # one value column, an empty cell
    (",Sample,S1,100.5\n,Sample,S2,<0.000\n", [100.5, None]),  # one value column, a token
])
def test_single_value_column_on_both_paths(tmp_path, monkeypatch, body, expected):
    """A table with one value column (CPS only) reads the same on both paths."""
    path = tmp_path / "one.csv"
    path.write_text("Sample,,,208  Pb  [ He ] \n,Type,Sample Name,CPS\n" + body)
    fast = mh.read(path).measurements
    monkeypatch.setattr(mh, "_fast_body", lambda *a: None)
    pd.testing.assert_frame_equal(fast, mh.read(path).measurements, check_exact=True)
    got = [None if v != v else v for v in fast["signal"].tolist()]
    assert got == expected


def test_blank_line_padded_with_spaces_is_blank_on_both_paths(tmp_path, monkeypatch):
    """A line of delimiters and spaces is blank however long its padding."""
    pad = " " * 40
    path = tmp_path / "pad.csv"
    path.write_text("Sample,,,208  Pb  [ He ] ,\n,Type,Sample Name,CPS,Conc. [ ppb ]\n"
                    ",Sample,S1,100,1.5\n" + ",".join([pad] * 5) + "\n,Sample,S2,101,1.6\n")
    fast = mh.read(path).measurements
    assert fast["sequence"].tolist() == [1, 2] and fast["sample_id"].tolist() == ["S1", "S2"]
    monkeypatch.setattr(mh, "_fast_body", lambda *a: None)
    pd.testing.assert_frame_equal(fast, mh.read(path).measurements, check_exact=True)
