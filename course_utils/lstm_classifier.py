"""Article 001's LSTM text classifier, trained on the course review corpus, end to end on raw strings.

Introduced in chapter 06, which builds it step by step; chapters 08–09 and
``python -m course_utils.evaluate`` reuse the saved model through :func:`load_or_train_lstm`.

The architecture is the article's (Article 001, 项目实践：代码实例和详细解释说明)::

    Input(shape=(None,)) -> Embedding(input_dim=10000, output_dim=64) -> LSTM(64) -> Dense(2, softmax)
    loss CategoricalCrossentropy(), optimizer Adam(learning_rate=0.001), metrics ['accuracy'],
    fit(epochs=10, batch_size=32)

with three additions that chapter 06 explains: ``mask_zero=True`` in the embedding (so padding is
ignored), early stopping on the validation loss that keeps the best epoch's weights (the article's ten
epochs overfit), and a ``TextVectorization`` layer in front, so the saved model takes raw strings.

Next to the saved model, ``models/lstm_sentiment.json`` records how it was trained (seconds, epochs,
best epoch, validation and test accuracy, Keras version); :func:`load_training_record` reads it, so
later chapters can quote the training cost without training again.
"""
from __future__ import annotations

import json
import math
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from .config import models_dir

#: The article's hyperparameters.
VOCAB_SIZE = 10_000
EMBED_DIM = 64
UNITS = 64
LEARNING_RATE = 0.001
EPOCHS = 10
BATCH_SIZE = 32
SEED = 42
#: Early stopping: epochs without a lower validation loss before training stops (best epoch restored).
PATIENCE = 2
#: File name of the trained model under ``models/``.
MODEL_FILE = "lstm_sentiment.keras"
#: File name of its training record (JSON), next to the model.
RECORD_FILE = "lstm_sentiment.json"
#: Keys every training record has (see :func:`training_record`).
RECORD_KEYS = ("train_seconds", "epochs_run", "best_epoch", "val_accuracy", "test_accuracy", "keras_version")
_RECURRENT = ("lstm", "gru", "simple_rnn")


def _keras():
    from .frameworks import quiet_tensorflow
    quiet_tensorflow()
    import keras
    return keras


def make_vectorizer(texts, max_tokens: int = VOCAB_SIZE, output_sequence_length: int | None = None):
    """A ``TextVectorization`` layer adapted on ``texts``: lowercase, strip punctuation, split on spaces.

    Id 0 is padding (``''``) and id 1 is out-of-vocabulary (``'[UNK]'``); the other ids go to the
    ``max_tokens - 2`` most frequent words. ``output_sequence_length=None`` pads each batch to its
    longest text; a number pads or truncates every text to that many tokens.
    """
    keras = _keras()
    texts = _as_texts(texts, "texts")
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 3:
        raise ValueError(f"max_tokens must be an integer >= 3 (padding, [UNK] and one word), got {max_tokens!r}")
    if output_sequence_length is not None and (isinstance(output_sequence_length, bool)
                                               or not isinstance(output_sequence_length, int)
                                               or output_sequence_length < 1):
        raise ValueError(f"output_sequence_length must be a positive integer or None, got {output_sequence_length!r}")
    vectorizer = keras.layers.TextVectorization(max_tokens=max_tokens,
                                                output_sequence_length=output_sequence_length)
    vectorizer.adapt(np.asarray(texts))
    return vectorizer


