"""Tests of course_utils.evaluate: the model-kind dispatch, the metrics, and the command line."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from course_utils.evaluate import (ModelError, classification_metrics, format_report, main, model_kind,
                                   predict_labels, predict_proba)

ROOT = Path(__file__).resolve().parent.parent
TEXTS = ["I love it", "great and lovely", "wonderful, just great", "love this", "what a great day",
         "I hate it", "awful and boring", "terrible, just awful", "hate this", "what a boring day"]
LABELS = [1] * 5 + [0] * 5


@pytest.fixture(scope="module")
def keras_model(tmp_path_factory):
    """A tiny end-to-end Keras model (TextVectorization inside) trained for one epoch, saved as .keras."""
    from course_utils.frameworks import quiet_tensorflow
    quiet_tensorflow()
    import keras

    from course_utils.lstm_classifier import build_lstm_classifier, end_to_end_model, make_vectorizer
    from course_utils.seeding import seed_everything
    seed_everything(0)
    vectorizer = make_vectorizer(TEXTS, max_tokens=50)
    classifier = build_lstm_classifier(vectorizer, input_dim=50, output_dim=8, units=4)
    ids = vectorizer(np.array(TEXTS)).numpy()
    classifier.fit(ids, keras.utils.to_categorical(LABELS, 2), epochs=1, batch_size=4, verbose=0)
    path = tmp_path_factory.mktemp("keras") / "tiny.keras"
    end_to_end_model(vectorizer, classifier).save(path)
    return path


@pytest.fixture(scope="module")
def hf_model(tmp_path_factory):
    """A tiny randomly initialised BertForSequenceClassification with the packaged MiniLM tokenizer."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from course_utils.checkpoints import bert_checkpoint
    tokenizer = AutoTokenizer.from_pretrained(bert_checkpoint())
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=128, num_labels=2)
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    path = tmp_path_factory.mktemp("hf") / "tiny_bert"
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture
def labelled_csv(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("text,label\n" + "".join(f'"{t}",{y}\n' for t, y in zip(TEXTS, LABELS)), encoding="utf-8")
    return path


def _report_is_well_formed(out: str, n: int):
    assert "accuracy: " in out and f"of {n} correct" in out
    assert "class      precision  recall      f1  support" in out
    assert "negative" in out and "positive" in out
    assert "confusion matrix (rows: true label, columns: predicted label)" in out
    rows = [line for line in out.splitlines() if line.startswith("true ")]
    counts = [[int(x) for x in line.split()[2:]] for line in rows]
    assert len(counts) == 2 and sum(map(sum, counts)) == n


# ---------------------------------------------------------------- metrics ------------------

def test_classification_metrics_by_hand():
    m = classification_metrics([1, 1, 1, 0, 0], [1, 1, 0, 0, 1])
    assert m["accuracy"] == pytest.approx(3 / 5)
    assert m["confusion_matrix"].tolist() == [[1, 1], [1, 2]]
    assert m["per_class"]["positive"]["precision"] == pytest.approx(2 / 3)
    assert m["per_class"]["positive"]["recall"] == pytest.approx(2 / 3)
    assert m["per_class"]["negative"]["precision"] == pytest.approx(1 / 2)
    assert m["per_class"]["negative"]["support"] == 2


def test_metrics_agree_with_scikit_learn():
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 2, 200), rng.integers(0, 2, 200)
    m = classification_metrics(y, p)
    prec, rec, f1, sup = precision_recall_fscore_support(y, p)
    assert np.allclose([m["per_class"][k]["precision"] for k in ("negative", "positive")], prec)
    assert np.allclose([m["per_class"][k]["recall"] for k in ("negative", "positive")], rec)
    assert np.allclose([m["per_class"][k]["f1"] for k in ("negative", "positive")], f1)
    assert (m["confusion_matrix"] == confusion_matrix(y, p)).all()


def test_metrics_bad_input():
    with pytest.raises(ValueError, match="equally long"):
        classification_metrics([0, 1], [0])
    with pytest.raises(ValueError, match="0 .negative. or 1"):
        classification_metrics([0, 2], [0, 1])
    _report_is_well_formed(format_report(classification_metrics([0, 1], [0, 0])), 2)


# ---------------------------------------------------------------- Keras ---------------------

def test_keras_predictions(keras_model):
    assert model_kind(keras_model) == "keras"
    proba = predict_proba(keras_model, TEXTS)
    assert proba.shape == (10, 2) and np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    labels = predict_labels(keras_model, TEXTS + ["an unseen word"])
    assert labels.dtype == np.int64 and set(labels) <= {0, 1} and len(labels) == 11


