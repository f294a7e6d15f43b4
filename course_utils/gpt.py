"""A small GPT from scratch: the decoder, Shakespeare batches, the training recipe, sampling, a KV cache.

Introduced in chapter 11 (a small GPT), which tokenises Shakespeare, pre-trains this model on a CPU, generates
text with it and hands its weights to ``transformers``' ``GPT2LMHeadModel``. Chapter 12 trains a family of these
models of increasing size: the shape is one :class:`GPTConfig`, the training budget the arguments of
:func:`train_gpt`.

    GPTConfig(vocab_size, n_ctx, n_layers, n_heads, d_model)   the shape; .n_params is chapter 01's formula
    GPT(config)                      token + position embeddings, chapter 07's blocks with causal=True and
                                     pre_ln=True, a final LayerNorm, an output layer tied to the token embedding
    DecoderBlock, CausalSelfAttention          chapter 07's block and attention, with a KV cache
    KVCache(n_layers)                the keys and values of the positions already seen, per layer
    load_shakespeare(), split_train_val(ids)   the course's copy of tiny Shakespeare; nanoGPT's 90/10 split
    get_batch(data, batch_size, n_ctx)         random windows x and the same windows shifted by one, y
    evaluate_loss(model, data)       mean next-token cross-entropy over non-overlapping windows, in nats
    configure_optimizer(model, lr)   AdamW, weight decay on the matrices only (GPT-2, nanoGPT)
    train_gpt(model, train, val, ...)          AdamW, warm-up + cosine decay, global-norm clipping (chapter 02);
                                     returns a TrainLog (losses, learning rates, timings, samples)
    filter_logits, sample_next       temperature, top-k, top-p (nucleus), or greedy: the choice of the next token
    generate(model, ids, n, ...)     the decoding loop, with or without the KV cache
    gpt2_config, gpt2_state_dict, to_gpt2      the same weights in a transformers GPT2LMHeadModel

The blocks are chapter 07's :class:`~course_utils.transformer.EncoderBlock` (``causal=True, pre_ln=True``, GPT-2's
LayerNorm epsilon). Their attention is chapter 07's :class:`~course_utils.transformer.MultiHeadAttention`
with the same weights; :class:`CausalSelfAttention` adds a KV cache and, by default, computes the same softmax
with PyTorch's fused ``scaled_dot_product_attention`` (``fused=False`` runs chapter 07's own ``attention``).
"""
from __future__ import annotations

import math
import numbers
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from .model_size import gpt_param_count
from .optim import warmup_cosine_lr
from .transformer import EncoderBlock, MultiHeadAttention

SHAKESPEARE_FOLDER = "tinyshakespeare"
SHAKESPEARE_FILE = "input.txt"
#: nanoGPT's shakespeare_char split: the first 90 % of the characters train, the rest validate.
TRAIN_FRACTION = 0.9
#: Feed-forward activations, with the name ``transformers``' GPT2Config gives each.
ACTIVATIONS = {"gelu": "gelu", "gelu_tanh": "gelu_new", "relu": "relu"}


# ---------------------------------------------------------------------------------- validation
def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _non_negative_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    return int(value)


