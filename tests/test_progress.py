"""Tests of course_utils.progress (chapter 08): a tqdm bar that leaves one clean line in a notebook."""
import io

import pytest
from tqdm.std import tqdm

from course_utils import progress
from course_utils.progress import in_notebook, progress_bar


def test_outside_a_kernel_it_is_an_ordinary_tqdm_bar():
    assert not in_notebook()
    bar = progress_bar(3, "steps")
    assert isinstance(bar, tqdm)
    bar.update(3)
    bar.close()
    assert bar.n == 3


def test_disabled_bar_shows_nothing(capsys):
    bar = progress_bar(5, desc="quiet", disable=True)
    bar.update(2)
    bar.close()
    assert bar.disable
    assert "quiet" not in capsys.readouterr().err


class FakeHandle:
    def __init__(self):
        self.shown = []

    def update(self, data, raw=False):
        assert raw
        self.shown.append(data["text/plain"])


def test_in_a_kernel_the_bar_is_one_updated_line(monkeypatch):
    handle = FakeHandle()
    monkeypatch.setattr(progress, "in_notebook", lambda: True)
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: handle)
    bar = progress_bar(4, "fine-tuning", mininterval=0)
    for _ in range(4):
        bar.update(1)
    bar.set_postfix(loss="0.123")
    bar.close()
    assert handle.shown, "the bar drew something"
    assert all("\r" not in s and "\n" not in s for s in handle.shown)
    assert handle.shown[-1].startswith("fine-tuning: 100%") and "4/4" in handle.shown[-1]
    assert "loss=0.123" in handle.shown[-1]
    assert "█" in handle.shown[-1], "the Unicode bar, not ASCII #"


def test_display_line_ignores_bare_carriage_returns(monkeypatch):
    handle = FakeHandle()
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: handle)
    line = progress._DisplayLine()
    line.write("\r")
    line.write("\n")
    line.write("\rabc  ")
    line.write("\rabc")
    line.flush()
    assert handle.shown == ["abc"]


@pytest.mark.parametrize("total", [-1, 2.5, True, "10", None])
def test_bad_total(total):
    with pytest.raises(ValueError, match="total must be a non-negative integer"):
        progress_bar(total)


def test_bad_desc_disable_and_file():
    with pytest.raises(TypeError, match="desc must be a string"):
        progress_bar(3, desc=3)
    with pytest.raises(TypeError, match="disable must be True or False"):
        progress_bar(3, disable="yes")
    with pytest.raises(TypeError, match="do not pass file="):
        progress_bar(3, file=io.StringIO())
