"""The course's table of notable models (``data/notable_models.csv``), loaded and validated.

Introduced in chapter 01, which plots parameter counts over time and prices training runs
from this table; the data card is the ``notable_models.csv`` section of ``data/README.md``.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .config import data_path

#: File name inside the course's data folder.
NOTABLE_MODELS_FILE = "notable_models.csv"
#: Columns the file must have, in order of importance; more columns are allowed.
REQUIRED_COLUMNS = ("name", "year", "parameters", "organisation", "domain", "source", "notes")
#: Optional columns the loader types when present.
OPTIONAL_COLUMNS = ("architecture", "training_tokens", "training_flops", "estimated")
_TEXT_COLUMNS = ("name", "organisation", "domain", "source")
_YEAR_RANGE = (1940, 2100)


def _fail(path, message: str):
    raise ValueError(f"{path}: {message}. Each row needs a name, a year, an integer parameter count, an "
                     f"organisation, a domain, a source and notes (see the data card in data/README.md).")


def _whole_numbers(series: pd.Series, column: str, path, allow_missing: bool) -> pd.Series:
    """Parse a column of whole numbers (as int64, or nullable Int64 when gaps are allowed)."""
    numeric = pd.to_numeric(series, errors="coerce")
    bad = numeric.isna() & series.notna() & (series.astype("string").str.strip() != "")
    if bad.any():
        row = int(bad.idxmax())
        _fail(path, f"column '{column}' must hold whole numbers; row {row + 2} has {series[row]!r}")
    if not allow_missing and numeric.isna().any():
        _fail(path, f"column '{column}' is empty in row {int(numeric.isna().idxmax()) + 2}")
    present = numeric.dropna()
    if ((present % 1) != 0).any():
        row = int(((numeric % 1) != 0).idxmax())
        _fail(path, f"column '{column}' must hold whole numbers; row {row + 2} has {series[row]!r}")
    if (present <= 0).any():
        row = int((numeric <= 0).idxmax())
        _fail(path, f"column '{column}' must be positive; row {row + 2} has {series[row]!r}")
    return numeric.round().astype("Int64" if allow_missing else "int64")


def load_notable_models(path: str | Path | None = None) -> pd.DataFrame:
    """Load the notable-models table as a DataFrame, one row per model, sorted by year then size.

    Args:
        path: a CSV file; ``None`` (the default) reads ``data/notable_models.csv`` from the course.

    Returns columns ``name, year (int64), parameters (int64), organisation, domain, source, notes``
    plus, when present, ``architecture``, ``training_tokens`` (nullable Int64),
    ``training_flops`` (float, NaN when not published) and ``estimated`` (bool).

    Raises:
        FileNotFoundError: the file is missing (the message says how to get it back).
        ValueError: the file is not a well-formed table (the message names the column and row).
    """
    if path is None:
        path = data_path(NOTABLE_MODELS_FILE)
    elif not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a file path or None, got {type(path).__name__}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"notable-models table {path} not found. It ships with the course as "
                                f"data/{NOTABLE_MODELS_FILE}: run `git checkout -- data/` in your clone, "
                                "or call load_notable_models() with no argument.")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a readable CSV file ({exc})") from exc
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        _fail(path, f"missing column(s) {missing}; found {list(df.columns)}")
    if df.empty:
        _fail(path, "the table has no rows")

    for column in _TEXT_COLUMNS:
        blank = df[column].isna() | (df[column].astype("string").str.strip() == "")
        if blank.any():
            _fail(path, f"column '{column}' is empty in row {int(blank.idxmax()) + 2}")
        df[column] = df[column].str.strip()
    df["notes"] = df["notes"].fillna("").str.strip()
    duplicated = df["name"].duplicated()
    if duplicated.any():
        _fail(path, f"model {df['name'][duplicated].iloc[0]!r} appears twice")

    df["year"] = _whole_numbers(df["year"], "year", path, allow_missing=False)
    low, high = _YEAR_RANGE
    if not df["year"].between(low, high).all():
        row = int((~df["year"].between(low, high)).idxmax())
        _fail(path, f"column 'year' must be between {low} and {high}; row {row + 2} has {df['year'][row]}")
    df["parameters"] = _whole_numbers(df["parameters"], "parameters", path, allow_missing=False)

    if "architecture" in df.columns:
        df["architecture"] = df["architecture"].fillna("").str.strip()
    if "training_tokens" in df.columns:
        df["training_tokens"] = _whole_numbers(df["training_tokens"], "training_tokens", path, allow_missing=True)
    if "training_flops" in df.columns:
        flops = pd.to_numeric(df["training_flops"], errors="coerce")
        bad = (flops.isna() & df["training_flops"].notna()) | (flops <= 0)
        if bad.any():
            row = int(bad.idxmax())
            _fail(path, f"column 'training_flops' must hold positive numbers such as 3.14e23; row {row + 2} "
                        f"has {df['training_flops'][row]!r}")
        df["training_flops"] = flops.astype("float64")
    if "estimated" in df.columns:
        flags = df["estimated"].fillna("false").str.strip().str.lower()
        bad = ~flags.isin(["true", "false"])
        if bad.any():
            row = int(bad.idxmax())
            _fail(path, f"column 'estimated' must be true or false; row {row + 2} has {df['estimated'][row]!r}")
        df["estimated"] = flags.eq("true")

    return df.sort_values(["year", "parameters"], kind="stable").reset_index(drop=True)
