"""nlu/clause_intents.py: a Spanish clause gets the intent its words say; English clauses keep the
sentence encoder's ranking."""

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.clause_intents import ClauseIntentReader
from nlu.language import LANGUAGE
from nlu.sentence_intents import CLAUSES

EXAMPLES = {
    "faq_tiktok_down": ["esta caido tiktok?", "tiktok se cayo hoy?", "is tiktok down", "tiktok caiu?"],
    "deny": ["no", "para nada", "nop", "no nada de eso"],
    "human_handoff": ["quiero hablar con una persona", "pasame con un humano", "talk to a human"],
}
ENCODER = [["deny", 0.9], ["faq_tiktok_down", 0.05]]  # what the English sentence encoder said


def message(language: str) -> Message:
    m = Message.build("no nada. oye, tiktok esta caido o que?")
    m.set(
        CLAUSES,
        [{"text": "no nada", "ranking": ENCODER}, {"text": "oye, tiktok esta caido o que?", "ranking": ENCODER}],
    )
    m.set(LANGUAGE, [{"name": language, "confidence": 0.9}])
    return m


def test_clauses_of_another_language_are_ranked_by_the_learned_reader(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    reader = ClauseIntentReader.create({**ClauseIntentReader.get_default_config()}, storage, Resource("c"), context)
    reader.train(TrainingData([Message.build(t, intent) for intent, ts in EXAMPLES.items() for t in ts]))
    loaded = ClauseIntentReader.load({**ClauseIntentReader.get_default_config()}, storage, Resource("c"), context)
    spanish, english = message("es"), message("en")
    loaded.process([spanish, english])
    first, second = spanish.get(CLAUSES)
    assert first["ranking"][0][0] == "deny" and second["ranking"][0][0] == "faq_tiktok_down"
    assert [c["ranking"] for c in english.get(CLAUSES)] == [ENCODER, ENCODER]
