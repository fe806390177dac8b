"""Analytical method files: load and validate ``methods/*.toml``.

A method file says how one export is turned into results: which analytes are measured on which
channel, how each is calibrated (model, weighting, internal standard, standard concentrations per
level), which detection-limit convention applies, how the sample was prepared, which QC criteria
the batch must meet, and in which unit and basis the results are reported.

:meth:`Method.load` parses the file with :mod:`tomllib`, checks every key against the schema
below and raises **one** :class:`~labtox.errors.MethodError` listing *all* problems (unknown keys,
wrong types, values out of range), each with its dotted key, the file and, where it can be found,
the line. The result is a tree of frozen dataclasses.

Using it (pipeline authors)
---------------------------
>>> from labtox.method import Method
>>> m = Method.load("methods/icpms-metals-milk.toml")          # doctest: +SKIP
>>> m.id, m.version, m.technique                                # doctest: +SKIP
('icpms-metals-milk', '1.0.0', 'ICP-MS')
>>> pb = m.analyte("Pb")                                        # doctest: +SKIP
>>> pb.channel, pb.istd_channel, pb.model, pb.weighting         # doctest: +SKIP
('208Pb [He]', '209Bi [He]', 'linear', '1/x')
>>> pb.levels["4"], pb.unit                                     # doctest: +SKIP
(5.0, 'µg/L')
>>> pb.detection.rule, dict(pb.detection.parameters)            # doctest: +SKIP
('blanks', {'k': 3.0, 'k_loq': 10.0})
>>> m.qc.ccv.tolerance_pct, m.qc.istd.recovery_pct              # doctest: +SKIP
(10.0, (60.0, 125.0))
>>> m.qc.crm_for("ERM-BD151 rep 2").values["Pb"].value          # doctest: +SKIP
>>> m.preparation.mode, m.preparation.final_volume_ml           # doctest: +SKIP
('mass', 50.0)
>>> m.reporting.unit, m.reporting.basis, m.reporting.censoring  # doctest: +SKIP
('mg/kg', 'wet', 'censor-at-lod')

Tree (all frozen dataclasses; mappings are read-only):

* :class:`Method` — ``id, version, title, matrix, technique, formats, description, references,
  synthetic, calibration`` (:class:`CalibrationSpec`, the defaults), ``analytes`` (tuple of
  :class:`AnalyteSpec`, each with the defaults already applied), ``detection``
  (:class:`DetectionRule`, default), ``qc`` (:class:`QCSpec`), ``preparation``
  (:class:`Preparation`), ``reporting`` (:class:`Reporting`), ``path``.
* Calibration ``model`` is one of :data:`MODELS`; ``"reported"`` means the export already holds
  final concentrations (contract-lab data): no curve is fitted.
* Detection ``rule`` is one of :data:`DETECTION_RULES` with the parameters listed there.
* ``reporting.censoring`` is one of :data:`CENSORING_RULES`.

File layout (TOML)::

    [method]        id, version, title, matrix, technique, formats, description?, synthetic?,
                    references = ["...", ...]
    [calibration]   model, weighting, unit, levels = {"1" = 0.0, ...},
                    [calibration.acceptance] min_r2, max_deviation_pct, max_deviation_lowest_pct?,
                    min_levels?
    [detection]     rule, + its parameters (alpha, beta, k, ...)
    [[analytes]]    name, channel?, unit?, model?, weighting?, istd_channel?, istd_analyte?,
                    levels?, detection? (inline table), reporting_unit?, ccv_concentration?
    [preparation]   mode, sample_mass_g?, sample_volume_ml?, final_volume_ml?, dilution?,
                    density_kg_per_l?, blank_subtraction?, recovery_correction?
    [reporting]     unit, basis, additional_bases?, censoring, significant_figures?
    [qc.blank]      relative_to ("lod"|"loq"), factor
    [[qc.crm]]      name_pattern, material, status ("certified"|"in-house"), source, unit, basis,
                    recovery_pct = [lo, hi], max_abs_zeta?, values = {Pb = {value, U, k}, ...}
    [qc.spike]      recovery_pct = [lo, hi], added_unit, added = {Pb = 10.0, ...},
                    recovery_pct_by_analyte?
    [qc.duplicate]  max_rpd_pct, min_loq_multiple?
    [qc.ccv]        tolerance_pct, concentration? / level?, every_n_injections?
    [qc.istd]       recovery_pct = [lo, hi]
    [qc.teq]        max_ub_lb_difference_pct?

References
----------
.. [1] Python ``tomllib`` (TOML v1.0.0), https://toml.io/en/v1.0.0
.. [2] pandera "lazy validation": collect every failure before raising.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from labtox._frozen import FrozenMap
from labtox.errors import AnalyteError, LabtoxError, MethodError, UnitError, close_matches

__all__ = [
    "Method",
    "AnalyteSpec",
    "CalibrationSpec",
    "CalibrationAcceptance",
    "DetectionRule",
    "QCSpec",
    "BlankRule",
    "CRMSpec",
    "CRMValue",
    "SpikeRule",
    "DuplicateRule",
    "CCVRule",
    "ISTDRule",
    "TEQRule",
    "Preparation",
    "Reporting",
    "MethodProblem",
    "MODELS",
    "WEIGHTINGS",
    "DETECTION_RULES",
    "CENSORING_RULES",
    "PREPARATION_MODES",
    "BLANK_SUBTRACTION_RULES",
]

MODELS: tuple[str, ...] = ("linear", "linear-through-origin", "quadratic", "4pl", "5pl", "reported")
"""Calibration models; ``reported`` = values in the export are already final (no curve)."""

WEIGHTINGS: tuple[str, ...] = ("none", "1/x", "1/x2", "1/y", "1/y2")
"""Weighting schemes of a calibration fit (``none`` = ordinary least squares)."""

DETECTION_RULES: dict[str, dict[str, tuple[type | tuple[type, ...], Any]]] = {
    # rule: {parameter: (type, default)}
    "blanks": {"k": (float, 3.0), "k_loq": (float, 10.0)},
    "ich": {"sigma": (str, "residual"), "factor_lod": (float, 3.3), "factor_loq": (float, 10.0)},
    "din32645": {"alpha": (float, 0.01), "beta": (float, 0.01), "k": (float, 3.0),
                 "replicates": (int, 1)},
    "epa-mdl": {"confidence": (float, 0.99), "loq_factor": (float, 3.18)},
    "reported": {},
    "fixed": {"lod": (float, None), "loq": (float, None), "unit": (str, None)},
}
"""Detection-limit rules and their parameters ``{name: (type, default)}``.

