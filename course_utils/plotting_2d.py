"""Decision boundaries of two-feature classifiers.

Introduced in chapter 03 (the neuron), where the first boundary is drawn by hand with
``np.meshgrid`` and ``contourf``; later chapters call :func:`plot_decision_boundary`
for any model that maps points of the plane to the probability of class 1.
"""
from __future__ import annotations

import numbers

import numpy as np

from .plotting import COLORS


def _points(X) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] == 0:
        raise ValueError(f"X must be a non-empty array of shape (n_points, 2), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinity")
    return X


def grid_2d(X, resolution: int = 200, padding: float = 0.5):
    """A regular grid covering the points ``X`` (shape (n, 2)) plus ``padding`` on every side.

    Returns ``(xx, yy, points)``: the two ``(resolution, resolution)`` coordinate arrays of
    ``np.meshgrid`` and the same grid as a ``(resolution**2, 2)`` array ready for ``predict``.
    """
    X = _points(X)
    if isinstance(resolution, bool) or not isinstance(resolution, numbers.Integral) or resolution < 2:
        raise ValueError(f"resolution must be an integer >= 2, got {resolution!r}")
    if isinstance(padding, bool) or not isinstance(padding, numbers.Real) or padding < 0:
        raise ValueError(f"padding must be a non-negative number, got {padding!r}")
    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    same = lo == hi                      # all points on one vertical/horizontal line: widen
    lo, hi = np.where(same, lo - 1, lo), np.where(same, hi + 1, hi)
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def plot_decision_boundary(predict, X, y, ax=None, resolution: int = 200, padding: float = 0.5,
                           threshold: float = 0.5, class_names=("class 0", "class 1"), title: str | None = None):
    """Shade P(class 1) over the plane, draw the ``threshold`` contour and scatter the points.

    Args:
        predict: callable mapping an ``(m, 2)`` array to ``m`` probabilities of class 1
            (shape ``(m,)`` or ``(m, 1)``), e.g. ``lambda G: sigmoid(G @ w + b)``.
        X: the points to show, shape ``(n, 2)``; they also set the plotted area.
        y: their labels, ``n`` values in {0, 1}.
        ax: the matplotlib Axes to draw on (a new figure if ``None``).
        threshold: the probability drawn as the boundary line.
    Returns:
        The Axes.
    """
    import matplotlib.pyplot as plt

    if not callable(predict):
        raise TypeError(f"predict must be a function from an (m, 2) array to m probabilities, got {type(predict).__name__}")
    X = _points(X)
    y = np.asarray(y).ravel()
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y has {y.shape[0]} labels but X has {X.shape[0]} points")
    if not np.all(np.isin(y, (0, 1))):
        raise ValueError(f"y must hold class labels 0 and 1, got values {np.unique(y)[:5]}")
    if not isinstance(threshold, numbers.Real) or not 0 < threshold < 1:
        raise ValueError(f"threshold must be a probability strictly between 0 and 1, got {threshold!r}")
    if isinstance(class_names, str) or not isinstance(class_names, (list, tuple)) or len(class_names) != 2 \
            or not all(isinstance(name, str) for name in class_names):
        raise ValueError(f"class_names needs two names (class 0, class 1) as a tuple of strings such as "
                         f"('class 0', 'class 1'), got {class_names!r}")
    xx, yy, grid = grid_2d(X, resolution, padding)
    probs = predict(grid)
    if hasattr(probs, "detach"):         # torch tensor
        probs = probs.detach().cpu().numpy()
    probs = np.asarray(probs, dtype=float)
    if probs.size != grid.shape[0]:
        raise ValueError(f"predict returned {probs.size} values for {grid.shape[0]} grid points; "
                         "it must return one probability per row, shape (m,) or (m, 1)")
    probs = probs.reshape(xx.shape)
    if not np.all(np.isfinite(probs)) or probs.min() < 0 or probs.max() > 1:
        raise ValueError("predict must return probabilities in [0, 1] (apply a sigmoid to logits first)")
    if ax is None:
        _, ax = plt.subplots()
    ax.contourf(xx, yy, probs, levels=np.linspace(0, 1, 11), cmap="RdBu", alpha=0.35, vmin=0, vmax=1)
    if probs.min() < threshold < probs.max():
        ax.contour(xx, yy, probs, levels=[threshold], colors="k", linewidths=1.5)
    for label, colour, marker in ((0, COLORS[1], "o"), (1, COLORS[0], "s")):
        mask = y == label
        ax.scatter(X[mask, 0], X[mask, 1], c=colour, marker=marker, edgecolors="k", linewidths=0.5,
                   s=30 if X.shape[0] > 20 else 120, label=class_names[label], zorder=3)
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    if title:
        ax.set_title(title)
    ax.legend(loc="best")
    return ax
