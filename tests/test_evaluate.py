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


def _zip_without_config() -> bytes:
    import io
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return buffer.getvalue()


@pytest.mark.parametrize("content, message", [
    (b"", "it is empty (0 bytes)"),
    (b"this is not a zip file", "it is a text file (22 bytes)"),
    ("truncated", "it is a truncated or damaged zip archive"),
    (b"\x89HDF\r\n\x1a\n" + bytes(100), "it is an HDF5 file"),
    (b"\x00\xff\xfe" * 10, "it is not a zip archive (30 bytes)"),
    ("no config", "it is a zip archive without config.json"),
])
def test_broken_keras_files_say_what_is_wrong_and_are_kept(keras_model, tmp_path, labelled_csv, capsys,
                                                          content, message):
    """Issue 9: Keras reports "File not found" for all of these; the command must name the real problem."""
    if content == "truncated":
        content = keras_model.read_bytes()[: keras_model.stat().st_size // 2]
    elif content == "no config":
        content = _zip_without_config()
    broken = tmp_path / "broken.keras"
    broken.write_bytes(content)
    _fails([str(broken), str(labelled_csv)], capsys, f"broken.keras is not a usable Keras model file: {message}")
    assert broken.read_bytes() == content                      # nothing changed or deleted
    with pytest.raises(ModelError, match="not a usable Keras model file"):
        predict_proba(broken, ["text"])


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
    capsys.readouterr()
    assert main([str(hf_model), str(labelled_csv)]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "(Hugging Face)" in out
    assert captured.err == "", captured.err               # no "Loading weights" bar from transformers
    _report_is_well_formed(out, 10)


def test_hf_folder_with_broken_weights(hf_model, tmp_path, labelled_csv, capsys):
    import shutil
    broken = tmp_path / "broken_bert"
    shutil.copytree(hf_model, broken)
    (broken / "model.safetensors").write_bytes(b"garbage")
    _fails([str(broken), str(labelled_csv)], capsys, "could not be loaded as a Hugging Face")


# ---------------------------------------------------------------- issue 9: models that must be refused or read right

def _hf_copy(hf_model, tmp_path, name="copy"):
    import shutil
    dst = tmp_path / name
    shutil.copytree(hf_model, dst)
    return dst


def _edit_config(folder, **changes):
    import json
    config = json.loads((folder / "config.json").read_text())
    config.update(changes)
    (folder / "config.json").write_text(json.dumps(config))


def test_hf_folder_without_tokenizer_files_is_refused(hf_model, tmp_path, labelled_csv, capsys):
    """Without them AutoTokenizer builds an empty 5-token tokenizer and the model scores noise."""
    folder = _hf_copy(hf_model, tmp_path)
    for f in folder.iterdir():
        if f.name not in ("config.json", "model.safetensors"):
            f.unlink()
    _fails([str(folder), str(labelled_csv)], capsys, "has a model but no tokenizer files")
    assert sorted(f.name for f in folder.iterdir()) == ["config.json", "model.safetensors"]


def test_hf_folder_with_an_empty_tokenizer_is_refused(hf_model, tmp_path, labelled_csv, capsys):
    folder = _hf_copy(hf_model, tmp_path)
    (folder / "tokenizer.json").unlink(missing_ok=True)
    (folder / "vocab.txt").write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n")
    _fails([str(folder), str(labelled_csv)], capsys, "tokenizer has no vocabulary")


def test_id2label_decides_which_output_is_positive(hf_model, tmp_path, capsys):
    from course_utils.evaluate import label_order
    base = predict_proba(hf_model, TEXTS)                      # id2label LABEL_0 / LABEL_1: the course's order
    named = _hf_copy(hf_model, tmp_path, "named")
    _edit_config(named, id2label={"0": "NEGATIVE", "1": "POSITIVE"}, label2id={"NEGATIVE": 0, "POSITIVE": 1})
    assert np.allclose(predict_proba(named, TEXTS), base, atol=1e-6)
    reversed_ = _hf_copy(hf_model, tmp_path, "reversed")
    _edit_config(reversed_, id2label={"0": "positive", "1": "negative"}, label2id={"positive": 0, "negative": 1})
    assert np.allclose(predict_proba(reversed_, TEXTS), base[:, ::-1], atol=1e-6)
    unknown = _hf_copy(hf_model, tmp_path, "unknown")
    _edit_config(unknown, id2label={"0": "joy", "1": "anger"}, label2id={"joy": 0, "anger": 1})
    with pytest.raises(ModelError, match=r"does not say which one is negative and which positive.*id2label"):
        predict_proba(unknown, TEXTS)
    assert label_order({0: "LABEL_1", 1: "LABEL_0"}) == [1, 0]
    assert label_order({"0": "neg", "1": "pos"}) == [0, 1]
    for bad in ({0: "positive", 1: "positive"}, {0: "negative", 1: "LABEL_7"}, {0: "a"}, {1: "x", 2: "y"}):
        with pytest.raises(ModelError):
            label_order(bad)


def test_tokenizer_larger_than_the_embedding_is_refused(tmp_path, labelled_csv, capsys):
    """vocab_size that disagrees with the tokenizer: a clear error instead of an IndexError."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from course_utils.checkpoints import bert_checkpoint
    tokenizer = AutoTokenizer.from_pretrained(bert_checkpoint())
    torch.manual_seed(0)
    model = BertForSequenceClassification(BertConfig(vocab_size=1000, hidden_size=16, num_hidden_layers=1,
                                                     num_attention_heads=2, intermediate_size=32, num_labels=2))
    folder = tmp_path / "small_vocab"
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    _fails([str(folder), str(labelled_csv)], capsys, "tokenizer has 30,522 tokens, but the model's embedding has "
                                                     "only 1,000 rows")


def test_texts_are_cut_to_the_models_position_embeddings(tmp_path, labelled_csv, capsys):
    """max_position_embeddings below the tokenizer's 512: truncate to the model's limit, the correct result."""
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from course_utils.checkpoints import bert_checkpoint
    tokenizer = AutoTokenizer.from_pretrained(bert_checkpoint())
    torch.manual_seed(0)
    model = BertForSequenceClassification(BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=16,
                                                     num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
                                                     max_position_embeddings=16, num_labels=2)).eval()
    folder = tmp_path / "short_positions"
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    long_text = "a really long review that goes on " * 10
    got = predict_proba(folder, [long_text, "short"])
    with torch.no_grad():
        enc = tokenizer([long_text], truncation=True, max_length=16, return_tensors="pt")
        want = torch.softmax(model(**enc).logits, dim=-1).numpy()
    assert np.allclose(got[0], want[0], atol=1e-5)
    assert main([str(folder), str(labelled_csv)]) == 0


def test_base_checkpoint_without_a_trained_head_is_refused(tmp_path, labelled_csv, capsys):
    from transformers import AutoTokenizer, BertConfig, BertModel

    from course_utils.checkpoints import bert_checkpoint
    folder = tmp_path / "base"
    BertModel(BertConfig(vocab_size=30522, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=32)).save_pretrained(folder)
    AutoTokenizer.from_pretrained(bert_checkpoint()).save_pretrained(folder)
    _fails([str(folder), str(labelled_csv)], capsys, "lacks trained weights for ['classifier.bias'")


def test_hf_predictions_do_not_depend_on_batching(hf_model):
    """Length-sorted batches give each text the probabilities it gets alone, in the caller's order."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    texts = TEXTS + ["", "a much longer review than the others, with many more words in it than any"]
    got = predict_proba(hf_model, texts, batch_size=3)
    tokenizer = AutoTokenizer.from_pretrained(hf_model)
    model = AutoModelForSequenceClassification.from_pretrained(hf_model).eval()
    with torch.no_grad():
        alone = np.concatenate([torch.softmax(model(**tokenizer([t], return_tensors="pt")).logits, -1).numpy()
                                for t in texts])
    assert np.allclose(got, alone, atol=1e-5)


def test_lstm_on_texts_without_words(keras_model, tmp_path, capsys):
    """Punctuation only, or nothing: the whole batch is empty after tokenisation; no TensorFlow traceback."""
    import tensorflow as tf

    from course_utils.evaluate import keras_text_proba
    from course_utils.lstm_classifier import load_lstm
    empty = predict_proba(keras_model, ["!!!", ":-)", ""])
    assert empty.shape == (3, 2) and np.allclose(empty.sum(axis=1), 1, atol=1e-5)
    assert np.allclose(empty, empty[0], atol=1e-6)              # no words: the same answer for each
    model = load_lstm(keras_model)
    mixed = keras_text_proba(model, ["!!!", "I love it", ""], batch_size=2)
    assert np.allclose(mixed[[0, 2]], empty[0], atol=1e-6)    # the same in a batch with words
    one_by_one = np.concatenate([np.asarray(model(tf.constant([t]))) for t in TEXTS])
    assert np.allclose(predict_proba(keras_model, TEXTS, batch_size=3), one_by_one, atol=1e-6)
    f = tmp_path / "smileys.csv"
    f.write_text("text,label\n!!!,1\n:-),1\n...,0\n")
    assert main([str(keras_model), str(f)]) == 0
    _report_is_well_formed(capsys.readouterr().out, 3)


def test_split_names_win_over_a_folder_of_that_name(keras_model, tmp_path, monkeypatch, capsys):
    from course_utils.reviews import load_reviews
    monkeypatch.chdir(tmp_path)
    (tmp_path / "test").mkdir()
    (tmp_path / "validation").write_text("a file without an extension")
    assert main([str(keras_model), "test"]) == 0
    assert f"test split of the course review corpus ({len(load_reviews('test'))} reviews)" in capsys.readouterr().out
    assert main([str(keras_model), "validation"]) == 0
    _fails([str(keras_model), "test", "--text-column", "body"], capsys, "columns are fixed")


def test_malformed_csv_rows_exit_2_naming_the_line(keras_model, tmp_path, capsys):
    f = tmp_path / "reviews.csv"
    f.write_text("text,label\ngreat,1\nNot good, 1,0\n")
    _fails([str(keras_model), str(f)], capsys, "line 3 has 3")
    f.write_text('text,label\n"Great,1\nBad",0\n')
    _fails([str(keras_model), str(f)], capsys, "lines 2–3: a double quote on line 2")
    f.write_text("1,great\n0,awful\n")
    _fails([str(keras_model), str(f)], capsys, "`label,text`")


def test_over_long_names_are_one_line_errors(keras_model, labelled_csv, tmp_path, capsys):
    long = str(tmp_path / ("x" * 300 + ".csv"))
    _fails([str(keras_model), long], capsys, "File name too long")
    _fails([str(tmp_path / ("m" * 300 + ".keras")), str(labelled_csv)], capsys, "File name too long")
    err_lines = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert all(len(line) < 400 for line in err_lines)


def test_progress_bar_on_long_inputs(keras_model, tmp_path, monkeypatch, capsys):
    import course_utils.evaluate as ev
    monkeypatch.setattr(ev, "PROGRESS_MIN_TEXTS", 5)
    f = tmp_path / "six.csv"
    f.write_text("text,label\n" + "".join(f"review {i},{i % 2}\n" for i in range(6)))
    assert main([str(keras_model), str(f)]) == 0
    assert "evaluating" in capsys.readouterr().err
    assert main([str(keras_model), str(f), "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    with pytest.raises(TypeError, match="progress must be True or False"):
        predict_proba(keras_model, ["x"], progress="yes")
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        predict_proba(keras_model, ["x"], batch_size=0)
    with pytest.raises(TypeError, match="item 1 is int"):
        predict_proba(keras_model, ["x", 3])


def test_length_sorted_batches_cover_every_text_once_within_the_token_budget():
    from course_utils.evaluate import _length_sorted_batches
    lengths = np.random.default_rng(0).integers(1, 600, 500)
    for batch_size, budget in ((256, 16_384), (7, None), (1, 100)):
        batches = _length_sorted_batches(lengths, batch_size, budget)
        assert sorted(np.concatenate(batches).tolist()) == list(range(500))
        assert all(1 <= len(b) <= batch_size for b in batches)
        if budget:
            assert all(len(b) == 1 or len(b) * lengths[b].max() <= budget for b in batches)
        widths = [lengths[b].max() for b in batches]
        assert widths == sorted(widths)                     # short texts first: little padding in each batch


def test_other_text_models_column_input_sigmoid_output_and_two_branches():
    """A (None, 1) string input with one sigmoid unit, and a model the vectorizer split does not apply to."""
    from course_utils.frameworks import quiet_tensorflow
    tf = quiet_tensorflow()
    import keras

    from course_utils.evaluate import keras_text_proba
    keras.utils.set_random_seed(0)
    words = keras.layers.TextVectorization(max_tokens=30)
    words.adapt(np.array(TEXTS))
    text = keras.Input(shape=(1,), dtype="string")
    ids = words(text)
    out = keras.layers.Dense(1, activation="sigmoid")(keras.layers.GlobalAveragePooling1D()(
        keras.layers.Embedding(30, 4, mask_zero=True)(ids)))
    column_model = keras.Model(text, out)
    proba = keras_text_proba(column_model, TEXTS, batch_size=4)
    want = np.asarray(column_model(tf.constant(TEXTS)[:, None]))[:, 0]
    assert proba.shape == (10, 2) and np.allclose(proba[:, 1], want, atol=1e-6)
    assert np.allclose(proba.sum(axis=1), 1)
    # an average over no tokens is 0/0 in this model: refused, naming the text, never passed on as a prediction
    with pytest.raises(ModelError, match=r"NaN or infinity for 1 of 11 texts, first text 10 \('!!!'\)"):
        keras_text_proba(column_model, TEXTS + ["!!!"], batch_size=4)

    chars = keras.layers.TextVectorization(max_tokens=30, split="character")
    chars.adapt(np.array(TEXTS))
    text2 = keras.Input(shape=(), dtype="string")
    pooled = [keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(30, 4, mask_zero=True)(v(text2)))
              for v in (words, chars)]
    two = keras.Model(text2, keras.layers.Dense(2, activation="softmax")(keras.layers.Concatenate()(pooled)))
    got = keras_text_proba(two, TEXTS, batch_size=4)
    assert np.allclose(got, np.asarray(two(tf.constant(TEXTS))), atol=1e-6)


def test_compiled_path_matches_eager_and_warns_about_nothing(keras_model, monkeypatch, capfd, caplog):
    """From _COMPILE_MIN_TEXTS texts on the classifier runs as a tf.function, one per loaded model: the same
    probabilities, and neither TensorFlow's retracing warning nor an AutoGraph one after several models."""
    import logging

    import course_utils.evaluate as ev
    from course_utils.lstm_classifier import load_lstm
    eager = ev.keras_text_proba(load_lstm(keras_model), TEXTS)
    monkeypatch.setattr(ev, "_COMPILE_MIN_TEXTS", 4)
    capfd.readouterr()
    with caplog.at_level(logging.WARNING, logger="tensorflow"):
        for _ in range(6):                                   # TensorFlow warns from the 5th retrace on
            model = load_lstm(keras_model)
            compiled = ev.keras_text_proba(model, TEXTS, batch_size=3)
            assert ev._KERAS_CACHE[model]["call"] is not None
            assert np.allclose(compiled, eager, atol=1e-6)
    assert not [r for r in caplog.records if r.name == "tensorflow"], [r.getMessage() for r in caplog.records]
    err = capfd.readouterr().err
    assert "retracing" not in err and "AutoGraph" not in err, err
