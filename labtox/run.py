"""The :class:`Run`: one instrument export as a tidy measurements table plus its provenance.

The measurements table has one row per injection × analyte with the columns of
``MEASUREMENT_COLUMNS`` (documented in ARCHITECTURE.md). :func:`validate_measurements` checks it
against its schema and reports *every* failing row at once (the pandera "lazy validation" idea).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
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
    "hashing_ahead",
    "line_texts",
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


def _sha256_of(path: str | PathLike[str]) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_AHEAD: dict[tuple[str, int, int], Future[str]] = {}  # hashes under way (hashing_ahead)
_AHEAD_LOCK = threading.Lock()
_POOL: ThreadPoolExecutor | None = None


def _forget_hashes_in_child() -> None:
    """A forked process has no hashing thread: its pending hashes would never finish (and
    the lock may have been held by another thread of the parent)."""
    global _POOL, _AHEAD_LOCK
    _AHEAD.clear()
    _POOL = None
    _AHEAD_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_hashes_in_child)


def _file_key(path: str | PathLike[str]) -> tuple[str, int, int] | None:
    """The file as it is now: resolved path, size and modification time (None: no file)."""
    try:
        st = os.stat(path)
        return (str(Path(path).resolve()), st.st_size, st.st_mtime_ns)
    except OSError:
        return None


def sha256_file(path: str | PathLike[str]) -> str:
    """Hex SHA-256 of a file's bytes (FIPS 180-4, by :mod:`hashlib`).

    Inside :func:`hashing_ahead` for the same, unchanged file, the hash computed in the
    background is returned.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "abc.txt")
    ...     _ = open(p, "wb").write(b"abc")
    ...     sha256_file(p)[:16]
    'ba7816bf8f01cfea'
    """
    key = _file_key(path)
    with _AHEAD_LOCK:
        ahead = _AHEAD.pop(key, None) if key is not None else None
    if ahead is not None:
        try:
            return ahead.result()
        except OSError:
            pass  # read again below, where the error is the caller's to see
    return _sha256_of(path)


@contextmanager
def hashing_ahead(path: str | PathLike[str]) -> Iterator[None]:
    """Hash ``path`` in a background thread while the block (a reader) parses it.

    :mod:`hashlib` and file reads release the interpreter lock, so on a machine with more
    than one core the hash costs no wall-clock time; :func:`sha256_file` inside the block
    takes the result, provided the file's path, size and modification time are unchanged.
    """
    global _POOL
    key = _file_key(path)
    if key is None:
        yield
        return
    with _AHEAD_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="labtox-sha256")
        future = _POOL.submit(_sha256_of, path)
        _AHEAD[key] = future
    try:
        yield
    finally:
        with _AHEAD_LOCK:
            if _AHEAD.get(key) is future:
                del _AHEAD[key]


def _is_blank(u: object) -> bool:
    """A missing or blank cell: None, NaN, ``pd.NA`` or whitespace-only text (numbers are not)."""
    if isinstance(u, str):
        return not u.strip()
    if isinstance(u, (bool, int, float, np.integer, np.floating)):
        return bool(isinstance(u, (float, np.floating)) and np.isnan(u))
    return u is None or u is pd.NA or u is pd.NaT


def _is_true(u: object) -> bool:
    """True, 1 or 1.0 (a ``rejected`` cell meaning yes)."""
    return isinstance(u, (bool, int, float, np.bool_, np.integer, np.floating)) and u == 1


def _where(cells: list[object], test: Any) -> np.ndarray:
    """Positions of the cells for which ``test(cell)`` is true, deciding once per distinct value.

    A column of 100,000 cells usually holds a few hundred distinct values: they are tested,
    and the positions are only looked up when some value fails (the rare, error path).
    """
    try:
        failing = {u for u in set(cells) if test(u)}
    except TypeError:  # an unhashable cell: test every one
        failing = None
    if failing is not None and not failing:
        return np.zeros(0, dtype=np.intp)
    if failing is None or any(isinstance(u, float) and u != u for u in failing):
        hit = map(test, cells)  # NaN objects need not be identical: test each cell
    else:
        hit = (c in failing for c in cells)
    return np.flatnonzero(np.fromiter(hit, dtype=bool, count=len(cells)))


def _failing(s: pd.Series, test: Any) -> np.ndarray:
    """Positions of the cells of ``s`` for which ``test(cell)`` is true (a missing cell is
    tested as ``None``). A categorical column is decided on its categories, one test each."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = s.cat.categories.tolist()
        if test is _is_blank and all(type(u) is str for u in cats):  # texts: strip them
            bad = [k for k, u in enumerate(cats) if not u.strip()]
        else:
            bad = [k for k, u in enumerate(cats) if test(u)]
        codes = s.cat.codes.to_numpy()
        missing_fails = test(None)
        if not bad and (not missing_fails or not len(codes) or codes.min() >= 0):
            return np.zeros(0, dtype=np.intp)
        hit = np.isin(codes, bad) if bad else np.zeros(len(codes), dtype=bool)
        if missing_fails:
            hit |= codes < 0
        return np.flatnonzero(hit)
    return _where(s.to_numpy(dtype=object).tolist(), test)


