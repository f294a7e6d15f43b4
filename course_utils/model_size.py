"""How big a model is and what it costs: parameter counts, memory, training compute and time.

Introduced in chapter 01 (which derives every formula here); later chapters use it to size
what they fine-tune, quantise or prune.

Parameter counts
    count_torch_params(model)             count a built PyTorch model (shared weights once)
    dense_param_count(n_in, n_out)        one fully connected layer: n_in·n_out + n_out
    gpt_param_breakdown / gpt_param_count GPT-style decoder: ≈ 12·L·d² + (V + n_ctx)·d
    bert_param_count(config or values)    BERT encoder (embeddings, layers, pooler)

Cost
    BYTES_PER_PARAM, inference_memory_bytes        weights only, per number format
    adam_bytes_per_param, training_memory_bytes    weights + gradients + Adam moments (≈ 16 B/param)
    training_flops(N, D) = 6·N·D                   forward 2 FLOPs + backward 4 FLOPs per parameter per token
    training_seconds / training_days               FLOPs → wall time at a stated throughput and utilisation
    measure_matmul_flops(device)                   FLOP/s this machine reaches on n×n matrix products

Formatting
    human_count(175e9) -> '175B', human_bytes(350e9) -> '350 GB', human_duration(86400) -> '1 day'
"""
from __future__ import annotations

import math
import numbers

#: Bytes that one parameter takes in each number format (weights only).
BYTES_PER_PARAM = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1, "int4": 0.5}
#: Peak dense bf16/fp16 tensor-core throughput of one NVIDIA A100, in FLOP/s (data sheet).
A100_BF16_PEAK_FLOPS = 312e12
#: Memory of the larger A100 (and of an H100), in bytes.
A100_80GB_BYTES = 80e9
#: Utilisation (achieved / peak FLOP/s) the course assumes for large training runs.
DEFAULT_UTILIZATION = 0.4

_SECONDS_PER_DAY = 86_400


# ---------------------------------------------------------------- validation helpers
def _positive_int(value, name: str, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and not isinstance(value, bool) and float(value).is_integer():
            value = int(value)          # accept 175e9 written as a float, but only if it is a whole number
        else:
            raise TypeError(f"{name} must be a whole number, got {value!r}")
    value = int(value)
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value}")
    return value


def _positive_real(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


# ---------------------------------------------------------------- parameter counts
def count_torch_params(model, trainable_only: bool = False) -> int:
    """Number of parameters of a PyTorch module; a weight shared by two layers counts once.

    Works on models built on the ``meta`` device too (shapes without storage), which is how
    chapter 01 counts GPT-3 without 700 GB of memory.
    """
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - torch is in requirements.txt
        raise ImportError("count_torch_params needs PyTorch: pip install torch") from exc
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"count_torch_params expects a torch.nn.Module, got {type(model).__name__}; "
                        "for a Keras model use model.count_params()")
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def dense_param_count(n_in: int, n_out: int, bias: bool = True) -> int:
    """Parameters of one fully connected layer: an n_in × n_out weight matrix plus n_out biases."""
    n_in, n_out = _positive_int(n_in, "n_in"), _positive_int(n_out, "n_out")
    return n_in * n_out + (n_out if bias else 0)


def gpt_param_breakdown(n_layers: int, d_model: int, vocab: int, n_ctx: int, d_ff: int | None = None) -> dict:
    """Where the parameters of a GPT-2/GPT-3-style decoder live.

    The architecture: learned token (V·d) and position (n_ctx·d) embeddings; ``n_layers`` blocks of
    LayerNorm → self-attention (Q, K, V and output projections, each d×d plus bias) → LayerNorm →
    MLP (d → d_ff → d, with biases); a final LayerNorm; the output layer reuses the token embedding
    (tied weights), so it adds nothing. With d_ff = 4d a block holds 12·d² + 13·d parameters.
    """
    L = _positive_int(n_layers, "n_layers")
    d = _positive_int(d_model, "d_model")
    V = _positive_int(vocab, "vocab")
    n_ctx = _positive_int(n_ctx, "n_ctx")
    f = 4 * d if d_ff is None else _positive_int(d_ff, "d_ff")
    per_layer_attention = 4 * d * d + 4 * d          # W_q, W_k, W_v, W_o and their biases
    per_layer_mlp = 2 * d * f + f + d                 # d×f and f×d weights, biases f and d
    per_layer_layernorm = 2 * (2 * d)                 # two LayerNorms, each a gain and a bias of size d
    return {
        "token_embedding": V * d,
        "position_embedding": n_ctx * d,
        "attention": L * per_layer_attention,
        "mlp": L * per_layer_mlp,
        "layernorm": L * per_layer_layernorm,
        "final_layernorm": 2 * d,
    }


