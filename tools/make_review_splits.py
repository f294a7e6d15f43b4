#!/usr/bin/env python3
"""Assign the fixed train/validation/test splits of data/reviews/reviews.csv and refresh its checksum.

How the splits were made (the data card cites this script): within every (domain, label)
group, reviews are shuffled with NumPy's default_rng(42) and the first 70 % go to train,
the next 15 % to validation and the rest to test. So every split has every domain and
both labels in the corpus's proportions. Run it after adding or editing reviews:

    .venv/bin/python tools/make_review_splits.py          # rewrite split column + SHA256SUMS
    .venv/bin/python tools/make_review_splits.py --check  # exit 1 if the committed splits differ

tests/test_reviews.py runs the same computation and compares it with the committed file.
"""
import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
CSV = ROOT / "data" / "reviews" / "reviews.csv"
SUMS = ROOT / "data" / "reviews" / "SHA256SUMS"
FRACTIONS = (0.70, 0.15)   # train, validation; test gets the rest
SEED = 42


def assign_splits(df: pd.DataFrame, seed: int = SEED) -> pd.Series:
    """Split label for every row of ``df`` (needs 'domain' and 'label'), stratified by domain and label."""
    rng = np.random.default_rng(seed)
    split = pd.Series("", index=df.index, dtype=object)
    for _, group in df.groupby(["domain", "label"], sort=True):
        idx = group.index.to_numpy().copy()
        rng.shuffle(idx)
        n_train = int(round(FRACTIONS[0] * len(idx)))
        n_val = int(round(FRACTIONS[1] * len(idx)))
        split[idx[:n_train]] = "train"
        split[idx[n_train:n_train + n_val]] = "validation"
        split[idx[n_train + n_val:]] = "test"
    return split


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on a difference")
    args = parser.parse_args(argv)
    df = pd.read_csv(CSV, keep_default_na=False)
    new = assign_splits(df)
    if args.check:
        same = "split" in df and (df["split"] == new).all()
        print("splits match the documented procedure" if same else "splits differ from the documented procedure")
        return 0 if same else 1
    df["split"] = new
    df.to_csv(CSV, index=False, lineterminator="\n")
    SUMS.write_text(f"{sha256(CSV)}  {CSV.name}\n")
    print(df.groupby(["split", "label"]).size().unstack(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
