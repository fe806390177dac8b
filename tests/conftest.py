"""Shared test fixtures: paths to the project's own data and to ../shared (skipping when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SHARED = ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test with a reason when it is absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"../shared is not beside the project ({p} missing)")
    return p


@pytest.fixture
def shared():
    """Callable fixture: ``shared("fixtures", "exports", "skyline", "x.csv")``."""
    return shared_path


@pytest.fixture(autouse=True)
def _close_figures():
    """Close every matplotlib figure a test opened (the seaborn test-suite convention)."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
