"""Regulatory limits as cited data, and compliance decisions that use measurement uncertainty.

Limits live in ``reference_limits/`` (one CSV per legal act, each row with its provision,
product scope, basis, bound convention, status and source; see ``reference_limits/README.md``).
:func:`load_limits` reads them into a :class:`LimitSet`; :meth:`LimitSet.applicable` finds the
limits for an analyte, a matrix and a product; :func:`compare` judges a results table against
them and returns a :class:`Compliance` whose table has one row per result × applicable limit.

Matrices (``MATRICES``): ``raw-milk``, ``heat-treated-milk``, ``milk-for-manufacture``,
``fermented-milk``, ``infant-formula``, ``cream`` and ``dairy-products``. Choices labtox makes
where the acts are silent, each recorded in the ``notes`` of every decision it affects:

* **Species.** None of the acts distinguishes the milking species; camel milk (and shubat) is
  judged against the milk entries.
* **Fermented milk (shubat).** EAEU TR CU 021/2011 Annex 3 §2 lists fermented milk products
  explicitly. EU Reg. 2023/915 and Codex CXS 193 have no entry: labtox applies the milk entry
  with a processing factor of 1 (Reg. (EU) 2023/915 Art. 3: MLs for processed foods take account
  of changes in concentration caused by processing; fermentation of milk to shubat neither dries
  nor dilutes it), and says so.

Decision rules (``rule=``), for a result ``x`` with expanded uncertainty ``U`` against limit
``L`` (after unit and basis conversion):

``simple``
    Simple acceptance (ILAC G8:09/2019 §4.2.1, guard band w = 0): compliant if ``x ≤ L``,
    else non-compliant.
``guard-band``
    Non-binary rule with guard band ``g = guard_band × U`` (Eurachem/CITAC 2021 §4.4; ILAC G8
    §4.2.2): compliant if ``x + g ≤ L``, non-compliant if ``x − g > L``, else inconclusive (the
    interval ``x ± g`` straddles the limit).
``beyond-reasonable-doubt``
    The EU official-control rule: a lot is non-compliant only if ``x − U > L`` ("exceeds the
    maximum level beyond reasonable doubt taking into account the expanded measurement
    uncertainty", Reg. (EC) 333/2007 Annex part C.4 (as amended); Reg. (EU) 2017/644
    Annex II/III), otherwise compliant.

Non-detects (``censored`` true; ``value`` = the limit the result lies below) are compliant when
that limit is ``≤ L`` and **not-decidable** when it is above ``L`` — under every rule.

References
----------
.. [1] Eurachem/CITAC Guide: Use of uncertainty information in compliance assessment, 1st ed.
   (S L R Ellison, A Williams, eds., 2007) and 2nd ed. (A Williams, B Magnusson, eds., 2021),
   ISBN 978-0-948926-38-9.
.. [2] ILAC G8:09/2019 Guidelines on Decision Rules and Statements of Conformity.
.. [3] Commission Regulation (EU) 2023/915, Art. 3 and Annex I section 4.1 footnote: "The
   maximum level expressed on fat does not apply to food containing less than 2 % fat. For food
   containing less than 2 % fat, the maximum level applies on a product basis [...] = maximum
   level expressed on fat x 0.02" (as listed on foodsafetyportal.eu, r915 chid=41).
.. [4] Commission Regulation (EC) No 333/2007, Annex point C.3.3.1 as replaced by Implementing
   Regulation (EU) 2022/2418 (LOQ criteria for Pb, Cd, Hg, As; copy seen on eurlexa.com).
.. [5] Commission Regulation (EU) 2017/644, Annex III point 6.1 (UB−LB ≤ 20 % to confirm an
   exceedance).
"""

from __future__ import annotations

import csv
import datetime as _dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from labtox.errors import AnalyteError, LimitsError, UnitError, close_matches

__all__ = [
    "MATRICES",
    "RULES",
    "STATUSES",
    "EXTRA_ANALYTES",
    "LIMIT_FILES",
    "Limit",
    "NoLimit",
    "LimitSet",
    "Compliance",
    "load_limits",
    "compare",
    "decide",
    "resolve_analyte",
    "matrix_of",
    "loq_criterion",
    "reference_dir",
]

MATRICES: tuple[str, ...] = ("raw-milk", "heat-treated-milk", "milk-for-manufacture",
                             "fermented-milk", "infant-formula", "cream", "dairy-products")
RULES: tuple[str, ...] = ("simple", "guard-band", "beyond-reasonable-doubt")
STATUSES: tuple[str, ...] = ("confirmed-primary", "confirmed-secondary", "unverified")
LIMIT_COLUMNS: tuple[str, ...] = (
    "regime", "act", "provision", "matrix", "product_scope", "analyte", "limit", "unit", "basis",
    "bound_convention", "in_force_from", "in_force_to", "status", "source_url", "notes")
NOT_REGULATED_COLUMNS: tuple[str, ...] = (
    "regime", "act", "provision", "matrix", "product_scope", "analyte", "finding", "status",
    "source_url", "notes")
