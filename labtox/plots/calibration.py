"""Calibration figure: standards, fitted curve, confidence band, LOD/LOQ marks, residual panel."""

from __future__ import annotations

from typing import Any

import numpy as np

from labtox import i18n
from labtox.errors import CalibrationError
from labtox.plots.style import (
    OKABE_ITO,
    figure_of,
    localise_ticks,
    new_figure,
    safe_text,
    style_context,
)

__all__ = ["plot_calibration"]


def _band(curve: Any, grid: np.ndarray, level: float):
    """The curve's own confidence band if it offers one, else the unweighted straight-line band
    (only for an unweighted linear model), else None."""
    for name in ("confidence_band", "band"):
        fn = getattr(curve, name, None)
        if callable(fn):
            res = fn(grid, level)
            if hasattr(res, "lower"):
                return np.asarray(res.lower, float), np.asarray(res.upper, float)
            lo, hi = res
            return np.asarray(lo, float), np.asarray(hi, float)
    model = str(getattr(curve, "model", "")).lower()
    if getattr(curve, "covariance", None) is not None:
        from labtox.plots._data import polynomial_confidence_band

        band = polynomial_confidence_band(model, curve.predict, curve.covariance,
                                          getattr(curve, "dof", None), grid, level)
        if band is not None:
            return band
    weights = getattr(curve, "weights", None)
    weighting = str(getattr(curve, "weighting", "") or "").lower()
    unweighted = (weights is None or np.allclose(np.asarray(weights, float), 1.0)) and \
        weighting in ("", "none", "1")
    if model in ("linear", "ols", "straight line") and unweighted and len(curve.x) >= 3:
        from labtox.plots._data import linear_confidence_band

        _, lo, hi = linear_confidence_band(curve.x, curve.y, grid, level)
        return lo, hi
    return None


def _model_label(curve: Any, lang: str) -> str:
    model = str(getattr(curve, "model", "") or "")
    key = {"linear": "figure.model_linear", "quadratic": "figure.model_quadratic"}.get(
        model.lower())
    text = i18n.translate(key, lang) if key else i18n.translate("figure.model_other", lang,
                                                                model=safe_text(model))
    weighting = getattr(curve, "weighting", None)
    if weighting and str(weighting).lower() not in ("none", "1"):
        text += f", {i18n.translate('figure.model_weighted', lang)} {safe_text(weighting)}"
    return text


