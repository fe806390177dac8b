"""English, Russian and Kazakh strings for figures and reports, and locale-aware formatting.

Every string a figure or a report shows lives in ``labtox/locales/{en,ru,kk}.toml``; code only
holds keys. Keys are dotted paths into the TOML tables (``decision.non-compliant``,
``axis.concentration``). A test checks that the three files define exactly the same keys.

Formatting follows the conventions of each language:

* English: decimal point, thousands separated by a comma (``12,345.6``); dates ``22 November 2026``.
* Russian and Kazakh: decimal comma and thousands separated by a narrow no-break space U+202F
  (``12 345,6``), as in GOST 8.417-2002 section 8 and the CLDR ``ru``/``kk`` number symbols;
  dates ``22 ноября 2026 г.`` and ``2026 жылғы 22 қараша`` (CLDR long date patterns).
* Plurals: CLDR plural rules. English ``one``/``other``; Russian ``one`` (1, 21, 101 ...),
  ``few`` (2-4, 22-24 ...) and ``many`` (0, 5-20, 25-30 ...); Kazakh nouns do not change after a
  numeral ("5 сынама"), so Kazakh has only ``other`` in practice.

Units are localised symbol by symbol (``mg/kg`` -> ``мг/кг``; GOST 8.417-2002 Annex, Russian
symbols, which Kazakh texts also use). Legal acts are translated by pattern (``TR CU 033/2013`` ->
``ТР ТС 033/2013`` / ``КО ТР 033/2013``); anything unknown is shown as written.

References
----------
Unicode CLDR, Language Plural Rules and number/date data for ``en``, ``ru`` and ``kk``
(https://cldr.unicode.org). GOST 8.417-2002 "Units of quantities", section 8 (writing of
numerical values) and Annex A (Russian unit symbols).

Examples
--------
>>> translate("decision.non-compliant", "ru")
'не соответствует'
>>> format_number(12345.678, "kk", decimals=2)
'12\\u202f345,68'
>>> plural(5, "noun.sample", "ru")
'образцов'
>>> act_name("EAEU TR CU 033/2013", "ru")
'ТР ТС 033/2013'
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from numbers import Integral, Real

from labtox.errors import LabtoxError, close_matches

__all__ = [
    "LANGUAGES",
    "translate",
    "keys",
    "catalogue",
    "check_lang",
    "plural_category",
    "plural",
    "count_phrase",
    "format_number",
    "format_count",
    "format_percent",
    "format_date",
    "format_unit",
    "basis_label",
    "axis_label",
    "act_name",
    "regime_name",
    "analyte_name",
    "decision_label",
    "status_label",
    "place_name",
]

LANGUAGES: tuple[str, ...] = ("en", "ru", "kk")
"""Supported languages: English, Russian, Kazakh (Cyrillic)."""

NNBSP = "\u202f"  # narrow no-break space: thousands separator for ru and kk


class TranslationError(LabtoxError, KeyError):
    """A translation key or a language is unknown, or a field is missing."""


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is supported, else raise :class:`TranslationError`."""
    if lang not in LANGUAGES:
        raise TranslationError(
            f"unsupported language {lang!r}.", expected="one of " + ", ".join(LANGUAGES),
            found=lang,
        )
    return lang


def _flatten(table: Mapping[str, object], prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in table.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


@cache
def catalogue(lang: str) -> dict[str, object]:
    """Every key of one language's file, flattened to dotted keys (cached)."""
    check_lang(lang)
    raw = resources.files("labtox").joinpath("locales", f"{lang}.toml").read_text(encoding="utf-8")
    return _flatten(tomllib.loads(raw))


def keys(lang: str = "en") -> frozenset[str]:
    """The set of dotted keys defined for ``lang``."""
    return frozenset(catalogue(lang))


def _format_field(value: object, lang: str) -> object:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Integral):
        return format_count(int(value), lang)
    if isinstance(value, Real):
        return format_number(float(value), lang)
    return value


