"""Conversations typed in users' own words (tests/conversations/*.yml), through
REST against the real NLU, asserting on payloads, readings and state."""
import uuid
from pathlib import Path

import pytest
import requests
import yaml

from tests.support.replies import put_state, state_for
from tests.support.users import steps

SCRIPTS = [c for f in sorted((Path(__file__).resolve().parents[1] / "conversations").glob("*.yml"))
           for c in yaml.safe_load(f.read_text())["conversations"]]


def _answers(d):
    return {k: {True: "yes", False: "no"}.get(v, v) for k, v in (d or {}).items()}


def check(expect, reply, tracker):
    found = steps(reply)
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
    if "read_as" in expect:
        assert reading.get("act") == expect["read_as"], reading
    if "value" in expect:
        assert {True: "yes", False: "no"}.get(expect["value"], expect["value"]) == reading.get("value"), reading
    for eid, value in _answers(expect.get("facts")).items():
        assert diagnosis["evidence"].get(eid) == value, (eid, diagnosis["evidence"])
    for eid in expect.get("lacks", []):
        assert eid not in diagnosis["evidence"], diagnosis["evidence"]
    if "status" in expect:
        assert diagnosis.get("status") == expect["status"], diagnosis
    if "says" in expect:
        assert expect["says"] in text, text
    if "not_says" in expect:
        assert expect["not_says"] not in text, text


@pytest.mark.parametrize("script", SCRIPTS, ids=[c["name"] for c in SCRIPTS])
def test_conversation(assistant, script):
    sender = "conv-" + uuid.uuid4().hex[:10]
    if script.get("given"):
        put_state(assistant.url, sender, state_for(script["given"]))
    for turn in script["turns"]:
        reply = assistant.say(sender, turn["user"])
        tracker = requests.get(f"{assistant.url}/conversations/{sender}/tracker", timeout=30).json()
        assert reply, "no reply"
        check(turn.get("expect") or {}, reply, tracker)
    assert all(m.get("text") or m.get("custom") for m in reply)
