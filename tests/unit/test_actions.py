"""The rasa_sdk action over real Tracker objects built from JSON fixtures:
the events it returns and what the dispatcher was told to say. The slot
fixtures predate soft symptom reports, so they also check that an old
conversation's state still loads."""

import copy
import json

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.respond import ActionRespond
from troubleshooter.paths import TESTS
from troubleshooter.state import Diagnosis
from troubleshooter.vocabulary import DIAGNOSIS_SLOT, OWNERSHIP_METADATA, READING_SLOT, payloads

FIXTURES = TESTS / "fixtures" / "trackers"


def tracker(name, **changes):
    state = json.loads((FIXTURES / f"{name}.json").read_text())
    for key, value in changes.items():
        if key == DIAGNOSIS_SLOT:
            state["slots"][DIAGNOSIS_SLOT] = value
        else:
            state["latest_message"][key] = value
    return Tracker.from_dict(state)


def run(t):
    dispatcher = CollectingDispatcher()
    events = ActionRespond().run(dispatcher, t, {})
    return dispatcher.messages, events


def slot(events, name=DIAGNOSIS_SLOT):
    found = [e["value"] for e in events if e["event"] == "slot" and e["name"] == name]
    assert [e["name"] for e in events] == [DIAGNOSIS_SLOT, READING_SLOT] and len(found) == 1
    return found[0]


def typed(text, intent, confidence=0.9, **changes):
    """A typed message with the NLU's ranking (no payload entities)."""
    ranking = [{"name": intent, "confidence": confidence}]
    return tracker("answer_button", text=text, entities=[], intent=ranking[0], intent_ranking=ranking, **changes)


def test_symptom_starts_diagnosis_using_stated_facts():
    messages, events = run(tracker("symptom_with_fact"))
    d = slot(events)
    assert d["status"] == "active" and d["symptoms"] == ["send_failed"]
    assert d["evidence"]["vpn_or_proxy"] == "yes"
    question = payloads(messages)[-1]
    assert question["type"] == "question" and question["evidence"] != "vpn_or_proxy"
    asked = [m for m in messages if m.get("buttons")][-1]
    assert [b["title"] for b in asked["buttons"]] == ["Yes", "No", "Not sure"]
    assert asked["buttons"][0]["payload"] == '/affirm{{"evidence":"{}"}}'.format(question["evidence"])
    assert d["choices"] == [b["payload"] for b in asked["buttons"]]
    assert slot(events, READING_SLOT)["act"] == "report"


def test_button_answer_is_recorded_and_next_step_follows():
    messages, events = run(tracker("answer_button"))
    d = slot(events)
    assert d["evidence"]["only_one_recipient"] == "no"
    nxt = payloads(messages)[-1]
    assert nxt["type"] in ("question", "fix")
    if nxt["type"] == "question":
        assert nxt["evidence"] != "only_one_recipient"


def test_typed_answer_goes_to_the_pending_question():
    _, events = run(typed("nope", "deny"))
    assert slot(events)["evidence"]["only_one_recipient"] == "no"


def test_forged_payload_with_unknown_evidence_is_refused_and_state_kept():
    t = tracker("answer_button", text='/affirm{"evidence":"drop_table"}')
    before = Diagnosis_dict(t)
    messages, events = run(t)
    assert "don't know" in messages[0]["text"]
    assert {k: slot(events)[k] for k in before} == before


def test_forged_payload_with_wrong_type_is_refused():
    messages, events = run(tracker("answer_button", text='/affirm{"evidence":{"x":1}}'))
    assert "don't know" in messages[0]["text"]


FORGED = [  # (payload, what the reply says it ignored)
    ('/fix_failed{"fix":"made_up"}', "a fix"),
    ('/fix_worked{"fix":"made_up"}', "a fix"),
    ('/fix_failed{"fix":7}', "a fix"),
    ('/fix_worked{"fix":["disable_vpn_proxy"]}', "a fix"),
    ('/affirm{"evidence":"made_up"}', "a question"),
    ('/deny{"evidence":{"vpn_or_proxy":"no"}}', "a question"),
]
# What a refused payload may change: the pending step is shown again (one reminder) with its buttons;
# the fixtures' slots were written before languages, so the turn gives the conversation its language.
MAY_CHANGE = ("reminders", "choices", "titles", "language")


