"""Fine-tune a BERT-family sentiment classifier with a plain PyTorch loop; save it, load it, or rebuild it.

Introduced in chapter 08, which writes this loop cell by cell (length-grouped batches with dynamic
padding, ``torch.optim.AdamW`` with no decay on biases and LayerNorm, a linear warm-up schedule,
mixed precision on CUDA, validation accuracy after each epoch). Chapter 09 calls :func:`load_or_train_bert`.

    fine_tune_bert(train_df, val_df)        -> (model, tokenizer, history)
    parameter_groups(model, weight_decay)   AdamW groups: decay the weight matrices, not biases/LayerNorm
    save_bert_classifier(model, tok, folder)   model.safetensors + config.json + tokenizer files
    load_bert_classifier(folder)            -> (model, tokenizer), clear errors for broken folders
    load_or_train_bert()                    -> models/bert_sentiment, trained once when it is missing
    predict_proba(model, tok, texts)        -> [P(negative), P(positive)] per text

The default checkpoint is the course's offline all-MiniLM-L6-v2 (see
:func:`course_utils.checkpoints.bert_checkpoint`); ``checkpoint="bert-base-uncased"`` (with network)
fine-tunes the articles' model with the same code.
"""
from __future__ import annotations

import math
import numbers
import os
import time
from pathlib import Path

import numpy as np

from .config import models_dir

#: Class names, indexed by label (the course corpus's convention).
LABEL_NAMES = ("negative", "positive")
#: Folder of the fine-tuned model under ``models/``.
MODEL_FOLDER = "bert_sentiment"
#: Chapter 08's hyperparameters (sized for a 2-core CPU; see the chapter).
EPOCHS = 2
LEARNING_RATE = 1e-4
BATCH_SIZE = 32
MAX_LENGTH = 128
WARMUP_RATIO = 0.1
WEIGHT_DECAY = 0.01
SEED = 42
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
_TOKENIZER_FILES = ("tokenizer.json", "vocab.txt")


class BertClassifierError(ValueError):
    """A model folder exists but does not hold a usable fine-tuned classifier."""


# ---------------------------------------------------------------------------------- validation
def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _ratio(value, name: str, upper_open: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0 \
            or (upper_open and value >= 1):
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    return float(value)


def _texts_labels(frame, name: str):
    import pandas as pd
    if not isinstance(frame, pd.DataFrame) or not {"text", "label"} <= set(frame.columns):
        raise TypeError(f"{name} must be a DataFrame with columns 'text' and 'label' "
                        f"(as course_utils.reviews.load_reviews() returns), got {type(frame).__name__}")
    if len(frame) == 0:
        raise ValueError(f"{name} is empty")
    texts = frame["text"].tolist()
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str) or not t.strip()]
    if bad:
        raise ValueError(f"{name}['text'] must hold non-empty strings; row {bad[0]} is {texts[bad[0]]!r}")
    labels = np.asarray(frame["label"])
    if not np.isin(labels, (0, 1)).all():
        raise ValueError(f"{name}['label'] must hold 0 (negative) and 1 (positive) only, got "
                         f"{sorted(set(labels.tolist()) - {0, 1})[:5]}")
    return texts, labels.astype("int64").tolist()


# ---------------------------------------------------------------------------------- data
def encode_examples(tokenizer, texts, labels=None, max_length: int = MAX_LENGTH) -> list[dict]:
    """Tokenise texts (truncated to ``max_length`` tokens, not padded) into a list of examples.

    Each example is ``{"input_ids": [...], "attention_mask": [...], "labels": y}``; padding
    happens per batch in the DataLoader (``DataCollatorWithPadding``).
    """
    max_length = _positive_int(max_length, "max_length")
    enc = tokenizer(list(texts), truncation=True, max_length=max_length)
    examples = [{"input_ids": ids, "attention_mask": mask}
                for ids, mask in zip(enc["input_ids"], enc["attention_mask"])]
    if labels is not None:
        labels = list(labels)
        if len(labels) != len(examples):
            raise ValueError(f"got {len(examples)} texts but {len(labels)} labels")
        for example, y in zip(examples, labels):
            example["labels"] = int(y)
    return examples


