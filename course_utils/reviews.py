"""The course review corpus, labelled (text, label) files, and the Hub's SST-2 and IMDB.

Introduced in chapter 06 (the LSTM classifier) and used by chapters 08–09 and by
``python -m course_utils.evaluate``.

- :func:`load_reviews` / :func:`load_reviews_dataset`: the course's hand-written English
  reviews (over 3,000) in ``data/reviews/reviews.csv`` (columns ``text, label, domain, split``; label
  0 = negative, 1 = positive), as a pandas DataFrame or a Hugging Face ``DatasetDict``.
  Both verify the file's SHA-256 against ``data/reviews/SHA256SUMS`` first.
- :func:`load_uci_sentences`: 3,000 real review sentences (Amazon, IMDb, Yelp) of the UCI Machine
  Learning Repository's "Sentiment Labelled Sentences" in ``data/sentiment_labelled_sentences``, with a
  ``site`` column, the out-of-domain test of chapters 06 and 08 (introduced with the real-world
  sentences; never trained on). Verifies ``SHA256SUMS`` first.
- :func:`split_uci_sentences`: a few UCI sentences per site to learn from, the rest held out (section 9.1).
- :func:`load_labelled_file`: any ``.csv`` / ``.tsv`` / ``.txt`` file of (text, label) rows,
  e.g. your own reviews, for the evaluation command.
- :func:`load_hf_sentiment`: SST-2 or IMDB from the Hugging Face Hub (needs network), or
  the same code path on local copies of their files (``data_files=``), in the same
  (text, label) format.

The corpus folder is ``data/reviews`` of the course checkout, or ``$BIGMODEL_COURSE_DATA/reviews``
(see :mod:`course_utils.config`), or a folder you pass.
"""
from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pandas as pd

from .config import DATA_ENV, REPO_URL, data_dir
from .datafiles import ChecksumError
from .datafiles import verify_checksums as _verify_folder

#: Class names, indexed by label: 0 = negative, 1 = positive.
LABEL_NAMES = ("negative", "positive")
#: The six domains of the course corpus, and its three fixed splits.
DOMAINS = ("apps", "books", "critics", "movies", "products", "restaurants")
SPLITS = ("train", "validation", "test")
#: Columns of ``reviews.csv``.
COLUMNS = ("text", "label", "domain", "split")
CORPUS_FILE = "reviews.csv"
CHECKSUM_FILE = "SHA256SUMS"

#: Spellings of labels that :func:`load_labelled_file` accepts (compared after strip + lowercase).
LABEL_ALIASES = {"0": 0, "1": 1, "0.0": 0, "1.0": 1,
                 "negative": 0, "positive": 1, "neg": 0, "pos": 1}
_TEXT_NAMES = ("text", "sentence", "review")
_LABEL_NAMES = ("label", "labels", "sentiment")
_RESTORE = ("Restore the committed files with `git checkout -- data/reviews` in your clone of the course "
            f"(or clone {REPO_URL} again). If you edited the corpus on purpose, run "
            "`python tools/make_review_splits.py`, which rewrites the split column and SHA256SUMS.")


# --------------------------------------------------------------------------------------------
# The course corpus
# --------------------------------------------------------------------------------------------

def reviews_dir(folder: str | os.PathLike | None = None) -> Path:
    """Folder holding ``reviews.csv`` and ``SHA256SUMS``.

    ``folder`` may be that folder itself or a data folder that has a ``reviews/`` sub-folder;
    ``None`` means ``data/reviews`` of the course (or ``$BIGMODEL_COURSE_DATA/reviews``).
    """
    if folder is None:
        path = data_dir() / "reviews"
        where = f"the course data folder (set {DATA_ENV} to use another)"
    else:
        if not isinstance(folder, (str, os.PathLike)) or not str(folder).strip():
            raise TypeError(f"folder must be a path to the corpus folder or None, got {folder!r}")
        path = Path(folder).expanduser()
        if not path.is_dir():
            raise FileNotFoundError(f"corpus folder {path} does not exist")
        if not (path / CORPUS_FILE).exists() and (path / "reviews" / CORPUS_FILE).exists():
            path = path / "reviews"
        where = str(path)
    if not (path / CORPUS_FILE).is_file():
        raise FileNotFoundError(
            f"The review corpus {CORPUS_FILE} is missing from {where}. It ships with the course repository: "
            f"run `git checkout -- data/reviews` in your clone, or clone {REPO_URL} again.")
    return path


