"""Check helpers for notebooks: print a ✓ line on success, raise a readable error otherwise.

Introduced in chapter 00 and used by every chapter's check cells and exercises.
Each helper returns nothing useful on success; the printed line is the point.

Exercises (chapter 00 shows the pattern): a learner's stub leaves its answer blank, as ``...``
(Ellipsis) or a function whose body is ``...`` and so returns ``None``. Every check helper treats
such a blank ``actual`` as "not done yet" and raises :class:`NotDoneYet` with a message a learner
can act on, instead of a comparison error. :func:`answer` does the same for a value a check cell
needs before it can compare anything.

The comparisons delegate to NumPy's and pandas' own testing functions (``assert_allclose`` with
``strict=True``, ``assert_frame_equal``), with the course's ✓/✗ lines on top: no broadcasting, no
NaN that passes, no empty array that equals a non-empty one.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

#: What an exercise stub leaves behind: ``...`` for a value, ``None`` from a function whose body is ``...``.
_BLANKS = (Ellipsis, None)


class CheckFailed(AssertionError):
    """Raised by a check helper; the message is meant for a learner."""

    def _render_traceback_(self):
        """What Jupyter shows instead of a traceback: the message alone (the helper's frames teach nothing)."""
        return [f"{type(self).__name__}: {self}"]


class NotDoneYet(CheckFailed):
    """Raised by a check cell while the exercise it checks is still a blank stub."""


def _ok(what: str) -> None:
    print(f"✓ {what}")


def _hint(hint: str) -> str:
    return f"\n  Hint: {hint}" if hint else ""


def _check_what(what) -> str:
    if not isinstance(what, str) or not what.strip():
        raise TypeError(f"`what` must be a non-empty string describing the check, got {what!r}")
    return what


def _blank(value) -> bool:
    return any(value is b for b in _BLANKS)


def _not_done(what: str, value, hint: str = ""):
    if value is Ellipsis:
        how = "The answer is still blank (...): replace the ... in the exercise cell above with your answer"
    else:
        how = ("The answer is None: fill in the exercise cell above (a function must `return` its result; "
               "a stub whose body is ... returns None)")
    raise NotDoneYet(f"not done yet: {what}. {how}, run it, then run this check again." + _hint(hint))


def answer(value, what: str, hint: str = ""):
    """Return ``value``, or raise :class:`NotDoneYet` if it is an exercise stub's blank (``...`` or ``None``).

    For check cells that must use a learner's answer before comparing it, e.g.
    ``mask = answer(causal_mask(4), "causal_mask(4)")``.
    """
    _check_what(what)
    if _blank(value):
        _not_done(what, value, hint)
    return value


def _as_array(value, name: str) -> np.ndarray:
    """NumPy array of a number, (nested) list, NumPy array, torch tensor or TF tensor of real numbers."""
    if hasattr(value, "detach"):                     # torch.Tensor
        value = value.detach().cpu()
        if hasattr(value, "is_floating_point") and value.dtype.is_complex:
            raise TypeError(f"{name} must hold real numbers, got a complex tensor")
        value = value.float().numpy() if str(value.dtype) == "torch.bfloat16" else value.numpy()
    elif hasattr(value, "numpy") and not isinstance(value, np.ndarray) and callable(value.numpy):  # tf.Tensor
        value = value.numpy()
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a number or an array of numbers, got the text {value!r}")
    try:
        arr = np.asarray(value)
    except ValueError as exc:  # ragged nested lists
        raise TypeError(f"{name} must be a number or a rectangular array of numbers; a ragged nested list "
                        f"({type(value).__name__}) cannot be compared elementwise") from exc
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a number or an array of real numbers, got {type(value).__name__}"
                        + (f" of dtype {arr.dtype}" if isinstance(value, np.ndarray) else ""))
    return arr.astype(float)


def _real_tolerance(name: str, tol) -> float:
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not math.isfinite(tol) or tol < 0:
        raise ValueError(f"{name} must be a finite non-negative number, got {tol!r}")
    return float(tol)


def check(condition, what: str, hint: str = "") -> None:
    """Check that ``condition`` is true; ``what`` says in words what was checked."""
    _check_what(what)
    if _blank(condition):
        _not_done(what, condition, hint)
    if not isinstance(condition, (bool, np.bool_)):
        raise TypeError(f"check() needs a True/False condition, got {type(condition).__name__}: "
                        "compare explicitly, e.g. `x > 0`")
    if not condition:
        raise CheckFailed(f"✗ {what}" + _hint(hint))
    _ok(what)


