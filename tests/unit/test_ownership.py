"""A support chat saying who owns the conversation: people take over, give it
back (the bot carries on where it was), or close it (the next message starts
fresh). And a reply typed as a button's title picks that button."""

from tests.unit.states import asking, buttons, payloads, texts
from troubleshooter.dialogue import owner_changed
from troubleshooter.reading import Reading
from troubleshooter.state import Diagnosis


def handed_over(engine, talk):
    d = asking(engine, "vpn_or_proxy")
    talk(d, "talk to a human", ("human_handoff", 0.95))
    assert d.status == "handed_over" and d.pending is None
    return d


def test_given_back_the_bot_says_so_and_goes_on_with_the_next_step(engine, talk):
    d = handed_over(engine, talk)
    msgs = owner_changed(engine, d, "bot")
    assert texts(msgs).startswith("I'm back") and d.status == "active"
    kinds = [p["type"] for p in payloads(msgs)]
    assert kinds in (["owner", "question"], ["owner", "fix"]) and buttons(msgs) and d.choices == buttons(msgs)
    assert "vpn_or_proxy" not in d.evidence  # nothing was made up while people had it


def test_a_message_that_comes_with_the_hand_back_and_needs_no_step_is_answered(engine, talk, kb):
    d = handed_over(engine, talk)
    msgs = owner_changed(engine, d, "bot", Reading("result", "worked"))
    assert texts(msgs).startswith("I'm back") and d.status == "resolved"
    assert payloads(msgs)[-1] == {"type": "resolved", "fix": None, "outcome": "fixed"}


def test_a_reply_to_nothing_after_the_hand_back_waits_for_the_step_it_did_not_see(engine, talk):
    d = handed_over(engine, talk)
    msgs = owner_changed(engine, d, "bot", Reading("answer", "yes", target=None))
    assert texts(msgs).startswith("I'm back") and "carry on" in texts(msgs)
    assert d.pending is not None and "vpn_or_proxy" not in d.evidence


def test_people_taking_over_pause_the_diagnosis_and_its_step_is_shown_when_given_back(engine):
    d = asking(engine, "vpn_or_proxy")
    assert payloads(owner_changed(engine, d, "people")) == [{"type": "owner", "owner": "people"}]
    assert d.status == "handed_over"
    msgs = owner_changed(engine, d, "bot")
    assert "Where we left off" in texts(msgs) and payloads(msgs)[-1] == {
        "type": "question",
        "evidence": "vpn_or_proxy",
        "reminder": True,
    }


def test_a_reply_to_the_step_people_interrupted_is_read_against_it(engine):
    d = asking(engine, "vpn_or_proxy")
    owner_changed(engine, d, "people")
    msgs = owner_changed(engine, d, "bot", Reading("answer", "no", target="vpn_or_proxy"))
    assert texts(msgs).startswith("I'm back") and d.evidence.get("vpn_or_proxy") == "no"


def test_nothing_left_to_try_when_given_back_asks_what_happens_now(engine):
    d = engine.start("send_failed")
    while engine.next_step(d).kind in ("question", "fix"):
        step = engine.advance(d)
        if step.kind == "fix":
            engine.fix_result(d, step.id, worked=False)
        else:
            engine.answer(d, step.id, "unsure")
    d.status, d.pending = "handed_over", None
    msgs = owner_changed(engine, d, "bot")
    assert texts(msgs).startswith("I'm back") and "everything likely" in texts(msgs)
    assert d.status == "idle" and d.pending_kind == "clarify" and buttons(msgs)


def test_a_closed_conversation_starts_fresh_and_a_status_for_the_bot_says_nothing(engine, talk):
    d = handed_over(engine, talk)
    msgs = owner_changed(engine, d, "closed")
    assert (
        texts(msgs) == ""
        and payloads(msgs) == [{"type": "owner", "owner": "closed"}]
        and d == Diagnosis(episode=1, language="en")
    )
    d = asking(engine, "vpn_or_proxy")
    msgs = owner_changed(engine, d, "bot")
    assert texts(msgs) == "" and d.pending_question == "vpn_or_proxy"


def test_a_button_title_typed_back_picks_that_button(engine, talk, kb):
    """As WhatsApp sends a button reply: its title as plain text, whatever the NLU thinks."""
    d = Diagnosis()
    _, msgs = talk(d, "hmm", ("nlu_fallback", 0.4))
    titles = [b["title"] for m in msgs for b in m.get("buttons") or []]
    assert d.titles == titles and len(d.choices) == len(titles)
    reading, _ = talk(d, titles[1].upper() + " ", ("greet", 0.9))
    assert reading.act == "report" and reading.symptom == buttons(msgs)[1].removeprefix("/symptom_")
    assert "title" in reading.how and d.status == "active"
    reading, _ = talk(d, "something else entirely", ("out_of_scope", 0.9))  # not a title: read as text
    assert "title" not in reading.how