def translate(key: str, lang: str = "en", /, **fields: object) -> str:
    """The string for ``key`` in ``lang``, with ``{field}`` placeholders filled in.

    Integers and floats passed as fields are formatted for the language (decimal comma and
    narrow no-break-space grouping for ``ru`` and ``kk``); pass a pre-formatted string to control
    the digits.

    Parameters
    ----------
    key
        Dotted key, e.g. ``"decision.compliant"`` or ``"caption.exceed"``.
    lang
        ``"en"``, ``"ru"`` or ``"kk"``.
    **fields
        Values for the placeholders.

    Raises
    ------
    TranslationError
        Unknown key or language, or a placeholder without a field.

    Examples
    --------
    >>> translate("axis.concentration", "kk", unit="мг/кг", basis="өнімге шаққанда")
    'Концентрация, мг/кг (өнімге шаққанда)'
    """
    cat = catalogue(lang)
    if key not in cat:
        sugg = close_matches(key, cat)
        raise TranslationError(
            f"no translation key {key!r} in locale {lang!r}.",
            hint=(f"Did you mean {', '.join(sugg)}? " if sugg else "")
            + "Add it to labtox/locales/{en,ru,kk}.toml.",
        )
    text = cat[key]
    if not isinstance(text, str):
        raise TranslationError(f"key {key!r} is a table, not a string.", expected="a leaf key")
    if not fields and "{" not in text:
        return text
    try:
        return text.format_map({k: _format_field(v, lang) for k, v in fields.items()})
    except KeyError as exc:
        raise TranslationError(
            f"translation {key!r} ({lang}) needs the field {exc.args[0]!r}.",
            expected="fields " + ", ".join(re.findall(r"{(\w+)", text)),
            found=sorted(fields),
        ) from None


def lookup(key: str, lang: str, default: str | None = None) -> str | None:
    """The string for ``key`` or ``default`` when the key does not exist (no formatting)."""
    v = catalogue(lang).get(key)
    return v if isinstance(v, str) else default


# ----------------------------------------------------------------------------------- plurals


def plural_category(n: int, lang: str) -> str:
    """CLDR plural category of the integer ``n`` in ``lang``.

    References
    ----------
    Unicode CLDR, Language Plural Rules (``ru``: one = v=0 and i%10=1 and i%100!=11; few = v=0
    and i%10=2..4 and i%100!=12..14; many = the rest of the integers; ``kk``: one = n=1).

    Examples
    --------
    >>> [plural_category(n, "ru") for n in (1, 2, 5, 11, 21, 22, 25, 111, 112)]
    ['one', 'few', 'many', 'many', 'one', 'few', 'many', 'many', 'many']
    """
    check_lang(lang)
    n = abs(int(n))
    if lang == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return "one"
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return "few"
        return "many"
    return "one" if n == 1 else "other"


def plural(n: int, key: str, lang: str) -> str:
    """The form of the word ``key`` (a table with plural categories) that agrees with ``n``.

    Examples
    --------
    >>> [plural(n, "noun.sample", "ru") for n in (1, 2, 5)]
    ['образец', 'образца', 'образцов']
    >>> plural(5, "noun.sample", "kk")
    'сынама'
    """
    cat = catalogue(lang)
    category = plural_category(n, lang)
    for c in (category, "other", "many"):
        v = cat.get(f"{key}.{c}")
        if isinstance(v, str):
            return v
    raise TranslationError(f"no plural forms for {key!r} in locale {lang!r}.",
                           expected=f"{key}.one / {key}.other")


def count_phrase(n: int, key: str, lang: str) -> str:
    """``n`` followed by the agreeing form of the noun: ``"5 образцов"``."""
    return f"{format_count(n, lang)} {plural(n, key, lang)}"


# ----------------------------------------------------------------------------------- numbers


def _group(intpart: str, sep: str) -> str:
    if len(intpart) <= 4 and sep == NNBSP:
        # CLDR ru/kk: minimumGroupingDigits = 2, so 1234 is written without separator
        return intpart
    out = []
    while len(intpart) > 3:
        out.append(intpart[-3:])
        intpart = intpart[:-3]
    out.append(intpart)
    return sep.join(reversed(out))


def format_number(
    value: float,
    lang: str = "en",
    *,
    decimals: int | None = None,
    sig: int | None = None,
    group: bool = True,
) -> str:
    """Format a number for ``lang``: decimal comma and U+202F grouping for ``ru`` and ``kk``.

    Parameters
    ----------
    value
        The number.
    lang
        Language code.
    decimals
        Fixed number of decimals.
    sig
        Significant digits (trailing zeros kept: ``0.02`` with ``sig=2`` is ``0.020``). When
        neither ``decimals`` nor ``sig`` is given, up to 6 significant digits, trailing zeros
        removed.
    group
        Group thousands.

    Examples
    --------
    >>> format_number(0.02, "en", sig=2)
    '0.020'
    >>> format_number(0.02, "ru", sig=2)
    '0,020'
    >>> format_number(1234567.5, "en")
    '1,234,567.5'
    >>> format_number(1234567.5, "ru", decimals=0)
    '1\u202f234\u202f568'
    """
    check_lang(lang)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    x = float(value)
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if decimals is not None:
        text = f"{x:.{decimals}f}"
    elif sig is not None:
        if x == 0:
            text = f"{0:.{max(sig - 1, 0)}f}"
        else:
            exp = math.floor(math.log10(abs(x)))
            d = max(sig - 1 - exp, 0)
            text = f"{round(x, d):.{d}f}"
            # rounding can add a digit (9.96 -> 10.0): recompute once
            exp2 = math.floor(math.log10(abs(float(text)))) if float(text) else exp
            if exp2 != exp:
                d = max(sig - 1 - exp2, 0)
                text = f"{round(x, d):.{d}f}"
    else:
        text = f"{x:.6g}"
        if "e" in text:
            text = f"{x:.6f}".rstrip("0").rstrip(".") if abs(x) >= 1e-6 else f"{x:.2e}"
        if "e" not in text and "." not in text and abs(x) >= 1e6:
            text = f"{x:.0f}"
    neg = text.startswith("-")
    text = text.lstrip("-")
    if "e" in text:
        mant, _, exp_s = text.partition("e")
        intpart, _, frac = mant.partition(".")
        tail = "e" + exp_s
    else:
        intpart, _, frac = text.partition(".")
        tail = ""
    point, sep = (".", ",") if lang == "en" else (",", NNBSP)
    if group:
        intpart = _group(intpart, sep)
    out = intpart + (point + frac if frac else "") + tail
    if neg and float(text.replace("e", "E") or 0) != 0:
        out = "−" + out  # U+2212 minus sign
    return out


