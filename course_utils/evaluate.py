"""Evaluate a saved sentiment classifier on a labelled file: ``python -m course_utils.evaluate MODEL FILE``.

Introduced in chapter 06; chapters 08–09 reuse :func:`predict_labels` and the command.

MODEL is either a Keras ``.keras`` file that takes raw strings (chapter 06's LSTM, saved with
its ``TextVectorization`` layer inside) or a folder holding a Hugging Face sequence-classification
model (``config.json``, ``model.safetensors`` or ``pytorch_model.bin``, and tokenizer files; what
``save_pretrained`` writes, as in chapter 08), or a folder holding a LoRA adapter (chapter 10:
``adapter_config.json`` + ``adapter_model.safetensors``), which is loaded onto the base model it names;
a base that is not available here is named in the error. FILE is a ``.csv`` / ``.tsv`` / ``.txt`` file of
(text, label) rows (see :func:`course_utils.reviews.load_labelled_file`), or the word ``test``
(also ``train`` or ``validation``) for that split of the course review corpus. These three words
always mean the split, even where a file or folder of that name exists; a data file is named with
its extension (``test.csv``). The word ``uci`` (or the folder ``data/sentiment_labelled_sentences``) means
the real-world sentences the course ships (UCI "Sentiment Labelled Sentences", introduced with the
real-world sentences for chapters 06/08, see :func:`course_utils.reviews.load_uci_sentences`); a single
UCI file (``sentence<TAB>0|1``, no header, CRLF) is read as it ships, with its stray double quotes kept as
text (``--no-quotes`` forces that for any file).

``--group-by COLUMN`` adds the accuracy per value of a column: ``site`` for the UCI sentences,
``domain`` for the course corpus, any named column of your own file (it needs a header), or ``label``
(the recall of each class).

It prints the accuracy, precision / recall / F1 per class and the confusion matrix, and exits
with 0; a missing or unusable model or file is reported argparse-style with exit code 2. Inputs of
2,000 texts or more show a progress bar on stderr (``--quiet`` hides it).

What the command checks before it trusts a model:

- a Keras file is a ``.keras`` zip archive (an empty, text or truncated file is named as such);
- a Hugging Face folder has tokenizer files, a tokenizer whose ids fit the model's embedding, a
  trained two-class head, and label names (``id2label``) that say which output is negative and which
  positive; the outputs are put in the course's order (0 = negative, 1 = positive) by those names.
  Texts are truncated to what both the tokenizer and the model's position embeddings allow.

Speed: texts are run in batches of similar length (sorted within chunks of a few thousand), so
little time goes into padding; the Keras model's text layer runs once per chunk and the rest of
the model (from 1,024 texts on) as a ``tf.function`` compiled once per model.
``benchmarks/bench_evaluate.py`` measures the throughput and the peak memory.

    python -m course_utils.evaluate models/lstm_sentiment.keras test
    python -m course_utils.evaluate models/bert_sentiment my_reviews.tsv
    python -m course_utils.evaluate models/bert_sentiment uci --group-by site
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import weakref
import zipfile
from pathlib import Path

import numpy as np

from .reviews import (LABEL_NAMES, SPLITS, UCI_FILES, load_labelled_file, load_reviews, load_uci_sentences,
                      parse_label)

_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json",
                 "pytorch_model.bin.index.json")
#: Files that hold a tokenizer's vocabulary (WordPiece, BPE, SentencePiece); a folder needs one of them.
_TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "vocab.json", "tokenizer.model", "spiece.model",
                    "sentencepiece.bpe.model")
#: Texts per forward pass. Measured on a shared 2-core CPU (benchmarks/bench_evaluate.py), length-sorted
#: batches of 256 ran 1.3-1.7x faster than 32 for chapter 06's LSTM and about 2x for chapter 08's MiniLM;
#: 1,024 was no faster. (The earlier eager, unsorted batches of 32 gave the LSTM about 140 texts/s.)
DEFAULT_BATCH_SIZE = 256
#: The command shows a progress bar from this many texts on.
PROGRESS_MIN_TEXTS = 2_000
#: Texts tokenised and length-sorted together (a multiple of the batch size is used).
_CHUNK_TEXTS = 8_192
#: A Hugging Face batch holds at most this many tokens (texts × longest text): 256 reviews of 64 tokens,
#: or 32 texts of 512, so that long texts do not make one batch's activations take gigabytes.
HF_TOKENS_PER_BATCH = 16_384
_LABEL_N = re.compile(r"label[_ ]?(\d+)")


class ModelError(ValueError):
    """The model path is missing, not a model, or not a two-class sentiment classifier."""


def _short(path: Path, limit: int = 80) -> str:
    text = str(path)
    return text if len(text) <= limit else f"{text[:limit // 2]}…{text[-limit // 2:]} ({len(text)} characters)"


def _keras_file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a ``.keras`` file (a zip archive with config.json inside), or None."""
    size = path.stat().st_size
    if size == 0:
        return "it is empty (0 bytes)"
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as fh:
            head = fh.read(4)
        if head.startswith(b"PK"):
            return f"it is a truncated or damaged zip archive ({size:,} bytes)"
        if head.startswith(b"\x89HDF"):
            return "it is an HDF5 file (the old .h5 format): load it in Keras and save it again as .keras"
        return f"it is {'a text file' if _looks_like_text(path) else 'not a zip archive'} ({size:,} bytes)"
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        return f"its zip archive cannot be read ({exc})"
    if "config.json" not in names:
        return f"it is a zip archive without config.json (it holds {sorted(names)[:4]})"
    return None


