"""CLI start-up time: `labtox --help` next to `python -c pass` (median of repeated runs)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def _median_seconds(cmd: list[str], repeat: int = 9) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run() -> list[dict]:
    base = _median_seconds([sys.executable, "-c", "pass"])
    helpcmd = _median_seconds([sys.executable, "-m", "labtox.cli", "--help"])
    analytes = _median_seconds([sys.executable, "-m", "labtox.cli", "analytes", "Pb"])
    return [
        {"benchmark": "python -c pass", "value": base, "unit": "s", "note": "median of 9"},
        {"benchmark": "labtox --help", "value": helpcmd, "unit": "s",
         "note": f"median of 9; {helpcmd - base:.3f} s above bare Python"},
        {"benchmark": "labtox analytes Pb", "value": analytes, "unit": "s", "note": "median of 9"},
    ]
