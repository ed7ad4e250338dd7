"""The rasa_sdk actions over real Tracker objects built from JSON fixtures:
the events they return and what the dispatcher was told to say."""
import copy
import json
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import diagnosis_actions as act

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "trackers"


def tracker(name, **changes):
    state = json.loads((FIXTURES / f"{name}.json").read_text())
    for key, value in changes.items():
        if key == "diagnosis":
            state["slots"]["diagnosis"] = value
        else:
            state["latest_message"][key] = value
    return Tracker.from_dict(state)


def run(action, t):
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, t, {})
    return dispatcher.messages, events


def payloads(messages):
    return [m["custom"]["troubleshooter"] for m in messages if m.get("custom")]


def slot(events):
    assert len(events) == 1 and events[0]["event"] == "slot" and events[0]["name"] == "diagnosis"
    return events[0]["value"]


def test_symptom_starts_diagnosis_using_stated_facts():
    messages, events = run(act.ActionStartDiagnosis(), tracker("symptom_with_fact"))
    d = slot(events)
    assert d["status"] == "active" and d["symptoms"] == ["send_failed"]
    assert d["evidence"]["vpn_or_proxy"] == "yes"
    question = payloads(messages)[-1]
    assert question["type"] == "question" and question["evidence"] != "vpn_or_proxy"
    asked = [m for m in messages if m.get("buttons")][-1]
    assert [b["title"] for b in asked["buttons"]] == ["Yes", "No", "Not sure"]
    assert asked["buttons"][0]["payload"] == '/affirm{"evidence":"%s"}' % question["evidence"]


def test_button_answer_is_recorded_and_next_step_follows():
    messages, events = run(act.ActionRecordAnswer(), tracker("answer_button"))
    d = slot(events)
    assert d["evidence"]["only_one_recipient"] == "no"
    nxt = payloads(messages)[-1]
    assert nxt["type"] in ("question", "fix")
    if nxt["type"] == "question":
        assert nxt["evidence"] != "only_one_recipient"


def test_typed_answer_goes_to_the_pending_question():
    t = tracker("answer_button", text="nope", entities=[])
    _, events = run(act.ActionRecordAnswer(), t)
    assert slot(events)["evidence"]["only_one_recipient"] == "no"


def test_forged_payload_with_unknown_evidence_is_refused_and_state_kept():
    before = tracker("answer_button").get_slot("diagnosis")
    t = tracker("answer_button", entities=[{"entity": "evidence", "value": "drop_table"}])
    messages, events = run(act.ActionRecordAnswer(), t)
    assert "don't know" in messages[0]["text"]
    assert slot(events) == before


def test_forged_payload_with_wrong_type_is_refused():
    t = tracker("answer_button", entities=[{"entity": "evidence", "value": {"x": 1}}])
    messages, events = run(act.ActionRecordAnswer(), t)
    assert "don't know" in messages[0]["text"]


def _with_pending_fix(fix="disable_vpn_proxy"):
    d = json.loads((FIXTURES / "answer_button.json").read_text())["slots"]["diagnosis"]
    d = copy.deepcopy(d)
    d["evidence"] = {"only_one_recipient": "no", "vpn_or_proxy": "yes"}
    d["pending"] = {"type": "fix", "fix": fix}
    return d


def test_failed_fix_is_evidence_and_never_suggested_again():
    t = tracker("answer_button", diagnosis=_with_pending_fix(), text="still broken", entities=[],
                intent={"name": "fix_failed", "confidence": 0.9})
    messages, events = run(act.ActionFixFeedback(), t)
    d = slot(events)
    assert d["failed"] == ["disable_vpn_proxy"]
    for p in payloads(messages):
        assert p.get("fix") != "disable_vpn_proxy"


def test_still_broken_while_a_question_waits_repeats_the_question():
    t = tracker("answer_button", text="still nothing", entities=[], intent={"name": "fix_failed", "confidence": 0.9})
    before = t.get_slot("diagnosis")
    messages, events = run(act.ActionFixFeedback(), t)
    assert slot(events) == before
    assert "answer first" in messages[0]["text"]
    assert payloads(messages) == [{"type": "question", "evidence": "only_one_recipient", "reminder": True}]