def build_lstm_classifier(vectorizer=None, *, input_dim: int = VOCAB_SIZE, output_dim: int = EMBED_DIM,
                          units: int = UNITS, mask_zero: bool = True, recurrent: str = "lstm",
                          learning_rate: float = LEARNING_RATE):
    """Article 001's classifier on token ids, compiled with the article's loss, optimizer and metric.

    Args:
        vectorizer: the adapted ``TextVectorization`` layer that will feed the model (optional). Its
            vocabulary must fit into the embedding: an id >= ``input_dim`` raises an error on a CPU and
            silently reads zeros on a GPU, so this is checked here.
        input_dim, output_dim, units: the article's 10000, 64, 64.
        mask_zero: ``True`` (the course's default) makes the LSTM skip id 0, the padding; the article
            leaves it out, which chapter 06 shows to break learning on padded batches.
        recurrent: ``"lstm"`` (the article's), ``"gru"`` or ``"simple_rnn"`` for comparisons.
        learning_rate: Adam's, the article's 0.001.

    Labels are one-hot (``CategoricalCrossentropy``), as in the article.
    """
    keras = _keras()
    for name, value in (("input_dim", input_dim), ("output_dim", output_dim), ("units", units)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float, np.floating)) \
            or not math.isfinite(learning_rate) or learning_rate <= 0:
        raise ValueError(f"learning_rate must be a positive finite number such as 0.001, got {learning_rate!r}")
    if recurrent not in _RECURRENT:
        raise ValueError(f"recurrent must be one of {list(_RECURRENT)}, got {recurrent!r}")
    if not isinstance(mask_zero, bool):
        raise TypeError(f"mask_zero must be True or False, got {mask_zero!r}")
    if vectorizer is not None:
        if not isinstance(vectorizer, keras.layers.TextVectorization):
            raise TypeError(f"vectorizer must be a keras.layers.TextVectorization, got {type(vectorizer).__name__}")
        size = vectorizer.vocabulary_size()
        if size <= 2:
            raise ValueError("the vectorizer has no vocabulary yet: call vectorizer.adapt(train_texts) first")
        if size > input_dim:
            raise ValueError(f"the vectorizer's vocabulary ({size} tokens) does not fit into an embedding of "
                             f"input_dim={input_dim}: use max_tokens <= {input_dim}")
    layer = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "simple_rnn": keras.layers.SimpleRNN}[recurrent]

    input_layer = keras.Input(shape=(None,))
    hidden = keras.layers.Embedding(input_dim=input_dim, output_dim=output_dim, mask_zero=mask_zero)(input_layer)
    hidden = layer(units)(hidden)
    output_layer = keras.layers.Dense(2, activation="softmax")(hidden)
    model = keras.Model(inputs=input_layer, outputs=output_layer, name=f"{recurrent}_classifier")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss=keras.losses.CategoricalCrossentropy(), metrics=["accuracy"])
    return model


def end_to_end_model(vectorizer, classifier):
    """One model on raw strings (input shape ``()``): ``vectorizer``, then a copy of ``classifier``.

    ``model.predict(tf.constant(["I love this product!"]))`` then gives the class probabilities.
    The copy has the classifier's current weights but no optimizer, so the returned model is not
    compiled, and saving it (``.keras``) stores the vocabulary and weights without the optimizer's
    state (Adam's two moment estimates per weight, twice the size of the weights). Later training of
    ``classifier`` does not change it. Compile it (e.g. with the classifier's loss) to call ``evaluate``.
    """
    keras = _keras()
    if not isinstance(vectorizer, keras.layers.TextVectorization):
        raise TypeError(f"vectorizer must be a keras.layers.TextVectorization, got {type(vectorizer).__name__}")
    if not isinstance(classifier, keras.Model):
        raise TypeError(f"classifier must be a keras.Model, got {type(classifier).__name__}")
    text = keras.Input(shape=(), dtype="string", name="text")
    # A compiled classifier nested in the model would be saved with its optimizer's state (Keras 3 saves
    # it for every nested model, and ignores include_optimizer for .keras files; clone_model would copy the
    # compilation). The copy rebuilt from the config is not compiled: for prediction only.
    copy = type(classifier).from_config(classifier.get_config())
    copy.set_weights(classifier.get_weights())
    return keras.Model(text, copy(vectorizer(text)), name="lstm_sentiment")


def _as_texts(texts, name: str) -> list[str]:
    if isinstance(texts, str):
        raise TypeError(f"{name} must be a list of strings, not one string (wrap it in a list)")
    try:
        texts = list(texts)
    except TypeError as exc:
        raise TypeError(f"{name} must be a list of strings, got {type(texts).__name__}") from exc
    if not texts:
        raise ValueError(f"{name} is empty")
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad:
        raise TypeError(f"{name} must hold strings; item {bad[0]} is {type(texts[bad[0]]).__name__}")
    return texts


