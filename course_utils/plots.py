"""Plots of training runs (learning curves, confusion matrices) and of model sizes and costs.

Introduced in chapter 04 (the articles' Keras MLP), where both are first drawn by hand;
later chapters call :func:`plot_history` for any run that records one number per epoch
(a Keras ``History`` or a plain dict filled in a PyTorch loop) and
:func:`plot_confusion_matrix` for any classifier's predictions.

Chapter 01 (the big-model era) adds the plots of model sizes and costs:
:func:`plot_parameter_counts_over_time`, :func:`plot_memory_vs_parameters` and :func:`plot_durations`.

Chapter 02 (training as optimisation) adds :func:`plot_loss_contours`, the loss surface of a
two-weight linear model on which optimisers' paths are drawn.

Chapter 03 (the neuron) adds :func:`draw_network`, the input/hidden/output diagram of a small
network, and :func:`plot_class_regions`, the regions a several-class model assigns to points of the plane.

Chapter 06 (the LSTM classifier) adds :func:`plot_word_by_word`, a recurrent model's verdict after each
word of a text with heatmaps of its gates and cell state.

Chapter 05 (convolutional networks) adds :func:`plot_images`, a grid of pictures (photographs, filter
responses, digits) with titles, and :func:`draw_boxes`, detection boxes drawn over a picture.

Chapter 07 (attention and the Transformer) adds :func:`plot_attention`, one attention matrix with its
tokens, and :func:`plot_scaling`, measured costs on log-log axes against reference slopes.

Chapter 09 (making models smaller) adds :func:`plot_compression_tradeoffs`: accuracy against size, and
latency, for compressed variants of one model.

Chapter 10 (LoRA) adds :func:`plot_finetuning_costs`, one bar panel per measured cost of several ways to
fine-tune one model, and :func:`plot_rank_sweep`, accuracy and adapter size against the LoRA rank.

Chapter 11 (a small GPT) adds :func:`plot_training_curves`, a language model's training loss at every step and its
validation loss at each evaluation, with reference levels such as ln(vocabulary size).

Chapter 12 (scaling out) adds :func:`plot_power_law_fits`, losses against model size on log-log axes with fitted
power laws, and :func:`plot_compute_optimal`, compute-optimal model sizes against the compute budget.
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


# ---------------------------------------------------------------- model sizes and costs (chapter 01)
def _spread_years(years: np.ndarray, width: float = 0.6) -> np.ndarray:
    """x positions for a scatter by year: points that share a year are spread over ±width/2."""
    x = years.astype(float).copy()
    for year in np.unique(years):
        idx = np.flatnonzero(years == year)
        if idx.size > 1:
            x[idx] += np.linspace(-width / 2, width / 2, idx.size)
    return x


def _positive_counts(values, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must hold numbers, got {values!r}"[:300]) from exc
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"{name} must be a non-empty list of positive finite numbers (a log axis shows them), "
                         f"got {arr.tolist()[:8]}")
    return arr


def _name_mapping(mapping, name: str, values_ok) -> dict:
    if mapping is None:
        return {}
    if not isinstance(mapping, Mapping):
        raise TypeError(f"{name} must be a dict or None, got {type(mapping).__name__}")
    for key, value in mapping.items():
        if not values_ok(value):
            raise ValueError(f"{name}[{key!r}] is {value!r}; see the docstring for what it takes")
    return dict(mapping)


def plot_parameter_counts_over_time(models, highlight=(), claims=None, label_offsets=None, short_names=None,
                                    title: str | None = None):
    """Parameter counts against year on a logarithmic axis, one marker per model (taught in chapter 01).

    Args:
        models: a pandas DataFrame with columns ``name``, ``year``, ``parameters`` and ``domain``
            (``load_notable_models()`` returns one). Optional columns: ``estimated`` (bool: hollow
            markers) and ``architecture`` (text; "mixture of experts" in it draws a diamond, since the
            total count overstates what one token uses). Colours follow the domains in order of appearance.
        highlight: names drawn larger, with bold labels (chapter 01: the models the articles name).
        claims: ``None``, or a DataFrame with columns ``label``, ``low`` and ``high`` (parameter
            counts): drawn as bars (a line where low == high) on a second panel sharing the y-axis.
        label_offsets: ``{name: (dx, dy, ha)}`` moves a label by (dx, dy) points with alignment ``ha``
            (``"left"``, ``"center"`` or ``"right"``); the default is just right of the point.
        short_names: ``{name: text}`` to label a model with shorter text.
        title: the title of the left panel.
    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt
    import pandas as pd

    from .plotting import COLORS

    if not isinstance(models, pd.DataFrame):
        raise TypeError(f"models must be a pandas DataFrame (e.g. load_notable_models()), got {type(models).__name__}")
    missing = [c for c in ("name", "year", "parameters", "domain") if c not in models.columns]
    if missing or models.empty:
        raise ValueError(f"models needs rows and the columns name, year, parameters and domain; "
                         f"missing {missing or 'rows'}")
    params = _positive_counts(models["parameters"], "models['parameters']")
    years = np.asarray(models["year"])
    if years.dtype.kind not in "iu":
        raise TypeError(f"models['year'] must hold whole years, got dtype {years.dtype}")
    names = [str(n) for n in models["name"]]
    if isinstance(highlight, str) or not isinstance(highlight, (list, tuple, set, frozenset)):
        raise TypeError(f"highlight must be a list of model names, got {highlight!r}")
    unknown = sorted(set(highlight) - set(names))
    if unknown:
        raise ValueError(f"highlight names {unknown} are not in models['name']")
    offsets = _name_mapping(label_offsets, "label_offsets", lambda v: isinstance(v, tuple) and len(v) == 3
                            and v[2] in ("left", "center", "right"))
    short = _name_mapping(short_names, "short_names", lambda v: isinstance(v, str))
    estimated = (models["estimated"].astype(bool).to_numpy() if "estimated" in models.columns
                 else np.zeros(len(models), bool))
    moe = (models["architecture"].fillna("").str.contains("mixture of experts").to_numpy()
           if "architecture" in models.columns else np.zeros(len(models), bool))
    if claims is not None:
        if not isinstance(claims, pd.DataFrame) or not {"label", "low", "high"} <= set(claims.columns) or claims.empty:
            raise ValueError("claims must be None or a DataFrame with rows and the columns label, low and high")
        low, high = _positive_counts(claims["low"], "claims['low']"), _positive_counts(claims["high"], "claims['high']")
        if np.any(low > high):
            raise ValueError("claims: each row needs low <= high")

    domains = list(dict.fromkeys(models["domain"]))
    color_of = {d: COLORS[i % len(COLORS)] for i, d in enumerate(domains)}
    if claims is None:
        fig, ax = plt.subplots(figsize=(9, 5.5))
    else:
        fig, (ax, ax_claims) = plt.subplots(1, 2, figsize=(11, 5.5), sharey=True,
                                            gridspec_kw={"width_ratios": [4, 1.3], "wspace": 0.05})
    x = _spread_years(years)
    for i, (name, domain) in enumerate(zip(names, models["domain"])):
        big, color = name in highlight, color_of[domain]
        ax.scatter(x[i], params[i], s=110 if big else 40, marker="D" if moe[i] else "o", zorder=3,
                   facecolor="white" if estimated[i] else color,
                   edgecolor="black" if big and not estimated[i] else color, linewidth=2.5 if big else 1.2)
        dx, dy, ha = offsets.get(name, (6, -3, "left"))
        ax.annotate(short.get(name, name), (x[i], params[i]), xytext=(dx, dy), textcoords="offset points", ha=ha,
                    fontsize=8.5 if big else 7, fontweight="bold" if big else "normal")
    ax.set_yscale("log")
    ax.set_ylim(params.min() / 10, params.max() * 10)
    ax.set_xlim(years.min() - 0.6, years.max() + 1.2)
    ax.set(xlabel="year", ylabel="parameters (log scale)", title=title or "")
    handles = [plt.Line2D([], [], marker="o", ls="", color=c, label=d) for d, c in color_of.items()]
    if estimated.any():
        handles.append(plt.Line2D([], [], marker="o", ls="", mfc="white", mec="grey", label="estimate"))
    if moe.any():
        handles.append(plt.Line2D([], [], marker="D", ls="", color="grey", label="mixture of experts (total)"))
    ax.legend(handles=handles, loc="upper left", fontsize=8)
    if claims is not None:
        for j, (lo, hi) in enumerate(zip(low, high)):
            if lo == hi:
                ax_claims.plot([j - 0.3, j + 0.3], [lo, lo], color="black", lw=3)
            else:
                ax_claims.bar(j, hi - lo, bottom=lo, width=0.6, color=COLORS[(4 + j) % len(COLORS)], alpha=0.8)
        ax_claims.set_xticks(range(len(claims)), [str(s) for s in claims["label"]], rotation=45, fontsize=8)
        ax_claims.set_title("'big' according to ...", fontsize=10)
        ax_claims.grid(axis="x", visible=False)
    return fig