LIMIT_FILES: dict[str, str] = {
    "eaeu_tr_cu_021_2011.csv": "EAEU",
    "eaeu_tr_cu_033_2013.csv": "EAEU",
    "eu_2023_915.csv": "EU",
    "codex_cxs_193_1995.csv": "Codex",
}
"""Shipped limit files and their regime."""

EXTRA_ANALYTES: dict[str, str] = {
    "tetracycline group": "",
    "penicillin": "",
}
"""Group names the limit tables use that are not single analytes in ``labtox/data/analytes.csv``
(a limit for "the tetracycline group" applies to the sum of its members)."""

SPECIES_NOTE = ("The act does not distinguish the milking species; camel milk is judged "
                "against the milk entry.")
_DERIVED: dict[str, dict[str, tuple[str, str]]] = {
    "EU": {"fermented-milk": (
        "raw-milk",
        "No EU entry for fermented milk: milk ML applied with processing factor 1 "
        "(Reg. (EU) 2023/915 Art. 3; labtox choice: fermentation neither dries nor dilutes).")},
    "Codex": {"fermented-milk": (
        "raw-milk",
        "No Codex entry for fermented milk seen: the 'Milks' ML applied with factor 1 "
        "(labtox choice; CXS 193 secondary milk products entry not verified).")},
}
FAT_RULE_NOTE = ("Fat < 2 %: ML applied on product basis = ML(fat) x 0.02 "
                 "(Reg. (EU) 2023/915 Annex I 4.1 footnote).")

# product words -> matrix (checked in order; first hit wins)
_PRODUCT_WORDS: tuple[tuple[str, str], ...] = (
    (r"infant|formula|follow-on", "infant-formula"),
    (r"shubat|chubat|шубат|fermented|kefir|ayran|airan|kumis|kumys|koumiss|yogh?urt|"
     r"кисломолоч|кефир|айран|қымыз|кумыс|sour", "fermented-milk"),
    (r"cream|сливк", "cream"),
    (r"pasteuri[sz]ed|heat[- ]?treated|uht|steril|boiled|drinking|пастер", "heat-treated-milk"),
    (r"for manufactur|for processing", "milk-for-manufacture"),
    (r"butter|cheese|curd|powder|dried|dairy|масло|сыр|творог", "dairy-products"),
    (r"raw|milk|молок|сүт|\bsut\b", "raw-milk"),
)


def reference_dir() -> Path:
    """The shipped ``reference_limits/`` folder: ``Path(labtox.__file__).parents[1]``."""
    import labtox

    return Path(labtox.__file__).resolve().parents[1] / "reference_limits"


def resolve_analyte(name: str) -> str:
    """Canonical name of an analyte or sum parameter used in a limit table.

    Accepts canonical analytes (:func:`labtox.analytes.canonical`), the sum parameters of
    :data:`labtox.teq.SUM_PARAMETERS` and :data:`EXTRA_ANALYTES`.

    Raises
    ------
    AnalyteError
        When the name is none of these.

    Examples
    --------
    >>> resolve_analyte("Lead"), resolve_analyte("sum ndl-PCB-6")
    ('Pb', 'sum ndl-PCB-6')
    """
    from labtox.analytes import canonical
    from labtox.teq import SUM_PARAMETERS

    s = str(name).strip()
    if s in SUM_PARAMETERS or s in EXTRA_ANALYTES:
        return s
    try:
        return canonical(s).name
    except AnalyteError:
        cands = list(SUM_PARAMETERS) + list(EXTRA_ANALYTES)
        sugg = close_matches(s, cands)
        raise AnalyteError(
            f"unknown analyte {name!r} in a limit table.",
            expected="a canonical labtox analyte or a sum parameter (" +
                     ", ".join(SUM_PARAMETERS) + ")",
            hint=f"Did you mean {', '.join(sugg)}?" if sugg else None,
        ) from None


def matrix_of(product: object) -> str | None:
    """The labtox matrix a product description maps to (``None`` when it says nothing).

    Examples
    --------
    >>> matrix_of("Shubat"), matrix_of("raw camel milk"), matrix_of("pasteurised milk")
    ('fermented-milk', 'raw-milk', 'heat-treated-milk')
    """
    if product is None or (isinstance(product, float) and math.isnan(product)):
        return None
    text = str(product).strip().lower()
    if not text:
        return None
    if text in MATRICES:
        return text
    for pattern, matrix in _PRODUCT_WORDS:
        if re.search(pattern, text):
            return matrix
    return None