def _real(value, name: str, low: float, high: float, low_open: bool = False, high_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a number, got {value!r}")
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high:
        span = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be in {span}, got {value!r}")
    return float(value)


def _token_ids(ids, name: str = "ids") -> torch.Tensor:
    if not isinstance(ids, torch.Tensor) or ids.dtype not in (torch.int64, torch.int32):
        raise TypeError(f"{name} must be an integer torch.Tensor of token ids, shape (batch, tokens), got "
                        + (f"dtype {ids.dtype}" if isinstance(ids, torch.Tensor) else type(ids).__name__))
    if ids.dim() != 2:
        raise ValueError(f"{name} must have shape (batch, tokens), got {tuple(ids.shape)}; "
                         "for one sequence use ids.unsqueeze(0)")
    if ids.shape[1] == 0:
        raise ValueError(f"{name} is empty: give at least one token")
    return ids


# ---------------------------------------------------------------------------------- the model
@dataclass(frozen=True)
class GPTConfig:
    """The shape of a GPT: vocabulary, context length, depth, heads, width (and feed-forward width, 4·d by default).

    ``GPTConfig(vocab_size=65, n_ctx=64, n_layers=4, n_heads=4, d_model=128)`` is nanoGPT's CPU model.
    ``n_params`` is chapter 01's exact count (tied output layer); :class:`GPT` has exactly that many.
    ``activation`` is the feed-forward's: ``"gelu"`` (exact, with erf, as nanoGPT; twice as fast on a CPU as the
    tanh approximation), ``"gelu_tanh"`` (GPT-2's ``gelu_new``) or ``"relu"``.
    """
    vocab_size: int
    n_ctx: int = 64
    n_layers: int = 4
    n_heads: int = 4
    d_model: int = 128
    d_ff: int | None = None
    dropout: float = 0.0
    activation: str = "gelu"

    def __post_init__(self):
        for name in ("vocab_size", "n_ctx", "n_layers", "n_heads", "d_model"):
            _positive_int(getattr(self, name), name)
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model ({self.d_model}) must be a multiple of n_heads ({self.n_heads})")
        if self.d_ff is not None:
            _positive_int(self.d_ff, "d_ff")
        _real(self.dropout, "dropout", 0.0, 1.0, high_open=True)
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {list(ACTIVATIONS)}, got {self.activation!r}")

    @property
    def ff_width(self) -> int:
        """The feed-forward width: ``d_ff``, or 4·d_model (GPT's choice) when it is ``None``."""
        return 4 * self.d_model if self.d_ff is None else self.d_ff

    @property
    def n_params(self) -> int:
        """Chapter 01's ``gpt_param_count`` for this shape."""
        return gpt_param_count(self.n_layers, self.d_model, self.vocab_size, self.n_ctx, self.ff_width)

    def to_dict(self) -> dict:
        return asdict(self)


class KVCache:
    """The keys and values of every position a model has already seen, one pair of tensors per layer.

    Each tensor has shape ``(batch, heads, positions, d_head)``. :class:`CausalSelfAttention` appends the new
    positions' keys and values with :meth:`append` and attends to all of them, so a generation step computes
    one new position instead of the whole sequence again.
    """

    def __init__(self, n_layers: int):
        self.n_layers = _positive_int(n_layers, "n_layers")
        self.keys: list = [None] * self.n_layers
        self.values: list = [None] * self.n_layers

    def __len__(self) -> int:
        """How many positions are cached (the same in every layer once a forward pass is done)."""
        return 0 if self.keys[0] is None else int(self.keys[0].shape[2])

    def append(self, layer: int, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Add the new positions' keys and values of ``layer``; return all of that layer's keys and values."""
        if isinstance(layer, bool) or not isinstance(layer, numbers.Integral) or not 0 <= layer < self.n_layers:
            raise ValueError(f"layer must be an integer in [0, {self.n_layers}), got {layer!r}")
        if self.keys[layer] is not None:
            k = torch.cat([self.keys[layer], k], dim=2)
            v = torch.cat([self.values[layer], v], dim=2)
        self.keys[layer], self.values[layer] = k, v
        return k, v

    def __repr__(self) -> str:
        return f"KVCache(n_layers={self.n_layers}, positions={len(self)})"


class CausalSelfAttention(MultiHeadAttention):
    """Chapter 07's causal multi-head attention (same four projections), with a KV cache.

    ``fused=True`` computes the softmax with ``torch.nn.functional.scaled_dot_product_attention``, which fuses
    the scores, mask, softmax and weighted sum into one kernel; ``fused=False``, or asking for the weights, runs
    chapter 07's ``attention`` function. Both give the same outputs to float rounding.
    """

    def __init__(self, d_model: int, n_heads: int, fused: bool = True):
        super().__init__(d_model, n_heads, causal=True)
        if not isinstance(fused, bool):
            raise TypeError(f"fused must be True or False, got {fused!r}")
        self.fused = fused
        self.layer_index = 0            # which slot of a KVCache this layer uses; GPT numbers its layers

    def forward(self, x: torch.Tensor, padding_mask: torch.Tensor | None = None, return_weights: bool = False,
                cache: KVCache | None = None):
        if cache is None and (return_weights or padding_mask is not None or not self.fused):
            return super().forward(x, padding_mask, return_weights)      # chapter 07's code path
        if padding_mask is not None:
            raise ValueError("a KV cache works on unpadded sequences; padding_mask must be None")
        batch, n, _ = x.shape

        def split(t):                                    # (batch, n, d_model) -> (batch, heads, n, d_head)
            return t.view(batch, n, self.n_heads, self.d_head).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        if cache is not None:
            k, v = cache.append(self.layer_index, k, v)
        past = k.shape[2] - n                            # positions that were already in the cache
        if past == 0 or n == 1:
            # No cache, or one new query that may see every cached key: the plain causal case.
            is_causal = past == 0 and n > 1
            if self.fused:
                out = F.scaled_dot_product_attention(q, k, v, is_causal=is_causal)
            else:
                from .transformer import attention
                out = attention(q, k, v, causal=is_causal)[0]
        else:
            # Several new queries after cached positions: query i (absolute position past + i) sees keys 0..past+i.
            allowed = torch.ones(n, past + n, dtype=torch.bool, device=x.device).tril(diagonal=past)
            if self.fused:
                out = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
            else:
                from .transformer import attention
                out = attention(q, k, v, allowed)[0]
        out = self.output(out.transpose(1, 2).reshape(batch, n, self.d_model))
        return (out, None) if return_weights else out


class DecoderBlock(EncoderBlock):
    """Chapter 07's block as GPT-2 uses it: pre-LN, causal, LayerNorm epsilon 1e-5.

    ``forward`` computes chapter 07's pre-LN formula, ``h = x + Attn(LN(x))``, ``out = h + FFN(LN(h))``, passing a
    KV cache to the attention; asked for the attention weights (or given a padding mask) it runs
    ``EncoderBlock.forward`` itself, which always computes them.
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.0, fused: bool = True,
                 activation: str = "gelu"):
        super().__init__(d_model, n_heads, d_ff, pre_ln=True, causal=True, eps=1e-5, activation=activation,
                         dropout=dropout)
        self.attention = CausalSelfAttention(d_model, n_heads, fused=fused)

    def forward(self, x: torch.Tensor, padding_mask: torch.Tensor | None = None, return_weights: bool = False,
                cache: KVCache | None = None):
        if return_weights or padding_mask is not None:
            return super().forward(x, padding_mask, return_weights)          # chapter 07's code path
        h = x + self.dropout(self.attention(self.attention_norm(x), cache=cache))
        return h + self.dropout(self.ffn(self.ffn_norm(h)))


class GPT(nn.Module):
    """A GPT-2-shaped decoder: token and position embeddings, ``n_layers`` causal pre-LN blocks, a final LayerNorm,
    and an output layer that shares its weights with the token embedding (weight tying).

    ``forward(ids, targets=None, cache=None)`` takes token ids ``(batch, tokens)`` and returns the logits
    ``(batch, tokens, vocab_size)``, or ``(logits, loss)`` when ``targets`` (the ids shifted by one) are given:
    the mean cross-entropy in nats per token. With a :class:`KVCache`, ``ids`` are the *new* tokens only; their
    positions continue after the cached ones.
    Weights start as GPT-2's: normal with standard deviation 0.02, biases 0, and the two projections that write
    into the residual stream scaled down by √(2·n_layers).
    """

    def __init__(self, config: GPTConfig, fused: bool = True):
        super().__init__()
        if not isinstance(config, GPTConfig):
            raise TypeError(f"config must be a GPTConfig, got {type(config).__name__}")
        self.config = config
        d = config.d_model
        self.token_embedding = nn.Embedding(config.vocab_size, d)
        self.position_embedding = nn.Embedding(config.n_ctx, d)
        self.dropout = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList([DecoderBlock(d, config.n_heads, config.ff_width, config.dropout, fused=fused,
                                                  activation=config.activation)
                                     for _ in range(config.n_layers)])
        for i, block in enumerate(self.blocks):
            block.attention.layer_index = i
        self.final_norm = nn.LayerNorm(d, eps=1e-5)
        self.lm_head = nn.Linear(d, config.vocab_size, bias=False)
        self.lm_head.weight = self.token_embedding.weight          # weight tying: one V×d matrix, used twice
        self.apply(self._init_weights)
        for block in self.blocks:                                   # GPT-2's scaled init of the residual writes
            for proj in (block.attention.output, block.ffn_out):
                nn.init.normal_(proj.weight, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layers))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    @property
    def fused(self) -> bool:
        return self.blocks[0].attention.fused

    @fused.setter
    def fused(self, value: bool) -> None:
        if not isinstance(value, bool):
            raise TypeError(f"fused must be True or False, got {value!r}")
        for block in self.blocks:
            block.attention.fused = value

    def forward(self, ids: torch.Tensor, targets: torch.Tensor | None = None, cache: KVCache | None = None):
        _token_ids(ids)
        batch, n = ids.shape
        past = 0 if cache is None else len(cache)
        if cache is not None and not isinstance(cache, KVCache):
            raise TypeError(f"cache must be a KVCache or None, got {type(cache).__name__}")
        if cache is not None and cache.n_layers != len(self.blocks):
            raise ValueError(f"the cache has {cache.n_layers} layers, the model {len(self.blocks)}")
        if past + n > self.config.n_ctx:
            raise ValueError(f"{past + n} positions ({past} cached + {n} new) is more than the model's context of "
                             f"{self.config.n_ctx}; keep only the last {self.config.n_ctx} tokens")
        positions = torch.arange(past, past + n, device=ids.device)
        x = self.dropout(self.token_embedding(ids) + self.position_embedding(positions))
        for block in self.blocks:
            x = block(x, cache=cache)
        logits = self.lm_head(self.final_norm(x))
        if targets is None:
            return logits
        if not isinstance(targets, torch.Tensor) or targets.shape != ids.shape:
            raise ValueError(f"targets must be a tensor of token ids shaped like ids {tuple(ids.shape)}")
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        return logits, loss


