"""nlu/regression.py: the readers' solver reaches the optimum scikit-learn's default solver reaches."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from nlu import fast, regression
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
    "works now thanks",
    "nope still broken",
]
UNSEEN = ["vpn off now it works", "zzz", "ainda não 😭", "no", "gak bisa kirim pesan ke siapa pun"]
THREE = ["worked", "failed", "fact", "worked", "failed", "failed", "fact", "fact", "worked", "failed"]
TWO = ["worked" if label == "worked" else "other" for label in THREE]


@pytest.mark.parametrize("labels", [THREE, TWO], ids=["multinomial", "binary"])
@pytest.mark.parametrize("balanced", [True, False])
def test_same_optimum_as_lbfgs(labels, balanced):
    features = vectorisers()
    x = fast.fit_side_by_side(features, TRAIN)
    ours = regression.regression(30.0, balanced=balanced).fit(x, labels)
    weights = "balanced" if balanced else None
    lbfgs = LogisticRegression(C=30.0, class_weight=weights, max_iter=3000, tol=1e-8).fit(x, labels)
    assert ours.solver != lbfgs.solver
    assert list(ours.classes_) == list(lbfgs.classes_) and ours.coef_.shape == lbfgs.coef_.shape
    unseen = fast.side_by_side(features, UNSEEN)
    np.testing.assert_allclose(fast.probabilities(ours, unseen), fast.probabilities(lbfgs, unseen), atol=2e-3)


def test_fit_learns_balanced_classes_from_texts():
    features = vectorisers()
    model = regression.fit(features, TRAIN, THREE, 10.0)
    assert model.class_weight == "balanced"
    probs = fast.probabilities(model, fast.side_by_side(features, ["works now thanks", "still not sending"]))
    assert [model.classes_[i] for i in probs.argmax(axis=1)] == ["worked", "failed"]


def test_many_classes_fit_in_single_precision_to_the_same_optimum():
    labels = [f"intent_{n}" for n in range(len(TRAIN))]
    assert len(set(labels)) >= regression.MANY_CLASSES
    features = vectorisers()
    ours = regression.fit(features, TRAIN, labels, 10.0)
    assert ours.coef_.dtype == np.float32
    x = fast.fit_side_by_side(vectorisers(), TRAIN)
    lbfgs = LogisticRegression(C=10.0, class_weight="balanced", max_iter=3000, tol=1e-8).fit(x, labels)
    unseen = fast.side_by_side(features, UNSEEN)
    np.testing.assert_allclose(fast.probabilities(ours, unseen), fast.probabilities(lbfgs, unseen), atol=2e-3)
