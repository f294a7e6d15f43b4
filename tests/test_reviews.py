"""Tests of course_utils.reviews: the review corpus itself, its loaders, and the (text, label) file readers."""
import importlib.util
import re
import shutil
import string
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from course_utils.config import DATA_ENV
from course_utils.reviews import (DOMAINS, LABEL_NAMES, SPLITS, ChecksumError, load_hf_sentiment,
                                  load_labelled_file, load_reviews, load_reviews_dataset, parse_label,
                                  reviews_dir, verify_checksums)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corpus():
    return load_reviews()


@pytest.fixture
def corpus_copy(tmp_path):
    """A copy of data/reviews in tmp_path/data/reviews (the real files are never touched)."""
    dst = tmp_path / "data" / "reviews"
    shutil.copytree(reviews_dir(), dst)
    return dst


# ---------------------------------------------------------------- the corpus -------------

def test_label_names():
    assert LABEL_NAMES == ("negative", "positive")


def test_checksums_match_the_committed_file():
    sums = verify_checksums()
    assert set(sums) == {"reviews.csv"} and all(len(v) == 64 for v in sums.values())


def test_counts_and_columns(corpus):
    assert list(corpus.columns) == ["text", "label", "domain", "split"]
    assert len(corpus) >= 1500
    assert set(corpus["label"]) == {0, 1} and corpus["label"].dtype == np.int64
    assert set(corpus["domain"]) == set(DOMAINS)
    assert set(corpus["split"]) == set(SPLITS)
    assert corpus["text"].str.strip().str.len().min() > 0


def test_split_sizes_are_70_15_15(corpus):
    frac = corpus["split"].value_counts(normalize=True)
    assert frac["train"] == pytest.approx(0.70, abs=0.02)
    assert frac["validation"] == pytest.approx(0.15, abs=0.02)
    assert frac["test"] == pytest.approx(0.15, abs=0.02)


@pytest.mark.parametrize("split", SPLITS)
def test_each_split_is_balanced_and_has_every_domain(corpus, split):
    part = corpus[corpus["split"] == split]
    assert 0.45 <= part["label"].mean() <= 0.55
    assert set(part["domain"]) == set(DOMAINS)
    for domain in DOMAINS:   # and both labels within every domain
        assert set(part.loc[part["domain"] == domain, "label"]) == {0, 1}


def _normalise(text: str) -> str:
    text = text.lower().translate(str.maketrans("", "", string.punctuation + "’‘“”–—…"))
    return re.sub(r"\s+", " ", text).strip()


def test_no_duplicate_texts_within_or_across_splits(corpus):
    norm = corpus["text"].map(_normalise)
    dupes = corpus.loc[norm.duplicated(keep=False), ["text", "split"]]
    assert dupes.empty, f"duplicate reviews after normalising:\n{dupes.to_string()}"


def test_no_near_duplicates(corpus):
    from sklearn.feature_extraction.text import TfidfVectorizer
    tfidf = TfidfVectorizer(ngram_range=(1, 2)).fit_transform(corpus["text"])   # rows are L2-normalised
    sim = (tfidf @ tfidf.T).tocoo()
    off = sim.row < sim.col
    worst = int(np.argmax(sim.data * off)) if off.any() else None
    if worst is not None:
        value = sim.data[worst]
        i, j = sim.row[worst], sim.col[worst]
        assert value < 0.9, f"near-duplicates (cosine {value:.2f}): {corpus.text[i]!r} / {corpus.text[j]!r}"


