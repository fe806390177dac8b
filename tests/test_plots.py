"""Figures: each builds in en/ru/kk from a constructed results set; non-detects, limits, CIs,
Kazakh glyphs in SVG, determinism, lazy import.

The data set (``demo_tables``) is made up but realistic: 12 camel-milk samples from four
Mangystau sampling points, lead in mg/kg wet weight against the EU maximum level 0.020 mg/kg
(Reg. (EU) 2023/915) and TR CU 021/2011's 0.1 mg/kg; aflatoxin M1 in µg/kg. It is shared with the
report and CLI tests (``from test_plots import demo_tables``).
"""

from __future__ import annotations

import functools
import math
import subprocess
import sys
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from labtox.errors import LabtoxError

LANGS = ("en", "ru", "kk")
EU = "Commission Regulation (EU) 2023/915"
EAEU = "TR CU 021/2011"

# lead results (mg/kg wet): 7 above 0.020 beyond U, 2 within U of it, 1 below, 2 non-detects
PB = [  # sample, value, censored, U, decision vs EU, decision vs EAEU, site, lat, lon
    ("MG-01", 0.045, False, 0.008, "non-compliant", "compliant", "Aktau", 43.65, 51.16),
    ("MG-02", 0.031, False, 0.006, "non-compliant", "compliant", "Aktau", 43.66, 51.20),
    ("MG-03", 0.120, False, 0.015, "non-compliant", "non-compliant", "Zhanaozen", 43.34, 52.86),
    ("MG-04", 0.052, False, 0.008, "non-compliant", "compliant", "Zhanaozen", 43.35, 52.84),
    ("MG-05", 0.038, False, 0.007, "non-compliant", "compliant", "Zhanaozen", 43.30, 52.90),
    ("MG-06", 0.066, False, 0.010, "non-compliant", "compliant", "Beineu", 45.32, 55.20),
    ("MG-07", 0.029, False, 0.005, "non-compliant", "compliant", "Beineu", 45.31, 55.18),
    ("MG-08", 0.022, False, 0.005, "inconclusive", "compliant", "Beineu", 45.33, 55.22),
    ("MG-09", 0.018, False, 0.004, "inconclusive", "compliant", "Kuryk", 43.18, 51.66),
    ("MG-10", 0.011, False, 0.003, "compliant", "compliant", "Kuryk", 43.17, 51.68),
    ("MG-11", 0.005, True, float("nan"), "compliant", "compliant", "Kuryk", 43.19, 51.64),
    ("MG-12", 0.005, True, float("nan"), "compliant", "compliant", "Aktau", 43.64, 51.18),
]