@dataclass(frozen=True)
class Limit:
    """One maximum level with its citation.

    ``limit`` is in ``unit`` on ``basis`` (``wet``, ``fat`` or ``dry``); ``matrices`` lists the
    labtox matrices the product scope covers; ``derived_from``/``derivation`` are set when the
    limit was applied to a matrix through a labtox choice (e.g. fermented milk in the EU).
    """

    regime: str
    act: str
    provision: str
    matrices: tuple[str, ...]
    product_scope: str
    analyte: str
    limit: float
    unit: str
    basis: str
    bound_convention: str
    in_force_from: str
    in_force_to: str
    status: str
    source_url: str
    notes: str
    file: str
    line: int
    derivation: str = ""

    def in_force(self, on: str | _dt.date | None = None) -> bool:
        """True when in force on ``on`` (ISO date); with ``None``: not superseded."""
        if on is None:
            return not self.in_force_to
        day = on.isoformat() if isinstance(on, _dt.date) else str(on)
        return ((not self.in_force_from or self.in_force_from <= day)
                and (not self.in_force_to or day <= self.in_force_to))

    def citation(self) -> str:
        """``act, provision`` as one string."""
        return f"{self.act}, {self.provision}"


@dataclass(frozen=True)
class NoLimit:
    """A cited finding that an act sets no limit (or that its value was not found)."""

    regime: str
    act: str
    provision: str
    matrices: tuple[str, ...]
    product_scope: str
    analyte: str
    finding: str
    status: str
    source_url: str
    notes: str


@dataclass(frozen=True)
class LimitSet:
    """The limits of one or more regimes.

    Attributes
    ----------
    limits : tuple of Limit
    no_limits : tuple of NoLimit
        Cited "no limit" / "value not found" findings (``not_regulated.csv``).
    directory : pathlib.Path
    regimes : tuple of str
    """

    limits: tuple[Limit, ...]
    no_limits: tuple[NoLimit, ...]
    directory: Path
    regimes: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.limits)

    def to_frame(self) -> pd.DataFrame:
        """All limits as a table (one row per limit, ``matrix`` ``|``-joined).

        Examples
        --------
        >>> df = load_limits(["Codex"]).to_frame()
        >>> sorted(df["analyte"].unique())
        ['Pb', 'aflatoxin M1', 'melamine']
        """
        rows = [{**{c: getattr(lim, c) for c in (
            "regime", "act", "provision", "product_scope", "analyte", "limit", "unit", "basis",
            "bound_convention", "in_force_from", "in_force_to", "status", "source_url", "notes",
            "file", "line")}, "matrix": "|".join(lim.matrices)} for lim in self.limits]
        cols = ["regime", "act", "provision", "matrix", "product_scope", "analyte", "limit",
                "unit", "basis", "bound_convention", "in_force_from", "in_force_to", "status",
                "source_url", "notes", "file", "line"]
        return pd.DataFrame(rows, columns=cols)

    def filter(self, *, regime: str | None = None, analyte: str | None = None) -> LimitSet:
        """A subset by regime and/or analyte (any spelling :func:`resolve_analyte` accepts).

        Examples
        --------
        >>> [x.limit for x in load_limits().filter(regime="EAEU", analyte="lead").limits]
        [0.1]
        """
        a = resolve_analyte(analyte) if analyte else None
        lims = tuple(x for x in self.limits
                     if (regime is None or x.regime.lower() == regime.lower())
                     and (a is None or x.analyte == a))
        nos = tuple(x for x in self.no_limits
                    if (regime is None or x.regime.lower() == regime.lower())
                    and (a is None or x.analyte == a))
        return LimitSet(lims, nos, self.directory, self.regimes)

    def applicable(
        self,
        analyte: str,
        matrix: str,
        product: str | None = None,
        *,
        on: str | _dt.date | None = None,
    ) -> list[Limit]:
        """Limits that apply to ``analyte`` in ``matrix`` (and ``product``), one list over regimes.

        Parameters
        ----------
        analyte
            Any spelling :func:`resolve_analyte` accepts.
        matrix
            One of :data:`MATRICES`.
        product
            Optional product description (``"camel milk"``, ``"shubat"``, ``"infant formula,
            powder"``). For infant formula it selects the powder or liquid entry when it names
            one; camel products add the species note.
        on
            ISO date: limits in force on that day (e.g. the sampling date). Default: current
            limits (rows without ``in_force_to``).

        Returns
        -------
        list of Limit
            Each with ``derivation`` explaining any labtox choice (fermented milk in the EU and
            Codex; species).

        Examples
        --------
        >>> ls = load_limits()
        >>> [(x.regime, x.limit, x.unit) for x in ls.applicable("Pb", "fermented-milk")]
        [('EAEU', 0.1, 'mg/kg'), ('EU', 0.02, 'mg/kg'), ('Codex', 0.02, 'mg/kg')]
        """
        a = resolve_analyte(analyte)
        if matrix not in MATRICES:
            raise LimitsError(f"unknown matrix {matrix!r}.", expected=", ".join(MATRICES),
                              found=matrix)
        species = ""
        if product is not None and re.search(r"camel|dromedar|bactrian|shubat|шубат|верблюж",
                                             str(product), re.I):
            species = SPECIES_NOTE
        out: list[Limit] = []
        for regime in self.regimes:
            cands = [x for x in self.limits
                     if x.regime == regime and x.analyte == a and x.in_force(on)]
            direct = [x for x in cands if matrix in x.matrices]
            derivation = ""
            if not direct and matrix in _DERIVED.get(regime, {}):
                base, derivation = _DERIVED[regime][matrix]
                direct = [x for x in cands if base in x.matrices]
            if matrix == "infant-formula" and product:
                form = ("powder" if re.search(r"powder|dry|dried", str(product), re.I) else
                        "liquid" if re.search(r"liquid|ready", str(product), re.I) else None)
                if form:
                    narrowed = [x for x in direct if form in x.product_scope.lower()]
                    direct = narrowed or direct
            for x in direct:
                note = " ".join(s for s in (derivation, species) if s)
                out.append(x if not note else _with(x, derivation=note))
        return out

    def no_limit(self, analyte: str, matrix: str) -> list[NoLimit]:
        """Cited findings that no limit exists (or was found) for ``analyte`` in ``matrix``.

        Examples
        --------
        >>> [(n.regime, n.finding) for n in load_limits(["EU"]).no_limit("Hg", "raw-milk")]
        [('EU', 'no limit')]
        """
        a = resolve_analyte(analyte)
        return [x for x in self.no_limits if x.analyte == a and matrix in x.matrices]


