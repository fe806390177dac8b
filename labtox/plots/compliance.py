"""Figures about limits: results against limits, exceedance shares, and the site map."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from labtox import i18n
from labtox.errors import LabtoxError, UnitError
from labtox.plots._data import (
    DECISIONS,
    as_bool,
    exceedance_table,
    limits_of,
    require_columns,
    select_analyte,
    worst_decision,
)
from labtox.plots.captions import limit_text
from labtox.plots.style import (
    DECISION_COLOURS,
    DECISION_MARKERS,
    LIMIT_STYLES,
    OKABE_ITO,
    figure_of,
    localise_ticks,
    new_figure,
    place_legend,
    safe_text,
    style_context,
)

__all__ = ["plot_results_vs_limits", "plot_exceedance", "plot_site_map"]

_DECISION_LEGEND = {"non-compliant": "legend.non_compliant", "inconclusive": "legend.inconclusive",
                    "compliant": "legend.compliant", "not-decidable": "legend.not_decidable",
                    "none": "legend.no_limit"}


def _axes(ax: Any, figsize: tuple[float, float]):
    if ax is None:
        return new_figure(figsize)
    return figure_of(ax), ax


def _one_unit(df: pd.DataFrame) -> tuple[pd.DataFrame, str, str]:
    """Express all rows in the most common unit; refuse mixed bases."""
    from labtox.units import convert

    require_columns(df, ["value", "unit", "basis"], "results")
    bases = sorted(set(df["basis"].astype(str)))
    if len(bases) > 1:
        raise LabtoxError("results of one analyte are on different bases; plot one basis at a "
                          "time (convert with labtox.units.convert_basis first).",
                          expected="one basis (wet, fat or dry)", found=bases)
    unit = df["unit"].astype(str).mode().iloc[0]
    out = df.copy()
    for col in ("value", "lod", "loq", "u_expanded"):
        if col in out.columns:
            out[col] = pd.to_numeric(out[col], errors="coerce")
    other = out["unit"].astype(str) != unit
    for i in out.index[other]:
        f = convert(1.0, str(out.at[i, "unit"]), unit)
        for col in ("value", "lod", "loq", "u_expanded"):
            if col in out.columns and pd.notna(out.at[i, col]):
                out.at[i, col] = float(out.at[i, col]) * f
    out["unit"] = unit
    return out, unit, bases[0]


def _one_bound(df: pd.DataFrame, compliance: pd.DataFrame | None, analyte: str,
               bound: str | None) -> tuple[pd.DataFrame, str | None]:
    """Keep one bound (lower/medium/upper) of a sum parameter."""
    if "bound" not in df.columns:
        return df, None
    bounds = [b for b in dict.fromkeys(df["bound"].dropna().astype(str)) if b]
    if len(bounds) <= 1 and bound is None:
        return df, bounds[0] if bounds else None
    if bound is None and compliance is not None and "bound" in compliance.columns:
        comp, _ = select_analyte(compliance, analyte, "compliance")
        used = [b for b in dict.fromkeys(comp["bound"].dropna().astype(str)) if b]
        bound = used[0] if len(used) == 1 else None
    bound = bound or ("upper" if "upper" in bounds else bounds[0])
    if bound not in bounds:
        raise LabtoxError(f"no {bound!r} bound for {analyte!r}.",
                          expected="one of " + ", ".join(bounds), found=bound)
    return df[df["bound"].astype(str) == bound], bound


def _positions(df: pd.DataFrame, by: str) -> tuple[np.ndarray, list[float], list[str]]:
    """x of each row, tick positions and tick labels (deterministic strip layout by site)."""
    if by == "site":
        sites = list(dict.fromkeys(df["site"].fillna("–").astype(str)))
        xs = np.zeros(len(df))
        for j, s in enumerate(sites):
            idx = np.flatnonzero(df["site"].fillna("–").astype(str).to_numpy() == s)
            offs = np.linspace(-0.3, 0.3, idx.size) if idx.size > 1 else np.zeros(1)
            xs[idx] = j + offs
        return xs, list(range(len(sites))), sites
    xs = np.arange(len(df), dtype=float)
    return xs, list(xs), df["sample_id"].astype(str).tolist()


def plot_results_vs_limits(
    results: pd.DataFrame,
    compliance: pd.DataFrame | None = None,
    *,
    analyte: str | None = None,
    by: str = "sample",
    lang: str = "en",
    ax: Any = None,
    yscale: str = "auto",
    bound: str | None = None,
    title: bool = True,
):
    """Each sample's result against every applicable limit.

    Detected results are filled markers with their expanded-uncertainty error bars, coloured and
    shaped by the sample's worst decision. Non-detects are never drawn as values: an open marker
    at the limit they lie below (``value`` of a censored row) with a downward arrow. One
    horizontal line per applicable limit, labelled with its act, value and verification status.
    Limits on a basis other than the results' are not drawn (the figure says so).

    Parameters
    ----------
    results
        Results table (``sample_id, analyte, value, unit, basis, censored`` and optionally
        ``detection, u_expanded, site``). Unit conversion to the most common unit is done with
        :func:`labtox.units.convert`; mixed bases raise.
    compliance
        Compliance table for the decisions and the limit lines (optional).
    analyte
        Required when the tables hold several analytes.
    by
        ``"sample"`` (one position per sample, in table order grouped by site when present) or
        ``"site"`` (samples of a site side by side).
    lang, ax, title
        Language, target Axes, whether to draw a title.
    yscale
        ``"linear"``, ``"log"`` or ``"auto"`` (log when values span more than two decades).
    bound
        For sum parameters reported as lower/medium/upper bound (a ``bound`` column): which
        one to draw. Default: the bound the compliance table used, else ``upper``.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Helsel DR. Statistics for Censored Environmental Data Using Minitab and R, 2nd ed. (2012),
    ch. 4: plot non-detects as intervals below their reporting limit, never as values.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"sample_id": ["s1", "s2"], "analyte": "Pb", "value": [0.03, 0.005],
    ...                   "unit": "mg/kg", "basis": "wet", "censored": [False, True]})
    >>> c = r.assign(regime="EU", instrument="Commission Regulation (EU) 2023/915",
    ...              provision="3.1.1", limit=0.02, limit_unit="mg/kg",
    ...              decision=["non-compliant", "compliant"], status="confirmed-secondary")
    >>> fig = plot_results_vs_limits(r, c, lang="kk")
    >>> fig.axes[0].get_ylabel()
    'Концентрация, мг/кг (өнімге шаққанда)'
    """
    i18n.check_lang(lang)
    if by not in ("sample", "site"):
        raise LabtoxError("unknown grouping.", expected="by='sample' or by='site'", found=by)
    df, analyte_label = select_analyte(results, analyte)
    df, bound = _one_bound(df, compliance, analyte_label, bound)
    df, unit, basis = _one_unit(df)
    cens = as_bool(df["censored"])
    if by == "site" and "site" not in df.columns:
        raise LabtoxError("by='site' needs a site column in the results.",
                          expected="a site column", found=sorted(df.columns))
    if "site" in df.columns:
        df = df.assign(_site=df["site"].fillna("").astype(str)).sort_values(
            "_site", kind="stable")
        cens = cens.loc[df.index]
    decisions = pd.Series("none", index=df.index)
    lims = pd.DataFrame()
    if compliance is not None and len(compliance):
        comp, _ = select_analyte(compliance, analyte_label, "compliance")
        worst = worst_decision(comp)
        decisions = df["sample_id"].map(worst).fillna("none")
        lims = limits_of(comp)
    xs, ticks, labels = _positions(df, by)
    vals = df["value"].to_numpy(float)

    with style_context():
        fig, ax = _axes(ax, (max(8.4, min(0.35 * len(df) + 5, 15)), 4.8))
        u = df["u_expanded"].to_numpy(float) if "u_expanded" in df.columns else None
        seen: set[str] = set()
        for dec in (*DECISIONS, "none"):
            m = (decisions.to_numpy() == dec) & ~cens.to_numpy()
            if not m.any():
                continue
            yerr = None if u is None else np.where(np.isfinite(u[m]), u[m], 0.0)
            ax.errorbar(xs[m], vals[m], yerr=yerr, fmt=DECISION_MARKERS[dec], ms=6,
                        color=DECISION_COLOURS[dec], ecolor=DECISION_COLOURS[dec], elinewidth=1,
                        capsize=2.5, label=i18n.translate(_DECISION_LEGEND[dec], lang),
                        zorder=3)
            seen.add(dec)
        nd = cens.to_numpy()
        if nd.any():
            colours = [DECISION_COLOURS[d] for d in decisions.to_numpy()[nd]]
            ax.errorbar(xs[nd], vals[nd], yerr=0.25 * vals[nd], uplims=True, fmt="none",
                        ecolor=OKABE_ITO["black"], elinewidth=0.9, capsize=0, zorder=2)
            ax.scatter(xs[nd], vals[nd], marker="v", s=42, facecolors="none",
                       edgecolors=colours, linewidths=1.3, zorder=3,
                       label=i18n.translate("legend.nondetect", lang))
        positive = vals[np.isfinite(vals) & (vals > 0)]
        skipped = []
        for j, lim in enumerate(lims.itertuples(index=False)):
            try:
                lv = float(lim.limit)
            except (TypeError, ValueError):
                continue
            if lim.limit_basis and lim.limit_basis not in ("", basis):
                skipped.append(i18n.act_name(lim.instrument, lang))
                continue
            try:
                from labtox.units import convert

                lv_plot = convert(lv, str(lim.limit_unit), unit) if lim.limit_unit else lv
            except (UnitError, ValueError):
                skipped.append(i18n.act_name(lim.instrument, lang))
                continue
            colour, ls = LIMIT_STYLES[j % len(LIMIT_STYLES)]
            label = i18n.translate(
                "legend.limit", lang,
                act=safe_text(i18n.act_name(lim.instrument, lang) or i18n.regime_name(
                    lim.regime, lang)),
                limit=limit_text(lv, lim.limit_unit, None, lang),
                status=i18n.status_label(lim.status, lang))
            ax.axhline(lv_plot, color=colour, ls=ls, lw=1.3, label=label, zorder=1)
            positive = np.append(positive, lv_plot)
        if skipped:
            ax.text(0.0, -0.2, "≠ " + i18n.basis_label(basis, lang) + ": " +
                    safe_text("; ".join(dict.fromkeys(skipped))),
                    transform=ax.transAxes, fontsize=7, color=OKABE_ITO["black"])
        if yscale == "auto":
            yscale = "log" if positive.size and positive.max() / positive.min() > 100 else "linear"
        ax.set_yscale(yscale)
        if yscale == "linear":
            ax.set_ylim(bottom=0)
        ax.set_xticks(ticks)
        ax.set_xticklabels([safe_text(i18n.place_name(s, lang) if by == "site" else s)
                            for s in labels], rotation=45 if by == "sample" else 0,
                           ha="right" if by == "sample" else "center")
        ax.set_xlim(-0.7, len(ticks) - 0.3)
        ax.set_ylabel(i18n.axis_label("concentration", lang, unit, basis))
        ax.set_xlabel(i18n.translate("axis.site" if by == "site" else "axis.sample", lang))
        if title:
            t = i18n.translate("title.limits", lang, analyte=safe_text(
                i18n.analyte_name(analyte_label, lang)))
            if bound:
                t += f" ({i18n.lookup(f'bound.{bound}', lang, bound)})"
            ax.set_title(t, loc="left")
        place_legend(ax)
        localise_ticks(ax, lang)
    return fig


def plot_exceedance(
    data: pd.DataFrame,
    *,
    lang: str = "en",
    ax: Any = None,
    level: float = 0.95,
    method: str = "wilson",
    title: bool = True,
):
    """Share of samples above each limit, with counts and a binomial confidence interval.

    Parameters
    ----------
    data
        Either a compliance table (the shares are counted by
        :func:`labtox.plots._data.exceedance_table`) or a precomputed table with columns
        ``analyte, instrument, limit, limit_unit, n, k, lower, upper`` (and optionally ``m``,
        ``regime``, ``status``, ``limit_basis``), or exceedance results of
        ``labtox.stats.exceedance`` (one, or a mapping label → result; see
        :func:`labtox.plots._data.exceedance_table_from`).
    lang, ax, title
        Language, target Axes, title.
    level, method
        Confidence level and interval method (``wilson``, ``exact`` = Clopper–Pearson,
        ``wilsoncc``) when the shares are counted here.

    Returns
    -------
    matplotlib.figure.Figure

    References
    ----------
    Wilson EB. J Am Stat Assoc 1927;22:209-212. Clopper CJ, Pearson ES. Biometrika
    1934;26:404-413.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"sample_id": ["a", "b", "c"], "analyte": "Pb", "regime": "EU",
    ...                   "instrument": "Commission Regulation (EU) 2023/915", "limit": 0.02,
    ...                   "limit_unit": "mg/kg", "decision": ["non-compliant", "compliant",
    ...                   "compliant"]})
    >>> fig = plot_exceedance(c, lang="ru")
    >>> fig.axes[0].get_xlabel()
    'Доля образцов выше норматива, %'
    """
    i18n.check_lang(lang)
    if not isinstance(data, pd.DataFrame):
        from labtox.plots._data import exceedance_table_from

        data = exceedance_table_from(data, method=method)
    if {"n", "k", "lower", "upper"} <= set(data.columns):
        t = data.copy()
        method = str(t["method"].iloc[0]) if "method" in t.columns and len(t) else method
        level = float(t["level"].iloc[0]) if "level" in t.columns and len(t) else level
    else:
        t = exceedance_table(data, level=level, method=method)
    for col, default in (("m", 0), ("regime", ""), ("status", ""), ("limit_basis", "")):
        if col not in t.columns:
            t[col] = default
    t = t[t["n"] > 0].reset_index(drop=True)
    with style_context():
        fig, ax = _axes(ax, (9.0, max(2.6, 0.75 * len(t) + 1.6)))
        if t.empty:
            ax.text(0.5, 0.5, i18n.translate("figure.no_data", lang), ha="center",
                    transform=ax.transAxes)
        ys = np.arange(len(t))[::-1]
        share = 100.0 * t["k"] / t["n"]
        inconc = 100.0 * t["m"] / t["n"]
        ax.barh(ys, share, color=DECISION_COLOURS["non-compliant"], height=0.6,
                label=i18n.translate("legend.share", lang))
        if (t["m"] > 0).any():
            ax.barh(ys, inconc, left=share, color="none", edgecolor=DECISION_COLOURS[
                "inconclusive"], hatch="////", height=0.6,
                label=i18n.translate("legend.inconclusive_share", lang))
        lo = 100.0 * t["lower"].to_numpy(float)
        hi = 100.0 * t["upper"].to_numpy(float)
        ax.errorbar(share, ys, xerr=[share - lo, hi - share], fmt="none",
                    ecolor=OKABE_ITO["black"], elinewidth=1.1, capsize=3,
                    label=i18n.translate("legend.ci", lang,
                                         level=i18n.format_percent(level, lang),
                                         method=i18n.translate(f"ci_method.{method}", lang)))
        labels = []
        for row in t.itertuples(index=False):
            act = i18n.act_name(row.instrument, lang) or i18n.regime_name(row.regime, lang)
            key = "figure.counts_inconclusive" if row.m else "figure.counts"
            counts = i18n.translate(key, lang, k=int(row.k), n=int(row.n), m=int(row.m))
            labels.append(safe_text(
                f"{i18n.analyte_name(row.analyte, lang)} — {act}\n"
                f"{limit_text(row.limit, row.limit_unit, row.limit_basis or None, lang)}"
                + (f" ({i18n.status_label(row.status, lang)})" if row.status else "")
                + f"\n{counts}"))
        ax.set_yticks(ys)
        ax.set_yticklabels(labels, fontsize=7.5)
        ax.set_xlim(0, 100)
        ax.set_xlabel(i18n.translate("axis.exceedance_share", lang))
        if title:
            ax.set_title(i18n.translate("title.exceedance", lang), loc="left")
        place_legend(ax, fontsize=7)
        localise_ticks(ax, lang)
    return fig


def plot_site_map(
    results: pd.DataFrame,
    compliance: pd.DataFrame | None = None,
    *,
    analyte: str | None = None,
    lang: str = "en",
    ax: Any = None,
    label_sites: bool = True,
    title: bool = True,
):
    """Sampling locations (longitude/latitude) coloured and shaped by each sample's worst
    decision. Offline: no map tiles; the aspect ratio is corrected by cos(latitude) so that
    distances look right near the centre.

    Parameters
    ----------
    results
        Results with ``sample_id, latitude, longitude`` (decimal degrees, WGS 84) and optionally
        ``site``; rows without coordinates are left out and counted in the figure.
    compliance
        Compliance table for the decisions (optional; without it all points are neutral).
    analyte
        Restrict to one analyte; ``None`` uses the worst decision over all analytes.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame({"sample_id": ["s1", "s2"], "site": ["Aktau", "Zhanaozen"],
    ...                   "latitude": [43.65, 43.34], "longitude": [51.16, 52.86]})
    >>> plot_site_map(r, lang="kk").axes[0].get_xlabel()
    'Бойлық, ° ш. б.'
    """
    i18n.check_lang(lang)
    require_columns(results, ["sample_id", "latitude", "longitude"], "results")
    df = results
    if analyte is not None:
        df, _ = select_analyte(results, analyte)
    pts = df.assign(lat=pd.to_numeric(df["latitude"], errors="coerce"),
                    lon=pd.to_numeric(df["longitude"], errors="coerce"))
    pts = pts.drop_duplicates("sample_id")
    missing = int(pts[["lat", "lon"]].isna().any(axis=1).sum())
    pts = pts.dropna(subset=["lat", "lon"])
    bad = pts[(pts["lat"].abs() > 90) | (pts["lon"].abs() > 180)]
    if len(bad):
        raise LabtoxError("coordinates out of range.", expected="latitude in [-90, 90] and "
                          "longitude in [-180, 180] decimal degrees",
                          found=bad[["sample_id", "lat", "lon"]].to_dict("records")[:5])
    dec = pd.Series("none", index=pts.index)
    if compliance is not None and len(compliance):
        comp = compliance
        if analyte is not None:
            comp, _ = select_analyte(compliance, analyte, "compliance")
        dec = pts["sample_id"].map(worst_decision(comp)).fillna("none")
    with style_context():
        fig, ax = _axes(ax, (6.4, 5.2))
        for d in (*DECISIONS, "none")[::-1]:
            m = dec.to_numpy() == d
            if m.any():
                ax.scatter(pts["lon"][m], pts["lat"][m], marker=DECISION_MARKERS[d], s=46,
                           color=DECISION_COLOURS[d], edgecolors=OKABE_ITO["black"],
                           linewidths=0.5, zorder=3,
                           label=f"{i18n.translate(_DECISION_LEGEND[d], lang)} ({int(m.sum())})")
        if label_sites and "site" in pts.columns:
            for site, g in pts.groupby(pts["site"].fillna("").astype(str), sort=True):
                if site:
                    ax.annotate(safe_text(i18n.place_name(site, lang)),
                                (g["lon"].mean(), g["lat"].mean()), xytext=(5, 5),
                                textcoords="offset points", fontsize=7.5)
        if len(pts):
            lat0 = float(pts["lat"].mean())
            ax.set_aspect(1.0 / max(math.cos(math.radians(lat0)), 0.05), adjustable="datalim")
        ax.set_xlabel(i18n.translate("axis.longitude", lang))
        ax.set_ylabel(i18n.translate("axis.latitude", lang))
        if missing:
            ax.text(0.0, -0.16, f"− {i18n.count_phrase(missing, 'noun.sample', lang)}: "
                    f"{i18n.translate('figure.no_coordinates', lang)}",
                    transform=ax.transAxes, fontsize=7)
        if title:
            name = i18n.analyte_name(analyte, lang) if analyte else ""
            ax.set_title(i18n.translate("title.map", lang, analyte=safe_text(name)).rstrip(": "),
                         loc="left")
        if len(pts):
            ax.legend(loc="best")
        localise_ticks(ax, lang)
    return fig
