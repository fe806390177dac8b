"""``labtox plot KIND RESULTS``: one chart (SVG, PNG or PDF) from an analysis folder or a CSV.

KIND and the table it draws:

============  ==========================================================================
kind          input (in the folder RESULTS, or RESULTS itself when it is a CSV file)
============  ==========================================================================
limits        results.csv (+ compliance.csv beside it for decisions and limit lines)
exceedance    compliance.csv
map           results.csv with latitude/longitude (+ compliance.csv)
control       control.csv: sequence/date, value, mean/target, sd
congeners     teq.csv: sample_id, congener, teq, unit, basis
exposure      exposure.csv: intake, unit
============  ==========================================================================

Public charts (limits, exceedance, map) carry the provenance footer unless ``--no-footer``.
"""

from __future__ import annotations

import click

KINDS = ("limits", "exceedance", "map", "control", "congeners", "exposure")
_FILE_FOR = {"limits": "results.csv", "map": "results.csv", "exceedance": "compliance.csv",
             "control": "control.csv", "congeners": "teq.csv", "exposure": "exposure.csv"}


@click.command("plot")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("results", type=click.Path(exists=True))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="Output file; the format comes from its suffix (.svg, .png, .pdf).")
@click.option("--lang", default="en", type=click.Choice(["en", "ru", "kk"]), show_default=True)
@click.option("--analyte", default=None, help="Analyte to draw (limits, map).")
@click.option("--by", "by", default="sample", type=click.Choice(["sample", "site"]),
              show_default=True, help="Group the limits chart by sample or by site.")
@click.option("--guidance", "guidance", type=float, default=None,
              help="Health-based guidance value for the exposure chart (intake unit).")
@click.option("--footer/--no-footer", default=True, show_default=True,
              help="Provenance footer on public charts (limits, exceedance, map).")
@click.option("--date", "date", default=None, help="Date in the footer (YYYY-MM-DD) [today].")
@click.option("--force", is_flag=True, help="Replace an existing output file.")
def command(kind, results, out, lang, analyte, by, guidance, footer, date, force) -> None:
    """Draw one chart of KIND from RESULTS (an analysis folder or a CSV file)."""
    from pathlib import Path

    import pandas as pd

    from labtox import plots
    from labtox.errors import LabtoxError, OutputExistsError
    from labtox.report import footer_text, read_analysis_dir

    src = Path(results)
    out_path = Path(out)
    fmt = out_path.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png", "pdf"):
        raise click.BadParameter("the output must end in .svg, .png or .pdf",
                                 param_hint="--out")
    if out_path.exists() and not force:
        raise OutputExistsError("the output file exists.", path=out_path,
                                hint="Use --force to replace it, or choose another --out.")
    if src.is_dir():
        need = src / _FILE_FOR[kind]
        if not need.exists():
            raise LabtoxError(f"the {kind} chart needs {_FILE_FOR[kind]}, which this folder "
                              "does not have.", path=src, expected=_FILE_FOR[kind])
        folder = src
        table_path = need
    else:
        folder = src.parent
        table_path = src

    def read(path: Path) -> pd.DataFrame:
        try:
            return pd.read_csv(path)
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            raise LabtoxError(f"cannot read this table: {exc}.", path=path,
                              expected="a CSV table") from None

    table = read(table_path)
    comp_path = folder / "compliance.csv"
    compliance = read(comp_path) if comp_path.exists() and comp_path != table_path else None
    if kind == "limits":
        fig = plots.plot_results_vs_limits(table, compliance, analyte=analyte, by=by, lang=lang)
    elif kind == "map":
        fig = plots.plot_site_map(table, compliance, analyte=analyte, lang=lang)
    elif kind == "exceedance":
        fig = plots.plot_exceedance(table, lang=lang)
    elif kind == "control":
        fig = plots.plot_control_chart(table, lang=lang)
    elif kind == "congeners":
        fig = plots.plot_congeners(table, lang=lang)
    else:
        fig = plots.plot_exposure(table, guidance_value=guidance, analyte=analyte, lang=lang)
    if footer and kind in ("limits", "exceedance", "map"):
        results_path = folder / "results.csv"
        if results_path.exists():
            data = read_analysis_dir(folder)
        else:
            from labtox.report import ReportInput

            data = ReportInput(results=table if kind != "exceedance" else pd.DataFrame(
                columns=["sample_id", "censored"]), compliance=compliance, dataset=src.name)
        plots.add_footer(fig, footer_text(data, lang, date=date))
    out_path.parent.mkdir(parents=True, exist_ok=True)
    plots.save_figure(fig, out_path, fmt)
    click.echo(f"written {out_path}")