def _unchanged(before, after):
    expected = Diagnosis.from_dict(copy.deepcopy(before)).to_dict()
    assert {k: v for k, v in after.items() if k not in MAY_CHANGE} == {
        k: v for k, v in expected.items() if k not in MAY_CHANGE
    }
    assert after["reminders"] == 1


@pytest.mark.parametrize("payload,what", FORGED)
def test_a_forged_id_while_a_fix_is_pending_is_ignored(payload, what):
    before = _with_pending_fix()
    messages, events = run(tracker("answer_button", diagnosis=before, text=payload))
    d = slot(events)
    assert messages[0]["text"] == f"That refers to {what} I don't know, so I've ignored it."
    _unchanged(before, d)  # nothing failed, resolved, skipped or answered; still active, same fix pending
    assert d["pending"] == {"type": "fix", "fix": "disable_vpn_proxy", "kind": "action"} and d["status"] == "active"
    [shown] = payloads(messages)
    assert (shown["type"], shown["fix"], shown["reminder"]) == ("fix", "disable_vpn_proxy", True)
    assert d["choices"][:2] == ['/fix_worked{"fix":"disable_vpn_proxy"}', '/fix_failed{"fix":"disable_vpn_proxy"}']


@pytest.mark.parametrize("payload,what", FORGED)
def test_a_forged_id_while_a_question_is_pending_is_ignored(payload, what):
    before = json.loads((FIXTURES / "answer_button.json").read_text())["slots"][DIAGNOSIS_SLOT]
    messages, events = run(tracker("answer_button", text=payload))
    d = slot(events)
    assert messages[0]["text"] == f"That refers to {what} I don't know, so I've ignored it."
    _unchanged(before, d)
    assert d["pending"] == {"type": "question", "evidence": "only_one_recipient"} and d["evidence"] == {}
    assert payloads(messages) == [
        {"type": "question", "evidence": "only_one_recipient", "reminder": True, "language": "en"}
    ]


def Diagnosis_dict(t):
    return {k: v for k, v in t.get_slot(DIAGNOSIS_SLOT).items() if k in ("evidence", "pending", "status", "failed")}


def _with_pending_fix(fix="disable_vpn_proxy"):
    d = json.loads((FIXTURES / "answer_button.json").read_text())["slots"][DIAGNOSIS_SLOT]
    d = copy.deepcopy(d)
    d["evidence"] = {"only_one_recipient": "no", "vpn_or_proxy": "yes"}
    d["pending"] = {"type": "fix", "fix": fix, "kind": "action"}
    return d


def test_failed_fix_is_evidence_and_never_suggested_again():
    messages, events = run(typed("still broken", "fix_failed", diagnosis=_with_pending_fix()))
    d = slot(events)
    assert d["failed"] == ["disable_vpn_proxy"]
    for p in payloads(messages):
        assert p.get("fix") != "disable_vpn_proxy"


def test_still_broken_while_a_question_waits_repeats_the_question():
    t = typed("still nothing", "fix_failed")
    before = t.get_slot(DIAGNOSIS_SLOT)
    messages, events = run(t)
    assert {k: slot(events)[k] for k in ("evidence", "pending", "asked")} == {
        k: before[k] for k in ("evidence", "pending", "asked")
    }
    assert "answer first" in messages[0]["text"]
    assert payloads(messages) == [
        {"type": "question", "evidence": "only_one_recipient", "reminder": True, "language": "en"}
    ]


def test_fix_that_worked_ends_with_wrap_up_and_resolved_payload():
    messages, events = run(
        tracker("answer_button", diagnosis=_with_pending_fix(), text='/fix_worked{"fix":"disable_vpn_proxy"}')
    )
    assert slot(events)["status"] == "resolved"
    assert "glad" in messages[0]["text"].lower()
    assert payloads(messages) == [
        {"type": "resolved", "fix": "disable_vpn_proxy", "outcome": "fixed", "language": "en"}
    ]


