"""Tests for ``labtox methods validate|show`` (click CliRunner)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from labtox.cli import cli

ROOT = Path(__file__).resolve().parents[1]
METHODS = sorted(str(p) for p in (ROOT / "methods").glob("*.toml"))
BAD = str(ROOT / "tests" / "data" / "methods" / "bad-keys.toml")


def test_validate_shipped_methods_ok():
    res = CliRunner().invoke(cli, ["methods", "validate", *METHODS])
    assert res.exit_code == 0, res.output
    assert res.output.count(": ok (") == len(METHODS)
    assert "icpms-metals-milk 1.0.0, 8 analytes" in res.output


def test_validate_bad_file_lists_every_problem_and_exits_2():
    res = CliRunner().invoke(cli, ["methods", "validate", METHODS[0], BAD])
    assert res.exit_code == 2
    assert ": ok (" in res.output
    assert "bad-keys.toml: INVALID (10 problem(s))" in res.output
    assert "line 8, method.colour: unknown key" in res.output
    assert "line 32, qc.ccv.tolerance_pct: expected a number, found 'ten'" in res.output


def test_validate_needs_a_path():
    res = CliRunner().invoke(cli, ["methods", "validate"])
    assert res.exit_code == 2
    assert "Missing argument" in res.output


def test_show_prints_analytes_and_references():
    path = str(ROOT / "methods" / "icpms-metals-milk.toml")
    res = CliRunner().invoke(cli, ["methods", "show", path])
    assert res.exit_code == 0, res.output
    assert "icpms-metals-milk" in res.output
    assert "208Pb [He]" in res.output and "209Bi [He]" in res.output
    assert "EPA Method 200.8" in res.output


def test_show_bad_file_raises_method_error():
    res = CliRunner().invoke(cli, ["methods", "show", BAD])
    assert res.exit_code != 0
    assert "invalid method file" in res.output
