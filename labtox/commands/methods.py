"""``labtox methods validate PATH…`` and ``labtox methods show PATH``: check method files."""

from __future__ import annotations

import click


@click.group("methods")
def command() -> None:
    """Validate and display analytical method files (methods/*.toml)."""


@command.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate(paths: tuple[str, ...]) -> None:
    """Validate one or more method files; list every problem of every file.

    Exit code 0 when all are valid, 2 when any is not.
    """
    from labtox.errors import MethodError
    from labtox.method import Method

    failed = 0
    for path in paths:
        try:
            m = Method.load(path)
        except MethodError as exc:
            failed += 1
            problems = getattr(exc, "problems", None)
            if problems:
                click.echo(f"{path}: INVALID ({len(problems)} problem(s))", err=True)
                for p in problems:
                    click.echo(f"  {p}", err=True)
            else:
                click.echo(f"{path}: INVALID: {exc}", err=True)
            continue
        click.echo(f"{path}: ok ({m.id} {m.version}, {len(m.analytes)} analytes)")
    if failed:
        raise click.exceptions.Exit(2)


@command.command("show")
@click.argument("path", type=click.Path(dir_okay=False))
def show(path: str) -> None:
    """Show a method's header, analytes (channel, model, weighting, ISTD, limits) and QC."""
    from labtox.method import Method

    m = Method.load(path)  # MethodError -> one line, exit 2 (labtox.cli)
    s = m.summary()
    for key in ("id", "version", "title", "matrix", "technique", "formats", "preparation",
                "reporting", "censoring", "qc", "synthetic"):
        value = s[key]
        if isinstance(value, list):
            value = ", ".join(value) or "-"
        click.echo(f"{key:<12} {value}")
    click.echo("")
    click.echo(f"{'analyte':<22} {'channel':<16} {'unit':<8} {'model':<9} {'weighting':<9} "
               f"{'ISTD':<16} {'limits':<10} levels")
    for a in m.analytes:
        istd = a.istd_channel or a.istd_analyte or "-"
        click.echo(f"{a.name:<22} {a.channel or '-':<16} {a.unit or '-':<8} {a.model:<9} "
                   f"{a.weighting:<9} {istd:<16} {a.detection.rule:<10} {len(a.levels)}")
    if m.references:
        click.echo("")
        click.echo("references")
        for r in m.references:
            click.echo(f"  - {r}")
