"""HTML reports: sections per audience, escaping of hostile input, determinism, adapters."""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pandas as pd
import pytest
from test_plots import EU, demo_curve, demo_tables

from labtox.errors import LabtoxError, OutputExistsError
from labtox.report import ReportInput, from_analysis, read_analysis_dir, render_report, write_report

HOSTILE = "<script>alert(1)</script>"
DATE = "2026-11-22"


def hostile_input(**kw) -> ReportInput:
    t = demo_tables()
    r = t["results"].copy()
    c = t["compliance"].copy()
    r.loc[r.sample_id == "MG-01", "sample_id"] = HOSTILE
    c.loc[c.sample_id == "MG-01", "sample_id"] = HOSTILE
    r.loc[r.sample_id == "MG-02", "qc_flags"] = '"><img src=x onerror=alert(2)>'
    c["source_url"] = "javascript:alert(3) ; https://eur-lex.europa.eu/eli/reg/2023/915/oj"
    qc = pd.DataFrame({"check": ["blank", "crm recovery"], "analyte": ["Pb", "Pb"],
                       "sample_id": [HOSTILE, "ERM-BD151"], "sequence": [3, 7],
                       "value": [0.0004, 97.5], "unit": ["mg/kg", "%"],
                       "criterion": ["< LOQ", "80-120 %"], "threshold": [0.015, 120.0],
                       "verdict": ["pass", "pass"], "rule": ["blank<LOQ", "recovery"],
                       "reference": ["EN 15763", "ERM-BD151 certificate"]})
    dl = pd.DataFrame({"method_id": ["icpms-metals-milk"], "analyte": ["Pb"], "lod": [0.04],
                       "loq": [0.12], "unit": ["µg/L"], "lod_method": ["DIN 32645"]})
    base = dict(results=r, compliance=c, qc=qc, detection_limits=dl, control=t["control"],
                curves={("icpms-metals-milk", "Pb"): demo_curve()}, teq=t["teq"],
                dataset="mangystau-<b>2024</b>", sha256="ab" * 32,
                inputs={"batch <1>.csv": "cd" * 32}, title="Camel milk & shubat, Mangystau",
                laboratory="Lab <i>X</i>", analyst="A. Analyst", reviewer="R. Reviewer",
                synthetic=True, date=DATE)
    base.update(kw)
    return ReportInput(**base)


class Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Collector:
    p = Collector()
    p.feed(html)
    return p


@pytest.mark.parametrize("audience", ["lab", "public"])
def test_hostile_strings_are_escaped(audience):
    html = render_report(hostile_input(), lang="en", audience=audience)
    assert HOSTILE not in html and "<img src=x" not in html
    assert "<b>2024</b>" not in html and "Lab <i>X</i>" not in html
    tags = parse(html).tags
    assert not [t for t, _ in tags if t == "script"]
    assert not [a for t, a in tags if any(k.startswith("on") for k in a)]
    # no link other than http(s)
    assert all(a["href"].startswith("https://") for t, a in tags if t == "a")
    if audience == "lab":
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the SVG figures are data: URIs whose text escapes the sample name too
    for t, a in tags:
        if t == "img":
            assert a["src"].startswith("data:image/svg+xml;base64,")
            svg = base64.b64decode(a["src"].split(",", 1)[1]).decode()
            assert "<script" not in svg


def test_lab_report_sections_and_signoff():
    html = render_report(hostile_input(), lang="en", audience="lab")
    for heading in ("Method and data", "Calibration", "Detection and quantification limits",
                    "Quality control", "Measurement uncertainty", "Results",
                    "Comparison with limits", "Sign-off"):
        assert f">{heading}</h2>" in html, heading
    assert html.count('class="box"') == 3 and "Signature" in html and "A. Analyst" in html
    assert "coverage factor k = 2" in html
    assert "&lt; 0.00500" in html  # non-detects reported as "< LOD", never as values
    assert "Calibration of Pb" in html or "Calibration of Lead" in html
    assert "4-1s: four consecutive controls" in html  # Westgard rule from the control data
    n_img = html.count("<img ")
    assert n_img == 2  # calibration + control chart


@pytest.mark.parametrize("lang, words", [
    ("en", ["Findings", "7 of 12 camel-milk samples from Mangystau exceed the EU maximum level "
            "for lead, 0.020 mg/kg.", "SYNTHETIC", "unverified"]),
    ("ru", ["Основные выводы", "Свинец: 7 из 12 образцов верблюжьего молока из Мангистау "
            "превышают максимальный уровень ЕС (0,020 мг/кг).", "СИНТЕТИЧЕСКИЕ", "не проверено"]),
    ("kk", ["Негізгі қорытындылар", "Қорғасын, түйе сүті, Маңғыстау: 12 сынаманың ішінен "
            "7 сынама ЕО белгілеген ең жоғары деңгейден (0,020 мг/кг) асады.", "СИНТЕТИКАЛЫҚ",
            "тексерілмеген"]),
])
def test_public_report_findings_caveats_and_limits(lang, words):
    fmt = "svg" if lang == "en" else "none"  # text-only reports for the other languages
    html = render_report(hostile_input(), lang=lang, audience="public", figure_format=fmt)
    for w in words:
        assert w in html, w
    assert f'<html lang="{lang}">' in html
    assert 'href="https://eur-lex.europa.eu/eli/reg/2023/915/oj"' in html
    assert "javascript:" not in html.split("<table>", 1)[1].split("</table>")[0].replace(
        "javascript:alert(3)", "") or 'href="javascript' not in html
    assert 'href="javascript' not in html
    # charts: Pb vs limits, aflatoxin vs limits, exceedance, map, congeners
    assert html.count("<figure>") == 5
    assert html.count("<img ") == (5 if fmt == "svg" else 0)
    assert "@media print" in html