def _xy(frame, name: str):
    import pandas as pd
    if not isinstance(frame, pd.DataFrame) or not {"text", "label"} <= set(frame.columns):
        raise TypeError(f"{name} must be a DataFrame with columns 'text' and 'label' (as load_reviews() returns)")
    texts = _as_texts(frame["text"].tolist(), f"{name}['text']")
    labels = np.asarray(frame["label"])
    if not np.isin(labels, (0, 1)).all():
        raise ValueError(f"{name}['label'] must hold 0 (negative) and 1 (positive) only")
    return texts, labels.astype("int64")


def train_lstm_classifier(train=None, validation="default", *, epochs: int = EPOCHS, batch_size: int = BATCH_SIZE,
                          seed: int = SEED, mask_zero: bool = True, max_tokens: int = VOCAB_SIZE,
                          recurrent: str = "lstm", patience: int | None = PATIENCE, verbose: int = 0):
    """Train the article's classifier the way chapter 06 does; return ``(end_to_end_model, history)``.

    Args:
        train: DataFrame with ``text`` and ``label`` columns; ``None`` = the corpus's train split.
        validation: DataFrame, ``None`` (no validation), or ``"default"`` = the corpus's validation split.
        epochs, batch_size: the article's 10 and 32; ``epochs`` is the most that are run.
        patience: early stopping, as in chapter 06: stop once the validation loss has not improved for
            this many epochs, and keep the weights of the epoch with the lowest validation loss.
            ``None`` (or no validation data) runs all ``epochs`` and keeps the last weights.
        seed: passed to ``seed_everything`` right before the vectorizer and model are built.
        mask_zero, max_tokens, recurrent: see :func:`build_lstm_classifier` and :func:`make_vectorizer`.
        verbose: Keras's ``fit`` verbosity (0 = silent).

    The model returned takes raw strings and outputs ``[P(negative), P(positive)]``.
    """
    keras = _keras()
    import tensorflow as tf

    from .reviews import load_reviews
    from .seeding import seed_everything

    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if patience is not None and (isinstance(patience, bool) or not isinstance(patience, int) or patience < 1):
        raise ValueError(f"patience must be a positive integer or None (no early stopping), got {patience!r}")
    if train is None:
        train = load_reviews("train")
    if isinstance(validation, str) and validation == "default":
        validation = load_reviews("validation")
    x_text, y = _xy(train, "train")
    seed_everything(seed)
    vectorizer = make_vectorizer(x_text, max_tokens=max_tokens)
    classifier = build_lstm_classifier(vectorizer, input_dim=max(VOCAB_SIZE, max_tokens), mask_zero=mask_zero,
                                       recurrent=recurrent)
    x_ids = vectorizer(tf.constant(x_text)).numpy()
    val = None
    if validation is not None:
        v_text, v_y = _xy(validation, "validation")
        val = (vectorizer(tf.constant(v_text)).numpy(), keras.utils.to_categorical(v_y, 2))
    callbacks = []
    if val is not None and patience is not None:
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
                                                       restore_best_weights=True))
    history = classifier.fit(x_ids, keras.utils.to_categorical(y, 2), epochs=epochs, batch_size=batch_size,
                             validation_data=val, callbacks=callbacks, verbose=verbose)
    return end_to_end_model(vectorizer, classifier), history


def default_model_path() -> Path:
    """``models/lstm_sentiment.keras`` in the course (or ``$BIGMODEL_COURSE_MODELS``)."""
    return models_dir() / MODEL_FILE


def default_record_path() -> Path:
    """``models/lstm_sentiment.json``, the training record next to :func:`default_model_path`."""
    return models_dir() / RECORD_FILE


def _record_path(path) -> Path:
    """The record's path: ``None`` = the default; a ``.keras`` model path = the ``.json`` next to it."""
    if path is None:
        return default_record_path()
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path (str or Path) or None, got {type(path).__name__}")
    path = Path(path).expanduser()
    if path.suffix == ".keras":
        return path.with_suffix(".json")
    if path.suffix != ".json":
        raise ValueError(f"path must be the training record (.json) or its model (.keras), got {path.name!r}")
    return path


