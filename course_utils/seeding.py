"""One seed for everything: Python, NumPy, PyTorch and TensorFlow/Keras.

Introduced in chapter 00; every chapter calls :func:`seed_everything` in its set-up
cell and again before each model it trains, so that a fresh run prints the numbers
the notebook shows.
"""
from __future__ import annotations

import os
import random
import sys

import numpy as np

DEFAULT_SEED = 42
_FRAMEWORKS = ("torch", "tensorflow")


def seed_everything(seed: int = DEFAULT_SEED, frameworks="auto", deterministic: bool = True) -> dict:
    """Seed Python, NumPy and the deep-learning frameworks; return what was seeded.

    Args:
        seed: a non-negative integer.
        frameworks: ``"auto"`` seeds PyTorch and TensorFlow if the notebook has already
            imported them (so a PyTorch-only chapter does not pay for importing
            TensorFlow); or a list such as ``["torch", "tensorflow"]`` to import and
            seed exactly those.
        deterministic: also ask the frameworks for deterministic kernels
            (``torch.use_deterministic_algorithms``, ``tf.config.experimental.enable_op_determinism``).
            On a GPU this can be slower; results are then reproducible run to run.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer between 0 and 2**32 - 1, got {seed!r}")
    seed = int(seed)
    if frameworks == "auto":
        chosen = [name for name in _FRAMEWORKS if name in sys.modules]
    elif isinstance(frameworks, (list, tuple, set)):
        unknown = sorted(set(frameworks) - set(_FRAMEWORKS))
        if unknown:
            raise ValueError(f"unknown framework(s) {unknown}; expected any of {list(_FRAMEWORKS)}")
        chosen = [name for name in _FRAMEWORKS if name in frameworks]
    else:
        raise TypeError(f'frameworks must be "auto" or a list of names from {list(_FRAMEWORKS)}, got {frameworks!r}')

    os.environ["PYTHONHASHSEED"] = str(seed)   # inherited by worker processes
    random.seed(seed)
    np.random.seed(seed)
    seeded = {"python": True, "numpy": True}

    if "torch" in chosen:
        import torch
        torch.manual_seed(seed)                 # also seeds every CUDA device
        if deterministic:
            # cuBLAS needs this workspace setting for deterministic matrix products on CUDA.
            os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
            torch.use_deterministic_algorithms(True, warn_only=True)
            torch.backends.cudnn.benchmark = False
        seeded["torch"] = True
    if "tensorflow" in chosen:
        import keras
        import tensorflow as tf
        keras.utils.set_random_seed(seed)       # Python, NumPy and TF in one call
        if deterministic:
            tf.config.experimental.enable_op_determinism()
        seeded["tensorflow"] = True
    return seeded
