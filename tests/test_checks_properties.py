"""Property-based tests (hypothesis) of the check helpers in course_utils.checks.

Each property compares a helper with an independent oracle (NumPy's own comparison, Python's
interval test, the shapes themselves) over generated inputs: NaN, infinity, empty arrays, shape and
dtype mismatches, nested lists, tensors. A helper must print ✓ exactly when the oracle says the
values agree, and otherwise raise CheckFailed (or a TypeError/ValueError for input it cannot
compare), never anything else.

The runs are derandomised (the same examples on every run, as CI needs) and keep no example database.
"""
import contextlib
import io
import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_utils.checks import (CheckFailed, NotDoneYet, check, check_between, check_close, check_equal,
                                  check_shape)

SETTINGS = settings(max_examples=80, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False, width=64)
any_float = st.floats(width=64)                     # includes NaN, +-inf and huge values
tolerances = st.floats(min_value=0, max_value=1.0, allow_nan=False, allow_infinity=False)
numeric_dtypes = st.sampled_from([np.float64, np.float32, np.int64, np.int32, np.int8, np.uint8])


def finite_arrays(shape=shapes, dtype=np.float64):
    return hnp.arrays(dtype, shape, elements=finite if np.dtype(dtype).kind == "f" else None)


def outcome(fn, *args, **kwargs):
    """'pass' (having printed one ✓ line) or the exception's class; any other exception fails the test."""
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            fn(*args, **kwargs)
    except (CheckFailed, TypeError, ValueError) as exc:
        assert out.getvalue() == "", "a failing check printed something"
        return type(exc)
    assert out.getvalue().startswith("✓ ") and out.getvalue().count("\n") == 1, out.getvalue()
    return "pass"