def gpt_param_count(n_layers: int, d_model: int, vocab: int, n_ctx: int, d_ff: int | None = None) -> int:
    """Exact parameter count of a GPT-style decoder, e.g. ``gpt_param_count(96, 12288, 50257, 2048)`` (GPT-3).

    Equals ``n_layers·(12·d² + 13·d) + (vocab + n_ctx)·d + 2·d`` when ``d_ff`` is 4·d (the default);
    see :func:`gpt_param_breakdown`.
    """
    return sum(gpt_param_breakdown(n_layers, d_model, vocab, n_ctx, d_ff).values())


_BERT_FIELDS = ("vocab_size", "hidden_size", "num_hidden_layers", "intermediate_size",
                "max_position_embeddings", "type_vocab_size")
#: bert-base-uncased's shape, which is also what ``transformers.BertConfig()`` gives by default.
BERT_BASE = {"vocab_size": 30522, "hidden_size": 768, "num_hidden_layers": 12, "intermediate_size": 3072,
             "max_position_embeddings": 512, "type_vocab_size": 2}


def bert_param_count(config=None, *, pooler: bool = True, **values) -> int:
    """Exact parameter count of a ``BertModel`` (the encoder, with or without its pooler).

    Args:
        config: a config-like object with the attributes ``vocab_size``, ``hidden_size``,
            ``num_hidden_layers``, ``intermediate_size``, ``max_position_embeddings`` and
            ``type_vocab_size`` (e.g. ``transformers.BertConfig()``), or a dict with those keys,
            or ``None`` for bert-base's shape (:data:`BERT_BASE`).
        pooler: include the pooler (a hidden×hidden dense layer on the [CLS] vector), as ``BertModel`` does.
        **values: any of the fields above, overriding ``config``.

    The number of attention heads does not appear: heads split the same d×d projections.
    """
    unknown = sorted(set(values) - set(_BERT_FIELDS))
    if unknown:
        raise TypeError(f"unknown BERT setting(s) {unknown}; expected any of {list(_BERT_FIELDS)}")
    if config is None:
        base = dict(BERT_BASE)
    elif isinstance(config, dict):
        base = dict(config)
    else:
        base = {k: getattr(config, k) for k in _BERT_FIELDS if hasattr(config, k)}
    base.update(values)
    missing = [k for k in _BERT_FIELDS if k not in base]
    if missing:
        raise ValueError(f"the BERT config lacks {missing}; pass them as keywords, e.g. bert_param_count(cfg, "
                         f"{missing[0]}=...)")
    V, h, L, f, P, T = (_positive_int(base[k], k) for k in _BERT_FIELDS)
    embeddings = (V + P + T) * h + 2 * h                   # word, position and segment tables + LayerNorm
    attention = 4 * h * h + 4 * h + 2 * h                  # Q, K, V, output projection + LayerNorm
    ffn = 2 * h * f + f + h + 2 * h                        # h→f→h with biases + LayerNorm
    return embeddings + L * (attention + ffn) + ((h * h + h) if pooler else 0)


# ---------------------------------------------------------------- memory
def _dtype(dtype: str) -> str:
    if not isinstance(dtype, str) or dtype.lower() not in BYTES_PER_PARAM:
        raise ValueError(f"dtype must be one of {list(BYTES_PER_PARAM)}, got {dtype!r}")
    return dtype.lower()


def inference_memory_bytes(n_params, dtype: str = "fp16") -> float:
    """Bytes needed to hold the weights for inference (activations and caches not included)."""
    return _positive_int(n_params, "n_params") * BYTES_PER_PARAM[_dtype(dtype)]


def adam_bytes_per_param(precision: str = "mixed") -> dict:
    """Bytes per parameter for training with Adam, by component.

    ``"fp32"``: weights, gradients and the two Adam moments (m, v), 4 bytes each = 16 B.
    ``"mixed"`` (fp16/bf16 mixed precision): 2-byte weights and gradients, plus an fp32 master
    copy of the weights and fp32 moments = 2 + 2 + 4 + 4 + 4 = 16 B. Activations come on top.
    """
    if precision == "fp32":
        parts = {"weights": 4, "gradients": 4, "master_weights": 0, "adam_m": 4, "adam_v": 4}
    elif precision == "mixed":
        parts = {"weights": 2, "gradients": 2, "master_weights": 4, "adam_m": 4, "adam_v": 4}
    else:
        raise ValueError(f"precision must be 'mixed' or 'fp32', got {precision!r}")
    parts["total"] = sum(parts.values())
    return parts


def training_memory_bytes(n_params, precision: str = "mixed") -> int:
    """Bytes for weights, gradients and Adam state (≈ 16 per parameter); activations not included."""
    return _positive_int(n_params, "n_params") * adam_bytes_per_param(precision)["total"]


