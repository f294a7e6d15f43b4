"""Import TensorFlow without its C++ start-up log.

Introduced in chapter 00. On import, TensorFlow 2.21 writes notes such as "oneDNN custom
operations are on" and "Could not find cuda drivers" straight to the process's stderr,
before any logging setting applies, and Jupyter shows them as red text in the first
cell. They are harmless and change on every run (they carry timestamps), so the
course imports TensorFlow once through :func:`quiet_tensorflow`; the usual
``import tensorflow as tf`` that follows is then silent.
"""
from __future__ import annotations

import contextlib
import os
import sys


@contextlib.contextmanager
def _stderr_fd_silenced():
    """Point file descriptor 2 at /dev/null for the duration (C++ code writes there directly)."""
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:          # no real fd 2 (some embedded interpreters): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def quiet_tensorflow(min_log_level: int = 3):
    """Import TensorFlow (and Keras) with the start-up log silenced; return the ``tensorflow`` module.

    ``min_log_level`` sets ``TF_CPP_MIN_LOG_LEVEL`` for messages after start-up
    (0 = everything, 1 = no info, 2 = no warnings, 3 = errors hidden too) unless the
    variable is already set. A real import error is raised unchanged, with advice.
    """
    if isinstance(min_log_level, bool) or min_log_level not in (0, 1, 2, 3):
        raise ValueError(f"min_log_level must be 0, 1, 2 or 3, got {min_log_level!r}")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", str(min_log_level))
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    try:
        with _stderr_fd_silenced():
            import keras  # noqa: F401  (Keras 3 is imported by tf.keras anyway; do it while silenced)
            import tensorflow as tf
    except ImportError as exc:
        raise ImportError(f"TensorFlow could not be imported ({exc}). Install the course's pinned version with "
                          "`make lab` (or `pip install -r requirements.txt`).") from exc
    return tf
