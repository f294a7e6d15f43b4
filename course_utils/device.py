"""Pick the best available device: CUDA, then Apple MPS, then CPU.

Introduced in chapter 00. PyTorch code calls :func:`get_device` and moves models
and batches with ``.to(device)``; the same notebook then runs on a laptop CPU, a
Mac or a Colab GPU without edits. TensorFlow places work on a GPU by itself;
:func:`describe_devices` reports what each framework sees.
"""
from __future__ import annotations

import os

_VALID = ("auto", "cuda", "mps", "cpu")
FORCE_ENV = "BIGMODEL_COURSE_DEVICE"


def get_device(prefer: str | None = None):
    """Return a ``torch.device``: the preferred one if available, else CUDA → MPS → CPU.

    ``prefer`` may be ``"auto"`` (default), ``"cuda"``, ``"mps"`` or ``"cpu"``; the
    environment variable ``BIGMODEL_COURSE_DEVICE`` sets it for a whole session.
    Asking for a device that is not there raises an error that says what is.
    """
    import torch

    prefer = prefer if prefer is not None else os.environ.get(FORCE_ENV, "auto")
    if not isinstance(prefer, str) or prefer.lower() not in _VALID:
        raise ValueError(f"prefer must be one of {list(_VALID)}, got {prefer!r}")
    prefer = prefer.lower()
    has_cuda = torch.cuda.is_available()
    has_mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    if prefer == "cuda" and not has_cuda:
        raise RuntimeError("CUDA was requested but PyTorch sees no CUDA GPU. On Colab: Runtime → "
                           "Change runtime type → GPU. Locally: install a CUDA build of PyTorch, or use 'auto'.")
    if prefer == "mps" and not has_mps:
        raise RuntimeError("MPS was requested but this is not an Apple-silicon Mac with MPS support; use 'auto'.")
    if prefer == "cpu" or (prefer == "auto" and not has_cuda and not has_mps):
        return torch.device("cpu")
    if prefer == "cuda" or (prefer == "auto" and has_cuda):
        return torch.device("cuda")
    return torch.device("mps")


def describe_devices() -> list[dict]:
    """What PyTorch and TensorFlow can compute on, as rows of a table (imports only what is installed)."""
    rows = []
    try:
        import torch
        dev = get_device()
        name = torch.cuda.get_device_name(0) if dev.type == "cuda" else (
            "Apple GPU (Metal)" if dev.type == "mps" else "CPU")
        rows.append({"framework": "PyTorch", "device": str(dev), "name": name,
                     "threads": torch.get_num_threads()})
    except ImportError:
        rows.append({"framework": "PyTorch", "device": "not installed", "name": "", "threads": "-"})
    try:
        import tensorflow as tf
        gpus = tf.config.list_physical_devices("GPU")
        rows.append({"framework": "TensorFlow", "device": "GPU:0" if gpus else "CPU:0",
                     "name": f"{len(gpus)} GPU(s)" if gpus else "CPU", "threads": "-"})
    except ImportError:
        rows.append({"framework": "TensorFlow", "device": "not installed", "name": "", "threads": "-"})
    return rows
