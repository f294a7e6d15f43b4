"""Tests of the real-world sentences (UCI "Sentiment Labelled Sentences") and their loader, load_uci_sentences.

Every test that breaks a file works on a copy in tmp_path; data/ is never modified.
"""
import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from course_utils.datafiles import ChecksumError, verify_checksums
from course_utils.reviews import UCI_FILES, UCI_SITES, load_reviews, load_uci_sentences, uci_dir

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "data" / "sentiment_labelled_sentences"


def _digests() -> dict:
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(FOLDER.iterdir())}


@pytest.fixture
def copy(tmp_path) -> Path:
    """A copy of the folder whose files may be broken; SHA256SUMS is not rewritten (so load with verify=False)."""
    target = tmp_path / "sentiment_labelled_sentences"
    shutil.copytree(FOLDER, target)
    for f in target.iterdir():
        f.chmod(0o644)
    return target


def _replace_line(file: Path, number: int, new: bytes) -> None:
    lines = file.read_bytes().split(b"\r\n")
    lines[number - 1] = new
    file.write_bytes(b"\r\n".join(lines))


# ---------------------------------------------------------------- the shipped files ----------

def test_the_folder_ships_the_files_its_checksums_list():
    found = verify_checksums(FOLDER, required=list(UCI_FILES.values()) + ["readme.txt"])
    assert sorted(found) == sorted([*UCI_FILES.values(), "readme.txt"])
    assert (FOLDER / "README.md").is_file(), "the data card"


def test_files_are_sentence_tab_label_with_crlf_line_ends():
    for name in UCI_FILES.values():
        raw = (FOLDER / name).read_bytes()
        assert raw.endswith(b"\r\n") and raw.count(b"\n") == raw.count(b"\r\n") == 1000, name
        assert all(line.count(b"\t") == 1 for line in raw.split(b"\r\n")[:-1]), name


def test_loader_happy_path_counts_columns_and_labels():
    df = load_uci_sentences()
    assert list(df.columns) == ["text", "label", "site"]
    assert len(df) == 3000 and list(df.index) == list(range(3000))
    assert df["label"].dtype == "int64" and set(df["label"]) == {0, 1}
    assert df.groupby(["site", "label"]).size().to_dict() == {(s, y): 500 for s in UCI_SITES for y in (0, 1)}
    assert df["site"].tolist() == [s for s in UCI_SITES for _ in range(1000)]      # site by site, in file order
    assert all(t.strip() for t in df["text"])


def test_loader_keeps_file_order_and_the_exact_sentences():
    raw = (FOLDER / UCI_FILES["imdb"]).read_bytes().decode("utf-8").split("\r\n")[:-1]
    df = load_uci_sentences("imdb")
    assert df["text"].tolist() == [line.split("\t")[0] for line in raw]
    assert df["label"].tolist() == [int(line.split("\t")[1]) for line in raw]
    assert df["text"].str.endswith("  ").all()               # IMDb sentences end in two spaces, kept as they are
    assert df["text"].str.startswith('"').sum() == 6          # stray quotes are text, not CSV quoting
    assert df["text"].str.contains("\x85").sum() == 2         # U+0085 inside a sentence does not split it


def test_sites_select_and_order_rows():
    df = load_uci_sentences(["yelp", "amazon"])
    assert df["site"].drop_duplicates().tolist() == ["yelp", "amazon"] and len(df) == 2000
    assert load_uci_sentences("amazon").equals(load_uci_sentences()[lambda d: d["site"] == "amazon"]
                                               .reset_index(drop=True))


def test_same_convention_as_the_course_corpus():
    uci, corpus = load_uci_sentences(), load_reviews("test")
    assert uci["label"].dtype == corpus["label"].dtype
    assert set(uci["label"]) == set(corpus["label"]) == {0, 1}
    negative = load_uci_sentences("amazon").iloc[0]               # "So there is no way for me to plug it in..."
    assert negative["label"] == 0 and negative["text"].startswith("So there is no way")


