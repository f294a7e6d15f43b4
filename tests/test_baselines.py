"""Tests of course_utils.baselines: majority class, TF-IDF + logistic regression and the VADER lexicon."""
import numpy as np
import pytest

from course_utils.baselines import MajorityBaseline, TfidfLogisticBaseline, VaderBaseline, accuracy
from course_utils.reviews import load_reviews, load_uci_sentences

TEXTS = ["I love it", "great and lovely", "wonderful, just great", "love this", "what a great day",
         "I hate it", "awful and boring", "terrible, just awful", "hate this", "what a boring day"]
LABELS = [1] * 5 + [0] * 5


def _is_proba(p, n):
    assert p.shape == (n, 2) and np.all(p >= 0) and np.allclose(p.sum(axis=1), 1)


def test_majority_predicts_the_most_frequent_label():
    model = MajorityBaseline().fit(["a", "b", "c"], [1, 1, 0])
    assert model.predict(["x", "y"]).tolist() == [1, 1]
    _is_proba(model.predict_proba(["x"]), 1)
    assert MajorityBaseline().fit(["a", "b", "c"], [0, 1, 0]).predict(["z"]).tolist() == [0]
    assert MajorityBaseline().fit(["a", "b"], [1, 0]).predict(["z"]).tolist() == [0]      # a tie goes to 0
    assert MajorityBaseline().fit(["a"], [1]).score(["p", "q", "r", "s"], [1, 1, 1, 0]) == 0.75


def test_majority_on_the_balanced_corpus_is_chance():
    train, test = load_reviews("train"), load_reviews("test")
    model = MajorityBaseline().fit(train["text"], train["label"])
    assert model.score(test["text"], test["label"]) == pytest.approx(test["label"].eq(model.label_).mean())


def test_tfidf_learns_words_and_is_deterministic():
    model = TfidfLogisticBaseline().fit(TEXTS, LABELS)
    assert model.predict(["love love great", "awful boring hate"]).tolist() == [1, 0]
    p = model.predict_proba(TEXTS)
    _is_proba(p, len(TEXTS))
    assert model.score(TEXTS, LABELS) == 1.0
    again = TfidfLogisticBaseline().fit(TEXTS, LABELS).predict_proba(TEXTS)
    assert np.array_equal(p, again)


def test_tfidf_probability_columns_follow_the_labels():
    """Column 1 is P(positive) whatever the order of the training labels."""
    flipped = TfidfLogisticBaseline().fit(TEXTS[::-1], LABELS[::-1])
    assert flipped.predict_proba(["love it, great"])[0, 1] > 0.5
    assert flipped.predict_proba(["hate it, awful"])[0, 1] < 0.5


def test_tfidf_beats_the_majority_on_the_course_corpus():
    train, test = load_reviews("train"), load_reviews("test")
    tfidf = TfidfLogisticBaseline().fit(train["text"], train["label"]).score(test["text"], test["label"])
    assert tfidf > 0.7 > MajorityBaseline().fit(train["text"], train["label"]).score(test["text"], test["label"])


def test_vader_scores_polarity_without_training():
    model = VaderBaseline()
    assert model.predict(["This is wonderful, I love it!", "Terrible. I hate it."]).tolist() == [1, 0]
    compound = model.compound(["Not bad at all.", "good", "table"])
    assert compound[0] > 0 and compound[1] > 0 and compound[2] == 0
    assert model.predict(["table"]).tolist() == [0]                # no sentiment word: compound 0 counts as negative
    p = model.predict_proba(TEXTS)
    _is_proba(p, len(TEXTS))
    assert np.array_equal(model.fit(TEXTS, LABELS).predict_proba(TEXTS), p)     # fit learns nothing


def test_vader_on_the_uci_sentences_beats_chance():
    amazon = load_uci_sentences("amazon")
    assert VaderBaseline().score(amazon["text"], amazon["label"]) > 0.7


