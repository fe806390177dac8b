"""The ``labtox`` command line: a thin shell over the library; the only place that prints.

Commands live in :mod:`labtox.commands` (one module each) and are loaded lazily, so
``labtox --help`` imports neither pandas nor matplotlib. Exit codes: 0 done; 1 finished with
QC failures (``analyse --fail-on-qc``); 2 usage or input error.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click

from labtox import __version__

EXIT_OK = 0
EXIT_QC_FAILED = 1
EXIT_INPUT_ERROR = 2


class InputError(click.ClickException):
    """A :class:`~labtox.errors.LabtoxError` shown as one line, exit code 2."""

    exit_code = EXIT_INPUT_ERROR

    def show(self, file=None) -> None:  # noqa: D102 - click API
        click.echo(f"labtox: error: {self.message}", err=True, file=file)


class LazyGroup(click.Group):
    """A group whose sub-commands are the modules of :mod:`labtox.commands`; library errors
    become one clear line and exit code 2 (a traceback only with ``--debug``)."""

    def invoke(self, ctx: click.Context):  # noqa: D102 - click API
        from labtox.errors import LabtoxError

        try:
            return super().invoke(ctx)
        except LabtoxError as exc:
            if "--debug" in sys.argv or ctx.meta.get("labtox.debug"):
                raise
            raise InputError(str(exc)) from exc

    def list_commands(self, ctx: click.Context) -> list[str]:
        import labtox.commands as pkg

        return sorted(m.name.replace("_", "-") for m in pkgutil.iter_modules(pkg.__path__)
                      if not m.name.startswith("_"))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.list_commands(ctx):
            return None
        mod = importlib.import_module(f"labtox.commands.{name.replace('-', '_')}")
        return mod.command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="labtox")
def cli() -> None:
    """labtox: instrument exports of food samples -> results, QC, compliance, statistics,
    exposure and charts (English, Russian, Kazakh)."""


def _run_with_errors(main_callable) -> int:
    """Run a click ``main`` without sys.exit and return its exit code (used by tests)."""
    try:
        rc = main_callable(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except SystemExit as exc:
        return int(exc.code or 0)
    return rc if isinstance(rc, int) else 0


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="labtox")


if __name__ == "__main__":
    main()