def verify_checksums(folder: str | os.PathLike | None = None, required=(CORPUS_FILE,)) -> dict:
    """Check every file listed in the corpus folder's ``SHA256SUMS``; return ``{name: sha256}``.

    Raises :class:`ChecksumError` naming the file when its contents changed (edited,
    truncated, or line endings converted) or when ``SHA256SUMS`` does not list a file in
    ``required`` (by default ``reviews.csv``: a file without an entry could not be verified), and
    ``FileNotFoundError`` when a listed file or ``SHA256SUMS`` itself is missing. The messages say
    how to restore the files.
    """
    if isinstance(required, str) or not isinstance(required, (tuple, list)) or \
            not all(isinstance(name, str) and name for name in required):
        raise TypeError(f"required must be a list of file names, got {required!r}")
    return _verify_folder(reviews_dir(folder), required, restore=_RESTORE, what="corpus folder")


def _validate_corpus(df: pd.DataFrame, file: Path) -> pd.DataFrame:
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{file.name} lacks the column(s) {missing}; expected the columns {list(COLUMNS)}. "
                         f"{_RESTORE}")
    df = df[list(COLUMNS)].copy()
    for column, allowed in (("label", {"0", "1"}), ("split", set(SPLITS))):
        bad = ~df[column].isin(allowed)
        if bad.any():
            rows = [int(i) + 2 for i in df.index[bad][:5]]
            raise ValueError(f"{file.name}: unexpected {column} value(s) {sorted(set(df.loc[bad, column]))[:5]} "
                             f"on line(s) {rows}; expected one of {sorted(allowed)}. {_RESTORE}")
    empty = df["text"].str.strip() == ""
    if empty.any():
        raise ValueError(f"{file.name}: empty review text on line(s) {[int(i) + 2 for i in df.index[empty][:5]]}. "
                         f"{_RESTORE}")
    df["label"] = df["label"].astype("int64")
    return df


def load_reviews(split: str | None = None, verify: bool = True,
                 folder: str | os.PathLike | None = None) -> pd.DataFrame:
    """The course review corpus as a DataFrame with columns ``text, label, domain, split``.

    Args:
        split: ``"train"``, ``"validation"``, ``"test"``, or ``None`` for all reviews.
        verify: check ``reviews.csv`` against ``SHA256SUMS`` first (fast; leave it on).
        folder: the corpus folder; ``None`` means ``data/reviews`` of the course
            (or ``$BIGMODEL_COURSE_DATA/reviews``).

    Rows keep the file's order; the index is reset to 0..n-1.
    """
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {list(SPLITS)} or None (all reviews), got {split!r}")
    if not isinstance(verify, bool):
        raise TypeError(f"verify must be True or False, got {verify!r}")
    path = reviews_dir(folder)
    if verify:
        verify_checksums(path)
    file = path / CORPUS_FILE
    try:
        df = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValueError(f"{file.name} in {path} could not be read as UTF-8 CSV ({exc}). {_RESTORE}") from exc
    df = _validate_corpus(df, file)
    if split is not None:
        df = df[df["split"] == split]
    return df.reset_index(drop=True)


def load_reviews_dataset(verify: bool = True, folder: str | os.PathLike | None = None):
    """The corpus as a Hugging Face ``DatasetDict`` with splits train / validation / test.

    Columns: ``text`` (string), ``label`` (``ClassLabel`` with names negative/positive) and
    ``domain`` (string). Needs the ``datasets`` library.
    """
    try:
        from datasets import ClassLabel, Dataset, DatasetDict, Features, Value
    except ImportError as exc:
        raise ImportError("load_reviews_dataset() needs the Hugging Face `datasets` library: "
                          "`pip install datasets` (the course's `make lab` installs it).") from exc
    df = load_reviews(verify=verify, folder=folder)
    features = Features({"text": Value("string"), "label": ClassLabel(names=list(LABEL_NAMES)),
                         "domain": Value("string")})
    return DatasetDict({
        name: Dataset.from_pandas(df.loc[df["split"] == name, ["text", "label", "domain"]].reset_index(drop=True),
                                  features=features, preserve_index=False)
        for name in SPLITS})


# --------------------------------------------------------------------------------------------
# Real-world sentences: UCI "Sentiment Labelled Sentences" (chapters 06/08)
# --------------------------------------------------------------------------------------------

#: Sub-folder of the data folder that holds the UCI sentences.
UCI_FOLDER = "sentiment_labelled_sentences"
#: site -> file of the UCI "Sentiment Labelled Sentences" (1,000 sentences each, 500 per label).
UCI_FILES = {"amazon": "amazon_cells_labelled.txt", "imdb": "imdb_labelled.txt", "yelp": "yelp_labelled.txt"}
UCI_SITES = tuple(UCI_FILES)
UCI_URL = "https://archive.ics.uci.edu/dataset/331/sentiment+labelled+sentences"
_UCI_RESTORE = (f"Restore the committed files with `git checkout -- data/{UCI_FOLDER}` in your clone of the course "
                f"(or clone {REPO_URL} again); they are byte-identical copies of the UCI Machine Learning Repository's "
                f"\"Sentiment Labelled Sentences\" ({UCI_URL}), with CRLF line ends that must not be converted.")


