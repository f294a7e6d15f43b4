"""Tests of course_utils.plotting_2d (decision boundaries, chapter 03)."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils.plotting_2d import grid_2d, plot_decision_boundary  # noqa: E402

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([0, 1, 1, 1])


def linear(G):
    return 1 / (1 + np.exp(-(4 * G[:, 0] + 4 * G[:, 1] - 2)))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_grid_covers_points_with_padding():
    xx, yy, pts = grid_2d(X, resolution=11, padding=0.5)
    assert xx.shape == yy.shape == (11, 11)
    assert pts.shape == (121, 2)
    assert xx.min() == pytest.approx(-0.5) and xx.max() == pytest.approx(1.5)
    assert yy.min() == pytest.approx(-0.5) and yy.max() == pytest.approx(1.5)
    np.testing.assert_array_equal(pts[:, 0], xx.ravel())


def test_grid_widens_a_degenerate_axis():
    xx, yy, _ = grid_2d([[1.0, 2.0], [3.0, 2.0]], resolution=5, padding=0)
    assert yy.min() < 2.0 < yy.max()
    assert xx.min() == 1.0 and xx.max() == 3.0


@pytest.mark.parametrize("bad", [np.zeros((3, 3)), np.zeros(4), np.zeros((0, 2)), [[0.0, np.nan]]])
def test_grid_rejects_bad_points(bad):
    with pytest.raises(ValueError, match="X"):
        grid_2d(bad)


@pytest.mark.parametrize("kw", [{"resolution": 1}, {"resolution": 2.5}, {"resolution": True}, {"padding": -1}])
def test_grid_rejects_bad_settings(kw):
    with pytest.raises(ValueError):
        grid_2d(X, **kw)


def test_plot_draws_regions_boundary_and_points():
    calls = []

    def predict(G):
        calls.append(G.shape)
        return linear(G)

    ax = plot_decision_boundary(predict, X, Y, resolution=30, title="OR")
    assert calls == [(900, 2)]
    assert ax.get_title() == "OR"
    assert len(ax.collections) >= 3          # filled contours, boundary line, two scatters
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["class 0", "class 1"]


def test_plot_accepts_column_output_existing_axes_and_torch():
    torch = pytest.importorskip("torch")
    _, ax = plt.subplots()
    out = plot_decision_boundary(lambda G: linear(G)[:, None], X, Y, ax=ax, resolution=10)
    assert out is ax
    plot_decision_boundary(lambda G: torch.tensor(linear(G)), X, Y, resolution=10)


def test_plot_without_boundary_when_probability_is_flat():
    ax = plot_decision_boundary(lambda G: np.full(len(G), 0.5), X, Y, resolution=10)
    assert ax is not None


def test_plot_rejects_bad_input():
    with pytest.raises(TypeError, match="predict"):
        plot_decision_boundary("not a function", X, Y)
    with pytest.raises(ValueError, match="labels"):
        plot_decision_boundary(linear, X, Y[:3])
    with pytest.raises(ValueError, match="0 and 1"):
        plot_decision_boundary(linear, X, np.array([0, 1, 2, 1]))
    with pytest.raises(ValueError, match="one probability per row"):
        plot_decision_boundary(lambda G: linear(G)[:5], X, Y, resolution=10)
    with pytest.raises(ValueError, match="probabilities"):
        plot_decision_boundary(lambda G: 4 * G[:, 0] - 2, X, Y, resolution=10)
    with pytest.raises(ValueError, match="threshold"):
        plot_decision_boundary(linear, X, Y, threshold=1.0)
    with pytest.raises(ValueError, match="class_names"):
        plot_decision_boundary(linear, X, Y, class_names=("a",))


@pytest.mark.parametrize("bad", [None, "ab", ("a", 1), ["only one"], 2])
def test_class_names_must_be_two_strings(bad):
    """Issue 9: class_names=None raised a bare TypeError (len of None)."""
    X, Y = np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0, 1])
    with pytest.raises(ValueError, match=r"class_names needs two names .*got"):
        plot_decision_boundary(lambda G: np.full(len(G), 0.5), X, Y, class_names=bad)