# ---------------------------------------------------------------------------------- data
def shakespeare_path(folder=None) -> Path:
    """``data/tinyshakespeare/input.txt`` of the course (or ``input.txt`` in ``folder``), checksum verified."""
    from .config import data_dir
    from .datafiles import verify_checksums
    if folder is None:
        path = data_dir() / SHAKESPEARE_FOLDER
    else:
        if not isinstance(folder, (str, Path)) or not str(folder).strip():
            raise TypeError(f"folder must be a path to the tinyshakespeare folder or None, got {folder!r}")
        path = Path(folder).expanduser()
    restore = ("The file ships with the course: run `git checkout -- data/tinyshakespeare` in your clone of the "
               "course, or clone it again.")
    if not (path / SHAKESPEARE_FILE).is_file():
        raise FileNotFoundError(f"{SHAKESPEARE_FILE} is missing from {path}. {restore}")
    verify_checksums(path, required=(SHAKESPEARE_FILE,), restore=restore)
    return path / SHAKESPEARE_FILE


def load_shakespeare(folder=None) -> str:
    """The 1,115,394 characters of tiny Shakespeare, after checking the file's SHA-256."""
    return shakespeare_path(folder).read_text(encoding="utf-8")


def split_train_val(ids, train_fraction: float = TRAIN_FRACTION):
    """nanoGPT's split: the first ``int(n · 0.9)`` tokens train, the rest validate. Works on str, list or tensor."""
    train_fraction = _real(train_fraction, "train_fraction", 0.0, 1.0, low_open=True, high_open=True)
    if not hasattr(ids, "__len__") or len(ids) < 2:
        raise ValueError("ids must be a sequence (text, list or tensor) of at least 2 tokens to split")
    n = int(len(ids) * train_fraction)
    if n == 0 or n == len(ids):
        raise ValueError(f"{len(ids)} tokens are too few to split {train_fraction:g} / {1 - train_fraction:g}")
    return ids[:n], ids[n:]


