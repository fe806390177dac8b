"""Which readers claim a file: the check every variant-file test makes (the right reader is
picked by ``read_export(path)`` with no format, and no other reader's sniffer says yes)."""

from __future__ import annotations

from pathlib import Path

from labtox.io import _modules, read_export
from labtox.io._common import Head
from labtox.run import Run


def claims(path: Path) -> list[str]:
    """Names of the readers whose ``sniff`` accepts ``path``, in the order they are tried."""
    head = Head.of(path)
    return [m.INFO.name for m in _modules() if m.sniff(head)]


def read_only_as(path: Path, name: str) -> Run:
    """Assert that ``name`` is the only reader claiming ``path``; read it with no format."""
    found = claims(path)
    assert found == [name], found
    return read_export(path)
