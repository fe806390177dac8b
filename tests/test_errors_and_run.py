"""The exception tree and the measurements schema."""

import numpy as np
import pandas as pd
import pytest

from labtox.errors import (
    AnalyteError,
    CalibrationError,
    LabtoxError,
    ParseError,
    SchemaError,
    UnitError,
    UnknownFormatError,
)
from labtox.run import Run, validate_measurements


def test_errors_subclass_builtins_and_carry_fields():
    e = ParseError("not a number.", path="batch.csv", line=12, column="CPS",
                   expected="a number", found="abc")
    assert isinstance(e, LabtoxError) and isinstance(e, ValueError)
    assert (e.path, e.line, e.column, e.expected, e.found) == ("batch.csv", 12, "CPS", "a number", "abc")
    assert str(e) == "batch.csv, line 12, column CPS: not a number. Expected a number, found 'abc'."
    assert isinstance(UnitError("x"), ValueError)
    assert isinstance(AnalyteError("x"), KeyError)
    c = CalibrationError("fewer than three levels.", analyte="Pb", hint="Add standards.")
    assert str(c) == "Pb: fewer than three levels. Add standards." and c.analyte == "Pb"


def test_unknown_format_lists_every_reader():
    e = UnknownFormatError("x.csv", [("a", "no header"), ("b", "no grid")])
    assert "a: no header; b: no grid" in str(e)
    assert e.tried == [("a", "no header"), ("b", "no grid")]


def _table(**overrides):
    df = pd.DataFrame({
        "run_id": ["r"] * 3,
        "sequence": [1, 2, 3],
        "sample_id": ["S1", "S2", "S3"],
        "sample_type": ["sample", "blank", "calibration"],
        "analyte": ["Pb"] * 3,
        "channel": ["208Pb [He]"] * 3,
        "signal": [10.0, 1.0, 100.0],
        "signal_unit": ["cps"] * 3,
        "source_line": ["3", "4", "5"],
    })
    for k, v in overrides.items():
        df[k] = v
    return df


def test_valid_table_passes():
    df = _table()
    assert validate_measurements(df) is df


def test_schema_lists_every_bad_row_at_once():
    df = _table(sample_type=["sample", "Samp", "calibration"],
                signal=[np.nan, 1.0, np.inf], sample_id=["S1", "", "S3"])
    with pytest.raises(SchemaError) as info:
        validate_measurements(df, path="batch.csv")
    probs = info.value.problems
    where = {(p.column, p.source_line) for p in probs}
    assert where == {("sample_type", "4"), ("signal", "3"), ("signal", "5"), ("sample_id", "4")}
    msg = str(info.value)
    assert msg.startswith("batch.csv: the measurements table has 4 problem(s)")
    assert "line 4, column 'sample_type': must be one of" in msg


def test_flagged_or_rejected_rows_may_lack_a_signal():
    df = _table(signal=[np.nan, np.nan, 1.0], reported_flag=["N/A", None, None],
                rejected=[False, True, False])
    validate_measurements(df)


def test_missing_columns():
    with pytest.raises(SchemaError, match="required column is missing"):
        validate_measurements(_table().drop(columns=["signal"]))


def test_run_from_path(tmp_path):
    f = tmp_path / "x.csv"
    f.write_bytes(b"abc")
    run = Run.from_path(_table(), f, "test", instrument="ICP-MS", warnings=["w"], batch="B1")
    # sha256("abc"), FIPS 180-2 Appendix B.1 test vector
    assert run.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert run.run_id == "ba7816bf8f01" and set(run.measurements["run_id"]) == {"ba7816bf8f01"}
    assert run.metadata["batch"] == "B1" and run.warnings == ("w",)
    s = run.summary()
    assert s["injections"] == 3 and s["sample_types"] == {"blank": 1, "calibration": 1, "sample": 1}
    with pytest.raises(TypeError):
        run.metadata["x"] = 1  # read-only