def uci_dir(folder: str | os.PathLike | None = None) -> Path:
    """Folder holding the UCI sentence files and their ``SHA256SUMS`` (introduced with the real-world sentences).

    ``folder`` may be that folder itself or a data folder that has a ``sentiment_labelled_sentences/``
    sub-folder; ``None`` means ``data/sentiment_labelled_sentences`` of the course (or
    ``$BIGMODEL_COURSE_DATA/sentiment_labelled_sentences``).
    """
    if folder is None:
        path = data_dir() / UCI_FOLDER
        where = f"the course data folder (set {DATA_ENV} to use another)"
    else:
        if not isinstance(folder, (str, os.PathLike)) or not str(folder).strip():
            raise TypeError(f"folder must be a path to the folder of the UCI sentences or None, got {folder!r}")
        path = Path(folder).expanduser()
        if not path.is_dir():
            raise FileNotFoundError(f"folder {path} does not exist; expected the folder of the UCI sentences "
                                    f"(data/{UCI_FOLDER} of the course). {_UCI_RESTORE}")
        if not any((path / name).exists() for name in UCI_FILES.values()) and (path / UCI_FOLDER).is_dir():
            path = path / UCI_FOLDER
        where = str(path)
    if not path.is_dir():
        raise FileNotFoundError(f"The folder {UCI_FOLDER}/ of the UCI sentences is missing from {where}. "
                                f"{_UCI_RESTORE}")
    return path


def _parse_uci_file(file: Path, site: str) -> tuple[list[str], list[int]]:
    """(sentences, labels) of one UCI file: ``sentence<TAB>0|1`` per line, no header, no quoting."""
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"{file.name} (the {site} sentences) is missing from {file.parent}. "
                                f"{_UCI_RESTORE}") from None
    try:
        content = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ValueError(f"{file.name}: byte {exc.start} (line {line}) is not UTF-8 ({exc.reason}: "
                         f"{raw[exc.start:exc.start + 1]!r}); expected UTF-8 text. {_UCI_RESTORE}") from None
    # Split on "\n" only: str.splitlines() would also split at U+0085 (NEL), which imdb_labelled.txt holds
    # inside sentences (a Windows-1252 ellipsis decoded as Latin-1 somewhere upstream).
    rows = content.split("\n")
    if rows and rows[-1] == "":
        rows.pop()                                   # the line end of the last line
    if not rows:
        raise ValueError(f"{file.name} is empty; expected 1,000 lines `sentence<TAB>0|1`. {_UCI_RESTORE}")
    texts, labels = [], []
    expected = "expected `sentence<TAB>0` or `sentence<TAB>1` (one tab, no header)"
    for number, row in enumerate(rows, 1):
        row = row[:-1] if row.endswith("\r") else row
        cells = row.split("\t")
        if len(cells) != 2:
            raise ValueError(f"{file.name}, line {number}: {len(cells)} tab-separated column(s) in "
                             f"{row[:60]!r}; {expected}. {_UCI_RESTORE}")
        text, label = cells
        if label.strip() not in ("0", "1"):
            raise ValueError(f"{file.name}, line {number}: label {label!r} is not 0 or 1; {expected} "
                             f"(0 = negative, 1 = positive). {_UCI_RESTORE}")
        if not text.strip():
            raise ValueError(f"{file.name}, line {number}: the sentence is empty; {expected}. {_UCI_RESTORE}")
        texts.append(text)
        labels.append(int(label.strip()))
    return texts, labels


def load_uci_sentences(sites=None, verify: bool = True, folder: str | os.PathLike | None = None) -> pd.DataFrame:
    """The UCI "Sentiment Labelled Sentences" as a DataFrame with columns ``text, label, site``.

    Introduced with the real-world sentences: the out-of-domain test of chapter 06's LSTM and chapter
    08's BERT classifier, which never train on them. 1,000 review sentences per site (Amazon phone
    reviews, IMDb film reviews, Yelp restaurant reviews), 500 positive and 500 negative each;
    ``label`` is 0 = negative, 1 = positive, as in :func:`load_reviews`. Data card:
    ``data/sentiment_labelled_sentences/README.md``.

    Args:
        sites: ``None`` for all of :data:`UCI_SITES` (``"amazon"``, ``"imdb"``, ``"yelp"``), one site
            name, or a list of them; rows come site by site in that order, each in file order.
        verify: check every file against ``SHA256SUMS`` first (fast; leave it on).
        folder: the folder of the UCI files; ``None`` means ``data/sentiment_labelled_sentences``.

    The texts are exactly the files' sentences (the IMDb ones end in two spaces; a few hold stray
    double quotes); nothing on disk is changed. A malformed line is a ``ValueError`` naming the
    file and the line.
    """
    if sites is None:
        chosen = list(UCI_SITES)
    elif isinstance(sites, str):
        chosen = [sites]
    elif isinstance(sites, (list, tuple)) and sites and all(isinstance(s, str) for s in sites):
        chosen = list(sites)
    else:
        raise TypeError(f"sites must be None, a site name or a non-empty list of site names {list(UCI_SITES)}, "
                        f"got {sites!r}")
    unknown = [s for s in chosen if s not in UCI_FILES]
    if unknown:
        raise ValueError(f"unknown site(s) {unknown}; the UCI sentences come from the sites {list(UCI_SITES)}")
    twice = sorted({s for s in chosen if chosen.count(s) > 1})
    if twice:
        raise ValueError(f"site(s) {twice} named more than once; each site's sentences would be repeated")
    if not isinstance(verify, bool):
        raise TypeError(f"verify must be True or False, got {verify!r}")
    path = uci_dir(folder)
    if verify:
        _verify_folder(path, [UCI_FILES[s] for s in chosen], restore=_UCI_RESTORE,
                       what="folder of the UCI sentences")
    frames = []
    for site in chosen:
        texts, labels = _parse_uci_file(path / UCI_FILES[site], site)
        frames.append(pd.DataFrame({"text": texts, "label": pd.array(labels, dtype="int64"), "site": site}))
    return pd.concat(frames, ignore_index=True)


