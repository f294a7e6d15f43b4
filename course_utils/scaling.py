"""Scaling laws: loss against model size as a power law, and Chinchilla's compute-optimal model size.

Introduced in chapter 12 (scaling out), which trains a family of chapter 11's small GPTs on one token budget,
fits their loss with :func:`fit_power_law` and turns compute budgets into model and data sizes with Chinchilla's
published fit.

    power_law(N, E, A, alpha)             L = E + A·N^(−alpha): an irreducible loss E plus a term that shrinks with N
    fit_power_law(N, L)                   least-squares E, A, alpha (alpha profiled on a grid, E and A solved exactly)
    CHINCHILLA                            Hoffmann et al. (2022), approach 3: L(N, D) = E + A/N^α + B/D^β
    chinchilla_loss(N, D)                 that formula
    compute_optimal(C)                    approach 3's closed-form optimum under C = 6·N·D: N ∝ C^a, D ∝ C^b
    compute_optimal_exponents()           a = β/(α+β), b = α/(α+β)
    allocate_by_ratio(C, 20)              N and D when D = 20·N (approaches 1 and 2: about 20 tokens per parameter)
    CHINCHILLA_TABLE3, CHINCHILLA_TABLE2  the paper's projected compute-optimal sizes, and its fitted exponents
    family_configs(d_models), train_family(...)   a family of GPTs of increasing width, trained on one budget
    non_embedding_params(config)          parameters outside the token and position embeddings (Kaplan's N)
    load_sweep(path), SWEEP_FILE          the benchmark sweep in data/scaling/sweep.json, with its provenance

Importing this module does not import PyTorch; only :func:`train_family` does.
"""
from __future__ import annotations

import json
import math
import numbers
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

#: Kaplan et al. (2020), eq. 1.1: L(N) = (N_c / N)^α_N for models trained to convergence, N without embeddings.
KAPLAN_ALPHA_N = 0.076
KAPLAN_N_C = 8.8e13


@dataclass(frozen=True)
class ChinchillaFit:
    """The parametric loss ``L(N, D) = E + A/N^alpha + B/D^beta`` (N parameters, D training tokens, nats/token)."""
    E: float
    A: float
    B: float
    alpha: float
    beta: float

    def as_dict(self) -> dict:
        return asdict(self)


#: Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", §3.3 (approach 3), eq. 10.
CHINCHILLA = ChinchillaFit(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)

#: Hoffmann et al. (2022), Table 2: fitted exponents of N_opt ∝ C^a and D_opt ∝ C^b.
CHINCHILLA_TABLE2 = {"approach 1": (0.50, 0.50), "approach 2": (0.49, 0.51), "approach 3": (0.46, 0.54),
                     "Kaplan et al. (2020)": (0.73, 0.27)}

#: Hoffmann et al. (2022), Table 3 (projections of approach 1): parameters, training FLOPs, training tokens.
CHINCHILLA_TABLE3 = (
    (400e6, 1.92e19, 8.0e9), (1e9, 1.21e20, 20.2e9), (10e9, 1.23e22, 205.1e9), (67e9, 5.76e23, 1.5e12),
    (175e9, 3.85e24, 3.7e12), (280e9, 9.90e24, 5.9e12), (520e9, 3.43e25, 11.0e12), (1e12, 1.27e26, 21.2e12),
    (10e12, 1.30e28, 216.2e12),
)

#: Where ``make bench-scaling`` writes the full sweep, relative to the course data folder.
SWEEP_FILE = Path("scaling") / "sweep.json"
#: Fields every sweep file has (the test of the data file checks them).
SWEEP_FIELDS = ("description", "command", "machine", "created", "budget", "runs")
RUN_FIELDS = ("n_layers", "d_model", "n_heads", "n_params", "non_embedding_params", "tokens", "val_loss",
              "train_seconds")


