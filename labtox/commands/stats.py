"""``labtox stats RESULTS --by site analyte``: censored-data statistics per group."""

from __future__ import annotations

from pathlib import Path

import click

_SHOW = ["n", "n_censored", "pct_censored", "mean", "sd", "median", "p95", "ucl95", "method"]


def _read_results(path: Path):
    import pandas as pd

    from labtox.errors import LabtoxError

    if path.is_dir():
        csv = path / "results.csv"
        if not csv.exists():
            raise LabtoxError("this folder has no results.csv.", path=path,
                              expected="an `labtox analyse` output folder or a results CSV")
    else:
        csv = path
    try:
        return pd.read_csv(csv, keep_default_na=True)
    except (OSError, ValueError) as exc:
        raise LabtoxError(f"cannot read the results table: {exc}", path=csv) from None


@click.command("stats")
@click.argument("results", type=click.Path(exists=True, path_type=Path))
@click.argument("more_by", nargs=-1, metavar="")
@click.option("--by", "by", multiple=True, metavar="COLUMN...",
              help="Grouping columns besides analyte, unit and basis (e.g. --by site analyte; "
                   "also comma-separated or repeated).")
@click.option("--method", type=click.Choice(["auto", "km", "ros", "mle", "LB", "MB", "UB"]),
              default="auto", show_default=True,
              help="Statistic: auto (Helsel's guidance by n and % non-detects), Kaplan-Meier, "
                   "ROS, lognormal MLE, or a substitution bound.")
@click.option("--split-units", is_flag=True,
              help="Report an analyte given in several units/bases separately instead of "
                   "stopping.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the full table as CSV.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
def command(results: Path, more_by: tuple[str, ...], by: tuple[str, ...], method: str,
            split_units: bool, out: Path | None, force: bool) -> None:
    """Statistics for non-detects: one row per analyte x unit x basis x --by group.

    RESULTS is a `labtox analyse` output folder (containing results.csv) or a results CSV.
    Each row says which method was used and why (column `reason`).
    """
    import os
    import tempfile

    import pandas as pd

    from labtox.errors import OutputExistsError
    from labtox.stats import SUMMARY_COLUMNS, summarise

    if more_by and not by:
        raise click.UsageError(f"unexpected argument(s) {' '.join(more_by)!r}; "
                               "grouping columns go after --by.")
    cols = [c.strip() for b in (*by, *more_by) for c in b.split(",") if c.strip()]
    table = _read_results(results)
    summary = summarise(table, by=cols, method=method, split_units=split_units)
    keys = [c for c in summary.columns if c not in SUMMARY_COLUMNS
            and not (c in ("scheme", "bound") and (summary[c] == "").all())]
    shown = summary[keys + _SHOW].copy()
    with pd.option_context("display.max_columns", None, "display.width", 200,
                           "display.float_format", lambda v: f"{v:.4g}"):
        click.echo(shown.to_string(index=False))
    click.echo("")
    click.echo("why each method:")
    for _, row in summary.iterrows():
        label = " ".join(str(row[k]) for k in keys if str(row[k]))
        click.echo(f"  {label}: {row['method']}: {row['reason']}")
    if out is not None:
        if out.exists() and not force:
            raise OutputExistsError("the output file exists.", path=out,
                                    hint="Use --force to overwrite it.")
        fd, tmp = tempfile.mkstemp(prefix=".stats-", suffix=".csv", dir=out.parent or ".")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                summary.to_csv(fh, index=False, lineterminator="\n")
            os.replace(tmp, out)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        click.echo(f"wrote {len(summary)} row(s) to {out}")
