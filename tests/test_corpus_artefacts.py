"""The course corpus must not leak its labels through artefacts that real reviews do not have.

Issue "Real-world text" found them in the first corpus: "!" in 8 positive reviews and in no negative one, and
stock phrases ("in the best way" x7, "not bad at all" x7, "I wanted to like" x6), each in one class only. A model
can score well by learning such giveaways and then fail on real text. Every bound below is measured on real
review sentences at test time (the UCI "Sentiment Labelled Sentences", 3,000 sentences from Amazon, IMDb and
Yelp), so "an artefact" means "a stronger giveaway than real reviews show", not an arbitrary threshold:

1. surface features (an exclamation mark, a question mark, all lower case, a digit, an all-caps word, no final
   punctuation) occur in both classes, and lean no further to one class than in real reviews or than 75/25;
2. no repeated phrase: the most common word 4-gram is used by no larger share of the reviews than in real ones,
   and 4-grams used by one class only recur no more often than in real ones;
3. words that carry no sentiment of their own (absent from the VADER lexicon) are no purer giveaways than the
   purest such word in real reviews.

The checks are functions of a (text, label) table, tested first on tables with a planted artefact.
"""
from __future__ import annotations

import collections
import re

import numpy as np
import pandas as pd
import pytest

from course_utils.reviews import load_reviews, load_uci_sentences

WORD = re.compile(r"[a-z0-9']+")
TOKEN = re.compile(r"[a-z']+|[!?]")

FEATURES = {
    "exclamation mark": lambda t: "!" in t,
    "question mark": lambda t: "?" in t,
    "all lower case": lambda t: t == t.lower() and any(c.isalpha() for c in t),
    "digit": lambda t: any(c.isdigit() for c in t),
    "all-caps word": lambda t: re.search(r"\b[A-Z]{3,}\b", t) is not None,
    "no final punctuation": lambda t: t.rstrip()[-1:] not in set(".!?)\"'…"),
}


def feature_shares(df: pd.DataFrame) -> pd.DataFrame:
    """Per surface feature: reviews having it in each class, and the positive share among them."""
    rows = {}
    for name, has in FEATURES.items():
        mask = df["text"].map(has).to_numpy()
        pos, neg = int((mask & (df["label"] == 1)).sum()), int((mask & (df["label"] == 0)).sum())
        rows[name] = {"positive": pos, "negative": neg, "positive share": pos / max(pos + neg, 1)}
    return pd.DataFrame(rows).T


def four_grams(df: pd.DataFrame) -> tuple[collections.Counter, collections.Counter]:
    """Reviews containing each word 4-gram, in all and in positive reviews (a review counts once)."""
    total, positive = collections.Counter(), collections.Counter()
    for text, label in zip(df["text"], df["label"]):
        words = WORD.findall(text.lower())
        grams = {tuple(words[i:i + 4]) for i in range(len(words) - 3)}
        total.update(grams)
        if label == 1:
            positive.update(grams)
    return total, positive


def top_phrase_rate(df: pd.DataFrame) -> tuple[float, str]:
    """Reviews per 1,000 that use the most common word 4-gram, and that 4-gram."""
    total, _ = four_grams(df)
    gram, count = total.most_common(1)[0]
    return 1000 * count / len(df), " ".join(gram)


def one_class_phrase_rate(df: pd.DataFrame) -> tuple[float, str]:
    """Reviews per 1,000 using the most common 4-gram that occurs in one class only (at least 3 reviews)."""
    total, positive = four_grams(df)
    pure = [(n, g) for g, n in total.items() if n >= 3 and positive[g] in (0, n)]
    if not pure:
        return 0.0, ""
    n, gram = max(pure)
    return 1000 * n / len(df), " ".join(gram)


def purest_neutral_word(df: pd.DataFrame, lexicon: set[str], min_count: int = 20) -> tuple[float, str, int]:
    """(purity, word, count) of the non-lexicon token with the most one-sided class share (>= min_count reviews)."""
    count, positive = collections.Counter(), collections.Counter()
    for text, label in zip(df["text"], df["label"]):
        for token in set(TOKEN.findall(text.lower())):
            count[token] += 1
            positive[token] += int(label)
    best = (0.0, "", 0)
    for token, n in count.items():
        if n >= min_count and token not in lexicon:
            share = positive[token] / n
            best = max(best, (max(share, 1 - share), token, n))
    return best


