"""scaleout/readers.py gives the learned readers' features exactly as nlu/fast.py does, to the bit:
the same sparse matrices (values, order of entries, index types) and the same rankings from the
project's trained readers; and on the server each classifier's weights are still made once."""

from __future__ import annotations

import re

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nlu import fast, language
from nlu.facts import vectorisers
from scaleout import readers
from troubleshooter.paths import ROOT

EDGES = ["", "zzz", "😭🙏", "no", "No.", "  ", "x" * 3000, "vpn vpn vpn vpn off off", "ainda não 😭"]


def _project_texts(every: int = 25) -> list[str]:
    """Every `every`-th example of the project's training data, and odd texts."""
    texts = []
    for path in sorted((ROOT / "data").rglob("*.yml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            found = re.match(r"\s*- (.+)$", line)
            if found:
                texts.append(found.group(1))
    return texts[::every] + EDGES


TEXTS = _project_texts()


def _same(a, b) -> bool:
    """Two sparse matrices stored alike: shape, values, entries' order and index types."""
    arrays = ((a.data, b.data), (a.indices, b.indices), (a.indptr, b.indptr))
    return a.shape == b.shape and all(x.dtype == y.dtype and x.tobytes() == y.tobytes() for x, y in arrays)


@pytest.fixture(scope="module")
def fitted():
    """The readers' kinds of vectoriser, fitted on the project's texts."""
    kinds = [
        *vectorisers(),
        *language.vectorisers(),
        TfidfVectorizer(),  # no sublinear tf
        TfidfVectorizer(smooth_idf=False, norm="l1"),
    ]
    return [v.fit(TEXTS[1::2]) for v in kinds]


def test_tfidf_is_stored_exactly_as_nlu_fast_stores_it(fitted):
    for vectoriser in fitted:
        for i in range(0, len(TEXTS), 3):
            texts = TEXTS[i : i + 3]
            want, got = readers._projects_tfidf(vectoriser, texts), readers.tfidf(vectoriser, texts)
            assert _same(got, want), (vectoriser, texts)


def test_a_product_of_zero_is_left_to_scipy(fitted):
    vectoriser = fitted[2]
    diag, idf = readers._idf(vectoriser)
    x = CountVectorizer.transform(vectoriser, TEXTS[:5]).astype(np.float64)
    zeros = idf.copy()
    zeros[x.indices[0]] = 0.0
    assert _same(readers._times_idf(x, diag, zeros), x @ diag)  # scipy's product (the idf it holds)


def test_the_server_makes_each_classifiers_weights_once(fitted, monkeypatch):
    """With the server's functions applied, nlu/fast.py keeps a classifier's weights on the classifier
    (a wrapper made per call had them converted again at every message: the single-precision intent
    reader's five million, which doubled the server's CPU per turn)."""
    monkeypatch.setattr(fast, "tfidf", readers._projects_tfidf)  # put back after the test
    readers.apply()
    x = fitted[2].transform(TEXTS)
    classifier = LogisticRegression(max_iter=200).fit(x, [i % 3 for i in range(len(TEXTS))])
    classifier.coef_ = classifier.coef_.astype(np.float32)  # as the intent reader's
    fast.probabilities(classifier, x[:2])
    kept = classifier.__dict__["_fast_weights"][1]
    fast.probabilities(classifier, x[2:4])
    assert classifier.__dict__["_fast_weights"][1] is kept and kept.dtype == np.float64


def test_the_trained_readers_read_the_same(monkeypatch, outcome_of, language_of, asks_of, stated):
    """The project's readers (the fixtures' models) with nlu/fast.py's functions, then with these."""

    def read_all():
        return [(outcome_of(t), language_of(t), asks_of(t), stated(t)) for t in TEXTS[::4]]

    monkeypatch.setattr(fast, "tfidf", readers._projects_tfidf)
    want = read_all()
    readers.apply()
    assert fast.tfidf is readers.tfidf
    assert read_all() == want