def test_split_column_is_reproduced_by_the_documented_script(corpus):
    script = ROOT / "tools" / "make_review_splits.py"
    spec = importlib.util.spec_from_file_location("make_review_splits", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    raw = pd.read_csv(reviews_dir() / "reviews.csv", keep_default_na=False)
    recomputed = module.assign_splits(raw)
    assert (recomputed == raw["split"]).all(), "the split column differs from tools/make_review_splits.py's"


def test_load_one_split(corpus):
    test = load_reviews("test")
    assert (test["split"] == "test").all()
    assert len(test) == (corpus["split"] == "test").sum()
    assert list(test.index) == list(range(len(test)))


def test_dataset_dict(corpus):
    ds = load_reviews_dataset()
    assert list(ds) == list(SPLITS)
    for split in SPLITS:
        assert ds[split].column_names == ["text", "label", "domain"]
        assert ds[split].num_rows == (corpus["split"] == split).sum()
    assert ds["train"].features["label"].names == list(LABEL_NAMES)
    assert ds["train"].features["label"].int2str(1) == "positive"


# ---------------------------------------------------------------- folder and checksums ----

def test_folder_argument_and_env_var(corpus_copy, monkeypatch, corpus):
    assert len(load_reviews(folder=corpus_copy)) == len(corpus)
    assert len(load_reviews(folder=corpus_copy.parent)) == len(corpus)   # the data folder works too
    monkeypatch.setenv(DATA_ENV, str(corpus_copy.parent))
    assert reviews_dir() == corpus_copy
    assert len(load_reviews("train")) == (corpus["split"] == "train").sum()


def test_modified_copy_fails_with_a_clear_message(corpus_copy):
    csv_file = corpus_copy / "reviews.csv"
    csv_file.write_text(csv_file.read_text(encoding="utf-8").replace("Loved", "Hated", 1), encoding="utf-8")
    with pytest.raises(ChecksumError, match=r"reviews\.csv .*modified or corrupted.*git checkout -- data/reviews"):
        load_reviews(folder=corpus_copy)
    with pytest.raises(ChecksumError, match="modified or corrupted"):
        load_reviews_dataset(folder=corpus_copy)
    assert len(load_reviews(folder=corpus_copy, verify=False)) > 0   # verify=False skips the check


def test_env_var_copy_is_verified_too(corpus_copy, monkeypatch):
    with open(corpus_copy / "reviews.csv", "ab") as fh:
        fh.write(b"extra,1,movies,train\n")
    monkeypatch.setenv(DATA_ENV, str(corpus_copy.parent))
    with pytest.raises(ChecksumError, match="reviews.csv"):
        load_reviews()


def test_missing_files(corpus_copy, tmp_path):
    (corpus_copy / "SHA256SUMS").unlink()
    with pytest.raises(FileNotFoundError, match="SHA256SUMS is missing.*git checkout -- data/reviews"):
        verify_checksums(corpus_copy)
    (corpus_copy / "reviews.csv").unlink()
    with pytest.raises(FileNotFoundError, match="reviews.csv is missing"):
        load_reviews(folder=corpus_copy)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_reviews(folder=tmp_path / "nowhere")


def test_malformed_checksum_file(corpus_copy):
    (corpus_copy / "SHA256SUMS").write_text("not a checksum line\n")
    with pytest.raises(ChecksumError, match="line 1"):
        verify_checksums(corpus_copy)


def test_bad_values_in_corpus_are_reported(corpus_copy):
    csv_file = corpus_copy / "reviews.csv"
    df = pd.read_csv(csv_file, keep_default_na=False)
    df.loc[3, "label"] = 7
    df.to_csv(csv_file, index=False)
    with pytest.raises(ValueError, match=r"label value\(s\) \['7'\] on line\(s\) \[5\]"):
        load_reviews(folder=corpus_copy, verify=False)


def test_bad_arguments():
    with pytest.raises(ValueError, match="split must be one of"):
        load_reviews("dev")
    with pytest.raises(TypeError, match="verify"):
        load_reviews(verify="yes")
    with pytest.raises(TypeError, match="folder"):
        load_reviews(folder=3)


# ---------------------------------------------------------------- load_labelled_file -------

def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_labelled_csv_with_int_labels_and_quoting(tmp_path):
    f = _write(tmp_path / "mine.csv", 'text,label\n"Great, really great.",1\nAwful.,0\n"Two\nlines",1\n')
    df = load_labelled_file(f)
    assert list(df.columns) == ["text", "label"]
    assert df["text"].tolist() == ["Great, really great.", "Awful.", "Two\nlines"]
    assert df["label"].tolist() == [1, 0, 1] and df["label"].dtype == np.int64


def test_labelled_tsv_with_string_labels(tmp_path):
    f = _write(tmp_path / "mine.tsv", "sentence\tsentiment\nloved it\tPositive\nhated it\tneg\nfine\tpos\n")
    df = load_labelled_file(f)
    assert df["label"].tolist() == [1, 0, 1]
    assert df["text"].tolist() == ["loved it", "hated it", "fine"]


def test_labelled_txt_without_header(tmp_path):
    f = _write(tmp_path / "mine.txt", "loved it\t1\n\nhated it\tnegative\n")
    df = load_labelled_file(f)
    assert df["text"].tolist() == ["loved it", "hated it"] and df["label"].tolist() == [1, 0]


def test_labelled_file_with_named_columns_and_extra_columns(tmp_path):
    f = _write(tmp_path / "mine.csv", "id,body,y,source\n1,nice,1,web\n2,bad,0,web\n")
    df = load_labelled_file(f, text_column="body", label_column="y")
    assert df.to_dict("list") == {"text": ["nice", "bad"], "label": [1, 0]}
    with pytest.raises(ValueError, match="has no text column"):
        load_labelled_file(f)
    with pytest.raises(ValueError, match="no column 'words'"):
        load_labelled_file(f, text_column="words", label_column="y")


def test_labelled_file_reads_the_corpus_format(tmp_path):
    f = tmp_path / "test.csv"
    load_reviews("test").to_csv(f, index=False)
    df = load_labelled_file(f)
    assert len(df) == len(load_reviews("test")) and set(df["label"]) == {0, 1}


def test_labelled_file_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        load_labelled_file(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match="unsupported file type '.xlsx'"):
        load_labelled_file(_write(tmp_path / "a.xlsx", "x"))
    with pytest.raises(IsADirectoryError):
        load_labelled_file(tmp_path)
    with pytest.raises(ValueError, match="is empty"):
        load_labelled_file(_write(tmp_path / "empty.csv", ""))
    with pytest.raises(ValueError, match="header .* but no rows"):
        load_labelled_file(_write(tmp_path / "header.csv", "text,label\n"))
    with pytest.raises(ValueError, match="has no label column"):
        load_labelled_file(_write(tmp_path / "nolabel.csv", "text,stars\ngood,5\n"))
    with pytest.raises(ValueError, match=r"line\(s\) \[3\] have fewer than 2 columns"):
        load_labelled_file(_write(tmp_path / "short.tsv", "text\tlabel\ngood\t1\nno label here\n"))
    with pytest.raises(ValueError, match="empty text on line"):
        load_labelled_file(_write(tmp_path / "blank.csv", "text,label\n  ,1\n"))
    with pytest.raises(ValueError, match="not UTF-8"):
        (tmp_path / "latin.csv").write_bytes("text,label\ncaf\xe9,1\n".encode("latin-1"))
        load_labelled_file(tmp_path / "latin.csv")
    with pytest.raises(TypeError):
        load_labelled_file(None)


def test_unknown_labels_name_values_and_lines(tmp_path):
    f = _write(tmp_path / "bad.csv", "text,label\ngood,1\nmeh,neutral\nok,1\nwow,2\n")
    with pytest.raises(ValueError, match=r"'neutral' \(line 3\), '2' \(line 5\).*expected 0/1"):
        load_labelled_file(f)


def test_parse_label():
    assert [parse_label(v) for v in ("0", " 1 ", "NEGATIVE", "Pos", 1, 0, "1.0")] == [0, 1, 0, 1, 1, 0, 1]
    assert [parse_label(v) for v in ("2", "neutral", True, -1, "")] == [None] * 5


# ---------------------------------------------------------------- SST-2 and IMDB ------------

def _write_parquet(path: Path, df: pd.DataFrame) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_parquet(path, index=False)
    return path


def test_sst2_from_local_parquet_laid_out_like_the_hub(tmp_path):
    snap = tmp_path / "glue"
    _write_parquet(snap / "sst2" / "train-00000-of-00001.parquet",
                   pd.DataFrame({"sentence": ["a gorgeous film ", "dull and long "], "label": [1, 0], "idx": [0, 1]}))
    _write_parquet(snap / "sst2" / "validation-00000-of-00001.parquet",
                   pd.DataFrame({"sentence": ["it 's a charming trip ", "bland"], "label": [1, 0], "idx": [0, 1]}))
    _write_parquet(snap / "sst2" / "test-00000-of-00001.parquet",
                   pd.DataFrame({"sentence": ["unknown"], "label": [-1], "idx": [0]}))
    cache = tmp_path / "cache"
    df = load_hf_sentiment("sst2", "validation", data_files=snap, cache_dir=cache)
    assert list(df.columns) == ["text", "label"]
    assert df.to_dict("list") == {"text": ["it 's a charming trip ", "bland"], "label": [1, 0]}
    train = load_hf_sentiment("glue/sst2", "train", data_files={"train": snap / "sst2" / "train-00000-of-00001.parquet"},
                              cache_dir=cache)
    assert train["label"].tolist() == [1, 0]
    with pytest.raises(ValueError, match="test labels are hidden"):
        load_hf_sentiment("sst2", "test", data_files=snap, cache_dir=cache)
    with pytest.raises(ValueError, match=r"labels \['-1'\] \(-1 means the labels are hidden\)"):
        load_hf_sentiment("sst2", "train", data_files=snap / "sst2" / "test-00000-of-00001.parquet", cache_dir=cache)


def test_imdb_from_local_csv_and_parquet(tmp_path):
    reviews = pd.DataFrame({"text": [f"review number {i}" for i in range(10)], "label": [0] * 5 + [1] * 5})
    csv_file = tmp_path / "imdb_test.csv"
    reviews.to_csv(csv_file, index=False)
    df = load_hf_sentiment("imdb", "test", data_files=csv_file, cache_dir=tmp_path / "cache")
    assert df.equals(reviews)
    _write_parquet(tmp_path / "imdb" / "plain_text" / "train-00000-of-00001.parquet", reviews)
    sample = load_hf_sentiment("imdb", "train", data_files=tmp_path / "imdb", cache_dir=tmp_path / "cache",
                               max_rows=6, seed=0)
    assert len(sample) == 6 and set(sample["label"]) == {0, 1}   # a random sample, not the first six
    again = load_hf_sentiment("imdb", "train", data_files=tmp_path / "imdb", cache_dir=tmp_path / "cache",
                              max_rows=6, seed=0)
    assert sample.equals(again)


def test_hf_sentiment_bad_input(tmp_path):
    with pytest.raises(ValueError, match="unknown data set 'yelp'"):
        load_hf_sentiment("yelp")
    with pytest.raises(ValueError, match="labelled splits"):
        load_hf_sentiment("imdb", "unsupervised", data_files=tmp_path)
    with pytest.raises(ValueError, match="max_rows"):
        load_hf_sentiment("imdb", "train", data_files=tmp_path, max_rows=0)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_hf_sentiment("imdb", "train", data_files=tmp_path / "nope.parquet")
    with pytest.raises(FileNotFoundError, match="no file for split 'train'"):
        load_hf_sentiment("imdb", "train", data_files=tmp_path)
    with pytest.raises(ValueError, match="has no split 'train'"):
        load_hf_sentiment("imdb", "train", data_files={"test": tmp_path / "x.csv"})
    wrong = tmp_path / "wrong.csv"
    pd.DataFrame({"review": ["x"], "label": [1]}).to_csv(wrong, index=False)
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['sentence'\]"):
        load_hf_sentiment("sst2", "train", data_files=wrong, cache_dir=tmp_path / "cache")


def test_hub_download_in_offline_mode_says_network_is_needed(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    import datasets
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True, raising=False)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True, raising=False)
    with pytest.raises(RuntimeError, match="needs network access.*offline mode is on.*data_files="):
        load_hf_sentiment("sst2", "validation", cache_dir=tmp_path / "empty-cache")


