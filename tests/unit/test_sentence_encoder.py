"""The pretrained sentence encoder and the component that blends it with the intent reader."""

import shutil

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from nlu.minilm import MODEL_DIR, MiniLM, ModelMissing
from nlu.sentence_intents import blend, softmax_scores


@pytest.fixture(scope="module")
def minilm():
    return MiniLM()


def test_wordpiece_uses_bert_uncased_ids(minilm):
    # bert-base-uncased: [CLS]=101 [SEP]=102 "my"=2026 "with"=2007 "a"=1037 "red"=2417 "mark"=2928 "!"=999
    ids = minilm.tokenizer.ids("My ... with a RED mark!")
    assert ids[0] == 101 and ids[-1] == 102
    assert [i for i in ids if i in (2026, 2007, 1037, 2417, 2928, 999)] == [2026, 2007, 1037, 2417, 2928, 999]
    assert minilm.tokenizer.words("Café naïve 😭dms") == ["cafe", "naive", "😭dms"]


def test_embeddings_are_unit_length_and_do_not_depend_on_batching(minilm):
    texts = ["ya", "my dms keep failing with a red exclamation mark", "x " * 300]
    together = MiniLM().embed(texts)
    alone = np.vstack([MiniLM().embed([t]) for t in texts])  # fresh encoders: nothing cached
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.abs(together - alone).max() < 1e-5


def test_a_text_seen_again_is_not_computed_again(monkeypatch):
    encoder, passes = MiniLM(), []
    forward = encoder._forward
    monkeypatch.setattr(encoder, "_forward", lambda seqs: passes.append(len(seqs)) or forward(seqs))
    first = encoder.embed(["not sure", "no", "not sure"])
    assert passes == [2]  # the same text twice in one call: computed once
    again = encoder.embed(["no", "still broken", "not sure"])
    assert passes == [2, 1]
    assert np.array_equal(again[0], first[1]) and np.array_equal(again[2], first[0])
    assert np.abs(again[1] - MiniLM().embed(["still broken"])[0]).max() < 1e-5
    monkeypatch.setattr("nlu.minilm.CACHE_SIZE", 2)
    encoder.embed(["yes"])  # only the two used last are kept: "still broken" and "yes"
    encoder.embed(["still broken", "yes"])
    assert passes == [2, 1, 1]
    encoder.embed(["no"])
    assert passes == [2, 1, 1, 1]


def test_paraphrases_are_closer_than_unrelated_sentences(minilm):
    age, same, other = minilm.embed(["How old are you?", "What is your age?", "The weather is nice today"])
    assert age @ same > 0.6 and age @ other < 0.3
    a, b, c, d = minilm.embed(
        [
            "my messages won't send",
            "tiktok dms are not going through",
            "can i talk to a human",
            "what's the weather like tomorrow",
        ]
    )
    assert a @ b > a @ c + 0.1 and a @ b > a @ d + 0.1


def test_missing_or_altered_weights_are_refused(tmp_path):
    with pytest.raises(ModelMissing, match="make setup"):
        MiniLM(tmp_path)
    shutil.copy(MODEL_DIR / "vocab.txt", tmp_path / "vocab.txt")
    (tmp_path / "model.safetensors").write_bytes(b"\0" * 64)
    with pytest.raises(ModelMissing, match="not the expected"):
        MiniLM(tmp_path)


@pytest.mark.parametrize("classes", [3, 2])
def test_softmax_scores_match_sklearn(classes):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 5))
    y = np.array(["a", "b", "c"][:classes])[rng.integers(0, classes, size=60)]
    model = LogisticRegression(max_iter=500).fit(x, y)
    scores = softmax_scores(x, model.coef_, model.intercept_)
    assert scores.shape == (60, classes)
    assert np.allclose(scores, model.predict_proba(x), atol=1e-9)


def test_blend_weighs_both_rankings():
    ranking = [{"name": "deny", "confidence": 0.6}, {"name": "unsure", "confidence": 0.4}]
    out = blend(ranking, ["affirm", "deny", "unsure"], np.array([0.1, 0.1, 0.8]), weight=0.5, length=2)
    # unsure 0.5*0.8 + 0.5*0.4 = 0.6; deny 0.05 + 0.3 = 0.35; affirm 0.05
    assert [r["name"] for r in out] == ["unsure", "deny"]
    assert out[0]["confidence"] == pytest.approx(0.6) and out[1]["confidence"] == pytest.approx(0.35)


def test_only_english_messages_and_clauses_get_the_second_opinion(tmp_path):
    """The encoder knows English only: a message read as Spanish keeps the intent reader's rankings;
    an unsure English message and its unsure clauses are blended, a sure clause is kept."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from nlu.language import LANGUAGE
    from nlu.sentence_intents import CLAUSES, SentenceIntentClassifier

    examples = {
        "faq_tiktok_down": ["is tiktok down", "tiktok servers broken?"],
        "deny": ["no", "nope"],
        "greet": ["hello there", "hi"],
    }
    storage, context = LocalModelStorage(tmp_path), ExecutionContext(GraphSchema({}), "test")
    config = {**SentenceIntentClassifier.get_default_config(), "gate": 0.9, "weight": 0.3, "data": []}
    SentenceIntentClassifier.create(config, storage, Resource("s"), context).train(
        TrainingData([Message.build(t, i) for i, ts in examples.items() for t in ts])
    )
    component = SentenceIntentClassifier.load(config, storage, Resource("s"), context)
    unsure = [{"name": "deny", "confidence": 0.5}, {"name": "faq_tiktok_down", "confidence": 0.5}]
    sure, torn = [["deny", 0.95], ["faq_tiktok_down", 0.05]], [["deny", 0.5], ["faq_tiktok_down", 0.5]]
    messages = []
    for text, language in (("nope not that. is tiktok down?", "en"), ("no nada de eso. esta caido tiktok?", "es")):
        m = Message.build(text)
        m.set(LANGUAGE, [{"name": language, "confidence": 0.9}])
        m.set("intent_ranking", unsure)
        first, second = text.split(". ")
        m.set(CLAUSES, [{"text": first, "ranking": sure}, {"text": second, "ranking": torn}])
        messages.append(m)
    component.process(messages)
    english, spanish = messages
    assert english.get("intent_ranking") != unsure
    kept, blended = english.get(CLAUSES)
    assert kept["ranking"] == sure and blended["ranking"][0][0] == "faq_tiktok_down"
    assert spanish.get("intent_ranking") == unsure
    assert [c["ranking"] for c in spanish.get(CLAUSES)] == [sure, torn]
