"""Optimisation from scratch in NumPy: a gradient-descent step, Adam, and a finite-difference gradient.

Introduced in chapter 02 (training as optimisation), which derives each piece, teaches the code
in the notebook and checks it against PyTorch (autograd, ``torch.optim.Adam``). Later chapters
that train NumPy models import them from here instead of repeating them.

    gd_step             θ_{t+1} = θ_t − α·g                       (Article 001's update)
    AdamNumpy           Adam with bias correction (Kingma & Ba, 2015), same maths as torch.optim.Adam
    numerical_gradient  central finite differences, to check a hand-derived gradient
    AdamWNumpy          AdamW: Adam plus decoupled weight decay (Loshchilov & Hutter, 2019), as torch.optim.AdamW
    warmup_cosine_lr    linear warm-up, then cosine decay to a fraction of the peak (GPT-3's schedule)
    clip_by_global_norm scale gradients so their global L2 norm is at most max_norm, as clip_grad_norm_

Chapters 08 and 11 reuse the last three: ``warmup_cosine_lr(step, 1.0, ...)`` is the multiplier
that ``torch.optim.lr_scheduler.LambdaLR`` expects.
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["gd_step", "AdamNumpy", "numerical_gradient", "AdamWNumpy", "warmup_cosine_lr",
           "clip_by_global_norm"]


def _float_array(value, name: str) -> np.ndarray:
    """``value`` as a float64 array, with a clear error for non-numbers and NaN/infinity."""
    if hasattr(value, "detach"):                     # a torch.Tensor: use its values
        value = value.detach().cpu().numpy()
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}") from exc
    if arr.size == 0:
        raise ValueError(f"{name} is empty; expected at least one parameter")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity; a diverged run or a bad gradient? "
                         "Try a smaller learning rate.")
    return arr


def _positive(value, name: str, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return float(value)


def gd_step(theta, grad, lr: float) -> np.ndarray:
    """One gradient-descent step ``theta - lr * grad``; returns a new array (``theta`` is not modified)."""
    theta = _float_array(theta, "theta")
    grad = _float_array(grad, "grad")
    if grad.shape != theta.shape:
        raise ValueError(f"grad has shape {grad.shape} but theta has shape {theta.shape}; "
                         "the gradient must have one entry per parameter")
    return theta - _positive(lr, "lr") * grad


class AdamNumpy:
    """Adam (Kingma & Ba, 2015) in NumPy, with bias correction, matching ``torch.optim.Adam``.

    For each call ``theta = opt.step(theta, grad)``::

        t   = t + 1
        m   = β₁·m + (1 − β₁)·g            first moment: moving average of gradients
        v   = β₂·v + (1 − β₂)·g²           second moment: moving average of squared gradients
        m̂   = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)   bias correction (m and v start at 0)
        θ   = θ − lr · m̂ / (√v̂ + ε)

    ``bias_correction=False`` gives the update without m̂, v̂ (as printed in Article 004), for
    demonstrating what the correction is for; do not train with it.
    """

    def __init__(self, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, bias_correction: bool = True):
        self.lr = _positive(lr, "lr")
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        for name, beta in zip(("beta1", "beta2"), betas):
            beta = _positive(beta, name, allow_zero=True)
            if not beta < 1:
                raise ValueError(f"{name} must be in [0, 1), got {beta!r}")
        self.beta1, self.beta2 = float(betas[0]), float(betas[1])
        self.eps = _positive(eps, "eps", allow_zero=True)
        if self.eps == 0:
            raise ValueError("eps must be > 0 (1e-8 is the usual value): it keeps m̂ / (√v̂ + ε) finite for a "
                             "parameter whose gradient has been 0 so far, where ε = 0 gives 0/0 = NaN")
        if not isinstance(bias_correction, (bool, np.bool_)):
            raise TypeError(f"bias_correction must be True or False, got {bias_correction!r}")
        self.bias_correction = bool(bias_correction)
        self.reset()

    def reset(self) -> None:
        """Forget the moment estimates and the step count (start a new run)."""
        self.m = None
        self.v = None
        self.t = 0

    def step(self, theta, grad) -> np.ndarray:
        """Apply one Adam update and return the new parameters (``theta`` is not modified)."""
        theta = _float_array(theta, "theta")
        grad = _float_array(grad, "grad")
        if grad.shape != theta.shape:
            raise ValueError(f"grad has shape {grad.shape} but theta has shape {theta.shape}; "
                             "the gradient must have one entry per parameter")
        if self.m is None:
            self.m = np.zeros_like(theta)
            self.v = np.zeros_like(theta)
        elif self.m.shape != theta.shape:
            raise ValueError(f"this optimiser was used with parameters of shape {self.m.shape}, now got "
                             f"{theta.shape}; call reset() or make a new AdamNumpy for a new model")
        self.t += 1
        self.m = self.beta1 * self.m + (1 - self.beta1) * grad
        self.v = self.beta2 * self.v + (1 - self.beta2) * grad**2
        if self.bias_correction:
            m_hat = self.m / (1 - self.beta1**self.t)
            v_hat = self.v / (1 - self.beta2**self.t)
        else:
            m_hat, v_hat = self.m, self.v
        return theta - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def __repr__(self) -> str:
        return (f"AdamNumpy(lr={self.lr:g}, betas=({self.beta1:g}, {self.beta2:g}), eps={self.eps:g}, "
                f"bias_correction={self.bias_correction}, t={self.t})")


def numerical_gradient(f, theta, h: float = 1e-6) -> np.ndarray:
    """Central finite-difference gradient of a scalar function ``f`` at ``theta``.

    ``(f(θ + h·e_j) − f(θ − h·e_j)) / (2h)`` for every entry j; the error is O(h²) from
    truncation plus O(machine epsilon / h) from rounding, so h ≈ 1e-6 suits float64.
    """
    if not callable(f):
        raise TypeError(f"f must be a function of theta returning a number, got {type(f).__name__}")
    theta = _float_array(theta, "theta")
    h = _positive(h, "h")
    out = np.empty_like(theta)
    for idx in np.ndindex(theta.shape):
        values = []
        for sign in (+1, -1):
            shifted = theta.copy()
            shifted[idx] += sign * h
            value = f(shifted)
            if hasattr(value, "item") and np.size(value) == 1:
                value = value.item()
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
                raise TypeError(f"f must return a single finite number, got {value!r}")
            values.append(float(value))
        out[idx] = (values[0] - values[1]) / (2 * h)
    return out


# ---- the big-model recipe (chapter 02, section 7): AdamW, warm-up + cosine, global-norm clipping ----

class AdamWNumpy(AdamNumpy):
    """AdamW (Loshchilov & Hutter, 2019): Adam plus *decoupled* weight decay, matching ``torch.optim.AdamW``.

    Each ``theta = opt.step(theta, grad)`` first shrinks the parameters, ``θ ← θ·(1 − lr·λ)``, then
    applies the Adam update of :class:`AdamNumpy` with the gradient of the loss alone. (L2
    regularisation would instead add ``λ·θ`` to the gradient, which Adam then divides by √v̂.)

    ``opt.lr`` may be changed between steps to follow a schedule (what a torch LR scheduler does
    to ``param_groups[0]["lr"]``); it may be 0, e.g. at step 0 of a warm-up. GPT-3's settings are
    ``AdamWNumpy(lr=peak, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)`` (Brown et al. 2020, appendix B).
    """

    def __init__(self, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2):
        super().__init__(lr=lr, betas=betas, eps=eps)
        self.weight_decay = _positive(weight_decay, "weight_decay", allow_zero=True)

    def step(self, theta, grad) -> np.ndarray:
        """Decay ``theta`` by ``1 − lr·weight_decay``, then take one Adam step; ``theta`` is not modified."""
        lr = _positive(self.lr, "lr (set by a schedule?)", allow_zero=True)
        theta = _float_array(theta, "theta")
        return super().step(theta * (1 - lr * self.weight_decay), grad)

    def __repr__(self) -> str:
        return (f"AdamWNumpy(lr={self.lr:g}, betas=({self.beta1:g}, {self.beta2:g}), eps={self.eps:g}, "
                f"weight_decay={self.weight_decay:g}, t={self.t})")


def _count(value, name: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number of steps, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return int(value)


def warmup_cosine_lr(step, peak_lr: float, warmup_steps, total_steps, final_fraction: float = 0.1) -> float:
    """Learning rate for optimiser step ``step`` (0, 1, 2, ...): linear warm-up, then cosine decay.

    ``peak_lr · step / warmup_steps`` while ``step < warmup_steps``; then from ``peak_lr`` down a half
    cosine to ``final_fraction · peak_lr`` at ``total_steps``, and constant after that (GPT-3 decayed
    to 10 % and continued at 10 %). Up to ``total_steps`` this is exactly the multiplier of
    ``transformers.get_cosine_with_min_lr_schedule_with_warmup(min_lr_rate=final_fraction)``, so
    ``LambdaLR(optimizer, lambda s: warmup_cosine_lr(s, 1.0, W, T))`` gives the same schedule in PyTorch.
    Like that schedule, step 0 of a warm-up has learning rate 0.
    """
    step = _count(step, "step")
    peak_lr = _positive(peak_lr, "peak_lr")
    warmup_steps = _count(warmup_steps, "warmup_steps")
    total_steps = _count(total_steps, "total_steps")
    if total_steps <= warmup_steps:
        raise ValueError(f"total_steps ({total_steps}) must be larger than warmup_steps ({warmup_steps}): "
                         "the cosine decay needs at least one step")
    final_fraction = _positive(final_fraction, "final_fraction", allow_zero=True)
    if final_fraction > 1:
        raise ValueError(f"final_fraction is the end of the decay as a fraction of peak_lr, in [0, 1]; "
                         f"got {final_fraction!r}")
    if step < warmup_steps:
        return peak_lr * step / warmup_steps
    progress = min(1.0, (step - warmup_steps) / (total_steps - warmup_steps))
    cosine = 0.5 * (1.0 + np.cos(np.pi * progress))
    return float(peak_lr * (final_fraction + (1 - final_fraction) * cosine))


def clip_by_global_norm(grads, max_norm: float, eps: float = 1e-6):
    """Scale gradients so that their *global* L2 norm (all arrays together) is at most ``max_norm``.

    ``grads`` is one array or a list of arrays (one per parameter tensor). Returns
    ``(clipped, norm)``: the scaled copies in the same form and the global norm before clipping.
    The scale is ``min(1, max_norm / (norm + eps))``, exactly what ``torch.nn.utils.clip_grad_norm_``
    computes (it adds eps = 1e-6 too), so every array keeps its direction and the update its shape.
    """
    single = not isinstance(grads, (list, tuple))
    arrays = [_float_array(grads, "grads")] if single else [
        _float_array(g, f"grads[{i}]") for i, g in enumerate(grads)]
    if not arrays:
        raise ValueError("grads is an empty list; expected at least one gradient array")
    max_norm = _positive(max_norm, "max_norm")
    eps = _positive(eps, "eps", allow_zero=True)
    norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in arrays)))
    scale = min(1.0, max_norm / (norm + eps))
    clipped = [g * scale for g in arrays]
    return (clipped[0] if single else clipped), norm