def check_close(actual, expected, what: str, rtol: float = 1e-5, atol: float = 1e-8, hint: str = "") -> None:
    """Check that ``actual`` equals ``expected`` elementwise within ``atol + rtol*|expected|``.

    Shapes must match exactly (a single number matches a one-element array); NaN and infinity
    never pass; empty arrays are refused. The comparison itself is ``numpy.testing.assert_allclose``.
    """
    _check_what(what)
    if _blank(actual):
        _not_done(what, actual, hint)
    rtol, atol = _real_tolerance("rtol", rtol), _real_tolerance("atol", atol)
    a, e = _as_array(actual, "actual"), _as_array(expected, "expected")
    if a.shape != e.shape:
        if a.size == e.size == 1:
            a, e = a.reshape(()), e.reshape(())
        else:
            raise CheckFailed(f"✗ {what}: shapes differ, got {a.shape}, expected {e.shape}" + _hint(hint))
    if a.size == 0:
        raise CheckFailed(f"✗ {what}: the arrays are empty; there is nothing to compare" + _hint(hint))
    if not np.all(np.isfinite(e)):
        raise CheckFailed(f"✗ {what}: the expected value contains NaN or infinity, so nothing can match it"
                          + _hint(hint))
    if not np.all(np.isfinite(a)):
        raise CheckFailed(f"✗ {what}: the result contains NaN or infinity" + _hint(hint))
    err = np.abs(a - e)
    try:
        np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, equal_nan=False, strict=True)
    except AssertionError:
        bound = atol + rtol * np.abs(e)
        worst = int(np.argmax((err - bound).ravel()))
        raise CheckFailed(
            f"✗ {what}: largest difference {err.max():.3g} (at flat index {worst}: got "
            f"{a.ravel()[worst]:.6g}, expected {e.ravel()[worst]:.6g}), allowed atol={atol:g} + rtol={rtol:g}·|expected|"
            + _hint(hint)) from None
    _ok(f"{what} (max abs difference {err.max():.1e})")


def _is_arraylike(x) -> bool:
    return isinstance(x, np.ndarray) or hasattr(x, "detach") or (
        hasattr(x, "numpy") and hasattr(x, "shape") and hasattr(x, "dtype"))


def _is_pandas(x) -> bool:
    return type(x).__module__.startswith("pandas") and hasattr(x, "to_numpy")


def _equal_frames(actual, expected, what: str, hint: str) -> None:
    import pandas as pd
    import pandas.testing as pdt
    if type(actual) is not type(expected):
        raise CheckFailed(f"✗ {what}: got a {type(actual).__name__}, expected a {type(expected).__name__}"
                          + _hint(hint))
    try:
        if isinstance(expected, pd.DataFrame):
            pdt.assert_frame_equal(actual, expected, check_exact=True)
        elif isinstance(expected, pd.Series):
            pdt.assert_series_equal(actual, expected, check_exact=True)
        else:
            pdt.assert_index_equal(actual, expected, exact=True)
    except AssertionError as exc:
        detail = " ".join(str(exc).split())
        raise CheckFailed(f"✗ {what}: the {type(expected).__name__}s differ: {detail[:400]}" + _hint(hint)) from None


def _equal_arrays(actual, expected, what: str, hint: str) -> None:
    def as_np(x):
        if hasattr(x, "detach"):
            x = x.detach().cpu()
            x = x.float() if str(x.dtype) == "torch.bfloat16" else x
            return x.numpy()
        if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
            return np.asarray(x.numpy())
        try:
            return np.asarray(x)
        except ValueError as exc:
            raise TypeError(f"cannot compare a ragged nested {type(x).__name__} with an array in {what!r}") from exc
    a, e = as_np(actual), as_np(expected)
    if a.shape != e.shape:
        raise CheckFailed(f"✗ {what}: shapes differ, got {a.shape}, expected {e.shape}" + _hint(hint))
    if (a.dtype.kind in "biuf") != (e.dtype.kind in "biuf"):
        raise CheckFailed(f"✗ {what}: got an array of {a.dtype}, expected an array of {e.dtype}" + _hint(hint))
    if not np.array_equal(a, e):
        diff = np.argwhere(a != e) if a.shape else np.zeros((1, 0), int)
        where = f" (first difference at index {tuple(int(i) for i in diff[0])})" if len(diff) else ""
        raise CheckFailed(f"✗ {what}: arrays differ{where}: got {a!r}, expected {e!r}"[:600] + _hint(hint))
    return a.shape