* ``blanks`` — LOD = k·s and LOQ = k_loq·s of blank results (:func:`labtox.detection.from_blanks`).
* ``ich`` — ICH Q2(R2): 3.3·σ/S and 10·σ/S, σ = ``residual`` or ``intercept`` SE.
* ``din32645`` — DIN 32645:2008 calibration method (α, β, k = 1/relative uncertainty at LOQ).
* ``epa-mdl`` — 40 CFR 136 App. B rev. 2 MDL; LOQ = ``loq_factor``·MDL (3.18 = EPA minimum level).
* ``reported`` — limits come with the data (contract-lab LOQ column).
* ``fixed`` — limits stated in the method (``lod``, ``loq``, ``unit``).
"""

CENSORING_RULES: dict[str, str] = {
    "keep-flagged": "values below LOQ (and below LOD) keep their measured value, flagged '<LOQ' "
                    "or '<LOD'; not censored",
    "censor-at-lod": "values below LOD are censored at the LOD ('<LOD'); values between LOD and "
                     "LOQ keep their value, flagged '<LOQ'",
    "censor-at-loq": "every value below the LOQ is censored: at the LOQ ('<LOQ'), or at the LOD "
                     "('<LOD') when it is also below the LOD",
}
"""Named rules for reporting results below the limits (applied by the quantification stage)."""

PREPARATION_MODES: tuple[str, ...] = ("mass", "volume", "none")
BLANK_SUBTRACTION_RULES: tuple[str, ...] = ("none", "mean", "median")
_CRM_STATUS = ("certified", "in-house")
_BASES = ("wet", "fat", "dry")


# --------------------------------------------------------------------------------------------
# result objects


def _ro(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return FrozenMap(dict(mapping or {}))


@dataclass(frozen=True)
class MethodProblem:
    """One problem found in a method file: dotted ``key``, ``line`` (or None) and ``message``."""

    key: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line is not None else ""
        return f"{where}{self.key}: {self.message}"


@dataclass(frozen=True)
class CalibrationAcceptance:
    """Acceptance criteria of a calibration curve.

    Attributes
    ----------
    min_r2 : float
        Minimum coefficient of determination.
    max_deviation_pct : float
        Maximum |back-calculated − nominal|/nominal of each standard, in %.
    max_deviation_lowest_pct : float or None
        A wider limit for the lowest non-zero standard (SANTE/11312/2021 practice), in %.
    min_levels : int
        Minimum number of distinct concentration levels.
    """

    min_r2: float = 0.99
    max_deviation_pct: float = 20.0
    max_deviation_lowest_pct: float | None = None
    min_levels: int = 3


@dataclass(frozen=True)
class CalibrationSpec:
    """Method-wide calibration defaults (analytes may override model, weighting, unit, levels)."""

    model: str = "linear"
    weighting: str = "none"
    unit: str = ""
    levels: Mapping[str, float] = field(default_factory=dict)
    acceptance: CalibrationAcceptance = field(default_factory=CalibrationAcceptance)

    def __post_init__(self) -> None:
        object.__setattr__(self, "levels", _ro(self.levels))


@dataclass(frozen=True)
class DetectionRule:
    """A detection/quantification-limit convention and its parameters (see DETECTION_RULES)."""

    rule: str
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameters", _ro(self.parameters))

    def get(self, name: str, default: Any = None) -> Any:
        """A parameter's value (or ``default``)."""
        return self.parameters.get(name, default)


@dataclass(frozen=True)
class AnalyteSpec:
    """One analyte of a method, with the method defaults applied.

    Attributes
    ----------
    name : str
        Canonical analyte name (:func:`labtox.analytes.canonical`).
    cas : str
    channel : str
        Measurement channel as the readers normalise it (``"208Pb [He]"``); empty = any.
    unit : str
        Concentration unit of the calibration standards (in the measured solution/extract).
    model, weighting : str
        Calibration model (:data:`MODELS`) and weighting (:data:`WEIGHTINGS`).
    istd_channel, istd_analyte : str
        Internal standard (channel and/or canonical analyte); empty when none is used.
    levels : Mapping[str, float]
        Standard concentration per calibration level (``level`` column of the export).
    detection : DetectionRule
    reporting_unit : str
    ccv_concentration : float or None
        Nominal concentration of the CCV standard, in ``unit``.
    """

    name: str
    cas: str = ""
    channel: str = ""
    unit: str = ""
    model: str = "linear"
    weighting: str = "none"
    istd_channel: str = ""
    istd_analyte: str = ""
    levels: Mapping[str, float] = field(default_factory=dict)
    detection: DetectionRule = field(default_factory=lambda: DetectionRule("reported"))
    reporting_unit: str = ""
    ccv_concentration: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "levels", _ro(self.levels))

    @property
    def has_istd(self) -> bool:
        """True when the analyte is calibrated on the ratio to an internal standard."""
        return bool(self.istd_channel or self.istd_analyte)

    def level_concentration(self, level: object) -> float | None:
        """The nominal concentration of calibration ``level`` (``"3"``, ``3``, ``"Level 3"``,
        ``"STD3"`` and ``"03"`` all find key ``"3"``), or None when the method has none."""
        if level is None:
            return None
        key = str(level).strip()
        if key in self.levels:
            return self.levels[key]
        norm = _norm_level(key)
        for k, v in self.levels.items():
            if _norm_level(k) == norm:
                return v
        return None


def _norm_level(text: str) -> str:
    s = re.sub(r"^(level|lvl|std|standard|cal|l)\s*", "", str(text).strip().lower())
    if re.fullmatch(r"\d+(\.0+)?", s):
        return str(int(float(s)))
    return s


@dataclass(frozen=True)
class BlankRule:
    """Method blanks must be below ``factor`` × the analyte's ``relative_to`` limit."""

    relative_to: str = "loq"
    factor: float = 1.0


@dataclass(frozen=True)
class CRMValue:
    """Certified or assigned value with its expanded uncertainty ``U`` (coverage factor ``k``)."""

    value: float
    U: float
    k: float = 2.0

    @property
    def standard_uncertainty(self) -> float:
        """u = U/k."""
        return self.U / self.k


