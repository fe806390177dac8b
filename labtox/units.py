"""One pint unit registry for labtox, vendor unit spellings, and basis conversions.

Tables inside labtox hold plain floats next to a unit column (``unit``, ``signal_unit``,
``nominal_unit``) and a ``basis`` column; units are checked and converted here, at the edges
(the pint convention described in "pint in your projects").

Mass fractions: ``ppm``, ``ppb`` and ``ppt`` are 1e-6, 1e-9 and 1e-12 (dimensionless), so
``1 ppb == 1 µg/kg``. Converting a mass concentration (``µg/L``) into a mass fraction
(``µg/kg``) needs an explicit density: there is no hidden constant for milk (about 1.03 kg/L).

Basis: results are per wet weight (whole product as sampled), per fat or per dry matter::

    c_wet = c_fat * fat% / 100 = c_dry * dry_matter% / 100

(e.g. Commission Regulation (EU) 2017/644, Annex III: results of PCDD/F and PCB analysis in
milk are expressed per fat and converted with the fat content determined on the sample.)
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal, overload

import numpy as np
import pint

from labtox.errors import UnitError, close_matches

__all__ = [
    "ureg",
    "Q_",
    "BASES",
    "Basis",
    "parse_unit",
    "format_unit",
    "normalise_unit",
    "split_unit_basis",
    "normalise_basis",
    "convert",
    "conversion_factor",
    "convert_basis",
    "basis_factor",
]

ureg: pint.UnitRegistry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
"""The labtox unit registry. Use it (never a new ``UnitRegistry``) for every quantity."""
ureg.formatter.default_format = "~P"
for _definition in (
    "cps = count / second",
    "cpm = count / minute",
    "absorbance_unit = [] = AU = OD",
    "relative_light_unit = [] = RLU",
    "fluorescence_unit = [] = RFU",
    "peak_area_unit = [] = area",
    "percent_recovery = 0.01 = pct_recovery",
    # Mass fractions as food and ICP labs write them (pint's own "ppt" would be a pico-pint).
    "parts_per_billion = 1e-9 = ppb",
    "parts_per_trillion = 1e-12 = ppt",
    "parts_per_quadrillion = 1e-15 = ppq",
):
    ureg.define(_definition)
Q_ = ureg.Quantity

Basis = Literal["wet", "fat", "dry"]
BASES: tuple[str, ...] = ("wet", "fat", "dry")

_BASIS_WORDS = {
    "wet": "wet",
    "ww": "wet",
    "wet weight": "wet",
    "fresh weight": "wet",
    "fw": "wet",
    "whole": "wet",
    "whole milk": "wet",
    "product": "wet",
    "as is": "wet",
    "as marketed": "wet",
    "fat": "fat",
    "lipid": "fat",
    "lipid weight": "fat",
    "fat weight": "fat",
    "lw": "fat",
    "lb": "fat",
    "fat basis": "fat",
    "dry": "dry",
    "dw": "dry",
    "dm": "dry",
    "dry weight": "dry",
    "dry matter": "dry",
}

# Vendor spellings -> pint-parsable text. Applied after stripping brackets and "Y (...)".


def _clean(text: str) -> str:
    s = str(text).strip()
    # Qtegra "Y (ppb)" and MassHunter "[ ppb ]"
    m = re.fullmatch(r"[A-Za-z]\s*\((.*)\)", s)
    if m:
        s = m.group(1)
    s = s.strip().strip("[]()").strip()
    s = s.replace("μ", "µ")  # Greek mu -> micro sign
    s = s.replace("mcg", "µg")
    s = re.sub(r"\bbw\b", "", s)  # "µg/kg bw/day": body weight is implied by the quantity
    s = re.sub(r"\bTEQ\b|\bWHO-?\w*\b", "", s)
    s = s.replace("·", "*").replace("^", "**")
    s = re.sub(r"\s*/\s*", "/", s)
    s = re.sub(r"\s+", " ", s).strip()
    return s


def parse_unit(text: str | pint.Unit) -> pint.Unit:
    """Parse a unit written by a person or an instrument into a pint unit.

    Parameters
    ----------
    text
        ``"mg/kg"``, ``"ug/L"``, ``"µg/L"``, ``"μg/L"``, ``"[ ppb ]"``, ``"Y (ppb)"``, ``"ng/mL"``,
        ``"Bq/kg"``, ``"cps"``, ``"µg/kg bw/day"`` ...

    Returns
    -------
    pint.Unit

    Raises
    ------
    UnitError
        When the unit is empty or unknown, naming close matches.

    Examples
    --------
    >>> format_unit(parse_unit("ug/L"))
    'µg/L'
    >>> parse_unit("[ ppb ]") == ureg.ppb
    True
    """
    if isinstance(text, pint.Unit):
        return text
    if text is None or (isinstance(text, float) and np.isnan(text)) or not str(text).strip():
        raise UnitError(
            "a unit is missing.", expected="a unit such as 'mg/kg' or 'µg/L'", found=text
        )
    return _parse_text(str(text))


@lru_cache(maxsize=4096)
def _parse_text(text: str) -> pint.Unit:
    """Parse a non-empty unit text (cached: tables repeat a handful of units many times)."""
    cleaned = _clean(str(text))
    try:
        parsed = ureg.parse_units(cleaned)
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError,
            AttributeError, TypeError, ValueError, AssertionError) as exc:
        known = ["mg/kg", "µg/kg", "ng/g", "pg/g", "mg/L", "µg/L", "ng/mL", "ppm", "ppb",
                 "ppt", "Bq/kg", "Bq/L", "cps", "percent"]
        sugg = close_matches(cleaned, known)
        raise UnitError(
            f"unknown unit {str(text)!r}.",
            expected="a unit pint understands",
            hint=(f"Did you mean {', '.join(sugg)}?" if sugg else
                  "Write units like 'mg/kg', 'ug/L', 'ng/g', 'pg/g', 'Bq/kg'.")
            + f" ({exc.__class__.__name__})",
        ) from None
    except Exception as exc:  # pint raises a variety of errors on garbage
        raise UnitError(f"unknown unit {str(text)!r}: {exc}.") from None
    return parsed


@lru_cache(maxsize=4096)
def format_unit(unit: pint.Unit) -> str:
    """Short, human-readable spelling of a unit (``µg/kg``, ``ng/mL``, ``ppb``)."""
    text = f"{unit:~P}"
    # pint writes the litre as "l"; food labs (and SI brochure usage) write "L".
    text = re.sub(r"(?<![A-Za-z])([µmnpkd]?)l(?![A-Za-z])", r"\1L", text)
    return text if text else "1"


def normalise_unit(text: str) -> str:
    """Canonical spelling of a vendor unit, e.g. ``"ug/L"`` and ``"μg/L"`` → ``"µg/L"``."""
    return format_unit(parse_unit(text))


def split_unit_basis(text: str) -> tuple[str, str | None]:
    """Split ``"ng/g fat"`` into ``("ng/g", "fat")``; the basis is ``None`` when not stated.

    Recognises ``fat``, ``lipid``, ``lw``, ``wet``, ``ww``, ``fw``, ``dry``, ``dw``, ``dm``,
    ``wet weight``, ``dry matter``, ``whole milk`` ... at the end of the text, optionally in
    brackets: ``"pg TEQ/g fat"``, ``"mg/kg (wet weight)"``.
    """
    s = str(text).strip()
    m = re.match(r"^(.*?)[\s(,]+((?:[A-Za-z]+\s?){1,2})\)?\s*$", s)
    if m:
        word = m.group(2).strip().lower()
        if word in _BASIS_WORDS:
            return m.group(1).strip(), _BASIS_WORDS[word]
    return s, None


def normalise_basis(word: str) -> str:
    """Map ``"wet weight"``, ``"ww"``, ``"lipid"``, ``"dm"`` ... to ``wet``, ``fat`` or ``dry``.

    Raises
    ------
    UnitError
        When the word names no basis.
    """
    key = str(word).strip().lower()
    key = re.sub(r"\s*\(.*\)\s*$", "", key)
    if key in _BASIS_WORDS:
        return _BASIS_WORDS[key]
    raise UnitError(
        f"unknown basis {word!r}.",
        expected="one of 'wet', 'fat', 'dry' (or wet weight, lipid, dry matter ...)",
        hint=f"Close matches: {', '.join(close_matches(key, _BASIS_WORDS)) or 'none'}.",
    )


def _density_kg_per_l(density: float | pint.Quantity | None) -> float | None:
    if density is None:
        return None
    if isinstance(density, pint.Quantity):
        try:
            return float(density.to("kg/L").magnitude)
        except pint.errors.DimensionalityError:
            raise UnitError(
                "density has the wrong dimension.", expected="a mass per volume, e.g. 1.03 kg/L",
                found=str(density),
            ) from None
    value = float(density)
    if not np.isfinite(value) or value <= 0:
        raise UnitError("density must be a positive number in kg/L.", found=density)
    return value


def conversion_factor(
    from_unit: str | pint.Unit,
    to_unit: str | pint.Unit,
    *,
    density: float | pint.Quantity | None = None,
) -> float:
    """Factor ``f`` such that ``value_in_to_unit = f * value_in_from_unit``.

    Mass concentration ↔ mass fraction (µg/L ↔ µg/kg) and mass ↔ volume need ``density``
    (kg/L, or a pint quantity); it is never assumed.

    Raises
    ------
    UnitError
        Unknown units, incompatible dimensions, or a density needed but not given.
    """
    fu, tu = parse_unit(from_unit), parse_unit(to_unit)
    rho = _density_kg_per_l(density)
    return _factor(fu, tu, rho)


@lru_cache(maxsize=4096)
def _factor(fu: pint.Unit, tu: pint.Unit, rho: float | None) -> float:
    try:
        return float((1.0 * fu).to(tu).magnitude)
    except pint.errors.DimensionalityError:
        pass
    if rho is None:
        raise UnitError(
            f"cannot convert {format_unit(fu)} to {format_unit(tu)} without a density.",
            hint="Pass density= (kg/L; milk is about 1.03 kg/L) or report in compatible units.",
        )
    q = 1.0 * fu
    rho_q = Q_(rho, "kg/L")
    for candidate in (q * rho_q, q / rho_q):
        try:
            return float(candidate.to(tu).magnitude)
        except pint.errors.DimensionalityError:
            continue
    raise UnitError(
        f"cannot convert {format_unit(fu)} to {format_unit(tu)}, even with a density.",
        expected="units of the same kind (mass fraction, mass concentration, activity ...)",
    )


@overload
def convert(value: float, from_unit: str | pint.Unit, to_unit: str | pint.Unit, *,
            density: float | pint.Quantity | None = ...) -> float: ...
@overload
def convert(value: np.ndarray, from_unit: str | pint.Unit, to_unit: str | pint.Unit, *,
            density: float | pint.Quantity | None = ...) -> np.ndarray: ...


def convert(value, from_unit, to_unit, *, density=None):
    """Convert magnitudes between units of the labtox registry.

    Parameters
    ----------
    value
        A number or array of numbers in ``from_unit``.
    from_unit, to_unit
        Unit texts (vendor spellings accepted) or pint units.
    density
        Needed only between mass fractions and mass concentrations (kg/L or a quantity).

    Examples
    --------
    >>> convert(0.020, "mg/kg", "µg/kg")
    20.0
    >>> round(convert(10.0, "µg/L", "µg/kg", density=1.03), 4)
    9.7087
    """
    factor = conversion_factor(from_unit, to_unit, density=density)
    if isinstance(value, (int, float, np.floating, np.integer)):
        return float(value) * factor
    return np.asarray(value, dtype=float) * factor


def basis_factor(
    from_basis: str,
    to_basis: str,
    *,
    fat_pct: float | None = None,
    dry_matter_pct: float | None = None,
) -> float:
    """Factor converting a concentration from one basis to another.

    ``c_wet = c_fat * fat_pct/100`` and ``c_wet = c_dry * dry_matter_pct/100``
    (Reg. (EU) 2017/644, Annex III; EFSA 2010 Standard Sample Description, basis of results).

    Raises
    ------
    UnitError
        When the fat or dry-matter percentage the conversion needs is missing or not in (0, 100].
    """
    fb, tb = normalise_basis(from_basis), normalise_basis(to_basis)
    if fb == tb:
        return 1.0

    def share(name: str, pct: float | None) -> float:
        if pct is None or not np.isfinite(float(pct)):
            raise UnitError(
                f"converting {fb} basis to {tb} basis needs the sample's {name} %.",
                expected=f"{name} % in the sample register", found=pct,
                hint=f"Add a {name.replace(' ', '_')}_pct column to the register for this sample.",
            )
        p = float(pct)
        if not 0 < p <= 100:
            raise UnitError(f"{name} % must be in (0, 100].", found=pct)
        return p / 100.0

    to_wet = {"wet": 1.0}
    if "fat" in (fb, tb):
        to_wet["fat"] = share("fat", fat_pct)
    if "dry" in (fb, tb):
        to_wet["dry"] = share("dry matter", dry_matter_pct)
    return to_wet[fb] / to_wet[tb]


def convert_basis(
    value: float | np.ndarray,
    from_basis: str,
    to_basis: str,
    *,
    fat_pct: float | None = None,
    dry_matter_pct: float | None = None,
) -> float | np.ndarray:
    """Convert concentrations between wet, fat and dry bases.

    Examples
    --------
    40 ng/g fat in a milk with 4.5 % fat is 1.8 ng/g whole milk:

    >>> round(convert_basis(40.0, "fat", "wet", fat_pct=4.5), 10)
    1.8
    """
    f = basis_factor(from_basis, to_basis, fat_pct=fat_pct, dry_matter_pct=dry_matter_pct)
    if isinstance(value, (int, float, np.floating, np.integer)):
        return float(value) * f
    return np.asarray(value, dtype=float) * f