def _contains_nan(value, _seen=None) -> bool:
    """True if ``value`` is NaN or a list / tuple / set / dict holding a NaN at any depth."""
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    if isinstance(value, (complex, np.complexfloating)):
        return bool(np.isnan(value.real) or np.isnan(value.imag))
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        seen = set() if _seen is None else _seen
        if id(value) in seen:                       # a list that contains itself
            return False
        seen.add(id(value))
        items = value.values() if isinstance(value, dict) else value
        return any(_contains_nan(item, seen) for item in items)
    return False


def check_equal(actual, expected, what: str, hint: str = "") -> None:
    """Check exact equality (numbers, strings, tuples, lists, shapes, arrays, tensors, DataFrames, ...).

    Arrays and tensors must have the same shape (no broadcasting) and equal elements; NaN never
    equals NaN. DataFrames and Series are compared with ``pandas.testing``.
    """
    _check_what(what)
    if _blank(actual) and not _blank(expected):
        _not_done(what, actual, hint)
    if _is_pandas(actual) or _is_pandas(expected):
        _equal_frames(actual, expected, what, hint)
        _ok(f"{what}: {type(expected).__name__} of shape {getattr(expected, 'shape', '?')}")
        return
    if _is_arraylike(actual) or _is_arraylike(expected):
        shape = _equal_arrays(actual, expected, what, hint)
        _ok(f"{what}: equal arrays of shape {shape}")
        return
    if _contains_nan(actual) or _contains_nan(expected):
        # Python's `[x] == [x]` is True for the very same NaN object (it tests identity first).
        raise CheckFailed(f"✗ {what}: got {actual!r}, expected {expected!r}; NaN never equals anything, not even "
                          "NaN (test for it with math.isnan or np.isnan)" + _hint(hint))
    try:
        same = actual == expected
        if not isinstance(same, (bool, np.bool_)):
            raise TypeError(f"comparing {type(actual).__name__} with {type(expected).__name__} gave "
                            f"{type(same).__name__}, not True/False")
    except (TypeError, ValueError) as exc:
        raise TypeError(f"check_equal() cannot compare {type(actual).__name__} with {type(expected).__name__} "
                        f"in {what!r}: {exc}") from None
    if not same:
        raise CheckFailed(f"✗ {what}: got {actual!r}, expected {expected!r}" + _hint(hint))
    _ok(f"{what}: {expected!r}")


def check_between(value, low, high, what: str, hint: str = "") -> None:
    """Check that a single number lies in the closed interval [low, high]."""
    _check_what(what)
    if _blank(value):
        _not_done(what, value, hint)
    arr = _as_array(value, "value")
    if arr.size != 1:
        raise TypeError(f"check_between() needs a single number, got an array of shape {arr.shape}")
    for name, bound in (("low", low), ("high", high)):
        if isinstance(bound, bool) or not isinstance(bound, numbers.Real) or math.isnan(bound):
            raise ValueError(f"need numbers low <= high, got {name}={bound!r}")
    if low > high:
        raise ValueError(f"need numbers low <= high, got low={low!r}, high={high!r}")
    v = float(arr.reshape(()))
    if not (low <= v <= high):  # NaN fails here too
        raise CheckFailed(f"✗ {what}: got {v:.6g}, expected between {low:g} and {high:g}" + _hint(hint))
    _ok(f"{what}: {v:.4g} is in [{low:g}, {high:g}]")


def check_shape(array, expected_shape, what: str, hint: str = "") -> None:
    """Check the shape of an array or tensor; ``None`` in ``expected_shape`` matches any size."""
    _check_what(what)
    if _blank(array):
        _not_done(what, array, hint)
    if not isinstance(expected_shape, (tuple, list)) or not all(
            d is None or (isinstance(d, numbers.Integral) and not isinstance(d, bool) and d >= 0)
            for d in expected_shape):
        raise TypeError(f"expected_shape must be a tuple of sizes (or None) such as (32, 10), got {expected_shape!r}")
    raw = getattr(array, "shape", None)
    if raw is None:
        try:
            raw = np.shape(array)
        except ValueError as exc:
            raise TypeError(f"{what!r}: a ragged nested list has no shape") from exc
    shape = tuple(int(d) for d in raw)
    exp = tuple(expected_shape)
    if len(shape) != len(exp) or any(e is not None and e != s for s, e in zip(shape, exp)):
        raise CheckFailed(f"✗ {what}: shape is {shape}, expected {exp}" + _hint(hint))
    _ok(f"{what}: shape {shape}")
