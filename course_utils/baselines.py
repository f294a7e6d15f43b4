"""Baselines for the sentiment chapters: majority class, TF-IDF + logistic regression, and the VADER lexicon.

Introduced with the real-world sentences (chapters 06/08): before crediting chapter 06's LSTM or chapter 08's
BERT classifier with an accuracy, compare it with what needs no deep learning at all.
``benchmarks/bench_realworld.py`` runs all of them in-domain (the course corpus's test split) and
out-of-domain (the UCI sentences, :func:`course_utils.reviews.load_uci_sentences`).

Every baseline has the same small interface, with the course's labels (0 = negative, 1 = positive):

- ``fit(texts, labels)`` returns the baseline itself;
- ``predict_proba(texts)`` gives one row ``[P(negative), P(positive)]`` per text;
- ``predict(texts)`` gives 0/1 labels (ties go to 0, as ``argmax`` does).

:class:`MajorityBaseline` predicts the most frequent training label for every text (a tie goes to 0, as in
scikit-learn's ``DummyClassifier``). :class:`TfidfLogisticBaseline` is a scikit-learn pipeline, words
weighted by TF-IDF into a logistic regression; it is deterministic (``seed`` is passed to the solver).
:class:`VaderBaseline` scores each text with VADER's hand-made lexicon and rules (Hutto and Gilbert, ICWSM 2014;
the ``vaderSentiment`` package); it learns nothing from ``fit``: P(positive) = (compound + 1) / 2, so a text
with no sentiment word (compound 0) counts as negative. Inputs are checked: texts must be a non-empty list of
strings, labels 0/1 and as many as the texts.
"""
from __future__ import annotations

import numpy as np

__all__ = ["MajorityBaseline", "TfidfLogisticBaseline", "VaderBaseline", "accuracy", "domain_shift_table"]


def _check_texts(texts, what: str = "texts") -> list[str]:
    if isinstance(texts, str):
        raise TypeError(f"{what} must be a list of strings, not one string (wrap it in a list)")
    try:
        texts = list(texts)
    except TypeError:
        raise TypeError(f"{what} must be a non-empty list of strings, got {type(texts).__name__}") from None
    if not texts:
        raise ValueError(f"{what} must be a non-empty list of strings, got an empty list")
    bad = next((i for i, t in enumerate(texts) if not isinstance(t, str)), None)
    if bad is not None:
        raise TypeError(f"{what} must be strings; item {bad} is {type(texts[bad]).__name__} ({texts[bad]!r})")
    return texts


def _check_labels(labels, n: int) -> np.ndarray:
    if isinstance(labels, str):
        raise TypeError("labels must be a list of 0/1 labels, not a string")
    try:
        values = list(labels)
    except TypeError:
        raise TypeError(f"labels must be a list of 0/1 labels, got {type(labels).__name__}") from None
    if len(values) != n:
        raise ValueError(f"got {n} texts but {len(values)} labels; expected one label per text")
    bad = next((i for i, y in enumerate(values)
                if isinstance(y, (bool, np.bool_)) or not isinstance(y, (int, np.integer)) or y not in (0, 1)), None)
    if bad is not None:
        raise ValueError(f"labels must be the integers 0 (negative) or 1 (positive); label {bad} is {values[bad]!r}")
    return np.asarray(values, dtype=np.int64)