def test_fix_that_worked_ends_with_wrap_up():
    t = tracker("answer_button", diagnosis=_with_pending_fix(), text="/fix_worked{\"fix\":\"disable_vpn_proxy\"}",
                entities=[{"entity": "fix", "value": "disable_vpn_proxy"}], intent={"name": "fix_worked", "confidence": 1})
    messages, events = run(act.ActionFixFeedback(), t)
    assert slot(events)["status"] == "resolved"
    assert "glad" in messages[0]["text"].lower()


def test_yes_to_a_fix_means_it_worked():
    t = tracker("answer_button", diagnosis=_with_pending_fix(), text="yes", entities=[],
                intent={"name": "affirm", "confidence": 0.9})
    _, events = run(act.ActionRecordAnswer(), t)
    assert slot(events)["resolved_by"] == "disable_vpn_proxy"


def test_explain_sends_diagnosis_and_returns_to_the_pending_step():
    t = tracker("answer_button", diagnosis=_with_pending_fix(), intent={"name": "ask_why", "confidence": 0.9})
    messages, events = run(act.ActionExplain(), t)
    kinds = [p["type"] for p in payloads(messages)]
    assert kinds == ["diagnosis", "fix"]
    assert payloads(messages)[0]["causes"][0]["cause"] == "network_firewall_vpn"
    assert slot(events) == _with_pending_fix()


def test_handoff_sends_summary():
    t = tracker("answer_button", diagnosis=_with_pending_fix(), intent={"name": "human_handoff", "confidence": 0.9})
    messages, events = run(act.ActionHandoff(), t)
    summary = payloads(messages)[-1]["summary"]
    assert summary["symptom"] == "send_failed" and summary["evidence"]["vpn_or_proxy"] == "yes"
    assert slot(events)["status"] == "handed_over"


def test_other_fix_skips_the_current_one():
    t = tracker("answer_button", diagnosis=_with_pending_fix(), intent={"name": "ask_other_fix", "confidence": 0.9})
    messages, events = run(act.ActionOtherFix(), t)
    d = slot(events)
    assert d["skipped"] == ["disable_vpn_proxy"]
    assert payloads(messages)[-1]["type"] in ("fix", "handoff")
    assert payloads(messages)[-1].get("fix") != "disable_vpn_proxy"


def test_faq_answers_then_reminds_of_the_pending_question():
    t = tracker("answer_button", intent={"name": "faq_network", "confidence": 0.9}, text="can wifi stop messages")
    messages, _ = run(act.ActionAnswerFaq(), t)
    assert "round trip" in messages[0]["text"]
    assert payloads(messages)[-1] == {"type": "question", "evidence": "only_one_recipient", "reminder": True}


def test_small_talk_is_followed_by_the_pending_question_only_mid_diagnosis():
    messages, events = run(act.ActionRemind(), tracker("answer_button", intent={"name": "thanks", "confidence": 0.9}))
    assert events == []
    assert payloads(messages) == [{"type": "question", "evidence": "only_one_recipient", "reminder": True}]
    messages, _ = run(act.ActionRemind(), tracker("answer_button", diagnosis=None))
    assert messages == []


def test_start_over_clears_the_diagnosis():
    _, events = run(act.ActionStartOver(), tracker("answer_button"))
    assert slot(events)["status"] == "idle" and slot(events)["evidence"] == {}


def test_new_symptom_mid_diagnosis_restarts_cleanly():
    t = tracker("answer_button", intent={"name": "symptom_too_fast", "confidence": 0.9},
                text="now it says i'm sending too fast", entities=[])
    _, events = run(act.ActionStartDiagnosis(), t)
    d = slot(events)
    assert d["symptoms"] == ["too_fast"] and "only_one_recipient" not in d["evidence"]


def test_fallback_uses_stated_facts():
    t = tracker("answer_button", intent={"name": "nlu_fallback", "confidence": 0.3}, text="school wifi", entities=[])
    _, events = run(act.ActionRephrase(), t)
    assert slot(events)["evidence"]["vpn_or_proxy"] == "yes"


@pytest.mark.parametrize("slot_value", ["garbage", 42, {"status": 7, "evidence": "x"}])
def test_corrupt_slot_gives_a_fresh_start(slot_value):
    messages, events = run(act.ActionRecordAnswer(), tracker("answer_button", diagnosis=slot_value))
    assert slot(events)["status"] == "idle"
    assert "What happens" in messages[-1]["text"]
