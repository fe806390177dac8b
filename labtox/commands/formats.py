"""``labtox formats``: the export formats labtox reads."""

from __future__ import annotations

import click


@click.command("formats")
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
def command(as_json: bool) -> None:
    """List the instrument-export formats labtox can read.

    The NAME column is what --format takes (e.g. `labtox inspect FILE --format gen5`).
    Readers are tried in the order shown when the format is sniffed; `generic` is only used
    when named, with a column mapping.
    """
    from labtox.io import formats

    infos = formats()
    if as_json:
        import json

        click.echo(json.dumps([
            {"name": i.name, "vendor": i.vendor, "software": i.software,
             "instruments": list(i.instruments), "extensions": list(i.extensions)}
            for i in infos], ensure_ascii=False, indent=2))
        return
    rows = [(i.name, i.vendor, i.software, ", ".join(i.instruments), ", ".join(i.extensions))
            for i in infos]
    head = ("NAME", "VENDOR", "SOFTWARE", "INSTRUMENTS", "EXTENSIONS")
    widths = [max(len(str(r[k])) for r in [head, *rows]) for k in range(len(head))]
    for r in [head, *rows]:
        click.echo("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    click.echo(f"\n{len(rows)} formats. Use --format NAME to skip sniffing; "
               "`generic` needs --mapping.")