def test_yes_to_a_fix_means_it_worked():
    _, events = run(typed("yes", "affirm", diagnosis=_with_pending_fix()))
    assert slot(events)["resolved_by"] == "disable_vpn_proxy"


def test_explain_sends_diagnosis_and_returns_to_the_pending_step():
    messages, events = run(typed("why do you think that", "ask_why", diagnosis=_with_pending_fix()))
    kinds = [p["type"] for p in payloads(messages)]
    assert kinds == ["diagnosis", "fix"] and payloads(messages)[-1]["reminder"] is True
    assert payloads(messages)[0]["causes"][0]["cause"] == "network_firewall_vpn"
    assert slot(events)["pending"] == _with_pending_fix()["pending"]


def test_handoff_sends_summary():
    messages, events = run(typed("talk to a human", "human_handoff", diagnosis=_with_pending_fix()))
    summary = payloads(messages)[-1]["summary"]
    assert summary["symptom"] == "send_failed" and summary["evidence"]["vpn_or_proxy"] == "yes"
    assert slot(events)["status"] == "handed_over"


def test_other_fix_skips_the_current_one():
    messages, events = run(typed("what else can i try", "ask_other_fix", diagnosis=_with_pending_fix()))
    d = slot(events)
    assert d["skipped"] == ["disable_vpn_proxy"]
    assert payloads(messages)[-1]["type"] in ("fix", "handoff")
    assert payloads(messages)[-1].get("fix") != "disable_vpn_proxy"


def test_faq_answers_then_reminds_of_the_pending_question():
    messages, _ = run(typed("can wifi stop messages", "faq_network"))
    assert "round trip" in messages[0]["text"]
    assert payloads(messages)[-1] == {
        "type": "question",
        "evidence": "only_one_recipient",
        "reminder": True,
        "language": "en",
    }


def test_small_talk_is_followed_by_the_pending_question_only_mid_diagnosis():
    messages, _ = run(typed("thanks", "thanks"))
    assert messages[0]["text"] == "You're welcome!"
    assert payloads(messages) == [
        {"type": "question", "evidence": "only_one_recipient", "reminder": True, "language": "en"}
    ]
    messages, _ = run(typed("thanks", "thanks", diagnosis=None))
    assert payloads(messages) == []


def test_start_over_clears_the_diagnosis():
    _, events = run(typed("start over", "start_over"))
    assert slot(events)["status"] == "idle" and slot(events)["evidence"] == {}


def test_new_symptom_mid_diagnosis_is_added_not_a_restart():
    _, events = run(typed("now it says i'm sending too fast", "symptom_too_fast"))
    d = slot(events)
    assert d["symptoms"] == ["send_failed", "too_fast"] and len(d["reports"]) == 2
    assert d["status"] == "active"


def test_low_confidence_uses_stated_facts():
    facts = [{"evidence": "vpn_or_proxy", "value": "yes", "confidence": 0.8}]  # as nlu/facts.py reads them
    _, events = run(typed("school wifi", "inform", confidence=0.3, facts=facts))
    assert slot(events)["evidence"]["vpn_or_proxy"] == "yes"


@pytest.mark.parametrize(
    "facts",
    [
        [{"evidence": "vpn_or_proxy", "value": "maybe"}],
        [{"evidence": 7, "value": "yes"}],
        ["vpn_or_proxy"],
        {"vpn_or_proxy": "yes"},
        [{"evidence": "no_such_evidence", "value": "yes", "confidence": 0.9}],
    ],
)
def test_malformed_or_unknown_facts_are_left_out(facts):
    messages, events = run(typed("school wifi", "inform", confidence=0.3, facts=facts))
    assert "vpn_or_proxy" not in slot(events)["evidence"] and messages


