"""Agilent flame AAS (SpectrAA / AA Worksheet) worksheet export, CSV or PRN.

Layout (``../shared/fixtures/EXPORTS.md`` §2.10; two real files, French UI, one UTF-16LE
with BOM): key/value preamble lines (``Analyste``, ``Date départ``, ``Feuille de travail``,
``Commentaire``, ``Méthodes`` — or their English equivalents), then one block per method:
``Méthode: Au Aqua Regia Echelle1 (Flamme)`` (``Method: ...``), a blank line, and rows
``SampleID, Conc | OVER, , unit, <6 numbers>``. Separators ``,``, ``;`` or TAB (sniffed),
decimal points or commas; preamble keys and the ``Method:`` word are also recognised in
German and Spanish (translations inferred, not seen in a real file; an unknown key is
kept out of the metadata with a warning).

Mapping: ``reported`` = the concentration cell (``OVER`` = over range, kept in
``reported_flag``), ``reported_unit`` = the unit cell. The file holds no absorbance column
whose meaning is documented, so ``signal`` is the concentration reading itself (with its
unit) and the six trailing numbers are kept verbatim as ``|``-separated text in
``aas_fields`` (their meaning is not stated by the file). The analyte is the first word of
the method name; ``channel`` is the method name (it carries the range, ``Echelle1``, and
the atomiser). Sample types come from the label words (rule of
:func:`labtox.io._tables.label_sample_type`; no type word → sample). The start date
(``Date départ``) gives ``acquired`` for the run (``dayfirst=`` when it is ambiguous).
"""

from __future__ import annotations

import csv
import math
import re
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from labtox.errors import ParseError
from labtox.io._common import (
    DOTTED_DAYFIRST,
    DOTTED_NOTE,
    AnalyteResolver,
    Head,
    ReaderInfo,
    _flag_tokens,
    parse_dates,
    parse_number,
)
from labtox.io._tables import (
    csv_table,
    defaulted_types_note,
    detect_decimal,
    label_sample_type,
    pick_delimiter,
    unit_of,
    vector_numbers,
)
from labtox.run import Run

__all__ = ["INFO", "sniff", "read"]

INFO = ReaderInfo(
    name="agilent-aas",
    vendor="Agilent",
    software="SpectrAA / AA worksheet",
    instruments=("flame AAS",),
    extensions=("csv", "prn", "txt"),
    signature="a preamble ('Analyste'/'Analyst', 'Feuille de travail'/'Worksheet') and "
    "'Méthode:'/'Method:' blocks",
    priority=50,
)

_METHOD = re.compile(r"^\s*(?:M.{1,2}thode|Method|M.{1,2}todo|Metodo|Метод)\s*:\s*"
                     r"(?P<name>.+?)\s*$", re.I)
_PREAMBLE = {
    "analyste": "analyst", "analyst": "analyst",
    "date départ": "start_date", "date depart": "start_date", "start date": "start_date",
    "date started": "start_date",
    "feuille de travail": "worksheet", "worksheet": "worksheet",
    "commentaire": "comment", "comment": "comment",
    "méthodes": "methods", "methodes": "methods", "methods": "methods",
    # German and Spanish user interfaces [inferred translations, not seen in a real file]
    "analytiker": "analyst", "analista": "analyst", "startdatum": "start_date",
    "fecha de inicio": "start_date", "arbeitsblatt": "worksheet", "hoja de trabajo": "worksheet",
    "kommentar": "comment", "comentario": "comment", "methoden": "methods",
    "métodos": "methods", "metodos": "methods",
}


def _key(cell: str) -> str | None:
    k = re.sub(r"\s+", " ", cell.strip().casefold())
    k = k.replace("\ufffd", "é")  # a file already decoded with the wrong code page upstream
    return _PREAMBLE.get(k)


def _first_cells(lines: list[str]) -> list[str]:
    """The first cell of each line, split with the separator the lines use (``,``, ``;`` or
    TAB; quotes honoured)."""
    d = pick_delimiter("\n".join(lines), ",;\t")
    out = []
    for ln in lines:
        try:
            cells = next(csv.reader([ln], delimiter=d), [""])
        except csv.Error:
            cells = [ln]
        out.append((cells[0] if cells else "").strip())
    return out


