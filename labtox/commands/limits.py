"""``labtox limits``: list the shipped regulatory limits and show those that apply, with status."""

from __future__ import annotations

import click

_MATRICES = ("raw-milk", "heat-treated-milk", "milk-for-manufacture", "fermented-milk",
             "infant-formula", "cream", "dairy-products")


@click.group("limits")
def command() -> None:
    """Regulatory limits (EAEU, EU, Codex) with citations and verification status.

    Status: confirmed-primary (seen in the act), confirmed-secondary (seen in a translation or
    third-party copy), unverified (not seen in any source: never settled law).
    """


@command.command("list")
@click.option("--regime", type=click.Choice(["EAEU", "EU", "Codex"], case_sensitive=False),
              help="Only this regime.")
@click.option("--analyte", help="Only this analyte (name, synonym, CAS or sum parameter).")
@click.option("--matrix", type=click.Choice(_MATRICES), help="Only limits covering this matrix.")
@click.option("--historical", is_flag=True, help="Include superseded limits.")
@click.option("--csv", "as_csv", is_flag=True, help="Write CSV to standard output.")
def list_command(regime: str | None, analyte: str | None, matrix: str | None,
                 historical: bool, as_csv: bool) -> None:
    """List limits: regime, analyte, matrices, limit, unit, basis, status, act and provision."""
    from labtox.limits import load_limits

    ls = load_limits([regime] if regime else None).filter(analyte=analyte)
    df = ls.to_frame()
    if not historical:
        df = df[df["in_force_to"] == ""]
    if matrix:
        df = df[df["matrix"].str.split("|").apply(lambda m: matrix in m)]
    if df.empty:
        raise click.ClickException("no limit matches these options.")
    if as_csv:
        click.echo(df.to_csv(index=False), nl=False)
        return
    click.echo(f"{'regime':<6} {'analyte':<22} {'limit':>10} {'unit':<6} {'basis':<5} "
               f"{'status':<19} provision / act")
    for _, r in df.iterrows():
        hist = f" [until {r['in_force_to']}]" if r["in_force_to"] else ""
        click.echo(f"{r['regime']:<6} {r['analyte']:<22} {r['limit']:>10g} {r['unit']:<6} "
                   f"{r['basis']:<5} {r['status']:<19} {r['provision'][:60]} "
                   f"({r['act'][:50]}){hist}")
        click.echo(f"{'':<6} matrices: {r['matrix'].replace('|', ', ')}")
    n_unv = int((df["status"] == "unverified").sum())
    click.echo(f"{len(df)} limit(s); {n_unv} unverified (values not seen in a source).")


@command.command("show")
@click.argument("analyte")
@click.option("--matrix", type=click.Choice(_MATRICES), default="raw-milk", show_default=True)
@click.option("--product", help="Product description, e.g. 'camel milk', 'shubat', "
                                "'infant formula, powder'.")
@click.option("--regime", type=click.Choice(["EAEU", "EU", "Codex"], case_sensitive=False))
@click.option("--on", "on", help="ISO date: limits in force on that day (default: current).")
def show_command(analyte: str, matrix: str, product: str | None, regime: str | None,
                 on: str | None) -> None:
    """Show the limits that apply to ANALYTE in a matrix, with citation, status and notes."""
    from labtox.limits import load_limits, resolve_analyte

    name = resolve_analyte(analyte)
    ls = load_limits([regime] if regime else None)
    lims = ls.applicable(name, matrix, product, on=on)
    click.echo(f"{name} in {matrix}" + (f" ({product})" if product else "")
               + (f", in force on {on}" if on else ""))
    for x in lims:
        click.echo("")
        click.echo(f"  {x.regime}: {x.limit:g} {x.unit} ({x.basis} basis)   "
                   f"STATUS: {x.status}")
        click.echo(f"    act:        {x.act}")
        click.echo(f"    provision:  {x.provision}")
        click.echo(f"    scope:      {x.product_scope}")
        if x.bound_convention != "n/a":
            click.echo(f"    bound:      {x.bound_convention}")
        if x.in_force_from or x.in_force_to:
            click.echo(f"    in force:   {x.in_force_from or '?'} to {x.in_force_to or 'now'}")
        click.echo(f"    source:     {x.source_url}")
        if x.derivation:
            click.echo(f"    choice:     {x.derivation}")
        if x.notes:
            click.echo(f"    notes:      {x.notes}")
        if x.status == "unverified":
            click.echo("    WARNING:    this value was not seen in any source; do not treat "
                       "it as settled.")
    for n in ls.no_limit(name, matrix):
        click.echo("")
        click.echo(f"  {n.regime}: {n.finding.upper()}   STATUS: {n.status}")
        click.echo(f"    act:        {n.act}, {n.provision}")
        click.echo(f"    source:     {n.source_url}")
        if n.notes:
            click.echo(f"    notes:      {n.notes}")
    if not lims and not ls.no_limit(name, matrix):
        click.echo("  no limit shipped for this analyte and matrix in the selected regimes.")
