"""Westgard multirule evaluation of control measurements (pure; no plotting).

Rules, for control values x_i with target mean m and standard deviation s, z_i = (x_i - m)/s:

========  =====================================================================  ==========
rule      violated at position i when                                           action
========  =====================================================================  ==========
``1_2s``  \\|z_i\\| > 2                                                            warning
``1_3s``  \\|z_i\\| > 3                                                            reject
``2_2s``  z_(i-1) and z_i both > +2, or both < -2                                reject
``R_4s``  within one run, one control > +2 and another < -2                       reject
``4_1s``  z_(i-3) .. z_i all > +1, or all < -1                                   reject
``10_x``  z_(i-9) .. z_i all > 0, or all < 0                                     reject
========  =====================================================================  ==========

Inequalities are strict, so a value exactly on a limit does not violate (as in the
``westgard`` Python package). ``R_4s`` is a within-run rule: when run labels are given it is
evaluated among the controls of each run; without run labels each control is taken as its own
run and ``R_4s`` compares consecutive controls (the common single-material reading of the rule;
state run labels to get the strict within-run form). With ``gate=True`` the classic scheme is
used: the rejection rules are examined only at positions where ``1_2s`` fires (Westgard et al.
1981, Fig. 1); the default (``gate=False``) examines every rule everywhere, because the warning
gate misses some ``4_1s`` and ``10_x`` violations.

References
----------
Westgard JO, Barry PL, Hunt MR, Groth T. A multi-rule Shewhart chart for quality control in
clinical chemistry. Clin Chem 1981;27(3):493-501.
Westgard QC, "Westgard Rules and Multirules" and "What the warning rule misses"
(westgard.com). Summarised in ``../shared/reference/calibration/METHODS.md`` section 1.6.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from labtox.errors import QCError

__all__ = ["RULES", "REJECT_RULES", "westgard"]

RULES: tuple[str, ...] = ("1_2s", "1_3s", "2_2s", "R_4s", "4_1s", "10_x")
"""All rules, in the order of the classic multirule chart."""
REJECT_RULES: frozenset[str] = frozenset(RULES) - {"1_2s"}
"""Rules whose violation rejects the run (``1_2s`` is a warning)."""

COLUMNS = ("position", "sequence", "run", "rule", "value", "z", "reject", "members")


def _streak(cond: np.ndarray, length: int) -> np.ndarray:
    """True at i when cond[i-length+1 .. i] are all True."""
    out = np.zeros(cond.size, dtype=bool)
    run = 0
    for i, c in enumerate(cond):
        run = run + 1 if c else 0
        out[i] = run >= length
    return out


def westgard(
    values: Sequence[float] | np.ndarray | pd.Series,
    mean: float,
    sd: float,
    *,
    rules: Iterable[str] = RULES,
    run: Sequence[object] | None = None,
    sequence: Sequence[object] | None = None,
    gate: bool = False,
) -> pd.DataFrame:
    """Evaluate Westgard rules on a series of control measurements.

    Parameters
    ----------
    values
        Control results in measurement order (NaN not allowed: remove missing controls first
        and keep their order).
    mean, sd
        Target mean and standard deviation of the control material (from the control's
        characterisation period, not from the values being judged).
    rules
        Subset of :data:`RULES` to evaluate.
    run
        Run (batch) label of each value, for the within-run ``R_4s`` rule.
    sequence
        Labels to report for each value (injection number, date); default the position.
    gate
        Classic scheme: evaluate the rejection rules only where ``1_2s`` fires.

    Returns
    -------
    pandas.DataFrame
        One row per violation: ``position`` (0-based index of the value at which the rule
        fires), ``sequence``, ``run``, ``rule``, ``value``, ``z``, ``reject`` (False for the
        ``1_2s`` warning) and ``members`` (positions of all values that make up the violation).
        Empty (with these columns) when nothing is violated.

    Raises
    ------
    QCError
        ``sd`` not positive, missing values, unknown rule names or mismatched lengths.

    References
    ----------
    Westgard JO, Barry PL, Hunt MR, Groth T. Clin Chem 1981;27:493-501.

    Examples
    --------
    >>> v = westgard([100, 121, 122, 100], mean=100, sd=10)
    >>> list(zip(v["position"], v["rule"]))
    [(1, '1_2s'), (2, '1_2s'), (2, '2_2s')]
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise QCError("control values must be one-dimensional.", expected="a 1-D sequence",
                      found=f"shape {x.shape}")
    if not np.isfinite(sd) or sd <= 0:
        raise QCError("the control standard deviation must be positive.",
                      expected="sd > 0", found=sd)
    if not np.isfinite(mean):
        raise QCError("the control mean must be a finite number.", expected="a number",
                      found=mean)
    bad = np.flatnonzero(~np.isfinite(x))
    if bad.size:
        raise QCError("control values contain missing or infinite entries.",
                      expected="finite numbers", found=f"positions {bad.tolist()}",
                      hint="Drop missing controls before evaluating the rules.")
    rules = tuple(rules)
    unknown = [r for r in rules if r not in RULES]
    if unknown:
        raise QCError(f"unknown Westgard rule(s) {unknown}.", expected=", ".join(RULES),
                      found=unknown)
    for name, labels in (("run", run), ("sequence", sequence)):
        if labels is not None and len(labels) != x.size:
            raise QCError(f"{name} labels do not match the values.",
                          expected=f"{x.size} labels", found=len(labels))
    seq = list(range(x.size)) if sequence is None else list(sequence)
    runs = list(range(x.size)) if run is None else list(run)
    z = (x - mean) / sd
    hits: list[tuple[int, str, tuple[int, ...]]] = []

    warn = np.abs(z) > 2
    if "1_2s" in rules:
        hits += [(i, "1_2s", (i,)) for i in np.flatnonzero(warn)]
    if "1_3s" in rules:
        hits += [(i, "1_3s", (i,)) for i in np.flatnonzero(np.abs(z) > 3)]
    if "2_2s" in rules:
        for cond in (z > 2, z < -2):
            hits += [(i, "2_2s", (i - 1, i)) for i in np.flatnonzero(_streak(cond, 2))]
    if "4_1s" in rules:
        for cond in (z > 1, z < -1):
            hits += [(i, "4_1s", tuple(range(i - 3, i + 1)))
                     for i in np.flatnonzero(_streak(cond, 4))]
    if "10_x" in rules:
        for cond in (z > 0, z < 0):
            hits += [(i, "10_x", tuple(range(i - 9, i + 1)))
                     for i in np.flatnonzero(_streak(cond, 10))]
    if "R_4s" in rules:
        if run is None:
            for i in range(1, x.size):
                a, b = z[i - 1], z[i]
                if (a > 2 and b < -2) or (a < -2 and b > 2):
                    hits.append((i, "R_4s", (i - 1, i)))
        else:
            groups: dict[object, list[int]] = {}
            for i, r in enumerate(runs):
                groups.setdefault(r, []).append(i)
            for idx in groups.values():
                hi = [i for i in idx if z[i] > 2]
                lo = [i for i in idx if z[i] < -2]
                if hi and lo:
                    members = tuple(sorted(hi + lo))
                    hits.append((members[-1], "R_4s", members))
    if gate:
        hits = [h for h in hits if h[1] == "1_2s" or warn[h[0]]]
    order = {r: k for k, r in enumerate(RULES)}
    hits.sort(key=lambda h: (h[0], order[h[1]]))
    rows = [
        {
            "position": int(i),
            "sequence": seq[i],
            "run": runs[i] if run is not None else None,
            "rule": rule,
            "value": float(x[i]),
            "z": float(z[i]),
            "reject": rule in REJECT_RULES,
            "members": tuple(int(m) for m in members),
        }
        for i, rule, members in hits
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS))