def printed(fn, *args, **kwargs) -> str:
    """What a passing check prints."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        fn(*args, **kwargs)
    return out.getvalue()


# ------------------------------------------------------------------------------------ check_close
@SETTINGS
@given(a=finite_arrays(), data=st.data(), rtol=tolerances, atol=tolerances)
def test_check_close_agrees_with_numpy(a, data, rtol, atol):
    """For finite, non-empty, same-shape arrays: ✓ exactly when |a - e| <= atol + rtol·|e| everywhere."""
    assume(a.size > 0)
    e = data.draw(st.one_of(hnp.arrays(np.float64, a.shape, elements=finite),
                            st.just(a * (1 + 1e-7)), st.just(a + 1e-9)))
    agree = bool(np.all(np.abs(a - e) <= atol + rtol * np.abs(e)))
    assert outcome(check_close, a, e, "values", rtol=rtol, atol=atol) == ("pass" if agree else CheckFailed)
    if agree:
        assert printed(check_close, a, e, "values", rtol=rtol, atol=atol).startswith("✓ values (max abs difference ")


@SETTINGS
@given(a=finite_arrays(), rtol=tolerances, atol=tolerances)
def test_an_array_is_close_to_itself_and_its_copies(a, rtol, atol):
    assume(a.size > 0)
    assert outcome(check_close, a, a.copy(), "itself", rtol=rtol, atol=atol) == "pass"
    assert outcome(check_close, a.tolist(), a, "as a nested list", rtol=rtol, atol=atol) == "pass"
    assert outcome(check_close, torch.from_numpy(a.copy()), a, "as a tensor", rtol=rtol, atol=atol) == "pass"


@SETTINGS
@given(a=hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4), elements=any_float),
       bad=st.sampled_from([np.nan, np.inf, -np.inf]), data=st.data())
def test_nan_and_infinity_never_pass(a, bad, data):
    """Wherever NaN or ±inf appears, in the result or the expected value, the check fails."""
    a = a.copy()
    a.flat[data.draw(st.integers(0, a.size - 1))] = bad
    other = data.draw(st.one_of(st.just(a.copy()), hnp.arrays(np.float64, a.shape, elements=any_float)))
    assert outcome(check_close, a, a.copy(), "result has nan/inf") is CheckFailed
    assert outcome(check_close, other, a, "expected has nan/inf") is CheckFailed
    assert outcome(check_close, a, other, "result has nan/inf vs other") is CheckFailed


@SETTINGS
@given(a=finite_arrays(), b=finite_arrays())
def test_shapes_must_match_exactly(a, b):
    """No broadcasting: different shapes fail unless both hold exactly one number (1.0 vs [1.0])."""
    assume(a.shape != b.shape and not (a.size == b.size == 1))
    assert outcome(check_close, a, b, "shapes") is CheckFailed
    assert outcome(check_close, np.zeros(a.shape), np.zeros(b.shape), "zeros of two shapes") is CheckFailed


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=3))
def test_empty_arrays_never_pass(shape):
    assume(math.prod(shape) == 0)
    assert outcome(check_close, np.zeros(shape), np.zeros(shape), "empty") is CheckFailed
    assert outcome(check_equal, np.zeros(shape), np.zeros((1,)), "empty vs one") is CheckFailed


@SETTINGS
@given(a=finite_arrays(), dtype=numeric_dtypes)
def test_check_close_accepts_every_real_dtype(a, dtype):
    """Integers, floats of any width: compared as numbers (the dtype alone never fails a check)."""
    assume(a.size > 0)
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else np.finfo(dtype)
    b = np.clip(np.round(a), max(info.min, -1e6), min(info.max, 1e6)).astype(dtype)
    assert outcome(check_close, b, b.astype(np.float64), "cast", rtol=1e-6, atol=0) == "pass"


@SETTINGS
@given(value=st.one_of(st.text(max_size=5), st.lists(st.text(max_size=3), min_size=1, max_size=3),
                       st.complex_numbers(allow_nan=False, allow_infinity=False, min_magnitude=1),
                       st.lists(st.lists(finite, max_size=3), min_size=2, max_size=4)))
def test_non_numbers_and_ragged_lists_are_type_errors(value):
    arr = None
    try:
        arr = np.asarray(value)
    except ValueError:
        pass                                          # ragged: NumPy refuses it too
    assume(arr is None or arr.dtype.kind not in "biuf")  # rectangular lists of floats are numbers
    assert outcome(check_close, value, 1.0, "not a number") is TypeError
    assert outcome(check_close, 1.0, value, "not a number expected") is TypeError


@SETTINGS
@given(rtol=st.one_of(st.just(float("nan")), st.just(float("inf")), st.floats(max_value=-1e-300),
                      st.text(max_size=3), st.booleans()))
def test_bad_tolerances_are_refused(rtol):
    assert outcome(check_close, 1.0, 1.0, "bad rtol", rtol=rtol) is ValueError
    assert outcome(check_close, 1.0, 1.0, "bad atol", atol=rtol) is ValueError


# ------------------------------------------------------------------------------------ check_equal
@SETTINGS
@given(a=hnp.arrays(st.sampled_from([np.float64, np.int64, np.bool_]), shapes), data=st.data())
def test_check_equal_agrees_with_numpy_array_equal(a, data):
    """Same shape: ✓ exactly when every element is equal and none is NaN."""
    b = data.draw(st.one_of(st.just(a.copy()), hnp.arrays(a.dtype, a.shape)))
    same = bool(np.array_equal(a, b)) and not (a.dtype.kind == "f" and np.isnan(a).any())
    assert outcome(check_equal, a, b, "arrays") == ("pass" if same else CheckFailed)
    if same:
        assert printed(check_equal, a, b, "arrays") == f"✓ arrays: equal arrays of shape {a.shape}\n"


@SETTINGS
@given(a=finite_arrays(), b=finite_arrays())
def test_check_equal_has_no_broadcasting(a, b):
    assume(a.shape != b.shape)
    assert outcome(check_equal, a, b, "shapes") is CheckFailed
    assert outcome(check_equal, torch.from_numpy(a.copy()), b, "tensor vs array") is CheckFailed


@SETTINGS
@given(values=st.recursive(st.one_of(st.integers(-5, 5), finite, st.text(max_size=3), st.none()),
                           lambda inner: st.one_of(st.lists(inner, max_size=3), st.tuples(inner, inner)),
                           max_leaves=8))
def test_python_values_equal_themselves(values):
    """Numbers, strings, nested lists and tuples (a copy is as good as the same object)."""
    assume(values is not None)
    import copy
    assert outcome(check_equal, copy.deepcopy(values), values, "python value") == "pass"


@SETTINGS
@given(wrap=st.sampled_from([lambda x: x, lambda x: [x], lambda x: (1, x), lambda x: [[x], 2], lambda x: {"k": x}]),
       nan=st.sampled_from([math.nan, float("nan"), np.float64("nan"), np.float32("nan")]))
def test_nan_never_equals_nan_even_the_same_object(wrap, nan):
    """Python's `[x] == [x]` is True for the same NaN object (identity first); a check must not be."""
    value = wrap(nan)
    assert outcome(check_equal, value, value, "nan inside") is CheckFailed


