"""Make a trained PyTorch model smaller, and measure what that bought and cost.

Introduced in chapter 09 (quantisation, pruning, distillation), which shows each step in the
open first; later chapters call these helpers to size and time a model before they ship it.

    size_on_disk(model, compress=False)      bytes of ``torch.save(state_dict)`` in a temporary folder
                                             (``compress=True``: after gzip, as a download would be)
    linear_state_dict(model)                 the part of the state_dict that belongs to Linear layers
                                             (float ``nn.Linear`` or dynamically quantised int8 Linear)
    sparsity(model)                          fraction of Linear weights that are exactly zero
    measure_latency(fn, repeats, warmup)     median wall time of ``fn()`` with ``time.perf_counter``
    quantize_linear_int8(model, only=None)   copy with every (or the named) ``nn.Linear`` → dynamic int8
    prune_linear(model, amount, scope)       copy with the smallest-magnitude Linear weights set to zero,
                                             made permanent with ``prune.remove``

Dynamic int8 quantisation (``torch.ao.quantization.quantize_dynamic``) runs on the CPU only, so
:func:`quantize_linear_int8` works on a CPU copy of the model. PyTorch 2.13 marks the
``torch.ao.quantization`` API and quantised tensor creation as deprecated in favour of the separate
``torchao`` package; :func:`quantize_linear_int8` hides exactly those two warnings.
"""
from __future__ import annotations

import copy
import gzip
import math
import numbers
import os
import shutil
import statistics
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

#: The deprecation messages torch 2.13 prints on every ``quantize_dynamic`` call (regexes for ``warnings``).
QUANTIZATION_DEPRECATIONS = (
    (DeprecationWarning, r"torch\.ao\.quantization is deprecated"),
    (UserWarning, r"torch\.quantize_per_tensor, torch\.quantize_per_channel and other quantized tensor creation"),
)


def _torch():
    import torch
    return torch


def _check_module(model, name: str = "model"):
    torch = _torch()
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module (a PyTorch model), got {type(model).__name__}")
    return model


def _linear_types():
    """Float Linear and the dynamically quantised Linear that replaces it."""
    torch = _torch()
    from torch.ao.nn.quantized.dynamic import Linear as DynamicQuantizedLinear
    return torch.nn.Linear, DynamicQuantizedLinear


# --------------------------------------------------------------------------------------------- size
def size_on_disk(model_or_state_dict, compress: bool = False, compresslevel: int = 6) -> int:
    """Bytes that ``torch.save(model.state_dict(), file)`` writes, measured in a temporary folder.

    Args:
        model_or_state_dict: a ``torch.nn.Module`` (its ``state_dict()`` is saved) or a dict such
            as a ``state_dict`` or :func:`linear_state_dict`'s result.
        compress: also gzip the saved file and return the compressed size, which is what
            zeros from pruning can save in a dense file.
        compresslevel: gzip level 1 (fast) ... 9 (smallest).

    The temporary folder is removed afterwards.
    """
    torch = _torch()
    if isinstance(model_or_state_dict, torch.nn.Module):
        state = model_or_state_dict.state_dict()
    elif isinstance(model_or_state_dict, dict):
        state = model_or_state_dict
    else:
        raise TypeError("size_on_disk() needs a torch.nn.Module or a state_dict (a dict of tensors), "
                        f"got {type(model_or_state_dict).__name__}")
    if not isinstance(compress, bool):
        raise TypeError(f"compress must be True or False, got {compress!r}")
    if isinstance(compresslevel, bool) or not isinstance(compresslevel, int) or not 1 <= compresslevel <= 9:
        raise ValueError(f"compresslevel must be an integer from 1 to 9, got {compresslevel!r}")
    folder = Path(tempfile.mkdtemp(prefix="model_size_"))
    try:
        file = folder / "state_dict.pt"
        torch.save(state, file)
        if not compress:
            return os.path.getsize(file)
        packed = folder / "state_dict.pt.gz"
        with open(file, "rb") as src, gzip.open(packed, "wb", compresslevel=compresslevel) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        return os.path.getsize(packed)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def linear_state_dict(model) -> dict:
    """The entries of ``model.state_dict()`` that belong to Linear layers (weights, biases, int8 scales).

    Works for float ``nn.Linear`` layers and for the dynamically quantised Linear layers that
    ``quantize_dynamic`` puts in their place, so ``size_on_disk(linear_state_dict(m))`` compares
    the Linear part of an fp32 and an int8 model.
    """
    _check_module(model)
    types = _linear_types()
    prefixes = tuple(f"{name}." for name, module in model.named_modules() if isinstance(module, types))
    if not prefixes:
        raise ValueError(f"{type(model).__name__} has no Linear layers (torch.nn.Linear or dynamic int8 Linear)")
    return {k: v for k, v in model.state_dict().items() if k.startswith(prefixes)}


