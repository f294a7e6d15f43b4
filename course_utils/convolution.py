"""Convolution and pooling in NumPy, and the two box operations every object detector ends with.

Introduced in chapter 05 (convolutional networks), which builds each function step by step and checks it
against the libraries: :func:`conv2d` against ``torch.nn.functional.conv2d`` and Keras ``Conv2D``, the
pooling functions against ``torch.nn.functional.max_pool2d`` / ``avg_pool2d``, :func:`box_iou` against
``keras.utils.bounding_boxes.compute_iou`` and :func:`nms` against ``tf.image.non_max_suppression``.

Conventions are PyTorch's:

- an image is ``(H, W)`` (one channel), ``(C, H, W)`` or a batch ``(N, C, H, W)``;
- a kernel is ``(kh, kw)`` for a one-channel image, else ``(C_out, C_in, kh, kw)``;
- "convolution" is cross-correlation, the kernel is not flipped (as in every deep-learning library);
- a box is ``(x1, y1, x2, y2)``: its left, top, right and bottom edges, with ``x1 <= x2`` and ``y1 <= y2``.

Everything is computed in float64.
"""
from __future__ import annotations

import numbers

import numpy as np


# ---------------------------------------------------------------- input checks
def _pair(value, name: str, minimum: int) -> tuple[int, int]:
    """``(a, b)`` from an int or a pair of ints, each at least ``minimum``."""
    items = value if isinstance(value, (tuple, list)) else (value, value)
    if len(items) != 2 or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in items):
        raise TypeError(f"{name} must be an integer or a pair of integers (rows, columns), got {value!r}")
    a, b = int(items[0]), int(items[1])
    if a < minimum or b < minimum:
        need = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{name} must be {need} (at least {minimum}), got {value!r}")
    return a, b


def _real_array(value, name: str) -> np.ndarray:
    """A float64 NumPy array of real numbers from a list, NumPy array or (CPU or GPU) tensor."""
    if hasattr(value, "detach"):                          # torch.Tensor
        value = value.detach().cpu().numpy()
    elif hasattr(value, "numpy") and not isinstance(value, np.ndarray) and callable(value.numpy):   # tf.Tensor
        value = value.numpy()
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got the text {value!r}")
    try:
        arr = np.asarray(value)
    except ValueError as exc:                              # ragged nested lists
        raise TypeError(f"{name} must be a rectangular array of numbers, not a ragged nested list") from exc
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got an array of dtype {arr.dtype}")
    return arr.astype(np.float64)


