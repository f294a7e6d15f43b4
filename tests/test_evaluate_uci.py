"""Tests of the evaluation command on real-world sentences: headerless TSV files as the UCI set ships them
(``sentence<TAB>0|1``, CRLF, stray double quotes), the ``uci`` data name, and ``--group-by``."""
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from course_utils.evaluate import format_groups, grouped_accuracy, load_data, main
from course_utils.reviews import DOMAINS, UCI_FILES, load_labelled_file, load_uci_sentences

ROOT = Path(__file__).resolve().parent.parent
UCI = ROOT / "data" / "sentiment_labelled_sentences"
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


def _fails(argv, capsys, message):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "usage:" in err and message in err and "Traceback" not in err, err


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- reading the files as they ship ----

@pytest.mark.parametrize("site", sorted(UCI_FILES))
def test_each_uci_file_reads_as_it_ships(site):
    df = load_labelled_file(UCI / UCI_FILES[site])
    expected = load_uci_sentences(site)
    assert df["text"].tolist() == expected["text"].tolist()
    assert df["label"].tolist() == expected["label"].tolist()


def test_quotes_in_a_headerless_tsv_are_text_when_csv_quoting_does_not_fit(tmp_path):
    f = _write(tmp_path / "plain.txt", b'" Stray quote at the start.  \t1\r\nA "quoted" word\t0\r\nBad "movie\t0\r\n')
    assert load_labelled_file(f).to_dict("list") == {
        "text": ['" Stray quote at the start.  ', 'A "quoted" word', 'Bad "movie'], "label": [1, 0, 0]}
    with pytest.raises(ValueError, match=r"plain\.txt, line \d: .*double quote"):
        load_labelled_file(f, quotes=True)                       # forced CSV quoting: the stray quote is an error


def test_csv_quoting_still_applies_where_it_fits(tmp_path):
    f = _write(tmp_path / "quoted.tsv", b'text\tlabel\r\n"Tab\tinside"\t1\r\n"plain"\t0\r\n')
    assert load_labelled_file(f)["text"].tolist() == ["Tab\tinside", "plain"]
    with pytest.raises(ValueError, match=r"rows with more cells than columns \(line 2 has 3"):
        load_labelled_file(f, quotes=False)                     # literal quotes: the tab splits the text


def test_a_stray_quote_under_a_header_is_still_an_error_with_a_hint(tmp_path):
    f = _write(tmp_path / "mine.tsv", b'text\tlabel\n"Great\t1\nBad"\t0\n')
    with pytest.raises(ValueError, match=r"lines 2–3: .*swallowed.*--no-quotes"):
        load_labelled_file(f)
    assert load_labelled_file(f, quotes=False)["text"].tolist() == ['"Great', 'Bad"']


@pytest.mark.parametrize("content, message", [
    (b"good\t1\r\nno label here\r\n", r"bad\.txt: line\(s\) \[2\] have fewer than 2 columns"),
    (b"good\t1\r\ntoo\tmany\t1\r\n", r"bad\.txt: rows with more cells than columns \(line 2 has 3"),
    (b"good\t1\r\nmeh\t7\r\n", r"bad\.txt: unknown label\(s\) '7' \(line 2\)"),
    (b'good "x\t1\r\n \t0\r\n', r"bad\.txt: empty text on line\(s\) \[2\]"),
    (b"good\t1\r\ncaf\xe9\t1\r\n", r"bad\.txt is not UTF-8 text \(.* at byte 11, line 2\)"),
])
def test_bad_headerless_files_are_clear_errors(tmp_path, content, message):
    with pytest.raises(ValueError, match=message):
        load_labelled_file(_write(tmp_path / "bad.txt", content))


def test_extra_columns_are_returned_and_checked(tmp_path):
    f = _write(tmp_path / "mine.tsv", b"text\tlabel\tsource\r\ngood\t1\tweb\r\nbad\t0\tshop\r\n")
    assert load_labelled_file(f, extra_columns=["source"]).to_dict("list") == {
        "text": ["good", "bad"], "label": [1, 0], "source": ["web", "shop"]}
    with pytest.raises(ValueError, match=r"has no column 'site' \(its header is \['text', 'label', 'source'\]\)"):
        load_labelled_file(f, extra_columns=["site"])
    plain = _write(tmp_path / "plain.txt", b"good\t1\r\n")
    with pytest.raises(ValueError, match=r"plain\.txt has no header, so it has no column 'site'.*"
                                         r"text<TAB>label<TAB>site"):
        load_labelled_file(plain, extra_columns=["site"])
    with pytest.raises(ValueError, match="cannot include 'label'"):
        load_labelled_file(f, extra_columns=["label"])
    with pytest.raises(TypeError, match="extra_columns must be a list"):
        load_labelled_file(f, extra_columns="source")
    with pytest.raises(TypeError, match="quotes must be None"):
        load_labelled_file(f, quotes="no")


# ---------------------------------------------------------------- load_data and grouping -----------

def test_uci_word_and_folder_load_the_shipped_set():
    df, name = load_data("uci", group_by="site")
    assert len(df) == 3000 and "site" in df and name.startswith("UCI Sentiment Labelled Sentences (3000 sentences")
    folder_df, _ = load_data(str(UCI))
    assert folder_df.equals(df)


