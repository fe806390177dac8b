"""Self-contained HTML reports for the laboratory (to sign) and the public (to publish).

:func:`render_report` turns a :class:`ReportInput` (tables + metadata) into one HTML string with
the figures embedded (``data:`` URIs of SVG or PNG images, so the file needs nothing else and no
script runs), a print stylesheet, and every string from the input escaped by jinja2's
autoescaping. Two audiences:

* ``lab``: method and data, calibration (figure per curve), detection and quantification
  limits, QC verdicts (with a Levey–Jennings chart and Westgard rules when control data are
  given), measurement uncertainty, results, comparison with limits, and sign-off fields
  (analyst, reviewer, approver: name, signature and date lines).
* ``public``: findings in plain sentences with the numbers (:func:`labtox.plots.caption`),
  charts with a provenance footer, the limits with their citations and verification status,
  caveats (non-detects, uncertainty, synthetic or real data, unverified limits), provenance.

Inputs
------
:class:`ReportInput` is the one input type. Build it directly, from a pipeline result with
:func:`from_analysis` (``labtox.pipeline.Analysis``: ``results``, ``compliance``, ``qc``,
``curves``, ``detection_limits``, ``inputs``, ``study``, ``parameters``), or from an analysis
output folder with :func:`read_analysis_dir`, which reads:

=========================  ========  ====================================================
file                       needed    content
=========================  ========  ====================================================
``results.csv``            yes       results table (CONTRIBUTING.md, "Tables")
``compliance.csv``         no        compliance table
``qc.csv``                 no        QC verdicts (``labtox.qc.QC_COLUMNS``)
``detection_limits.csv``   no        ``method_id, analyte, lod, loq, unit, lod_method``
``control.csv``            no        control-chart data: ``sequence``/``date``, ``value``,
                                     ``mean``/``target``, ``sd`` (``analyte``, ``unit``, ``run``)
``teq.csv``                no        ``sample_id, congener, teq, unit, basis``
``exposure.csv``           no        simulated intakes: ``intake``, ``unit``
``manifest.json``          no        ``inputs`` (name → path, sha256), ``study`` (``id``,
                                     ``title``, ``synthetic``), ``labtox`` versions
=========================  ========  ====================================================

Absent optional files leave their section out with a note saying which file was missing.
Output is deterministic: same inputs and ``date`` → the same bytes.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from labtox import __version__, i18n
from labtox.errors import LabtoxError

__all__ = ["ReportInput", "render_report", "render_analysis_reports", "from_analysis",
           "read_analysis_dir", "write_report", "footer_text", "AUDIENCES", "OPTIONAL_FILES"]

AUDIENCES: tuple[str, ...] = ("lab", "public")
RELEVANT_FILES: dict[str, frozenset[str]] = {
    "lab": frozenset({"compliance.csv", "qc.csv", "detection_limits.csv", "control.csv",
                      "manifest.json"}),
    "public": frozenset({"compliance.csv", "manifest.json"}),
}
"""Absent files that each audience's report mentions (the others are optional extras)."""
OPTIONAL_FILES: dict[str, str] = {
    "compliance": "compliance.csv",
    "qc": "qc.csv",
    "detection_limits": "detection_limits.csv",
    "control": "control.csv",
    "teq": "teq.csv",
    "exposure": "exposure.csv",
}


