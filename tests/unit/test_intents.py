"""nlu/intents.py: every message's intent, in any language, and each clause's intents of a message
of several."""

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.intents import IntentReader
from nlu.language import LANGUAGE
from nlu.sentence_intents import CLAUSES

EXAMPLES = {
    "faq_tiktok_down": ["esta caido tiktok?", "tiktok se cayo hoy?", "is tiktok down", "tiktok caiu?"],
    "deny": ["no", "para nada", "nop", "no nada de eso"],
    "human_handoff": ["quiero hablar con una persona", "pasame con un humano", "talk to a human"],
}


def message(text: str, language: str) -> Message:
    m = Message.build(text)
    m.set(LANGUAGE, [{"name": language, "confidence": 0.9}])
    return m


def reader(tmp_path) -> IntentReader:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    config = IntentReader.get_default_config()
    IntentReader.create(config, storage, Resource("i"), context).train(
        TrainingData([Message.build(t, intent) for intent, ts in EXAMPLES.items() for t in ts])
    )
    return IntentReader.load(config, storage, Resource("i"), context)


def test_every_message_gets_its_intent_and_a_ranking_best_first(tmp_path):
    spanish, english = message("pasame con una persona", "es"), message("i want a human", "en")
    button = Message.build("/deny")
    reader(tmp_path).process([spanish, english, button])
    for m in (spanish, english):
        ranking = m.get("intent_ranking")
        assert m.get("intent")["name"] == ranking[0]["name"] == "human_handoff"
        assert [r["confidence"] for r in ranking] == sorted((r["confidence"] for r in ranking), reverse=True)
        assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-6
    assert button.get("intent") is None  # a payload says its intent itself


def test_each_clause_of_a_message_of_several_gets_its_intents(tmp_path):
    spanish = message("no nada de eso. oye, tiktok esta caido o que?", "es")
    english = message("no not that. hey, is tiktok down or what?", "en")
    short = message("is tiktok down", "en")
    reader(tmp_path).process([spanish, english, short])
    for m in (spanish, english):
        first, second = m.get(CLAUSES)
        assert first["ranking"][0][0] == "deny" and second["ranking"][0][0] == "faq_tiktok_down"
        assert len(first["ranking"]) == 3
    assert short.get(CLAUSES) is None  # one clause: the message's own intents say it


def test_without_a_trained_model_nothing_is_read(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    loaded = IntentReader.load(IntentReader.get_default_config(), storage, Resource("none"), context)
    m = message("is tiktok down", "en")
    loaded.process([m])
    assert m.get("intent") is None