def _looks_like_text(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(512)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head


def model_kind(model_path: str | os.PathLike) -> str:
    """``"keras"`` for a ``.keras`` file, ``"hf"`` for a Hugging Face model folder, ``"adapter"`` for a LoRA
    adapter folder; a clear error otherwise."""
    if not isinstance(model_path, (str, os.PathLike)) or not str(model_path).strip():
        raise TypeError(f"model_path must be a path, got {model_path!r}")
    path = Path(model_path).expanduser()
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except OSError as exc:                      # e.g. "File name too long"
        raise ModelError(f"cannot use {_short(path)} as a model path: {exc.strerror or exc}") from None
    if not exists:
        raise FileNotFoundError(f"model {_short(path, 200)} does not exist (chapter 06 saves "
                                "models/lstm_sentiment.keras; chapter 08 saves a Hugging Face model folder)")
    if is_dir:
        if (path / "adapter_config.json").is_file():     # a LoRA adapter (chapter 10): it names its base model
            from .lora import AdapterError, adapter_base
            try:
                adapter_base(path)
            except AdapterError as exc:
                raise ModelError(str(exc)) from None
            return "adapter"
        if not (path / "config.json").is_file():
            raise ModelError(f"{path} is a folder but not a Hugging Face model: it has no config.json "
                             "(save one with model.save_pretrained(folder) and tokenizer.save_pretrained(folder))")
        if not any((path / name).is_file() for name in _WEIGHT_FILES):
            raise ModelError(f"{path} has a config.json but no weights (expected model.safetensors or "
                             "pytorch_model.bin from model.save_pretrained(folder))")
        if not any((path / name).is_file() for name in _TOKENIZER_FILES):
            raise ModelError(f"{path} has a model but no tokenizer files (one of {', '.join(_TOKENIZER_FILES)}); "
                             "save the tokenizer it was trained with next to it: tokenizer.save_pretrained(folder)")
        return "hf"
    if path.suffix == ".keras":
        problem = _keras_file_problem(path)
        if problem:
            raise ModelError(f"{path.name} is not a usable Keras model file: {problem}. A .keras file is the zip "
                             "archive that model.save('name.keras') writes; save the model again (chapter 06, or "
                             "load_or_train_lstm() for models/lstm_sentiment.keras after deleting the broken file).")
        return "keras"
    raise ModelError(f"{path.name} is not a model this command reads: expected a Keras .keras file or a "
                     "Hugging Face model folder (config.json + model.safetensors + tokenizer files)")


# ---------------------------------------------------------------------------------------------- batching
def _length_sorted_batches(lengths: np.ndarray, batch_size: int, max_tokens: int | None = None):
    """Index batches of texts of similar length (stable sort: equal lengths keep their order).

    ``max_tokens`` caps a batch's texts × its longest text, so long texts go in smaller batches
    (memory for a transformer's activations grows with both).
    """
    order = np.argsort(lengths, kind="stable")
    if max_tokens is None:
        return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    batches, start = [], 0
    while start < len(order):
        end = min(start + batch_size, len(order))
        while end - start > 1 and (end - start) * int(lengths[order[end - 1]]) > max_tokens:
            end = start + max(1, min(end - start - 1, max_tokens // max(1, int(lengths[order[end - 1]]))))
        batches.append(order[start:end])
        start = end
    return batches


def _chunks(n: int, batch_size: int):
    size = max(batch_size, (_CHUNK_TEXTS // batch_size) * batch_size)
    return [(start, min(n, start + size)) for start in range(0, n, size)]


def _bar(total: int, progress: bool, desc: str):
    if not progress:
        return None
    from tqdm.std import tqdm
    return tqdm(total=total, desc=desc, unit="text", file=sys.stderr, mininterval=0.5, leave=False)


def _as_probabilities(out: np.ndarray, name: str, texts: list[str]) -> np.ndarray:
    """Two columns [P(negative), P(positive)] from a model's outputs (probabilities or logits)."""
    out = np.asarray(out, dtype=np.float64)
    if out.ndim != 2 or out.shape[1] not in (1, 2):
        raise ModelError(f"{name} outputs shape {out.shape[1:]}; a sentiment model needs 2 classes "
                         "(negative, positive) or one P(positive) unit")
    if not np.all(np.isfinite(out)):
        rows = np.flatnonzero(~np.isfinite(out).all(axis=1))
        raise ModelError(f"{name} produced NaN or infinity for {len(rows)} of {len(out)} texts, first text "
                         f"{int(rows[0])} ({texts[rows[0]][:50]!r}). If that text has no word the model knows, the "
                         "model divides by zero (e.g. an average over no tokens); otherwise its weights are broken.")
    if out.shape[1] == 1:                                   # one unit: P(positive), or a logit
        p = out[:, 0] if (out.min() >= 0 and out.max() <= 1) else 1 / (1 + np.exp(-out[:, 0]))
        return np.column_stack([1 - p, p])
    if out.min() >= 0 and np.allclose(out.sum(axis=1), 1, atol=1e-3):
        return out
    shifted = np.exp(out - out.max(axis=1, keepdims=True))  # logits: softmax
    return shifted / shifted.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------------------------------------- Keras
def _split_text_model(model, keras):
    """``(vectorizer, rest)`` when ``model`` is text -> TextVectorization -> the rest, else None."""
    vectorizers = [layer for layer in model.layers if isinstance(layer, keras.layers.TextVectorization)]
    if len(vectorizers) != 1:
        return None
    vec = vectorizers[0]
    try:
        if vec.input is not model.inputs[0]:
            return None
        rest = keras.Model(vec.output, model.output)
    except Exception:  # noqa: BLE001  (a shared layer or a second branch from the raw text: use the whole model)
        return None
    return vec, rest


class _TracingQuiet:
    """Hide TensorFlow's "triggered tf.function retracing" warning while a batch loop runs.

    Each loaded model gets its own ``tf.function`` (traced once, for any batch shape), but TensorFlow
    counts traces per *source line*, so a notebook that loads five models would be told it retraces
    too often. That warning, and only while this code runs, is hidden; anything else is still logged.
    """

    def __enter__(self):
        import logging
        self.logger = logging.getLogger("tensorflow")
        self.filter = lambda record: "triggered tf.function retracing" not in record.getMessage()
        self.logger.addFilter(self.filter)
        return self

    def __exit__(self, *exc):
        self.logger.removeFilter(self.filter)
        return False


#: Per loaded Keras model: its (vectorizer, rest) split and the compiled call, made once.
_KERAS_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
#: From this many texts on, the model is compiled (``tf.function``, about a second) rather than run eagerly.
_COMPILE_MIN_TEXTS = 1_024


def _keras_runner(model, keras, tf, compile_now: bool) -> dict:
    try:
        entry = _KERAS_CACHE.get(model)
    except TypeError:                       # not weak-referenceable: no cache
        entry = None
    if entry is None:
        entry = {"split": _split_text_model(model, keras), "call": None}
        try:
            _KERAS_CACHE[model] = entry
        except TypeError:
            pass
    if compile_now and entry["call"] is None:
        # Through a weak reference, so that the cache entry does not keep its own key (the model) alive.
        target = weakref.ref(model if entry["split"] is None else entry["split"][1])
        if entry["split"] is not None:
            entry["rest"] = entry["split"][1]          # the sub-model lives as long as the entry

        def forward(x):
            return target()(x, training=False)
        # autograph=False: a Keras model's call needs no conversion of Python control flow.
        entry["call"] = tf.function(forward, reduce_retracing=True, autograph=False)
    return entry


def keras_text_proba(model, texts: list[str], batch_size: int = DEFAULT_BATCH_SIZE, progress: bool = False,
                     name: str = "the model") -> np.ndarray:
    """``[P(negative), P(positive)]`` per text from a loaded Keras model that takes raw strings.

    For a model made of a ``TextVectorization`` layer and a classifier on its ids (chapter 06's),
    the texts are vectorised a chunk at a time and run in batches of similar length through the
    classifier (compiled once per model as a ``tf.function`` for inputs of 1,024 texts or more); a
    batch whose texts hold no token at all (``"!!!"``, ``":-)"``, ``""``) gets one padding column, so
    the model sees an empty (masked) sequence instead of failing. Other string models are called
    batch by batch as they are.
    """
    from .frameworks import quiet_tensorflow
    tf = quiet_tensorflow()
    import keras

    inputs = model.inputs
    if len(inputs) != 1 or inputs[0].dtype != "string":
        raise ModelError(f"{name} does not take raw text: its input is {[(i.shape, i.dtype) for i in inputs]}. "
                         "Save the end-to-end model with the TextVectorization layer inside (chapter 06).")
    column = len(inputs[0].shape) == 2                      # input shape (None, 1) instead of (None,)
    runner = _keras_runner(model, keras, tf, compile_now=len(texts) >= _COMPILE_MIN_TEXTS)
    split = runner["split"]
    if runner["call"] is not None:
        call = runner["call"]
    else:
        target = model if split is None else split[1]
        call = lambda x: target(x, training=False)           # noqa: E731  (eager: no tracing for a few texts)
    out = np.empty((len(texts), 0))
    bar = _bar(len(texts), progress, "evaluating")
    try:
        with _TracingQuiet():
            if split is None:
                parts = []
                for start in range(0, len(texts), batch_size):
                    batch = tf.constant(texts[start:start + batch_size])
                    parts.append(np.asarray(call(batch[:, None] if column else batch)))
                    if bar is not None:
                        bar.update(len(parts[-1]))
                out = np.concatenate(parts)
            else:
                vec, _ = split
                config = vec.get_config()
                trim = config.get("output_mode", "int") == "int" and config.get("output_sequence_length") is None
                for lo, hi in _chunks(len(texts), batch_size):
                    chunk = tf.constant(texts[lo:hi])
                    ids = vec(chunk[:, None] if column else chunk)
                    ids = (ids.to_tensor() if isinstance(ids, tf.RaggedTensor) else ids).numpy()
                    if trim and ids.shape[1] == 0:          # no text of the chunk has a token: one padding column
                        ids = np.zeros((len(ids), 1), dtype=ids.dtype)
                    lengths = (ids != 0).sum(axis=1) if trim else np.zeros(len(ids), dtype=int)
                    for idx in _length_sorted_batches(lengths, batch_size):
                        x = ids[idx, :max(1, int(lengths[idx].max()))] if trim else ids[idx]
                        y = np.asarray(call(tf.constant(x)))
                        if out.shape[1] == 0:
                            out = np.empty((len(texts),) + y.shape[1:], dtype=np.float32)
                        out[lo + idx] = y
                        if bar is not None:
                            bar.update(len(idx))
    except ModelError:
        raise
    except (tf.errors.OpError, ValueError, TypeError) as exc:
        raise ModelError(f"{name} failed on these texts ({type(exc).__name__}: {str(exc).strip()[:300]})") from exc
    finally:
        if bar is not None:
            bar.close()
    return _as_probabilities(out, name, texts)


def _keras_proba(path: Path, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
    from .frameworks import quiet_tensorflow
    quiet_tensorflow()
    import keras
    try:
        model = keras.models.load_model(path)
    except Exception as exc:  # noqa: BLE001  (zip, HDF5 and config errors all mean: not a usable model)
        raise ModelError(f"{path.name} could not be loaded as a Keras model ({type(exc).__name__}: {exc})") from exc
    return keras_text_proba(model, texts, batch_size, progress, name=path.name)


# ---------------------------------------------------------------------------------------------- Hugging Face
def label_order(id2label: dict, name: str = "the model") -> list[int]:
    """Which model output holds each course class: ``[index of negative, index of positive]``.

    Read from the config's ``id2label``: names such as negative/positive, NEG/POS or 0/1, or the
    default ``LABEL_0``/``LABEL_1`` (taken as classes 0 and 1). Names that do not say which output is
    negative and which positive are refused rather than guessed.
    """
    try:
        names = {int(k): str(v) for k, v in dict(id2label).items()}
    except (TypeError, ValueError) as exc:
        raise ModelError(f"{name}'s config has an unreadable id2label {id2label!r}") from exc
    if sorted(names) != [0, 1]:
        raise ModelError(f"{name}'s config names outputs {sorted(names)}; a sentiment model has outputs 0 and 1")
    classes = {}
    for index, label in names.items():
        key = label.strip().lower()
        match = _LABEL_N.fullmatch(key)
        classes[index] = int(match.group(1)) if match else parse_label(key)
    if sorted(c for c in classes.values() if c is not None) != [0, 1]:
        raise ModelError(
            f"{name}'s config names its outputs {names}, which does not say which one is negative and which "
            "positive. Set \"id2label\": {\"0\": \"negative\", \"1\": \"positive\"} (and label2id to match) in its "
            "config.json, in the order the model was trained with.")
    return [next(i for i, c in classes.items() if c == k) for k in (0, 1)]


def _hf_max_length(model, tokenizer) -> int:
    """Longest input both the tokenizer and the model's position embeddings allow."""
    limits = []
    tok_max = getattr(tokenizer, "model_max_length", None)
    if isinstance(tok_max, int) and 0 < tok_max < 1_000_000:   # transformers uses 1e30 for "not set"
        limits.append(tok_max)
    positions = getattr(model.config, "max_position_embeddings", None)
    if isinstance(positions, int) and positions > 0:
        embeddings = getattr(model.base_model, "embeddings", None)
        offset = getattr(embeddings, "padding_idx", None)       # RoBERTa-style positions start after padding_idx
        limits.append(positions - (offset + 1 if isinstance(offset, int) else 0))
    return max(2, min(limits)) if limits else 512


def _load_hf(path: Path):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging
    level, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()          # a missing head is reported below as an error, not as a log line
    hf_logging.disable_progress_bar()         # no "Loading weights" bar on the command's stderr
    try:
        tokenizer = AutoTokenizer.from_pretrained(path)
        model, info = AutoModelForSequenceClassification.from_pretrained(path, output_loading_info=True)
    except Exception as exc:  # noqa: BLE001
        raise ModelError(f"{path} could not be loaded as a Hugging Face sequence-classification model with its "
                         f"tokenizer ({type(exc).__name__}: {exc})") from exc
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()
    missing = sorted(info.get("missing_keys", []))
    if missing:
        raise ModelError(f"{path} lacks trained weights for {missing[:4]}: it holds a base checkpoint, not a "
                         "fine-tuned classifier (its classification head would be random). Fine-tune it first "
                         "(chapter 08).")
    if model.config.num_labels != 2:
        raise ModelError(f"{path} has {model.config.num_labels} output labels; a sentiment model needs 2")
    vocab, rows = len(tokenizer), model.get_input_embeddings().num_embeddings
    if vocab <= len(set(tokenizer.all_special_ids)) + 1:
        raise ModelError(f"{path}'s tokenizer has no vocabulary ({vocab} tokens, all special): its tokenizer files "
                         "are empty or not the model's. Save the tokenizer it was trained with: "
                         "tokenizer.save_pretrained(folder)")
    if vocab > rows:
        raise ModelError(f"{path}'s tokenizer has {vocab:,} tokens, but the model's embedding has only {rows:,} rows "
                         f"(vocab_size in config.json is {model.config.vocab_size:,}): the tokenizer belongs to "
                         "another model. Save the tokenizer the model was trained with next to it.")
    return model, tokenizer


def _hf_proba(path: Path, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
    from .device import get_device
    model, tokenizer = _load_hf(path)
    model.to(get_device())
    return hf_text_proba(model, tokenizer, texts, batch_size, progress, name=str(path))


def _adapter_proba(path: Path, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
    from .lora import AdapterError, load_adapter
    try:
        model, tokenizer = load_adapter(path)      # the base model it names, checked against its fingerprint
    except AdapterError as exc:
        raise ModelError(str(exc)) from None
    return hf_text_proba(model, tokenizer, texts, batch_size, progress, name=str(path))


def hf_text_proba(model, tokenizer, texts: list[str], batch_size: int = DEFAULT_BATCH_SIZE, progress: bool = False,
                  name: str = "the model") -> np.ndarray:
    """``[P(negative), P(positive)]`` per text from a loaded Hugging Face sequence classifier, on its device.

    The outputs are put in the course's order by the config's ``id2label`` (see :func:`label_order`);
    texts are cut to what the tokenizer and the position embeddings allow, tokenised a chunk at a
    time, and run in batches of similar length (little padding), in ``torch.inference_mode``.
    """
    import torch
    order = label_order(model.config.id2label, name)
    max_length = _hf_max_length(model, tokenizer)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    device = next(model.parameters()).device
    model.eval()
    out = np.empty((len(texts), 2), dtype=np.float32)
    bar = _bar(len(texts), progress, "evaluating")
    try:
        with torch.inference_mode():
            for lo, hi in _chunks(len(texts), batch_size):
                enc = tokenizer(texts[lo:hi], truncation=True, max_length=max_length)
                ids = enc["input_ids"]
                types = enc.get("token_type_ids")
                lengths = np.fromiter((len(seq) for seq in ids), dtype=np.int64, count=len(ids))
                for idx in _length_sorted_batches(lengths, batch_size, HF_TOKENS_PER_BATCH):
                    width = int(lengths[idx].max())
                    input_ids = np.full((len(idx), width), pad_id, dtype=np.int64)
                    mask = np.zeros((len(idx), width), dtype=np.int64)
                    token_types = np.zeros((len(idx), width), dtype=np.int64) if types is not None else None
                    for row, i in enumerate(idx):
                        n = lengths[i]
                        input_ids[row, :n] = ids[i]
                        mask[row, :n] = 1
                        if token_types is not None:
                            token_types[row, :n] = types[i]
                    batch = {"input_ids": torch.from_numpy(input_ids).to(device),
                             "attention_mask": torch.from_numpy(mask).to(device)}
                    if token_types is not None:
                        batch["token_type_ids"] = torch.from_numpy(token_types).to(device)
                    logits = model(**batch).logits.float()
                    out[lo + idx] = torch.softmax(logits, dim=-1).cpu().numpy()
                    if bar is not None:
                        bar.update(len(idx))
    except (IndexError, RuntimeError) as exc:
        raise ModelError(f"{name} failed on these texts ({type(exc).__name__}: {str(exc).strip()[:300]}); its "
                         "config.json and tokenizer files do not fit together (vocab_size, max_position_embeddings, "
                         "type_vocab_size). Save the model and its tokenizer together again.") from exc
    finally:
        if bar is not None:
            bar.close()
    return _as_probabilities(out[:, order], name, texts)


# ---------------------------------------------------------------------------------------------- API
def _texts(texts) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings, not one string (wrap it in a list)")
    try:
        texts = list(texts)
    except TypeError as exc:
        raise TypeError(f"texts must be a non-empty list of strings, got {type(texts).__name__}") from exc
    if not texts:
        raise TypeError("texts must be a non-empty list of strings, got an empty list")
    bad = next((i for i, t in enumerate(texts) if not isinstance(t, str)), None)
    if bad is not None:
        raise TypeError(f"texts must be a non-empty list of strings; item {bad} is {type(texts[bad]).__name__}")
    return texts


def _batch_size(batch_size) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    return int(batch_size)


def predict_proba(model_path: str | os.PathLike, texts, batch_size: int = DEFAULT_BATCH_SIZE,
                  progress: bool = False) -> np.ndarray:
    """``[P(negative), P(positive)]`` for each text, from a saved Keras or Hugging Face model.

    Any string is a valid text, also an empty one or one with no words (``":-)"``).
    ``progress=True`` shows a progress bar on stderr.
    """
    texts = _texts(texts)
    batch_size = _batch_size(batch_size)
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True or False, got {progress!r}")
    path = Path(model_path).expanduser() if isinstance(model_path, (str, os.PathLike)) else model_path
    kind = model_kind(path)
    proba = {"keras": _keras_proba, "hf": _hf_proba, "adapter": _adapter_proba}[kind]
    return proba(path, texts, batch_size, progress)


def predict_labels(model_path: str | os.PathLike, texts, batch_size: int = DEFAULT_BATCH_SIZE,
                   progress: bool = False) -> np.ndarray:
    """Predicted label (0 = negative, 1 = positive) for each text, from a saved Keras or Hugging Face model."""
    return predict_proba(model_path, texts, batch_size, progress).argmax(axis=1).astype("int64")


def classification_metrics(y_true, y_pred) -> dict:
    """Accuracy, per-class precision / recall / F1 / support, and the 2×2 confusion matrix (rows: true)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1 or y_true.size == 0:
        raise ValueError(f"y_true and y_pred must be 1-D and equally long, got shapes {y_true.shape}, {y_pred.shape}")
    if not (np.isin(y_true, (0, 1)).all() and np.isin(y_pred, (0, 1)).all()):
        raise ValueError("labels must be 0 (negative) or 1 (positive)")
    cm = np.zeros((2, 2), dtype=int)
    np.add.at(cm, (y_true.astype(int), y_pred.astype(int)), 1)
    per_class = {}
    for k, name in enumerate(LABEL_NAMES):
        tp, predicted, actual = cm[k, k], cm[:, k].sum(), cm[k, :].sum()
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[name] = {"precision": float(precision), "recall": float(recall), "f1": float(f1),
                           "support": int(actual)}
    return {"accuracy": float(np.trace(cm) / cm.sum()), "n": int(cm.sum()), "correct": int(np.trace(cm)),
            "per_class": per_class, "confusion_matrix": cm}


def format_report(metrics: dict, model_name: str = "", data_name: str = "") -> str:
    """The plain-text report the command prints."""
    lines = []
    if model_name:
        lines.append(f"model:    {model_name}")
    if data_name:
        lines.append(f"data:     {data_name}")
    lines.append(f"accuracy: {metrics['accuracy']:.4f} ({metrics['correct']} of {metrics['n']} correct)")
    lines += ["", f"{'class':<10}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}"]
    for name, m in metrics["per_class"].items():
        lines.append(f"{name:<10}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}{m['support']:>9d}")
    cm = metrics["confusion_matrix"]
    width = max(len(f"pred {n}") for n in LABEL_NAMES) + 2
    lines += ["", "confusion matrix (rows: true label, columns: predicted label)",
              " " * 15 + "".join(f"{'pred ' + n:>{width}}" for n in LABEL_NAMES)]
    for k, name in enumerate(LABEL_NAMES):
        lines.append(f"{'true ' + name:<15}" + "".join(f"{cm[k, j]:>{width}d}" for j in range(2)))
    return "\n".join(lines)


#: The word that names the real-world sentences the course ships (data/sentiment_labelled_sentences).
UCI_NAME = "uci"


def _is_uci_folder(data) -> bool:
    if not isinstance(data, (str, os.PathLike)):
        return False
    path = Path(data).expanduser()
    try:
        return path.is_dir() and any((path / name).is_file() for name in UCI_FILES.values())
    except OSError:
        return False


def load_data(data, text_column=None, label_column=None, group_by: str | None = None, quotes: bool | None = None):
    """``(DataFrame with text and label, description)`` for a file path, a corpus split name or ``"uci"``.

    ``"train"``, ``"validation"`` and ``"test"`` always mean the course corpus's split, even where a
    file or folder of that name exists in the working folder; ``"uci"`` (or a folder holding the UCI
    files) means the real-world sentences (introduced with them, chapters 06/08), with a ``site``
    column. ``group_by`` names a column the frame must keep (for :func:`grouped_accuracy`);
    ``quotes`` is passed to :func:`course_utils.reviews.load_labelled_file`.
    """
    if group_by is not None and (not isinstance(group_by, str) or not group_by.strip()):
        raise TypeError(f"group_by must be a column name or None, got {group_by!r}")
    if group_by == "text":
        raise ValueError("--group-by text would make one group per text; group by a column such as site, domain "
                         "or label")
    corpus = isinstance(data, str) and data in SPLITS
    uci = (isinstance(data, str) and data == UCI_NAME) or _is_uci_folder(data)
    if corpus or uci:
        what = f"the course corpus's {data} split" if corpus else "the UCI sentences"
        if text_column is not None or label_column is not None:
            raise ValueError(f"{data!r} is {what}, whose columns are fixed; "
                             "--text-column / --label-column are for your own files")
        if quotes is not None:
            raise ValueError(f"{data!r} is {what}, which is read by its own loader; --no-quotes is for your own "
                             "files")
        if corpus:
            df = load_reviews(data)
            name = f"{data} split of the course review corpus ({len(df)} reviews)"
        else:
            df = load_uci_sentences(folder=None if data == UCI_NAME else data)
            sites = ", ".join(f"{site} {n}" for site, n in df["site"].value_counts(sort=False).items())
            name = f"UCI Sentiment Labelled Sentences ({len(df)} sentences: {sites})"
        if group_by is not None and group_by not in df.columns:
            raise ValueError(f"there is no column {group_by!r} in {what} to group by; its columns are "
                             f"{[c for c in df.columns if c != 'text']}")
        return df, name
    extra = [] if group_by in (None, "label") else [group_by]
    df = load_labelled_file(data, text_column=text_column, label_column=label_column, quotes=quotes,
                            extra_columns=extra)
    return df, f"{Path(data).name} ({len(df)} texts)"


def grouped_accuracy(y_true, y_pred, groups) -> list[dict]:
    """Accuracy per group: ``[{"group", "n", "correct", "accuracy"}, ...]``, groups sorted by name."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    groups = np.asarray([str(g) for g in groups], dtype=object)
    if not (y_true.shape == y_pred.shape == groups.shape) or y_true.ndim != 1 or y_true.size == 0:
        raise ValueError(f"y_true, y_pred and groups must be 1-D and equally long, got shapes {y_true.shape}, "
                         f"{y_pred.shape}, {groups.shape}")
    rows = []
    for value in sorted(set(groups)):
        mask = groups == value
        correct = int((y_true[mask] == y_pred[mask]).sum())
        rows.append({"group": value, "n": int(mask.sum()), "correct": correct,
                     "accuracy": correct / int(mask.sum())})
    return rows


def format_groups(rows: list[dict], column: str) -> str:
    """The ``--group-by`` table the command prints under the report."""
    width = max([len(column)] + [len(r["group"]) for r in rows]) + 2
    lines = [f"accuracy by {column}", f"{column:<{width}}{'n':>7}{'correct':>9}{'accuracy':>10}"]
    lines += [f"{r['group']:<{width}}{r['n']:>7d}{r['correct']:>9d}{r['accuracy']:>10.4f}" for r in rows]
    return "\n".join(lines)


def evaluate(model_path, data, text_column=None, label_column=None, batch_size: int = DEFAULT_BATCH_SIZE,
             progress: bool = False, group_by: str | None = None) -> tuple[dict, str]:
    """Run ``model_path`` on ``data`` (a file, a corpus split name or ``"uci"``); return ``(metrics, data_name)``.

    With ``group_by``, ``metrics["groups"]`` holds :func:`grouped_accuracy` by that column.
    """
    df, data_name = load_data(data, text_column, label_column, group_by=group_by)
    y_pred = predict_labels(model_path, df["text"].tolist(), batch_size=batch_size, progress=progress)
    metrics = classification_metrics(df["label"].to_numpy(), y_pred)
    if group_by is not None:
        metrics["groups"] = grouped_accuracy(df["label"].to_numpy(), y_pred, df[group_by])
    return metrics, data_name


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.evaluate",
        description="Evaluate a saved sentiment classifier (Keras .keras file or Hugging Face model folder) "
                    "on a labelled file, on a split of the course review corpus, or on the real-world UCI "
                    "sentences the course ships.",
        epilog="Examples: python -m course_utils.evaluate models/lstm_sentiment.keras test\n"
               "          python -m course_utils.evaluate models/bert_sentiment my_reviews.tsv\n"
               "          python -m course_utils.evaluate models/bert_sentiment uci --group-by site",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="a .keras file that takes raw text, a Hugging Face model folder, or a LoRA "
                                      "adapter folder (its base model is loaded too)")
    parser.add_argument("file", help="a .csv/.tsv/.txt file of (text, label) rows, 'test' / 'validation' / "
                                     "'train' for the course corpus's split (these words always mean the split), "
                                     "or 'uci' (or the folder data/sentiment_labelled_sentences) for the UCI "
                                     "real-world sentences")
    parser.add_argument("--text-column", default=None, help="name of the text column (default: text/sentence/review)")
    parser.add_argument("--label-column", default=None, help="name of the label column (default: label/sentiment)")
    parser.add_argument("--group-by", default=None, metavar="COLUMN",
                        help="also print the accuracy per value of COLUMN (site for uci, domain for the corpus, "
                             "label, or a column named in your file's header)")
    parser.add_argument("--no-quotes", action="store_true",
                        help="read double quotes as part of the texts, not as CSV quoting (a plain text<TAB>label "
                             "file with stray quotes is read that way without it)")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
                        help=f"texts per forward pass (default {DEFAULT_BATCH_SIZE})")
    parser.add_argument("--quiet", action="store_true",
                        help=f"no progress bar (shown on stderr from {PROGRESS_MIN_TEXTS:,} texts on)")
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.batch_size < 1:
        parser.error(f"--batch-size must be a positive integer, got {args.batch_size}")
    try:
        kind = model_kind(args.model)                # fail fast, before reading the data
        df, data_name = load_data(args.file, args.text_column, args.label_column, group_by=args.group_by,
                                  quotes=False if args.no_quotes else None)
        texts = df["text"].tolist()
        y_pred = predict_labels(args.model, texts, batch_size=args.batch_size,
                                progress=len(texts) >= PROGRESS_MIN_TEXTS and not args.quiet)
        metrics = classification_metrics(df["label"].to_numpy(), y_pred)
        groups = None if args.group_by is None else \
            grouped_accuracy(df["label"].to_numpy(), y_pred, df[args.group_by])
    except (OSError, ValueError, TypeError) as exc:  # FileNotFoundError, IsADirectoryError, ModelError, ...
        message = str(exc) if not isinstance(exc, OSError) or exc.filename is None else \
            f"{exc.strerror}: {_short(Path(str(exc.filename)))}"
        parser.error(" ".join(message.split()) if len(message) < 2000 else message[:2000])  # exit code 2
    except ImportError as exc:
        parser.error(f"a library this model needs is missing ({exc}); install the course's requirements "
                     "with `make lab` (or `pip install -r requirements.txt`)")
    name = {"keras": "Keras", "hf": "Hugging Face"}.get(kind)
    if kind == "adapter":
        from .lora import adapter_base
        name = f"LoRA adapter on {adapter_base(args.model)['base_model']}"
    print(format_report(metrics, model_name=f"{args.model} ({name})", data_name=data_name))
    if groups is not None:
        print("\n" + format_groups(groups, args.group_by))
    return 0


if __name__ == "__main__":
    sys.exit(main())
