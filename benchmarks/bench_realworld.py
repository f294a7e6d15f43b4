"""Accuracy in-domain and out-of-domain: the course test split against real-world review sentences.

    .venv/bin/python benchmarks/bench_realworld.py            # everything, about four minutes on 2 CPU cores
    .venv/bin/python benchmarks/bench_realworld.py --skip bert --skip lstm   # the baselines only, seconds

In-domain is the course corpus's test split (``load_reviews("test")``, reviews written for the course);
out-of-domain is the UCI "Sentiment Labelled Sentences" (``load_uci_sentences()``: 1,000 sentences each from
Amazon, IMDb and Yelp reviews). Two tables.

**Never trained on real sentences**, scored on all 3,000: majority class, the VADER lexicon, TF-IDF + logistic
regression (both fitted on the course train split), chapter 06's LSTM (``models/lstm_sentiment.keras``) and
chapter 08's BERT-family classifier (``models/bert_sentiment``), run through the evaluation command's loader
(``course_utils.evaluate.predict_labels``), as ``python -m course_utils.evaluate MODEL uci --group-by site`` does.
A missing model is skipped with a message that says how to create it.

**The fix of section 9.1** (the issue's targets, "Real-world text"): the chapters' recipes retrained here exactly as
the notebooks do, scored only on the UCI sentences they did not train on (``split_uci_sentences``):

- chapter 06: the LSTM trained by ``train_lstm_classifier`` on the course train split plus 400 sentences per
  site (1,200; seed 0), scored on the other 1,800; target **0.75**;
- chapter 08: the saved classifier fine-tuned one more epoch (lr 5e-5) on 200 sentences per site (600; seed 0),
  scored on the other 2,400; target **0.90**.

TF-IDF + logistic regression trained on the same data is printed beside each as the reference a network must beat.
This is a script, not a test: ``make test`` never runs it.
"""
from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: The issue's targets: accuracy on the UCI sentences the model did not train on (section 9.1's recipes).
TARGETS = {"lstm": 0.75, "bert": 0.90}
#: Section 9.1's recipes: UCI sentences per site trained on (the rest are held out), and the split's seed.
FIX_PER_SITE = {"lstm": 400, "bert": 200}
FIX_SEED = 0
HOW_TO_MAKE = {
    "lstm": "run chapter 06, or: python -c 'from course_utils.lstm_classifier import load_or_train_lstm; "
            "load_or_train_lstm()'",
    "bert": "run chapter 08, or: python -c 'from course_utils.bert_classifier import load_or_train_bert; "
            "load_or_train_bert()'",
}


def accuracy(y_true, y_pred) -> float:
    from course_utils.baselines import accuracy as acc
    return acc(y_true, y_pred)


def scores(predict, test, uci, sites) -> dict:
    """Accuracy on the test split, on each UCI site and on all UCI sentences, from one call of ``predict``."""
    texts = test["text"].tolist() + uci["text"].tolist()
    pred = predict(texts)
    p_test, p_uci = pred[:len(test)], pred[len(test):]
    row = {"test": accuracy(test["label"], p_test)}
    for site in sites:
        mask = (uci["site"] == site).to_numpy()
        row[site] = accuracy(uci["label"].to_numpy()[mask], p_uci[mask])
    row["uci"] = accuracy(uci["label"], p_uci)
    return row


def half_width(p: float, n: int) -> float:
    """95 % normal-approximation half-width of an accuracy p measured on n texts."""
    return 1.96 * math.sqrt(p * (1 - p) / n)


