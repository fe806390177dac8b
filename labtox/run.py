"""The :class:`Run`: one instrument export as a tidy measurements table plus its provenance.

The measurements table has one row per injection × analyte with the columns of
``MEASUREMENT_COLUMNS`` (documented in ARCHITECTURE.md). :func:`validate_measurements` checks it
against its schema and reports *every* failing row at once (the pandera "lazy validation" idea).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from labtox._frozen import FrozenMap
from labtox.errors import SchemaError, SchemaProblem

__all__ = [
    "Run",
    "MEASUREMENT_COLUMNS",
    "REQUIRED_MEASUREMENT_COLUMNS",
    "SAMPLE_TYPES",
    "validate_measurements",
    "sha256_file",
]

SAMPLE_TYPES: tuple[str, ...] = (
    "calibration",  # calibration standard (incl. level 0 / calibration blank: see `nominal`)
    "calibration_blank",
    "blank",  # method / procedural / reagent blank
    "sample",
    "crm",  # certified reference material or in-house control material
    "spike",  # matrix spike / fortified sample
    "duplicate",
    "ccv",  # continuing calibration verification
    "icv",  # initial calibration verification / second-source check
    "qc",  # other QC check (QCS, LFB ...)
    "rinse",
    "unknown",  # vendor word not in the vocabulary: kept and warned about
)
"""labtox's sample types; vendor words map onto them through ``labtox/data/sample_types.csv``."""

MEASUREMENT_COLUMNS: dict[str, str] = {
    "run_id": "str",
    "sequence": "int",
    "sample_id": "str",
    "sample_type": "str",
    "vendor_type": "str",
    "analyte": "str",
    "channel": "str",
    "signal": "float",
    "signal_unit": "str",
    "istd_signal": "float",
    "istd_channel": "str",
    "nominal": "float",
    "nominal_unit": "str",
    "level": "str",
    "dilution": "float",
    "acquired": "str",
    "rejected": "bool",
    "reported": "float",
    "reported_unit": "str",
    "reported_flag": "str",
    "source_line": "str",
}
"""Column name → kind. Optional columns may be absent; floats may be NaN only where a flag says why."""

REQUIRED_MEASUREMENT_COLUMNS: tuple[str, ...] = (
    "run_id", "sequence", "sample_id", "sample_type", "analyte", "channel", "signal",
    "signal_unit", "source_line",
)


def sha256_file(path: str | PathLike[str]) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _is_missing_text(s: pd.Series) -> pd.Series:
    """True where a text cell is missing or blank (checked once per distinct value)."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    blank = np.array([not (isinstance(u, str) and u.strip()) and not _is_number(u)
                      for u in np.asarray(uniques, dtype=object).tolist()], dtype=bool)
    out = np.ones(len(s), dtype=bool)  # code -1 = missing
    ok = codes >= 0
    out[ok] = blank[codes[ok]]
    return pd.Series(out, index=s.index)


def _is_number(u: object) -> bool:
    return isinstance(u, (int, float, np.integer, np.floating)) and not (
        isinstance(u, float) and np.isnan(u))


def _text_equals(s: pd.Series, word: str) -> pd.Series:
    """Case-insensitive, whitespace-trimmed equality, checked once per distinct value."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    hit = np.array([isinstance(u, str) and u.strip().casefold() == word
                    for u in np.asarray(uniques, dtype=object).tolist()], dtype=bool)
    out = np.zeros(len(s), dtype=bool)
    ok = codes >= 0
    out[ok] = hit[codes[ok]]
    return pd.Series(out, index=s.index)


def validate_measurements(
    df: pd.DataFrame, *, path: str | PathLike[str] | None = None
) -> pd.DataFrame:
    """Check a measurements table against its schema; return it unchanged when valid.

    Checks: required columns present; ``sample_type`` in :data:`SAMPLE_TYPES`; ``sample_id``,
    ``analyte``, ``channel`` and ``source_line`` not empty; ``signal`` finite unless the row is
    rejected or carries a ``reported_flag``; ``nominal`` finite and non-negative where given;
    ``dilution`` finite and positive where given. A row whose ``signal_unit`` is ``"none"``
    carries no response by design (its value is in ``reported``).

    Raises
    ------
    SchemaError
        Listing every failing row (with its ``source_line``) at once.
    """
    problems: list[SchemaProblem] = []
    missing = [c for c in REQUIRED_MEASUREMENT_COLUMNS if c not in df.columns]
    if missing:
        problems += [SchemaProblem(None, c, "required column is missing", None) for c in missing]
        raise SchemaError("measurements", problems, path=path)
    src = df["source_line"]

    def add(mask: pd.Series, column: str, check: str) -> None:
        for i in np.flatnonzero(mask.to_numpy()):
            problems.append(SchemaProblem(int(i), column, check, df[column].iloc[i], src.iloc[i]))

    add(~df["sample_type"].isin(SAMPLE_TYPES), "sample_type",
        f"must be one of {', '.join(SAMPLE_TYPES)}")
    for col in ("sample_id", "analyte", "channel", "source_line", "signal_unit"):
        add(_is_missing_text(df[col]), col, "must not be empty")
    signal = pd.to_numeric(df["signal"], errors="coerce")
    # signal_unit "none": the export carries no response for this row (e.g. a quantitation
    # report with final concentrations only); the value lives in `reported`.
    excused = _text_equals(df["signal_unit"], "none")
    if "rejected" in df.columns:
        excused |= df["rejected"].fillna(False).astype(bool)
    if "reported_flag" in df.columns:
        excused |= ~_is_missing_text(df["reported_flag"])
    add(~np.isfinite(signal.to_numpy(dtype=float)) & ~excused, "signal",
        "must be a finite number (or the row must carry a reported_flag or be rejected)")
    if "nominal" in df.columns:
        nom = pd.to_numeric(df["nominal"], errors="coerce")
        add(nom.notna() & ((nom < 0) | ~np.isfinite(nom.fillna(0.0))), "nominal",
            "must be a non-negative number")
    if "dilution" in df.columns:
        dil = pd.to_numeric(df["dilution"], errors="coerce")
        add(dil.notna() & ~(dil > 0), "dilution", "must be a positive number")
    if problems:
        raise SchemaError("measurements", problems, path=path)
    return df


