import matplotlib as mpl
import pytest

from course_utils.plotting import COLORS, use_course_style


def test_style_applies_and_overrides():
    use_course_style(**{"figure.figsize": (8, 3)})
    assert mpl.rcParams["axes.grid"] is True
    assert list(mpl.rcParams["figure.figsize"]) == [8, 3]
    assert mpl.rcParams["axes.prop_cycle"].by_key()["color"][0] == COLORS[0]


def test_unknown_setting_is_rejected():
    with pytest.raises(KeyError, match="unknown matplotlib setting"):
        use_course_style(**{"figure.sizee": (1, 1)})
