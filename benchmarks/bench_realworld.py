"""Accuracy in-domain and out-of-domain: the course test split against real-world review sentences.

    .venv/bin/python benchmarks/bench_realworld.py            # everything, about a minute on 2 CPU cores
    .venv/bin/python benchmarks/bench_realworld.py --loso     # and each fix with one whole site held out (2 min)
    .venv/bin/python benchmarks/bench_realworld.py --skip bert --skip lstm   # the baselines only, seconds

In-domain is the course corpus's test split (``load_reviews("test")``, reviews written for the course);
out-of-domain is the UCI "Sentiment Labelled Sentences" (``load_uci_sentences()``: 1,000 sentences each from
Amazon, IMDb and Yelp reviews). Two tables (three with ``--loso``).

**Never trained on real sentences**, scored on all 3,000: majority class and TF-IDF + logistic regression
(fitted on the course train split), the VADER lexicon (no training), chapter 06's LSTM (``models/lstm_sentiment.keras``) and
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

Recorded result, 2026-12-02, corpus batch 2 (2,162 training reviews), the models made by ``make execute`` of
chapters 06 and 08, on the course's 2-core CPU machine (load average about 2)::

    .venv/bin/python benchmarks/bench_realworld.py --loso

    never trained on real sentences        course test  UCI amazon  UCI imdb  UCI yelp  UCI all (3,000)
    majority class                              0.500       0.500     0.500     0.500    0.500
    VADER lexicon                               0.682       0.844     0.791     0.816    0.817
    TF-IDF + logistic regression                0.780       0.738     0.656     0.697    0.697
    chapter 06 LSTM                             0.769       0.723     0.674     0.674    0.690
    chapter 08 BERT-family                      0.861       0.892     0.866     0.852    0.870

    section 9.1's fix, held-out sentences  course test  UCI amazon  UCI imdb  UCI yelp  held-out UCI   target
    TF-IDF + LR, + 1,200 UCI                    0.782       0.838     0.782     0.807    0.809 (1,800)
    chapter 06 LSTM, + 1,200 UCI                0.759       0.830     0.747     0.773    0.783 (1,800)  0.75 met
    TF-IDF + LR, + 600 UCI                      0.780       0.814     0.736     0.755    0.768 (2,400)
    chapter 08 BERT, + 1 epoch on 600 UCI       0.829       0.929     0.900     0.908    0.912 (2,400)  0.90 met

    leave one site out (all 1,000 of the unseen site)   amazon   imdb    yelp    mean
    TF-IDF + LR, + 800 UCI of two sites                  0.799   0.714   0.744   0.752
    chapter 06 LSTM recipe, + 800 UCI of two sites       0.772   0.696   0.714   0.727
    TF-IDF + LR, + 400 UCI of two sites                  0.773   0.704   0.723   0.733
    chapter 08 BERT recipe, + 400 UCI of two sites       0.925   0.885   0.887   0.899

Both targets are met on the held-out sentences of the sites trained on. On a site it saw nothing of, the BERT recipe
stays at 0.89-0.93 (mean 0.899); the LSTM falls to 0.73 and below TF-IDF trained on the same text: its vocabulary is
learnt from its training text, so a new source's words are unknown to it (chapter 06, section 9). The whole run takes
about two minutes (one without ``--loso``); the BERT and LSTM rows repeat the chapters' figures exactly on this machine.
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
    parser.add_argument("--loso", action="store_true",
                        help="also train each section 9.1 recipe on two sites and score it on the third")
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
    if args.loso:
        loso_table(args, train, uci, sites)
    print()
    for line in verdicts + notes:
        print(line)
    n_site = int((uci["site"] == sites[0]).sum())
    print(f"sampling error (95 %, at an accuracy of 0.80): ±{half_width(0.8, len(test)):.3f} on the {len(test)} test "
          f"reviews, ±{half_width(0.8, n_site):.3f} per UCI site, ±{half_width(0.8, len(uci)):.3f} on all "
          f"{len(uci):,} UCI sentences. Seconds include fitting (baselines) or loading (networks); "
          f"machine: {os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f}.")
    return 0


def fit_fix(key, args, train, few):
    """Section 9.1's recipe ``key`` trained on the course train split and ``few`` UCI sentences: a predict function."""
    if key == "lstm":
        from course_utils.lstm_classifier import train_lstm_classifier
        model, _ = train_lstm_classifier(train=pd_concat(train, few))

        def predict(texts):
            import tensorflow as tf
            return model(tf.constant(list(texts))).numpy().argmax(axis=1)
        return predict
    from course_utils.bert_classifier import fine_tune_bert, predict_proba
    from course_utils.reviews import load_reviews
    model, tokenizer, _ = fine_tune_bert(few, load_reviews("validation"), checkpoint=str(args.bert), epochs=1, lr=5e-5)
    return lambda texts: predict_proba(model, tokenizer, list(texts)).argmax(axis=1)