def length_grouped_batches(lengths, batch_size: int, generator=None, window: int = 8) -> list[list[int]]:
    """Batches of indices whose examples have similar lengths, in random order.

    Shuffle all indices; cut them into windows of ``window * batch_size``; sort each window by
    length and cut it into batches; shuffle the batches. Every index appears exactly once. Padding
    to the longest text of a batch then wastes little (Hugging Face's Trainer calls this
    ``group_by_length``). ``generator`` is a ``torch.Generator`` (seeded for repeatable order).
    """
    import torch
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or lengths.size == 0:
        raise ValueError("lengths must be a non-empty 1-D list of example lengths")
    batch_size, window = _positive_int(batch_size, "batch_size"), _positive_int(window, "window")
    order = torch.randperm(len(lengths), generator=generator).numpy()
    chunk = batch_size * window
    batches = []
    for start in range(0, len(order), chunk):
        part = order[start:start + chunk]
        part = part[np.argsort(lengths[part], kind="stable")]
        batches += [part[i:i + batch_size].tolist() for i in range(0, len(part), batch_size)]
    return [batches[i] for i in torch.randperm(len(batches), generator=generator).tolist()]


class LengthGroupedSampler:
    """A ``batch_sampler`` for ``DataLoader``: new :func:`length_grouped_batches` every epoch."""

    def __init__(self, lengths, batch_size: int, seed: int = SEED, window: int = 8):
        import torch
        self.lengths = list(lengths)
        self.batch_size = _positive_int(batch_size, "batch_size")
        self.window = _positive_int(window, "window")
        self.generator = torch.Generator().manual_seed(int(seed))

    def __iter__(self):
        return iter(length_grouped_batches(self.lengths, self.batch_size, self.generator, self.window))

    def __len__(self) -> int:
        # every window of window*batch_size examples is cut separately, so count batches per window
        chunk = self.batch_size * self.window
        full, rest = divmod(len(self.lengths), chunk)
        return full * self.window + math.ceil(rest / self.batch_size)


def make_loader(tokenizer, examples: list[dict], batch_size: int, shuffle: bool, seed: int = SEED):
    """DataLoader with dynamic padding; ``shuffle=True`` groups examples by length (training)."""
    from torch.utils.data import DataLoader
    from transformers import DataCollatorWithPadding

    collate = DataCollatorWithPadding(tokenizer)
    if shuffle:
        sampler = LengthGroupedSampler([len(e["input_ids"]) for e in examples], batch_size, seed)
        return DataLoader(examples, batch_sampler=sampler, collate_fn=collate)
    return DataLoader(examples, batch_size=_positive_int(batch_size, "batch_size"), shuffle=False,
                      collate_fn=collate)


# ---------------------------------------------------------------------------------- model use
def _device(device):
    import torch

    from .device import get_device
    if device is None:
        return get_device()
    if isinstance(device, str):
        try:
            device = torch.device(device)
        except RuntimeError:
            raise ValueError(f"device {device!r} is not a device PyTorch knows: use None (the best one here), "
                             "'cpu', 'cuda', 'cuda:0' or 'mps'") from None
    elif not isinstance(device, torch.device):
        raise TypeError(f"device must be None, a string such as 'cpu' or a torch.device, got {device!r}")
    available = {"cuda": torch.cuda.is_available, "mps": torch.backends.mps.is_available}.get(device.type)
    if available is not None and not available():
        build = " (this PyTorch is a CPU-only build)" if device.type == "cuda" and torch.version.cuda is None else ""
        raise ValueError(f"device {str(device)!r} was asked for, but this machine has no {device.type.upper()} "
                         f"device PyTorch can use{build}. Pass device=None to use the best device here "
                         f"({get_device()}), or 'cpu'.")
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        raise ValueError(f"device {str(device)!r} does not exist: this machine has {torch.cuda.device_count()} "
                         "CUDA device(s), numbered from 0")
    return device


def _amp(device):
    """(enabled, dtype) for torch.autocast: mixed precision on CUDA only (bf16 where supported)."""
    import torch
    if device.type != "cuda":
        return False, torch.float32
    return True, (torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16)


def accuracy(model, loader, device=None) -> float:
    """Fraction of examples in ``loader`` (batches with ``labels``) whose argmax logit is the label."""
    import torch
    device = _device(device)
    amp, dtype = _amp(device)
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for batch in loader:
            batch = {k: v.to(device) for k, v in batch.items()}
            with torch.autocast(device_type=device.type, dtype=dtype, enabled=amp):
                logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
            correct += (logits.argmax(dim=-1) == batch["labels"]).sum().item()
            total += len(batch["labels"])
    if total == 0:
        raise ValueError("the loader yielded no examples")
    return correct / total