# ---------------------------------------------------------------------------------- validation
def _positive_array(values, name: str, min_size: int = 1) -> np.ndarray:
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be numbers, got the text {values!r}")
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a number or a list of numbers, got {type(values).__name__}") from exc
    if arr.ndim > 1 or arr.size < min_size:
        raise ValueError(f"{name} must be a flat list of at least {min_size} number(s), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"{name} must be positive finite numbers, got {arr.tolist()}")
    return arr


def _positive(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(value)


def _fit(fit) -> ChinchillaFit:
    if not isinstance(fit, ChinchillaFit):
        raise TypeError(f"fit must be a ChinchillaFit (e.g. course_utils.scaling.CHINCHILLA), got {type(fit).__name__}")
    return fit


# ---------------------------------------------------------------------------------- power laws
def power_law(N, E: float, A: float, alpha: float):
    """``E + A · N^(−alpha)``: a loss that falls as a power of the size N towards an irreducible floor E."""
    N = _positive_array(N, "N")
    out = float(E) + float(A) * N ** (-float(alpha))
    return out if out.ndim else float(out)


@dataclass(frozen=True)
class PowerLawFit:
    """The result of :func:`fit_power_law`: ``L ≈ E + A · N^(−alpha)``, and the root-mean-square residual."""
    E: float
    A: float
    alpha: float
    rmse: float

    def predict(self, N):
        return power_law(N, self.E, self.A, self.alpha)

    def as_dict(self) -> dict:
        return asdict(self)


def _solve_E_A(x: np.ndarray, L: np.ndarray, floor_free: bool) -> tuple[float, float, float]:
    """Least-squares E ≥ 0 and A for L ≈ E + A·x at one alpha (x = N^−alpha); returns (E, A, sum of squares)."""
    if floor_free:
        X = np.stack([np.ones_like(x), x], axis=1)
        (E, A), *_ = np.linalg.lstsq(X, L, rcond=None)
        if E >= 0:
            return float(E), float(A), float(np.sum((E + A * x - L) ** 2))
    A = float(np.dot(x, L) / np.dot(x, x))           # E pinned at 0 (a loss has no negative floor)
    return 0.0, A, float(np.sum((A * x - L) ** 2))


def fit_power_law(N, L, alpha_range=(1e-3, 3.0), floor: bool = True) -> PowerLawFit:
    """Fit ``L ≈ E + A · N^(−alpha)`` by least squares on the losses.

    For a fixed alpha the model is linear in E and A, which are then solved exactly; alpha is found on a fine
    logarithmic grid over ``alpha_range`` and refined by golden-section search around the best grid point
    ("variable projection"). E is kept ≥ 0; ``floor=False`` fits a pure power law (E = 0). Needs at least 3
    sizes with a floor (three unknowns), 2 without. ``scipy.optimize.curve_fit`` finds the same minimum.
    """
    N = _positive_array(N, "N", min_size=3 if floor else 2)
    L = _positive_array(L, "L")
    if L.size != N.size:
        raise ValueError(f"N and L must have one loss per size, got {N.size} sizes and {L.size} losses")
    if np.unique(N).size < (3 if floor else 2):
        raise ValueError(f"N needs at least {3 if floor else 2} different sizes to fit, got {np.unique(N).tolist()}")
    lo, hi = (_positive(a, "alpha_range") for a in alpha_range)
    if lo >= hi:
        raise ValueError(f"alpha_range must be (low, high) with low < high, got {alpha_range!r}")
    scale = float(np.exp(np.mean(np.log(N))))          # work with N / geometric mean: no overflow, same alpha
    n = N / scale

    def sse(alpha):
        return _solve_E_A(n ** -alpha, L, floor)[2]

    grid = np.geomspace(lo, hi, 400)
    errors = np.array([sse(a) for a in grid])
    i = int(np.argmin(errors))
    a, b = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    golden = (math.sqrt(5) - 1) / 2
    for _ in range(100):                                # golden-section search on [a, b]
        c, d = b - golden * (b - a), a + golden * (b - a)
        if sse(c) <= sse(d):
            b = d
        else:
            a = c
    alpha = (a + b) / 2
    E, A_scaled, total = _solve_E_A(n ** -alpha, L, floor)
    return PowerLawFit(E=float(E), A=float(A_scaled * scale ** alpha), alpha=float(alpha),
                       rmse=math.sqrt(total / N.size))


# ---------------------------------------------------------------------------------- Chinchilla
def chinchilla_loss(N, D, fit: ChinchillaFit = CHINCHILLA):
    """``E + A/N^α + B/D^β``: the loss (nats per token of the paper's MassiveText) of N parameters trained on D
    tokens."""
    fit = _fit(fit)
    N, D = _positive_array(N, "N"), _positive_array(D, "D")
    out = fit.E + fit.A / N ** fit.alpha + fit.B / D ** fit.beta
    return out if out.ndim else float(out)


def compute_optimal_exponents(fit: ChinchillaFit = CHINCHILLA) -> tuple[float, float]:
    """``(a, b)`` with N_opt ∝ C^a and D_opt ∝ C^b for the fit: ``a = β/(α+β)``, ``b = α/(α+β)`` (a + b = 1)."""
    fit = _fit(fit)
    return fit.beta / (fit.alpha + fit.beta), fit.alpha / (fit.alpha + fit.beta)


def compute_optimal(C, fit: ChinchillaFit = CHINCHILLA) -> tuple:
    """The N and D that minimise ``L(N, D)`` at training compute ``C = 6·N·D`` FLOPs (approach 3's closed form).

    Setting dL/dN = 0 along D = C/(6N) gives ``N_opt = G·(C/6)^a`` and ``D_opt = (C/6)^b / G`` with
    ``G = (αA / (βB))^(1/(α+β))`` (Hoffmann et al. 2022, eq. 4). Returns floats, or arrays for an array of budgets.
    """
    fit = _fit(fit)
    C = _positive_array(C, "C")
    a, b = compute_optimal_exponents(fit)
    G = (fit.alpha * fit.A / (fit.beta * fit.B)) ** (1 / (fit.alpha + fit.beta))
    N, D = G * (C / 6) ** a, (C / 6) ** b / G
    return (N, D) if C.ndim else (float(N), float(D))


def allocate_by_ratio(C, tokens_per_param: float = 20.0) -> tuple:
    """N and D with ``D = tokens_per_param · N`` and ``C = 6·N·D``: ``N = √(C / (6·ratio))``.

    About 20 tokens per parameter is what approaches 1 and 2 of Hoffmann et al. (2022) give (their Table 3, and
    Chinchilla itself: 70B parameters, 1.4T tokens).
    """
    C = _positive_array(C, "C")
    ratio = _positive(tokens_per_param, "tokens_per_param")
    N = np.sqrt(C / (6 * ratio))
    return (N, ratio * N) if C.ndim else (float(N), float(ratio * N))


# ---------------------------------------------------------------------------------- a family of small GPTs
def family_configs(d_models, n_layers: int = 2, n_ctx: int = 64, vocab_size: int = 65, head_dim: int = 16) -> list:
    """Chapter 11's :class:`~course_utils.gpt.GPTConfig` for each width in ``d_models``, all else equal.

    The depth, context and vocabulary are fixed; a model has ``max(1, d // head_dim)`` heads (d must divide).
    """
    from .gpt import GPTConfig
    if isinstance(d_models, (str, bytes)) or not hasattr(d_models, "__iter__"):
        raise TypeError(f"d_models must be a list of widths such as [16, 32, 64], got {d_models!r}")
    widths = list(d_models)
    if not widths or any(isinstance(d, bool) or not isinstance(d, numbers.Integral) or d < 1 for d in widths):
        raise ValueError(f"d_models must be a non-empty list of positive integers, got {widths!r}")
    if any(b <= a for a, b in zip(widths, widths[1:])):
        raise ValueError(f"d_models must increase, got {widths}")
    configs = []
    for d in widths:
        heads = max(1, int(d) // head_dim)
        if d % heads:
            raise ValueError(f"d_model={d} does not split into {heads} heads of {head_dim}; pick a multiple of "
                             f"{head_dim} (or a width below it)")
        configs.append(GPTConfig(vocab_size=vocab_size, n_ctx=n_ctx, n_layers=n_layers, n_heads=heads, d_model=int(d)))
    return configs


def non_embedding_params(config) -> int:
    """Parameters of a GPT outside its token and position embeddings (Kaplan et al. count N this way)."""
    from .model_size import gpt_param_breakdown
    if not all(hasattr(config, k) for k in ("n_layers", "d_model", "vocab_size", "n_ctx")):
        raise TypeError(f"config must be a GPTConfig, got {type(config).__name__}")
    parts = gpt_param_breakdown(config.n_layers, config.d_model, config.vocab_size, config.n_ctx,
                                getattr(config, "ff_width", None))
    return sum(v for k, v in parts.items() if k not in ("token_embedding", "position_embedding"))


def train_family(configs, train_data, val_data, *, steps: int, batch_size: int, lr: float, seed: int = 42,
                 warmup_steps: int | None = None, eval_windows: int | None = 200, threads: int | None = 1,
                 progress: bool = False) -> list:
    """Train one GPT per config on the same budget (``steps × batch_size × n_ctx`` tokens); one dict per model.

    Each model is seeded with ``seed`` before it is built and sees the same batches (chapter 11's
    :func:`~course_utils.gpt.train_gpt`, its warm-up + cosine schedule, ``warmup_steps`` = 5 % of the steps by
    default). The validation loss is measured on ``eval_windows`` evenly spaced windows of ``val_data`` (all of
    them for ``None``). ``threads`` is PyTorch's CPU thread count while the family trains (restored after): models
    this small gain nothing from a second thread, and on a busy machine threads that wait for each other can make a
    run many times slower; ``None`` leaves PyTorch's setting.
    """
    import torch

    from .gpt import GPT, GPTConfig, train_gpt
    from .seeding import seed_everything
    configs = list(configs)
    if not configs or not all(isinstance(c, GPTConfig) for c in configs):
        raise TypeError("configs must be a non-empty list of GPTConfig (see family_configs)")
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, numbers.Integral)
                                or threads < 1):
        raise ValueError(f"threads must be a positive integer or None, got {threads!r}")
    warmup = max(1, steps // 20) if warmup_steps is None else warmup_steps
    before = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(int(threads))
    rows = []
    try:
        for config in configs:
            seed_everything(seed, frameworks=["torch"])
            model = GPT(config)
            log = train_gpt(model, train_data, val_data, steps=steps, batch_size=batch_size, lr=lr,
                            warmup_steps=warmup, eval_windows=eval_windows, seed=seed, progress=progress,
                            desc=f"d_model={config.d_model}")
            rows.append({"n_layers": config.n_layers, "d_model": config.d_model, "n_heads": config.n_heads,
                         "n_params": config.n_params, "non_embedding_params": non_embedding_params(config),
                         "tokens": steps * batch_size * config.n_ctx, "val_loss": log.val_loss[-1],
                         "train_seconds": log.seconds[-1]})
    finally:
        torch.set_num_threads(before)
    return rows


# ---------------------------------------------------------------------------------- the benchmark's data file
def load_sweep(path=None) -> tuple:
    """The benchmark sweep (``data/scaling/sweep.json``, written by ``make bench-scaling``): ``(runs, provenance)``.

    ``runs`` is a pandas DataFrame with one row per model (:data:`RUN_FIELDS`); ``provenance`` is the rest of the
    file: the command that produced it, the machine, the date, the training budget.
    """
    import pandas as pd

    from .config import data_path
    if path is None:
        path = data_path(*SWEEP_FILE.parts)
    elif not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a file path or None, got {type(path).__name__}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no sweep file at {path}; run `make bench-scaling` to create it")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON ({exc}); restore it with `git checkout -- data/scaling` or "
                         "re-run `make bench-scaling`") from None
    missing = [k for k in SWEEP_FIELDS if k not in data]
    if missing:
        raise ValueError(f"{path} lacks the field(s) {missing}; a sweep file has {list(SWEEP_FIELDS)}")
    runs = pd.DataFrame(data["runs"])
    missing = [k for k in RUN_FIELDS if k not in runs.columns]
    if runs.empty or missing:
        raise ValueError(f"{path}: every run needs {list(RUN_FIELDS)}; missing {missing or 'all (no runs)'}")
    provenance = {k: v for k, v in data.items() if k != "runs"}
    return runs, provenance


__all__ = ["KAPLAN_ALPHA_N", "KAPLAN_N_C", "ChinchillaFit", "CHINCHILLA", "CHINCHILLA_TABLE2", "CHINCHILLA_TABLE3",
           "power_law", "PowerLawFit", "fit_power_law", "chinchilla_loss", "compute_optimal_exponents",
           "compute_optimal", "allocate_by_ratio", "family_configs", "non_embedding_params", "train_family",
           "SWEEP_FILE", "load_sweep"]