def accuracy(y_true, y_pred) -> float:
    """Share of equal labels; both must be 1-D and equally long."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1 or y_true.size == 0:
        raise ValueError(f"y_true and y_pred must be 1-D and equally long, got shapes {y_true.shape}, {y_pred.shape}")
    return float((y_true == y_pred).mean())


class _Baseline:
    name = "baseline"

    def _fitted(self):
        if not getattr(self, "fitted_", False):
            raise RuntimeError(f"{type(self).__name__} is not fitted yet: call fit(texts, labels) first")

    def predict(self, texts) -> np.ndarray:
        """0 (negative) or 1 (positive) per text: the larger of the two probabilities, ties to 0."""
        return self.predict_proba(texts).argmax(axis=1).astype(np.int64)

    def score(self, texts, labels) -> float:
        """Accuracy on (texts, labels)."""
        texts = _check_texts(texts)
        return accuracy(_check_labels(labels, len(texts)), self.predict(texts))


class MajorityBaseline(_Baseline):
    """Predict the most frequent training label for every text (ties: 0, negative)."""
    name = "majority class"

    def fit(self, texts, labels) -> "MajorityBaseline":
        texts = _check_texts(texts)
        y = _check_labels(labels, len(texts))
        self.counts_ = np.bincount(y, minlength=2)
        self.label_ = int(self.counts_.argmax())
        self.fitted_ = True
        return self

    def predict_proba(self, texts) -> np.ndarray:
        self._fitted()
        texts = _check_texts(texts)
        row = np.zeros(2)
        row[self.label_] = 1.0
        return np.tile(row, (len(texts), 1))


class TfidfLogisticBaseline(_Baseline):
    """TF-IDF of word n-grams into a logistic regression (scikit-learn), deterministic given ``seed``.

    The defaults were chosen on the course corpus's validation split (train on train, C in 0.3-100, words
    or words and word pairs): words alone with C = 10 scored best there, though every setting was within
    two percentage points (five reviews) of it.

    Args:
        ngram_range: word n-grams, (1, 1) = words, (1, 2) = words and word pairs.
        C: inverse regularisation strength of the logistic regression.
        min_df: ignore n-grams seen in fewer training texts.
        seed: ``random_state`` of the solver.
    """
    name = "TF-IDF + logistic regression"

    def __init__(self, ngram_range=(1, 1), C: float = 10.0, min_df: int = 1, seed: int = 0):
        if not (isinstance(ngram_range, tuple) and len(ngram_range) == 2
                and all(isinstance(k, int) and not isinstance(k, bool) for k in ngram_range)
                and 1 <= ngram_range[0] <= ngram_range[1]):
            raise ValueError(f"ngram_range must be a tuple (low, high) with 1 <= low <= high, got {ngram_range!r}")
        if isinstance(C, bool) or not isinstance(C, (int, float)) or not C > 0:
            raise ValueError(f"C must be a positive number, got {C!r}")
        if isinstance(min_df, bool) or not isinstance(min_df, int) or min_df < 1:
            raise ValueError(f"min_df must be a positive integer, got {min_df!r}")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an integer, got {seed!r}")
        self.ngram_range, self.C, self.min_df, self.seed = ngram_range, float(C), min_df, seed

    def fit(self, texts, labels) -> "TfidfLogisticBaseline":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        texts = _check_texts(texts)
        y = _check_labels(labels, len(texts))
        if len(set(y.tolist())) < 2:
            raise ValueError(f"the training labels are all {int(y[0])}: a logistic regression needs examples of "
                             "both classes (0 = negative and 1 = positive)")
        self.pipeline_ = make_pipeline(
            TfidfVectorizer(ngram_range=self.ngram_range, min_df=self.min_df, sublinear_tf=True),
            LogisticRegression(C=self.C, max_iter=2000, random_state=self.seed))
        try:
            self.pipeline_.fit(texts, y)
        except ValueError as exc:        # e.g. "empty vocabulary" when no text has a word
            raise ValueError(f"TF-IDF + logistic regression could not be fitted on these texts: {exc}") from None
        self.fitted_ = True
        return self

    def predict_proba(self, texts) -> np.ndarray:
        self._fitted()
        texts = _check_texts(texts)
        proba = self.pipeline_.predict_proba(texts)
        classes = list(self.pipeline_.classes_)
        return proba[:, [classes.index(0), classes.index(1)]]


class VaderBaseline(_Baseline):
    """VADER's sentiment lexicon and rules (no training): P(positive) = (compound + 1) / 2.

    Needs the ``vaderSentiment`` package (pinned in requirements.txt). ``fit`` only checks its inputs:
    the lexicon is fixed, so the baseline is usable with or without it.
    """
    name = "VADER lexicon"

    def __init__(self):
        try:
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
        except ImportError as exc:
            raise ImportError("VaderBaseline needs the vaderSentiment package: `pip install vaderSentiment` "
                              "(the course's requirements.txt pins it; `make lab` installs it)") from exc
        self.analyzer_ = SentimentIntensityAnalyzer()
        self.fitted_ = True

    def fit(self, texts, labels) -> "VaderBaseline":
        texts = _check_texts(texts)
        _check_labels(labels, len(texts))
        return self

    def compound(self, texts) -> np.ndarray:
        """VADER's compound score per text, from -1 (most negative) to 1 (most positive)."""
        texts = _check_texts(texts)
        return np.array([self.analyzer_.polarity_scores(t)["compound"] for t in texts], dtype=np.float64)

    def predict_proba(self, texts) -> np.ndarray:
        p = (self.compound(texts) + 1) / 2
        return np.column_stack([1 - p, p])


def domain_shift_table(predictors, test, uci, site_column: str = "site"):
    """Accuracy in-domain and out-of-domain, one row per model (chapters 06 and 08, the real-world sentences).

    Args:
        predictors: ``{name: predict}``, where ``predict(texts)`` returns one 0/1 label per text (a baseline's
            ``predict``, or a function wrapping a trained network).
        test: the in-domain texts, a DataFrame with ``text`` and ``label`` (e.g. ``load_reviews("test")``).
        uci: the out-of-domain texts, a DataFrame with ``text``, ``label`` and ``site_column``
            (e.g. ``load_uci_sentences()``).
    Returns:
        A DataFrame indexed by model name with the columns ``course test``, ``UCI <site>`` for each site (in
        order of first appearance) and ``UCI all``; each ``predict`` is called once on all the texts.
    """
    import pandas as pd

    if not isinstance(predictors, dict) or not predictors:
        raise TypeError("predictors must be a non-empty dict {name: predict}, where predict(texts) gives 0/1 labels")
    for frame, name, columns in ((test, "test", ("text", "label")), (uci, "uci", ("text", "label", site_column))):
        if not isinstance(frame, pd.DataFrame) or frame.empty:
            raise TypeError(f"{name} must be a non-empty DataFrame with columns {list(columns)}, "
                            f"got {type(frame).__name__}")
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ValueError(f"{name} has no column(s) {missing}; it has {list(frame.columns)}")
    texts = _check_texts(test["text"].tolist() + uci["text"].tolist())
    y_test = _check_labels(test["label"].tolist(), len(test))
    y_uci = _check_labels(uci["label"].tolist(), len(uci))
    sites = list(dict.fromkeys(uci[site_column].tolist()))
    rows = {}
    for name, predict in predictors.items():
        if not callable(predict):
            raise TypeError(f"predictors[{name!r}] must be a function of a list of texts, got {type(predict).__name__}")
        pred = np.asarray(predict(texts)).reshape(-1)
        if pred.shape != (len(texts),):
            raise ValueError(f"predictors[{name!r}] returned {pred.size} labels for {len(texts)} texts")
        p_test, p_uci = pred[:len(test)], pred[len(test):]
        row = {"course test": accuracy(y_test, p_test)}
        for site in sites:
            mask = (uci[site_column] == site).to_numpy()
            row[f"UCI {site}"] = accuracy(y_uci[mask], p_uci[mask])
        row["UCI all"] = accuracy(y_uci, p_uci)
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")