@dataclass(frozen=True)
class CRMSpec:
    """A reference material run as QC.

    Attributes
    ----------
    name_pattern : str
        Shell-style pattern for sample names (``"ERM-BD151*"``), case-insensitive.
    material : str
    status : str
        ``certified`` (values from the certificate) or ``in-house`` (assigned values).
    source : str
        Where the values come from (certificate, in-house characterisation).
    unit, basis : str
    values : Mapping[str, CRMValue]
        Per canonical analyte.
    recovery_pct : tuple of float
        Acceptance range of measured/assigned × 100.
    max_abs_zeta : float or None
        Optional zeta-score criterion (|ζ| ≤ this).
    """

    name_pattern: str
    material: str = ""
    status: str = "certified"
    source: str = ""
    unit: str = ""
    basis: str = "wet"
    values: Mapping[str, CRMValue] = field(default_factory=dict)
    recovery_pct: tuple[float, float] = (80.0, 120.0)
    max_abs_zeta: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", _ro(self.values))

    def matches(self, sample_name: str) -> bool:
        """True when ``sample_name`` matches :attr:`name_pattern` (case-insensitive)."""
        return fnmatch.fnmatch(str(sample_name).strip().casefold(), self.name_pattern.casefold())


@dataclass(frozen=True)
class SpikeRule:
    """Matrix-spike recovery acceptance and the amounts added (per analyte, in ``added_unit``)."""

    recovery_pct: tuple[float, float] = (80.0, 120.0)
    added_unit: str = ""
    added: Mapping[str, float] = field(default_factory=dict)
    recovery_pct_by_analyte: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "added", _ro(self.added))
        object.__setattr__(self, "recovery_pct_by_analyte", _ro(self.recovery_pct_by_analyte))

    def range_for(self, analyte: str) -> tuple[float, float]:
        """The recovery window for ``analyte`` (an analyte-specific one when given)."""
        return self.recovery_pct_by_analyte.get(analyte, self.recovery_pct)


@dataclass(frozen=True)
class DuplicateRule:
    """Duplicates: RPD ≤ ``max_rpd_pct`` when both results are ≥ ``min_loq_multiple`` × LOQ."""

    max_rpd_pct: float = 20.0
    min_loq_multiple: float = 0.0


@dataclass(frozen=True)
class CCVRule:
    """Continuing calibration verification: recovery within 100 ± ``tolerance_pct`` %."""

    tolerance_pct: float = 10.0
    level: str = ""
    every_n_injections: int | None = None


@dataclass(frozen=True)
class ISTDRule:
    """Internal-standard response in samples, % of its mean in the calibration standards."""

    recovery_pct: tuple[float, float] = (60.0, 125.0)


@dataclass(frozen=True)
class TEQRule:
    """(UB − LB)/UB of a TEQ must not exceed ``max_ub_lb_difference_pct`` (Reg. (EU) 2017/644)."""

    max_ub_lb_difference_pct: float = 20.0


@dataclass(frozen=True)
class QCSpec:
    """QC acceptance criteria; a section that the method file omits is None."""

    blank: BlankRule | None = None
    crm: tuple[CRMSpec, ...] = ()
    spike: SpikeRule | None = None
    duplicate: DuplicateRule | None = None
    ccv: CCVRule | None = None
    istd: ISTDRule | None = None
    teq: TEQRule | None = None

    def crm_for(self, sample_name: str) -> CRMSpec | None:
        """The reference material whose name pattern matches ``sample_name``, if any."""
        for c in self.crm:
            if c.matches(sample_name):
                return c
        return None


@dataclass(frozen=True)
class Preparation:
    """Sample preparation defaults (the sample register may override mass/volumes per sample).

    Attributes
    ----------
    mode : str
        ``mass`` (c_sample = c_solution·V_final/m), ``volume`` (c·V_final/V_sample) or ``none``.
    sample_mass_g, sample_volume_ml, final_volume_ml : float or None
    dilution : float
        Extra dilution of the measured solution (≥ 1 means diluted).
    density_kg_per_l : float or None
        Needed to convert per-volume to per-mass concentrations (e.g. milk 1.03 kg/L).
    blank_subtraction : str
        ``none``, ``mean`` or ``median`` of the batch's method blanks.
    recovery_correction : bool
    """

    mode: str = "none"
    sample_mass_g: float | None = None
    sample_volume_ml: float | None = None
    final_volume_ml: float | None = None
    dilution: float = 1.0
    density_kg_per_l: float | None = None
    blank_subtraction: str = "none"
    recovery_correction: bool = False


@dataclass(frozen=True)
class Reporting:
    """Reporting unit, basis (``wet``/``fat``/``dry``), extra bases, censoring rule, rounding."""

    unit: str
    basis: str = "wet"
    additional_bases: tuple[str, ...] = ()
    censoring: str = "censor-at-lod"
    significant_figures: int | None = None