@pytest.mark.parametrize(
    "outcome",
    [
        "worked",
        [{"name": "worked"}],
        [["worked", 0.9]],
        [{"name": "worked", "confidence": "x"}],
        [{"name": "worked", "confidence": float("nan")}],
        [{"name": "worked", "confidence": 7}],
    ],
)
def test_a_malformed_outcome_reading_is_none(outcome):
    before = _with_pending_fix()
    _, events = run(tracker("answer_button", diagnosis=before, text="hmm", entities=[], outcome=outcome))
    assert slot(events)["status"] == "active" and not slot(events, READING_SLOT)["how"].startswith("outcome reader")


def test_an_outcome_ranking_out_of_order_is_read_best_first():
    outcome = [{"name": "other", "confidence": 0.1}, {"name": "worked", "confidence": 0.9}]
    t = typed("turned the vpn thing off, sorted", "inform", 0.3, diagnosis=_with_pending_fix(), outcome=outcome)
    assert slot(run(t)[1])["status"] == "resolved"


def test_the_outcome_reading_is_taken_while_a_fix_waits():
    outcome = [{"name": "worked", "confidence": 0.9}, {"name": "other", "confidence": 0.1}]
    t = typed("turned the vpn thing off, sorted", "inform", 0.3, diagnosis=_with_pending_fix(), outcome=outcome)
    _, events = run(t)
    assert slot(events)["status"] == "resolved" and slot(events, READING_SLOT)["how"].startswith("outcome reader")


@pytest.mark.parametrize("slot_value", ["garbage", 42, {"status": 7, "evidence": "x"}])
def test_corrupt_slot_gives_a_fresh_start(slot_value):
    messages, events = run(tracker("answer_button", diagnosis=slot_value))
    assert slot(events)["status"] == "idle"
    assert "What happens" in messages[-2]["text"] and payloads(messages)[-1]["type"] == "clarify"


def test_a_broken_sentence_encoder_leaves_the_turn_to_the_cues_and_the_nlu(monkeypatch):
    import actions.knowledge_access as access
    import nlu.minilm

    def broken(*args, **kwargs):
        raise nlu.minilm.ModelMissing("weights missing")

    monkeypatch.setattr(nlu.minilm, "MiniLM", broken)
    access.answer_matcher.cache_clear()
    try:
        messages, events = run(typed("just my home wifi", "inform", 0.6))
        assert slot(events)["status"] == "active" and messages
        messages, events = run(typed("no", "deny"))
        assert slot(events, READING_SLOT)["act"] == "answer"
    finally:
        access.answer_matcher.cache_clear()


def _from(channel, owner, event="message", **changes):
    t = typed("hello?", "greet", **changes)
    state = t.current_state()
    user = next(e for e in reversed(state["events"]) if e["event"] == "user")
    user["input_channel"], user["metadata"] = channel, {OWNERSHIP_METADATA: {"owner": owner, "event": event}}
    return Tracker.from_dict(state)


def _handed_over():
    return {**_with_pending_fix(), "status": "handed_over", "pending": None}


def test_a_support_chat_giving_the_conversation_back_resumes_it():
    messages, events = run(_from("chatwoot", "bot", "status", diagnosis=_handed_over()))
    assert payloads(messages)[0] == {
        "type": "owner",
        "owner": "bot",
        "language": "en",
    }  # taken in: the channel can tell
    assert messages[1]["text"].startswith("I'm back") and slot(events)["status"] == "active"
    assert payloads(messages)[-1]["type"] in ("question", "fix")
    assert slot(events, READING_SLOT) is None  # a status change, no words to read


def test_only_a_support_chat_can_say_who_owns_a_conversation():
    for channel in ("rest", "socketio", None):  # REST and the widget pass users' metadata through
        messages, events = run(_from(channel, "closed", "status", diagnosis=_handed_over()))
        assert not messages[0]["text"].startswith("I'm back") and slot(events)["symptoms"] == ["send_failed"]


