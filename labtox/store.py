"""SQLite archive of analyses: results, QC verdicts, rejections and provenance.

A laboratory keeps every batch it signs in one file (Python's built-in :mod:`sqlite3`, no
server). Each analysis is stored once, keyed by the SHA-256 of its inputs and parameters, so
adding the same analysis again changes nothing::

    from labtox.pipeline import analyse
    from labtox.store import Archive

    with Archive("lab.sqlite") as db:
        aid = db.add(analyse("samples/mangystau-2024"), label="Mangystau 2024")
        db.analyses()                       # one row per stored analysis
        db.results(analyte="Pb")            # tidy results across analyses
        db.inputs(aid)                      # which files (by sha256) produced them

Tables: ``analyses`` (id, key, label, labtox version, parameters JSON, counts),
``inputs`` (file name, path, sha256), ``results``, ``qc``, ``rejected``, ``compliance``;
the data tables carry ``analysis_id``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from labtox import __version__
from labtox.errors import LabtoxError

__all__ = ["Archive"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS analyses (
    analysis_id INTEGER PRIMARY KEY,
    key TEXT UNIQUE NOT NULL,
    label TEXT,
    labtox_version TEXT NOT NULL,
    parameters TEXT NOT NULL,
    n_results INTEGER NOT NULL,
    n_qc_failed INTEGER NOT NULL,
    n_rejected INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS inputs (
    analysis_id INTEGER NOT NULL REFERENCES analyses(analysis_id),
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL
);
"""
_TABLES = ("results", "qc", "rejected", "compliance")


def _key(analysis: Any) -> str:
    h = hashlib.sha256()
    h.update(json.dumps(sorted(analysis.inputs.values())).encode())
    h.update(json.dumps(analysis.parameters, sort_keys=True, default=str).encode())
    return h.hexdigest()


class Archive:
    """An SQLite file of analyses (see the module docstring).

    Parameters
    ----------
    path
        The database file; created when missing.
    """

    def __init__(self, path: str | PathLike[str]) -> None:
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(self.path)
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise LabtoxError(f"cannot open the archive: {exc}.", path=self.path,
                              expected="an SQLite database written by labtox") from None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Commit and close the database."""
        self._db.commit()
        self._db.close()

    def add(self, analysis: Any, *, label: str | None = None) -> int:
        """Store an :class:`~labtox.pipeline.Analysis`; return its id (the existing id when
        the same inputs and parameters were stored before)."""
        key = _key(analysis)
        row = self._db.execute("SELECT analysis_id FROM analyses WHERE key = ?", (key,)).fetchone()
        if row is not None:
            return int(row[0])
        qc = analysis.qc
        cur = self._db.execute(
            "INSERT INTO analyses (key, label, labtox_version, parameters, n_results, "
            "n_qc_failed, n_rejected) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key, label or analysis.study.get("title") or None, __version__,
             json.dumps(analysis.parameters, sort_keys=True, default=str),
             int(len(analysis.results)), int((qc["verdict"] == "fail").sum()) if len(qc) else 0,
             int(len(analysis.rejected))))
        aid = int(cur.lastrowid)
        self._db.executemany(
            "INSERT INTO inputs (analysis_id, name, path, sha256) VALUES (?, ?, ?, ?)",
            [(aid, Path(p).name, str(p), h) for p, h in sorted(analysis.inputs.items())])
        for name in _TABLES:
            df = getattr(analysis, name)
            if df is None or df.empty:
                continue
            out = df.copy()
            out.insert(0, "analysis_id", aid)
            for c in out.columns:  # SQLite stores text, numbers and NULL
                if out[c].dtype == object:
                    out[c] = out[c].map(lambda v: v if v is None or isinstance(
                        v, (str, int, float)) else str(v))
            self._add_columns(name, out)
            out.to_sql(name, self._db, if_exists="append", index=False)
        self._db.commit()
        return aid

    def _add_columns(self, table: str, df: pd.DataFrame) -> None:
        """Tables grow new columns when later analyses carry more (e.g. TEQ bounds)."""
        have = {r[1] for r in self._db.execute(f'PRAGMA table_info("{table}")')}
        if not have:
            return
        for c in df.columns:
            if c not in have:
                self._db.execute(f'ALTER TABLE "{table}" ADD COLUMN "{c}"')

    def _read(self, table: str, where: dict[str, Any]) -> pd.DataFrame:
        have = {r[1] for r in self._db.execute(f'PRAGMA table_info("{table}")')}
        if not have:
            return pd.DataFrame()
        unknown = [k for k in where if k not in have]
        if unknown:
            raise LabtoxError(f"the {table} table has no column {unknown[0]!r}.",
                              expected=", ".join(sorted(have)))
        clauses = [f'"{k}" = ?' for k, v in where.items() if v is not None]
        sql = f'SELECT * FROM "{table}"' + (" WHERE " + " AND ".join(clauses) if clauses else "")
        return pd.read_sql_query(sql, self._db, params=[v for v in where.values() if v is not None])

    def analyses(self) -> pd.DataFrame:
        """One row per stored analysis."""
        return pd.read_sql_query("SELECT * FROM analyses ORDER BY analysis_id", self._db)

    def inputs(self, analysis_id: int | None = None) -> pd.DataFrame:
        """The input files (name, path, sha256) of one or all analyses."""
        return self._read("inputs", {"analysis_id": analysis_id})

    def results(self, analysis_id: int | None = None, *, analyte: str | None = None,
                sample_id: str | None = None) -> pd.DataFrame:
        """Stored results, optionally of one analysis, analyte or sample."""
        df = self._read("results", {"analysis_id": analysis_id, "analyte": analyte,
                                    "sample_id": sample_id})
        if "censored" in df.columns:
            df["censored"] = df["censored"].astype(bool)
        return df

    def qc(self, analysis_id: int | None = None) -> pd.DataFrame:
        """Stored QC verdicts."""
        return self._read("qc", {"analysis_id": analysis_id})

    def rejected(self, analysis_id: int | None = None) -> pd.DataFrame:
        """Stored rejections (every input row not used, and why)."""
        return self._read("rejected", {"analysis_id": analysis_id})

    def compliance(self, analysis_id: int | None = None) -> pd.DataFrame:
        """Stored compliance decisions."""
        return self._read("compliance", {"analysis_id": analysis_id})
