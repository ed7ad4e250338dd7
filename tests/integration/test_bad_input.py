"""Bad input over REST and socket.io: a 2xx/4xx with a clear answer, never a
5xx, a traceback or echoed markup, and the conversation goes on afterwards."""
import json
import uuid

import pytest
import requests
import socketio

BAD_BODIES = [b"", b"   ", b"[]", b"[1, 2]", b"null", b"42", b'"text"', b"{not json", b"\xff\xfe\x00",
              json.dumps({"sender": "x"}).encode(), json.dumps({"message": "hi"}).encode(),
              json.dumps({"sender": ["a"], "message": "hi"}).encode(),
              json.dumps({"sender": "x", "message": 123}).encode(),
              json.dumps({"sender": "x", "message": {"text": "hi"}}).encode(),
              json.dumps({"sender": "x", "message": None}).encode(),
              json.dumps({"sender": "x", "message": "hi", "metadata": "oops"}).encode(),
              json.dumps({"sender": "x" * 500, "message": "hi"}).encode()]

ODD_MESSAGES = ["", "   \n\t ", "a" * 20_000, "🙂🙃🔥" * 30, "لا أستطيع إرسال الرسائل", "\x00\x01\x02 dms fail \x07",
                "<script>alert('x')</script><b>bold</b>", "'; DROP TABLE events; --", "/", "//", "/unknown_intent",
                "/symptom_nonexistent", '/affirm{"evidence":"drop_table"}', '/affirm{"evidence": 5}',
                '/deny{"evidence": ["a"]}', '/fix_failed{"fix":"format_phone"}', '/fix_worked{"fix": null}',
                '/affirm{"evidence":"vpn_or_proxy"', "/restart", "/session_start", "/nlu_fallback"]


def post(assistant, body: bytes):
    return requests.post(assistant.url + "/webhooks/rest/webhook", data=body,
                         headers={"Content-Type": "application/json"}, timeout=60)


@pytest.mark.parametrize("body", BAD_BODIES)
def test_malformed_bodies_get_a_clear_400(assistant, body):
    r = post(assistant, body)
    assert r.status_code == 400, r.text
    assert "error" in r.json() and "Traceback" not in r.text


def test_odd_messages_never_break_the_conversation(assistant):
    sender = "odd-" + uuid.uuid4().hex[:8]
    first = assistant.say(sender, "my messages fail with a red exclamation mark")
    question = [m["custom"]["troubleshooter"] for m in first if m.get("custom")][-1]
    for text in ODD_MESSAGES:
        r = post(assistant, json.dumps({"sender": sender, "message": text}).encode())
        assert r.status_code in (200, 400), (text, r.status_code)
        assert "Traceback" not in r.text and "<script>" not in r.text and "<b>" not in r.text
        if r.status_code == 200:
            assert isinstance(r.json(), list)
        else:
            assert r.json()["error"]
    # The diagnosis is still there: answering goes on from a question.
    reply = assistant.say(sender, "start over")
    assert "start over" in reply[0]["text"].lower()
    again = assistant.say(sender, "my messages fail with a red exclamation mark")
    assert [m["custom"]["troubleshooter"] for m in again if m.get("custom")][-1]["type"] == question["type"]


def test_socketio_refuses_malformed_events(assistant):
    client = socketio.Client(reconnection=False)
    received = []
    client.on("bot_uttered", lambda data: received.append(data))
    origin = assistant.web_url.rstrip("/")
    # Polling: websocket-client would add an Origin of its own beside ours.
    client.connect(assistant.url, socketio_path="/socket.io", transports=["polling"], wait_timeout=20,
                   headers={"Origin": origin})
    try:
        session = uuid.uuid4().hex
        client.emit("session_request", {"session_id": session})
        for bad in [None, "text", 42, [], {"message": 5, "session_id": session}, {"message": "", "session_id": session}]:
            client.emit("user_uttered", bad)
        client.emit("user_uttered", {"message": "<img src=x onerror=alert(1)> my dms fail", "session_id": session})
        client.sleep(6)
    finally:
        client.disconnect()
    texts = [m.get("text", "") for m in received]
    assert sum("must be" in t or "empty" in t for t in texts) >= 5
    assert any(m.get("quick_replies") or m.get("buttons") for m in received), received
    assert any(m.get("custom", {}).get("troubleshooter", {}).get("type") == "question" for m in received)
    assert not any("<img" in t for t in texts)


def test_cors_only_for_the_widget_origin(assistant):
    ok = requests.get(assistant.url + "/socket.io/?EIO=4&transport=polling",
                      headers={"Origin": assistant.web_url.rstrip("/")}, timeout=10)
    assert ok.status_code == 200
    evil = requests.get(assistant.url + "/socket.io/?EIO=4&transport=polling",
                        headers={"Origin": "http://evil.example"}, timeout=10)
    assert evil.status_code == 400
