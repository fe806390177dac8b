"""``labtox report ANALYSIS_DIR``: a self-contained HTML report from an analysis folder.

Reads ``results.csv`` (required) and, when present, ``compliance.csv``, ``qc.csv``,
``detection_limits.csv``, ``control.csv``, ``teq.csv``, ``exposure.csv`` and ``manifest.json``
(see :mod:`labtox.report`); sections whose file is absent are left out with a note.
"""

from __future__ import annotations

import click


@click.command("report")
@click.argument("analysis_dir", type=click.Path(exists=True))
@click.option("--lang", default="en", type=click.Choice(["en", "ru", "kk"]), show_default=True,
              help="Language of the report.")
@click.option("--audience", default="lab", type=click.Choice(["lab", "public"]),
              show_default=True, help="lab: to review and sign; public: to publish.")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="Output file [ANALYSIS_DIR/report-AUDIENCE-LANG.html].")
@click.option("--date", "date", default=None, help="Report date, YYYY-MM-DD [today].")
@click.option("--analyst", default=None, help="Analyst's name for the sign-off block.")
@click.option("--reviewer", default=None, help="Reviewer's name for the sign-off block.")
@click.option("--synthetic/--real", "synthetic", default=None,
              help="State whether the data are synthetic (overrides manifest.json).")
@click.option("--figures", default="svg", type=click.Choice(["svg", "png", "none"]),
              show_default=True, help="Format of the embedded figures (none: text only).")
@click.option("--force", is_flag=True, help="Replace an existing report file.")
def command(analysis_dir, lang, audience, out, date, analyst, reviewer, synthetic, figures,
            force) -> None:
    """Write an HTML report (lab or public) for the analysis in ANALYSIS_DIR."""
    import datetime as dt
    from pathlib import Path

    from labtox.report import RELEVANT_FILES, read_analysis_dir, write_report

    if date is not None:
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            raise click.BadParameter(f"{date!r} is not a date like 2026-11-22",
                                     param_hint="--date") from None
    meta = {k: v for k, v in (("analyst", analyst), ("reviewer", reviewer),
                              ("synthetic", synthetic)) if v is not None}
    data = read_analysis_dir(analysis_dir, **meta)
    folder = Path(analysis_dir) if Path(analysis_dir).is_dir() else Path(analysis_dir).parent
    path = Path(out) if out else folder / f"report-{audience}-{lang}.html"
    for name in [m for m in data.missing if m in RELEVANT_FILES[audience]]:
        click.echo(f"note: {name} not found; its section is left out.", err=True)
    write_report(data, path, lang=lang, audience=audience, date=date, force=force,
                 figure_format=figures)
    click.echo(f"written {path}")