def _long_table(n: int = 3000) -> dict:
    """A reader-style mapping with many rows (validation then takes its whole-column paths)."""
    return {
        "sequence": np.arange(1, n + 1),
        "sample_id": np.array([f"S{i // 10}" for i in range(n)], dtype=object),
        "sample_type": np.array(["sample"] * n, dtype=object),
        "analyte": np.array(["Pb", "Cd"] * (n // 2), dtype=object),
        "channel": np.array(["208Pb [He]", "111Cd [He]"] * (n // 2), dtype=object),
        "signal": np.linspace(1.0, 2.0, n),
        "signal_unit": np.array(["cps"] * n, dtype=object),
        "reported_flag": np.array([None] * n, dtype=object),
        "source_line": np.array([str(i + 3) for i in range(n)], dtype=object),
    }


@pytest.mark.parametrize("column, row, bad, check", [
    ("source_line", 1234, "  ", "must not be empty"),  # 3000 distinct values
    ("source_line", 7, None, "must not be empty"),
    ("sample_id", 2999, "\t", "must not be empty"),  # 300 distinct values
    ("channel", 10, "", "must not be empty"),
    ("sample_type", 5, "Samp", "must be one of"),
])
def test_long_tables_report_the_bad_row(column, row, bad, check):
    cols = _long_table()
    cols[column][row] = bad
    df = pd.DataFrame(cols).assign(run_id="r")
    with pytest.raises(SchemaError) as info:
        validate_measurements(df)
    (p,) = info.value.problems
    assert (p.row, p.column, check in p.check) == (row, column, True)


def test_from_path_takes_a_mapping_and_copies_shared_memory(tmp_path):
    f = tmp_path / "x.csv"
    f.write_bytes(b"abc")
    cols = _long_table()
    cols["reported"] = cols["signal"]  # one array given twice
    cols["reported_flag"][4] = "<0.1"
    run = Run.from_path(cols, f, "test")
    m = run.measurements
    assert list(m.columns[:3]) == ["run_id", "sequence", "sample_id"]
    assert len(m) == 3000 and m["reported_flag"].tolist()[4] == "<0.1"
    assert pd.isna(m["reported_flag"].tolist()[0]) and str(m["reported_flag"].dtype) == "str"
    m.loc[0, "signal"] = -1.0
    assert m.loc[0, "reported"] == 1.0  # not the same memory


def test_hash_computed_ahead_is_the_files_hash(tmp_path):
    """The background hash is the file's SHA-256 (hashlib on the bytes, independently); a file
    changed inside the block is hashed again, and nothing is left pending after it."""
    import hashlib

    from labtox import run as run_mod

    p = tmp_path / "export.csv"
    p.write_bytes(b"Sample,Pb\nS1,0.12\n" * 5000)
    with run_mod.hashing_ahead(p):
        assert run_mod.sha256_file(p) == hashlib.sha256(p.read_bytes()).hexdigest()
    assert not run_mod._AHEAD
    with run_mod.hashing_ahead(p):
        p.write_bytes(b"Sample,Pb\nS1,0.13\n")  # another size: another key
        assert run_mod.sha256_file(p) == hashlib.sha256(b"Sample,Pb\nS1,0.13\n").hexdigest()
    assert not run_mod._AHEAD
    with run_mod.hashing_ahead(tmp_path / "missing.csv"):  # no file: nothing to hash ahead
        assert not run_mod._AHEAD


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="no fork on this platform")
def test_forked_child_does_not_wait_for_the_parents_hash(tmp_path):
    """A child forked while the parent's hashing thread has a hash pending (a future that
    never finishes in the child) hashes the file itself instead of waiting forever."""
    import hashlib
    import multiprocessing as mp
    from concurrent.futures import Future

    from labtox import run as run_mod

    p = tmp_path / "export.csv"
    p.write_bytes(b"x" * 100_000)
    key = run_mod._file_key(p)
    run_mod._AHEAD[key] = Future()  # pending in the parent
    try:
        with mp.get_context("fork").Pool(1) as pool:
            child = pool.apply_async(run_mod.sha256_file, (str(p),)).get(timeout=30)
    finally:
        run_mod._AHEAD.pop(key, None)
    assert child == hashlib.sha256(p.read_bytes()).hexdigest()


def test_nullable_integer_columns_are_checked_for_missing_cells(tmp_path):
    """pandas' nullable Int64 can hold <NA>: a missing sample id or line number is a schema
    error, not a number that is never blank."""
    p = tmp_path / "x.csv"
    p.write_text("x")
    base = {"run_id": ["r"] * 3, "sequence": [1, 2, 3], "sample_type": ["sample"] * 3,
            "analyte": ["Pb"] * 3, "channel": ["208Pb"] * 3, "signal": [1.0, 2.0, 3.0],
            "signal_unit": ["cps"] * 3, "source_line": ["2", "3", "4"],
            "sample_id": ["a", "b", "c"]}
    for col, bad in (("sample_id", pd.array([1, None, 3], dtype="Int64")),
                     ("source_line", pd.array([2, None, 4], dtype="Int64"))):
        with pytest.raises(SchemaError, match="must not be empty"):
            Run.from_path(pd.DataFrame({**base, col: bad}), p, "t")