def _validated_record(record, source: str) -> dict:
    """``record`` as a dict, or a ValueError naming ``source`` and the first key that is wrong."""
    def bad(why):
        return ValueError(f"{source} is not a valid LSTM training record: {why}")

    if not isinstance(record, dict):
        raise bad(f"expected a JSON object with keys {list(RECORD_KEYS)}, got {type(record).__name__}")
    missing = [key for key in RECORD_KEYS if key not in record]
    if missing:
        raise bad(f"missing keys {missing}")

    def number(key, low, high, allow_none=False):
        value = record[key]
        if value is None and allow_none:
            return
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or not low <= value <= high:
            raise bad(f"{key} must be a number from {low} to {high}{' or null' if allow_none else ''}, got {value!r}")

    for key in ("epochs_run", "best_epoch"):
        if isinstance(record[key], bool) or not isinstance(record[key], int) or record[key] < 1:
            raise bad(f"{key} must be a positive integer, got {record[key]!r}")
    if record["best_epoch"] > record["epochs_run"]:
        raise bad(f"best_epoch ({record['best_epoch']}) is after the last epoch run ({record['epochs_run']})")
    number("train_seconds", 0, math.inf)
    if record["train_seconds"] <= 0:
        raise bad(f"train_seconds must be positive, got {record['train_seconds']!r}")
    number("val_accuracy", 0, 1)
    number("test_accuracy", 0, 1, allow_none=True)
    if not isinstance(record["keras_version"], str) or not record["keras_version"]:
        raise bad(f"keras_version must be a non-empty string, got {record['keras_version']!r}")
    return dict(record)


def training_record(history, train_seconds: float, test_accuracy: float | None = None) -> dict:
    """The training record of one run, from its Keras ``History`` (or ``history.history`` dict).

    Returns ``{"train_seconds", "epochs_run", "best_epoch", "val_accuracy", "test_accuracy",
    "keras_version"}``: ``best_epoch`` (counted from 1) is the epoch with the lowest validation loss,
    the one early stopping keeps, and ``val_accuracy`` that epoch's validation accuracy.
    ``train_seconds`` is the wall time of the run (measured by the caller); ``test_accuracy`` may be None.
    """
    keras = _keras()
    logs = history.history if hasattr(history, "history") else history
    if not isinstance(logs, dict) or not {"loss", "val_loss", "val_accuracy"} <= set(logs):
        raise ValueError("history must be what fit(..., validation_data=...) returns: a Keras History or a dict "
                         "with 'loss', 'val_loss' and 'val_accuracy' lists (train with validation data)")
    val_loss = [float(v) for v in logs["val_loss"]]
    if not val_loss or len(logs["val_accuracy"]) != len(val_loss):
        raise ValueError("history holds no epochs, or val_loss and val_accuracy differ in length")
    if isinstance(train_seconds, bool) or not isinstance(train_seconds, (int, float)):
        raise TypeError(f"train_seconds must be a number of seconds, got {train_seconds!r}")
    if test_accuracy is not None and (isinstance(test_accuracy, bool) or not isinstance(test_accuracy, (int, float))):
        raise TypeError(f"test_accuracy must be a number from 0 to 1 or None, got {test_accuracy!r}")
    best = int(np.argmin(val_loss))            # first lowest, as EarlyStopping counts improvements
    record = {"train_seconds": float(train_seconds),
              "epochs_run": len(val_loss), "best_epoch": best + 1,
              "val_accuracy": float(logs["val_accuracy"][best]),
              "test_accuracy": None if test_accuracy is None else float(test_accuracy),
              "keras_version": keras.__version__}
    return _validated_record(record, "the record built from this history")


