"""``labtox analytes [QUERY]``: look up canonical analytes, CAS numbers and synonyms."""

from __future__ import annotations

import click


@click.command("analytes")
@click.argument("query", required=False)
@click.option("--group", help="Only this group (element, PCDD, PCDF, dl-PCB, ndl-PCB, OCP, ...).")
@click.option("--lang", type=click.Choice(["en", "ru", "kk"]), default="en", show_default=True,
              help="Language of the display name.")
def command(query: str | None, group: str | None, lang: str) -> None:
    """Look up canonical analyte names, CAS numbers, groups and synonyms.

    QUERY may be a name, a CAS number, a synonym or an instrument label such as
    '208  Pb  [ He ]' or 'Pb 220.353'.
    """
    from labtox.analytes import GROUPS, parse_label, search

    if group is not None and group not in GROUPS:
        raise click.BadParameter(f"unknown group {group!r}; choose from {', '.join(GROUPS)}",
                                 param_hint="--group")
    hits = [a for a in search(query) if group is None or a.group == group]
    if not hits:
        raise click.ClickException(f"no analyte matches {query!r}.")
    if query:
        try:
            m = parse_label(query)
            if m.channel != query.strip():
                click.echo(f"{query!r} -> {m.analyte.name} (channel {m.channel})")
        except Exception:
            pass
    click.echo(f"{'name':<24} {'CAS':<12} {'group':<12} {'display':<22} synonyms")
    for a in hits:
        syn = ", ".join(a.synonyms[:6]) + (" ..." if len(a.synonyms) > 6 else "")
        click.echo(f"{a.name:<24} {a.cas:<12} {a.group:<12} {a.display(lang):<22} {syn}")
