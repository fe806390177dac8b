"""The sample register: one row per sample with where, when and what was sampled.

A register is a CSV (any delimiter, UTF-8/UTF-16/cp1252, CR/LF/CRLF) or an XLSX sheet with one
header row. Its columns are mapped onto labtox's names through a small synonym table
(:data:`HEADER_SYNONYMS`), so ``"Fat %"``, ``"fat, %"``, ``"Fat (%)"``, ``"fat_pct"`` and
``"Жирность, %"`` all become ``fat_pct``. Columns labtox does not know are kept as written
(and listed in ``DataFrame.attrs["unmapped_columns"]``), a column with a blank header cell
that holds values as ``column_<n>`` (n = 1-based position, with a warning); lines whose
first cell starts with
``#`` are comments (kept in ``attrs["comments"]``); completely empty lines are skipped.

Output columns (always present, in this order, then any unmapped columns):

============== ======= ==========================================================
column         dtype   meaning
============== ======= ==========================================================
sample_id      str     the laboratory's sample code (unique, not empty)
site           str     sampling site
latitude       float   WGS84 decimal degrees, in [-90, 90]
longitude      float   WGS84 decimal degrees, in [-180, 180]
sampling_date  str     ISO 8601 date (or date-time) or None
species        str     e.g. Bactrian, dromedary, hybrid
product        str     e.g. raw milk, shubat
fat_pct        float   fat content, % (g/100 g), in (0, 100]
dry_matter_pct float   dry matter, % (g/100 g), in (0, 100]
sample_mass_g  float   test portion mass, g (> 0)
sample_volume_ml float test portion volume, mL (> 0)
final_volume_ml float  volume after digestion/extraction make-up, mL (> 0)
aliases        str     other ids the sample carries in exports, ``|``-separated
notes          str     free text
source_line    str     text line (``"12"``) or ``"Sheet1!R12"`` for workbooks
============== ======= ==========================================================

Every problem (empty or duplicate ``sample_id``, coordinates out of range, percentages not in
(0, 100], non-positive masses or volumes, unreadable numbers or dates) is collected and raised
at once in one :class:`~labtox.errors.SchemaError` naming the file and each line.

What other labs' registers look like, and how each is read:

- **Header spellings** in English, Russian and Kazakh (``Код пробы``, ``№ пробы``, ``Сынама
  коды``, ``Место отбора проб``, ``Ендік``/``Бойлық``, ``МДЖ``, ``Сынама массасы``, …).
- **Units in headers** (``Навеска, мг``, ``Sample mass (g)``, ``Конечный объем, л``, ``Dry
  matter, g/kg``): values are converted to g, mL or % (with a warning saying so); a unit that is
  not understood is a :class:`~labtox.errors.ParseError`, never ignored. Units written in the
  cells (``0.5 g``, ``10 мл``, ``4.2 %``) are read too. A ``Sample amount`` column goes to
  ``sample_mass_g`` or ``sample_volume_ml`` by the unit of the header or of each cell; a bare
  number there is a problem, not a guess.
- **Coordinates** in decimal degrees or degrees-minutes-seconds (``43°39'00"N``, ``N 43 39
  00``, ``43°39′ с.ш.``, ``52°51′ ш.б.``), S/W negative (:func:`parse_coordinate`); one
  ``Coordinates``/``Координаты`` column is split into latitude and longitude.
- **Dates**: every style :func:`~labtox.io._common.parse_dates` reads, plus Russian and Kazakh
  month names (``2 мая 2024 г.``, ``2 мамыр 2024 ж.``) and workbook date cells (a datetime at
  midnight is a date). A column written only ``dd.mm.yyyy`` is day-first (a dotted numeric
  date is day-first in every locale) and ``attrs["date_rule"]`` says so; a format hint in the
  header (``Date (mm/dd/yyyy)``, ``Дата (дд.мм.гггг)``) decides slashed dates; otherwise an
  undecidable column is a problem (pass ``dayfirst=``).
- **Title lines** above the header (``Реестр проб 2024``): the header is the first of the first
  lines that names a sample-id column; the lines above are kept in ``attrs["preamble"]``.
- **Two columns for one field**: a bare generic header (``Дата``, ``Date``, ``ID``) yields to
  the specific one (``Дата отбора проб``) and is kept as written; two specific ones are an error.
- **Encodings**: as :func:`~labtox.io._common.decode_bytes`, plus cp1251 (Russian Windows
  CSV), recognised by its Cyrillic byte runs; ``attrs["encoding"]`` names it.
- Decimal commas: in ``;``-separated files and in workbook cells stored as text.

``attrs["warnings"]`` lists every conversion and decision made.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path

import pandas as pd

from labtox.errors import LabtoxError, ParseError, SchemaError, SchemaProblem
from labtox.io._common import decode_bytes, parse_dates, parse_number, sniff_delimiter

__all__ = ["read_register", "REGISTER_COLUMNS", "HEADER_SYNONYMS", "alias_index",
           "normalise_header", "parse_coordinate"]

REGISTER_COLUMNS: tuple[str, ...] = (
    "sample_id", "site", "latitude", "longitude", "sampling_date", "species", "product",
    "fat_pct", "dry_matter_pct", "sample_mass_g", "sample_volume_ml", "final_volume_ml",
    "aliases", "notes",
)
"""The register's columns, in output order (``source_line`` follows)."""

_FLOAT_COLUMNS = ("latitude", "longitude", "fat_pct", "dry_matter_pct", "sample_mass_g",
                  "sample_volume_ml", "final_volume_ml")

HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "sample_id": ("sample id", "sample", "sample code", "sample no", "sample number", "id",
                  "lab id", "lab code", "sample name", "code", "sample #", "sample no.",
                  "lab no", "lab number", "lab sample id", "laboratory id", "sample ref",
                  "код образца", "шифр", "шифр образца", "номер образца", "код пробы",
                  "шифр пробы", "номер пробы", "№ пробы", "№ образца", "идентификатор",
                  "идентификатор пробы", "лабораторный номер", "рег номер",
                  "үлгі коды", "үлгі нөмірі", "сынама коды", "сынама нөмірі", "сынаманың коды",
                  "үлгінің коды", "зертханалық нөмір"),
    "site": ("site", "location", "sampling site", "sampling location", "place", "farm",
             "locality", "sampling point", "sampling place", "village", "settlement",
             "место отбора", "место", "пункт отбора", "место отбора проб", "место отбора пробы",
             "точка отбора", "населенный пункт", "хозяйство", "ферма",
             "орны", "алу орны", "сынама алынған жер", "сынама алу орны", "елді мекен",
             "шаруашылық"),
    "latitude": ("latitude", "lat", "latitude °", "latitude deg", "latitude n", "lat n",
                 "latitude dd", "gps n", "gps lat", "широта", "широта n", "с ш", "ендік",
                 "солтүстік ендік"),
    "longitude": ("longitude", "lon", "long", "lng", "longitude °", "longitude deg",
                  "longitude e", "lon e", "longitude dd", "gps e", "gps lon", "долгота",
                  "долгота e", "в д", "бойлық", "шығыс бойлық"),
    "sampling_date": ("sampling date", "date", "date sampled", "collection date",
                      "date of sampling", "sample date", "sampled", "date of collection",
                      "sampling day", "дата отбора", "дата", "дата отбора проб",
                      "дата отбора пробы", "дата взятия", "дата взятия пробы",
                      "сынама алу күні", "сынама алынған күн", "алу күні", "күні"),
    "species": ("species", "animal", "animal species", "camel species", "вид", "вид животного",
                "животное", "вид верблюда", "түрі", "жануар түрі", "жануардың түрі",
                "түйе түрі"),
    "product": ("product", "matrix", "product type", "commodity", "sample type", "food",
                "продукт", "продукция", "вид продукции", "вид продукта", "матрица",
                "наименование продукции", "өнім", "өнім түрі", "өнімнің түрі"),
    "fat_pct": ("fat %", "fat pct", "fat", "fat content", "fat content %", "fat percent",
                "fat g 100 g", "fat g 100g", "жирность %", "жирность", "жир %", "жир",
                "массовая доля жира %", "массовая доля жира", "мдж", "мдж %",
                "майлылығы %", "майлылығы", "май", "майдың массалық үлесі"),
    "dry_matter_pct": ("dry matter %", "dry matter pct", "dry matter", "dm %", "dm",
                       "total solids %", "total solids", "dry matter content",
                       "сухое вещество %", "сухое вещество", "сухие вещества %",
                       "сухие вещества", "массовая доля сухих веществ", "св",
                       "құрғақ зат %", "құрғақ зат", "құрғақ заттың массалық үлесі"),
    "sample_mass_g": ("sample mass g", "sample mass", "mass g", "mass", "sample weight g",
                      "sample weight", "weight g", "test portion g", "weight", "test portion mass",
                      "навеска г", "навеска", "масса навески г", "масса навески", "масса пробы",
                      "масса", "вес пробы", "сынама массасы", "өлшенді", "өлшендінің массасы",
                      "масса г"),
    "sample_volume_ml": ("sample volume ml", "sample volume", "volume ml", "test portion ml",
                         "test portion volume", "объем пробы мл", "объём пробы мл",
                         "объем пробы", "объём пробы", "объем образца", "объем аликвоты",
                         "сынама көлемі", "аликвота көлемі"),
    "final_volume_ml": ("final volume ml", "final volume", "made up to ml", "make up volume ml",
                        "dilution volume ml", "make up volume", "made up to", "extract volume",
                        "конечный объем мл", "конечный объём мл", "конечный объем",
                        "конечный объём", "объем разведения", "доведено до", "соңғы көлем",
                        "соңғы көлемі"),
    "aliases": ("aliases", "alias", "other ids", "other id", "plate id", "export ids",
                "синонимы", "другие коды"),
    "notes": ("notes", "note", "comment", "comments", "remarks", "remark", "примечание",
              "примечания", "комментарий", "комментарии", "замечания", "ескерту", "ескертпе",
              "түсініктеме"),
}
"""labtox column → accepted header spellings (compared after :func:`normalise_header`)."""


