"""Attention and the Transformer encoder, written from scratch in PyTorch.

Introduced in chapter 07 (attention and the Transformer), which builds every piece here cell by cell and checks
it against ``torch.nn.functional.scaled_dot_product_attention``, ``torch.nn.MultiheadAttention`` and the
``transformers`` ``BertModel`` of the course's all-MiniLM-L6-v2 checkpoint (every layer equal to float32
rounding). Later chapters reuse the blocks: a GPT is the same block with ``causal=True`` and ``pre_ln=True``.

    causal_mask(n)                           bool (n, n), True where query i may look at key j (j <= i)
    attention(q, k, v, mask, causal)         softmax(q·kᵀ/√d_k)·v, returned with the attention weights
    MultiHeadAttention(d_model, n_heads)     query/key/value/output projections; the heads split d_model
    EncoderBlock(d_model, n_heads, d_ff)     attention and a GELU feed-forward, each with a residual and a
                                             LayerNorm: after the residual (post-LN, BERT) or before (pre-LN, GPT)
    TransformerEncoder(...)                  BERT's shape: word + position + segment embeddings, blocks, pooler
    mean_pool(hidden, attention_mask)        the mean of the real tokens' vectors (sentence-transformers' pooling)
    load_bert_weights(source)                a TransformerEncoder filled from a BertModel or a checkpoint folder
    saved_for_backward(module, x)            bytes autograd keeps for the backward pass of module(x)

Masks follow PyTorch's boolean convention: ``True`` means "may attend". The encoder takes a tokenizer's
``attention_mask`` (1 = real token, 0 = padding) as it comes.
"""
from __future__ import annotations

import json
import math
import numbers
from pathlib import Path
from typing import NamedTuple

import torch
from torch import nn

_ACTIVATIONS = ("gelu", "gelu_tanh", "relu")
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


# ---------------------------------------------------------------------------------- validation
def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _flag(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def _float_tensor(x, name: str, min_dim: int) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"{name} must hold floating-point numbers, got dtype {x.dtype}")
    if x.dim() < min_dim:
        raise ValueError(f"{name} must have at least {min_dim} dimensions, got shape {tuple(x.shape)}")
    return x