def _data_tensor(data, name: str = "data") -> torch.Tensor:
    if not isinstance(data, torch.Tensor) or data.dtype not in (torch.int64, torch.int32) or data.dim() != 1:
        raise TypeError(f"{name} must be a 1-D integer torch.Tensor of token ids (e.g. "
                        "torch.tensor(tokenizer.encode(text))), got "
                        + (f"dtype {data.dtype}, shape {tuple(data.shape)}" if isinstance(data, torch.Tensor)
                           else type(data).__name__))
    return data


def get_batch(data: torch.Tensor, batch_size: int, n_ctx: int, generator: torch.Generator | None = None,
              device=None) -> tuple[torch.Tensor, torch.Tensor]:
    """``batch_size`` random windows of ``n_ctx`` tokens (``x``) and the same windows one token later (``y``).

    ``y[:, t]`` is the token that follows ``x[:, t]``: the labels are the text itself, shifted by one.
    Offsets are drawn with ``torch.randint`` (from ``generator`` if given), as nanoGPT does.
    """
    data = _data_tensor(data)
    batch_size, n_ctx = _positive_int(batch_size, "batch_size"), _positive_int(n_ctx, "n_ctx")
    if len(data) <= n_ctx:
        raise ValueError(f"data has {len(data)} tokens; a window of n_ctx={n_ctx} needs at least {n_ctx + 1}")
    offsets = torch.randint(len(data) - n_ctx, (batch_size,), generator=generator)
    windows = data[offsets[:, None] + torch.arange(n_ctx + 1)]
    if device is not None:
        windows = windows.to(device, non_blocking=True)
    return windows[:, :-1], windows[:, 1:]