@dataclass(frozen=True)
class Method:
    """A validated analytical method (see the module docstring for the file layout).

    Attributes
    ----------
    id, version, title, matrix, technique : str
    formats : tuple of str
        Export formats (reader names) this method accepts; empty = any.
    description : str
    references : tuple of str
        Where the method's criteria come from.
    synthetic : bool
        True when values in the file are made up (example data).
    calibration : CalibrationSpec
        Method-wide defaults and acceptance criteria.
    detection : DetectionRule
        Default detection-limit rule.
    analytes : tuple of AnalyteSpec
    qc : QCSpec
    preparation : Preparation
    reporting : Reporting
    path : str
        The file it was loaded from ("" when built from a dict).
    """

    id: str
    version: str
    title: str
    matrix: str
    technique: str
    formats: tuple[str, ...]
    description: str
    references: tuple[str, ...]
    synthetic: bool
    calibration: CalibrationSpec
    detection: DetectionRule
    analytes: tuple[AnalyteSpec, ...]
    qc: QCSpec
    preparation: Preparation
    reporting: Reporting
    path: str = ""

    # ---- access -----------------------------------------------------------------------------
    @property
    def analyte_names(self) -> tuple[str, ...]:
        """Canonical names of the method's analytes, in file order."""
        return tuple(a.name for a in self.analytes)

    @property
    def is_reported(self) -> bool:
        """True when every analyte uses the ``reported`` model (final values from a contract lab)."""
        return all(a.model == "reported" for a in self.analytes)

    def analyte(self, name: str) -> AnalyteSpec:
        """The :class:`AnalyteSpec` of ``name`` (any synonym :func:`canonical` understands).

        Raises
        ------
        MethodError
            When the method does not measure that analyte.
        """
        for a in self.analytes:
            if a.name == name:
                return a
        try:
            from labtox.analytes import canonical

            cname = canonical(name).name
        except (AnalyteError, LabtoxError):
            cname = name
        for a in self.analytes:
            if a.name == cname:
                return a
        raise MethodError(
            f"method {self.id!r} has no analyte {name!r}.", path=self.path or None,
            expected=f"one of {', '.join(self.analyte_names)}",
            hint="Close matches: " + (", ".join(close_matches(name, self.analyte_names)) or "none")
            + ".",
        )

    def __contains__(self, name: object) -> bool:
        try:
            self.analyte(str(name))
        except MethodError:
            return False
        return True

    def analytes_frame(self):
        """One row per analyte: name, channel, unit, model, weighting, ISTD, detection rule,
        number of levels and reporting unit (a pandas DataFrame)."""
        import pandas as pd

        return pd.DataFrame([{
            "analyte": a.name, "cas": a.cas, "channel": a.channel, "unit": a.unit,
            "model": a.model, "weighting": a.weighting,
            "istd": a.istd_channel or a.istd_analyte, "detection": a.detection.rule,
            "levels": len(a.levels), "reporting_unit": a.reporting_unit,
        } for a in self.analytes])

    def summary(self) -> dict[str, Any]:
        """Plain-data summary (used by ``labtox methods show``)."""
        p = self.preparation
        return {
            "id": self.id, "version": self.version, "title": self.title, "matrix": self.matrix,
            "technique": self.technique, "formats": list(self.formats),
            "analytes": len(self.analytes), "models": sorted({a.model for a in self.analytes}),
            "preparation": f"{p.mode} (dilution {p.dilution:g})",
            "reporting": f"{self.reporting.unit} {self.reporting.basis}"
                         + (f" (+{', '.join(self.reporting.additional_bases)})"
                            if self.reporting.additional_bases else ""),
            "censoring": self.reporting.censoring,
            "qc": [n for n in ("blank", "crm", "spike", "duplicate", "ccv", "istd", "teq")
                   if getattr(self.qc, n)],
            "references": list(self.references),
            "synthetic": self.synthetic,
            "path": self.path,
        }

    # ---- construction -------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | PathLike[str]) -> Method:
        """Load and validate a method file.

        Parameters
        ----------
        path
            A ``.toml`` method file.

        Returns
        -------
        Method

        Raises
        ------
        MethodError
            Listing every problem at once (``.problems``: list of :class:`MethodProblem`), each
            naming the key, the file and the line where it could be found; also when the file is
            missing or is not valid TOML.

        References
        ----------
        TOML v1.0.0, https://toml.io/en/v1.0.0; Python :mod:`tomllib`.

        Examples
        --------
        >>> import tempfile, os
        >>> text = '''
        ... [method]
        ... id = "demo"
        ... version = "1"
        ... title = "Demo"
        ... matrix = "milk"
        ... technique = "ICP-MS"
        ... [calibration]
        ... unit = "µg/L"
        ... levels = {"1" = 0.0, "2" = 1.0, "3" = 5.0}
        ... [detection]
        ... rule = "blanks"
        ... [[analytes]]
        ... name = "lead"
        ... [preparation]
        ... mode = "mass"
        ... final_volume_ml = 50.0
        ... [reporting]
        ... unit = "mg/kg"
        ... '''
        >>> with tempfile.TemporaryDirectory() as d:
        ...     p = os.path.join(d, "m.toml")
        ...     _ = open(p, "w", encoding="utf-8").write(text)
        ...     Method.load(p).analyte("Pb").levels["3"]
        5.0
        """
        p = Path(path)
        try:
            raw = p.read_bytes()
        except OSError as exc:
            raise MethodError(f"cannot read the method file ({exc.strerror or exc}).",
                              path=p) from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MethodError("the method file is not UTF-8 text.", path=p,
                              hint=f"Save it as UTF-8 ({exc.reason} at byte {exc.start}).") from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"line (\d+)", str(exc))
            raise MethodError(f"not valid TOML: {exc}.", path=p,
                              line=int(m.group(1)) if m else None,
                              hint="Check quoting, brackets and '=' on that line.") from None
        return cls.from_dict(data, path=p, text=text)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, path: str | PathLike[str] | None = None,
                  text: str | None = None) -> Method:
        """Validate an already-parsed method document (the dict :mod:`tomllib` returns).

        ``text`` (the TOML source) lets problems carry line numbers.
        """
        v = _Validator(Path(path) if path is not None else None, text)
        method = v.method(data)
        v.raise_if_problems()
        assert method is not None  # noqa: S101 - internal invariant: no problems => built
        return method


# --------------------------------------------------------------------------------------------
# validation


_TYPE_NAMES = {str: "a string", float: "a number", int: "an integer", bool: "true or false",
               list: "an array", dict: "a table"}


def _type_name(t: type | tuple[type, ...]) -> str:
    if isinstance(t, tuple):
        return " or ".join(_TYPE_NAMES.get(x, x.__name__) for x in t)
    return _TYPE_NAMES.get(t, t.__name__)


def _is(value: Any, t: type) -> bool:
    if t is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if t is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, t)


_MISSING = object()


