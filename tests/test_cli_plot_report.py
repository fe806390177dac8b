"""``labtox plot`` and ``labtox report`` on an analysis folder written from the constructed set."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from test_plots import demo_tables

from labtox.cli import cli


def run(args):
    """Invoke the CLI as users do (LabtoxError -> one line, exit code 2)."""
    r = CliRunner().invoke(cli, args)
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def folder(tmp_path):
    t = demo_tables(region_as_site=False)
    r = t["results"]
    r.loc[r.sample_id == "MG-05", "sample_id"] = "<script>alert(1)</script>"
    c = t["compliance"]
    c.loc[c.sample_id == "MG-05", "sample_id"] = "<script>alert(1)</script>"
    r.to_csv(tmp_path / "results.csv", index=False)
    c.to_csv(tmp_path / "compliance.csv", index=False)
    t["control"].to_csv(tmp_path / "control.csv", index=False)
    t["teq"].to_csv(tmp_path / "teq.csv", index=False)
    (tmp_path / "manifest.json").write_text(json.dumps(
        {"inputs": {"batch.csv": {"path": "batch.csv", "sha256": "ab" * 32}},
         "study": {"id": "mangystau-2024", "synthetic": True}}), encoding="utf-8")
    return tmp_path


def test_plot_limits_in_kazakh_svg_with_footer(folder, tmp_path):
    out = tmp_path / "chart.svg"
    rc, stdout, err = run(["plot", "limits", str(folder), "--analyte", "Pb", "--lang", "kk",
                           "--out", str(out), "--date", "2026-11-22"])
    assert rc == 0, err
    svg = out.read_text(encoding="utf-8")
    assert "Қорғасын" in svg and "өнімге шаққанда" in svg
    assert "mangystau-2024" in svg and "2026 жылғы 22 қараша" in svg  # provenance footer
    assert "СИНТЕТИКАЛЫҚ ДЕРЕКТЕР" in svg
    assert "<script>" not in svg
    assert f"written {out}" in stdout


@pytest.mark.parametrize("kind, fmt, magic", [("exceedance", "png", b"\x89PNG"),
                                              ("control", "pdf", b"%PDF"),
                                              ("congeners", "svg", b"<?xml")])
def test_plot_other_kinds_and_formats(folder, tmp_path, kind, fmt, magic):
    out = tmp_path / f"c.{fmt}"
    rc, _, err = run(["plot", kind, str(folder), "--lang", "ru", "--out", str(out)])
    assert rc == 0, err
    assert out.read_bytes().startswith(magic)


def test_plot_from_a_csv_file(folder, tmp_path):
    out = tmp_path / "e.svg"
    rc, _, err = run(["plot", "exceedance", str(folder / "compliance.csv"), "--out", str(out),
                      "--no-footer"])
    assert rc == 0, err
    assert "7 of 12" in out.read_text(encoding="utf-8")


def test_plot_errors(folder, tmp_path):
    rc, _, err = run(["plot", "exposure", str(folder), "--out", str(tmp_path / "x.svg")])
    assert rc == 2 and "the exposure chart needs exposure.csv" in err
    rc, _, err = run(["plot", "limits", str(folder), "--out", str(tmp_path / "x.jpg")])
    assert rc == 2 and "must end in .svg, .png or .pdf" in err
    rc, _, err = run(["plot", "limits", str(folder), "--out", str(tmp_path / "y.svg")])
    assert rc == 2 and "holds several analytes; choose one" in err
    existing = tmp_path / "z.svg"
    existing.write_text("x")
    rc, _, err = run(["plot", "exceedance", str(folder), "--out", str(existing)])
    assert rc == 2 and "the output file exists" in err


def test_report_lab_and_public(folder, tmp_path):
    out = tmp_path / "lab.html"
    rc, stdout, err = run(["report", str(folder), "--lang", "ru", "--out", str(out),
                           "--date", "2026-11-22", "--analyst", "А. Иванова"])
    assert rc == 0, err
    html = out.read_text(encoding="utf-8")
    assert "Протокол лабораторных испытаний" in html and "А. Иванова" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    # absent optional files: noted on stderr and in the report
    assert "qc.csv not found" in err and "файл qc.csv не найден" in html
    rc, stdout, err = run(["report", str(folder), "--audience", "public", "--lang", "kk",
                           "--date", "2026-11-22", "--figures", "none"])
    assert rc == 0, err
    pub = (folder / "report-public-kk.html").read_text(encoding="utf-8")
    assert "12 сынаманың ішінен 7 сынама" in pub and "СИНТЕТИКАЛЫҚ" in pub
    rc, _, err = run(["report", str(folder), "--audience", "public", "--lang", "kk"])
    assert rc == 2 and "the report file exists" in err


def test_report_errors(tmp_path):
    rc, _, err = run(["report", str(tmp_path)])
    assert rc == 2 and "has no results.csv" in err
    rc, _, err = run(["report", str(tmp_path), "--date", "22.11.2026"])
    assert rc == 2 and "is not a date like 2026-11-22" in err
