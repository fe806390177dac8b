"""Write an :class:`~labtox.pipeline.Analysis` to an output folder, atomically and reproducibly.

Files: ``results.csv``, ``qc.csv``, ``rejected.csv``, ``measurements.csv``,
``detection_limits.csv``, ``compliance.csv`` and ``compliance_unmatched.csv`` (results no limit
applies to, with the cited "no limit" finding; when limits were chosen), ``results.xlsx`` (one
sheet per table, units in the headers), ``results.json``, and ``manifest.json`` (sha256 of every
input and output, labtox and dependency versions, parameters, row accounting).

Same inputs → the same bytes: no time stamps are written (the xlsx zip entries and document
properties get a fixed date), floats are written with ``repr`` precision, rows keep a stable
order. The folder is built in a temporary sibling and renamed into place; an existing folder is
replaced only with ``force=True``.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import tempfile
import zipfile
from datetime import datetime
from importlib import metadata
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from labtox import __version__
from labtox.errors import LabtoxError, OutputExistsError

__all__ = ["write_outputs", "FORMATS"]

FORMATS = ("csv", "xlsx", "json")
_FIXED_DATE = datetime(2000, 1, 1, 0, 0, 0)
_DEPENDENCIES = ("numpy", "scipy", "pandas", "statsmodels", "matplotlib", "seaborn", "pint",
                 "click", "openpyxl", "jinja2")


def _csv_bytes(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _unit_header(df: pd.DataFrame) -> pd.DataFrame:
    """Spreadsheet view: value/lod/loq/U headers carry the unit when it is one per table."""
    out = df.copy()
    if "unit" in out.columns and out["unit"].nunique(dropna=True) == 1:
        u = str(out["unit"].dropna().iloc[0])
        out = out.rename(columns={c: f"{c} [{u}]" for c in ("value", "lod", "loq", "u_expanded",
                                                          "measured") if c in out.columns})
    return out


def _xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for name, df in sheets.items():
            _unit_header(df).to_excel(xw, sheet_name=name[:31], index=False)
        wb = xw.book
        wb.properties.created = _FIXED_DATE
        wb.properties.modified = _FIXED_DATE
        wb.properties.creator = f"labtox {__version__}"
    # Rewrite the zip with fixed entry dates so that the bytes do not depend on the clock.
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                              r"\g<1>2000-01-01T00:00:00Z\g<3>", text)
                data = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, data)
    return out.getvalue()


def _json_safe(df: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(df.to_json(orient="records", double_precision=15, force_ascii=False))


def _versions() -> dict[str, str]:
    out = {"labtox": __version__}
    for d in _DEPENDENCIES:
        try:
            out[d] = metadata.version(d)
        except metadata.PackageNotFoundError:
            out[d] = "not installed"
    return out


def render_files(analysis: Any, formats: tuple[str, ...] = FORMATS) -> dict[str, bytes]:
    """The output files as ``name → bytes`` (pure: nothing is written)."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise LabtoxError(f"unknown output format(s) {sorted(unknown)}.",
                          expected=", ".join(FORMATS))
    tables: dict[str, pd.DataFrame] = {
        "results": analysis.results,
        "qc": analysis.qc,
        "rejected": analysis.rejected,
        "detection_limits": analysis.detection_limits,
        "measurements": analysis.measurements,
    }
    if analysis.compliance is not None:
        tables["compliance"] = analysis.compliance
    if getattr(analysis, "compliance_unmatched", None) is not None:
        tables["compliance_unmatched"] = analysis.compliance_unmatched
    files: dict[str, bytes] = {}
    if "csv" in formats:
        for name, df in tables.items():
            files[f"{name}.csv"] = _csv_bytes(df)
    if "xlsx" in formats:
        files["results.xlsx"] = _xlsx_bytes({k: v for k, v in tables.items()
                                             if k != "measurements"})
    if "json" in formats:
        files["results.json"] = json.dumps(
            {k: _json_safe(v) for k, v in tables.items() if k != "measurements"},
            ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    manifest = {
        "labtox": _versions(),
        "inputs": {Path(k).name: {"path": k, "sha256": v} for k, v in sorted(analysis.inputs.items())},
        "parameters": analysis.parameters,
        "study": analysis.study,
        "row_accounting": analysis.accounting(),
        "input_rows": int(len(analysis.measurements)),
        "warnings": list(analysis.warnings),
        "outputs": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    files["manifest.json"] = json.dumps(manifest, ensure_ascii=False, indent=1,
                                        sort_keys=True, default=str).encode("utf-8")
    return files


def write_outputs(analysis: Any, out_dir: str | PathLike[str], *,
                  formats: tuple[str, ...] = FORMATS, force: bool = False,
                  extra: dict[str, bytes] | None = None) -> dict[str, Path]:
    """Write the output folder atomically; returns ``name → path``.

    Raises
    ------
    OutputExistsError
        When ``out_dir`` exists and is not empty and ``force`` is False.
    """
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()) and not force:
        raise OutputExistsError("the output folder exists and is not empty.", path=out,
                                hint="Use --force to replace it, or choose another --out.")
    files = render_files(analysis, formats)
    if extra:
        files.update(extra)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for name, data in files.items():
            (tmp / name).write_bytes(data)
        if out.exists():
            trash = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            out.rename(trash / out.name)
            tmp.rename(out)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {name: out / name for name in files}
