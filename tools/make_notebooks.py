"""Write the tutorial notebooks in ``notebooks/`` from the cell texts kept in this script.

The notebooks are stored without outputs and executed by ``tests/test_notebooks.py``. Edit the
cells here, then run::

    python tools/make_notebooks.py            # (re)write notebooks/*.ipynb
    python tools/make_notebooks.py --check    # exit 1 if a notebook differs from this script

Cell ids are derived from the notebook number and the cell position, so regenerating an
unchanged notebook gives the same bytes.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}

SYNTHETIC_NOTE = """\
> **The data are synthetic.** Every number in `samples/mangystau-2024/` was written by
> `samples/generate.py` (seeded, deterministic) in the real layouts of the instruments' exports.
> The study imitates a survey of camel milk and fermented camel milk (*shubat*) in Mangystau,
> Kazakhstan. No camel was milked and no instrument was run: **do not cite these values as
> measurements.**"""

SETUP = """\
%matplotlib inline
from pathlib import Path

{numpy}import pandas as pd

# Works when the notebook runs from notebooks/ (Jupyter, the test suite) or from the project root.
ROOT = Path.cwd().parent if Path.cwd().name == "notebooks" else Path.cwd()
STUDY = ROOT / "samples" / "mangystau-2024"
METHODS = ROOT / "methods"