def _with(lim: Limit, **changes: object) -> Limit:
    from dataclasses import replace

    return replace(lim, **changes)


def _read_csv(path: Path, columns: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in columns if c not in header and c != "in_force_to"]
        if missing:
            raise LimitsError("a limit table lacks columns.", path=path, line=1,
                              expected=", ".join(columns), found=", ".join(header))
        return [(i + 2, row) for i, row in enumerate(reader)]


def _parse_limit_row(path: Path, line: int, row: dict[str, str], regime: str) -> Limit:
    from labtox.units import normalise_basis, parse_unit

    def bad(column: str, expected: str, found: object) -> LimitsError:
        return LimitsError("invalid limit row.", path=path, line=line, column=column,
                           expected=expected, found=found)

    try:
        value = float(row["limit"])
    except (TypeError, ValueError):
        raise bad("limit", "a number (rows without a limit belong in not_regulated.csv)",
                  row["limit"]) from None
    if not math.isfinite(value) or value <= 0:
        raise bad("limit", "a positive number", row["limit"])
    try:
        parse_unit(row["unit"])
    except UnitError:
        raise bad("unit", "a unit labtox.units.parse_unit understands", row["unit"]) from None
    try:
        basis = normalise_basis(row["basis"])
    except UnitError:
        raise bad("basis", "wet, fat or dry", row["basis"]) from None
    try:
        analyte = resolve_analyte(row["analyte"])
    except AnalyteError:
        raise bad("analyte", "a canonical labtox analyte or sum parameter",
                  row["analyte"]) from None
    matrices = tuple(m.strip() for m in row["matrix"].split("|") if m.strip())
    unknown = [m for m in matrices if m not in MATRICES]
    if not matrices or unknown:
        raise bad("matrix", "|-separated matrices from " + ", ".join(MATRICES), row["matrix"])
    if row["status"] not in STATUSES:
        raise bad("status", ", ".join(STATUSES), row["status"])
    if not row.get("source_url", "").strip():
        raise bad("source_url", "a source (URL or document)", row.get("source_url"))
    if row["bound_convention"] not in ("upper", "lower", "medium", "n/a"):
        raise bad("bound_convention", "upper, lower, medium or n/a", row["bound_convention"])
    for col in ("in_force_from", "in_force_to"):
        v = (row.get(col) or "").strip()
        if v and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            raise bad(col, "an ISO date YYYY-MM-DD or empty", v)
    if row["regime"] != regime:
        raise bad("regime", regime, row["regime"])
    return Limit(
        regime=row["regime"], act=row["act"], provision=row["provision"], matrices=matrices,
        product_scope=row["product_scope"], analyte=analyte, limit=value, unit=row["unit"],
        basis=basis, bound_convention=row["bound_convention"],
        in_force_from=(row.get("in_force_from") or "").strip(),
        in_force_to=(row.get("in_force_to") or "").strip(), status=row["status"],
        source_url=row["source_url"], notes=row.get("notes", ""), file=path.name, line=line,
    )


