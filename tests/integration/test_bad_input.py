"""Bad input over REST and socket.io: a clear 400 or an ordinary reply, never a
5xx, a traceback or echoed markup; forged button payloads change nothing, and
the conversation goes on afterwards."""

import json
import uuid

import pytest
import requests
import socketio

from harness.servers import wait_for
from troubleshooter.vocabulary import DIAGNOSIS_SLOT, payloads

PROBLEM = "my messages fail with a red exclamation mark"
BAD_BODIES = [
    b"",
    b"   ",
    b"[]",
    b"[1, 2]",
    b"null",
    b"42",
    b'"text"',
    b"{not json",
    b"\xff\xfe\x00",
    json.dumps({"sender": "x"}).encode(),
    json.dumps({"message": "hi"}).encode(),
    json.dumps({"sender": ["a"], "message": "hi"}).encode(),
    json.dumps({"sender": "x", "message": 123}).encode(),
    json.dumps({"sender": "x", "message": {"text": "hi"}}).encode(),
    json.dumps({"sender": "x", "message": None}).encode(),
    json.dumps({"sender": "x", "message": "hi", "metadata": "oops"}).encode(),
    json.dumps({"sender": "x" * 500, "message": "hi"}).encode(),
]
REFUSED = {"": "empty", "   \n\t ": "empty", "\x00\x07 \x1b": "empty", "a" * 4001: "too long"}
# Read as an unclear reply to the pending question: reminded once, nothing recorded.
ODD = [
    "🙂🙃🔥" * 30,
    "<script>alert('x')</script><b>bold</b>",
    "'; DROP TABLE events; --",
    "/",
    "//",
    "/unknown_intent",
    "/symptom_nonexistent",
    '/affirm{"evidence":"vpn_or_proxy"',
]
# Ids the knowledge base does not have: refused by name.
FORGED = {
    '/affirm{"evidence":"drop_table"}': "a question",
    '/affirm{"evidence": 5}': "a question",
    '/deny{"evidence": ["a"]}': "a question",
    '/fix_failed{"fix":"format_phone"}': "a fix",
    '/fix_worked{"fix":"made_up"}': "a fix",
    '/fix_worked{"fix": 7}': "a fix",
}
KEPT = ("symptoms", "evidence", "asked", "failed", "skipped", "pending", "status", "resolved_by")


def post(assistant, body: bytes):
    return requests.post(
        assistant.url + "/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}, timeout=60
    )


def diagnosis(assistant, sender) -> dict:
    r = requests.get(f"{assistant.url}/conversations/{sender}/tracker", timeout=30)
    return r.json()["slots"].get(DIAGNOSIS_SLOT) or {}


def mid_diagnosis(assistant) -> tuple[str, dict]:
    """A conversation with a question pending, and its diagnosis."""
    sender = "bad-" + uuid.uuid4().hex[:8]
    assistant.say(sender, PROBLEM)
    d = diagnosis(assistant, sender)
    assert d["status"] == "active" and d["pending"]["type"] == "question"
    return sender, d


def kept(d: dict) -> dict:
    """What a turn must not lose (whether the user was pressed on the pending step may change)."""
    out = {k: d.get(k) for k in KEPT}
    if out["pending"]:
        out["pending"] = {k: v for k, v in out["pending"].items() if k != "pressed"}
    return out


def clean(r) -> str:
    assert "Traceback" not in r.text and "<script>" not in r.text and "<b>" not in r.text
    return " ".join(m.get("text", "") for m in r.json())


@pytest.mark.parametrize("body", BAD_BODIES)
def test_malformed_bodies_get_a_clear_400(assistant, body):
    r = post(assistant, body)
    assert r.status_code == 400, r.text
    assert "error" in r.json() and "Traceback" not in r.text


@pytest.mark.parametrize("text", list(REFUSED), ids=["empty", "blank", "control-only", "too-long"])
def test_unusable_messages_get_a_400_and_change_nothing(assistant, text):
    sender, before = mid_diagnosis(assistant)
    r = post(assistant, json.dumps({"sender": sender, "message": text}).encode())
    assert r.status_code == 400 and REFUSED[text] in r.json()["error"], r.text
    assert diagnosis(assistant, sender) == before


