"""`labtox exposure RESULTS --scenario NAME` through click's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from labtox.cli import cli

DATA = Path(__file__).resolve().parent / "data"

RESULTS = DATA / "limits" / "results_camel.csv"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_deterministic_output_by_hand():
    # Cd LB mean = (0.004 + 0 + 0.002)/3 = 0.002 mg/kg; intake 0.25 L x 1.03 = 0.2575 kg/day;
    # child 23.1 kg: EDI = 0.002 x 0.2575 / 23.1 x 1000 = 0.02229 µg/kg bw/day;
    # HQ = EDI / (2.5/7) = 0.06242
    r = run("exposure", RESULTS, "--scenario", "camel-milk-child")
    assert r.exit_code == 0, r.output
    line = next(ln for ln in r.output.splitlines() if ln.startswith("Cd") and "lower" in ln)
    assert "0.02229" in line and "0.06242" in line and "EFSA TWI" in line
    assert "[assumption]" in r.output and "HI (upper bound)" in r.output


def test_monte_carlo_and_out_files(tmp_path):
    out = tmp_path / "exp.csv"
    args = ("exposure", RESULTS, "--scenario", "camel-milk-adult", "--iterations", 20000,
            "--seed", 3, "--out", out)
    r = run(*args)
    assert r.exit_code == 0, r.output
    assert "Monte Carlo: 20000 iterations, seed 3" in r.output
    det = pd.read_csv(out)
    mc = pd.read_csv(tmp_path / "exp-montecarlo.csv")
    assert set(det["analyte"]) == {"Cd", "Pb"} and "HI" in set(mc["analyte"])
    r2 = run(*args)
    assert r2.exit_code != 0 and "the output file exists" in r2.output
    r4 = run("exposure", RESULTS, "--scenario", "camel-milk-adult", "--iterations", 5000,
             "--concentration", "km-bootstrap", "--seed", 1)
    assert r4.exit_code == 0, r4.output
    assert "concentrations: km-bootstrap" in r4.output
    r3 = run(*args, "--force")
    assert r3.exit_code == 0
    assert pd.read_csv(tmp_path / "exp-montecarlo.csv").equals(mc)  # seeded: same numbers


def test_folder_input_and_scenario_errors(tmp_path):
    (tmp_path / "results.csv").write_bytes(RESULTS.read_bytes())
    r = run("exposure", tmp_path, "--scenario", "shubat-adult")
    assert r.exit_code == 0, r.output
    r = run("exposure", tmp_path, "--scenario", "nobody")
    assert r.exit_code == 2 and "unknown scenario 'nobody'" in r.output
    r = run("exposure", tmp_path, "--scenario", "x", "--list-scenarios")
    assert "camel-milk-toddler" in r.output


@pytest.mark.parametrize("content,message", [
    ("sample_id,analyte,value\n", "lacks columns"),
    ("sample_id,analyte,value,unit,censored\na,Pb,1,mg/kg,maybe\n", "line 2, column censored"),
])
def test_bad_results_files(tmp_path, content, message):
    p = tmp_path / "r.csv"
    p.write_text(content, encoding="utf-8")
    r = CliRunner().invoke(cli, ["exposure", str(p), "--scenario", "camel-milk-adult"])
    assert r.exit_code != 0
    assert message in r.output