@dataclass(frozen=True)
class Run:
    """One instrument export: the measurements and where they came from.

    Attributes
    ----------
    measurements : pandas.DataFrame
        Tidy table, one row per injection × analyte (see :data:`MEASUREMENT_COLUMNS`).
    source : str
        Path of the export as given.
    sha256 : str
        SHA-256 of the export's bytes.
    format : str
        Name of the reader that produced the run.
    instrument, software, acquired : str
        As far as the file tells; empty when it does not.
    warnings : tuple of str
        What the reader noticed (unknown sample-type words, flags, skipped decoration lines).
    metadata : Mapping
        Anything else the file header carried (read-only).
    """

    measurements: pd.DataFrame
    source: str
    sha256: str
    format: str
    instrument: str = ""
    software: str = ""
    acquired: str = ""
    warnings: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "metadata", FrozenMap(dict(self.metadata)))

    @property
    def run_id(self) -> str:
        """Short, stable id of the run: the first 12 hex digits of the file's SHA-256."""
        return self.sha256[:12]

    @property
    def analytes(self) -> list[str]:
        """Canonical analytes measured, in order of first appearance."""
        return list(dict.fromkeys(self.measurements["analyte"]))

    @property
    def n_injections(self) -> int:
        """Number of distinct injections (sequence numbers)."""
        return int(self.measurements["sequence"].nunique())

    def sample_types(self) -> pd.Series:
        """Number of injections per sample type."""
        per_injection = self.measurements.drop_duplicates("sequence")
        return per_injection["sample_type"].value_counts().sort_index()

    def summary(self) -> dict[str, Any]:
        """Plain-data summary used by ``labtox inspect``."""
        m = self.measurements
        flags = m["reported_flag"].dropna() if "reported_flag" in m.columns else pd.Series([])
        flags = flags[flags.astype(str).str.strip() != ""]
        return {
            "source": self.source,
            "format": self.format,
            "instrument": self.instrument,
            "software": self.software,
            "acquired": self.acquired,
            "sha256": self.sha256,
            "injections": self.n_injections,
            "rows": len(m),
            "sample_types": {str(k): int(v) for k, v in self.sample_types().items()},
            "analytes": self.analytes,
            "flags": {str(k): int(v) for k, v in flags.astype(str).value_counts().items()},
            "rejected": int(m["rejected"].sum()) if "rejected" in m.columns else 0,
            "warnings": list(self.warnings),
        }

    def with_measurements(self, measurements: pd.DataFrame) -> Run:
        """A copy of this run with another measurements table (e.g. after filtering)."""
        return Run(measurements, self.source, self.sha256, self.format, self.instrument,
                   self.software, self.acquired, self.warnings, dict(self.metadata))

    @classmethod
    def from_path(
        cls, measurements: pd.DataFrame, path: str | PathLike[str], format: str, **meta: Any
    ) -> Run:
        """Build a validated Run for ``path``: fills ``run_id``, computes the SHA-256,
        adds missing optional columns and checks the schema."""
        sha = sha256_file(path)
        df = measurements.copy()
        df["run_id"] = sha[:12]
        for col, kind in MEASUREMENT_COLUMNS.items():
            if col not in df.columns:
                df[col] = {"str": None, "int": 0, "float": np.nan, "bool": False}[kind]
        df["rejected"] = df["rejected"].fillna(False).astype(bool)
        df = df[list(MEASUREMENT_COLUMNS) + [c for c in df.columns if c not in MEASUREMENT_COLUMNS]]
        validate_measurements(df, path=path)
        known = {"instrument", "software", "acquired", "warnings"}
        return cls(
            measurements=df.reset_index(drop=True),
            source=str(Path(path)),
            sha256=sha,
            format=format,
            instrument=str(meta.get("instrument", "") or ""),
            software=str(meta.get("software", "") or ""),
            acquired=str(meta.get("acquired", "") or ""),
            warnings=tuple(meta.get("warnings", ())),
            metadata={k: v for k, v in meta.items() if k not in known},
        )