class _Validator:
    """Collects every problem of one method document; builds the dataclass tree."""

    def __init__(self, path: Path | None, text: str | None) -> None:
        self.path = path
        self.problems: list[MethodProblem] = []
        self.lines = _key_lines(text) if text else {}

    # -- bookkeeping
    def line_of(self, key: str) -> int | None:
        k = key
        while k:
            if k in self.lines:
                return self.lines[k]
            if "." not in k and "[" not in k:
                break
            k = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", k)
            if k == key:
                break
        return None

    def add(self, key: str, message: str) -> None:
        self.problems.append(MethodProblem(key, message, self.line_of(key)))

    def raise_if_problems(self) -> None:
        if not self.problems:
            return
        self.problems.sort(key=lambda q: (q.line is None, q.line or 0))
        shown = "; ".join(str(p) for p in self.problems)
        first = self.problems[0]
        exc = MethodError(
            f"invalid method file ({len(self.problems)} problem(s)): {shown}.",
            path=self.path, line=first.line,
            hint="Fix every key listed (see the schema in labtox.method's documentation).",
        )
        exc.problems = list(self.problems)  # type: ignore[attr-defined]
        raise exc

    # -- primitives
    def table(self, parent: Mapping[str, Any], key: str, where: str, *,
              required: bool = False) -> Mapping[str, Any] | None:
        value = parent.get(key, _MISSING)
        name = f"{where}.{key}" if where else key
        if value is _MISSING:
            if required:
                self.add(name, "required table is missing")
            return None
        if not isinstance(value, dict):
            self.add(name, f"must be a table, found {value!r}")
            return None
        return value

    def known(self, table: Mapping[str, Any], allowed: set[str] | dict, where: str) -> None:
        for k in table:
            if k not in allowed:
                sugg = close_matches(k, allowed)
                hint = f" (did you mean {', '.join(repr(s) for s in sugg)}?)" if sugg else ""
                self.add(f"{where}.{k}" if where else k,
                         f"unknown key{hint}; allowed here: {', '.join(sorted(allowed))}")

    def get(self, table: Mapping[str, Any], key: str, t: type | tuple[type, ...], where: str, *,
            required: bool = False, default: Any = None, choices: tuple[str, ...] | None = None,
            minimum: float | None = None, maximum: float | None = None,
            positive: bool = False) -> Any:
        name = f"{where}.{key}" if where else key
        value = table.get(key, _MISSING)
        if value is _MISSING:
            if required:
                self.add(name, f"required key is missing (expected {_type_name(t)})")
            return default
        types = t if isinstance(t, tuple) else (t,)
        if not any(_is(value, x) for x in types):
            self.add(name, f"expected {_type_name(t)}, found {value!r}")
            return default
        if isinstance(value, str) and t is str and not value.strip() and required:
            self.add(name, "must not be empty")
            return default
        if choices is not None and value not in choices:
            sugg = close_matches(str(value), choices)
            self.add(name, f"must be one of {', '.join(choices)}, found {value!r}"
                     + (f" (did you mean {sugg[0]!r}?)" if sugg else ""))
            return default
        if _is(value, float):
            value = float(value) if float in types and int not in types else value
            if positive and not value > 0:
                self.add(name, f"must be positive, found {value!r}")
                return default
            if minimum is not None and value < minimum:
                self.add(name, f"must be ≥ {minimum:g}, found {value!r}")
                return default
            if maximum is not None and value > maximum:
                self.add(name, f"must be ≤ {maximum:g}, found {value!r}")
                return default
        return value

    def strings(self, table: Mapping[str, Any], key: str, where: str, *,
                choices: tuple[str, ...] | None = None) -> tuple[str, ...]:
        value = table.get(key, _MISSING)
        name = f"{where}.{key}" if where else key
        if value is _MISSING:
            return ()
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            self.add(name, f"expected an array of strings, found {value!r}")
            return ()
        if choices is not None:
            bad = [x for x in value if x not in choices]
            if bad:
                self.add(name, f"must contain only {', '.join(choices)}, found {bad!r}")
                return ()
        return tuple(value)

    def range_pct(self, table: Mapping[str, Any], key: str, where: str,
                  default: tuple[float, float]) -> tuple[float, float]:
        value = table.get(key, _MISSING)
        name = f"{where}.{key}" if where else key
        if value is _MISSING:
            return default
        if (not isinstance(value, list) or len(value) != 2
                or not all(_is(x, float) for x in value)):
            self.add(name, f"expected an array of two numbers [low, high], found {value!r}")
            return default
        lo, hi = float(value[0]), float(value[1])
        if not 0 <= lo < hi:
            self.add(name, f"must satisfy 0 ≤ low < high, found {value!r}")
            return default
        return (lo, hi)

    def unit(self, table: Mapping[str, Any], key: str, where: str, *,
             required: bool = False, default: str = "") -> str:
        value = self.get(table, key, str, where, required=required)
        if value is None:
            return default
        from labtox.units import normalise_unit, split_unit_basis

        text, basis = split_unit_basis(value)
        try:
            return normalise_unit(text) + (f" {basis}" if basis else "")
        except UnitError as exc:
            self.add(f"{where}.{key}" if where else key, f"unknown unit {value!r} ({exc.hint})")
            return default

    def analyte_name(self, value: Any, key: str) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.add(key, f"expected an analyte name, found {value!r}")
            return None
        from labtox.analytes import canonical

        try:
            return canonical(value).name
        except (AnalyteError, LabtoxError) as exc:
            self.add(key, f"unknown analyte {value!r} ({exc.hint or 'see `labtox analytes`'})")
            return None

    def levels(self, value: Any, key: str) -> dict[str, float]:
        if not isinstance(value, dict):
            self.add(key, f"expected a table of level = concentration, found {value!r}")
            return {}
        out = {}
        for lvl, conc in value.items():
            if not _is(conc, float) or conc < 0 or conc != conc or conc in (float("inf"),):
                self.add(f"{key}.{lvl}", f"expected a non-negative number, found {conc!r}")
                continue
            out[str(lvl)] = float(conc)
        return out

    # -- sections
    def method(self, data: Mapping[str, Any]) -> Method | None:
        top = {"method", "calibration", "detection", "analytes", "qc", "preparation", "reporting"}
        self.known(data, top, "")
        head = self.table(data, "method", "", required=True) or {}
        w = "method"
        self.known(head, {"id", "version", "title", "matrix", "technique", "formats",
                          "description", "references", "synthetic"}, w)
        mid = self.get(head, "id", str, w, required=True, default="")
        if mid and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", mid):
            self.add("method.id", f"must be letters, digits, '.', '_' or '-', found {mid!r}")
        version = self.get(head, "version", str, w, required=True, default="")
        title = self.get(head, "title", str, w, required=True, default="")
        matrix = self.get(head, "matrix", str, w, required=True, default="")
        technique = self.get(head, "technique", str, w, required=True, default="")
        formats = self.strings(head, "formats", w)
        known_formats = _known_formats()
        for f in formats:
            if known_formats and f not in known_formats:
                sugg = close_matches(f, known_formats)
                self.add("method.formats", f"unknown export format {f!r}"
                         + (f" (did you mean {sugg[0]!r}?)" if sugg else "")
                         + f"; readers: {', '.join(sorted(known_formats))}")
        description = self.get(head, "description", str, w, default="")
        references = self.strings(head, "references", w)
        synthetic = self.get(head, "synthetic", bool, w, default=False)

        cal = self.calibration(data)
        det = self.detection(data.get("detection", _MISSING), "detection", default=None)
        analytes = self.analytes(data, cal, det)
        qc = self.qc(data)
        self.cross_checks(analytes, cal, qc)
        prep = self.preparation(data)
        rep = self.reporting(data)
        if rep is not None:
            analytes = tuple(a if a.reporting_unit else _replace(a, reporting_unit=rep.unit)
                             for a in analytes)
            self.density_check(analytes, prep)
        if self.problems or rep is None:
            return None
        return Method(
            id=mid, version=version, title=title, matrix=matrix, technique=technique,
            formats=formats, description=description, references=references,
            synthetic=bool(synthetic), calibration=cal,
            detection=det or DetectionRule("reported"), analytes=analytes, qc=qc,
            preparation=prep, reporting=rep, path=str(self.path) if self.path else "",
        )

    def cross_checks(self, analytes: tuple[AnalyteSpec, ...], cal: CalibrationSpec,
                     qc: QCSpec) -> None:
        """Consistency between sections (analytes named in QC, enough levels)."""
        names = {a.name for a in analytes}
        flagged = {p.key for p in self.problems}
        short: dict[str, list[str]] = {}
        for i, a in enumerate(analytes):
            if a.model == "reported" or not a.levels:
                continue
            distinct = len(set(a.levels.values()))
            if distinct < cal.acceptance.min_levels:
                own = f"analytes[{i}].levels"
                key = own if own in self.lines else "calibration.levels"
                if not any(k == key or k.startswith(key + ".") for k in flagged):
                    short.setdefault(key, []).append(f"{a.name} ({distinct})")
        for key, which in short.items():
            self.add(key, f"fewer distinct concentrations than calibration.acceptance.min_levels "
                     f"= {cal.acceptance.min_levels}: {', '.join(which)}")
        for j, c in enumerate(qc.crm):
            for n in c.values:
                if n not in names:
                    self.add(f"qc.crm[{j}].values.{n}", f"analyte {n!r} is not measured by this "
                             "method")
        if qc.spike is not None:
            for n in qc.spike.added:
                if n not in names:
                    self.add(f"qc.spike.added.{n}", f"analyte {n!r} is not measured by this "
                             "method")

    def density_check(self, analytes: tuple[AnalyteSpec, ...], prep: Preparation) -> None:
        """Per-volume calibration reported per mass without weighing needs a density."""
        if prep.mode == "mass" or prep.density_kg_per_l is not None:
            return
        need = [a.name for a in analytes
                if a.model != "reported" and _is_per_volume(a.unit)
                and _is_mass_fraction(a.reporting_unit)]
        if need:
            self.add("preparation.density_kg_per_l",
                     f"required: {', '.join(need[:3])}{' ...' if len(need) > 3 else ''} "
                     f"calibrated per volume but reported per mass with mode = {prep.mode!r} "
                     "(e.g. density_kg_per_l = 1.03 for milk)")

    def calibration(self, data: Mapping[str, Any]) -> CalibrationSpec:
        t = self.table(data, "calibration", "") or {}
        w = "calibration"
        self.known(t, {"model", "weighting", "unit", "levels", "acceptance"}, w)
        model = self.get(t, "model", str, w, default="linear", choices=MODELS)
        weighting = self.get(t, "weighting", str, w, default="none", choices=WEIGHTINGS)
        unit = self.unit(t, "unit", w)
        levels = self.levels(t["levels"], f"{w}.levels") if "levels" in t else {}
        acc_t = self.table(t, "acceptance", w) or {}
        wa = f"{w}.acceptance"
        self.known(acc_t, {"min_r2", "max_deviation_pct", "max_deviation_lowest_pct",
                           "min_levels"}, wa)
        acc = CalibrationAcceptance(
            min_r2=self.get(acc_t, "min_r2", float, wa, default=0.99, minimum=0, maximum=1),
            max_deviation_pct=self.get(acc_t, "max_deviation_pct", float, wa, default=20.0,
                                       positive=True),
            max_deviation_lowest_pct=self.get(acc_t, "max_deviation_lowest_pct", float, wa,
                                              positive=True),
            min_levels=self.get(acc_t, "min_levels", int, wa, default=3, minimum=2),
        )
        return CalibrationSpec(model=model, weighting=weighting, unit=unit, levels=levels,
                               acceptance=acc)

    def detection(self, value: Any, where: str, default: DetectionRule | None
                  ) -> DetectionRule | None:
        if value is _MISSING:
            return default
        if not isinstance(value, dict):
            self.add(where, f"must be a table, found {value!r}")
            return default
        rule = self.get(value, "rule", str, where, required=True, choices=tuple(DETECTION_RULES))
        if rule is None:
            return default
        spec = DETECTION_RULES[rule]
        self.known(value, {"rule", *spec}, where)
        params: dict[str, Any] = {}
        for name, (t, dflt) in spec.items():
            got = self.get(value, name, t, where, default=dflt)
            if got is not None:
                params[name] = got
        for prob in ("alpha", "beta", "confidence"):
            if prob in params and not 0 < params[prob] < 1:
                self.add(f"{where}.{prob}", f"must be between 0 and 1, found {params[prob]!r}")
        for pos in ("k", "k_loq", "factor_lod", "factor_loq", "loq_factor", "replicates"):
            if pos in params and not params[pos] > 0:
                self.add(f"{where}.{pos}", f"must be positive, found {params[pos]!r}")
        if rule == "ich" and params.get("sigma") not in ("residual", "intercept", "blank"):
            self.add(f"{where}.sigma",
                     f"must be one of residual, intercept, blank, found {params.get('sigma')!r}")
        if rule == "fixed":
            for need in ("lod", "loq", "unit"):
                if need not in params:
                    self.add(f"{where}.{need}", "required key is missing for rule 'fixed'")
            if "unit" in params:
                params["unit"] = self.unit(value, "unit", where) or params["unit"]
            if "lod" in params and "loq" in params and not 0 <= params["lod"] <= params["loq"]:
                self.add(f"{where}.loq", f"must be ≥ lod ≥ 0, found lod = {params['lod']!r}, "
                         f"loq = {params['loq']!r}")
        return DetectionRule(rule, params)

    def analytes(self, data: Mapping[str, Any], cal: CalibrationSpec,
                 det: DetectionRule | None) -> tuple[AnalyteSpec, ...]:
        items = data.get("analytes", _MISSING)
        if items is _MISSING:
            self.add("analytes", "required array of tables [[analytes]] is missing")
            return ()
        if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
            self.add("analytes", "must be an array of tables ([[analytes]] sections)")
            return ()
        if not items:
            self.add("analytes", "must name at least one analyte")
        allowed = {"name", "channel", "unit", "model", "weighting", "istd_channel",
                   "istd_analyte", "levels", "detection", "reporting_unit", "ccv_concentration"}
        out: list[AnalyteSpec] = []
        seen: dict[str, int] = {}
        for i, a in enumerate(items):
            w = f"analytes[{i}]"
            self.known(a, allowed, w)
            name = self.analyte_name(a.get("name"), f"{w}.name") if "name" in a else None
            if "name" not in a:
                self.add(f"{w}.name", "required key is missing (expected an analyte name)")
            if name is not None:
                if name in seen:
                    self.add(f"{w}.name", f"analyte {name!r} is listed twice "
                             f"(also analytes[{seen[name]}])")
                seen[name] = i
            model = self.get(a, "model", str, w, default=cal.model, choices=MODELS)
            weighting = self.get(a, "weighting", str, w, default=cal.weighting, choices=WEIGHTINGS)
            unit = self.unit(a, "unit", w, default=cal.unit)
            levels = self.levels(a["levels"], f"{w}.levels") if "levels" in a else dict(cal.levels)
            istd_analyte = ""
            if "istd_analyte" in a:
                istd_analyte = self.analyte_name(a["istd_analyte"], f"{w}.istd_analyte") or ""
            adet = self.detection(a.get("detection", _MISSING), f"{w}.detection", default=det)
            if adet is None:
                self.add(f"{w}.detection", "no detection rule: give [detection] rule = ... "
                         "for the method or detection = {rule = ...} for this analyte")
            if model not in ("reported",) and name is not None:
                if not unit:
                    self.add(f"{w}.unit", "calibration unit missing: give [calibration] unit "
                             "or unit for this analyte")
            ccv = self.get(a, "ccv_concentration", float, w, minimum=0)
            out.append(AnalyteSpec(
                name=name or str(a.get("name", "")),
                cas=_cas(name),
                channel=self.get(a, "channel", str, w, default="") or "",
                unit=unit, model=model or "linear", weighting=weighting or "none",
                istd_channel=self.get(a, "istd_channel", str, w, default="") or "",
                istd_analyte=istd_analyte, levels=levels,
                detection=adet or DetectionRule("reported"),
                reporting_unit=self.unit(a, "reporting_unit", w), ccv_concentration=ccv,
            ))
        return tuple(out)

    def qc(self, data: Mapping[str, Any]) -> QCSpec:
        t = self.table(data, "qc", "") or {}
        self.known(t, {"blank", "crm", "spike", "duplicate", "ccv", "istd", "teq"}, "qc")
        blank = spike = dup = ccv = istd = teq = None
        if (b := self.table(t, "blank", "qc")) is not None:
            w = "qc.blank"
            self.known(b, {"relative_to", "factor"}, w)
            blank = BlankRule(
                relative_to=self.get(b, "relative_to", str, w, default="loq",
                                     choices=("lod", "loq")),
                factor=self.get(b, "factor", float, w, default=1.0, positive=True))
        crms: list[CRMSpec] = []
        if "crm" in t:
            items = t["crm"]
            if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
                self.add("qc.crm", "must be an array of tables ([[qc.crm]] sections)")
                items = []
            for i, c in enumerate(items):
                crms.append(self.crm(c, f"qc.crm[{i}]"))
        if (s := self.table(t, "spike", "qc")) is not None:
            w = "qc.spike"
            self.known(s, {"recovery_pct", "added_unit", "added", "recovery_pct_by_analyte"}, w)
            added = {}
            if "added" in s:
                if not isinstance(s["added"], dict):
                    self.add(f"{w}.added", f"expected a table analyte = amount, found {s['added']!r}")
                else:
                    for k, val in s["added"].items():
                        n = self.analyte_name(k, f"{w}.added.{k}")
                        if not _is(val, float) or val <= 0:
                            self.add(f"{w}.added.{k}", f"expected a positive number, found {val!r}")
                        elif n:
                            added[n] = float(val)
            by = {}
            if "recovery_pct_by_analyte" in s:
                if not isinstance(s["recovery_pct_by_analyte"], dict):
                    self.add(f"{w}.recovery_pct_by_analyte", "expected a table analyte = [lo, hi]")
                else:
                    for k in s["recovery_pct_by_analyte"]:
                        n = self.analyte_name(k, f"{w}.recovery_pct_by_analyte.{k}")
                        r = self.range_pct(s["recovery_pct_by_analyte"], k,
                                           f"{w}.recovery_pct_by_analyte", (80.0, 120.0))
                        if n:
                            by[n] = r
            unit = self.unit(s, "added_unit", w, required=bool(added))
            spike = SpikeRule(recovery_pct=self.range_pct(s, "recovery_pct", w, (80.0, 120.0)),
                              added_unit=unit, added=added, recovery_pct_by_analyte=by)
        if (d := self.table(t, "duplicate", "qc")) is not None:
            w = "qc.duplicate"
            self.known(d, {"max_rpd_pct", "min_loq_multiple"}, w)
            dup = DuplicateRule(
                max_rpd_pct=self.get(d, "max_rpd_pct", float, w, required=True, default=20.0,
                                     positive=True),
                min_loq_multiple=self.get(d, "min_loq_multiple", float, w, default=0.0, minimum=0))
        if (c := self.table(t, "ccv", "qc")) is not None:
            w = "qc.ccv"
            self.known(c, {"tolerance_pct", "level", "every_n_injections"}, w)
            ccv = CCVRule(
                tolerance_pct=self.get(c, "tolerance_pct", float, w, required=True, default=10.0,
                                       positive=True),
                level=str(self.get(c, "level", (str, int), w, default="")),
                every_n_injections=self.get(c, "every_n_injections", int, w, minimum=1))
        if (s2 := self.table(t, "istd", "qc")) is not None:
            w = "qc.istd"
            self.known(s2, {"recovery_pct"}, w)
            istd = ISTDRule(recovery_pct=self.range_pct(s2, "recovery_pct", w, (60.0, 125.0)))
        if (tq := self.table(t, "teq", "qc")) is not None:
            w = "qc.teq"
            self.known(tq, {"max_ub_lb_difference_pct"}, w)
            teq = TEQRule(self.get(tq, "max_ub_lb_difference_pct", float, w, default=20.0,
                                   positive=True))
        return QCSpec(blank=blank, crm=tuple(crms), spike=spike, duplicate=dup, ccv=ccv,
                      istd=istd, teq=teq)

    def crm(self, c: Mapping[str, Any], w: str) -> CRMSpec:
        self.known(c, {"name_pattern", "material", "status", "source", "unit", "basis",
                       "values", "recovery_pct", "max_abs_zeta"}, w)
        values: dict[str, CRMValue] = {}
        vt = c.get("values", {})
        if not isinstance(vt, dict):
            self.add(f"{w}.values", f"expected a table analyte = {{value, U, k}}, found {vt!r}")
            vt = {}
        for k, val in vt.items():
            key = f"{w}.values.{k}"
            n = self.analyte_name(k, key)
            if not isinstance(val, dict):
                self.add(key, f"expected a table {{value = …, U = …, k = 2}}, found {val!r}")
                continue
            self.known(val, {"value", "U", "k"}, key)
            value = self.get(val, "value", float, key, required=True, minimum=0)
            u = self.get(val, "U", float, key, required=True, minimum=0)
            kk = self.get(val, "k", float, key, default=2.0, positive=True)
            if n and value is not None and u is not None:
                values[n] = CRMValue(float(value), float(u), float(kk))
        return CRMSpec(
            name_pattern=self.get(c, "name_pattern", str, w, required=True, default=""),
            material=self.get(c, "material", str, w, default=""),
            status=self.get(c, "status", str, w, required=True, default="certified",
                            choices=_CRM_STATUS),
            source=self.get(c, "source", str, w, required=True, default=""),
            unit=self.unit(c, "unit", w, required=True),
            basis=self.get(c, "basis", str, w, default="wet", choices=_BASES),
            values=values,
            recovery_pct=self.range_pct(c, "recovery_pct", w, (80.0, 120.0)),
            max_abs_zeta=self.get(c, "max_abs_zeta", float, w, positive=True),
        )

    def preparation(self, data: Mapping[str, Any]) -> Preparation:
        t = self.table(data, "preparation", "") or {}
        w = "preparation"
        self.known(t, {"mode", "sample_mass_g", "sample_volume_ml", "final_volume_ml",
                       "dilution", "density_kg_per_l", "blank_subtraction",
                       "recovery_correction"}, w)
        mode = self.get(t, "mode", str, w, default="none", choices=PREPARATION_MODES)
        prep = Preparation(
            mode=mode or "none",
            sample_mass_g=self.get(t, "sample_mass_g", float, w, positive=True),
            sample_volume_ml=self.get(t, "sample_volume_ml", float, w, positive=True),
            final_volume_ml=self.get(t, "final_volume_ml", float, w, positive=True),
            dilution=self.get(t, "dilution", float, w, default=1.0, positive=True),
            density_kg_per_l=self.get(t, "density_kg_per_l", float, w, positive=True),
            blank_subtraction=self.get(t, "blank_subtraction", str, w, default="none",
                                       choices=BLANK_SUBTRACTION_RULES),
            recovery_correction=self.get(t, "recovery_correction", bool, w, default=False),
        )
        if mode == "mass" and "final_volume_ml" not in t:
            self.add(f"{w}.final_volume_ml", "required when mode = 'mass' "
                     "(c_sample = c_solution × final volume / sample mass)")
        if mode == "volume" and "final_volume_ml" not in t:
            self.add(f"{w}.final_volume_ml", "required when mode = 'volume'")
        return prep

    def reporting(self, data: Mapping[str, Any]) -> Reporting | None:
        t = self.table(data, "reporting", "", required=True)
        if t is None:
            return None
        w = "reporting"
        self.known(t, {"unit", "basis", "additional_bases", "censoring", "significant_figures"}, w)
        unit = self.unit(t, "unit", w, required=True)
        basis = self.get(t, "basis", str, w, default="wet", choices=_BASES)
        return Reporting(
            unit=unit, basis=basis or "wet",
            additional_bases=self.strings(t, "additional_bases", w, choices=_BASES),
            censoring=self.get(t, "censoring", str, w, default="censor-at-lod",
                               choices=tuple(CENSORING_RULES)) or "censor-at-lod",
            significant_figures=self.get(t, "significant_figures", int, w, minimum=1),
        )


