import numpy as np
import pytest
import torch

from course_utils.checks import (CheckFailed, NotDoneYet, answer, check, check_between, check_close, check_equal,
                                  check_shape)


def test_check_prints_tick(capsys):
    check(1 + 1 == 2, "arithmetic works")
    assert capsys.readouterr().out == "✓ arithmetic works\n"


def test_check_failure_has_message_and_hint():
    with pytest.raises(CheckFailed, match=r"✗ loss decreased\n  Hint: lower the learning rate"):
        check(False, "loss decreased", hint="lower the learning rate")


def test_check_rejects_non_bool_and_empty_description():
    with pytest.raises(TypeError, match="True/False"):
        check(np.array([True, False]), "array is not a condition")
    with pytest.raises(TypeError, match="non-empty string"):
        check(True, "")


def test_check_close_accepts_tensors_and_reports_difference(capsys):
    check_close(torch.tensor([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]), "tensor equals array")
    assert "max abs difference" in capsys.readouterr().out


def test_check_close_failure_names_worst_element():
    with pytest.raises(CheckFailed, match=r"largest difference 0\.5 .*flat index 1"):
        check_close([1.0, 2.5, 3.0], [1.0, 2.0, 3.0], "vectors agree", rtol=0, atol=1e-3)


def test_check_close_shape_mismatch_nan_and_bad_tolerance():
    with pytest.raises(CheckFailed, match="shapes differ"):
        check_close(np.ones(3), np.ones(4), "shapes")
    with pytest.raises(CheckFailed, match="NaN"):
        check_close([np.nan], [1.0], "nan")
    with pytest.raises(ValueError, match="rtol must be a finite non-negative number"):
        check_close(1.0, 1.0, "tol", rtol=-1)
    with pytest.raises(TypeError, match="must be a number or an array"):
        check_close("abc", 1.0, "text is not a number")


def test_check_equal(capsys):
    check_equal((2, 3), (2, 3), "shape tuple")
    assert "✓ shape tuple: (2, 3)" in capsys.readouterr().out
    check_equal(np.array([1, 2]), np.array([1, 2]), "arrays")
    with pytest.raises(CheckFailed, match="got 'a', expected 'b'"):
        check_equal("a", "b", "letters")


def test_check_between():
    check_between(0.95, 0.9, 1.0, "accuracy")
    with pytest.raises(CheckFailed, match="expected between 0.9 and 1"):
        check_between(0.5, 0.9, 1.0, "accuracy")
    with pytest.raises(TypeError, match="single number"):
        check_between([1, 2], 0, 3, "two numbers")
    with pytest.raises(ValueError, match="low <= high"):
        check_between(1, 3, 0, "reversed bounds")


def test_check_shape():
    check_shape(np.zeros((4, 3)), (None, 3), "batch of 3-vectors")
    with pytest.raises(CheckFailed, match=r"shape is \(4, 3\), expected \(4, 2\)"):
        check_shape(np.zeros((4, 3)), (4, 2), "wrong width")
    with pytest.raises(TypeError, match="expected_shape must be a tuple"):
        check_shape(np.zeros(3), 3, "not a tuple")


# Exercises: a blank stub (``...`` or a function returning None) is "not done yet", never a pass.
@pytest.mark.parametrize("helper, args", [
    (check, ()), (check_close, (1.0,)), (check_equal, (1,)), (check_between, (0, 1)), (check_shape, ((2,),)),
])
@pytest.mark.parametrize("blank", [Ellipsis, None])
def test_blank_answers_are_not_done_yet(helper, args, blank):
    expected = r"The answer is still blank \(\.\.\.\)" if blank is Ellipsis else r"The answer is None: .*must `return`"
    with pytest.raises(NotDoneYet, match=r"^not done yet: Exercise 1\. " + expected):
        helper(blank, *args, "Exercise 1")


def test_answer_passes_values_through_and_stops_blanks():
    assert answer(3, "x") == 3
    with pytest.raises(NotDoneYet, match="not done yet: my_lr"):
        answer(..., "my_lr")
    assert issubclass(NotDoneYet, CheckFailed)


def test_check_failures_render_as_one_line_in_jupyter():
    err = CheckFailed("✗ loss fell")
    assert err._render_traceback_() == ["CheckFailed: ✗ loss fell"]


# Issue 9's reproductions: each must fail or raise, never print ✓.
def test_nan_never_passes():
    with pytest.raises(CheckFailed, match="expected value contains NaN"):
        check_close(0.5, float("nan"), "nan expected")
    with pytest.raises(ValueError, match="rtol must be a finite"):
        check_close(0.5, 0.5, "nan rtol", rtol=float("nan"))
    with pytest.raises(CheckFailed):
        check_equal(float("nan"), float("nan"), "nan equals nan")
    with pytest.raises(CheckFailed):
        check_equal(np.array([np.nan]), np.array([np.nan]), "nan arrays")
    with pytest.raises(CheckFailed):
        check_between(float("nan"), 0, 1, "nan in range")
    with pytest.raises(ValueError, match="low <= high"):
        check_between(0.5, float("nan"), 1, "nan bound")


def test_check_equal_has_no_broadcasting_and_no_empty_pass():
    with pytest.raises(CheckFailed, match="shapes differ"):
        check_equal(np.array([]), np.array([5]), "empty vs one")
    with pytest.raises(CheckFailed, match="shapes differ"):
        check_equal(np.zeros((2, 1)), np.zeros(2), "(2, 1) vs (2,)")
    with pytest.raises(CheckFailed, match="shapes differ"):
        check_equal(np.zeros(3), np.zeros(4), "cannot broadcast")
    with pytest.raises(CheckFailed, match="first difference at index"):
        check_equal(torch.tensor([1, 2, 3]), np.array([1, 2, 4]), "tensor vs array")


def test_check_equal_compares_dataframes_with_pandas():
    import pandas as pd
    df = pd.DataFrame({"a": [1, 2]})
    check_equal(df, df.copy(), "same frame")
    with pytest.raises(CheckFailed, match="DataFrames differ"):
        check_equal(df, pd.DataFrame({"a": [1, 3]}), "other frame")
    with pytest.raises(CheckFailed, match="got a DataFrame, expected a Series"):
        check_equal(df, df["a"], "frame vs series")


def test_check_close_refuses_ragged_lists_and_text():
    with pytest.raises(TypeError, match="ragged"):
        check_close([[1.0], [1.0, 2.0]], [[1.0], [1.0, 2.0]], "ragged")
    with pytest.raises(CheckFailed, match="empty"):
        check_close([], [], "empty")
