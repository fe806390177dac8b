"""Fitting and inverse-predicting many calibration curves: labtox vs a statsmodels loop.

10,000 curves (one per analyte × batch), 6 standards each (calibration blank + 5 levels), 1/x
weighting, 3 sample readings per curve. Compared on the same data:

* ``labtox.calibration.fit_curves`` + ``CurveBatch.inverse`` (vectorised closed-form WLS);
* a loop of ``statsmodels`` ``WLS(...).fit()`` + ``get_prediction`` per curve (the inverse
  standard error from the prediction variance at x̂ with the weight at x̂, as
  ``Curve.inverse`` computes it);
* a loop of ``labtox.calibration.fit_curve`` + ``Curve.inverse`` (full diagnostics per curve).

Also reports the largest relative difference of the standard errors between labtox and
statsmodels (they must agree). Run: ``python benchmarks/run.py calibration``.
"""

from __future__ import annotations

import time

import numpy as np

N_CURVES = 10_000
N_LOOP_LABTOX = 1_000  # the per-curve labtox loop is timed on a subset and scaled
LEVELS = np.array([0.0, 0.5, 1.0, 2.0, 5.0, 10.0])


def _data(n: int, seed: int = 2024) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.tile(LEVELS, (n, 1))
    slope = rng.uniform(500, 50_000, (n, 1))
    icpt = rng.uniform(0, 200, (n, 1))
    y = icpt + slope * x * (1 + rng.normal(0, 0.02, x.shape)) + rng.normal(0, 5, x.shape)
    y0 = icpt + slope * rng.uniform(0.2, 9.0, (n, 3))
    return x, y, y0


def _labtox_batch(x, y, y0):
    from labtox.calibration import fit_curves

    b = fit_curves(x, y, weights="1/x")
    return b.inverse(y0)


def _statsmodels_loop(x, y, y0):
    import statsmodels.api as sm

    est = np.empty_like(y0)
    se = np.empty_like(y0)
    for i in range(x.shape[0]):
        xi = x[i]
        w = 1.0 / np.where(xi == 0, LEVELS[1], xi)
        res = sm.WLS(y[i], sm.add_constant(xi), weights=w).fit()
        b0, b1 = res.params
        x0 = (y0[i] - b0) / b1
        w0 = 1.0 / np.maximum(np.abs(x0), LEVELS[1])
        pred = res.get_prediction(np.column_stack([np.ones_like(x0), x0]), weights=w0)
        se_obs = np.sqrt(pred.se_mean**2 + res.scale / w0)
        est[i] = x0
        se[i] = se_obs / abs(b1)
    return est, se


def _labtox_loop(x, y, y0):
    from labtox.calibration import fit_curve

    se = np.empty_like(y0)
    for i in range(x.shape[0]):
        se[i] = fit_curve(x[i], y[i], weights="1/x").inverse(y0[i]).standard_error
    return se


def _time(fn, *args, repeat: int = 1):
    best = np.inf
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best, out


def run(n_curves: int = N_CURVES) -> list[dict]:
    """Rows {benchmark, value, unit, note} measuring labtox and statsmodels side by side."""
    import statsmodels.api  # noqa: F401

    import labtox.calibration  # noqa: F401  (import cost not timed)

    x, y, y0 = _data(n_curves)
    t_batch, pred = _time(_labtox_batch, x, y, y0, repeat=3)
    t_sm, (est_sm, se_sm) = _time(_statsmodels_loop, x, y, y0)
    k = min(N_LOOP_LABTOX, n_curves)
    t_loop_k, se_loop = _time(_labtox_loop, x[:k], y[:k], y0[:k])
    t_loop = t_loop_k * n_curves / k
    diff = float(np.max(np.abs(pred.standard_error - se_sm) / se_sm))
    diff_est = float(np.max(np.abs(pred.estimate - est_sm) / np.abs(est_sm)))
    diff_loop = float(np.max(np.abs(se_loop - se_sm[:k]) / se_sm[:k]))
    n = f"{n_curves} curves × 6 standards, 1/x weights, 3 readings each"
    return [
        {"benchmark": "calibration: labtox fit_curves + inverse", "value": t_batch, "unit": "s",
         "note": n},
        {"benchmark": "calibration: statsmodels WLS + get_prediction loop", "value": t_sm,
         "unit": "s", "note": n},
        {"benchmark": "calibration: speed-up labtox batch vs statsmodels loop",
         "value": t_sm / t_batch, "unit": "x", "note": "goal ≥ 20×"},
        {"benchmark": "calibration: labtox fit_curve + Curve.inverse loop", "value": t_loop,
         "unit": "s", "note": f"timed on {k} curves, scaled to {n_curves}; full diagnostics"},
        {"benchmark": "calibration: max rel. diff of se, batch vs statsmodels", "value": diff,
         "unit": "1", "note": f"estimates: {diff_est:.1e}; per-curve loop vs statsmodels: "
                              f"{diff_loop:.1e}"},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