def demo_tables(region_as_site: bool = True) -> dict[str, pd.DataFrame]:
    """results, compliance, qc, teq and exposure tables of the constructed data set."""
    rows = []
    for s, v, c, u, _, _, village, lat, lon in PB:
        rows.append(dict(sample_id=s, analyte="Pb", cas="7439-92-1", value=v, unit="mg/kg",
                         basis="wet", censored=c, detection="<LOD" if c else "detected",
                         lod=0.005, loq=0.015, u_expanded=u, coverage_k=2.0, recovery=98.0,
                         qc_flags="", run_id="R1", method_id="icpms-metals-milk",
                         site="Mangystau" if region_as_site else village, village=village,
                         latitude=lat, longitude=lon, product="camel milk",
                         species="Camelus dromedarius", sampling_date="2024-05-14"))
        af = 0.012 if s not in ("MG-03", "MG-06") else 0.071
        rows.append(dict(rows[-1], analyte="aflatoxin M1", cas="6795-23-9", value=af,
                         unit="µg/kg", censored=False, detection="detected", lod=0.004,
                         loq=0.010, u_expanded=0.3 * af, run_id="R2", method_id="elisa-afm1"))
    results = pd.DataFrame(rows)
    comp = []
    keys = ["sample_id", "analyte", "value", "unit", "basis", "censored"]
    for (_s, *_rest), r in zip(PB, results[results.analyte == "Pb"].itertuples(), strict=False):
        base = {k: getattr(r, k) for k in keys}
        dec_eu, dec_ea = _rest[3], _rest[4]
        comp.append(dict(base, regime="EU", instrument=EU, provision="Annex I, 3.1.1",
                         limit=0.020, limit_unit="mg/kg", ratio=r.value / 0.020,
                         decision=dec_eu, rule="guard band U (k=2)",
                         status="confirmed-secondary"))
        comp.append(dict(base, regime="EAEU", instrument=EAEU, provision="Annex 3, 2",
                         limit=0.1, limit_unit="mg/kg", ratio=r.value / 0.1,
                         decision=dec_ea, rule="guard band U (k=2)", status="unverified"))
    for r in results[results.analyte == "aflatoxin M1"].itertuples():
        base = {k: getattr(r, k) for k in keys}
        dec = "non-compliant" if r.value > 0.05 + r.u_expanded else (
            "inconclusive" if r.value > 0.05 - r.u_expanded else "compliant")
        comp.append(dict(base, regime="EU", instrument=EU, provision="Annex I, 1.1",
                         limit=0.050, limit_unit="µg/kg", ratio=r.value / 0.05, decision=dec,
                         rule="guard band U (k=2)", status="confirmed-secondary"))
    compliance = pd.DataFrame(comp)
    qc_values = [10.1, 9.8, 10.3, 9.9, 10.0, 10.7, 9.6, 10.2, 11.4, 10.0,
                 10.45, 10.5, 10.48, 10.55, 9.7, 10.1]
    control = pd.DataFrame({"sequence": np.arange(1, 17), "value": qc_values, "mean": 10.0,
                            "sd": 0.4, "unit": "µg/L", "analyte": "Pb"})
    teq_rows = []
    for s in ("MG-01", "MG-03", "MG-06"):
        for cong, val in (("2,3,7,8-TCDD", 0.21), ("1,2,3,7,8-PeCDD", 0.35),
                          ("2,3,4,7,8-PeCDF", 0.18), ("PCB 126", 0.62), ("PCB 118", 0.03),
                          ("OCDF", 0.0004)):
            teq_rows.append(dict(sample_id=s, congener=cong, teq=val * (1.5 if s == "MG-03"
                                                                        else 1.0),
                                 unit="pg/g", basis="fat"))
    teq = pd.DataFrame(teq_rows)
    rng = np.random.default_rng(20261122)
    exposure = pd.DataFrame({"intake": rng.lognormal(mean=math.log(0.3), sigma=0.8, size=500),
                             "unit": "µg/kg bw/day"})
    return {"results": results, "compliance": compliance, "control": control, "teq": teq,
            "exposure": exposure}


def demo_curve():
    """A straight-line ICP-MS calibration for Pb (µg/L vs cps) as a duck-typed curve."""
    x = np.array([0.0, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0])
    y = 120 + 8000 * x + np.array([15, -40, 55, -30, 80, -120, 60])
    b1, b0 = np.polyfit(x, y, 1)
    return SimpleNamespace(x=x, y=y, model="linear", weighting=None, analyte="Pb",
                           unit="µg/L", signal_unit="cps", coefficients=(b0, b1), r2=0.9999,
                           predict=lambda v: b0 + b1 * np.asarray(v, float),
                           residuals=y - (b0 + b1 * x))


DL = SimpleNamespace(lod=0.04, loq=0.12, method="DIN 32645", unit="µg/L")


