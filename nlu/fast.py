"""The learned readers' features and probabilities without scikit-learn's per-call checks.

At prediction time, scikit-learn 1.1 re-validates a fitted model on every call; for a
TfidfVectorizer that check sums its idf matrix each time. Per message, those checks cost the
server more than the readers' own arithmetic. These functions compute the same numbers from
the fitted attributes (tests/unit/test_nlu_fast.py compares them with scikit-learn's)."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse


def _idf(vectoriser: Any) -> sparse.csr_matrix:
    """The fitted idf as a diagonal matrix, taken once per vectoriser."""
    diag = vectoriser.__dict__.get("_fast_idf")
    if diag is None:
        diag = vectoriser._tfidf._idf_diag.tocsr()
        vectoriser.__dict__["_fast_idf"] = diag
    return diag


def tfidf(vectoriser: Any, texts: list[str]) -> sparse.csr_matrix:
    """What `vectoriser.transform(texts)` gives, for a fitted TfidfVectorizer."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import normalize

    x = CountVectorizer.transform(vectoriser, texts).astype(np.float64)
    if vectoriser.sublinear_tf:
        np.log(x.data, x.data)
        x.data += 1
    if vectoriser.use_idf:
        x = x @ _idf(vectoriser)
    return normalize(x, norm=vectoriser.norm, copy=False) if vectoriser.norm else x


def features(vectorisers: list, texts: list[str]) -> list[sparse.csr_matrix]:
    return [tfidf(v, texts) for v in vectorisers]


def stack(parts: list[sparse.spmatrix]) -> sparse.csr_matrix:
    """Feature matrices of the same texts side by side (a reader's one feature matrix)."""
    return sparse.hstack(parts).tocsr()


def side_by_side(vectorisers: list, texts: list[str]) -> sparse.csr_matrix:
    """The fitted vectorisers' features of `texts`, side by side."""
    return stack(features(vectorisers, texts))


def fit_side_by_side(vectorisers: list, texts: list[str]) -> sparse.csr_matrix:
    """Fit each vectoriser on `texts`; their features of `texts`, side by side."""
    return stack([v.fit_transform(texts) for v in vectorisers])


def _weights(classifier: Any) -> np.ndarray:
    """`coef_` transposed, in row order and double precision, made once per fitted classifier: a
    sparse matrix times a transposed (column-order) one copies it first, five million numbers of the
    intent reader's on every message."""
    kept = classifier.__dict__.get("_fast_weights")
    if kept is None or kept[0] is not classifier.coef_:
        kept = (classifier.coef_, np.ascontiguousarray(classifier.coef_.T, dtype=np.float64))
        classifier.__dict__["_fast_weights"] = kept
    return kept[1]


def probabilities(classifier: Any, x: sparse.spmatrix) -> np.ndarray:
    """What `classifier.predict_proba(x)` gives, for a fitted LogisticRegression: the fast way for
    a multinomial one over three or more classes and for a binary one (the readers'), scikit-learn's
    otherwise."""
    z = np.asarray(x @ _weights(classifier)) + classifier.intercept_
    if len(classifier.classes_) == 2 and classifier.multi_class in ("auto", "ovr"):
        return from_logits(z)
    multinomial = classifier.multi_class == "multinomial" or (
        classifier.multi_class == "auto" and classifier.solver != "liblinear"
    )
    if not multinomial or len(classifier.classes_) < 3:
        return classifier.predict_proba(x)
    return softmax(z)


def from_logits(z: np.ndarray) -> np.ndarray:
    """P(class) from a fitted LogisticRegression's logits (one row per text): for one column (two
    classes, the second against the first) its logistic beside its complement, so that every class
    has its column; else a softmax over the columns."""
    if z.shape[1] == 1:
        p = 1.0 / (1.0 + np.exp(-z))
        return np.hstack([1.0 - p, p])
    return softmax(z)


def softmax(z: np.ndarray) -> np.ndarray:
    """A softmax over the last axis of `z`."""
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)
