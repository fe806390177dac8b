"""``labtox exposure RESULTS --scenario NAME``: dietary exposure, deterministic and Monte Carlo."""

from __future__ import annotations

from pathlib import Path

import click


def _read_results(path: Path):
    import pandas as pd

    from labtox.errors import LabtoxError

    csv = path / "results.csv" if path.is_dir() else path
    if not csv.exists():
        raise LabtoxError("this folder has no results.csv.", path=path,
                          expected="a `labtox analyse` output folder or a results CSV")
    try:
        df = pd.read_csv(csv, keep_default_na=True)
    except (OSError, ValueError) as exc:
        raise LabtoxError(f"cannot read the results table: {exc}", path=csv) from None
    need = ["sample_id", "analyte", "value", "unit", "censored"]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise LabtoxError("the results table lacks columns.", path=csv,
                          expected=", ".join(need), found=", ".join(missing))
    if df["censored"].dtype != bool:
        m = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
        vals = df["censored"].astype(str).str.strip().str.lower()
        bad = ~vals.isin(list(m))
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise LabtoxError("the censored column must be true/false.", path=csv,
                              line=i + 2, column="censored", found=df["censored"].iloc[i])
        df["censored"] = vals.map(m).astype(bool)
    return df


def _fmt(v: object) -> str:
    try:
        x = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(v)
    return f"{x:.4g}" if x == x else "-"


@click.command("exposure")
@click.argument("results", type=click.Path(exists=True, path_type=Path))
@click.option("--scenario", required=True,
              help="Scenario name (see --list-scenarios), from the shipped file or --scenarios.")
@click.option("--scenarios", "scenarios_file", type=click.Path(exists=True, dir_okay=False,
                                                               path_type=Path),
              help="A TOML file of your own scenarios (same keys as the shipped one).")
@click.option("--iterations", type=click.IntRange(min=0), default=0, show_default=True,
              help="Monte Carlo iterations (0: deterministic only).")
@click.option("--seed", type=int, default=None, help="Random seed (Monte Carlo).")
@click.option("--uncertainty", type=click.IntRange(min=0), default=0, show_default=True,
              help="Outer bootstrap iterations for parameter uncertainty (Monte Carlo).")
@click.option("--concentration", "conc_model",
              type=click.Choice(["lognormal", "km-bootstrap", "empirical"]),
              default="lognormal", show_default=True,
              help="Monte Carlo concentration model: censored lognormal MLE, draws from the "
                   "Kaplan-Meier distribution, or a bootstrap of the values at the upper bound.")
@click.option("--statistic", type=click.Choice(["mean", "median", "p95", "max"]),
              default="mean", show_default=True, help="Concentration summary (deterministic).")