def load_limits(
    regimes: Iterable[str] | str | None = None,
    directory: str | Path | None = None,
) -> LimitSet:
    """Load the limit tables of ``reference_limits/``.

    Parameters
    ----------
    regimes
        ``"EAEU"``, ``"EU"``, ``"Codex"`` or several; all by default.
    directory
        A folder with the same files (default: the shipped ``reference_limits/`` beside the
        package, ``Path(labtox.__file__).parents[1] / "reference_limits"``).

    Returns
    -------
    LimitSet

    Raises
    ------
    LimitsError
        A file or column is missing, or a row is invalid (file, line and column named).

    Examples
    --------
    >>> ls = load_limits(["EU"])
    >>> ls.regimes, sorted({x.analyte for x in ls.limits})[:3]
    (('EU',), ['Pb', 'aflatoxin M1', 'melamine'])
    """
    d = Path(directory) if directory is not None else reference_dir()
    known = ("EAEU", "EU", "Codex")
    if regimes is None:
        wanted = known
    else:
        items = [regimes] if isinstance(regimes, str) else list(regimes)
        lower = {k.lower(): k for k in known}
        bad = [r for r in items if str(r).lower() not in lower]
        if bad:
            raise LimitsError(f"unknown regime {bad[0]!r}.", expected=", ".join(known),
                              found=bad[0])
        wanted = tuple(dict.fromkeys(lower[str(r).lower()] for r in items))
    limits: list[Limit] = []
    for name, regime in LIMIT_FILES.items():
        if regime not in wanted:
            continue
        path = d / name
        if not path.exists():
            raise LimitsError("a limit table is missing.", path=path,
                              expected=f"{name} in {d}")
        for line, row in _read_csv(path, LIMIT_COLUMNS):
            limits.append(_parse_limit_row(path, line, row, regime))
    nos: list[NoLimit] = []
    nr = d / "not_regulated.csv"
    if nr.exists():
        for line, row in _read_csv(nr, NOT_REGULATED_COLUMNS):
            if row["regime"] not in wanted:
                continue
            if row["status"] not in STATUSES:
                raise LimitsError("invalid row.", path=nr, line=line, column="status",
                                  expected=", ".join(STATUSES), found=row["status"])
            nos.append(NoLimit(
                regime=row["regime"], act=row["act"], provision=row["provision"],
                matrices=tuple(m for m in row["matrix"].split("|") if m),
                product_scope=row["product_scope"], analyte=resolve_analyte(row["analyte"]),
                finding=row["finding"], status=row["status"], source_url=row["source_url"],
                notes=row["notes"]))
    return LimitSet(tuple(limits), tuple(nos), d, tuple(wanted))


# ----------------------------------------------------------------------------- method fitness

def loq_criterion(analyte: str, limit_mg_per_kg: float) -> tuple[float, str]:
    """Largest LOQ fit to judge compliance with a limit, and where the criterion comes from.

    Pb, Cd, Hg and As follow Reg. (EC) 333/2007 Annex C.3.3.1 as replaced by (EU) 2022/2418:

    ===== ======================= ==================== =====================
    metal ML ≤ 0.02 mg/kg          0.02 < ML < 0.1       ML ≥ 0.1
    ===== ======================= ==================== =====================
    Pb    LOQ ≤ ML                 LOQ ≤ 2/3 ML          LOQ ≤ 1/5 ML
    Cd,Hg LOQ ≤ 2/5 ML             LOQ ≤ 2/5 ML          LOQ ≤ 1/5 ML
    As    LOQ ≤ ML (ML ≤ 0.03)     LOQ ≤ 2/3 ML (0.03 < ML)
    ===== ======================= ==================== =====================

    Every other analyte: LOQ ≤ 1/5 of the limit (labtox default, the fraction EU method
    criteria use for high MLs of metals).

    Returns
    -------
    (max_loq, source) : (float, str)
        ``max_loq`` in mg/kg.

    Examples
    --------
    >>> round(loq_criterion("Pb", 0.02)[0], 6), round(loq_criterion("Pb", 0.1)[0], 6)
    (0.02, 0.02)
    """
    ml = float(limit_mg_per_kg)
    src = "Reg. (EC) 333/2007 Annex C.3.3.1 as replaced by Reg. (EU) 2022/2418"
    if analyte == "Pb":
        f = 1.0 if ml <= 0.02 else (2 / 3 if ml < 0.1 else 1 / 5)
    elif analyte in ("Cd", "Hg"):
        f = 2 / 5 if ml < 0.1 else 1 / 5
    elif analyte == "As":
        f = 1.0 if ml <= 0.03 else 2 / 3
    else:
        return ml / 5, "labtox default: LOQ <= 1/5 of the limit"
    return ml * f, src


# ----------------------------------------------------------------------------- compare

COMPLIANCE_COLUMNS: tuple[str, ...] = (
    "sample_id", "analyte", "value", "unit", "result_basis", "censored", "detection",
    "u_expanded", "coverage_k", "loq", "bound", "scheme", "regime", "instrument", "provision",
    "matrix", "product", "limit", "limit_unit", "basis", "compared_value", "compared_u",
    "compared_loq", "ratio", "decision", "rule", "status", "method_fit", "flags", "notes",
    "source_url", "limit_file", "limit_line",
)
"""Columns of :attr:`Compliance.table` (see CONTRIBUTING.md, "compliance")."""