# ---------------------------------------------------------------- compute and time
def training_flops(n_params, n_tokens) -> float:
    """Training compute C ≈ 6·N·D FLOPs: 2 per parameter per token forward, 4 backward."""
    return 6.0 * _positive_int(n_params, "n_params") * _positive_int(n_tokens, "n_tokens")


def training_seconds(flops, n_gpus: int = 1, peak_flops: float = A100_BF16_PEAK_FLOPS,
                     utilization: float = DEFAULT_UTILIZATION) -> float:
    """Wall-clock seconds to do ``flops`` on ``n_gpus`` devices running at ``utilization`` × ``peak_flops``."""
    flops = _positive_real(flops, "flops")
    n_gpus = _positive_int(n_gpus, "n_gpus")
    peak_flops = _positive_real(peak_flops, "peak_flops")
    utilization = _positive_real(utilization, "utilization")
    if utilization > 1:
        raise ValueError(f"utilization is a fraction of peak between 0 and 1, got {utilization}")
    return flops / (n_gpus * peak_flops * utilization)


def training_days(flops, n_gpus: int = 1, peak_flops: float = A100_BF16_PEAK_FLOPS,
                  utilization: float = DEFAULT_UTILIZATION) -> float:
    """:func:`training_seconds` in days."""
    return training_seconds(flops, n_gpus, peak_flops, utilization) / _SECONDS_PER_DAY


def measure_matmul_flops(device="cpu", n: int = 1024, seconds: float = 0.5) -> float:
    """FLOP/s of repeated n×n matrix products on ``device`` (bf16 on a CUDA GPU, float32 elsewhere).

    One product costs 2·n³ FLOPs (n³ multiply-adds); the function repeats it for about ``seconds`` seconds
    after one warm-up product and divides. Chapter 01 compares the result with a data-centre GPU.
    """
    import time

    import torch

    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device must be a torch.device or a name such as 'cpu' or 'cuda', got {device!r}") from exc
    n = _positive_int(n, "n")
    seconds = _positive_real(seconds, "seconds")
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    a, b = (torch.randn(n, n, device=device, dtype=dtype) for _ in range(2))
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    a @ b                                               # warm-up
    sync()
    repeats, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        a @ b
        sync()
        repeats += 1
    return 2 * n ** 3 * repeats / (time.perf_counter() - start)


# ---------------------------------------------------------------- formatting
def _three_digits(value: float) -> str:
    """``value`` to 3 significant digits, never in exponent notation (1234.5 -> '1,234')."""
    return f"{value:.3g}" if float(f"{value:.3g}") < 1000 else f"{value:,.0f}"


def _scaled(value: float, sizes) -> tuple[str, int]:
    """(text, index) for the largest size that ``value`` reaches *after* rounding to 3 digits, so that
    999_999 is '1' of 1e6 (not 1e+03 of 1e3); index len(sizes) means the value as it is."""
    for i, size in enumerate(sizes):
        if float(f"{value / size:.3g}") >= 1:
            return _three_digits(value / size), i
    return _three_digits(value), len(sizes)


def _human(value: float, steps, suffixes, unit: str, name: str) -> str:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a non-negative finite number, got {value!r}")
    text, i = _scaled(value, steps)
    suffix = suffixes[i] if i < len(suffixes) else ""
    return f"{text}{suffix}" if unit == "" else f"{text} {suffix}{unit}"


def human_count(n) -> str:
    """175e9 -> '175B', 109_482_240 -> '109M', 8970 -> '8.97k'."""
    return _human(n, (1e12, 1e9, 1e6, 1e3), ("T", "B", "M", "k"), "", "n")


def human_bytes(n_bytes) -> str:
    """Decimal units, as GPU data sheets use them: 350e9 -> '350 GB'."""
    return _human(n_bytes, (1e12, 1e9, 1e6, 1e3), ("T", "G", "M", "k"), "B", "n_bytes")


def human_duration(seconds) -> str:
    """A duration in the largest sensible unit: 90 -> '1.5 min', 3e7 -> '347 days', 3e9 -> '95.1 years'."""
    if isinstance(seconds, bool) or not isinstance(seconds, numbers.Real) or not math.isfinite(seconds) \
            or seconds < 0:
        raise ValueError(f"seconds must be a non-negative finite number, got {seconds!r}")
    units = ((365.25 * _SECONDS_PER_DAY, "years"), (_SECONDS_PER_DAY, "days"), (3600, "hours"), (60, "min"))
    text, i = _scaled(seconds, [size for size, _ in units])
    if i == len(units):
        return f"{text} s"
    unit = units[i][1]
    return f"{text} {unit[:-1] if text == '1' and unit != 'min' else unit}"
