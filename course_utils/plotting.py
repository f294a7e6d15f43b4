"""One plotting style for every chapter.

Introduced in chapter 00. Call :func:`use_course_style` once in a notebook's set-up
cell; figures then share sizes, fonts, grid and the colour cycle in :data:`COLORS`.
"""
from __future__ import annotations

import matplotlib as mpl

#: Colour-blind-safe palette (Okabe–Ito), in the order plots use it.
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

_STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.frameon": False,
    "font.size": 10,
    "image.cmap": "viridis",
    "svg.hashsalt": "bigmodel-course",   # identical SVG output run to run
}


def use_course_style(**overrides) -> None:
    """Apply the course's matplotlib style; keyword arguments override single rcParams.

    Example: ``use_course_style(**{"figure.figsize": (8, 3)})``.
    """
    unknown = [k for k in overrides if k not in mpl.rcParams]
    if unknown:
        raise KeyError(f"unknown matplotlib setting(s) {unknown}; see matplotlib.rcParams.keys()")
    mpl.rcParams.update(_STYLE)
    mpl.rcParams["axes.prop_cycle"] = mpl.cycler(color=COLORS)
    mpl.rcParams.update(overrides)