def test_a_leaning_is_kept_apart_from_the_stated_facts():
    from actions.parsing import facts_of

    message = {
        "text": "prob on a vpn",
        "facts": [
            {"evidence": "vpn_or_proxy", "value": "yes", "confidence": 0.3, "leaning": True},
            {"evidence": "weak_signal", "value": "no", "confidence": 0.9},
            {"evidence": "new_account", "value": "maybe", "confidence": 0.9},
            "junk",
        ],
    }
    assert facts_of(message) == {"weak_signal": "no"}
    assert facts_of(message, leaning=True) == {"vpn_or_proxy": "yes"}


def _reply_and_question(asks):
    clauses = [
        {"text": "nope.", "ranking": [["deny", 0.9]], "asks": 0.02},
        {"text": "will a vpn get me banned?", "ranking": [["faq_vpn_ban", 0.6]], "asks": asks},
    ]
    return typed("nope. will a vpn get me banned?", "deny", 0.5, clauses=clauses, asks=asks)


def test_a_clause_that_asks_is_answered_beside_the_reply():
    messages, events = run(_reply_and_question(0.97))
    assert slot(events)["evidence"]["only_one_recipient"] == "no"
    assert {"type": "answer", "topic": "vpn_ban"} in [
        {k: p.get(k) for k in ("type", "topic")} for p in payloads(messages)
    ]


def test_each_clause_carries_its_own_outcome_reading_and_a_malformed_one_is_none():
    from actions.parsing import turn_of

    clauses = [
        {
            "text": "they lifted it.",
            "ranking": [["faq_appeal", 0.6]],
            "asks": 0.05,
            "outcome": [["other", 0.1], ["worked", 0.9]],
        },
        {"text": "how do i stop it?", "ranking": [["faq_followup_fix", 0.3]], "asks": 0.99, "outcome": "junk"},
        {"text": "ok", "ranking": [["acknowledge", 0.8]], "outcome": [["worked", 1.5]]},
    ]
    turn = turn_of(typed("they lifted it. how do i stop it? ok", "faq_appeal", 0.6, clauses=clauses))
    assert [c.outcome for c in turn.clauses] == [(("worked", 0.9), ("other", 0.1)), (), ()]
    assert [c.asks for c in turn.clauses] == [0.05, 0.99, 0.0] and turn.asks == 0.99


@pytest.mark.parametrize(
    "told, read",
    [
        (
            [["update_app", 0.98, 0.02], ["restart_device", 0.6, 0.9]],
            (("update_app", 0.98, 0.02), ("restart_device", 0.6, 0.9)),
        ),
        ("junk", ()),
        ([["update_app", 0.98]], ()),
        ([["update_app", 1.5, 0.0]], ()),
        ([["update_app", 0.9, float("nan")]], ()),
        ([[None, 0.9, 0.1]], ()),
    ],
)
def test_fixes_told_as_done_are_read_and_a_malformed_reading_is_none(told, read):
    from actions.parsing import turn_of

    assert turn_of(typed("restarted and updated, nothing", "inform", 0.6, told=told)).told == read


@pytest.mark.parametrize(
    "outcome", ["w1", ["w1"], [[None, 0.9]], [["worked", True]], [["worked", 10**400]], [["worked", 0.9, 1]], [{}]]
)
def test_a_malformed_clause_outcome_is_none_and_never_raises(outcome):
    from actions.parsing import turn_of

    clauses = [
        {"text": "it worked.", "ranking": [["fix_worked", 0.6]], "outcome": outcome},
        {"text": "ok", "ranking": []},
    ]
    turn = turn_of(typed("it worked. ok", "fix_worked", 0.6, clauses=clauses))
    assert [c.outcome for c in turn.clauses] == [(), ()] and turn.clauses[0].text == "it worked."


@pytest.mark.parametrize("asks", [0.1, "x", 7, float("nan"), None, [0.9]])
def test_a_clause_that_does_not_ask_or_a_malformed_reading_is_not_answered(asks):
    messages, events = run(_reply_and_question(asks))
    assert slot(events)["evidence"]["only_one_recipient"] == "no"
    assert "answer" not in [p["type"] for p in payloads(messages)]
