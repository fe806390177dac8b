"""End-to-end `analyse` on a generated 2,000-injection × 30-analyte MassHunter ICP-MS batch.

Reports wall time and peak resident memory of a child process that reads, calibrates,
quantifies and QC-checks the batch (issue 5's benchmark).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np

ELEMENTS = [("Li", 7), ("Be", 9), ("B", 11), ("Na", 23), ("Mg", 24), ("Al", 27), ("K", 39),
            ("Ca", 44), ("V", 51), ("Cr", 52), ("Mn", 55), ("Fe", 56), ("Co", 59), ("Ni", 60),
            ("Cu", 63), ("Zn", 66), ("As", 75), ("Se", 78), ("Rb", 85), ("Sr", 88), ("Mo", 95),
            ("Ag", 107), ("Cd", 111), ("Sn", 118), ("Sb", 121), ("Ba", 137), ("Hg", 202),
            ("Tl", 205), ("Pb", 208), ("U", 238)]
LEVELS = [0.0, 0.1, 0.5, 1.0, 5.0, 10.0]


def make_batch(folder: Path, n_injections: int = 2000, seed: int = 1) -> tuple[Path, Path]:
    rng = np.random.default_rng(seed)
    labels = [f"{m}  {el}  [ He ] " for el, m in ELEMENTS] + ["115  In ( ISTD )  [ He ] "]
    group = ["Sample", "", "", "", "", "", ""]
    fields = ["", "Rjct", "Data File", "Acq. Date-Time", "Type", "Level", "Sample Name"]
    for lab in labels:
        n = 2 if "ISTD" in lab else 4
        group += [lab] + [""] * (n - 1)
        fields += ["CPS", "CPS RSD"] + (["Conc. [ ppb ]", "Conc. RSD"] if n == 4 else [])
    lines = [",".join(group), ",".join(fields)]
    sens = rng.uniform(500, 20000, len(ELEMENTS))
    for i in range(n_injections):
        if i < 6:
            typ, lvl, name, conc = ("CalBlk" if i == 0 else "CalStd"), str(i + 1), f"Std{i}", LEVELS[i]
            conc = np.full(len(ELEMENTS), conc)
        elif i % 50 == 0:
            typ, lvl, name, conc = "CCV", "", "CCV", np.full(len(ELEMENTS), 1.0)
        elif i % 25 == 0:
            typ, lvl, name, conc = "BLK", "", f"Blank {i}", np.zeros(len(ELEMENTS))
        else:
            typ, lvl, name = "Sample", "", f"S{i:05d}"
            conc = rng.lognormal(-1.0, 1.0, len(ELEMENTS))
        istd = 100000 * rng.normal(1, 0.02)
        cps = (20 + sens * conc) * istd / 100000 * rng.normal(1, 0.01, len(ELEMENTS))
        row = ["", "FALSE", f"{i + 1:04d}SMPL.d", f"{(i // 60) % 24:02d}:{i % 60:02d}", typ, lvl, name]
        row[3] = f"2024-06-01 {row[3]}"
        for c, x in zip(cps, conc, strict=True):
            row += [f"{c:.2f}", "1.5", f"{x:.4f}", "2.0"]
        row += [f"{istd:.1f}", "1.0"]
        lines.append(",".join(row))
    export = folder / "batch.csv"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    analytes = "\n".join(
        f'[[analytes]]\nname = "{el}"\nchannel = "{m}{el} [He]"\nistd_channel = "115In [He]"\n'
        f'istd_analyte = "In"\nccv_concentration = 1.0\n' for el, m in ELEMENTS)
    method = folder / "method.toml"
    method.write_text(textwrap.dedent("""
        [method]
        id = "bench-icpms"
        version = "1"
        title = "benchmark"
        matrix = "milk"
        technique = "ICP-MS"
        formats = ["masshunter-icpms"]
        references = ["benchmark"]
        [calibration]
        model = "linear"
        weighting = "1/x"
        unit = "µg/L"
        levels = { "1" = 0.0, "2" = 0.1, "3" = 0.5, "4" = 1.0, "5" = 5.0, "6" = 10.0 }
        [detection]
        rule = "blanks"
        [preparation]
        mode = "mass"
        sample_mass_g = 0.5
        final_volume_ml = 50.0
        blank_subtraction = "mean"
        [reporting]
        unit = "mg/kg"
        basis = "wet"
        censoring = "censor-at-lod"
        [qc.ccv]
        tolerance_pct = 10.0
        [qc.istd]
        recovery_pct = [60.0, 125.0]
        """) + analytes, encoding="utf-8")
    return export, method


_CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from labtox.pipeline import analyse
a = analyse(sys.argv[1], method=sys.argv[2])
t = time.perf_counter() - t0
print(json.dumps({"seconds": t, "rows": len(a.measurements), "results": len(a.results),
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as d:
        export, method = make_batch(Path(d))
        out = subprocess.run([sys.executable, "-c", _CHILD, str(export), str(method)],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
    note = f"{r['rows']} measurement rows -> {r['results']} results"
    return [
        {"benchmark": "analyse 2,000 injections x 30 analytes (ICP-MS)", "value": r["seconds"],
         "unit": "s", "note": note + " (incl. imports)"},
        {"benchmark": "analyse 2,000 x 30: peak RSS", "value": r["maxrss_mb"], "unit": "MB",
         "note": "ru_maxrss of the child process"},
    ]
