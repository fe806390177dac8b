"""``labtox inspect FILE``: what labtox reads from an instrument export, without analysing it."""

from __future__ import annotations

import click


def _parse_option(text: str) -> tuple[str, object]:
    if "=" not in text:
        raise click.BadParameter(f"expected KEY=VALUE, got {text!r}", param_hint="--option")
    key, value = text.split("=", 1)
    key = key.strip().replace("-", "_")
    low = value.strip().casefold()
    if low in ("true", "yes"):
        return key, True
    if low in ("false", "no"):
        return key, False
    if value.strip().isdigit():
        return key, int(value.strip())
    return key, value.strip()


def _flags(flags: dict[str, int]) -> str:
    """Tokens as written; bounds such as '<0.11' and '<0.16' are grouped as '<value'."""
    import re

    groups: dict[str, list] = {}
    for tok, n in flags.items():
        key = tok
        m = re.match(r"^([<>≤≥])\s*[-+]?[\d.,]+(?:[eE][-+]?\d+)?$", tok)
        if m:
            key = f"{m.group(1)}value"
        g = groups.setdefault(key, [0, tok])
        g[0] += n
    parts = []
    for key, (n, example) in groups.items():
        parts.append(f"{key!r} x{n}" if key == example else f"{key} x{n} (e.g. {example!r})")
    return ", ".join(parts) or "none"


@click.command("inspect")
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--format", "fmt", metavar="NAME",
              help="Reader to use (see `labtox formats`); sniffed when omitted.")
@click.option("--mapping", type=click.Path(dir_okay=False, path_type=str),
              help="Column mapping (TOML) for --format generic.")
@click.option("-o", "--option", "options", multiple=True, metavar="KEY=VALUE",
              help="Reader option, repeatable (e.g. -o analyte='Aflatoxin M1' -o dayfirst=true).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def command(file: str, fmt: str | None, mapping: str | None, options: tuple[str, ...],
            as_json: bool) -> None:
    """Show how labtox reads FILE: format, instrument and software, injections, samples by
    type, analytes, flag tokens seen and warnings."""
    from labtox.io import read_export, sniff_format

    opts = dict(_parse_option(o) for o in options)
    if mapping is not None:
        opts["mapping"] = mapping
        fmt = fmt or "generic"
    how = "given"
    if fmt is None:
        from pathlib import Path

        from labtox.errors import ParseError, UnknownFormatError

        p = Path(file)
        if not p.exists():
            raise ParseError("the file does not exist.", path=p)
        mod, tried = sniff_format(p)
        if mod is None:
            raise UnknownFormatError(p, tried)
        fmt, how = mod.INFO.name, "sniffed"
    run = read_export(file, format=fmt, **opts)
    s = run.summary()
    if as_json:
        import json

        s["format_detection"] = how
        m = run.measurements
        s["other_flags"] = {
            c: {str(k): int(v) for k, v in m[c].dropna().astype(str).value_counts().items()}
            for c in m.columns if c.endswith("flag") and c != "reported_flag"}
        click.echo(json.dumps(s, ensure_ascii=False, indent=2, default=str))
        return
    from labtox.io import reader

    info = reader(run.format).INFO
    lines = [
        ("file", s["source"]),
        ("format", f"{run.format} ({how}): {info.vendor} {info.software}"),
        ("instrument", s["instrument"] or "(not stated)"),
        ("software", s["software"] or "(not stated)"),
        ("acquired", s["acquired"] or "(not stated)"),
        ("sha256", s["sha256"]),
        ("injections", f"{s['injections']} ({s['rows']} measurement rows)"),
        ("samples by type", ", ".join(f"{k} {v}" for k, v in s["sample_types"].items()) or "-"),
        (f"analytes ({len(s['analytes'])})", ", ".join(map(str, s["analytes"])) or "-"),
        ("flag tokens", _flags(s["flags"])),
    ]
    m = run.measurements
    for col in [c for c in m.columns if c.endswith("flag") and c != "reported_flag"]:
        toks = m[col].dropna().astype(str)
        toks = toks[toks.str.strip() != ""]
        if len(toks):
            lines.append((f"tokens in {col}", _flags(toks.value_counts().to_dict())))
    lines.append(("rejected", str(s["rejected"])))
    width = max(len(k) for k, _ in lines)
    for k, v in lines:
        click.echo(f"{k + ':':<{width + 2}}{v}")
    click.echo(f"warnings ({len(s['warnings'])}):" if s["warnings"] else "warnings: none")
    for w in s["warnings"]:
        click.echo(f"  - {w}")