@pytest.mark.parametrize("make", [MajorityBaseline, TfidfLogisticBaseline, VaderBaseline])
def test_bad_input_is_rejected_clearly(make):
    model = make()
    with pytest.raises(TypeError, match="not one string"):
        model.fit("I love it", [1])
    with pytest.raises(ValueError, match="empty list"):
        model.fit([], [])
    with pytest.raises(TypeError, match=r"item 1 is int"):
        model.fit(["ok", 3], [1, 0])
    with pytest.raises(ValueError, match="got 2 texts but 1 labels"):
        model.fit(["ok", "bad"], [1])
    with pytest.raises(ValueError, match=r"0 \(negative\) or 1 \(positive\); label 1 is 2"):
        model.fit(["ok", "bad"], [1, 2])
    with pytest.raises(ValueError, match="label 0 is True"):
        model.fit(["ok", "bad"], [True, 0])
    with pytest.raises(ValueError, match=r"label 1 is 'neg'"):
        model.fit(["ok", "bad"], [1, "neg"])
    fitted = model.fit(TEXTS, LABELS)
    with pytest.raises(TypeError, match="not one string"):
        fitted.predict("I love it")
    with pytest.raises(TypeError, match="item 0 is NoneType"):
        fitted.predict_proba([None])


@pytest.mark.parametrize("make", [MajorityBaseline, TfidfLogisticBaseline])
def test_predicting_before_fitting_says_so(make):
    with pytest.raises(RuntimeError, match=r"not fitted yet: call fit\(texts, labels\) first"):
        make().predict(["hello"])


def test_tfidf_settings_and_one_class_training_are_refused():
    with pytest.raises(ValueError, match="all 1: a logistic regression needs examples of both classes"):
        TfidfLogisticBaseline().fit(["good", "great"], [1, 1])
    with pytest.raises(ValueError, match="could not be fitted.*vocabulary"):
        TfidfLogisticBaseline().fit(["!", "?"], [1, 0])
    with pytest.raises(ValueError, match="ngram_range"):
        TfidfLogisticBaseline(ngram_range=(2, 1))
    with pytest.raises(ValueError, match="C must be a positive number"):
        TfidfLogisticBaseline(C=0)
    with pytest.raises(ValueError, match="min_df"):
        TfidfLogisticBaseline(min_df=0)
    with pytest.raises(TypeError, match="seed must be an integer"):
        TfidfLogisticBaseline(seed=1.5)


def test_accuracy():
    assert accuracy([1, 0, 1, 1], [1, 1, 1, 0]) == 0.5
    with pytest.raises(ValueError, match="equally long"):
        accuracy([1, 0], [1])


def _shift_frames():
    import pandas as pd
    test = pd.DataFrame({"text": ["good film", "bad film", "good food", "bad food"], "label": [1, 0, 1, 0]})
    uci = pd.DataFrame({"text": ["good phone", "bad phone", "bad movie", "not good movie"],
                        "label": [1, 0, 0, 0], "site": ["amazon", "amazon", "imdb", "imdb"]})
    return test, uci


def test_domain_shift_table_scores_each_domain_from_one_call():
    from course_utils.baselines import domain_shift_table
    test, uci = _shift_frames()
    calls = []

    def says_good_is_positive(texts):
        calls.append(len(texts))
        return [int("good" in t) for t in texts]

    table = domain_shift_table({"keyword": says_good_is_positive, "always 0": lambda texts: [0] * len(texts)},
                               test, uci)
    assert calls == [8]
    assert list(table.columns) == ["course test", "UCI amazon", "UCI imdb", "UCI all"]
    assert table.loc["keyword"].tolist() == [1.0, 1.0, 0.5, 0.75]     # "not good movie" fools it
    assert table.loc["always 0"].tolist() == [0.5, 0.5, 1.0, 0.75]


@pytest.mark.parametrize("predictors, change, error, match", [
    ({}, None, TypeError, "non-empty dict"),
    ({"m": "not a function"}, None, TypeError, "must be a function"),
    ({"m": lambda texts: [0]}, None, ValueError, "returned 1 labels for 8 texts"),
    ({"m": lambda texts: [0] * len(texts)}, "no site", ValueError, r"no column\(s\) \['site'\]"),
    ({"m": lambda texts: [0] * len(texts)}, "bad label", ValueError, "label 1 is 2"),
])
def test_domain_shift_table_rejects_bad_input(predictors, change, error, match):
    from course_utils.baselines import domain_shift_table
    test, uci = _shift_frames()
    if change == "no site":
        uci = uci.drop(columns="site")
    if change == "bad label":
        test.loc[1, "label"] = 2
    with pytest.raises(error, match=match):
        domain_shift_table(predictors, test, uci)
