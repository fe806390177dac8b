"""The tutorial notebooks run from top to bottom, are stored without outputs, and match the
script that writes them (``tools/make_notebooks.py``).

Each notebook is executed with nbclient in a fresh ``python3`` kernel whose working directory
is ``notebooks/``, as Jupyter would run it. The kernel must be *this* interpreter (the one with
labtox installed): when no ``python3`` kernelspec is found, or the one found would start another
Python, the test writes a kernelspec pointing at ``sys.executable`` into a temporary folder and
puts that folder first on ``JUPYTER_PATH`` for the duration of the tests.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = [
    "01-quickstart.ipynb",
    "02-calibration-and-detection-limits.ipynb",
    "03-censored-statistics.ipynb",
    "04-exposure-assessment.ipynb",
    "05-campaign-charts.ipynb",
]
KERNEL = "python3"
CELL_TIMEOUT = 120  # seconds per cell


def _launches_this_python(argv: list[str]) -> bool:
    """True when a kernelspec's argv starts this interpreter with ipykernel.

    jupyter_client replaces a bare ``python``/``python3``/``python3.X`` by ``sys.executable``.
    """
    if not argv or "ipykernel_launcher" not in " ".join(argv[1:]):
        return False
    major, minor = sys.version_info[:2]
    if argv[0] in {"python", f"python{major}", f"python{major}.{minor}"}:
        return True
    try:
        return Path(argv[0]).resolve() == Path(sys.executable).resolve()
    except OSError:
        return False


def _usable_kernelspec() -> bool:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        return False
    return _launches_this_python(list(spec.argv))


@pytest.fixture(scope="session")
def kernel_env(tmp_path_factory):
    """Make sure the ``python3`` kernel runs this interpreter; yields the kernel name."""
    if _usable_kernelspec():
        yield KERNEL
        return
    base = tmp_path_factory.mktemp("jupyter")
    spec_dir = base / "kernels" / KERNEL
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (labtox tests)",
        "language": "python",
    }), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", os.pathsep.join(
            [str(base)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]))
        assert _usable_kernelspec(), "the temporary python3 kernelspec was not picked up"
        yield KERNEL
    shutil.rmtree(base, ignore_errors=True)


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_notebooks", ROOT / "tools" / "make_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_five_notebooks_are_there():
    assert NOTEBOOKS == EXPECTED


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_stored_without_outputs(name):
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == KERNEL
    dirty = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert dirty == [], f"{name}: cells {dirty} have outputs or execution counts; clear them"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_matches_its_generator(name):
    """Edit tools/make_notebooks.py, not the .ipynb, and regenerate."""
    generated = _load_generator().build(name)
    stored = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    assert [(c.cell_type, c.source) for c in stored.cells] == \
        [(c.cell_type, c.source) for c in generated.cells], \
        f"{name} differs from tools/make_notebooks.py; run python tools/make_notebooks.py"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_says_the_data_are_synthetic(name):
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "The data are synthetic" in text
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_executes(name, kernel_env):
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=CELL_TIMEOUT, kernel_name=kernel_env,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    client.execute()  # raises CellExecutionError naming the cell and the traceback
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []
    # Every code cell ran, and the notebook shows at least one figure.
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code")
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type in ("display_data", "execute_result") and "image/png" in o.get("data", {})]
    assert images, f"{name} displayed no figure"
