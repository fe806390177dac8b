"""Plain-language captions and provenance footers for public charts (pure; no matplotlib).

:func:`caption` states one finding in one sentence with its numbers, e.g.
"7 of 12 camel-milk samples from Mangystau exceed the EU maximum level for lead, 0.020 mg/kg."
in English, Russian or Kazakh (with the Russian plural and case forms: 1 образец / 2 образца /
5 образцов; "из 12 образцов"). :func:`provenance_footer` writes the line every public chart
carries: data set and short hash, number of samples, share below the detection limit, LOD
method, limit source and its verification status, labtox version and date.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence

import pandas as pd

from labtox import __version__, i18n
from labtox.errors import LabtoxError
from labtox.plots._data import LIMIT_KEYS, _limit_frame, require_columns, worst_decision

__all__ = ["caption", "captions", "provenance_footer", "limit_text", "mid_sentence"]


def mid_sentence(name: str) -> str:
    """Lower-case the first letter of a word-like name inside a sentence (``Lead`` -> ``lead``),
    leaving acronyms and formulae (``PCB 126``, ``ОХДФ``) alone."""
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def limit_text(limit: float, unit: str, basis: str | None, lang: str) -> str:
    """``0.020 mg/kg`` (two significant digits, trailing zeros kept), with the basis unless wet."""
    text = f"{i18n.format_number(float(limit), lang, sig=2)} {i18n.format_unit(unit, lang)}"
    if basis and basis not in ("wet", "nan"):
        text += f", {i18n.basis_label(basis, lang)}"
    return text


def _product_key(product: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", product.strip().lower()).strip("_")


def _product_phrase(product: str | None, lang: str) -> str:
    if not product:
        return ""
    key = _product_key(product)
    gen = i18n.lookup(f"product.{key}_gen", lang)
    if gen is not None:
        return i18n.translate("caption.product", lang, product=gen)
    return i18n.translate("caption.product_raw", lang, product=product)


def _single(values: pd.Series) -> str | None:
    vals = [v for v in dict.fromkeys(values.dropna().astype(str)) if v]
    return vals[0] if len(vals) == 1 else None


def _with_context(compliance: pd.DataFrame, results: pd.DataFrame | None) -> pd.DataFrame:
    c = compliance
    if results is not None:
        extra = [col for col in ("site", "product") if col in results.columns
                 and col not in c.columns]
        if extra:
            ctx = results[["sample_id", *extra]].drop_duplicates("sample_id")
            c = c.merge(ctx, on="sample_id", how="left")
    return c


def captions(
    compliance: pd.DataFrame,
    *,
    lang: str = "en",
    analyte: str | None = None,
    results: pd.DataFrame | None = None,
    product: str | None = None,
    site: str | None = None,
) -> list[str]:
    """One caption per limit applied (optionally for one analyte, product and site).

    See :func:`caption` for the counting rules.
    """
    require_columns(compliance, ["sample_id", "analyte", "limit", "decision"], "compliance")
    c = _limit_frame(_with_context(compliance, results))
    if analyte is not None:
        from labtox.plots._data import select_analyte

        c, _ = select_analyte(c, analyte, "compliance")
    out = []
    for key, _g in c.groupby(LIMIT_KEYS, sort=False, dropna=False):
        row = dict(zip(LIMIT_KEYS, key, strict=False))
        out.append(caption(compliance, lang=lang, analyte=row["analyte"],
                           instrument=row["instrument"], provision=row["provision"],
                           limit=row["limit"], results=results, product=product, site=site))
    return out


def caption(
    compliance: pd.DataFrame,
    *,
    lang: str = "en",
    analyte: str,
    instrument: str | None = None,
    provision: str | None = None,
    limit: float | None = None,
    results: pd.DataFrame | None = None,
    product: str | None = None,
    site: str | None = None,
) -> str:
    """The finding for one analyte and one limit, in one sentence, with the numbers.

    Counting: each sample counts once, with its worst decision for this limit. ``k`` samples are
    non-compliant (above the limit beyond the measurement uncertainty), out of ``n`` samples
    compared. Inconclusive samples (within the uncertainty of the limit) and samples that could
    not be decided (detection limit above the limit) are not counted as exceeding; when there are
    any, a second sentence says how many.

    Parameters
    ----------
    compliance
        Compliance table (``sample_id, analyte, regime, instrument, provision, limit,
        limit_unit, basis, decision, status``; ``site``/``product`` may come from ``results``).
    lang
        ``en``, ``ru`` or ``kk``.
    analyte
        The analyte (any name :func:`labtox.analytes.canonical` resolves).
    instrument, provision, limit
        Which limit, when several apply to the analyte.
    results
        Results table, used for each sample's ``site`` and ``product``.
    product, site
        Restrict to one product / site; when not given and all samples share one value it is
        named in the sentence.

    Raises
    ------
    LabtoxError
        No rows for the analyte, or several limits and none chosen.

    Examples
    --------
    >>> c = pd.DataFrame({"sample_id": ["s1", "s2", "s3"], "analyte": "Pb", "regime": "EU",
    ...     "instrument": "Commission Regulation (EU) 2023/915", "provision": "3.1.1",
    ...     "limit": 0.02, "limit_unit": "mg/kg", "basis": "wet", "status": "confirmed-secondary",
    ...     "decision": ["non-compliant", "compliant", "non-compliant"],
    ...     "product": "camel milk", "site": "Mangystau"})
    >>> caption(c, analyte="Pb")
    '2 of 3 camel-milk samples from Mangystau exceed the EU maximum level for lead, 0.020 mg/kg.'
    >>> caption(c, analyte="Pb", lang="ru")
    'Свинец: 2 из 3 образцов верблюжьего молока из Мангистау превышают максимальный уровень ЕС (0,020 мг/кг).'
    """
    from labtox.plots._data import select_analyte

    i18n.check_lang(lang)
    require_columns(compliance, ["sample_id", "analyte", "limit", "decision"], "compliance")
    c = _limit_frame(_with_context(compliance, results))
    c, analyte_label = select_analyte(c, analyte, "compliance")
    if instrument is not None:
        c = c[c["instrument"] == str(instrument)]
    if provision is not None:
        c = c[c["provision"] == str(provision)]
    if limit is not None:
        c = c[pd.to_numeric(c["limit"], errors="coerce") == float(limit)]
    for col, want in (("product", product), ("site", site)):
        if want is not None:
            if col not in c.columns:
                raise LabtoxError(f"cannot select by {col}: no {col} column.",
                                  expected=f"a {col} column in compliance or results")
            c = c[c[col].astype(str).str.casefold() == str(want).casefold()]
    if c.empty:
        raise LabtoxError(f"no compliance rows for {analyte!r} with the chosen limit, product "
                          "and site.", expected="at least one compared sample")
    limits = c[LIMIT_KEYS].drop_duplicates()
    if len(limits) > 1:
        acts = "; ".join(f"{r.instrument} {r.provision} = {r.limit} {r.limit_unit}"
                         for r in limits.itertuples())
        raise LabtoxError(f"{len(limits)} limits apply to {analyte!r}; choose one with "
                          "instrument=, provision= or limit= (or use captions()).",
                          expected="one limit", found=acts)
    lim = limits.iloc[0]
    per_sample = worst_decision(c)
    counts = per_sample.value_counts()
    n = int(per_sample.size)
    k = int(counts.get("non-compliant", 0))
    m = int(counts.get("inconclusive", 0))
    nd = int(counts.get("not-decidable", 0))
    product = product if product is not None else (
        _single(c["product"]) if "product" in c.columns else None)
    site = site if site is not None else (_single(c["site"]) if "site" in c.columns else None)

    name = i18n.analyte_name(analyte_label, lang)
    if i18n.translate("caption.analyte_first", lang) != "yes":
        name = mid_sentence(name)
    regime = i18n.regime_name(lim["regime"], lang) or i18n.act_name(lim["instrument"], lang)
    fields = {
        "k": k,
        "n": n,
        "analyte": name,
        "regime": regime,
        "act": i18n.act_name(lim["instrument"], lang),
        "limit": limit_text(lim["limit"], lim["limit_unit"], lim["limit_basis"], lang),
        "samples": i18n.plural(n, "noun.sample_gen" if lang == "ru" else "noun.sample", lang),
        "verb": i18n.plural(k, "verb.exceed", lang),
        "product": _product_phrase(product, lang),
        "from_site": i18n.translate("caption.from_site", lang,
                                    site=i18n.place_name(site, lang)) if site else "",
    }
    text = i18n.translate("caption.exceed", lang, **fields)
    if m:
        text += i18n.translate("caption.inconclusive", lang, m=m, samples=i18n.plural(
            m, "noun.sample_gen" if lang == "ru" else "noun.sample", lang))
    if nd:
        text += i18n.translate("caption.not_decidable", lang, m=nd, samples=i18n.plural(
            nd, "noun.sample_gen" if lang == "ru" else "noun.sample", lang))
    return text


def provenance_footer(
    *,
    dataset: str,
    sha256: str | None,
    n_samples: int,
    share_below_lod: float | None,
    lod_method: str | None,
    limit_source: str | Sequence[str] | None,
    limit_status: str | Sequence[str] | None,
    date: _dt.date | str,
    lang: str = "en",
    version: str | None = None,
    synthetic: bool | None = None,
) -> str:
    """The provenance line for a public chart.

    Parameters
    ----------
    dataset
        Data-set name (file or study id).
    sha256
        SHA-256 of the input; the first 12 hex digits are shown.
    n_samples
        Number of samples shown.
    share_below_lod
        Share (0-1) of results below the detection or quantification limit.
    lod_method
        How the detection limit was estimated (e.g. ``"DIN 32645 calibration method"``).
    limit_source
        Legal act(s) the limits come from (translated with :func:`labtox.i18n.act_name`).
    limit_status
        Verification status(es); with several, the weakest is shown.
    date
        Date the chart was made (passed in, for reproducible output).
    lang
        Language.
    version
        labtox version (default: the running one).
    synthetic
        When True the line starts with "SYNTHETIC DATA".

    Examples
    --------
    >>> provenance_footer(dataset="mangystau-2024", sha256="0123456789abcdef" * 4, n_samples=12,
    ...     share_below_lod=0.25, lod_method="DIN 32645", limit_source="TR CU 033/2013",
    ...     limit_status="unverified", date="2026-11-22", version="0.1.0")
    'Data: mangystau-2024 (SHA-256 0123456789ab) · 12 samples · below detection/quantification limit: 25% · LOD method: DIN 32645 · Limits: TR CU 033/2013 — unverified · labtox 0.1.0 · made 22 November 2026'
    """
    i18n.check_lang(lang)
    parts = []
    if synthetic:
        parts.append(i18n.translate("footer.synthetic", lang))
    short = (sha256 or "")[:12] or "–"
    parts.append(i18n.translate("footer.dataset", lang, name=dataset, hash=short))
    parts.append(i18n.translate("footer.samples", lang,
                                count=i18n.count_phrase(int(n_samples), "noun.sample", lang)))
    if share_below_lod is not None and share_below_lod == share_below_lod:
        parts.append(i18n.translate("footer.below_lod", lang,
                                    share=i18n.format_percent(share_below_lod, lang)))
    if lod_method:
        parts.append(i18n.translate("footer.lod_method", lang, method=lod_method))
    sources = [limit_source] if isinstance(limit_source, str) else list(limit_source or [])
    statuses = [limit_status] if isinstance(limit_status, str) else list(limit_status or [])
    if sources:
        order = ["unverified", "unconfirmed", "confirmed-secondary", "confirmed_secondary",
                 "confirmed-primary", "confirmed_primary"]
        norm = [str(s).strip().lower() for s in statuses if s]
        weakest = min(norm, key=lambda s: order.index(s) if s in order else -1) if norm else None
        acts = "; ".join(dict.fromkeys(i18n.act_name(s, lang) for s in sources if s))
        parts.append(i18n.translate("footer.limits", lang, source=acts,
                                    status=i18n.status_label(weakest, lang)))
    parts.append(i18n.translate("footer.software", lang, version=version or __version__))
    parts.append(i18n.translate("footer.date", lang, date=i18n.format_date(date, lang)))
    return " · ".join(parts)
