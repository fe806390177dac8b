"""The CLI shell: help, version, analytes; lazy imports."""

import subprocess
import sys

from click.testing import CliRunner

from labtox import __version__
from labtox.cli import cli


def test_version_and_help():
    r = CliRunner().invoke(cli, ["--version"])
    assert r.exit_code == 0 and __version__ in r.output
    r = CliRunner().invoke(cli, ["--help"])
    assert r.exit_code == 0 and "analytes" in r.output


def test_analytes_lookup():
    r = CliRunner().invoke(cli, ["analytes", "208  Pb  [ He ] "])
    assert r.exit_code == 0, r.output
    assert "-> Pb (channel 208Pb [He])" in r.output and "7439-92-1" in r.output
    r = CliRunner().invoke(cli, ["analytes", "lindane", "--lang", "ru"])
    assert "gamma-HCH" in r.output and "линдан" in r.output


def test_analytes_unknown_and_bad_group():
    r = CliRunner().invoke(cli, ["analytes", "zzzzqq"])
    assert r.exit_code == 1 and "no analyte matches 'zzzzqq'" in r.output
    r = CliRunner().invoke(cli, ["analytes", "--group", "metalz"])
    assert r.exit_code == 2 and "unknown group 'metalz'" in r.output


def test_help_imports_nothing_heavy():
    code = ("import sys; from labtox.cli import cli; "
            "from click.testing import CliRunner; CliRunner().invoke(cli, ['--help']); "
            "print(sorted(m for m in ('pandas', 'matplotlib', 'numpy', 'scipy', 'pint') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