_SAMPLE_TITLE = re.compile(r"^(?:sample|échantillon|echantillon|probe|muestra)?\s*(?:id|name|"
                           r"label|nom|code|nr\.?|no\.?|bezeichnung|nombre)?$", re.I)
# words of the other column titles (English UI seen in an export; French, German and Spanish
# inferred): a cell counts when, without digits, '#', '%' and punctuation, it is one of them
_TITLE_WORDS = frozenset({
    "conc", "concentration", "konz", "konzentration", "concentración", "concentracion",
    "units", "unit", "unités", "unites", "unité", "unite", "einheit", "einheiten", "unidad",
    "unidades", "mean abs", "abs", "absorbance", "absorbanz", "absorbancia", "mean",
    "moyenne", "mittelwert", "media", "reading", "readings", "lecture", "messung", "lectura",
    "dilution", "verdünnung", "verdunnung", "dilución", "dilucion", "sd", "rsd", "std dev",
    "écart type", "ecart type", "time", "date", "heure", "zeit", "fecha", "hora", "flags",
    "result", "résultat", "resultat", "ergebnis", "resultado", "replicates", "weight",
    "volume", "factor", "mean conc", "corr abs", "signal",
})


def _title_word(cell: str) -> bool:
    k = re.sub(r"[\d#%().:_\-/]+", " ", cell.casefold())
    return re.sub(r"\s+", " ", k).strip() in _TITLE_WORDS


def _is_title_row(cells: list[str]) -> bool:
    """A row of column titles inside a method block (``Sample ID, Conc, , Units, Mean Abs``):
    the first cell names the sample column, at least one other cell is a known title word
    (``Conc``, ``Units``, ``Mean Abs`` ...), and no cell holds a number or a flag token
    (``OVER``). A sample called ``Sample 12`` with ``OVER`` readings is a result row."""
    if len(cells) < 2 or not cells[0] or not _SAMPLE_TITLE.match(cells[0].strip()):
        return False
    rest = [c.strip() for c in cells[1:] if c.strip()]
    titled = [_title_word(c) for c in rest]
    for c, t in zip(rest, titled, strict=True):
        if c.casefold() in _flag_tokens() or math.isfinite(parse_number(c)[0]):
            return False
        if not t and re.search(r"\d", c):  # '<0.01', '0,152', '12.3 o': a value
            return False
    return any(titled)


def sniff(head: Head) -> bool:
    """True when the head has the worksheet preamble and a method block line."""
    if not head.text:
        return False
    first = _first_cells(head.lines[:40])
    has_method = any(_METHOD.match(c) for c in first)
    has_pre = sum(1 for c in first[:10] if _key(c))
    return has_method and has_pre >= 2


