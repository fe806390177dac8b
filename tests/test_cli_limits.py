"""`labtox limits list/show` through click's CliRunner."""

from __future__ import annotations

import io

import pandas as pd
from click.testing import CliRunner

from labtox.cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_list_filters_and_counts_unverified():
    r = run("limits", "list", "--regime", "EU", "--analyte", "lead")
    assert r.exit_code == 0, r.output
    assert "Pb" in r.output and "confirmed-secondary" in r.output
    assert "3 limit(s); 0 unverified" in r.output
    r = run("limits", "list", "--regime", "EU")
    assert "unverified" in r.output and "2023/915" in r.output


def test_list_csv_and_historical():
    r = run("limits", "list", "--csv", "--analyte", "sum PCDD/F-TEQ", "--historical")
    df = pd.read_csv(io.StringIO(r.output))
    assert sorted(df["limit"]) == [0.000003, 2.0, 2.5, 3.0]
    assert set(df["status"]) == {"unverified", "confirmed-primary", "confirmed-secondary"}


def test_show_lists_status_citation_and_choices():
    r = run("limits", "show", "Pb", "--matrix", "fermented-milk", "--product", "shubat")
    assert r.exit_code == 0, r.output
    assert "EAEU: 0.1 mg/kg" in r.output and "STATUS: confirmed-primary" in r.output
    assert "processing factor 1" in r.output
    assert "does not distinguish the milking species" in r.output
    r = run("limits", "show", "sum PCDD/F+dl-PCB-TEQ", "--matrix", "raw-milk", "--regime", "EU")
    assert "STATUS: unverified" in r.output and "WARNING" in r.output


def test_show_no_limit_is_cited():
    r = run("limits", "show", "Hg", "--matrix", "raw-milk", "--regime", "EU")
    assert r.exit_code == 0
    assert "EU: NO LIMIT" in r.output and "section 3.3" in r.output


def test_errors():
    r = run("limits", "show", "unobtainium")
    assert r.exit_code != 0 and "unknown analyte 'unobtainium'" in r.output
    r = run("limits", "list", "--regime", "FDA")
    assert r.exit_code == 2 and "FDA" in r.output
    r = run("limits", "list", "--analyte", "Zn")
    assert r.exit_code == 1 and "no limit matches" in r.output
