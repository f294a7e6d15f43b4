"""Tests of course_utils.lstm_classifier: the article's architecture, training, saving and reloading."""
import io
import json
import os
import zipfile

import h5py
import numpy as np
import pandas as pd
import pytest

from course_utils.frameworks import quiet_tensorflow

quiet_tensorflow()
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from course_utils.lstm_classifier import (MODEL_FILE, RECORD_FILE, RECORD_KEYS,  # noqa: E402
                                          build_lstm_classifier, default_model_path, default_record_path,
                                          end_to_end_model, load_lstm, load_or_train_lstm, load_training_record,
                                          make_vectorizer, predict_proba, save_training_record, training_record,
                                          train_lstm_classifier)

SMALL = pd.DataFrame({"text": ["I love it", "great and lovely", "love this", "I hate it", "awful and boring",
                               "hate this"], "label": [1, 1, 1, 0, 0, 0]})


def test_article_architecture_and_parameter_count():
    model = build_lstm_classifier()
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["InputLayer", "Embedding", "LSTM", "Dense"]
    emb, lstm, dense = model.layers[1:]
    assert (emb.input_dim, emb.output_dim, emb.mask_zero) == (10000, 64, True)
    assert lstm.units == 64 and not lstm.return_sequences
    assert dense.units == 2 and dense.activation.__name__ == "softmax"
    assert model.count_params() == 10000 * 64 + 4 * (64 * 64 + 64 * 64 + 64) + 64 * 2 + 2 == 673_154
    assert isinstance(model.loss, keras.losses.CategoricalCrossentropy)
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.001)
    assert not build_lstm_classifier(mask_zero=False).layers[1].mask_zero
    assert type(build_lstm_classifier(recurrent="gru").layers[2]).__name__ == "GRU"


def test_vectorizer():
    vec = make_vectorizer(SMALL["text"], max_tokens=100)
    vocab = vec.get_vocabulary()
    assert vocab[:2] == ["", "[UNK]"] and "love" in vocab
    ids = vec(tf.constant(["I love it", "zebra"])).numpy()
    assert ids.shape == (2, 3) and ids[1, 0] == 1 and ids[1, 1] == 0   # unknown word -> 1, padding -> 0
    fixed = make_vectorizer(SMALL["text"], max_tokens=100, output_sequence_length=5)
    assert fixed(tf.constant(["I love it"])).shape == (1, 5)