def predict_proba(model, tokenizer, texts, device=None, batch_size: int = 64,
                  max_length: int = MAX_LENGTH) -> np.ndarray:
    """``[P(negative), P(positive)]`` for each text (an array of shape ``(len(texts), 2)``)."""
    import torch
    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings, not one string (wrap it in a list)")
    texts = list(texts)
    if not texts or not all(isinstance(t, str) for t in texts):
        raise TypeError("texts must be a non-empty list of strings")
    device = _device(device)
    amp, dtype = _amp(device)
    model.to(device).eval()
    examples = encode_examples(tokenizer, texts, max_length=max_length)
    order = np.argsort([len(e["input_ids"]) for e in examples], kind="stable")   # short texts batched together:
    loader = make_loader(tokenizer, [examples[i] for i in order], batch_size, shuffle=False)   # less padding
    out = []
    with torch.no_grad():
        for batch in loader:
            with torch.autocast(device_type=device.type, dtype=dtype, enabled=amp):
                logits = model(**{k: v.to(device) for k, v in batch.items()}).logits
            out.append(torch.softmax(logits.float(), dim=-1).cpu().numpy())
    probs = np.empty((len(texts), 2), dtype=np.float32)
    probs[order] = np.concatenate(out)                                           # back to the input order
    return probs


# ---------------------------------------------------------------------------------- training
def parameter_groups(model, weight_decay: float = WEIGHT_DECAY) -> list[dict]:
    """AdamW parameter groups: weight decay for the weight matrices, none for biases and LayerNorm.

    The usual BERT recipe: decay pulls weights towards zero, which regularises matrices, but a
    bias or a LayerNorm gain/shift is a single scale or offset per feature, and pulling a LayerNorm
    gain towards 0 would shrink the layer's output. Every tensor with one dimension (all biases
    and LayerNorm parameters) goes into the group with ``weight_decay=0``; the same split as
    transformers' ``Trainer.get_decay_parameter_names`` for BERT. Frozen parameters are left out.

    Returns ``[{"params": [...], "weight_decay": weight_decay}, {"params": [...], "weight_decay": 0.0}]``
    for ``torch.optim.AdamW(groups, lr=...)``.
    """
    import torch
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    weight_decay = _ratio(weight_decay, "weight_decay")
    trainable = [p for p in model.parameters() if p.requires_grad]
    if not trainable:
        raise ValueError(f"{type(model).__name__} has no trainable parameters (all frozen?)")
    return [{"params": [p for p in trainable if p.ndim >= 2], "weight_decay": weight_decay},
            {"params": [p for p in trainable if p.ndim < 2], "weight_decay": 0.0}]


def _load_base(checkpoint, seed: int):
    """Tokenizer and a BertForSequenceClassification with a new 2-way head, drawn after seeding."""
    from transformers import BertForSequenceClassification, BertTokenizer
    from transformers.utils import logging as hf_logging

    from .checkpoints import bert_checkpoint
    from .seeding import seed_everything

    path = bert_checkpoint(checkpoint)
    no_tokenizer = (f"checkpoint {path} has no tokenizer files ({' or '.join(_TOKENIZER_FILES)}), so BertTokenizer "
                    "would make a vocabulary of its 5 special tokens and every word would become [UNK]. Save the "
                    "checkpoint's tokenizer next to it (tokenizer.save_pretrained(folder)), or pick another "
                    "checkpoint.")
    if Path(path).is_dir() and not any((Path(path) / name).is_file() for name in _TOKENIZER_FILES):
        raise BertClassifierError(no_tokenizer)
    tokenizer = BertTokenizer.from_pretrained(path)
    if len(tokenizer) <= len(set(tokenizer.all_special_ids)) + 1:
        raise BertClassifierError(no_tokenizer.replace("has no tokenizer files", "has an empty tokenizer", 1))
    seed_everything(seed)
    # The new classification head is the point of fine-tuning: hide transformers' report that it is new.
    level = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        model = BertForSequenceClassification.from_pretrained(
            path, num_labels=2, id2label=dict(enumerate(LABEL_NAMES)),
            label2id={name: i for i, name in enumerate(LABEL_NAMES)})
    finally:
        hf_logging.set_verbosity(level)
    return model, tokenizer