@dataclass(frozen=True)
class Compliance:
    """Compliance decisions: one row per result × applicable limit.

    Attributes
    ----------
    table : pandas.DataFrame
        Columns :data:`COMPLIANCE_COLUMNS`. ``compared_value``/``compared_u``/``compared_loq``
        are the result, its expanded uncertainty and LOQ in the limit's unit and basis;
        ``ratio = compared_value / limit``; ``status`` is the limit's status (an ``unverified``
        limit is never settled law); ``flags`` lists what affected the decision.
    rule : str
    guard_band : float
        Guard band as a multiple of U (``guard-band`` rule).
    unmatched : pandas.DataFrame
        Results for which no limit applies (``sample_id, analyte, matrix, reason``), so nothing
        disappears silently; cited "no limit" findings are named in ``reason``.
    """

    table: pd.DataFrame
    rule: str
    guard_band: float = 1.0
    unmatched: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["sample_id", "analyte", "matrix", "reason"]))

    def to_frame(self) -> pd.DataFrame:
        """A copy of the decision table."""
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        """Counts of decisions by regime and analyte."""
        if self.table.empty:
            return pd.DataFrame(columns=["regime", "analyte", "decision", "n"])
        return (self.table.groupby(["regime", "analyte", "decision"]).size()
                .rename("n").reset_index())


def _num(row: pd.Series, col: str) -> float:
    if col not in row.index:
        return float("nan")
    try:
        v = float(row[col])
    except (TypeError, ValueError):
        return float("nan")
    return v


def decide(value: float, u_expanded: float, limit: float, censored: bool = False,
           rule: str = "simple", guard_band: float = 1.0) -> str:
    """One compliance decision (see the module notes for the rules).

    Parameters
    ----------
    value, u_expanded, limit
        Result, its expanded uncertainty and the limit, in the same unit and basis.
    censored
        True for a non-detect (``value`` is the limit it lies below).
    rule, guard_band
        Decision rule and guard band (multiple of U).

    Returns
    -------
    str
        ``compliant``, ``non-compliant``, ``inconclusive`` or ``not-decidable``.

    References
    ----------
    Eurachem/CITAC (2021) sections 4.2-4.4; ILAC G8:09/2019 section 4.2; Reg. (EC) 333/2007.

    Examples
    --------
    >>> decide(0.75, 0.25, 1.0, rule="guard-band"), decide(1.25, 0.25, 1.0, rule="guard-band")
    ('compliant', 'inconclusive')
    >>> decide(1.25, 0.25, 1.0, rule="beyond-reasonable-doubt"), decide(2.0, 0, 1.0, True)
    ('compliant', 'not-decidable')
    >>> decide(float("nan"), 0.1, 1.0)   # no number: never judged compliant or not
    'not-decidable'
    """
    if rule not in RULES:
        raise LimitsError(f"unknown decision rule {rule!r}.", expected=", ".join(RULES),
                          found=rule)
    return _decide(float(value), float(u_expanded), float(limit), bool(censored), rule,
                   float(guard_band))[0]


def _decide(x: float, u: float, limit: float, censored: bool, rule: str, g: float
            ) -> tuple[str, list[str]]:
    flags: list[str] = []
    if not math.isfinite(x):
        return "not-decidable", ["no numeric result: nothing to compare with the limit"]
    if censored:
        return ("compliant" if x <= limit else "not-decidable"), flags
    if rule == "simple":
        return ("compliant" if x <= limit else "non-compliant"), flags
    if not math.isfinite(u):
        flags.append("no expanded uncertainty: decided as simple acceptance")
        u = 0.0
    if rule == "beyond-reasonable-doubt":
        return ("non-compliant" if x - u > limit else "compliant"), flags
    w = g * u
    if x + w <= limit:
        return "compliant", flags
    if x - w > limit:
        return "non-compliant", flags
    return "inconclusive", flags


def _sample_info(results: pd.DataFrame, register: pd.DataFrame | None) -> pd.DataFrame:
    """Per-sample product, species, fat_pct, dry_matter_pct, density from results and register."""
    cols = ["product", "species", "matrix", "fat_pct", "dry_matter_pct", "density_kg_per_l",
            "sampling_date"]
    ids = results["sample_id"].astype(str).unique()
    info = pd.DataFrame({"sample_id": ids}).set_index("sample_id")
    for c in cols:
        info[c] = None
    for c in cols:
        if c in results.columns:
            first = results.dropna(subset=[c]).groupby(results["sample_id"].astype(str))[c].first()
            info.loc[first.index, c] = first.to_numpy()
    if register is not None and len(register):
        reg = register.copy()
        reg["sample_id"] = reg["sample_id"].astype(str)
        reg = reg.drop_duplicates("sample_id").set_index("sample_id")
        for c in cols:
            if c in reg.columns:
                common = reg.index.intersection(info.index)
                vals = reg.loc[common, c]
                keep = vals.notna()
                info.loc[common[keep.to_numpy()], c] = vals[keep].to_numpy()
    return info