@dataclass(frozen=True)
class ReportInput:
    """Everything a report shows: tables plus metadata.

    Attributes
    ----------
    results : DataFrame
        Results table (one row per sample × analyte).
    compliance, qc, detection_limits, control, teq : DataFrame or None
        Compliance table; QC verdicts; detection limits (``analyte, lod, loq, unit,
        lod_method``); control-chart data; TEQ contributions.
    exposure : DataFrame or object or None
        Simulated intakes (see :func:`labtox.plots.plot_exposure`).
    curves : mapping or sequence
        Calibration curve objects (``(method_id, analyte) → Curve`` or a list).
    dataset : str
        Data-set name (study id or folder name).
    sha256 : str or None
        Hash of the input (one file) or of the sorted input hashes (several).
    inputs : mapping
        Input file name → sha256.
    title, laboratory, analyst, reviewer : str or None
        Shown in the header and sign-off block (blank lines are left when None).
    lod_method : str or None
        How detection limits were estimated (default: from ``detection_limits``).
    synthetic : bool or None
        True for made-up demonstration data, False for real measurements, None if not stated.
    guidance_value, guidance_name : float, str or None
        Health-based guidance value for the exposure chart.
    date : date or str or None
        Report date (pass it for reproducible output; default today).
    missing : tuple of str
        Names of optional input files that were not found (noted in the report).
    version : str
        labtox version that made the analysis.
    """

    results: pd.DataFrame
    compliance: pd.DataFrame | None = None
    qc: pd.DataFrame | None = None
    detection_limits: pd.DataFrame | None = None
    control: pd.DataFrame | None = None
    teq: pd.DataFrame | None = None
    exposure: Any = None
    curves: Any = ()
    dataset: str = "labtox analysis"
    sha256: str | None = None
    inputs: Mapping[str, str] = field(default_factory=dict)
    title: str | None = None
    laboratory: str | None = None
    analyst: str | None = None
    reviewer: str | None = None
    lod_method: str | None = None
    synthetic: bool | None = None
    guidance_value: float | None = None
    guidance_name: str | None = None
    date: _dt.date | str | None = None
    missing: tuple[str, ...] = ()
    version: str = __version__


def _combined_hash(inputs: Mapping[str, str]) -> str | None:
    vals = [v for _, v in sorted(inputs.items()) if v]
    if not vals:
        return None
    if len(vals) == 1:
        return vals[0]
    return hashlib.sha256("\n".join(vals).encode()).hexdigest()


def from_analysis(analysis: Any, **metadata: Any) -> ReportInput:
    """Adapt a pipeline result (``labtox.pipeline.Analysis`` or anything with its attributes)
    to a :class:`ReportInput`; ``metadata`` overrides fields (``analyst=``, ``date=`` ...)."""
    study = dict(getattr(analysis, "study", None) or {})
    inputs = {Path(k).name: v for k, v in dict(getattr(analysis, "inputs", None) or {}).items()}
    dl = getattr(analysis, "detection_limits", None)
    base = dict(
        results=analysis.results,
        compliance=getattr(analysis, "compliance", None),
        qc=getattr(analysis, "qc", None),
        detection_limits=dl if isinstance(dl, pd.DataFrame) else None,
        curves=getattr(analysis, "curves", None) or (),
        dataset=str(study.get("id") or study.get("title") or next(
            (n for n in inputs if not n.endswith(".toml")), "labtox analysis")),
        title=study.get("title"),
        sha256=_combined_hash(inputs),
        inputs=inputs,
        synthetic=study.get("synthetic"),
        laboratory=study.get("laboratory"),
    )
    base.update(metadata)
    return ReportInput(**base)


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, keep_default_na=True)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise LabtoxError(f"cannot read this table: {exc}.", path=path,
                          expected="a CSV file written by labtox analyse") from None


