"""Every shipped file in reference_limits/ loads, resolves its analytes, parses its units and
cites a source and a status; values agree with the compiled research tables in ../shared."""

from __future__ import annotations

import csv
import re
import tomllib
from pathlib import Path

import pytest

import labtox
from labtox.limits import LIMIT_FILES, STATUSES, load_limits, resolve_analyte
from labtox.units import normalise_basis, parse_unit

REF = Path(labtox.__file__).resolve().parents[1] / "reference_limits"


def rows(name: str) -> list[dict[str, str]]:
    with (REF / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_shipped_file_is_covered_by_this_test():
    covered = set(LIMIT_FILES) | {"not_regulated.csv", "tef_who1998_2005_2022.csv",
                                  "health_based_guidance_values.csv", "exposure_inputs.csv",
                                  "exposure_scenarios.toml", "README.md"}
    shipped = {p.name for p in REF.iterdir() if p.is_file()}
    assert shipped <= covered, f"untested files: {shipped - covered}"
    assert set(LIMIT_FILES) <= shipped


@pytest.mark.parametrize("name", sorted(LIMIT_FILES))
def test_limit_files_rows_are_complete(name):
    data = rows(name)
    assert data, name
    for i, r in enumerate(data, start=2):
        where = f"{name} line {i}"
        assert resolve_analyte(r["analyte"]) == r["analyte"], where  # names are canonical
        parse_unit(r["unit"])
        assert normalise_basis(r["basis"]) == r["basis"], where
        assert float(r["limit"]) > 0, where
        assert r["status"] in STATUSES, where
        assert r["source_url"].strip(), where
        assert r["act"].strip() and r["provision"].strip(), where
        assert r["bound_convention"] in ("upper", "lower", "n/a"), where


def test_load_limits_reads_every_row():
    ls = load_limits()
    assert len(ls) == sum(len(rows(n)) for n in LIMIT_FILES)
    assert {x.regime for x in ls.limits} == {"EAEU", "EU", "Codex"}


def test_not_regulated_rows_are_cited():
    for i, r in enumerate(rows("not_regulated.csv"), start=2):
        resolve_analyte(r["analyte"])
        assert r["finding"] in ("no limit", "value not found", "no species-specific limit")
        assert r["status"] in STATUSES and r["source_url"].strip(), i


def test_tef_file():
    data = rows("tef_who1998_2005_2022.csv")
    assert {r["scheme"] for r in data} == {"WHO2005", "WHO2022"}  # WHO-1998 omitted: README
    for scheme in ("WHO2005", "WHO2022"):
        sub = [r for r in data if r["scheme"] == scheme]
        assert len(sub) == 29
    for r in data:
        assert resolve_analyte(r["analyte"]) == r["analyte"]
        assert 0 < float(r["tef"]) <= 1
        assert r["status"] in STATUSES and r["source_url"].strip()


def test_health_based_guidance_values():
    data = rows("health_based_guidance_values.csv")
    types = {"TDI", "TWI", "PTWI", "PTMI", "PTDI", "ADI", "BMDL", "RfD", "slope factor", "RSD",
             "UL", "potency factor"}
    for i, r in enumerate(data, start=2):
        resolve_analyte(r["substance"])
        assert r["value_type"] in types, i
        assert r["status"] in STATUSES and r["source"].strip(), i
        if r["value"]:
            assert float(r["value"]) > 0
            parse_unit(r["unit"])


def test_exposure_inputs():
    for i, r in enumerate(rows("exposure_inputs.csv"), start=2):
        assert r["status"] in STATUSES and r["source_url"].strip(), i
        if r["value"]:
            float(r["value"])
            parse_unit(r["unit"])


def test_exposure_scenarios_toml():
    from labtox.exposure import load_scenarios

    with (REF / "exposure_scenarios.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    scenarios = load_scenarios()
    assert set(scenarios) == set(raw) and len(scenarios) >= 2
    for s in scenarios.values():
        assert s.consumption_source and s.body_weight_source
        assert s.consumption_status in ("confirmed-primary", "confirmed-secondary",
                                        "unverified", "assumption")


_STATUS = {"CONFIRMED_PRIMARY": "confirmed-primary", "CONFIRMED_SECONDARY": "confirmed-secondary",
           "UNCONFIRMED": "unverified"}


def test_limits_agree_with_compiled_table(shared):
    """Each shipped limit has a row in the compiled table with the same value and status."""
    from labtox.units import conversion_factor

    path = shared("reference", "limits", "maximum_levels_milk.csv")
    with path.open(encoding="utf-8") as fh:
        compiled = list(csv.DictReader(fh))
    for name in LIMIT_FILES:
        for r in rows(name):
            mine = float(r["limit"])
            found = False
            for c in compiled:
                if not c["regime"].startswith(r["regime"]):
                    continue
                if _STATUS[c["status"]] != r["status"]:
                    continue
                unit = c["unit"].split("(")[0].strip() or r["unit"]
                try:
                    f = conversion_factor(unit, r["unit"])
                except Exception:
                    continue
                numbers = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", c["limit_value"])]
                if any(abs(n * f - mine) <= 1e-12 + 1e-9 * mine for n in numbers):
                    found = True
                    break
            assert found, f"{name}: {r['analyte']} {mine} {r['unit']} ({r['status']})"


def test_guidance_values_agree_with_compiled_table(shared):
    path = shared("reference", "limits", "health_based_guidance_values.csv")
    with path.open(encoding="utf-8") as fh:
        compiled = list(csv.DictReader(fh))
    for r in rows("health_based_guidance_values.csv"):
        if not r["value"]:
            continue
        hits = [c for c in compiled if c["body"].split("/")[0] == r["body"]
                and _num_in(c["value"] + " " + c["notes"], float(r["value"]))]
        assert hits, f"{r['body']} {r['substance']} {r['value']}"
        assert any(_STATUS[c["status"].split(" ")[0]] == r["status"] for c in hits), r


def _num_in(text: str, value: float) -> bool:
    nums = [float(x) for x in re.findall(r"\d+(?:\.\d+)?(?:[eE]-?\d+)?", text)]
    return any(abs(n - value) <= 1e-12 + 1e-9 * value for n in nums)