def split_uci_sentences(uci: pd.DataFrame | None = None, per_site: int = 200, seed: int = 0):
    """``(train, held_out)``: ``per_site`` UCI sentences of every site to learn from, the rest held out.

    Introduced with the real-world sentences (chapters 06 and 08, section 9.1, and
    ``benchmarks/bench_realworld.py``): the fix for distribution shift trains on a few real sentences
    and is scored only on the others. Each site gives ``per_site`` sentences, half positive and half
    negative, drawn with ``seed``; a smaller ``per_site`` with the same seed is not guaranteed to be a
    subset of a larger one. ``held_out`` keeps file order.

    Args:
        uci: the table of :func:`load_uci_sentences` (``None`` loads all sites).
        per_site: an even number from 2 to 998 (each site has 500 sentences per label).
        seed: the sampling seed.
    """
    if isinstance(per_site, bool) or not isinstance(per_site, int) or not 2 <= per_site <= 998 or per_site % 2:
        raise ValueError(f"per_site must be an even int from 2 to 998 (half of it per label), got {per_site!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if uci is None:
        uci = load_uci_sentences()
    if not isinstance(uci, pd.DataFrame) or not {"text", "label", "site"} <= set(uci.columns):
        raise TypeError("uci must be the DataFrame of load_uci_sentences() (columns text, label, site)")
    smallest = int(uci.groupby(["site", "label"]).size().min()) if len(uci) else 0
    if smallest < per_site // 2 + 1:
        raise ValueError(f"per_site={per_site} needs more than {per_site // 2} sentences per site and label; "
                         f"the smallest group has {smallest}")
    train = uci.groupby(["site", "label"], group_keys=False).sample(per_site // 2, random_state=seed)
    return train, uci.drop(train.index)


# --------------------------------------------------------------------------------------------
# Any (text, label) file
# --------------------------------------------------------------------------------------------

def parse_label(value) -> int | None:
    """0 or 1 for a label spelled 0/1, negative/positive or neg/pos (any case); ``None`` otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value in (0, 1) else None
    return LABEL_ALIASES.get(str(value).strip().lower())


def _find_column(header: list[str], wanted: str | None, candidates: tuple, role: str, file: Path,
                 example: str) -> int:
    lowered = [h.strip().lower() for h in header]
    if wanted is not None:
        if not isinstance(wanted, str) or not wanted:
            raise TypeError(f"{role}_column must be a column name (string), got {wanted!r}")
        if wanted in header:
            return header.index(wanted)
        if wanted.strip().lower() in lowered:
            return lowered.index(wanted.strip().lower())
        raise ValueError(f"{file.name} has no column {wanted!r} (its header is {header})")
    for name in candidates:
        if name in lowered:
            return lowered.index(name)
    raise ValueError(
        f"{file.name} has no {role} column: its first line, {header}, should be a header naming the columns, "
        f"e.g. `{example}` (a text column called text, sentence or review, and a label column called label, "
        f"labels or sentiment). Add that line, or name the columns with {role}_column=... "
        f"(--{role}-column on the command line).")


def _short_name(file: Path, limit: int = 60) -> str:
    name = str(file)
    return name if len(name) <= limit else f"{name[:limit // 2]}…{name[-limit // 2:]} ({len(name)} characters)"


def _stat(file: Path) -> tuple[bool, bool]:
    """(exists, is a folder), with a one-line error for paths the system cannot even look up."""
    try:
        return file.exists(), file.is_dir()
    except OSError as exc:          # e.g. "File name too long" (ENAMETOOLONG)
        raise ValueError(f"cannot use {_short_name(file)} as a file: {exc.strerror or exc}") from None


def _csv_error(exc: csv.Error, file: Path, kind: str, start: int, line: int) -> ValueError:
    """A learner-readable message for what the csv module refuses in strict mode."""
    text = str(exc)
    quote_rule = ("A double quote inside a text must be doubled (\"\"), or the whole text put in double quotes: "
                  "\"He said \"\"wow\"\"\",1")
    if "field larger than field limit" in text:
        limit = csv.field_size_limit()
        return ValueError(
            f"{file.name}, line {start}: a text is longer than the csv module's limit of {limit:,} characters. "
            f"Usually a double quote that is never closed has swallowed the rest of the file: look at line {start}. "
            f"If the text really is that long, raise the limit before loading: "
            f"`import csv; csv.field_size_limit({max(limit * 10, 10_000_000):_})`.")
    if "unexpected end of data" in text:
        return ValueError(f"{file.name}, line {start}: a double quote opens a text that is never closed (the file ends "
                          f"inside it), so the rows after it would merge into one text. {quote_rule}")
    if "expected after" in text:
        return ValueError(f"{file.name}, line {line}: text follows a closing double quote (in the row that starts "
                          f"on line {start}), so a quote is unbalanced. {quote_rule}")
    if "NUL" in text:
        return ValueError(f"{file.name}, line {line} contains a NUL byte: it is not a text file (a spreadsheet "
                          f"saved as .{kind.lower()}?). Export it as UTF-8 {kind}.")
    return ValueError(f"{file.name} is not a valid {kind} file: line {line}: {text}")


def _merged_rows(text: str, delimiter: str) -> str | None:
    """The first inner line of a multi-line text that looks like a whole row (``...,1``), else None."""
    lines = re.split(r"\r\n|\r|\n", text)
    if len(lines) < 2:
        return None
    ends_with_label = re.compile(re.escape(delimiter) + r"\s*(" + "|".join(map(re.escape, LABEL_ALIASES))
                                 + r")\s*$", re.IGNORECASE)
    return next((ln for ln in lines[:-1] if ends_with_label.search(ln)), None)


def _read_cells(file: Path, delimiter: str, kind: str, quoted: bool) -> tuple[list, list, list]:
    """The non-blank rows of ``file`` split into cells, with the line each row starts and ends on.

    ``quoted=False`` reads double quotes as ordinary characters (``csv.QUOTE_NONE``).
    """
    rows, lines, ends = [], [], []
    start = 1
    options = {} if quoted else {"quoting": csv.QUOTE_NONE}
    try:
        with open(file, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh, delimiter=delimiter, strict=True, **options)
            for row in reader:
                if any(cell.strip() for cell in row):     # skip blank lines
                    rows.append(row)
                    lines.append(start)
                    ends.append(reader.line_num)
                start = reader.line_num + 1
    except UnicodeDecodeError as exc:
        offset, line = _undecodable(file, exc)
        raise ValueError(f"{file.name} is not UTF-8 text ({exc.reason} at byte {offset}, line {line}); "
                         "save it as UTF-8") from exc
    except csv.Error as exc:
        raise _csv_error(exc, file, kind, start, reader.line_num) from None
    except OSError as exc:
        raise ValueError(f"cannot read {_short_name(file)}: {exc.strerror or exc}") from None
    return rows, lines, ends


def _undecodable(file: Path, exc: UnicodeDecodeError) -> tuple[int, int]:
    """(byte offset in the file, line number) of the first byte that is not UTF-8.

    The decoder's own offset counts from the start of the block it was decoding, not of the file."""
    try:
        raw = file.read_bytes()
        raw.decode("utf-8")
    except UnicodeDecodeError as whole:
        return whole.start, raw[:whole.start].count(b"\n") + 1
    except OSError:
        pass
    return exc.start, 1


def _cells_to_frame(file: Path, rows: list, lines: list, ends: list, text_column, label_column,
                    extra_columns: tuple, headerless_only: bool = False) -> pd.DataFrame:
    """Header detection, column checks and label parsing of :func:`load_labelled_file`."""
    suffix = file.suffix.lower()
    delimiter = "," if suffix == ".csv" else "\t"
    sep = "," if suffix == ".csv" else "<TAB>"
    if not rows:
        raise ValueError(f"{file.name} is empty; expected a header (e.g. `text{sep}label`) and (text, label) rows")

    first = rows[0]
    plain = text_column is None and label_column is None and len(first) == 2
    if plain and parse_label(first[0]) is not None and parse_label(first[1]) is None \
            and first[1].strip().lower() not in _TEXT_NAMES + _LABEL_NAMES:
        raise ValueError(f"{file.name} has no header, and its first line, {first}, looks like a label followed by "
                         f"a text. Add a header line that names the columns in their order: `label{sep}text`.")
    has_header = not (plain and parse_label(first[1]) is not None and first[0].strip().lower() not in _TEXT_NAMES)
    if has_header and headerless_only:
        raise ValueError(f"{file.name}: read with literal quotes, its first line is a header, not a (text, label) row")
    extra_idx = []
    if has_header:
        header = [h.strip() for h in first]
        t_idx = _find_column(header, text_column, _TEXT_NAMES, "text", file, f"text{sep}label")
        l_idx = _find_column(header, label_column, _LABEL_NAMES, "label", file, f"text{sep}label")
        if t_idx == l_idx:
            raise ValueError(f"{file.name}: the text and the label column are both {header[t_idx]!r}")
        for name in extra_columns:
            extra_idx.append(_find_column(header, name, (), "extra", file, f"text{sep}label{sep}{name}"))
        rows, lines, ends = rows[1:], lines[1:], ends[1:]
        if not rows:
            raise ValueError(f"{file.name} is empty: it has a header ({header}) but no rows")
        width, layout = len(header), f"the header has {len(header)}: {sep.join(header)}"
    else:
        if extra_columns:
            raise ValueError(f"{file.name} has no header, so it has no column {extra_columns[0]!r}: its two columns "
                             f"are a text and a label. Add a header line that names every column, e.g. "
                             f"`text{sep}label{sep}{extra_columns[0]}`.")
        t_idx, l_idx = 0, 1
        width, layout = 2, "a text and a label"

    short = [line for row, line in zip(rows, lines) if len(row) < width]
    if short:
        raise ValueError(f"{file.name}: line(s) {short[:10]} have fewer than {width} columns; each row needs "
                         f"{layout}, separated by {'a comma' if suffix == '.csv' else 'a tab'}")
    long = [(line, len(row)) for row, line in zip(rows, lines) if len(row) > width]
    if long:
        shown = ", ".join(f"line {line} has {n}" for line, n in long[:10])
        inside = "a comma inside a text must be inside double quotes, e.g. \"Not good, really\",0" \
            if suffix == ".csv" else "a tab inside a text must be inside double quotes"
        raise ValueError(f"{file.name}: rows with more cells than columns ({shown}; {layout}): {inside}")

    texts, labels, bad, empty = [], [], [], []
    for row, line, end in zip(rows, lines, ends):
        text = row[t_idx]
        if end > line:
            swallowed = _merged_rows(text, delimiter)
            if swallowed is not None:
                raise ValueError(
                    f"{file.name}, lines {line}–{end}: a double quote on line {line} opens a text that closes only on "
                    f"line {end}, and it swallowed what looks like a row of its own ({swallowed.strip()[:60]!r}). "
                    "A double quote inside a text must be doubled (\"\"), or the whole text put in double quotes.")
        label = parse_label(row[l_idx])
        if label is None:
            bad.append((row[l_idx], line))
        if not text.strip():
            empty.append(line)
        texts.append(text)
        labels.append(label)
    if bad:
        shown = ", ".join(f"{value!r} (line {line})" for value, line in bad[:10])
        more = f" and {len(bad) - 10} more" if len(bad) > 10 else ""
        raise ValueError(f"{file.name}: unknown label(s) {shown}{more}; expected 0/1, negative/positive or neg/pos")
    if empty:
        raise ValueError(f"{file.name}: empty text on line(s) {empty[:10]}")
    frame = pd.DataFrame({"text": texts, "label": pd.array(labels, dtype="int64")})
    for name, idx in zip(extra_columns, extra_idx):
        frame[name] = [row[idx] for row in rows]
    return frame


def load_labelled_file(path: str | os.PathLike, text_column: str | None = None,
                       label_column: str | None = None, quotes: bool | None = None,
                       extra_columns=()) -> pd.DataFrame:
    """Read a file of labelled texts into a DataFrame with columns ``text`` and ``label`` (0/1).

    Formats: ``.csv`` (comma-separated, standard CSV quoting), ``.tsv`` and ``.txt``
    (tab-separated). UTF-8. The first row is a header naming the columns (``text`` /
    ``sentence`` / ``review`` and ``label`` / ``sentiment`` are found automatically; other names
    via ``text_column`` and ``label_column``). A two-column file whose first row is already
    data (``some text<TAB>1``) is read as (text, label) without a header.

    Labels may be ``0``/``1``, ``negative``/``positive`` or ``neg``/``pos`` (any case). The file
    is read strictly, and errors name the offending values and their line numbers: every row must
    have as many cells as the header (a comma inside a CSV text must be inside double quotes),
    quotes must balance, and a quoted text must not swallow lines that look like rows of their own
    (``"Great,1`` then ``Bad",0``: a stray quote, not a review with a line break).

    ``quotes``: ``None`` (default) reads double quotes as CSV quoting, except in a headerless
    tab-separated ``text<TAB>label`` file whose quotes do not balance but whose every line is one
    text, a tab and a label: there the quotes are part of the texts (the format of the UCI
    sentences, chapters 06/08, see :func:`load_uci_sentences`). ``True`` always reads them as quoting,
    ``False`` never (``--no-quotes`` on the command line). ``extra_columns``: names of further
    columns to return after ``text`` and ``label`` (e.g. ``["domain"]`` for the evaluation
    command's ``--group-by``); the file needs a header that names them.
    """
    if not isinstance(path, (str, os.PathLike)) or not str(path).strip():
        raise TypeError(f"path must be a file path, got {path!r}")
    if quotes is not None and not isinstance(quotes, bool):
        raise TypeError(f"quotes must be None (automatic), True or False, got {quotes!r}")
    if isinstance(extra_columns, str) or not isinstance(extra_columns, (tuple, list)) or \
            not all(isinstance(name, str) and name.strip() for name in extra_columns):
        raise TypeError(f"extra_columns must be a list of column names, got {extra_columns!r}")
    extra_columns = tuple(extra_columns)
    taken = [name for name in extra_columns if name in ("text", "label")]
    if taken:
        raise ValueError(f"extra_columns cannot include {taken[0]!r}: the text and the label are always returned")
    file = Path(path).expanduser()
    exists, is_dir = _stat(file)
    if not exists:
        raise FileNotFoundError(f"no such file: {_short_name(file, 200)}")
    if is_dir:
        raise IsADirectoryError(f"{file} is a folder; expected a .csv, .tsv or .txt file of (text, label) rows")
    delimiters = {".csv": ",", ".tsv": "\t", ".txt": "\t"}
    suffix = file.suffix.lower()
    if suffix not in delimiters:
        raise ValueError(f"{file.name}: unsupported file type {suffix or '(no extension)'!r}; expected .csv "
                         "(comma-separated) or .tsv / .txt (tab-separated) with a text and a label column")
    delimiter = delimiters[suffix]
    kind = "CSV" if suffix == ".csv" else "TSV"
    try:
        cells = _read_cells(file, delimiter, kind, quoted=quotes is not False)
        return _cells_to_frame(file, *cells, text_column, label_column, extra_columns)
    except ValueError as exc:
        if quotes is not None or delimiter != "\t" or not _has_double_quote(file):
            raise
        try:          # a plain text<TAB>label file whose texts hold quotes (the UCI sentences)
            cells = _read_cells(file, delimiter, kind, quoted=False)
            return _cells_to_frame(file, *cells, text_column, label_column, extra_columns, headerless_only=True)
        except ValueError:
            pass
        if "quote" not in str(exc):
            raise exc from None
        raise ValueError(f"{exc} (If the double quotes are part of the texts, read the file with quotes=False: "
                         "--no-quotes on the command line.)") from None


def _has_double_quote(file: Path) -> bool:
    try:
        with open(file, "rb") as fh:
            return any(b'"' in block for block in iter(lambda: fh.read(1 << 20), b""))
    except OSError:
        return False


# --------------------------------------------------------------------------------------------
# SST-2 and IMDB from the Hugging Face Hub (or local copies of their files)
# --------------------------------------------------------------------------------------------

#: name -> (Hub repository, configuration, text column, splits with labels).
HF_SENTIMENT = {
    "sst2": ("nyu-mll/glue", "sst2", "sentence", ("train", "validation")),   # also known as "glue"
    "imdb": ("stanfordnlp/imdb", None, "text", ("train", "test")),           # also known as "imdb"
}
_HF_ALIASES = {"sst2": "sst2", "sst-2": "sst2", "glue/sst2": "sst2", "glue": "sst2", "stanfordnlp/sst2": "sst2",
               "nyu-mll/glue": "sst2", "imdb": "imdb", "stanfordnlp/imdb": "imdb"}
_BUILDERS = {".parquet": ("parquet", {}), ".csv": ("csv", {}), ".tsv": ("csv", {"sep": "\t"}),
             ".json": ("json", {}), ".jsonl": ("json", {})}


def _hf_offline() -> bool:
    from .checkpoints import offline_mode
    return offline_mode() or os.environ.get("HF_DATASETS_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _local_files(data_files, split: str) -> list[Path]:
    """The local files holding ``split``: from a dict, a list, one file, or a folder laid out like the Hub's."""
    if isinstance(data_files, dict):
        if split not in data_files:
            raise ValueError(f"data_files has no split {split!r}; it has {sorted(data_files)}")
        data_files = data_files[split]
    items = [data_files] if isinstance(data_files, (str, os.PathLike)) else data_files
    if not isinstance(items, (list, tuple)) or not items or not all(isinstance(f, (str, os.PathLike)) for f in items):
        raise TypeError("data_files must be a file, a folder, a list of files or a dict {split: files}, "
                        f"got {data_files!r}")
    files = []
    for item in items:
        p = Path(item).expanduser()
        if p.is_dir():   # a Hub snapshot: <split>-00000-of-00001.parquet, possibly in sub-folders
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in _BUILDERS
                           and (f.stem == split or f.name.startswith(f"{split}-")))
            if not found:
                raise FileNotFoundError(f"no file for split {split!r} in {p}: expected names like "
                                        f"{split}-00000-of-00001.parquet or {split}.csv")
            files += found
        elif p.is_file():
            files.append(p)
        else:
            raise FileNotFoundError(f"data file {p} does not exist")
    suffixes = {f.suffix.lower() for f in files}
    if len(suffixes) != 1 or not suffixes <= set(_BUILDERS):
        raise ValueError(f"data_files must all be one of the types {sorted(_BUILDERS)}, got {sorted(suffixes)}")
    return files


def load_hf_sentiment(name: str, split: str = "train", data_files=None, cache_dir=None,
                      max_rows: int | None = None, seed: int = 42) -> pd.DataFrame:
    """SST-2 or IMDB as a DataFrame with columns ``text`` and ``label`` (0 = negative, 1 = positive).

    Args:
        name: ``"sst2"`` (GLUE's SST-2: single sentences from film reviews; column ``sentence``)
            or ``"imdb"`` (whole IMDB film reviews; column ``text``).
        split: ``"train"``, ``"validation"`` (SST-2) or ``"test"`` (IMDB). SST-2's test split and
            IMDB's ``unsupervised`` split have no labels and are refused.
        data_files: ``None`` to download from the Hub (needs network; cached afterwards), or
            local copies of the Hub's files: a folder laid out like the Hub repository
            (``train-00000-of-00001.parquet``, ...), a file, a list of files, or a dict
            ``{split: files}``. Parquet, CSV, TSV and JSON lines are read with
            ``datasets.load_dataset`` just like the Hub's files.
        cache_dir: where ``datasets`` caches what it reads (default: its usual cache).
        max_rows: keep a random sample of this many rows (IMDB's files are sorted by label,
            so the first rows would all be negative); ``None`` keeps all.
        seed: the seed of that sample.
    """
    if not isinstance(name, str) or name.strip().lower() not in _HF_ALIASES:
        raise ValueError(f"unknown data set {name!r}; expected 'sst2' or 'imdb'")
    key = _HF_ALIASES[name.strip().lower()]
    repo, config_name, text_col, labelled = HF_SENTIMENT[key]
    if not isinstance(split, str) or split not in labelled:
        extra = " (its test labels are hidden, -1: use 'validation')" if key == "sst2" and split == "test" else ""
        raise ValueError(f"{key} has labelled splits {list(labelled)}, got {split!r}{extra}")
    if max_rows is not None and (isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1):
        raise ValueError(f"max_rows must be a positive integer or None, got {max_rows!r}")
    try:
        from datasets import load_dataset
    except ImportError as exc:
        raise ImportError("load_hf_sentiment() needs the Hugging Face `datasets` library: "
                          "`pip install datasets`.") from exc

    if data_files is not None:
        files = _local_files(data_files, split)
        builder, options = _BUILDERS[files[0].suffix.lower()]
        ds = load_dataset(builder, data_files={split: [str(f) for f in files]}, split=split,
                          cache_dir=None if cache_dir is None else str(cache_dir), **options)
        source = f"local files ({', '.join(f.name for f in files)})"
    else:
        try:
            ds = load_dataset(repo, config_name, split=split, cache_dir=None if cache_dir is None else str(cache_dir))
        except Exception as exc:  # noqa: BLE001  (offline, no network, Hub down: all mean the same to a learner)
            why = ("Hugging Face offline mode is on (HF_HUB_OFFLINE / HF_DATASETS_OFFLINE) and the data set is not "
                   "in the local cache" if _hf_offline() else f"the download failed ({type(exc).__name__}: {exc})")
            raise RuntimeError(
                f"Loading {key} ({repo}) needs network access to the Hugging Face Hub: {why}. Connect and unset the "
                "offline variables, or pass data_files= with local copies of its files (for example the Parquet "
                f"files of {repo} downloaded elsewhere). The course's own corpus, load_reviews(), works offline.") \
                from exc
        source = repo

    missing = [c for c in (text_col, "label") if c not in ds.column_names]
    if missing:
        raise ValueError(f"{key} from {source} lacks the column(s) {missing}; it has {ds.column_names}. "
                         f"Expected {key}'s columns ({text_col!r}, 'label').")
    df = ds.select_columns([text_col, "label"]).to_pandas().rename(columns={text_col: "text"})
    labels = pd.Series(df["label"]).map(parse_label)
    if labels.isna().any():
        bad = sorted({str(v) for v in df.loc[labels.isna(), "label"]})[:5]
        hint = " (-1 means the labels are hidden)" if "-1" in bad else ""
        raise ValueError(f"{key} {split} from {source} has labels {bad}{hint}; expected 0 (negative) or 1 (positive)")
    df["label"] = labels.astype("int64")
    df["text"] = df["text"].astype(str)
    if max_rows is not None and max_rows < len(df):
        df = df.sample(n=max_rows, random_state=seed)
    return df[["text", "label"]].reset_index(drop=True)
