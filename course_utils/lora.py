"""LoRA adapters with ``peft``: add them to a classifier, count them, fine-tune, save, load, measure.

Introduced in chapter 10, which writes LoRA from scratch (a wrapper around ``nn.Linear``) and then
does the same with the ``peft`` library. These helpers wrap ``peft`` with the course's checks:

    lora_config(r, alpha, target_modules)         -> peft.LoraConfig for sequence classification
    matching_linear_layers(model, target_modules) -> {target: [names of the nn.Linear layers it matches]}
    lora_param_count(model, r, target_modules)    -> r·(d_in + d_out), summed over the matched layers
    add_lora(model, r, alpha, target_modules)     -> a peft model: LoRA on the targets, the head trained in full
    freeze_encoder(model)                         only the classification head trains (the cheapest baseline)
    fine_tune_lora(train_df, val_df, ...)         chapter 08's loop (``fine_tune_bert``) on a LoRA model
    training_step_cost(model, batches)            seconds per step; bytes of weights, gradients, AdamW state,
                                                  activations saved for the backward pass
    save_adapter(model, folder)                   adapter_config.json + adapter_model.safetensors + base_model.json,
                                                  written atomically (a failed save leaves nothing behind)
    adapter_base(folder)                          which base model an adapter folder needs
    load_adapter(folder, base=None)               -> (peft model, tokenizer); refuses a base that does not match
    base_fingerprint(model)                       SHA-256 of a model's pretrained weights (the head excluded)
    folder_bytes(folder)                          bytes of all files in a folder (what an adapter costs to store)
    load_rank_sweep()                             results of ``benchmarks/lora_rank_sweep.py``, with provenance

``python -m course_utils.evaluate ADAPTER_FOLDER test`` scores a saved adapter (it loads the base first).
Importing this module is light: torch, transformers and peft are imported inside the functions.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import math
import numbers
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Mapping
from pathlib import Path

import numpy as np

#: The chapter's LoRA settings: rank, scale numerator (the update is scaled by alpha / r), dropout on the
#: LoRA branch, and which nn.Linear layers get an adapter: the query, key and value projections of every
#: attention block, and the pooler that turns the [CLS] vector into what the head reads (chapter 10 chose
#: these on the validation split; benchmarks/lora_rank_sweep.py measures the alternatives).
RANK = 8
ALPHA = 16
DROPOUT = 0.1
TARGET_MODULES = ("query", "key", "value", "pooler.dense")
#: The classification head: new for the task, so it is trained in full (peft's ``modules_to_save``).
HEAD_MODULES = ("classifier",)
#: LoRA trains few, freshly initialised numbers: a larger learning rate than full fine-tuning (1e-4).
EPOCHS = 2
LEARNING_RATE = 3e-3
BATCH_SIZE = 16
#: Files of an adapter folder (what ``save_adapter`` writes).
ADAPTER_CONFIG = "adapter_config.json"
ADAPTER_WEIGHTS = "adapter_model.safetensors"
BASE_RECORD = "base_model.json"
#: The portable name recorded for the course's packaged checkpoint (its folder differs from machine to machine).
PACKAGED_BASE_NAME = "sentence-transformers/all-MiniLM-L6-v2"
#: Where ``benchmarks/lora_rank_sweep.py`` writes its results (under the data folder).
RANK_SWEEP_FILE = ("benchmarks", "lora_rank_sweep.json")
RANK_SWEEP_COLUMNS = ("r", "target_modules", "trainable_parameters", "trainable_share", "adapter_bytes",
                      "val_accuracy", "seconds")


class AdapterError(ValueError):
    """An adapter folder is missing, broken, or does not fit the base model it is loaded onto."""


# ---------------------------------------------------------------------------------- validation
def _rank(r) -> int:
    if isinstance(r, bool) or not isinstance(r, numbers.Integral) or r < 1:
        raise ValueError(f"r (the LoRA rank) must be a positive integer such as 8, got {r!r}")
    return int(r)


def _alpha(alpha) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not math.isfinite(alpha) or alpha <= 0:
        raise ValueError(f"alpha (LoRA's scale numerator: the update is scaled by alpha / r) must be a positive "
                         f"number such as 16, got {alpha!r}")
    return float(alpha)


def _dropout(dropout) -> float:
    if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or not 0 <= dropout < 1:
        raise ValueError(f"dropout must be a number in [0, 1), got {dropout!r}")
    return float(dropout)


def _targets(target_modules) -> tuple[str, ...]:
    if isinstance(target_modules, str):
        target_modules = (target_modules,)
    if not isinstance(target_modules, (list, tuple)) or not target_modules:
        raise TypeError("target_modules must be a non-empty list of layer names such as ['query', 'value'], "
                        f"got {target_modules!r}")
    names = []
    for name in target_modules:
        if not isinstance(name, str) or not name.strip() or name != name.strip():
            raise TypeError(f"each target module must be a non-empty layer name without spaces, got {name!r}")
        if name not in names:
            names.append(name)
    return tuple(names)


def _module(model, name="model"):
    import torch
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"{name} must be a torch.nn.Module (e.g. BertForSequenceClassification), "
                        f"got {type(model).__name__}")
    return model


def _is_peft(model) -> bool:
    try:
        from peft import PeftModel
    except ImportError:  # pragma: no cover - peft is pinned in requirements.txt
        return False
    return isinstance(model, PeftModel)


def _plain_model(model):
    _module(model)
    if _is_peft(model):
        raise ValueError("model already has LoRA adapters (it is a peft model); start from the plain model "
                         "(peft_model.get_base_model() after unloading, or a fresh from_pretrained)")
    return model


@contextlib.contextmanager
def _quiet_peft():
    """Hide one FutureWarning that transformers 5 raises inside peft 0.21's get_peft_model / from_pretrained.

    peft asks the model ``is_gradient_checkpointing``, which transformers renamed; the warning is about peft's
    code, not the learner's, and would appear on every call.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*is_gradient_checkpointing.*", category=FutureWarning)
        yield