@functools.cache
def build_all(lang: str) -> dict[str, object]:
    """Every figure in one language (cached: tests only read these figures)."""
    from labtox import plots

    t = demo_tables()
    return {
        "calibration": plots.plot_calibration(demo_curve(), DL, lang=lang),
        "limits": plots.plot_results_vs_limits(t["results"], t["compliance"], analyte="Pb",
                                               lang=lang),
        "exceedance": plots.plot_exceedance(t["compliance"], lang=lang),
        "exposure": plots.plot_exposure(t["exposure"], guidance_value=1.2, analyte="Pb",
                                        guidance_name="EFSA BMDL01", lang=lang),
        "congeners": plots.plot_congeners(t["teq"], lang=lang),
        "congeners_one": plots.plot_congeners(t["teq"], sample_id="MG-03", lang=lang),
        "control": plots.plot_control_chart(t["control"], lang=lang),
        "map": plots.plot_site_map(demo_tables(region_as_site=False)["results"],
                                   t["compliance"], analyte="Pb", lang=lang),
    }


def all_text(fig) -> str:
    texts = [t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text"))]
    return "\n".join(texts)


@pytest.mark.parametrize("lang", LANGS)
def test_every_figure_builds_with_units_and_basis(lang):
    from matplotlib.figure import Figure

    figs = build_all(lang)
    unit = {"en": "mg/kg", "ru": "мг/кг", "kk": "мг/кг"}[lang]
    wet = {"en": "wet weight", "ru": "на продукт", "kk": "өнімге шаққанда"}[lang]
    for name, fig in figs.items():
        assert isinstance(fig, Figure), name
        for ax in fig.axes:
            if ax.get_label() == "<colorbar>":
                continue
            assert ax.get_xlabel() or ax.get_ylabel(), name
    ylab = figs["limits"].axes[0].get_ylabel()
    assert unit in ylab and wet in ylab
    cal = figs["calibration"].axes
    assert {"en": "µg/L", "ru": "мкг/л", "kk": "мкг/л"}[lang] in cal[1].get_xlabel()
    assert {"en": "cps", "ru": "имп/с", "kk": "имп/с"}[lang] in cal[0].get_ylabel()
    assert {"en": "pg/g", "ru": "пг/г", "kk": "пг/г"}[lang] in figs["congeners_one"].axes[0].get_xlabel()
    assert {"en": "fat basis", "ru": "в пересчёте на жир",
            "kk": "майға шаққанда"}[lang] in figs["congeners_one"].axes[0].get_xlabel()
    assert {"en": "µg/kg bw/day", "ru": "мкг/кг м. т./сут",
            "kk": "мкг/кг д. с./тәул"}[lang] in figs["exposure"].axes[0].get_xlabel()
    assert "°" in figs["map"].axes[0].get_xlabel() and "°" in figs["map"].axes[0].get_ylabel()


def test_nondetects_are_open_markers_at_their_limit_never_values():
    from matplotlib.collections import PathCollection

    from labtox.plots import plot_results_vs_limits

    t = demo_tables()
    fig = plot_results_vs_limits(t["results"], t["compliance"], analyte="Pb")
    ax = fig.axes[0]
    open_sets = [c for c in ax.collections if isinstance(c, PathCollection)
                 and np.allclose(c.get_facecolors()[:, 3], 0) and len(c.get_offsets())]
    assert len(open_sets) == 1
    pts = np.asarray(open_sets[0].get_offsets())
    assert pts.shape[0] == 2 and np.allclose(pts[:, 1], 0.005)  # the LOD, as censored value
    # no filled marker sits at a non-detect's position
    nd_x = set(pts[:, 0])
    for line in ax.lines:
        if line.get_marker() in ("o", "^", "D", "s") and line.get_linestyle() == "None":
            assert not nd_x & set(np.asarray(line.get_xdata(), float)), "non-detect drawn filled"


@pytest.mark.parametrize("lang, acts", [("en", ["Commission Regulation (EU) 2023/915",
                                                 "TR CU 021/2011"]),
                                        ("ru", ["Регламент Комиссии (ЕС) 2023/915",
                                                "ТР ТС 021/2011"]),
                                        ("kk", ["Еуропалық Комиссияның (ЕО) 2023/915 регламенті",
                                                "КО ТР 021/2011"])])
def test_one_line_per_limit_labelled_with_act_and_status(lang, acts):
    from labtox.i18n import status_label
    from labtox.plots import plot_results_vs_limits

    t = demo_tables()
    fig = plot_results_vs_limits(t["results"], t["compliance"], analyte="Pb", lang=lang)
    ax = fig.axes[0]
    hlines = [ln for ln in ax.lines if len(set(ln.get_ydata())) == 1
              and not ln.get_label().startswith("_")]
    assert sorted(float(ln.get_ydata()[0]) for ln in hlines) == [0.02, 0.1]
    labels = [ln.get_label() for ln in hlines]
    for act in acts:
        assert any(act in lab for lab in labels)
    assert any(status_label("unverified", lang) in lab for lab in labels)


def _wilson(k, n, z=1.959963984540054):
    # Wilson 1927 score interval, closed form
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_exceedance_counts_and_wilson_interval():
    from labtox.plots import exceedance_table, plot_exceedance

    t = demo_tables()
    tab = exceedance_table(t["compliance"])
    eu_pb = tab[(tab.analyte == "Pb") & (tab.instrument == EU)].iloc[0]
    assert (eu_pb.k, eu_pb.n, eu_pb.m, eu_pb.nd) == (7, 12, 2, 0)
    lo, hi = _wilson(7, 12)
    assert eu_pb.lower == pytest.approx(lo, abs=1e-9) and eu_pb.upper == pytest.approx(hi)
    # 7/12 Wilson 95 %: 0.3195 - 0.8067 (hand computation)
    assert (round(lo, 4), round(hi, 4)) == (0.3195, 0.8067)
    fig = plot_exceedance(t["compliance"])
    texts = all_text(fig)
    assert "7 of 12 (+2 inconclusive)" in texts and "1 of 12" in texts


def test_exceedance_clopper_pearson_and_precomputed():
    from scipy.stats import beta

    from labtox.plots import exceedance_table, plot_exceedance

    t = demo_tables()
    tab = exceedance_table(t["compliance"], method="exact", level=0.9)
    row = tab[(tab.analyte == "Pb") & (tab.instrument == EU)].iloc[0]
    # Clopper-Pearson via beta quantiles
    assert row.lower == pytest.approx(beta.ppf(0.05, 7, 6))
    assert row.upper == pytest.approx(beta.ppf(0.95, 8, 5))
    fig = plot_exceedance(tab, lang="ru")
    assert "7 из 12 (+2 неоднозначно)" in all_text(fig)
    assert "Клоппера" in all_text(fig)


def test_control_chart_marks_westgard_violations():
    from labtox.plots import plot_control_chart

    t = demo_tables()
    fig = plot_control_chart(t["control"], lang="kk")
    ax = fig.axes[0]
    # values at sequence 9 (z = 3.5) -> 1-2s, 1-3s; 11..14 all > +1 s -> 4-1s at 14
    notes = {a.get_text(): a.xy for a in ax.texts if "-" in a.get_text()}
    assert notes["1-2s, 1-3s"] == (9.0, 11.4)
    assert "4-1s" in notes and notes["4-1s"][0] == 14.0
    ys = sorted({round(float(ln.get_ydata()[0]), 6) for ln in ax.lines
                 if len(set(ln.get_ydata())) == 1})
    assert ys == [8.8, 9.2, 9.6, 10.0, 10.4, 10.8, 11.2]
    assert "Вестгард" in all_text(fig)


def test_control_chart_needs_target():
    from labtox.plots import plot_control_chart

    with pytest.raises(LabtoxError, match="needs the target mean and sd"):
        plot_control_chart(pd.DataFrame({"value": [1.0, 2.0]}))


def test_exposure_accepts_result_object_and_marks_percentiles():
    from labtox.plots import plot_exposure

    res = SimpleNamespace(intakes=np.array([0.1, 0.2, 0.3, 0.4, 2.0]), guidance_value=0.5,
                          unit="µg/kg bw/day", percentiles={50: 0.3, 95: 1.68})
    fig = plot_exposure(res, kind="hist", lang="ru")
    text = all_text(fig)
    assert "P95 = 1,68 мкг/кг м. т./сут" in text and "0,500 мкг/кг м. т./сут" in text
    xs = sorted(float(ln.get_xdata()[0]) for ln in fig.axes[0].lines)
    assert xs == [0.3, 0.5, 1.68]


def test_errors_name_the_problem():
    from labtox.plots import plot_results_vs_limits

    t = demo_tables()
    with pytest.raises(LabtoxError, match="holds several analytes; choose one"):
        plot_results_vs_limits(t["results"])
    mixed = t["results"].copy()
    mixed.loc[0, "basis"] = "fat"
    with pytest.raises(LabtoxError, match="different bases"):
        plot_results_vs_limits(mixed, analyte="Pb")
    with pytest.raises(LabtoxError, match="no results rows for analyte 'Hg'"):
        plot_results_vs_limits(t["results"], analyte="Hg")


def test_by_site_and_unit_conversion():
    from labtox.plots import plot_results_vs_limits

    t = demo_tables(region_as_site=False)
    r = t["results"][t["results"].analyte == "Pb"].copy()
    r.loc[r.index[0], ["value", "unit", "u_expanded"]] = [45.0, "µg/kg", 8.0]
    fig = plot_results_vs_limits(r, t["compliance"], by="site", lang="kk")
    ax = fig.axes[0]
    labels = [tl.get_text() for tl in ax.get_xticklabels()]
    assert "Ақтау" in labels and "Жаңаөзен" in labels
    ys = np.concatenate([np.asarray(ln.get_ydata(), float) for ln in ax.lines
                         if ln.get_linestyle() == "None"])
    assert np.isclose(ys, 0.045).any() and not (ys > 1).any()  # 45 µg/kg drawn as 0.045 mg/kg


def test_kazakh_svg_keeps_text_and_has_every_glyph():
    from labtox.plots import figure_bytes

    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        figs = build_all("kk")
        svgs = {k: figure_bytes(f, "svg").decode("utf-8") for k, f in figs.items()}
    missing = [str(w.message) for w in rec if "missing from" in str(w.message)
               or "Glyph" in str(w.message) or "collapsed" in str(w.message)]
    assert missing == []
    joined = "".join(svgs.values())
    for letter in "әғқңөұүһі":
        # every Kazakh letter that occurs in the figures' strings is in the SVG text
        strings = "".join(all_text(f) for f in figs.values())
        if letter in strings:
            assert letter in joined, letter
    assert set("әғқңөұүі") <= set(joined)  # letters the Kazakh figure strings do use
    assert "<text" in svgs["limits"] and "өнімге шаққанда" in svgs["limits"]


def test_kazakh_h_letter_renders_without_missing_glyph():
    """һ is rare in Kazakh figure strings: render it explicitly."""
    from labtox.plots import figure_bytes
    from labtox.plots.style import new_figure

    fig, ax = new_figure()
    ax.set_title("ә ғ қ ң ө ұ ү һ і Ә Ғ Қ Ң Ө Ұ Ү Һ І")
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        svg = figure_bytes(fig, "svg").decode()
        figure_bytes(fig, "png")
    assert not [w for w in rec if "missing" in str(w.message)]
    assert "һ" in svg and "Һ" in svg


def test_output_is_deterministic():
    from labtox.plots import figure_bytes, plot_control_chart, plot_results_vs_limits

    t = demo_tables()

    def make():
        return (plot_results_vs_limits(t["results"], t["compliance"], analyte="Pb", lang="ru"),
                plot_control_chart(t["control"], lang="kk"))

    (a1, a2), (b1, b2) = make(), make()
    assert figure_bytes(a1, "svg") == figure_bytes(b1, "svg")
    assert figure_bytes(a2, "svg") == figure_bytes(b2, "svg")
    assert figure_bytes(a2, "pdf") == figure_bytes(b2, "pdf")


def test_hostile_names_are_literal_text():
    from labtox.plots import figure_bytes, plot_results_vs_limits

    t = demo_tables()
    r = t["results"][t["results"].analyte == "Pb"].copy()
    r.loc[r.index[0], "sample_id"] = "<script>alert(1)</script>"
    r.loc[r.index[1], "sample_id"] = "$\\frac{1}{0}$ & co"
    svg = figure_bytes(plot_results_vs_limits(r, analyte="Pb"), "svg").decode()
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "$\\frac{1}{0}$ &amp; co" in svg  # dollar signs stay literal, no mathtext


def test_footer_is_drawn():
    from labtox.plots import add_footer, plot_exceedance, provenance_footer

    fig = plot_exceedance(demo_tables()["compliance"], lang="kk")
    text = provenance_footer(dataset="mangystau-2024", sha256="ab" * 32, n_samples=12,
                             share_below_lod=2 / 24, lod_method="DIN 32645",
                             limit_source=[EU, EAEU], limit_status=["confirmed-secondary",
                                                                    "unverified"],
                             date="2026-11-22", lang="kk", version="0.1.0")
    add_footer(fig, text)
    assert "тексерілмеген" in all_text(fig) and "2026 жылғы 22 қараша" in all_text(fig)


def test_import_does_not_load_matplotlib():
    code = ("import sys, labtox, labtox.plots, labtox.i18n, labtox.report, labtox.qc_rules;"
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_sum_parameter_bounds_draw_the_bound_the_limit_used():
    from labtox.plots import plot_results_vs_limits

    rows = []
    for s, lb, ub in (("A", 0.8, 1.1), ("B", 1.9, 2.6)):
        for bound, v in (("lower", lb), ("medium", (lb + ub) / 2), ("upper", ub)):
            rows.append(dict(sample_id=s, analyte="sum PCDD/F-TEQ", value=v, unit="pg/g",
                             basis="fat", censored=False, bound=bound))
    res = pd.DataFrame(rows)
    comp = res[res.bound == "upper"].assign(
        regime="EU", instrument=EU, provision="4.1", limit=2.0, limit_unit="pg/g",
        decision=["compliant", "non-compliant"], status="unverified")
    fig = plot_results_vs_limits(res, comp, lang="ru")
    ax = fig.axes[0]
    ys = sorted(float(y) for ln in ax.lines if ln.get_linestyle() == "None"
                and ln.get_marker() in ("o", "^") for y in ln.get_ydata())
    assert ys == [1.1, 2.6]
    assert "(верхняя граница)" in ax.get_title(loc="left")
    fig = plot_results_vs_limits(res, bound="lower")
    assert "(lower bound)" in fig.axes[0].get_title(loc="left")
    with pytest.raises(LabtoxError, match="no 'middle' bound"):
        plot_results_vs_limits(res, bound="middle")


def test_polynomial_band_agrees_with_statsmodels():
    """Delta-method band from Cov(b) = the OLS mean-response interval of statsmodels."""
    import statsmodels.api as sm

    from labtox.plots._data import linear_confidence_band, polynomial_confidence_band

    c = demo_curve()
    X = sm.add_constant(c.x)
    fit = sm.OLS(c.y, X).fit()
    grid = np.linspace(0, 20, 7)
    expected = fit.get_prediction(sm.add_constant(grid)).conf_int(alpha=0.05)
    lo, hi = polynomial_confidence_band("linear", lambda g: fit.predict(sm.add_constant(g)),
                                        fit.cov_params(), int(fit.df_resid), grid)
    assert np.allclose(lo, expected[:, 0]) and np.allclose(hi, expected[:, 1])
    _, lo2, hi2 = linear_confidence_band(c.x, c.y, grid)
    assert np.allclose(lo2, expected[:, 0]) and np.allclose(hi2, expected[:, 1])
    assert polynomial_confidence_band("4pl", None, fit.cov_params(), 5, grid) is None


SAMPLES = __import__("pathlib").Path(__file__).resolve().parents[1] / "samples" / "mangystau-2024"


@pytest.fixture(scope="module")
def shipped():
    if not (SAMPLES / "icpms_metals_batch.csv").exists():
        pytest.skip("samples/mangystau-2024 is not in this checkout")
    from labtox.pipeline import analyse

    root = SAMPLES.parents[1]
    return analyse(str(SAMPLES / "icpms_metals_batch.csv"),
                   method=str(root / "methods" / "icpms-metals-milk.toml"),
                   register=str(SAMPLES / "register.csv"), limits=["EU", "EAEU", "Codex"],
                   format="masshunter-icpms")


@pytest.mark.parametrize("lang", LANGS)
def test_figures_from_the_shipped_samples(shipped, lang):
    from labtox import plots
    from labtox.plots import figure_bytes

    a = shipped
    curve = a.curves[("icpms-metals-milk", "Pb")]
    dl = a.detection_limits.set_index("analyte").loc["Pb"]
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        figs = [
            plots.plot_calibration(curve, {"lod": dl.lod, "loq": dl.loq, "unit": dl.unit,
                                           "method": dl.lod_method}, lang=lang),
            plots.plot_results_vs_limits(a.results, a.compliance, analyte="Pb", lang=lang),
            plots.plot_exceedance(a.compliance, lang=lang),
            plots.plot_site_map(a.results, a.compliance, analyte="Pb", lang=lang),
        ]
        svg = figure_bytes(figs[1], "svg").decode()
    assert not [w for w in rec if "missing" in str(w.message) or "collapsed" in str(w.message)]
    unit = {"en": "µg/L", "ru": "мкг/л", "kk": "мкг/л"}[lang]
    assert figs[0].axes[1].get_xlabel().endswith(unit)  # from the detection limits' unit
    # the weighted curve gets its band from the fit's covariance
    assert any(len(c.get_paths()) for c in figs[0].axes[0].collections)
    assert {"en": "Lead", "ru": "Свинец", "kk": "Қорғасын"}[lang] in svg
    n_lines = len(plots.exceedance_table(a.compliance).query("analyte == 'Pb'"))
    assert n_lines == 3  # EU, EAEU and Codex limits for lead


def test_exposure_monte_carlo_summary_without_simulated_values():
    from labtox.plots import plot_exposure

    summary = pd.DataFrame({"mean": [0.12, 0.02, 0.4], "p50": [0.08, 0.015, 0.3],
                            "p95": [0.35, 0.05, 1.1], "p99": [0.6, 0.09, 1.9],
                            "guidance_daily_ug": [0.5, 0.36, np.nan]},
                           index=["Pb", "Cd", "HI"])
    fig = plot_exposure(SimpleNamespace(intake=summary), lang="kk")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Қорғасын", "Кадмий"]
    p95 = [c for c in ax.collections if c.get_label() == "P95"][0]
    assert sorted(np.asarray(p95.get_offsets())[:, 0]) == [0.05, 0.35]  # HI left out
    assert "мкг/кг д. с./тәул" in ax.get_xlabel()


def test_exceedance_accepts_stats_results():
    from labtox.plots import plot_exceedance
    from labtox.stats.exceedance import exceedance

    res = exceedance([r[1] for r in PB], [r[2] for r in PB], 0.020)
    fig = plot_exceedance({"Pb": res}, lang="en")
    text = all_text(fig)
    assert "8 of 12" in text  # simple rule: eight detects above 0.020 mg/kg (counted by hand)
    from matplotlib.collections import LineCollection

    err = [c for c in fig.axes[0].collections if isinstance(c, LineCollection)][0]
    segs = err.get_segments()[0]
    lo, hi = _wilson(8, 12)
    assert sorted(segs[:, 0] / 100) == pytest.approx([lo, hi])
