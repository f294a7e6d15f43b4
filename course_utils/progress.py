"""A progress bar that leaves one clean line in a notebook: the bar's final state.

Introduced in chapter 08 (fine-tuning BERT), whose training loop shows its progress with it.

tqdm's notebook bar is an ipywidget: in a saved notebook (or on GitHub) only its text fallback
remains, frozen at the state it had when it was created ("0%"). Its terminal bar writes every
update with carriage returns, which pile up in a notebook's saved output. :func:`progress_bar`
instead draws tqdm's usual text bar into a single notebook output that is *updated in place*
(``IPython.display`` with a ``display_id``): JupyterLab, VS Code and Colab show it move, and the
saved notebook keeps its last state, e.g. ``fine-tuning: 100%|██████████| 72/72 [...]``.
Outside a Jupyter kernel (a script, a terminal) it is tqdm's ordinary bar on stderr.

    bar = progress_bar(total=72, desc="fine-tuning")
    for ...:
        bar.update(1)
        bar.set_postfix(loss=f"{loss:.3f}")
    bar.close()
"""
from __future__ import annotations

import numbers


class _DisplayLine:
    """A file-like object for tqdm: each write replaces the text of one notebook output."""

    encoding = "utf-8"          # tqdm draws its Unicode bar only into files that say they take Unicode

    def __init__(self):
        from IPython.display import display
        self._handle = display({"text/plain": ""}, raw=True, display_id=True)
        self.text = ""

    def write(self, s: str) -> int:
        text = str(s).replace("\r", "").replace("\n", "").rstrip()
        if text and text != self.text:            # tqdm also writes bare "\r" and "\n": nothing to show
            self.text = text
            self._handle.update({"text/plain": text}, raw=True)
        return len(s)

    def flush(self) -> None:
        pass


def in_notebook() -> bool:
    """True inside a Jupyter kernel (JupyterLab, VS Code, Colab, nbclient), False in a script or terminal."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def progress_bar(total: int, desc: str = "", disable: bool = False, **tqdm_kwargs):
    """A ``tqdm`` progress bar over ``total`` steps that renders as one updating text line in a notebook.

    Args:
        total: the number of steps (``bar.update(1)`` once per step).
        desc: the label in front of the bar.
        disable: ``True`` shows nothing (and, as in tqdm, ``update`` then does nothing).
        tqdm_kwargs: passed on to ``tqdm`` (e.g. ``unit="batch"``); not ``file``, which this function sets.

    Returns a ``tqdm.tqdm``; call ``close()`` at the end (or use it in a ``with`` block).
    """
    from tqdm.std import tqdm
    if isinstance(total, bool) or not isinstance(total, numbers.Integral) or total < 0:
        raise ValueError(f"total must be a non-negative integer (the number of steps), got {total!r}")
    if not isinstance(desc, str):
        raise TypeError(f"desc must be a string, got {type(desc).__name__}")
    if not isinstance(disable, bool):
        raise TypeError(f"disable must be True or False, got {disable!r}")
    if "file" in tqdm_kwargs:
        raise TypeError("progress_bar() chooses where the bar is drawn; do not pass file=")
    if disable or not in_notebook():
        return tqdm(total=int(total), desc=desc, disable=disable, **tqdm_kwargs)
    tqdm_kwargs.setdefault("ncols", 80)
    return tqdm(total=int(total), desc=desc, file=_DisplayLine(), **tqdm_kwargs)


__all__ = ["progress_bar", "in_notebook"]
