"""The SQLite archive: store once, read back what was stored."""

from pathlib import Path

import pytest

from labtox.errors import LabtoxError
from labtox.method import Method
from labtox.pipeline import analyse
from labtox.store import Archive

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "samples" / "mangystau-2024"


@pytest.fixture(scope="module")
def analysis():
    return analyse(STUDY / "icpms_metals_batch.csv",
                   method=Method.load(ROOT / "methods" / "icpms-metals-milk.toml"),
                   register=STUDY / "register.csv", limits=["EU"])


def test_round_trip_and_idempotence(tmp_path, analysis):
    db = tmp_path / "lab.sqlite"
    with Archive(db) as a:
        aid = a.add(analysis, label="ICP batch")
        assert a.add(analysis) == aid  # same inputs and parameters: stored once
        runs = a.analyses()
        assert len(runs) == 1 and runs.loc[0, "label"] == "ICP batch"
        assert runs.loc[0, "n_results"] == len(analysis.results)
    with Archive(db) as a:  # reopened from disk
        res = a.results(aid, analyte="Pb")
        want = analysis.results[analysis.results["analyte"] == "Pb"]
        assert len(res) == len(want) == 36
        assert res["value"].tolist() == pytest.approx(want["value"].tolist(), rel=1e-12)
        assert res["censored"].tolist() == want["censored"].tolist()
        assert set(a.inputs(aid)["name"]) == {"icpms_metals_batch.csv", "register.csv",
                                              "icpms-metals-milk.toml"}
        assert len(a.qc(aid)) == len(analysis.qc)
        assert len(a.rejected(aid)) == len(analysis.rejected)
        assert len(a.compliance(aid)) == len(analysis.compliance)


def test_bad_file_and_bad_column(tmp_path):
    bad = tmp_path / "x.sqlite"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(LabtoxError, match="cannot open the archive"):
        Archive(bad)
    with Archive(tmp_path / "ok.sqlite") as a:
        a._db.execute('CREATE TABLE results ("analysis_id" INTEGER, "analyte" TEXT)')
        with pytest.raises(LabtoxError, match="no column 'sample_id'"):
            a.results(sample_id="MNG-001")


def test_analyse_cli_stores_in_the_archive(tmp_path):
    from click.testing import CliRunner

    from labtox.cli import cli

    db = tmp_path / "lab.sqlite"
    args = ["analyse", str(STUDY / "icpms_metals_batch.csv"), "--method",
            str(ROOT / "methods" / "icpms-metals-milk.toml"), "--no-report", "--archive", str(db)]
    r = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    assert "as analysis 1" in r.output
    r = CliRunner().invoke(cli, [*args, "--out", str(tmp_path / "o2")])
    assert "as analysis 1" in r.output  # the same analysis is not stored twice
    with Archive(db) as a:
        assert len(a.analyses()) == 1 and len(a.results()) == 288