def compare(
    results: pd.DataFrame,
    limits: LimitSet | None = None,
    rule: str = "simple",
    register: pd.DataFrame | None = None,
    *,
    matrix: str | None = None,
    product: str | None = None,
    guard_band: float = 1.0,
    on: str | _dt.date | None = None,
    density: float | None = None,
) -> Compliance:
    """Judge every result against every applicable limit, with the chosen decision rule.

    Parameters
    ----------
    results
        A labtox results table (``sample_id, analyte, value, unit, basis, censored`` and, when
        available, ``detection, loq, u_expanded, coverage_k, product, species, fat_pct,
        dry_matter_pct``); sum rows from :func:`labtox.teq.teq` (with ``bound``, ``scheme``,
        ``ub_lb_gap_pct``) are judged like any other result.
    limits
        A :class:`LimitSet` (default: all shipped regimes).
    rule
        ``"simple"``, ``"guard-band"`` or ``"beyond-reasonable-doubt"`` (see the module notes).
    register
        Sample register (``sample_id, product, species, fat_pct, dry_matter_pct``): the matrix
        is taken from ``product`` (:func:`matrix_of`) and fat/dry matter % convert bases.
    matrix, product
        Override the matrix / product for every sample.
    guard_band
        Guard band as a multiple of the expanded uncertainty (``guard-band`` rule; ILAC G8 w).
    on
        ISO date: judge against the limits in force on that day (default: current limits).
    density
        kg/L, to compare results per litre with limits per kilogram (or register column
        ``density_kg_per_l``); never assumed.

    Returns
    -------
    Compliance

    Raises
    ------
    LimitsError
        Unknown rule or matrix, missing columns.

    References
    ----------
    Eurachem/CITAC Guide "Use of uncertainty information in compliance assessment" (2007;
    2nd ed. 2021); ILAC G8:09/2019; Reg. (EU) 2023/915 Art. 3 and Annex I 4.1 footnote (fat
    < 2 %); Reg. (EC) 333/2007 as amended by (EU) 2022/2418 (LOQ criteria); Reg. (EU) 2017/644
    Annex III 6.1 (UB/LB 20 %).

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"sample_id": ["M1"], "analyte": ["Pb"], "value": [0.030],
    ...                   "unit": ["mg/kg"], "basis": ["wet"], "censored": [False],
    ...                   "u_expanded": [0.008], "product": ["raw camel milk"]})
    >>> c = compare(r, load_limits(["EU"]), rule="guard-band")
    >>> row = c.table.iloc[0]
    >>> row["regime"], float(row["limit"]), row["decision"]
    ('EU', 0.02, 'non-compliant')
    """
    from labtox.units import conversion_factor

    if rule not in RULES:
        raise LimitsError(f"unknown decision rule {rule!r}.", expected=", ".join(RULES),
                          found=rule)
    if matrix is not None and matrix not in MATRICES:
        raise LimitsError(f"unknown matrix {matrix!r}.", expected=", ".join(MATRICES),
                          found=matrix)
    need = ["sample_id", "analyte", "value", "unit", "censored"]
    missing = [c for c in need if c not in results.columns]
    if missing:
        raise LimitsError("the results table lacks columns compare() needs.",
                          expected=", ".join(need), found=", ".join(missing))
    if not (guard_band >= 0):
        raise LimitsError("guard_band must be >= 0.", found=guard_band)
    ls = limits if limits is not None else load_limits()
    res = results.reset_index(drop=True)
    info = _sample_info(res, register)
    rows: list[dict[str, object]] = []
    unmatched: list[dict[str, object]] = []
    has_bound = "bound" in res.columns
    for _, r in res.iterrows():
        sid = str(r["sample_id"])
        si = info.loc[sid]
        prod = product if product is not None else si["product"]
        mx = matrix or matrix_of(si["matrix"]) or matrix_of(prod)
        try:
            analyte = resolve_analyte(str(r["analyte"]))
        except AnalyteError:
            unmatched.append({"sample_id": sid, "analyte": r["analyte"], "matrix": mx,
                              "reason": "analyte unknown to labtox"})
            continue
        if mx is None:
            unmatched.append({"sample_id": sid, "analyte": analyte, "matrix": None,
                              "reason": "matrix unknown: give product in the register or "
                                        "matrix="})
            continue
        lims = ls.applicable(analyte, mx, None if prod is None else str(prod), on=on)
        if not lims:
            nos = ls.no_limit(analyte, mx)
            reason = ("; ".join(f"{n.regime}: {n.finding} ({n.act}, {n.status})" for n in nos)
                      or "no limit in the loaded regimes")
            unmatched.append({"sample_id": sid, "analyte": analyte, "matrix": mx,
                              "reason": reason})
            continue
        bound = str(r["bound"]) if has_bound and pd.notna(r["bound"]) else ""
        for lim in lims:
            if bound and lim.bound_convention in ("upper", "lower", "medium") \
                    and bound != lim.bound_convention:
                continue  # a sum row at another bound than the act's convention
            if bound and lim.bound_convention == "n/a" and bound != "upper":
                continue  # act silent: judge the (conservative) upper bound only
            rows.append(_judge(r, lim, mx, prod, si, rule, guard_band, density,
                               conversion_factor))
    table = pd.DataFrame(rows, columns=list(COMPLIANCE_COLUMNS))
    return Compliance(table=table, rule=rule, guard_band=guard_band,
                      unmatched=pd.DataFrame(unmatched,
                                             columns=["sample_id", "analyte", "matrix", "reason"]))


