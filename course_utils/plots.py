"""Plots of training runs: learning curves and confusion matrices.

Introduced in chapter 04 (the articles' Keras MLP), where both are first drawn by hand;
later chapters call :func:`plot_history` for any run that records one number per epoch
(a Keras ``History`` or a plain dict filled in a PyTorch loop) and
:func:`plot_confusion_matrix` for any classifier's predictions.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def _history_dict(history) -> dict:
    """``history.history`` of a Keras ``History``, or the mapping itself."""
    if hasattr(history, "history") and isinstance(history.history, Mapping):
        history = history.history
    if not isinstance(history, Mapping):
        raise TypeError("history must be a Keras History (what model.fit returns) or a dict such as "
                        f"{{'loss': [...], 'val_loss': [...]}}, got {type(history).__name__}")
    if not history:
        raise ValueError("history is empty: was the model trained for at least one epoch?")
    return history


def _series(history: Mapping, key: str) -> np.ndarray:
    values = history[key]
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise TypeError(f"history[{key!r}] must be a list of numbers (one per epoch), got {type(values).__name__}")
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"history[{key!r}] must hold numbers, got {values!r}") from exc
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"history[{key!r}] must be a non-empty list with one number per epoch, got shape {arr.shape}")
    return arr


def plot_history(history, metrics=("loss",), axes=None, label: str | None = None, title: str | None = None):
    """Draw learning curves: one panel per metric, training and (if recorded) validation vs epoch.

    Args:
        history: what ``model.fit`` returns (a Keras ``History``) or a dict mapping names such
            as ``"loss"`` and ``"val_loss"`` to one number per epoch.
        metrics: a name or a list of names, e.g. ``["loss", "accuracy"]``. Each must be a key
            of the history; ``"val_" + name`` is drawn too when present.
        axes: ``None`` for a new figure, or one matplotlib Axes per metric (draw several runs
            on the same axes to compare them, or on neighbouring axes to set them side by side).
        label: a prefix for the legend, e.g. ``"lr=0.01"`` gives "lr=0.01 train" / "lr=0.01 validation".
        title: a title placed above the panels (on the first panel when ``axes`` are given).
    Returns:
        The list of Axes, one per metric.
    """
    import matplotlib.pyplot as plt

    hist = _history_dict(history)
    if isinstance(metrics, str):
        metrics = [metrics]
    if not isinstance(metrics, (list, tuple)) or not metrics or not all(isinstance(m, str) for m in metrics):
        raise TypeError(f"metrics must be a name or a non-empty list of names, got {metrics!r}")
    missing = [m for m in metrics if m not in hist]
    if missing:
        raise KeyError(f"metric(s) {missing} not in the history, which has {sorted(hist)}; "
                       "pass names given to compile(metrics=...) or 'loss'")
    if label is not None and not isinstance(label, str):
        raise TypeError(f"label must be a string or None, got {label!r}")

    if axes is None:
        fig, axes = plt.subplots(1, len(metrics), figsize=(4.8 * len(metrics), 3.6), squeeze=False)
        axes = list(axes[0])
        if title:
            fig.suptitle(title)
    else:
        if hasattr(axes, "plot"):                   # a single Axes
            axes = [axes]
        axes = list(np.ravel(np.asarray(axes, dtype=object)))
        if len(axes) != len(metrics) or not all(hasattr(ax, "plot") for ax in axes):
            raise ValueError(f"axes must hold one matplotlib Axes per metric ({len(metrics)}), got {len(axes)} item(s)")
        if title:
            axes[0].set_title(title)

    prefix = f"{label} " if label else ""
    for ax, name in zip(axes, metrics):
        train = _series(hist, name)
        epochs = np.arange(1, train.size + 1)
        line, = ax.plot(epochs, train, marker="o", ms=3, label=f"{prefix}train")
        val_key = f"val_{name}"
        if val_key in hist:
            val = _series(hist, val_key)
            if val.size != train.size:
                raise ValueError(f"history[{val_key!r}] has {val.size} epochs but history[{name!r}] has {train.size}")
            # Same colour as its training curve, dashed: several runs on one Axes stay readable.
            ax.plot(epochs, val, marker="s", ms=3, ls="--", color=line.get_color(), label=f"{prefix}validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        if train.size <= 20:
            ax.set_xticks(epochs)
        ax.legend(loc="best")
    return axes


def _labels_1d(values, name: str) -> np.ndarray:
    if hasattr(values, "detach"):                   # torch tensor
        values = values.detach().cpu().numpy()
    elif hasattr(values, "numpy") and not isinstance(values, np.ndarray):   # tf tensor
        values = values.numpy()
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.size == 0:
        hint = " (one-hot or probabilities? take .argmax(axis=1) first)" if arr.ndim == 2 else ""
        raise ValueError(f"{name} must be a non-empty 1-D array of class labels, got shape {arr.shape}{hint}")
    return arr


def confusion_counts(y_true, y_pred, labels=None) -> np.ndarray:
    """Confusion matrix as counts: row ``i`` = true class ``labels[i]``, column ``j`` = predicted ``labels[j]``.

    ``labels`` defaults to the sorted classes that occur in ``y_true`` or ``y_pred``
    (the same convention as ``sklearn.metrics.confusion_matrix``).
    """
    y_true, y_pred = _labels_1d(y_true, "y_true"), _labels_1d(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same length, got {y_true.size} and {y_pred.size}")
    if labels is None:
        labels = np.union1d(y_true, y_pred)
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"labels must be a non-empty list of class labels, got {labels!r}")
    if np.unique(labels).size != labels.size:
        raise ValueError(f"labels must not repeat, got {labels.tolist()}")
    for name, arr in (("y_true", y_true), ("y_pred", y_pred)):
        unknown = np.setdiff1d(arr, labels)
        if unknown.size:
            raise ValueError(f"{name} holds class(es) {unknown.tolist()[:5]} that are not in labels {labels.tolist()}")
    index = {lab: i for i, lab in enumerate(labels.tolist())}
    counts = np.zeros((labels.size, labels.size), dtype=int)
    np.add.at(counts, ([index[t] for t in y_true.tolist()], [index[p] for p in y_pred.tolist()]), 1)
    return counts


def plot_confusion_matrix(y_true, y_pred, labels=None, ax=None, normalize: bool = False,
                          title: str | None = None, cmap: str = "Blues"):
    """Draw the confusion matrix of a classifier with the count (or row fraction) in each cell.

    Args:
        y_true, y_pred: 1-D arrays of class labels (integers or strings), one per example.
        labels: the classes in display order (default: sorted classes present in either array).
        ax: the matplotlib Axes to draw on (a new figure if ``None``).
        normalize: show each row as fractions of that true class instead of counts.
        title: the Axes title (default: the accuracy).
    Returns:
        The Axes.
    """
    import matplotlib.pyplot as plt

    if not isinstance(normalize, bool):
        raise TypeError(f"normalize must be True or False, got {normalize!r}")
    counts = confusion_counts(y_true, y_pred, labels)
    labels = np.union1d(_labels_1d(y_true, "y_true"), _labels_1d(y_pred, "y_pred")) if labels is None else np.asarray(labels)
    if normalize:
        totals = counts.sum(axis=1, keepdims=True)
        shown = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    else:
        shown = counts
    if ax is None:
        size = max(3.6, 0.45 * labels.size + 1.5)
        _, ax = plt.subplots(figsize=(size, size))
    ax.imshow(shown, cmap=cmap, vmin=0, vmax=max(float(shown.max()), 1e-12))
    ax.grid(False)
    ax.spines[:].set_visible(False)
    names = [str(lab) for lab in labels.tolist()]
    ax.set_xticks(range(len(names)), names)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    threshold = shown.max() / 2
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            if counts[i, j] == 0:
                continue
            text = f"{shown[i, j]:.2f}" if normalize else f"{counts[i, j]:d}"
            ax.text(j, i, text, ha="center", va="center", fontsize=8,
                    color="white" if shown[i, j] > threshold else "black")
    if title is None:
        title = f"accuracy {np.trace(counts) / counts.sum():.3f} on {counts.sum()} examples"
    ax.set_title(title)
    return ax


__all__ = ["plot_history", "confusion_counts", "plot_confusion_matrix"]