# ---------------------------------------------------------------- issue 9: files that must be refused -----

def test_checksum_file_must_list_the_corpus(corpus_copy):
    """A SHA256SUMS without an entry for reviews.csv would let an edited corpus load unverified."""
    csv_file = corpus_copy / "reviews.csv"
    csv_file.write_text(csv_file.read_text(encoding="utf-8").replace("Loved", "Hated", 1), encoding="utf-8")
    other = corpus_copy / "README.md"
    other.write_text("notes\n")
    import hashlib
    (corpus_copy / "SHA256SUMS").write_text(f"{hashlib.sha256(b'notes' + bytes([10])).hexdigest()}  README.md\n")
    with pytest.raises(ChecksumError, match=r"has no entry for reviews\.csv.*git checkout -- data/reviews"):
        load_reviews(folder=corpus_copy)
    with pytest.raises(ChecksumError, match="has no entry for reviews.csv"):
        verify_checksums(corpus_copy)
    assert verify_checksums(corpus_copy, required=["README.md"]) == {
        "README.md": hashlib.sha256(b"notes\n").hexdigest()}
    with pytest.raises(TypeError, match="required must be a list of file names"):
        verify_checksums(corpus_copy, required="reviews.csv")


@pytest.mark.parametrize("content, message", [
    # a comma in an unquoted text: three cells under a two-column header
    ("text,label\nNot good, 1,0\nfine,1\n", r"line 2 has 3; the header has 2: text,label\): a comma inside a text"),
    ("text,label\nok,1\nfine,1,\n", r"line 3 has 3"),
    # a stray quote: never closed / closed with text after it / closed on a later line, swallowing a row
    ('text,label\n"Great,1\nBad,0\n', r"line 2: a double quote opens a text that is never closed"),
    ('text,label\n"Great,1\nBad,0\n"Fine",1\n', r"line 4: text follows a closing double quote .*starts on line 2"),
    ('text,label\n"Great,1\nBad",0\n', r"lines 2–3: a double quote on line 2 .*swallowed .*'Great,1'"),
    ('text\tlabel\n"Great\t1\nBad"\t0\n', r"lines 2–3: .*'Great\\t1'"),
    # no header: reversed columns, extra columns, or a first line that names nothing
    ("1,good movie\n0,bad movie\n", r"no header.*looks like a label followed by a text.*`label,text`"),
    ("1\tgood movie\n", r"`label<TAB>text`"),
    ("good movie,1,x\n", r"first line, \['good movie', '1', 'x'\], should be a header .*`text,label`.*text_column="),
    ("good,5\nbad,0\n", r"should be a header naming the columns, e.g. `text,label`"),
    ("text,text\ngood,1\n", "has no label column"),
])
def test_malformed_rows_are_errors_naming_the_line(tmp_path, content, message):
    suffix = ".tsv" if "\t" in content else ".csv"
    f = _write(tmp_path / f"mine{suffix}", content)
    with pytest.raises(ValueError, match=message):
        load_labelled_file(f)