def main(argv=None) -> int:
    from course_utils.bert_classifier import default_folder
    from course_utils.lstm_classifier import default_model_path

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lstm", type=Path, default=default_model_path(), help="the chapter 06 .keras model")
    parser.add_argument("--bert", type=Path, default=default_folder(), help="the chapter 08 model folder")
    parser.add_argument("--skip", choices=["lstm", "bert"], action="append", default=[])
    args = parser.parse_args(argv)

    from course_utils.baselines import MajorityBaseline, TfidfLogisticBaseline, VaderBaseline
    from course_utils.evaluate import predict_labels
    from course_utils.reviews import UCI_SITES, load_reviews, load_uci_sentences

    train, test, uci = load_reviews("train"), load_reviews("test"), load_uci_sentences()
    sites = [s for s in UCI_SITES if s in set(uci["site"])]
    per_site = ", ".join(f"{s} {int((uci['site'] == s).sum()):,}" for s in sites)
    print(f"in-domain: course test split, {len(test)} reviews; out-of-domain: UCI Sentiment Labelled Sentences, "
          f"{len(uci):,} sentences ({per_site}), never "
          f"trained on. Trained models learnt from the course train split ({len(train):,} reviews).")
    rows, notes = [], []
    baselines = [("majority class (train split)", MajorityBaseline()),
                 ("VADER lexicon (no training)", VaderBaseline()),
                 ("TF-IDF + logistic regression (train split)", TfidfLogisticBaseline())]
    for name, model in baselines:
        start = time.perf_counter()
        model.fit(train["text"].tolist(), train["label"].tolist())
        rows.append((name, None, scores(model.predict, test, uci, sites), time.perf_counter() - start))
    networks = [("lstm", "chapter 06 LSTM", args.lstm), ("bert", "chapter 08 BERT-family", args.bert)]
    for key, name, path in networks:
        label = f"{name} ({path.name})"
        if key in args.skip:
            rows.append((label, key, None, 0.0))
            notes.append(f"{name}: skipped (--skip {key})")
            continue
        if not path.exists():
            rows.append((label, key, None, 0.0))
            notes.append(f"{name}: skipped, {path} does not exist: {HOW_TO_MAKE[key]} (or pass --{key} PATH)")
            continue
        start = time.perf_counter()
        row = scores(lambda texts: predict_labels(path, texts), test, uci, sites)
        rows.append((label, key, row, time.perf_counter() - start))

    columns = ["test"] + sites + ["uci"]
    titles = {"test": "course test", "uci": "UCI all", **{s: f"UCI {s}" for s in sites}}
    width = max(len(name) for name, *_ in rows) + 14
    header = f"{'model':<{width}}" + "".join(f"{titles[c]:>13}" for c in columns) + f"{'seconds':>9}"
    print("\nNever trained on real sentences; UCI columns: all 3,000 sentences")
    print(header)
    print("-" * len(header))
    verdicts = []
    for name, key, row, seconds in rows:
        if row is None:
            print(f"{name:<{width}}" + "".join(f"{'skipped':>13}" for _ in columns))
            continue
        print(f"{name:<{width}}" + "".join(f"{row[c]:>13.4f}" for c in columns) + f"{seconds:>9.1f}")
    fixed = fix_rows(args, train, test, uci, sites, notes)
    if fixed:
        print("\nSection 9.1's fix, retrained here; UCI columns: only the sentences the model did not train on")
        print(header + "  target (held-out UCI)")
        print("-" * (len(header) + 24))
        for name, key, row, seconds in fixed:
            target = ""
            if key in TARGETS:
                met = row["uci"] >= TARGETS[key]
                target = f"  >= {TARGETS[key]:.2f}: {'met' if met else 'NOT met'}"
                outcome = "met" if met else f"NOT met, short by {TARGETS[key] - row['uci']:.4f}"
                verdicts.append(f"{name}: {row['uci']:.4f} on {row['n_uci']:,} held-out UCI sentences against the "
                                f"target {TARGETS[key]:.2f}: {outcome}")
            print(f"{name:<{width}}" + "".join(f"{row[c]:>13.4f}" for c in columns) + f"{seconds:>9.1f}{target}")
    print()
    for line in verdicts + notes:
        print(line)
    n_site = int((uci["site"] == sites[0]).sum())
    print(f"sampling error (95 %, at an accuracy of 0.80): ±{half_width(0.8, len(test)):.3f} on the {len(test)} test "
          f"reviews, ±{half_width(0.8, n_site):.3f} per UCI site, ±{half_width(0.8, len(uci)):.3f} on all "
          f"{len(uci):,} UCI sentences. Seconds include fitting (baselines) or loading (networks); "
          f"machine: {os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f}.")
    return 0


def fix_rows(args, train, test, uci, sites, notes) -> list:
    """Section 9.1's recipes (and TF-IDF on the same data), trained here, scored on their held-out sentences."""
    from course_utils.baselines import TfidfLogisticBaseline
    from course_utils.reviews import load_reviews, split_uci_sentences

    rows = []
    for key in ("lstm", "bert"):
        if key in args.skip:
            continue
        few, held_out = split_uci_sentences(uci, per_site=FIX_PER_SITE[key], seed=FIX_SEED)
        mixed = pd_concat(train, few)
        start = time.perf_counter()
        tfidf = TfidfLogisticBaseline().fit(mixed["text"].tolist(), mixed["label"].tolist())
        row = scores(tfidf.predict, test, held_out, sites)
        rows.append((f"TF-IDF + LR (train split + {len(few):,} UCI)", None, dict(row, n_uci=len(held_out)),
                     time.perf_counter() - start))
        start = time.perf_counter()
        if key == "lstm":
            from course_utils.lstm_classifier import train_lstm_classifier
            model, _ = train_lstm_classifier(train=mixed)

            def predict(texts, model=model):
                import tensorflow as tf
                return model(tf.constant(list(texts))).numpy().argmax(axis=1)
            name = f"chapter 06 LSTM, train split + {len(few):,} UCI"
        else:
            if not args.bert.exists():
                notes.append(f"chapter 08 fix: skipped, {args.bert} does not exist: {HOW_TO_MAKE['bert']}")
                continue
            from course_utils.bert_classifier import fine_tune_bert, predict_proba
            model, tokenizer, _ = fine_tune_bert(few, load_reviews("validation"), checkpoint=str(args.bert),
                                                 epochs=1, lr=5e-5)

            def predict(texts, model=model, tokenizer=tokenizer):
                return predict_proba(model, tokenizer, list(texts)).argmax(axis=1)
            name = f"chapter 08 BERT + 1 epoch on {len(few):,} UCI"
        row = scores(predict, test, held_out, sites)
        rows.append((name, key, dict(row, n_uci=len(held_out)), time.perf_counter() - start))
    return rows


def pd_concat(train, few):
    import pandas as pd
    return pd.concat([train[["text", "label"]], few[["text", "label"]]], ignore_index=True)


if __name__ == "__main__":
    sys.exit(main())