def format_count(n: int, lang: str = "en") -> str:
    """An integer count, grouped for the language (``12 345`` in ru/kk, ``12,345`` in en)."""
    return format_number(int(n), lang, decimals=0)


def format_percent(share: float, lang: str = "en", *, decimals: int = 0) -> str:
    """A share (0-1) as a percentage: ``58 %`` in ru/kk (with no-break space), ``58%`` in en."""
    num = format_number(100.0 * float(share), lang, decimals=decimals)
    return f"{num}%" if lang == "en" else f"{num}\u00a0%"


def format_date(date: _dt.date | str | None, lang: str = "en") -> str:
    """A calendar date written out: ``22 November 2026``, ``22 ноября 2026 г.``,
    ``2026 жылғы 22 қараша``.

    ``date`` may be a :class:`datetime.date`, a :class:`datetime.datetime` or an ISO string;
    ``None`` gives an empty string.
    """
    if date is None or date == "":
        return ""
    if isinstance(date, str):
        try:
            date = _dt.date.fromisoformat(date[:10])
        except ValueError:
            return date
    if isinstance(date, _dt.datetime):
        date = date.date()
    months = catalogue(lang)["date.months"]
    month = months[date.month - 1]  # type: ignore[index]
    return translate("date.long", lang, day=str(date.day), month=month, year=str(date.year))


# ----------------------------------------------------------------------------------- units


_UNIT_TOKEN = re.compile(r"[A-Za-zµμ°%]+")


def format_unit(unit: str | None, lang: str = "en") -> str:
    """A unit written for ``lang``: ``mg/kg`` -> ``мг/кг`` (ru, kk); ``ug/L`` -> ``µg/L`` (en).

    Symbols are replaced one by one from the ``unit`` table of the locale; unknown symbols are
    kept as written.
    """
    if unit is None or (isinstance(unit, float) and math.isnan(unit)):
        return ""
    text = str(unit).strip().replace("ug", "µg").replace("μ", "µ")
    cat = catalogue(lang)

    def repl(m: re.Match[str]) -> str:
        tok = m.group(0)
        v = cat.get(f"unit.{tok}")
        return v if isinstance(v, str) else tok

    return _UNIT_TOKEN.sub(repl, text)


def basis_label(basis: str | None, lang: str = "en") -> str:
    """``wet``/``fat``/``dry`` as words: ``per fat``, ``в пересчёте на жир``, ``майға шаққанда``."""
    if basis is None or (isinstance(basis, float) and math.isnan(basis)) or basis == "":
        return translate("basis.unknown", lang)
    return lookup(f"basis.{basis}", lang, str(basis)) or str(basis)


def axis_label(quantity: str, lang: str, unit: str | None = None, basis: str | None = None) -> str:
    """An axis label with unit and basis: ``Concentration, mg/kg (wet weight)``.

    ``quantity`` is a key of the ``axis`` table (``concentration``, ``intake``, ``teq`` ...).
    """
    key = f"axis.{quantity}"
    if basis is None:
        return translate(key + "_nobasis", lang, unit=format_unit(unit, lang))
    return translate(key, lang, unit=format_unit(unit, lang), basis=basis_label(basis, lang))


# ----------------------------------------------------------------------------------- names