@torch.no_grad()
def evaluate_loss(model: GPT, data: torch.Tensor, max_windows: int | None = None, batch_size: int = 64) -> float:
    """Mean next-token cross-entropy (nats per token) over ``data`` cut into non-overlapping windows of n_ctx.

    Deterministic: every window of the split, or ``max_windows`` of them evenly spaced, each predicted from its
    own start (as in training, positions see 0 to n_ctx − 1 earlier tokens). ``exp`` of it is the perplexity.
    """
    if not isinstance(model, GPT):
        raise TypeError(f"model must be a GPT, got {type(model).__name__}")
    data = _data_tensor(data)
    n_ctx = model.config.n_ctx
    count = (len(data) - 1) // n_ctx
    if count < 1:
        raise ValueError(f"data has {len(data)} tokens, fewer than one window of n_ctx + 1 = {n_ctx + 1}")
    starts = torch.arange(count) * n_ctx
    if max_windows is not None:
        max_windows = _positive_int(max_windows, "max_windows")
        if max_windows < count:
            starts = starts[torch.linspace(0, count - 1, max_windows).round().long()]
    batch_size = _positive_int(batch_size, "batch_size")
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    total, tokens = 0.0, 0
    for chunk in starts.split(batch_size):
        windows = data[chunk[:, None] + torch.arange(n_ctx + 1)].to(device)
        logits = model(windows[:, :-1])
        total += float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), windows[:, 1:].reshape(-1),
                                       reduction="sum"))
        tokens += windows[:, 1:].numel()
    model.train(was_training)
    return total / tokens


# ---------------------------------------------------------------------------------- training
@dataclass
class TrainLog:
    """What :func:`train_gpt` records: the training loss of every step, and the validation loss at evaluations.

    ``seconds`` are training seconds (evaluations and sampling excluded) at the end of each evaluated step.
    """
    steps: list = field(default_factory=list)            # every step 1..n
    train_loss: list = field(default_factory=list)       # loss of that step's batch
    lr: list = field(default_factory=list)
    eval_steps: list = field(default_factory=list)       # steps after which the validation loss was measured
    val_loss: list = field(default_factory=list)
    seconds: list = field(default_factory=list)          # training seconds at each evaluation
    samples: dict = field(default_factory=dict)          # {step: text} when a sampler is given

    def as_dict(self) -> dict:
        return asdict(self)


def configure_optimizer(model: nn.Module, lr: float, weight_decay: float = 0.1, betas=(0.9, 0.95),
                        eps: float = 1e-8) -> torch.optim.AdamW:
    """AdamW as GPT-2/3 and nanoGPT use it: weight decay on the matrices (2-D weights, embeddings), not on biases
    and LayerNorm gains; PyTorch's fused kernel where the device supports it."""
    lr = _real(lr, "lr", 0.0, 10.0, low_open=True)
    weight_decay = _real(weight_decay, "weight_decay", 0.0, 1.0)
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    device = params[0].device.type
    fused = device in ("cpu", "cuda")
    return torch.optim.AdamW(groups, lr=lr, betas=tuple(betas), eps=eps, fused=fused)


