"""Answers stated in other words, read against the knowledge base's phrases."""

import numpy as np
import pytest

from nlu.minilm import MiniLM
from troubleshooter.meaning import AnswerMatcher, negated


class Bag:
    """A stand-in encoder: unit bag-of-words vectors, so similarity is word overlap."""

    def __init__(self):
        self.words = {}

    def __call__(self, texts):
        rows = []
        for t in texts:
            v = np.zeros(512)
            for w in t.lower().replace("'", " ").split():
                v[self.words.setdefault(w, len(self.words) % 512)] += 1
            rows.append(v / max(np.linalg.norm(v), 1e-9))
        return np.array(rows)


def test_close_to_one_side_and_clearly_closer_than_to_the_other(kb):
    m = AnswerMatcher(kb, Bag())
    value, _ = m.answer("weak_signal", "weak signal here")
    assert value == "yes"
    assert m.answer("weak_signal", "purple elephants dancing")[0] is None
    assert m.answer("no_such_question", "weak signal")[0] is None


def test_negation_must_agree_with_the_nearest_phrase(kb):
    m = AnswerMatcher(kb, Bag())
    # word overlap with a yes-phrase, but negated: not read as yes
    assert m.answer("weak_signal", "no it is not a weak signal")[0] != "yes"
    assert negated("i don't use a vpn") and negated("nothing like that") and not negated("on the school wifi")


def test_vectors_are_cached_by_the_phrases(kb, tmp_path):
    calls = []

    def counting(texts):
        calls.append(len(texts))
        return Bag()(texts)

    AnswerMatcher(kb, counting, tmp_path)
    AnswerMatcher(kb, counting, tmp_path)
    assert len(calls) == 1 and len(list(tmp_path.glob("answer-phrases-*.npy"))) == 1


@pytest.mark.parametrize(
    "question, text, value",
    [
        ("other_apps_work", "youtube and whatsapp are fine", "yes"),
        ("new_account", "made it on monday", "yes"),
        ("vpn_or_proxy", "just my home wifi", "no"),
        ("recipient_profile_visible", "their page loads fine", None),  # as close to "page won't load": no guess
    ],
)
def test_statements_with_the_real_encoder(kb, tmp_path, question, text, value):
    m = AnswerMatcher(kb, MiniLM().embed, tmp_path)
    assert m.answer(question, text)[0] == value


def test_the_cache_is_keyed_by_the_model_and_survives_an_unwritable_folder(kb, tmp_path):
    calls = []

    def counting(texts):
        calls.append(len(texts))
        return Bag()(texts)

    AnswerMatcher(kb, counting, tmp_path, "model-a")
    AnswerMatcher(kb, counting, tmp_path, "model-b")
    assert len(calls) == 2  # other weights: the cached vectors are not reused
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert AnswerMatcher(kb, Bag(), blocked / "cache").answer("weak_signal", "weak signal here")[0] == "yes"