def _image(x, name: str = "x") -> np.ndarray:
    arr = _real_array(x, name)
    if arr.ndim not in (2, 3, 4):
        raise ValueError(f"{name} must be an image (H, W), (C, H, W) or a batch (N, C, H, W); got shape {arr.shape}")
    if 0 in arr.shape:
        raise ValueError(f"{name} is empty (shape {arr.shape})")
    return arr


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0) -> int:
    """Output length along one axis: ``floor((size + 2·padding − kernel_size) / stride) + 1``.

    Raises a ValueError if the kernel does not fit in the padded input.
    """
    for name, value, minimum in (("size", size, 1), ("kernel_size", kernel_size, 1), ("stride", stride, 1),
                                 ("padding", padding, 0)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an integer, got {value!r}")
        if value < minimum:
            need = "positive" if minimum == 1 else "non-negative"
            raise ValueError(f"{name} must be {need}, got {value!r}")
    if kernel_size > size + 2 * padding:
        raise ValueError(f"the kernel ({kernel_size}) is larger than the padded input ({size} + 2·{padding} = "
                         f"{size + 2 * padding}): there is no position to place it")
    return (size + 2 * padding - kernel_size) // stride + 1


# ---------------------------------------------------------------- convolution
def conv2d(x, weight, bias=None, stride=1, padding=0) -> np.ndarray:
    """2-D convolution (cross-correlation) as in ``torch.nn.functional.conv2d``, in NumPy.

    Args:
        x: ``(H, W)`` with a ``(kh, kw)`` kernel; or ``(C_in, H, W)`` / ``(N, C_in, H, W)`` with a
            ``(C_out, C_in, kh, kw)`` weight.
        weight: the kernel(s), laid out as above (PyTorch's layout; Keras stores ``(kh, kw, C_in, C_out)``).
        bias: ``None``, a number (one-channel case) or one number per output channel ``(C_out,)``.
        stride: step between neighbouring windows, an int or ``(rows, columns)``, at least 1.
        padding: zeros added on every side, an int or ``(rows, columns)``, at least 0.
    Returns:
        ``(H', W')``, ``(C_out, H', W')`` or ``(N, C_out, H', W')`` with
        ``H' = floor((H + 2·padding − kh) / stride) + 1`` (see :func:`conv_output_size`).
    """
    x = _image(x)
    w = _real_array(weight, "weight")
    if x.ndim == 2 and w.ndim != 2:
        raise ValueError(f"a one-channel image (H, W) needs a 2-D kernel (kh, kw), got weight of shape {w.shape}; "
                         "for channels pass x as (C_in, H, W)")
    if x.ndim > 2 and w.ndim != 4:
        raise ValueError(f"x of shape {x.shape} needs weight of shape (C_out, C_in, kh, kw), got {w.shape}")
    if 0 in w.shape:
        raise ValueError(f"weight is empty (shape {w.shape})")
    (sh, sw), (ph, pw) = _pair(stride, "stride", 1), _pair(padding, "padding", 0)
    single = x.ndim == 2
    x4 = x[None, None] if single else (x[None] if x.ndim == 3 else x)
    w4 = w[None, None] if single else w
    if x4.shape[1] != w4.shape[1]:
        raise ValueError(f"x has {x4.shape[1]} input channel(s) but weight expects {w4.shape[1]} "
                         f"(weight shape {w.shape} is (C_out, C_in, kh, kw))")
    kh, kw = w4.shape[-2:]
    H, W = x4.shape[-2:]
    if kh > H + 2 * ph or kw > W + 2 * pw:
        raise ValueError(f"the kernel ({kh}×{kw}) is larger than the padded image ({H + 2 * ph}×{W + 2 * pw}, "
                         f"padding {ph}×{pw}): there is no position to place it")
    out_channels = w4.shape[0]
    if bias is not None:
        b = _real_array(bias, "bias")
        if b.shape not in ((out_channels,), ()) or (b.ndim == 0 and not single):
            raise ValueError(f"bias must hold one number per output channel, shape ({out_channels},); got {b.shape}")
        b = b.reshape(out_channels)
    xp = np.pad(x4, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    windows = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    # windows: (N, C_in, H', W', kh, kw); sum over C_in, kh, kw against weight (C_out, C_in, kh, kw)
    out = np.tensordot(windows, w4, axes=([1, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2)
    if bias is not None:
        out = out + b[None, :, None, None]
    if single:
        return out[0, 0]
    return out[0] if x.ndim == 3 else out


# ---------------------------------------------------------------- pooling
def _pool_windows(x, kernel_size, stride):
    x = _image(x)
    kh, kw = _pair(kernel_size, "kernel_size", 1)
    sh, sw = _pair(kernel_size if stride is None else stride, "stride", 1)
    H, W = x.shape[-2:]
    if kh > H or kw > W:
        raise ValueError(f"the pooling window ({kh}×{kw}) is larger than the image ({H}×{W})")
    return np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(-2, -1))[..., ::sh, ::sw, :, :]


def max_pool2d(x, kernel_size=2, stride=None) -> np.ndarray:
    """Largest value in each ``kernel_size`` window of the last two axes, as ``torch.nn.functional.max_pool2d``.

    ``stride`` defaults to ``kernel_size`` (windows side by side); no padding; a partial window at the
    edge is dropped (PyTorch's ``ceil_mode=False``).
    """
    return _pool_windows(x, kernel_size, stride).max(axis=(-2, -1))


def avg_pool2d(x, kernel_size=2, stride=None) -> np.ndarray:
    """Mean of each ``kernel_size`` window of the last two axes, as ``torch.nn.functional.avg_pool2d``."""
    return _pool_windows(x, kernel_size, stride).mean(axis=(-2, -1))


# ---------------------------------------------------------------- boxes
def _boxes(boxes, name: str) -> np.ndarray:
    arr = _real_array(boxes, name)
    if arr.ndim == 1 and arr.shape == (4,):
        arr = arr[None]
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ValueError(f"{name} must have shape (N, 4), one (x1, y1, x2, y2) row per box; got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity")
    bad = np.flatnonzero((arr[:, 2] < arr[:, 0]) | (arr[:, 3] < arr[:, 1]))
    if bad.size:
        raise ValueError(f"{name}[{bad[0]}] = {arr[bad[0]].tolist()} is not (x1, y1, x2, y2) with x1 <= x2 and "
                         "y1 <= y2; convert (x, y, width, height) boxes first")
    return arr


def box_area(boxes) -> np.ndarray:
    """Area ``(x2 − x1)·(y2 − y1)`` of each box."""
    b = _boxes(boxes, "boxes")
    return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])


def box_iou(boxes1, boxes2) -> np.ndarray:
    """Intersection over union of every pair: an ``(N, M)`` array for ``(N, 4)`` and ``(M, 4)`` boxes.

    IoU = area of the overlap / area of the union, from 0 (disjoint) to 1 (identical). Two boxes of zero
    area (whose union is empty) get 0.
    """
    a, b = _boxes(boxes1, "boxes1"), _boxes(boxes2, "boxes2")
    left = np.maximum(a[:, None, 0], b[None, :, 0])
    top = np.maximum(a[:, None, 1], b[None, :, 1])
    right = np.minimum(a[:, None, 2], b[None, :, 2])
    bottom = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(right - left, 0, None) * np.clip(bottom - top, 0, None)
    union = box_area(a)[:, None] + box_area(b)[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def nms(boxes, scores, iou_threshold: float) -> np.ndarray:
    """Greedy non-maximum suppression: indices of the boxes kept, highest score first.

    Repeatedly keep the best remaining box and drop every remaining box whose IoU with it is greater
    than ``iou_threshold``. Equal scores keep the lower index first.
    """
    b = _boxes(boxes, "boxes")
    s = _real_array(scores, "scores")
    if s.ndim != 1 or s.shape[0] != b.shape[0]:
        raise ValueError(f"scores must be 1-D with one score per box ({b.shape[0]}), got shape {s.shape}")
    if not np.all(np.isfinite(s)):
        raise ValueError("scores contain NaN or infinity")
    if isinstance(iou_threshold, bool) or not isinstance(iou_threshold, numbers.Real) \
            or not 0.0 <= float(iou_threshold) <= 1.0:
        raise ValueError(f"iou_threshold must be a number between 0 and 1, got {iou_threshold!r}")
    order = np.argsort(-s, kind="stable")
    iou = box_iou(b, b)
    keep = []
    alive = np.ones(len(b), dtype=bool)
    for i in order:
        if alive[i]:
            keep.append(i)
            alive &= iou[i] <= iou_threshold
    return np.array(keep, dtype=np.int64)


__all__ = ["conv_output_size", "conv2d", "max_pool2d", "avg_pool2d", "box_area", "box_iou", "nms"]
