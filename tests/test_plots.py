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