@pytest.mark.parametrize("text", ODD)
def test_odd_messages_are_an_unclear_reply(assistant, text):
    sender, before = mid_diagnosis(assistant)
    r = post(assistant, json.dumps({"sender": sender, "message": text}).encode())
    assert r.status_code == 200
    assert "couldn't tell" in clean(r).lower()
    after = diagnosis(assistant, sender)
    assert kept(after) == kept(before) and after["reminders"] == before["reminders"] + 1
    assert after["pending"]["pressed"] is True  # the next unclear reply gives the question up
    reminder = payloads(r.json())
    pending = before["pending"]["evidence"]
    assert reminder == [{"type": "question", "evidence": pending, "reminder": True, "language": "en"}]


@pytest.mark.parametrize("payload", list(FORGED))
def test_forged_payloads_are_refused_and_change_nothing(assistant, payload):
    sender, before = mid_diagnosis(assistant)
    r = post(assistant, json.dumps({"sender": sender, "message": payload}).encode())
    assert r.status_code == 200
    assert f"refers to {FORGED[payload]} i don't know" in clean(r).lower()
    assert kept(diagnosis(assistant, sender)) == kept(before)
    # The conversation goes on: answering the pending question moves to the next step.
    nxt = payloads(assistant.say(sender, "no"))[-1]
    assert diagnosis(assistant, sender)["evidence"][before["pending"]["evidence"]] == "no"
    assert nxt["type"] in ("question", "fix") and nxt.get("evidence") != before["pending"]["evidence"]


def test_a_restart_command_forgets_the_conversation_without_an_apology(assistant):
    sender, _ = mid_diagnosis(assistant)
    r = post(assistant, json.dumps({"sender": sender, "message": "/restart"}).encode())
    assert r.status_code == 200 and "forgotten this conversation" in clean(r)
    assert diagnosis(assistant, sender) == {}
    first = payloads(assistant.say(sender, PROBLEM))
    assert first[-1]["type"] == "question" and "reminder" not in first[-1]


def test_socketio_refuses_malformed_events(assistant):
    client = socketio.Client(reconnection=False)
    received = []
    client.on("bot_uttered", lambda data: received.append(data))
    origin = assistant.web_url.rstrip("/")
    # Polling: websocket-client would add an Origin of its own beside ours.
    client.connect(
        assistant.url, socketio_path="/socket.io", transports=["polling"], wait_timeout=20, headers={"Origin": origin}
    )
    texts = lambda: [m.get("text", "") for m in received]
    try:
        session = uuid.uuid4().hex
        client.emit("session_request", {"session_id": session})
        for bad in [
            None,
            "text",
            42,
            [],
            {"message": 5, "session_id": session},
            {"message": "", "session_id": session},
        ]:
            client.emit("user_uttered", bad)
        client.emit("user_uttered", {"message": "<img src=x onerror=alert(1)> my dms fail", "session_id": session})
        refusals = lambda: sum("must be" in t or "empty" in t for t in texts())
        asked = lambda: any(p.get("type") == "question" for p in payloads(received))
        wait_for(lambda: refusals() >= 6 and asked(), 60, "six refusals and the question after the good message")
    finally:
        client.disconnect()
    assert refusals() == 6, texts()
    assert any(m.get("quick_replies") or m.get("buttons") for m in received), received
    assert not any("<img" in t for t in texts())


def test_cors_only_for_the_widget_origin(assistant):
    ok = requests.get(
        assistant.url + "/socket.io/?EIO=4&transport=polling",
        headers={"Origin": assistant.web_url.rstrip("/")},
        timeout=10,
    )
    assert ok.status_code == 200
    evil = requests.get(
        assistant.url + "/socket.io/?EIO=4&transport=polling", headers={"Origin": "http://evil.example"}, timeout=10
    )
    assert evil.status_code == 400
