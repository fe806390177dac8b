"""The pipeline: export(s) + method + register + limits → :class:`Analysis`.

``analyse`` composes the stages (read → calibrate → quantify → QC → sums/TEQ → compliance) and is
what both ``labtox analyse`` and notebooks call::

    from labtox.pipeline import analyse
    a = analyse("samples/mangystau-2024")              # a study folder with study.toml
    a = analyse("batch.csv", method="methods/icpms-metals-milk.toml",
                register="register.csv", limits=["EU", "EAEU"])
    a.results, a.qc, a.compliance, a.rejected           # tidy DataFrames

A study folder holds ``study.toml``::

    [study]
    id = "mangystau-2024"
    title = "..."
    register = "register.csv"
    limits = ["EAEU", "EU", "Codex"]
    [[exports]]
    path = "icpms_metals_batch.csv"
    method = "../../methods/icpms-metals-milk.toml"
    format = "masshunter-icpms"      # optional
    mapping = "dioxins_mapping.toml" # optional, for the generic reader
    preparation = "method"           # optional: "register" (default) or "method" — where the
                                     # test-portion mass and final volume come from
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from labtox.batch import BatchResult, quantify_run, register_lookup
from labtox.errors import LabtoxError, MethodError
from labtox.method import Method
from labtox.run import Run, sha256_file

__all__ = ["analyse", "Analysis", "load_study", "pick_method", "METHODS_DIR"]

METHODS_DIR = Path(__file__).resolve().parents[1] / "methods"
"""The shipped methods (``methods/`` beside the package in a source checkout)."""

_REGISTER_COLUMNS = ["site", "product", "species", "latitude", "longitude", "sampling_date",
                     "fat_pct", "dry_matter_pct"]


@dataclass(frozen=True)
class Analysis:
    """Everything one ``analyse`` call produced.

    Attributes
    ----------
    batches : tuple of BatchResult
        One per export, with its curves, detection limits, measurements and dispositions.
    results : DataFrame
        One row per sample × analyte (plus sum parameters such as TEQ), with register metadata.
    qc : DataFrame
        Every QC verdict (rule, threshold, value, reference), with ``method_id`` and ``source``.
    rejected : DataFrame
        Every input row not used, and why.
    compliance : DataFrame or None
        One row per result × applicable limit when limits were chosen.
    compliance_unmatched : DataFrame or None
        Results no limit applies to, with the cited "no limit" finding where one exists — so no
        result silently drops out of the compliance output.
    register : DataFrame or None
    inputs : dict
        Path → sha256 of every input file (exports, methods, register, mapping, study).
    parameters : dict
        What was chosen (limit regimes, decision rule, TEQ scheme ...).
    warnings : tuple of str
    study : dict
        The study's ``[study]`` table when a study folder was analysed.
    """

    batches: tuple[BatchResult, ...]
    results: pd.DataFrame
    qc: pd.DataFrame
    rejected: pd.DataFrame
    compliance: pd.DataFrame | None = None
    compliance_unmatched: pd.DataFrame | None = None
    register: pd.DataFrame | None = None
    inputs: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    study: dict[str, Any] = field(default_factory=dict)

    @property
    def curves(self) -> dict[tuple[str, str], Any]:
        """``(method_id, analyte) → Curve`` for every calibrated analyte."""
        return {(b.method.id, a): c for b in self.batches for a, c in b.curves.items()}

    @property
    def detection_limits(self) -> pd.DataFrame:
        """Detection and quantification limits in the measured solution, per method × analyte."""
        rows = [{"method_id": b.method.id, "analyte": a, "lod": d["lod"], "loq": d["loq"],
                 "unit": d["unit"], "lod_method": d["method"]}
                for b in self.batches for a, d in b.detection.items()]
        return pd.DataFrame(rows, columns=["method_id", "analyte", "lod", "loq", "unit",
                                           "lod_method"])

    @property
    def measurements(self) -> pd.DataFrame:
        """All measurement rows with their disposition (result, calibration, blank, QC, ISTD,
        rejected) and the intermediate concentrations."""
        return pd.concat([b.measurements.assign(method_id=b.method.id) for b in self.batches],
                         ignore_index=True)

    def qc_failures(self) -> pd.DataFrame:
        """The QC rows whose verdict is ``fail``."""
        return self.qc[self.qc["verdict"] == "fail"]

    def accounting(self) -> dict[str, int]:
        """How many input rows went where; the counts add up to the number of input rows."""
        m = self.measurements
        return {str(k): int(v) for k, v in m["disposition"].value_counts().sort_index().items()}


def load_study(folder: str | PathLike[str]) -> dict[str, Any]:
    """Read and check ``study.toml`` in ``folder``; paths are resolved relative to it."""
    folder = Path(folder)
    path = folder / "study.toml"
    if not path.exists():
        raise LabtoxError("this folder has no study.toml.", path=folder,
                          hint="Give an export file, or add a study.toml naming the exports.")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LabtoxError(f"study.toml is not valid TOML: {exc}.", path=path) from None
    study = data.get("study", {})
    exports = data.get("exports", [])
    unknown = set(data) - {"study", "exports"}
    if unknown:
        raise LabtoxError(f"unknown table(s) {sorted(unknown)} in study.toml.", path=path,
                          expected="[study] and [[exports]]")
    if not exports:
        raise LabtoxError("study.toml names no exports.", path=path,
                          expected="at least one [[exports]] table with path and method")
    allowed = {"path", "method", "format", "mapping", "options", "preparation"}
    for i, e in enumerate(exports):
        bad = set(e) - allowed
        if bad or "path" not in e:
            raise LabtoxError(f"exports[{i}] is invalid.", path=path,
                              expected=f"keys among {sorted(allowed)} with 'path'",
                              found=sorted(e))
        e["path"] = str((folder / e["path"]).resolve())
        if "method" in e:
            e["method"] = str((folder / e["method"]).resolve())
        if "mapping" in e:
            e["mapping"] = str((folder / e["mapping"]).resolve())
    if "register" in study:
        study["register"] = str((folder / study["register"]).resolve())
    return {"study": study, "exports": exports, "path": str(path)}


def pick_method(run: Run, methods_dir: Path = METHODS_DIR) -> Method:
    """The shipped method whose formats and analytes fit the run best.

    Raises
    ------
    MethodError
        When none fits, or several fit equally well (listing the candidates).
    """
    scored = []
    for p in sorted(methods_dir.glob("*.toml")):
        m = Method.load(p)
        if m.formats and run.format not in m.formats:
            continue
        overlap = len(set(m.analyte_names) & set(run.analytes))
        if overlap:
            scored.append((overlap, m))
    if not scored:
        raise MethodError("no shipped method fits this export.", path=run.source,
                          hint=f"Pass --method FILE (methods are in {methods_dir}).")
    scored.sort(key=lambda t: -t[0])
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        names = ", ".join(m.path for _, m in scored if _ == scored[0][0])
        raise MethodError("several methods fit this export equally well.", path=run.source,
                          hint=f"Choose one with --method: {names}.")
    return scored[0][1]


def _as_method(method: Method | str | PathLike[str] | None, run: Run) -> Method:
    if method is None:
        return pick_method(run)
    if isinstance(method, Method):
        return method
    return Method.load(method)


def analyse(
    export: str | PathLike[str] | Run | Sequence[str | PathLike[str]],
    method: Method | str | PathLike[str] | None = None,
    register: pd.DataFrame | str | PathLike[str] | None = None,
    limits: Sequence[str] | bool | None = None,
    *,
    format: str | None = None,
    decision_rule: str = "simple",
    teq_scheme: str = "WHO2005",
    preparation: str = "register",
    progress: Any = None,
    **reader_options: Any,
) -> Analysis:
    """Analyse one export, several exports with one method, or a study folder.

    Parameters
    ----------
    export
        An export file, a :class:`~labtox.run.Run`, a list of files, or a folder with
        ``study.toml`` (which then names methods, register and limits).
    method
        A :class:`~labtox.method.Method` or method file; picked from ``methods/`` when None.
    register
        The sample register (file or DataFrame).
    limits
        Limit regimes to compare with (``["EAEU", "EU", "Codex"]``); ``True`` = all; None = no
        compliance table.
    format
        The export format name, when sniffing should not decide.
    decision_rule
        ``simple``, ``guard-band`` or ``beyond-reasonable-doubt`` (see :mod:`labtox.limits`).
    teq_scheme
        TEF scheme for dioxin/PCB TEQs (``WHO2005`` as EU law requires, or ``WHO2022``).
    preparation
        ``register`` (default): test-portion mass/volume and final volume per sample from the
        register, the method's defaults where it has none; ``method``: always the method's
        defaults. (In a study, each ``[[exports]]`` table may set ``preparation``.)
    progress
        Optional callable receiving one short status text per stage (the CLI shows them on a
        terminal); nothing is printed by the library itself.
    **reader_options
        Passed to the reader (e.g. ``mapping=`` for the generic reader, ``dayfirst=``).
    """

    def say(text: str) -> None:
        if progress is not None:
            progress(text)

    if preparation not in ("register", "method"):
        raise LabtoxError("preparation must be 'register' or 'method'.", found=preparation)
    reader_options = {**reader_options, "_preparation": preparation}
    from labtox.io import read_export, read_register

    inputs: dict[str, str] = {}
    study: dict[str, Any] = {}
    jobs: list[tuple[Any, Any, str | None, dict]] = []
    if isinstance(export, Run):
        jobs.append((export, method, format, reader_options))
    elif isinstance(export, (str, PathLike)) and Path(export).is_dir():
        spec = load_study(export)
        study = spec["study"]
        inputs[spec["path"]] = sha256_file(spec["path"])
        for e in spec["exports"]:
            opts = dict(e.get("options", {}))
            if "mapping" in e:
                opts["mapping"] = e["mapping"]
                inputs[e["mapping"]] = sha256_file(e["mapping"])
            prep = e.get("preparation", "register")
            if prep not in ("register", "method"):
                raise LabtoxError(f"exports {e['path']}: preparation must be 'register' or "
                                  "'method'.", path=spec["path"], found=prep)
            opts["_preparation"] = prep
            jobs.append((e["path"], e.get("method", method), e.get("format", format), opts))
        if register is None and "register" in study:
            register = study["register"]
        if limits is None and "limits" in study:
            limits = study["limits"]
    elif isinstance(export, (str, PathLike)):
        jobs.append((export, method, format, reader_options))
    else:
        jobs += [(e, method, format, reader_options) for e in export]

    reg_df = None
    if register is not None:
        if isinstance(register, pd.DataFrame):
            reg_df = register
        else:
            reg_df = read_register(register)
            inputs[str(register)] = sha256_file(register)

    batches: list[BatchResult] = []
    warnings: list[str] = []
    for src, meth, fmt, opts in jobs:
        opts = dict(opts)
        prep_src = opts.pop("_preparation", "register")
        say(f"reading {Path(str(getattr(src, 'source', src))).name}")
        run = src if isinstance(src, Run) else read_export(src, format=fmt, **opts)
        inputs[run.source] = run.sha256
        mobj = _as_method(meth, run)
        if mobj.path:
            inputs[mobj.path] = sha256_file(mobj.path)
        if mobj.formats and run.format not in mobj.formats:
            raise MethodError(
                f"method {mobj.id} is for {', '.join(mobj.formats)} exports, but this file was "
                f"read as {run.format}.", path=run.source,
                hint="Choose the method written for this instrument export.")
        if not set(mobj.analyte_names) & set(run.analytes):
            raise MethodError(
                f"none of method {mobj.id}'s analytes ({', '.join(mobj.analyte_names)}) is in "
                "this export.", path=run.source,
                found=", ".join(run.analytes[:12]), hint="Is this the right method?")
        say(f"quantifying {Path(run.source).name}: {run.n_injections} injections, "
            f"{len(mobj.analytes)} analytes ({mobj.id})")
        b = quantify_run(run, mobj, reg_df, preparation_from_register=prep_src == "register")
        batches.append(b)
        warnings += [f"{Path(run.source).name}: {w}" for w in (*run.warnings, *b.warnings)]

    results = pd.concat([b.results for b in batches], ignore_index=True)
    results = _join_register(results, reg_df)
    missing_reg = _missing_register(results, reg_df)
    if missing_reg:
        warnings.append("samples missing from the register: " + ", ".join(missing_reg))
    sums = _sum_parameters(results, teq_scheme)
    if sums is not None and len(sums):
        results = pd.concat([results, _join_register(sums, reg_df)], ignore_index=True)
    qc = pd.concat([b.qc.assign(method_id=b.method.id, source=Path(b.source).name)
                    for b in batches], ignore_index=True)
    rejected = pd.concat([b.rejected for b in batches], ignore_index=True)
    compliance = unmatched = None
    regimes: list[str] | None = None
    if limits:
        from labtox.limits import compare, load_limits

        regimes = None if limits is True else list(limits)  # type: ignore[arg-type]
        say("comparing with the limits")
        ls = load_limits(regimes)
        comp = compare(results, ls, rule=decision_rule, register=reg_df)
        compliance, unmatched = comp.table, comp.unmatched
    params = {"decision_rule": decision_rule, "teq_scheme": teq_scheme,
              "limit_regimes": regimes if limits is not True else "all",
              "methods": sorted({b.method.id for b in batches})}
    return Analysis(tuple(batches), results, qc, rejected, compliance, unmatched, reg_df, inputs,
                    params, tuple(warnings), study)


def _join_register(results: pd.DataFrame, reg: pd.DataFrame | None) -> pd.DataFrame:
    if reg is None or results.empty:
        return results
    cols = [c for c in _REGISTER_COLUMNS if c in reg.columns and c not in results.columns]
    lookup = register_lookup(reg)
    out = results.copy()
    canon = out["sample_id"].map(lambda s: lookup.get(str(s), {}).get("sample_id", s))
    out["sample_id"] = canon
    for c in cols:
        out[c] = out["sample_id"].map(lambda s, c=c: lookup.get(str(s), {}).get(c))
    return out


def _missing_register(results: pd.DataFrame, reg: pd.DataFrame | None) -> list[str]:
    if reg is None or results.empty:
        return []
    known = set(reg["sample_id"].astype(str))
    return sorted(set(results["sample_id"].astype(str)) - known)


def _sum_parameters(results: pd.DataFrame, scheme: str) -> pd.DataFrame | None:
    """TEQ and sum parameters (indicator PCBs, DDT, HCH) for samples that have the congeners."""
    try:
        from labtox import teq as teq_mod
    except ImportError:  # pragma: no cover - teq is part of the package
        return None
    if results.empty:
        return None
    present = set(results["analyte"])
    if not any(present & set(d.members) for d in teq_mod.SUM_PARAMETERS.values()):
        return None
    out = teq_mod.teq(results, scheme=scheme, bound="all")
    return out if len(out) else None
