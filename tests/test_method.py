"""Tests for labtox.method: the shipped method files load; bad files give MethodError naming
key, file and line."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from labtox.errors import MethodError
from labtox.method import (
    CENSORING_RULES,
    DETECTION_RULES,
    MODELS,
    WEIGHTINGS,
    Method,
)

ROOT = Path(__file__).resolve().parents[1]
METHODS = sorted((ROOT / "methods").glob("*.toml"))
BAD = ROOT / "tests" / "data" / "methods" / "bad-keys.toml"

MINIMAL = """
[method]
id = "demo"
version = "1"
title = "Demo"
matrix = "milk"
technique = "ICP-MS"

[calibration]
unit = "ug/L"
levels = {"1" = 0.0, "2" = 1.0, "3" = 5.0}

[detection]
rule = "blanks"

[[analytes]]
name = "lead"
channel = "208Pb [He]"

[preparation]
mode = "mass"
final_volume_ml = 50.0

[reporting]
unit = "mg/kg"
"""


def write(tmp_path: Path, text: str, name: str = "m.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def problems(exc: pytest.ExceptionInfo) -> dict[str, object]:
    return {p.key: p for p in exc.value.problems}


def test_four_shipped_methods_exist():
    names = {p.name for p in METHODS}
    assert {"icpms-metals-milk.toml", "gcmsms-ocp-pcb-milk.toml",
            "hrms-dioxins-contract-lab.toml", "elisa-afm1-milk.toml"} <= names


@pytest.mark.parametrize("path", METHODS, ids=lambda p: p.name)
def test_every_shipped_method_loads(path):
    m = Method.load(path)
    assert m.id == path.stem
    assert m.references, "every method cites where its criteria come from"
    assert m.analytes
    for a in m.analytes:
        assert a.model in MODELS and a.weighting in WEIGHTINGS
        assert a.detection.rule in DETECTION_RULES
        assert a.reporting_unit == m.reporting.unit
        if a.model != "reported":
            assert a.unit and len(a.levels) >= 3
    assert m.reporting.censoring in CENSORING_RULES


def test_icpms_method_follows_study_design():
    m = Method.load(ROOT / "methods" / "icpms-metals-milk.toml")
    assert m.analyte_names == ("Pb", "Cd", "As", "Hg", "Ni", "Cr", "Cu", "Zn")
    istd = {a.name: a.istd_channel for a in m.analytes}
    assert istd["Pb"] == istd["Hg"] == "209Bi [He]"
    assert istd["Cd"] == "115In [He]"
    assert {istd[x] for x in ("Ni", "Cr", "Cu", "Zn", "As")} == {"72Ge [He]"}
    assert m.analyte("lead").channel == "208Pb [He]"
    pb = m.analyte("Pb")
    assert pb.level_concentration("1") == 0.0  # CalBlk
    assert pb.level_concentration(6) == 10.0
    assert pb.level_concentration("Level 4") == 1.0
    assert m.preparation.mode == "mass"
    assert m.preparation.sample_mass_g == 0.5 and m.preparation.final_volume_ml == 50.0
    crm = m.qc.crm_for("ERM-BD151 rep 2")
    assert crm is not None and crm.status == "in-house"  # no certificate values were available
    assert "not the ERM-BD151 certificate" in crm.source
    assert crm.values["Pb"].standard_uncertainty == pytest.approx(0.01)
    assert m.qc.crm_for("MNG-001") is None
    assert m.qc.istd.recovery_pct == (60.0, 125.0)
    assert m.qc.ccv.tolerance_pct == 10.0


def test_other_methods_follow_study_design():
    gc = Method.load(ROOT / "methods" / "gcmsms-ocp-pcb-milk.toml")
    assert len(gc.analytes) == 16
    assert {a.istd_analyte for a in gc.analytes} == {"PCB 209"}
    assert gc.reporting.basis == "fat" and gc.reporting.additional_bases == ("wet",)
    dx = Method.load(ROOT / "methods" / "hrms-dioxins-contract-lab.toml")
    assert len(dx.analytes) == 29 and dx.is_reported
    assert dx.reporting.unit == "pg/g" and dx.reporting.basis == "fat"
    assert dx.qc.teq.max_ub_lb_difference_pct == 20.0
    el = Method.load(ROOT / "methods" / "elisa-afm1-milk.toml")
    afm1 = el.analyte("AFM1")
    assert afm1.model == "4pl"
    assert [afm1.level_concentration(f"STD{i}") for i in range(1, 7)] == [0, 5, 10, 20, 40, 80]
    assert el.preparation.density_kg_per_l == 1.03
    assert el.qc.spike.recovery_pct == (60.0, 120.0)


def test_minimal_method_applies_defaults(tmp_path):
    m = Method.load(write(tmp_path, MINIMAL))
    pb = m.analyte("Pb")
    assert pb.unit == "µg/L"  # normalised
    assert pb.model == "linear" and pb.weighting == "none"
    assert pb.detection.rule == "blanks" and pb.detection.get("k") == 3.0
    assert m.reporting.censoring == "censor-at-lod" and m.reporting.basis == "wet"
    assert m.qc.ccv is None


def test_method_is_frozen(tmp_path):
    m = Method.load(write(tmp_path, MINIMAL))
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.id = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        m.analytes[0].levels["1"] = 3.0  # type: ignore[index]


def test_bad_file_reports_every_problem_with_key_file_and_line():
    with pytest.raises(MethodError) as exc:
        Method.load(BAD)
    msg = str(exc.value)
    assert "bad-keys.toml" in msg
    assert exc.value.path.endswith("bad-keys.toml")
    got = problems(exc)
    expected_lines = {
        "method.version": 4,
        "method.colour": 8,
        "calibration.model": 11,
        "calibration.levels.2": 13,
        "detection.alpha": 17,
        "analytes[0].weighting": 21,
        "analytes[1].name": 24,
        "reporting.basis": 28,
        "reporting.censoring": 29,
        "qc.ccv.tolerance_pct": 32,
    }
    assert set(got) == set(expected_lines)
    for key, line in expected_lines.items():
        assert got[key].line == line, key
        assert f"line {line}, {key}" in msg
    assert "unknown key" in got["method.colour"].message
    assert "expected a string, found 1" in got["method.version"].message
    assert "did you mean '1/x2'" in got["analytes[0].weighting"].message
    assert "unknown analyte 'unobtainium'" in got["analytes[1].name"].message
    assert "expected a number, found 'ten'" in got["qc.ccv.tolerance_pct"].message
    assert exc.value.line == 4  # the first problem


@pytest.mark.parametrize(
    ("change", "key", "wording"),
    [
        (("[reporting]", "[reporting]\ncolor = 1"), "reporting.color", "unknown key"),
        (('unit = "mg/kg"', 'unit = "blorps"'), "reporting.unit", "unknown unit 'blorps'"),
        (('rule = "blanks"', 'rule = "blanks"\nk = "3"'), "detection.k", "expected a number"),
        (('rule = "blanks"', 'rule = "guess"'), "detection.rule", "must be one of"),
        (('channel = "208Pb [He]"', 'channel = 208'), "analytes[0].channel",
         "expected a string, found 208"),
        (('[reporting]', '[[analytes]]\nname = "Pb"\n[reporting]'), "analytes[1].name",
         "listed twice"),
        (('final_volume_ml = 50.0', 'sample_mass_g = 1.0'),
         "preparation.final_volume_ml", "required when mode = 'mass'"),
        (('[reporting]', '[[qc.crm]]\nname_pattern = "X*"\nstatus = "certified"\n'
          'source = "cert"\nunit = "mg/kg"\nvalues = { Pb = { value = 1.0 } }\n[reporting]'),
         "qc.crm[0].values.Pb.U", "required key is missing"),
        (('[reporting]', '[qc.istd]\nrecovery_pct = [125, 60]\n[reporting]'),
         "qc.istd.recovery_pct", "0 ≤ low < high"),
        (('technique = "ICP-MS"', 'technique = "ICP-MS"\nformats = ["masshunter-icpm"]'),
         "method.formats", "unknown export format 'masshunter-icpm' (did you mean "
         "'masshunter-icpms'?)"),
        (('[reporting]', '[qc.spike]\nadded_unit = "µg/L"\nadded = { Cd = 1.0 }\n[reporting]'),
         "qc.spike.added.Cd", "analyte 'Cd' is not measured by this method"),
        (('[detection]', '[calibration.acceptance]\nmin_levels = 4\n[detection]'),
         "calibration.levels", "fewer distinct concentrations than calibration.acceptance.min_levels = 4: Pb (3)"),
        (('rule = "blanks"', 'rule = "fixed"\nlod = 5.0\nloq = 1.0\nunit = "ng/L"'),
         "detection.loq", "must be ≥ lod ≥ 0"),
        (('mode = "mass"', 'mode = "none"'),
         "preparation.density_kg_per_l", "required: Pb calibrated per volume but reported per "
         "mass with mode = 'none'"),
    ],
)
def test_single_problems_are_named(tmp_path, change, key, wording):
    text = MINIMAL.replace(*change, 1)
    p = write(tmp_path, text)
    with pytest.raises(MethodError) as exc:
        Method.load(p)
    got = problems(exc)
    assert key in got, list(got)
    assert wording in got[key].message
    assert got[key].line is not None
    assert str(p) in str(exc.value)


def test_missing_sections_are_reported(tmp_path):
    p = write(tmp_path, '[method]\nid = "x"\n')
    with pytest.raises(MethodError) as exc:
        Method.load(p)
    got = problems(exc)
    for key in ("method.version", "method.title", "method.matrix", "method.technique",
                "analytes", "reporting"):
        assert key in got


def test_invalid_toml_names_line(tmp_path):
    p = write(tmp_path, '[method]\nid = "x"\nversion = \n')
    with pytest.raises(MethodError, match="not valid TOML") as exc:
        Method.load(p)
    assert exc.value.line == 3


def test_missing_file(tmp_path):
    with pytest.raises(MethodError, match="cannot read the method file"):
        Method.load(tmp_path / "nope.toml")


def test_unknown_analyte_lookup_names_choices(tmp_path):
    m = Method.load(write(tmp_path, MINIMAL))
    with pytest.raises(MethodError, match="has no analyte 'Cd'.*one of Pb"):
        m.analyte("Cd")
    assert "Pb" in m and "Cd" not in m
