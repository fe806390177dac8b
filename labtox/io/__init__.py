"""Readers for instrument exports: one module per format, picked by sniffing.

Every reader module in this package defines

- ``INFO``: a :class:`~labtox.io._common.ReaderInfo` (name, vendor, software, instruments,
  extensions, signature),
- ``sniff(head: Head) -> bool``: cheap check of the file's start,
- ``read(path, **options) -> Run``.

Modules are discovered automatically (any module not starting with ``_``), so adding a format
means adding a module. :func:`read_export` tries the readers by priority.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from os import PathLike
from pathlib import Path
from types import ModuleType
from typing import Any

from labtox.errors import LabtoxError, ParseError, UnknownFormatError
from labtox.io._common import Head, ReaderInfo
from labtox.run import Run, hashing_ahead

__all__ = ["read_export", "read_register", "formats", "reader", "sniff_format", "ReaderInfo", "Head"]

_NOT_READERS = {"register", "mapping"}


@cache
def _modules() -> tuple[ModuleType, ...]:
    mods = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name in _NOT_READERS:
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(mod, "INFO") and hasattr(mod, "sniff") and hasattr(mod, "read"):
            mods.append(mod)
    mods.sort(key=lambda m: (-m.INFO.priority, m.INFO.name))
    return tuple(mods)


def formats() -> list[ReaderInfo]:
    """Every available reader's description, most specific first."""
    return [m.INFO for m in _modules()]


def reader(name: str) -> ModuleType:
    """The reader module for a format name (see :func:`formats`)."""
    for m in _modules():
        if m.INFO.name == name:
            return m
    names = ", ".join(i.name for i in formats())
    raise LabtoxError(f"unknown format {name!r}.", expected=f"one of {names}")


def sniff_format(path: str | PathLike[str]) -> tuple[ModuleType | None, list[tuple[str, str]]]:
    """The first reader whose ``sniff`` accepts ``path``, and why the others declined."""
    head = Head.of(path)
    tried: list[tuple[str, str]] = []
    for m in _modules():
        try:
            ok = bool(m.sniff(head))
        except Exception as exc:  # a sniffer must never break format detection
            ok = False
            tried.append((m.INFO.name, f"sniff failed ({exc.__class__.__name__})"))
            continue
        if ok:
            return m, tried
        tried.append((m.INFO.name, f"no {m.INFO.signature}"))
    return None, tried


def read_export(path: str | PathLike[str], format: str | None = None, **options: Any) -> Run:
    """Read an instrument export into a :class:`~labtox.run.Run`.

    Parameters
    ----------
    path
        The export file.
    format
        A format name from :func:`formats`; sniffed when ``None``.
    **options
        Reader options (e.g. ``dayfirst=True``, ``mapping=...`` for the generic reader).

    Raises
    ------
    UnknownFormatError
        When no reader accepts the file (lists each reader and why it declined).
    ParseError
        When the file is malformed; names the line, column, what was expected and found.
    """
    p = Path(path)
    if not p.exists():
        raise ParseError("the file does not exist.", path=p)
    if p.is_dir():
        raise ParseError("this is a folder, not an export file.", path=p)
    if format is None:
        mod, tried = sniff_format(p)
        if mod is None:
            raise UnknownFormatError(p, tried)
    else:
        mod = reader(format)
    try:
        with hashing_ahead(p):  # the file's SHA-256, in a background thread while it is read
            return mod.read(p, **options)
    except LabtoxError:
        raise
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl, csv, zipfile ... raise their own types
        # A reader bug or an unforeseen layout must still surface as a ParseError naming the file.
        raise ParseError(
            f"the {mod.INFO.name} reader could not read this file "
            f"({exc.__class__.__name__}: {exc}).",
            path=p, expected=mod.INFO.signature,
        ) from exc


def read_register(path: str | PathLike[str], **options: Any):
    """Read a sample register (CSV or XLSX); see :func:`labtox.io.register.read_register`."""
    from labtox.io.register import read_register as _read

    return _read(path, **options)
