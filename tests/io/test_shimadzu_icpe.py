"""Shimadzu ICPE-9000 headerless TSV reader: real export (../shared) and a project fixture."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from claims import read_only_as
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutations import assert_run_or_labtox_error, mutate

from labtox.errors import ParseError
from labtox.io import read_export, shimadzu_icpe
from labtox.io._common import Head

DATA = Path(__file__).resolve().parents[1] / "data" / "shimadzu_icpe"


def at(run, line, analyte):
    m = run.measurements
    hit = m[(m["source_line"] == str(line)) & (m["analyte"] == analyte)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_real_export(shared):
    path = shared("fixtures", "exports", "shimadzu_icpe", "icpe_output.txt")
    assert shimadzu_icpe.sniff(Head.of(path))
    run = read_export(path)
    assert run.format == "shimadzu-icpe" and len(run.measurements) == 116
    # line 1: ...CAL1  Blank  9/23/2016 11:54:59 AM ... As ... 193.759 ... ppb ... mean intensity
    # (field 42) -0.1088778, SD 0.0166172, %RSD 15.26
    r = at(run, 1, "As")
    assert r["sample_type"] == "calibration" and r["level"] == "1" and r["vendor_type"] == "CAL1"
    assert r["signal"] == pytest.approx(-0.1088778) and r["signal_rsd"] == 15.26
    assert r["acquired"] == "2016-09-23T11:54:59" and r["channel"] == "As 193.759"
    assert math.isnan(r["reported"]) and r["reported_unit"] == "ppb"
    # the first UNK line (CHECK, 10/13/2016 11:10:59 AM): As conc 22.5, 23.4 -> 22.9, flag " L",
    # mean intensity 0.3362803
    m = run.measurements
    chk = m[(m["sample_id"] == "CHECK") & (m["analyte"] == "As")].iloc[0]
    assert chk["reported"] == 22.9 and chk["reported_flag"] == "L"
    assert chk["signal"] == pytest.approx(0.3362803) and chk["replicates"] == "22.5|23.4"
    assert (m["reported_flag"] == "L").sum() == 78  # awk: field 26 == " L" on 78 lines


def test_project_fixture():
    run = read_export(DATA / "icpe_small.txt")
    assert run.format == "shimadzu-icpe"
    r = at(run, 2, "Pb")
    assert r["signal"] == 0.55 and r["level"] == "2" and r["sample_type"] == "calibration"
    r = at(run, 3, "Pb")
    assert r["reported"] == 1.57 and r["reported_flag"] == "L" and r["sample_type"] == "sample"
    assert r["acquired"] == "2024-03-21T13:09:02"
    cd = at(run, 4, "Cd")
    assert math.isnan(cd["reported"]) and cd["reported_flag"] == "--" and cd["signal"] == -0.0004
    assert run.n_injections == 3


def test_truncated(tmp_path):
    raw = (DATA / "icpe_small.txt").read_bytes()
    p = tmp_path / "t.txt"
    p.write_bytes(raw[: raw.rindex(b"After Drift")])
    with pytest.raises(ParseError) as ei:
        shimadzu_icpe.read(p)
    e = ei.value
    assert e.line == 4 and e.expected == "44 fields" and e.found == "31 fields"
    assert "truncated" in e.message


def test_header_line_is_refused(tmp_path):
    p = tmp_path / "h.txt"
    p.write_text("Method\tKind\tName\tDate\n" + (DATA / "icpe_small.txt").read_text())
    assert not shimadzu_icpe.sniff(Head.of(p))
    with pytest.raises(ParseError) as ei:
        shimadzu_icpe.read(p)
    assert ei.value.line == 1 and ei.value.found == "4 fields"


def test_wrong_field(tmp_path):
    text = (DATA / "icpe_small.txt").read_text().replace("\t220.353\t", "\tPb line\t", 1)
    p = tmp_path / "w.txt"
    p.write_text(text)
    with pytest.raises(ParseError) as ei:
        shimadzu_icpe.read(p)
    e = ei.value
    assert e.line == 1 and e.column == 9 and e.expected == "a wavelength in field 9"
    assert e.found == "Pb line"


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutations_give_run_or_labtox_error(tmp_path_factory, data):
    """Truncated, garbled, column-dropped or re-encoded files: a valid Run or a LabtoxError."""
    raw = mutate((DATA / "icpe_small.txt").read_bytes(), data, sep=b'\t')
    assert_run_or_labtox_error(shimadzu_icpe.read, raw, tmp_path_factory.mktemp("mut"), ".txt")


# ----------------------------------------------------------------- variants of other labs
# Lines of 44 TAB-separated fields written by the project in the layout of the real export:
# field 1 kind, 2 name, 3 date, 6 element, 8 wavelength, 10 unit, 11-12 replicate
# concentrations, 21 mean, 25 flag, 31-32 replicate intensities, 41 mean intensity.




def _line(run, line, analyte):
    m = run.measurements
    hit = m[(m["source_line"] == str(line)) & (m["analyte"] == analyte)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_variant_decimal_comma_lf_mg_per_l_nd_token():
    run = read_only_as(DATA / "icpe_decimal_comma_lf.txt", "shimadzu-icpe")
    assert run.metadata["decimal"] == ","
    # line 2: STD2, 'Std 0,5', mean conc 0,5000 mg/L, mean intensity 0,5500
    std = _line(run, 2, "Pb")
    assert std["reported"] == 0.5 and std["signal"] == 0.55 and std["reported_unit"] == "mg/L"
    assert std["sample_type"] == "calibration" and std["level"] == "2"
    assert std["replicates"] == "0,4990|0,5010" and std["acquired"] == "2024-03-21T10:05:40"
    # line 3: UNK MNG-040, concentration 'ND', flag ' L', intensity -0,0004
    cd = _line(run, 3, "Cd")
    assert math.isnan(cd["reported"]) and cd["signal"] == -0.0004
    assert cd["reported_flag"] == "L; ND"
    assert _line(run, 1, "Pb")["sample_type"] == "blank"  # kind 'BLK'


def test_variant_column_title_line():
    run = read_only_as(DATA / "icpe_title_line_crlf.txt", "shimadzu-icpe")
    assert run.metadata["header"][:4] == ["Method", "Kind", "Sample Name", "Date"]
    assert any("line 1 holds column titles" in w for w in run.warnings)
    # line 3 (second data line): STD2 mean 0.5000 / 0.5500
    assert _line(run, 3, "Pb")["reported"] == 0.5 and _line(run, 3, "Pb")["signal"] == 0.55
    assert run.n_injections == 3


def test_ambiguous_dates_kept_as_written(tmp_path):
    # a run on 3 May or 5 March written 3/5/2024: the file cannot tell; the reader says so
    # instead of refusing the file or guessing
    raw = (DATA / "icpe_small.txt").read_text(encoding="utf-8")
    p = tmp_path / "amb.txt"
    p.write_text(raw.replace("3/21/2024", "3/5/2024"), encoding="utf-8")
    run = shimadzu_icpe.read(p)
    assert run.measurements["acquired"].isna().all()
    assert run.measurements.loc[0, "acquired_raw"] == "3/5/2024 10:02:11 AM"
    assert any("ambiguous" in w for w in run.warnings)
    assert shimadzu_icpe.read(p, dayfirst=False).measurements.loc[0, "acquired"] \
        == "2024-03-05T10:02:11"