def test_end_to_end_model_takes_strings_and_round_trips(tmp_path):
    model, history = train_lstm_classifier(SMALL, validation=SMALL, epochs=1, batch_size=2, max_tokens=50)
    assert set(history.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    proba = predict_proba(model, ["I love it", "never seen words"])
    assert proba.shape == (2, 2) and np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    path = tmp_path / "m.keras"
    model.save(path)
    again = load_lstm(path)
    assert np.allclose(predict_proba(again, ["I love it", "never seen words"]), proba, atol=1e-6)


def test_training_is_seeded():
    a, _ = train_lstm_classifier(SMALL, validation=None, epochs=2, batch_size=2, max_tokens=50)
    b, _ = train_lstm_classifier(SMALL, validation=None, epochs=2, batch_size=2, max_tokens=50)
    assert np.array_equal(predict_proba(a, ["love it"]), predict_proba(b, ["love it"]))


def test_load_or_train_trains_once_then_loads(tmp_path):
    path = tmp_path / "sub" / MODEL_FILE
    model = load_or_train_lstm(path, epochs=1)          # the full corpus, one epoch: a few seconds
    assert path.is_file()
    stamp = path.stat().st_mtime_ns
    again = load_or_train_lstm(path)
    assert path.stat().st_mtime_ns == stamp            # loaded, not retrained or rewritten
    assert np.allclose(predict_proba(model, ["Great!"]), predict_proba(again, ["Great!"]), atol=1e-6)
    # ... and it wrote the training record next to the model, which chapter 08 reads
    record = load_training_record(path.with_name(RECORD_FILE))
    assert set(RECORD_KEYS) <= set(record)
    assert (record["epochs_run"], record["best_epoch"], record["keras_version"]) == (1, 1, keras.__version__)
    assert isinstance(record["train_seconds"], float) and record["train_seconds"] > 0
    assert 0 <= record["val_accuracy"] <= 1 and 0 <= record["test_accuracy"] <= 1
    assert load_training_record(path) == record        # the model's path finds the record next to it
    assert sorted(p.name for p in path.parent.iterdir()) == sorted([MODEL_FILE, RECORD_FILE])  # no temp file left


def test_early_stopping_keeps_the_best_epoch():
    # Validation labels are the training labels flipped: the better the model fits, the worse the validation
    # loss, so the first epoch is the best one, training stops after `patience` more, and epoch 1 is restored.
    flipped = SMALL.assign(label=1 - SMALL["label"])
    stopped, history = train_lstm_classifier(SMALL, validation=flipped, epochs=30, batch_size=2, max_tokens=50,
                                             patience=2)
    assert len(history.history["loss"]) == 3
    record = training_record(history, 1.5)
    assert (record["epochs_run"], record["best_epoch"], record["test_accuracy"]) == (3, 1, None)
    one_epoch, _ = train_lstm_classifier(SMALL, validation=None, epochs=1, batch_size=2, max_tokens=50)
    probe = ["I love it", "awful"]
    assert np.allclose(predict_proba(stopped, probe), predict_proba(one_epoch, probe), atol=1e-6)
    _, full = train_lstm_classifier(SMALL, validation=flipped, epochs=3, batch_size=2, max_tokens=50, patience=None)
    assert len(full.history["loss"]) == 3


def test_saved_model_holds_no_optimizer_state(tmp_path):
    model, _ = train_lstm_classifier(SMALL, validation=None, epochs=1, batch_size=2, max_tokens=50)
    assert not model.compiled                 # for prediction: no optimizer
    path = tmp_path / MODEL_FILE
    model.save(path)
    with zipfile.ZipFile(path) as archive, h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r") as weights:
        names = []
        weights.visit(names.append)
    assert any("lstm" in name for name in names) and not any("optimizer" in name for name in names)


def test_end_to_end_model_is_a_copy():
    vectorizer = make_vectorizer(SMALL["text"], max_tokens=50)
    classifier = build_lstm_classifier(vectorizer, input_dim=50, output_dim=4, units=3)
    model = end_to_end_model(vectorizer, classifier)
    before = predict_proba(model, ["I love it"])
    classifier.set_weights([w + 1.0 for w in classifier.get_weights()])   # later changes do not reach the copy
    assert np.array_equal(predict_proba(model, ["I love it"]), before)


def test_training_record_round_trip_and_bad_files(tmp_path, monkeypatch):
    monkeypatch.setenv("BIGMODEL_COURSE_MODELS", str(tmp_path))
    assert default_record_path() == tmp_path / "lstm_sentiment.json"
    history = {"loss": [0.7, 0.5, 0.3], "val_loss": [0.6, 0.5, 0.55], "val_accuracy": [0.6, 0.75, 0.8]}
    record = training_record(history, 12.5, test_accuracy=0.74)
    assert record == {"train_seconds": 12.5, "epochs_run": 3, "best_epoch": 2, "val_accuracy": 0.75,
                      "test_accuracy": 0.74, "keras_version": keras.__version__}
    assert save_training_record(record) == default_record_path()
    assert load_training_record() == record
    assert json.loads(default_record_path().read_text())["best_epoch"] == 2
    assert [p.name for p in tmp_path.iterdir()] == ["lstm_sentiment.json"]       # written atomically, no temp file
    if os.name == "posix":
        assert default_record_path().stat().st_mode & 0o777 == 0o644                # readable like any other file
    with pytest.raises(FileNotFoundError, match=r"run chapter 06 \(or load_or_train_lstm\(\)\)"):
        load_training_record(tmp_path / "elsewhere.json")
    (tmp_path / "old.keras").write_bytes(b"model without a record")
    with pytest.raises(FileNotFoundError, match="older version.*chapter 06.*load_or_train_lstm"):
        load_training_record(tmp_path / "old.keras")
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text('{"train_seconds": 3.0, "epochs')                    # a half-written file
    with pytest.raises(ValueError, match="not a valid LSTM training record.*not readable JSON"):
        load_training_record(corrupt)
    corrupt.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(ValueError, match="not readable JSON"):
        load_training_record(corrupt)
    for broken, match in (([1, 2], "JSON object"), ({**record, "best_epoch": 5}, "after the last epoch"),
                          ({k: v for k, v in record.items() if k != "keras_version"}, "missing keys"),
                          ({**record, "val_accuracy": 1.5}, "val_accuracy"),
                          ({**record, "train_seconds": 0}, "positive"),
                          ({**record, "epochs_run": 2.0}, "epochs_run"),
                          ({**record, "test_accuracy": "n/a"}, "or null")):
        corrupt.write_text(json.dumps(broken))
        with pytest.raises(ValueError, match=match):
            load_training_record(corrupt)
    assert load_training_record(corrupt.parent / "lstm_sentiment.json")["test_accuracy"] == 0.74
    assert training_record(history, 1.0)["test_accuracy"] is None
    with pytest.raises(ValueError, match="must be the training record"):
        load_training_record(tmp_path / "record.txt")
    with pytest.raises(TypeError, match="file path"):
        load_training_record(42)
    with pytest.raises(ValueError, match="validation_data"):
        training_record({"loss": [0.5]}, 1.0)
    with pytest.raises(TypeError, match="train_seconds"):
        training_record(history, "fast")
    with pytest.raises(ValueError, match="not a valid LSTM training record"):
        save_training_record({**record, "epochs_run": 0}, tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()


def test_default_path_honours_the_models_env_var(tmp_path, monkeypatch):
    monkeypatch.setenv("BIGMODEL_COURSE_MODELS", str(tmp_path))
    assert default_model_path() == tmp_path / "lstm_sentiment.keras"


def test_corrupt_file_is_reported_and_kept(tmp_path):
    path = tmp_path / MODEL_FILE
    path.write_bytes(b"not a keras file")
    with pytest.raises(ValueError, match="not a loadable Keras model.*It was not changed"):
        load_or_train_lstm(path)
    assert path.read_bytes() == b"not a keras file"


def test_bad_input(tmp_path):
    with pytest.raises(ValueError, match="must end in .keras"):
        load_or_train_lstm(tmp_path / "model.h5")
    with pytest.raises(FileNotFoundError, match="run chapter 06"):
        load_lstm(tmp_path / "missing.keras")
    with pytest.raises(ValueError, match="recurrent must be one of"):
        build_lstm_classifier(recurrent="transformer")
    with pytest.raises(ValueError, match="input_dim"):
        build_lstm_classifier(input_dim=0)
    with pytest.raises(TypeError, match="TextVectorization"):
        build_lstm_classifier(vectorizer="not a layer")
    with pytest.raises(ValueError, match="does not fit into an embedding"):
        build_lstm_classifier(make_vectorizer(SMALL["text"], max_tokens=100), input_dim=5)
    with pytest.raises(ValueError, match="adapt"):
        build_lstm_classifier(keras.layers.TextVectorization(max_tokens=100))
    with pytest.raises(TypeError, match="not one string"):
        make_vectorizer("one text")
    with pytest.raises(ValueError, match="max_tokens"):
        make_vectorizer(["a"], max_tokens=2)
    with pytest.raises(TypeError, match="DataFrame with columns"):
        train_lstm_classifier(train=[("good", 1)])
    with pytest.raises(ValueError, match="0 .negative. and 1"):
        train_lstm_classifier(train=pd.DataFrame({"text": ["a", "b"], "label": [1, 5]}))
    with pytest.raises(ValueError, match="epochs"):
        train_lstm_classifier(SMALL, epochs=0)
    with pytest.raises(ValueError, match="patience"):
        train_lstm_classifier(SMALL, patience=0)
    with pytest.raises(TypeError, match="TextVectorization"):
        end_to_end_model(None, build_lstm_classifier())


def test_issue9_learning_rate_and_texts_without_words():
    for bad in (-1, 0, float("nan"), float("inf"), "0.001", True):
        with pytest.raises(ValueError, match="learning_rate must be a positive finite number"):
            build_lstm_classifier(input_dim=20, output_dim=4, units=2, learning_rate=bad)
    vectorizer = make_vectorizer(SMALL["text"], max_tokens=50)
    model = end_to_end_model(vectorizer, build_lstm_classifier(vectorizer, input_dim=50, output_dim=4, units=3))
    empty = predict_proba(model, ["", "!!!", ":-)"])          # a whole batch without a single token
    assert empty.shape == (3, 2) and np.allclose(empty.sum(axis=1), 1, atol=1e-5)
    assert np.allclose(predict_proba(model, ["I love it", ""])[1], empty[0], atol=1e-6)
