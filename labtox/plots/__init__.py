"""Figures from labtox result tables and objects, in English, Russian and Kazakh.

Every function takes result tables/objects, accepts ``ax=None`` (a new figure) or an Axes to
draw into, takes ``lang`` (``en``/``ru``/``kk``) and returns the :class:`matplotlib.figure.Figure`.
matplotlib is imported only when a function is called, so ``import labtox.plots`` is cheap.
Computation is left to the stages that own it; :mod:`labtox.plots._data` only counts and
reshapes. One style (:mod:`labtox.plots.style`): Okabe–Ito colours plus marker shapes, DejaVu
Sans (covers Kazakh Cyrillic), deterministic saving (:func:`save_figure`, :func:`figure_bytes`).

=============================  ==========================================================
function                       figure
=============================  ==========================================================
:func:`plot_calibration`       standards, fit, confidence band, LOD/LOQ, residual panel
:func:`plot_results_vs_limits` results per sample/site, non-detects at their limit, limits
:func:`plot_exceedance`        share of samples above each limit with counts and CI
:func:`plot_exposure`          ECDF/histogram of intakes, guidance value, percentiles
:func:`plot_congeners`         TEQ contribution by congener (fingerprint)
:func:`plot_control_chart`     Levey–Jennings with ±2s/±3s and Westgard violations
:func:`plot_site_map`          longitude/latitude scatter coloured by decision (no tiles)
=============================  ==========================================================

Text helpers: :func:`caption` / :func:`captions` (one-sentence findings) and
:func:`provenance_footer` (the line public charts carry), :func:`add_footer` to draw it.
"""

from labtox.plots._data import exceedance_table
from labtox.plots.calibration import plot_calibration
from labtox.plots.captions import caption, captions, provenance_footer
from labtox.plots.compliance import plot_exceedance, plot_results_vs_limits, plot_site_map
from labtox.plots.control import plot_control_chart
from labtox.plots.distributions import plot_congeners, plot_exposure
from labtox.plots.style import add_footer, figure_bytes, save_figure

plot_limits = plot_results_vs_limits

KINDS: dict[str, str] = {
    "calibration": "plot_calibration",
    "limits": "plot_results_vs_limits",
    "exceedance": "plot_exceedance",
    "exposure": "plot_exposure",
    "congeners": "plot_congeners",
    "control": "plot_control_chart",
    "map": "plot_site_map",
}
"""Figure kinds by short name (used by ``labtox plot KIND``)."""

__all__ = [
    "plot_calibration",
    "plot_results_vs_limits",
    "plot_limits",
    "plot_exceedance",
    "plot_exposure",
    "plot_congeners",
    "plot_control_chart",
    "plot_site_map",
    "caption",
    "captions",
    "provenance_footer",
    "add_footer",
    "figure_bytes",
    "save_figure",
    "exceedance_table",
    "KINDS",
]