def test_loading_changes_nothing_on_disk():
    before = _digests()
    load_uci_sentences()
    load_uci_sentences("imdb", verify=False)
    assert _digests() == before


def test_folder_argument_accepts_the_folder_or_its_parent(copy):
    assert uci_dir(copy) == copy and uci_dir(copy.parent) == copy
    assert load_uci_sentences(folder=copy.parent).equals(load_uci_sentences())


# ---------------------------------------------------------------- checksums ------------------

def test_a_modified_file_fails_its_checksum_naming_it_and_saying_how_to_restore(copy):
    f = copy / UCI_FILES["yelp"]
    f.write_bytes(f.read_bytes().replace(b"\t1\r\n", b"\t0\r\n", 1))
    with pytest.raises(ChecksumError, match=r"yelp_labelled\.txt .*modified or corrupted.*SHA256SUMS says "
                                            r".*git checkout -- data/sentiment_labelled_sentences"):
        load_uci_sentences(folder=copy)
    assert len(load_uci_sentences(folder=copy, verify=False)) == 3000          # verify=False skips the check


def test_converted_line_ends_fail_the_checksum(copy):
    f = copy / UCI_FILES["amazon"]
    f.write_bytes(f.read_bytes().replace(b"\r\n", b"\n"))
    with pytest.raises(ChecksumError, match="amazon_cells_labelled.txt .*autocrlf"):
        load_uci_sentences("amazon", folder=copy)
    assert load_uci_sentences("amazon", folder=copy, verify=False).equals(load_uci_sentences("amazon"))


def test_missing_files_and_folders_say_how_to_get_them(copy, tmp_path):
    (copy / UCI_FILES["imdb"]).unlink()
    with pytest.raises(FileNotFoundError, match=r"imdb_labelled\.txt \(listed in SHA256SUMS\) is missing.*"
                                                r"git checkout -- data/sentiment_labelled_sentences"):
        load_uci_sentences(folder=copy)
    with pytest.raises(FileNotFoundError, match=r"imdb_labelled\.txt \(the imdb sentences\) is missing.*git checkout"):
        load_uci_sentences("imdb", folder=copy, verify=False)
    assert len(load_uci_sentences("amazon", folder=copy, verify=False)) == 1000
    (copy / "SHA256SUMS").unlink()
    with pytest.raises(FileNotFoundError, match="SHA256SUMS is missing"):
        load_uci_sentences("amazon", folder=copy)
    with pytest.raises(FileNotFoundError, match=r"does not exist.*UCI.*archive\.ics\.uci\.edu"):
        load_uci_sentences(folder=tmp_path / "nowhere")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match="SHA256SUMS is missing"):
        load_uci_sentences(folder=empty)


# ---------------------------------------------------------------- bad input ------------------

@pytest.mark.parametrize("line, message", [
    (b"A sentence without a label", r"imdb_labelled\.txt, line 7: 1 tab-separated column\(s\).*expected "
                                    r"`sentence<TAB>0` or `sentence<TAB>1`"),
    (b"Too\tmany\t1", r"imdb_labelled\.txt, line 7: 3 tab-separated column\(s\)"),
    (b"Fine.\t2", r"imdb_labelled\.txt, line 7: label '2' is not 0 or 1.*0 = negative, 1 = positive"),
    (b"Fine.\tpositive", r"line 7: label 'positive' is not 0 or 1"),
    (b"   \t1", r"imdb_labelled\.txt, line 7: the sentence is empty"),
    (b"", r"imdb_labelled\.txt, line 7: 1 tab-separated column"),
])
def test_malformed_lines_are_errors_naming_file_and_line(copy, line, message):
    _replace_line(copy / UCI_FILES["imdb"], 7, line)
    with pytest.raises(ValueError, match=message):
        load_uci_sentences("imdb", folder=copy, verify=False)
    with pytest.raises(ChecksumError):                     # with verification on, the checksum catches it first
        load_uci_sentences("imdb", folder=copy)


