"""``labtox stats``: table on screen, CSV with --out, clear errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from labtox.cli import cli
from labtox.stats import kaplan_meier

RESULTS = """sample_id,analyte,cas,value,unit,basis,censored,detection,lod,loq,site
S1,Pb,7439-92-1,0.5,µg/kg,wet,True,<LOD,0.5,1.5,A
S2,Pb,7439-92-1,2.1,µg/kg,wet,False,detected,0.5,1.5,A
S3,Pb,7439-92-1,3.3,ug/kg,wet,False,detected,0.5,1.5,A
S4,Pb,7439-92-1,1.0,µg/kg,wet,True,<LOD,1.0,3,B
S5,Pb,7439-92-1,4.2,µg/kg,wet,False,detected,0.5,1.5,B
S6,Pb,7439-92-1,7.0,µg/kg,wet,False,detected,0.5,1.5,B
S1,Cd,7440-43-9,0.2,µg/kg,wet,True,<LOD,0.2,0.6,A
S2,Cd,7440-43-9,0.2,µg/kg,wet,True,<LOD,0.2,0.6,A
S3,Cd,7440-43-9,0.2,µg/kg,wet,True,<LOD,0.2,0.6,A
"""


@pytest.fixture
def results_csv(tmp_path: Path) -> Path:
    p = tmp_path / "results.csv"
    p.write_text(RESULTS, encoding="utf-8")
    return p


def test_table_by_site_and_analyte(results_csv: Path):
    r = CliRunner().invoke(cli, ["stats", str(results_csv), "--by", "site", "analyte"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].split()[:4] == ["analyte", "unit", "basis", "site"]
    assert "method" in lines[0]
    pb_a = next(ln for ln in lines if ln.split()[:4] == ["Pb", "µg/kg", "wet", "A"])
    # KM mean of <0.5, 2.1, 3.3: mass of "<0.5" goes to the lowest detect -> (2.1*2 + 3.3)/3
    assert "2.5" in pb_a.split() and pb_a.split()[-1] == "km"
    assert "why each method:" in r.output
    assert "Cd µg/kg wet A: counts: all 3 values are non-detects" in r.output


def test_out_writes_full_csv_and_refuses_overwrite(tmp_path: Path, results_csv: Path):
    out = tmp_path / "summary.csv"
    args = ["stats", str(tmp_path), "--by", "site", "--out", str(out)]  # folder input
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out)
    assert {"reason", "ucl95", "mean_lb", "mean_ub", "pct_censored"} <= set(df.columns)
    row = df[(df.analyte == "Pb") & (df.site == "B")].iloc[0]
    km = kaplan_meier([1.0, 4.2, 7.0], [True, False, False])
    assert row["mean"] == pytest.approx(km.mean)
    assert "wrote 3 row(s)" in r.output
    r2 = CliRunner().invoke(cli, args)
    assert r2.exit_code != 0
    assert "exists" in r2.output + r2.output
    r3 = CliRunner().invoke(cli, [*args, "--force"])
    assert r3.exit_code == 0


def test_method_option_and_comma_separated_by(results_csv: Path):
    r = CliRunner().invoke(cli, ["stats", str(results_csv), "--by", "site,analyte",
                                 "--method", "UB"])
    assert r.exit_code == 0, r.output
    assert "requested: substitution UB" in r.output


def test_mixed_units_are_an_input_error(tmp_path: Path):
    p = tmp_path / "r.csv"
    p.write_text(RESULTS.replace("S6,Pb,7439-92-1,7.0,µg/kg", "S6,Pb,7439-92-1,7.0,mg/kg"),
                 encoding="utf-8")
    from labtox.cli import _run_with_errors

    r = CliRunner().invoke(cli, ["stats", str(p)])
    assert r.exit_code != 0
    assert "units/bases" in r.output
    # through the real entry point the error is one line and exit code 2
    import sys

    argv = sys.argv
    sys.argv = ["labtox", "stats", str(p)]
    try:
        rc = _run_with_errors(lambda standalone_mode: cli.main(args=["stats", str(p)],
                                                               standalone_mode=standalone_mode))
    finally:
        sys.argv = argv
    assert rc == 2


def test_folder_without_results_and_stray_arguments(tmp_path: Path, results_csv: Path):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = CliRunner().invoke(cli, ["stats", str(empty)])
    assert r.exit_code != 0 and "no results.csv" in r.output
    r2 = CliRunner().invoke(cli, ["stats", str(results_csv), "site"])
    assert r2.exit_code == 2 and "grouping columns go after --by" in r2.output