@pytest.fixture(scope="module")
def corpus():
    return load_reviews()


@pytest.fixture(scope="module")
def real():
    return load_uci_sentences()


@pytest.fixture(scope="module")
def lexicon():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    return set(SentimentIntensityAnalyzer().lexicon)


# ------------------------------------------------------------------ the checks catch a planted artefact
def _planted(real, where):
    df = real[["text", "label"]].copy()
    df.loc[where(df), "text"] = df.loc[where(df), "text"] + " Honestly, in the best way!"
    return df


def test_planted_exclamation_mark_is_caught(real):
    df = real[["text", "label"]].copy()
    df["text"] = df["text"].str.replace("!", ".", regex=False)
    df.loc[df["label"] == 1, "text"] = df.loc[df["label"] == 1, "text"].str.rstrip(".") + "!"
    shares = feature_shares(df)
    assert shares.loc["exclamation mark", "negative"] == 0
    assert shares.loc["exclamation mark", "positive share"] == 1.0


def test_planted_stock_phrase_is_caught(real):
    clean_rate, _ = one_class_phrase_rate(real)
    planted = _planted(real, lambda d: (d["label"] == 1) & (d.index % 50 == 0))   # 1 in 50 positives
    rate, phrase = one_class_phrase_rate(planted)
    assert rate > clean_rate and phrase in {"honestly in the best", "in the best way"}


def test_planted_neutral_word_is_caught(real, lexicon):
    clean, _, _ = purest_neutral_word(real, lexicon)
    df = real[["text", "label"]].copy()
    df.loc[(df["label"] == 0) & (df.index % 10 == 0), "text"] += " zqx"
    purity, word, n = purest_neutral_word(df, lexicon)
    assert word == "zqx" and purity == 1.0 > clean and n >= 20


# ------------------------------------------------------------------ the course corpus against real reviews
def test_surface_features_occur_in_both_classes_and_lean_no_more_than_in_real_reviews(corpus, real):
    ours, theirs = feature_shares(corpus), feature_shares(real)
    for name in FEATURES:
        pos, neg, share = ours.loc[name, ["positive", "negative", "positive share"]]
        real_share = theirs.loc[name, "positive share"]
        low, high = min(0.25, real_share), max(0.75, real_share)
        assert pos >= 5 and neg >= 5, f"{name!r} is (almost) confined to one class: {pos:.0f} positive, {neg:.0f} negative"
        assert low <= share <= high, (f"{name!r}: {share:.2f} of the reviews with it are positive; real reviews "
                                      f"{real_share:.2f}; allowed {low:.2f}-{high:.2f}")


def test_no_phrase_recurs_more_than_in_real_reviews(corpus, real):
    ours, gram = top_phrase_rate(corpus)
    theirs, real_gram = top_phrase_rate(real)
    assert ours <= theirs, (f"{gram!r} is in {ours:.1f} reviews per 1,000; real reviews' most common 4-gram "
                            f"{real_gram!r} in {theirs:.1f}")


def test_no_one_class_phrase_recurs_more_than_in_real_reviews(corpus, real):
    ours, gram = one_class_phrase_rate(corpus)
    theirs, real_gram = one_class_phrase_rate(real)
    assert ours <= theirs, (f"{gram!r} (one class only) is in {ours:.1f} reviews per 1,000; in real reviews the "
                            f"most common one-class 4-gram {real_gram!r} is in {theirs:.1f}")


def test_words_without_sentiment_are_no_purer_giveaways_than_in_real_reviews(corpus, real, lexicon):
    purity, word, n = purest_neutral_word(corpus, lexicon)
    real_purity, real_word, real_n = purest_neutral_word(real, lexicon)
    assert purity <= real_purity, (f"{word!r} ({n} reviews) is {purity:.0%} one class; the purest such word in real "
                                   f"reviews, {real_word!r} ({real_n}), is {real_purity:.0%}")


def test_lengths_and_casing_vary_like_real_reviews(corpus):
    words = corpus["text"].str.split().str.len()
    assert (words <= 6).mean() >= 0.10 and (words >= 60).mean() >= 0.02, "very short and very long reviews"
    assert corpus["text"].map(FEATURES["all lower case"]).mean() >= 0.05, "some reviews typed in lower case"
    assert np.isclose(corpus["label"].mean(), 0.5), "balanced labels"