pd.set_option("display.max_columns", 30)
pd.set_option("display.width", 160)
pd.set_option("display.max_colwidth", 60)"""


def setup(numpy: bool = False) -> tuple[str, str]:
    """The first code cell: paths that work from notebooks/ or the project root, display options."""
    return code(SETUP.replace("{numpy}", "import numpy as np\n" if numpy else ""))


def md(text: str) -> tuple[str, str]:
    return ("markdown", textwrap.dedent(text).strip("\n"))


def code(text: str) -> tuple[str, str]:
    return ("code", textwrap.dedent(text).strip("\n"))


# =============================================================================================
# 01 quickstart


def nb01() -> list[tuple[str, str]]:
    return [
        md("""
        # labtox quickstart: from instrument exports to defensible results

        This notebook takes the raw files of a small camel-milk survey and turns them, in one
        call, into the tables a laboratory signs and a researcher analyses. You will learn

        1. what a labtox **study** is: a sample register, instrument exports in the vendors' own
           layouts, and one **method file** per analytical method;
        2. how `labtox.pipeline.analyse` produces **results**, **QC verdicts**, **compliance
           decisions** against EAEU, EU and Codex limits, and a list of **rejected rows**;
        3. how labtox reports a **non-detect**: the limit it lies below, with `censored=True`,
           never a zero or an empty cell;
        4. how to check that **every input row is accounted for**;
        5. how to draw a first figure.

        No prior knowledge of labtox is assumed; some familiarity with pandas helps.
        """),
        md(SYNTHETIC_NOTE),
        setup(),
        md("""
        ## 1. The study folder

        `study.toml` names the sample register, the four instrument exports (ICP-MS metals,
        GC-MS/MS organochlorine pesticides and PCBs, dioxins from a contract laboratory, an
        aflatoxin M1 ELISA plate), the method file of each, and the limit regimes to compare
        with. Paths are relative to the study folder.
        """),
        code("""
        print((STUDY / "study.toml").read_text(encoding="utf-8"))
        """),
        md("""
        The **register** describes each sample: where and when it was taken, the species and
        product, fat and dry-matter content (needed to convert between wet-weight and fat-based
        results), and the test-portion mass and final volume of the ICP-MS digestion.
        `read_register` validates it (types, required columns, coordinates) before anything is
        calculated.
        """),
        code("""
        from labtox.io import read_register

        register = read_register(STUDY / "register.csv")
        register.head()
        """),
        code("""
        # How many samples per settlement and product?
        pd.crosstab(register["site"], register["product"], margins=True)
        """),
        md("""
        ## 2. One call: `analyse`

        `analyse` runs the pipeline stages in order: read each export (the format is recognised
        from the file), fit the calibration curves the method file asks for, quantify every
        sample (blank correction, test-portion mass and volume, censoring at the detection
        limit, expanded uncertainty), evaluate the QC rules, compute sum parameters and TEQs,
        and compare with the limits. The command line `labtox analyse samples/mangystau-2024`
        calls the same function.
        """),
        code("""
        from labtox.pipeline import analyse

        a = analyse(STUDY)
        print(a.study["title"])
        pd.Series(a.parameters, name="choice").to_frame()
        """),
        md("""
        Every input file is recorded with its SHA-256 checksum, so a result can always be traced
        back to the exact bytes it came from.
        """),
        code("""
        pd.DataFrame(
            {"file": [Path(p).name for p in a.inputs], "sha256": [h[:16] + "…" for h in a.inputs.values()]}
        )
        """),
        md("""
        ## 3. Results: one row per sample × analyte

        The columns are part of labtox's public API. The most important ones:

        | column | meaning |
        |---|---|
        | `value`, `unit`, `basis` | the result; the basis is `wet` (whole product), `fat` or `dry` |
        | `censored`, `detection` | `detection` is `detected`, `<LOQ` (detected, below the quantification limit) or `<LOD` |
        | `lod`, `loq`, `lod_method` | detection and quantification limits *in the sample*, and how they were estimated |
        | `u_expanded`, `coverage_k`, `u_source` | expanded uncertainty U = k·u and where u comes from |
        | `qc_flags`, `run_id`, `method_id`, `source_lines` | provenance: which QC flags apply, which export and method, which lines of the file |

        Register columns (`site`, `product`, `species`, `latitude`, `longitude`, `fat_pct` …)
        are joined on.
        """),
        code("""
        cols = ["sample_id", "site", "product", "analyte", "value", "unit", "basis", "censored",
                "detection", "lod", "loq", "u_expanded", "coverage_k", "lod_method"]
        a.results.loc[a.results["analyte"] == "Pb", cols].head(8)
        """),
        md("""
        **Non-detects are data.** For a result below the detection limit, `value` holds the
        limit it lies below and `censored` is `True`. Nothing is replaced by zero, half the
        limit or NaN: that choice belongs to the statistic that uses the data (see
        `03-censored-statistics.ipynb`), and it is reported with it.
        """),
        code("""
        hg = a.results[a.results["analyte"] == "Hg"]
        hg.loc[hg["censored"], cols].head(4)
        """),
        code("""
        # How often is each metal and aflatoxin M1 detected?
        single = a.results[a.results["method_id"].isin(["icpms-metals-milk", "elisa-afm1-milk"])]
        pd.crosstab(single["analyte"], single["detection"])
        """),
        md("""
        ### Sum parameters and TEQ

        The limits for dioxins, PCBs, DDT and HCH apply to *sums*, so labtox adds one row per
        sample and sum. Each sum is given at the lower, medium and upper bound (non-detect
        congeners counted as 0, half the LOQ, or the LOQ; Commission Regulation (EU) 2017/644,
        Annex III), and the TEQs use the WHO-2005 toxic equivalency factors that Reg. (EU)
        2023/915 refers to.
        """),
        code("""
        sums = a.results[a.results["analyte"].str.startswith("sum ") & (a.results["sample_id"] == "MNG-017")]
        sums[["sample_id", "analyte", "bound", "value", "unit", "basis", "n_censored", "n_expected"]]
        """),
        md("""
        ## 4. Quality control

        Every QC verdict is a row: the check, the value found, the criterion and the document the
        criterion comes from (each method file cites its sources, e.g. US EPA Method 200.8 for
        internal-standard recovery, US EPA SW-846 Method 6020B for duplicates and spikes). A
        failed check does not delete data: it flags the affected results (`qc_flags`).
        """),
        code("""
        a.qc.groupby(["method_id", "check", "verdict"]).size().unstack(fill_value=0)
        """),
        md("""
        Here every evaluated check passed (`a.qc_failures()` lists the failures and is empty).
        Some duplicate checks were **not evaluated**: the relative percent difference of a
        duplicate pair is only judged when the result is well above the LOQ (the method file sets
        5 × LOQ), because near the LOQ the RPD is dominated by noise. labtox says so instead of
        reporting a pass:
        """),
        code("""
        a.qc[a.qc["verdict"] != "pass"][["method_id", "check", "analyte", "sample_id", "criterion",
                                          "verdict", "rule", "reference"]].head(6)
        """),
        md("""
        ## 5. Nothing disappears: rejected rows and the row accounting

        A row that is not used says why. In the ICP-MS batch the first acquisition of MNG-017
        was rejected in the instrument software (`Rjct` TRUE) and re-acquired: labtox keeps the
        rejected rows and lists them.
        """),
        code("""
        a.rejected[["sample_id", "sample_type", "analyte", "channel", "source_line", "reason"]]
        """),
        md("""
        `accounting()` counts where every input measurement row went (a sample result,
        a calibration standard, a blank, a QC sample, an internal standard, a rejection). The
        counts add up to the number of rows read from the four exports.
        """),
        code("""
        accounting = pd.Series(a.accounting(), name="rows")
        print(f"{accounting.sum()} of {len(a.measurements)} input rows accounted for")
        assert accounting.sum() == len(a.measurements)
        accounting.to_frame()
        """),
        md("""
        ## 6. Compliance with EAEU, EU and Codex limits

        One row per result × applicable limit. Each limit carries its legal act, provision,
        basis and a **verification status** (`confirmed-primary`: checked against the official
        text; `confirmed-secondary`: checked against a secondary source; `unverified`). Read the
        status before you quote a verdict.
        """),
        code("""
        pd.crosstab([a.compliance["analyte"], a.compliance["regime"]], a.compliance["decision"])
        """),
        code("""
        exceed = a.compliance[a.compliance["decision"] == "non-compliant"].merge(
            register[["sample_id", "site"]], on="sample_id", how="left")
        exceed[["sample_id", "site", "analyte", "value", "u_expanded", "unit", "regime", "limit",
                "limit_unit", "basis", "status"]].sort_values(["analyte", "regime", "sample_id"])
        """),
        md("""
        ### The decision rule matters

        `analyse` used the **simple** acceptance rule (ILAC G8:09/2019 §4.2.1: non-compliant if
        the result is above the limit). Two other rules use the expanded uncertainty *U*:

        * **guard-band** (Eurachem/CITAC Guide *Use of uncertainty information in compliance
          assessment*, 2nd ed. 2021): inconclusive when *x* ± *U* straddles the limit;
        * **beyond-reasonable-doubt**, the EU official-control rule (Reg. (EC) No 333/2007,
          Annex, part C as amended): non-compliant only if *x* − *U* > limit.

        `labtox.limits.compare` re-judges the same results under each rule.
        """),
        code("""
        from labtox.limits import compare, load_limits

        limits = load_limits(["EAEU", "EU", "Codex"])
        lead = a.results[a.results["analyte"] == "Pb"]
        by_rule = {
            rule: compare(lead, limits, rule=rule).table.groupby(["regime", "decision"]).size()
            for rule in ("simple", "guard-band", "beyond-reasonable-doubt")
        }
        pd.DataFrame(by_rule).fillna(0).astype(int)
        """),
        md("""
        ## 7. A first figure

        Figures are built by `labtox.plots` from the result tables and returned as matplotlib
        `Figure` objects (restyle or save them as you like). Non-detects are drawn as open
        markers at the limit they lie below, never as values (Helsel 2012, ch. 4); each limit
        is a labelled line with its act and status.
        """),
        code("""
        from labtox.plots import plot_results_vs_limits

        lead_compliance = a.compliance[a.compliance["analyte"] == "Pb"]
        fig = plot_results_vs_limits(lead, lead_compliance, analyte="Pb", by="site")
        fig
        """),
        md("""
        ## Where next

        * `02-calibration-and-detection-limits.ipynb`: what happens inside the calibration step,
          and why LOD/LOQ depend on the convention (DIN 32645, ICH Q2, blanks).
        * `03-censored-statistics.ipynb`: summarising data with non-detects (Kaplan–Meier, ROS,
          censored MLE) and exceedance with confidence intervals.
        * `04-exposure-assessment.ipynb`: intake, hazard quotients and margins of exposure for
          camel-milk drinkers, deterministic and Monte Carlo.
        * `05-campaign-charts.ipynb`: captioned, sourced charts in Kazakh, Russian and English.

        The same outputs on the command line: `labtox analyse samples/mangystau-2024 --out labtox-out`.
        """),
    ]


# =============================================================================================
# 02 calibration and detection limits


def nb02() -> list[tuple[str, str]]:
    return [
        md("""
        # Calibration curves and detection limits

        A concentration is only as good as the calibration it was read from, and a "below the
        detection limit" only means something when you know which detection limit. Using the
        ICP-MS batch of the example study, you will learn how to

        1. read an instrument export into a tidy table with `labtox.io.read_export`;
        2. fit a calibration curve with an internal standard, **weighted and unweighted**, and
           see why the weighting matters at low concentrations;
        3. **inverse-predict** concentrations with confidence intervals, and convert them from
           the measured solution to the milk with explicit units;
        4. check the curve: **back-calculated accuracy** of the standards and **Mandel's test**
           for linearity;
        5. estimate the **LOD and LOQ** on the same data by the blank method, ICH Q2(R2), DIN
           32645 and ISO 11843-2, and see why they differ (α, β, k, and which standard
           deviation).
        """),
        md(SYNTHETIC_NOTE),
        setup(),
        md("""
        ## 1. Read the export

        The file is an Agilent MassHunter ICP-MS batch table (two-row header, labels such as
        `208  Pb  [ He ]`). `read_export` recognises the layout and returns a `Run`: a tidy
        `measurements` table (one row per injection × analyte) plus provenance (file checksum,
        instrument, software, acquisition time, warnings).
        """),
        code("""
        from labtox.io import read_export

        run = read_export(STUDY / "icpms_metals_batch.csv")
        run.summary()
        """),
        code("""
        m = run.measurements
        m.loc[m["analyte"] == "Pb", ["sequence", "sample_id", "sample_type", "channel", "level",
                                     "signal", "signal_unit", "rejected", "source_line"]].head(10)
        """),
        md("""
        The export does not carry the standards' concentrations: the **method file** does
        (levels in µg/L of the measured solution), together with the model, the weighting, the
        internal standard and the acceptance criteria, each with the document it comes from.
        """),
        code("""
        from labtox.method import Method

        method = Method.load(METHODS / "icpms-metals-milk.toml")
        spec = next(s for s in method.analytes if s.name == "Pb")
        print(method.title)
        print("model:", spec.model, "| weighting:", spec.weighting, "| internal standard:", spec.istd_channel)
        print("levels (µg/L):", dict(spec.levels))
        print("acceptance:", method.calibration.acceptance)
        print("preparation:", method.preparation)
        """),
        md("""
        ## 2. Fit the curves

        `calibrate(run, method)` fits one curve per analyte from the calibration rows. With an
        internal standard the response is the ratio of the analyte's signal to the internal
        standard's signal in the same injection (here ²⁰⁹Bi for Pb), which corrects for drift
        and matrix suppression (US EPA Method 200.8, §10).
        """),
        code("""
        from labtox.calibration import calibrate, fit_curve

        curves = calibrate(run, method)
        pd.DataFrame([c.summary() for c in curves.values()]).set_index("analyte")[
            ["model", "weighting", "response", "levels", "slope", "intercept", "r2",
             "max_abs_deviation_pct", "mandel_pg", "mandel_f", "mandel_linear_adequate"]]
        """),
        md("""
        ### Weighted or unweighted?

        ICP-MS responses spread more at high concentrations (counting statistics and a roughly
        constant relative noise), so an ordinary least-squares line is dominated by the top
        standards and is poorly anchored where the samples are: near the bottom of the range.
        Weighting each standard by 1/x restores the balance (Almeida, Castel-Branco & Falcão
        2002, *J. Chromatogr. B* 774:215–222). Refit the same standards without weights and
        compare:
        """),
        code("""
        weighted = curves["Pb"]
        unweighted = fit_curve(weighted.x, weighted.y, weights=None, analyte="Pb", unit="µg/L")

        pd.DataFrame({
            "x (µg/L)": weighted.x,
            "ratio": weighted.y,
            "accuracy % (1/x)": weighted.accuracy_pct,
            "accuracy % (unweighted)": unweighted.accuracy_pct,
        }).round(3)
        """),
        md("""
        **Back-calculated accuracy** reads each standard back through the curve (100 × found /
        nominal). The method accepts ±15 % (±30 % at the lowest level); the blank (x = 0) has no
        percentage. Both curves pass here, but the unweighted fit is already furthest off at the
        lowest standard, and the difference shows most in the confidence intervals.

        ## 3. Inverse prediction with confidence intervals

        For a sample's response *y₀*, `Curve.inverse` returns x̂ with its standard error and a
        (1 − α) confidence interval (Massart et al. 1997, *Handbook of Chemometrics and
        Qualimetrics* Part A, eqs. 8.26/8.28; the same numbers as R's chemCal `inverse.predict`).
        First the sample responses: the Pb/Bi ratio of each injection.
        """),
        code("""
        pb = m[(m["analyte"] == "Pb") & ~m["rejected"]].set_index("sequence")
        bi = m[(m["analyte"] == "Bi") & ~m["rejected"]].set_index("sequence")["signal"]
        pb = pb.assign(ratio=pb["signal"] / bi.reindex(pb.index))
        samples = pb[pb["sample_type"] == "sample"]

        w = weighted.inverse(samples["ratio"].to_numpy(), alpha=0.05).to_frame()
        u = unweighted.inverse(samples["ratio"].to_numpy(), alpha=0.05).to_frame()
        solution = pd.DataFrame({
            "sample_id": samples["sample_id"].to_numpy(),
            "x (1/x)": w["estimate"], "95 % CI (1/x)": (w["upper"] - w["lower"]) / 2,
            "x (unweighted)": u["estimate"], "95 % CI (unweighted)": (u["upper"] - u["lower"]) / 2,
        })
        solution.sort_values("x (1/x)").head(6).round(4)
        """),
        md("""
        At the low end the unweighted interval is several times wider than the weighted one:
        the unweighted fit's residual standard deviation, set by the top standards, is applied
        to every reading. (Half-widths are in µg/L of the measured solution.)

        ### From the solution to the milk, with units

        The solution concentration becomes a concentration in milk through the digestion:
        *c*(milk) = *c*(solution) × *V*(final) / *m*(test portion). labtox does this with one
        pint unit registry, so the units are checked rather than assumed.
        """),
        code("""
        from labtox.io import read_register
        from labtox.units import Q_

        reg = read_register(STUDY / "register.csv").set_index("sample_id")
        prep = reg.loc[solution["sample_id"], ["sample_mass_g", "final_volume_ml"]]
        c_solution = Q_(solution["x (1/x)"].to_numpy(), "µg/L")
        c_milk = (c_solution * Q_(prep["final_volume_ml"].to_numpy(), "mL")
                  / Q_(prep["sample_mass_g"].to_numpy(), "g")).to("mg/kg")
        solution.assign(**{"Pb in milk (mg/kg, not blank-corrected)": c_milk.magnitude}).head(6).round(4)
        """),
        md("""
        The pipeline (`analyse`) also subtracts the mean method blank (the method file's
        `blank_subtraction = "mean"`) and attaches the expanded uncertainty, so its results are
        slightly lower than these raw conversions.

        ## 4. Is a straight line adequate? Mandel's test

        Mandel's fitting test (DIN 38402-51 / ISO 8466-1) asks whether a quadratic fits the
        standards significantly better than a straight line: PG = DS²/s²(quadratic) is compared
        with F(0.99; 1, n − 3). A high r² does not answer this question: every curve above has
        r² > 0.999.
        """),
        code("""
        pd.DataFrame({
            name: {"PG": c.mandel.statistic, "F(0.99)": c.mandel.critical_value,
                   "p": c.mandel.p_value, "linear adequate": c.mandel.linear_adequate}
            for name, c in curves.items()
        }).T
        """),
        md("""
        For zinc the straight line is rejected: the top standard (200 µg/L) falls below the
        line (look at the residuals with `curves["Zn"].to_frame()`).
        The remedies are to narrow the working range or to fit a second-order curve
        (ISO 8466-2); either way the decision belongs in the method file, not in a notebook.
        Here is what a quadratic would change:
        """),
        code("""
        zn = curves["Zn"]
        zn_quadratic = fit_curve(zn.x, zn.y, model="quadratic", weights="1/x", analyte="Zn", unit="µg/L")
        pd.DataFrame({"x (µg/L)": zn.x, "accuracy % linear": zn.accuracy_pct,
                      "accuracy % quadratic": zn_quadratic.accuracy_pct}).round(2)
        """),
        md("""
        ## 5. Detection and quantification limits: one data set, several conventions

        "The LOD" is not one number. Each convention answers a slightly different question and
        uses its own standard deviation and factors:

        | convention | what it uses | factors |
        |---|---|---|
        | **blanks** (IUPAC/Currie 1995; Eurachem 2014; JRC EUR 28099) | SD of method-blank results | LOD = 3·s, LOQ = 10·s |
        | **ICH Q2(R2)** (2023) | residual SD of the curve, or SD of the intercept, over the slope | LOD = 3.3·σ/S, LOQ = 10·σ/S |
        | **DIN 32645:2008** | prediction interval of the (unweighted) calibration line | α (false positive), β (false negative), k = 1/relative uncertainty at the LOQ |
        | **ISO 11843-2:2000** | the same idea, with the weighted curve's prediction variance | α, β; LOQ where the CI half-width is 1/k of the value |

        `labtox.detection` implements each and records the parameters with the result. For
        DIN 32645, **α** is the probability of declaring a blank "detected" (decision limit
        x_NG), **β** the probability of missing an analyte truly present at the detection limit
        x_EG, and **k** sets the quantification limit x_BG as the concentration measured with a
        relative uncertainty of 1/k (k = 3: 33 %). Note that `k` means something else for the
        blank and ICH conventions, where it is the LOQ multiplier (10): read the `parameters`
        column.
        """),
        code("""
        from labtox import detection

        blank_ratios = pb.loc[pb["sample_type"] == "blank", "ratio"].to_numpy()
        estimates = {
            "blanks, k = 3 / 10": detection.from_blanks(blank_ratios, curve=weighted),
            "ICH Q2(R2), σ = residual SD (1/x curve)": detection.ich(weighted),
            "ICH Q2(R2), σ = residual SD (unweighted)": detection.ich(unweighted),
            "ICH Q2(R2), σ = SE of intercept": detection.ich(unweighted, sigma="intercept"),
            "DIN 32645, calibration method": detection.din32645(weighted, alpha=0.01, beta=0.01, k=3),
            "DIN 32645, blank method": detection.din32645(weighted, blanks=blank_ratios),
            "ISO 11843-2 (1/x curve)": detection.iso11843(weighted, alpha=0.05, beta=0.05),
        }
        limits = pd.DataFrame({
            name: {"α": d.alpha, "β": d.beta, "k": d.k, "decision limit": d.critical_value,
                   "LOD (µg/L)": d.lod, "LOQ (µg/L)": d.loq, "n": d.n,
                   "parameters": ", ".join(f"{key}={value}" for key, value in d.parameters.items())}
            for name, d in estimates.items()
        }).T
        # In the milk: × final volume / test-portion mass = 50 mL / 0.5 g, i.e. µg/L × 0.1 = mg/kg
        factor = (Q_(1, "µg/L") * Q_(50, "mL") / Q_(0.5, "g")).to("mg/kg").magnitude
        limits["LOD (mg/kg milk)"] = limits["LOD (µg/L)"] * factor
        limits["LOQ (mg/kg milk)"] = limits["LOQ (µg/L)"] * factor
        limits
        """),
        code("""
        # What each estimate had to assume or substitute, in its own words
        for name, d in estimates.items():
            for note in d.notes:
                print(f"{name}: {note}")
        """),
        md("""
        What to take from the table:

        * The estimates span almost an order of magnitude on the same batch. A detection limit
          means little without its convention, its α, β and k, and the data it rests on, which
          is why labtox stores them with every result (`lod_method`).
        * **DIN 32645** assumes an unweighted straight line, so labtox refits the standards
          without weights and says so. Its LOD is the largest here: it combines the unweighted
          residual standard deviation (set by the top standards of a 0–10 µg/L calibration)
          with α = β = 0.01 and only n − 2 = 4 degrees of freedom. A calibration designed for
          the purpose, with standards close to the expected detection limit as DIN 32645
          intends, would be the fair test.
        * The **blank method** measures what actually limits detection in a digested milk:
          contamination and its variability from digestion to digestion. Four method blanks are
          few; a validation would use more (US EPA's MDL procedure, 40 CFR 136 App. B, asks for
          at least seven spiked samples and seven blanks).
        * The method file chose blanks with k = 3 and 10 (Reg. (EC) No 333/2007 as amended;
          JRC guidance EUR 28099), so that is what `analyse` reports.

        ## 6. The calibration figure

        `plot_calibration` shows the standards, the fitted curve, the detection limits and the
        residuals: look for a pattern in the residuals before you look at r².
        """),
        code("""
        from labtox.plots import plot_calibration

        fig = plot_calibration(weighted, estimates["blanks, k = 3 / 10"], response_unit="Pb/Bi ratio")
        fig
        """),
        code("""
        # The unweighted refit with the DIN 32645 limits, for comparison
        fig = plot_calibration(unweighted, estimates["DIN 32645, calibration method"], response_unit="Pb/Bi ratio")
        fig
        """),
        md("""
        ## References

        * Almeida A.M., Castel-Branco M.M., Falcão A.C. (2002) Linear regression for calibration
          lines revisited: weighting schemes for bioanalytical methods. *J. Chromatogr. B*
          774:215–222.
        * Currie L.A. (1995) Nomenclature in evaluation of analytical methods including detection
          and quantification capabilities. *Pure Appl. Chem.* 67:1699–1723.
        * DIN 32645:2008-11 Chemical analysis — Decision limit, detection limit and determination
          limit under repeatability conditions. ISO 11843-2:2000.
        * DIN 38402-51:1986 / ISO 8466-1:1990 (linear calibration, Mandel's test); ISO 8466-2:2001.
        * ICH Q2(R2) (2023) Validation of analytical procedures, §3.2.3.
        * Massart D.L. et al. (1997) *Handbook of Chemometrics and Qualimetrics*, Part A, ch. 8.
        * US EPA (1994) Method 200.8 rev. 5.4; 40 CFR Part 136 Appendix B rev. 2 (2017).
        * Wenzl T. et al. (2016) Guidance document on the estimation of LOD and LOQ for
          measurements in the field of contaminants in feed and food. JRC, EUR 28099.
        """),
    ]


# =============================================================================================
# 03 censored statistics


def nb03() -> list[tuple[str, str]]:
    return [
        md("""
        # Statistics with non-detects

        Most of the mercury results in the example study are below the detection limit. Such
        **left-censored** data are common in food surveys, and the usual shortcuts (replace a
        non-detect by zero, by half the limit, or drop it) bias means, standard deviations,
        percentiles and tests. You will learn to

        1. bracket a mean with the **lower, medium and upper bound** substitution that EFSA
           (2010) uses for exposure;
        2. estimate it properly with **Kaplan–Meier**, **robust ROS** and **censored maximum
           likelihood** (Helsel 2012), and see where they agree and where they cannot say
           anything;
        3. **summarise by site** with the method chosen by Helsel's guidance, and the reason;
        4. compute an **upper confidence limit** of the mean and the **share of samples above a
           limit** with confidence intervals;
        5. **compare groups** of censored data with a log-rank-type test.

        The functions agree with the R packages NADA and EnvStats (labtox's test suite checks
        them against reference values computed with those packages).
        """),
        md(SYNTHETIC_NOTE),
        setup(numpy=True),
        code("""
        from labtox import stats
        from labtox.pipeline import analyse

        a = analyse(STUDY)
        # Single-analyte metal results (sum parameters such as TEQ have their own 'bound' rows).
        metals = a.results[a.results["method_id"] == "icpms-metals-milk"]
        metals.groupby("analyte").agg(n=("value", "size"), non_detects=("censored", "sum"),
                                      unit=("unit", "first"), basis=("basis", "first"))
        """),
        md("""
        ## 1. Mercury: more than half below the detection limit

        Each non-detect carries **its own** limit (it depends on the sample's test-portion
        mass), so the data have several detection limits: a situation the methods below handle
        and simple substitution hides. Results between the LOD and the LOQ (`<LOQ`) are
        detected and reported as measured (the method's `censoring = "censor-at-lod"`), only
        less precisely.
        """),
        code("""
        hg = metals[metals["analyte"] == "Hg"].sort_values("value")
        values, censored = hg["value"].to_numpy(), hg["censored"].to_numpy()
        print(f"{censored.sum()} of {len(hg)} non-detects; "
              f"{len(np.unique(values[censored].round(7)))} distinct detection limits "
              f"({values[censored].min() * 1000:.3f}–{values[censored].max() * 1000:.3f} µg/kg)")
        hg[["sample_id", "site", "value", "unit", "censored", "detection", "lod", "loq"]].head(25).tail(8)
        """),
        md("""
        ## 2. Five ways to summarise the same numbers

        * **Substitution** (EFSA 2010): LB = 0, MB = ½·limit, UB = limit. The true mean lies
          between LB and UB; the SD and percentiles of substituted data are artefacts of the
          substituted value (Helsel 2012, ch. 1).
        * **Kaplan–Meier** (non-parametric; NADA `cenfit`): no distribution assumed; it cannot
          estimate anything below the lowest detect, so such quantiles are reported as NaN, not 0.
        * **Robust ROS** (Helsel & Cohn 1988): fits a lognormal to the detects on a probability
          plot and imputes the non-detects from it, keeping the detects as measured.
        * **Censored MLE** (lognormal): fits the distribution to detects (their density) and
          non-detects (the probability of lying below their limit) together.
        """),
        code("""
        subs = {b: stats.substitution(values, censored, b) for b in ("LB", "MB", "UB")}
        km = stats.kaplan_meier(values, censored)
        ros = stats.ros(values, censored)
        mle = stats.censored_mle(values, censored, dist="lognorm")

        rows = {f"substitution {b}": (s.mean, s.sd, s.median, s.quantiles[0.95]) for b, s in subs.items()}
        rows["Kaplan–Meier"] = (km.mean, km.sd, km.median, km.quantiles[0.95])
        rows["robust ROS"] = (ros.mean, ros.sd, ros.median, ros.quantiles[0.95])
        rows["censored MLE (lognormal)"] = (mle.mean, mle.sd, mle.median, mle.quantiles[0.95])
        comparison = pd.DataFrame(rows, index=["mean", "sd", "median", "P95"]).T * 1000
        comparison.columns = [f"{c} (µg/kg)" for c in comparison.columns]
        comparison.round(3)
        """),
        md("""
        Read it row by row:

        * The three substitutions move the **median** from 0 to the detection limit: with 56 %
          non-detects the median *is* a non-detect, and substitution simply returns the number
          put in. Kaplan–Meier refuses (NaN) because the data cannot tell.
        * ROS and MLE, which assume a lognormal shape, give means inside the [LB, UB] bracket
          and can say something about the lower half of the distribution.
        * The Kaplan–Meier mean lands at (in fact just above) the upper bound. It is the *unrestricted* KM mean
          (NADA, EnvStats, ProUCL): the probability below the lowest detect (56 % here) is
          placed *at* that detect, 0.583 µg/kg, just above the detection limits. With most data
          below the lowest detect KM has little to work with; Helsel's guidance uses ROS here.
        * One sample (MNG-008, 6.2 µg/kg) dominates the upper tail and the SD: look at the
          data, not only at the summary.

        ROS reports its fit and what it imputed for each non-detect:
        """),
        code("""
        ros.to_frame().assign(sample_id=hg["sample_id"].to_numpy()).sort_values("plotting_position").head(8)
        """),
        code("""
        print(f"KM: share below the lowest detect = {km.prob_below_lowest_detect:.2f}; "
              f"unrestricted mean = {km.mean * 1000:.3f} µg/kg, restricted mean = {km.restricted_mean * 1000:.3f} µg/kg")
        """),
        code("""
        # The censored MLE with its parameters and confidence intervals (profile likelihood for the mean)
        print(f"lognormal MLE: meanlog = {mle.params['meanlog']:.3f}, sdlog = {mle.params['sdlog']:.3f}; "
              f"mean = {mle.mean * 1000:.3f} µg/kg, 95 % CI {mle.mean_ci[0] * 1000:.3f}–{mle.mean_ci[1] * 1000:.3f} "
              f"({mle.mean_ci_method})")
        mle.to_frame()
        """),
        md("""
        ## 3. Which method? Let `summarise` choose, and say why

        `stats.summarise` applies the guidance summarised by Helsel (2005, 2012): no
        non-detects → ordinary statistics; < 50 % → Kaplan–Meier; 50–80 % → ROS (n < 50) or
        MLE; > 80 % or fewer than two distinct detects → counts only. The `reason` column says
        which rule applied, `mean_lb`/`mean_ub` always give the EFSA bounds, and nothing is
        switched silently.
        """),
        code("""
        overall = stats.summarise(metals)
        overall[["analyte", "unit", "basis", "n", "n_censored", "pct_censored", "mean", "median",
                 "p95", "ucl95", "mean_lb", "mean_ub", "method", "reason"]]
        """),
        code("""
        by_site = stats.summarise(metals[metals["analyte"].isin(["Pb", "Hg"])], by=["site"])
        by_site[["analyte", "site", "n", "n_censored", "mean", "mean_lb", "mean_ub", "method", "reason"]]
        """),
        md("""
        With four or five samples per site, many site summaries fall back to ROS or to counts:
        small groups with non-detects support little more than a range. That is a property of
        the data, and the table says so.

        ## 4. Upper confidence limit of the mean

        Risk assessors often want a 95 % upper confidence limit (UCL) of the mean rather than
        the mean itself. `ucl95` offers the ProUCL methods (USEPA 2022, ProUCL 5.2 Technical
        Guide); the bootstrap is seeded so the notebook gives the same number every time.
        """),
        code("""
        ucls = [stats.ucl95(values, censored, method, n_boot=2000, seed=1)
                for method in ("km-t", "chebyshev", "km-bootstrap", "lognormal-mle")]
        pd.DataFrame([{"method": u.method, "UCL95 (µg/kg)": u.ucl * 1000, "mean (µg/kg)": u.mean * 1000,
                       "description": u.description} for u in ucls]).round(4)
        """),
        md("""
        ## 5. How many samples exceed a limit?

        A share such as 1 of 24 is not simply "4 %": with so few samples its 95 % confidence
        interval runs from below 1 % to about 20 %. `stats.exceedance` counts detects above the limit and gives Clopper–Pearson
        (exact) and Wilson intervals. A non-detect whose detection limit is above the limit
        *might* exceed: the count then becomes a range [LB, UB].

        The limits and the samples they apply to come from the compliance table (e.g. the EAEU
        mercury limit of CU Decision 299 applies to raw milk, so shubat samples are not
        compared with it); each limit is converted to the unit of the results (the EAEU
        aflatoxin M1 limit is written in mg/kg, the results are in µg/kg).
        """),
        code("""
        from labtox.units import convert

        rows = []
        for (analyte, regime), comp in a.compliance.groupby(["analyte", "regime"]):
            if analyte not in ("Pb", "Hg", "Cd", "aflatoxin M1"):
                continue
            lim = comp.iloc[0]
            res = a.results[(a.results["analyte"] == analyte) & a.results["sample_id"].isin(comp["sample_id"])]
            (unit,) = res["unit"].unique()  # one unit per analyte; the limit is converted to it
            limit = convert(float(lim["limit"]), lim["limit_unit"], unit)
            e = stats.exceedance(res["value"], res["censored"], limit)
            rows.append({"analyte": analyte, "regime": regime, "limit": limit, "unit": unit,
                         "n": e.n, "above (LB)": e.n_above_lb, "above (UB)": e.n_above_ub,
                         "share": e.proportion_lb, "95 % CI Clopper–Pearson": e.ci_clopper_pearson,
                         "95 % CI Wilson": e.ci_wilson})
        exceedances = pd.DataFrame(rows)
        exceedances.round(3)
        """),
        md("""
        ## 6. Are two groups different?

        Censored data cannot go into a t-test. The censored analogue of a rank test is a
        (weighted) **log-rank test** on "flipped" data (Helsel 2012, ch. 9): lead at the four
        settlements next to industry (Aktau, Akshukur near the Koshkar-Ata tailings, Kuryk port,
        Zhanaozen oil field) against the other four, and raw milk against shubat.

        *Caveat:* the synthetic-data generator was told to put more lead near industrial sites,
        so the first test checks that the method finds an effect that was built in; it is not
        evidence about Mangystau.
        """),
        code("""
        lead = metals[metals["analyte"] == "Pb"]
        industrial = lead["site"].isin(["Aktau", "Akshukur", "Kuryk", "Zhanaozen"])
        area = np.where(industrial, "industrial", "other")

        tests = {
            "industrial vs other, log-rank": stats.compare_groups(lead["value"], lead["censored"], area),
            "industrial vs other, Peto–Prentice": stats.compare_groups(lead["value"], lead["censored"], area,
                                                                       test="peto-prentice"),
            "raw milk vs shubat, log-rank": stats.compare_groups(lead["value"], lead["censored"], lead["product"]),
        }
        pd.DataFrame({name: {"χ²": t.statistic, "df": t.df, "p": t.pvalue} for name, t in tests.items()}).T
        """),
        code("""
        tests["industrial vs other, log-rank"].table
        """),
        md("""
        `observed` is the number of detected values in each group and `expected` the number the
        test expects when the values are ranked from the top and the groups do not differ: the
        industrial settlements have about twice as many high values as expected. Raw milk and
        shubat do not differ detectably.

        ## 7. A figure that shows non-detects honestly

        Non-detects are open markers at their detection limit, pointing down: they are not
        values.
        """),
        code("""
        from labtox.plots import plot_results_vs_limits

        fig = plot_results_vs_limits(hg, a.compliance[a.compliance["analyte"] == "Hg"], analyte="Hg",
                                     by="site", yscale="log")
        fig
        """),
        md("""
        ## References

        * EFSA (2010) Management of left-censored data in dietary exposure assessment of chemical
          substances. *EFSA Journal* 8(3):1557.
        * Helsel D.R. (2005) *Nondetects and Data Analysis*. Wiley.
        * Helsel D.R. (2012) *Statistics for Censored Environmental Data Using Minitab and R*,
          2nd ed. Wiley.
        * Helsel D.R., Cohn T.A. (1988) Estimation of descriptive statistics for multiply censored
          water quality data. *Water Resour. Res.* 24(12):1997–2004.
        * Kaplan E.L., Meier P. (1958) *J. Am. Stat. Assoc.* 53:457–481.
        * Clopper C.J., Pearson E.S. (1934) *Biometrika* 26:404–413; Wilson E.B. (1927)
          *J. Am. Stat. Assoc.* 22:209–212.
        * USEPA (2022) ProUCL Version 5.2.0 Technical Guide, EPA/600/R-07/041.
        """),
    ]


# =============================================================================================
# 04 exposure assessment


def nb04() -> list[tuple[str, str]]:
    return [
        md("""
        # Dietary exposure of camel-milk drinkers

        A concentration below the legal limit can still matter for someone who drinks a lot of
        milk, and a child drinks more per kilogram of body weight than an adult. You will learn to

        1. describe **who is exposed** with the shipped scenarios (children and adults drinking
           camel milk), and see which of their figures are assumptions;
        2. find the **health-based guidance values** labtox compares with, and their sources;
        3. compute the deterministic **estimated daily intake** (EDI), **hazard quotient** (HQ),
           **hazard index** (HI) and **margin of exposure** (MOE) at the lower and upper bound
           for non-detects (EFSA 2010);
        4. run a seeded **Monte Carlo** simulation of the intake distribution, with the
           probability of exceeding the guidance value and the contribution of each analyte;
        5. draw the exposure distribution.

        Formulas (WHO IPCS EHC 240, 2009, ch. 6): EDI = C × IR × EF / BW; HQ = EDI / HBGV;
        HI = Σ HQ; MOE = reference point (e.g. a BMDL) / EDI.
        """),
        md(SYNTHETIC_NOTE + "\n>\n> The consumption figures are assumptions too: no survey of "
           "camel-milk intake in\n> Kazakhstan exists, and each scenario says so."),
        setup(numpy=True),
        code("""
        from labtox import exposure
        from labtox.pipeline import analyse

        a = analyse(STUDY)
        results = a.results
        ANALYTES = ["Pb", "Cd", "As", "Hg", "Ni", "aflatoxin M1"]
        """),
        md("""
        ## 1. Who drinks how much

        The scenarios live in `reference_limits/exposure_scenarios.toml`. Body weights are the
        EFSA Scientific Committee (2012) defaults; the milk intakes are stated assumptions; the
        spreads used by the Monte Carlo are illustrative.
        """),
        code("""
        scenarios = exposure.load_scenarios()
        pd.DataFrame([{
            "scenario": s.name, "population": s.population, "body weight (kg)": s.body_weight_kg,
            "intake": f"{s.consumption} {s.consumption_unit}", "density (kg/L)": s.density_kg_per_l,
            "intake status": s.consumption_status, "intake source": s.consumption_source,
        } for s in scenarios.values()]).set_index("scenario")
        """),
        md("""
        ## 2. Health-based guidance values

        `select_guidance` picks at most one value per kind for each analyte: a **threshold**
        (TDI, TWI, RfD … → HQ), a **reference point** (BMDL → MOE) and a **slope factor**
        (→ lifetime cancer risk). Every row carries its body, year, status and source.
        """),
        code("""
        guidance = pd.concat([exposure.select_guidance(x) for x in ANALYTES], ignore_index=True)
        guidance[["substance", "body", "value_type", "value_detail", "value", "unit", "effect", "year", "status"]]
        """),
        md("""
        Two choices to be aware of:

        * **Lead** has no tolerable intake any more: EFSA (2010) concluded that the former PTWI
          of 25 µg/kg bw was no longer appropriate and uses BMDLs instead (e.g. BMDL01 =
          0.50 µg/kg bw/day for developmental neurotoxicity), so the margin of exposure is the
          metric; labtox flags an MOE below 1 as a concern, and the closer to 1, the less a risk
          can be excluded.
        * **Arsenic and mercury**: the ICP-MS measures *total* As and Hg, while the guidance
          values refer to inorganic arsenic and to methylmercury (the most sensitive value
          listed is used). Comparing totals with them is a conservative, worst-case choice; a
          refined assessment needs speciation.

        ## 3. Deterministic assessment: children and adults

        `assess` uses the mean concentration over the samples (chronic exposure, EHC 240 §6.3)
        at the **lower bound** (non-detects = 0) and the **upper bound** (non-detects = their
        limit): the truth lies between them (EFSA 2010).
        """),
        code("""
        assessments = {name: exposure.assess(results, name, analytes=ANALYTES)
                       for name in ("camel-milk-child", "camel-milk-adult")}
        table = pd.concat([x.table.assign(scenario=name) for name, x in assessments.items()])
        table.pivot_table(index=["analyte", "metric"], columns=["scenario", "bound"],
                          values="metric_value", aggfunc="first").map("{:.3g}".format)
        """),
        code("""
        # Intakes behind the metrics (µg per kg body weight per day), with the guidance values
        table[table["bound"] == "upper"][["scenario", "analyte", "concentration_mg_per_kg",
            "edi_ug_per_kg_bw_day", "metric", "metric_value", "concern", "guidance_body",
            "guidance_type", "guidance_value", "guidance_unit"]].round(4)
        """),
        md("""
        Reading the table: for children every HQ is below 1 and the lead MOE is about 3, but
        **arsenic** stands out (HQ and MOE near 1, lifetime cancer risk above 10⁻⁴). That is
        the total-versus-inorganic choice discussed above: before drawing a conclusion, one
        would measure inorganic arsenic. The LB and UB columns barely differ because few metal
        results are non-detects; for mercury they do.
        """),
        code("""
        # Hazard index: a screening sum of HQs across different effects (EHC 240 §6)
        pd.concat([x.hazard_index.assign(scenario=name) for name, x in assessments.items()])
        """),
        md("""
        ### Dioxins and dioxin-like PCBs

        The TEQ sums are on a fat basis (pg/g fat); `assess` converts them to whole milk with
        each sample's fat content from the register and compares with the EFSA (2018) TWI of
        2 pg WHO-TEQ/kg bw/week. Sums are assessed at one bound at a time.
        """),
        code("""
        teq = results[results["analyte"] == "sum PCDD/F+dl-PCB-TEQ"]
        teq_rows = []
        for name in ("camel-milk-child", "camel-milk-adult"):
            for bound in ("lower", "upper"):
                t = exposure.assess(teq[teq["bound"] == bound], name, bounds=[bound]).table
                teq_rows.append(t.assign(scenario=name))
        pd.concat(teq_rows)[["scenario", "analyte", "bound", "n", "edi_ug_per_kg_bw_day", "metric",
                             "metric_value", "guidance_body", "guidance_type", "guidance_value", "guidance_unit"]]
        """),
        md("""
        A hazard quotient above 1 for the dioxin TEQ is not unusual: EFSA's 2018 opinion found
        that the new TWI is exceeded by a considerable part of the European population from the
        whole diet. Remember that these are synthetic concentrations and assumed intakes.

        ## 4. Monte Carlo: the whole distribution

        A point estimate describes an "average" drinker. The Monte Carlo draws, for each of
        20 000 simulated person-days, a concentration per analyte (a lognormal fitted by
        censored MLE to the results, so non-detects are used correctly), a milk intake and a
        body weight (the scenario's distributions), and computes the EDI. The seed makes it
        reproducible. (Use far more iterations for a real assessment; 20 000 keeps this
        notebook fast.)
        """),
        code("""
        ITERATIONS, SEED = 20_000, 2024
        mc = {name: exposure.simulate(results, name, iterations=ITERATIONS, seed=SEED, analytes=ANALYTES)
              for name in ("camel-milk-child", "camel-milk-adult")}
        mc["camel-milk-child"].intake[["analyte", "unit", "mean", "p50", "p95", "p99", "guidance",
                                        "guidance_daily_ug", "p_exceed", "contribution", "concentration_model"]]
        """),
        code("""
        # Probability that a drinker's daily intake exceeds the guidance value (HI: probability that HI > 1)
        pd.DataFrame({name: r.intake.set_index("analyte")["p_exceed"] for name, r in mc.items()}).round(4)
        """),
        md("""
        `p_exceed` is the share of simulated person-days above the threshold value (for lead the
        Health Canada risk-specific dose, the threshold-type value listed; the EFSA BMDL gives
        the MOE instead). Aflatoxin M1 has only a reference point, so no exceedance probability.

        ### Contribution by analyte

        `contribution` is each analyte's share of the mean hazard index: which contaminant
        drives the combined screening figure. The shares are the same for children and adults:
        the scenarios differ only in intake and body weight, which scale every analyte alike.
        """),
        code("""
        contribution = pd.DataFrame({name: r.intake.set_index("analyte")["contribution"]
                                     for name, r in mc.items()}).drop(index="HI").dropna(how="all")
        ax = contribution.sort_values("camel-milk-child").plot.barh(figsize=(6, 3.2))
        ax.set_xlabel("share of the mean hazard index")
        ax.set_title("Contribution to the hazard index (synthetic data)", loc="left")
        contribution.round(3)
        """),
        md("""
        ### Variability and uncertainty

        The intake distribution above describes **variability** between drinkers. With only 36
        samples the concentration model itself is uncertain. A two-dimensional Monte Carlo
        (EFSA 2012 guidance on probabilistic exposure assessment) refits the model to bootstrap
        resamples of the samples in an outer loop and reports the spread of each statistic.
        Twenty outer iterations keep this fast; a real assessment uses many more.
        """),
        code("""
        mc2 = exposure.simulate(results, "camel-milk-child", iterations=5_000, seed=SEED,
                                analytes=["Pb", "Cd"], uncertainty_iterations=20)
        mc2.uncertainty.pivot_table(index="analyte", columns="quantile", values=["mean", "p95", "p_exceed"]).round(4)
        """),
        md("""
        ## 5. The exposure figure

        `simulate` keeps summaries, not the 20 000 draws. To *see* the distribution, draw the
        same model by hand for lead in children: the lognormal concentration fitted by censored
        MLE (`labtox.stats.censored_mle`), the scenario's intake and body-weight distributions,
        and EDI = C × IR × density × EF/365 / BW. Its percentiles should agree with `simulate`'s
        within Monte Carlo error, a useful check that you understand the model.
        """),
        code("""
        from labtox.plots import plot_exposure
        from labtox.stats import censored_mle

        child = scenarios["camel-milk-child"]
        lead = results[results["analyte"] == "Pb"]
        fit = censored_mle(lead["value"], lead["censored"], dist="lognorm")

        rng = np.random.default_rng(SEED)
        concentration = rng.lognormal(fit.params["meanlog"], fit.params["sdlog"], ITERATIONS)   # mg/kg
        intake_kg = child.consumption_distribution.sample(rng, ITERATIONS) * child.kg_per_unit()  # kg/day
        body_weight = child.body_weight_distribution.sample(rng, ITERATIONS)                      # kg
        ef = child.exposure_frequency_days_per_year / 365
        edi = concentration * intake_kg * ef / body_weight * 1000                                 # µg/kg bw/day

        lib = mc["camel-milk-child"].intake.set_index("analyte").loc["Pb"]
        pd.DataFrame({"by hand": [edi.mean(), np.percentile(edi, 50), np.percentile(edi, 95)],
                      "simulate()": [lib["mean"], lib["p50"], lib["p95"]]},
                     index=["mean", "P50", "P95"]).round(4)
        """),
        code("""
        fig = plot_exposure(pd.DataFrame({"intake": edi, "unit": "µg/kg bw/day"}),
                            guidance_value=float(lib["guidance_daily_ug"]),
                            guidance_name="Health Canada RSD",
                            percentiles={50: float(lib["p50"]), 95: float(lib["p95"])},
                            analyte="Pb")
        fig
        """),
        md("""
        The curve is the share of simulated child-days with an intake below each value; the solid
        vertical line is the guidance value, the dotted lines the median and 95th percentile reported by
        `simulate`.

        ## References

        * WHO/IPCS (2009) *Principles and methods for the risk assessment of chemicals in food*,
          Environmental Health Criteria 240, ch. 5 and 6.
        * EFSA (2010) Management of left-censored data in dietary exposure assessment of chemical
          substances. *EFSA Journal* 8(3):1557.
        * EFSA CONTAM Panel (2010) Scientific Opinion on lead in food. *EFSA Journal* 8(4):1570.
        * EFSA CONTAM Panel (2018) Risk for animal and human health related to the presence of
          dioxins and dioxin-like PCBs in feed and food. *EFSA Journal* 16(11):5333.
        * EFSA Scientific Committee (2012) Guidance on selected default values to be used in the
          absence of actual measured data. *EFSA Journal* 10(3):2579.
        * EFSA PPR Panel (2012) Guidance on the use of probabilistic methodology for modelling
          dietary exposure to pesticide residues. *EFSA Journal* 10(10):2839.
        """),
    ]


# =============================================================================================
# 05 campaign charts


def nb05() -> list[tuple[str, str]]:
    return [
        md("""
        # Charts for the public, in Kazakh, Russian and English

        Results reach people as charts. A chart for the public has to be readable in the
        reader's language, honest about non-detects and uncertainty, and traceable: which data,
        which limit (and how sure we are of its text), made when, by what. You will learn to

        1. draw results against the EAEU, EU and Codex limits in **Kazakh, Russian and English**;
        2. show the **share of samples above each limit** with confidence intervals;
        3. map the sampling sites, coloured by verdict;
        4. write one-sentence **captions** with the numbers, and a **provenance footer**;
        5. save the figures (here: to a temporary folder, nothing is written to the project).

        All text comes from `labtox/locales/{en,ru,kk}.toml`; numbers follow each language's
        conventions (decimal comma and narrow no-break space in Russian and Kazakh, GOST
        8.417-2002; CLDR plural rules). Colours are the Okabe–Ito palette, with marker shapes
        as well, so the charts survive colour-blindness and black-and-white printing.
        """),
        md(SYNTHETIC_NOTE + "\n>\n> Every chart below says **SYNTHETIC DATA** in its footer. "
           "Keep it that way if you show\n> them."),
        setup(),
        code("""
        import datetime as dt
        import hashlib
        import tempfile

        from IPython.display import display

        from labtox import i18n, plots
        from labtox.pipeline import analyse

        a = analyse(STUDY)
        results, compliance = a.results, a.compliance
        LANGS = ("kk", "ru", "en")
        TODAY = dt.date.today()


        def rows_of(analyte: str):
            # The results and compliance rows of one analyte: all a chart of that analyte needs.
            return (results[results["analyte"] == analyte],
                    compliance[compliance["analyte"] == analyte])
        """),
        md("""
        ## 1. The building blocks: translated names, units, numbers and dates
        """),
        code("""
        examples = {
            "lead": lambda lang: i18n.analyte_name("Pb", lang),
            "Aktau": lambda lang: i18n.place_name("Aktau", lang),
            "limit": lambda lang: f"{i18n.format_number(0.02, lang, sig=2)} {i18n.format_unit('mg/kg', lang)}",
            "act": lambda lang: i18n.act_name("TR CU 021/2011", lang),
            "non-compliant": lambda lang: i18n.decision_label("non-compliant", lang),
            "status": lambda lang: i18n.status_label("confirmed-secondary", lang),
            "5 samples": lambda lang: i18n.count_phrase(5, "noun.sample", lang),
            "date": lambda lang: i18n.format_date("2024-05-14", lang),
        }
        pd.DataFrame({lang: {k: f(lang) for k, f in examples.items()} for lang in LANGS})
        """),
        md("""
        ## 2. Captions and the provenance footer

        A caption states the finding in one sentence, with the counts and the limit. It counts
        each sample once, with its worst decision, and never counts a non-detect or an
        inconclusive result as an exceedance.

        The footer carries what a reader needs to judge the chart: the data set and its
        checksum, the number of samples, the share below the detection limit and how that limit
        was estimated, the legal acts and their **verification status**, the labtox version and
        the date. Build it from the analysis rather than by hand:
        """),
        code("""
        def footer(analyte: str, lang: str) -> str:
            res, comp = rows_of(analyte)
            batch = next(b for b in a.batches if b.method.id == res["method_id"].iloc[0])
            export = next(p for p in a.inputs if Path(p).name == Path(batch.source).name)
            return plots.provenance_footer(
                dataset=a.study["id"], sha256=a.inputs[export], n_samples=res["sample_id"].nunique(),
                share_below_lod=float(res["censored"].mean()), lod_method=res["lod_method"].iloc[0],
                limit_source=sorted(comp["instrument"].unique()), limit_status=sorted(comp["status"].unique()),
                date=TODAY, lang=lang, synthetic=bool(a.study.get("synthetic", True)))

        lead_results, lead_compliance = rows_of("Pb")
        for lang in LANGS:
            print(f"[{lang}]")
            for line in plots.captions(lead_compliance, lang=lang, analyte="Pb", results=lead_results):
                print("  ", line)
            print("  ", footer("Pb", lang), end="\\n\\n")
        """),
        md("""
        ## 3. Results against the limits, in three languages

        One marker per sample, grouped by settlement; filled markers with error bars (expanded
        uncertainty) for detected results, open markers pointing down for non-detects; one line
        per applicable limit, labelled with its act and status.
        """),
        code("""
        def lead_chart(lang: str):
            fig = plots.plot_results_vs_limits(lead_results, lead_compliance, analyte="Pb", by="site", lang=lang)
            return plots.add_footer(fig, footer("Pb", lang))

        for lang in LANGS:
            display(lead_chart(lang))
            print("\\n".join(plots.captions(lead_compliance, lang=lang, analyte="Pb", results=lead_results)))
        """),
        md("""
        Aflatoxin M1 is regulated much more strictly in the EU (0.050 µg/kg) than in the EAEU
        and by Codex (0.5 µg/kg): the same milk can comply with one and not the other, which the
        chart makes visible.
        """),
        code("""
        fig = plots.plot_results_vs_limits(*rows_of("aflatoxin M1"), analyte="aflatoxin M1", by="site", lang="kk")
        plots.add_footer(fig, footer("aflatoxin M1", "kk"))
        fig
        """),
        md("""
        ## 4. How many samples exceed each limit?

        Shares with 95 % Wilson intervals (Wilson 1927) and the counts, per limit. With 12 to 36
        samples the intervals are wide, and the chart shows it.
        """),
        code("""
        shown = ["Pb", "Hg", "aflatoxin M1", "sum ndl-PCB-6", "sum PCDD/F+dl-PCB-TEQ"]
        subset = compliance[compliance["analyte"].isin(shown)]
        table = plots.exceedance_table(subset)
        table[["share", "lower", "upper"]] = table[["share", "lower", "upper"]].round(3)
        table[["analyte", "regime", "limit", "limit_unit", "n", "k", "share", "lower", "upper", "status"]]
        """),
        code("""
        fig = plots.plot_exceedance(subset, lang="ru")
        fig
        """),
        md("""
        ## 5. Where were the samples taken?

        Longitude and latitude (WGS 84) of each settlement, coloured and shaped by the worst
        decision of its samples. The map is drawn offline (no map tiles are downloaded), with
        the aspect ratio corrected for latitude. Coordinates are approximate settlement centres
        (see the study README).
        """),
        code("""
        fig = plots.plot_site_map(lead_results, lead_compliance, analyte="Pb", lang="kk")
        plots.add_footer(fig, footer("Pb", "kk"))
        fig
        """),
        md("""
        ## 6. Saving the figures

        `save_figure` writes deterministic files: the same inputs give the same bytes (no
        embedded dates or software stamps), so a published chart can be checked against its
        source. Save a freshly built figure: matplotlib's constrained layout refines itself
        each time a figure is drawn, so a figure already shown on screen can differ in the last
        decimals of its coordinates. This notebook writes to a temporary folder that is deleted
        at the end, so nothing is added to the project.
        """),
        code("""
        with tempfile.TemporaryDirectory() as tmp:
            saved = [plots.save_figure(lead_chart(lang), Path(tmp) / f"lead-{lang}.svg") for lang in LANGS]
            again = plots.figure_bytes(lead_chart(LANGS[0]), "svg")
            listing = pd.DataFrame({
                "file": [p.name for p in saved],
                "bytes": [p.stat().st_size for p in saved],
                "sha256": [hashlib.sha256(p.read_bytes()).hexdigest()[:16] for p in saved],
            })
            same = hashlib.sha256(again).hexdigest()[:16] == listing.loc[0, "sha256"]
        print("re-rendering gives identical bytes:", same)
        listing
        """),
        md("""
        ## Checklist before a chart goes out

        * The footer says SYNTHETIC DATA for these samples, and names the data set and checksum.
        * Each limit's status is visible: an `unverified` limit is a hypothesis, not a verdict.
        * Non-detects are shown as "below", never as a value, and never counted as exceedances.
        * Small numbers are given as counts ("2 of 24"), with their confidence interval.

        The HTML reports (`labtox report labtox-out --lang kk --audience public`) assemble the
        same figures and captions.
        """),
    ]


NOTEBOOKS = {
    "01-quickstart.ipynb": nb01,
    "02-calibration-and-detection-limits.ipynb": nb02,
    "03-censored-statistics.ipynb": nb03,
    "04-exposure-assessment.ipynb": nb04,
    "05-campaign-charts.ipynb": nb05,
}


def build(name: str) -> nbformat.NotebookNode:
    """The notebook ``name`` without outputs, with stable cell ids."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = dict(LANGUAGE_INFO)
    prefix = name[:2]
    for i, (kind, text) in enumerate(NOTEBOOKS[name]()):
        cell = (nbformat.v4.new_markdown_cell(text) if kind == "markdown"
                else nbformat.v4.new_code_cell(text))
        cell["id"] = f"nb{prefix}-{i:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def render(name: str) -> str:
    return nbformat.writes(build(name)) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="report notebooks that differ from this script; write nothing")
    args = parser.parse_args(argv)
    stale = []
    NOTEBOOK_DIR.mkdir(exist_ok=True)
    for name in NOTEBOOKS:
        path = NOTEBOOK_DIR / name
        text = render(name)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        sys.stderr.write("out of date (run python tools/make_notebooks.py): " + ", ".join(stale) + "\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
