"""The course review corpus, labelled (text, label) files, and the Hub's SST-2 and IMDB.

Introduced in chapter 06 (the LSTM classifier) and used by chapters 08–09 and by
``python -m course_utils.evaluate``.

- :func:`load_reviews` / :func:`load_reviews_dataset`: the course's 1,650 hand-written English
  reviews in ``data/reviews/reviews.csv`` (columns ``text, label, domain, split``; label
  0 = negative, 1 = positive), as a pandas DataFrame or a Hugging Face ``DatasetDict``.
  Both verify the file's SHA-256 against ``data/reviews/SHA256SUMS`` first.
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
import hashlib
import os
import re
from pathlib import Path

import pandas as pd

from .config import DATA_ENV, REPO_URL, data_dir

#: Class names, indexed by label: 0 = negative, 1 = positive.
LABEL_NAMES = ("negative", "positive")
#: The five domains of the course corpus, and its three fixed splits.
DOMAINS = ("apps", "books", "movies", "products", "restaurants")
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


class ChecksumError(ValueError):
    """A corpus file does not match the checksum committed next to it."""


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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_checksums(folder: str | os.PathLike | None = None) -> dict:
    """Check every file listed in the corpus folder's ``SHA256SUMS``; return ``{name: sha256}``.

    Raises :class:`ChecksumError` naming the file when its contents changed (edited,
    truncated, or line endings converted), and ``FileNotFoundError`` when a listed file or
    ``SHA256SUMS`` itself is missing. Both messages say how to restore the files.
    """
    path = reviews_dir(folder)
    sums = path / CHECKSUM_FILE
    if not sums.is_file():
        raise FileNotFoundError(f"{CHECKSUM_FILE} is missing from the corpus folder {path}. {_RESTORE}")
    expected = {}
    for number, line in enumerate(sums.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        m = re.fullmatch(r"([0-9a-fA-F]{64}) [ *](.+)", line.strip())
        if not m:
            raise ChecksumError(f"{sums.name}, line {number}: expected '<sha256>  <file name>', got {line!r}. "
                                f"{_RESTORE}")
        expected[m.group(2)] = m.group(1).lower()
    if not expected:
        raise ChecksumError(f"{sums.name} in {path} lists no files. {_RESTORE}")
    found = {}
    for name, digest in expected.items():
        file = path / name
        if not file.is_file():
            raise FileNotFoundError(f"{name} (listed in {CHECKSUM_FILE}) is missing from {path}. {_RESTORE}")
        actual = _sha256(file)
        if actual != digest:
            raise ChecksumError(
                f"{name} in {path} was modified or corrupted: its SHA-256 is {actual[:12]}…, but "
                f"{CHECKSUM_FILE} says {digest[:12]}…. {_RESTORE} (On Windows, git's core.autocrlf can "
                "also change the file's line endings: check it out again with autocrlf off.)")
        found[name] = actual
    return found


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
        split: ``"train"``, ``"validation"``, ``"test"``, or ``None`` for all 1,650 reviews.
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
# Any (text, label) file
# --------------------------------------------------------------------------------------------

def parse_label(value) -> int | None:
    """0 or 1 for a label spelled 0/1, negative/positive or neg/pos (any case); ``None`` otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value in (0, 1) else None
    return LABEL_ALIASES.get(str(value).strip().lower())


def _find_column(header: list[str], wanted: str | None, candidates: tuple, role: str, file: Path) -> int:
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
    raise ValueError(f"{file.name} has no {role} column: its header is {header}; expected a column named "
                     f"{' or '.join(repr(c) for c in candidates)}, or pass {role}_column=...")


def load_labelled_file(path: str | os.PathLike, text_column: str | None = None,
                       label_column: str | None = None) -> pd.DataFrame:
    """Read a file of labelled texts into a DataFrame with columns ``text`` and ``label`` (0/1).

    Formats: ``.csv`` (comma-separated, standard CSV quoting), ``.tsv`` and ``.txt``
    (tab-separated). UTF-8. The first row is a header naming the columns (``text`` /
    ``sentence`` / ``review`` and ``label`` / ``sentiment`` are found automatically; other names
    via ``text_column`` and ``label_column``). A two-column file whose first row is already
    data (``some text<TAB>1``) is read as (text, label) without a header.

    Labels may be ``0``/``1``, ``negative``/``positive`` or ``neg``/``pos`` (any case). Errors name
    the offending values and their line numbers.
    """
    if not isinstance(path, (str, os.PathLike)) or not str(path).strip():
        raise TypeError(f"path must be a file path, got {path!r}")
    file = Path(path).expanduser()
    if not file.exists():
        raise FileNotFoundError(f"no such file: {file}")
    if file.is_dir():
        raise IsADirectoryError(f"{file} is a folder; expected a .csv, .tsv or .txt file of (text, label) rows")
    delimiters = {".csv": ",", ".tsv": "\t", ".txt": "\t"}
    suffix = file.suffix.lower()
    if suffix not in delimiters:
        raise ValueError(f"{file.name}: unsupported file type {suffix or '(no extension)'!r}; expected .csv "
                         "(comma-separated) or .tsv / .txt (tab-separated) with a text and a label column")
    try:
        with open(file, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh, delimiter=delimiters[suffix])
            rows, lines = [], []
            start = 1
            for row in reader:
                if any(cell.strip() for cell in row):     # skip blank lines
                    rows.append(row)
                    lines.append(start)
                start = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise ValueError(f"{file.name} is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from exc
    except csv.Error as exc:
        raise ValueError(f"{file.name} is not a valid {suffix[1:].upper()} file: {exc}") from exc
    if not rows:
        raise ValueError(f"{file.name} is empty; expected a header and (text, label) rows")

    first = rows[0]
    has_header = not (text_column is None and label_column is None and len(first) == 2
                      and parse_label(first[1]) is not None
                      and first[0].strip().lower() not in _TEXT_NAMES)
    if has_header:
        header = [h.strip() for h in first]
        t_idx = _find_column(header, text_column, _TEXT_NAMES, "text", file)
        l_idx = _find_column(header, label_column, _LABEL_NAMES, "label", file)
        rows, lines = rows[1:], lines[1:]
        if not rows:
            raise ValueError(f"{file.name} is empty: it has a header ({header}) but no rows")
    else:
        t_idx, l_idx = 0, 1
    width = max(t_idx, l_idx) + 1

    texts, labels, short, bad, empty = [], [], [], [], []
    for row, line in zip(rows, lines):
        if len(row) < width:
            short.append(line)
            continue
        label = parse_label(row[l_idx])
        if label is None:
            bad.append((row[l_idx], line))
        if not row[t_idx].strip():
            empty.append(line)
        texts.append(row[t_idx])
        labels.append(label)
    if short:
        raise ValueError(f"{file.name}: line(s) {short[:10]} have fewer than {width} columns; each row needs a "
                         f"text and a label separated by {'a comma' if suffix == '.csv' else 'a tab'}")
    if bad:
        shown = ", ".join(f"{value!r} (line {line})" for value, line in bad[:10])
        more = f" and {len(bad) - 10} more" if len(bad) > 10 else ""
        raise ValueError(f"{file.name}: unknown label(s) {shown}{more}; expected 0/1, negative/positive or neg/pos")
    if empty:
        raise ValueError(f"{file.name}: empty text on line(s) {empty[:10]}")
    return pd.DataFrame({"text": texts, "label": pd.array(labels, dtype="int64")})


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
