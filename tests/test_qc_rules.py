"""Westgard multirules on hand-made control sequences.

Expected violations follow from the rule definitions in Westgard et al., Clin Chem 1981;27:493
(and westgard.com "Westgard Rules and Multirules"), worked out by hand for each sequence; mean
100 and sd 10 so that z = (x - 100)/10 can be read off directly.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labtox.errors import QCError
from labtox.qc_rules import RULES, westgard

M, S = 100.0, 10.0


def fired(values, **kw):
    v = westgard(values, M, S, **kw)
    return sorted(zip(v["position"].tolist(), v["rule"].tolist(), strict=False))


def test_in_control_sequence_has_no_violation():
    # alternating around the mean, all within 1 s: no rule can fire
    v = westgard([95, 105, 98, 102, 100, 97, 103, 99, 101, 96, 104], M, S)
    assert v.empty
    assert list(v.columns) == ["position", "sequence", "run", "rule", "value", "z", "reject",
                               "members"]


def test_1_2s_is_a_warning_only():
    v = westgard([100, 125, 100], M, S)
    assert fired([100, 125, 100]) == [(1, "1_2s")]
    assert not v["reject"].any()


def test_1_3s_fires_with_1_2s_and_rejects():
    assert fired([100, 69, 100]) == [(1, "1_2s"), (1, "1_3s")]
    assert westgard([100, 69], M, S).set_index("rule").loc["1_3s", "reject"]


def test_limits_are_strict():
    # exactly +2 s, +3 s: no violation (strict inequality)
    assert fired([120, 130, 120]) == [(1, "1_2s")]
    assert fired([120.0, 120.0]) == []


def test_2_2s_same_side_only():
    assert fired([121, 122]) == [(0, "1_2s"), (1, "1_2s"), (1, "2_2s")]
    # +2s then -2s is not 2_2s (but is R_4s between consecutive controls)
    assert fired([121, 78]) == [(0, "1_2s"), (1, "1_2s"), (1, "R_4s")]


def test_r_4s_within_run_labels():
    # two controls per run; run B has +2.5 s and -2.1 s -> R_4s at the later one
    vals = [101, 99, 125, 79, 100, 100]
    runs = ["A", "A", "B", "B", "C", "C"]
    v = westgard(vals, M, S, run=runs, rules=["R_4s"])
    assert v["position"].tolist() == [3] and v["members"].tolist() == [(2, 3)]
    # across runs (run B's high, run C's low) is not R_4s
    v2 = westgard([101, 125, 79, 100], M, S, run=["A", "B", "C", "C"], rules=["R_4s"])
    assert v2.empty


def test_4_1s_fires_at_fourth_and_later():
    vals = [100, 111, 112, 113, 114, 115, 100]
    assert fired(vals, rules=["4_1s"]) == [(4, "4_1s"), (5, "4_1s")]
    members = westgard(vals, M, S, rules=["4_1s"])["members"].iloc[0]
    assert members == (1, 2, 3, 4)
    # below -1 s also counts; mixed sides do not
    assert fired([89, 88, 87, 86], rules=["4_1s"]) == [(3, "4_1s")]
    assert fired([111, 112, 88, 113], rules=["4_1s"]) == []


def test_10_x():
    vals = [101] * 9 + [99] + [101] * 10
    assert fired(vals, rules=["10_x"]) == [(19, "10_x")]
    assert fired([99] * 10, rules=["10_x"]) == [(9, "10_x")]
    # a value exactly at the mean breaks the streak
    assert fired([101] * 5 + [100] + [101] * 5, rules=["10_x"]) == []


def test_gate_suppresses_rules_without_warning():
    # 4_1s without any 1_2s: fires in the modern scheme, not in the classic gated one
    vals = [111, 112, 113, 114]
    assert fired(vals) == [(3, "4_1s")]
    assert fired(vals, gate=True) == []


def test_sequence_labels_are_reported():
    v = westgard([100, 135], M, S, sequence=["2026-01-01", "2026-01-02"])
    assert set(v["sequence"]) == {"2026-01-02"}
    assert v["z"].iloc[0] == pytest.approx(3.5)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"values": [1, 2], "mean": 0, "sd": 0}, "standard deviation must be positive"),
        ({"values": [1, np.nan], "mean": 0, "sd": 1}, "missing or infinite"),
        ({"values": [1, 2], "mean": 0, "sd": 1, "rules": ["2of3_2s"]}, "unknown Westgard rule"),
        ({"values": [1, 2], "mean": 0, "sd": 1, "run": ["a"]}, "run labels do not match"),
    ],
)
def test_errors(kwargs, message):
    with pytest.raises(QCError, match=message):
        westgard(**kwargs)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-6, 6), min_size=1, max_size=40))
def test_invariants(zs):
    """Every 1_3s is also a 1_2s; a gated result is a subset of the ungated one; symmetry."""
    vals = [M + S * z for z in zs]
    full = set(fired(vals))
    gated = set(fired(vals, gate=True))
    assert gated <= full
    assert {(i, "1_2s") for i, r in full if r == "1_3s"} <= full
    mirrored = set(fired([M - S * z for z in zs]))
    assert mirrored == full
    assert all(r in RULES for _, r in full)