def sparsity(model) -> float:
    """Fraction of the weights of the model's float ``nn.Linear`` layers that are exactly zero.

    Pruning that is still active (a ``weight_orig`` plus ``weight_mask``) counts through the
    masked ``weight``; biases are not counted.
    """
    _check_module(model)
    torch = _torch()
    zeros = total = 0
    for module in model.modules():
        if isinstance(module, torch.nn.Linear):
            w = module.weight.detach()
            zeros += int((w == 0).sum())
            total += w.numel()
    if total == 0:
        raise ValueError(f"{type(model).__name__} has no float torch.nn.Linear layers to measure "
                         "(a quantised model's int8 weights are packed: measure sparsity before quantising)")
    return zeros / total


# ------------------------------------------------------------------------------------------ latency
@dataclass
class Latency:
    """Wall times of repeated calls, in seconds; ``median`` is the number to report."""
    times: list = field(default_factory=list)
    threads: int = 1

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def spread(self) -> float:
        """Slowest minus fastest run: how noisy the measurement was."""
        return max(self.times) - min(self.times)


def measure_latency(fn, repeats: int = 5, warmup: int = 1) -> Latency:
    """Call ``fn()`` ``warmup`` times untimed, then ``repeats`` times timed with ``time.perf_counter``.

    The first calls of a PyTorch model allocate memory and pick kernels, so they are slower;
    the warm-up hides that. Report ``result.median``: a single slow run (another program
    took the CPU for a moment) does not move it. Wrap ``fn`` in ``torch.inference_mode()``
    yourself if it runs a model. Latency depends on the machine, its load and
    ``torch.get_num_threads()`` (recorded in ``result.threads``).
    """
    if not callable(fn):
        raise TypeError(f"fn must be a function to call with no arguments, got {type(fn).__name__}")
    for name, value, low in (("repeats", repeats, 1), ("warmup", warmup, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return Latency(times=times, threads=_torch().get_num_threads())


# --------------------------------------------------------------------------------- quantise / prune
def quantize_linear_int8(model, only=None):
    """A CPU copy of ``model`` whose ``nn.Linear`` layers use dynamic int8 quantisation.

    This is ``torch.ao.quantization.quantize_dynamic(copy, {nn.Linear}, dtype=torch.qint8)``:
    each Linear weight is stored as int8 with one fp32 scale and zero point per layer; the
    activations are quantised on the fly, batch by batch; biases stay fp32. The original model
    is not changed.

    Args:
        model: a ``torch.nn.Module`` with at least one ``nn.Linear``.
        only: ``None`` for every Linear layer, or submodule names (e.g. ``["classifier"]``) to
            quantise just those; each must name an ``nn.Linear`` or a module containing one.
    """
    _check_module(model)
    torch = _torch()
    if only is None:
        spec = {torch.nn.Linear}
    else:
        if isinstance(only, str) or not isinstance(only, (list, tuple, set)) or not only:
            raise TypeError(f"only must be None or a non-empty list of submodule names, got {only!r}")
        modules = dict(model.named_modules())
        for name in only:
            if name not in modules:
                close = [n for n in modules if n.endswith(str(name))][:3]
                raise ValueError(f"{type(model).__name__} has no submodule {name!r}"
                                 + (f"; did you mean {close}?" if close else ""))
            if not any(isinstance(m, torch.nn.Linear) for m in modules[name].modules()):
                raise ValueError(f"submodule {name!r} contains no nn.Linear to quantise")
        spec = set(only)
    if not any(isinstance(m, torch.nn.Linear) for m in model.modules()):
        raise ValueError(f"{type(model).__name__} has no torch.nn.Linear layers to quantise")
    copy_ = copy.deepcopy(model).cpu().eval()
    alone = type(model) is torch.nn.Linear
    if alone:     # quantize_dynamic swaps a model's submodules, never the model itself: give the layer a parent
        copy_, spec = torch.nn.Sequential(copy_), {torch.nn.Linear}
    with warnings.catch_warnings():
        # torch 2.13 deprecates torch.ao.quantization and quantised tensors in favour of torchao;
        # the call still works and is what this helper is for, so hide exactly those two warnings.
        for category, message in QUANTIZATION_DEPRECATIONS:
            warnings.filterwarnings("ignore", message=message, category=category)
        quantized = torch.ao.quantization.quantize_dynamic(copy_, spec, dtype=torch.qint8)
    quantized = quantized[0] if alone else quantized
    if not any(isinstance(m, _linear_types()[1]) for m in quantized.modules()):
        raise ValueError(f"none of the Linear layers of {type(model).__name__} could be quantised: quantize_dynamic "
                         "replaces plain torch.nn.Linear layers only (not subclasses such as the out_proj of "
                         "nn.MultiheadAttention), so the copy would be the float model unchanged")
    return quantized


def prune_linear(model, amount: float, scope: str = "global", inplace: bool = False):
    """Set the fraction ``amount`` of smallest-|w| Linear weights to zero, permanently.

    Args:
        model: a ``torch.nn.Module`` with float ``nn.Linear`` layers.
        amount: fraction of weights to zero, ``0 <= amount < 1``.
        scope: ``"global"`` ranks all Linear weights together
            (``prune.global_unstructured``), so some layers lose more than others;
            ``"layer"`` prunes each layer by the same fraction (``prune.l1_unstructured``).
        inplace: change ``model`` itself instead of a deep copy.

    ``prune.remove`` then folds each mask into the weight, leaving an ordinary dense
    ``nn.Linear`` with zeros in it: the file on disk is as large as before.
    """
    _check_module(model)
    torch = _torch()
    from torch.nn.utils import prune
    if isinstance(amount, bool) or not isinstance(amount, numbers.Real) or not math.isfinite(amount) \
            or not 0 <= amount < 1:
        raise ValueError(f"amount must be a fraction with 0 <= amount < 1 (e.g. 0.5 for 50%), got {amount!r}")
    if scope not in ("global", "layer"):
        raise ValueError(f"scope must be 'global' or 'layer', got {scope!r}")
    if not isinstance(inplace, bool):
        raise TypeError(f"inplace must be True or False, got {inplace!r}")
    target = model if inplace else copy.deepcopy(model)
    layers = [m for m in target.modules() if isinstance(m, torch.nn.Linear)]
    if not layers:
        raise ValueError(f"{type(model).__name__} has no float torch.nn.Linear layers to prune")
    if scope == "global":
        prune.global_unstructured([(m, "weight") for m in layers], pruning_method=prune.L1Unstructured,
                                  amount=float(amount))
    else:
        for m in layers:
            prune.l1_unstructured(m, "weight", amount=float(amount))
    for m in layers:
        prune.remove(m, "weight")
    return target