# ---------------------------------------------------------------------------------- which layers
def _layer_suffix(name: str) -> str:
    """``bert.encoder.layer.3.attention.self.query`` -> ``attention.self.query`` (what follows the layer number)."""
    parts = name.split(".")
    numbers_at = [i for i, p in enumerate(parts) if p.isdigit()]
    return ".".join(parts[numbers_at[-1] + 1:]) if numbers_at else name


def _head_names(model) -> list[str]:
    return [name for name, _ in model.named_modules()
            if any(name == h or name.endswith("." + h) for h in HEAD_MODULES)]


def matching_linear_layers(model, target_modules=TARGET_MODULES) -> dict[str, list[str]]:
    """For each target name, the ``nn.Linear`` layers of ``model`` it matches, as ``peft`` matches them.

    A target matches a layer whose full name equals it or ends with ``"." + target`` (``"query"`` matches
    ``bert.encoder.layer.0.attention.self.query``; ``"attention.output.dense"`` matches the attention output
    projections but not the feed-forward ``output.dense``). The classification head is never a target (it is
    trained in full). A target that matches nothing is an error that lists the names that exist.
    """
    import torch
    model = _plain_model(model)
    targets = _targets(target_modules)
    heads = _head_names(model)
    linear = [name for name, m in model.named_modules()
              if isinstance(m, torch.nn.Linear) and not any(name == h or name.startswith(h + ".") for h in heads)]
    found = {t: [n for n in linear if n == t or n.endswith("." + t)] for t in targets}
    missing = [t for t, names in found.items() if not names]
    if missing:
        available = sorted({_layer_suffix(n) for n in linear})
        short = sorted({n.rsplit(".", 1)[-1] for n in linear})
        raise ValueError(f"target module(s) {missing} match no nn.Linear layer of {type(model).__name__}. "
                         f"Its Linear layers are named (after the layer number) {available}; a target may also be "
                         f"the last part alone, e.g. {short}. The classification head {HEAD_MODULES} is trained "
                         "in full and cannot be a LoRA target.")
    return found


def lora_param_count(model, r: int = RANK, target_modules=TARGET_MODULES) -> int:
    """Numbers LoRA adds: r·(d_in + d_out) for every matched ``nn.Linear`` (A is r×d_in, B is d_out×r)."""
    r = _rank(r)
    layers = dict(model.named_modules())
    names = {n for found in matching_linear_layers(model, target_modules).values() for n in found}
    return sum(r * (layers[n].in_features + layers[n].out_features) for n in names)


def lora_config(r: int = RANK, alpha: float = ALPHA, target_modules=TARGET_MODULES, dropout: float = DROPOUT):
    """A ``peft.LoraConfig`` for sequence classification: LoRA on ``target_modules``, the head trained in full."""
    from peft import LoraConfig, TaskType
    return LoraConfig(task_type=TaskType.SEQ_CLS, r=_rank(r), lora_alpha=_alpha(alpha),
                      target_modules=list(_targets(target_modules)), lora_dropout=_dropout(dropout),
                      modules_to_save=list(HEAD_MODULES))