@SETTINGS
@given(a=finite_arrays(shape=hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=3)))
def test_nested_lists_compare_with_arrays(a):
    assert outcome(check_equal, a.tolist(), a, "nested list vs array") == "pass"


@SETTINGS
@given(rows=st.lists(st.lists(st.integers(0, 9), min_size=1, max_size=3), min_size=2, max_size=4))
def test_ragged_lists_against_arrays_are_type_errors(rows):
    assume(len({len(r) for r in rows}) > 1)
    assert outcome(check_equal, rows, np.zeros(3), "ragged") is TypeError


@SETTINGS
@given(a=hnp.arrays(np.int64, hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=3)))
def test_numbers_never_equal_their_text(a):
    assert outcome(check_equal, a, a.astype(str), "numbers vs strings") is CheckFailed


@SETTINGS
@given(data=st.data())
def test_dataframes_compare_with_pandas(data):
    import pandas as pd
    n = data.draw(st.integers(0, 4))
    a = pd.DataFrame({"x": pd.Series(data.draw(st.lists(finite, min_size=n, max_size=n)), dtype="float64"),
                      "y": pd.Series(data.draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n)), dtype="int64")})
    assert outcome(check_equal, a, a.copy(), "frame") == "pass"
    b = a.copy()
    if n:
        b.loc[data.draw(st.integers(0, n - 1)), "y"] += 1
        assert outcome(check_equal, a, b, "changed frame") is CheckFailed
    assert outcome(check_equal, a, a.to_numpy(), "frame vs array") is CheckFailed
    assert outcome(check_equal, a, a.astype({"y": "float64"}), "int vs float column") is CheckFailed


# ------------------------------------------------------------------------------------ check_between
@SETTINGS
@given(value=any_float, low=finite, high=finite)
def test_check_between_is_the_closed_interval(value, low, high):
    low, high = min(low, high), max(low, high)
    inside = low <= value <= high                      # False for NaN
    assert outcome(check_between, value, low, high, "in range") == ("pass" if inside else CheckFailed)
    assert outcome(check_between, np.array([value]), low, high, "one-element array") == \
        ("pass" if inside else CheckFailed)


@SETTINGS
@given(low=st.one_of(st.just(float("nan")), st.text(max_size=2), st.booleans(), st.none()))
def test_check_between_refuses_bad_bounds(low):
    assert outcome(check_between, 0.5, low, 1.0, "bad low") is ValueError
    assert outcome(check_between, 0.5, 0.0, low, "bad high") is ValueError


# ------------------------------------------------------------------------------------ check_shape, check
@SETTINGS
@given(shape=shapes, expected=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4), data=st.data())
def test_check_shape_matches_sizes_and_wildcards(shape, expected, data):
    wild = tuple(None if data.draw(st.booleans()) else d for d in expected)
    match = len(shape) == len(wild) and all(w is None or w == s for s, w in zip(shape, wild))
    assert outcome(check_shape, np.zeros(shape), wild, "shape") == ("pass" if match else CheckFailed)


@SETTINGS
@given(value=st.one_of(st.integers(), st.floats(), st.text(max_size=3), st.lists(st.booleans(), max_size=2)))
def test_check_needs_a_real_boolean(value):
    assert outcome(check, value, "not a bool") is TypeError
    assert outcome(check, value == value, "a comparison") in ("pass", CheckFailed)


@pytest.mark.parametrize("helper, args", [(check_close, (1.0,)), (check_equal, (1,)), (check_between, (0, 1)),
                                          (check_shape, ((1,),)), (check, ())])
def test_blank_answers_are_never_a_pass_or_a_crash(helper, args):
    for blank in (..., None):
        with pytest.raises(NotDoneYet):
            helper(blank, *args, "exercise")