def read_analysis_dir(folder: str | PathLike[str], **metadata: Any) -> ReportInput:
    """Read an ``labtox analyse`` output folder (file names in the module docstring).

    Raises
    ------
    LabtoxError
        The folder or its ``results.csv`` is missing, or a file cannot be parsed.
    """
    folder = Path(folder)
    if folder.is_file() and folder.suffix.lower() == ".csv":
        results_path, folder = folder, folder.parent
    else:
        results_path = folder / "results.csv"
    if not folder.is_dir():
        raise LabtoxError("the analysis folder does not exist.", path=folder,
                          expected="a folder written by labtox analyse")
    if not results_path.exists():
        raise LabtoxError("the analysis folder has no results.csv.", path=folder,
                          expected="results.csv (and optionally " +
                          ", ".join(OPTIONAL_FILES.values()) + ", manifest.json)")
    tables: dict[str, Any] = {"results": _read_csv(results_path)}
    missing = []
    for key, name in OPTIONAL_FILES.items():
        p = folder / name
        if p.exists():
            tables[key] = _read_csv(p)
        else:
            missing.append(name)
    manifest: dict[str, Any] = {}
    mp = folder / "manifest.json"
    if mp.exists():
        try:
            manifest = json.loads(mp.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise LabtoxError(f"manifest.json is not valid JSON ({exc.msg}).", path=mp,
                              line=exc.lineno, column=exc.colno) from None
    else:
        missing.append("manifest.json")
    study = manifest.get("study") or {}
    inputs = {}
    for name, entry in (manifest.get("inputs") or {}).items():
        inputs[str(name)] = entry.get("sha256") if isinstance(entry, Mapping) else str(entry)
    version = (manifest.get("labtox") or {}).get("labtox", __version__) if isinstance(
        manifest.get("labtox"), Mapping) else __version__
    meta: dict[str, Any] = dict(
        dataset=str(study.get("id") or folder.name),
        title=study.get("title"),
        sha256=_combined_hash(inputs),
        inputs=inputs,
        synthetic=study.get("synthetic", manifest.get("synthetic")),
        laboratory=study.get("laboratory"),
        missing=tuple(missing),
        version=str(version),
    )
    meta.update(metadata)
    return ReportInput(**tables, **meta)


# ------------------------------------------------------------------------------ formatting


def _isnan(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def _cell(v: Any, lang: str, sig: int = 3) -> str:
    if _isnan(v):
        return "–"
    if isinstance(v, bool):
        return "✓" if v else "–"
    if isinstance(v, int) and not isinstance(v, bool):
        return i18n.format_count(v, lang)
    if isinstance(v, float):
        return i18n.format_number(v, lang, sig=sig)
    return str(v)


def _header(col: str, lang: str) -> str:
    return i18n.lookup(f"column.{col}", lang, col) or col


def _table(df: pd.DataFrame, columns: Sequence[str], lang: str,
           render: Mapping[str, Any] | None = None) -> dict[str, Any]:
    render = render or {}
    cols = [c for c in columns if c in df.columns or c in render]
    rows = []
    for rec in df.to_dict("records"):
        rows.append([render[c](rec) if c in render else _cell(rec.get(c), lang) for c in cols])
    return {"headers": [_header(c, lang) for c in cols], "rows": rows}


def _censored(rec: Mapping[str, Any]) -> bool:
    v = rec.get("censored")
    if isinstance(v, str):
        return v.strip().lower() in ("true", "1", "yes")
    return bool(v) if not _isnan(v) else False


def _value_text(rec: Mapping[str, Any], lang: str) -> str:
    v = rec.get("value")
    text = _cell(float(v), lang) if not _isnan(v) else "–"
    return f"< {text}" if _censored(rec) else text


def _figure_uri(fig: Any, fmt: str) -> str:
    from labtox.plots.style import figure_bytes

    data = figure_bytes(fig, fmt)
    mime = "image/svg+xml" if fmt == "svg" else "image/png"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


@cache
def _environment():
    import jinja2

    root = resources.files("labtox").joinpath("templates")

    def load(name: str) -> str:
        return root.joinpath(name).read_text(encoding="utf-8")

    return jinja2.Environment(loader=jinja2.FunctionLoader(load), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=True)


def _coerce(data: Any) -> ReportInput:
    if isinstance(data, ReportInput):
        return data
    if isinstance(data, Mapping):
        return ReportInput(**data)
    if hasattr(data, "results"):
        return from_analysis(data)
    if isinstance(data, (str, PathLike)):
        return read_analysis_dir(data)
    raise LabtoxError("render_report needs a ReportInput, an Analysis, a mapping of tables or "
                      "an analysis folder.", expected="ReportInput", found=type(data).__name__)


def _curves(curves: Any) -> list[Any]:
    if isinstance(curves, Mapping):
        return [curves[k] for k in sorted(curves, key=str)]
    return list(curves or ())


def _dl_for(dl: pd.DataFrame | None, analyte: str) -> dict[str, Any] | None:
    if dl is None or dl.empty or "analyte" not in dl.columns:
        return None
    rows = dl[dl["analyte"].astype(str) == str(analyte)]
    if rows.empty:
        return None
    r = rows.iloc[0]
    return {"lod": r.get("lod"), "loq": r.get("loq"), "unit": r.get("unit"),
            "method": r.get("lod_method", r.get("method"))}


# ------------------------------------------------------------------------------ rendering


def render_report(data: Any, lang: str = "en", audience: str = "lab", *,
                  date: _dt.date | str | None = None, figure_format: str = "svg") -> str:
    """Render the report as one self-contained HTML string.

    Parameters
    ----------
    data
        :class:`ReportInput`, a pipeline ``Analysis`` (adapted with :func:`from_analysis`), a
        mapping of :class:`ReportInput` fields, or the path of an analysis folder.
    lang
        ``en``, ``ru`` or ``kk``.
    audience
        ``lab`` (method, calibration, limits, QC, uncertainty, results, compliance, sign-off)
        or ``public`` (findings, charts, limits with citations, caveats, provenance).
    date
        Report date (overrides ``data.date``; default the date of ``SOURCE_DATE_EPOCH`` when
        set, else today). Pass it for reproducible bytes.
    figure_format
        ``svg`` (text stays selectable), ``png``, or ``none`` (a text-only report: charts are
        replaced by their captions, e.g. for e-mail or screen readers).

    Returns
    -------
    str
        HTML5 document.

    References
    ----------
    ISO/IEC 17025:2017, clause 7.8 (content of test reports: identification, method, results
    with units, measurement uncertainty, decision rule, authorisation).

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"sample_id": ["s1"], "analyte": ["Pb"], "value": [0.01],
    ...                   "unit": ["mg/kg"], "basis": ["wet"], "censored": [False],
    ...                   "detection": ["detected"]})
    >>> html = render_report(ReportInput(results=r), lang="kk", date="2026-11-22")
    >>> "Зертханалық сынақ хаттамасы" in html
    True
    """
    i18n.check_lang(lang)
    if audience not in AUDIENCES:
        raise LabtoxError("unknown report audience.", expected="lab or public", found=audience)
    if figure_format not in ("svg", "png", "none"):
        raise LabtoxError("unknown figure format.", expected="svg, png or none",
                          found=figure_format)
    d = _coerce(data)
    if date is not None:
        d = replace(d, date=date)
    if d.date is None:
        d = replace(d, date=_today())
    from labtox.plots._data import require_columns

    require_columns(d.results, ["sample_id", "analyte", "value", "unit", "basis", "censored"],
                    "results")
    ctx = _common_context(d, lang, audience)
    ctx["audience"] = audience
    if audience == "lab":
        ctx.update(_lab_context(d, lang, figure_format))
    else:
        ctx.update(_public_context(d, lang, figure_format))
    T = _translator(lang)
    ctx["t"] = T
    return _environment().get_template("report.html").render(**ctx)


def _translator(lang: str):
    def t(key: str, **fields: Any) -> str:
        return i18n.translate(key, lang, **fields)

    return t


def _lod_method(d: ReportInput) -> str | None:
    if d.lod_method:
        return d.lod_method
    dl = d.detection_limits
    if dl is not None and "lod_method" in dl.columns:
        methods = [str(m) for m in dict.fromkeys(dl["lod_method"].dropna())]
        return "; ".join(methods) or None
    return None


def _common_context(d: ReportInput, lang: str, audience: str = "lab") -> dict[str, Any]:
    from labtox.plots._data import detection_summary

    r = d.results
    summary = detection_summary(r)
    analytes = [i18n.analyte_name(a, lang) for a in dict.fromkeys(r["analyte"].astype(str))]
    methods = [str(m) for m in dict.fromkeys(r["method_id"].dropna())] if "method_id" in \
        r.columns else []
    runs = [str(m) for m in dict.fromkeys(r["run_id"].dropna())] if "run_id" in r.columns else []
    facts = [
        (i18n.translate("report.dataset", lang), d.dataset),
        (i18n.translate("report.sha256", lang), d.sha256 or "–"),
        (i18n.translate("report.samples", lang), i18n.format_count(summary["n_samples"], lang)),
        (i18n.translate("report.analytes", lang), ", ".join(analytes)),
        (i18n.translate("report.methods_used", lang), ", ".join(methods) or "–"),
        (i18n.translate("report.runs", lang), ", ".join(runs) or "–"),
    ]
    if d.laboratory:
        facts.insert(0, (i18n.translate("report.lab", lang), d.laboratory))
    missing = [i18n.translate("report.omitted_file", lang, file=f) for f in d.missing
               if f in RELEVANT_FILES[audience]]
    return {
        "lang": lang,
        "title": d.title,
        "facts": facts,
        "generated": i18n.translate("report.generated", lang,
                                    date=i18n.format_date(d.date, lang), version=d.version),
        "missing_notes": missing,
        "summary": summary,
    }


def _results_table(r: pd.DataFrame, lang: str) -> dict[str, Any]:
    cols = ["sample_id", "site", "analyte", "value", "unit", "basis", "detection", "lod", "loq",
            "u_expanded", "coverage_k", "recovery", "qc_flags"]
    return _table(r, cols, lang, {
        "analyte": lambda rec: i18n.analyte_name(rec["analyte"], lang),
        "value": lambda rec: _value_text(rec, lang),
        "unit": lambda rec: i18n.format_unit(rec["unit"], lang),
        "basis": lambda rec: i18n.basis_label(rec["basis"], lang),
        "detection": lambda rec: (i18n.lookup(f"detection.{rec['detection']}", lang)
                                  or _cell(rec["detection"], lang)) if "detection" in rec
        else "–",
        "site": lambda rec: i18n.place_name(rec["site"], lang) if not _isnan(rec.get("site"))
        else "–",
    })


def _compliance_table(c: pd.DataFrame, lang: str) -> dict[str, Any]:
    cols = ["sample_id", "analyte", "value", "instrument", "provision", "limit", "ratio",
            "decision", "rule", "status"]
    return _table(c, cols, lang, {
        "analyte": lambda rec: i18n.analyte_name(rec["analyte"], lang),
        "value": lambda rec: f"{_value_text(rec, lang)} {i18n.format_unit(rec.get('unit'), lang)}",
        "instrument": lambda rec: i18n.act_name(rec.get("instrument"), lang),
        "limit": lambda rec: _limit_cell(rec, lang),
        "ratio": lambda rec: _cell(rec.get("ratio"), lang, sig=2),
        "decision": lambda rec: i18n.decision_label(rec["decision"], lang),
        "status": lambda rec: i18n.status_label(rec.get("status"), lang),
    })


def _limit_cell(rec: Mapping[str, Any], lang: str) -> str:
    from labtox.plots.captions import limit_text

    try:
        return limit_text(float(rec["limit"]), rec.get("limit_unit") or "",
                          rec.get("basis") if isinstance(rec.get("basis"), str) else None, lang)
    except (TypeError, ValueError):
        return _cell(rec.get("limit"), lang)


def _lab_context(d: ReportInput, lang: str, fmt: str) -> dict[str, Any]:
    from labtox import plots

    ctx: dict[str, Any] = {"heading": i18n.translate("report.title_lab", lang)}
    ctx["inputs"] = [(k, v or "–") for k, v in sorted(d.inputs.items())]
    cal = []
    for curve in _curves(d.curves):
        analyte = str(getattr(curve, "analyte", ""))
        r2 = getattr(curve, "r2", None)
        cal.append({
            "uri": None if fmt == "none" else _figure_uri(plots.plot_calibration(
                curve, _dl_for(d.detection_limits, analyte), lang=lang), fmt),
            "caption": i18n.translate("report.curve_caption", lang,
                                      analyte=i18n.analyte_name(analyte, lang),
                                      n=len(getattr(curve, "x", ())),
                                      r2=i18n.format_number(float(r2), lang, decimals=4)
                                      if r2 is not None else "–"),
        })
    ctx["calibration"] = cal
    dl = d.detection_limits
    ctx["detection"] = None if dl is None or dl.empty else _table(
        dl, ["method_id", "analyte", "lod", "loq", "unit", "lod_method"], lang,
        {"analyte": lambda rec: i18n.analyte_name(rec["analyte"], lang),
         "unit": lambda rec: i18n.format_unit(rec.get("unit"), lang)})
    qc = d.qc
    ctx["qc"] = None if qc is None else _table(
        qc, ["check", "analyte", "sample_id", "sequence", "value", "unit", "criterion",
             "threshold", "verdict", "rule", "reference"], lang,
        {"verdict": lambda rec: i18n.lookup(f"report.qc_verdict_{rec.get('verdict')}", lang)
         or _cell(rec.get("verdict"), lang),
         "analyte": lambda rec: i18n.analyte_name(rec["analyte"], lang)
         if not _isnan(rec.get("analyte")) else "–"})
    ctx["control"] = None
    if d.control is not None and len(d.control):
        from labtox.qc_rules import westgard

        c = d.control
        mean = float(pd.to_numeric(c["mean" if "mean" in c.columns else "target"]).iloc[0])
        viol = westgard(pd.to_numeric(c["value"]).to_numpy(float), mean,
                        float(pd.to_numeric(c["sd"]).iloc[0]),
                        run=c["run"].tolist() if "run" in c.columns else None)
        rules = [{"rule": i18n.translate(f"qc_rule.{r}", lang),
                  "count": int((viol["rule"] == r).sum())} for r in dict.fromkeys(viol["rule"])]
        ctx["control"] = {"uri": None if fmt == "none" else _figure_uri(
            plots.plot_control_chart(d.control, lang=lang), fmt), "rules": rules}
    r = d.results
    k_values = sorted({float(k) for k in pd.to_numeric(r.get("coverage_k", pd.Series(
        dtype=float)), errors="coerce").dropna()})
    no_u = int(pd.to_numeric(r["u_expanded"], errors="coerce").isna().sum()) if \
        "u_expanded" in r.columns else len(r)
    ctx["uncertainty"] = {
        "text": i18n.translate("report.uncertainty_text", lang, k=", ".join(
            i18n.format_number(k, lang) for k in k_values) or "–"),
        "missing": i18n.translate("report.uncertainty_missing", lang, count=no_u,
                                  results=i18n.plural(no_u, "noun.result_gen", lang)) if no_u
        else None,
    }
    ctx["results"] = _results_table(r, lang)
    ctx["compliance"] = None if d.compliance is None else _compliance_table(d.compliance, lang)
    ctx["signoff"] = [
        (i18n.translate("report.analyst", lang), d.analyst or ""),
        (i18n.translate("report.reviewer", lang), d.reviewer or ""),
        (i18n.translate("report.approved", lang), ""),
    ]
    return ctx


def _public_context(d: ReportInput, lang: str, fmt: str) -> dict[str, Any]:
    from labtox import plots

    ctx: dict[str, Any] = {"heading": d.title or i18n.translate("report.title_public", lang)}
    c = d.compliance
    r = d.results
    footer = footer_text(d, lang)
    ctx["footer"] = footer
    ctx["findings"] = plots.captions(c, lang=lang, results=r) if c is not None and len(c) else []
    charts = []

    def add(make: Any, caption: str) -> None:
        if fmt == "none":
            charts.append({"uri": None, "caption": caption})
            return
        fig = make()
        plots.add_footer(fig, footer)
        charts.append({"uri": _figure_uri(fig, fmt), "caption": caption})

    if c is not None and len(c):
        for analyte in dict.fromkeys(c["analyte"].astype(str)):
            sub = r[r["analyte"].astype(str) == analyte]
            if sub.empty or sub["basis"].nunique() > 1:
                continue
            add(lambda a=analyte: plots.plot_results_vs_limits(r, c, analyte=a, lang=lang),
                " ".join(plots.captions(c, lang=lang, analyte=analyte, results=r)))
        add(lambda: plots.plot_exceedance(c, lang=lang), i18n.translate("title.exceedance", lang))
        if {"latitude", "longitude"} <= set(r.columns) and \
                pd.to_numeric(r["latitude"], errors="coerce").notna().any():
            add(lambda: plots.plot_site_map(r, c, lang=lang), i18n.translate(
                "title.map", lang, analyte="").rstrip(": "))
    if d.teq is not None and len(d.teq):
        add(lambda: plots.plot_congeners(d.teq, lang=lang), i18n.translate("report.teq_text", lang))
    if d.exposure is not None:
        add(lambda: plots.plot_exposure(d.exposure, guidance_value=d.guidance_value,
                                        guidance_name=d.guidance_name, lang=lang),
            i18n.translate("report.exposure_text", lang))
    ctx["charts"] = charts
    limits = []
    if c is not None and len(c):
        cols = ["analyte", "instrument", "provision", "limit", "limit_unit", "basis", "status"]
        extra = [x for x in ("source_url", "source") if x in c.columns]
        for rec in c.drop_duplicates(subset=[x for x in cols if x in c.columns]).to_dict(
                "records"):
            limits.append({
                "analyte": i18n.analyte_name(rec["analyte"], lang),
                "act": i18n.act_name(rec.get("instrument"), lang),
                "act_original": str(rec.get("instrument") or ""),
                "provision": _cell(rec.get("provision"), lang),
                "limit": _limit_cell(rec, lang),
                "status": i18n.status_label(rec.get("status"), lang),
                "unverified": str(rec.get("status", "")).lower() in ("unverified",
                                                                     "unconfirmed"),
                "source": str(rec.get(extra[0])) if extra and not _isnan(rec.get(extra[0]))
                else "",
            })
    ctx["limits"] = limits
    summary = _common_context(d, lang)["summary"]
    caveats = [i18n.translate("report.nondetect_text", lang, k=summary["n_censored"],
                              results=i18n.plural(summary["n_results"], "noun.result_gen", lang),
                              n=summary["n_results"]),
               _uncertainty_caveat(c, lang)]
    caveats.append(i18n.translate({True: "report.synthetic_caveat",
                                   False: "report.real_caveat"}.get(
        d.synthetic, "report.unknown_origin_caveat"), lang))
    if any(x["unverified"] for x in limits):
        caveats.append(i18n.translate("report.unverified_caveat", lang))
    ctx["caveats"] = caveats
    ctx["synthetic"] = bool(d.synthetic)
    ctx["inputs"] = [(k, v or "–") for k, v in sorted(d.inputs.items())]
    return ctx


def _uncertainty_caveat(compliance: pd.DataFrame | None, lang: str) -> str:
    """The caveat that matches the decision rule(s) actually used (ILAC-G8:09/2019)."""
    rules = [] if compliance is None or "rule" not in compliance.columns else [
        str(r) for r in dict.fromkeys(compliance["rule"].dropna().astype(str)) if r]
    kinds = {"simple" if r.lower().startswith("simple") else
             "guard" if ("guard" in r.lower() or "beyond" in r.lower()) else "other"
             for r in rules}
    if kinds == {"simple"}:
        return i18n.translate("report.uncertainty_caveat_simple", lang)
    if kinds == {"guard"}:
        return i18n.translate("report.uncertainty_caveat", lang)
    return i18n.translate("report.uncertainty_caveat_other", lang,
                          rules=", ".join(rules) or "–")


def footer_text(data: Any, lang: str = "en", date: _dt.date | str | None = None) -> str:
    """The provenance line of public charts for this input (see
    :func:`labtox.plots.provenance_footer`): data set and hash, samples, share of censored
    results, LOD method, acts the limits come from with the weakest verification status,
    labtox version and date."""
    from labtox.plots import provenance_footer
    from labtox.plots._data import detection_summary, limits_of

    d = _coerce(data)
    c, r = d.compliance, d.results
    statuses: list[str] = []
    sources: list[str] = []
    if c is not None and len(c):
        lim = limits_of(c)
        statuses = [s for s in lim["status"] if s]
        sources = [s for s in lim["instrument"] if s]
    return provenance_footer(
        dataset=d.dataset, sha256=d.sha256, n_samples=int(r["sample_id"].nunique()),
        share_below_lod=detection_summary(r)["share_censored"], lod_method=_lod_method(d),
        limit_source=sources, limit_status=statuses, date=date or d.date or _today(),
        lang=lang, version=d.version, synthetic=d.synthetic)


def _today() -> _dt.date:
    """Today, or the date of ``SOURCE_DATE_EPOCH`` when set (reproducible-builds.org)."""
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.UTC).date()
    return _dt.date.today()


def render_analysis_reports(analysis: Any, lang: str = "en", *,
                            date: _dt.date | str | None = None, figure_format: str = "svg",
                            **metadata: Any) -> dict[str, bytes]:
    """Both reports for a pipeline result, as ``{"report-lab.html": ..., "report-public.html":
    ...}`` (UTF-8 bytes) for ``labtox analyse --report`` to write beside the tables."""
    d = from_analysis(analysis, **metadata)
    return {f"report-{aud}.html": render_report(d, lang=lang, audience=aud, date=date,
                                                figure_format=figure_format).encode("utf-8")
            for aud in AUDIENCES}


def write_report(data: Any, path: str | PathLike[str], *, lang: str = "en",
                 audience: str = "lab", date: _dt.date | str | None = None,
                 force: bool = False, figure_format: str = "svg") -> Path:
    """Render and write the report atomically (a temporary file renamed into place).

    Raises
    ------
    OutputExistsError
        ``path`` exists and ``force`` is False.
    """
    import os
    import tempfile

    from labtox.errors import OutputExistsError

    p = Path(path)
    if p.exists() and not force:
        raise OutputExistsError("the report file exists.", path=p,
                                hint="Use --force to replace it, or choose another --out.")
    html = render_report(data, lang=lang, audience=audience, date=date,
                         figure_format=figure_format)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(html.encode("utf-8"))
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p