def add_lora(model, r: int = RANK, alpha: float = ALPHA, target_modules=TARGET_MODULES, dropout: float = DROPOUT):
    """Wrap ``model`` with ``peft.get_peft_model``: frozen weights, LoRA on the targets, a trainable head.

    Checks first what peft would silently accept: a rank or alpha that is not positive, a target name that
    matches no layer (peft only complains when *no* target matches), a model without a ``classifier`` head.
    """
    from peft import get_peft_model
    config = lora_config(r, alpha, target_modules, dropout)
    model = _plain_model(model)
    if not _head_names(model):
        raise ValueError(f"{type(model).__name__} has no classification head named {HEAD_MODULES}: LoRA here "
                         "adapts a sequence classifier such as BertForSequenceClassification")
    matching_linear_layers(model, target_modules)
    with _quiet_peft():
        return get_peft_model(model, config)


def freeze_encoder(model):
    """Freeze every parameter except the classification head's (the 'frozen encoder, trained head' baseline)."""
    model = _plain_model(model)
    heads = _head_names(model)
    if not heads:
        raise ValueError(f"{type(model).__name__} has no classification head named {HEAD_MODULES} to train")
    for name, p in model.named_parameters():
        p.requires_grad = any(name.startswith(h + ".") for h in heads)
    return model


def fine_tune_lora(train_df, val_df=None, checkpoint=None, *, r: int = RANK, alpha: float = ALPHA,
                   target_modules=TARGET_MODULES, dropout: float = DROPOUT, epochs: int = EPOCHS,
                   lr: float = LEARNING_RATE, **fine_tune_kwargs):
    """Fine-tune a LoRA adapter (and the head) with chapter 08's loop; returns ``(peft_model, tokenizer, history)``.

    ``fine_tune_bert`` loads the checkpoint and draws the head after seeding; :func:`add_lora` then adds the
    adapters (their A matrices drawn from the same seeded generator, B = 0), and the loop trains what is left
    trainable. ``fine_tune_kwargs`` go to ``course_utils.bert_classifier.fine_tune_bert`` (batch_size, seed,
    device, progress, ...).
    """
    from .bert_classifier import fine_tune_bert
    r, alpha, dropout = _rank(r), _alpha(alpha), _dropout(dropout)
    targets = _targets(target_modules)
    if "prepare" in fine_tune_kwargs:
        raise TypeError("fine_tune_lora sets prepare= itself (it adds the LoRA adapters)")
    fine_tune_kwargs.setdefault("batch_size", BATCH_SIZE)
    return fine_tune_bert(train_df, val_df, checkpoint, epochs=epochs, lr=lr,
                          prepare=lambda model: add_lora(model, r, alpha, targets, dropout), **fine_tune_kwargs)


# ---------------------------------------------------------------------------------- cost of a training step
def _storage_key(t):
    return (t.device.type, t.untyped_storage().data_ptr())


