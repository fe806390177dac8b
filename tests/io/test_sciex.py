"""SCIEX results-table reader: real fixture (column subset), project fixtures (Analyst 82-column
layout with preamble, Q1/Q3 subset with a re-injection), bad input.

Expected values are read off the raw files (line cited)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from claims import claims
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labtox.errors import LabtoxError, ParseError
from labtox.io import read_export, sciex
from labtox.io._common import Head

DATA = Path(__file__).resolve().parents[1] / "data" / "sciex"


def _at(run, line):
    m = run.measurements
    hit = m[m.source_line == str(line)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_real_subset_table(shared):
    path = shared("fixtures", "exports", "sciex", "SciExTestData.txt")
    assert sciex.sniff(Head.of(path))
    run = read_export(path)
    assert run.format == "sciex"
    m = run.measurements
    assert len(m) == 13664 and run.n_injections == 61
    # line 2: "Blank 01<TAB>496.5 / 257.1<TAB>4758.83137492473<TAB>9.57305645493725<TAB>..."
    r = _at(run, 2)
    assert (r.sample_id, r.analyte, r.channel) == ("Blank 01", "496.5 / 257.1", "496.5 / 257.1")
    assert r.signal == pytest.approx(4758.83137492473) and r.signal_unit == "counts"
    # 'N/A' where there is no peak: kept as the flag, never 0
    na = m[m.reported_flag == "N/A"]
    assert len(na) == 9621 and na.signal.isna().all()


def test_analyst_results_table_with_preamble():
    path = DATA / "analyst_results_table.txt"
    assert sciex.sniff(Head.of(path))
    run = sciex.read(path)
    assert run.metadata["preamble_lines"] == 11 and run.metadata["header_line"] == 12
    r = _at(run, 13)  # Std 0.05: area 2.05e+003, Analyte Concentration (ng/mL) 0.0500
    assert (r.sample_type, r.signal, r.nominal, r.nominal_unit, r.istd_signal) == (
        "calibration", 2050, 0.05, "ng/mL", 101000)
    assert (r.reported, r.reported_unit, r.istd_channel) == (0.0491, "ng/mL", "AFM1-13C17")
    assert r.sample_id_field == "CAL1" and r.acquired == "2024-03-19T09:12:00"
    assert _at(run, 14).use_record == False  # noqa: E712  ('Use Record' 0)
    r = _at(run, 15)  # blank: 'No Peak' in area and concentration
    assert math.isnan(r.signal) and r.reported_flag == "No Peak" and r.sample_type == "blank"
    r = _at(run, 16)  # unknown: area 310, calculated '< 0' kept as a token
    assert (r.signal, r.reported_flag, r.dilution) == (310, "< 0", 2.0)
    assert math.isnan(r.reported) and math.isnan(r.nominal)
    assert _at(run, 17).sample_type == "qc"


def test_reinjection_gets_its_own_sequence():
    run = sciex.read(DATA / "q1q3_subset.txt")
    assert [int(_at(run, n).sequence) for n in range(2, 8)] == [1, 1, 2, 2, 3, 3]
    assert _at(run, 6).signal == 305.5


def test_repeated_header_is_skipped(tmp_path):
    lines = (DATA / "q1q3_subset.txt").read_text("utf-8").splitlines()
    p = tmp_path / "rep.txt"
    p.write_text("\n".join(lines[:4] + [lines[0]] + lines[4:]) + "\n", "utf-8")
    run = sciex.read(p)
    assert run.metadata["repeated_headers"] == 1 and len(run.measurements) == 6


def test_truncated_row_and_not_sciex(tmp_path):
    text = (DATA / "analyst_results_table.txt").read_text("utf-8")
    p = tmp_path / "cut.txt"
    cut = text.index("QC-mid")
    p.write_text(text[: cut + 400], "utf-8")
    with pytest.raises(ParseError) as ei:
        sciex.read(p)
    assert ei.value.line == 17 and ei.value.expected == "82 cells"
    p.write_text("a\tb\n1\t2\n", "utf-8")
    assert not sciex.sniff(Head.of(p))
    with pytest.raises(ParseError, match="not a SCIEX"):
        sciex.read(p)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
def test_encodings(tmp_path, encoding):
    p = tmp_path / "x.txt"
    p.write_bytes((DATA / "analyst_results_table.txt").read_text("utf-8").encode(encoding))
    assert _at(sciex.read(p), 13).signal == 2050


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 3000), at=st.integers(0, 3000),
       junk=st.sampled_from(["", "\t", "\n", "x", "No Peak", "< 0"]))
def test_mutations_give_run_or_labtox_error(tmp_path, cut, at, junk):
    raw = (DATA / "analyst_results_table.txt").read_bytes()
    raw = raw[:cut] if cut < len(raw) else raw
    a = min(at, len(raw))
    raw = raw[:a] + junk.encode() + raw[a + 1:]
    p = tmp_path / "m.txt"
    p.write_bytes(raw)
    try:
        run = sciex.read(p)
    except LabtoxError:
        return
    assert len(run.measurements) > 0


# ---- variants of other labs' tables (issue 3: the reader must generalise) --------------------



def test_variant_multiquant_is_column_and_tokens():
    p = DATA / "multiquant_is_column.txt"
    assert claims(p) == ["sciex"]
    m = read_export(p).measurements
    cal, istd, dblk, unk = (m.iloc[i] for i in range(4))  # lines 2-5
    assert cal.signal == 2050.5 and cal.istd_signal == 101000 and cal.nominal == 0.05
    assert cal.reported == 0.0491 and cal.reported_unit == "ng/mL" and bool(cal.use_record)
    assert cal.istd_channel == "AFM1-13C17" and cal.acquired == "2024-03-19T09:12:05"
    assert istd.is_istd and istd.analyte == "aflatoxin M1" and istd.signal == 101000
    assert dblk.sample_type == "blank" and dblk.reported_flag == "N/A; No Peak"
    assert not bool(dblk.use_record)
    assert unk.reported_flag == "< 0" and math.isnan(unk.reported)
    assert unk.acquired == "2024-03-19T13:48:30" and unk.sequence == 3


def test_variant_semicolon_resave_with_decimal_commas():
    p = DATA / "analyst_semicolon_decimal_comma.csv"
    assert claims(p) == ["sciex"]
    run = read_export(p)
    std, milk = run.measurements.iloc[0], run.measurements.iloc[1]  # lines 2, 3
    assert std.signal == 4012.5 and std.nominal == 0.1 and std.reported == 0.0992
    assert std.nominal_unit == "ng/mL" and std.retention_time == 5.11
    assert milk.signal == 612.75 and milk.dilution == 2 and milk.sample_type == "sample"
    with pytest.raises(ParseError, match="decimal option"):
        sciex.read(p, decimal=";")