def test_main_on_a_file(keras_model, labelled_csv, capsys):
    assert main([str(keras_model), str(labelled_csv)]) == 0
    out = capsys.readouterr().out
    assert "(Keras)" in out and "mine.csv (10 texts)" in out
    _report_is_well_formed(out, 10)


def test_main_on_the_test_split(keras_model, capsys):
    from course_utils.reviews import load_reviews
    assert main([str(keras_model), "test"]) == 0
    out = capsys.readouterr().out
    n = len(load_reviews("test"))
    assert f"test split of the course review corpus ({n} reviews)" in out
    _report_is_well_formed(out, n)


def test_command_in_a_subprocess(keras_model, labelled_csv):
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    done = subprocess.run([sys.executable, "-m", "course_utils.evaluate", str(keras_model), str(labelled_csv)],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    _report_is_well_formed(done.stdout, 10)
    assert done.stderr.strip() == "", f"stray stderr: {done.stderr[:500]}"
    bad = subprocess.run([sys.executable, "-m", "course_utils.evaluate", str(keras_model), "missing.csv"],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert bad.returncode == 2 and "no such file" in bad.stderr and "usage:" in bad.stderr


# ---------------------------------------------------------------- errors --------------------

def _fails(argv, capsys, message):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage:" in err and message in err, err


def test_missing_model(tmp_path, labelled_csv, capsys):
    _fails([str(tmp_path / "nope.keras"), str(labelled_csv)], capsys, "does not exist")


def test_folder_that_is_not_a_model(tmp_path, labelled_csv, capsys):
    _fails([str(tmp_path), str(labelled_csv)], capsys, "no config.json")
    (tmp_path / "config.json").write_text("{}")
    _fails([str(tmp_path), str(labelled_csv)], capsys, "no weights")


def test_wrong_model_file_type(tmp_path, labelled_csv, capsys):
    weird = tmp_path / "model.pkl"
    weird.write_bytes(b"\x80\x04")
    _fails([str(weird), str(labelled_csv)], capsys, "expected a Keras .keras file")


def test_corrupt_keras_file(tmp_path, labelled_csv, capsys):
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"this is not a zip file")
    _fails([str(broken), str(labelled_csv)], capsys, "could not be loaded as a Keras model")


# An untrained compiled model is saved before its optimizer is built; Keras notes that on loading. Harmless here.
@pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer")
def test_keras_model_that_does_not_take_text(tmp_path, labelled_csv, capsys):
    from course_utils.lstm_classifier import build_lstm_classifier
    path = tmp_path / "ids.keras"
    build_lstm_classifier(input_dim=20, output_dim=4, units=2).save(path)
    _fails([str(path), str(labelled_csv)], capsys, "does not take raw text")


def test_missing_and_malformed_files(keras_model, tmp_path, capsys):
    _fails([str(keras_model), str(tmp_path / "none.csv")], capsys, "no such file")
    odd = tmp_path / "data.xlsx"
    odd.write_text("x")
    _fails([str(keras_model), str(odd)], capsys, "unsupported file type")
    short = tmp_path / "short.tsv"
    short.write_text("text\tlabel\ngood\t1\nno label\n")
    _fails([str(keras_model), str(short)], capsys, "fewer than 2 columns")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    _fails([str(keras_model), str(empty)], capsys, "is empty")


def test_unknown_labels(keras_model, tmp_path, capsys):
    f = tmp_path / "labels.csv"
    f.write_text("text,label\ngood,1\nso-so,neutral\n")
    _fails([str(keras_model), str(f)], capsys, "'neutral' (line 3)")


def test_bad_arguments(keras_model, labelled_csv, capsys):
    _fails([str(keras_model), str(labelled_csv), "--batch-size", "0"], capsys, "--batch-size")
    with pytest.raises(SystemExit) as exc:
        main([str(keras_model)])
    assert exc.value.code == 2
    with pytest.raises(TypeError, match="not one string"):
        predict_labels(keras_model, "one text")


# ---------------------------------------------------------------- Hugging Face --------------

def test_hf_model_folder(hf_model, labelled_csv, capsys):
    assert model_kind(hf_model) == "hf"
    labels = predict_labels(hf_model, TEXTS)
    assert labels.shape == (10,) and set(labels) <= {0, 1}
    assert main([str(hf_model), str(labelled_csv)]) == 0
    out = capsys.readouterr().out
    assert "(Hugging Face)" in out
    _report_is_well_formed(out, 10)


def test_hf_folder_with_broken_weights(hf_model, tmp_path, labelled_csv, capsys):
    import shutil
    broken = tmp_path / "broken_bert"
    shutil.copytree(hf_model, broken)
    (broken / "model.safetensors").write_bytes(b"garbage")
    _fails([str(broken), str(labelled_csv)], capsys, "could not be loaded as a Hugging Face")
