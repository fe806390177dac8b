"""Levey–Jennings control chart with ±1s/±2s/±3s lines and Westgard violations marked."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from labtox import i18n
from labtox.errors import LabtoxError
from labtox.plots.style import (
    OKABE_ITO,
    figure_of,
    localise_ticks,
    new_figure,
    place_legend,
    safe_text,
    style_context,
)
from labtox.qc_rules import RULES, westgard

__all__ = ["plot_control_chart"]


def _stat(data: pd.DataFrame, given: float | None, *names: str) -> float | None:
    if given is not None:
        return float(given)
    for n in names:
        if n in data.columns:
            vals = pd.to_numeric(data[n], errors="coerce").dropna().unique()
            if len(vals) > 1:
                raise LabtoxError(f"the control table's {n} column changes within the series.",
                                  expected=f"one {n} per chart (split the series)",
                                  found=vals[:5].tolist())
            if len(vals) == 1:
                return float(vals[0])
    return None


def plot_control_chart(
    data: pd.DataFrame,
    *,
    mean: float | None = None,
    sd: float | None = None,
    rules: tuple[str, ...] = RULES,
    gate: bool = False,
    unit: str | None = None,
    analyte: str | None = None,
    lang: str = "en",
    ax: Any = None,
    title: bool = True,
):
    """Levey–Jennings chart of control measurements with Westgard violations marked.

    Parameters
    ----------
    data
        Control measurements in order: ``value`` plus ``sequence`` or ``date`` (x axis) and
        optionally ``mean``/``target``, ``sd``, ``run``, ``unit``, ``analyte``.
    mean, sd
        Target mean and standard deviation (default: the table's ``mean``/``target`` and ``sd``
        columns; they are required from one source or the other, never estimated from the
        values being judged).
    rules, gate
        Westgard rules to evaluate and the classic warning gate (see
        :func:`labtox.qc_rules.westgard`).
    unit, analyte, lang, ax, title
        Unit (default from the table), analyte for the title, language, target Axes, title.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Levey S, Jennings ER. Am J Clin Pathol 1950;20:1059-1066. Westgard JO, Barry PL, Hunt MR,
    Groth T. Clin Chem 1981;27:493-501.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"sequence": [1, 2, 3], "value": [10.1, 9.9, 11.4], "mean": 10.0,
    ...                   "sd": 0.4, "unit": "µg/L"})
    >>> [t.get_text() for t in plot_control_chart(d).axes[0].texts]
    ['1-2s, 1-3s']
    """
    i18n.check_lang(lang)
    if "value" not in data.columns:
        raise LabtoxError("the control table has no value column.", expected="a value column",
                          found=sorted(data.columns))
    m = _stat(data, mean, "mean", "target")
    s = _stat(data, sd, "sd", "target_sd")
    if m is None or s is None:
        raise LabtoxError("the control chart needs the target mean and sd.",
                          expected="mean= and sd= or mean/target and sd columns",
                          found=sorted(data.columns))
    values = pd.to_numeric(data["value"], errors="coerce").to_numpy(float)
    if "date" in data.columns and "sequence" not in data.columns:
        x = pd.to_datetime(data["date"]).to_numpy()
        xlabel = i18n.translate("axis.sampling_date", lang)
    else:
        x = (pd.to_numeric(data["sequence"], errors="coerce").to_numpy(float)
             if "sequence" in data.columns else np.arange(1, len(data) + 1, dtype=float))
        xlabel = i18n.translate("axis.sequence", lang)
    run = data["run"].tolist() if "run" in data.columns else None
    viol = westgard(values, m, s, rules=rules, run=run, gate=gate)
    unit = unit or (str(data["unit"].iloc[0]) if "unit" in data.columns and len(data) else None)
    analyte = analyte or (str(data["analyte"].iloc[0]) if "analyte" in data.columns
                          and len(data) else None)
    u = i18n.format_unit(unit, lang) if unit else i18n.translate("figure.unit_unknown", lang)

    with style_context():
        created = ax is None
        if created:
            fig, ax = new_figure((8.4, 4.2))
        else:
            fig = figure_of(ax)
        ax.axhline(m, color=OKABE_ITO["black"], lw=1.2, label=i18n.translate("legend.mean", lang))
        for k, colour, ls, key in ((1, "#BBBBBB", ":", "legend.sd1"),
                                   (2, OKABE_ITO["orange"], "--", "legend.sd2"),
                                   (3, OKABE_ITO["vermillion"], "-", "legend.sd3")):
            ax.axhline(m + k * s, color=colour, ls=ls, lw=1.0, label=i18n.translate(key, lang))
            ax.axhline(m - k * s, color=colour, ls=ls, lw=1.0)
        ax.plot(x, values, "-o", color=OKABE_ITO["blue"], ms=4, lw=0.8,
                label=i18n.translate("legend.in_control", lang))
        if len(viol):
            rej = viol[viol["reject"]]
            shown = rej if len(rej) else viol
            pos = sorted({p for members in shown["members"] for p in members})
            ax.scatter(np.asarray(x)[pos], values[pos], s=110, facecolors="none",
                       edgecolors=OKABE_ITO["vermillion"], linewidths=1.6, zorder=4,
                       label=i18n.translate("legend.violation", lang))
            for p, g in viol.groupby("position"):
                names = ", ".join(r.replace("_", "-") for r in g["rule"])
                ax.annotate(names, (np.asarray(x)[p], values[p]), xytext=(0, 9),
                            textcoords="offset points", ha="center", fontsize=7,
                            color=OKABE_ITO["vermillion"])
        lim = max(3.6 * s, float(np.nanmax(np.abs(values - m))) * 1.1 if values.size else 0)
        ax.set_ylim(m - lim, m + lim)
        ax.set_ylabel(i18n.translate("axis.control_value_nobasis", lang, unit=u))
        ax.set_xlabel(xlabel)
        if title:
            ax.set_title(i18n.translate("title.control", lang, analyte=safe_text(
                i18n.analyte_name(analyte, lang))) if analyte else
                i18n.translate("title.control_plain", lang), loc="left")
        place_legend(ax)
        localise_ticks(ax, lang)
    return fig