def _judge(r: pd.Series, lim: Limit, mx: str, prod: object, si: pd.Series, rule: str,
           g: float, density: float | None, conversion_factor) -> dict[str, object]:
    from labtox.units import basis_factor, normalise_basis

    flags: list[str] = []
    notes: list[str] = [n for n in (lim.derivation,) if n]
    if SPECIES_NOTE not in " ".join(notes):
        notes.append("The act does not distinguish the milking species.")
    x = _num(r, "value")
    u = _num(r, "u_expanded")
    loq = _num(r, "loq")
    censored = bool(r["censored"])
    rbasis = normalise_basis(r["basis"]) if "basis" in r.index and pd.notna(r["basis"]) \
        else "wet"
    fat = si["fat_pct"]
    fat = float(fat) if fat is not None and pd.notna(fat) else None
    dm = si["dry_matter_pct"]
    dm = float(dm) if dm is not None and pd.notna(dm) else None
    rho = density if density is not None else si["density_kg_per_l"]
    rho = float(rho) if rho is not None and pd.notna(rho) else None
    limit_value, limit_basis = lim.limit, lim.basis
    if lim.regime == "EU" and lim.basis == "fat" and fat is not None and fat < 2.0:
        limit_value, limit_basis = lim.limit * 0.02, "wet"
        notes.append(FAT_RULE_NOTE)
    base = {
        "sample_id": r["sample_id"], "analyte": lim.analyte, "value": x, "unit": r["unit"],
        "result_basis": rbasis, "censored": censored,
        "detection": r["detection"] if "detection" in r.index else None,
        "u_expanded": u, "coverage_k": _num(r, "coverage_k"), "loq": loq,
        "bound": r["bound"] if "bound" in r.index else None,
        "scheme": r["scheme"] if "scheme" in r.index else None,
        "regime": lim.regime, "instrument": lim.act, "provision": lim.provision, "matrix": mx,
        "product": prod, "limit": limit_value, "limit_unit": lim.unit, "basis": limit_basis,
        "rule": rule, "status": lim.status, "source_url": lim.source_url,
        "limit_file": lim.file, "limit_line": lim.line,
    }
    try:
        f = conversion_factor(str(r["unit"]), lim.unit, density=rho)
        f *= basis_factor(rbasis, limit_basis, fat_pct=fat, dry_matter_pct=dm)
    except UnitError as exc:
        flags.append(f"conversion impossible: {exc.message}")
        return {**base, "compared_value": np.nan, "compared_u": np.nan, "compared_loq": np.nan,
                "ratio": np.nan, "decision": "not-decidable", "method_fit": "unknown",
                "flags": "; ".join(flags), "notes": " ".join(notes)}
    cx, cu, cl = x * f, u * f, loq * f
    decision, more = _decide(cx, cu, limit_value, censored, rule, g)
    flags += more
    if censored and decision == "not-decidable":
        flags.append("non-detect whose limit is above the maximum level")
    # the 2017/644 20 % rule for TEQ sums
    gap = _num(r, "ub_lb_gap_pct")
    if decision == "non-compliant" and math.isfinite(gap) and gap > 20.0:
        decision = "inconclusive"
        flags.append(f"UB-LB gap {gap:.1f} % > 20 %: exceedance not confirmed "
                     "(Reg. (EU) 2017/644 Annex III 6.1)")
    scheme = base["scheme"]
    if lim.regime == "EU" and lim.analyte.endswith("-TEQ") and scheme and scheme != "WHO2005":
        flags.append(f"TEQ computed with {scheme} TEFs; the EU limit is defined with WHO2005")
    if lim.regime == "EAEU" and lim.analyte.endswith("-TEQ"):
        notes.append("TEF scheme and bound not stated by the act; judged at the upper bound "
                     f"with {scheme or 'the results'} TEFs.")
    # method fitness (LOQ vs limit), judged in mg/kg-equivalent of the limit unit
    method_fit = "unknown"
    crit_loq = cl if math.isfinite(cl) else (cx if censored else float("nan"))
    if math.isfinite(crit_loq):
        try:
            to_mgkg = conversion_factor(lim.unit, "mg/kg")
            max_loq, src = loq_criterion(lim.analyte, limit_value * to_mgkg)
            max_loq /= to_mgkg
            if crit_loq > max_loq * (1 + 1e-12):
                method_fit = "LOQ too high"
                flags.append(f"LOQ {crit_loq:.4g} {lim.unit} above {max_loq:.4g} ({src})")
            else:
                method_fit = "ok"
        except UnitError:
            method_fit = "unknown"
    if lim.status == "unverified":
        flags.append("limit value unverified")
    return {**base, "compared_value": cx, "compared_u": cu, "compared_loq": cl,
            "ratio": cx / limit_value, "decision": decision, "method_fit": method_fit,
            "flags": "; ".join(flags), "notes": " ".join(notes)}