def normalise_header(text: object) -> str:
    """Fold a header for synonym look-up: case-folded, ``_``/punctuation to spaces, ``%`` kept.

    Examples
    --------
    >>> normalise_header("Fat, %")
    'fat %'
    >>> normalise_header("Sample_Mass (g)")
    'sample mass g'
    """
    s = str(text or "").replace("\ufeff", "").casefold().replace("ё", "е")
    s = s.replace("µ", "u").replace("μ", "u")
    s = re.sub(r"[^\w%]+|_", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def _synonym_lookup() -> dict[str, str]:
    out: dict[str, str] = {}
    for col, words in HEADER_SYNONYMS.items():
        out[normalise_header(col)] = col
        for w in words:
            out[normalise_header(w)] = col
    return out


_LOOKUP = _synonym_lookup()


# ------------------------------------------------------------------ header units and hints
_UNIT_FACTORS: dict[str, dict[str, float]] = {
    "mass": {"g": 1.0, "gr": 1.0, "г": 1.0, "гр": 1.0, "mg": 1e-3, "мг": 1e-3, "kg": 1e3,
             "кг": 1e3, "ug": 1e-6, "мкг": 1e-6},
    "volume": {"ml": 1.0, "мл": 1.0, "cm3": 1.0, "см3": 1.0, "l": 1e3, "л": 1e3, "ul": 1e-3,
               "мкл": 1e-3, "dl": 100.0, "дл": 100.0},
    "pct": {"%": 1.0, "g/100g": 1.0, "г/100г": 1.0, "pct": 1.0, "percent": 1.0,
            "%w/w": 1.0, "%m/m": 1.0, "g/kg": 0.1, "г/кг": 0.1, "mg/g": 0.1, "мг/г": 0.1},
}
_COLUMN_KIND = {"sample_mass_g": "mass", "sample_volume_ml": "volume",
                "final_volume_ml": "volume", "fat_pct": "pct", "dry_matter_pct": "pct"}
# words that only say "degrees" or name the datum: no conversion
_COORD_UNITS = {"°", "deg", "degree", "degrees", "град", "градус", "градусы", "dd",
                "decimal degrees", "wgs84", "wgs 84", "n", "e", "°n", "°e", "с.ш.", "в.д.",
                "с ш", "в д", "n/s", "e/w"}
# 'sample amount' columns: mass or volume, decided by the unit of the header or of each cell
_AMOUNT = {"sample amount", "amount", "test portion", "portion", "aliquot", "sample size",
           "sample mass or volume", "sample mass volume", "mass or volume", "mass volume",
           "количество пробы", "навеска объем", "навеска или объем", "аликвота",
           "сынама мөлшері"}
# one-word headers that yield to a more specific header of the same field
_GENERIC = {"id", "code", "sample", "date", "mass", "weight", "fat", "dm", "св", "место",
            "дата", "масса", "жир", "май", "вид", "түрі", "күні", "орны", "шифр", "note",
            "place", "location", "animal", "matrix", "product", "продукт", "өнім"}


def _unit_key(text: str) -> str:
    t = str(text).casefold().replace("µ", "u").replace("μ", "u").replace("³", "3")
    return re.sub(r"\s+", "", t).strip(".")


def _split_header(h: str) -> tuple[str, str | None]:
    """``"Навеска, мг"`` → ``("навеска", "мг")``; ``"Sample mass (g)"`` → ``("sample mass",
    "g")``; ``"Date (dd.mm.yyyy)"`` → ``("date", "dd.mm.yyyy")``."""
    unit = None
    text = h
    m = re.search(r"[\(\[]([^\)\]]*)[\)\]]\s*$", text)
    if m:
        unit, text = m.group(1).strip(), text[:m.start()]
    else:
        m = re.search(r",\s*([^,]{1,16})$", text)
        if m:
            unit, text = m.group(1).strip(), text[:m.start()]
        else:
            m = re.search(r"\s(%|[a-zA-Zа-яА-Я/.0-9µ]{1,8})$", text.strip())
            if m and (_unit_key(m.group(1)) in {k for f in _UNIT_FACTORS.values() for k in f}):
                unit, text = m.group(1), text.strip()[:m.start()]
    return normalise_header(text), unit


def _date_hint(unit: str | None) -> bool | None:
    """``dd.mm.yyyy``/``дд.мм.гггг`` → day-first; ``mm/dd/yyyy`` → month-first."""
    if not unit:
        return None
    u = unit.casefold()
    if re.match(r"^(dd|дд)[./-]?(mm|мм)", u):
        return True
    if re.match(r"^(mm|мм)[./-]?(dd|дд)", u):
        return False
    return None


# ------------------------------------------------------------------ coordinates
# hemisphere words, anchored so that no letter touches them on either side: the ``се`` of
# ``сек`` (seconds) or the ``сш`` inside a word is not a hemisphere
_WORD = r"(?<![^\W\d_])(?:{})(?![^\W\d_])"
_HEMI = [
    (re.compile(_WORD.format(r"с\.?\s*ш\.?|сш|солт\.?\s*е\.?|с\.?\s*е\.?"), re.I), "N"),
    (re.compile(_WORD.format(r"ю\.?\s*ш\.?|оңт\.?\s*е\.?|о\.?\s*е\.?"), re.I), "S"),
    (re.compile(_WORD.format(r"в\.?\s*д\.?|вд|ш\.?\s*б\.?"), re.I), "E"),
    (re.compile(_WORD.format(r"з\.?\s*д\.?|зд|б\.?\s*б\.?"), re.I), "W"),
]


def parse_coordinate(value: object, axis: str, decimal: str = ".") -> float:
    """One coordinate in decimal degrees from decimal degrees or degrees-minutes-seconds.

    Accepts ``43.65``, ``-51.2``, ``43,65`` (``decimal=","``), ``43°39'00"N``,
    ``43° 39.5' N``, ``N 43 39 00``, ``51°10′12″ E``, ``43°39′ с.ш.`` (Russian), ``51°10′ ш.б.``
    (Kazakh), ``43 град 39 мин 00 сек с.ш.``. ``S``/``W`` (ю.ш., з.д.) or a leading minus
    give negative values; a minus together with ``N``/``E`` is a contradiction, not a
    guess.

    Parameters
    ----------
    value
        The cell: a number (returned as it is) or the text of one coordinate.
    axis
        ``"latitude"`` or ``"longitude"``: the hemisphere letters allowed (``N``/``S`` or
        ``E``/``W``).
    decimal
        Decimal separator of the file (``","`` reads ``43,65`` as 43.65).

    Returns
    -------
    float
        Decimal degrees, negative south and west, rounded to 10 decimals.

    Raises
    ------
    ValueError
        Not a coordinate, minutes or seconds not below 60, a hemisphere letter of the
        other axis (``E`` in a latitude), or a minus sign with a ``N``/``E`` hemisphere
        (``-43°39' N``). :func:`read_register` turns it into a problem of its
        :class:`~labtox.errors.SchemaError`.

    References
    ----------
    ISO 6709:2008, *Standard representation of geographic point location by coordinates*
    (degrees, minutes, seconds; north and east positive).

    Examples
    --------
    >>> parse_coordinate("43°39'00\\"N", "latitude")
    43.65
    >>> round(parse_coordinate("51°10′12″ E", "longitude"), 4)
    51.17
    >>> parse_coordinate("12°30' W", "longitude")
    -12.5
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    t = str(value).strip()
    hemi = None
    for rx, h in _HEMI:
        m = rx.search(t)
        if m and not re.search(r"\d", m.group(0)):
            hemi, t = h, (t[:m.start()] + " " + t[m.end():]).strip()
            break
    m = re.match(r"^([NSEWnsew])\s*(.*)$", t) or re.match(r"^(.*?)\s*([NSEWnsew])$", t)
    if hemi is None and m:
        if m.group(1).upper() in "NSEW" and len(m.group(1)) == 1:
            hemi, t = m.group(1).upper(), m.group(2)
        else:
            hemi, t = m.group(2).upper(), m.group(1)
    if hemi is not None:
        if (axis == "latitude") != (hemi in "NS"):
            raise ValueError(f"hemisphere {hemi} does not belong to a {axis}")
    if decimal == ",":
        t = re.sub(r"(\d),(\d)", r"\1.\2", t)
    sign = -1.0 if t.startswith("-") else 1.0
    if sign < 0 and hemi in ("N", "E"):
        raise ValueError(f"a minus sign contradicts the hemisphere {hemi}")
    t = t.lstrip("+-").strip()
    nums = re.findall(r"\d+(?:\.\d+)?", t)
    rest = re.sub(r"\d+(?:\.\d+)?|[°º˚'’′\"”″:\s]|''|град|мин|сек", "", t)
    if not nums or len(nums) > 3 or rest:
        raise ValueError("not a coordinate")
    d = float(nums[0])
    mnt = float(nums[1]) if len(nums) > 1 else 0.0
    sec = float(nums[2]) if len(nums) > 2 else 0.0
    if mnt >= 60 or sec >= 60:
        raise ValueError("minutes and seconds must be below 60")
    if len(nums) > 1 and not d.is_integer():
        raise ValueError("degrees with a fraction and minutes")
    v = sign * (d + mnt / 60 + sec / 3600)
    if hemi in ("S", "W"):
        v = -abs(v)
    return round(v, 10)


def _split_pair(value: object, decimal: str) -> tuple[str, str]:
    """A combined coordinate cell ``43.65, 51.17`` / ``43°39'N 51°10'E`` → two parts."""
    t = str(value).strip()
    m = re.match(r"^(.*?[NSns]|.*?(?:с\.?\s*ш\.?|ю\.?\s*ш\.?))[\s,;/]+(.+)$", t)
    if m:
        return m.group(1), m.group(2)
    for sep in (";", "/", "|") + ((",",) if decimal == "." else ()):
        if t.count(sep) == 1:
            a, b = t.split(sep)
            return a, b
    parts = t.split()
    if len(parts) == 2:
        return parts[0], parts[1]
    raise ValueError("not a 'latitude, longitude' pair")


_COMBINED = {"coordinates", "coordinate", "gps", "gps coordinates", "lat lon", "lat long",
             "latitude longitude", "координаты", "координаты gps", "gps координаты",
             "географические координаты", "координаттар", "gps координаттары"}

# ------------------------------------------------------------------ dates
def _date_text(v: object) -> object:
    """Workbook dates at midnight → ``YYYY-MM-DD``; a trailing ``г.``/``ж.`` (year) dropped
    (Russian and Kazakh month names are known to :func:`~labtox.io._common.parse_dates`)."""
    import datetime as _dt

    if isinstance(v, _dt.datetime):
        return v.date().isoformat() if v.time() == _dt.time(0) else v
    if isinstance(v, _dt.date):
        return v.isoformat()
    if not isinstance(v, str):
        return v
    t = v.strip()
    return re.sub(r"(\d{4})\s*(г|ж|жыл)\.?(?=\s|$)", r"\1", t)


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == ""


_ENCODING: dict[str, str] = {}


def _rows_from_csv(path: Path, delimiter: str | None) -> tuple[list[list[object]], list[str], str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror}.", path=path) from None
    text, enc = decode_bytes(raw, path)  # cp1251 (Russian Windows) is recognised there
    _ENCODING[str(path)] = enc
    lines = text.split("\n")
    delim = delimiter or sniff_delimiter([ln for ln in lines if not ln.lstrip().startswith("#")])
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    rows: list[list[object]] = []
    locs: list[str] = []
    start = 1
    try:
        for row in reader:
            rows.append(list(row))
            locs.append(str(start))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ParseError(f"the CSV structure is broken ({exc}).", path=path,
                         line=reader.line_num, expected="well-formed CSV quoting") from None
    return rows, locs, delim


def _rows_from_xlsx(path: Path, sheet: str | int | None) -> tuple[list[list[object]], list[str]]:

    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, InvalidFileException, KeyError ...
        raise ParseError(f"the workbook cannot be opened ({exc.__class__.__name__}: {exc}).",
                         path=path, expected="an .xlsx workbook") from None
    try:
        names = wb.sheetnames
        if sheet is None:
            # the first sheet whose first lines name a sample-id column (a workbook may open
            # on an instructions or summary sheet); else the first sheet
            ws = wb.worksheets[0]
            for cand in wb.worksheets:
                head = [list(r) for r in cand.iter_rows(max_row=15, values_only=True)]
                if any(_maps_sample_id(r, {}) for r in head):
                    ws = cand
                    break
        elif isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise ParseError("no such sheet.", path=path, expected=f"a sheet index 0..{len(names) - 1}",
                                 found=sheet)
            ws = wb.worksheets[sheet]
        else:
            if sheet not in names:
                raise ParseError("no such sheet.", path=path, expected=f"one of {names}",
                                 found=sheet)
            ws = wb[sheet]
        rows, locs = [], []
        for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
            rows.append(list(row))
            locs.append(f"{ws.title}!R{i}")
    except LabtoxError:
        raise
    except Exception as exc:  # corrupt sheet XML inside a valid zip
        raise ParseError(f"the workbook cannot be read ({exc.__class__.__name__}: {exc}).",
                         path=path, expected="an .xlsx workbook") from None
    finally:
        wb.close()
    return rows, locs


def _line_no(loc: str) -> int | None:
    m = re.search(r"(\d+)$", loc)
    return int(m.group(1)) if m else None


def read_register(
    path: str | PathLike[str],
    *,
    sheet: str | int | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    dayfirst: bool | None = None,
    columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read and validate a sample register (CSV or XLSX).

    Parameters
    ----------
    path
        The register file (``.csv``, ``.txt``, ``.tsv`` or ``.xlsx``).
    sheet
        Sheet name or 0-based index for workbooks (default: the first sheet).
    delimiter
        CSV delimiter; sniffed among ``, ; TAB |`` when ``None``.
    decimal
        ``"."`` or ``","``; when ``None``, ``","`` is used for ``;``-separated files whose
        numbers are written with a decimal comma, else ``"."``.
    dayfirst
        How to read ambiguous dates such as ``03/04/2024``; when ``None`` the column decides
        (a day above 12 anywhere) and an undecidable column is reported as a problem.
    columns
        Extra header spellings ``{"header in file": "labtox column"}`` for this file.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REGISTER_COLUMNS` + ``source_line`` (+ unmapped columns as written).
        ``attrs`` holds ``path``, ``comments``, ``unmapped_columns``, ``header_map`` and
        ``date_rule``.

    Raises
    ------
    ParseError
        Unreadable file, no header row, or no ``sample_id`` column.
    SchemaError
        Listing every invalid cell (file, line, column, check, value) at once.

    References
    ----------
    WGS 84 coordinate ranges: NIMA TR8350.2 (2000), *Department of Defense World Geodetic
    System 1984*; dates as ISO 8601-1:2019. The collect-all-problems validation follows the
    pandera "lazy validation" design.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "reg.csv"
    >>> _ = p.write_text("Sample ID,Site,Lat,Lon,Date,Fat %\\nMNG-001,Aktau,43.65,51.17,2024-05-02,4.1\\n")
    >>> reg = read_register(p)
    >>> reg.loc[0, "sample_id"], float(reg.loc[0, "fat_pct"]), reg.loc[0, "sampling_date"]
    ('MNG-001', 4.1, '2024-05-02')
    """
    p = Path(path)
    if not p.exists():
        raise ParseError("the register file does not exist.", path=p)
    if p.is_dir():
        raise ParseError("this is a folder, not a register file.", path=p)
    with open(p, "rb") as fh:
        magic = fh.read(4)
    delim = ""
    if magic == b"PK\x03\x04":
        rows, locs = _rows_from_xlsx(p, sheet)
    elif magic == b"\xd0\xcf\x11\xe0":
        raise ParseError("legacy .xls workbooks are not supported.", path=p,
                         expected="CSV or .xlsx", hint="Save the register as .xlsx or CSV.")
    else:
        rows, locs, delim = _rows_from_csv(p, delimiter)

    comments: list[str] = []
    warnings: list[str] = []
    extra = {normalise_header(k): v for k, v in (columns or {}).items()}
    for v in extra.values():
        if v not in REGISTER_COLUMNS:
            raise LabtoxError(f"unknown register column {v!r} in columns=.",
                              expected=f"one of {', '.join(REGISTER_COLUMNS)}")
    candidates: list[int] = []
    for i, row in enumerate(rows):
        if not row or all(_is_blank(c) for c in row):
            continue
        first = "" if row[0] is None else str(row[0]).strip()
        if first.startswith("#"):
            continue
        candidates.append(i)
        if len(candidates) >= 15:
            break
    if not candidates:
        raise ParseError("the register has no header row.", path=p,
                         expected="a header row with at least a sample_id column")
    # the header is the first row that names a sample-id column (title lines may sit above it)
    header_idx = next((i for i in candidates if _maps_sample_id(rows[i], extra)), candidates[0])
    preamble = []
    for row in rows[:header_idx]:
        if not row or all(_is_blank(c) for c in row):
            continue
        text = " ".join(str(c).strip() for c in row if not _is_blank(c))
        if text.startswith("#"):
            comments.append(text)
        else:
            preamble.append(text)
    if preamble:
        warnings.append(f"{len(preamble)} title line(s) above the header kept in "
                        "attrs['preamble']: " + "; ".join(preamble[:3]))

    header = ["" if c is None else str(c).strip() for c in rows[header_idx]]
    header_line = _line_no(locs[header_idx])
    mapping: dict[int, str] = {}
    factors: dict[str, float] = {}
    amount_cols: list[tuple[int, str | None]] = []
    combined_col: int | None = None
    date_hint: bool | None = None
    found: dict[str, list[int]] = {}
    blank_cols: list[int] = []
    for j, h in enumerate(header):
        if not h:
            blank_cols.append(j)
            continue
        key = normalise_header(h)
        col = extra.get(key) or _LOOKUP.get(key)
        unit = None
        base = key
        if col is None:
            base, unit = _split_header(h)
            col = extra.get(base) or _LOOKUP.get(base)
        if col is None and base in _AMOUNT:
            amount_cols.append((j, unit))
            continue
        if col is None and (key in _COMBINED or base in _COMBINED):
            combined_col = j
            continue
        if col is None:
            mapping[j] = h
            continue
        if unit is not None:
            kind = _COLUMN_KIND.get(col)
            if kind is not None:
                f = _UNIT_FACTORS[kind].get(_unit_key(unit))
                if f is None:
                    raise ParseError(
                        f"the unit in header {h!r} is not understood for {col}.", path=p,
                        line=header_line, column=h,
                        expected=f"one of {', '.join(sorted(_UNIT_FACTORS[kind]))}",
                        found=unit)
                if f != 1.0:
                    factors[col] = f
                    warnings.append(f"{h!r} is in {unit}: values converted to {col} "
                                    f"(× {f:g})")
            elif col == "sampling_date":
                date_hint = _date_hint(unit)
            elif col in ("latitude", "longitude") and _unit_key(unit) not in {
                    _unit_key(x) for x in _COORD_UNITS}:
                warnings.append(f"header {h!r}: {unit!r} read as a note on the coordinates")
        found.setdefault(col, []).append(j)
        mapping[j] = col
    for col, js in found.items():
        if len(js) < 2:
            continue
        specific = [j for j in js if normalise_header(header[j]) not in _GENERIC]
        if len(specific) == 1:
            for j in js:
                if j != specific[0]:
                    mapping[j] = header[j]  # the generic one stays a column of its own
                    warnings.append(f"column {header[j]!r} kept as written: {header[specific[0]]!r} "
                                    f"is the {col} column")
            found[col] = specific
            continue
        raise ParseError(
            f"two columns map to {col!r}: {header[js[0]]!r} and {header[js[1]]!r}.", path=p,
            line=header_line, column=header[js[1]], expected="one column per register field",
            hint="Rename or remove one of them.")
    seen = {col: js[0] for col, js in found.items()}
    unmapped = [h for j, h in mapping.items() if h == header[j] and h not in REGISTER_COLUMNS
                and j not in seen.values()]
    if "sample_id" not in seen:
        raise ParseError(
            "the register has no sample id column.", path=p, line=header_line,
            expected="a column named sample_id (or 'Sample ID', 'Sample', 'Lab ID' ...)",
            found=", ".join(h for h in header if h) or "(empty header)")

    data: list[list[object]] = []
    data_locs: list[str] = []
    for row, loc in zip(rows[header_idx + 1:], locs[header_idx + 1:], strict=True):
        if not row or all(_is_blank(c) for c in row):
            continue
        first = "" if row[0] is None else str(row[0]).strip()
        if first.startswith("#"):
            comments.append(" ".join(str(c) for c in row if not _is_blank(c)))
            continue
        data.append(row)
        data_locs.append(loc)

    problems: list[SchemaProblem] = []

    def cell(row: Sequence[object], j: int) -> object:
        return row[j] if j < len(row) else None

    # a column whose header cell is blank but which holds values is kept as column_<n>
    # (n = 1-based position), like any unmapped column; an empty one is padding
    for j in blank_cols:
        vals = [cell(row, j) for row in data]
        if all(_is_blank(v) for v in vals):
            continue
        name = f"column_{j + 1}"
        while name in header or name in REGISTER_COLUMNS:
            name = "_" + name
        header[j] = name
        mapping[j] = name
        unmapped.append(name)
        k = next(r for r, v in enumerate(vals) if not _is_blank(v))
        warnings.append(f"column {j + 1} has no header but holds values (line {data_locs[k]}: "
                        f"{str(vals[k])[:40]!r}); kept as column {name!r}")

    width = len(header)
    while width > 0 and not header[width - 1]:
        width -= 1
    for r, (row, loc) in enumerate(zip(data, data_locs, strict=True)):
        overflow = [c for c in row[width:] if not _is_blank(c)]
        if overflow:
            problems.append(SchemaProblem(r, "(beyond the header)",
                                          "the line has more cells than the header", overflow[0], loc))

    cols: dict[str, list[object]] = {}
    for j, name in mapping.items():
        if name in REGISTER_COLUMNS and seen.get(name) != j:
            continue
        cols[name] = [cell(row, j) for row in data]

    if decimal is None:
        probe = dict(cols)
        for j, _u in amount_cols:
            probe[f"amount{j}"] = [cell(row, j) for row in data]
        if combined_col is not None:
            probe["coords"] = [cell(row, combined_col) for row in data]
        decimal = "," if _looks_decimal_comma(probe, delim or ";") else "."

    n = len(data)
    # combined 'Coordinates' column → latitude and longitude
    if combined_col is not None:
        name = header[combined_col]
        if "latitude" in seen or "longitude" in seen:
            mapping[combined_col] = name
            unmapped.append(name)
            cols[name] = [cell(row, combined_col) for row in data]
            warnings.append(f"column {name!r} kept as written: the register has latitude/"
                            "longitude columns")
        else:
            lat_cells: list[object] = []
            lon_cells: list[object] = []
            for r, row in enumerate(data):
                v = cell(row, combined_col)
                if _is_blank(v):
                    lat_cells.append(None)
                    lon_cells.append(None)
                    continue
                try:
                    a, b = _split_pair(v, decimal)
                except ValueError as exc:
                    problems.append(SchemaProblem(r, name, f"must be a coordinate pair ({exc})",
                                                  v, data_locs[r]))
                    a = b = None
                lat_cells.append(a)
                lon_cells.append(b)
            cols["latitude"], cols["longitude"] = lat_cells, lon_cells
            warnings.append(f"column {name!r} split into latitude and longitude")
    # 'sample amount' columns → mass or volume by unit
    for j, unit in amount_cols:
        name = header[j]
        kind_h = _unit_kind(unit) if unit else None
        for target in ("sample_mass_g", "sample_volume_ml"):
            cols.setdefault(target, [None] * n)
        for r, row in enumerate(data):
            v = cell(row, j)
            if _is_blank(v):
                continue
            num, u = _number_and_unit(v, decimal)
            kind = _unit_kind(u) if u else kind_h
            if num is None or kind not in ("mass", "volume"):
                problems.append(SchemaProblem(
                    r, name, "must be a mass or a volume with its unit (e.g. '0.5 g', "
                    "'10 mL')", v, data_locs[r]))
                continue
            f = _UNIT_FACTORS[kind][_unit_key(u or unit or "")]
            target = "sample_mass_g" if kind == "mass" else "sample_volume_ml"
            if not _is_blank(cols[target][r]):
                problems.append(SchemaProblem(r, name, f"{target} is given twice", v,
                                              data_locs[r]))
                continue
            cols[target][r] = num * f
        warnings.append(f"column {name!r} read as sample mass or volume by its unit")

    out: dict[str, list[object]] = {}
    # text columns
    for name in ("sample_id", "site", "species", "product", "aliases", "notes"):
        vals = cols.get(name, [None] * n)
        out[name] = [None if _is_blank(v) else _text(v) for v in vals]
    ids = out["sample_id"]
    first_seen: dict[str, str] = {}
    for r, sid in enumerate(ids):
        if sid is None:
            problems.append(SchemaProblem(r, "sample_id", "must not be empty", cols["sample_id"][r],
                                          data_locs[r]))
        elif sid in first_seen:
            problems.append(SchemaProblem(r, "sample_id",
                                          f"must be unique (first seen on line {first_seen[sid]})",
                                          sid, data_locs[r]))
        else:
            first_seen[sid] = data_locs[r]
    out["aliases"] = [None if a is None else "|".join(x.strip() for x in a.split("|") if x.strip())
                      for a in out["aliases"]]
    # numbers
    checks = {
        "latitude": (lambda v: -90 <= v <= 90, "must be a latitude in [-90, 90] degrees"),
        "longitude": (lambda v: -180 <= v <= 180, "must be a longitude in [-180, 180] degrees"),
        "fat_pct": (lambda v: 0 < v <= 100, "must be a percentage in (0, 100]"),
        "dry_matter_pct": (lambda v: 0 < v <= 100, "must be a percentage in (0, 100]"),
        "sample_mass_g": (lambda v: v > 0, "must be a positive mass in g"),
        "sample_volume_ml": (lambda v: v > 0, "must be a positive volume in mL"),
        "final_volume_ml": (lambda v: v > 0, "must be a positive volume in mL"),
    }
    for name in _FLOAT_COLUMNS:
        vals = cols.get(name, [None] * n)
        ok, why = checks[name]
        parsed: list[float] = []
        for r, v in enumerate(vals):
            if _is_blank(v):
                parsed.append(math.nan)
                continue
            if name in ("latitude", "longitude"):
                try:
                    num = parse_coordinate(v, name, decimal)
                except ValueError as exc:
                    problems.append(SchemaProblem(
                        r, name, f"must be a number or degrees-minutes-seconds ({exc})", v,
                        data_locs[r]))
                    parsed.append(math.nan)
                    continue
            else:
                num, flag = parse_number(v, decimal)
                if flag is not None and isinstance(v, str):
                    num, f = _cell_with_unit(v, decimal, _COLUMN_KIND.get(name))
                    flag = None if num is not None else flag
                    if num is not None and f is not None:
                        num = num * f / factors.get(name, 1.0)
                if flag is not None or num is None or not math.isfinite(num):
                    problems.append(SchemaProblem(r, name, "must be a number", v, data_locs[r]))
                    parsed.append(math.nan)
                    continue
                num = num * factors.get(name, 1.0)
            if not ok(num):
                problems.append(SchemaProblem(r, name, why, v, data_locs[r]))
            parsed.append(num)
        out[name] = parsed
    # dates
    date_cells = [_date_text(v) for v in cols.get("sampling_date", [None] * n)]
    dayfirst_used = dayfirst if dayfirst is not None else date_hint
    dotted = dayfirst_used is None and _all_dotted(date_cells)
    if dotted:
        dayfirst_used = True
        warnings.append("sampling dates written dd.mm.yyyy (dotted) read day-first")
    out["sampling_date"], date_rule = _dates(date_cells, data_locs, dayfirst_used, p, problems)
    if dayfirst is None and date_hint is not None:
        date_rule = f"{'day' if date_hint else 'month'}-first (header format hint)"
    elif dotted:
        date_rule = "day-first (dotted dd.mm.yyyy style)"

    if problems:
        problems.sort(key=lambda q: (q.row if q.row is not None else -1))
        raise SchemaError("register", problems, path=p)

    df = pd.DataFrame({c: out[c] for c in REGISTER_COLUMNS})
    for c in _FLOAT_COLUMNS:
        df[c] = df[c].astype("float64")
    df["source_line"] = data_locs
    for name in unmapped:
        if name in cols:
            df[name] = [None if _is_blank(v) else v for v in cols[name]]
    df.attrs.update({
        "path": str(p), "comments": comments, "unmapped_columns": unmapped,
        "header_map": {header[j]: c for j, c in mapping.items() if c in REGISTER_COLUMNS},
        "date_rule": date_rule, "preamble": preamble, "warnings": warnings,
        "encoding": _ENCODING.pop(str(p), None),
        "decimal": decimal,
    })
    return df


def _maps_sample_id(row: Sequence[object], extra: Mapping[str, str]) -> bool:
    for c in row:
        if _is_blank(c):
            continue
        key = normalise_header(c)
        if (extra.get(key) or _LOOKUP.get(key)) == "sample_id":
            return True
        base, _u = _split_header(str(c))
        if (extra.get(base) or _LOOKUP.get(base)) == "sample_id":
            return True
    return False


def _unit_kind(unit: str | None) -> str | None:
    k = _unit_key(unit or "")
    for kind in ("mass", "volume"):
        if k in _UNIT_FACTORS[kind]:
            return kind
    return None


def _number_and_unit(v: object, decimal: str) -> tuple[float | None, str | None]:
    """``"0,5 g"`` → ``(0.5, "g")``; a bare number → ``(value, None)``."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v), None
    m = re.fullmatch(r"\s*([-+]?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?)\s*([^\d\s].*?)?\s*", str(v))
    if not m:
        return None, None
    num, flag = parse_number(m.group(1), decimal)
    if flag is not None:
        return None, None
    return num, (m.group(2) or None)


def _cell_with_unit(v: str, decimal: str, kind: str | None) -> tuple[float | None, float | None]:
    """A number cell with its unit written after it (``4,1 %``, ``0.5 g``, ``500 mg``):
    ``(number, factor to the column's unit)`` or ``(None, None)``."""
    if kind is None:
        return None, None
    num, unit = _number_and_unit(v, decimal)
    if num is None or unit is None:
        return None, None
    f = _UNIT_FACTORS[kind].get(_unit_key(unit))
    return (num, f) if f is not None else (None, None)


def _all_dotted(cells: Sequence[object]) -> bool:
    """Every written date is numeric ``d.m.y`` (a style that is day-first in every locale)."""
    texts = [c for c in cells if isinstance(c, str) and c.strip()]
    return bool(texts) and all(re.match(r"^\d{1,2}\.\d{1,2}\.\d{2,4}(?!\d)", c.strip())
                               for c in texts)


def _text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _looks_decimal_comma(cols: Mapping[str, list[object]], delim: str) -> bool:
    """A number column holds ``4,1``-style cells (a ``,``-thousands separator has exactly
    three digits after the comma, so ``1,234`` counts only in a ``;``-separated file)."""
    for name in _FLOAT_COLUMNS:
        for v in cols.get(name, []):
            if isinstance(v, str):
                m = re.fullmatch(r"\s*[+-]?\d+,(\d+)\s*", v)
                if m and (len(m.group(1)) != 3 or delim == ";"):
                    return True
    return False


def _dates(cells: list[object], locs: list[str], dayfirst: bool | None, path: Path,
           problems: list[SchemaProblem]) -> tuple[list[str | None], str]:
    """Parse the sampling dates, recording every unreadable cell as a problem."""
    good: list[int] = []
    for r, c in enumerate(cells):
        if _is_blank(c):
            continue
        errs = []
        for df_ in (True, False):
            try:
                parse_dates([c], dayfirst=df_)
            except ParseError as exc:
                errs.append(exc)
        if len(errs) == 2:
            problems.append(SchemaProblem(r, "sampling_date",
                                          f"must be a date ({errs[0].message.rstrip('.')})", c,
                                          locs[r]))
        else:
            good.append(r)
    out: list[str | None] = [None] * len(cells)
    rule = "no dates"
    remaining = list(good)
    while remaining:
        try:
            iso, rule = parse_dates([cells[r] for r in remaining], dayfirst=dayfirst,
                                    lines=list(range(len(remaining))))
        except ParseError as exc:
            if exc.line is not None and 0 <= exc.line < len(remaining):
                r = remaining.pop(exc.line)
                problems.append(SchemaProblem(r, "sampling_date", exc.message.rstrip("."),
                                              cells[r], locs[r]))
                continue
            problems.append(SchemaProblem(
                None, "sampling_date",
                exc.message.rstrip(".") + (f" ({exc.hint})" if exc.hint else "")
                + "; pass dayfirst=True or False", exc.found, None))
            break
        for r, v in zip(remaining, iso, strict=True):
            out[r] = v
        break
    return out, rule


def alias_index(register: pd.DataFrame) -> dict[str, str]:
    """Map every id a sample carries (its ``sample_id`` and each alias) to its ``sample_id``.

    Raises
    ------
    LabtoxError
        When one alias points to two different samples.

    Examples
    --------
    >>> reg = pd.DataFrame({"sample_id": ["MNG-007"], "aliases": ["SPL7|M7"]})
    >>> alias_index(reg)
    {'MNG-007': 'MNG-007', 'SPL7': 'MNG-007', 'M7': 'MNG-007'}
    """
    out: dict[str, str] = {}
    for sid in register["sample_id"]:
        out[str(sid)] = str(sid)
    for sid, al in zip(register["sample_id"], register.get("aliases", [None] * len(register)),
                       strict=True):
        if al is None or (isinstance(al, float) and math.isnan(al)):
            continue
        for a in str(al).split("|"):
            a = a.strip()
            if not a:
                continue
            if a in out and out[a] != str(sid):
                raise LabtoxError(f"alias {a!r} names two samples: {out[a]!r} and {sid!r}.",
                                  hint="Each alias must point to one sample.")
            out[a] = str(sid)
    return out
