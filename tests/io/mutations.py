"""Shared byte-level mutations for the readers' property tests (hypothesis).

A mutated export must give either a valid Run or a LabtoxError — never another exception.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

from labtox.errors import LabtoxError

OPS = ("truncate", "garble", "drop_column", "utf16", "cp1252")


def mutate(raw: bytes, data: st.DataObject, *, sep: bytes = b",", eol: bytes = b"\r\n",
           max_column: int = 25) -> bytes:
    """One random mutation: truncate, garble a byte, drop a column, re-encode UTF-16/cp1252."""
    op = data.draw(st.sampled_from(OPS))
    if op == "truncate":
        return raw[: data.draw(st.integers(0, len(raw)))]
    if op == "garble":
        i = data.draw(st.integers(0, len(raw) - 1))
        return raw[:i] + bytes([data.draw(st.integers(0, 255))]) + raw[i + 1:]
    if op == "drop_column":
        k = data.draw(st.integers(0, max_column))
        return eol.join(sep.join(c for j, c in enumerate(ln.split(sep)) if j != k)
                        for ln in raw.split(eol))
    text = raw.decode("utf-8-sig", errors="replace")
    return text.encode("utf-16") if op == "utf16" else text.encode("cp1252", errors="replace")


def assert_run_or_labtox_error(read, raw: bytes, folder: Path, suffix: str) -> None:
    """Write ``raw`` and read it: a Run with source lines, or a LabtoxError."""
    p = folder / f"x{suffix}"
    p.write_bytes(raw)
    try:
        run = read(p)
    except LabtoxError:
        return
    assert len(run.measurements) > 0 and run.measurements["source_line"].notna().all()
