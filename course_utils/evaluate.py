"""Evaluate a saved sentiment classifier on a labelled file: ``python -m course_utils.evaluate MODEL FILE``.

Introduced in chapter 06; chapters 08–09 reuse :func:`predict_labels` and the command.

MODEL is either a Keras ``.keras`` file that takes raw strings (chapter 06's LSTM, saved with
its ``TextVectorization`` layer inside) or a folder holding a Hugging Face sequence-classification
model (``config.json``, ``model.safetensors`` or ``pytorch_model.bin``, and tokenizer files; what
``save_pretrained`` writes, as in chapter 08). FILE is a ``.csv`` / ``.tsv`` / ``.txt`` file of
(text, label) rows (see :func:`course_utils.reviews.load_labelled_file`), or the word ``test``
(also ``train`` or ``validation``) for that split of the course review corpus.

It prints the accuracy, precision / recall / F1 per class and the confusion matrix, and exits
with 0; a missing or unreadable model or file is reported argparse-style with exit code 2.

    python -m course_utils.evaluate models/lstm_sentiment.keras test
    python -m course_utils.evaluate models/bert_sentiment my_reviews.tsv
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from .reviews import LABEL_NAMES, SPLITS, load_labelled_file, load_reviews

_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json",
                 "pytorch_model.bin.index.json")


class ModelError(ValueError):
    """The model path is missing, not a model, or not a two-class sentiment classifier."""


def model_kind(model_path: str | os.PathLike) -> str:
    """``"keras"`` for a ``.keras`` file, ``"hf"`` for a Hugging Face model folder; a clear error otherwise."""
    if not isinstance(model_path, (str, os.PathLike)) or not str(model_path).strip():
        raise TypeError(f"model_path must be a path, got {model_path!r}")
    path = Path(model_path).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"model {path} does not exist (chapter 06 saves models/lstm_sentiment.keras; "
                                "chapter 08 saves a Hugging Face model folder)")
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelError(f"{path} is a folder but not a Hugging Face model: it has no config.json "
                             "(save one with model.save_pretrained(folder) and tokenizer.save_pretrained(folder))")
        if not any((path / name).is_file() for name in _WEIGHT_FILES):
            raise ModelError(f"{path} has a config.json but no weights (expected model.safetensors or "
                             "pytorch_model.bin from model.save_pretrained(folder))")
        return "hf"
    if path.suffix == ".keras":
        return "keras"
    raise ModelError(f"{path.name} is not a model this command reads: expected a Keras .keras file or a "
                     "Hugging Face model folder (config.json + model.safetensors + tokenizer files)")


def _keras_proba(path: Path, texts: list[str], batch_size: int) -> np.ndarray:
    from .frameworks import quiet_tensorflow
    tf = quiet_tensorflow()
    import keras
    try:
        model = keras.models.load_model(path)
    except Exception as exc:  # noqa: BLE001  (zip, HDF5 and config errors all mean: not a usable model)
        raise ModelError(f"{path.name} could not be loaded as a Keras model ({type(exc).__name__}: {exc})") from exc
    inputs = model.inputs
    if len(inputs) != 1 or inputs[0].dtype != "string":
        raise ModelError(f"{path.name} does not take raw text: its input is {[(i.shape, i.dtype) for i in inputs]}. "
                         "Save the end-to-end model with the TextVectorization layer inside (chapter 06).")
    # Call the model batch by batch rather than model.predict(): predict() traces a new tf.function for
    # every loaded model, and a notebook that loads several would get TensorFlow's retracing warning.
    parts = []
    for start in range(0, len(texts), batch_size):
        batch = tf.constant(texts[start:start + batch_size])
        parts.append(np.asarray(model(batch if len(inputs[0].shape) == 1 else batch[:, None], training=False)))
    proba = np.concatenate(parts)
    if proba.ndim == 2 and proba.shape[1] == 1:          # a single sigmoid unit: P(positive)
        proba = np.concatenate([1 - proba, proba], axis=1)
    if proba.ndim != 2 or proba.shape[1] != 2:
        raise ModelError(f"{path.name} outputs shape {proba.shape[1:]}; a sentiment model needs 2 classes "
                         "(negative, positive)")
    return proba


def _hf_proba(path: Path, texts: list[str], batch_size: int) -> np.ndarray:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from .device import get_device
    try:
        tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModelForSequenceClassification.from_pretrained(path)
    except Exception as exc:  # noqa: BLE001
        raise ModelError(f"{path} could not be loaded as a Hugging Face sequence-classification model with its "
                         f"tokenizer ({type(exc).__name__}: {exc})") from exc
    if model.config.num_labels != 2:
        raise ModelError(f"{path} has {model.config.num_labels} output labels; a sentiment model needs 2")
    device = get_device()
    model.to(device).eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            enc = tokenizer(texts[start:start + batch_size], padding=True, truncation=True, return_tensors="pt")
            logits = model(**{k: v.to(device) for k, v in enc.items()}).logits
            out.append(torch.softmax(logits.float(), dim=-1).cpu().numpy())
    return np.concatenate(out)


def predict_proba(model_path: str | os.PathLike, texts, batch_size: int = 32) -> np.ndarray:
    """``[P(negative), P(positive)]`` for each text, from a saved Keras or Hugging Face model."""
    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings, not one string (wrap it in a list)")
    texts = list(texts)
    if not texts or not all(isinstance(t, str) for t in texts):
        raise TypeError("texts must be a non-empty list of strings")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    path = Path(model_path).expanduser()
    kind = model_kind(path)
    return (_keras_proba if kind == "keras" else _hf_proba)(path, texts, batch_size)


def predict_labels(model_path: str | os.PathLike, texts, batch_size: int = 32) -> np.ndarray:
    """Predicted label (0 = negative, 1 = positive) for each text, from a saved Keras or Hugging Face model."""
    return predict_proba(model_path, texts, batch_size).argmax(axis=1).astype("int64")


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


def evaluate(model_path, data, text_column=None, label_column=None, batch_size: int = 32) -> tuple[dict, str]:
    """Run ``model_path`` on ``data`` (a file path or a corpus split name); return ``(metrics, data_name)``."""
    if isinstance(data, str) and data in SPLITS and not Path(data).exists():
        df = load_reviews(data)
        data_name = f"{data} split of the course review corpus ({len(df)} reviews)"
    else:
        df = load_labelled_file(data, text_column=text_column, label_column=label_column)
        data_name = f"{Path(data).name} ({len(df)} texts)"
    y_pred = predict_labels(model_path, df["text"].tolist(), batch_size=batch_size)
    return classification_metrics(df["label"].to_numpy(), y_pred), data_name


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.evaluate",
        description="Evaluate a saved sentiment classifier (Keras .keras file or Hugging Face model folder) "
                    "on a labelled file or on a split of the course review corpus.",
        epilog="Examples: python -m course_utils.evaluate models/lstm_sentiment.keras test\n"
               "          python -m course_utils.evaluate models/bert_sentiment my_reviews.tsv",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="a .keras file that takes raw text, or a Hugging Face model folder")
    parser.add_argument("file", help="a .csv/.tsv/.txt file of (text, label) rows, or 'test' / 'validation' / "
                                     "'train' for the course corpus's split")
    parser.add_argument("--text-column", default=None, help="name of the text column (default: text/sentence/review)")
    parser.add_argument("--label-column", default=None, help="name of the label column (default: label/sentiment)")
    parser.add_argument("--batch-size", type=int, default=32, help="texts per forward pass (default 32)")
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.batch_size < 1:
        parser.error(f"--batch-size must be a positive integer, got {args.batch_size}")
    try:
        model_kind(args.model)                      # fail fast, before reading the data
        metrics, data_name = evaluate(args.model, args.file, args.text_column, args.label_column, args.batch_size)
    except (FileNotFoundError, IsADirectoryError, ValueError, TypeError) as exc:
        parser.error(str(exc))                      # prints usage + the message, exits with 2
    kind = "Keras" if model_kind(args.model) == "keras" else "Hugging Face"
    print(format_report(metrics, model_name=f"{args.model} ({kind})", data_name=data_name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
