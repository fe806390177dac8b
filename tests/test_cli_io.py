"""Tests for `labtox formats` and `labtox inspect` (click CliRunner on labtox.cli.cli)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from labtox.cli import cli

DATA = Path(__file__).resolve().parent / "data"
GEN5 = DATA / "gen5" / "afm1_two_plates_SYNTHETIC.txt"


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_formats_lists_every_reader():
    from labtox.io import formats

    res = invoke("formats")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].split() == ["NAME", "VENDOR", "SOFTWARE", "INSTRUMENTS", "EXTENSIONS"]
    names = [ln.split()[0] for ln in lines[1:] if ln.strip() and not ln.startswith(tuple("0123456789"))]
    assert names == [i.name for i in formats()]
    gen5 = next(ln for ln in lines if ln.startswith("gen5 "))
    assert "BioTek (Agilent)" in gen5 and "plate reader" in gen5 and "txt" in gen5
    assert f"{len(formats())} formats." in res.output


def test_formats_json():
    res = invoke("formats", "--json")
    data = json.loads(res.output)
    generic = next(d for d in data if d["name"] == "generic")
    assert generic["extensions"] == ["csv", "tsv", "txt", "xlsx"]


def test_inspect_gen5_sniffed():
    res = invoke("inspect", str(GEN5), "-o", "conc_unit=ng/L")
    assert res.exit_code == 0, res.output
    out = re.sub(r":\s+", ": ", res.output)
    assert "format: gen5 (sniffed): BioTek (Agilent) Gen5" in out
    assert "instrument: ELx808" in out
    assert "software: Gen5 3.11.19" in out
    assert "injections: 16 (16 measurement rows)" in out
    assert "samples by type: blank 2, calibration 4, crm 2, sample 6, unknown 2" in out
    assert "analytes (1): aflatoxin M1" in out
    # raw file: '?????' in 4 [Concentration] cells, '<0.000' in 1; OVRFLW and MISSED in the reads
    assert "flag tokens: '?????' x4, <value x1 (e.g. '<0.000')" in out
    assert "tokens in signal_flag: 'OVRFLW' x1, 'MISSED' x1" in out
    assert "warnings (2):" in out
    assert "previous plate's layout" in out


def test_inspect_json_and_option_parsing():
    res = invoke("inspect", str(GEN5), "--json", "-o", "analyte=Aflatoxin M1", "-o", "dayfirst=true")
    assert res.exit_code == 0, res.output
    s = json.loads(res.output)
    assert s["format"] == "gen5" and s["format_detection"] == "sniffed"
    assert s["injections"] == 16
    assert s["flags"]["?????"] == 4
    assert s["other_flags"]["signal_flag"] == {"OVRFLW": 1, "MISSED": 1}


def test_inspect_generic_with_mapping_groups_bounds():
    res = invoke("inspect", str(DATA / "generic" / "dioxins_contract_lab.csv"),
                 "--mapping", str(DATA / "generic" / "dioxins_mapping.toml"))
    assert res.exit_code == 0, res.output
    assert re.search(r"format:\s+generic \(given\)", res.output)
    assert "<value x3 (e.g. '<0.021')" in res.output
    assert "'ND' x1" in res.output
    assert "1 empty value cell(s) skipped" in res.output


def test_inspect_unknown_file_lists_formats_tried(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("hello\nworld\n")
    res = CliRunner().invoke(cli, ["inspect", str(p)])

    assert res.exit_code == 2 and res.output.startswith("labtox: error:")
    assert "gen5: no Gen5 text-export lines" in res.output


def test_inspect_error_becomes_one_line_exit_2(tmp_path, monkeypatch, capsys):
    from labtox import cli as cli_mod

    p = tmp_path / "notes.txt"
    p.write_text("hello\n")
    monkeypatch.setattr("sys.argv", ["labtox", "inspect", str(p)])
    rc = cli_mod._run_with_errors(lambda **kw: cli.main(args=["inspect", str(p)], **kw))
    assert rc == 2
    err = capsys.readouterr().err
    assert err.startswith("labtox: error: ") and "no reader recognises this file" in err


def test_inspect_missing_file_and_bad_option():
    res = CliRunner().invoke(cli, ["inspect", "nope.txt"])
    assert "the file does not exist" in res.output
    res = invoke("inspect", str(GEN5), "-o", "novalue")
    assert res.exit_code == 2 and "expected KEY=VALUE" in res.output


def test_inspect_unknown_format_name():
    res = CliRunner().invoke(cli, ["inspect", str(GEN5), "--format", "gen6"])
    assert "unknown format 'gen6'" in res.output


def test_inspect_generic_with_cli_mapping_options(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("Report 7\n\nSample,Element,Result,Units\nMNG-001,Pb,0.012,mg/kg\nMNG-001,Cd,<0.002,mg/kg\n")
    res = invoke("inspect", str(p), "--format", "generic", "--json", "-o", "sample_id=Sample",
                 "-o", "analyte=Element", "-o", "value=Result", "-o", "unit=Units",
                 "-o", "header_row=3", "-o", "basis=wet")
    assert res.exit_code == 0, res.output
    s = json.loads(res.output)
    assert s["analytes"] == ["Pb", "Cd"] and s["flags"] == {"<0.002": 1}
    res = CliRunner().invoke(cli, ["inspect", str(p), "--format", "generic", "-o", "sample=Sample"],
                             )
    assert "unknown column-mapping key 'sample'" in res.output