def plot_memory_vs_parameters(models, bytes_per_param, device_bytes: float | None = None,
                              device_label: str = "one device", ax=None):
    """Memory against parameter count on log-log axes (taught in chapter 01).

    Args:
        models: ``{name: parameter count}``; each model is a labelled point on the first line.
        bytes_per_param: ``{line label: bytes per parameter}``, e.g. ``{"Adam training": 16, "fp16": 2}``.
        device_bytes: draw a dashed horizontal line at one device's memory (e.g. ``80e9``), or ``None``.
        device_label: the text on that line.
        ax: the matplotlib Axes to draw on (a new figure if ``None``).
    Returns:
        The Axes.
    """
    import matplotlib.pyplot as plt

    for name, arg in (("models", models), ("bytes_per_param", bytes_per_param)):
        if not isinstance(arg, Mapping) or not arg:
            raise TypeError(f"{name} must be a non-empty dict, got {arg!r}"[:200])
    counts = _positive_counts(list(models.values()), "models' parameter counts")
    per_param = _positive_counts(list(bytes_per_param.values()), "bytes_per_param's values")
    if device_bytes is not None:
        _positive_counts([device_bytes], "device_bytes")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4.6))
    n = np.logspace(np.log10(counts.min()) - 1, np.log10(counts.max()) + 0.5, 100)
    for label, b in zip(bytes_per_param, per_param):
        ax.plot(n, n * b, label=label)
    if device_bytes is not None:
        ax.axhline(device_bytes, color="black", ls="--", lw=1)
        ax.text(n[0] * 1.5, device_bytes * 1.6, device_label, fontsize=8)
    first_color = ax.get_lines()[0].get_color()
    big = counts > np.sqrt(counts.min() * counts.max()) * 10      # label the big ones on their left (more room)
    for name, count, left in zip(models, counts, big):
        ax.scatter(count, count * per_param[0], color=first_color, s=18, zorder=3)
        ax.annotate(str(name), (count, count * per_param[0]), xytext=(-6, 0) if left else (4, -10),
                    ha="right" if left else "left", textcoords="offset points", fontsize=7)
    ax.set(xscale="log", yscale="log", xlabel="parameters", ylabel="bytes", title="Memory")
    ax.legend(fontsize=8, loc="upper left")
    return ax


#: Reference lines of :func:`plot_durations`: (seconds, label).
DURATION_MARKS = ((60, "1 minute"), (86_400, "1 day"), (365.25 * 86_400, "1 year"),
                  (100 * 365.25 * 86_400, "1 century"))


def plot_durations(seconds, ax=None, xlabel: str = "seconds", title: str | None = None):
    """Horizontal bars of durations on a logarithmic axis, shortest at the bottom (taught in chapter 01).

    Args:
        seconds: ``{label: duration in seconds}``.
        ax: the matplotlib Axes to draw on (a new figure if ``None``).
        xlabel, title: axis label and title.
    Dotted lines mark a minute, a day, a year and a century (:data:`DURATION_MARKS`).
    Returns:
        The Axes.
    """
    import matplotlib.pyplot as plt

    if not isinstance(seconds, Mapping) or not seconds:
        raise TypeError(f"seconds must be a non-empty dict {{label: seconds}}, got {seconds!r}"[:200])
    values = _positive_counts(list(seconds.values()), "seconds' values")
    order = np.argsort(values, kind="stable")
    labels = [str(label) for label in seconds]
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.35 * len(labels) + 1.5))
    ax.barh(range(len(order)), values[order])
    ax.set_yticks(range(len(order)), [labels[i] for i in order], fontsize=8)
    for s, text in DURATION_MARKS:
        ax.axvline(s, color="grey", ls=":", lw=1)
        ax.text(s, 1.01, text, fontsize=7, ha="center", va="bottom", transform=ax.get_xaxis_transform())
    ax.set(xscale="log", xlabel=xlabel)
    if title:
        ax.set_title(title, pad=16)
    ax.grid(axis="y", visible=False)
    return ax


# ---------------------------------------------------------------- loss surfaces (chapter 02)
def _range_pair(value, name: str) -> tuple:
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a pair of numbers (low, high), got {value!r}") from exc
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"{name} must be finite numbers with low < high, got {value!r}")
    return low, high


def plot_loss_contours(X, y, ax=None, minimum=None, w1_range=(-2.2, 2.2), w2_range=(-1.2, 2.6),
                       labels=("$w_1$", "$w_2$"), levels: int = 14, grid: int = 201):
    """Contour lines of the mean squared error ``mean((X @ w - y)**2)`` of a linear model with two weights.

    Taught in chapter 02 (training as optimisation), which draws optimisers' paths over this surface:
    plot each path ``(k, 2)`` on the returned Axes, e.g. ``ax.plot(*path.T, "o-")``.

    Args:
        X: the design matrix, shape ``(n, 2)`` (two features, no bias column).
        y: the targets, shape ``(n,)``.
        ax: the matplotlib Axes to draw on (a new figure if ``None``).
        minimum: ``None``, or the two weights of the minimum, marked with a black star.
        w1_range, w2_range: the plotted intervals ``(low, high)`` of the first and second weight.
        labels: the axis labels for the two weights.
        levels: how many contour lines; they are spaced geometrically from just above the lowest
            loss on the grid to the highest, so the valley floor gets as many lines as the walls.
        grid: grid points per axis.
    Returns:
        The Axes.
    """
    import matplotlib.pyplot as plt

    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] == 0:
        raise ValueError(f"X must have shape (n, 2): two features, no bias column; got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have one target per row of X, shape ({X.shape[0]},), got shape {y.shape}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("X and y must not contain NaN or infinity")
    w1_range, w2_range = _range_pair(w1_range, "w1_range"), _range_pair(w2_range, "w2_range")
    for name, value, low in (("levels", levels, 2), ("grid", grid, 3)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}")
    if not isinstance(labels, (tuple, list)) or len(labels) != 2 or not all(isinstance(s, str) for s in labels):
        raise TypeError(f"labels must be two strings (x label, y label), got {labels!r}")
    if minimum is not None:
        minimum = np.asarray(minimum, dtype=float)
        if minimum.shape != (2,):
            raise ValueError(f"minimum must be the two weights of the minimum, got shape {minimum.shape}")

    W1, W2 = np.meshgrid(np.linspace(*w1_range, grid), np.linspace(*w2_range, grid))
    residuals = np.stack([W1.ravel(), W2.ravel()], axis=1) @ X.T - y          # (grid², n)
    L = (residuals**2).mean(axis=1).reshape(W1.shape)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.6))
    ax.contour(W1, W2, L, levels=np.geomspace(L.min() + 1e-3, L.max(), levels), colors="0.6", linewidths=0.8)
    if minimum is not None:
        ax.plot(*minimum, marker="*", color="black", markersize=12, linestyle="none", label="minimum θ*", zorder=5)
    ax.set_xlim(w1_range)
    ax.set_ylim(w2_range)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    return ax


