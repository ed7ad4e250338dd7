"""nlu/regression.py: the readers' solver reaches the optimum scikit-learn's default solver reaches."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from nlu import fast, regression
from nlu.facts import vectorisers

TRAIN = [
    "sent it again and it went through",
    "the red mark is still there",
    "my wifi is fine, it's only tiktok",
    "listo, ya se envió",
    "ainda não vai, mesmo erro",
    "masih gagal terus",
    "a banner says i'm sending too fast",
    "just with my sister",
    "all good now, thank you",
    "nah same thing",
]
UNSEEN = ["vpn off now it works", "zzz", "ainda não 😭", "no", "gak bisa kirim pesan ke siapa pun"]
THREE = ["worked", "failed", "fact", "worked", "failed", "failed", "fact", "fact", "worked", "failed"]
TWO = ["worked" if label == "worked" else "other" for label in THREE]


def converged(fit):
    """Run `fit` with every warning an error (a line search that failed, too few iterations)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = fit()
    assert model.n_iter_.max() < regression.MAX_ITER
    return model


@pytest.mark.parametrize("labels", [THREE, TWO], ids=["multinomial", "binary"])
@pytest.mark.parametrize("balanced", [True, False])
def test_same_optimum_as_lbfgs(labels, balanced):
    features = vectorisers()
    x = fast.fit_side_by_side(features, TRAIN)
    ours = converged(lambda: regression.regression(30.0, balanced=balanced).fit(x, labels))
    weights = "balanced" if balanced else None
    lbfgs = LogisticRegression(C=30.0, class_weight=weights, max_iter=3000, tol=1e-8).fit(x, labels)
    assert ours.solver == regression.SOLVER != lbfgs.solver
    assert list(ours.classes_) == list(lbfgs.classes_) and ours.coef_.shape == lbfgs.coef_.shape
    unseen = fast.side_by_side(features, UNSEEN)
    np.testing.assert_allclose(fast.probabilities(ours, unseen), fast.probabilities(lbfgs, unseen), atol=5e-4)


def test_fit_learns_balanced_classes_from_texts_in_double_precision():
    features = vectorisers()
    model = converged(lambda: regression.fit(features, TRAIN, THREE, 10.0))
    assert model.class_weight == "balanced" and model.coef_.dtype == np.float64
    probs = fast.probabilities(model, fast.side_by_side(features, ["works now thanks", "still not sending"]))
    assert [model.classes_[i] for i in probs.argmax(axis=1)] == ["worked", "failed"]


def test_many_classes_fit_in_single_precision_to_the_same_optimum():
    rng = np.random.default_rng(7)
    classes = 2 * regression.MANY_CLASSES
    labels = [f"intent_{n}" for n in rng.integers(0, classes, 600)]
    # each class has two words of its own among six shared ones
    texts = [" ".join([*rng.choice([f"w{n}" for n in range(300)], 6), f"w{n[7:]}x", f"w{n[7:]}y"]) for n in labels]
    features = vectorisers()
    ours = converged(lambda: regression.fit(features, texts, labels, 10.0))
    assert ours.coef_.dtype == np.float32
    x = fast.fit_side_by_side(vectorisers(), texts)
    lbfgs = LogisticRegression(C=10.0, class_weight="balanced", max_iter=3000, tol=1e-8).fit(x, labels)
    unseen = fast.side_by_side(features, texts[:50] + ["w3x w3y", "w1 w2 w3"])
    np.testing.assert_allclose(fast.probabilities(ours, unseen), fast.probabilities(lbfgs, unseen), atol=5e-4)
