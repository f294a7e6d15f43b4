"""Tests of course_utils.plots (learning curves and confusion matrices, chapter 04)."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils.plots import confusion_counts, plot_confusion_matrix, plot_history  # noqa: E402

HIST = {"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.7, 0.6], "accuracy": [0.5, 0.8, 0.9]}


class FakeHistory:
    """Stands in for keras.callbacks.History, which keeps its numbers in `.history`."""
    def __init__(self, history):
        self.history = history


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# ---------------------------------------------------------------- plot_history
def test_history_draws_train_and_validation_per_metric():
    axes = plot_history(HIST, ["loss", "accuracy"], title="run")
    assert len(axes) == 2
    loss_lines, acc_lines = axes[0].get_lines(), axes[1].get_lines()
    assert len(loss_lines) == 2 and len(acc_lines) == 1          # no val_accuracy recorded
    np.testing.assert_array_equal(loss_lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(loss_lines[1].get_ydata(), HIST["val_loss"])
    assert loss_lines[0].get_color() == loss_lines[1].get_color()
    assert axes[0].get_ylabel() == "loss" and axes[0].get_xlabel() == "epoch"
    assert axes[0].figure._suptitle.get_text() == "run"


def test_history_accepts_keras_history_and_single_metric_name():
    axes = plot_history(FakeHistory(HIST), "loss")
    assert len(axes) == 1 and len(axes[0].get_lines()) == 2


def test_history_real_keras_history():
    from course_utils import quiet_tensorflow
    quiet_tensorflow()
    import keras
    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x = np.zeros((4, 2), dtype="float32")
    history = model.fit(x, np.zeros(4), validation_data=(x, np.zeros(4)), epochs=2, verbose=0)
    axes = plot_history(history, ["loss", "mae"])
    assert [len(ax.get_lines()) for ax in axes] == [2, 2]


def test_history_overlays_runs_on_given_axes_with_labels():
    _, axes = plt.subplots(1, 2)
    plot_history(HIST, ["loss", "accuracy"], axes=axes, label="lr=0.1")
    plot_history(HIST, ["loss", "accuracy"], axes=axes, label="lr=0.01", title="compare")
    labels = [t.get_text() for t in axes[0].get_legend().get_texts()]
    assert labels == ["lr=0.1 train", "lr=0.1 validation", "lr=0.01 train", "lr=0.01 validation"]
    assert axes[0].get_title() == "compare"
    ax = plt.figure().add_subplot()
    assert plot_history(HIST, "loss", axes=ax) == [ax]


@pytest.mark.parametrize("bad", [None, [1, 2], "loss", {}])
def test_history_rejects_non_history(bad):
    with pytest.raises((TypeError, ValueError), match="history"):
        plot_history(bad)


def test_history_rejects_unknown_metric_with_available_names():
    with pytest.raises(KeyError, match=r"\['accuracy', 'loss', 'val_loss'\]"):
        plot_history(HIST, ["acc"])


@pytest.mark.parametrize("metrics", [[], 3, ["loss", 3]])
def test_history_rejects_bad_metrics(metrics):
    with pytest.raises(TypeError, match="metrics"):
        plot_history(HIST, metrics)


@pytest.mark.parametrize("values, err", [([], ValueError), ("abc", TypeError), (["a", "b"], TypeError),
                                         ([[1, 2]], ValueError), (3.0, TypeError)])
def test_history_rejects_bad_series(values, err):
    with pytest.raises(err, match="history"):
        plot_history({"loss": values})


def test_history_rejects_mismatched_validation_length():
    with pytest.raises(ValueError, match="epochs"):
        plot_history({"loss": [1, 2, 3], "val_loss": [1, 2]})


def test_history_rejects_wrong_number_of_axes_and_bad_label():
    _, axes = plt.subplots(1, 3)
    with pytest.raises(ValueError, match="one matplotlib Axes per metric"):
        plot_history(HIST, ["loss", "accuracy"], axes=axes)
    with pytest.raises(ValueError, match="Axes"):
        plot_history(HIST, ["loss"], axes=["not an axes"])
    with pytest.raises(TypeError, match="label"):
        plot_history(HIST, label=1)


# ---------------------------------------------------------------- confusion matrix
def test_counts_match_sklearn():
    from sklearn.metrics import confusion_matrix
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 5, 200), rng.integers(0, 5, 200)
    np.testing.assert_array_equal(confusion_counts(y_true, y_pred), confusion_matrix(y_true, y_pred))
    labels = [4, 2, 0, 1, 3]
    np.testing.assert_array_equal(confusion_counts(y_true, y_pred, labels),
                                  confusion_matrix(y_true, y_pred, labels=labels))


def test_counts_with_string_labels_and_absent_class():
    counts = confusion_counts(["cat", "dog", "dog"], ["cat", "cat", "dog"], labels=["cat", "dog", "fox"])
    np.testing.assert_array_equal(counts, [[1, 0, 0], [1, 1, 0], [0, 0, 0]])


@pytest.mark.parametrize("y_true, y_pred, match", [
    ([0, 1], [0], "same length"),
    ([], [], "non-empty 1-D"),
    (np.eye(3), [0, 1, 2], "argmax"),
    ([0, 1, 2], [0, 1, 7], r"y_pred holds class\(es\) \[7\]"),
])
def test_counts_reject_bad_labels(y_true, y_pred, match):
    with pytest.raises(ValueError, match=match):
        confusion_counts(y_true, y_pred, labels=[0, 1, 2] if "7" in match else None)


def test_counts_reject_bad_label_list():
    with pytest.raises(ValueError, match="repeat"):
        confusion_counts([0, 1], [0, 1], labels=[0, 1, 1])
    with pytest.raises(ValueError, match="non-empty"):
        confusion_counts([0, 1], [0, 1], labels=[])


def test_plot_confusion_matrix_shows_counts_and_accuracy():
    y_true = [0, 0, 1, 1, 2, 2]
    y_pred = [0, 1, 1, 1, 2, 0]
    ax = plot_confusion_matrix(y_true, y_pred)
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == ["1", "1", "1", "1", "2"]               # zero cells are left blank
    assert ax.get_title() == "accuracy 0.667 on 6 examples"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2"]
    assert ax.images[0].get_array().shape == (3, 3)


def test_plot_confusion_matrix_normalized_on_given_axes():
    _, ax = plt.subplots()
    out = plot_confusion_matrix(["a", "a", "b"], ["a", "b", "b"], labels=["a", "b"], ax=ax,
                                normalize=True, title="t")
    assert out is ax and ax.get_title() == "t"
    assert sorted(t.get_text() for t in ax.texts) == ["0.50", "0.50", "1.00"]


def test_plot_confusion_matrix_rejects_bad_input():
    with pytest.raises(TypeError, match="normalize"):
        plot_confusion_matrix([0, 1], [0, 1], normalize="rows")
    with pytest.raises(ValueError, match="same length"):
        plot_confusion_matrix([0, 1, 1], [0, 1])


# ---------------------------------------------------------------- plot_loss_contours (chapter 02)
def _bowl(seed=0, n=40):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return X, X @ np.array([0.5, -1.0]) + 0.1 * rng.normal(size=n)


def test_loss_contours_draws_levels_minimum_and_labels():
    from course_utils.plots import plot_loss_contours
    X, y = _bowl()
    w_star, *_ = np.linalg.lstsq(X, y, rcond=None)
    ax = plot_loss_contours(X, y, minimum=w_star, w1_range=(-2, 2), w2_range=(-3, 1), labels=("a", "b"), levels=9)
    contour = [c for c in ax.collections if hasattr(c, "levels")][0]
    assert len(contour.levels) == 9 and np.all(np.diff(contour.levels) > 0)
    (star,) = ax.get_lines()
    np.testing.assert_allclose([star.get_xdata()[0], star.get_ydata()[0]], w_star)
    assert ax.get_xlim() == (-2, 2) and ax.get_ylim() == (-3, 1)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("a", "b")


def test_loss_contours_on_given_axes_without_minimum():
    from course_utils.plots import plot_loss_contours
    _, ax = plt.subplots()
    X, y = _bowl(1)
    assert plot_loss_contours(X, y, ax=ax, grid=11) is ax
    assert ax.get_lines() == []


@pytest.mark.parametrize("kwargs, error, match", [
    ({"X": np.ones((5, 3))}, ValueError, r"shape \(n, 2\)"),
    ({"y": np.ones(4)}, ValueError, "one target per row"),
    ({"y": np.r_[np.ones(39), np.nan]}, ValueError, "NaN"),
    ({"w1_range": (1, -1)}, ValueError, "w1_range"),
    ({"w2_range": 3}, TypeError, "w2_range"),
    ({"minimum": [1.0]}, ValueError, "minimum"),
    ({"levels": 1}, ValueError, "levels"),
    ({"grid": 2.5}, ValueError, "grid"),
    ({"labels": "w"}, TypeError, "labels"),
])
def test_loss_contours_rejects_bad_input(kwargs, error, match):
    from course_utils.plots import plot_loss_contours
    X, y = _bowl()
    args = {"X": X, "y": y, **kwargs}
    with pytest.raises(error, match=match):
        plot_loss_contours(**args)


# ---------------------------------------------------------------- model sizes and costs (chapter 01)
def _models():
    import pandas as pd
    return pd.DataFrame({"name": ["A", "B", "C", "D"], "year": [2012, 2012, 2018, 2021],
                         "parameters": [1e6, 5e7, 3e9, 2e12], "domain": ["vision", "language", "language", "language"],
                         "estimated": [False, True, False, False],
                         "architecture": ["CNN", "LSTM", "Transformer", "Transformer, sparse mixture of experts"]})


def test_parameter_counts_markers_labels_and_claims():
    import pandas as pd
    from matplotlib.colors import to_rgba
    from course_utils.plots import plot_parameter_counts_over_time
    claims = pd.DataFrame({"label": ["x", "y"], "low": [1e6, 1e9], "high": [1e8, 1e9]})
    fig = plot_parameter_counts_over_time(_models(), highlight=["C"], claims=claims, short_names={"D": "dee"},
                                          label_offsets={"A": (0, 9, "center")}, title="t")
    ax, ax_claims = fig.axes
    assert ax.get_yscale() == "log" and ax.get_title() == "t"
    points = ax.collections
    assert len(points) == 4
    np.testing.assert_allclose([p.get_offsets()[0][1] for p in points], [1e6, 5e7, 3e9, 2e12])
    x = [p.get_offsets()[0][0] for p in points]
    assert x[0] < 2012 < x[1] and x[2] == 2018                       # two 2012 models are spread apart
    assert to_rgba(points[1].get_facecolor()[0]) == to_rgba("white")  # the estimate is hollow
    assert points[2].get_sizes()[0] > points[0].get_sizes()[0]        # the highlighted model is larger
    labels = {t.get_text(): t for t in ax.texts}
    assert set(labels) == {"A", "B", "C", "dee"}
    assert labels["C"].get_fontweight() == "bold" and labels["A"].get_ha() == "center"
    assert [t.get_text() for t in ax_claims.get_xticklabels()] == ["x", "y"]
    assert len(ax_claims.patches) == 1 and len(ax_claims.get_lines()) == 1   # a range is a bar, a point a line
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["vision", "language", "estimate", "mixture of experts (total)"]


def test_parameter_counts_without_optional_columns_or_claims():
    from course_utils.plots import plot_parameter_counts_over_time
    fig = plot_parameter_counts_over_time(_models()[["name", "year", "parameters", "domain"]])
    assert len(fig.axes) == 1 and len(fig.axes[0].collections) == 4


@pytest.mark.parametrize("change, error, match", [
    (lambda m: m.to_dict(), TypeError, "DataFrame"),
    (lambda m: m.drop(columns="domain"), ValueError, r"missing \['domain'\]"),
    (lambda m: m.iloc[:0], ValueError, "rows"),
    (lambda m: m.assign(parameters=[1, 0, 3, 4]), ValueError, "positive"),
    (lambda m: m.assign(year=[2012.5, 2012, 2018, 2021]), TypeError, "whole years"),
])
def test_parameter_counts_rejects_bad_models(change, error, match):
    from course_utils.plots import plot_parameter_counts_over_time
    with pytest.raises(error, match=match):
        plot_parameter_counts_over_time(change(_models()))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"highlight": "A"}, TypeError, "highlight"),
    ({"highlight": ["Z"]}, ValueError, r"\['Z'\]"),
    ({"label_offsets": {"A": (1, 2)}}, ValueError, "label_offsets"),
    ({"label_offsets": [1, 2, "left"]}, TypeError, "label_offsets"),
    ({"short_names": {"A": 3}}, ValueError, "short_names"),
    ({"claims": "big"}, ValueError, "claims"),
])
def test_parameter_counts_rejects_bad_options(kwargs, error, match):
    from course_utils.plots import plot_parameter_counts_over_time
    with pytest.raises(error, match=match):
        plot_parameter_counts_over_time(_models(), **kwargs)


def test_parameter_counts_rejects_inverted_claim():
    import pandas as pd
    from course_utils.plots import plot_parameter_counts_over_time
    with pytest.raises(ValueError, match="low <= high"):
        plot_parameter_counts_over_time(_models(), claims=pd.DataFrame({"label": ["x"], "low": [1e9], "high": [1e6]}))


def test_memory_vs_parameters_lines_points_and_device():
    from course_utils.plots import plot_memory_vs_parameters
    ax = plot_memory_vs_parameters({"small": 1e4, "big": 1e11}, {"train": 16, "fp16": 2}, device_bytes=80e9,
                                   device_label="GPU")
    train, fp16, device = ax.get_lines()
    np.testing.assert_allclose(train.get_ydata() / train.get_xdata(), 16)
    np.testing.assert_allclose(fp16.get_ydata() / fp16.get_xdata(), 2)
    assert device.get_ydata()[0] == 80e9
    np.testing.assert_allclose([p.get_offsets()[0] for p in ax.collections], [[1e4, 16e4], [1e11, 16e11]])
    assert {t.get_text() for t in ax.texts} == {"small", "big", "GPU"}
    assert ax.get_xscale() == ax.get_yscale() == "log"


@pytest.mark.parametrize("args, kwargs, error", [
    (({}, {"a": 1}), {}, TypeError),
    (({"m": 1e6}, [16]), {}, TypeError),
    (({"m": -1}, {"a": 1}), {}, ValueError),
    (({"m": 1e6}, {"a": 0}), {}, ValueError),
    (({"m": 1e6}, {"a": 1}), {"device_bytes": float("inf")}, ValueError),
])
def test_memory_vs_parameters_rejects_bad_input(args, kwargs, error):
    from course_utils.plots import plot_memory_vs_parameters
    with pytest.raises(error):
        plot_memory_vs_parameters(*args, **kwargs)


def test_durations_sorted_bars_and_marks():
    from course_utils.plots import DURATION_MARKS, plot_durations
    ax = plot_durations({"slow": 1e9, "fast": 0.5, "mid": 3600}, xlabel="s", title="T")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["fast", "mid", "slow"]
    np.testing.assert_allclose([bar.get_width() for bar in ax.patches], [0.5, 3600, 1e9])
    assert [line.get_xdata()[0] for line in ax.get_lines()] == [s for s, _ in DURATION_MARKS]
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "s" and ax.get_title() == "T"


@pytest.mark.parametrize("bad, error", [({}, TypeError), ([1, 2], TypeError), ({"a": 0}, ValueError),
                                        ({"a": "long"}, TypeError), ({"a": float("nan")}, ValueError)])
def test_durations_reject_bad_input(bad, error):
    from course_utils.plots import plot_durations
    with pytest.raises(error):
        plot_durations(bad)


# ---------------------------------------------------------------- plot_attention, plot_scaling (chapter 07)
def test_attention_draws_matrix_with_token_labels_on_a_fixed_scale():
    from course_utils.plots import plot_attention
    w = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    ax = plot_attention(w, tokens=["[CLS]", "hi", "[SEP]"], title="head 0")
    image = ax.get_images()[0]
    np.testing.assert_array_equal(image.get_array(), w)
    assert image.get_clim() == (0.0, 1.0)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["[CLS]", "hi", "[SEP]"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["[CLS]", "hi", "[SEP]"]
    assert ax.get_title() == "head 0" and ax.get_ylabel().startswith("query")


def test_attention_accepts_tensors_masks_key_tokens_and_other_ranges():
    import torch
    from course_utils.plots import plot_attention
    ax = plot_attention(torch.ones(2, 3, dtype=torch.bool).tril(), tokens=["a", "b"], key_tokens=["x", "y", "z"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["x", "y", "z"]
    sim = np.array([[1.0, -0.5], [-0.5, 1.0]])
    assert plot_attention(sim).get_images()[0].get_clim() == (-0.5, 1.0)      # not in [0, 1]: its own range
    _, given = plt.subplots()
    assert plot_attention(sim, ax=given, vmin=-1, vmax=1) is given


@pytest.mark.parametrize("weights, kwargs", [
    (np.ones(3), {}),                                        # 1-D
    (np.ones((2, 3, 3)), {}),                                # several heads at once
    (np.ones((0, 0)), {}),                                   # empty
    (np.array([[np.nan, 1.0]]), {}),                         # NaN
    ([["a", "b"]], {}),                                      # not numbers
    (np.ones((2, 2)), {"tokens": ["only one"]}),             # wrong number of labels
    (np.ones((2, 3)), {"tokens": ["a", "b"]}),               # column labels missing for 3 keys
    (np.ones((2, 2)), {"tokens": "ab"}),                     # a string is not a list of labels
])
def test_attention_rejects_bad_input(weights, kwargs):
    from course_utils.plots import plot_attention
    with pytest.raises((TypeError, ValueError)):
        plot_attention(weights, **kwargs)


def test_scaling_draws_series_and_reference_slopes():
    from course_utils.plots import plot_scaling
    n = [128, 256, 512]
    ax = plot_scaling(n, {"attention": [1.0, 4.0, 16.0], "LSTM": [1.0, 2.0, 4.0]}, ylabel="ms", title="cost")
    lines = ax.get_lines()
    assert len(lines) == 4                                   # two series, two reference lines
    np.testing.assert_allclose(lines[2].get_ydata(), [1.0, 2.0, 4.0])      # slope 1 through the first point
    np.testing.assert_allclose(lines[3].get_ydata(), [1.0, 4.0, 16.0])     # slope 2
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert ax.get_ylabel() == "ms" and ax.get_title() == "cost"
    assert len(plot_scaling(n, {"a": [1, 2, 3]}, slopes=()).get_lines()) == 1


@pytest.mark.parametrize("x, series, kwargs", [
    ([1, 2], {"a": [1, 2, 3]}, {}),                          # lengths differ
    ([2, 1], {"a": [1, 2]}, {}),                             # x not increasing
    ([0, 1], {"a": [1, 2]}, {}),                             # x not positive: no log axis
    ([1, 2], {"a": [1, -2]}, {}),                            # negative cost
    ([1, 2], {}, {}),                                        # no series
    ([1, 2], [[1, 2]], {}),                                  # not a dict
    ([1, 2], {"a": [1, 2]}, {"slopes": "12"}),               # slopes not numbers
    ([1, 2], {"a": [1, 2]}, {"var": ""}),                    # no symbol
])
def test_scaling_rejects_bad_input(x, series, kwargs):
    from course_utils.plots import plot_scaling
    with pytest.raises((TypeError, ValueError)):
        plot_scaling(x, series, **kwargs)


# ---------------------------------------------------------------- draw_network, plot_class_regions (chapter 03)
def test_draw_network_one_circle_per_unit_one_line_per_weight():
    from matplotlib.patches import Circle

    from course_utils.plots import draw_network
    ax = draw_network([2, 3, 1], layer_titles=["in", "hidden", "out"], weight_labels=["W1", "W2"])
    assert sum(isinstance(p, Circle) for p in ax.patches) == 6
    assert len(ax.get_lines()) == 2 * 3 + 3 * 1
    texts = [t.get_text() for t in ax.texts]
    for expected in ("$x_{1}$", "$h_{3}$", "$\\hat{y}$", "in", "hidden", "out", "W1", "W2"):
        assert expected in texts
    ax2 = draw_network([3, 2], ax=plt.figure().add_subplot())
    assert "$\\hat{y}_{2}$" in [t.get_text() for t in ax2.texts]


@pytest.mark.parametrize("kwargs, match", [
    ({"layer_sizes": [3]}, "at least two layers"),
    ({"layer_sizes": [2, 0, 1]}, "1 to 16 units"),
    ({"layer_sizes": [2, 2.5, 1]}, "1 to 16 units"),
    ({"layer_sizes": "231"}, "layer_sizes"),
    ({"layer_sizes": [2, 40, 1]}, "1 to 16 units"),
    ({"layer_sizes": [2, 3, 1], "layer_titles": ["a", "b"]}, "layer_titles must be None or a list of 3"),
    ({"layer_sizes": [2, 3, 1], "weight_labels": "W"}, "weight_labels"),
    ({"layer_sizes": [2, 3, 1], "spacing": 0}, "spacing"),
])
def test_draw_network_rejects_bad_input(kwargs, match):
    from course_utils.plots import draw_network
    with pytest.raises(ValueError, match=match):
        draw_network(**kwargs)


def _three_blobs():
    centres = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    X = np.concatenate([c + 0.3 * np.random.default_rng(i).normal(size=(10, 2)) for i, c in enumerate(centres)])
    return X, np.repeat([0, 1, 2], 10), lambda G: -((G[:, None, :] - centres[None]) ** 2).sum(axis=2)


def test_class_regions_colours_the_predicted_class_and_scatters_each_class():
    from course_utils.plots import plot_class_regions
    X, y, nearest = _three_blobs()
    ax = plot_class_regions(nearest, X, y, class_names=["a", "b", "c"], title="blobs", resolution=50)
    assert ax.get_title() == "blobs"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b", "c"]
    scatters = [c for c in ax.collections if c.get_offsets().shape[0] == 10]
    assert len(scatters) == 3
    filled = [c for c in ax.collections if hasattr(c, "levels")][0]
    np.testing.assert_allclose(filled.levels, [-0.5, 0.5, 1.5, 2.5])


def test_class_regions_accepts_torch_scores_and_given_axes():
    import torch

    from course_utils.plots import plot_class_regions
    X, y, nearest = _three_blobs()
    _, ax = plt.subplots()
    assert plot_class_regions(lambda G: torch.tensor(nearest(G)), X, y.astype(float), ax=ax, resolution=20) is ax


@pytest.mark.parametrize("change, error, match", [
    ({"predict": "model"}, TypeError, "predict must be a function"),
    ({"predict": lambda G: G[:, 0]}, ValueError, r"shape \(m, K\)"),
    ({"predict": lambda G: np.full((len(G), 3), np.nan)}, ValueError, "NaN"),
    ({"predict": lambda G: np.zeros((len(G), 2))}, ValueError, r"only classes 0..1"),
    ({"y": np.arange(30) % 3 + 0.5}, ValueError, "integer class labels"),
    ({"y": np.zeros(29, int)}, ValueError, "29 labels but X has 30"),
    ({"X": np.zeros((30, 3))}, ValueError, "X must"),
    ({"class_names": ["a", "b"]}, ValueError, "class_names"),
])
def test_class_regions_rejects_bad_input(change, error, match):
    from course_utils.plots import plot_class_regions
    X, y, nearest = _three_blobs()
    args = {"predict": nearest, "X": X, "y": y, "resolution": 20, **change}
    with pytest.raises(error, match=match):
        plot_class_regions(**args)


# ---------------------------------------------------------------- plot_word_by_word (chapter 06)
from course_utils.plots import plot_word_by_word  # noqa: E402

WORDS = ["the", "film", "is", "wonderful"]


def test_word_by_word_verdict_and_panels():
    rng = np.random.default_rng(0)
    gates, cells = rng.uniform(0.6, 0.8, size=(4, 5)), rng.normal(size=(4, 5))
    axes = plot_word_by_word(WORDS, [0.4, 0.45, 0.5, 0.9], {"forget gate": gates, "cell": cells}, title="T")
    assert len(axes) == 3 and axes[0].get_title() == "T"
    assert np.allclose(axes[0].lines[0].get_ydata(), [0.4, 0.45, 0.5, 0.9])
    assert [t.get_text() for t in axes[-1].get_xticklabels()] == WORDS
    gate_image, cell_image = axes[1].images[0], axes[2].images[0]
    assert gate_image.get_array().shape == (5, 4)                  # one row per unit, one column per word
    assert gate_image.get_cmap().name == "viridis" and cell_image.get_cmap().name == "RdBu"
    low, high = cell_image.get_clim()
    assert low == pytest.approx(-high) and high == pytest.approx(np.abs(cells).max())   # symmetric about 0
    assert "5 units" in axes[1].get_ylabel()


def test_word_by_word_without_panels():
    axes = plot_word_by_word(["good"], np.array([0.7]))
    assert len(axes) == 1 and [t.get_text() for t in axes[0].get_xticklabels()] == ["good"]


@pytest.mark.parametrize("words, p, panels, error, match", [
    ("the film", [0.5], None, TypeError, "list of strings"),
    ([], [], None, TypeError, "list of strings"),
    (["a", 1], [0.5, 0.5], None, TypeError, "list of strings"),
    (WORDS, [0.5, 0.5], None, ValueError, "one row per word"),
    (WORDS, [0.5, 0.5, 0.5, 1.5], None, ValueError, r"probabilities in \[0, 1\]"),
    (WORDS, [0.5, 0.5, 0.5, np.nan], None, ValueError, "NaN"),
    (WORDS, [[0.5] * 4], None, ValueError, r"shape \(words,\)"),
    (WORDS, ["x"] * 4, None, TypeError, "array of numbers"),
    (WORDS, [0.5] * 4, [np.zeros((4, 2))], TypeError, "panels must be a dict"),
    (WORDS, [0.5] * 4, {"f": np.zeros(4)}, ValueError, r"shape \(words, units\)"),
    (WORDS, [0.5] * 4, {"f": np.zeros((3, 2))}, ValueError, "3 rows but there are 4 words"),
])
def test_word_by_word_rejects_bad_input(words, p, panels, error, match):
    with pytest.raises(error, match=match):
        plot_word_by_word(words, p, panels)


# ---------------------------------------------------------------- plot_compression_tradeoffs (chapter 09)
def _compression_table():
    import pandas as pd
    return pd.DataFrame({"accuracy": [0.84, 0.83, 0.6], "Linear MB": [42.5, 10.8, 42.5],
                         "Linear MB, gzip": [39.0, np.nan, 20.0]},
                        index=["fp32 (original)", "int8", "pruned 70%"])


def test_compression_tradeoffs_points_bars_and_speedups():
    from course_utils.compression import Latency
    from course_utils.plots import plot_compression_tradeoffs
    table = _compression_table()
    latencies = {"fp32 (original)": [0.20, 0.22, 0.21], "int8": Latency(times=[0.1, 0.11, 0.1]),
                 "pruned 70%": [0.21, 0.2, 0.23]}
    fig, (ax1, ax2) = plot_compression_tradeoffs(table, latencies, compressed_column="Linear MB, gzip", threads=2)
    offsets = np.concatenate([c.get_offsets() for c in ax1.collections if len(c.get_offsets())])
    assert len(offsets) == 3 + 2                       # three variants, two with a gzip size
    assert [t.get_text() for t in ax1.get_legend().get_texts()][:3] == list(table.index)
    heights = [p.get_height() for p in ax2.patches]
    assert np.allclose(heights, [210, 100, 210])      # medians in ms
    assert [t.get_text() for t in ax2.texts] == ["1.00×", "2.10×", "1.00×"]
    assert "2 threads" in ax2.get_title()


def test_compression_tradeoffs_without_compressed_sizes_or_chance():
    from course_utils.plots import plot_compression_tradeoffs
    table = _compression_table().drop(columns="Linear MB, gzip")
    fig, (ax1, _) = plot_compression_tradeoffs(table, {n: [0.1] for n in table.index}, chance=None)
    assert len(ax1.lines) == 0 and len(ax1.texts) == 0


@pytest.mark.parametrize("change, latencies, kwargs, error, match", [
    ("not a frame", None, {}, TypeError, "non-empty pandas DataFrame"),
    ("no accuracy", None, {}, ValueError, "no column"),
    ("bad accuracy", None, {}, ValueError, "fractions from 0 to 1"),
    ("bad size", None, {}, ValueError, "positive sizes"),
    (None, [0.1], {}, TypeError, "dict from variant names"),
    (None, {"fp32 (original)": [0.1]}, {}, ValueError, "no timings for"),
    (None, "negative", {}, ValueError, "positive seconds"),
    (None, "text", {}, TypeError, "list of seconds"),
    (None, None, {"compressed_column": "gzip"}, ValueError, "no column"),
    (None, None, {"chance": 2}, ValueError, "chance"),
])
def test_compression_tradeoffs_rejects_bad_input(change, latencies, kwargs, error, match):
    from course_utils.plots import plot_compression_tradeoffs
    table = _compression_table()
    good = {n: [0.1, 0.2] for n in table.index}
    if change == "not a frame":
        table = table.to_dict()
    elif change == "no accuracy":
        table = table.drop(columns="accuracy")
    elif change == "bad accuracy":
        table = table.assign(accuracy=[84, 83, 60])
    elif change == "bad size":
        table = table.assign(**{"Linear MB": [1.0, 0.0, 2.0]})
    if latencies is None:
        latencies = good
    elif latencies == "negative":
        latencies = {**good, "int8": [-0.1]}
    elif latencies == "text":
        latencies = {**good, "int8": ["fast"]}
    with pytest.raises(error, match=match):
        plot_compression_tradeoffs(table, latencies, **kwargs)


# ---------------------------------------------------------------- plot_images, draw_boxes (chapter 05)
from course_utils.plots import draw_boxes, plot_images  # noqa: E402


def test_images_grid_grey_colour_and_channels_first():
    grey = np.arange(12.0).reshape(3, 4)
    colour = np.zeros((3, 4, 3), dtype=np.uint8)
    channels_first = np.zeros((3, 3, 5))
    axes = plot_images([grey, colour, channels_first], titles=["a", "b", "c"], ncols=2, suptitle="grid")
    assert len(axes) == 3
    assert [ax.get_title() for ax in axes] == ["a", "b", "c"]
    assert axes[0].get_images()[0].get_array().shape == (3, 4)
    assert axes[2].get_images()[0].get_array().shape == (3, 5, 3)
    assert axes[0].figure._suptitle.get_text() == "grid"
    assert len(axes[0].figure.axes) == 4 and not axes[0].figure.axes[3].axison    # the spare panel is blank
    assert axes[0].get_images()[0].get_interpolation() == "nearest"
    assert axes[0].get_images()[0].get_cmap().name == "gray" and axes[0].spines["top"].get_visible()
    per_picture = plot_images([grey, grey], cmap=["gray", "gray_r"])
    assert [ax.get_images()[0].get_cmap().name for ax in per_picture] == ["gray", "gray_r"]
    photo = plot_images([np.zeros((100, 150, 3))])[0].get_images()[0]
    assert photo.get_interpolation() == "antialiased"


def test_images_accepts_a_stack_and_tensors():
    import torch
    assert len(plot_images(np.zeros((5, 8, 8)))) == 5
    assert len(plot_images(np.zeros((8, 8)))) == 1
    assert len(plot_images([torch.zeros(1, 8, 8)])) == 1


@pytest.mark.parametrize("images, kwargs, error, match", [
    ([], {}, TypeError, "non-empty list"),
    ("picture", {}, TypeError, "non-empty list"),
    ([np.zeros(5)], {}, ValueError, r"images\[0\] must be a grey"),
    ([np.zeros((4, 4)), np.zeros((4, 4, 5))], {}, ValueError, r"images\[1\] must be a grey"),
    ([np.zeros((0, 4))], {}, ValueError, r"images\[0\] must be a grey"),
    ([np.array([["a"]])], {}, TypeError, "array of numbers"),
    ([np.zeros((4, 4))], {"titles": ["a", "b"]}, ValueError, "one title per picture"),
    ([np.zeros((4, 4))], {"titles": "a"}, ValueError, "one title per picture"),
    ([np.zeros((4, 4))], {"ncols": 0}, ValueError, "ncols must be a positive integer"),
    ([np.zeros((4, 4))], {"cmap": ["gray", "gray_r"]}, ValueError, "one name per picture"),
    ([np.zeros((4, 4))], {"cmap": 3}, ValueError, "colour-map name"),
    ([np.zeros((4, 4))], {"size": -1}, ValueError, "size must be a positive number"),
])
def test_images_reject_bad_input(images, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_images(images, **kwargs)


def test_draw_boxes_adds_rectangles_and_labels():
    ax = plot_images([np.zeros((20, 30))])[0]
    patches = draw_boxes(ax, [[1, 2, 11, 7], [5, 5, 25, 15]], labels=["cat 0.9", "dog 0.8"])
    assert len(patches) == 2 and len(ax.patches) == 2
    assert patches[0].get_xy() == (1, 2) and patches[0].get_width() == 10 and patches[0].get_height() == 5
    assert patches[0].get_edgecolor() != patches[1].get_edgecolor()
    assert [t.get_text() for t in ax.texts] == ["cat 0.9", "dog 0.8"]
    one = draw_boxes(ax, np.array([0, 0, 3, 3]), color="red")
    assert len(one) == 1 and matplotlib.colors.same_color(one[0].get_edgecolor(), "red")


@pytest.mark.parametrize("ax, boxes, labels, error, match", [
    (None, [[0, 0, 1, 1]], None, TypeError, "matplotlib Axes"),
    ("ax", np.zeros((2, 3)), None, ValueError, r"shape \(N, 4\)"),
    ("ax", [[3, 0, 1, 1]], None, ValueError, "x1 <= x2"),
    ("ax", [[0, 0, np.inf, 1]], None, ValueError, "finite"),
    ("ax", [["a", "b", "c", "d"]], None, TypeError, "array of numbers"),
    ("ax", [[0, 0, 1, 1]], ["a", "b"], ValueError, "one text per box"),
])
def test_draw_boxes_rejects_bad_input(ax, boxes, labels, error, match):
    if ax == "ax":
        ax = plt.figure().add_subplot()
    with pytest.raises(error, match=match):
        draw_boxes(ax, boxes, labels=labels)


def test_scaling_ticks_are_the_measured_sizes():
    from course_utils.plots import plot_scaling
    ax = plot_scaling([128, 256, 512], {"a": [1, 2, 3]})
    assert [t.get_text() for t in ax.get_xticklabels()] == ["128", "256", "512"]


# ---------------------------------------------------------------- plot_finetuning_costs, plot_rank_sweep (chapter 10)
def _finetuning_table():
    import pandas as pd
    return pd.DataFrame({"test accuracy": [0.88, 0.87, 0.70], "trainable parameters": [22_713_986, 148_226, 770],
                         "saved MB": [90.9, 0.6, 0.003], "method note": ["a", "b", "c"]},
                        index=["full fine-tuning", "LoRA", "frozen encoder + head"])


def test_finetuning_costs_one_panel_per_numeric_column():
    from course_utils.plots import plot_finetuning_costs
    fig, axes = plot_finetuning_costs(_finetuning_table(), suptitle="costs")
    assert len(axes) == 3                                          # the text column is skipped
    assert [p.get_width() for p in axes[1].patches] == [22_713_986, 148_226, 770]
    assert axes[1].get_xscale() == "log" and axes[0].get_xscale() == "linear"
    assert [t.get_text() for t in axes[0].get_yticklabels()] == list(_finetuning_table().index)
    assert [t.get_text().strip() for t in axes[0].texts] == ["0.880", "0.870", "0.700"]
    assert axes[2].get_title() == "saved MB (log)" and fig._suptitle.get_text() == "costs"


def test_finetuning_costs_chosen_columns():
    from course_utils.plots import plot_finetuning_costs
    _, axes = plot_finetuning_costs(_finetuning_table(), columns=["saved MB"], log_columns=())
    assert len(axes) == 1 and axes[0].get_xscale() == "linear"


@pytest.mark.parametrize("change, kwargs, error, match", [
    ("not a frame", {}, TypeError, "non-empty pandas DataFrame"),
    (None, {"columns": "saved MB"}, TypeError, "list of column names"),
    (None, {"columns": ["nope"]}, ValueError, "no column"),
    (None, {"log_columns": "saved MB"}, TypeError, "log_columns"),
    ("accuracy above 1", {}, ValueError, "at most 1"),
    ("zero size", {}, ValueError, "positive numbers"),
])
def test_finetuning_costs_rejects_bad_input(change, kwargs, error, match):
    from course_utils.plots import plot_finetuning_costs
    table = _finetuning_table()
    if change == "not a frame":
        table = table.to_dict()
    elif change == "accuracy above 1":
        table["test accuracy"] = [88, 87, 70]
    elif change == "zero size":
        table["saved MB"] = [1.0, 0.0, 1.0]
    with pytest.raises(error, match=match):
        plot_finetuning_costs(table, **kwargs)


def _sweep():
    import pandas as pd
    rows = [{"r": r, "target_modules": targets, "val_accuracy": 0.8 + 0.001 * r,
             "trainable_parameters": r * 1000 + 770, "adapter_bytes": 4 * (r * 1000 + 770) + 500}
            for targets in (["query", "value"], ["query", "key", "value"]) for r in (1, 2, 4, 8)]
    return pd.DataFrame(rows)


def test_rank_sweep_lines_per_target_set_and_reference():
    from course_utils.plots import plot_rank_sweep
    fig, (ax1, ax2) = plot_rank_sweep(_sweep(), reference=0.83)
    assert len(ax1.lines) == 2 + 1 and len(ax2.lines) == 2
    assert list(ax1.lines[0].get_xdata()) == [1, 2, 4, 8]
    assert np.allclose(ax2.lines[0].get_ydata(), [(4 * (r * 1000 + 770) + 500) / 1e3 for r in (1, 2, 4, 8)])
    assert ax1.get_xscale() == "log" and ax2.get_yscale() == "log"
    assert [t.get_text() for t in ax1.get_legend().get_texts()] == ["query, value", "query, key, value",
                                                                    "full fine-tuning"]


def test_rank_sweep_short_labels():
    from course_utils.plots import plot_rank_sweep
    _, (ax1, _) = plot_rank_sweep(_sweep(), labels={"query, key, value": "q, k, v"})
    assert [t.get_text() for t in ax1.get_legend().get_texts()] == ["query, value", "q, k, v"]


@pytest.mark.parametrize("change, kwargs, error, match", [
    ("not a frame", {}, TypeError, "non-empty pandas DataFrame"),
    ("no r", {}, ValueError, "no column"),
    ("rank zero", {}, ValueError, "positive numbers"),
    ("accuracy in percent", {}, ValueError, "at most 1"),
    (None, {"reference": 83}, ValueError, "reference"),
    (None, {"labels": ["q"]}, TypeError, "labels"),
])
def test_rank_sweep_rejects_bad_input(change, kwargs, error, match):
    from course_utils.plots import plot_rank_sweep
    frame = _sweep()
    if change == "not a frame":
        frame = frame.to_dict()
    elif change == "no r":
        frame = frame.drop(columns="r")
    elif change == "rank zero":
        frame.loc[0, "r"] = 0
    elif change == "accuracy in percent":
        frame["val_accuracy"] *= 100
    with pytest.raises(error, match=match):
        plot_rank_sweep(frame, **kwargs)


# ---------------------------------------------------------------- plot_power_law_fits, plot_compute_optimal (chapter 12)
def test_power_law_fits_draws_points_fit_and_floor():
    from course_utils.plots import plot_power_law_fits
    from course_utils.scaling import fit_power_law, power_law
    N = np.geomspace(1e3, 1e6, 5)
    L = power_law(N, 1.5, 20.0, 0.3)
    fit = fit_power_law(N, L)
    ax = plot_power_law_fits({"live": (N, L), "benchmark": (N, L + 0.1)}, {"live": fit}, title="t")
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log" and ax.get_title() == "t"
    assert len(ax.lines) == 2 + 1 + 1                       # two series, one fit, one floor
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["live", "fit: $1.50 + 20\\,N^{-0.30}$"] and "benchmark" in labels
    plt.close("all")


@pytest.mark.parametrize("series, fits, error, match", [
    ({}, None, TypeError, "non-empty dict"),
    ({"a": [1, 2, 3]}, None, TypeError, "pair"),
    ({"a": ([1, 2], [1])}, None, ValueError, "2 sizes and 1 losses"),
    ({"a": ([1, -2], [1, 1])}, None, ValueError, "positive"),
    ({"a": ([1, 2], [1, 1])}, {"b": None}, ValueError, "no series"),
    ({"a": ([1, 2], [1, 1])}, {"a": 3}, TypeError, "PowerLawFit"),
    ({"a": ([1, 2], [1, 1])}, [1], TypeError, "fits must be a dict"),
])
def test_power_law_fits_rejects_bad_input(series, fits, error, match):
    from course_utils.plots import plot_power_law_fits
    with pytest.raises(error, match=match):
        plot_power_law_fits(series, fits)


def test_compute_optimal_draws_lines_and_points():
    from course_utils.plots import plot_compute_optimal
    C = np.geomspace(1e20, 1e26, 7)
    ax = plot_compute_optimal(C, {"N ∝ C^0.5": np.sqrt(C / 120)},
                              {"Chinchilla": (5.76e23, 70e9), "table": ([1e20, 1e22], [1e9, 1e10])}, title="x")
    assert len(ax.lines) == 3 and ax.get_xscale() == "log" and ax.get_title() == "x"
    assert list(ax.lines[2].get_xdata()) == [1e20, 1e22]
    plt.close("all")


@pytest.mark.parametrize("budgets, lines, points, error, match", [
    ([1, 2], {}, None, TypeError, "non-empty dict"),
    ([2, 1], {"a": [1, 2]}, None, ValueError, "increase"),
    ([1, 2], {"a": [1]}, None, ValueError, "1 sizes for 2 budgets"),
    ([1, 2], {"a": [1, 2]}, {"p": 3}, TypeError, "pair"),
    ([1, 2], {"a": [1, 2]}, {"p": ([1, 2], [1])}, ValueError, "2 budgets and 1 sizes"),
    ([1, 2], {"a": [1, 2]}, [1], TypeError, "points must be a dict"),
])
def test_compute_optimal_rejects_bad_input(budgets, lines, points, error, match):
    from course_utils.plots import plot_compute_optimal
    with pytest.raises(error, match=match):
        plot_compute_optimal(budgets, lines, points)


# ---------------------------------------------------------------- chapter 11: training curves of a language model
def _train_log(n=60, evals=(20, 40, 60)):
    steps = list(range(1, n + 1))
    return {"steps": steps, "train_loss": [4.0 - 0.03 * s for s in steps], "eval_steps": list(evals),
            "val_loss": [3.5 - 0.02 * s for s in evals]}


def test_training_curves_smoothed_training_and_validation_with_references():
    from course_utils.plots import plot_training_curves
    ax = plot_training_curves(_train_log(), smooth=10, references={"ln 65": 4.17}, title="run", label="a")
    train, val = ax.lines[0], ax.lines[1]
    assert len(train.get_xdata()) == 51 and train.get_xdata()[0] == 10
    assert np.isclose(train.get_ydata()[0], np.mean([4.0 - 0.03 * s for s in range(1, 11)]))
    assert list(val.get_xdata()) == [20, 40, 60] and len(ax.lines) == 3
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a training (mean of 10 steps)", "a validation"]
    assert ax.get_title() == "run" and ax.get_xlabel() == "step"
    plt.close("all")


def test_training_curves_accepts_a_train_log_and_no_evaluations():
    from course_utils.gpt import TrainLog
    from course_utils.plots import plot_training_curves
    log = TrainLog(steps=[1, 2, 3], train_loss=[3.0, 2.0, 1.0])
    ax = plot_training_curves(log, smooth=1)
    assert len(ax.lines) == 1 and list(ax.lines[0].get_ydata()) == [3.0, 2.0, 1.0]
    plt.close("all")


@pytest.mark.parametrize("log, kwargs, error, match", [
    ([1, 2], {}, TypeError, "TrainLog or a dict"),
    ({"steps": [1]}, {}, KeyError, "lacks"),
    (dict(_train_log(), train_loss=[1.0]), {}, ValueError, "steps has 60 entries"),
    (dict(_train_log(), val_loss=[1.0]), {}, ValueError, "eval_steps has 3 entries"),
    (_train_log(), {"smooth": 0}, ValueError, "smooth"),
    (_train_log(), {"references": [4.17]}, TypeError, "references"),
])
def test_training_curves_rejects_bad_input(log, kwargs, error, match):
    from course_utils.plots import plot_training_curves
    with pytest.raises(error, match=match):
        plot_training_curves(log, **kwargs)
    plt.close("all")


def _shift_table():
    import pandas as pd
    return pd.DataFrame({"course test": [0.5, 0.88], "UCI amazon": [0.5, 0.86], "UCI all": [0.5, 0.85]},
                        index=["majority", "BERT"])


def test_domain_shift_bars_one_per_model_and_set():
    from course_utils.plots import plot_domain_shift
    ax = plot_domain_shift(_shift_table(), title="shift")
    assert len(ax.patches) == 2 * 3
    heights = sorted(round(p.get_height(), 2) for p in ax.patches)
    assert heights == [0.5, 0.5, 0.5, 0.85, 0.86, 0.88]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["majority", "BERT"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["chance (0.50)", "course test", "UCI amazon",
                                                                   "UCI all"]


@pytest.mark.parametrize("table, kwargs, error, match", [
    ("not a frame", {}, TypeError, "non-empty DataFrame"),
    ("percent", {}, ValueError, "at most 1"),
    (None, {"chance": 50}, ValueError, "chance"),
])
def test_domain_shift_rejects_bad_input(table, kwargs, error, match):
    from course_utils.plots import plot_domain_shift
    frame = _shift_table()
    if table == "percent":
        frame = frame * 100
    elif table is not None:
        frame = table
    with pytest.raises(error, match=match):
        plot_domain_shift(frame, **kwargs)