def training_step_cost(model, batches, lr: float = 1e-4, device=None) -> dict:
    """Time AdamW training steps on ``batches`` and count the memory one step holds, on a copy of ``model``.

    Every batch is one step (forward with labels, backward, AdamW step); the first is an untimed warm-up, so
    pass at least two. ``model`` itself is not changed: the steps run on a deep copy.

    Returns a dict:
        ``seconds_per_step``: median over the timed steps;
        ``weight_bytes``: all parameters (frozen or not); ``gradient_bytes``: the gradients the backward pass
        wrote (trainable parameters only); ``optimizer_bytes``: AdamW's two moments (and step counters);
        ``activation_bytes``: tensors the forward pass of the last step saved for the backward pass (what
        autograd keeps alive until ``backward``), counted once per storage, weights excluded;
        ``peak_cuda_bytes``: ``torch.cuda.max_memory_allocated`` during the steps on a CUDA device, else None.
    """
    import copy

    import torch

    from .bert_classifier import _amp, _device, parameter_groups
    _module(model)
    batches = list(batches)
    if len(batches) < 2 or not all(isinstance(b, Mapping) and "labels" in b for b in batches):
        raise ValueError("batches must be at least two dicts with input_ids, attention_mask and labels "
                         "(e.g. from course_utils.bert_classifier.make_loader): one warm-up step, then timed steps")
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 < lr < 1:
        raise ValueError(f"lr must be a learning rate between 0 and 1, got {lr!r}")
    device = _device(device)
    work = copy.deepcopy(model).to(device)
    work.train()
    amp, dtype = _amp(device)
    optimizer = torch.optim.AdamW(parameter_groups(work, 0.01), lr=lr)
    params = {_storage_key(p) for p in work.parameters()}
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
    seconds, saved, grad_bytes = [], {}, 0
    for i, batch in enumerate(batches):
        batch = {k: v.to(device) for k, v in batch.items()}
        last = i == len(batches) - 1
        saved.clear()

        def pack(t):
            if last:
                key = _storage_key(t)
                if key not in params:
                    saved[key] = t.untyped_storage().nbytes()
            return t

        start = time.perf_counter()
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            with torch.autocast(device_type=device.type, dtype=dtype, enabled=amp):
                loss = work(**batch).loss
        loss.backward()
        grad_bytes = sum(p.grad.nbytes for p in work.parameters() if p.grad is not None)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        if i:
            seconds.append(time.perf_counter() - start)
    state = [t for s in optimizer.state.values() for t in s.values() if torch.is_tensor(t)]
    return {"seconds_per_step": float(np.median(seconds)),
            "weight_bytes": sum(p.nbytes for p in work.parameters()),
            "gradient_bytes": int(grad_bytes),
            "optimizer_bytes": sum(t.nbytes for t in state),
            "activation_bytes": int(sum(saved.values())),
            "peak_cuda_bytes": int(torch.cuda.max_memory_allocated(device)) if device.type == "cuda" else None}


# ---------------------------------------------------------------------------------- fingerprints and names
def _canonical_base_state(model) -> dict:
    """The pretrained weights of a plain or peft model, under the plain model's names, the head left out."""
    base = model.get_base_model() if _is_peft(model) else model
    heads = _head_names(base)
    state = {}
    for name, tensor in base.state_dict().items():
        if "lora_" in name or "modules_to_save" in name:
            continue
        name = name.replace(".base_layer", "").replace(".original_module", "")
        if any(name.startswith(h + ".") for h in heads):
            continue
        state[name] = tensor
    return state


def base_fingerprint(model) -> str:
    """SHA-256 of a model's pretrained weights (names, shapes and float32 values; the classification head and
    any LoRA weights left out): equal for the base an adapter was trained on, different for any other model."""
    _module(model)
    digest = hashlib.sha256()
    for name, tensor in sorted(_canonical_base_state(model).items()):
        values = tensor.detach().to("cpu").float().contiguous().numpy()
        digest.update(f"{name}:{tuple(values.shape)};".encode())
        digest.update(values.tobytes())
    return digest.hexdigest()


def _portable_name(name_or_path) -> str:
    """The packaged checkpoint's folder becomes its Hub name; anything else is kept as it is."""
    text = str(name_or_path or "")
    try:
        from .checkpoints import packaged_checkpoint
        if text and Path(text).expanduser().resolve() == Path(packaged_checkpoint()).resolve():
            return PACKAGED_BASE_NAME
    except (ImportError, OSError):
        pass
    return text


def _resolve_base(name: str, folder: Path) -> str:
    """``bert_checkpoint(name)``, with an error that names the adapter and the base it needs."""
    from .checkpoints import bert_checkpoint
    try:
        return bert_checkpoint(name)
    except (ImportError, OSError, RuntimeError, ValueError, TypeError) as exc:
        raise AdapterError(f"{folder} is a LoRA adapter for the base model {name!r}, which is not available here: "
                           f"{exc}") from None


# ---------------------------------------------------------------------------------- saving and loading
def _adapter_folder(folder) -> Path:
    if not isinstance(folder, (str, os.PathLike)) or not str(folder).strip():
        raise TypeError(f"folder must be a path, got {folder!r}")
    return Path(folder).expanduser()


