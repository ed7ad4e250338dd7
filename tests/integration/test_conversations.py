"""Conversations typed in users' own words (tests/conversations/*.yml), through
REST against the real NLU and actions, asserting on payloads, readings and state.
Expected fixes come from the domain contract, never from the knowledge base."""

import uuid
from pathlib import Path

import pytest
import requests
import yaml

from evaluation.replies import put_state, state_for
from simulation.driver import converse
from simulation.user import SimulatedUser
from troubleshooter.paths import ROOT
from troubleshooter.vocabulary import payloads

SCRIPTS = [
    c
    for f in sorted((Path(__file__).resolve().parents[1] / "conversations").glob("*.yml"))
    for c in yaml.safe_load(f.read_text())["conversations"]
]
RESOLVED_BY = {
    cause: spec["resolved_by"]
    for cause, spec in yaml.safe_load((ROOT / "knowledge" / "contract" / "kb-contract.yml").read_text())[
        "causes"
    ].items()
}
MAX_PLAY_TURNS = 12


def _answers(d):
    yes_no = {True: "yes", False: "no"}
    return {yes_no.get(k, k): yes_no.get(v, v) for k, v in (d or {}).items()}


class Conversation:
    def __init__(self, assistant):
        self.assistant, self.sender = assistant, "conv-" + uuid.uuid4().hex[:10]
        self.shown: list[dict] = []  # every structured payload so far
        self.failed: list[str] = []  # fixes the user said did not work
        self.reply: list = []

    def say(self, text):
        reply = self.assistant.say(self.sender, text)
        assert reply, "no reply"
        self.shown += payloads(reply)
        self.reply = reply
        return reply

    def tracker(self):
        return requests.get(f"{self.assistant.url}/conversations/{self.sender}/tracker", timeout=30).json()

    def last(self, kind=None):
        return next((s for s in reversed(self.shown) if kind is None or s["type"] == kind), {})

    def play(self, cause, answers, say):
        """Answer questions as the user would and report wrong fixes as failed, until a right fix (or hand-over)."""
        record = converse(self.say, Player(self, cause, answers, say), MAX_PLAY_TURNS, reply=self.reply)
        assert record.ended != "too many turns", f"no right fix or hand-over in {MAX_PLAY_TURNS} turns: {self.shown}"
        return self.reply


class Player(SimulatedUser):
    """A `play:` turn: answers from `answers` (else not sure) in the words of `say`; a fix outside
    the cause's resolved_by is reported failed; at a right fix it stops, for the script to go on."""

    def __init__(self, c: Conversation, cause, answers, say):
        self.c, self.right = c, RESOLVED_BY[cause] if cause else []
        self.answers, self.words = _answers(answers), _answers(say)  # YAML reads a bare yes/no key as a boolean

    def value(self, evidence):
        return self.answers.get(evidence, "unsure")

    def fix_works(self, fix):
        return fix in self.right

    def answer(self, step, times):
        return self.words[self.value(step["evidence"])]

    def fix_result(self, step, worked, times):
        if worked:
            return None
        self.c.failed.append(step["fix"])
        return self.words["failed"]


def check(expect, reply, c: Conversation):
    tracker = c.tracker()
    found = payloads(reply)
    last = found[-1] if found else {}
    reading = tracker["slots"].get("reading") or {}
    diagnosis = tracker["slots"].get("diagnosis") or {}
    text = " ".join(m.get("text", "") for m in reply).lower()
    if "step" in expect:
        assert (last.get("type") or "none") == expect["step"], found
    if "evidence" in expect:
        assert last.get("evidence") == expect["evidence"], found
    if "fix" in expect:
        assert last.get("fix") == expect["fix"], found
    if "not_evidence" in expect:
        assert last.get("evidence") != expect["not_evidence"], found
    if "not_fix" in expect:
        assert last.get("fix") != expect["not_fix"], found
    if "fix_resolves" in expect:
        assert last.get("fix") in RESOLVED_BY[expect["fix_resolves"]], (found, c.shown)
    if expect.get("resolved_fix") == "last":
        assert last.get("fix") == c.last("fix").get("fix") and c.last("fix"), found
    if "reminder" in expect:
        assert last.get("reminder", False) == expect["reminder"], found
    if "handoff_symptom" in expect:
        assert last["summary"]["symptom"] == expect["handoff_symptom"], last
    if expect.get("fixes_tried") == "all":
        assert last["summary"]["fixes_tried"] == c.failed and c.failed, (last, c.failed)
    if expect.get("no_step_repeated"):
        new = [
            (s["type"], s.get("evidence") or s.get("fix"))
            for s in c.shown
            if s["type"] in ("question", "fix") and not s.get("reminder")
        ]
        assert len(new) == len(set(new)), new
    if "read_as" in expect:
        assert reading.get("act") == expect["read_as"], reading
    if "value" in expect:
        assert {True: "yes", False: "no"}.get(expect["value"], expect["value"]) == reading.get("value"), reading
    for eid, value in _answers(expect.get("facts")).items():
        assert diagnosis["evidence"].get(eid) == value, (eid, diagnosis["evidence"])
    for eid in expect.get("lacks", []):
        assert eid not in diagnosis.get("evidence", {}), diagnosis["evidence"]
    if "status" in expect:
        assert diagnosis.get("status", "idle") == expect["status"], diagnosis
    if "says" in expect:
        assert expect["says"] in text, text
    if "not_says" in expect:
        assert expect["not_says"] not in text, text


@pytest.mark.parametrize("script", SCRIPTS, ids=[c["name"] for c in SCRIPTS])
def test_conversation(assistant, script):
    c = Conversation(assistant)
    if script.get("given"):
        put_state(assistant.url, c.sender, state_for(script["given"]))
    for turn in script["turns"]:
        reply = c.say(turn["user"]) if "user" in turn else c.play(**turn["play"])
        check(turn.get("expect") or {}, reply, c)
        assert all(m.get("text") or m.get("custom") for m in reply)
