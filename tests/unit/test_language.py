"""Which language the conversation is in (troubleshooter/language.py), switching on request, and
everything said in it: the bot's texts, the knowledge base's, every payload naming it; the note for
the support team in the team's language."""

import pytest

from tests.unit.states import asking, buttons, payloads, texts, trying
from troubleshooter import language
from troubleshooter.dialogue import respond
from troubleshooter.reading import Reading, Turn, read
from troubleshooter.state import Diagnosis
from troubleshooter.texts import texts_for

SPOKEN = ("en", "es", "id", "pt")
SURE_ES = (("es", 0.97), ("pt", 0.02), ("en", 0.01))
SURE_EN = (("en", 0.97), ("es", 0.02), ("pt", 0.01))


def test_the_first_message_the_reader_is_sure_of_decides():
    assert language.heard("no puedo mandar mensajes", SURE_ES, "", None, SPOKEN) == "es"
    assert language.heard("no puedo mandar mensajes", SURE_ES, "", "en", SPOKEN) == "es"  # over the hint


def test_a_short_or_unsure_first_message_leaves_it_to_the_channel_hint():
    assert language.heard("hola", (("es", 0.8), ("pt", 0.2)), "", "pt", SPOKEN) == "pt"
    assert language.heard("hola", SURE_ES, "", "pt", SPOKEN) == "es"  # one word read very surely
    assert language.heard("ok", (("id", 0.5), ("en", 0.4)), "", None, SPOKEN) == "en"  # nothing else says
    assert language.heard("help me", (("en", 0.55), ("id", 0.45)), "", "fr", SPOKEN) == "en"  # not spoken


def test_an_unsure_first_message_without_a_hint_is_not_english_when_the_reader_finds_english_improbable():
    greeting = (("es", 0.72), ("pt", 0.25), ("en", 0.02))
    assert language.heard("q onda", greeting, "", None, SPOKEN) == "es"
    assert language.heard("q onda", greeting, "", "fr", SPOKEN) == "es"  # a hint not spoken is none
    assert language.heard("eae", (("pt", 0.79), ("es", 0.12), ("en", 0.09)), "", None, SPOKEN) == "pt"
    assert language.heard("q onda", greeting, "", "pt", SPOKEN) == "pt"  # a spoken hint decides
    assert language.heard("eae", (("pt", 0.79), ("es", 0.12), ("en", 0.09)), "", "id", SPOKEN) == "id"
    assert language.heard("hola", (("es", 0.45), ("pt", 0.4), ("en", 0.05)), "", None, SPOKEN) == "en"  # no best
    assert language.heard("😩👍", (("id", 0.6), ("pt", 0.35), ("en", 0.05)), "", None, SPOKEN) == "en"  # no words
    assert language.heard("q onda", (("es", 0.72), ("pt", 0.28)), "", None, SPOKEN) == "en"  # English unread
    assert language.heard("q onda que tal", greeting, "en", None, SPOKEN) is None  # later: a short one never


@pytest.mark.parametrize("text", ["ok", "no", "si", "ya", "gracias", "udah kak", "sim obrigado"])
def test_one_or_two_words_never_change_the_language(text):
    assert language.heard(text, SURE_ES, "en", None, SPOKEN) is None


def test_a_long_message_read_surely_in_another_language_changes_it():
    assert language.heard("ahora no puedo mandar ningun mensaje", SURE_ES, "en", None, SPOKEN) == "es"
    unsure = (("es", 0.7), ("pt", 0.3))
    assert language.heard("ahora no puedo mandar ningun mensaje", unsure, "en", None, SPOKEN) is None
    assert language.heard("now i cannot send any message", SURE_EN, "en", None, SPOKEN) is None


def test_a_language_is_found_by_any_of_its_names(kb):
    names = kb.language_names
    assert language.named("can we speak spanish?", names) == "es"
    assert language.named("em português por favor", names) == "pt"
    assert language.named("em portugues pfv", names) == "pt"
    assert language.named("bisa pakai bahasa indonesia?", names) == "id"  # over "bahasa" alone
    assert language.named("ENGLISH PLEASE", names) == "en"
    assert language.named("i speak spanglish", names) is None  # a name, not a part of a word
    assert language.named("can you talk in another language", names) is None
    # of the languages named, the one other than the conversation's
    assert language.named("no entiendo español, ¿habla inglés?", names, "es") == "en"
    assert language.named("hablame en español, no entiendo ingles", names, "en") == "es"
    assert language.named("no hablo inglés", names, "en") is None  # then: the language it is written in


@pytest.mark.parametrize(
    ("raw", "code"), [("es-MX", "es"), ("pt_BR", "pt"), ("in", "id"), ("EN", "en"), (" id-ID ", "id")]
)
def test_channel_hints_are_language_codes(raw, code):
    assert language.hint(raw) == code


@pytest.mark.parametrize("raw", [None, 42, "", "x", "español", "e5-MX"])
def test_a_malformed_hint_is_none(raw):
    assert language.hint(raw) is None


def test_the_slot_keeps_the_language_and_drops_a_malformed_one():
    assert Diagnosis.from_dict({"language": "pt"}).language == "pt"
    assert Diagnosis.from_dict({"language": "<script>"}).language == ""
    assert Diagnosis.from_dict({"language": 3}).language == ""


# ----- in the dialogue -------------------------------------------------------


