import numpy as np
import pytest
import torch

from course_utils.checks import CheckFailed, check, check_between, check_close, check_equal, check_shape


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
    with pytest.raises(ValueError, match="rtol must be a non-negative number"):
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