def fix_rows(args, train, test, uci, sites, notes) -> list:
    """Section 9.1's recipes (and TF-IDF on the same data), trained here, scored on their held-out sentences."""
    from course_utils.baselines import TfidfLogisticBaseline
    from course_utils.reviews import split_uci_sentences

    rows = []
    for key in ("lstm", "bert"):
        if key in args.skip:
            continue
        if key == "bert" and not args.bert.exists():
            notes.append(f"chapter 08 fix: skipped, {args.bert} does not exist: {HOW_TO_MAKE['bert']}")
            continue
        few, held_out = split_uci_sentences(uci, per_site=FIX_PER_SITE[key], seed=FIX_SEED)
        mixed = pd_concat(train, few)
        start = time.perf_counter()
        tfidf = TfidfLogisticBaseline().fit(mixed["text"].tolist(), mixed["label"].tolist())
        row = scores(tfidf.predict, test, held_out, sites)
        rows.append((f"TF-IDF + LR (train split + {len(few):,} UCI)", None, dict(row, n_uci=len(held_out)),
                     time.perf_counter() - start))
        start = time.perf_counter()
        predict = fit_fix(key, args, train, few)
        name = (f"chapter 06 LSTM, train split + {len(few):,} UCI" if key == "lstm"
                else f"chapter 08 BERT + 1 epoch on {len(few):,} UCI")
        rows.append((name, key, dict(scores(predict, test, held_out, sites), n_uci=len(held_out)),
                     time.perf_counter() - start))
    return rows


def loso_table(args, train, uci, sites) -> None:
    """``--loso``: each recipe trained with the sentences of two sites only, scored on all of the third site."""
    from course_utils.baselines import TfidfLogisticBaseline
    from course_utils.reviews import split_uci_sentences

    print("\nLeave one site out: section 9.1's recipes with the same number of sentences per site, from the two other")
    print("sites only; scored on all 1,000 sentences of the unseen site")
    print(f"{'model':<40}" + "".join(f"{'unseen ' + s:>15}" for s in sites) + f"{'mean':>9}")
    for key in ("lstm", "bert"):
        if key in args.skip or (key == "bert" and not args.bert.exists()):
            continue
        results = {"tfidf": [], key: []}
        for site in sites:
            few, _ = split_uci_sentences(uci[uci["site"] != site], per_site=FIX_PER_SITE[key], seed=FIX_SEED)
            unseen = uci[uci["site"] == site]
            mixed = pd_concat(train, few)
            tfidf = TfidfLogisticBaseline().fit(mixed["text"].tolist(), mixed["label"].tolist())
            for name, predict in (("tfidf", tfidf.predict), (key, fit_fix(key, args, train, few))):
                results[name].append(float((predict(unseen["text"].tolist()) == unseen["label"].to_numpy()).mean()))
        n = 2 * FIX_PER_SITE[key]
        for name, label in (("tfidf", f"TF-IDF + LR (train split + {n:,} UCI)"),
                            (key, f"chapter {'06 LSTM' if key == 'lstm' else '08 BERT'} recipe (+ {n:,} UCI)")):
            accs = results[name]
            print(f"{label:<40}" + "".join(f"{a:>15.4f}" for a in accs) + f"{sum(accs) / len(accs):>9.4f}")


def pd_concat(train, few):
    import pandas as pd
    return pd.concat([train[["text", "label"]], few[["text", "label"]]], ignore_index=True)


if __name__ == "__main__":
    sys.exit(main())