def test_report_is_deterministic():
    small = dict(teq=None, curves=())  # one figure: the control chart
    a = render_report(hostile_input(**small), lang="kk", audience="lab")
    b = render_report(hostile_input(**small), lang="kk", audience="lab")
    assert a.count("<img ") == 1
    assert a.encode() == b.encode()


def test_adapter_from_analysis_and_folder(tmp_path):
    t = demo_tables()
    analysis = SimpleNamespace(results=t["results"], compliance=t["compliance"],
                               qc=pd.DataFrame(columns=["check", "verdict"]),
                               curves={}, detection_limits=pd.DataFrame(),
                               inputs={"/data/batch.csv": "ef" * 32},
                               study={"id": "mangystau-2024", "synthetic": False})
    ri = from_analysis(analysis, analyst="T. Tester", date=DATE)
    assert ri.dataset == "mangystau-2024" and ri.sha256 == "ef" * 32 and ri.inputs == {
        "batch.csv": "ef" * 32}
    html = render_report(analysis, lang="ru", audience="public", date=DATE,
                         figure_format="none")
    assert "реальных образцов" in html

    t["results"].to_csv(tmp_path / "results.csv", index=False)
    t["compliance"].to_csv(tmp_path / "compliance.csv", index=False)
    (tmp_path / "manifest.json").write_text(json.dumps({
        "inputs": {"a.csv": {"path": "/x/a.csv", "sha256": "01" * 32},
                   "b.toml": {"path": "/x/b.toml", "sha256": "02" * 32}},
        "study": {"id": "study-1", "title": "Test", "synthetic": True},
        "labtox": {"labtox": "0.1.0"}}), encoding="utf-8")
    ri = read_analysis_dir(tmp_path, date=DATE)
    assert ri.dataset == "study-1" and ri.synthetic is True
    assert len(ri.sha256) == 64 and ri.sha256 not in ("01" * 32, "02" * 32)
    assert "qc.csv" in ri.missing and "manifest.json" not in ri.missing
    html = render_report(ri, lang="en", audience="lab", figure_format="none")
    assert "Not available in this analysis (qc.csv not found)." in html
    # censored column read back from CSV strings
    assert "&lt; 0.00500" in html


def test_render_analysis_reports_for_analyse_command():
    from labtox.report import render_analysis_reports

    t = demo_tables()
    analysis = SimpleNamespace(results=t["results"], compliance=t["compliance"], qc=None,
                               curves={}, detection_limits=None, inputs={}, study={})
    files = render_analysis_reports(analysis, lang="kk", date=DATE, figure_format="none")
    assert sorted(files) == ["report-lab.html", "report-public.html"]
    assert "Зертханалық сынақ хаттамасы" in files["report-lab.html"].decode("utf-8")
    assert "Негізгі қорытындылар" in files["report-public.html"].decode("utf-8")


def test_errors():
    t = demo_tables()
    with pytest.raises(LabtoxError, match="unknown report audience"):
        render_report(ReportInput(results=t["results"]), audience="press")
    with pytest.raises(LabtoxError, match="unsupported language 'de'"):
        render_report(ReportInput(results=t["results"]), lang="de")
    with pytest.raises(LabtoxError, match="column missing"):
        render_report(ReportInput(results=t["results"].drop(columns=["censored"])))
    with pytest.raises(LabtoxError, match="has no results.csv"):
        read_analysis_dir(".")


def test_write_report_refuses_to_overwrite(tmp_path):
    t = demo_tables()
    p = tmp_path / "r.html"
    ri = ReportInput(results=t["results"], date=DATE)
    write_report(ri, p)
    assert p.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    with pytest.raises(OutputExistsError, match="the report file exists"):
        write_report(ri, p)
    write_report(ri, p, force=True, lang="kk")
    assert re.search(r'<html lang="kk">', p.read_text(encoding="utf-8"))
    assert EU  # the demo tables use the EU act name


@pytest.mark.parametrize("rule, expected", [
    ("guard band U (k=2)", "only when the result minus its expanded uncertainty"),
    ("simple", "compared with the limits directly (simple acceptance"),
    ("shared risk", "decision rule used for each comparison (shared risk)"),
])
def test_uncertainty_caveat_matches_the_decision_rule(rule, expected):
    t = demo_tables()
    ri = ReportInput(results=t["results"], compliance=t["compliance"].assign(rule=rule),
                     date=DATE)
    html = render_report(ri, audience="public", figure_format="none")
    assert expected in html
