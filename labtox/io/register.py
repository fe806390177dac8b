"""The sample register: one row per sample with where, when and what was sampled.

A register is a CSV (any delimiter, UTF-8/UTF-16/cp1252, CR/LF/CRLF) or an XLSX sheet with one
header row. Its columns are mapped onto labtox's names through a small synonym table
(:data:`HEADER_SYNONYMS`), so ``"Fat %"``, ``"fat, %"``, ``"Fat (%)"``, ``"fat_pct"`` and
``"Жирность, %"`` all become ``fat_pct``. Columns labtox does not know are kept as written
(and listed in ``DataFrame.attrs["unmapped_columns"]``); lines whose first cell starts with
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
           "normalise_header"]

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
                  "lab id", "lab code", "sample name", "code", "код образца", "шифр",
                  "шифр образца", "номер образца", "үлгі коды"),
    "site": ("site", "location", "sampling site", "sampling location", "place", "farm",
             "locality", "место отбора", "место", "пункт отбора", "орны"),
    "latitude": ("latitude", "lat", "latitude °", "latitude deg", "latitude n", "lat n",
                 "latitude dd", "широта", "ендік"),
    "longitude": ("longitude", "lon", "long", "lng", "longitude °", "longitude deg",
                  "longitude e", "lon e", "longitude dd", "долгота", "бойлық"),
    "sampling_date": ("sampling date", "date", "date sampled", "collection date",
                      "date of sampling", "sample date", "sampled", "дата отбора", "дата",
                      "сынама алу күні"),
    "species": ("species", "animal", "animal species", "camel species", "вид", "вид животного",
                "түрі"),
    "product": ("product", "matrix", "product type", "commodity", "продукт", "өнім"),
    "fat_pct": ("fat %", "fat pct", "fat", "fat content", "fat content %", "fat percent",
                "fat g 100 g", "fat g 100g", "жирность %", "жирность", "жир %",
                "массовая доля жира %", "майлылығы %"),
    "dry_matter_pct": ("dry matter %", "dry matter pct", "dry matter", "dm %", "dm",
                       "total solids %", "total solids", "сухое вещество %",
                       "сухие вещества %", "құрғақ зат %"),
    "sample_mass_g": ("sample mass g", "sample mass", "mass g", "mass", "sample weight g",
                      "sample weight", "weight g", "test portion g", "навеска г", "навеска",
                      "масса навески г"),
    "sample_volume_ml": ("sample volume ml", "sample volume", "volume ml", "test portion ml",
                         "объем пробы мл", "объём пробы мл"),
    "final_volume_ml": ("final volume ml", "final volume", "made up to ml", "make up volume ml",
                        "dilution volume ml", "конечный объем мл", "конечный объём мл"),
    "aliases": ("aliases", "alias", "other ids", "other id", "plate id", "export ids",
                "синонимы"),
    "notes": ("notes", "note", "comment", "comments", "remarks", "remark", "примечание",
              "примечания", "ескерту"),
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


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == ""


def _rows_from_csv(path: Path, delimiter: str | None) -> tuple[list[list[object]], list[str], str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror}.", path=path) from None
    text, _ = decode_bytes(raw, path)
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
            ws = wb.worksheets[0]
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
    header_idx = None
    for i, row in enumerate(rows):
        if not row or all(_is_blank(c) for c in row):
            continue
        first = "" if row[0] is None else str(row[0]).strip()
        if first.startswith("#"):
            comments.append(" ".join(str(c) for c in row if not _is_blank(c)))
            continue
        header_idx = i
        break
    if header_idx is None:
        raise ParseError("the register has no header row.", path=p,
                         expected="a header row with at least a sample_id column")

    header = ["" if c is None else str(c).strip() for c in rows[header_idx]]
    extra = {normalise_header(k): v for k, v in (columns or {}).items()}
    for v in extra.values():
        if v not in REGISTER_COLUMNS:
            raise LabtoxError(f"unknown register column {v!r} in columns=.",
                              expected=f"one of {', '.join(REGISTER_COLUMNS)}")
    mapping: dict[int, str] = {}
    unmapped: list[str] = []
    seen: dict[str, int] = {}
    for j, h in enumerate(header):
        if not h:
            continue
        key = normalise_header(h)
        col = extra.get(key) or _LOOKUP.get(key)
        if col is None:
            unmapped.append(h)
            mapping[j] = h
            continue
        if col in seen:
            raise ParseError(
                f"two columns map to {col!r}: {header[seen[col]]!r} and {h!r}.", path=p,
                line=_line_no(locs[header_idx]), column=h,
                expected="one column per register field",
                hint="Rename or remove one of them.")
        seen[col] = j
        mapping[j] = col
    if "sample_id" not in seen:
        raise ParseError(
            "the register has no sample id column.", path=p, line=_line_no(locs[header_idx]),
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

    for r, (row, loc) in enumerate(zip(data, data_locs, strict=True)):
        width = len(header)
        while width > 0 and not header[width - 1]:
            width -= 1
        overflow = [c for c in row[width:] if not _is_blank(c)]
        if overflow:
            problems.append(SchemaProblem(r, "(beyond the header)",
                                          "the line has more cells than the header", overflow[0], loc))

    cols: dict[str, list[object]] = {}
    for j, name in mapping.items():
        cols[name] = [cell(row, j) for row in data]

    if decimal is None:
        decimal = "," if delim and _looks_decimal_comma(cols, delim) else "."

    n = len(data)
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
            num, flag = parse_number(v, decimal)
            if flag is not None or not math.isfinite(num):
                problems.append(SchemaProblem(r, name, "must be a number", v, data_locs[r]))
                parsed.append(math.nan)
                continue
            if not ok(num):
                problems.append(SchemaProblem(r, name, why, v, data_locs[r]))
            parsed.append(num)
        out[name] = parsed
    # dates
    out["sampling_date"], date_rule = _dates(cols.get("sampling_date", [None] * n), data_locs,
                                             dayfirst, p, problems)

    if problems:
        problems.sort(key=lambda q: (q.row if q.row is not None else -1))
        raise SchemaError("register", problems, path=p)

    df = pd.DataFrame({c: out[c] for c in REGISTER_COLUMNS})
    for c in _FLOAT_COLUMNS:
        df[c] = df[c].astype("float64")
    df["source_line"] = data_locs
    for name in unmapped:
        df[name] = [None if _is_blank(v) else v for v in cols[name]]
    df.attrs.update({
        "path": str(p), "comments": comments, "unmapped_columns": unmapped,
        "header_map": {header[j]: c for j, c in mapping.items() if c in REGISTER_COLUMNS},
        "date_rule": date_rule,
    })
    return df


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
