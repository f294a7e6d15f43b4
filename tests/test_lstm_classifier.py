"""Tests of course_utils.lstm_classifier: the article's architecture, training, saving and reloading."""
import numpy as np
import pandas as pd
import pytest

from course_utils.frameworks import quiet_tensorflow

quiet_tensorflow()
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from course_utils.lstm_classifier import (MODEL_FILE, build_lstm_classifier, default_model_path,  # noqa: E402
                                          end_to_end_model, load_lstm, load_or_train_lstm, make_vectorizer,
                                          predict_proba, train_lstm_classifier)

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
    with pytest.raises(TypeError, match="TextVectorization"):
        end_to_end_model(None, build_lstm_classifier())