def analyte_name(name: str, lang: str = "en") -> str:
    """Display name of an analyte via :meth:`labtox.analytes.Analyte.display`, or of a sum
    parameter from the ``sum`` table (``sum ndl-PCB-6``); as written if neither knows it.

    Examples
    --------
    >>> analyte_name("sum ndl-PCB-6", "ru")
    'Сумма 6 индикаторных ПХБ'
    """
    from labtox.analytes import canonical
    from labtox.errors import AnalyteError

    if str(name).startswith("sum "):
        key = re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")
        found = lookup(f"sum.{key}", lang)
        if found:
            return found
    try:
        return canonical(str(name)).display(lang)
    except AnalyteError:
        return str(name)


def decision_label(decision: str, lang: str = "en") -> str:
    """``compliant`` / ``non-compliant`` / ``inconclusive`` / ``not-decidable`` in words."""
    return lookup(f"decision.{decision}", lang, str(decision)) or str(decision)


_STATUS_ALIASES = {
    "confirmed_primary": "confirmed-primary",
    "confirmed_secondary": "confirmed-secondary",
    "unconfirmed": "unverified",
}


def status_label(status: str | None, lang: str = "en") -> str:
    """Verification status of a limit (``confirmed-primary``, ``confirmed-secondary``,
    ``unverified``; the reference table's ``CONFIRMED_PRIMARY`` spelling is accepted)."""
    if status is None or (isinstance(status, float) and math.isnan(status)) or status == "":
        return translate("status.unknown", lang)
    s = str(status).strip().lower()
    s = _STATUS_ALIASES.get(s, s)
    return lookup(f"status.{s}", lang, str(status)) or str(status)


def regime_name(regime: str | None, lang: str = "en") -> str:
    """Short name of a regulatory regime: ``EU`` -> ``ЕС`` (ru), ``ЕО`` (kk)."""
    if regime is None or regime == "" or (isinstance(regime, float) and math.isnan(regime)):
        return ""
    key = re.sub(r"[^a-z0-9]+", "_", str(regime).strip().lower()).strip("_")
    return lookup(f"regime.{key}", lang, str(regime)) or str(regime)


# pattern, locale template key; groups are passed as fields
_ACT_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(?:EAEU\s+)?TR\s+(?:CU|TS)\s+(?P<number>\d{3}/\d{4})\b"), "act.tr_cu"),
    (re.compile(r"^(?:EAEU\s+)?TR\s+EAEU\s+(?P<number>\d{3}/\d{4})\b"), "act.tr_eaeu"),
    (re.compile(r"^Commission Regulation \(EU\)\s+(?:No\s+)?(?P<number>\d{2,4}/\d+)"),
     "act.eu_commission_regulation"),
    (re.compile(r"^Commission Regulation \(EC\)\s+(?:No\s+)?(?P<number>\d+/\d{4})"),
     "act.ec_commission_regulation"),
    (re.compile(r"^Council Regulation \(EC\)\s+(?:No\s+)?(?P<number>\d+/\d{4})"),
     "act.ec_council_regulation"),
    (re.compile(r"^(?:Codex\s+)?(?P<number>CXS\s+\d+-\d{4})"), "act.codex_standard"),
    (re.compile(r"^CU (?:Commission )?Decision\s+(?:No\s+)?(?P<number>\d+)"), "act.cu_decision"),
)


def act_name(instrument: str | None, lang: str = "en") -> str:
    """The legal act's name in ``lang``.

    Recognised forms (anything else is returned as written): ``TR CU 033/2013`` (with or
    without ``EAEU``), ``TR EAEU nnn/yyyy``, ``Commission Regulation (EU) 2023/915``,
    ``Commission Regulation (EC) No 1881/2006``, ``Council Regulation (EC) No 2375/2001``,
    ``CXS 193-1995``, ``CU Decision 299``. Only the leading citation is kept (the reference
    table's notes in parentheses are dropped).

    Examples
    --------
    >>> act_name("EAEU TR CU 033/2013", "kk")
    'КО ТР 033/2013'
    >>> act_name("Commission Regulation (EU) 2023/915", "ru")
    'Регламент Комиссии (ЕС) 2023/915'
    """
    if instrument is None or (isinstance(instrument, float) and math.isnan(instrument)):
        return ""
    text = re.sub(r"\s+", " ", str(instrument)).strip()
    for rx, key in _ACT_PATTERNS:
        m = rx.match(text)
        if m:
            return translate(key, lang, number=m.group("number"))
    return text


def place_name(place: str | None, lang: str = "en") -> str:
    """A place name from the small ``place`` table (``Mangystau`` -> ``Маңғыстау`` in kk);
    other names as written."""
    if place is None or (isinstance(place, float) and math.isnan(place)):
        return ""
    key = re.sub(r"[^a-z0-9]+", "_", str(place).strip().lower()).strip("_")
    return lookup(f"place.{key}", lang, str(place)) or str(place)
