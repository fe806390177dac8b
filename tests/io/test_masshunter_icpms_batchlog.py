"""MassHunter ICP-MS BatchLog.csv: read as an acquisition table (not a Run)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from labtox.errors import ParseError
from labtox.io import formats
from labtox.io.masshunter_icpms_batchlog import read_batchlog

DATA = Path(__file__).resolve().parents[1] / "data" / "masshunter_icpms_batchlog"
EXPORTS = ("fixtures", "exports", "agilent_masshunter_icpms_batchlog")


def test_not_registered_as_a_reader():
    assert "masshunter-icpms-batchlog" not in {f.name for f in formats()}


def test_real_logs(shared):
    log = read_batchlog(shared(*EXPORTS, "BatchLog_7700.csv"))
    # line 2: 1,2020/11/18 14:24:29,Sample,1,<Manual>,D:\DATA\OM\test_7700.b\1.d,Pass,-,1,-,Student
    first = log.iloc[0]
    assert first["sequence"] == 1 and first["acquired"] == "2020-11-18T14:24:29"
    assert first["sample_id"] == "1" and first["sample_type"] == "sample"
    assert first["data_file"] == r"D:\DATA\OM\test_7700.b\1.d" and first["operator"] == "Student"
    assert pd.isna(first["error_message"]) and first["source_line"] == "2"
    assert len(log) == 5
    log = read_batchlog(shared(*EXPORTS, "BatchLog_8900.csv"))
    # line 2: 16/11/2020 1:08:48 PM -> day-first, 13:08:48
    assert log["acquired"].iloc[0] == "2020-11-16T13:08:48"
    assert log.attrs["date_rule"].startswith("day-first")


def test_project_log():
    log = read_batchlog(DATA / "BatchLog.csv")
    assert list(log["sample_type"]) == ["calibration_blank", "calibration", "sample"]
    last = log.iloc[2]
    assert last["acquisition_result"] == "Fail" and last["error_message"] == "Nebulizer pressure low"
    assert last["dilution"] == pytest.approx(100.2) and last["acquired"] == "2024-03-21T13:29:40"
    assert log["level"].tolist()[:2] == ["1", "2"]


def test_truncated(tmp_path):
    text = (DATA / "BatchLog.csv").read_text()
    p = tmp_path / "t.csv"
    p.write_text(text[: text.index("Nebulizer")])
    with pytest.raises(ParseError) as ei:
        read_batchlog(p)
    assert ei.value.line == 4 and ei.value.found == "8 cells"
    assert ei.value.expected == "29 cells as in the header (line 1)"


def test_missing_header(tmp_path):
    p = tmp_path / "h.csv"
    p.write_text("\n".join((DATA / "BatchLog.csv").read_text().splitlines()[1:]))
    with pytest.raises(ParseError) as ei:
        read_batchlog(p)
    assert ei.value.line == 1 and ei.value.expected.startswith("a header starting '#,Acq.")


# ----------------------------------------------------------------- variants of other labs


def test_variant_semicolon_decimal_comma_fewer_columns_quoted_name():
    path = DATA / "BatchLog_semicolon_decimal_comma.csv"
    log = read_batchlog(path)
    assert log.attrs["delimiter"] == ";" and log.attrs["decimal"] == ","
    # line 3: 2;18.11.2020 14:30:05;Sample;"Milch, Probe 1";2101;...;Labor;10,5
    r = log.iloc[1]
    assert r["sample_id"] == "Milch, Probe 1" and r["dilution"] == 10.5
    assert r["acquired"] == "2020-11-18T14:30:05" and r["source_line"] == "3"
    assert log.iloc[0]["sample_type"] == "calibration_blank"
    assert r["data_file"] == "D:\\DATA\\x.b\\002SMPL.d" and r["error_message"] is None


def test_batchlog_is_claimed_by_no_export_reader():
    from labtox.errors import UnknownFormatError
    from labtox.io import read_export

    for name in ("BatchLog.csv", "BatchLog_semicolon_decimal_comma.csv"):
        with pytest.raises(UnknownFormatError):
            read_export(DATA / name)