def save_adapter(model, folder, overwrite: bool = False) -> Path:
    """Save a peft model's adapter (LoRA matrices and the trained head) to ``folder``; return the folder.

    Writes ``adapter_config.json`` and ``adapter_model.safetensors`` (``save_pretrained``) and
    ``base_model.json`` (the base model's portable name and :func:`base_fingerprint`, which
    :func:`load_adapter` checks). Everything is written into a temporary folder next to ``folder`` and moved
    into place at the end, so a failed save leaves nothing behind and never damages an existing folder. An
    existing ``folder`` is refused unless ``overwrite=True``.
    """
    if not _is_peft(model):
        raise TypeError(f"model must be a peft model (from add_lora or get_peft_model), got {type(model).__name__}")
    if not isinstance(overwrite, bool):
        raise TypeError(f"overwrite must be True or False, got {overwrite!r}")
    path = _adapter_folder(folder)
    if path.exists() and not path.is_dir():
        raise FileExistsError(f"{path} exists and is a file, not a folder")
    if path.exists() and any(path.iterdir()) and not overwrite:
        raise FileExistsError(f"{path} already holds files; pass overwrite=True to replace them, or choose "
                              "another folder")
    config = model.peft_config[model.active_adapter]
    base_path = config.base_model_name_or_path or model.get_base_model().config._name_or_path
    name = _portable_name(base_path)
    record = {"base_model": name, "fingerprint": base_fingerprint(model),
              "model_type": model.get_base_model().config.model_type}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        config.base_model_name_or_path = base_path       # peft reads the base's config.json from here while saving
        model.save_pretrained(tmp, selected_adapters=[model.active_adapter])
        config.base_model_name_or_path = name
        if model.active_adapter != "default":            # peft puts a named adapter in a sub-folder
            for item in (tmp / model.active_adapter).iterdir():
                item.rename(tmp / item.name)
            (tmp / model.active_adapter).rmdir()
        saved = json.loads((tmp / ADAPTER_CONFIG).read_text(encoding="utf-8"))
        saved["base_model_name_or_path"] = name          # portable: not this machine's package folder
        if isinstance(saved.get("target_modules"), list):  # peft keeps a set: fix the order run to run
            saved["target_modules"] = sorted(saved["target_modules"])
        (tmp / ADAPTER_CONFIG).write_text(json.dumps(saved, indent=2, sort_keys=True), encoding="utf-8")
        (tmp / "README.md").unlink(missing_ok=True)      # peft's model-card template holds placeholders only
        (tmp / BASE_RECORD).write_text(json.dumps(record, indent=2), encoding="utf-8")
        if not (tmp / ADAPTER_WEIGHTS).is_file():
            raise AdapterError(f"peft wrote no {ADAPTER_WEIGHTS}; nothing was saved")
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old.", dir=path.parent))
            path.rename(old / path.name)
            tmp.rename(path)
            shutil.rmtree(old)
        else:
            tmp.rename(path)
    finally:
        config.base_model_name_or_path = name
        if tmp.exists():
            shutil.rmtree(tmp)
    return path