def _typed(engine, d, text, ranking, languages=(), hint=None):
    reading = read(Turn(text, ranking, languages=languages, hint=hint), d, engine.kb.symptoms.keys())
    return reading, respond(engine, d, reading)


def test_a_conversation_begun_in_spanish_is_answered_in_spanish(engine):
    d = Diagnosis()
    _, msgs = _typed(
        engine, d, "me sale un signo rojo y no se envian los mensajes", (("symptom_send_failed", 0.95),), SURE_ES
    )
    assert d.language == "es"
    assert all(p["language"] == "es" for p in payloads(msgs, with_language=True))
    first = payloads(msgs)[-1]
    shown = engine.kb.speaking("es")
    wording = (
        shown.evidence[first["evidence"]].question if first["type"] == "question" else shown.fixes[first["fix"]].title
    )
    assert wording in texts(msgs)
    assert texts_for("es")("buttons.answer_yes") in [b["title"] for m in msgs for b in m.get("buttons") or []]


def test_asked_mid_question_the_question_comes_again_in_full_in_the_new_language(engine):
    d = asking(engine, "vpn_or_proxy")
    d.language, d.reminders = "en", 1  # shown twice already: a plain reminder would be a pointer
    reading, msgs = _typed(engine, d, "can we speak spanish?", (("switch_language", 0.93),), SURE_EN)
    assert reading.act == "language" and d.language == "es"
    assert texts(msgs).startswith(texts_for("es")("language.switched"))
    assert engine.kb.speaking("es").evidence["vpn_or_proxy"].question in texts(msgs)
    assert payloads(msgs, with_language=True)[-1] == {
        "type": "question",
        "evidence": "vpn_or_proxy",
        "reminder": True,
        "language": "es",
    }
    assert d.pending_question == "vpn_or_proxy"


def test_a_request_naming_no_language_takes_the_one_it_is_written_in(engine):
    d = trying(engine, "restart_device")
    d.language = "en"
    _, msgs = _typed(engine, d, "puedes hablarme en mi idioma?", (("switch_language", 0.8),), SURE_ES)
    assert d.language == "es" and payloads(msgs)[-1]["fix"] == "restart_device"


def test_no_i_dont_speak_english_switches_to_the_language_it_is_written_in(engine):
    d = asking(engine, "vpn_or_proxy")
    _, msgs = _typed(engine, d, "no hablo ingles amigo", (("switch_language", 0.9),), SURE_ES)
    assert d.language == "es" and payloads(msgs, with_language=True)[-1]["language"] == "es"


def test_a_language_not_spoken_gets_the_languages_to_pick_and_the_step_stays(engine):
    d = asking(engine, "vpn_or_proxy")
    d.language = "en"
    _, msgs = _typed(engine, d, "can you speak in another language", (("switch_language", 0.9),), SURE_EN)
    assert d.language == "en" and d.pending_question == "vpn_or_proxy"
    assert '/switch_language{"language":"pt"}' in buttons(msgs)
    assert {"type": "answer", "topic": "languages", "language": "en"} in payloads(msgs, with_language=True)
    _, msgs = respond_payload(engine, d, '/switch_language{"language":"pt"}')
    assert d.language == "pt" and payloads(msgs, with_language=True)[-1]["language"] == "pt"


def respond_payload(engine, d, payload):
    reading = read(Turn.from_payload(payload), d, engine.kb.symptoms.keys())
    return reading, respond(engine, d, reading)


def test_starting_over_keeps_the_language(engine):
    d = asking(engine, "vpn_or_proxy")
    d.language = "id"
    respond(engine, d, Reading("start_over", how="test"))
    assert d.language == "id"


def test_the_agent_note_is_in_the_team_language_and_names_the_users(engine):
    d = asking(engine, "vpn_or_proxy")
    d.language = "pt"
    _, msgs = _typed(engine, d, "quero falar com um atendente humano", (("human_handoff", 0.97),))
    msgs += respond_payload(engine, d, "/human_handoff")[1]
    handoff = next(p for p in payloads(msgs, with_language=True) if p["type"] == "handoff")
    assert handoff["language"] == "pt"
    assert (
        texts_for("en")("agent.writes_in", language=texts_for("pt")("language.own_name"), code="pt") in handoff["note"]
    )
    assert engine.kb.evidence["vpn_or_proxy"].question.rstrip("?") not in texts(msgs)  # the user reads Portuguese


def test_the_readers_put_their_ranking_on_typed_messages_only():
    """LanguageReader and OutcomeReader share RankingReader.process: typed text gets the ranking,
    best first; a button payload or an empty message gets none."""
    from rasa.shared.nlu.training_data.message import Message

    from nlu.language import LANGUAGE, LanguageReader
    from nlu.outcomes import OUTCOME, OutcomeReader
    from tests.conftest import language_model, outcome_model

    for reader, key in (
        (LanguageReader({}, None, None, language_model()), LANGUAGE),
        (OutcomeReader({}, None, None, outcome_model()), OUTCOME),
    ):
        typed, button, empty = (
            Message({"text": "no puedo mandar mensajes"}),
            Message({"text": "/affirm"}),
            Message({"text": " "}),
        )
        reader.process([typed, button, empty])
        ranking = typed.get(key)
        assert ranking and [r["confidence"] for r in ranking] == sorted(
            (r["confidence"] for r in ranking), reverse=True
        )
        assert button.get(key) is None and empty.get(key) is None