def fine_tune_bert(train_df, val_df=None, checkpoint=None, *, epochs: int = EPOCHS, lr: float = LEARNING_RATE,
                   batch_size: int = BATCH_SIZE, max_length: int = MAX_LENGTH, seed: int = SEED, device=None,
                   warmup_ratio: float = WARMUP_RATIO, weight_decay: float = WEIGHT_DECAY,
                   max_grad_norm: float = 1.0, progress: bool = False, prepare=None):
    """Fine-tune ``BertForSequenceClassification`` on (text, label) rows; chapter 08's loop.

    Args:
        train_df, val_df: DataFrames with ``text`` and ``label`` (0/1) columns; ``val_df`` may be
            ``None`` (no validation accuracy).
        checkpoint: ``None`` (the packaged all-MiniLM-L6-v2, or ``$BIGMODEL_COURSE_BERT``), a Hub
            name such as ``"bert-base-uncased"`` or a local folder (see ``bert_checkpoint``).
        epochs, lr, batch_size, max_length: the usual; lr is AdamW's peak learning rate.
        seed: ``seed_everything(seed)`` right before the head is drawn; also orders the batches.
        device: ``None`` = ``get_device()``; on CUDA the loop uses mixed precision (bf16 where the
            GPU has it, else fp16 with a GradScaler).
        warmup_ratio: fraction of the steps over which the learning rate rises linearly from 0
            (then it falls linearly to 0 at the last step).
        weight_decay: AdamW's decoupled weight decay for the weight matrices; biases and LayerNorm
            parameters get none (:func:`parameter_groups`).
        progress: show a progress bar (:func:`course_utils.progress.progress_bar`).
        prepare: ``None``, or a function applied to the freshly loaded model (head drawn) before
            training, which returns the model to train, e.g. with most weights frozen or LoRA
            adapters added (chapter 10: ``course_utils.lora.add_lora``). Only the parameters left
            trainable are optimised.

    Returns:
        ``(model, tokenizer, history)``; the model is in eval mode on ``device`` and history is a
        dict with per-step ``loss`` and ``lr``, per-epoch ``val_accuracy`` and the ``seconds`` trained.
    """
    import torch
    from transformers import get_linear_schedule_with_warmup

    texts, labels = _texts_labels(train_df, "train_df")
    val = _texts_labels(val_df, "val_df") if val_df is not None else None
    epochs, batch_size = _positive_int(epochs, "epochs"), _positive_int(batch_size, "batch_size")
    max_length = _positive_int(max_length, "max_length")
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 < lr < 1:
        raise ValueError(f"lr must be a learning rate between 0 and 1 (e.g. 5e-5), got {lr!r}")
    warmup_ratio = _ratio(warmup_ratio, "warmup_ratio")
    weight_decay = _ratio(weight_decay, "weight_decay")
    if isinstance(max_grad_norm, bool) or not isinstance(max_grad_norm, numbers.Real) \
            or not math.isfinite(max_grad_norm) or max_grad_norm <= 0:
        raise ValueError(f"max_grad_norm must be a positive finite number (e.g. 1.0), got {max_grad_norm!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    device = _device(device)

    model, tokenizer = _load_base(checkpoint, int(seed))
    if prepare is not None:
        if not callable(prepare):
            raise TypeError(f"prepare must be a function that takes and returns the model, got {prepare!r}")
        model = prepare(model)
        if not isinstance(model, torch.nn.Module):
            raise TypeError(f"prepare must return the model to train, got {type(model).__name__}")
    model.to(device)
    train_loader = make_loader(tokenizer, encode_examples(tokenizer, texts, labels, max_length), batch_size,
                               shuffle=True, seed=int(seed))
    val_loader = None if val is None else make_loader(
        tokenizer, encode_examples(tokenizer, *val, max_length), 64, shuffle=False)

    optimizer = torch.optim.AdamW(parameter_groups(model, weight_decay), lr=lr)
    total_steps = epochs * len(train_loader)
    scheduler = get_linear_schedule_with_warmup(optimizer, int(warmup_ratio * total_steps), total_steps)
    amp, dtype = _amp(device)
    scaler = torch.amp.GradScaler("cuda", enabled=amp and dtype == torch.float16)

    history = {"loss": [], "lr": [], "val_accuracy": [], "seconds": 0.0}
    bar = None
    if progress:
        from .progress import progress_bar
        bar = progress_bar(total_steps, desc="fine-tuning")
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for batch in train_loader:
            batch = {k: v.to(device) for k, v in batch.items()}
            with torch.autocast(device_type=device.type, dtype=dtype, enabled=amp):
                loss = model(**batch).loss
            if not math.isfinite(loss.item()):
                if bar is not None:
                    bar.close()
                raise FloatingPointError(
                    f"fine-tuning diverged: the loss at step {len(history['loss']) + 1} is {loss.item()}, so the "
                    f"weights are no longer usable. Training stopped; nothing was saved. Try a smaller lr (now {lr:g}) "
                    "or check the checkpoint's weights.")
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
            scaler.step(optimizer)
            scaler.update()
            history["lr"].append(scheduler.get_last_lr()[0])
            scheduler.step()
            optimizer.zero_grad()
            history["loss"].append(loss.item())
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{loss.item():.3f}")
        if val_loader is not None:
            history["val_accuracy"].append(accuracy(model, val_loader, device))
    history["seconds"] = time.perf_counter() - start
    if bar is not None:
        bar.close()
    broken = _non_finite_parameters(model)
    if broken:
        raise FloatingPointError(f"fine-tuning diverged: {broken[:3]} hold NaN or infinity after the last step. "
                                 f"Nothing was saved. Try a smaller lr (now {lr:g}).")
    model.eval()
    return model, tokenizer, history


def _non_finite_parameters(model) -> list[str]:
    import torch
    return [name for name, p in model.named_parameters() if not bool(torch.isfinite(p).all())]


# ---------------------------------------------------------------------------------- saving and loading
def default_folder() -> Path:
    """``models/bert_sentiment`` in the course (or under ``$BIGMODEL_COURSE_MODELS``)."""
    return models_dir() / MODEL_FOLDER


def _folder(folder) -> Path:
    if folder is None:
        return default_folder()
    if not isinstance(folder, (str, os.PathLike)) or not str(folder).strip():
        raise TypeError(f"folder must be a path or None, got {folder!r}")
    return Path(folder).expanduser()


def save_bert_classifier(model, tokenizer, folder=None, overwrite: bool = False) -> Path:
    """Write the model (``model.safetensors`` + ``config.json``) and the tokenizer files to ``folder``.

    An existing non-empty folder is refused unless ``overwrite=True``. The labels are stored in
    the config (``id2label``: 0 negative, 1 positive), so ``transformers.pipeline`` prints names.
    A model with NaN or infinite weights is refused.

    Everything is first written to a temporary folder beside ``folder``, which takes its place
    only once the model and the tokenizer are both complete: a failure part-way (disk full, an
    interrupted save) leaves the old folder as it was, or no folder at all.
    """
    from transformers import PreTrainedModel
    if not isinstance(model, PreTrainedModel):
        raise TypeError(f"model must be a transformers model (e.g. BertForSequenceClassification), "
                        f"got {type(model).__name__}")
    if not hasattr(tokenizer, "save_pretrained"):
        raise TypeError(f"tokenizer must be a transformers tokenizer, got {type(tokenizer).__name__}")
    if not isinstance(overwrite, bool):
        raise TypeError(f"overwrite must be True or False, got {overwrite!r}")
    path = _folder(folder)
    if path.exists() and not path.is_dir():
        raise FileExistsError(f"{path} exists and is a file, not a folder")
    if path.is_dir() and any(path.iterdir()) and not overwrite:
        raise FileExistsError(f"{path} already holds files; pass overwrite=True to replace the model there, "
                              "or choose another folder")
    broken = _non_finite_parameters(model)
    if broken:
        raise ValueError(f"the model's weights {broken[:3]} hold NaN or infinity (training diverged?); "
                         "it is not saved")
    if model.config.num_labels == 2:
        model.config.id2label = dict(enumerate(LABEL_NAMES))
        model.config.label2id = {name: i for i, name in enumerate(LABEL_NAMES)}
    _write_folder_atomically(path, lambda tmp: (model.save_pretrained(tmp, safe_serialization=True),
                                                tokenizer.save_pretrained(tmp)))
    return path


def _write_folder_atomically(path: Path, write) -> None:
    """Call ``write(tmp)`` on a new folder beside ``path``, then put it in ``path``'s place (old one removed).

    Renames within one folder are atomic, so ``path`` holds either the old contents or the new
    ones, never a mixture; if ``write`` fails, the temporary folder is removed and ``path`` is untouched.
    """
    import shutil
    import tempfile
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.writing-", dir=path.parent))
    try:
        write(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    try:
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-", dir=path.parent))
            old.rmdir()
            path.rename(old)
        tmp.rename(path)
    except BaseException:
        if old is not None and old.exists() and not path.exists():
            old.rename(path)                      # put the previous model back
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def load_bert_classifier(folder=None, device=None):
    """Load ``(model, tokenizer)`` saved by :func:`save_bert_classifier` (default ``models/bert_sentiment``).

    Raises ``FileNotFoundError`` for a missing folder and :class:`BertClassifierError` for a folder
    without ``config.json``, weights or tokenizer files, with corrupt weights, or without a trained
    two-class head. Nothing in the folder is changed.
    """
    from transformers import BertForSequenceClassification, BertTokenizer
    from transformers.utils import logging as hf_logging

    path = _folder(folder)
    if not path.exists():
        raise FileNotFoundError(f"no fine-tuned model at {path}: run chapter 08, or call load_or_train_bert() "
                                "to train and save it")
    if not path.is_dir():
        raise BertClassifierError(f"{path} is a file; expected a folder written by save_pretrained")
    if not (path / "config.json").is_file():
        raise BertClassifierError(f"{path} has no config.json, so it is not a saved model. Delete the folder and "
                                  "run chapter 08 (or load_or_train_bert()) to rebuild it.")
    if not any((path / name).is_file() for name in _WEIGHT_FILES):
        raise BertClassifierError(f"{path} has a config.json but no weights ({' or '.join(_WEIGHT_FILES)}). "
                                  "Delete the folder and run chapter 08 (or load_or_train_bert()) to rebuild it.")
    if not any((path / name).is_file() for name in _TOKENIZER_FILES):
        raise BertClassifierError(f"{path} has no tokenizer files ({' or '.join(_TOKENIZER_FILES)}); save them "
                                  "with tokenizer.save_pretrained(folder)")
    level = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()      # a missing head is reported below as an error, not as a log line
    try:
        model, info = BertForSequenceClassification.from_pretrained(path, output_loading_info=True)
        tokenizer = BertTokenizer.from_pretrained(path)
    except Exception as exc:  # noqa: BLE001  (safetensors, JSON and OS errors all mean: this folder is broken)
        raise BertClassifierError(
            f"{path} could not be loaded ({type(exc).__name__}: {exc}); its files may be corrupt or truncated. "
            "Nothing was changed. Delete the folder and run chapter 08 (or load_or_train_bert()) to rebuild it."
        ) from exc
    finally:
        hf_logging.set_verbosity(level)
    missing = list(info.get("missing_keys", []))
    if missing:
        raise BertClassifierError(
            f"{path} lacks trained weights for {sorted(missing)[:4]}: it holds a base checkpoint, not a "
            "fine-tuned classifier (its classification head would be random). Fine-tune it first.")
    if model.config.num_labels != 2:
        raise BertClassifierError(f"{path} has {model.config.num_labels} output labels; a sentiment model needs 2")
    model.to(_device(device)).eval()
    return model, tokenizer


def load_or_train_bert(folder=None, *, train_df=None, val_df=None, device=None, verbose: bool = False,
                       **fine_tune_kwargs):
    """Chapter 08's fine-tuned classifier: load ``folder`` (default ``models/bert_sentiment``), or build it.

    If the folder does not exist, fine-tune with :func:`fine_tune_bert` on ``train_df`` / ``val_df``
    (default: the course corpus's train and validation splits, with chapter 08's hyperparameters
    unless ``fine_tune_kwargs`` say otherwise), save it there and return it. An existing folder is
    never overwritten: if it cannot be loaded, the error says so and asks you to delete it.
    """
    path = _folder(folder)
    if path.exists():
        return load_bert_classifier(path, device=device)
    if train_df is None:
        from .reviews import load_reviews
        train_df = load_reviews("train")
        if val_df is None:
            val_df = load_reviews("validation")
    if verbose:
        print(f"no saved classifier in {path.name}/: fine-tuning as chapter 08 does ({len(train_df)} training texts)…")
    model, tokenizer, _ = fine_tune_bert(train_df, val_df, device=device, progress=verbose, **fine_tune_kwargs)
    save_bert_classifier(model, tokenizer, path)   # the folder did not exist (checked above)
    return model, tokenizer
