"""The shared names agree with domain.yml and the rules, and the payload readers take
what channels send (and skip what is malformed)."""

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.respond import ActionRespond
from troubleshooter import messages
from troubleshooter.engine import Engine
from troubleshooter.knowledge import load_knowledge_base
from troubleshooter.paths import ROOT
from troubleshooter.vocabulary import (
    DIAGNOSIS_SLOT,
    OWNERS,
    PAYLOAD_KEY,
    READING_SLOT,
    RESPOND_ACTION,
    STEP_KINDS,
    payloads,
    steps,
)

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
RULES = [
    rule
    for path in sorted((ROOT / "data" / "rules").glob("*.yml"))
    for rule in yaml.safe_load(path.read_text())["rules"]
]


def test_the_slots_are_in_the_domain_and_set_by_the_action_only():
    for slot in (DIAGNOSIS_SLOT, READING_SLOT):
        assert slot in DOMAIN["slots"]
        assert DOMAIN["slots"][slot]["mappings"] == [{"type": "custom"}]
        assert DOMAIN["slots"][slot]["influence_conversation"] is False


def test_the_action_is_in_the_domain_and_is_the_one_the_server_runs():
    assert DOMAIN["actions"] == [RESPOND_ACTION]
    assert ActionRespond().name() == RESPOND_ACTION


def test_every_rule_ends_in_the_action_and_every_intent_reaches_it():
    assert RULES
    covered = set()
    for rule in RULES:
        actions = [step["action"] for step in rule["steps"] if "action" in step]
        assert actions == [RESPOND_ACTION], rule["rule"]
        for step in rule["steps"]:
            covered |= {s["intent"] for s in step.get("or", [step]) if "intent" in s}
    assert covered >= set(DOMAIN["intents"])  # and nlu_fallback, Rasa's own


def test_a_payload_sent_through_the_dispatcher_is_read_back():
    engine = Engine(load_knowledge_base())
    eid = engine.evidence_ids[0]
    dispatcher = CollectingDispatcher()
    for message in messages.question(engine, eid):
        dispatcher.utter_message(**message)
    assert [m["custom"] for m in dispatcher.messages if m.get("custom")] == [
        {PAYLOAD_KEY: p} for p in payloads(dispatcher.messages)
    ]
    assert [p["type"] for p in steps(dispatcher.messages)] == ["question"]
    assert steps(dispatcher.messages)[0]["evidence"] == eid


QUESTION = {"type": "question", "evidence": "vpn_or_proxy"}
DIAGNOSIS = {"type": "diagnosis", "causes": []}
HANDOFF = {"type": "handoff", "reason": "asked"}


def test_payloads_and_steps_of_a_reply():
    reply = [
        {"recipient_id": "u", "text": "Why I think so:"},
        {"recipient_id": "u", "custom": {PAYLOAD_KEY: DIAGNOSIS}},
        {"recipient_id": "u", "text": "Are you on a VPN?", "buttons": [{"title": "Yes", "payload": "/affirm"}]},
        {"recipient_id": "u", "custom": {PAYLOAD_KEY: QUESTION}},
        {"recipient_id": "u", "custom": {PAYLOAD_KEY: HANDOFF}},
    ]
    assert payloads(reply) == [DIAGNOSIS, QUESTION, HANDOFF]
    assert steps(reply) == [QUESTION, HANDOFF]
    assert payloads([]) == steps([]) == []


@pytest.mark.parametrize(
    "message",
    [
        {"text": "no custom at all"},
        {"custom": None},
        {"custom": "troubleshooter"},
        {"custom": [PAYLOAD_KEY]},
        {"custom": {}},
        {"custom": {"other": QUESTION}},
        {"custom": {PAYLOAD_KEY: None}},
        {"custom": {PAYLOAD_KEY: "question"}},
        {"custom": {PAYLOAD_KEY: [QUESTION]}},
        "a bare string",
        None,
        42,
    ],
)
def test_malformed_messages_are_skipped(message):
    reply = [message, {"custom": {PAYLOAD_KEY: QUESTION}}]
    assert payloads(reply) == [QUESTION] and steps(reply) == [QUESTION]


def test_a_payload_without_a_step_kind_is_no_step():
    reply = [{"custom": {PAYLOAD_KEY: {"evidence": "x"}}}, {"custom": {PAYLOAD_KEY: {"type": "owner", "owner": "bot"}}}]
    assert len(payloads(reply)) == 2 and steps(reply) == []


def test_step_kinds_and_owners_are_distinct_names():
    assert len(set(STEP_KINDS)) == len(STEP_KINDS) and "diagnosis" not in STEP_KINDS
    assert set(OWNERS) == {"bot", "people", "closed"}
