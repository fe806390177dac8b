"""Run every benchmark in this folder and print one table of figures.

Usage::

    python benchmarks/run.py            # all benchmarks
    python benchmarks/run.py cli io     # only bench_cli.py and bench_io.py

Each ``bench_<topic>.py`` exposes ``run() -> list[dict]`` with rows
``{"benchmark": str, "value": float, "unit": str, "note": str}``.
Benchmarks are measurements, not tests: nothing here asserts a speed.
"""

from __future__ import annotations

import importlib.util
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def main(argv: list[str]) -> int:
    wanted = set(argv)
    files = sorted(HERE.glob("bench_*.py"))
    if wanted:
        files = [f for f in files if f.stem.removeprefix("bench_") in wanted]
    print(f"# labtox benchmarks — Python {platform.python_version()} on {platform.machine()}, "
          f"{platform.processor() or 'cpu'}")
    print(f"{'benchmark':<62} {'value':>12} {'unit':<8} note")
    failed = 0
    for f in files:
        t0 = time.perf_counter()
        try:
            rows = _load(f).run()
        except Exception as exc:  # report and continue: one broken benchmark hides no others
            print(f"{f.stem:<62} {'ERROR':>12} {'':<8} {exc.__class__.__name__}: {exc}")
            failed += 1
            continue
        for r in rows:
            print(f"{r['benchmark']:<62} {r['value']:>12.4g} {r['unit']:<8} {r.get('note', '')}")
        print(f"{'  (' + f.stem + ' total wall time)':<62} {time.perf_counter() - t0:>12.3g} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