def adapter_base(folder) -> dict:
    """What an adapter folder needs: ``{"base_model": name, "fingerprint": sha256 or None, ...}``.

    Raises ``FileNotFoundError`` for a missing folder and :class:`AdapterError` for a folder that is not a
    LoRA adapter (no ``adapter_config.json``, no weights, an unreadable config).
    """
    path = _adapter_folder(folder)
    if not path.exists():
        raise FileNotFoundError(f"no adapter folder at {path} (chapter 10 saves one with save_adapter)")
    if not path.is_dir():
        raise AdapterError(f"{path} is a file; an adapter is a folder written by save_adapter / save_pretrained")
    if not (path / ADAPTER_CONFIG).is_file():
        raise AdapterError(f"{path} has no {ADAPTER_CONFIG}, so it is not a LoRA adapter folder")
    if not (path / ADAPTER_WEIGHTS).is_file() and not (path / "adapter_model.bin").is_file():
        raise AdapterError(f"{path} has an {ADAPTER_CONFIG} but no weights ({ADAPTER_WEIGHTS})")
    try:
        config = json.loads((path / ADAPTER_CONFIG).read_text(encoding="utf-8"))
        record = json.loads((path / BASE_RECORD).read_text(encoding="utf-8")) if (path / BASE_RECORD).is_file() \
            else {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AdapterError(f"{path}: the adapter's JSON files cannot be read ({exc})") from None
    if not isinstance(config, dict) or not isinstance(record, dict):
        raise AdapterError(f"{path}: {ADAPTER_CONFIG} and {BASE_RECORD} must each hold a JSON object")
    name = record.get("base_model") or config.get("base_model_name_or_path")
    if not isinstance(name, str) or not name.strip():
        raise AdapterError(f"{path} does not say which base model it belongs to (no base_model_name_or_path in "
                           f"{ADAPTER_CONFIG})")
    return {"base_model": name, "fingerprint": record.get("fingerprint"), "r": config.get("r"),
            "lora_alpha": config.get("lora_alpha"), "target_modules": config.get("target_modules")}


def load_adapter(folder, base=None, device=None):
    """Load a saved adapter onto its base model; return ``(peft_model, tokenizer)`` in eval mode.

    Args:
        folder: a folder written by :func:`save_adapter`.
        base: ``None`` (the base model the folder names), or a checkpoint name or folder to use instead
            (for a copy of the base elsewhere). Its weights must be the ones the adapter was trained on:
            a different model (another size, or another fine-tuned copy of the same architecture) is
            refused with an :class:`AdapterError` that says which base the adapter needs.
        device: ``None`` = ``get_device()``.
    """
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    from .bert_classifier import LABEL_NAMES, _device

    path = _adapter_folder(folder)
    info = adapter_base(path)
    if base is not None and (not isinstance(base, (str, os.PathLike)) or not str(base).strip()):
        raise TypeError(f"base must be None or a checkpoint name or folder, got {type(base).__name__}")
    given = info["base_model"] if base is None else str(base)
    base_path = _resolve_base(given, path)
    level = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()     # the base's new head is replaced by the adapter's trained one below
    try:
        tokenizer = AutoTokenizer.from_pretrained(base_path)
        model = AutoModelForSequenceClassification.from_pretrained(
            base_path, num_labels=2, id2label=dict(enumerate(LABEL_NAMES)),
            label2id={n: i for i, n in enumerate(LABEL_NAMES)}, ignore_mismatched_sizes=True)
    except Exception as exc:  # noqa: BLE001  (any loading error means: this base cannot be used)
        raise AdapterError(f"the base model {given!r} for {path} could not be loaded "
                           f"({type(exc).__name__}: {exc})") from None
    finally:
        hf_logging.set_verbosity(level)
    if info["fingerprint"] and base_fingerprint(model) != info["fingerprint"]:
        raise AdapterError(
            f"{path} was trained on the base model {info['base_model']!r}, and {given!r} is a different model "
            f"(its weights do not match the adapter's record in {BASE_RECORD}). An adapter only works on the exact "
            f"base it was trained on: load it with base=None, or pass a copy of {info['base_model']!r}.")
    from peft import PeftModel
    try:
        with _quiet_peft():
            model = PeftModel.from_pretrained(model, str(path))
    except Exception as exc:  # noqa: BLE001  (shape mismatches, corrupt safetensors, unknown keys)
        raise AdapterError(f"{path} could not be loaded onto {given!r} ({type(exc).__name__}: {exc})") from None
    model.to(_device(device)).eval()
    return model, tokenizer


def folder_bytes(folder) -> int:
    """Total size of the files in ``folder`` (recursively), in bytes."""
    path = _adapter_folder(folder)
    if not path.is_dir():
        raise FileNotFoundError(f"{path} is not a folder")
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# ---------------------------------------------------------------------------------- the rank sweep's results
def load_rank_sweep(path=None):
    """Results of ``benchmarks/lora_rank_sweep.py``: ``(DataFrame with one row per run, provenance dict)``.

    The provenance says which command produced the file, on which machine, when, and with which settings.
    A missing file says how to make it; a file without the expected fields is refused.
    """
    import pandas as pd

    from .config import data_path
    if path is None:
        try:
            path = data_path(*RANK_SWEEP_FILE)
        except FileNotFoundError as exc:
            raise FileNotFoundError(f"{exc}. Run `python benchmarks/lora_rank_sweep.py` from the course folder "
                                    "to make it.") from None
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path, got {path!r}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no rank-sweep results at {path}; run `python benchmarks/lora_rank_sweep.py` "
                                "from the course folder to make them")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not a JSON file ({exc})") from None
    needed = ("command", "machine", "created", "settings", "rows")
    if not isinstance(data, dict) or any(k not in data for k in needed):
        raise ValueError(f"{path} must be a JSON object with the fields {list(needed)} "
                         f"(what benchmarks/lora_rank_sweep.py writes)")
    rows = data["rows"]
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise ValueError(f"{path}: 'rows' must be a non-empty list of results")
    frame = pd.DataFrame(rows)
    missing = [c for c in RANK_SWEEP_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: the rows lack the column(s) {missing}")
    if not frame["val_accuracy"].between(0, 1).all() or not (frame["r"] >= 1).all():
        raise ValueError(f"{path}: accuracies must lie in [0, 1] and ranks be positive")
    return frame, {k: data[k] for k in needed if k != "rows"}
