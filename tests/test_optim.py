"""Tests of course_utils.optim (chapter 02): normal use, agreement with PyTorch, bad input."""
import numpy as np
import pytest

from course_utils.optim import AdamNumpy, gd_step, numerical_gradient


def _problem(seed=0, n=30, p=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    y = X @ rng.normal(size=p) + 0.1 * rng.normal(size=n)
    return X, y


def _loss(theta, X, y):
    r = X @ theta - y
    return float(r @ r) / len(y)


def _grad(theta, X, y):
    return 2 / len(y) * X.T @ (X @ theta - y)


# ---- gd_step --------------------------------------------------------------------------

def test_gd_step_value_and_no_mutation():
    theta = np.array([1.0, -2.0])
    new = gd_step(theta, np.array([0.5, 1.0]), lr=0.1)
    np.testing.assert_allclose(new, [0.95, -2.1])
    np.testing.assert_array_equal(theta, [1.0, -2.0])


def test_gd_converges_to_least_squares():
    X, y = _problem()
    theta = np.zeros(X.shape[1])
    for _ in range(2000):
        theta = gd_step(theta, _grad(theta, X, y), lr=0.1)
    best, *_ = np.linalg.lstsq(X, y, rcond=None)
    np.testing.assert_allclose(theta, best, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), "0.1", True, None])
def test_gd_step_rejects_bad_lr(lr):
    with pytest.raises((ValueError, TypeError), match="lr"):
        gd_step(np.ones(2), np.ones(2), lr)


def test_gd_step_rejects_bad_arrays():
    with pytest.raises(ValueError, match="shape"):
        gd_step(np.ones(3), np.ones(2), 0.1)
    with pytest.raises(ValueError, match="NaN or infinity"):
        gd_step(np.ones(2), np.array([1.0, np.nan]), 0.1)
    with pytest.raises(TypeError, match="array of numbers"):
        gd_step(["a", "b"], np.ones(2), 0.1)
    with pytest.raises(ValueError, match="empty"):
        gd_step([], [], 0.1)


# ---- AdamNumpy ------------------------------------------------------------------------

def test_adam_matches_torch_trajectory():
    torch = pytest.importorskip("torch")
    X, y = _problem(seed=1)
    theta0 = np.zeros(X.shape[1])
    opt = AdamNumpy(lr=0.05, betas=(0.9, 0.99), eps=1e-8)
    ours, theta = [], theta0
    for _ in range(200):
        theta = opt.step(theta, _grad(theta, X, y))
        ours.append(theta)
    p = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    topt = torch.optim.Adam([p], lr=0.05, betas=(0.9, 0.99), eps=1e-8)
    theirs = []
    for _ in range(200):
        topt.zero_grad()
        ((Xt @ p - yt) ** 2).mean().backward()
        topt.step()
        theirs.append(p.detach().numpy().copy())
    np.testing.assert_allclose(np.array(ours), np.array(theirs), rtol=1e-9, atol=1e-12)
    assert opt.t == 200


def test_adam_first_step_is_lr_times_sign_and_uncorrected_is_larger():
    g = np.array([3.0, -0.2, 50.0])
    corrected = AdamNumpy(lr=0.01).step(np.zeros(3), g)
    np.testing.assert_allclose(corrected, -0.01 * np.sign(g), rtol=1e-5)
    uncorrected = AdamNumpy(lr=0.01, bias_correction=False).step(np.zeros(3), g)
    np.testing.assert_allclose(uncorrected / corrected, 0.1 / np.sqrt(0.001), rtol=1e-4)


def test_adam_reset_and_does_not_mutate():
    opt = AdamNumpy(lr=0.1)
    theta = np.ones(2)
    opt.step(theta, np.ones(2))
    np.testing.assert_array_equal(theta, np.ones(2))
    opt.reset()
    assert opt.t == 0 and opt.m is None
    opt.step(np.ones(3), np.ones(3))          # a new shape is fine after reset()
    assert "t=1" in repr(opt)


@pytest.mark.parametrize("kwargs, match", [
    ({"lr": 0}, "lr"), ({"lr": -1e-3}, "lr"), ({"lr": "fast"}, "lr"),
    ({"betas": (1.0, 0.999)}, "beta1"), ({"betas": (0.9, -0.1)}, "beta2"), ({"betas": 0.9}, "betas"),
    ({"eps": -1e-8}, "eps"), ({"bias_correction": "yes"}, "bias_correction"),
])
def test_adam_rejects_bad_settings(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        AdamNumpy(**kwargs)


def test_adam_rejects_bad_steps():
    opt = AdamNumpy()
    with pytest.raises(ValueError, match="shape"):
        opt.step(np.ones(2), np.ones(3))
    opt.step(np.ones(2), np.ones(2))
    with pytest.raises(ValueError, match="reset"):
        opt.step(np.ones(4), np.ones(4))
    with pytest.raises(ValueError, match="NaN or infinity"):
        opt.step(np.ones(2), np.array([np.inf, 0.0]))


# ---- numerical_gradient ---------------------------------------------------------------

def test_numerical_gradient_matches_analytic():
    X, y = _problem(seed=2)
    theta = np.random.default_rng(3).normal(size=X.shape[1])
    num = numerical_gradient(lambda t: _loss(t, X, y), theta)
    np.testing.assert_allclose(num, _grad(theta, X, y), rtol=1e-6, atol=1e-9)


def test_numerical_gradient_keeps_shape_and_accepts_numpy_scalars():
    theta = np.arange(6.0).reshape(2, 3)
    num = numerical_gradient(lambda t: np.sum(t**2), theta)
    assert num.shape == (2, 3)
    np.testing.assert_allclose(num, 2 * theta, atol=1e-6)


def test_numerical_gradient_rejects_bad_input():
    with pytest.raises(TypeError, match="function"):
        numerical_gradient(3.0, np.ones(2))
    with pytest.raises(TypeError, match="single finite number"):
        numerical_gradient(lambda t: t, np.ones(2))          # returns an array, not a number
    with pytest.raises(TypeError, match="single finite number"):
        numerical_gradient(lambda t: float("nan"), np.ones(2))
    with pytest.raises(ValueError, match="h"):
        numerical_gradient(lambda t: 0.0, np.ones(2), h=0)
