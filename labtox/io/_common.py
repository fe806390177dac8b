"""Helpers shared by the readers: decoding, numbers with flag tokens, booleans, dates,
sample-type words, analyte labels and the reader description.

Nothing here guesses silently: undecodable bytes raise ``ParseError``; ambiguous dates are
resolved from the whole column or reported; unknown sample-type words are kept as
``unknown`` with the vendor word and a warning.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, cached_property
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from labtox.analytes import LabelMatch, try_parse_label
from labtox.errors import ParseError

__all__ = [
    "ReaderInfo",
    "Head",
    "decode_bytes",
    "read_text",
    "sniff_delimiter",
    "header_line_in",
    "split_rows",
    "coded_column",
    "coded_text",
    "none_column",
    "parse_number",
    "parse_numbers",
    "parse_bool",
    "parse_dates",
    "DOTTED_DAYFIRST",
    "DOTTED_NOTE",
    "map_sample_type",
    "SampleTypeMapper",
    "resolve_label",
    "AnalyteResolver",
    "HEAD_BYTES",
]

HEAD_BYTES = 65536


@dataclass(frozen=True)
class ReaderInfo:
    """What a reader module declares about itself (module attribute ``INFO``).

    Attributes
    ----------
    name : str
        Short format name used with ``--format`` (``"masshunter-icpms"``).
    vendor, software : str
    instruments : tuple of str
        Instrument kinds (``"ICP-MS"``, ``"GC-MS/MS"``, ``"plate reader"``).
    extensions : tuple of str
        File name endings, lower case, without dot (``("csv", "xlsx")``).
    signature : str
        What ``sniff`` looks for, in words; shown when the reader declines a file.
    priority : int
        Higher is tried first (specific readers before generic ones).
    """

    name: str
    vendor: str
    software: str
    instruments: tuple[str, ...]
    extensions: tuple[str, ...]
    signature: str
    priority: int = 50


@dataclass
class Head:
    """The start of a file, given to every reader's ``sniff``.

    ``text`` is the decoded head ('' for binary files such as xlsx/xls/zip); ``lines`` its lines.
    """

    path: Path
    raw: bytes
    text: str = ""
    encoding: str | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def suffix(self) -> str:
        return self.path.suffix.lower().lstrip(".")

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    @property
    def is_zip(self) -> bool:
        return self.raw[:4] == b"PK\x03\x04"

    @property
    def is_xls(self) -> bool:
        return self.raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

    @cached_property
    def xlsx_sheets(self) -> dict[str, list[list[object]]]:
        """First 40 rows of each sheet of an xlsx workbook ({} when not an xlsx)."""
        if not self.is_zip:
            return {}
        try:
            with zipfile.ZipFile(self.path) as zf:
                if "xl/workbook.xml" not in zf.namelist():
                    return {}
            import warnings

            import openpyxl

            with warnings.catch_warnings():
                # openpyxl warns about workbook features it ignores (data-validation
                # extensions ...): irrelevant to sniffing, and not the user's concern here.
                warnings.simplefilter("ignore", UserWarning)
                wb = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
            out = {}
            for ws in wb.worksheets:
                rows = []
                for i, row in enumerate(ws.iter_rows(values_only=True)):
                    if i >= 40:
                        break
                    rows.append(list(row))
                out[ws.title] = rows
            wb.close()
            return out
        except Exception:  # a corrupt workbook is the reader's business, not sniff's
            return {}

    @classmethod
    def of(cls, path: str | PathLike[str]) -> Head:
        p = Path(path)
        try:
            with open(p, "rb") as fh:
                raw = fh.read(HEAD_BYTES)
        except OSError as exc:
            raise ParseError(f"cannot open the file: {exc.strerror}.", path=p) from None
        head = cls(p, raw)
        if not (head.is_zip or head.is_xls):
            try:
                head.text, head.encoding = decode_bytes(raw, p, partial=True)
            except ParseError:
                head.text, head.encoding = "", None
        return head


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_bytes(raw: bytes, path: str | PathLike[str] | None = None, *,
                 partial: bool = False) -> tuple[str, str]:
    """Decode a text export, returning ``(text, encoding)``.

    Order: UTF-8 with BOM; UTF-16 (BOM, or NUL bytes in every other position); strict UTF-8;
    cp1251 when the bytes look like Cyrillic words (Russian/Kazakh Windows, see
    :func:`_looks_cp1251`), else cp1252 (Windows Western, used by MassLynx and European
    Excel); Latin-1 only for bytes cp1252 leaves undefined. Line endings are normalised to ``\\n`` (CR-only files included).
    Never drops bytes.

    Raises
    ------
    ParseError
        When the bytes are not text (e.g. NUL bytes in a non-UTF-16 file).
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        enc, body = "utf-8-sig", raw
    elif raw.startswith(_UTF16_BOMS):
        enc, body = "utf-16", raw
    elif len(raw) >= 4 and raw[1:40:2].count(0) >= min(10, len(raw[1:40:2])) and raw[0] != 0:
        enc, body = "utf-16-le", raw
    else:
        enc, body = "utf-8", raw
    if partial and enc.startswith("utf-16") and len(body) % 2:
        body = body[:-1]
    try:
        text = body.decode(enc)
    except UnicodeDecodeError as exc:
        if enc == "utf-8":
            if partial and exc.start >= len(body) - 3:
                text = body[: exc.start].decode("utf-8")
            else:
                single = "cp1251" if _looks_cp1251(body) else "cp1252"
                try:
                    text, enc = body.decode(single), single
                except UnicodeDecodeError:
                    text, enc = body.decode("latin-1"), "latin-1"
        else:
            line = body[: exc.start].count(b"\n") + 1
            raise ParseError(
                f"the file is not valid {enc} text.", path=path, line=line,
                expected="text (UTF-8, UTF-16 or Windows-1252)",
                found=body[exc.start: exc.start + 8],
            ) from None
    if "\x00" in text:
        raise ParseError("the file contains NUL bytes: it is binary, not a text export.",
                         path=path, expected="a text export (CSV/TXT)")
    if "\r" in text:  # a scan, much cheaper than two replace() passes over a large file
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, enc


