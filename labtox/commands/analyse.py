"""``labtox analyse``: export(s) or a study folder → results, QC, compliance, report.

Exit codes: 0 done; 1 finished with QC failures and ``--fail-on-qc``; 2 usage or input error.
"""

from __future__ import annotations

from pathlib import Path

import click


@click.command("analyse")
@click.argument("exports", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--method", "method", type=click.Path(exists=True, dir_okay=False),
              help="Method file (TOML). Picked from methods/ when omitted.")
@click.option("--register", type=click.Path(exists=True, dir_okay=False),
              help="Sample register (CSV or XLSX).")
@click.option("--limits", "limits", default=None,
              help="Comma-separated limit regimes to compare with (EAEU,EU,Codex), or 'all'.")
@click.option("--rule", "decision_rule", default="simple", show_default=True,
              type=click.Choice(["simple", "guard-band", "beyond-reasonable-doubt"]),
              help="Decision rule for compliance.")
@click.option("--format", "fmt", default=None, help="Export format (see `labtox formats`).")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Output folder [default: labtox-out/<export or study name>].")
@click.option("--outputs", "outputs", default="csv,xlsx,json", show_default=True,
              help="Output formats: csv,xlsx,json.")
@click.option("--report/--no-report", default=True, show_default=True,
              help="Also write report-lab.html and report-public.html.")
@click.option("--lang", default="en", type=click.Choice(["en", "ru", "kk"]), show_default=True,
              help="Language of the reports.")
@click.option("--date", "report_date", default=None,
              help="Date printed on the reports (YYYY-MM-DD) [default: SOURCE_DATE_EPOCH or "
                   "today]. Fix it to make reruns on other days byte-identical.")
@click.option("--archive", "archive", type=click.Path(dir_okay=False), default=None,
              help="Also store the analysis in this SQLite archive (see labtox.store).")
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
@click.option("--fail-on-qc", is_flag=True, help="Exit with code 1 when any QC check failed.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
def command(exports, method, register, limits, decision_rule, fmt, out, outputs, report, lang,
            report_date, archive, force, fail_on_qc, debug) -> None:
    """Analyse instrument EXPORTS (files, or one study folder with study.toml).

    Writes results.csv, results.xlsx, results.json, qc.csv, rejected.csv, compliance.csv
    (with limits), detection_limits.csv, measurements.csv, manifest.json and HTML reports.

    Exit codes: 0 done; 1 finished but a QC check failed (with --fail-on-qc); 2 usage or
    input error (one line naming the file, line and column; --debug for the traceback).
    """
    import sys

    click.get_current_context().meta["labtox.debug"] = debug
    from labtox.outputs import write_outputs
    from labtox.pipeline import analyse

    target = exports[0] if len(exports) == 1 else list(exports)
    lim = None
    if limits:
        lim = True if limits.strip().lower() == "all" else [x.strip() for x in limits.split(",")]
    def progress(text: str) -> None:
        click.echo(f"labtox: {text} ...", err=True)

    analysis = analyse(target, method=method, register=register, limits=lim, format=fmt,
                       decision_rule=decision_rule,
                       progress=progress if sys.stderr.isatty() else None)
    name = Path(exports[0]).stem if Path(exports[0]).is_file() else Path(exports[0]).name
    out_dir = Path(out) if out else Path("labtox-out") / name
    extra = {}
    if report:
        from labtox.report import render_analysis_reports

        if sys.stderr.isatty():
            click.echo("labtox: writing the reports ...", err=True)
        extra = render_analysis_reports(analysis, lang=lang, date=report_date)
    fmts = tuple(x.strip() for x in outputs.split(",") if x.strip())
    paths = write_outputs(analysis, out_dir, formats=fmts, force=force, extra=extra)
    res = analysis.results
    n_samples = res["sample_id"].nunique() if len(res) else 0
    fails = analysis.qc_failures()
    click.echo(f"{len(res)} results for {n_samples} samples from {len(analysis.batches)} "
               f"export(s); {len(fails)} QC check(s) failed; "
               f"{len(analysis.rejected)} input row(s) not used (see rejected.csv).")
    if analysis.compliance is not None and len(analysis.compliance):
        counts = analysis.compliance["decision"].value_counts()
        click.echo("compliance: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    for w in analysis.warnings:
        click.echo(f"warning: {w}", err=True)
    click.echo(f"written to {out_dir}/ ({len(paths)} files)")
    if archive:
        from labtox.store import Archive

        with Archive(archive) as db:
            aid = db.add(analysis)
        click.echo(f"stored in {archive} as analysis {aid}")
    if fail_on_qc and len(fails):
        raise SystemExit(1)
