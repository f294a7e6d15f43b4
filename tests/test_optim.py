"""Tests of course_utils.optim (chapter 02): normal use, agreement with PyTorch, bad input."""
import numpy as np
import pytest

from course_utils.optim import (AdamNumpy, AdamWNumpy, clip_by_global_norm, gd_step, numerical_gradient,
                                warmup_cosine_lr)


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


# ---- AdamWNumpy -----------------------------------------------------------------------

def _torch_adamw_path(X, y, theta0, steps, schedule=None, clip=None, **kwargs):
    """Trajectory of torch.optim.AdamW (optionally with a LambdaLR schedule and clip_grad_norm_)."""
    torch = pytest.importorskip("torch")
    p = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    opt = torch.optim.AdamW([p], **kwargs)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule) if schedule else None
    path = []
    for _ in range(steps):
        opt.zero_grad()
        ((Xt @ p - yt) ** 2).mean().backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_([p], clip)
        opt.step()
        if sched:
            sched.step()
        path.append(p.detach().numpy().copy())
    return np.array(path)


def test_adamw_matches_torch_trajectory():
    X, y = _problem(seed=4)
    theta0 = np.random.default_rng(5).normal(size=X.shape[1])
    opt = AdamWNumpy(lr=0.05, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
    ours, theta = [], theta0
    for _ in range(150):
        theta = opt.step(theta, _grad(theta, X, y))
        ours.append(theta)
    theirs = _torch_adamw_path(X, y, theta0, 150, lr=0.05, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
    np.testing.assert_allclose(np.array(ours), theirs, rtol=1e-9, atol=1e-12)


def test_adamw_with_schedule_and_clipping_matches_torch():
    X, y = _problem(seed=6)
    theta0 = 3 * np.random.default_rng(7).normal(size=X.shape[1])    # far away: the gradient norm is > 1 at first
    steps, warmup = 120, 12
    opt = AdamWNumpy(lr=0.1, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
    ours, theta, norms = [], theta0, []
    for step in range(steps):
        opt.lr = warmup_cosine_lr(step, 0.1, warmup, steps)
        g, norm = clip_by_global_norm(_grad(theta, X, y), 1.0)
        norms.append(norm)
        theta = opt.step(theta, g)
        ours.append(theta)
    assert max(norms) > 1.0                                               # clipping was active
    theirs = _torch_adamw_path(X, y, theta0, steps, schedule=lambda s: warmup_cosine_lr(s, 1.0, warmup, steps),
                               clip=1.0, lr=0.1, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
    np.testing.assert_allclose(np.array(ours), theirs, rtol=1e-9, atol=1e-12)


def test_adamw_without_decay_is_adam_and_decay_shrinks():
    X, y = _problem(seed=8)
    theta0 = np.ones(X.shape[1])
    a, w = AdamNumpy(lr=0.01), AdamWNumpy(lr=0.01, weight_decay=0.0)
    np.testing.assert_array_equal(a.step(theta0, _grad(theta0, X, y)), w.step(theta0, _grad(theta0, X, y)))
    # with a zero gradient only the decay acts: θ·(1 − lr·λ)
    np.testing.assert_allclose(AdamWNumpy(lr=0.1, weight_decay=0.5).step(theta0, np.zeros_like(theta0)),
                               0.95 * theta0, rtol=1e-12)
    assert "weight_decay=0.5" in repr(AdamWNumpy(weight_decay=0.5))


def test_adamw_rejects_bad_settings():
    with pytest.raises(ValueError, match="weight_decay"):
        AdamWNumpy(weight_decay=-0.1)
    with pytest.raises(TypeError, match="weight_decay"):
        AdamWNumpy(weight_decay="0.1")
    with pytest.raises(ValueError, match="lr"):
        AdamWNumpy(lr=0)
    opt = AdamWNumpy()
    opt.lr = -0.1                                                         # a broken schedule
    with pytest.raises(ValueError, match="lr"):
        opt.step(np.ones(2), np.ones(2))
    opt.lr = 0.0                                                          # step 0 of a warm-up is fine
    np.testing.assert_array_equal(opt.step(np.ones(2), np.ones(2)), np.ones(2))


# ---- warmup_cosine_lr -----------------------------------------------------------------

def test_warmup_cosine_shape():
    lrs = [warmup_cosine_lr(s, 2.0, 10, 110) for s in range(200)]
    assert lrs[0] == 0.0 and lrs[5] == pytest.approx(1.0) and lrs[10] == pytest.approx(2.0)
    assert lrs[60] == pytest.approx(2.0 * (0.1 + 0.9 * 0.5))            # half-way down the cosine
    assert lrs[110] == pytest.approx(0.2) and lrs[199] == pytest.approx(0.2)   # 10 %, then constant
    assert all(a <= b for a, b in zip(lrs[:10], lrs[1:11]))
    assert all(a >= b for a, b in zip(lrs[10:110], lrs[11:111]))
    assert warmup_cosine_lr(0, 1.0, 0, 10) == 1.0                          # no warm-up: start at the peak
    assert warmup_cosine_lr(10, 1.0, 0, 10, final_fraction=0.0) == 0.0


def test_warmup_cosine_matches_transformers():
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=3e-4)
    sched = transformers.get_cosine_with_min_lr_schedule_with_warmup(opt, num_warmup_steps=25,
                                                                     num_training_steps=200, min_lr_rate=0.1)
    theirs = []
    for _ in range(201):
        theirs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    ours = [warmup_cosine_lr(s, 3e-4, 25, 200) for s in range(201)]
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-18)


@pytest.mark.parametrize("args, error, match", [
    ((-1, 1.0, 5, 10), ValueError, "step"), ((1.5, 1.0, 5, 10), TypeError, "step"),
    ((True, 1.0, 5, 10), TypeError, "step"), ((1, 0.0, 5, 10), ValueError, "peak_lr"),
    ((1, 1.0, -1, 10), ValueError, "warmup_steps"), ((1, 1.0, 10, 10), ValueError, "total_steps"),
    ((1, 1.0, 5, 10.0), TypeError, "total_steps"), ((1, 1.0, 5, 10, 1.5), ValueError, "final_fraction"),
    ((1, 1.0, 5, 10, -0.1), ValueError, "final_fraction"),
])
def test_warmup_cosine_rejects_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        warmup_cosine_lr(*args)


# ---- clip_by_global_norm --------------------------------------------------------------

def test_clip_matches_torch_on_several_tensors():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    grads = [rng.normal(size=(3, 4)), rng.normal(size=5), rng.normal(size=(2, 2, 2))]
    for max_norm in (0.5, 1.0, 100.0):
        clipped, norm = clip_by_global_norm(grads, max_norm)
        params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
        for p, g in zip(params, grads):
            p.grad = torch.tensor(g)
        torch_norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
        assert norm == pytest.approx(torch_norm.item(), rel=1e-12)
        for c, p, g in zip(clipped, params, grads):
            np.testing.assert_allclose(c, p.grad.numpy(), rtol=1e-12)
            assert c.shape == g.shape
    assert np.sqrt(sum(np.sum(c**2) for c in clip_by_global_norm(grads, 0.5)[0])) == pytest.approx(0.5, rel=1e-5)


def test_clip_single_array_and_no_mutation():
    g = np.array([3.0, 4.0])
    clipped, norm = clip_by_global_norm(g, 1.0)
    assert norm == 5.0 and isinstance(clipped, np.ndarray)
    np.testing.assert_allclose(clipped, [0.6, 0.8], rtol=1e-6)
    np.testing.assert_array_equal(g, [3.0, 4.0])
    small, _ = clip_by_global_norm(g, 10.0)
    np.testing.assert_array_equal(small, g)                              # under the limit: unchanged


def test_clip_rejects_bad_input():
    with pytest.raises(ValueError, match="empty"):
        clip_by_global_norm([], 1.0)
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_global_norm(np.ones(2), 0.0)
    with pytest.raises(ValueError, match=r"grads\[1\]"):
        clip_by_global_norm([np.ones(2), np.array([np.nan])], 1.0)
    with pytest.raises(TypeError, match="array of numbers"):
        clip_by_global_norm(["a"], 1.0)


def test_adam_refuses_eps_zero_which_turns_a_zero_gradient_into_nan():
    """Issue 9: with eps=0 a parameter whose gradient is 0 gets the update 0/0 = NaN; refuse it up front."""
    for cls in (AdamNumpy, AdamWNumpy):
        with pytest.raises(ValueError, match=r"eps must be > 0 .*0/0 = NaN"):
            cls(lr=0.1, eps=0.0)
    step = AdamNumpy(lr=0.1, eps=1e-12).step(np.zeros(2), np.array([0.5, 0.0]))
    assert np.all(np.isfinite(step)) and step[1] == 0.0
