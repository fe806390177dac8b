"""Property-based robustness of every reader: mutated exports give a valid Run or a LabtoxError.

The files are the project's own fixtures (``tests/data/*/*``) and the real third-party exports in
``../shared/fixtures/exports/*/*`` (skipped when ../shared is absent). Every file is mutated the
ways real files go wrong: truncated at a random byte, a column dropped, cells garbled, re-encoded
as UTF-16 or cp1252, CR-only line ends, bytes flipped (workbooks: cells overwritten, zip cut).
``labtox.io.read_export`` (sniffing over all reader modules, so new readers are picked up
automatically) must return a valid :class:`~labtox.run.Run` or raise a
:class:`~labtox.errors.LabtoxError` — never a bare KeyError, IndexError, UnicodeDecodeError,
csv.Error, zipfile.BadZipFile or the like. Registers go through ``read_register``; the generic
reader's tables are read with the mapping that sits beside them.

Large text files are cut to their first 64 kB (at a line end) before mutating, to keep the
suite fast; that cut is itself a truncation.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labtox.errors import LabtoxError
from labtox.io import formats, read_export, read_register
from labtox.run import Run

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ROOT / "tests" / "data"
SHARED = ROOT.parent / "shared" / "fixtures" / "exports"
MAX_TEXT = 64 * 1024
MAX_XLSX_CELL_EDIT = 40 * 1024

SETTINGS = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.name != "SOURCE.txt" and not p.name.startswith("."))


def _is_zip(raw: bytes) -> bool:
    return raw[:4] == b"PK\x03\x04"


def _is_binary(raw: bytes) -> bool:
    return _is_zip(raw) or raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or (
        b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")))


def _kind(p: Path) -> str:
    with open(p, "rb") as fh:
        return "binary" if _is_binary(fh.read(4096)) else "text"


def _groups(kind: str) -> list[tuple[str, Path]]:
    out = []
    for base, tag in ((PROJECT, "tests/data"), (SHARED, "shared")):
        if not base.is_dir():
            continue
        for d in sorted(base.iterdir()):
            if d.is_dir() and any(_kind(f) == kind for f in _files(d)):
                out.append((f"{tag}/{d.name}", d))
    return out


TEXT_GROUPS = _groups("text")
BINARY_GROUPS = _groups("binary")
GROUPS = TEXT_GROUPS + BINARY_GROUPS


def _decode(raw: bytes) -> str:
    for enc in ("utf-8-sig", "utf-16"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _base_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    if not _is_binary(raw) and len(raw) > MAX_TEXT:
        text = _decode(raw)
        cut = text[:MAX_TEXT]
        cut = cut[: cut.rfind("\n") + 1] or cut
        return cut.encode("utf-8")
    return raw


GARBAGE = st.sampled_from(["", " ", "abc", "N/A", "<0.000", ">1e999", "1e999", "NaN", "-",
                           "#####", "1,5", '"', ";", "\t", "TRUE", "é\u00b5", "9" * 40,
                           "2024-13-45", "Sample Name", "[", "=1/0", "\u00a0"])


def _split(line: str) -> tuple[str, list[str]]:
    for d in ("\t", ";", ",", "|"):
        if line.count(d) >= 1:
            return d, line.split(d)
    return ",", [line]


@st.composite
def text_mutation(draw, raw: bytes) -> bytes:
    kind = draw(st.sampled_from(["truncate", "drop_column", "garble", "utf16", "cp1252", "cr",
                                 "flip", "delete_lines"]))
    if kind == "truncate":
        return raw[: draw(st.integers(0, max(len(raw) - 1, 0)))]
    if kind == "flip":
        b = bytearray(raw)
        for _ in range(draw(st.integers(1, 8))):
            if b:
                b[draw(st.integers(0, len(b) - 1))] = draw(st.integers(0, 255))
        return bytes(b)
    text = _decode(raw)
    lines = text.splitlines()
    if kind == "drop_column" and lines:
        k = draw(st.integers(0, 12))
        out = []
        for ln in lines:
            d, cells = _split(ln)
            if len(cells) > k:
                del cells[k]
            out.append(d.join(cells))
        return "\r\n".join(out).encode("utf-8")
    if kind == "garble" and lines:
        for _ in range(draw(st.integers(1, 6))):
            i = draw(st.integers(0, len(lines) - 1))
            d, cells = _split(lines[i])
            j = draw(st.integers(0, len(cells) - 1))
            cells[j] = draw(GARBAGE)
            lines[i] = d.join(cells)
        return "\n".join(lines).encode("utf-8")
    if kind == "delete_lines" and lines:
        i = draw(st.integers(0, len(lines) - 1))
        n = draw(st.integers(1, 5))
        return "\n".join(lines[:i] + lines[i + n:]).encode("utf-8")
    if kind == "utf16":
        return text.encode("utf-16")
    if kind == "cp1252":
        return text.encode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\n", "\r").encode("utf-8")  # CR-only


@st.composite
def xlsx_mutation(draw, raw: bytes) -> bytes:
    kind = draw(st.sampled_from(["truncate", "cells", "drop_member"]
                                if len(raw) <= MAX_XLSX_CELL_EDIT else ["truncate", "drop_member"]))
    if kind == "truncate":
        return raw[: draw(st.integers(0, len(raw) - 1))]
    if kind == "drop_member":
        src = zipfile.ZipFile(io.BytesIO(raw))
        names = src.namelist()
        victim = draw(st.sampled_from(names))
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as dst:
            for n in names:
                if n != victim:
                    dst.writestr(n, src.read(n))
        return buf.getvalue()
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(raw))
    for _ in range(draw(st.integers(1, 8))):
        ws = wb.worksheets[draw(st.integers(0, len(wb.worksheets) - 1))]
        r = draw(st.integers(1, max(ws.max_row, 1)))
        c = draw(st.integers(1, max(ws.max_column, 1)))
        if draw(st.booleans()):
            ws.cell(r, c).value = draw(GARBAGE)
        else:
            ws.delete_cols(c)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _read(path: Path, group: Path, original: Path):
    """Read the mutated copy the way its original is read."""
    if group.name == "register":
        return read_register(path)
    if group.name == "generic" and original.suffix.lower() in (".csv", ".xlsx", ".txt", ".tsv"):
        stem = original.stem.split("_")[0]
        maps = sorted(group.glob(f"{stem}*mapping*.toml"))
        if maps:
            return read_export(path, format="generic", mapping=maps[0])
    return read_export(path)


def _check(outcome_fn) -> None:
    try:
        out = outcome_fn()
    except LabtoxError as exc:
        assert str(exc)  # the message renders
        return
    if isinstance(out, Run):
        assert list(out.measurements.columns[:3]) == ["run_id", "sequence", "sample_id"]
        assert len(out.sha256) == 64


def _mutate_and_read(folder: Path, kind: str, data) -> None:
    files = [f for f in _files(folder) if _kind(f) == kind]
    original = data.draw(st.sampled_from(files), label="file")
    raw = _base_bytes(original)
    if _is_zip(raw):
        try:
            mutated = data.draw(xlsx_mutation(raw), label="xlsx mutation")
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            mutated = raw[: len(raw) // 2]
    elif _is_binary(raw):
        mutated = raw[: data.draw(st.integers(0, len(raw) - 1))]
    else:
        mutated = data.draw(text_mutation(raw), label="text mutation")
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / original.name
        p.write_bytes(mutated)
        _check(lambda: _read(p, folder, original))


@pytest.mark.parametrize("name,folder", TEXT_GROUPS, ids=[g[0] for g in TEXT_GROUPS])
@SETTINGS
@given(data=st.data())
def test_mutated_text_exports_give_run_or_labtox_error(name, folder, data):
    _mutate_and_read(folder, "text", data)


@pytest.mark.parametrize("name,folder", BINARY_GROUPS, ids=[g[0] for g in BINARY_GROUPS])
@settings(SETTINGS, max_examples=4)
@given(data=st.data())
def test_mutated_workbooks_give_run_or_labtox_error(name, folder, data):
    _mutate_and_read(folder, "binary", data)


def _small_alien_files() -> list[Path]:
    out = []
    for _, folder in GROUPS:
        small = [f for f in _files(folder) if f.stat().st_size < 40_000]
        if small:
            out.append(small[0])
    return out


KNOWN_ISSUES: dict[str, str] = {
    # reader name -> reason; xfail (not strict) until the reader's owner fixes it
}


@pytest.mark.parametrize("fmt", [
    pytest.param(i.name, marks=pytest.mark.xfail(reason=KNOWN_ISSUES[i.name], strict=False))
    if i.name in KNOWN_ISSUES else i.name for i in formats()])
def test_every_reader_forced_on_every_layout(fmt):
    """Each reader, named explicitly, on one small file of every folder (whole and cut in
    half): a Run or a LabtoxError, never another exception."""
    files = _small_alien_files()
    assert files, "no fixture files found"
    opts = ({"mapping": {"sample_id": "x", "analyte": "y", "value": "z", "unit": "ng/g"}}
            if fmt == "generic" else {})
    bad = []
    with tempfile.TemporaryDirectory() as tmp:
        for f in files:
            raw = f.read_bytes()
            for variant, content in (("whole", raw), ("half", raw[: len(raw) // 2])):
                p = Path(tmp) / f"{variant}_{f.parent.name}_{f.name}"
                p.write_bytes(content)
                try:
                    _check(lambda p=p: read_export(p, format=fmt, **opts))
                except Exception as exc:  # collect every offender, then fail once
                    bad.append(f"{variant} {f.parent.name}/{f.name}: {exc.__class__.__name__}: {exc}"[:300])
    assert not bad, f"{fmt} raised non-LabtoxError exceptions:\n" + "\n".join(bad)


def test_groups_cover_project_data():
    names = {g[0] for g in GROUPS}
    for sub in ("gen5", "generic", "register"):
        assert f"tests/data/{sub}" in names
