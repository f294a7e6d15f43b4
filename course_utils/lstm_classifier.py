"""Article 001's LSTM text classifier, trained on the course review corpus, end to end on raw strings.

Introduced in chapter 06, which builds it step by step; chapters 08–09 and
``python -m course_utils.evaluate`` reuse the saved model through :func:`load_or_train_lstm`.

The architecture is the article's (Article 001, 项目实践：代码实例和详细解释说明)::

    Input(shape=(None,)) -> Embedding(input_dim=10000, output_dim=64) -> LSTM(64) -> Dense(2, softmax)
    loss CategoricalCrossentropy(), optimizer Adam(learning_rate=0.001), metrics ['accuracy'],
    fit(epochs=10, batch_size=32)

with two additions that chapter 06 explains: ``mask_zero=True`` in the embedding (so padding is
ignored) and a ``TextVectorization`` layer in front, so the saved model takes raw strings.
"""
from __future__ import annotations

import os
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
#: File name of the trained model under ``models/``.
MODEL_FILE = "lstm_sentiment.keras"
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
    """Wrap ``vectorizer`` and a classifier on ids into one model on raw strings (input shape ``()``).

    ``model.predict(tf.constant(["I love this product!"]))`` then gives the class probabilities.
    The model is not compiled; compile it (e.g. with the classifier's loss) to call ``evaluate``.
    """
    keras = _keras()
    if not isinstance(vectorizer, keras.layers.TextVectorization):
        raise TypeError(f"vectorizer must be a keras.layers.TextVectorization, got {type(vectorizer).__name__}")
    if not isinstance(classifier, keras.Model):
        raise TypeError(f"classifier must be a keras.Model, got {type(classifier).__name__}")
    text = keras.Input(shape=(), dtype="string", name="text")
    # Not compiled: it is for prediction (train the classifier on ids, which is faster). Saved
    # uncompiled, the file holds no optimizer state and loads without warnings.
    return keras.Model(text, classifier(vectorizer(text)), name="lstm_sentiment")


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
                          recurrent: str = "lstm", verbose: int = 0):
    """Train the article's classifier the way chapter 06 does; return ``(end_to_end_model, history)``.

    Args:
        train: DataFrame with ``text`` and ``label`` columns; ``None`` = the corpus's train split.
        validation: DataFrame, ``None`` (no validation), or ``"default"`` = the corpus's validation split.
        epochs, batch_size: the article's 10 and 32.
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
    history = classifier.fit(x_ids, keras.utils.to_categorical(y, 2), epochs=epochs, batch_size=batch_size,
                             validation_data=val, verbose=verbose)
    return end_to_end_model(vectorizer, classifier), history


def default_model_path() -> Path:
    """``models/lstm_sentiment.keras`` in the course (or ``$BIGMODEL_COURSE_MODELS``)."""
    return models_dir() / MODEL_FILE


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

    If the file is missing, the model is trained exactly as chapter 06 trains it (seed 42, the
    article's hyperparameters, the corpus's train split with validation) and saved there. An
    existing file is never overwritten: if it cannot be loaded, a ``ValueError`` says so.
    """
    path = default_model_path() if path is None else Path(path).expanduser()
    if path.suffix != ".keras":
        raise ValueError(f"path must end in .keras, got {path.name!r}")
    if path.exists():
        return load_lstm(path)
    if verbose:
        print(f"{path.name} not found: training it as chapter 06 does ({epochs} epochs)…")
    model, _ = train_lstm_classifier(epochs=epochs, verbose=max(0, verbose - 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)   # the file did not exist (checked above), so nothing is overwritten
    return model


def predict_proba(model, texts) -> np.ndarray:
    """``[P(negative), P(positive)]`` for each text, from an end-to-end model on strings."""
    import tensorflow as tf
    texts = _as_texts(texts, "texts")
    # Batches through model(...) rather than model.predict(), which traces a tf.function per model.
    return np.concatenate([np.asarray(model(tf.constant(texts[i:i + BATCH_SIZE]), training=False))
                           for i in range(0, len(texts), BATCH_SIZE)])