def train_gpt(model: GPT, train_data: torch.Tensor, val_data: torch.Tensor | None = None, *, steps: int,
              batch_size: int, lr: float, warmup_steps: int = 100, final_lr_fraction: float = 0.1,
              weight_decay: float = 0.1, betas=(0.9, 0.95), grad_clip: float | None = 1.0,
              eval_every: int | None = None, eval_windows: int | None = 200, sample=None,
              seed: int = 0, progress: bool = True, desc: str = "training") -> TrainLog:
    """Pre-train ``model`` on random windows of ``train_data`` with chapter 02's recipe; return a :class:`TrainLog`.

    The recipe: AdamW (decoupled weight decay on the matrices), the learning rate warmed up linearly for
    ``warmup_steps`` then decayed along a cosine to ``final_lr_fraction · lr`` at ``steps``
    (:func:`course_utils.optim.warmup_cosine_lr`), and the gradients' global norm clipped at ``grad_clip``.
    The budget is ``steps × batch_size × n_ctx`` tokens.

    Args:
        eval_every: measure the validation loss (``evaluate_loss`` on ``eval_windows`` windows of ``val_data``)
            every so many steps and after the last; ``None`` only after the last.
        sample: a function ``sample(model) -> str`` called at every evaluation, e.g. a short generation.
        seed: seeds the batch sampler (the model's weights come from the caller's seed).
    """
    if not isinstance(model, GPT):
        raise TypeError(f"model must be a GPT, got {type(model).__name__}")
    train_data = _data_tensor(train_data, "train_data")
    if val_data is not None:
        val_data = _data_tensor(val_data, "val_data")
    steps, batch_size = _positive_int(steps, "steps"), _positive_int(batch_size, "batch_size")
    warmup_steps = _non_negative_int(warmup_steps, "warmup_steps")
    if warmup_steps >= steps:
        raise ValueError(f"warmup_steps ({warmup_steps}) must be smaller than steps ({steps})")
    if grad_clip is not None:
        grad_clip = _real(grad_clip, "grad_clip", 0.0, math.inf, low_open=True)
    if eval_every is not None:
        eval_every = _positive_int(eval_every, "eval_every")
    if sample is not None and not callable(sample):
        raise TypeError(f"sample must be a function model -> text, or None; got {type(sample).__name__}")
    device = next(model.parameters()).device
    optimizer = configure_optimizer(model, lr, weight_decay, betas)
    generator = torch.Generator().manual_seed(_non_negative_int(seed, "seed"))
    n_ctx = model.config.n_ctx
    log = TrainLog()
    bar = None
    if progress:
        from .progress import progress_bar
        bar = progress_bar(total=steps, desc=desc)
    clock = 0.0
    model.train()
    for step in range(steps):
        start = time.perf_counter()
        rate = warmup_cosine_lr(step, lr, warmup_steps, steps, final_lr_fraction)
        for group in optimizer.param_groups:
            group["lr"] = rate
        x, y = get_batch(train_data, batch_size, n_ctx, generator, device)
        _, loss = model(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if grad_clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        optimizer.step()
        value = loss.item()
        clock += time.perf_counter() - start
        log.steps.append(step + 1)
        log.train_loss.append(value)
        log.lr.append(rate)
        last = step + 1 == steps
        if val_data is not None and (last or (eval_every is not None and (step + 1) % eval_every == 0)):
            log.eval_steps.append(step + 1)
            log.val_loss.append(evaluate_loss(model, val_data, eval_windows))
            log.seconds.append(clock)
            if sample is not None:
                model.eval()
                log.samples[step + 1] = sample(model)
                model.train()
        if bar is not None:
            bar.update(1)
            if log.val_loss:
                bar.set_postfix(loss=f"{value:.3f}", val=f"{log.val_loss[-1]:.3f}", refresh=False)
    if bar is not None:
        bar.close()
    model.eval()
    return log


# ---------------------------------------------------------------------------------- generation
def sample_next(logits: torch.Tensor, greedy: bool = False, temperature: float = 1.0, top_k: int | None = None,
                top_p: float | None = None, generator: torch.Generator | None = None) -> torch.Tensor:
    """Choose the next token from each row of ``logits`` ``(batch, vocab)``; returns ids ``(batch, 1)``.

    ``greedy``: the most likely token. Otherwise sample from ``softmax(logits / temperature)`` restricted to the
    ``top_k`` most likely tokens and then to the smallest set whose probability reaches ``top_p`` (nucleus
    sampling), in that order, as ``transformers``' ``TemperatureLogitsWarper``, ``TopKLogitsWarper`` and
    ``TopPLogitsWarper`` do.
    """
    probs = next_token_probs(logits, temperature=temperature, top_k=top_k, top_p=top_p)
    if not isinstance(greedy, bool):
        raise TypeError(f"greedy must be True or False, got {greedy!r}")
    if greedy:
        return logits.argmax(dim=-1, keepdim=True)
    if generator is not None and generator.device != probs.device:
        # A CPU generator (the same draws on every machine) with a model on a GPU: draw on the generator's device.
        return torch.multinomial(probs.to(generator.device), 1, generator=generator).to(probs.device)
    return torch.multinomial(probs, 1, generator=generator)


def filter_logits(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None,
                  top_p: float | None = None) -> torch.Tensor:
    """``logits / temperature`` with every token outside the top-k and the top-p nucleus set to −inf."""
    if not isinstance(logits, torch.Tensor) or not logits.is_floating_point() or logits.dim() != 2:
        raise TypeError("logits must be a floating-point torch.Tensor of shape (batch, vocab), got "
                        + (f"{logits.dtype} of shape {tuple(logits.shape)}" if isinstance(logits, torch.Tensor)
                           else type(logits).__name__))
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real) or not math.isfinite(temperature) \
            or temperature <= 0:
        raise ValueError(f"temperature must be a number > 0 (use greedy=True for the most likely token), "
                         f"got {temperature!r}")
    logits = logits / float(temperature)
    vocab = logits.shape[-1]
    if top_k is not None:
        if isinstance(top_k, bool) or not isinstance(top_k, numbers.Integral) or top_k < 1:
            raise ValueError(f"top_k must be an integer >= 1 (or None for no limit), got {top_k!r}")
        kth = torch.topk(logits, min(int(top_k), vocab), dim=-1).values[:, -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if top_p is not None:
        if isinstance(top_p, bool) or not isinstance(top_p, numbers.Real) or not 0 < top_p <= 1:
            raise ValueError(f"top_p must be a number in (0, 1] (1 keeps every token), got {top_p!r}")
        # Keep the most likely tokens until their probability reaches top_p: sorted from least to most likely, a
        # token goes if it and the tokens less likely than it hold at most 1 - top_p (transformers' formulation).
        sorted_logits, order = torch.sort(logits, descending=False, dim=-1)
        drop_sorted = sorted_logits.softmax(dim=-1).cumsum(dim=-1) <= 1 - top_p
        drop_sorted[:, -1] = False                        # always keep the most likely token
        drop = drop_sorted.scatter(-1, order, drop_sorted)
        logits = logits.masked_fill(drop, float("-inf"))
    return logits


def next_token_probs(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None,
                     top_p: float | None = None) -> torch.Tensor:
    """The distribution :func:`sample_next` samples from: softmax of :func:`filter_logits`."""
    return filter_logits(logits, temperature, top_k, top_p).softmax(dim=-1)


@torch.no_grad()
def generate(model: GPT, ids: torch.Tensor, max_new_tokens: int, greedy: bool = False, temperature: float = 1.0,
             top_k: int | None = None, top_p: float | None = None, use_cache: bool = True,
             generator: torch.Generator | None = None) -> torch.Tensor:
    """Extend ``ids`` ``(batch, tokens)`` by ``max_new_tokens`` tokens, one at a time; returns all of them.

    Each step feeds the model, takes the last position's logits and picks a token with :func:`sample_next`.
    Without the cache every step runs the whole sequence (its last ``n_ctx`` tokens); with it, one step runs
    only the new token. Past the context the uncached loop slides its window by one token a step; the cached
    loop refills its cache from the last ``n_ctx // 2`` tokens when it is full, so beyond ``n_ctx`` tokens the
    two see slightly different contexts. Up to ``n_ctx`` tokens they give the same logits.
    """
    if not isinstance(model, GPT):
        raise TypeError(f"model must be a GPT, got {type(model).__name__}")
    _token_ids(ids)
    n_ctx = model.config.n_ctx
    if ids.shape[1] > n_ctx:
        raise ValueError(f"the prompt has {ids.shape[1]} tokens, more than the model's context of {n_ctx}; "
                         f"shorten it to at most {n_ctx} tokens")
    max_new_tokens = _non_negative_int(max_new_tokens, "max_new_tokens")
    if not isinstance(use_cache, bool):
        raise TypeError(f"use_cache must be True or False, got {use_cache!r}")
    filter_logits(torch.zeros(1, 2), temperature, top_k, top_p)         # reject bad settings before any work
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    ids = ids.to(device)
    cache = None
    for _ in range(max_new_tokens):
        if use_cache:
            if cache is None or len(cache) >= n_ctx:
                keep = ids[:, -(n_ctx // 2 or 1):] if cache is not None else ids
                cache = KVCache(len(model.blocks))
                logits = model(keep, cache=cache)
            else:
                logits = model(ids[:, -1:], cache=cache)
        else:
            logits = model(ids[:, -n_ctx:])
        nxt = sample_next(logits[:, -1, :].float(), greedy, temperature, top_k, top_p, generator)
        ids = torch.cat([ids, nxt], dim=1)
    model.train(was_training)
    return ids


# ---------------------------------------------------------------------------------- into transformers
def gpt2_config(config: GPTConfig, **overrides):
    """The ``transformers.GPT2Config`` of this shape (no BOS/EOS tokens: the vocabulary is the tokenizer's)."""
    if not isinstance(config, GPTConfig):
        raise TypeError(f"config must be a GPTConfig, got {type(config).__name__}")
    from transformers import GPT2Config
    fields = dict(vocab_size=config.vocab_size, n_positions=config.n_ctx, n_embd=config.d_model,
                  n_layer=config.n_layers, n_head=config.n_heads, n_inner=config.ff_width,
                  activation_function=ACTIVATIONS[config.activation], resid_pdrop=config.dropout,
                  embd_pdrop=config.dropout, attn_pdrop=config.dropout, layer_norm_epsilon=1e-5,
                  tie_word_embeddings=True, bos_token_id=None, eos_token_id=None, pad_token_id=None)
    fields.update(overrides)
    return GPT2Config(**fields)


def gpt2_state_dict(model: GPT) -> dict:
    """``model``'s weights under ``GPT2LMHeadModel``'s names and layout.

    GPT-2 stores its projections as ``Conv1D`` layers, whose weight is the transpose of a ``Linear``'s
    (``(in, out)``), and computes query, key and value with one matrix ``c_attn`` (the three side by side).
    The output layer is the token embedding (tied), so ``lm_head.weight`` is ``wte.weight``.
    """
    if not isinstance(model, GPT):
        raise TypeError(f"model must be a GPT, got {type(model).__name__}")
    w = {"transformer.wte.weight": model.token_embedding.weight, "transformer.wpe.weight": model.position_embedding.weight,
         "transformer.ln_f.weight": model.final_norm.weight, "transformer.ln_f.bias": model.final_norm.bias,
         "lm_head.weight": model.token_embedding.weight}
    for i, block in enumerate(model.blocks):
        at, h = block.attention, f"transformer.h.{i}."
        w[h + "ln_1.weight"], w[h + "ln_1.bias"] = block.attention_norm.weight, block.attention_norm.bias
        w[h + "attn.c_attn.weight"] = torch.cat([at.query.weight, at.key.weight, at.value.weight]).T
        w[h + "attn.c_attn.bias"] = torch.cat([at.query.bias, at.key.bias, at.value.bias])
        w[h + "attn.c_proj.weight"], w[h + "attn.c_proj.bias"] = at.output.weight.T, at.output.bias
        w[h + "ln_2.weight"], w[h + "ln_2.bias"] = block.ffn_norm.weight, block.ffn_norm.bias
        w[h + "mlp.c_fc.weight"], w[h + "mlp.c_fc.bias"] = block.ffn_in.weight.T, block.ffn_in.bias
        w[h + "mlp.c_proj.weight"], w[h + "mlp.c_proj.bias"] = block.ffn_out.weight.T, block.ffn_out.bias
    return {name: t.detach().clone().contiguous() for name, t in w.items()}


def to_gpt2(model: GPT):
    """A ``transformers.GPT2LMHeadModel`` holding ``model``'s weights, in eval mode on ``model``'s device.

    Every weight of the GPT-2 model is filled (an error names any that is missing or misshapen), so its logits
    equal ``model``'s to float rounding; ``generate()``, ``pipeline`` and ``save_pretrained`` then work as for any
    Hub model.
    """
    from transformers import GPT2LMHeadModel
    state = gpt2_state_dict(model)
    hf = GPT2LMHeadModel(gpt2_config(model.config))
    ours = hf.state_dict()
    missing = sorted(set(ours) - set(state))
    misshapen = [(k, tuple(state[k].shape), tuple(ours[k].shape)) for k in state
                 if k in ours and state[k].shape != ours[k].shape]
    if missing or misshapen:
        raise ValueError(f"cannot map the weights: missing {missing[:3]}, wrong shapes {misshapen[:3]}")
    hf.load_state_dict(state, strict=False)
    hf.tie_weights()
    device = next(model.parameters()).device
    return hf.to(device=device, dtype=next(model.parameters()).dtype).eval()


__all__ = ["GPTConfig", "GPT", "DecoderBlock", "CausalSelfAttention", "KVCache", "ACTIVATIONS", "shakespeare_path",
           "load_shakespeare", "split_train_val", "get_batch", "evaluate_loss", "TrainLog", "configure_optimizer",
           "train_gpt", "filter_logits", "next_token_probs", "sample_next", "generate", "gpt2_config",
           "gpt2_state_dict", "to_gpt2"]