def test_correct_files_still_load(tmp_path):
    """What the stricter reading must not refuse: quoted commas, doubled quotes, real line breaks, label first."""
    f = _write(tmp_path / "ok.csv", 'text,label\n"Not good, really",0\n"He said ""wow""",1\n"Two\nlines, no row",1\n'
                                    'Not "quoted" in the middle,0\n')
    assert load_labelled_file(f).to_dict("list") == {
        "text": ["Not good, really", 'He said "wow"', "Two\nlines, no row", 'Not "quoted" in the middle'],
        "label": [0, 1, 1, 0]}
    g = _write(tmp_path / "rev.csv", "label,text\n1,good\n0,bad\n")
    assert load_labelled_file(g).to_dict("list") == {"text": ["good", "bad"], "label": [1, 0]}


def test_text_over_the_csv_field_limit(tmp_path):
    import csv
    f = _write(tmp_path / "long.csv", 'text,label\n"' + "a" * 140_000 + '",1\n')
    limit = csv.field_size_limit()
    with pytest.raises(ValueError, match=r"line 2: a text is longer than the csv module's limit of 131,072 .*"
                                         r"csv\.field_size_limit\(10_000_000\)"):
        load_labelled_file(f)
    try:                                       # the fix the message gives works
        csv.field_size_limit(10_000_000)
        assert len(load_labelled_file(f)["text"][0]) == 140_000
    finally:
        csv.field_size_limit(limit)


def test_over_long_file_name_is_one_line(tmp_path):
    with pytest.raises(ValueError, match=r"^cannot use .*….* \(\d+ characters\) as a file: File name too long$"):
        load_labelled_file(tmp_path / ("x" * 300 + ".csv"))


def test_spreadsheet_renamed_to_csv_is_refused(tmp_path):
    import io
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:       # what an .xlsx file is
        archive.writestr("xl/workbook.xml", "<workbook/>" * 50)
    (tmp_path / "sheet.csv").write_bytes(buffer.getvalue())
    with pytest.raises(ValueError, match="sheet.csv is not UTF-8 text"):
        load_labelled_file(tmp_path / "sheet.csv")