@click.option("--analyte", "analytes", multiple=True, help="Only these analytes (repeatable).")
@click.option("--register", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Sample register (fat_pct / dry_matter_pct for basis conversion).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the deterministic table (and <out>-montecarlo.csv) as CSV.")
@click.option("--force", is_flag=True, help="Overwrite --out files.")
@click.option("--list-scenarios", is_flag=True, is_eager=True,
              help="List the scenarios and exit (RESULTS is still required).")
def command(results: Path, scenario: str, scenarios_file: Path | None, iterations: int,
            seed: int | None, uncertainty: int, conc_model: str, statistic: str, analytes: tuple[str, ...],
            register: Path | None, out: Path | None, force: bool, list_scenarios: bool) -> None:
    """Intake (EDI), HQ, HI, MOE and cancer risk for a consumer scenario.

    RESULTS is a `labtox analyse` output folder (containing results.csv) or a results CSV.
    Non-detects are shown at the lower bound (0) and the upper bound (the limit). Intake figures
    of the shipped camel-milk and shubat scenarios are stated assumptions, not survey data.
    """
    from labtox.errors import OutputExistsError
    from labtox.exposure import assess, load_scenarios, simulate

    scen = load_scenarios(scenarios_file)
    if list_scenarios:
        for name, s in scen.items():
            click.echo(f"{name:<22} {s.population} | {s.consumption:g} {s.consumption_unit} "
                       f"[{s.consumption_status}] | {s.body_weight_kg:g} kg "
                       f"[{s.body_weight_status}]")
        return
    if scenario not in scen:
        raise click.BadParameter(f"unknown scenario {scenario!r}; choose from "
                                 f"{', '.join(scen)}", param_hint="--scenario")
    sc = scen[scenario]
    df = _read_results(results)
    reg = None
    if register is not None:
        from labtox.io.register import read_register

        reg = read_register(register)
    an = list(analytes) or None
    a = assess(df, sc, statistic=statistic, analytes=an, register=reg)
    click.echo(f"Scenario {sc.name}: {sc.population}")
    click.echo(f"  body weight {sc.body_weight_kg:g} kg [{sc.body_weight_status}] "
               f"{sc.body_weight_source}")
    click.echo(f"  intake {sc.consumption:g} {sc.consumption_unit} = "
               f"{sc.intake_kg_per_day:.4g} kg/day [{sc.consumption_status}] "
               f"{sc.consumption_source}")
    click.echo(f"  exposure {sc.exposure_frequency_days_per_year:g} days/year; "
               f"concentration statistic: {statistic}")
    click.echo("")
    click.echo(f"{'analyte':<24} {'bound':<6} {'EDI µg/kg bw/d':>14} {'metric':<5} "
               f"{'value':>10} {'concern':<7} guidance [status]")
    for _, r in a.table.iterrows():
        g = (f"{r['guidance_body']} {r['guidance_type']} {_fmt(r['guidance_value'])} "
             f"{r['guidance_unit']} [{r['guidance_status']}]" if r["metric"] else r["note"])
        concern = "" if r["concern"] is None or r["concern"] != r["concern"] else (
            "YES" if bool(r["concern"]) else "no")
        click.echo(f"{str(r['analyte']):<24} {r['bound']:<6} "
                   f"{_fmt(r['edi_ug_per_kg_bw_day']):>14} {r['metric'] or '-':<5} "
                   f"{_fmt(r['metric_value']):>10} {concern:<7} {g}")
    for _, h in a.hazard_index.iterrows():
        click.echo(f"HI ({h['bound']} bound) = {_fmt(h['HI'])} over {h['n_analytes']} "
                   f"analyte(s): {h['analytes']} (screening sum across effects)")
    mc = None
    if iterations > 0:
        mc = simulate(df, sc, iterations=iterations, seed=seed, analytes=an, register=reg,
                      uncertainty_iterations=uncertainty, concentration=conc_model)
        click.echo("")
        click.echo(f"Monte Carlo: {iterations} iterations, seed {seed}, concentrations: "
                   f"{mc.concentration_model}")
        click.echo(f"{'analyte':<24} {'mean':>10} {'P50':>10} {'P95':>10} {'P99':>10} "
                   f"{'P(>HBGV)':>9} {'share':>6}")
        for _, r in mc.intake.iterrows():
            click.echo(f"{str(r['analyte']):<24} {_fmt(r['mean']):>10} {_fmt(r['p50']):>10} "
                       f"{_fmt(r['p95']):>10} {_fmt(r['p99']):>10} {_fmt(r['p_exceed']):>9} "
                       f"{_fmt(r['contribution']):>6}")
        click.echo("(intake in µg/kg bw/day; HI dimensionless)")
    if out is not None:
        files = {out: a.table}
        if mc is not None:
            files[out.with_name(out.stem + "-montecarlo.csv")] = mc.intake
        for p in files:
            if p.exists() and not force:
                raise OutputExistsError("the output file exists.", path=p,
                                        hint="Use --force to overwrite.")
        for p, t in files.items():
            t.to_csv(p, index=False)
        click.echo(f"wrote {', '.join(str(p) for p in files)}")
