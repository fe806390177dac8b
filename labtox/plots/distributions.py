"""Exposure distribution and congener (TEQ) fingerprint figures."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from labtox import i18n
from labtox.errors import LabtoxError
from labtox.plots._data import teq_table
from labtox.plots.style import (
    OKABE_ITO,
    figure_of,
    localise_ticks,
    new_figure,
    place_legend,
    safe_text,
    style_context,
)

__all__ = ["plot_exposure", "plot_congeners"]

_GROUP_COLOURS = {"PCDD": OKABE_ITO["blue"], "PCDF": OKABE_ITO["sky_blue"],
                  "dl-PCB": OKABE_ITO["orange"], "ndl-PCB": OKABE_ITO["yellow"]}
_CYCLE = [OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "vermillion",
                                 "reddish_purple", "sky_blue", "yellow", "black")]


def _axes(ax: Any, figsize: tuple[float, float]):
    if ax is None:
        return new_figure(figsize)
    return figure_of(ax), ax


_PCOL = re.compile(r"^p(\d+(?:\.\d+)?)$")


def _summary_frame(exposure: Any) -> pd.DataFrame | None:
    """A Monte Carlo summary (one row per analyte with ``p50``, ``p95`` … columns), e.g.
    ``labtox.exposure.MonteCarloResult.intake``, when no simulated intakes are given."""
    if hasattr(exposure, "intakes"):
        return None
    df = getattr(exposure, "intake", None)
    if isinstance(df, pd.DataFrame) and any(_PCOL.match(str(c)) for c in df.columns):
        return df
    return None


def _plot_summary(df: pd.DataFrame, unit: str | None, lang: str, ax: Any, title: bool):
    rows = df.drop(index=[i for i in df.index if str(i) == "HI"], errors="ignore")
    if "analyte" in rows.columns:
        rows = rows[rows["analyte"].astype(str) != "HI"]
        names = rows["analyte"].astype(str).tolist()
    else:
        names = [str(i) for i in rows.index]
    pcols = sorted((c for c in rows.columns if _PCOL.match(str(c))),
                   key=lambda c: float(_PCOL.match(str(c)).group(1)))
    u = i18n.format_unit(unit or "µg/kg bw/day", lang)
    markers = ["o", "s", "D", "^", "v", "P"]
    fig, ax = _axes(ax, (7.2, max(2.6, 0.5 * len(rows) + 1.6)))
    ys = np.arange(len(rows))[::-1]
    for j, c in enumerate(pcols):
        p = _PCOL.match(str(c)).group(1)
        ax.scatter(rows[c].to_numpy(float), ys, marker=markers[j % len(markers)],
                   color=_CYCLE[j % len(_CYCLE)], zorder=3, label=f"P{p}")
    if "mean" in rows.columns:
        ax.scatter(rows["mean"].to_numpy(float), ys, marker="|", s=160,
                   color=OKABE_ITO["black"], zorder=3, label=i18n.translate("legend.mean", lang))
    gcol = next((c for c in ("guidance_daily_ug", "guidance_value") if c in rows.columns), None)
    if gcol is not None and rows[gcol].notna().any():
        ax.scatter(rows[gcol].to_numpy(float), ys, marker="X", s=90,
                   color=OKABE_ITO["vermillion"], zorder=4,
                   label=i18n.translate("legend.guidance", lang, value="", unit="").rstrip(": "))
    ax.set_yticks(ys)
    ax.set_yticklabels([safe_text(i18n.analyte_name(n, lang)) for n in names])
    vals = rows[pcols].to_numpy(float)
    vals = vals[np.isfinite(vals) & (vals > 0)]
    if vals.size and vals.max() / vals.min() > 100:
        ax.set_xscale("log")
    ax.set_xlabel(i18n.translate("axis.intake_nobasis", lang, unit=u))
    if title:
        ax.set_title(i18n.translate("title.exposure_plain", lang), loc="left")
    place_legend(ax, fontsize=7)
    localise_ticks(ax, lang)
    return fig


def _exposure_inputs(exposure: Any, guidance_value, unit, percentiles):
    """Intakes, guidance value, unit and percentile mapping from a table or result object."""
    if isinstance(exposure, pd.DataFrame):
        col = next((c for c in ("intake", "edi", "value", "dose") if c in exposure.columns),
                   None)
        if col is None:
            num = exposure.select_dtypes("number").columns
            if not len(num):
                raise LabtoxError("the exposure table has no numeric intake column.",
                                  expected="a column intake, edi, value or dose",
                                  found=sorted(exposure.columns))
            col = num[0]
        intakes = exposure[col].to_numpy(float)
        if unit is None and "unit" in exposure.columns and len(exposure):
            unit = str(exposure["unit"].iloc[0])
    else:
        intakes = np.asarray(getattr(exposure, "intakes", exposure), float)
        guidance_value = guidance_value if guidance_value is not None else getattr(
            exposure, "guidance_value", None)
        unit = unit if unit is not None else getattr(exposure, "unit", None)
        percentiles = percentiles if percentiles is not None else getattr(
            exposure, "percentiles", None)
    intakes = intakes[np.isfinite(intakes)]
    if intakes.size == 0:
        raise LabtoxError("no finite intakes to plot.", expected="simulated intakes")
    if percentiles is None:
        percentiles = {50: None, 95: None}
    if isinstance(percentiles, pd.Series):
        percentiles = percentiles.to_dict()
    if not isinstance(percentiles, Mapping):
        percentiles = {float(p): None for p in percentiles}
    pct = {}
    for p, v in percentiles.items():
        p = float(str(p).lstrip("Pp"))
        # percentiles not supplied by the exposure result: the empirical quantile (type 7)
        pct[p] = float(np.percentile(intakes, p)) if v is None else float(v)
    return intakes, guidance_value, unit, pct


def plot_exposure(
    exposure: Any,
    *,
    guidance_value: float | None = None,
    guidance_name: str | None = None,
    unit: str | None = None,
    percentiles: Mapping[float, float] | None = None,
    kind: str = "ecdf",
    analyte: str | None = None,
    lang: str = "en",
    ax: Any = None,
    xscale: str = "auto",
    title: bool = True,
):
    """Distribution of simulated intakes with the guidance value and percentiles.

    Parameters
    ----------
    exposure
        A DataFrame of simulated intakes (column ``intake``, ``edi``, ``value`` or ``dose``; an
        optional ``unit`` column) or an object with ``.intakes`` (array), ``.guidance_value``,
        ``.unit`` and ``.percentiles`` (mapping percentile → value), e.g. a
        ``labtox.exposure`` result. Explicit keyword arguments take precedence. A Monte Carlo
        summary without the simulated values (an object whose ``intake`` DataFrame has one row
        per analyte with ``mean``, ``p50``, ``p95`` … and ``guidance_daily_ug``, such as
        ``labtox.exposure.MonteCarloResult``) is drawn as percentiles per analyte against the
        guidance value.
    guidance_value, guidance_name
        Health-based guidance value (TDI, TWI/7, BMDL ...) in the intake unit, and its name.
    unit
        Intake unit, e.g. ``"µg/kg bw/day"``.
    percentiles
        Percentiles to mark; values not supplied are the empirical quantiles of the intakes.
        Default P50 and P95.
    kind
        ``"ecdf"`` (empirical cumulative distribution) or ``"hist"``.
    analyte, lang, ax, title
        Analyte for the title, language, target Axes, title.
    xscale
        ``"linear"``, ``"log"`` or ``"auto"`` (log when the intakes span more than two decades).

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    EFSA Scientific Committee. Guidance on uncertainty analysis in scientific assessments.
    EFSA J 2018;16(1):5123 (communicating exposure distributions with percentiles).

    Examples
    --------
    >>> import pandas as pd
    >>> e = pd.DataFrame({"intake": [0.1, 0.2, 0.4, 0.8], "unit": "µg/kg bw/day"})
    >>> plot_exposure(e, guidance_value=0.5, lang="ru").axes[0].get_xlabel()
    'Оценка поступления, мкг/кг м. т./сут'
    """
    i18n.check_lang(lang)
    summary = _summary_frame(exposure)
    if summary is not None:
        with style_context():
            return _plot_summary(summary, unit, lang, ax, title)
    if kind not in ("ecdf", "hist"):
        raise LabtoxError("unknown exposure plot kind.", expected="'ecdf' or 'hist'", found=kind)
    intakes, gv, unit, pct = _exposure_inputs(exposure, guidance_value, unit, percentiles)
    u = i18n.format_unit(unit, lang) if unit else i18n.translate("figure.unit_unknown", lang)
    with style_context():
        fig, ax = _axes(ax, (6.4, 4.2))
        pos = intakes[intakes > 0]
        if xscale == "auto":
            xscale = "log" if pos.size and pos.max() / pos.min() > 100 else "linear"
        if kind == "ecdf":
            ax.ecdf(intakes, color=OKABE_ITO["blue"], lw=1.5,
                    label=i18n.translate("legend.ecdf", lang))
            from matplotlib.ticker import PercentFormatter

            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0, symbol=""))
            ax.set_ylabel(i18n.translate("axis.cumulative_share", lang))
            ax.set_ylim(0, 1.02)
        else:
            bins = (np.geomspace(pos.min(), pos.max(), 40) if xscale == "log" and pos.size
                    else 40)
            ax.hist(intakes, bins=bins, color=OKABE_ITO["sky_blue"], edgecolor="white",
                    label=i18n.translate("legend.ecdf", lang))
            ax.set_ylabel(i18n.translate("axis.frequency", lang))
        ax.set_xscale(xscale)
        for j, (p, v) in enumerate(sorted(pct.items())):
            ax.axvline(v, color=OKABE_ITO["black"], ls=(0, (1, 2)) if j % 2 else ":", lw=1.1,
                       label=i18n.translate("legend.percentile", lang,
                                            p=i18n.format_number(p, lang),
                                            value=i18n.format_number(v, lang, sig=3), unit=u))
        if gv is not None and np.isfinite(float(gv)):
            label = i18n.translate("legend.guidance", lang,
                                   value=i18n.format_number(float(gv), lang, sig=3), unit=u)
            if guidance_name:
                label += f" ({safe_text(guidance_name)})"
            ax.axvline(float(gv), color=OKABE_ITO["vermillion"], lw=1.8, label=label)
        ax.set_xlabel(i18n.translate("axis.intake_nobasis", lang, unit=u))
        if title:
            ax.set_title(i18n.translate("title.exposure", lang, analyte=safe_text(
                i18n.analyte_name(analyte, lang))) if analyte else
                i18n.translate("title.exposure_plain", lang), loc="left")
        ax.legend(loc="lower right" if kind == "ecdf" else "upper right")
        localise_ticks(ax, lang)
    return fig


def _group_of(congener: str) -> str:
    from labtox.analytes import canonical
    from labtox.errors import AnalyteError

    try:
        return canonical(congener).group
    except AnalyteError:
        return "other"


def plot_congeners(
    teq: pd.DataFrame,
    *,
    sample_id: str | None = None,
    lang: str = "en",
    ax: Any = None,
    top: int = 12,
    title: bool = True,
):
    """Congener fingerprint: each congener's contribution to the WHO-TEQ.

    One sample (or ``sample_id`` chosen): horizontal bars of each congener's TEQ contribution
    in its unit, coloured by group (PCDD, PCDF, dl-PCB). Several samples: one stacked bar per
    sample of each congener's *share* of the sample's TEQ (the ``top`` largest congeners by mean
    share, the rest pooled), to compare fingerprints.

    Parameters
    ----------
    teq
        TEQ contributions: ``sample_id``, ``congener`` (or ``analyte``), ``teq`` (or
        ``teq_contribution``/``contribution``/``value``), ``unit`` and optionally ``basis``.
    sample_id
        One sample to draw.
    lang, ax, title
        Language, target Axes, title.
    top
        Number of congeners shown individually in the multi-sample chart.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Van den Berg M et al. The 2005 World Health Organization reevaluation of human and
    mammalian toxic equivalency factors for dioxins and dioxin-like compounds. Toxicol Sci
    2006;93:223-241.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"sample_id": "s1", "congener": ["2,3,7,8-TCDD", "PCB 126"],
    ...                   "teq": [0.2, 0.6], "unit": "pg/g", "basis": "fat"})
    >>> plot_congeners(t).axes[0].get_xlabel()
    'TEQ contribution, pg/g (fat basis)'
    """
    i18n.check_lang(lang)
    t = teq_table(teq)
    if sample_id is not None:
        t = t[t["sample_id"] == str(sample_id)]
        if t.empty:
            raise LabtoxError(f"no TEQ rows for sample {sample_id!r}.",
                              expected="a sample_id present in the table", found=sample_id)
    samples = list(dict.fromkeys(t["sample_id"]))
    units = sorted(set(t["unit"]))
    bases = sorted(set(t["basis"]) - {""})
    with style_context():
        if len(samples) <= 1:
            fig, ax = _axes(ax, (6.4, max(2.8, 0.28 * len(t) + 1.4)))
            d = t.sort_values("teq", ascending=True, kind="stable")
            colours = [_GROUP_COLOURS.get(_group_of(c), OKABE_ITO["reddish_purple"])
                       for c in d["congener"]]
            ys = np.arange(len(d))
            ax.barh(ys, d["teq"], color=colours, height=0.7)
            ax.set_yticks(ys)
            ax.set_yticklabels([safe_text(i18n.analyte_name(c, lang)) for c in d["congener"]],
                               fontsize=7.5)
            unit = units[0] if len(units) == 1 else "; ".join(units)
            ax.set_xlabel(i18n.axis_label("teq", lang, unit, bases[0] if len(bases) == 1
                                          else None))
            from matplotlib.patches import Patch

            groups = list(dict.fromkeys(_group_of(c) for c in d["congener"]))[::-1]
            ax.legend(handles=[Patch(color=_GROUP_COLOURS.get(g, OKABE_ITO["reddish_purple"]),
                                     label=g) for g in groups], loc="lower right")
            ax.set_ylabel(i18n.translate("axis.congener", lang))
        else:
            fig, ax = _axes(ax, (max(6.4, 0.45 * len(samples) + 3.5), 4.6))
            mean_share = t.groupby("congener")["share"].mean().sort_values(ascending=False)
            keep = list(mean_share.index[:top])
            t = t.assign(congener=t["congener"].where(t["congener"].isin(keep), "…"))
            wide = t.pivot_table(index="sample_id", columns="congener", values="share",
                                 aggfunc="sum", fill_value=0.0).reindex(samples)
            cols = [c for c in keep if c in wide.columns] + (["…"] if "…" in wide.columns
                                                             else [])
            bottom = np.zeros(len(samples))
            hatches = ["", "//", "..", "xx"]
            for j, c in enumerate(cols):
                ax.bar(np.arange(len(samples)), 100 * wide[c].to_numpy(), bottom=bottom,
                       color=_CYCLE[j % len(_CYCLE)], hatch=hatches[(j // len(_CYCLE)) % 4],
                       edgecolor="white", linewidth=0.4,
                       label=safe_text(i18n.analyte_name(c, lang)) if c != "…" else "…")
                bottom += 100 * wide[c].to_numpy()
            ax.set_xticks(np.arange(len(samples)))
            ax.set_xticklabels([safe_text(s) for s in samples], rotation=45, ha="right")
            ax.set_ylabel(i18n.translate("axis.teq_share", lang))
            ax.set_xlabel(i18n.translate("axis.sample", lang))
            ax.set_ylim(0, 100)
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7)
        if title:
            ax.set_title(i18n.translate("title.congeners", lang), loc="left")
        localise_ticks(ax, lang)
    return fig