def _blank_rows(s: pd.Series) -> np.ndarray:
    """Positions of missing or blank cells (see :func:`_is_blank`)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return _failing(s, _is_blank)
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iub":  # numpy numbers: never blank
        return np.zeros(0, dtype=np.intp)
    if isinstance(s.dtype, np.dtype) and s.dtype.kind == "f":
        return np.flatnonzero(np.isnan(s.to_numpy()))
    cells = s.to_numpy(dtype=object)
    listed = cells.tolist()
    if not isinstance(s.dtype, pd.StringDtype):
        return _where(listed, _is_blank)
    if len(set(listed[:1024])) <= 256:  # few distinct texts: is any of them blank or missing?
        if all(type(u) is str and u.strip() for u in set(listed)):
            return np.zeros(0, dtype=np.intp)
    else:
        # many distinct texts (row positions): two vectorised passes over the cells cost
        # less than testing each distinct value; every present cell is a str
        try:
            space = np.fromiter(map(str.isspace, listed), dtype=bool, count=len(listed))
        except TypeError:  # a missing cell (not a str)
            pass
        else:
            return np.flatnonzero(space | (cells == ""))
    return _where(listed, _is_blank)


_LINE_TEXTS: Any = None


def line_texts(lines: np.ndarray) -> Any:
    """``source_line`` texts of line numbers (``12`` → ``"12"``), as a pandas text array.

    The strings are made once per process and shared by every read (a 100,000-row table
    needs 100,000 of them, which costs more than parsing its numbers); the array is new.

    Parameters
    ----------
    lines
        Line numbers, integers >= 0.

    Returns
    -------
    pandas.arrays.StringArray

    Examples
    --------
    >>> line_texts(np.array([3, 4, 12])).tolist()
    ['3', '4', '12']
    """
    global _LINE_TEXTS
    lines = np.asarray(lines, dtype=np.intp)
    if len(lines) and lines.min() < 0:
        raise ValueError(f"a line number is negative: {int(lines.min())}")
    top = int(lines.max()) + 1 if len(lines) else 0
    texts = _LINE_TEXTS  # one reference: another thread may replace the cache meanwhile
    if texts is None or top > len(texts):
        size = max(top, 2 * (0 if texts is None else len(texts)), 4096)
        texts = pd.array(list(map(str, range(size))), dtype="str")
        if _LINE_TEXTS is None or len(_LINE_TEXTS) < size:  # never shrink it
            _LINE_TEXTS = texts
    return texts.take(lines)


def _categorical_text(v: Any) -> Any:
    """A categorical of texts (a reader's coded column) as pandas' text array; anything else
    unchanged. Missing cells (code -1) stay missing."""
    given = v
    if isinstance(v, pd.Series):
        v = v.array
    if not isinstance(v, pd.Categorical):
        return given
    cats = v.categories
    if not (cats.dtype == object or isinstance(cats.dtype, pd.StringDtype)) or not all(
            type(u) is str for u in cats.tolist()):
        return given
    texts = pd.array(np.append(np.asarray(cats, dtype=object), None), dtype="str")
    return texts.take(v.codes.astype(np.intp))  # -1: the last entry, missing


def _as_text(v: Any) -> Any:
    """An object array of text and missing cells as pandas' text array, built from its distinct
    values (what pandas would infer, without checking every cell); anything else unchanged."""
    if not (isinstance(v, np.ndarray) and v.dtype == object and len(v) > 1000):
        return v
    na = pd.isna(v)
    try:
        if na.any():  # often mostly missing (flags): only the present cells are hashed
            present = np.flatnonzero(~na)
            sub, uniq = pd.factorize(v[present])
            codes = np.full(len(v), -1, dtype=np.intp)
            codes[present] = sub
        else:
            codes, uniq = pd.factorize(v)
    except TypeError:  # an unhashable cell
        return v
    uniq = np.asarray(uniq, dtype=object)
    if not len(uniq) or not all(type(u) is str for u in uniq.tolist()):
        return v  # all missing, or not all text: pandas decides
    return pd.array(np.append(uniq, None), dtype="str").take(codes)  # -1 (missing): None


def _problems(df: Mapping[str, pd.Series] | pd.DataFrame) -> list[SchemaProblem]:
    """What :func:`validate_measurements` finds wrong, on a frame or a mapping of columns."""
    problems: list[SchemaProblem] = []
    missing = [c for c in REQUIRED_MEASUREMENT_COLUMNS if c not in df]
    if missing:
        return [SchemaProblem(None, c, "required column is missing", None) for c in missing]
    src = df["source_line"]

    def add(rows: np.ndarray, column: str, check: str) -> None:
        for i in rows:
            problems.append(SchemaProblem(int(i), column, check, df[column].iloc[i], src.iloc[i]))

    known_types = frozenset(SAMPLE_TYPES)
    add(_failing(df["sample_type"], lambda u: u not in known_types), "sample_type",
        f"must be one of {', '.join(SAMPLE_TYPES)}")
    for col in ("sample_id", "analyte", "channel", "source_line", "signal_unit"):
        add(_blank_rows(df[col]), col, "must not be empty")
    signal = df["signal"]
    if signal.dtype.kind != "f":
        signal = pd.to_numeric(signal, errors="coerce")
    unfinished = np.flatnonzero(~np.isfinite(signal.to_numpy(dtype=float, na_value=np.nan)))
    if len(unfinished):
        # excused: signal_unit "none" (the export carries no response for this row, e.g. a
        # quantitation report with final concentrations only; the value lives in `reported`),
        # a rejected acquisition, or a reported_flag saying why
        def rows(col: str) -> list[object]:
            return np.asarray(df[col].array.take(unfinished), dtype=object).tolist()

        excused = np.zeros(len(unfinished), dtype=bool)
        excused[_where(rows("signal_unit"),
                       lambda u: isinstance(u, str) and u.strip().casefold() == "none")] = True
        if "rejected" in df:
            excused[_where(rows("rejected"), _is_true)] = True
        if "reported_flag" in df:
            excused[_where(rows("reported_flag"), lambda f: not _is_blank(f))] = True
        add(unfinished[~excused], "signal",
            "must be a finite number (or the row must carry a reported_flag or be rejected)")
    if "nominal" in df:
        nom = pd.to_numeric(df["nominal"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            add(np.flatnonzero(~np.isnan(nom) & ~((nom >= 0) & np.isfinite(nom))), "nominal",
                "must be a non-negative number")
    if "dilution" in df:
        dil = pd.to_numeric(df["dilution"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            add(np.flatnonzero(~np.isnan(dil) & ~(dil > 0)), "dilution",
                "must be a positive number")
    return problems


def validate_measurements(
    df: pd.DataFrame, *, path: str | PathLike[str] | None = None
) -> pd.DataFrame:
    """Check a measurements table against its schema; return it unchanged when valid.

    Checks: required columns present; ``sample_type`` in :data:`SAMPLE_TYPES`; ``sample_id``,
    ``analyte``, ``channel``, ``signal_unit`` and ``source_line`` not empty; ``signal``
    finite unless the row is rejected or carries a ``reported_flag``; ``nominal`` finite and
    non-negative where given; ``dilution`` finite and positive where given. A row whose
    ``signal_unit`` is ``"none"`` carries no response by design (its value is in
    ``reported``). Each distinct text is tested once; positions are looked up only when one
    fails.

    Parameters
    ----------
    df
        A measurements table (:data:`MEASUREMENT_COLUMNS`; optional columns may be absent).
    path
        The export, named in the error.

    Returns
    -------
    pandas.DataFrame
        ``df`` itself.

    Raises
    ------
    SchemaError
        Listing every failing row (with its ``source_line``) at once.
    """
    problems = _problems(df)
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
        cls, measurements: pd.DataFrame | Mapping[str, Any], path: str | PathLike[str],
        format: str, **meta: Any
    ) -> Run:
        """Build a validated Run for ``path``: fills ``run_id``, computes the SHA-256,
        adds missing optional columns and checks the schema.

        Parameters
        ----------
        measurements
            A DataFrame (its columns are copied; the caller's frame stays untouched), or a
            mapping of column name → equal-length arrays, what readers pass: the table is
            then built once and takes the arrays over without copying them, except an array
            whose memory another column already uses (e.g. one array given as both
            ``signal`` and ``reported``), which is copied. A text column may be given as a
            ``pandas.Categorical`` of texts (its distinct values and a code per row: checked
            once per distinct value) and ``source_line`` as integer line numbers; both are
            stored as text (pandas' ``str`` dtype), as :data:`MEASUREMENT_COLUMNS` says.
        path
            The export the measurements were read from (hashed for ``sha256``/``run_id``).
        format
            Name of the reader.
        **meta
            ``instrument``, ``software``, ``acquired``, ``warnings``; anything else goes to
            ``metadata``.

        Returns
        -------
        Run

        Raises
        ------
        SchemaError
            Listing every row that breaks the schema (see :func:`validate_measurements`).
        """
        sha = sha256_file(path)
        if isinstance(measurements, pd.DataFrame):
            given = {c: measurements[c].array for c in measurements.columns}
        else:
            given = {c: v.array if isinstance(v, pd.Series) else v
                     for c, v in measurements.items()}
        n = len(next(iter(given.values()))) if given else 0

        def missing(kind: str) -> Any:
            if kind == "str":  # None-filled; typed, so pandas does not scan it for text
                return pd.Series(np.empty(n, dtype=object), dtype=object, copy=False)
            return np.full(n, {"int": 0, "float": np.nan, "bool": False}[kind])

        # one table in MEASUREMENT_COLUMNS order; a caller's frame stays untouched (pandas
        # copies its columns), a reader's own arrays are taken over without a copy
        cols = {col: given[col] if col in given else missing(kind)
                for col, kind in MEASUREMENT_COLUMNS.items()}
        cols["run_id"] = pd.array(np.full(1, sha[:12], dtype=object), dtype="str").take(
            np.zeros(n, dtype=np.intp))
        if getattr(cols["rejected"], "dtype", None) != np.dtype(bool):
            cols["rejected"] = pd.Series(cols["rejected"], dtype=object).fillna(False) \
                .astype(bool).to_numpy()
        cols.update((c, v) for c, v in given.items() if c not in MEASUREMENT_COLUMNS)
        if isinstance(measurements, pd.DataFrame):
            df = pd.DataFrame({c: _as_text(v) for c, v in cols.items()})
        else:  # the reader's own arrays: taken over, each once (memory given twice is copied)
            taken: list[np.ndarray] = []
            for c, v in cols.items():
                # the buffer behind an array, Series, text array or categorical (its codes)
                data = v.codes if isinstance(v, pd.Categorical) else np.asarray(v)
                shared = any(np.may_share_memory(data, t) for t in taken)
                cols[c] = v.copy() if shared else _as_text(v)
                taken.append(data)
            df = None
        # checked as given (coded texts once per distinct value), then built as stored:
        # coded texts and line numbers become text
        columns = {c: df[c] for c in df.columns} if df is not None else \
            {c: pd.Series(v, copy=False) for c, v in cols.items()}
        problems = _problems(columns)
        if problems:
            raise SchemaError("measurements", problems, path=path)
        stored = {c: _categorical_text(v) for c, v in columns.items()}
        line_no = columns["source_line"].dtype
        if isinstance(line_no, np.dtype) and line_no.kind in "iu":
            stored["source_line"] = line_texts(columns["source_line"].to_numpy())
        if df is None or any(stored[c] is not columns[c] for c in columns):
            df = pd.DataFrame(stored, copy=False)
        known = {"instrument", "software", "acquired", "warnings"}
        return cls(
            measurements=df,
            source=str(Path(path)),
            sha256=sha,
            format=format,
            instrument=str(meta.get("instrument", "") or ""),
            software=str(meta.get("software", "") or ""),
            acquired=str(meta.get("acquired", "") or ""),
            warnings=tuple(meta.get("warnings", ())),
            metadata={k: v for k, v in meta.items() if k not in known},
        )
