"""The Chatwoot connector against a fake Chatwoot API on loopback that records
every call, with webhook payloads of Chatwoot's shape."""
import itertools

import requests

from tests.support.servers import CHATWOOT_SECRET

_ids = itertools.count(9000)


def event(conversation_id, content, status="pending", message_type="incoming", kind="message_created"):
    return {
        "event": kind, "id": next(_ids), "content": content, "created_at": "2026-11-28T10:00:00.000Z",
        "message_type": message_type, "content_type": "text", "content_attributes": {}, "source_id": None,
        "sender": {"id": 55, "name": "Jo", "type": "contact"},
        "inbox": {"id": 3, "name": "Website"},
        "conversation": {"id": conversation_id, "status": status, "inbox_id": 3, "can_reply": True,
                         "channel": "Channel::WebWidget", "contact_inbox": {"id": 8, "contact_id": 55, "inbox_id": 3}},
        "account": {"id": 1, "name": "Support"},
    }


def hook(assistant, body, token=CHATWOOT_SECRET, header=False):
    url = assistant.url + "/webhooks/chatwoot/webhook"
    if header:
        return requests.post(url, json=body, headers={"X-Webhook-Token": token}, timeout=30)
    return requests.post(url, params={"token": token} if token else None, json=body, timeout=30)


def calls_for(chatwoot, cid, suffix="messages"):
    return [c for c in chatwoot.calls if c["path"] == f"/api/v1/accounts/1/conversations/{cid}/{suffix}"]


def test_webhook_without_the_secret_is_rejected(assistant, chatwoot):
    before = len(chatwoot.calls)
    assert hook(assistant, event(701, "my dms fail"), token=None).status_code == 401
    assert hook(assistant, event(701, "my dms fail"), token="wrong").status_code == 401
    assert requests.post(assistant.url + "/webhooks/chatwoot/webhook", data=b"[]", timeout=10).status_code == 401
    assert len(chatwoot.calls) == before


def test_bot_answers_with_an_input_select_question(assistant, chatwoot):
    r = hook(assistant, event(702, "my messages fail with a red exclamation mark"), header=True)
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    found = chatwoot.wait_for(lambda c: c["path"].endswith("/conversations/702/messages")
                              and c["json"].get("content_type") == "input_select")
    assert found, chatwoot.calls
    body = found[0]["json"]
    assert found[0]["token"] == "test-api-token"
    assert [i["title"] for i in body["content_attributes"]["items"]] == ["Yes", "No", "Not sure"]
    assert body["content_attributes"]["items"][0]["value"].startswith("/affirm{")


def test_only_incoming_messages_of_pending_conversations(assistant, chatwoot):
    before = len(chatwoot.calls)
    assert hook(assistant, event(703, "my dms fail", message_type="outgoing")).json()["status"] == "ignored"
    assert hook(assistant, event(703, "my dms fail", status="open")).json()["status"] == "ignored"
    assert hook(assistant, {"event": "conversation_created", "conversation": {"id": 703}, "account": {"id": 1}}
                ).json()["status"] == "ignored"
    assert hook(assistant, [1, 2]).status_code == 400
    chatwoot.wait_for(lambda c: False, seconds=2)
    assert len(chatwoot.calls) == before


def test_handoff_posts_private_note_opens_conversation_and_goes_silent(assistant, chatwoot):
    hook(assistant, event(704, "i can't message one particular person"))
    assert chatwoot.wait_for(lambda c: c["path"].endswith("/conversations/704/messages"))
    hook(assistant, event(704, "talk to a human please"))
    notes = chatwoot.wait_for(lambda c: c["path"].endswith("/conversations/704/messages") and c["json"].get("private"))
    assert notes and "one_person" in notes[0]["json"]["content"] and "Top causes" in notes[0]["json"]["content"]
    toggles = chatwoot.wait_for(lambda c: c["path"].endswith("/conversations/704/toggle_status"))
    assert toggles and toggles[0]["json"] == {"status": "open"}
    before = len(calls_for(chatwoot, 704))
    # Chatwoot may still send a pending-status event in flight: the bot stays silent.
    assert hook(assistant, event(704, "hello?")).json()["status"] == "ignored"
    assert hook(assistant, event(704, "hello?", status="open")).json()["status"] == "ignored"
    chatwoot.wait_for(lambda c: False, seconds=2)
    assert len(calls_for(chatwoot, 704)) == before


def test_picked_option_is_taken_as_its_payload(assistant, chatwoot):
    hook(assistant, event(705, "my messages fail with a red exclamation mark"))
    first = chatwoot.wait_for(lambda c: c["path"].endswith("/conversations/705/messages")
                              and c["json"].get("content_type") == "input_select")
    value = first[0]["json"]["content_attributes"]["items"][1]["value"]
    picked = event(705, first[0]["json"]["content"], kind="message_updated", message_type="outgoing")
    picked["content_attributes"] = {"submitted_values": [{"title": "No", "value": value}]}
    assert hook(assistant, picked).json()["status"] == "accepted"
    more = chatwoot.wait_for(lambda c: c["path"].endswith("/conversations/705/messages")
                             and c["json"].get("content") != first[0]["json"]["content"])
    assert more