# ---------------------------------------------------------------- attention and its cost (chapter 07)
def _matrix_2d(values, name: str) -> np.ndarray:
    if hasattr(values, "detach"):                   # torch tensor
        values = values.detach().cpu()
        values = values.float().numpy() if values.dtype.is_floating_point else values.numpy()
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a 2-D array of numbers, got {type(values).__name__}") from exc
    if arr.ndim != 2 or arr.size == 0:
        hint = " (one head: take weights[layer][batch, head])" if arr.ndim > 2 else ""
        raise ValueError(f"{name} must be a 2-D (queries, keys) array, got shape {arr.shape}{hint}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} holds NaN or infinity")
    return arr


def _tick_labels(labels, size: int, name: str):
    if labels is None:
        return None
    if isinstance(labels, str) or not isinstance(labels, Sequence) or len(labels) != size:
        raise ValueError(f"{name} must be a list of {size} labels (one per row/column), got {labels!r}"[:300])
    return [str(t) for t in labels]


def plot_attention(weights, tokens=None, key_tokens=None, ax=None, title: str | None = None, cmap: str = "Blues",
                   vmin: float | None = None, vmax: float | None = None):
    """Draw an attention matrix: one row per query, one column per key (taught in chapter 07).

    Args:
        weights: a 2-D array or tensor ``(n_queries, n_keys)``: one head's softmax weights, a boolean mask,
            or any matrix of scores such as cosine similarities.
        tokens: labels for the rows, and for the columns too unless ``key_tokens`` is given
            (``None``: numbered positions).
        key_tokens: labels for the columns, when keys and queries differ.
        ax: the matplotlib Axes to draw on (a new figure if ``None``).
        title: the Axes title.
        cmap, vmin, vmax: colours. By default a matrix whose values all lie in [0, 1] (weights, masks) is drawn
            on the fixed scale 0..1, so that panels compare; any other matrix on its own range.
    Returns:
        The Axes.
    """
    import matplotlib.pyplot as plt

    arr = _matrix_2d(weights, "weights")
    rows = _tick_labels(tokens, arr.shape[0], "tokens")
    cols = _tick_labels(key_tokens if key_tokens is not None else tokens, arr.shape[1],
                        "key_tokens" if key_tokens is not None else "tokens (as column labels)")
    in_unit = arr.min() >= 0 and arr.max() <= 1
    vmin = (0.0 if in_unit else float(arr.min())) if vmin is None else vmin
    vmax = (1.0 if in_unit else float(arr.max())) if vmax is None else vmax
    if ax is None:
        size = min(8.0, max(3.2, 0.32 * max(arr.shape) + 1.2))
        _, ax = plt.subplots(figsize=(size, size))
    ax.imshow(arr, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    ax.grid(False)
    if rows is not None:
        ax.set_yticks(range(len(rows)), rows)
    if cols is not None:
        ax.set_xticks(range(len(cols)), cols, rotation=90)
    ax.set_xlabel("key (looked at)")
    ax.set_ylabel("query (looking)")
    if title:
        ax.set_title(title)
    return ax


def plot_scaling(x, series, ax=None, slopes=(1, 2), xlabel: str = "sequence length n", ylabel: str = "",
                 title: str | None = None, var: str = "n"):
    """Measured costs against a size on log-log axes, with dashed reference lines ∝ xˢ (taught in chapter 07).

    On log-log axes a cost that grows like xˢ is a straight line of slope s, so a measured curve can be read
    against the reference lines: parallel to the slope-2 line means quadratic.

    Args:
        x: the sizes (positive numbers, increasing), e.g. sequence lengths.
        series: ``{label: values}``, each a list of positive numbers, one per size.
        ax: the Axes to draw on (a new figure if ``None``).
        slopes: the reference slopes to draw (e.g. ``(1, 2)``), each through the first point of the first series;
            ``()`` for none.
        xlabel, ylabel, title: axis labels and title.
        var: the size's symbol in the reference lines' labels ("∝ n²").
    Returns:
        The Axes.
    """
    import matplotlib.pyplot as plt

    xs = _positive_counts(x, "x")
    if np.any(np.diff(xs) <= 0):
        raise ValueError(f"x must increase, got {xs.tolist()}")
    if not isinstance(series, Mapping) or not series:
        raise TypeError("series must be a non-empty dict {label: values}, e.g. {'attention': [...], 'LSTM': [...]}")
    curves = {}
    for label, values in series.items():
        ys = _positive_counts(values, f"series[{label!r}]")
        if ys.size != xs.size:
            raise ValueError(f"series[{label!r}] has {ys.size} values for {xs.size} sizes")
        curves[str(label)] = ys
    if not isinstance(var, str) or not var:
        raise TypeError(f"var must be a short name such as 'n', got {var!r}")
    if isinstance(slopes, (str, bytes)) or not isinstance(slopes, Sequence) or not all(
            isinstance(s, (int, float)) and not isinstance(s, bool) and np.isfinite(s) for s in slopes):
        raise TypeError(f"slopes must be a list of numbers such as (1, 2), got {slopes!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.6, 3.8))
    for label, ys in curves.items():
        ax.loglog(xs, ys, marker="o", ms=4, label=label)
    y0 = next(iter(curves.values()))[0]
    for s in slopes:
        ax.loglog(xs, y0 * (xs / xs[0]) ** s, ls="--", lw=0.9, color="grey")
        ax.annotate(rf"$\propto {var}^{{{s:g}}}$", (xs[-1], y0 * (xs[-1] / xs[0]) ** s),
                    textcoords="offset points", xytext=(4, 0), va="center", fontsize=8, color="grey")
    from matplotlib.ticker import NullLocator
    ax.set_xticks(xs, [f"{v:g}" for v in xs])             # the measured sizes, not log-axis minor ticks
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if title:
        ax.set_title(title)
    ax.legend(loc="upper left")
    return ax



# ---------------------------------------------------------------- networks and class regions (chapter 03)
def _layer_sizes(layer_sizes) -> list:
    import numbers

    if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Sequence) or len(layer_sizes) < 2 \
            or not all(isinstance(n, numbers.Integral) and not isinstance(n, bool) and 1 <= n <= 16
                       for n in layer_sizes):
        raise ValueError("layer_sizes must list at least two layers of 1 to 16 units each, e.g. [2, 3, 1]; "
                         f"got {layer_sizes!r}")
    return [int(n) for n in layer_sizes]


def _labels_for(texts, count: int, name: str) -> list:
    if texts is None:
        return [""] * count
    if isinstance(texts, (str, bytes)) or not isinstance(texts, Sequence) or len(texts) != count \
            or not all(isinstance(t, str) for t in texts):
        raise ValueError(f"{name} must be None or a list of {count} strings, got {texts!r}")
    return list(texts)


def draw_network(layer_sizes, layer_titles=None, weight_labels=None, ax=None, spacing: float = 4.0):
    """Draw a fully connected network: one circle per unit, one line per weight (taught in chapter 03).

    Args:
        layer_sizes: units per layer, input layer first, e.g. ``[2, 3, 1]`` (1 to 16 units per layer).
        layer_titles: ``None`` or one string per layer, written above it (e.g. ``"hidden layer"``).
        weight_labels: ``None`` or one string per weight matrix (``len(layer_sizes) - 1``), written below
            the lines between two layers (e.g. ``"W1 (2, 3)"``).
        ax: the matplotlib Axes to draw on (a new figure if ``None``).
        spacing: horizontal distance between layers, in the Axes' data units.
    Returns:
        The Axes. Units are labelled x₁.., h₁.. and ŷ (ŷ₁.. for several outputs).
    """
    import numbers

    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle

    from .plotting import COLORS

    sizes = _layer_sizes(layer_sizes)
    titles = _labels_for(layer_titles, len(sizes), "layer_titles")
    below = _labels_for(weight_labels, len(sizes) - 1, "weight_labels")
    if isinstance(spacing, bool) or not isinstance(spacing, numbers.Real) or not spacing > 0:
        raise ValueError(f"spacing must be a positive number, got {spacing!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(2.6 * len(sizes) + 0.6, 5))
    positions = [[(i * spacing, (n - 1) / 2 * 1.4 - k * 1.4) for k in range(n)] for i, n in enumerate(sizes)]
    for left, right in zip(positions[:-1], positions[1:]):
        for x0, y0 in left:
            for x1, y1 in right:
                ax.plot([x0, x1], [y0, y1], color="0.55", lw=1.2, zorder=1)
    out = ["$\\hat{y}$"] if sizes[-1] == 1 else ["$\\hat{y}_{%d}$" % (k + 1) for k in range(sizes[-1])]
    names = [["$x_{%d}$" % (k + 1) for k in range(sizes[0])],
             *[["$h_{%d}$" % (k + 1) for k in range(n)] for n in sizes[1:-1]], out]
    top, bottom = max(sizes) / 2 * 1.4, -max(sizes) / 2 * 1.4
    for i, (layer, labels) in enumerate(zip(positions, names)):
        for (x, y), label in zip(layer, labels):
            ax.add_patch(Circle((x, y), 0.42, facecolor="white", edgecolor=COLORS[min(i, 2)], lw=2.2, zorder=2))
            ax.text(x, y, label, ha="center", va="center", fontsize=13, zorder=3)
        ax.text(layer[0][0], top + 0.3, titles[i], ha="center", va="bottom", fontsize=10)
    for i, text in enumerate(below):
        ax.text((i + 0.5) * spacing, bottom - 0.3, text, ha="center", va="top", fontsize=10)
    ax.set(xlim=(-1.6, (len(sizes) - 1) * spacing + 1.6), ylim=(bottom - 1.6, top + 2.2))
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def plot_class_regions(predict, X, y, ax=None, resolution: int = 200, padding: float = 0.5,
                       class_names=None, title: str | None = None):
    """Colour the plane by the class a model predicts there and scatter the labelled points (chapter 03).

    The several-class companion of :func:`course_utils.plotting_2d.plot_decision_boundary`.

    Args:
        predict: callable mapping an ``(m, 2)`` array to an ``(m, K)`` array with one score per class
            (probabilities or logits: only the largest matters), e.g. ``lambda G: forward(G, params)[0]``.
        X: the points, shape ``(n, 2)``; they also set the plotted area.
        y: their classes, ``n`` integers in ``0 .. K-1``.
        ax: the matplotlib Axes to draw on (a new figure if ``None``).
        class_names: ``None`` (``"class 0"``, ...) or one name per class.
        title: the Axes title.
    Returns:
        The Axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    from .plotting import COLORS
    from .plotting_2d import _points, grid_2d

    if not callable(predict):
        raise TypeError(f"predict must be a function from an (m, 2) array to (m, K) class scores, "
                        f"got {type(predict).__name__}")
    X = _points(X)
    y = np.asarray(y).ravel()
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y has {y.shape[0]} labels but X has {X.shape[0]} points")
    if y.dtype.kind not in "iu" and not (y.dtype.kind == "f" and np.all(y == np.round(y))):
        raise ValueError(f"y must hold integer class labels 0, 1, ..., got dtype {y.dtype}")
    y = y.astype(int)
    xx, yy, grid = grid_2d(X, resolution, padding)
    scores = predict(grid)
    if hasattr(scores, "detach"):                   # torch tensor
        scores = scores.detach().cpu().numpy()
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 2 or scores.shape[0] != grid.shape[0] or scores.shape[1] < 2:
        raise ValueError(f"predict returned shape {scores.shape} for {grid.shape[0]} grid points; it must return "
                         "one row of K >= 2 class scores per point, shape (m, K)")
    if not np.all(np.isfinite(scores)):
        raise ValueError("predict returned NaN or infinity")
    k = scores.shape[1]
    if k > len(COLORS):
        raise ValueError(f"at most {len(COLORS)} classes can be coloured, got {k}")
    if y.min() < 0 or y.max() >= k:
        raise ValueError(f"y holds classes {np.unique(y)[:8].tolist()}, but predict scores only classes 0..{k - 1}")
    names = [f"class {c}" for c in range(k)] if class_names is None else _labels_for(class_names, k, "class_names")
    if ax is None:
        _, ax = plt.subplots()
    region = scores.argmax(axis=1).reshape(xx.shape)
    ax.contourf(xx, yy, region, levels=np.arange(k + 1) - 0.5, cmap=ListedColormap(COLORS[:k]), alpha=0.25)
    ax.contour(xx, yy, region, levels=np.arange(k - 1) + 0.5, colors="k", linewidths=1)
    for c, marker in zip(range(k), "os^Dv<>p"):
        ax.scatter(*X[y == c].T, color=COLORS[c], marker=marker, edgecolors="k", linewidths=0.5,
                   s=25 if X.shape[0] > 20 else 100, label=names[c], zorder=3)
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    if title:
        ax.set_title(title)
    ax.legend(loc="best")
    return ax


# ---------------------------------------------------------------- a sequence model read word by word (chapter 06)
def _per_word_array(values, name: str, length: int | None, ndim: int) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers, got {type(values).__name__}") from exc
    if arr.ndim != ndim or arr.size == 0:
        shape = "(words,)" if ndim == 1 else "(words, units)"
        raise ValueError(f"{name} must be a non-empty array of shape {shape}, got shape {arr.shape}")
    if length is not None and arr.shape[0] != length:
        raise ValueError(f"{name} has {arr.shape[0]} rows but there are {length} words: one row per word")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} holds NaN or infinity")
    return arr


def plot_word_by_word(words, p_positive, panels=None, title: str = "Reading one text: the verdict after each word"):
    """A recurrent classifier reading a text: its verdict after each word, and heatmaps of its states (chapter 06).

    Args:
        words: the tokens in reading order (the x-axis labels).
        p_positive: one probability per word, the verdict the model would give if the text stopped there.
        panels: optional mapping from a label to an array of shape ``(words, units)``, e.g.
            ``{"forget gate $f_t$": gates["f"], "cell state $c_t$": cs}``; each is drawn below the verdict as a
            heatmap with one row per unit and one column per word. Values that are all in [0, 1] (gates) use
            the ``viridis`` colours on their own range; any negative value gives a red–blue scale symmetric about 0.
        title: the title above the top panel.
    Returns:
        The list of Axes, the verdict first.
    """
    import matplotlib.pyplot as plt

    if isinstance(words, str) or not isinstance(words, Sequence) or not words \
            or not all(isinstance(w, str) for w in words):
        raise TypeError(f"words must be a non-empty list of strings (the tokens in order), got {words!r}"[:300])
    p = _per_word_array(p_positive, "p_positive", len(words), 1)
    if p.min() < 0 or p.max() > 1:
        raise ValueError(f"p_positive must hold probabilities in [0, 1], got values from {p.min():g} to {p.max():g}")
    panels = {} if panels is None else panels
    if not isinstance(panels, Mapping) or not all(isinstance(k, str) for k in panels):
        raise TypeError("panels must be a dict from labels (strings) to (words, units) arrays, "
                        f"got {type(panels).__name__}")
    arrays = {label: _per_word_array(v, f"panels[{label!r}]", len(words), 2) for label, v in panels.items()}

    n = 1 + len(arrays)
    fig, axes = plt.subplots(n, 1, figsize=(max(6.0, 0.6 * len(words) + 2.5), 2.4 + 1.9 * len(arrays)), sharex=True,
                             gridspec_kw={"height_ratios": [1.2] + [1] * len(arrays)}, squeeze=False)
    axes = list(axes[:, 0])
    axes[0].plot(range(len(words)), p, "o-")
    axes[0].axhline(0.5, color="grey", lw=0.8)
    axes[0].set(ylabel="P(positive)", ylim=(-0.05, 1.05), title=title)
    for ax, (label, values) in zip(axes[1:], arrays.items()):
        if values.min() < 0:
            limit = float(np.abs(values).max())
            cmap, vmin, vmax = "RdBu", -limit, limit
        else:
            cmap, vmin, vmax = "viridis", None, None
        image = ax.imshow(values.T, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
        ax.set(ylabel=f"{label}\n{values.shape[1]} units")
        ax.grid(False)
        fig.colorbar(image, cax=ax.inset_axes([1.01, 0, 0.015, 1]))   # beside the panel: x axes stay aligned
    axes[-1].set_xticks(range(len(words)), words, rotation=45, ha="right")
    fig.tight_layout()
    return axes


# ------------------------------------------------------------------ compression trade-offs (chapter 09)
_MARKERS = ("*", "s", "D", "o", "^", "v", "P", "X", "h", "<", ">")


def _latency_times(value, name: str) -> np.ndarray:
    """Seconds of repeated runs: a list of numbers, or an object with ``.times`` (compression.Latency)."""
    times = getattr(value, "times", value)
    try:
        arr = np.asarray(times, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"latencies[{name!r}] must be a list of seconds or a Latency, got {value!r}"[:300]) from exc
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"latencies[{name!r}] must be a non-empty list of positive seconds, got {arr.tolist()[:8]}")
    return arr


def plot_compression_tradeoffs(table, latencies, size_column: str = "Linear MB", compressed_column: str | None = None,
                               chance: float | None = 0.5, title_size: str = "Accuracy vs size",
                               threads: int | None = None):
    """Two panels for variants of one model (taught in chapter 09): accuracy against size, and latency.

    Args:
        table: a pandas DataFrame indexed by variant name, with an ``accuracy`` column and ``size_column``
            (megabytes); the first row is the reference (drawn as a star, speed-ups are relative to it).
        latencies: dict from every variant name in ``table`` to its timed runs, in seconds (a list of
            numbers, or what ``course_utils.compression.measure_latency`` returns).
        compressed_column: optional column of a second size for some variants (e.g. after gzip; NaN where
            there is none), drawn as a hollow marker with an arrow from the stored size.
        chance: accuracy of guessing, drawn as a dotted line (None: no line).
        threads: the number of CPU threads the latencies were measured with, for the title.

    Left: each variant's accuracy against its size. Right: the median latency of each variant as a bar,
    with the fastest-to-slowest range as an error bar and the speed-up over the reference written in the
    bar. Returns ``(fig, (ax_size, ax_latency))``.
    """
    import matplotlib.pyplot as plt
    import pandas as pd

    from .plotting import COLORS
    if not isinstance(table, pd.DataFrame) or table.empty:
        raise TypeError(f"table must be a non-empty pandas DataFrame indexed by variant, got {type(table).__name__}")
    columns = ["accuracy", size_column] + ([compressed_column] if compressed_column is not None else [])
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"table has no column(s) {missing}; it has {list(table.columns)}")
    acc = np.asarray(table["accuracy"], dtype=float)
    if not np.all((acc >= 0) & (acc <= 1)):
        raise ValueError(f"table['accuracy'] must hold fractions from 0 to 1, got {acc.tolist()}")
    size = np.asarray(table[size_column], dtype=float)
    if not np.all(np.isfinite(size) & (size > 0)):
        raise ValueError(f"table[{size_column!r}] must hold positive sizes, got {size.tolist()}")
    if not isinstance(latencies, Mapping):
        raise TypeError(f"latencies must be a dict from variant names to timed runs, got {type(latencies).__name__}")
    absent = [name for name in table.index if name not in latencies]
    if absent:
        raise ValueError(f"latencies has no timings for {absent}")
    times = {name: _latency_times(latencies[name], name) for name in table.index}
    if chance is not None and (isinstance(chance, bool) or not 0 <= chance <= 1):
        raise ValueError(f"chance must be an accuracy from 0 to 1 or None, got {chance!r}")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 5))
    palette = tuple(COLORS) + ("#999999", "#882255", "#44AA99", "#661100")     # the course's 8, then 4 more
    colors = [palette[i % len(palette)] for i in range(len(table))]
    for i, (name, row) in enumerate(table.iterrows()):
        marker, area, top = (_MARKERS[0], 260, 4) if i == 0 else (_MARKERS[1 + (i - 1) % (len(_MARKERS) - 1)], 80, 3)
        ax1.scatter(row[size_column], row["accuracy"], s=area, color=colors[i], marker=marker, label=name, zorder=top)
        packed = row[compressed_column] if compressed_column is not None else np.nan
        if np.isfinite(packed):
            ax1.scatter(packed, row["accuracy"], s=area, marker=marker, facecolor="white", edgecolor=colors[i],
                        lw=1.5, zorder=top)
            ax1.annotate("", xy=(packed, row["accuracy"]), xytext=(row[size_column], row["accuracy"]),
                         arrowprops={"arrowstyle": "->", "color": colors[i], "alpha": 0.6})
    if compressed_column is not None and np.isfinite(np.asarray(table[compressed_column], dtype=float)).any():
        ax1.scatter([], [], s=80, facecolor="white", edgecolor="grey", lw=1.5, label=f"hollow: {compressed_column}")
    if chance is not None:
        ax1.axhline(chance, color="grey", ls=":", lw=1)
        ax1.text(0, chance + 0.005, " chance", color="grey", fontsize=9)
    ax1.set(xlabel=f"{size_column}", ylabel="accuracy", xlim=(0, None), title=title_size)
    ax1.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=3)

    medians = np.array([np.median(t) for t in times.values()]) * 1e3
    low = medians - np.array([t.min() for t in times.values()]) * 1e3
    high = np.array([t.max() for t in times.values()]) * 1e3 - medians
    ax2.bar(list(table.index), medians, color=colors, yerr=np.array([low, high]), capsize=4)
    for i, value in enumerate(medians):
        ax2.text(i, value / 2, f"{medians[0] / value:.2f}×", ha="center", va="center", fontsize=9,
                 fontweight="bold", bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1})
    on = f" ({threads} threads)" if threads else ""
    ax2.set(ylabel="ms per call (median; min–max)", title=f"Latency, speed-up vs {table.index[0]}{on}")
    ax2.tick_params(axis="x", rotation=30)
    for label in ax2.get_xticklabels():
        label.set_horizontalalignment("right")
    fig.tight_layout()
    return fig, (ax1, ax2)


# ---------------------------------------------------------------- pictures and boxes (chapter 05)
def _picture(image, index: int) -> np.ndarray:
    if hasattr(image, "detach"):                    # torch tensor
        image = image.detach().cpu().numpy()
    arr = np.asarray(image)
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(f"images[{index}] must be an array of numbers, got {type(image).__name__}")
    if arr.ndim == 3 and arr.shape[0] in (1, 3) and arr.shape[-1] not in (3, 4):
        arr = np.moveaxis(arr, 0, -1)               # (C, H, W) as PyTorch lays it out
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if not (arr.ndim == 2 or (arr.ndim == 3 and arr.shape[-1] in (3, 4))) or 0 in arr.shape:
        raise ValueError(f"images[{index}] must be a grey (H, W) or colour (H, W, 3) picture, got shape {arr.shape}")
    return arr


def plot_images(images, titles=None, ncols: int | None = None, cmap="gray", vmin=None, vmax=None,
                size: float = 2.4, suptitle: str | None = None, interpolation: str | None = None):
    """Draw pictures side by side in a grid, each in a thin grey frame without ticks (taught in chapter 05).

    Args:
        images: a list of pictures, each grey ``(H, W)`` (drawn with ``cmap``) or colour ``(H, W, 3)``
            (``uint8`` 0..255 or floats 0..1); ``(C, H, W)`` with C = 1 or 3 is accepted too (when the last
            axis is not 3 or 4). A NumPy array of shape ``(n, H, W)`` is taken as ``n`` grey pictures.
        titles: one title per picture, or ``None``.
        ncols: pictures per row (default: all in one row, at most 6).
        cmap: colour map for grey pictures, one name for all or a list with one per picture.
        vmin, vmax: the colour map's limits (default: each picture's own range).
        size: height of one picture in inches.
        suptitle: a title over the whole grid.
        interpolation: how matplotlib resamples; default ``"nearest"`` for small pictures (at most 64 pixels
            a side, so that each pixel shows as a square) and ``"antialiased"`` for photographs.
    Returns:
        The Axes, one per picture, in a flat array.
    """
    import matplotlib.pyplot as plt

    if isinstance(images, np.ndarray) and images.ndim == 2:
        images = [images]
    elif isinstance(images, np.ndarray) and images.ndim == 3 and images.shape[-1] not in (3, 4):
        images = list(images)                       # (n, H, W): n grey pictures
    if isinstance(images, (str, bytes)) or not isinstance(images, (list, tuple)) or not images:
        raise TypeError("images must be a non-empty list of pictures (2-D grey or (H, W, 3) colour arrays), "
                        f"got {type(images).__name__}")
    pictures = [_picture(image, i) for i, image in enumerate(images)]
    if titles is not None:
        if isinstance(titles, str) or not isinstance(titles, (list, tuple)) or len(titles) != len(pictures):
            raise ValueError(f"titles must be a list with one title per picture ({len(pictures)}), "
                             f"got {titles!r}"[:200])
    cmaps = [cmap] * len(pictures) if isinstance(cmap, str) else cmap
    if not isinstance(cmaps, (list, tuple)) or len(cmaps) != len(pictures) or \
            not all(isinstance(c, str) for c in cmaps):
        raise ValueError(f"cmap must be a colour-map name or a list with one name per picture ({len(pictures)}), "
                         f"got {cmap!r}"[:200])
    if ncols is None:
        ncols = min(len(pictures), 6)
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols must be a positive integer, got {ncols!r}")
    if isinstance(size, bool) or not isinstance(size, (int, float)) or not size > 0:
        raise ValueError(f"size must be a positive number of inches, got {size!r}")
    nrows = -(-len(pictures) // ncols)
    aspect = max(p.shape[1] / p.shape[0] for p in pictures)
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size * aspect, nrows * size + (0.4 if suptitle else 0)),
                             squeeze=False)
    axes = axes.ravel()
    for ax in axes:
        ax.axis("off")
    for i, (ax, picture) in enumerate(zip(axes, pictures)):
        resample = interpolation or ("nearest" if max(picture.shape[:2]) <= 64 else "antialiased")
        ax.imshow(picture, cmap=cmaps[i] if picture.ndim == 2 else None, vmin=vmin, vmax=vmax,
                  interpolation=resample)
        ax.axis("on")
        ax.set(xticks=[], yticks=[])
        ax.grid(False)
        for spine in ax.spines.values():          # a frame shows where the picture ends (white borders too)
            spine.set(visible=True, color="0.75", linewidth=0.8)
        if titles is not None:
            ax.set_title(str(titles[i]), fontsize=10)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return axes[:len(pictures)]


def draw_boxes(ax, boxes, labels=None, color: str | None = None, linewidth: float = 2.0, linestyle: str = "-"):
    """Draw ``(x1, y1, x2, y2)`` boxes (pixel coordinates) over the picture on ``ax`` (taught in chapter 05).

    Args:
        ax: a matplotlib Axes that shows the picture (e.g. one returned by :func:`plot_images`).
        boxes: an ``(N, 4)`` array of corners, left, top, right, bottom.
        labels: ``None`` or one text per box, written at its top-left corner.
        color: one colour for all boxes (default: the course's colour cycle, one per box).
    Returns:
        The list of ``Rectangle`` patches added.
    """
    import matplotlib as mpl
    from matplotlib.patches import Rectangle

    if not hasattr(ax, "add_patch"):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    arr = np.asarray(boxes.detach().cpu().numpy() if hasattr(boxes, "detach") else boxes)
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(f"boxes must be an (N, 4) array of numbers, got {type(boxes).__name__}")
    if arr.ndim == 1 and arr.shape == (4,):
        arr = arr[None]
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValueError(f"boxes must have shape (N, 4), one (x1, y1, x2, y2) row per box; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr[:, 2] < arr[:, 0]) or np.any(arr[:, 3] < arr[:, 1]):
        raise ValueError("boxes must be finite (x1, y1, x2, y2) corners with x1 <= x2 and y1 <= y2")
    if labels is not None and (isinstance(labels, str) or len(labels) != len(arr)):
        raise ValueError(f"labels must be a list with one text per box ({len(arr)}), got {labels!r}"[:200])
    cycle = [c["color"] for c in mpl.rcParams["axes.prop_cycle"]]
    patches = []
    for i, (x1, y1, x2, y2) in enumerate(arr.tolist()):
        edge = color or cycle[i % len(cycle)]
        patch = Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, edgecolor=edge, linewidth=linewidth,
                          linestyle=linestyle)
        ax.add_patch(patch)
        patches.append(patch)
        if labels is not None:
            ax.text(x1, y1, str(labels[i]), color="white", fontsize=8, va="bottom",
                    bbox={"facecolor": edge, "edgecolor": "none", "pad": 1.5})
    return patches



# ---------------------------------------------------------------- fine-tuning costs and LoRA ranks (chapter 10)
def _positive_column(table, column: str, upper: float | None = None) -> np.ndarray:
    values = np.asarray(table[column], dtype=float)
    if not np.all(np.isfinite(values)) or np.any(values <= 0) or (upper is not None and np.any(values > upper)):
        bound = f" and at most {upper:g}" if upper is not None else ""
        raise ValueError(f"table[{column!r}] must hold positive numbers{bound}, got {values.tolist()}")
    return values


def plot_finetuning_costs(table, columns=None, log_columns=("trainable parameters", "saved MB"), suptitle=None):
    """One horizontal-bar panel per column of ``table``: several ways to fine-tune one model (taught in chapter 10).

    Args:
        table: a pandas DataFrame indexed by method (e.g. full fine-tuning, LoRA, frozen encoder), one row each.
        columns: the columns to draw, one panel each, in order (default: every numeric column). A column
            named ``... accuracy`` must hold fractions from 0 to 1; every other one positive numbers.
        log_columns: columns drawn on a logarithmic axis (counts and sizes that differ by orders of magnitude).
        suptitle: a title over all panels.
    Each bar is labelled with its value. Returns ``(fig, axes)``.
    """
    import matplotlib.pyplot as plt
    import pandas as pd

    from .plotting import COLORS
    if not isinstance(table, pd.DataFrame) or table.empty:
        raise TypeError(f"table must be a non-empty pandas DataFrame indexed by method, got {type(table).__name__}")
    if columns is None:
        columns = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])]
    if isinstance(columns, str) or not isinstance(columns, Sequence) or not columns:
        raise TypeError(f"columns must be a non-empty list of column names, got {columns!r}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"table has no column(s) {missing}; it has {list(table.columns)}")
    if isinstance(log_columns, str) or not isinstance(log_columns, Sequence):
        raise TypeError(f"log_columns must be a list of column names, got {log_columns!r}")
    values = {c: _positive_column(table, c, 1.0 if str(c).endswith("accuracy") else None) for c in columns}
    fig, axes = plt.subplots(1, len(columns), figsize=(3.2 * len(columns), 0.45 * len(table) + 1.8), squeeze=False)
    axes = axes[0]
    colors = [COLORS[i % len(COLORS)] for i in range(len(table))]
    labels = [str(name) for name in table.index]
    for k, (ax, column) in enumerate(zip(axes, columns)):
        v = values[column]
        ax.barh(range(len(v)), v, color=colors)
        ax.set_yticks(range(len(v)), labels if k == 0 else [""] * len(v))
        ax.invert_yaxis()
        log = column in log_columns
        for i, x in enumerate(v):
            text = f"{x:.3f}" if str(column).endswith("accuracy") else (f"{x:,.0f}" if x >= 100 else f"{x:.3g}")
            ax.text(x, i, " " + text, va="center", fontsize=8)
        if log:
            ax.set_xscale("log")
            ax.set_xlim(v.min() / 3, v.max() * 30)
        else:
            ax.set_xlim(0, v.max() * (1.25 if not str(column).endswith("accuracy") else 1.2))
        ax.set_title(str(column) + (" (log)" if log else ""), fontsize=10)
        ax.grid(axis="y", visible=False)
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig, axes


def plot_rank_sweep(frame, reference: float | None = None, reference_label: str = "full fine-tuning",
                    metric: str = "val_accuracy", labels=None):
    """LoRA runs of several ranks (taught in chapter 10): accuracy against r, and adapter size against r.

    Args:
        frame: one row per run, with columns ``r``, ``target_modules`` (one line per distinct value),
            ``metric`` (fractions) and ``adapter_bytes`` (what ``course_utils.lora.load_rank_sweep`` returns).
        reference: an accuracy to draw as a dashed line (e.g. full fine-tuning's), or None.
        labels: ``{targets joined by ", ": legend label}`` for long target lists (default: the joined names).
    Returns ``(fig, (ax_accuracy, ax_size))``; both x axes are log2(r), the size axis is logarithmic too.
    """
    import matplotlib.pyplot as plt
    import pandas as pd

    from .plotting import COLORS
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        raise TypeError(f"frame must be a non-empty pandas DataFrame of runs, got {type(frame).__name__}")
    needed = ["r", "target_modules", metric, "adapter_bytes"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"frame has no column(s) {missing}; it has {list(frame.columns)}")
    _positive_column(frame, "r")
    _positive_column(frame, metric, 1.0)
    _positive_column(frame, "adapter_bytes")
    if reference is not None and (isinstance(reference, bool) or not 0 <= reference <= 1):
        raise ValueError(f"reference must be an accuracy from 0 to 1 or None, got {reference!r}")
    if labels is not None and not isinstance(labels, Mapping):
        raise TypeError(f"labels must be a dict from target lists (joined by ', ') to legend labels, got {labels!r}")
    frame = frame.assign(targets=frame["target_modules"].apply(
        lambda t: ", ".join(t) if isinstance(t, (list, tuple)) else str(t)))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    for i, (targets, runs) in enumerate(frame.groupby("targets", sort=False)):
        runs = runs.sort_values("r")
        color, label = COLORS[i % len(COLORS)], (labels or {}).get(targets, targets)
        ax1.plot(runs["r"], runs[metric], marker="o", color=color, label=label)
        ax2.plot(runs["r"], runs["adapter_bytes"] / 1e3, marker="o", color=color, label=label)
    if reference is not None:
        ax1.axhline(reference, color="grey", ls="--", lw=1, label=reference_label)
    ranks = sorted(set(frame["r"].astype(int)))
    for ax in (ax1, ax2):
        ax.set_xscale("log", base=2)
        ax.set_xticks(ranks, [str(r) for r in ranks])
        ax.set_xlabel("LoRA rank r")
    ax1.set(ylabel=metric.replace("_", " "), title="Accuracy against rank")
    ax1.legend(fontsize=8, loc="lower right")
    ax2.set(yscale="log", ylabel="adapter file (kB)", title="Adapter size against rank")
    fig.tight_layout()
    return fig, (ax1, ax2)

# ---------------------------------------------------------------- scaling laws (chapter 12)
def _loss_series(series) -> dict:
    if not isinstance(series, Mapping) or not series:
        raise TypeError("series must be a non-empty dict {label: (sizes, losses)}")
    out = {}
    for label, pair in series.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"series[{label!r}] must be a pair (sizes, losses), got {type(pair).__name__}")
        sizes = _positive_counts(pair[0], f"series[{label!r}] sizes")
        losses = _positive_counts(pair[1], f"series[{label!r}] losses")
        if sizes.size != losses.size:
            raise ValueError(f"series[{label!r}] has {sizes.size} sizes and {losses.size} losses")
        out[str(label)] = (sizes, losses)
    return out


def plot_power_law_fits(series, fits=None, ax=None, xlabel: str = "parameters N (without embeddings)",
                        ylabel: str = "validation loss (nats)", title: str | None = None, show_floor: bool = True):
    """Losses against model size on log-log axes, each series with its fitted ``E + A·N^(−alpha)`` (chapter 12).

    Args:
        series: ``{label: (sizes, losses)}``, e.g. one entry per training budget.
        fits: ``{label: fit}`` for some of those labels, each with attributes ``E``, ``A``, ``alpha`` (a
            :class:`course_utils.scaling.PowerLawFit`); drawn as a line over the series' sizes, with the fit in
            the legend and, if ``show_floor``, the floor E as a dotted line.
        ax: the Axes to draw on (a new figure if ``None``).
    Returns:
        The Axes.
    """
    import matplotlib.pyplot as plt

    from .plotting import COLORS
    curves = _loss_series(series)
    fits = {} if fits is None else fits
    if not isinstance(fits, Mapping):
        raise TypeError(f"fits must be a dict {{label: fit}} or None, got {type(fits).__name__}")
    for label, fit in fits.items():
        if str(label) not in curves:
            raise ValueError(f"fits[{label!r}] has no series of that name; series are {list(curves)}")
        if not all(isinstance(getattr(fit, k, None), (int, float)) for k in ("E", "A", "alpha")):
            raise TypeError(f"fits[{label!r}] must have numbers E, A and alpha (a PowerLawFit)")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.2))
    for i, (label, (sizes, losses)) in enumerate(curves.items()):
        color = COLORS[i % len(COLORS)]
        ax.loglog(sizes, losses, "o", ms=5, color=color, label=label)
        fit = fits.get(label)
        if fit is not None:
            grid = np.geomspace(sizes.min(), sizes.max(), 100)
            ax.loglog(grid, fit.E + fit.A * grid ** (-fit.alpha), "-", lw=1.2, color=color,
                      label=rf"fit: ${fit.E:.2f} + {fit.A:.3g}\,N^{{-{fit.alpha:.2f}}}$")
            if show_floor and fit.E > 0:
                ax.axhline(fit.E, color=color, ls=":", lw=0.9)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    return ax


def plot_compute_optimal(budgets, lines, points=None, ax=None, title: str | None = None):
    """Compute-optimal model size against the training compute, on log-log axes (chapter 12).

    Args:
        budgets: compute budgets C in FLOPs (positive, increasing): the x values of ``lines``.
        lines: ``{label: sizes}``, a model size for each budget (e.g. Chinchilla's approach 3, or D = 20·N).
        points: ``{label: (C, N)}``, single models to mark (e.g. Chinchilla, Gopher, GPT-3), or a table's rows as
            ``{label: (list of C, list of N)}``.
        ax: the Axes to draw on (a new figure if ``None``).
    Returns:
        The Axes.
    """
    import matplotlib.pyplot as plt

    from .plotting import COLORS
    C = _positive_counts(budgets, "budgets")
    if np.any(np.diff(C) <= 0):
        raise ValueError("budgets must increase")
    if not isinstance(lines, Mapping) or not lines:
        raise TypeError("lines must be a non-empty dict {label: model sizes, one per budget}")
    curves = {}
    for label, sizes in lines.items():
        n = _positive_counts(sizes, f"lines[{label!r}]")
        if n.size != C.size:
            raise ValueError(f"lines[{label!r}] has {n.size} sizes for {C.size} budgets")
        curves[str(label)] = n
    marks = {}
    if points is not None:
        if not isinstance(points, Mapping):
            raise TypeError(f"points must be a dict {{label: (C, N)}} or None, got {type(points).__name__}")
        for label, pair in points.items():
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(f"points[{label!r}] must be a pair (C, N)")
            c = _positive_counts(np.atleast_1d(pair[0]), f"points[{label!r}] C")
            n = _positive_counts(np.atleast_1d(pair[1]), f"points[{label!r}] N")
            if c.size != n.size:
                raise ValueError(f"points[{label!r}] has {c.size} budgets and {n.size} sizes")
            marks[str(label)] = (c, n)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.2))
    for i, (label, n) in enumerate(curves.items()):
        ax.loglog(C, n, "-", lw=1.4, color=COLORS[i % len(COLORS)], label=label)
    markers = "s^vDPX*"
    for j, (label, (c, n)) in enumerate(marks.items()):
        ax.loglog(c, n, markers[j % len(markers)], ms=6, color=COLORS[(len(curves) + j) % len(COLORS)],
                  ls="none", label=label)
    ax.set(xlabel="training compute C (FLOPs)", ylabel="parameters N")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8)
    return ax


def plot_training_curves(log, ax=None, smooth: int = 25, references=None, title: str | None = None,
                         label: str | None = None):
    """A language model's training run (taught in chapter 11): the training loss of every step, averaged over
    ``smooth`` steps, and the validation loss at each evaluation, against the step.

    Args:
        log: a ``course_utils.gpt.TrainLog`` or a dict with ``steps``, ``train_loss``, ``eval_steps`` and
            ``val_loss`` (one number per step, and one per evaluation).
        ax: the Axes to draw on (a new figure if ``None``); draw several runs on one Axes to compare them.
        smooth: the width of the moving average of the training loss (1 draws it raw).
        references: ``{label: loss}`` drawn as dotted horizontal lines, e.g. ``{"ln 65": 4.17}``.
        title: the Axes' title; label: a prefix for the legend entries.
    Returns:
        The Axes.
    """
    import matplotlib.pyplot as plt

    data = log.as_dict() if hasattr(log, "as_dict") else log
    if not isinstance(data, Mapping):
        raise TypeError(f"log must be a TrainLog or a dict of lists, got {type(log).__name__}")
    missing = [k for k in ("steps", "train_loss", "eval_steps", "val_loss") if k not in data]
    if missing:
        raise KeyError(f"log lacks {missing}; expected steps, train_loss, eval_steps and val_loss")
    steps, train = _series(data, "steps"), _series(data, "train_loss")
    if steps.size != train.size:
        raise ValueError(f"steps has {steps.size} entries but train_loss has {train.size}")
    if isinstance(smooth, bool) or not isinstance(smooth, (int, np.integer)) or smooth < 1:
        raise ValueError(f"smooth must be a positive whole number of steps, got {smooth!r}")
    if references is not None and not isinstance(references, Mapping):
        raise TypeError(f"references must be a dict {{label: loss}} or None, got {type(references).__name__}")
    if label is not None and not isinstance(label, str):
        raise TypeError(f"label must be a string or None, got {label!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.8))
    prefix = f"{label} " if label else ""
    width = min(int(smooth), train.size)
    averaged = np.convolve(train, np.ones(width) / width, mode="valid")
    line, = ax.plot(steps[width - 1:], averaged, lw=1.2,
                    label=f"{prefix}training (mean of {width} steps)" if width > 1 else f"{prefix}training")
    if len(data["eval_steps"]):
        eval_steps, val = _series(data, "eval_steps"), _series(data, "val_loss")
        if eval_steps.size != val.size:
            raise ValueError(f"eval_steps has {eval_steps.size} entries but val_loss has {val.size}")
        ax.plot(eval_steps, val, marker="o", ms=3.5, ls="--", color=line.get_color(), label=f"{prefix}validation")
    for name, value in (references or {}).items():
        ax.axhline(float(value), ls=":", lw=1, color="grey")
        ax.annotate(f"{name}", (steps[-1], float(value)), textcoords="offset points", xytext=(-4, 3), ha="right",
                    fontsize=8, color="grey")
    ax.set(xlabel="step", ylabel="loss (nats per token)")
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right")
    return ax


__all__ = ["plot_history", "confusion_counts", "plot_confusion_matrix", "plot_parameter_counts_over_time",
           "plot_memory_vs_parameters", "plot_durations", "plot_loss_contours", "plot_attention",
           "plot_scaling", "draw_network", "plot_class_regions", "plot_word_by_word",
           "plot_compression_tradeoffs", "plot_images", "draw_boxes", "plot_finetuning_costs", "plot_rank_sweep",
           "plot_power_law_fits", "plot_compute_optimal", "plot_training_curves"]


def plot_domain_shift(table, ax=None, title: str | None = None, chance: float | None = 0.5):
    """Accuracy of several models in-domain and out-of-domain, grouped bars (chapters 06 and 08).

    Args:
        table: a DataFrame indexed by model, one column per evaluation set, accuracies from 0 to 1 (what
            ``course_utils.baselines.domain_shift_table`` returns: ``course test``, ``UCI <site>``, ``UCI all``).
        ax: the Axes to draw on (a new figure if ``None``).
        chance: draw a dotted line at this accuracy (the majority class on balanced data), or ``None``.
    Returns:
        The Axes. Models are the groups on the x axis, evaluation sets the bars within a group.
    """
    import matplotlib.pyplot as plt
    import pandas as pd

    from .plotting import COLORS
    if not isinstance(table, pd.DataFrame) or table.empty:
        raise TypeError(f"table must be a non-empty DataFrame of accuracies (models × evaluation sets), "
                        f"got {type(table).__name__}")
    values = np.column_stack([_positive_column(table, c, 1.0) for c in table.columns]) if len(table.columns) else None
    if values is None:
        raise ValueError("table has no columns: expected one column per evaluation set")
    if chance is not None and (isinstance(chance, bool) or not 0 <= chance <= 1):
        raise ValueError(f"chance must be an accuracy from 0 to 1 or None, got {chance!r}")
    n_models, n_sets = values.shape
    if ax is None:
        _, ax = plt.subplots(figsize=(max(6.4, 1.4 * n_models + 2), 4))
    width = 0.8 / n_sets
    x = np.arange(n_models)
    for j, column in enumerate(table.columns):
        ax.bar(x + (j - (n_sets - 1) / 2) * width, values[:, j], width, color=COLORS[j % len(COLORS)],
               label=str(column), edgecolor="white", linewidth=0.5)
    if chance is not None:
        ax.axhline(chance, color="grey", ls=":", lw=1, label=f"chance ({chance:.2f})")
    ax.set_xticks(x, [str(name) for name in table.index], fontsize=8)
    ax.set(ylim=(0, 1), ylabel="accuracy")
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8, ncol=min(n_sets + 1, 3), loc="lower right")
    return ax
