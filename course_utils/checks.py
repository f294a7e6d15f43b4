"""Check helpers for notebooks: print a ✓ line on success, raise a readable error otherwise.

Introduced in chapter 00 and used by every chapter's check cells and exercises.
Each helper returns nothing useful on success; the printed line is the point.
"""
from __future__ import annotations

import numbers

import numpy as np


class CheckFailed(AssertionError):
    """Raised by a check helper; the message is meant for a learner."""


def _ok(what: str) -> None:
    print(f"✓ {what}")


def _as_array(value, name: str) -> np.ndarray:
    """NumPy view of a number, list, NumPy array, torch tensor or TF tensor."""
    if hasattr(value, "detach"):                     # torch.Tensor
        value = value.detach().cpu().numpy()
    elif hasattr(value, "numpy") and not isinstance(value, np.ndarray):  # tf.Tensor
        value = value.numpy()
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a number or an array of numbers, got {type(value).__name__}") from exc
    return arr


def _check_what(what) -> str:
    if not isinstance(what, str) or not what.strip():
        raise TypeError(f"`what` must be a non-empty string describing the check, got {what!r}")
    return what


def check(condition, what: str, hint: str = "") -> None:
    """Check that ``condition`` is true; ``what`` says in words what was checked."""
    _check_what(what)
    if not isinstance(condition, (bool, np.bool_)):
        raise TypeError(f"check() needs a True/False condition, got {type(condition).__name__}: "
                        "compare explicitly, e.g. `x > 0`")
    if not condition:
        raise CheckFailed(f"✗ {what}" + (f"\n  Hint: {hint}" if hint else ""))
    _ok(what)


def check_close(actual, expected, what: str, rtol: float = 1e-5, atol: float = 1e-8, hint: str = "") -> None:
    """Check that ``actual`` equals ``expected`` elementwise within ``atol + rtol*|expected|``."""
    _check_what(what)
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if not isinstance(tol, numbers.Real) or tol < 0:
            raise ValueError(f"{name} must be a non-negative number, got {tol!r}")
    a, e = _as_array(actual, "actual"), _as_array(expected, "expected")
    if a.shape != e.shape and not (a.size == e.size == 1):
        raise CheckFailed(f"✗ {what}: shapes differ, got {a.shape}, expected {e.shape}"
                          + (f"\n  Hint: {hint}" if hint else ""))
    if a.size == 0:
        raise CheckFailed(f"✗ {what}: the arrays are empty")
    err = np.abs(a - e.reshape(a.shape))
    if not np.all(np.isfinite(a)):
        raise CheckFailed(f"✗ {what}: the result contains NaN or infinity" + (f"\n  Hint: {hint}" if hint else ""))
    bound = atol + rtol * np.abs(e.reshape(a.shape))
    if np.any(err > bound):
        worst = int(np.argmax(err - bound))
        raise CheckFailed(
            f"✗ {what}: largest difference {err.max():.3g} (at flat index {worst}: got "
            f"{a.ravel()[worst]:.6g}, expected {e.ravel()[worst]:.6g}), allowed atol={atol:g} + rtol={rtol:g}·|expected|"
            + (f"\n  Hint: {hint}" if hint else ""))
    _ok(f"{what} (max abs difference {err.max():.1e})")


def check_equal(actual, expected, what: str, hint: str = "") -> None:
    """Check exact equality (numbers, strings, tuples, shapes, ...)."""
    _check_what(what)
    same = actual == expected
    if isinstance(same, np.ndarray) or hasattr(same, "all"):
        same = bool(np.all(same))
    if not same:
        raise CheckFailed(f"✗ {what}: got {actual!r}, expected {expected!r}" + (f"\n  Hint: {hint}" if hint else ""))
    _ok(f"{what}: {expected!r}")


def check_between(value, low, high, what: str, hint: str = "") -> None:
    """Check that a single number lies in the closed interval [low, high]."""
    _check_what(what)
    arr = _as_array(value, "value")
    if arr.size != 1:
        raise TypeError(f"check_between() needs a single number, got an array of shape {arr.shape}")
    if not (isinstance(low, numbers.Real) and isinstance(high, numbers.Real)) or low > high:
        raise ValueError(f"need numbers low <= high, got low={low!r}, high={high!r}")
    v = float(arr)
    if not (low <= v <= high):
        raise CheckFailed(f"✗ {what}: got {v:.6g}, expected between {low:g} and {high:g}"
                          + (f"\n  Hint: {hint}" if hint else ""))
    _ok(f"{what}: {v:.4g} is in [{low:g}, {high:g}]")


def check_shape(array, expected_shape, what: str, hint: str = "") -> None:
    """Check the shape of an array or tensor; ``None`` in ``expected_shape`` matches any size."""
    _check_what(what)
    if not isinstance(expected_shape, (tuple, list)):
        raise TypeError(f"expected_shape must be a tuple such as (32, 10), got {expected_shape!r}")
    shape = tuple(int(d) for d in getattr(array, "shape", np.shape(array)))
    exp = tuple(expected_shape)
    if len(shape) != len(exp) or any(e is not None and e != s for s, e in zip(shape, exp)):
        raise CheckFailed(f"✗ {what}: shape is {shape}, expected {exp}" + (f"\n  Hint: {hint}" if hint else ""))
    _ok(f"{what}: shape {shape}")