def test_load_data_refuses_what_does_not_fit():
    with pytest.raises(ValueError, match=r"no column 'domain' in the UCI sentences.*\['label', 'site'\]"):
        load_data("uci", group_by="domain")
    with pytest.raises(ValueError, match="no column 'site' in the course corpus's test split"):
        load_data("test", group_by="site")
    with pytest.raises(ValueError, match="one group per text"):
        load_data("uci", group_by="text")
    with pytest.raises(ValueError, match="columns are fixed"):
        load_data("uci", text_column="sentence")
    with pytest.raises(ValueError, match="--no-quotes is for your own"):
        load_data("uci", quotes=False)
    df, _ = load_data("test", group_by="domain")
    assert set(df["domain"]) == set(DOMAINS)


def test_grouped_accuracy_by_hand():
    rows = grouped_accuracy([1, 0, 1, 1, 0], [1, 1, 1, 0, 0], ["b", "a", "b", "a", "c"])
    assert rows == [{"group": "a", "n": 2, "correct": 0, "accuracy": 0.0},
                    {"group": "b", "n": 2, "correct": 2, "accuracy": 1.0},
                    {"group": "c", "n": 1, "correct": 1, "accuracy": 1.0}]
    table = format_groups(rows, "site")
    assert table.splitlines()[0] == "accuracy by site" and table.splitlines()[2].split() == ["a", "2", "0", "0.0000"]
    with pytest.raises(ValueError, match="equally long"):
        grouped_accuracy([1, 0], [1, 0], ["a"])


# ---------------------------------------------------------------- the command ------------------------

def _group_rows(out: str, column: str) -> dict:
    lines = out.split(f"accuracy by {column}\n", 1)[1].splitlines()[1:]
    return {line.split()[0]: [float(x) for x in line.split()[1:]] for line in lines if line.strip()}


def test_command_on_uci_grouped_by_site(keras_model, capsys):
    assert main([str(keras_model), "uci", "--group-by", "site", "--quiet"]) == 0
    out = capsys.readouterr().out
    correct = int(out.split("accuracy: ")[1].split("(")[1].split(" of ")[0])
    groups = _group_rows(out, "site")
    assert sorted(groups) == ["amazon", "imdb", "yelp"]
    assert [n for n, _, _ in groups.values()] == [1000, 1000, 1000]
    assert sum(c for _, c, _ in groups.values()) == correct          # the groups add up to the overall count
    assert all(abs(acc - c / n) < 1e-4 for n, c, acc in groups.values())


def test_command_on_one_uci_file_and_on_a_headed_file(keras_model, tmp_path, capsys):
    assert main([str(keras_model), str(UCI / UCI_FILES["imdb"]), "--quiet"]) == 0
    assert "imdb_labelled.txt (1000 texts)" in capsys.readouterr().out
    f = _write(tmp_path / "mine.tsv", "text\tlabel\tsite\n".encode() +
               "".join(f"{t}\t{y}\t{'a' if i % 2 else 'b'}\n" for i, (t, y) in enumerate(zip(TEXTS, LABELS))).encode())
    assert main([str(keras_model), str(f), "--group-by", "site"]) == 0
    assert [n for n, _, _ in _group_rows(capsys.readouterr().out, "site").values()] == [5, 5]
    assert main([str(keras_model), str(f), "--group-by", "label"]) == 0      # recall per class
    assert sorted(_group_rows(capsys.readouterr().out, "label")) == ["0", "1"]


def test_command_errors_exit_2_without_a_traceback(keras_model, tmp_path, capsys):
    _fails([str(keras_model), "uci", "--group-by", "stars"], capsys, "no column 'stars' in the UCI sentences")
    plain = _write(tmp_path / "plain.txt", b"good\t1\r\nbad\t0\r\n")
    _fails([str(keras_model), str(plain), "--group-by", "site"], capsys, "plain.txt has no header")
    for content, message in [(b"good\t1\r\nno label\r\n", "fewer than 2 columns"),
                             (b"good\t1\r\nmeh\tneutral\r\n", "'neutral' (line 2)"),
                             (b"good\t1\r\n\t0\r\n", "empty text on line(s) [2]")]:
        _fails([str(keras_model), str(_write(tmp_path / "bad.txt", content))], capsys, message)
    broken = tmp_path / "sentiment_labelled_sentences"
    shutil.copytree(UCI, broken)
    (broken / UCI_FILES["yelp"]).chmod(0o644)
    (broken / UCI_FILES["yelp"]).write_bytes(b"changed\t1\r\n")
    _fails([str(keras_model), str(broken)], capsys, "yelp_labelled.txt in")


def test_command_in_a_subprocess_exit_code_and_stderr(keras_model, tmp_path):
    bad = _write(tmp_path / "bad.txt", b"good\t1\r\nbad\t2\r\n")
    done = subprocess.run([sys.executable, "-m", "course_utils.evaluate", str(keras_model), str(bad)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "unknown label(s) '2' (line 2)" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
