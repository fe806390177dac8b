"""`labtox analyse` end to end: outputs, byte-identical re-runs, clean failures, exit codes."""

import json
from pathlib import Path

from click.testing import CliRunner

from labtox.cli import cli

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "samples" / "mangystau-2024"
ICP = STUDY / "icpms_metals_batch.csv"
ICP_METHOD = ROOT / "methods" / "icpms-metals-milk.toml"
GC_METHOD = ROOT / "methods" / "gcmsms-ocp-pcb-milk.toml"
REGISTER = STUDY / "register.csv"


def _analyse(*args):
    return CliRunner().invoke(cli, ["analyse", *map(str, args)], catch_exceptions=False)


def test_outputs_and_byte_identical_rerun(tmp_path):
    args = [ICP, "--method", ICP_METHOD, "--register", REGISTER, "--limits", "EU,EAEU",
            "--no-report"]
    r1 = _analyse(*args, "--out", tmp_path / "a")
    assert r1.exit_code == 0, r1.output
    assert "results for 36 samples" in r1.output
    r2 = _analyse(*args, "--out", tmp_path / "b")
    assert r2.exit_code == 0, r2.output
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == ["compliance.csv", "compliance_unmatched.csv", "detection_limits.csv",
                     "manifest.json", "measurements.csv", "qc.csv", "rejected.csv",
                     "results.csv", "results.json", "results.xlsx"]
    for n in names:
        assert (tmp_path / "a" / n).read_bytes() == (tmp_path / "b" / n).read_bytes(), n
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    # every input row is accounted for: the dispositions add up to the measurement rows
    assert sum(manifest["row_accounting"].values()) == manifest["input_rows"]
    assert manifest["inputs"]["icpms_metals_batch.csv"]["sha256"]
    assert set(manifest["outputs"]) >= {"results.csv", "qc.csv", "rejected.csv"}


def test_existing_output_needs_force(tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    r = CliRunner().invoke(cli, ["analyse", str(ICP), "--method", str(ICP_METHOD),
                                 "--out", str(out), "--no-report"])
    assert r.exit_code == 2
    assert "exists and is not empty" in r.output and "--force" in r.output
    assert (out / "keep.txt").exists()


def test_corrupted_export_fails_cleanly(tmp_path):
    bad = tmp_path / "batch.csv"
    text = ICP.read_bytes()
    bad.write_bytes(text[: len(text) // 3] + b"\x00\x00garbage")
    r = CliRunner().invoke(cli, ["analyse", str(bad), "--method", str(ICP_METHOD),
                                 "--out", str(tmp_path / "o"), "--no-report"])
    assert r.exit_code == 2
    assert r.output.startswith("labtox: error: ") and "batch.csv" in r.output
    assert "Traceback" not in r.output


def test_wrong_method_fails_cleanly(tmp_path):
    r = CliRunner().invoke(cli, ["analyse", str(ICP), "--method", str(GC_METHOD),
                                 "--out", str(tmp_path / "o"), "--no-report"])
    assert r.exit_code == 2
    assert "method gcmsms-ocp-pcb-milk is for masshunter-quant exports" in r.output


def test_missing_register_file_is_a_usage_error(tmp_path):
    r = CliRunner().invoke(cli, ["analyse", str(ICP), "--register", str(tmp_path / "nope.csv")])
    assert r.exit_code == 2 and "does not exist" in r.output


def test_samples_missing_from_register_are_flagged_not_dropped(tmp_path):
    lines = REGISTER.read_text(encoding="utf-8").splitlines()
    short = tmp_path / "register.csv"
    short.write_text("\n".join(lines[:-6]) + "\n", encoding="utf-8")  # drop MNG-031..036
    from labtox.pipeline import analyse

    a = analyse(ICP, method=ICP_METHOD, register=short)
    assert a.results["sample_id"].nunique() == 36
    flagged = a.results[a.results["qc_flags"].str.contains("no-register-entry")]
    assert set(flagged["sample_id"]) == {f"MNG-0{i}" for i in range(31, 37)}
    assert any("missing from the register" in w for w in a.warnings)


def test_fail_on_qc_exit_code(tmp_path):
    strict = tmp_path / "strict.toml"
    strict.write_text(ICP_METHOD.read_text(encoding="utf-8").replace(
        "tolerance_pct = 10.0", "tolerance_pct = 0.001"), encoding="utf-8")
    r = CliRunner().invoke(cli, ["analyse", str(ICP), "--method", str(strict), "--fail-on-qc",
                                 "--out", str(tmp_path / "o"), "--no-report"])
    assert r.exit_code == 1, r.output
    assert "QC check(s) failed" in r.output
