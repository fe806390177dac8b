"""The report renders in a real browser (headless Chromium): the screenshot is not blank, the
DOM holds the Kazakh findings, and the hostile sample name did not become a script.

Skips with a reason when no Chromium is installed (``.ci/run`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from test_report import hostile_input

from labtox.report import render_report

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("headless Chromium is not installed (apt-get install chromium); "
                "the browser rendering test cannot run here")


def _image(path):
    try:
        from PIL import Image

        return np.asarray(Image.open(path).convert("RGB"), dtype=float) / 255.0
    except ImportError:
        import matplotlib.image as mpimg

        return np.asarray(mpimg.imread(path), dtype=float)[..., :3]


def _run(browser, tmp_path, *args, timeout=120):
    cmd = [browser, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args]
    try:
        return subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"Chromium did not finish within {timeout} s: {' '.join(cmd)}")


@pytest.mark.slow
def test_public_report_renders_in_chromium(browser, tmp_path):
    html = render_report(hostile_input(teq=None, control=None, curves=()), lang="kk",
                         audience="public", date="2026-11-22")
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    shot = tmp_path / "shot.png"
    proc = _run(browser, tmp_path, f"--screenshot={shot}", "--window-size=1200,1600",
                page.as_uri())
    assert shot.exists(), proc.stderr.decode(errors="replace")[-2000:]
    img = _image(shot)
    assert img.shape[0] >= 1500 and img.shape[1] >= 1100
    grey = img.mean(axis=2)
    assert grey.std() > 0.05, "screenshot is blank"
    # text and figures: a good share of the page is not background
    assert (grey < 0.9).mean() > 0.02
    # several distinct colours (the Okabe–Ito markers of the embedded charts)
    orange = (np.abs(img - np.array([0xD5, 0x5E, 0x00]) / 255).max(axis=2) < 0.08).sum()
    assert orange > 50, "the embedded SVG charts did not render"

    dom = _run(browser, tmp_path, "--dump-dom", page.as_uri()).stdout.decode("utf-8")
    assert "Негізгі қорытындылар" in dom
    assert "12 сынаманың ішінен 7 сынама" in dom
    assert "<script>alert(1)</script>" not in dom
