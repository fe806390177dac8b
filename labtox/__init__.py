"""labtox: from raw instrument exports of food samples to defensible numbers.

Calibrated concentrations with detection limits and uncertainty, QC verdicts, compliance with
regulatory limits (EAEU, EU, Codex), statistics for censored data, exposure assessment and
charts in English, Russian and Kazakh.

The package imports nothing heavy at start-up; import the stage you need::

    from labtox.io import read_export
    from labtox.calibration import fit_curve
    from labtox.pipeline import analyse
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