def _dropout_rate(value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ValueError(f"dropout must be a number in [0, 1), got {value!r}")
    return float(value)


def _padding_mask(mask, batch: int, n: int, name: str = "padding_mask") -> torch.Tensor | None:
    """A (batch, n) bool mask, True at real tokens, from a bool or 0/1 integer tensor."""
    if mask is None:
        return None
    if not isinstance(mask, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape (batch, tokens) = ({batch}, {n}), "
                        f"got {type(mask).__name__}")
    if tuple(mask.shape) != (batch, n):
        raise ValueError(f"{name} must have shape (batch, tokens) = ({batch}, {n}), got {tuple(mask.shape)}")
    if mask.dtype == torch.bool:
        return mask
    if mask.is_floating_point() or mask.is_complex():
        raise TypeError(f"{name} must be bool (True = real token) or 0/1 integers, as a tokenizer returns it; "
                        f"got dtype {mask.dtype} (an additive float mask is not accepted)")
    if not bool(((mask == 0) | (mask == 1)).all()):
        raise ValueError(f"{name} must hold only 0 (padding) and 1 (real token)")
    return mask.bool()


# ---------------------------------------------------------------------------------- attention
def causal_mask(n: int, device=None) -> torch.Tensor:
    """Boolean (n, n) mask, True on and below the diagonal: query i may look at keys 0..i only."""
    n = _positive_int(n, "n")
    return torch.ones(n, n, dtype=torch.bool, device=device).tril()


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None,
              causal: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Scaled dot-product attention: ``softmax(q·kᵀ/√d_k)·v``; returns ``(output, weights)``.

    Args:
        q: queries ``(..., n_q, d_k)``; k: keys ``(..., n_k, d_k)``; v: values ``(..., n_k, d_v)``,
            with the same leading (batch, head) dimensions.
        mask: ``None`` or a bool tensor that broadcasts to ``(..., n_q, n_k)``; ``True`` = may attend
            (PyTorch's convention in ``scaled_dot_product_attention``).
        causal: also hide the keys after each query (needs ``n_q == n_k``).
    Masked scores are set to the most negative float, as ``transformers`` does, so a query with every key
    masked gets uniform weights instead of NaN.
    """
    for name, x in (("q", q), ("k", k), ("v", v)):
        _float_tensor(x, name, 2)
    if q.shape[:-2] != k.shape[:-2] or k.shape[:-2] != v.shape[:-2]:
        raise ValueError(f"q, k and v must share their leading (batch, head) dimensions, got shapes "
                         f"{tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k must have the same last dimension d_k, got {q.shape[-1]} and {k.shape[-1]}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k and v must have the same number of positions, got {k.shape[-2]} and {v.shape[-2]}")
    _flag(causal, "causal")
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    allowed = None
    if mask is not None:
        if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
            raise TypeError("mask must be a bool tensor (True = may attend), got "
                            + (f"dtype {mask.dtype}: convert a 0/1 mask with mask.bool()"
                               if isinstance(mask, torch.Tensor) else type(mask).__name__))
        try:
            if torch.broadcast_shapes(mask.shape, scores.shape) != scores.shape:
                raise RuntimeError
        except RuntimeError:
            raise ValueError(f"mask of shape {tuple(mask.shape)} does not broadcast to the scores' shape "
                             f"{tuple(scores.shape)} (..., n_q, n_k)") from None
        allowed = mask
    if causal:
        if q.shape[-2] != k.shape[-2]:
            raise ValueError(f"causal=True needs as many queries as keys, got {q.shape[-2]} and {k.shape[-2]}")
        tri = causal_mask(q.shape[-2], device=q.device)
        allowed = tri if allowed is None else allowed & tri
    if allowed is not None:
        scores = scores.masked_fill(~allowed, torch.finfo(scores.dtype).min)
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights


class MultiHeadAttention(nn.Module):
    """Self-attention with ``n_heads`` heads of size ``d_model // n_heads`` (BERT's and GPT's layout).

    ``forward(x, padding_mask=None, return_weights=False)``: ``x`` is ``(batch, n, d_model)``; the padding mask
    is ``(batch, n)``, True or 1 at real tokens. Returns ``(batch, n, d_model)``, and the weights
    ``(batch, n_heads, n, n)`` too when ``return_weights`` is set. ``causal=True`` hides later positions.
    """

    def __init__(self, d_model: int, n_heads: int, bias: bool = True, causal: bool = False):
        super().__init__()
        d_model, n_heads = _positive_int(d_model, "d_model"), _positive_int(n_heads, "n_heads")
        if d_model % n_heads:
            raise ValueError(f"d_model ({d_model}) must be a multiple of n_heads ({n_heads})")
        self.d_model, self.n_heads, self.d_head = d_model, n_heads, d_model // n_heads
        self.causal = _flag(causal, "causal")
        self.query = nn.Linear(d_model, d_model, bias=_flag(bias, "bias"))
        self.key = nn.Linear(d_model, d_model, bias=bias)
        self.value = nn.Linear(d_model, d_model, bias=bias)
        self.output = nn.Linear(d_model, d_model, bias=bias)

    def forward(self, x: torch.Tensor, padding_mask: torch.Tensor | None = None, return_weights: bool = False):
        _float_tensor(x, "x", 3)
        if x.dim() != 3 or x.shape[-1] != self.d_model:
            raise ValueError(f"x must have shape (batch, tokens, d_model={self.d_model}), got {tuple(x.shape)}")
        batch, n, _ = x.shape
        keep = _padding_mask(padding_mask, batch, n)
        mask = None if keep is None else keep[:, None, None, :]      # hide padded keys from every query

        def split(t):                                   # (batch, n, d_model) -> (batch, heads, n, d_head)
            return t.view(batch, n, self.n_heads, self.d_head).transpose(1, 2)

        out, weights = attention(split(self.query(x)), split(self.key(x)), split(self.value(x)), mask,
                                 causal=self.causal)
        out = self.output(out.transpose(1, 2).reshape(batch, n, self.d_model))   # heads side by side, mixed
        return (out, weights) if return_weights else out


def _activation(name: str):
    if name not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {list(_ACTIVATIONS)}, got {name!r}")
    if name == "gelu":
        return nn.GELU()                          # exact, with erf: BERT's "gelu"
    if name == "gelu_tanh":
        return nn.GELU(approximate="tanh")        # GPT-2's "gelu_new"
    return nn.ReLU()                              # the original Transformer (2017)


class EncoderBlock(nn.Module):
    """One Transformer block: multi-head self-attention, then a position-wise feed-forward network.

    ``pre_ln=False`` (BERT, the 2017 paper): ``h = LN(x + Attn(x))``, ``out = LN(h + FFN(h))``.
    ``pre_ln=True`` (GPT-2 onwards): ``h = x + Attn(LN(x))``, ``out = h + FFN(LN(h))``.
    ``causal=True`` lets each position attend only to itself and earlier positions (a decoder block).
    ``activation``: ``"gelu"`` (exact, BERT), ``"gelu_tanh"`` (GPT-2) or ``"relu"`` (2017). ``dropout`` (active in
    training mode only) drops from each sub-layer's output before the residual sum.
    ``forward(x, padding_mask=None, return_weights=False)`` returns ``(batch, n, d_model)``, and the attention
    weights ``(batch, n_heads, n, n)`` too when ``return_weights`` is set.
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int, pre_ln: bool = False, causal: bool = False,
                 eps: float = 1e-5, activation: str = "gelu", dropout: float = 0.0):
        super().__init__()
        d_ff = _positive_int(d_ff, "d_ff")
        if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not 0 < eps < 1:
            raise ValueError(f"eps must be a small positive number such as 1e-12 or 1e-5, got {eps!r}")
        self.pre_ln = _flag(pre_ln, "pre_ln")
        self.attention = MultiHeadAttention(d_model, n_heads, causal=causal)
        self.attention_norm = nn.LayerNorm(d_model, eps=eps)
        self.ffn_in = nn.Linear(d_model, d_ff)
        self.activation = _activation(activation)
        self.ffn_out = nn.Linear(d_ff, d_model)
        self.ffn_norm = nn.LayerNorm(d_model, eps=eps)
        self.dropout = nn.Dropout(_dropout_rate(dropout))

    def ffn(self, h: torch.Tensor) -> torch.Tensor:
        """The feed-forward network, applied to every position on its own: d_model -> d_ff -> d_model."""
        return self.ffn_out(self.activation(self.ffn_in(h)))

    def forward(self, x: torch.Tensor, padding_mask: torch.Tensor | None = None, return_weights: bool = False):
        if self.pre_ln:
            a, weights = self.attention(self.attention_norm(x), padding_mask, return_weights=True)
            h = x + self.dropout(a)
            out = h + self.dropout(self.ffn(self.ffn_norm(h)))
        else:
            a, weights = self.attention(x, padding_mask, return_weights=True)
            h = self.attention_norm(x + self.dropout(a))
            out = self.ffn_norm(h + self.dropout(self.ffn(h)))
        return (out, weights) if return_weights else out


class EncoderOutput(NamedTuple):
    """What :class:`TransformerEncoder` returns; the names are those of ``transformers``' outputs."""
    last_hidden_state: torch.Tensor          # (batch, n, d_model)
    hidden_states: tuple                     # n_layers + 1 tensors: the embeddings, then each block's output
    pooler_output: torch.Tensor | None       # (batch, d_model): tanh(W·h_[CLS] + b), or None without a pooler
    attentions: tuple | None                 # n_layers tensors (batch, heads, n, n) when asked for


class TransformerEncoder(nn.Module):
    """A BERT-shaped encoder: word + position + segment embeddings and a LayerNorm, ``n_layers`` blocks, a pooler.

    ``forward(input_ids, attention_mask=None, token_type_ids=None, return_weights=False)`` takes what a BERT
    tokenizer returns (ids, 0/1 mask, segment ids) and returns an :class:`EncoderOutput`.
    Build one for a checkpoint with :func:`load_bert_weights` or :meth:`from_config`.
    """

    def __init__(self, vocab_size: int, d_model: int, n_heads: int, d_ff: int, n_layers: int,
                 max_positions: int = 512, type_vocab_size: int = 2, eps: float = 1e-12, pooler: bool = True,
                 pre_ln: bool = False, causal: bool = False, activation: str = "gelu"):
        super().__init__()
        self.max_positions = _positive_int(max_positions, "max_positions")
        self.word_embeddings = nn.Embedding(_positive_int(vocab_size, "vocab_size"), d_model)
        self.position_embeddings = nn.Embedding(self.max_positions, d_model)
        self.token_type_embeddings = nn.Embedding(_positive_int(type_vocab_size, "type_vocab_size"), d_model)
        self.embedding_norm = nn.LayerNorm(d_model, eps=eps)
        self.blocks = nn.ModuleList([EncoderBlock(d_model, n_heads, d_ff, pre_ln=pre_ln, causal=causal, eps=eps,
                                                  activation=activation)
                                     for _ in range(_positive_int(n_layers, "n_layers"))])
        # A pre-LN stack ends on a residual sum; it needs one last LayerNorm (GPT-2's ln_f).
        self.final_norm = nn.LayerNorm(d_model, eps=eps) if pre_ln else None
        self.pooler = nn.Linear(d_model, d_model) if _flag(pooler, "pooler") else None

    @classmethod
    def from_config(cls, config, **overrides) -> "TransformerEncoder":
        """An encoder shaped like a ``transformers.BertConfig`` (or a dict of its fields), with random weights."""
        fields = {"vocab_size": "vocab_size", "d_model": "hidden_size", "n_heads": "num_attention_heads",
                  "d_ff": "intermediate_size", "n_layers": "num_hidden_layers",
                  "max_positions": "max_position_embeddings", "type_vocab_size": "type_vocab_size",
                  "eps": "layer_norm_eps"}
        get = config.get if isinstance(config, dict) else (lambda key: getattr(config, key, None))
        missing = [theirs for theirs in fields.values() if get(theirs) is None]
        if missing:
            raise ValueError(f"the config lacks the BERT field(s) {missing}; expected a transformers.BertConfig "
                             "or a dict with those keys")
        act = get("hidden_act") or "gelu"
        if act not in ("gelu", "gelu_new", "relu"):
            raise ValueError(f"hidden_act {act!r} is not supported; expected 'gelu', 'gelu_new' or 'relu'")
        kwargs = {ours: get(theirs) for ours, theirs in fields.items()}
        kwargs["activation"] = {"gelu_new": "gelu_tanh"}.get(act, act)
        kwargs.update(overrides)
        return cls(**kwargs)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
                token_type_ids: torch.Tensor | None = None, return_weights: bool = False) -> EncoderOutput:
        if not isinstance(input_ids, torch.Tensor) or input_ids.dtype not in (torch.int64, torch.int32):
            raise TypeError("input_ids must be an integer torch.Tensor of token ids, shape (batch, tokens), got "
                            + (f"dtype {input_ids.dtype}" if isinstance(input_ids, torch.Tensor)
                               else type(input_ids).__name__))
        if input_ids.dim() != 2:
            raise ValueError(f"input_ids must have shape (batch, tokens), got {tuple(input_ids.shape)}; "
                             "for one text use ids.unsqueeze(0) or tokenizer(text, return_tensors='pt')")
        batch, n = input_ids.shape
        if n > self.max_positions:
            raise ValueError(f"{n} tokens is more than the {self.max_positions} positions this encoder has")
        vocab = self.word_embeddings.num_embeddings
        if n and (int(input_ids.min()) < 0 or int(input_ids.max()) >= vocab):
            raise ValueError(f"input_ids must lie in [0, {vocab}), the vocabulary; got values from "
                             f"{int(input_ids.min())} to {int(input_ids.max())}")
        keep = _padding_mask(attention_mask, batch, n, "attention_mask")
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        elif not isinstance(token_type_ids, torch.Tensor) or tuple(token_type_ids.shape) != (batch, n):
            raise ValueError(f"token_type_ids must be a tensor of shape {(batch, n)} like input_ids")
        positions = torch.arange(n, device=input_ids.device)
        x = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        x = self.embedding_norm(x + self.position_embeddings(positions))
        hidden, weights = [x], []
        for block in self.blocks:
            x, w = block(x, keep, return_weights=True)
            hidden.append(x)
            weights.append(w)
        if self.final_norm is not None:
            x = self.final_norm(x)
            hidden[-1] = x
        pooled = torch.tanh(self.pooler(x[:, 0])) if self.pooler is not None else None
        return EncoderOutput(x, tuple(hidden), pooled, tuple(weights) if return_weights else None)


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Average of the real tokens' vectors, ``(batch, n, d) -> (batch, d)``, padding left out.

    This is how sentence-transformers turns all-MiniLM-L6-v2's output into a sentence embedding (that model
    then L2-normalises it: ``torch.nn.functional.normalize(mean_pool(h, mask), dim=-1)``).
    """
    _float_tensor(hidden, "hidden", 3)
    if hidden.dim() != 3:
        raise ValueError(f"hidden must have shape (batch, tokens, d_model), got {tuple(hidden.shape)}")
    keep = _padding_mask(attention_mask, hidden.shape[0], hidden.shape[1], "attention_mask")
    weights = keep.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)


# ---------------------------------------------------------------------------------- BERT weights
def bert_weight_names(n_layers: int) -> dict[str, str]:
    """Map each parameter of :class:`TransformerEncoder` to its name in a ``BertModel`` state dict."""
    names = {"word_embeddings.weight": "embeddings.word_embeddings.weight",
             "position_embeddings.weight": "embeddings.position_embeddings.weight",
             "token_type_embeddings.weight": "embeddings.token_type_embeddings.weight",
             "embedding_norm.weight": "embeddings.LayerNorm.weight",
             "embedding_norm.bias": "embeddings.LayerNorm.bias"}
    ours_to_bert = {"attention.query": "attention.self.query", "attention.key": "attention.self.key",
                    "attention.value": "attention.self.value", "attention.output": "attention.output.dense",
                    "attention_norm": "attention.output.LayerNorm", "ffn_in": "intermediate.dense",
                    "ffn_out": "output.dense", "ffn_norm": "output.LayerNorm"}
    for i in range(_positive_int(n_layers, "n_layers")):
        for ours, theirs in ours_to_bert.items():
            for p in ("weight", "bias"):
                names[f"blocks.{i}.{ours}.{p}"] = f"encoder.layer.{i}.{theirs}.{p}"
    names["pooler.weight"], names["pooler.bias"] = "pooler.dense.weight", "pooler.dense.bias"
    return names


def _read_checkpoint_folder(folder: Path) -> tuple[dict, dict]:
    hint = ("expected a folder holding a BERT checkpoint: config.json with \"model_type\": \"bert\" and "
            "model.safetensors (or pytorch_model.bin), such as course_utils.bert_checkpoint() or a "
            "save_pretrained folder")
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder; {hint}")
    config_file = folder / "config.json"
    if not config_file.is_file():
        raise FileNotFoundError(f"{folder} has no config.json, so it is not a saved model; {hint}")
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{config_file} is not valid JSON ({exc}); {hint}") from None
    if not isinstance(config, dict) or config.get("model_type") != "bert":
        kind = config.get("model_type") if isinstance(config, dict) else None
        raise ValueError(f"{folder} holds a {kind!r} model, not a BERT one; {hint}")
    weight_file = next((folder / f for f in _WEIGHT_FILES if (folder / f).is_file()), None)
    if weight_file is None:
        raise FileNotFoundError(f"{folder} has a config.json but no weights ({' or '.join(_WEIGHT_FILES)}); {hint}")
    if weight_file.suffix == ".safetensors":
        from safetensors.torch import load_file
        state = load_file(str(weight_file))
    else:
        state = torch.load(weight_file, map_location="cpu", weights_only=True)
    return config, state


def load_bert_weights(source, model: TransformerEncoder | None = None) -> TransformerEncoder:
    """A :class:`TransformerEncoder` holding a BERT checkpoint's weights, in eval mode, on the CPU.

    The encoder is float32 (float64 if the source is), whatever precision the checkpoint stores.

    Args:
        source: a checkpoint folder (``course_utils.bert_checkpoint()``, a ``save_pretrained`` folder), or a
            ``transformers`` ``BertModel`` (or a ``BertFor...`` model, whose ``.bert`` is used).
        model: an encoder of the right shape to fill; by default one is built from the checkpoint's config.
    Every weight of the encoder must be found in the checkpoint with the same shape; missing or misshapen
    weights raise an error that names them.
    """
    if isinstance(source, (str, Path)):
        config, state = _read_checkpoint_folder(Path(source).expanduser())
    elif isinstance(source, nn.Module) and hasattr(source, "config"):
        bert = getattr(source, "bert", source)
        config = bert.config.to_dict() if hasattr(bert.config, "to_dict") else dict(bert.config)
        if config.get("model_type") != "bert":
            raise ValueError(f"source is a {config.get('model_type')!r} model; expected a BertModel")
        state = bert.state_dict()
    else:
        raise TypeError("source must be a BERT checkpoint folder (str or Path) or a transformers BertModel, "
                        f"got {type(source).__name__}")
    state = {k.removeprefix("bert."): v for k, v in state.items()}
    if model is None:
        model = TransformerEncoder.from_config(config, pooler="pooler.dense.weight" in state)
        dtype = getattr(state.get("embeddings.word_embeddings.weight"), "dtype", None)
        if dtype == torch.float64:                     # keep a float64 source in float64; all else in float32
            model = model.double()
    elif not isinstance(model, TransformerEncoder):
        raise TypeError(f"model must be a TransformerEncoder, got {type(model).__name__}")
    names = bert_weight_names(len(model.blocks))
    ours = model.state_dict()
    missing = sorted(theirs for mine, theirs in names.items() if mine in ours and theirs not in state)
    if missing:
        raise KeyError(f"the checkpoint lacks {len(missing)} weight(s) the encoder needs, e.g. {missing[:3]}; "
                       "is it a BERT checkpoint with this many layers?")
    misshapen = [(m, tuple(ours[m].shape), tuple(state[t].shape)) for m, t in names.items()
                 if m in ours and tuple(ours[m].shape) != tuple(state[t].shape)]
    if misshapen:
        m, want, got = misshapen[0]
        raise ValueError(f"{len(misshapen)} weight(s) have the wrong shape, e.g. {m}: the encoder has {want}, "
                         f"the checkpoint {got}")
    with torch.no_grad():
        for mine, theirs in names.items():
            if mine in ours:
                ours[mine].copy_(state[theirs])
    return model.eval()


# ---------------------------------------------------------------------------------- memory, measured
def saved_for_backward(module: nn.Module, x: torch.Tensor) -> int:
    """Bytes of the tensors autograd keeps from ``module(x)`` for the backward pass (chapter 07, section 9.2).

    Runs ``module`` once on a copy of ``x`` that requires gradients and records every tensor autograd saves
    (activations, attention weights, ...): each underlying storage is counted once, and the module's own
    weights are not counted (they are in memory anyway).
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be a torch.nn.Module, got {type(module).__name__}")
    _float_tensor(x, "x", 1)
    weights = {p.untyped_storage().data_ptr() for p in module.parameters()}
    kept = {}

    def pack(t):
        storage = t.untyped_storage()
        if storage.data_ptr() not in weights:
            kept[storage.data_ptr()] = storage.nbytes()
        return t

    with torch.enable_grad(), torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        module(x.detach().requires_grad_())
    return sum(kept.values())


__all__ = ["causal_mask", "attention", "MultiHeadAttention", "EncoderBlock", "EncoderOutput", "TransformerEncoder",
           "mean_pool", "bert_weight_names", "load_bert_weights", "saved_for_backward"]