def _dims(unit: str) -> dict[str, float] | None:
    if not unit:
        return None
    from labtox.units import parse_unit, split_unit_basis

    try:
        return dict((1 * parse_unit(split_unit_basis(unit)[0])).dimensionality)
    except (UnitError, LabtoxError):
        return None


def _is_per_volume(unit: str) -> bool:
    return _dims(unit) == {"[mass]": 1, "[length]": -3}


def _is_mass_fraction(unit: str) -> bool:
    return _dims(unit) == {}


def _known_formats() -> set[str]:
    """Names of the export readers installed (empty if the registry cannot be read)."""
    try:
        from labtox.io import formats

        return {f.name for f in formats()}
    except Exception:  # noqa: BLE001 - a broken reader must not make every method invalid
        return set()


def _replace(obj: Any, **changes: Any) -> Any:
    import dataclasses

    return dataclasses.replace(obj, **changes)


def _cas(name: str | None) -> str:
    if not name:
        return ""
    from labtox.analytes import canonical

    try:
        return canonical(name).cas
    except (AnalyteError, LabtoxError):
        return ""


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEYLINE = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_\-.]+)\s*=""")


def _unquote(part: str) -> str:
    part = part.strip()
    if len(part) >= 2 and part[0] == part[-1] and part[0] in "\"'":
        return part[1:-1]
    return part


def _key_lines(text: str) -> dict[str, int]:
    """Map dotted key paths (``analytes[2].weighting``, ``qc.crm[0].values``) to 1-based lines.

    A light scanner over the TOML source (tomllib reports no positions): table headers, array
    of tables (indexed in order) and ``key =`` lines; keys inside inline tables are found too
    (``levels = {"1" = 0.0}`` gives ``levels.1`` the line of ``levels``).
    """
    out: dict[str, int] = {}
    counts: dict[str, int] = {}
    prefix = ""
    in_multiline = False
    for no, line in enumerate(text.splitlines(), 1):
        if in_multiline:
            if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
                in_multiline = False
            continue
        m = _HEADER.match(line)
        if m and not _KEYLINE.match(line):
            parts = [_unquote(p) for p in re.split(r"\.(?=(?:[^\"']|\"[^\"]*\"|'[^']*')*$)",
                                                    m.group(2))]
            aot = m.group(1) == "[["
            plain = resolved = ""
            for j, part in enumerate(parts):
                plain = f"{plain}.{part}" if plain else part
                resolved = f"{resolved}.{part}" if resolved else part
                if plain in counts and not (aot and j == len(parts) - 1):
                    resolved += f"[{counts[plain] - 1}]"
            if aot:
                counts[plain] = counts.get(plain, 0) + 1
                resolved += f"[{counts[plain] - 1}]"
            path = resolved
            prefix = path
            out.setdefault(prefix, no)
            continue
        k = _KEYLINE.match(line)
        if k:
            key = ".".join(_unquote(p) for p in k.group(1).split("."))
            full = f"{prefix}.{key}" if prefix else key
            out.setdefault(full, no)
            rest = line[k.end():]
            for inner in re.finditer(r"""("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_\-]+)\s*=""", rest):
                out.setdefault(f"{full}.{_unquote(inner.group(1))}", no)
            if rest.count('"""') == 1 or rest.count("'''") == 1:
                in_multiline = True
    return out
