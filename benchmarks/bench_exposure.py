"""Monte Carlo dietary exposure: 10^7 iterations, time and peak memory.

Scenario ``camel-milk-adult`` (normal body weight truncated to 40-150 kg, lognormal intake),
three analytes with lognormal concentrations (Pb, Cd, As), HQs against the selected guidance
values and the hazard index; exact percentiles from float32 copies (4 bytes × iterations ×
(analytes + 1) = 160 MB at 10^7), chunks of 10^6. Peak memory is measured by ``tracemalloc``
(numpy reports its buffers to it) in a second run, because tracing slows allocation; the
process's resident-set peak (``resource.getrusage``) is reported as well.
Run: ``python benchmarks/run.py exposure``. Aim: < 10 s and < 2 GB.
"""

from __future__ import annotations

import math
import resource
import time
import tracemalloc

N = 10_000_000


def _inputs():
    from labtox.exposure import Distribution, load_scenarios

    sc = load_scenarios()["camel-milk-adult"]
    conc = {
        "Pb": Distribution("lognormal", {"meanlog": math.log(0.02), "sdlog": 0.8}),
        "Cd": Distribution("lognormal", {"meanlog": math.log(0.003), "sdlog": 0.6}),
        "As": Distribution("lognormal", {"meanlog": math.log(0.01), "sdlog": 0.7}),
    }
    return sc, conc


def run() -> list[dict]:
    from labtox.exposure import simulate

    sc, conc = _inputs()
    simulate(None, sc, iterations=10_000, seed=1, concentration=conc)  # warm-up: imports
    t0, c0 = time.perf_counter(), time.process_time()
    mc = simulate(None, sc, iterations=N, seed=1, concentration=conc, chunk_size=1_000_000)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    tracemalloc.start()
    simulate(None, sc, iterations=N, seed=1, concentration=conc, chunk_size=1_000_000)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hi = mc.intake.set_index("analyte").loc["HI"]
    return [
        {"benchmark": "exposure: Monte Carlo 1e7 iterations x 3 analytes (time)",
         "value": elapsed, "unit": "s",
         "note": f"P95 HI = {hi['p95']:.3g}, P(HI>1) = {hi['p_exceed']:.3g}"},
        {"benchmark": "exposure: Monte Carlo 1e7 iterations x 3 analytes (CPU time)",
         "value": cpu, "unit": "s", "note": "process CPU time (less sensitive to a busy host)"},
        {"benchmark": "exposure: Monte Carlo 1e7 iterations (peak traced memory)",
         "value": peak / 2 ** 20, "unit": "MB", "note": "tracemalloc peak during simulate()"},
        {"benchmark": "exposure: process peak resident memory",
         "value": rss_kb / 1024, "unit": "MB", "note": "resource.getrusage ru_maxrss"},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