def test_undecodable_bytes_name_file_offset_and_line(copy):
    f = copy / UCI_FILES["yelp"]
    raw = f.read_bytes()
    offset = raw.index(b"\r\n", raw.index(b"\r\n") + 2) + 2 + 3          # 4th byte of line 3
    f.write_bytes(raw[:offset] + b"\xff" + raw[offset + 1:])
    with pytest.raises(ValueError, match=rf"yelp_labelled\.txt: byte {offset} \(line 3\) is not UTF-8.*"
                                         r"expected UTF-8 text"):
        load_uci_sentences("yelp", folder=copy, verify=False)


def test_empty_file_is_refused(copy):
    (copy / UCI_FILES["amazon"]).write_bytes(b"")
    with pytest.raises(ValueError, match=r"amazon_cells_labelled\.txt is empty; expected 1,000 lines"):
        load_uci_sentences("amazon", folder=copy, verify=False)


def test_unknown_sites_and_bad_arguments():
    with pytest.raises(ValueError, match=r"unknown site\(s\) \['twitter'\].*\['amazon', 'imdb', 'yelp'\]"):
        load_uci_sentences("twitter")
    with pytest.raises(ValueError, match=r"unknown site\(s\) \['Amazon'\]"):
        load_uci_sentences(["imdb", "Amazon"])
    with pytest.raises(ValueError, match="named more than once"):
        load_uci_sentences(["imdb", "imdb"])
    with pytest.raises(TypeError, match="sites must be"):
        load_uci_sentences([])
    with pytest.raises(TypeError, match="sites must be"):
        load_uci_sentences(3)
    with pytest.raises(TypeError, match="verify must be True or False"):
        load_uci_sentences(verify="yes")
    with pytest.raises(TypeError, match="folder must be"):
        load_uci_sentences(folder="")


def test_frame_is_a_plain_dataframe():
    df = load_uci_sentences("amazon")
    assert isinstance(df, pd.DataFrame) and df["site"].unique().tolist() == ["amazon"]


# ------------------------------------------------------------------ split_uci_sentences (section 9.1)
def test_split_uci_sentences_is_balanced_disjoint_and_reproducible():
    from course_utils.reviews import split_uci_sentences
    uci = load_uci_sentences()
    train, held_out = split_uci_sentences(uci, per_site=200, seed=0)
    assert len(train) == 600 and len(held_out) == 2400
    assert set(train.index).isdisjoint(held_out.index) and len(set(train.index) | set(held_out.index)) == 3000
    assert (train.groupby(["site", "label"]).size() == 100).all()
    assert list(held_out.index) == sorted(held_out.index)
    again, _ = split_uci_sentences(uci, per_site=200, seed=0)
    other, _ = split_uci_sentences(uci, per_site=200, seed=1)
    assert list(again.index) == list(train.index) and list(other.index) != list(train.index)


@pytest.mark.parametrize("kwargs, message", [
    ({"per_site": 201}, "even int"), ({"per_site": 0}, "even int"), ({"per_site": 1000}, "even int"),
    ({"per_site": 2.0}, "even int"), ({"per_site": True}, "even int"), ({"seed": -1}, "seed"),
    ({"seed": "0"}, "seed"),
])
def test_split_uci_sentences_rejects_bad_arguments(kwargs, message):
    from course_utils.reviews import split_uci_sentences
    with pytest.raises(ValueError, match=message):
        split_uci_sentences(load_uci_sentences("imdb"), **kwargs)


def test_split_uci_sentences_needs_the_loader_table():
    from course_utils.reviews import split_uci_sentences
    with pytest.raises(TypeError, match="load_uci_sentences"):
        split_uci_sentences(pd.DataFrame({"text": ["a"], "label": [1]}))
    small = load_uci_sentences("imdb").groupby("label").head(10)
    with pytest.raises(ValueError, match="smallest group has 10"):
        split_uci_sentences(small, per_site=20)
