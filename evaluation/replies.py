"""Replies read in context, through the running assistant: for each wild
reply the conversation is put in the state "this question (or fix) is
pending" with Rasa's HTTP API, the reply goes in over REST, and the
`reading` slot says what the assistant took it to mean.

A reading is right, unclear (the bot asks again: not understood, but not
wrong either) or wrong (acted on a misreading)."""

from __future__ import annotations

import uuid
from collections import Counter
from functools import cache
from typing import Any

import requests

from troubleshooter import messages
from troubleshooter.knowledge import load_knowledge_base
from troubleshooter.state import Diagnosis
from troubleshooter.vocabulary import DIAGNOSIS_SLOT, READING_SLOT

INTENT_ACTS = {
    "ask_how_to_check": ("how_to_check",),
    "ask_why": ("why",),
    "ask_cause": ("why",),
    "ask_other_fix": ("skip",),
    "acknowledge": ("ack",),
    "human_handoff": ("handoff", "confirm"),
    "start_over": ("start_over", "confirm"),
}


TAKING_IN = ("acknowledge", "thanks")  # after an explanation, "ah ok", "ok thanks" take it in


def state_for(after: dict[str, str], language: str = "") -> Diagnosis:
    """An active diagnosis of a failing message in `language`, waiting on `after`'s question or fix."""
    d = Diagnosis(symptoms=["send_failed"], reports=[{"send_failed": 1.0}], status="active", language=language)
    if "question" in after:
        eid = after["question"]
        d.asked, d.pending = [eid], {"type": "question", "evidence": eid}
        d.choices = [messages.payload(i, evidence=eid) for i in ("affirm", "deny", "unsure")]
    else:
        fid = after["fix"]
        d.pending = {"type": "fix", "fix": fid}
        d.choices = [messages.payload("fix_worked", fix=fid), messages.payload("fix_failed", fix=fid), "/ask_why"]
    return d


def judge(expect: dict[str, str], reading: dict[str, Any], explanation: bool = False) -> str:
    """`explanation`: the reply answers an explanation (a fix of kind info). Taking it in ("ah ok,
    makes sense", "ok thanks") is the explanation accepted, which ends the conversation `resolved` with outcome
    `explained` (conversation contract): read as the fix worked, it is right."""
    act, value = reading.get("act"), reading.get("value")
    if act == "unclear":
        return "unclear"
    if explanation and expect.get("intent") in TAKING_IN and (act, value) == ("result", "worked"):
        return "right"
    if "answer" in expect:
        return "right" if act == "answer" and value == expect["answer"] else "wrong"
    if "result" in expect:
        return "right" if act == "result" and value == expect["result"] else "wrong"
    intent = expect.get("intent", "")
    if intent in INTENT_ACTS:
        return "right" if act in INTENT_ACTS[intent] else "wrong"
    if intent.startswith("faq_"):
        return "right" if act == "faq" and value == intent.removeprefix("faq_") else "wrong"
    if intent.startswith("symptom_"):
        return "right" if act == "report" else "wrong"
    return "right" if act == "chat" and value == intent else "wrong"


def put_state(url: str, sender: str, d: Diagnosis) -> None:
    """Set a conversation's diagnosis through Rasa's HTTP API. The conversation is
    created first: on a new one, Rasa 3.6 stamps the posted event before the session
    start it creates, and its SQL store then drops the event as "before the session"."""
    events = f"{url}/conversations/{sender}/tracker/events"
    requests.post(events, json=[{"event": "slot", "name": READING_SLOT, "value": None}], timeout=30).raise_for_status()
    requests.post(
        events, json=[{"event": "slot", "name": DIAGNOSIS_SLOT, "value": d.to_dict()}], timeout=30
    ).raise_for_status()


def turn_in_context(url: str, reply: dict[str, Any], language: str = "") -> tuple[dict[str, Any], dict[str, Any]]:
    """(what the reply was read as, the diagnosis after it) with `reply["after"]` pending, in a
    conversation in `language`."""
    sender = "replies-" + uuid.uuid4().hex[:10]
    put_state(url, sender, state_for(reply["after"], language))
    requests.post(
        f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": reply["text"]}, timeout=60
    ).raise_for_status()
    slots = requests.get(f"{url}/conversations/{sender}/tracker", timeout=30).json()["slots"]
    return slots.get(READING_SLOT) or {}, slots.get(DIAGNOSIS_SLOT) or {}


def read_in_context(url: str, reply: dict[str, Any], language: str = "") -> dict[str, Any]:
    """What the reply was read as, with `reply["after"]` pending."""
    return turn_in_context(url, reply, language)[0]


@cache
def explanations() -> frozenset[str]:
    """The fixes that only explain (kind "info"), read from the knowledge base once."""
    return frozenset(fid for fid, fix in load_knowledge_base().fixes.items() if fix.kind == "info")


def evaluate(url: str, replies: list[dict[str, Any]], language: str = "") -> dict[str, Any]:
    """How many `replies` are read right in context, in a conversation in `language`."""
    verdicts: Counter = Counter()
    by_kind: dict[str, Counter] = {}
    misses = []
    for r in replies:
        reading = read_in_context(url, r, language)
        verdict = judge(r["expect"], reading, r["after"].get("fix") in explanations())
        verdicts[verdict] += 1
        kind = "after a question" if "question" in r["after"] else "after a fix"
        by_kind.setdefault(kind, Counter())[verdict] += 1
        if verdict != "right":
            misses.append(
                {
                    "after": r["after"],
                    "text": r["text"],
                    "expect": r["expect"],
                    "verdict": verdict,
                    "read_as": {k: reading.get(k) for k in ("act", "value", "how")},
                }
            )
    n = len(replies)
    return {
        "replies": n,
        "right": verdicts["right"] / n,
        "unclear": verdicts["unclear"] / n,
        "wrong": verdicts["wrong"] / n,
        "by_kind": {k: {v: c[v] for v in ("right", "unclear", "wrong")} for k, c in by_kind.items()},
        "misses": misses,
    }