def read(path: str | PathLike[str], *, dayfirst: bool | None = None) -> Run:
    """Read an Agilent flame AAS worksheet export into a :class:`~labtox.run.Run`.

    Parameters
    ----------
    path
        The export (UTF-16 or UTF-8, ``,``-separated).
    dayfirst
        Date style of the start date when it cannot tell (``01.03.21``).

    Raises
    ------
    ParseError
        No method block; a result row with fewer than four cells (truncated file).

    References
    ----------
    Agilent Technologies, *SpectrAA / AA worksheet software*, export of results; layout
    from real files (``../shared/fixtures/EXPORTS.md`` §2.10; senaite.instruments importer).

    Examples
    --------
    >>> from pathlib import Path
    >>> import labtox
    >>> from labtox.io import agilent_aas
    >>> path = Path(labtox.__file__).parents[1] / "tests" / "data" / "agilent_aas" / "aas_small.csv"
    >>> run = agilent_aas.read(path)
    >>> m = run.measurements
    >>> print(m.loc[2, "sample_id"], m.loc[2, "reported_flag"])
    MNG-051 OVER
    """
    p = Path(path)
    t = csv_table(p, None, ",;\t")
    meta: dict[str, str] = {}
    warnings: list[str] = []
    records = []
    titles: list[tuple[int | None, list[str]]] = []
    method = None
    first_method_line = None
    for idx, r in enumerate(t.rows):
        cells = [c.strip() for c in r]
        if not any(cells):
            continue
        m = _METHOD.match(cells[0])
        if m:
            method = m["name"]
            first_method_line = first_method_line or t.lines[idx]
            continue
        if method is None:
            k = _key(cells[0])
            if k is not None:
                meta[k] = next((c for c in cells[1:] if c), "")
            else:
                warnings.append(f"preamble line {t.lines[idx]} {cells[0]!r} is not a known key; "
                                "ignored")
            continue
        if _is_title_row(cells):
            titles.append((t.lines[idx], cells))
            continue
        if len(cells) < 4:
            raise ParseError("the result row has fewer cells than a worksheet row: the file looks "
                             "truncated or malformed.", path=p, line=t.lines[idx],
                             column=len(r) + 1,
                             expected="SampleID, concentration, (empty), unit, readings",
                             found=f"{len(r)} cells")
        records.append((idx, method, cells))
    if first_method_line is None:
        first = next((",".join(r) for r in t.rows if any(c.strip() for c in r)), "")
        raise ParseError("no method block was found.", path=p, line=t.lines[0] if t.lines else 1,
                         expected="a line 'Méthode: <name>' (or 'Method: <name>') before results",
                         found=first[:80] or "an empty file")
    if not records:
        raise ParseError("the worksheet has no result rows.", path=p, line=first_method_line,
                         expected="rows 'SampleID, concentration, , unit, ...'",
                         found="end of file")
    resolver = AnalyteResolver()
    decimal = detect_decimal([x for _, _, c in records for x in c[1:]], t.delimiter)
    conc, conc_f = vector_numbers([c[1] for _, _, c in records], decimal)
    rows = []
    defaulted = []
    for k, (idx, meth, cells) in enumerate(records):
        analyte, _ch, _ = resolver(meth.split()[0])
        sid = cells[0] or f"injection {k + 1}"
        typ, word = label_sample_type(sid)
        if word is None:
            defaulted.append(sid)
        unit = unit_of(cells[3]) if cells[3] else None
        rows.append({
            "sequence": k + 1, "sample_id": sid, "sample_type": typ, "vendor_type": word,
            "analyte": analyte, "channel": meth, "signal": conc[k],
            "signal_unit": unit or "unknown", "reported": conc[k], "reported_unit": unit,
            "reported_flag": conc_f[k], "aas_fields": "|".join(cells[4:]).rstrip("|"),
            "note": cells[2] or None, "source_line": t.where[idx],
        })
    df = pd.DataFrame(rows)
    unres = [w for w in resolver.warnings()]
    if unres:
        warnings += [w + " (the analyte is the first word of the method name)" for w in unres]
    acquired = ""
    if meta.get("start_date"):
        stamp = meta["start_date"].split("GMT")[0].strip()
        try:
            (acquired,), rule = parse_dates([stamp], dayfirst=dayfirst, path=p,
                                            column="Date départ")
            if rule == DOTTED_DAYFIRST:
                warnings.append(DOTTED_NOTE)
        except ParseError as exc:
            if "ambiguous" not in exc.message:
                raise
            warnings.append(f"the start date {stamp!r} is ambiguous; pass "
                            "dayfirst=True/False (kept as written in "
                            "metadata['start_date'])")
    if titles:
        meta["column_titles"] = " | ".join(titles[0][1])
        warnings.append(f"{len(titles)} row(s) of column titles inside the method blocks (line "
                        f"{titles[0][0]}: {', '.join(c for c in titles[0][1] if c)}); the "
                        "columns are still read by position")
    warnings += defaulted_types_note(defaulted)
    empty = ~np.isfinite(df["signal"].to_numpy()) & df["reported_flag"].isna().to_numpy()
    if empty.any():
        warnings.append(f"{int(empty.sum())} row(s) have an empty concentration; not in the table")
        df = df[~empty].reset_index(drop=True)
    if df.empty:
        raise ParseError("the file holds no measurement: every value cell is empty.", path=p,
                         expected="at least one number or flag token", found="only empty cells")
    return Run.from_path(df, p, INFO.name, instrument="flame AAS",
                         software="Agilent SpectrAA (worksheet export)", acquired=acquired or "",
                         warnings=warnings, encoding=t.encoding, delimiter=t.delimiter,
                         decimal=decimal, **meta)