def plot_calibration(
    curve: Any,
    detection_limits: Any = None,
    *,
    lang: str = "en",
    ax: Any = None,
    level: float = 0.95,
    response_unit: str | None = None,
    title: bool = True,
):
    """Calibration standards, fitted curve with confidence band, LOD/LOQ and residuals.

    Parameters
    ----------
    curve
        Any object with ``x`` (standard concentrations), ``y`` (responses), ``model``,
        ``predict(x) -> array``, ``analyte``, ``unit`` (concentration unit) and optionally
        ``residuals``, ``r2``, ``weighting``/``weights``, ``excluded`` (boolean mask of standards
        left out of the fit), ``signal_unit``/``response_unit`` and
        ``confidence_band(x, level) -> (lower, upper)`` or ``covariance`` + ``dof`` of a
        polynomial fit (e.g. :class:`labtox.calibration.Curve`; band from
        :func:`labtox.plots._data.polynomial_confidence_band`). Otherwise the band is drawn
        only for an unweighted linear model (:func:`labtox.plots._data.linear_confidence_band`).
    detection_limits
        Object with ``lod``, ``loq`` and ``method`` in the curve's concentration unit (e.g.
        ``labtox.detection.DetectionLimits``), or a mapping with those keys; optional.
    lang
        ``en``, ``ru`` or ``kk``.
    ax
        ``None`` (a new figure with a residual panel below the curve), one Axes (curve only) or a
        pair of Axes ``(curve_ax, residual_ax)``.
    level
        Confidence level of the band.
    response_unit
        Unit of the instrument response (default from the curve, else "unit not stated").
    title
        Put the analyte in the title.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    ISO 8466-1:2021 (calibration graph and residual plot); Massart DL et al., Handbook of
    Chemometrics and Qualimetrics, Part A (1997), ch. 8.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import numpy as np
    >>> x = np.array([0, 1, 2, 5, 10.]); y = 50 + 1000 * x + np.array([3, -5, 4, -2, 1.])
    >>> c = SimpleNamespace(x=x, y=y, model="linear", analyte="Pb", unit="µg/L",
    ...                     predict=lambda v: 50 + 1000 * np.asarray(v), signal_unit="cps")
    >>> fig = plot_calibration(c, {"lod": 0.05, "loq": 0.15, "method": "DIN 32645"})
    >>> len(fig.axes)
    2
    """
    i18n.check_lang(lang)
    x = np.asarray(curve.x, float)
    y = np.asarray(curve.y, float)
    if x.size == 0 or x.size != y.size:
        raise CalibrationError("the curve has no standards to draw (x and y must have the same "
                               "non-zero length).", analyte=getattr(curve, "analyte", None))
    analyte = str(getattr(curve, "analyte", "") or "")
    unit = getattr(curve, "unit", None)
    r_unit = response_unit or getattr(curve, "signal_unit", None) or getattr(
        curve, "response_unit", None)
    if str(getattr(curve, "response", "")) == "ratio" or r_unit == "ratio":
        r_unit_text = i18n.translate("figure.ratio_istd", lang)
    else:
        r_unit_text = r_unit if r_unit else i18n.translate("figure.unit_unknown", lang)
    if not unit and detection_limits is not None:
        unit = (detection_limits.get("unit") if isinstance(detection_limits, dict)
                else getattr(detection_limits, "unit", None))
    if not unit:
        unit = i18n.translate("figure.unit_unknown", lang)
    excluded = getattr(curve, "excluded", None)
    excl = np.zeros(x.size, bool) if excluded is None else np.asarray(excluded, bool)

    with style_context():
        if ax is None:
            fig, (ax_c, ax_r) = new_figure((6.4, 5.2), nrows=2, sharex=True,
                                           gridspec_kw={"height_ratios": [3, 1.2]})
        elif isinstance(ax, (tuple, list)):
            ax_c, ax_r = ax
            fig = figure_of(ax_c)
        else:
            ax_c, ax_r = ax, None
            fig = figure_of(ax_c)

        hi = float(np.nanmax(x)) if x.size else 1.0
        grid = np.linspace(min(0.0, float(np.nanmin(x))), hi * 1.02, 200)
        band = _band(curve, grid, level)
        if band is not None:
            ax_c.fill_between(grid, band[0], band[1], color=OKABE_ITO["sky_blue"], alpha=0.3,
                              linewidth=0, label=i18n.translate(
                                  "legend.band", lang, level=i18n.format_percent(level, lang)))
        ax_c.plot(grid, np.asarray(curve.predict(grid), float), color=OKABE_ITO["blue"], lw=1.4,
                  label=i18n.translate("legend.fit", lang, model=_model_label(curve, lang)))
        ax_c.plot(x[~excl], y[~excl], "o", color=OKABE_ITO["black"], ms=4.5,
                  label=i18n.translate("legend.standards", lang))
        if excl.any():
            ax_c.plot(x[excl], y[excl], "x", color=OKABE_ITO["vermillion"], ms=6,
                      label=i18n.translate("legend.excluded", lang))

        dl = detection_limits
        if dl is not None:
            get = dl.get if isinstance(dl, dict) else (lambda k, d=None: getattr(dl, k, d))
            u = i18n.format_unit(get("unit", unit) or unit, lang)
            for key, style in (("lod", ":"), ("loq", "--")):
                v = get(key)
                if v is None or not np.isfinite(float(v)):
                    continue
                for a in (ax_c, ax_r):
                    if a is not None:
                        a.axvline(float(v), color=OKABE_ITO["reddish_purple"], ls=style, lw=1.1,
                                  label=i18n.translate(f"legend.{key}", lang, value=i18n.format_number(
                                      float(v), lang, sig=2), unit=u) if a is ax_c else None)
        r2 = getattr(curve, "r2", None)
        if title:
            t = i18n.translate("title.calibration", lang,
                               analyte=safe_text(i18n.analyte_name(analyte, lang)))
            if r2 is not None and np.isfinite(float(r2)):
                t += f"  (r² = {i18n.format_number(float(r2), lang, decimals=4)})"
            ax_c.set_title(t, loc="left")
        ax_c.set_ylabel(i18n.translate("axis.response_nobasis", lang,
                                       unit=i18n.format_unit(r_unit_text, lang)))
        ax_c.legend(loc="upper left")
        if ax_r is not None:
            res = getattr(curve, "residuals", None)
            res = y - np.asarray(curve.predict(x), float) if res is None else np.asarray(res, float)
            ax_r.axhline(0, color=OKABE_ITO["black"], lw=0.8)
            ax_r.plot(x[~excl], res[~excl], "o", color=OKABE_ITO["black"], ms=4)
            if excl.any():
                ax_r.plot(x[excl], res[excl], "x", color=OKABE_ITO["vermillion"], ms=6)
            ax_r.set_ylabel(i18n.translate("axis.residual_nobasis", lang,
                                           unit=i18n.format_unit(r_unit_text, lang)))
            ax_r.set_xlabel(i18n.translate("axis.standard_concentration_nobasis", lang,
                                           unit=i18n.format_unit(unit, lang)))
        else:
            ax_c.set_xlabel(i18n.translate("axis.standard_concentration_nobasis", lang,
                                           unit=i18n.format_unit(unit, lang)))
        for a in (ax_c, ax_r):
            if a is not None:
                localise_ticks(a, lang)
    return fig