def save_training_record(record: dict, path: str | os.PathLike | None = None) -> Path:
    """Write ``record`` (see :func:`training_record`) as JSON to ``path`` (default ``models/lstm_sentiment.json``).

    A ``.keras`` path means the ``.json`` next to it. The file is written to a temporary file in the same
    folder and then renamed, so a reader never sees half a record. Returns the path written.
    """
    path = _record_path(path)
    record = _validated_record(record, "the record to save")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(record, file, indent=2)
            file.write("\n")
        os.chmod(tmp, 0o644)            # mkstemp makes the file private; the record is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_training_record(path: str | os.PathLike | None = None) -> dict:
    """The training record chapter 06 (or :func:`load_or_train_lstm`) saved next to the model.

    ``path``: the record (``.json``), its model (``.keras``), or ``None`` for ``models/lstm_sentiment.json``.
    Returns a dict with at least the keys :data:`RECORD_KEYS`: ``train_seconds`` (float, wall time of the
    training run), ``epochs_run`` and ``best_epoch`` (ints, counted from 1), ``val_accuracy`` (float, at the
    best epoch), ``test_accuracy`` (float, or None if it was not measured) and ``keras_version`` (str).
    """
    path = _record_path(path)
    if not path.is_file():
        model = path.with_suffix(".keras")
        if model.is_file():
            raise FileNotFoundError(
                f"no training record at {path}, although the model {model.name} is there (saved by an older "
                "version of the course?). Run chapter 06 again, which writes both, or delete the model file and "
                "call load_or_train_lstm(), which trains it and writes both.")
        raise FileNotFoundError(f"no training record at {path}; run chapter 06 (or load_or_train_lstm()) to train "
                                "the LSTM, which saves the model and its record")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not a valid LSTM training record: it is not readable JSON ({exc}). Delete it "
                         "and run chapter 06 again (or delete the model too and call load_or_train_lstm()).") from exc
    return _validated_record(record, str(path))


def load_lstm(path: str | os.PathLike):
    """Load a saved end-to-end model; a clear error if the file is missing or not a Keras model."""
    keras = _keras()
    path = Path(path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"no saved model at {path}; run chapter 06 (or load_or_train_lstm()) to create it")
    if path.suffix != ".keras":
        raise ValueError(f"{path.name}: expected a Keras model file ending in .keras")
    try:
        return keras.models.load_model(path)
    except Exception as exc:  # noqa: BLE001  (zip, HDF5 and config errors all mean: this file is broken)
        raise ValueError(
            f"{path} exists but is not a loadable Keras model ({type(exc).__name__}: {exc}). It was not changed. "
            "Delete it and run chapter 06 again (or call load_or_train_lstm()) to retrain it.") from exc


def load_or_train_lstm(path: str | os.PathLike | None = None, *, epochs: int = EPOCHS, verbose: int = 0):
    """Chapter 06's trained model: load ``path`` (default ``models/lstm_sentiment.keras``), or train and save it.

    If the file is missing, the model is trained as chapter 06 trains it (seed 42, the
    article's hyperparameters, the corpus's train split with validation, early stopping that keeps
    the best epoch) and saved there, with its training record (:func:`load_training_record`) in the
    ``.json`` file next to it. An existing model file is never overwritten: if it cannot be loaded, a
    ``ValueError`` says so.
    """
    path = default_model_path() if path is None else Path(path).expanduser()
    if path.suffix != ".keras":
        raise ValueError(f"path must end in .keras, got {path.name!r}")
    if path.exists():
        return load_lstm(path)
    if verbose:
        print(f"{path.name} not found: training it as chapter 06 does (at most {epochs} epochs, early stopping)…")
    from .reviews import load_reviews

    start = time.perf_counter()
    model, history = train_lstm_classifier(epochs=epochs, verbose=max(0, verbose - 1))
    train_seconds = time.perf_counter() - start
    test = load_reviews("test")
    predicted = predict_proba(model, test["text"].tolist()).argmax(axis=1)
    test_accuracy = float((predicted == test["label"].to_numpy()).mean())
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)   # the file did not exist (checked above), so nothing is overwritten
    save_training_record(training_record(history, train_seconds, test_accuracy), path)
    return model


def predict_proba(model, texts) -> np.ndarray:
    """``[P(negative), P(positive)]`` for each text, from an end-to-end model on strings.

    Any string is a valid text, also ``""`` or one without words (``":-)"``). The texts run in
    length-sorted batches, as in ``python -m course_utils.evaluate`` (see
    :func:`course_utils.evaluate.keras_text_proba`).
    """
    from .evaluate import keras_text_proba
    texts = _as_texts(texts, "texts")
    return keras_text_proba(model, texts)
