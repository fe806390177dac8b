"""The one style of labtox figures: colour-blind-safe palette, fonts, sizes, deterministic saving.

Colours are the Okabe–Ito palette (Okabe & Ito 2008), distinguishable with the common forms of
colour-vision deficiency; decisions are shown by colour *and* marker shape, so a chart still
reads in grey-scale print. The font is DejaVu Sans (bundled with matplotlib), which covers Latin,
Cyrillic and the Kazakh letters ә ғ қ ң ө ұ ү һ і.

Nothing here imports matplotlib at module level.

References
----------
Okabe M, Ito K. Color Universal Design (CUD): how to make figures and presentations that are
friendly to colorblind people (2002/2008), https://jfly.uni-koeln.de/color/.
Wong B. Points of view: Color blindness. Nat Methods 2011;8:441.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from os import PathLike
from pathlib import Path
from typing import Any

__all__ = [
    "OKABE_ITO",
    "DECISION_COLOURS",
    "DECISION_MARKERS",
    "LIMIT_STYLES",
    "RC",
    "style_context",
    "new_figure",
    "figure_of",
    "save_figure",
    "figure_bytes",
    "safe_text",
]

OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
GREY = "#8C8C8C"

DECISION_COLOURS: dict[str, str] = {
    "non-compliant": OKABE_ITO["vermillion"],
    "inconclusive": OKABE_ITO["orange"],
    "compliant": OKABE_ITO["bluish_green"],
    "not-decidable": GREY,
    "none": OKABE_ITO["blue"],
}
DECISION_MARKERS: dict[str, str] = {
    "non-compliant": "^",
    "inconclusive": "D",
    "compliant": "o",
    "not-decidable": "s",
    "none": "o",
}
DECISION_ORDER: tuple[str, ...] = ("non-compliant", "inconclusive", "compliant", "not-decidable")
"""Worst first: a sample's colour is its worst decision over the limits applied."""

LIMIT_STYLES: tuple[tuple[str, str], ...] = (
    (OKABE_ITO["blue"], "-"),
    (OKABE_ITO["reddish_purple"], "--"),
    (OKABE_ITO["black"], "-."),
    (OKABE_ITO["orange"], ":"),
    (OKABE_ITO["sky_blue"], (0, (5, 1, 1, 1))),  # type: ignore[dict-item]
)

RC: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9.0,
    "axes.titlesize": 10.5,
    "axes.labelsize": 9.0,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "xtick.labelsize": 8.0,
    "ytick.labelsize": 8.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#E5E5E5",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "axes.unicode_minus": True,
    "svg.hashsalt": "labtox",
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
    "figure.dpi": 100,
    "savefig.dpi": 150,
}
"""rcParams used while a labtox figure is built and saved."""


@contextmanager
def style_context() -> Iterator[None]:
    """Apply :data:`RC` for the duration of a ``with`` block."""
    import matplotlib as mpl

    with mpl.rc_context(RC):
        yield


def new_figure(figsize: tuple[float, float] = (7.0, 4.2), **subplots: Any):
    """A new :class:`matplotlib.figure.Figure` (not registered with pyplot) and its axes.

    Built without pyplot so that library code keeps no global figure state; notebooks display it
    through their inline backend.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(**subplots)
    return fig, axes


def figure_of(ax: Any):
    """The top-level figure an Axes belongs to."""
    try:
        return ax.get_figure(root=True)
    except TypeError:  # matplotlib < 3.10
        fig = ax.figure
        while getattr(fig, "figure", fig) is not fig:
            fig = fig.figure
        return fig


def safe_text(text: object) -> str:
    """User-supplied text made literal for matplotlib: ``$`` would otherwise start mathtext."""
    return str(text).replace("$", r"\$")


_METADATA = {
    "svg": {"Date": None},
    "pdf": {"CreationDate": None, "ModDate": None},
    "png": {"Software": None},
}


def figure_bytes(fig: Any, format: str = "svg", **kwargs: Any) -> bytes:
    """Render ``fig`` to bytes, deterministically (same figure → same bytes).

    SVG keeps text as text (``svg.fonttype = none``) with a fixed ``svg.hashsalt`` and no date;
    PDF and PNG are written without creation dates or software stamps.
    """
    import matplotlib as mpl

    fmt = format.lower()
    buf = io.BytesIO()
    with mpl.rc_context(RC):
        fig.savefig(buf, format=fmt, metadata=_METADATA.get(fmt), **kwargs)
    return buf.getvalue()


def save_figure(fig: Any, path: str | PathLike[str], format: str | None = None,
                **kwargs: Any) -> Path:
    """Write ``fig`` to ``path`` (format from the suffix unless given), deterministically."""
    p = Path(path)
    fmt = (format or p.suffix.lstrip(".") or "svg").lower()
    p.write_bytes(figure_bytes(fig, fmt, **kwargs))
    return p


def add_footer(fig: Any, text: str, *, fontsize: float = 6.5, width_chars: int | None = None):
    """Write a provenance line (see :func:`labtox.plots.captions.provenance_footer`) along the
    bottom of ``fig``, wrapped to the figure width. Returns ``fig``.

    The line is the figure's ``supxlabel``, so the constrained layout keeps room for it below
    the axes and any legend placed outside them.
    """
    import textwrap

    width = width_chars or max(40, int(fig.get_figwidth() * 72 / (fontsize * 0.64)))
    wrapped = "\n".join(textwrap.wrap(safe_text(text), width=width))
    with style_context():
        fig.supxlabel(wrapped, x=0.01, ha="left", fontsize=fontsize, color="#444444",
                      linespacing=1.3)
    return fig


def place_legend(ax: Any, *, width: int = 34, **kwargs: Any):
    """Legend to the right of the axes with long labels wrapped (an Axes legend, so the
    constrained layout makes room for it and for a footer below)."""
    import textwrap

    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    labels = [textwrap.fill(lab, width) for lab in labels]
    kwargs.setdefault("loc", "upper left")
    kwargs.setdefault("bbox_to_anchor", (1.01, 1.0))
    return ax.legend(handles, labels, **kwargs)


def localise_ticks(ax: Any, lang: str) -> None:
    """Tick labels of linear axes in the language's number format (decimal comma for ru, kk)."""
    if lang == "en":
        return
    from matplotlib.ticker import FuncFormatter, ScalarFormatter

    from labtox.i18n import format_number

    for axis in (ax.xaxis, ax.yaxis):
        if isinstance(axis.get_major_formatter(), ScalarFormatter) and \
                axis.get_scale() == "linear":
            axis.set_major_formatter(FuncFormatter(
                lambda v, _pos: format_number(round(v, 12), lang)))