_HIGH_BYTES = bytes(range(0x80, 0x100))
_CYRILLIC_WORD = re.compile(rb"[\xc0-\xff]{3,}")


def _looks_cp1251(raw: bytes) -> bool:
    """Windows-1251 (Russian/Kazakh Windows) rather than Windows-1252: most non-ASCII bytes
    are letters 0xC0-0xFF standing in runs of three or more, as Cyrillic words do; Western
    text has single accented letters between ASCII ones (``départ``, ``Größe``).

    Examples
    --------
    >>> _looks_cp1251("Проба;Место;КМ-1;Бейнеу".encode("cp1251"))
    True
    >>> _looks_cp1251("Analyste;Date départ".encode("cp1252"))
    False
    """
    high = len(raw) - len(raw.translate(None, _HIGH_BYTES))
    if not high:
        return False
    runs = _CYRILLIC_WORD.findall(raw)
    return len(runs) >= 2 and sum(map(len, runs)) >= 0.6 * high


def read_text(path: str | PathLike[str]) -> tuple[str, str]:
    """Read and decode a whole text export: ``(text, encoding)`` (see :func:`decode_bytes`)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror}.", path=path) from None
    return decode_bytes(raw, path)


def sniff_delimiter(lines: Sequence[str], candidates: str = ",;\t|") -> str:
    """The delimiter that splits the first non-empty lines most consistently."""
    sample = [ln for ln in lines[:50] if ln.strip()]
    best, best_score = ",", -1.0
    for d in candidates:
        counts = [ln.count(d) for ln in sample]
        if not counts or max(counts) == 0:
            continue
        top = max(counts)
        score = sum(1 for c in counts if c == top) * top
        if score > best_score:
            best, best_score = d, score
    return best


def header_line_in(head: Head, needles: Sequence[str], is_header, *, n: int = 10,
                   delimiters: str = ",;\t", anycase: bool = False) -> bool:
    """True when one of the first ``n`` text lines holds every word of ``needles`` (in any
    case with ``anycase``) and, split by one of ``delimiters``, is a header that
    ``is_header(cells)`` accepts (the sniff of long CSV exports whose header may sit below a
    preamble)."""
    if not head.text:
        return False
    for ln in head.lines[:n]:
        hay = ln.casefold() if anycase else ln
        if all(w in hay for w in needles):
            for d in delimiters:
                try:
                    cells = next(csv.reader([ln], delimiter=d))
                except (csv.Error, StopIteration):
                    continue
                if is_header(cells):
                    return True
    return False


def none_column(n: int) -> Any:
    """A column of ``n`` missing cells, typed as objects, so that neither pandas nor
    :meth:`labtox.run.Run.from_path` scans it for text.

    Examples
    --------
    >>> none_column(2).tolist()
    [None, None]
    """
    import pandas as pd

    return pd.arrays.NumpyExtensionArray(np.empty(n, dtype=object))


def coded_column(codes: np.ndarray, distinct: Sequence[object]) -> Any:
    """A text column given as a code per row into its distinct texts (-1: missing), as the
    ``pandas.Categorical`` that :meth:`labtox.run.Run.from_path` checks once per distinct
    text and stores as text. The codes are the caller's and are not checked.

    Examples
    --------
    >>> list(coded_column(np.array([1, 0, -1]), ["Pb", "Cd"]))
    ['Cd', 'Pb', nan]
    """
    import pandas as pd

    return pd.Categorical.from_codes(np.asarray(codes), validate=False,
                                     categories=pd.Index(list(distinct), dtype=object))


def coded_text(values: Sequence[object], codes: np.ndarray) -> Any:
    """A text column given as its distinct values and a code per row: ``values[codes]`` as a
    ``pandas.Categorical``, which :meth:`labtox.run.Run.from_path` checks once per distinct
    value and stores as text.

    Parameters
    ----------
    values
        Texts (``str``, or ``None`` for a missing cell); repeats are allowed.
    codes
        Position in ``values`` of each cell; negative positions count from the end, as in
        numpy (-1: the last value).

    Returns
    -------
    pandas.Categorical

    Examples
    --------
    >>> list(coded_text(["Pb", "Cd", None], np.array([0, 1, 0, -1])))
    ['Pb', 'Cd', 'Pb', nan]
    """
    import pandas as pd

    own, distinct = pd.factorize(np.asarray(values, dtype=object))  # None: -1
    return coded_column(own[np.asarray(codes, dtype=np.intp)], distinct)


def split_rows(text: str, delimiter: str) -> list[list[str]]:
    """Split text into rows with the csv module (quotes honoured; no cell dropped)."""
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


_NUM = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_NUM_COMMA = re.compile(r"^[+-]?\d+,\d+(?:[eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$")  # never "0,152"
_QUALIFIED = re.compile(r"^(?P<q>[<>≤≥])\s*(?P<num>.+)$")
_SUFFIXED = re.compile(r"^(?P<num>[^\s]+)\s+(?P<s>u|o|!|S|\*|#)$")


@cache
def _flag_tokens() -> frozenset[str]:
    text = resources.files("labtox.data").joinpath("flag_tokens.csv").read_text("utf-8")
    rows = csv.DictReader(ln for ln in text.splitlines() if not ln.startswith("#"))
    return frozenset(r["token"].casefold() for r in rows if r["numeric"] == "no")


def _plain_number(s: str, decimal: str) -> float | None:
    if decimal == ",":
        if _NUM_COMMA.match(s):
            return float(s.replace(",", "."))
        if _NUM.match(s) and "." not in s:
            return float(s)
        t = s.replace(".", "") if re.match(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+(,\d+)?$", s) else None
        if t is not None:
            return float(t.replace(",", "."))
        return None
    if _NUM.match(s):
        return float(s)
    if _THOUSANDS.match(s):
        return float(s.replace(",", ""))
    return None


def parse_number(token: object, decimal: str = ".") -> tuple[float, str | None]:
    """Parse one cell into ``(value, flag)``.

    - plain numbers (``1.5``, ``-2e-3``, ``"3,794"`` with thousands separators, ``9,754`` when
      ``decimal=","``) → ``(value, None)``;
    - qualified numbers: ``<0.000`` → ``(nan, "<0.000")``, ``>3141492.000`` → ``(nan, ">3141492.000")``:
      the printed number is a bound, not a measurement, so it is never used as one;
    - suffixed numbers (ICP Expert): ``12.3 o`` → ``(12.3, "12.3 o")``, ``2834.76 !`` → ``(2834.76, "2834.76 !")``;
    - tokens (``N/A``, ``ND``, ``N/F``, ``-----``, ``OVER`` ...) → ``(nan, token)``;
    - empty cells → ``(nan, None)``: nothing was written.

    Anything else → ``(nan, raw text)``: the raw text is kept as the flag, never lost.
    """
    if token is None:
        return math.nan, None
    if isinstance(token, bool):
        return math.nan, str(token)
    if isinstance(token, (int, float)):
        v = float(token)
        return (v, None) if math.isfinite(v) else (math.nan, str(token))
    if isinstance(token, datetime):
        return math.nan, str(token)
    raw = str(token)
    s = raw.strip().strip('"').strip()
    if not s:
        return math.nan, None
    v = _plain_number(s, decimal)
    if v is not None:
        return v, None
    m = _QUALIFIED.match(s)
    if m and _plain_number(m.group("num").strip(), decimal) is not None:
        return math.nan, s
    m = _SUFFIXED.match(s)
    if m:
        v = _plain_number(m.group("num"), decimal)
        if v is not None:
            return v, s
    return math.nan, s


def parse_numbers(cells: Iterable[object], decimal: str = ".") -> tuple[list[float], list[str | None]]:
    """Vector form of :func:`parse_number`: ``(values, flags)``."""
    values, flags = [], []
    for c in cells:
        v, f = parse_number(c, decimal)
        values.append(v)
        flags.append(f)
    return values, flags


_TRUE = {"true", "vrai", "wahr", "verdadero", "vero", "yes", "y", "1", "x", "да", "иә"}
_FALSE = {"false", "faux", "falsch", "falso", "no", "n", "0", "", "нет", "жоқ"}


def parse_bool(token: object, *, path: str | PathLike[str] | None = None,
               line: int | None = None, column: str | int | None = None) -> bool:
    """TRUE/FALSE in English, French (VRAI/FAUX), German (WAHR/FALSCH) ...; empty is False.

    Raises
    ------
    ParseError
        For any other word.
    """
    if isinstance(token, bool):
        return token
    if token is None or (isinstance(token, float) and math.isnan(token)):
        return False
    s = str(token).strip().casefold()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ParseError("not a boolean.", path=path, line=line, column=column,
                     expected="TRUE/FALSE (or VRAI/FAUX, WAHR/FALSCH)", found=str(token))


_MONTHS = {
    # English, French (incl. abbreviations with/without dot), German, Russian short forms
    "jan": 1, "janv": 1, "january": 1, "janvier": 1, "januar": 1, "янв": 1,
    "feb": 2, "fev": 2, "fév": 2, "févr": 2, "fevr": 2, "february": 2, "février": 2, "februar": 2, "фев": 2,
    "mar": 3, "mars": 3, "march": 3, "mär": 3, "märz": 3, "мар": 3,
    "apr": 4, "avr": 4, "april": 4, "avril": 4, "апр": 4,
    "may": 5, "mai": 5, "май": 5, "мая": 5,
    "jun": 6, "juin": 6, "june": 6, "juni": 6, "июн": 6,
    "jul": 7, "juil": 7, "july": 7, "juillet": 7, "juli": 7, "июл": 7,
    "aug": 8, "aoû": 8, "aout": 8, "août": 8, "august": 8, "авг": 8,
    "sep": 9, "sept": 9, "september": 9, "septembre": 9, "сен": 9,
    "oct": 10, "okt": 10, "october": 10, "octobre": 10, "oktober": 10, "окт": 10,
    "nov": 11, "november": 11, "novembre": 11, "ноя": 11,
    "dec": 12, "déc": 12, "dez": 12, "december": 12, "décembre": 12, "dezember": 12, "дек": 12,
}
_MONTHS.update({  # Russian full and genitive forms, Kazakh month names
    w: i + 1 for i, words in enumerate([
        ("январь", "января", "қаңтар"), ("февраль", "февраля", "ақпан"),
        ("март", "марта", "наурыз"), ("апрель", "апреля", "сәуір"), ("мамыр",),
        ("июнь", "июня", "маусым"), ("июль", "июля", "шілде"),
        ("август", "августа", "тамыз"), ("сентябрь", "сентября", "қыркүйек"),
        ("октябрь", "октября", "қазан"), ("ноябрь", "ноября", "қараша"),
        ("декабрь", "декабря", "желтоқсан")])
    for w in words})

_DATE_RX = [
    # ISO and year-first
    (re.compile(r"^(?P<y>\d{4})[-/.](?P<a>\d{1,2})[-/.](?P<b>\d{1,2})"), "ymd"),
    # day/month or month/day with 4- or 2-digit year
    (re.compile(r"^(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<y>\d{4}|\d{2})(?!\d)"), "amb"),
    # 07-Jan-20, 17-sept-19, 5 Mar 2019
    (re.compile(r"^(?P<d>\d{1,2})[-\s.](?P<mon>[^\W\d_]+)\.?[-\s.](?P<y>\d{4}|\d{2})(?!\d)"), "dmy_name"),
    # Mon Jan 07 10:42:00 2020 (MassLynx "Printed")
    (re.compile(r"^[^\W\d_]{3}\s+(?P<mon>[^\W\d_]+)\s+(?P<d>\d{1,2})\s+(?P<time>[\d:]+)\s+(?P<y>\d{4})"), "ctime"),
]
_ZONE_RX = re.compile(r"(Z|[+-]\d{2}:?\d{2})\s*$")
_TIME_RX = re.compile(r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?")


def _year(y: str) -> int:
    n = int(y)
    return n + 2000 if len(y) == 2 and n < 70 else (n + 1900 if len(y) == 2 else n)


def _split_date(text: str) -> tuple[str, tuple[int, int, int] | None, str]:
    """Return (kind, (y, a, b) or (y, m, d), rest)."""
    s = text.strip()
    for rx, kind in _DATE_RX:
        m = rx.match(s)
        if not m:
            continue
        rest = s[m.end():]
        if kind == "ymd":
            return "ymd", (int(m["y"]), int(m["a"]), int(m["b"])), rest
        if kind == "amb":
            return "amb", (_year(m["y"]), int(m["a"]), int(m["b"])), rest
        mon = _MONTHS.get(m["mon"].casefold().rstrip("."))
        if mon is None:
            return "bad", None, s
        if kind == "ctime":
            return "ymd", (int(m["y"]), mon, int(m["d"])), " " + m["time"]
        return "ymd", (_year(m["y"]), mon, int(m["d"])), rest
    return "bad", None, s


_DOTTED = re.compile(r"^\s*\d{1,2}\.\d{1,2}\.\d{2,4}(?!\d)")
DOTTED_DAYFIRST = "day-first (dotted dd.mm.yyyy style)"
"""The rule :func:`parse_dates` gives when only the dotted style decided: numeric dates written
with dots are day-first in every locale that uses them (none writes month-first with dots)."""
DOTTED_NOTE = ("dates written dd.mm.yyyy (dotted) are read day-first; no day above 12 "
               "confirmed it")
"""The warning readers give with that rule."""


def parse_dates(
    cells: Sequence[object],
    *,
    dayfirst: bool | None = None,
    path: str | PathLike[str] | None = None,
    column: str | int | None = None,
    lines: Sequence[int] | None = None,
) -> tuple[list[str | None], str]:
    """Parse a column of date-times written in any style seen in real exports into ISO 8601.

    Day-first versus month-first is decided for the whole column: by ``dayfirst`` when given,
    else by any value whose first field exceeds 12 (day-first) or second field exceeds 12
    (month-first); else, when every ambiguous date has its day equal to its month, either
    reading gives the same date; else dates written with dots (``05.03.2024``) are day-first
    (:data:`DOTTED_DAYFIRST`, a convention with no month-first counterpart). When the column
    still cannot tell, ``dayfirst`` must be given.

    Returns
    -------
    (iso_strings, rule)
        ``rule`` says how the ambiguity was resolved (``"ISO"``, ``"day-first (value 19/12/2018)"`` ...).

    Raises
    ------
    ParseError
        A cell that is not a date, mixed day-first and month-first evidence, or an ambiguous
        column without ``dayfirst``.
    """
    parsed = []
    dates_seen: dict[str, tuple[str, Any, int]] = {}
    for i, c in enumerate(cells):
        line = lines[i] if lines is not None else None
        if type(c) is str:
            text = c.strip()
            if not text or text == "-":
                parsed.append(("none", None, "", line, c))
                continue
        else:
            if c is None or (isinstance(c, float) and math.isnan(c)) or str(c).strip() in ("", "-"):
                parsed.append(("none", None, "", line, c))
                continue
            if isinstance(c, datetime):
                parsed.append(("dt", c, "", line, c))
                continue
            text = str(c).strip()
        first = text.split(None, 1)[0]
        hit = dates_seen.get(first)  # long exports repeat the date part; the time varies
        if hit is not None:
            kind, parts, end = hit
            rest = text[end:]
        else:
            kind, parts, rest = _split_date(text)
            end = len(text) - len(rest)
            if kind != "bad" and end <= len(first):
                dates_seen[first] = (kind, parts, end)
        if kind == "bad":
            raise ParseError("not a date.", path=path, line=line, column=column,
                             expected="a date such as 2020-11-18, 19/12/2018 10:42 or 07-Jan-20",
                             found=str(c))
        parsed.append((kind, parts, rest, line, c))
    amb = [(p, c) for k, p, _, _, c in parsed if k == "amb"]
    rule = "ISO / unambiguous"
    if amb:
        day_ev = next((c for p, c in amb if p[1] > 12), None)
        mon_ev = next((c for p, c in amb if p[2] > 12), None)
        if dayfirst is None:
            if day_ev is not None and mon_ev is not None:
                raise ParseError(
                    "the date column mixes day-first and month-first values.", path=path,
                    column=column, expected="one date style per column",
                    found=f"{day_ev} and {mon_ev}")
            if day_ev is not None:
                dayfirst, rule = True, f"day-first (value {day_ev})"
            elif mon_ev is not None:
                dayfirst, rule = False, f"month-first (value {mon_ev})"
            elif all(p[1] == p[2] for p, _ in amb):
                dayfirst, rule = True, "either (every day equals its month)"
            elif all(_DOTTED.match(str(c)) for _, c in amb):
                dayfirst, rule = True, DOTTED_DAYFIRST
            else:
                raise ParseError(
                    "the dates are ambiguous (every day and month is 12 or less).", path=path,
                    column=column, expected="a date style",
                    found=str(amb[0][1]), hint="Pass dayfirst=True or dayfirst=False.")
        else:
            rule = "day-first (given)" if dayfirst else "month-first (given)"
    out: list[str | None] = []
    append = out.append
    days: tuple[dict, dict] = ({}, {})  # each calendar date (ambiguous, year-first) checked once
    meridiem: dict[str, str] = {}
    time_of = _TIME_RX.search
    for kind, parts, rest, line, c in parsed:
        if kind == "none":
            append(None)
            continue
        if kind == "dt":
            append(parts.isoformat(timespec="seconds"))
            continue
        known = days[kind == "amb"]
        day = known.get(parts, "")
        if day == "":
            if kind == "amb":
                y, a, b = parts
                mth, d = (b, a) if dayfirst else (a, b)
            else:
                y, mth, d = parts
            try:
                day = date(y, mth, d).isoformat()
            except ValueError:
                day = None
            known[parts] = day
        mt = time_of(rest)
        if mt:
            hh_, mm, ss, ampm = mt.group("h", "m", "s", "ampm")
            hh, ss = int(hh_), ss or "00"
            if ampm:
                half = meridiem.get(ampm)
                if half is None:
                    half = meridiem[ampm] = ampm.replace(".", "").lower()
                if half == "pm" and hh < 12:
                    hh += 12
                elif half == "am" and hh == 12:
                    hh = 0
        if day is None or (mt and not (hh < 24 and mm < "60" and ss < "60")):
            raise ParseError("not a valid calendar date.", path=path, line=line, column=column,
                             expected="a real date", found=str(c))
        if not mt:
            append(day)
            continue
        tail = rest[mt.end():]
        mz = _ZONE_RX.search(tail) if ("+" in tail or "-" in tail or "Z" in tail) else None
        append(f"{day}T{hh:02d}:{mm}:{ss}{mz.group(1) if mz else ''}")
    return out, rule


@cache
def _sample_type_table() -> dict[str, str]:
    text = resources.files("labtox.data").joinpath("sample_types.csv").read_text("utf-8")
    rows = csv.DictReader(ln for ln in text.splitlines() if not ln.startswith("#"))
    return {r["vendor_word"].strip().casefold(): r["sample_type"] for r in rows}


def map_sample_type(word: object) -> str | None:
    """The labtox sample type for a vendor word, or ``None`` when the word is not known.

    Labels such as ``CAL1``, ``STD2``, ``Std 0.5``, ``QC (QC1)`` are matched on their word part.
    """
    if word is None:
        return None
    s = str(word).strip()
    if not s:
        return None
    table = _sample_type_table()
    k = s.casefold()
    if k in table:
        return table[k]
    k2 = re.sub(r"[\s_-]*\d+(\.\d+)?$", "", k).strip()  # CAL1, STD 2, Cal_3
    if k2 and k2 in table:
        return table[k2]
    return None


class SampleTypeMapper:
    """Maps vendor words for one file, collecting warnings for unknown words.

    Unknown words give sample type ``unknown``; the word itself is kept in ``vendor_type``.
    """

    def __init__(self) -> None:
        self.unknown: dict[str, int] = {}

    def __call__(self, word: object, default: str | None = None) -> str:
        t = map_sample_type(word)
        if t is not None:
            return t
        if (word is None or not str(word).strip()) and default is not None:
            return default
        key = "" if word is None else str(word).strip()
        self.unknown[key] = self.unknown.get(key, 0) + 1
        return "unknown"

    def map_all(self, words: Sequence[object]) -> list[str]:
        """``[self(w) for w in words]``, looking each distinct word up once (long exports
        repeat one word per analyte line); unknown words are still counted per occurrence.

        Parameters
        ----------
        words
            The vendor's sample-type words, one per row.

        Returns
        -------
        list of str
            labtox sample types, one per row (``unknown`` for words not in the vocabulary).

        Examples
        --------
        >>> m = SampleTypeMapper()
        >>> m.map_all(["CalBlk", "Samp", "Samp", "Zzz", "Zzz"])
        ['calibration_blank', 'sample', 'sample', 'unknown', 'unknown']
        >>> m.unknown
        {'Zzz': 2}
        """
        seen: dict[object, str] = {}
        out = []
        for w in words:
            if w not in seen:
                seen[w] = self(w)
            elif seen[w] == "unknown":
                key = "" if w is None else str(w).strip()
                self.unknown[key] = self.unknown.get(key, 0) + 1
            out.append(seen[w])
        return out

    def warnings(self) -> list[str]:
        return [
            f"sample type {w!r} is not in labtox's vocabulary ({n} injection(s) kept as 'unknown'); "
            "add it to labtox/data/sample_types.csv or fix the export"
            for w, n in self.unknown.items()
        ]


def resolve_label(label: str) -> LabelMatch | None:
    """Resolve an analyte label, or ``None`` when it is not a known analyte."""
    return try_parse_label(label)


class AnalyteResolver:
    """Resolves labels for one file; labels not in the vocabulary are kept as written, with a
    warning (a method later decides whether it needs them)."""

    def __init__(self) -> None:
        self.unresolved: list[str] = []
        self._cache: dict[str, tuple[str, str, bool]] = {}

    def __call__(self, label: str) -> tuple[str, str, bool]:
        """Return ``(analyte, channel, is_istd)``."""
        if label in self._cache:
            return self._cache[label]
        hit = resolve_label(label)
        if hit is None:
            clean = re.sub(r"\s+", " ", str(label)).strip()
            out = (clean, clean, bool(re.search(r"\bISTD\b|\(IS\)", clean, re.I)))
            self.unresolved.append(clean)
        else:
            out = (hit.analyte.name, hit.channel, hit.istd)
        self._cache[label] = out
        return out

    def warnings(self) -> list[str]:
        if not self.unresolved:
            return []
        names = ", ".join(repr(u) for u in self.unresolved[:10])
        more = f" and {len(self.unresolved) - 10} more" if len(self.unresolved) > 10 else ""
        return [f"{len(self.unresolved)} analyte label(s) not in labtox's vocabulary, kept as "
                f"written: {names}{more}"]
