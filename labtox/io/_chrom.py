"""Helpers shared by the chromatography / mass-spectrometry quantitation readers.

Fast number parsing with flag tokens, joining flags, decimal-comma detection, column-wide date
parsing with a warning for ambiguous columns, row-width checks, the data rows of a one-header
CSV, and an analyte resolver that never reads an organic label as an element.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from labtox.errors import ParseError
from labtox.io._common import AnalyteResolver, parse_dates, parse_number, resolve_label

__all__ = ["EMPTY", "fast_number", "join_flags", "detect_decimal", "iso_dates", "check_width",
           "isotope_label", "unit_text", "column_key",
           "header_rows", "ChromResolver"]

_SEPARATORS = re.compile(r"[\s._]+")


def column_key(name: str) -> str:
    """A column name compared without case, spaces, dots or underscores: ``Replicate Name``,
    ``ReplicateName`` (invariant names) and ``Replicate.Name`` (R's check.names) are one column.

    Examples
    --------
    >>> column_key("Replicate.Name") == column_key("replicate name") == "replicatename"
    True
    """
    return _SEPARATORS.sub("", name).casefold()


EMPTY = "(empty)"
"""Flag written when the signal cell of a measurement is empty (no peak / not integrated)."""



def fast_number(cell: str, decimal: str = ".") -> tuple[float, str | None]:
    """:func:`~labtox.io._common.parse_number` with a fast path for plain numbers.

    Plain decimal numbers (``12``, ``-0.5``, ``1.2E+04``) are converted directly; anything else
    (tokens, qualifiers, decimal commas, thousands separators, ``nan``/``inf`` words) goes
    through ``parse_number``, so the result is the same.

    Examples
    --------
    >>> fast_number("1.2E+04")
    (12000.0, None)
    >>> fast_number("N/F")
    (nan, 'N/F')
    """
    if cell and decimal == "." and (cell[0].isdigit() or (cell[0] in "-+." and len(cell) > 1)) \
            and "_" not in cell and "," not in cell:
        try:
            v = float(cell)
        except ValueError:
            pass
        else:
            if v - v == 0:  # finite
                return v, None
    return parse_number(cell, decimal)


def join_flags(*tokens: object) -> str | None:
    """Join raw flag tokens (``None``/empty skipped, duplicates once) with ``"; "``.

    Examples
    --------
    >>> join_flags("N/F", None, "N/F", "Low")
    'N/F; Low'
    >>> join_flags(None, "") is None
    True
    """
    seen: list[str] = []
    for t in tokens:
        if t is None:
            continue
        s = str(t).strip()
        if s and s not in seen:
            seen.append(s)
    return "; ".join(seen) if seen else None


_DEC_COMMA = re.compile(r"^[+-]?(?:\d+,\d{1,2}|\d+,\d{4,}|0,\d+)(?:[eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?$|^[+-]?\d{1,3}(?:,\d{3})+\.\d+$")
_AMBIGUOUS = re.compile(r"^[+-]?\d{1,3},\d{3}$")


def detect_decimal(cells: Any, prefer: str | None = None) -> tuple[str, str | None]:
    """Decide the decimal mark of a file from its numeric cells.

    A comma is the decimal mark when some cell can only be read that way (``0,056``,
    ``9,75``, ``10,6884``); it is a thousands separator when some cell can only be read that
    way (``1,234,567`` or ``3,794.5``). Cells such as ``9,754`` fit both and decide nothing.

    ``prefer=","`` settles cells that fit both readings as decimal commas: a ``;``-separated
    file comes from a decimal-comma locale (Excel writes ``;`` exactly where ``,`` is the
    decimal mark), where the thousands separator is a dot or a space, never a comma.

    Returns
    -------
    (decimal, note)
        ``note`` explains a decision taken on ambiguous evidence, else ``None``.

    Examples
    --------
    >>> detect_decimal(["9,754", "0,056", "392095"])
    (',', None)
    >>> detect_decimal(["1,234,567", "12.5"])
    ('.', None)
    >>> detect_decimal(["9,754"], prefer=",")[0]
    ','
    """
    comma = thousands = ambiguous = None
    for c in cells:
        if not c or "," not in c:
            continue
        s = c.strip().strip('"')
        if comma is None and _DEC_COMMA.match(s):
            comma = s
        elif thousands is None and _THOUSANDS.match(s):
            thousands = s
        elif ambiguous is None and _AMBIGUOUS.match(s):
            ambiguous = s
        if comma and thousands:
            break
    if comma and thousands:
        return ".", (f"numbers use both a decimal comma ({comma!r}) and thousands separators "
                     f"({thousands!r}); read with '.' as the decimal mark: pass decimal=',' if "
                     "that is wrong")
    if comma:
        return ",", None
    if ambiguous and not thousands:
        if prefer == ",":
            return ",", (f"a number such as {ambiguous!r} could use a decimal comma or a "
                         "thousands separator; read as a decimal comma because the file is "
                         "';'-separated (pass decimal='.' if wrong)")
        return ".", (f"a number such as {ambiguous!r} could use a decimal comma or a thousands "
                     "separator; read as thousands (pass decimal=',' if wrong)")
    return ".", None


def iso_dates(ctx: Any, cells: list[str], lines: list[int], column: str) -> list[str | None]:
    """ISO 8601 date-times for a column, or the raw text with a warning when the style is
    ambiguous or mixed (pass ``dayfirst`` to decide). Cells that are not dates raise."""
    try:
        out, _rule = parse_dates(cells, dayfirst=ctx.dayfirst, path=ctx.path, column=column,
                                 lines=lines)
        return out
    except ParseError as exc:
        if "ambiguous" in exc.message or "mixes" in exc.message:
            ctx.warnings.append(f"{column}: {exc.message} Dates kept as written; pass "
                                "dayfirst=True or False to read them.")
            return [c or None for c in cells]
        raise


def check_width(path: Path, line: int, row: Sequence[str], ncol: int) -> None:
    """Raise ParseError when a data row has fewer cells than its header (a truncated or
    damaged file) or extra non-empty cells."""
    if len(row) < ncol:
        raise ParseError("the row has fewer cells than the header (truncated file?).",
                         path=path, line=line, column=len(row) + 1,
                         expected=f"{ncol} cells", found=f"{len(row)} cells")
    extra = [c for c in row[ncol:] if c.strip()]
    if extra:
        raise ParseError("the row has more cells than the header.", path=path, line=line,
                         column=ncol + 1, expected=f"{ncol} cells", found=extra[0])


class ChromResolver(AnalyteResolver):
    """:class:`~labtox.io._common.AnalyteResolver` for organic analytes.

    Chromatography methods never measure elements, so a label that the vocabulary would read
    as an isotope (``S1P d16:1`` as sulfur) is kept as written instead. Resolutions are shared
    between instances (the vocabulary does not change while Python runs), so reading a second
    file with the same labels costs nothing.
    """

    _shared: dict[str, tuple[str, str, bool, bool]] = {}

    def __call__(self, label: str) -> tuple[str, str, bool]:
        if label in self._cache:
            return self._cache[label]
        hit = self._shared.get(label)
        if hit is None:
            hit = self._resolve(label)
            if len(self._shared) < 100_000:
                self._shared[label] = hit
        analyte, channel, istd, resolved = hit
        if not resolved:
            self.unresolved.append(analyte)
        self._cache[label] = (analyte, channel, istd)
        return analyte, channel, istd

    @staticmethod
    def _resolve(label: str) -> tuple[str, str, bool, bool]:
        clean = re.sub(r"\s+", " ", str(label)).strip()
        marked = bool(_ISTD_WORD.search(clean))
        labelled = isotope_label(clean)
        unresolved = (clean, clean, marked or labelled is not None, False)
        hit = None
        if labelled is not None:
            # "PCB 153 13C12 (ISTD)", "13C17-Aflatoxin M1", "p,p'-DDE-d8": the labelled
            # standard of a native analyte; the full label stays in the channel.
            hit = resolve_label(labelled)
            if hit is not None:
                if hit.analyte.group == "element":
                    return unresolved
                return hit.analyte.name, clean, True, True
            return unresolved
        hit = resolve_label(label)
        if hit is None and " - " in clean:
            # "CBDV - cannabidivarin", "AFM1 - Aflatoxin M1": abbreviation and name; taken
            # when the parts that are known name one and the same analyte
            names = {h.analyte.name for h in map(resolve_label, clean.split(" - "))
                     if h is not None and h.analyte.group != "element"}
            if len(names) == 1:
                return names.pop(), clean, marked, True
        if hit is None:
            return unresolved
        if hit.analyte.group == "element" and not re.fullmatch(r"[A-Z][a-z]?", clean):
            return unresolved
        return hit.analyte.name, hit.channel, hit.istd or marked, True

    def labelled(self) -> list[str]:
        """The labels of this file read as isotope-labelled standards."""
        return [k for k, (_, _, istd) in self._cache.items()
                if istd and isotope_label(re.sub(r"\s+", " ", str(k)).strip()) is not None]

    def warnings(self) -> list[str]:
        out = super().warnings()
        lab = self.labelled()
        if lab:
            names = ", ".join(repr(x) for x in lab[:10])
            more = f" and {len(lab) - 10} more" if len(lab) > 10 else ""
            out.append(f"{len(lab)} isotope-labelled compound(s) read as internal standards "
                       f"(is_istd) of their native analyte: {names}{more}")
        return out


_ISTD_WORD = re.compile(r"\(\s*(?:ISTD|IS|SIL|IStd)\s*\)|\bISTD\b|\[\s*IS\s*\]", re.I)
_LABEL_TOKEN = (r"(?:\[?(?:13C|15N|2H|18O)\d*(?:[,\s]*(?:13C|15N|2H|D|18O)\d*)*\]?"
                r"|d\d{1,2}|\(\s*[dD]\d{1,2}\s*\)|\[\s*[dD]\d{1,2}\s*\]"
                r"|(?:13C|15N)\d*[-_]?labell?ed|labell?ed)")
_LABEL = re.compile(r"(?:(?<=^)|(?<=[\s_\-(\[,]))" + _LABEL_TOKEN + r"(?=$|[\s_\-)\],])"
                    r"|[(\[]\s*(?:(?:(?:13C|15N|2H|18O)\d{0,2}|[dD]\d{1,2})[,\s]*)+[)\]]")


def isotope_label(label: str) -> str | None:
    """The native compound's label when ``label`` names an isotope-labelled standard
    (``13C12``, ``[13C17]``, ``d5``, ``(D4)``, ``15N``, ``2H``, ``labelled``), else ``None``.

    Upper-case ``D<n>`` counts only in brackets (``Vitamin D3`` is not deuterated); a lower-case
    ``d<n>`` followed by ``:`` is a lipid chain (``S1P d16:1``), not a label.

    Examples
    --------
    >>> isotope_label("PCB 153 13C12 (ISTD)")
    'PCB 153 (ISTD)'
    >>> isotope_label("13C17-Aflatoxin M1")
    'Aflatoxin M1'
    >>> isotope_label("p,p'-DDE-d8")
    "p,p'-DDE"
    >>> isotope_label("Vitamin D3") is None
    True
    >>> isotope_label("S1P d16:1") is None
    True
    >>> isotope_label("PC 15:0-18:1(d7)")
    'PC 15:0-18:1'
    """
    if not _LABEL.search(label):
        return None
    rest = _LABEL.sub(" ", label)
    rest = re.sub(r"\(\s*\)|\[\s*\]", " ", rest)
    rest = re.sub(r"\s*[-_]\s*(?=\s|$)|(?<=^)\s*[-_]\s*", " ", rest)
    rest = re.sub(r"\s+", " ", rest).strip(" -_,")
    return rest or None


def unit_text(text: str | None) -> str | None:
    """A unit as labtox spells it (``ug/L`` -> ``µg/L``); a unit pint does not know is kept as
    written, an empty cell or ``N/A`` gives ``None``.

    Examples
    --------
    >>> unit_text("ug/kg")
    'µg/kg'
    >>> unit_text("N/A") is None
    True
    """
    if text is None:
        return None
    t = str(text).strip()
    if not t or t in ("N/A", "N/F", "-----", "--"):
        return None
    try:
        from labtox.units import normalise_unit

        return normalise_unit(t)
    except Exception:  # noqa: BLE001 - pint raises several kinds; the text is kept as written
        return t


def header_rows(text: str, path: Path, delimiter: str, *, what: str
                ) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header cells and the non-empty data rows (with their 1-based line numbers) of a CSV
    export with one header line; every row is width-checked (:func:`check_width`).

    Raises
    ------
    ParseError
        Malformed quoting, a row wider or narrower than the header, or no data rows
        (``what`` says what a row should be, e.g. "one row per injection").
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    try:
        header = [c.strip() for c in next(reader, [])]
        line = 2
        for r in reader:
            if any(c.strip() for c in r):
                check_width(path, line, r, len(header))
                rows.append((line, r))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ParseError(f"malformed CSV ({exc}).", path=path, line=reader.line_num,
                         expected="well-formed quoted cells", found=str(exc)) from None
    if not rows:
        raise ParseError("the export has a header but no rows.", path=path, line=2,
                         expected=what, found="end of file")
    return header, rows
