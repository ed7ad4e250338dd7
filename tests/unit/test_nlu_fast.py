"""nlu/fast.py gives the learned readers' features and probabilities exactly as scikit-learn does."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nlu import fast, language
from nlu.facts import vectorisers

TRAIN = [
    "i turned off my vpn and it works now",
    "still not sending, red exclamation mark",
    "no i don't use a vpn",
    "sí, ya funciona, gracias",
    "não funcionou ainda",
    "udah dicoba tapi gak bisa",
    "it says you're sending messages too fast",
    "only with one person",
]
LABELS = ["worked", "failed", "no", "worked", "failed", "failed", "fact", "fact"]
UNSEEN = ["vpn off now it works", "zzz", "", "ainda não 😭", "no", "gak bisa kirim pesan ke siapa pun"]


@pytest.mark.parametrize(
    "vectoriser",
    [
        *vectorisers(),
        *language.vectorisers(),
        TfidfVectorizer(),  # no sublinear tf
    ],
)
def test_tfidf_equals_scikit_learn(vectoriser):
    vectoriser.fit(TRAIN)
    for texts in (UNSEEN, UNSEEN[:1]):
        want = vectoriser.transform(texts).toarray()
        got = fast.tfidf(vectoriser, texts).toarray()
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_probabilities_equal_scikit_learn_multinomial_and_binary():
    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3)).fit(TRAIN)
    x, unseen = vectoriser.transform(TRAIN), vectoriser.transform(UNSEEN)
    for labels in (LABELS, ["a" if label == "worked" else "b" for label in LABELS]):
        classifier = LogisticRegression(max_iter=1000).fit(x, labels)
        np.testing.assert_allclose(fast.probabilities(classifier, unseen), classifier.predict_proba(unseen), atol=1e-12)


def test_probabilities_follow_a_refitted_classifier():
    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3)).fit(TRAIN)
    x, unseen = vectoriser.transform(TRAIN), vectoriser.transform(UNSEEN)
    classifier = LogisticRegression(max_iter=1000).fit(x, LABELS)
    fast.probabilities(classifier, unseen)  # its weights are kept
    classifier.fit(x, list(reversed(LABELS)))
    np.testing.assert_allclose(fast.probabilities(classifier, unseen), classifier.predict_proba(unseen), atol=1e-12)
